//! Credentials: the platform admin token, tenant API keys, console passwords and sessions.
//!
//! Both are high-entropy random secrets (256 bits), so they are stored and looked up by
//! their SHA-256: a fast hash is enough when guessing is hopeless, and it keeps the
//! authentication of every request cheap. (Slow password hashes are for console passwords,
//! which people choose.) Secrets are wrapped in [`Secret`] so they never reach a log.

mod passwords;
mod sessions;

use std::fmt;

pub use passwords::{HashError, hash_password, verify_password};
pub use sessions::{ACCOUNT_KEY, DatabaseSessions};

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Prefix of tenant API key secrets.
pub const API_KEY_PREFIX: &str = "pc_";
/// Prefix of the platform admin token.
pub const ADMIN_TOKEN_PREFIX: &str = "pcadmin_";

/// A secret string that prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The secret itself; call only where it must be shown or hashed.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// `bytes` random bytes, as lowercase hex, from `rand`'s thread-local CSPRNG (ChaCha, seeded
/// and periodically reseeded from the operating system).
pub fn random_hex(bytes: usize) -> String {
    let mut buffer = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buffer);
    hex(&buffer)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        text.push(char::from(DIGITS[usize::from(byte >> 4)]));
        text.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    text
}

/// The SHA-256 of a secret, as lowercase hex: how secrets are stored and looked up.
pub fn secret_hash(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Whether two secrets are equal, in time that depends on their length only.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A new API key secret: `pc_` and 256 random bits.
pub fn new_api_key_secret() -> Secret {
    Secret(format!("{API_KEY_PREFIX}{}", random_hex(32)))
}

/// A new platform admin token: `pcadmin_` and 256 random bits.
pub fn new_admin_token() -> Secret {
    Secret(format!("{ADMIN_TOKEN_PREFIX}{}", random_hex(32)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_prefixed_and_redacted() {
        let a = new_api_key_secret();
        let b = new_api_key_secret();
        assert_ne!(a, b);
        assert!(a.expose().starts_with("pc_"));
        assert_eq!(a.expose().len(), 3 + 64);
        assert_eq!(format!("{a:?}"), "[redacted]");
        assert!(new_admin_token().expose().starts_with("pcadmin_"));
    }

    #[test]
    fn hash_is_sha256_hex() {
        assert_eq!(
            secret_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
