//! Console accounts, their tenant memberships and their sessions. Memberships change
//! through a tenant's [`super::WriteTx`] (they are tenant changes, audited with a revision);
//! accounts and sessions are platform-level and change here.

use sqlx::Row;

use super::{Backend, Store, StoreError};
use crate::domain::Timestamp;

/// A stored console account.
#[derive(Debug, Clone)]
pub struct AccountRow {
    /// The sign-in name.
    pub username: String,
    /// The argon2id PHC string of the password.
    pub password_hash: String,
    /// Whether the account manages tenants and accounts.
    pub platform_admin: bool,
    /// When it was created.
    pub created_at: Timestamp,
    /// When it was last changed.
    pub updated_at: Timestamp,
}

/// An account's role in one tenant.
#[derive(Debug, Clone)]
pub struct MemberRow {
    /// The tenant.
    pub tenant_id: String,
    /// The account.
    pub username: String,
    /// `owner`, `admin` or `viewer`.
    pub role: String,
    /// When the account joined the tenant.
    pub created_at: Timestamp,
    /// When its role last changed.
    pub updated_at: Timestamp,
}

/// What became of a change to an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountWrite {
    /// Made.
    Done,
    /// There is no such account.
    Missing,
    /// Refused: it would leave no platform admin account, and nobody able to manage
    /// tenants and accounts from the console.
    LastPlatformAdmin,
}

/// The condition a change to account `$1` must meet (with `$2` = 1 when it keeps the
/// account a platform admin): it does not remove the last platform admin.
const KEEPS_A_PLATFORM_ADMIN: &str = "(platform_admin = 0 OR $2 = 1 OR \
     (SELECT COUNT(*) FROM accounts WHERE platform_admin = 1) > 1)";

