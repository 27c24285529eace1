//! Console accounts and their memberships of tenants.
//!
//! An account signs in to the console with a username and password. A platform admin
//! account manages tenants and accounts (as the platform admin token does); any other
//! account reaches only the tenants it is a member of, with the powers of its role:
//!
//! | role     | read, check | write (roles, groups, records, keys …) | manage members |
//! |----------|-------------|-----------------------------------------|----------------|
//! | `viewer` | yes         | no                                      | no             |
//! | `admin`  | yes         | yes                                     | no             |
//! | `owner`  | yes         | yes                                     | yes            |
//!
//! Memberships are tenant changes: each takes a revision and an audit event
//! (`member.create`, `member.update`, `member.delete`). The account's own rows are
//! platform-level and not in any tenant's log.

use portcullis_api::{Account, AccountIn, AccountPatch, Member, MemberRole, Membership};

use super::objects::{check_text, refuse};
use super::{
    Actor, Page, PageRequest, Precondition, Principal, Service, ServiceError, TenantAccess,
};
use crate::auth::{Secret, hash_password, verify_password};
use crate::domain::{Scope, TenantId};
use crate::store::{AccountRow, AccountWrite, AuditRecord, MemberRow};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted (argon2 would take more, but nobody types this much).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Whether a member with `role` may act with `scope` in its tenant.
pub fn role_has_scope(role: MemberRole, scope: Scope) -> bool {
    match role {
        MemberRole::Owner | MemberRole::Admin => true,
        MemberRole::Viewer => scope != Scope::Write,
    }
}

/// What a signed-in account may reach: loaded for every console request, so a removed
/// membership or account is in force at the next request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPrincipal {
    /// The account.
    pub username: String,
    /// Whether it manages tenants and accounts.
    pub platform_admin: bool,
    /// Its tenants and roles.
    pub memberships: Vec<Membership>,
}

impl AccountPrincipal {
    /// Its role in `tenant`, if a member.
    pub fn role_in(&self, tenant: &str) -> Option<MemberRole> {
        self.memberships
            .iter()
            .find(|m| m.tenant_id == tenant)
            .map(|m| m.role)
    }
}

fn member_from_row(row: &MemberRow) -> Result<Member, ServiceError> {
    let role = MemberRole::parse(&row.role).ok_or_else(|| {
        ServiceError::corrupt(
            format_args!("membership of `{}` in `{}`", row.username, row.tenant_id),
            format_args!("unknown role `{}`", row.role),
        )
    })?;
    Ok(Member {
        username: row.username.clone(),
        role,
        created_at: row.created_at.to_string(),
        updated_at: row.updated_at.to_string(),
    })
}

fn memberships(rows: &[MemberRow]) -> Result<Vec<Membership>, ServiceError> {
    rows.iter()
        .map(|row| {
            Ok(Membership {
                tenant_id: row.tenant_id.clone(),
                role: member_from_row(row)?.role,
            })
        })
        .collect()
}

fn check_username(username: &str) -> Option<&'static str> {
    let valid = (1..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    (!valid).then_some("must be 1 to 64 letters, digits, `.`, `_`, `-` or `@`")
}

fn check_password(field: &str, password: &str, problems: &mut Vec<(bool, super::FieldError)>) {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        problems.push((
            false,
            super::FieldError::new(
                field,
                format!("must be at least {MIN_PASSWORD_CHARS} characters"),
            ),
        ));
    }
    check_text(problems, field, password, MAX_PASSWORD_CHARS, false);
}

fn hash_failed(error: crate::auth::HashError) -> ServiceError {
    ServiceError::Internal(error.to_string())
}

fn member_audit(
    actor: &Actor,
    action: &str,
    username: &str,
    before: Option<&Member>,
    after: Option<&Member>,
) -> AuditRecord {
    AuditRecord {
        actor_kind: actor.kind.to_owned(),
        actor_id: actor.id.clone(),
        action: format!("member.{action}"),
        target_kind: "member".into(),
        target_id: username.to_owned(),
        before: before.and_then(|m| serde_json::to_string(m).ok()),
        after: after.and_then(|m| serde_json::to_string(m).ok()),
    }
}

fn account_view(row: &AccountRow, members: &[MemberRow]) -> Result<Account, ServiceError> {
    Ok(Account {
        username: row.username.clone(),
        platform_admin: row.platform_admin,
        memberships: memberships(members)?,
        created_at: row.created_at.to_string(),
        updated_at: row.updated_at.to_string(),
    })
}

