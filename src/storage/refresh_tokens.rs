//! The `refresh_tokens` table, by hash, in families (one per authorization).

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::catalogue::Environment;

#[derive(Debug, Clone)]
pub struct StoredRefresh {
    pub family: String,
    pub application_id: String,
    pub environment: Environment,
    pub ssn: String,
    pub scope: String,
    pub cnf_x5t_s256: Option<String>,
    pub expires_at: OffsetDateTime,
    pub used_at: Option<OffsetDateTime>,
}

load!(StoredRefresh {
    family,
    application_id,
    environment,
    ssn,
    scope,
    cnf_x5t_s256,
    expires_at,
    used_at
} as COLUMNS);

pub async fn insert(ex: Exec<'_>, token_hash: &str, r: &StoredRefresh, now: OffsetDateTime) -> Result<()> {
    sql(format!(
        "INSERT INTO refresh_tokens (token_hash, created_at, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(token_hash)
    .bind(now)
    .bind(&r.family)
    .bind(&r.application_id)
    .bind(r.environment.as_str())
    .bind(&r.ssn)
    .bind(&r.scope)
    .bind(r.cnf_x5t_s256.as_deref())
    .bind(r.expires_at)
    .bind(r.used_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, token_hash: &str) -> Result<Option<StoredRefresh>> {
    sql(format!("SELECT {COLUMNS} FROM refresh_tokens WHERE token_hash = $1"))
        .bind(token_hash)
        .optional(ex)
        .await
}

/// Marks the token used; false when it already was (a reuse).
pub async fn use_once(ex: Exec<'_>, token_hash: &str, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL")
        .bind(token_hash)
        .bind(now)
        .execute_one(ex)
        .await
}

/// Ends a whole family: its refresh tokens and the access tokens it issued.
/// Answers the access tokens' hashes (to evict from memory).
pub async fn end_family(mut ex: Exec<'_>, family: &str) -> Result<Vec<String>> {
    sql("DELETE FROM refresh_tokens WHERE family = $1")
        .bind(family)
        .execute(ex.reborrow())
        .await?;
    let hashes: Vec<(String,)> = sql("DELETE FROM oauth_tokens WHERE family = $1 RETURNING token_hash")
        .bind(family)
        .all(ex)
        .await?;
    Ok(hashes.into_iter().map(|(h,)| h).collect())
}

/// Ends the refresh tokens for a consent or payment scope of an application.
pub async fn end_scope(ex: Exec<'_>, application_id: &str, scope: &str) -> Result<u64> {
    sql("DELETE FROM refresh_tokens WHERE application_id = $1 AND scope = $2")
        .bind(application_id)
        .bind(scope)
        .execute(ex)
        .await
}
