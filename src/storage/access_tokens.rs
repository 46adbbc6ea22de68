//! The `oauth_tokens` table: access tokens the token endpoint issued, by SHA-256 hash.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::catalogue::Environment;

/// What an access token grants.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    pub application_id: String,
    pub environment: Environment,
    pub ssn: String,
    pub expires_at: i64,
    /// The x5t#S256 thumbprint of the certificate the token is bound to.
    pub cnf_x5t_s256: Option<String>,
    /// A production token's scope (`accounts payments`).
    pub scope: Option<String>,
}

load!(TokenGrant {
    application_id,
    environment,
    ssn,
    expires_at,
    cnf_x5t_s256,
    scope
});

/// A token to store (by the hash of its secret).
pub struct NewToken<'a> {
    pub token_hash: &'a str,
    pub application_id: &'a str,
    pub environment: Environment,
    pub ssn: &'a str,
    pub scope: Option<&'a str>,
    pub bound_to: Option<&'a str>,
    /// The authorization the token came from (code, refresh or decoupled grant).
    pub family: Option<&'a str>,
    /// Issued to these keys: stored only if they still exist (with this
    /// secret hash, when the client authenticated with a secret), whatever
    /// an instance's cache believes.
    pub keys: Option<(&'a str, Option<&'a str>)>,
}

/// Stores a token; false when its keys were revoked or their secret replaced.
pub async fn insert(ex: Exec<'_>, t: &NewToken<'_>, now: OffsetDateTime, expires_at: OffsetDateTime) -> Result<bool> {
    let (client_id, secret_hash) = match t.keys {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    sql(
        "INSERT INTO oauth_tokens (token_hash, application_id, environment, ssn, created_at, expires_at, cnf_x5t_s256, \
         scope, family) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9 \
         WHERE $10 = '' OR EXISTS (SELECT 1 FROM client_keys WHERE client_id = $10 AND ($11 = '' OR secret_hash = $11))",
    )
    .bind(t.token_hash)
    .bind(t.application_id)
    .bind(t.environment.as_str())
    .bind(t.ssn)
    .bind(now)
    .bind(expires_at)
    .bind(t.bound_to)
    .bind(t.scope)
    .bind(t.family)
    .bind(client_id.unwrap_or(""))
    .bind(secret_hash.unwrap_or(""))
    .execute_one(ex)
    .await
}

/// Stores several tokens in one statement (see [`super::token_batch`]);
/// for each, whether it was stored (false: its keys were revoked or their
/// secret replaced, as [`insert`]).
pub async fn insert_many(ex: Exec<'_>, tokens: &[(NewToken<'_>, OffsetDateTime, OffsetDateTime)]) -> Result<Vec<bool>> {
    if tokens.is_empty() {
        return Ok(Vec::new());
    }
    // VALUES names its columns column1… on SQLite and PostgreSQL alike.
    let rows: Vec<String> = (0..tokens.len())
        .map(|i| {
            let n = i * 11;
            let params: Vec<String> = (1..=11).map(|k| format!("${}", n + k)).collect();
            format!("({})", params.join(", "))
        })
        .collect();
    let mut q = sql(format!(
        "INSERT INTO oauth_tokens (token_hash, application_id, environment, ssn, created_at, expires_at, \
         cnf_x5t_s256, scope, family) SELECT column1, column2, column3, column4, column5, column6, column7, \
         column8, column9 FROM (VALUES {}) AS v WHERE column10 = '' OR EXISTS (SELECT 1 FROM client_keys \
         WHERE client_id = column10 AND (column11 = '' OR secret_hash = column11)) RETURNING token_hash",
        rows.join(", ")
    ));
    for (t, now, expires_at) in tokens {
        let (client_id, secret_hash) = match t.keys {
            Some((id, hash)) => (Some(id), hash),
            None => (None, None),
        };
        q = q
            .bind(t.token_hash)
            .bind(t.application_id)
            .bind(t.environment.as_str())
            .bind(t.ssn)
            .bind(*now)
            .bind(*expires_at)
            .bind(t.bound_to)
            .bind(t.scope)
            .bind(t.family)
            .bind(client_id.unwrap_or(""))
            .bind(secret_hash.unwrap_or(""));
    }
    let stored: std::collections::HashSet<String> = q.all::<(String,)>(ex).await?.into_iter().map(|(h,)| h).collect();
    Ok(tokens.iter().map(|(t, _, _)| stored.contains(t.token_hash)).collect())
}

pub async fn find(ex: Exec<'_>, token_hash: &str) -> Result<Option<TokenGrant>> {
    sql(
        "SELECT application_id, environment, ssn, expires_at, cnf_x5t_s256, scope FROM oauth_tokens \
         WHERE token_hash = $1",
    )
    .bind(token_hash)
    .optional(ex)
    .await
}

/// Ends one token if it is the application's; whether it was.
pub async fn delete_one(ex: Exec<'_>, token_hash: &str, application_id: &str) -> Result<bool> {
    sql("DELETE FROM oauth_tokens WHERE token_hash = $1 AND application_id = $2")
        .bind(token_hash)
        .bind(application_id)
        .execute_one(ex)
        .await
}

/// Ends every access token of an application in an environment (new secret, revoked keys).
pub async fn delete_for(ex: Exec<'_>, application_id: &str, env: Environment) -> Result<u64> {
    sql("DELETE FROM oauth_tokens WHERE application_id = $1 AND environment = $2")
        .bind(application_id)
        .bind(env.as_str())
        .execute(ex)
        .await
}

/// Ends every access token of a developer's applications (a disabled account).
pub async fn delete_for_developer(ex: Exec<'_>, developer_id: i64) -> Result<u64> {
    sql("DELETE FROM oauth_tokens WHERE application_id IN (SELECT id FROM applications WHERE developer_id = $1)")
        .bind(developer_id)
        .execute(ex)
        .await
}
