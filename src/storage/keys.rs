//! The `client_keys` table: an application's keys (client id and the SHA-256
//! hash of the secret) per environment.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::application::Keys;
use crate::domain::catalogue::Environment;

load!(Keys {
    application_id,
    environment,
    client_id,
    created_at,
    secret_changed_at
} as COLUMNS);

/// Keys that already exist for the application and environment are [`Error::Duplicate`].
pub async fn insert(
    ex: Exec<'_>,
    application_id: &str,
    env: Environment,
    client_id: &str,
    secret_hash: &str,
    now: OffsetDateTime,
) -> Result<()> {
    sql(
        "INSERT INTO client_keys (application_id, environment, client_id, secret_hash, created_at, secret_changed_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(application_id)
    .bind(env.as_str())
    .bind(client_id)
    .bind(secret_hash)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<Option<Keys>> {
    sql(format!(
        "SELECT {COLUMNS} FROM client_keys WHERE application_id = $1 AND environment = $2"
    ))
    .bind(application_id)
    .bind(env.as_str())
    .optional(ex)
    .await
}

/// Replaces the secret; the old one stops working with this statement. False
/// when there are no keys (revoked meanwhile).
pub async fn replace_secret(
    ex: Exec<'_>,
    application_id: &str,
    env: Environment,
    secret_hash: &str,
    now: OffsetDateTime,
) -> Result<bool> {
    sql("UPDATE client_keys SET secret_hash = $3, secret_changed_at = $4 WHERE application_id = $1 AND environment = $2")
        .bind(application_id)
        .bind(env.as_str())
        .bind(secret_hash)
        .bind(now)
        .execute_one(ex)
        .await
}

pub async fn delete(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<bool> {
    sql("DELETE FROM client_keys WHERE application_id = $1 AND environment = $2")
        .bind(application_id)
        .bind(env.as_str())
        .execute_one(ex)
        .await
}

/// The application, environment and secret hash behind a client id (the token endpoint).
pub async fn by_client_id(ex: Exec<'_>, client_id: &str) -> Result<Option<(String, Environment, String)>> {
    // A disabled developer's clients are unknown to the token endpoint.
    sql(
        "SELECT k.application_id, k.environment, k.secret_hash FROM client_keys k \
         JOIN applications a ON a.id = k.application_id JOIN users u ON u.id = a.developer_id \
         WHERE k.client_id = $1 AND u.disabled_at IS NULL",
    )
    .bind(client_id)
    .optional(ex)
    .await
}
