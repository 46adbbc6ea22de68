//! E-mail tokens: the single-use secrets of verification and password-reset
//! links. Only the SHA-256 hash of a token is stored.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};

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

load!(EmailToken {
    id,
    user_id,
    expires_at,
    used_at
});

pub async fn insert(
    ex: Exec<'_>,
    user_id: i64,
    purpose: Purpose,
    token_hash: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    sql("INSERT INTO email_tokens (user_id, purpose, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(token_hash)
        .bind(now)
        .bind(expires_at)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, purpose: Purpose, token_hash: &str) -> Result<Option<EmailToken>> {
    sql("SELECT id, user_id, expires_at, used_at FROM email_tokens WHERE token_hash = $1 AND purpose = $2")
        .bind(token_hash)
        .bind(purpose.as_str())
        .optional(ex)
        .await
}

/// Marks the token used; false if it was used already (a concurrent click).
pub async fn consume(ex: Exec<'_>, id: i64, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE email_tokens SET used_at = $2 WHERE id = $1 AND used_at IS NULL")
        .bind(id)
        .bind(now)
        .execute_one(ex)
        .await
}

/// Ends every outstanding token of a purpose for an account, e.g. all reset
/// links once the password has been changed.
pub async fn consume_all(ex: Exec<'_>, user_id: i64, purpose: Purpose, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE email_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL")
        .bind(user_id)
        .bind(purpose.as_str())
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}
