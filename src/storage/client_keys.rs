//! The `client_keys` table: client id and the SHA-256 hash of the secret.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};
use crate::domain::application::ClientKey;
use crate::domain::catalogue::Environment;

#[derive(sqlx::FromRow)]
struct Row {
    application_id: String,
    environment: String,
    client_id: String,
    created_at: i64,
    secret_changed_at: i64,
}

impl From<Row> for ClientKey {
    fn from(r: Row) -> ClientKey {
        ClientKey {
            application_id: r.application_id,
            environment: Environment::parse(&r.environment).unwrap_or(Environment::Sandbox),
            client_id: r.client_id,
            created_at: from_unix(r.created_at),
            secret_changed_at: from_unix(r.secret_changed_at),
        }
    }
}

/// Keys that already exist for the application and environment are a unique violation.
pub async fn insert(
    ex: Exec<'_>,
    application_id: &str,
    env: Environment,
    client_id: &str,
    secret_hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO client_keys (application_id, environment, client_id, secret_hash, created_at, secret_changed_at) \
               VALUES ($1, $2, $3, $4, $5, $5)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(application_id)
            .bind(env.as_str())
            .bind(client_id)
            .bind(secret_hash)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<Option<ClientKey>> {
    let sql = "SELECT application_id, environment, client_id, created_at, secret_changed_at FROM client_keys \
               WHERE application_id = $1 AND environment = $2";
    let row: Option<Row> = on_backend!(ex, |c| sqlx::query_as(sql)
        .bind(application_id)
        .bind(env.as_str())
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

/// Replaces the secret; the old one stops working with this statement.
pub async fn replace_secret(
    ex: Exec<'_>,
    application_id: &str,
    env: Environment,
    secret_hash: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    let sql = "UPDATE client_keys SET secret_hash = $3, secret_changed_at = $4 WHERE application_id = $1 AND environment = $2";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(application_id)
            .bind(env.as_str())
            .bind(secret_hash)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn delete(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<bool> {
    let sql = "DELETE FROM client_keys WHERE application_id = $1 AND environment = $2";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(application_id)
            .bind(env.as_str())
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// The application, environment and secret hash behind a client id (the token endpoint).
pub async fn by_client_id(ex: Exec<'_>, client_id: &str) -> Result<Option<(String, Environment, String)>> {
    // A disabled developer's clients are unknown to the token endpoint.
    let sql = "SELECT k.application_id, k.environment, k.secret_hash FROM client_keys k \
               JOIN applications a ON a.id = k.application_id JOIN users u ON u.id = a.developer_id \
               WHERE k.client_id = $1 AND u.disabled_at IS NULL";
    let row: Option<(String, String, String)> =
        on_backend!(ex, |c| sqlx::query_as(sql).bind(client_id).fetch_optional(c).await)?;
    Ok(row.map(|(app, env, hash)| (app, Environment::parse(&env).unwrap_or(Environment::Sandbox), hash)))
}