/// The answer to a change of account `username`, as the store made it or refused it.
fn account_written(written: AccountWrite, username: &str) -> Result<(), ServiceError> {
    match written {
        AccountWrite::Done => Ok(()),
        AccountWrite::Missing => Err(ServiceError::not_found("account", username)),
        AccountWrite::LastPlatformAdmin => Err(ServiceError::Conflict {
            code: "last_platform_admin",
            detail: format!(
                "`{username}` is the only platform admin account: make another account a \
                 platform admin first, so that someone can still manage tenants and accounts"
            ),
        }),
    }
}

impl Service {
    /// Creates an account (the caller has checked it may).
    pub async fn create_account(&self, account: AccountIn) -> Result<Account, ServiceError> {
        let mut problems = Vec::new();
        if let Some(message) = check_username(&account.username) {
            problems.push((false, super::FieldError::new("username", message)));
        }
        check_password("password", &account.password, &mut problems);
        refuse(problems)?;
        let hash = hash_password(Secret::new(account.password))
            .await
            .map_err(hash_failed)?;
        if !self
            .store
            .create_account(&account.username, &hash, account.platform_admin)
            .await?
        {
            return Err(ServiceError::AlreadyExists(format!(
                "account `{}` already exists",
                account.username
            )));
        }
        self.get_account(&account.username).await
    }

    /// Whether any account exists.
    pub async fn has_accounts(&self) -> Result<bool, ServiceError> {
        Ok(self.store.has_accounts().await?)
    }

    /// One account with its memberships.
    pub async fn get_account(&self, username: &str) -> Result<Account, ServiceError> {
        let row = self
            .store
            .get_account(username)
            .await?
            .ok_or_else(|| ServiceError::not_found("account", username))?;
        let members = self.store.memberships_of(username).await?;
        account_view(&row, &members)
    }

