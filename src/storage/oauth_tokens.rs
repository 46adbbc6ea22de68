//! The `oauth_tokens` table: access tokens of the gateway, by SHA-256 hash.

use time::OffsetDateTime;

use super::{Exec, Result, on_backend, unix};
use crate::domain::catalogue::Environment;

/// What a token grants, with the application's current subscriptions.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub application_id: String,
    pub environment: Environment,
    pub ssn: String,
    pub expires_at: i64,
}

pub async fn insert(
    ex: Exec<'_>,
    token_hash: &str,
    application_id: &str,
    env: Environment,
    ssn: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO oauth_tokens (token_hash, application_id, environment, ssn, created_at, expires_at) \
               VALUES ($1, $2, $3, $4, $5, $6)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(token_hash)
            .bind(application_id)
            .bind(env.as_str())
            .bind(ssn)
            .bind(unix(now))
            .bind(unix(expires_at))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, token_hash: &str) -> Result<Option<TokenGrant>> {
    let sql = "SELECT application_id, environment, ssn, expires_at FROM oauth_tokens WHERE token_hash = $1";
    let row: Option<(String, String, String, i64)> =
        on_backend!(ex, |c| sqlx::query_as(sql).bind(token_hash).fetch_optional(c).await)?;
    Ok(row.map(|(application_id, env, ssn, expires_at)| TokenGrant {
        application_id,
        environment: Environment::parse(&env).unwrap_or(Environment::Sandbox),
        ssn,
        expires_at,
    }))
}

/// Ends every token of an application in an environment (new secret, revoked keys).
pub async fn delete_for(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<u64> {
    let sql = "DELETE FROM oauth_tokens WHERE application_id = $1 AND environment = $2";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(application_id)
            .bind(env.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })
}

/// Removes tokens that expired before `before`.
pub async fn prune(ex: Exec<'_>, before: i64) -> Result<u64> {
    let sql = "DELETE FROM oauth_tokens WHERE expires_at < $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(before)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}

/// Ends every access token of a developer's applications (a disabled account).
pub async fn delete_for_developer(ex: Exec<'_>, developer_id: i64) -> Result<u64> {
    let sql = "DELETE FROM oauth_tokens WHERE application_id IN (SELECT id FROM applications WHERE developer_id = $1)";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(developer_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))
}
