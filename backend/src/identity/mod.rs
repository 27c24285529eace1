//! Identity tokens (SPEC §6): a user's JWT from an issuer the tenant trusts says *who* the
//! user is, never what they may do.
//!
//! Verification, in order, each refusal a 401 whose `code` names the check that failed
//! ([`TokenError`]): the token is at most [`MAX_TOKEN_BYTES`] and a JWT; its unverified
//! `iss` picks the tenant's issuer (an `iss` the tenant did not register is refused before
//! any key is looked at); the header's `alg` must be one of that issuer's algorithms
//! (asymmetric only: `none` and HMAC never verify); the key is the issuer's key with the
//! header's `kid` (or its only key of that algorithm's type when the token names none), and
//! a key's own `alg`, when its JWK states one, must agree; the signature; `exp` (required)
//! and `nbf` with 60 s of skew; `aud` (required) must name one of the issuer's audiences;
//! `sub` (required) is the userId. `jku`, `x5u`, `x5c` and `jwk` headers are never
//! followed: keys come only from the issuer's configuration. No other claim is read.
//!
//! `jsonwebtoken` does the JWS and claim checks; this module chooses the key and keeps the
//! per-issuer key sets ([`jwks`]).

pub mod jwks;

use jsonwebtoken::{Algorithm, Validation};
use serde::Deserialize;

use crate::domain::{Issuer, TokenAlgorithm};

/// The longest token read: larger ones are refused before any parsing.
pub const MAX_TOKEN_BYTES: usize = 16 * 1024;

/// Allowed clock skew on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECONDS: u64 = 60;

/// Why a token was refused. [`TokenError::code`] is the problem's stable `code`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Not a JWT, too large, or a header or claim that does not read.
    #[error("the token is not a well-formed JWT: {0}")]
    Malformed(String),
    /// The `iss` is not an issuer this tenant trusts.
    #[error("the token's issuer is not trusted by this tenant")]
    IssuerUntrusted,
    /// The header's `alg` is not one the issuer allows.
    #[error("the token is signed with `{0}`, which its issuer is not allowed to use")]
    AlgorithmRefused(String),
    /// No key of the issuer has the token's `kid` (or fits its algorithm).
    #[error("no key of the issuer matches the token (`kid` {0})")]
    KeyUnknown(String),
    /// The signature does not verify.
    #[error("the token's signature does not verify")]
    SignatureInvalid,
    /// `exp` is past.
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future.
    #[error("the token is not valid yet (`nbf`)")]
    NotYetValid,
    /// `aud` names none of the issuer's audiences.
    #[error("the token's audience is not one this issuer is trusted for")]
    AudienceRefused,
    /// A required claim is missing.
    #[error("the token lacks the `{0}` claim")]
    ClaimMissing(String),
    /// `sub` is not a valid userId.
    #[error("the token's `sub` is not a valid user id: {0}")]
    SubjectInvalid(String),
    /// Issued before the user's `tokensNotBefore`.
    #[error("the token was issued before the user was signed out everywhere")]
    Revoked,
    /// The issuer's keys could not be fetched, and none are cached: not the bearer's fault.
    #[error("the issuer's keys cannot be fetched now: {0}")]
    IssuerUnreachable(String),
}

impl TokenError {
    /// The problem's stable `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "token_malformed",
            Self::IssuerUntrusted => "token_issuer_untrusted",
            Self::AlgorithmRefused(_) => "token_algorithm_refused",
            Self::KeyUnknown(_) => "token_key_unknown",
            Self::SignatureInvalid => "token_signature_invalid",
            Self::Expired => "token_expired",
            Self::NotYetValid => "token_not_yet_valid",
            Self::AudienceRefused => "token_audience_refused",
            Self::ClaimMissing(_) => "token_claim_missing",
            Self::SubjectInvalid(_) => "token_subject_invalid",
            Self::Revoked => "token_revoked",
            Self::IssuerUnreachable(_) => "issuer_unreachable",
        }
    }
}

/// The one claim read before verification: which issuer to verify with.
#[derive(Deserialize)]
struct Unverified {
    iss: Option<serde_json::Value>,
}

