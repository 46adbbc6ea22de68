//! The `contact_requests` and `email_changes` tables.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
pub use crate::domain::contact::ContactRequest;

load!(ContactRequest {
    id,
    user_id,
    category,
    message,
    requested,
    status,
    reason,
    created_at,
    updated_at,
    developer,
    developer_email
});

const SELECT: &str = "SELECT r.id, r.user_id, r.category, r.message, r.requested, r.status, r.reason, r.created_at, \
    r.updated_at, u.first_name || ' ' || u.last_name AS developer, u.email AS developer_email \
    FROM contact_requests r JOIN users u ON u.id = r.user_id";

pub struct NewRequest<'a> {
    pub id: &'a str,
    pub user_id: i64,
    pub category: &'a str,
    pub message: &'a str,
    pub requested: &'a str,
}

pub async fn insert(ex: Exec<'_>, r: &NewRequest<'_>, now: OffsetDateTime) -> Result<()> {
    sql(
        "INSERT INTO contact_requests (id, user_id, category, message, requested, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)",
    )
    .bind(r.id)
    .bind(r.user_id)
    .bind(r.category)
    .bind(r.message)
    .bind(r.requested)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn for_user(ex: Exec<'_>, user_id: i64) -> Result<Vec<ContactRequest>> {
    sql(format!(
        "{SELECT} WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id"
    ))
    .bind(user_id)
    .all(ex)
    .await
}

/// Requests with this status (any when empty) whose developer, e-mail or message contains `q`.
pub async fn search(ex: Exec<'_>, status: &str, q: &str) -> Result<Vec<ContactRequest>> {
    let like = format!("%{}%", q.to_lowercase());
    sql(format!(
        "{SELECT} WHERE ($1 = '' OR r.status = $1) AND ($2 = '' OR LOWER(u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || r.message) LIKE $3) \
         ORDER BY r.created_at, r.id LIMIT 500"
    ))
    .bind(status)
    .bind(q)
    .bind(like)
    .all(ex)
    .await
}

pub async fn find(ex: Exec<'_>, id: &str) -> Result<Option<ContactRequest>> {
    sql(format!("{SELECT} WHERE r.id = $1")).bind(id).optional(ex).await
}

/// Moves a request to `status` unless it is closed already; false if it was.
pub async fn set_status(
    ex: Exec<'_>,
    id: &str,
    status: &str,
    reason: Option<&str>,
    admin: i64,
    now: OffsetDateTime,
) -> Result<bool> {
    sql(
        "UPDATE contact_requests SET status = $2, reason = $3, handled_by = $4, updated_at = $5 \
         WHERE id = $1 AND status IN ('open', 'in_progress')",
    )
    .bind(id)
    .bind(status)
    .bind(reason)
    .bind(admin)
    .bind(now)
    .execute_one(ex)
    .await
}

pub async fn insert_email_change(
    ex: Exec<'_>,
    token_hash: &str,
    user_id: i64,
    new_email: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    sql("INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(token_hash)
        .bind(user_id)
        .bind(new_email)
        .bind(now)
        .bind(expires_at)
        .execute(ex)
        .await?;
    Ok(())
}

/// (user id, new e-mail) of an unused, unexpired change link, consuming it.
pub async fn take_email_change(ex: Exec<'_>, token_hash: &str, now: OffsetDateTime) -> Result<Option<(i64, String)>> {
    sql(
        "UPDATE email_changes SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
         RETURNING user_id, new_email",
    )
    .bind(token_hash)
    .bind(now)
    .optional(ex)
    .await
}
