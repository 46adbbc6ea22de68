//! The `users` table.

use time::OffsetDateTime;

use super::row::Load;
use super::{Exec, Result, load, sql};
use crate::domain::user::{NewUser, User};

load!(User {
    id,
    email,
    first_name,
    last_name,
    organization,
    country,
    phone,
    role,
    privacy_version,
    terms_version,
    legal_accepted_at,
    email_verified_at,
    session_epoch,
    disabled_at,
    created_at
} as COLUMNS);

/// Inserts a new account; a duplicate e-mail is [`Error::Duplicate`].
pub async fn insert(ex: Exec<'_>, u: &NewUser, now: OffsetDateTime) -> Result<User> {
    sql(format!(
        "INSERT INTO users (email, password_hash, first_name, last_name, organization, country, \
         phone, privacy_version, terms_version, legal_accepted_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING {COLUMNS}"
    ))
    .bind(u.email.as_str())
    .bind(&u.password_hash)
    .bind(&u.first_name)
    .bind(&u.last_name)
    .bind(&u.organization)
    .bind(&u.country)
    .bind(&u.phone)
    .bind(&u.privacy_version)
    .bind(&u.terms_version)
    .bind(now)
    .one(ex)
    .await
}

pub async fn find(ex: Exec<'_>, id: i64) -> Result<Option<User>> {
    sql(format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .optional(ex)
        .await
}

/// Which of `ids` are developer accounts (admins have no developer page).
pub async fn developers_among(ex: Exec<'_>, ids: &[i64]) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=ids.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let mut q = sql(format!(
        "SELECT id FROM users WHERE role = 'developer' AND id IN ({placeholders})"
    ));
    for id in ids {
        q = q.bind(*id);
    }
    let rows: Vec<(i64,)> = q.all(ex).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The account and its password hash, for sign-in.
pub async fn find_with_hash(ex: Exec<'_>, email: &str) -> Result<Option<(User, String)>> {
    let row = sql(format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"))
        .bind(email)
        .fetch(ex)
        .await?;
    row.map(|r| Ok((User::load(&r)?, r.get("password_hash")?))).transpose()
}

pub async fn find_by_email(ex: Exec<'_>, email: &str) -> Result<Option<User>> {
    sql(format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .optional(ex)
        .await
}

pub async fn mark_verified(ex: Exec<'_>, id: i64, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE users SET email_verified_at = $2 WHERE id = $1 AND email_verified_at IS NULL")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Records the versions of the legal texts the account approved, and when.
pub async fn approve_legal(ex: Exec<'_>, id: i64, privacy: &str, terms: &str, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE users SET privacy_version = $2, terms_version = $3, legal_accepted_at = $4 WHERE id = $1")
        .bind(id)
        .bind(privacy)
        .bind(terms)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

/// Sets a new password hash and bumps the session epoch, which ends every
/// session of the account.
pub async fn set_password(ex: Exec<'_>, id: i64, hash: &str) -> Result<()> {
    sql("UPDATE users SET password_hash = $2, session_epoch = session_epoch + 1 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn count_by_email(ex: Exec<'_>, email: &str) -> Result<i64> {
    sql("SELECT COUNT(*) FROM users WHERE email = $1")
        .bind(email)
        .scalar(ex)
        .await
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
    sql("UPDATE users SET first_name = $2, last_name = $3, organization = $4, country = $5, phone = $6 WHERE id = $1")
        .bind(id)
        .bind(first)
        .bind(last)
        .bind(org)
        .bind(country)
        .bind(phone)
        .execute(ex)
        .await?;
    Ok(())
}

/// A duplicate address is [`Error::Duplicate`].
pub async fn set_email(ex: Exec<'_>, id: i64, email: &str) -> Result<()> {
    sql("UPDATE users SET email = $2 WHERE id = $1")
        .bind(id)
        .bind(email)
        .execute(ex)
        .await?;
    Ok(())
}

/// Makes an account an admin (and verified: the bank vouches for its staff).
pub async fn promote(ex: Exec<'_>, email: &str, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE users SET role = 'admin', email_verified_at = COALESCE(email_verified_at, $2) WHERE email = $1")
        .bind(email)
        .bind(now)
        .execute_one(ex)
        .await
}

/// Disables (with a time) or enables (None) an account. Disabling bumps the
/// session epoch, which ends every session of the account.
pub async fn set_disabled(ex: Exec<'_>, id: i64, at: Option<OffsetDateTime>) -> Result<bool> {
    sql("UPDATE users SET disabled_at = $2, session_epoch = session_epoch + 1 WHERE id = $1 AND role = 'developer'")
        .bind(id)
        .bind(at)
        .execute_one(ex)
        .await
}

/// Developers whose name, e-mail or organization contains `q` (any case), newest first.
pub async fn search_developers(ex: Exec<'_>, q: &str) -> Result<Vec<User>> {
    let like = format!("%{}%", q.to_lowercase());
    sql(format!(
        "SELECT {COLUMNS} FROM users WHERE role = 'developer' AND ($1 = '' OR LOWER(first_name || ' ' || last_name || ' ' || \
         email || ' ' || organization) LIKE $2) ORDER BY created_at DESC, id LIMIT 200"
    ))
    .bind(q)
    .bind(like)
    .all(ex)
    .await
}

/// Deletes a developer account; the schema cascades to everything that
/// hangs on it. False if there is no such developer.
pub async fn delete_developer(ex: Exec<'_>, id: i64) -> Result<bool> {
    sql("DELETE FROM users WHERE id = $1 AND role = 'developer'")
        .bind(id)
        .execute_one(ex)
        .await
}