/// On PostgreSQL, locks the platform admins' rows until `tx` ends, so two requests cannot
/// each see the other's admin and remove both (SQLite runs one writer at a time, and the
/// guarded statement is one statement).
async fn lock_platform_admins(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<(), StoreError> {
    if Backend::of(tx) == Backend::Postgres {
        sqlx::query("SELECT username FROM accounts WHERE platform_admin = 1 FOR UPDATE")
            .fetch_all(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Why a guarded change to `username` changed nothing.
async fn why_unchanged(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    username: &str,
) -> Result<AccountWrite, StoreError> {
    let exists = sqlx::query("SELECT 1 FROM accounts WHERE username = $1")
        .bind(username)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    Ok(if exists {
        AccountWrite::LastPlatformAdmin
    } else {
        AccountWrite::Missing
    })
}

/// A stored console session.
#[derive(Debug, Clone)]
pub struct SessionRow {
    /// The session's data (tower-sessions' JSON map).
    pub data: String,
    /// When it ends, in unix milliseconds.
    pub expires_at: i64,
}

const ACCOUNT_COLUMNS: &str = "username, password_hash, platform_admin, created_at, updated_at";
const MEMBER_COLUMNS: &str = "tenant_id, username, role, created_at, updated_at";

fn account_row(row: &sqlx::any::AnyRow) -> Result<AccountRow, StoreError> {
    let platform_admin: i64 = row.try_get("platform_admin")?;
    Ok(AccountRow {
        username: row.try_get("username")?,
        password_hash: row.try_get("password_hash")?,
        platform_admin: platform_admin != 0,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
    })
}

pub(super) fn member_row(row: &sqlx::any::AnyRow) -> Result<MemberRow, StoreError> {
    Ok(MemberRow {
        tenant_id: row.try_get("tenant_id")?,
        username: row.try_get("username")?,
        role: row.try_get("role")?,
        created_at: Timestamp::from_millis(row.try_get("created_at")?),
        updated_at: Timestamp::from_millis(row.try_get("updated_at")?),
    })
}

impl Store {
    /// Creates an account; `false` when the username is taken.
    pub async fn create_account(
        &self,
        username: &str,
        password_hash: &str,
        platform_admin: bool,
    ) -> Result<bool, StoreError> {
        let now = crate::domain::now().millis();
        let inserted = sqlx::query(
            "INSERT INTO accounts (username, password_hash, platform_admin, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (username) DO NOTHING",
        )
        .bind(username)
        .bind(password_hash)
        .bind(i64::from(platform_admin))
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Whether any account exists (the first start creates one when none does).
    pub async fn has_accounts(&self) -> Result<bool, StoreError> {
        let found: Option<String> = sqlx::query_scalar("SELECT username FROM accounts LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(found.is_some())
    }

    /// One account.
    pub async fn get_account(&self, username: &str) -> Result<Option<AccountRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(account_row).transpose()
    }

    /// Accounts in username order, after the cursor.
    pub async fn list_accounts(
        &self,
        after: Option<&str>,
        prefix: Option<&str>,
        limit: usize,
    ) -> Result<Vec<AccountRow>, StoreError> {
        // A prefix is a range of the primary key: usernames are printable ASCII, below
        // U+007F, so `prefix || U+007F` is past every username that starts with it.
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username > $1 \
             AND username >= $3 AND username < ($3 || '\x7f') ORDER BY username LIMIT $2"
        ))
        .bind(after.unwrap_or(""))
        .bind(limit as i64)
        .bind(prefix.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(account_row).collect()
    }

    /// Changes an account's password hash and/or platform admin flag, unless that would
    /// demote the last platform admin. A new password ends every session of the account.
    pub async fn update_account(
        &self,
        username: &str,
        password_hash: Option<&str>,
        platform_admin: Option<bool>,
    ) -> Result<AccountWrite, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_platform_admins(&mut tx).await?;
        let updated = sqlx::query(&format!(
            "UPDATE accounts SET password_hash = COALESCE($3, password_hash), \
             platform_admin = COALESCE($4, platform_admin), updated_at = $5 \
             WHERE username = $1 AND {KEEPS_A_PLATFORM_ADMIN}"
        ))
        .bind(username)
        .bind(i64::from(platform_admin != Some(false)))
        .bind(password_hash)
        .bind(platform_admin.map(i64::from))
        .bind(crate::domain::now().millis())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return why_unchanged(&mut tx, username).await;
        }
        if password_hash.is_some() {
            sqlx::query("DELETE FROM console_sessions WHERE username = $1")
                .bind(username)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(AccountWrite::Done)
    }

    /// How many accounts are platform admins.
    pub async fn platform_admin_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM accounts WHERE platform_admin = 1")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Deletes an account with its sessions, unless it is the last platform admin. Its
    /// memberships are removed by the caller, tenant by tenant, so each tenant's audit log
    /// says so.
    pub async fn delete_account(&self, username: &str) -> Result<AccountWrite, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_platform_admins(&mut tx).await?;
        let deleted = sqlx::query(&format!(
            "DELETE FROM accounts WHERE username = $1 AND {KEEPS_A_PLATFORM_ADMIN}"
        ))
        .bind(username)
        .bind(0_i64)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if deleted == 0 {
            return why_unchanged(&mut tx, username).await;
        }
        sqlx::query("DELETE FROM console_sessions WHERE username = $1")
            .bind(username)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(AccountWrite::Done)
    }

    /// The tenants an account belongs to, in tenant order.
    pub async fn memberships_of(&self, username: &str) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM memberships WHERE username = $1 ORDER BY tenant_id"
        ))
        .bind(username)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(member_row).collect()
    }

    /// One account's membership of one tenant.
    pub async fn membership(
        &self,
        tenant: &str,
        username: &str,
    ) -> Result<Option<MemberRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM memberships WHERE tenant_id = $1 AND username = $2"
        ))
        .bind(tenant)
        .bind(username)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(member_row).transpose()
    }

    /// A tenant's members in username order, after the cursor.
    pub async fn members_of(
        &self,
        tenant: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLUMNS} FROM memberships WHERE tenant_id = $1 AND username > $2 \
             ORDER BY username LIMIT $3"
        ))
        .bind(tenant)
        .bind(after.unwrap_or(""))
        .bind(limit as i64)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(member_row).collect()
    }

    /// A live session (one past its expiry is as good as gone).
    pub async fn load_session(&self, id: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT data, expires_at FROM console_sessions WHERE session_id = $1 AND expires_at > $2",
        )
        .bind(id)
        .bind(crate::domain::now().millis())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(SessionRow {
                data: row.try_get("data")?,
                expires_at: row.try_get("expires_at")?,
            })
        })
        .transpose()
    }

    /// Creates a session; `false` when the id is taken.
    pub async fn insert_session(
        &self,
        id: &str,
        username: Option<&str>,
        session: &SessionRow,
    ) -> Result<bool, StoreError> {
        let inserted = sqlx::query(
            "INSERT INTO console_sessions (session_id, username, data, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO NOTHING",
        )
        .bind(id)
        .bind(username)
        .bind(session.data.as_str())
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?
        .rows_affected();
        Ok(inserted == 1)
    }

    /// Creates or replaces a session.
    pub async fn save_session(
        &self,
        id: &str,
        username: Option<&str>,
        session: &SessionRow,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO console_sessions (session_id, username, data, expires_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (session_id) DO UPDATE SET \
             username = excluded.username, data = excluded.data, expires_at = excluded.expires_at",
        )
        .bind(id)
        .bind(username)
        .bind(session.data.as_str())
        .bind(session.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Ends a session.
    pub async fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM console_sessions WHERE session_id = $1")
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Removes sessions past their expiry; how many.
    pub async fn delete_expired_sessions(&self) -> Result<u64, StoreError> {
        let deleted = sqlx::query("DELETE FROM console_sessions WHERE expires_at <= $1")
            .bind(crate::domain::now().millis())
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(deleted)
    }
}
