//! The `users` table.

use time::OffsetDateTime;

use super::{Error, Exec, Result, decode, from_unix, sql};
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

impl TryFrom<UserRow> for User {
    type Error = Error;
    fn try_from(r: UserRow) -> Result<User> {
        Ok(User {
            id: r.id,
            email: r.email,
            first_name: r.first_name,
            last_name: r.last_name,
            organization: r.organization,
            country: r.country,
            phone: r.phone,
            role: decode("users.role", &r.role, Role::parse)?,
            privacy_version: r.privacy_version,
            terms_version: r.terms_version,
            legal_accepted_at: from_unix(r.legal_accepted_at),
            email_verified_at: r.email_verified_at.map(from_unix),
            session_epoch: r.session_epoch,
            disabled_at: r.disabled_at.map(from_unix),
            created_at: from_unix(r.created_at),
        })
    }
}

const COLUMNS: &str = "id, email, first_name, last_name, organization, country, phone, role, \
    privacy_version, terms_version, legal_accepted_at, email_verified_at, session_epoch, \
    disabled_at, created_at";

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
    .bind(u.privacy_version)
    .bind(u.terms_version)
    .bind(now)
    .one::<UserRow, _>(ex)
    .await
}

pub async fn find(ex: Exec<'_>, id: i64) -> Result<Option<User>> {
    sql(format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
        .bind(id)
        .optional::<UserRow, _>(ex)
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
    let rows: Vec<(i64,)> = q.fetch_all(ex).await?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// The account and its password hash, for sign-in.
pub async fn find_with_hash(ex: Exec<'_>, email: &str) -> Result<Option<(User, String)>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: UserRow,
        password_hash: String,
    }
    let row: Option<Row> = sql(format!("SELECT {COLUMNS}, password_hash FROM users WHERE email = $1"))
        .bind(email)
        .fetch_optional(ex)
        .await?;
    row.map(|r| Ok((User::try_from(r.user)?, r.password_hash))).transpose()
}

pub async fn find_by_email(ex: Exec<'_>, email: &str) -> Result<Option<User>> {
    sql(format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
        .bind(email)
        .optional::<UserRow, _>(ex)
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
    .all::<UserRow, _>(ex)
    .await
}
