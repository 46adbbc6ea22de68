//! Single-use tokens sent by e-mail (verification and password reset). Only
//! the SHA-256 hash of a token is stored.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::ResetPassword => "reset_password",
        }
    }
}

#[derive(Debug, Clone)]
pub struct EmailToken {
    pub id: i64,
    pub user_id: i64,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

pub async fn insert(
    ex: Exec<'_>,
    user_id: i64,
    purpose: Purpose,
    token_hash: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO email_tokens (user_id, purpose, token_hash, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(token_hash)
            .bind(unix(now))
            .bind(unix(expires_at))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, purpose: Purpose, token_hash: &str) -> Result<Option<EmailToken>> {
    let sql = "SELECT id, user_id, expires_at, used_at FROM email_tokens \
               WHERE token_hash = $1 AND purpose = $2";
    let row: Option<(i64, i64, i64, Option<i64>)> = on_backend!(ex, |c| {
        sqlx::query_as(sql)
            .bind(token_hash)
            .bind(purpose.as_str())
            .fetch_optional(c)
            .await
    })?;
    Ok(row.map(|(id, user_id, expires_at, used_at)| EmailToken {
        id,
        user_id,
        expires_at: from_unix(expires_at),
        used_at: used_at.map(from_unix),
    }))
}

/// Marks the token used; false if it was used already (a concurrent click).
pub async fn consume(ex: Exec<'_>, id: i64, now: OffsetDateTime) -> Result<bool> {
    let sql = "UPDATE email_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL";
    let done = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(done == 1)
}

/// Ends every outstanding token of a purpose for an account, e.g. all reset
/// links once the password has been changed.
pub async fn consume_all(ex: Exec<'_>, user_id: i64, purpose: Purpose, now: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(user_id)
            .bind(purpose.as_str())
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}
