//! The `personal_access_tokens` table: a developer's tokens for the JSON API.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};

#[derive(Debug, Clone)]
pub struct PersonalAccessToken {
    pub id: String,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

pub async fn insert(
    ex: Exec<'_>,
    id: &str,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let sql =
        "INSERT INTO personal_access_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(user_id)
            .bind(name)
            .bind(token_hash)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn list(ex: Exec<'_>, user_id: i64) -> Result<Vec<PersonalAccessToken>> {
    let sql = "SELECT id, name, created_at, last_used_at FROM personal_access_tokens WHERE user_id = $1 ORDER BY created_at DESC, id";
    let rows: Vec<(String, String, i64, Option<i64>)> =
        on_backend!(ex, |c| sqlx::query_as(sql).bind(user_id).fetch_all(c).await)?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created, used)| PersonalAccessToken {
            id,
            name,
            created_at: from_unix(created),
            last_used_at: used.map(from_unix),
        })
        .collect())
}

/// The owner of a presented token, marking it used.
pub async fn use_token(ex: Exec<'_>, token_hash: &str, now: OffsetDateTime) -> Result<Option<i64>> {
    let sql = "UPDATE personal_access_tokens SET last_used_at = $2 WHERE token_hash = $1 RETURNING user_id";
    on_backend!(ex, |c| sqlx::query_scalar(sql)
        .bind(token_hash)
        .bind(unix(now))
        .fetch_optional(c)
        .await)
}

pub async fn delete(ex: Exec<'_>, user_id: i64, id: &str) -> Result<bool> {
    let sql = "DELETE FROM personal_access_tokens WHERE id = $1 AND user_id = $2";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
