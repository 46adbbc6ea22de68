//! The `authorizations` table: authorization requests from the moment the
//! client pushes or sends them to the exchange of their code.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::catalogue::Environment;

#[derive(Debug, Clone)]
pub struct StoredAuthorization {
    pub id: String,
    pub application_id: String,
    pub environment: Environment,
    pub client_id: String,
    /// `redirect` or `decoupled`.
    pub flow: String,
    pub scope: String,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub request_uri: Option<String>,
    pub login_hint: Option<String>,
    pub status: String,
    pub error: Option<String>,
    pub ssn: Option<String>,
    pub order_ref: Option<String>,
    pub auto_start_token: Option<String>,
    pub qr_start_token: Option<String>,
    pub qr_start_secret: Option<String>,
    pub order_started_at: Option<OffsetDateTime>,
    pub code_expires_at: Option<OffsetDateTime>,
    pub polled_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

load!(StoredAuthorization {
    id,
    application_id,
    environment,
    client_id,
    flow,
    scope,
    redirect_uri,
    state,
    code_challenge,
    request_uri,
    login_hint,
    status,
    error,
    ssn,
    order_ref,
    auto_start_token,
    qr_start_token,
    qr_start_secret,
    order_started_at,
    code_expires_at,
    polled_at,
    created_at,
    expires_at
} as COLUMNS);

pub async fn insert(ex: Exec<'_>, a: &StoredAuthorization) -> Result<()> {
    sql(format!(
        "INSERT INTO authorizations ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, \
         $15, $16, $17, $18, $19, $20, $21, $22, $23)"
    ))
    .bind(&a.id)
    .bind(&a.application_id)
    .bind(a.environment.as_str())
    .bind(&a.client_id)
    .bind(&a.flow)
    .bind(&a.scope)
    .bind(a.redirect_uri.as_deref())
    .bind(a.state.as_deref())
    .bind(a.code_challenge.as_deref())
    .bind(a.request_uri.as_deref())
    .bind(a.login_hint.as_deref())
    .bind(&a.status)
    .bind(a.error.as_deref())
    .bind(a.ssn.as_deref())
    .bind(a.order_ref.as_deref())
    .bind(a.auto_start_token.as_deref())
    .bind(a.qr_start_token.as_deref())
    .bind(a.qr_start_secret.as_deref())
    .bind(a.order_started_at)
    .bind(a.code_expires_at)
    .bind(a.polled_at)
    .bind(a.created_at)
    .bind(a.expires_at)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn find(ex: Exec<'_>, id: &str) -> Result<Option<StoredAuthorization>> {
    sql(format!("SELECT {COLUMNS} FROM authorizations WHERE id = $1"))
        .bind(id)
        .optional(ex)
        .await
}

pub async fn by_request_uri(ex: Exec<'_>, request_uri: &str) -> Result<Option<StoredAuthorization>> {
    sql(format!("SELECT {COLUMNS} FROM authorizations WHERE request_uri = $1"))
        .bind(request_uri)
        .optional(ex)
        .await
}

pub async fn by_code(ex: Exec<'_>, code_hash: &str) -> Result<Option<StoredAuthorization>> {
    sql(format!("SELECT {COLUMNS} FROM authorizations WHERE code_hash = $1"))
        .bind(code_hash)
        .optional(ex)
        .await
}

pub async fn by_order_ref(ex: Exec<'_>, order_ref: &str) -> Result<Option<StoredAuthorization>> {
    sql(format!("SELECT {COLUMNS} FROM authorizations WHERE order_ref = $1"))
        .bind(order_ref)
        .optional(ex)
        .await
}

/// Moves the request from status `from` to `to`; false when a concurrent
/// step moved it first.
pub async fn advance(ex: Exec<'_>, id: &str, from: &str, to: &str) -> Result<bool> {
    sql("UPDATE authorizations SET status = $3 WHERE id = $1 AND status = $2")
        .bind(id)
        .bind(from)
        .bind(to)
        .execute_one(ex)
        .await
}

/// The BankID order that identifies the customer.
pub async fn set_order(
    ex: Exec<'_>,
    id: &str,
    from: &str,
    o: &crate::bankid::Order,
    expires_at: OffsetDateTime,
) -> Result<bool> {
    sql(
        "UPDATE authorizations SET status = 'identifying', order_ref = $3, auto_start_token = $4, \
         qr_start_token = $5, qr_start_secret = $6, order_started_at = $7, expires_at = $8 \
         WHERE id = $1 AND status = $2",
    )
    .bind(id)
    .bind(from)
    .bind(&o.order_ref)
    .bind(&o.auto_start_token)
    .bind(&o.qr_start_token)
    .bind(&o.qr_start_secret)
    .bind(o.started_at)
    .bind(expires_at)
    .execute_one(ex)
    .await
}

/// Identified: the customer decides next.
pub async fn identified(ex: Exec<'_>, id: &str, ssn: &str) -> Result<bool> {
    sql("UPDATE authorizations SET status = 'deciding', ssn = $2 WHERE id = $1 AND status = 'identifying'")
        .bind(id)
        .bind(ssn)
        .execute_one(ex)
        .await
}

/// Denied with an OAuth error description (from any open status).
pub async fn deny(ex: Exec<'_>, id: &str, error: &str) -> Result<bool> {
    sql("UPDATE authorizations SET status = 'denied', error = $2 WHERE id = $1 \
         AND status IN ('pushed', 'identifying', 'deciding')")
    .bind(id)
    .bind(error)
    .execute_one(ex)
    .await
}

/// Approved; a redirect request gets its code (by hash).
pub async fn approve(
    ex: Exec<'_>,
    id: &str,
    code_hash: Option<&str>,
    code_expires_at: Option<OffsetDateTime>,
) -> Result<bool> {
    sql(
        "UPDATE authorizations SET status = 'approved', code_hash = $2, code_expires_at = $3 \
         WHERE id = $1 AND status = 'deciding'",
    )
    .bind(id)
    .bind(code_hash)
    .bind(code_expires_at)
    .execute_one(ex)
    .await
}

/// Notes a CIBA poll (for `slow_down`).
pub async fn polled(ex: Exec<'_>, id: &str, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE authorizations SET polled_at = $2 WHERE id = $1")
        .bind(id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}
