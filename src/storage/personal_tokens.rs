//! The `personal_access_tokens` table: a developer's tokens for the JSON API.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
pub use crate::domain::personal_token::PersonalAccessToken;

load!(PersonalAccessToken {
    id,
    name,
    created_at,
    last_used_at,
    expires_at
} as COLUMNS);

pub async fn insert(
    ex: Exec<'_>,
    id: &str,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    sql(
        "INSERT INTO personal_access_tokens (id, user_id, name, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(now)
    .bind(expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, user_id: i64) -> Result<Vec<PersonalAccessToken>> {
    sql(format!(
        "SELECT {COLUMNS} FROM personal_access_tokens WHERE user_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(user_id)
    .all(ex)
    .await
}

/// The owner of a presented token that has not expired, marking it used.
pub async fn use_token(ex: Exec<'_>, token_hash: &str, now: OffsetDateTime) -> Result<Option<i64>> {
    sql(
        "UPDATE personal_access_tokens SET last_used_at = $2 WHERE token_hash = $1 AND expires_at > $2 \
         RETURNING user_id",
    )
    .bind(token_hash)
    .bind(now)
    .scalar_optional(ex)
    .await
}

pub async fn delete(ex: Exec<'_>, user_id: i64, id: &str) -> Result<bool> {
    sql("DELETE FROM personal_access_tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute_one(ex)
        .await
}

/// Ends every token of an account (its password was reset).
pub async fn delete_all(ex: Exec<'_>, user_id: i64) -> Result<u64> {
    sql("DELETE FROM personal_access_tokens WHERE user_id = $1")
        .bind(user_id)
        .execute(ex)
        .await
}