    /// Accounts in username order; with `prefix`, those whose username starts with it.
    pub async fn list_accounts(
        &self,
        page: &PageRequest,
        prefix: Option<&str>,
    ) -> Result<Page<Account>, ServiceError> {
        let after = page.after()?;
        let rows = self
            .store
            .list_accounts(after.as_deref(), prefix, page.limit + 1)
            .await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let members = self.store.memberships_of(&row.username).await?;
            views.push((row.username.clone(), account_view(&row, &members)?));
        }
        Page::from_rows(
            views,
            page.limit,
            |(name, _)| name.clone(),
            |(_, view)| Ok(view.clone()),
        )
    }

    /// Changes an account's password or platform admin flag.
    pub async fn update_account(
        &self,
        username: &str,
        patch: AccountPatch,
    ) -> Result<Account, ServiceError> {
        let mut problems = Vec::new();
        if let Some(password) = &patch.password {
            check_password("password", password, &mut problems);
        }
        refuse(problems)?;
        let hash = match patch.password {
            Some(password) => Some(
                hash_password(Secret::new(password))
                    .await
                    .map_err(hash_failed)?,
            ),
            None => None,
        };
        let written = self
            .store
            .update_account(username, hash.as_deref(), patch.platform_admin)
            .await?;
        account_written(written, username)?;
        self.get_account(username).await
    }

    /// Deletes an account: its memberships (each in its tenant's log), then the account and
    /// its sessions.
    pub async fn delete_account(&self, actor: &Actor, username: &str) -> Result<(), ServiceError> {
        let Some(account) = self.store.get_account(username).await? else {
            return Err(ServiceError::not_found("account", username));
        };
        // Refused before its memberships go; the store checks again as it deletes.
        if account.platform_admin && self.store.platform_admin_count().await? <= 1 {
            account_written(AccountWrite::LastPlatformAdmin, username)?;
        }
        for membership in self.store.memberships_of(username).await? {
            if let Ok(tenant) = TenantId::parse(&membership.tenant_id) {
                self.remove_member_as(actor, &tenant, username).await?;
            }
        }
        let written = self.store.delete_account(username).await?;
        account_written(written, username)
    }

    /// The account whose username and password these are. A wrong password and an unknown
    /// username get the same answer after the same work.
    pub async fn sign_in(&self, username: &str, password: Secret) -> Result<Account, ServiceError> {
        let row = self.store.get_account(username).await?;
        let matches = verify_password(password, row.as_ref().map(|r| r.password_hash.clone()))
            .await
            .map_err(hash_failed)?;
        match row {
            Some(row) if matches => {
                let members = self.store.memberships_of(username).await?;
                account_view(&row, &members)
            }
            _ => Err(ServiceError::Unauthenticated(
                "the username or the password is wrong".into(),
            )),
        }
    }

    /// The principal of a signed-in account; `None` when the account no longer exists.
    pub async fn account_principal(
        &self,
        username: &str,
    ) -> Result<Option<Principal>, ServiceError> {
        let Some(row) = self.store.get_account(username).await? else {
            return Ok(None);
        };
        let members = self.store.memberships_of(username).await?;
        Ok(Some(Principal::Account(AccountPrincipal {
            username: row.username,
            platform_admin: row.platform_admin,
            memberships: memberships(&members)?,
        })))
    }

    /// Lets through the platform admin and the tenant's owners.
    fn require_member_manager(&self, access: &TenantAccess) -> Result<(), ServiceError> {
        let allowed = match &access.principal {
            Principal::PlatformAdmin => true,
            Principal::Account(account) => {
                account.platform_admin
                    || account.role_in(access.tenant.as_str()) == Some(MemberRole::Owner)
            }
            Principal::ApiKey(_) | Principal::EndUser(_) => false,
        };
        if allowed {
            Ok(())
        } else {
            Err(ServiceError::Forbidden(
                "only the tenant's owners and platform admins manage its members".into(),
            ))
        }
    }

    /// A tenant's members, in username order.
    pub async fn list_members(
        &self,
        access: &TenantAccess,
        page: &PageRequest,
    ) -> Result<Page<Member>, ServiceError> {
        let after = page.after()?;
        let rows = self
            .store
            .members_of(access.tenant.as_str(), after.as_deref(), page.limit + 1)
            .await?;
        Page::from_rows(
            rows,
            page.limit,
            |row| row.username.clone(),
            member_from_row,
        )
    }

    /// One member of the tenant.
    pub async fn get_member(
        &self,
        access: &TenantAccess,
        username: &str,
    ) -> Result<Member, ServiceError> {
        self.store
            .membership(access.tenant.as_str(), username)
            .await?
            .as_ref()
            .map(member_from_row)
            .transpose()?
            .ok_or_else(|| ServiceError::not_found("member", username))
    }

    /// Gives an account a role in the tenant. Returns the member, whether it is new, and
    /// the tenant's new revision.
    pub async fn put_member(
        &self,
        access: &TenantAccess,
        username: &str,
        role: MemberRole,
        precondition: Precondition,
    ) -> Result<(Member, bool, i64), ServiceError> {
        self.require_member_manager(access)?;
        if self.store.get_account(username).await?.is_none() {
            return Err(ServiceError::Invalid(vec![super::FieldError::new(
                "username",
                format!("account `{username}` does not exist"),
            )]));
        }
        let mut tx = self.begin_write(&access.tenant).await?;
        let before = tx
            .get_membership(username)
            .await?
            .map(|row| member_from_row(&row))
            .transpose()?;
        // A membership has no revision of its own: `If-None-Match: *` (create only) is the
        // precondition that means something here.
        precondition.check(before.as_ref().map(|_| 0))?;
        tx.put_membership(username, role.as_str()).await?;
        let at = tx.at().to_string();
        let after = Member {
            username: username.to_owned(),
            role,
            created_at: before
                .as_ref()
                .map_or_else(|| at.clone(), |m| m.created_at.clone()),
            updated_at: at,
        };
        let action = if before.is_some() { "update" } else { "create" };
        let record = member_audit(
            &access.actor(),
            action,
            username,
            before.as_ref(),
            Some(&after),
        );
        let revision = self.commit(&access.tenant, tx, record).await?;
        Ok((after, before.is_none(), revision))
    }

    /// Removes an account from the tenant. Returns the tenant's new revision.
    pub async fn remove_member(
        &self,
        access: &TenantAccess,
        username: &str,
    ) -> Result<i64, ServiceError> {
        self.require_member_manager(access)?;
        self.remove_member_as(&access.actor(), &access.tenant, username)
            .await
    }

    async fn remove_member_as(
        &self,
        actor: &Actor,
        tenant: &TenantId,
        username: &str,
    ) -> Result<i64, ServiceError> {
        let mut tx = self.begin_write(tenant).await?;
        let before = tx
            .get_membership(username)
            .await?
            .map(|row| member_from_row(&row))
            .transpose()?
            .ok_or_else(|| ServiceError::not_found("member", username))?;
        tx.delete_membership(username).await?;
        let record = member_audit(actor, "delete", username, Some(&before), None);
        self.commit(tenant, tx, record).await
    }
}
