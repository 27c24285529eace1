//! Trusted issuers (the generic object flow, plus one issuer per `iss` and at most
//! [`MAX_ISSUERS`] per tenant), and the verification of a user's identity token against
//! them (SPEC §6; the checks are listed in [`crate::identity`]).

use super::objects::{Parsed, WriteMode, Written, put_in};
use super::{Consistency, Precondition, Service, ServiceError, TenantAccess};
use crate::domain::{Issuer, TenantId, UserId};
use crate::identity::{self, TokenError};
use crate::store::Which;

/// The most issuers one tenant may register.
pub const MAX_ISSUERS: usize = 50;

impl From<TokenError> for ServiceError {
    fn from(error: TokenError) -> Self {
        match error {
            TokenError::IssuerUnreachable(_) => ServiceError::IssuerUnreachable(error.to_string()),
            _ => ServiceError::TokenRefused {
                code: error.code(),
                detail: error.to_string(),
            },
        }
    }
}

impl Service {
    /// Registers (`Create`) or changes (`Upsert`/`Replace`) an issuer: its `iss` must be
    /// no other issuer's, and the tenant may hold at most [`MAX_ISSUERS`].
    pub async fn put_issuer(
        &self,
        access: &TenantAccess,
        path_id: Option<&str>,
        issuer: Parsed<Issuer>,
        mode: WriteMode,
        precondition: Precondition,
    ) -> Result<Written<Issuer>, ServiceError> {
        let mut tx = self.begin_write(&access.tenant).await?;
        // Inside the write: writes to a tenant are serialized, so no other write can
        // register the same `iss` between this read and the commit.
        let existing = tx
            .read::<Issuer>(Which::After(None, MAX_ISSUERS + 1))
            .await?;
        let own_id = path_id.or(issuer.object.issuer_id.as_ref().map(|id| id.as_str()));
        let others = existing
            .iter()
            .filter(|e| e.issuer_id.as_ref().map(|id| id.as_str()) != own_id);
        if let Some(taken) = others.clone().find(|e| e.issuer == issuer.object.issuer) {
            return Err(ServiceError::AlreadyExists(format!(
                "issuer `{}` is already registered as `{}`",
                taken.issuer,
                taken
                    .issuer_id
                    .as_ref()
                    .map(|id| id.as_str())
                    .unwrap_or_default()
            )));
        }
        if others.count() >= MAX_ISSUERS {
            return Err(ServiceError::LimitExceeded(vec![super::FieldError::new(
                "",
                format!("a tenant may register at most {MAX_ISSUERS} issuers"),
            )]));
        }
        let prepared = put_in(
            &mut tx,
            &access.actor(),
            path_id,
            (&issuer.object, issuer.errors),
            mode,
            precondition,
        )
        .await?;
        let id = prepared.audit.target_id.clone();
        let revision = self.commit(&access.tenant, tx, prepared.audit).await?;
        self.issuer_keys.forget(access.tenant.as_str(), &id);
        Ok(Written {
            object: prepared.object,
            revision,
            created: prepared.created,
        })
    }

    /// Removes an issuer: from the commit on, its tokens are refused.
    pub async fn delete_issuer(
        &self,
        access: &TenantAccess,
        issuer_id: &str,
        precondition: Precondition,
    ) -> Result<i64, ServiceError> {
        let revision = self
            .delete_object::<Issuer>(&access.actor(), &access.tenant, issuer_id, precondition)
            .await?;
        self.issuer_keys.forget(access.tenant.as_str(), issuer_id);
        Ok(revision)
    }

    /// The user a token of one of `tenant`'s issuers names, once every check of
    /// [`crate::identity`] passed and the user's `tokensNotBefore` (if set) is not after
    /// the token's `iat`. Refusals are 401 `token_…`; an issuer whose keys cannot be
    /// fetched (and none are cached) is 503. The same answer for a tenant that does not
    /// exist as for one that does not trust the issuer.
    ///
    /// The issuers and the users' `tokensNotBefore` are the decision index's (read with
    /// the same freshness as a check: every write committed before the request is in
    /// it), so a token is verified without a database read once its keys are cached.
    pub async fn verify_user_token(
        &self,
        tenant: &TenantId,
        token: &str,
    ) -> Result<UserId, ServiceError> {
        let (iss, alg, kid) = identity::claimed_issuer(token)?;
        let index = match self
            .fresh_index(tenant.as_str(), None, Consistency::default())
            .await
        {
            Err(ServiceError::NotFound(_)) => return Err(TokenError::IssuerUntrusted.into()),
            index => index?,
        };
        let issuer = index.issuer(&iss).ok_or(TokenError::IssuerUntrusted)?;
        if !issuer.algorithms.contains(&alg) {
            return Err(TokenError::AlgorithmRefused(alg.as_str().into()).into());
        }
        let key = self
            .issuer_keys
            .key_for(tenant.as_str(), issuer, alg, kid.as_deref())
            .await?;
        let verified = identity::verify(token, issuer, alg, &key)?;
        let user = UserId::parse(&verified.subject).map_err(|e| TokenError::SubjectInvalid(e.0))?;
        if let Some(not_before) = index.tokens_not_before(user.as_str()) {
            // `iat` has whole seconds: a token issued in the second of the sign-out is
            // refused too (the user signs in again a second later).
            let issued_ms = verified.issued_at.map(|s| s.saturating_mul(1000));
            if issued_ms.is_none_or(|issued| issued < not_before.millis()) {
                return Err(TokenError::Revoked.into());
            }
        }
        Ok(user)
    }
}