/// The `iss` a token claims (unverified: it only selects the issuer whose keys must then
/// verify it) and the header's algorithm and key id.
pub fn claimed_issuer(token: &str) -> Result<(String, TokenAlgorithm, Option<String>), TokenError> {
    if token.len() > MAX_TOKEN_BYTES {
        return Err(TokenError::Malformed(format!(
            "at most {MAX_TOKEN_BYTES} bytes are read"
        )));
    }
    if token.split('.').count() != 3 {
        return Err(TokenError::Malformed(
            "a JWT is three base64url parts joined by `.`".into(),
        ));
    }
    // A header naming an `alg` this crate does not know (`none`, say) does not decode:
    // that is the algorithm refused, anything else unreadable is malformed.
    let header = jsonwebtoken::decode_header(token).map_err(|e| match unverified_alg(token) {
        Some(alg) if TokenAlgorithm::parse(&alg).is_none() => TokenError::AlgorithmRefused(alg),
        _ => TokenError::Malformed(e.to_string()),
    })?;
    let alg = algorithm_of(header.alg)
        .ok_or_else(|| TokenError::AlgorithmRefused(format!("{:?}", header.alg)))?;
    let claims: Unverified = jsonwebtoken::dangerous::insecure_decode_claims(token)
        .map_err(|e| TokenError::Malformed(e.to_string()))?;
    let iss = match claims.iss {
        Some(serde_json::Value::String(iss)) => iss,
        Some(_) => return Err(TokenError::Malformed("`iss` is not a string".into())),
        None => return Err(TokenError::ClaimMissing("iss".into())),
    };
    Ok((iss, alg, header.kid))
}

/// The `alg` of a header `jsonwebtoken` would not read, for the error message.
fn unverified_alg(token: &str) -> Option<String> {
    use base64::Engine;
    let header = token.split('.').next()?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(header.trim_end_matches('='))
        .ok()?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let alg = value.get("alg")?.as_str()?;
    Some(alg.chars().take(32).collect())
}

/// Ours of `jsonwebtoken`'s algorithms; `None` for those never accepted (HMAC, others).
fn algorithm_of(alg: Algorithm) -> Option<TokenAlgorithm> {
    match alg {
        Algorithm::RS256 => Some(TokenAlgorithm::RS256),
        Algorithm::ES256 => Some(TokenAlgorithm::ES256),
        Algorithm::EdDSA => Some(TokenAlgorithm::EdDSA),
        _ => None,
    }
}

/// `jsonwebtoken`'s name of one of ours.
pub(crate) fn jwt_algorithm(alg: TokenAlgorithm) -> Algorithm {
    match alg {
        TokenAlgorithm::RS256 => Algorithm::RS256,
        TokenAlgorithm::ES256 => Algorithm::ES256,
        TokenAlgorithm::EdDSA => Algorithm::EdDSA,
    }
}

/// The claims kept after verification.
#[derive(Debug, Deserialize)]
struct Verified {
    // Optional here so that a missing `sub` is reported as the missing claim it is.
    #[serde(default)]
    sub: Option<serde_json::Value>,
    #[serde(default)]
    iat: Option<serde_json::Value>,
}

/// What a verified token says: the user, and when it was issued (seconds), if it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    /// The `sub`, not yet parsed as a userId.
    pub subject: String,
    /// `iat`, in seconds since the epoch.
    pub issued_at: Option<i64>,
}

/// Verifies `token` (whose header named `alg`) with `key` for `issuer`.
pub fn verify(
    token: &str,
    issuer: &Issuer,
    alg: TokenAlgorithm,
    key: &jsonwebtoken::DecodingKey,
) -> Result<VerifiedToken, TokenError> {
    use jsonwebtoken::errors::ErrorKind;
    let mut validation = Validation::new(jwt_algorithm(alg));
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    validation.set_issuer(&[issuer.issuer.as_str()]);
    validation.set_audience(&issuer.audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    let data = jsonwebtoken::decode::<Verified>(token, key, &validation).map_err(|e| {
        match e.into_kind() {
            ErrorKind::InvalidSignature => TokenError::SignatureInvalid,
            ErrorKind::ExpiredSignature => TokenError::Expired,
            ErrorKind::ImmatureSignature => TokenError::NotYetValid,
            ErrorKind::InvalidAudience => TokenError::AudienceRefused,
            ErrorKind::InvalidIssuer => TokenError::IssuerUntrusted,
            ErrorKind::MissingRequiredClaim(claim) => TokenError::ClaimMissing(claim),
            ErrorKind::InvalidAlgorithm => TokenError::AlgorithmRefused(alg.as_str().into()),
            other => TokenError::Malformed(jsonwebtoken::errors::Error::from(other).to_string()),
        }
    })?;
    let issued_at = match data.claims.iat {
        None => None,
        Some(value) => Some(
            value
                .as_i64()
                .or_else(|| value.as_f64().map(|f| f as i64))
                .ok_or_else(|| TokenError::Malformed("`iat` is not a number".into()))?,
        ),
    };
    let subject = match data.claims.sub {
        Some(serde_json::Value::String(sub)) => sub,
        Some(_) => return Err(TokenError::SubjectInvalid("`sub` is not a string".into())),
        None => return Err(TokenError::ClaimMissing("sub".into())),
    };
    Ok(VerifiedToken { subject, issued_at })
}
