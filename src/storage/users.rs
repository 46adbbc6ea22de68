//! The `users` table.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};
use crate::domain::user::{NewUser, Role, User};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    organization: String,
    country: String,
    phone: Option<String>,
    role: String,
    privacy_version: String,
    terms_version: String,
    legal_accepted_at: i64,
    email_verified_at: Option<i64>,
    session_epoch: i64,
    disabled_at: Option<i64>,
    created_at: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> User {
        User {
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            organization: r.organization,
            country: r.country,
            phone: r.phone,
            role: Role::parse(&r.role),
            privacy_version: r.privacy_version,
            terms_version: r.terms_version,
            legal_accepted_at: from_unix(r.legal_accepted_at),
            email_verified_at: r.email_verified_at.map(from_unix),
            session_epoch: r.session_epoch,
            disabled_at: r.disabled_at.map(from_unix),
            created_at: from_unix(r.created_at),
        }
    }
}

const COLUMNS: &str = "id, email, first_name, last_name, organization, country, phone, role, \
    privacy_version, terms_version, legal_accepted_at, email_verified_at, session_epoch, \
    disabled_at, created_at";

/// Inserts a new account; a duplicate e-mail is a unique violation.
pub async fn insert(ex: Exec<'_>, u: &NewUser, now: OffsetDateTime) -> Result<User> {
    let sql = format!(
        "INSERT INTO users (email, password_hash, first_name, last_name, organization, country, \
         phone, privacy_version, terms_version, legal_accepted_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {COLUMNS}"
    );
    let row: UserRow = on_backend!(ex, |c| {
        sqlx::query_as(&sql)
            .bind(u.email.as_str())
            .bind(&u.password_hash)
            .bind(&u.first_name)
            .bind(&u.last_name)
            .bind(&u.organization)
            .bind(&u.country)
            .bind(&u.phone)
            .bind(u.privacy_version)
            .bind(u.terms_version)
            .bind(unix(now))
            .fetch_one(c)
            .await
    })?;
    Ok(row.into())
}

pub async fn find(ex: Exec<'_>, id: i64) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row: Option<UserRow> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(Into::into))
}

/// Which of `ids` are developer accounts (admins have no developer page).
pub async fn developers_among(ex: Exec<'_>, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("SELECT id FROM users WHERE role = 'developer' AND id IN ({placeholders})");
    on_backend!(ex, |c| {
        let mut q = sqlx::query_scalar(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(c).await
    })
}

/// The account and its password hash, for sign-in.
pub async fn find_with_hash(ex: Exec<'_>, email: &str) -> Result<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let sql = format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = $1");
    let row: Option<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(email).fetch_optional(c).await)?;
    Ok(row.map(|r| (r.user.into(), r.password_hash)))
}

pub async fn find_by_email(ex: Exec<'_>, email: &str) -> Result<Option<User>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    let row: Option<UserRow> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(email).fetch_optional(c).await)?;
    Ok(row.map(Into::into))
}

pub async fn mark_verified(ex: Exec<'_>, id: i64, now: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(unix(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Sets a new password hash and bumps the session epoch, which ends every
/// session of the account.
pub async fn set_password(ex: Exec<'_>, id: i64, hash: &str) -> Result<()> {
    let sql = "UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1 WHERE id = $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(hash)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn count_by_email(ex: Exec<'_>, email: &str) -> Result<i64> {
    let sql = "SELECT COUNT(*) FROM users WHERE email = $1";
    on_backend!(ex, |c| sqlx::query_scalar(sql).bind(email).fetch_one(c).await)
}

/// Writes profile values an admin applied; the e-mail is changed elsewhere (after verification).
pub async fn update_profile(
    ex: Exec<'_>,
    id: i64,
    first: &str,
    last: &str,
    org: &str,
    country: &str,
    phone: Option<&str>,
) -> Result<()> {
    let sql =
        "UPDATE users SET first_name = $2, last_name = $3, organization = $4, country = $5, phone = $6 WHERE id = $1";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(first)
            .bind(last)
            .bind(org)
            .bind(country)
            .bind(phone)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// A duplicate address is a unique violation.
pub async fn set_email(ex: Exec<'_>, id: i64, email: &str) -> Result<()> {
    let sql = "UPDATE users SET email = $2 WHERE id = $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(email)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

/// Makes an account an admin (and verified: the bank vouches for its staff).
pub async fn promote(ex: Exec<'_>, email: &str, now: OffsetDateTime) -> Result<bool> {
    let sql = "UPDATE users SET role = 'admin', email_verified_at = COALESCE(email_verified_at, $2) WHERE email = $1";
    let n = on_backend!(ex, |c| sqlx::query(sql)
        .bind(email)
        .bind(unix(now))
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Disables (with a time) or enables (None) an account. Disabling bumps the
/// session epoch, which ends every session of the account.
pub async fn set_disabled(ex: Exec<'_>, id: i64, at: Option<OffsetDateTime>) -> Result<bool> {
    let sql =
        "UPDATE users SET disabled_at = $2, session_epoch = session_epoch + 1 WHERE id = $1 AND role = 'developer'";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(at.map(unix))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// Developers whose name, e-mail or organization contains `q` (any case), newest first.
pub async fn search_developers(ex: Exec<'_>, q: &str) -> Result<Vec<User>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE role = 'developer' AND ($1 = '' OR LOWER(first_name || ' ' || last_name || ' ' || \
         email || ' ' || organization) LIKE $2) ORDER BY created_at DESC, id LIMIT 200"
    );
    let like = format!("%{}%", q.to_lowercase());
    let rows: Vec<UserRow> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(q).bind(&like).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}
