//! The `oauth_tokens` table: access tokens the token endpoint issued, by SHA-256 hash.

use std::collections::HashSet;
use std::sync::OnceLock;

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
#[derive(Clone, Copy)]
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
    Ok(insert_many(ex, &[(*t, now, expires_at)]).await? == [true])
}

/// The condition that stores a token only while the keys it was issued
/// to hold: `client` is '' for a token without keys, `secret` '' for keys
/// used without a secret. On PostgreSQL the keys' row is locked (`FOR
/// SHARE`) until the token commits, so a concurrent secret replacement
/// (an UPDATE of that row, then a delete of the application's tokens)
/// either waits and deletes this token with the others, or commits first
/// and the check, read again, fails. Without the lock a check made before
/// the replacement committed let a token for the old secret outlive it.
/// SQLite runs one writer at a time, so nothing can come between.
fn keys_hold(client: &str, secret: &str, ex: &Exec<'_>) -> String {
    let lock = match ex {
        Exec::Sqlite(_) => "",
        Exec::Postgres(_) => " FOR SHARE",
    };
    format!(
        "{client} = '' OR EXISTS (SELECT 1 FROM client_keys WHERE client_id = {client} AND ({secret} = '' OR \
         secret_hash = {secret}){lock})"
    )
}

/// The statement sizes a batch is cut into (largest first). A few fixed
/// texts are prepared once per connection and kept in the driver's cache;
/// a text per batch size was prepared again and again, and SQLite looks up
/// each `$n` by walking the statement's parameters, so a statement of
/// 2,816 parameters cost the square of that per batch. 16 rows (176
/// parameters) served 5 % more tokens a second than 32 (BENCHMARKS.md).
const CHUNKS: [usize; 3] = [16, 4, 1];

/// The statement for the `i`th chunk size on this backend. Values are named
/// column1… by VALUES on SQLite and PostgreSQL alike.
fn insert_many_sql(i: usize, ex: &Exec<'_>) -> &'static str {
    static TEXTS: [[OnceLock<String>; CHUNKS.len()]; 2] = [const { [const { OnceLock::new() }; CHUNKS.len()] }; 2];
    let backend = usize::from(matches!(ex, Exec::Postgres(_)));
    TEXTS[backend][i].get_or_init(|| {
        let values: Vec<String> = (0..CHUNKS[i])
            .map(|row| {
                let params: Vec<String> = (1..=11).map(|k| format!("${}", row * 11 + k)).collect();
                format!("({})", params.join(", "))
            })
            .collect();
        format!(
            "INSERT INTO oauth_tokens (token_hash, application_id, environment, ssn, created_at, expires_at, \
             cnf_x5t_s256, scope, family) SELECT column1, column2, column3, column4, column5, column6, column7, \
             column8, column9 FROM (VALUES {}) AS v WHERE {} RETURNING token_hash",
            values.join(", "),
            keys_hold("column10", "column11", ex)
        )
    })
}

/// Stores several tokens (see [`super::token_batch`]) in a few statements,
/// which the caller runs in one transaction; for each, whether it was
/// stored (false: its keys were revoked or their secret replaced, as
/// [`insert`]).
pub async fn insert_many(
    mut ex: Exec<'_>,
    tokens: &[(NewToken<'_>, OffsetDateTime, OffsetDateTime)],
) -> Result<Vec<bool>> {
    let mut stored = HashSet::with_capacity(tokens.len());
    let mut rest = tokens;
    while let Some(i) = CHUNKS.iter().position(|&c| c <= rest.len()) {
        let (chunk, tail) = rest.split_at(CHUNKS[i]);
        let mut q = sql(insert_many_sql(i, &ex));
        for (t, now, expires_at) in chunk {
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
        stored.extend(q.all::<(String,)>(ex.reborrow()).await?.into_iter().map(|(h,)| h));
        rest = tail;
    }
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
