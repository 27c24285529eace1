//! End-user delegation (SPEC §6): a user, proving who they are with an identity token,
//! writes records through `/me/records` that give others what the user may give
//! ([`crate::engine::Gift`] has the rule), lists the records they wrote, and deletes them.
//!
//! The rule is checked inside the write: writes to a tenant are serialized, so the rights
//! it reads cannot be revoked between the check and the commit. A record keeps its author
//! (`delegatedBy`) and is audited with the user as actor (`{kind: "user", id}`). Records
//! are created, not replaced, through `/me`: to change one, a user deletes it and writes
//! another (an admin's `PUT` on such a record makes it an admin's record).

use super::objects::{Parsed, WriteMode, Written, delete_in, put_in};
use super::{FieldError, Page, PageRequest, Precondition, Service, ServiceError, TenantAccess};
use crate::domain::{AccessRecord, UserId, now};
use crate::engine::Gift;
use crate::store::Naming;

/// The list table naming each record's author.
const AUTHORS: &str = "record_authors";

/// The user a `/me` access is for.
fn author(access: &TenantAccess) -> Result<&UserId, ServiceError> {
    access.end_user().ok_or_else(|| {
        ServiceError::Forbidden("only a user's identity token writes through `/me`".into())
    })
}

impl Service {
    /// Writes a record the token's user gives: 403 `delegation_exceeded` naming every gift
    /// the user may not make, else created with the user as its author and actor.
    pub async fn create_delegated_record(
        &self,
        access: &TenantAccess,
        record: Parsed<AccessRecord>,
    ) -> Result<Written<AccessRecord>, ServiceError> {
        let user = author(access)?.clone();
        let mut tx = self.begin_write(&access.tenant).await?;
        let index = self
            .fresh_index(access.tenant.as_str(), None, Default::default())
            .await?;
        let gifts: Vec<Gift<'_>> = record
            .object
            .statements
            .iter()
            .map(|s| Gift {
                roles: s.roles.iter().map(|r| r.as_str()).collect(),
                resources: s.resources.iter().map(|r| r.as_str()).collect(),
            })
            .collect();
        let shortfalls = index.delegation_shortfall(user.as_str(), &gifts, now());
        if !shortfalls.is_empty() {
            return Err(ServiceError::DelegationExceeded(
                shortfalls
                    .into_iter()
                    .map(|s| FieldError::new(s.field, s.message))
                    .collect(),
            ));
        }
        let mut object = record.object;
        object.delegated_by = Some(user);
        let prepared = put_in(
            &mut tx,
            &access.actor(),
            None,
            (&object, record.errors),
            WriteMode::Create,
            Precondition::default(),
        )
        .await?;
        let revision = self.commit(&access.tenant, tx, prepared.audit).await?;
        Ok(Written {
            object: prepared.object,
            revision,
            created: true,
        })
    }

    /// A page of the records the token's user wrote, in id order.
    pub async fn list_delegated_records(
        &self,
        access: &TenantAccess,
        page: &PageRequest,
    ) -> Result<Page<AccessRecord>, ServiceError> {
        let user = author(access)?;
        self.list_objects::<AccessRecord>(
            &access.tenant,
            page,
            Some(Naming::Listed {
                table: AUTHORS,
                column: "user_id",
                value: user.as_str(),
            }),
        )
        .await
    }

    /// Deletes a record the token's user wrote; any other record is a 404, as if it did
    /// not exist (a user learns nothing of the records others wrote).
    pub async fn delete_delegated_record(
        &self,
        access: &TenantAccess,
        record_id: &str,
        precondition: Precondition,
    ) -> Result<i64, ServiceError> {
        let user = author(access)?;
        let mut tx = self.begin_write(&access.tenant).await?;
        let theirs = tx
            .get::<AccessRecord>(record_id)
            .await?
            .is_some_and(|r| r.delegated_by.as_ref() == Some(user));
        if !theirs {
            return Err(ServiceError::not_found("record", record_id));
        }
        let audit =
            delete_in::<AccessRecord>(&mut tx, &access.actor(), record_id, precondition).await?;
        self.commit(&access.tenant, tx, audit).await
    }
}
