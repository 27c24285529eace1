//! Console passwords: argon2id (the crate's defaults, OWASP's recommended parameters:
//! 19 MiB, 2 passes, 1 lane), hashed and verified off the async threads.

use std::sync::OnceLock;

use argon2::password_hash::SaltString;
use argon2::password_hash::rand_core::OsRng;
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};

use super::{Secret, random_hex};

/// Hashing failed: the blocking pool is gone, or argon2 refused its input.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError(e.to_string()))
}

/// The argon2id PHC string of `password`.
pub async fn hash_password(password: Secret) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_now(password.expose()))
        .await
        .map_err(|e| HashError(e.to_string()))?
}

/// A hash of a password nobody knows, verified against when the username is unknown so that
/// an unknown name costs the same time as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        // A fixed, well-formed PHC string of the same parameters is the fallback if hashing
        // a random password fails; it cannot match anything either.
        hash_now(&random_hex(16)).unwrap_or_else(|_| {
            "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$\
             2m1cGJRR/P0sHO7vCVF3cuj6YROJUbsW0/4vPbaBXHk"
                .to_owned()
        })
    })
}

/// Whether `password` matches `hash`; with `hash` `None` (no such account), the same work
/// is done against a dummy and the answer is `false`.
pub async fn verify_password(password: Secret, hash: Option<String>) -> Result<bool, HashError> {
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let parsed = PasswordHash::new(&hash).map_err(|e| HashError(e.to_string()))?;
        let matches = Argon2::default()
            .verify_password(password.expose().as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await
    .map_err(|e| HashError(e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let hash = hash_password(Secret::new("correct horse".into()))
            .await
            .unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify_password(Secret::new("correct horse".into()), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password(Secret::new("wrong".into()), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !verify_password(Secret::new("correct horse".into()), None)
                .await
                .unwrap()
        );
    }
}
