//! API keys: the generic object flow plus the secret, which is made here, returned once and
//! stored only as its SHA-256. A key can never give another key a scope it lacks itself.

use super::objects::{Parsed, WriteMode, Written, delete_in, put_in};
use super::{Page, PageRequest, Precondition, Service, ServiceError, TenantAccess};
use crate::auth::{new_api_key_secret, secret_hash};
use crate::domain::ApiKey;

fn check_scopes(access: &TenantAccess, key: &ApiKey) -> Result<(), ServiceError> {
    match key
        .scopes
        .iter()
        .find(|scope| !access.principal.has_scope(access.tenant.as_str(), **scope))
    {
        Some(scope) => Err(ServiceError::Forbidden(format!(
            "a key cannot give the `{}` scope, which it does not hold itself",
            serde_json::to_value(scope)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        ))),
        None => Ok(()),
    }
}

impl Service {
    /// Creates a key; the returned object carries the secret, which is never shown again.
    pub async fn create_api_key(
        &self,
        access: &TenantAccess,
        key: Parsed<ApiKey>,
    ) -> Result<Written<ApiKey>, ServiceError> {
        check_scopes(access, &key.object)?;
        let mut tx = self.begin_write(&access.tenant).await?;
        let mut prepared = put_in(
            &mut tx,
            &access.actor(),
            None,
            (&key.object, key.errors),
            WriteMode::Create,
            Precondition::default(),
        )
        .await?;
        let secret = new_api_key_secret();
        let key_id = prepared.audit.target_id.clone();
        tx.insert_key_secret(&key_id, &secret_hash(secret.expose()))
            .await?;
        let revision = self.commit(&access.tenant, tx, prepared.audit).await?;
        prepared.object.secret = Some(secret.expose().to_owned());
        Ok(Written {
            object: prepared.object,
            revision,
            created: true,
        })
    }

    /// Changes a key's name, scopes or expiry. The secret stays the same.
    pub async fn replace_api_key(
        &self,
        access: &TenantAccess,
        key_id: &str,
        key: Parsed<ApiKey>,
        precondition: Precondition,
    ) -> Result<Written<ApiKey>, ServiceError> {
        check_scopes(access, &key.object)?;
        let mut written = self
            .put_object(
                &access.actor(),
                &access.tenant,
                Some(key_id),
                key,
                WriteMode::Replace,
                precondition,
            )
            .await?;
        self.keys.forget(access.tenant.as_str(), Some(key_id));
        self.fill_last_used(access, std::slice::from_mut(&mut written.object))
            .await?;
        Ok(written)
    }

    /// Revokes a key: from the commit on, its secret authenticates nothing.
    pub async fn delete_api_key(
        &self,
        access: &TenantAccess,
        key_id: &str,
        precondition: Precondition,
    ) -> Result<i64, ServiceError> {
        let mut tx = self.begin_write(&access.tenant).await?;
        let audit = delete_in::<ApiKey>(&mut tx, &access.actor(), key_id, precondition).await?;
        tx.delete_key_secret(key_id).await?;
        let revision = self.commit(&access.tenant, tx, audit).await?;
        self.keys.forget(access.tenant.as_str(), Some(key_id));
        Ok(revision)
    }

    /// One key, with its last use.
    pub async fn get_api_key(
        &self,
        access: &TenantAccess,
        key_id: &str,
    ) -> Result<ApiKey, ServiceError> {
        let mut key = self.get_object::<ApiKey>(&access.tenant, key_id).await?;
        self.fill_last_used(access, std::slice::from_mut(&mut key))
            .await?;
        Ok(key)
    }

    /// A page of keys, with their last use.
    pub async fn list_api_keys(
        &self,
        access: &TenantAccess,
        page: &PageRequest,
    ) -> Result<Page<ApiKey>, ServiceError> {
        let mut keys = self
            .list_objects::<ApiKey>(&access.tenant, page, None)
            .await?;
        self.fill_last_used(access, &mut keys.items).await?;
        Ok(keys)
    }

    async fn fill_last_used(
        &self,
        access: &TenantAccess,
        keys: &mut [ApiKey],
    ) -> Result<(), ServiceError> {
        let ids: Vec<&str> = keys
            .iter()
            .filter_map(|k| k.key_id.as_ref().map(|id| id.as_str()))
            .collect();
        let used = self
            .store
            .keys_last_used(access.tenant.as_str(), &ids)
            .await?;
        for key in keys {
            key.last_used_at = key
                .key_id
                .as_ref()
                .and_then(|id| used.get(id.as_str()).copied());
        }
        Ok(())
    }
}
