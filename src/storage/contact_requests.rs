//! The `contact_requests` and `email_changes` tables.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};

#[derive(Debug, Clone)]
pub struct ContactRequest {
    pub id: String,
    pub user_id: i64,
    pub category: String,
    pub message: String,
    /// JSON object of the profile values asked for.
    pub requested: String,
    pub status: String,
    pub reason: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// The developer's name and e-mail, for lists.
    pub developer: String,
    pub developer_email: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    user_id: i64,
    category: String,
    message: String,
    requested: String,
    status: String,
    reason: Option<String>,
    created_at: i64,
    updated_at: i64,
    developer: String,
    developer_email: String,
}

impl From<Row> for ContactRequest {
    fn from(r: Row) -> Self {
        ContactRequest {
            id: r.id,
            user_id: r.user_id,
            category: r.category,
            message: r.message,
            requested: r.requested,
            status: r.status,
            reason: r.reason,
            created_at: from_unix(r.created_at),
            updated_at: from_unix(r.updated_at),
            developer: r.developer,
            developer_email: r.developer_email,
        }
    }
}

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
    let sql = "INSERT INTO contact_requests (id, user_id, category, message, requested, status, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, 'open', $6, $6)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(r.id)
            .bind(r.user_id)
            .bind(r.category)
            .bind(r.message)
            .bind(r.requested)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|x| x.rows_affected())
    })?;
    Ok(())
}

pub async fn for_user(ex: Exec<'_>, user_id: i64) -> Result<Vec<ContactRequest>> {
    let sql = format!("{SELECT} WHERE r.user_id = $1 ORDER BY r.created_at DESC, r.id");
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(user_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Requests with this status (any when empty) whose developer, e-mail or message contains `q`.
pub async fn search(ex: Exec<'_>, status: &str, q: &str) -> Result<Vec<ContactRequest>> {
    let sql = format!(
        "{SELECT} WHERE ($1 = '' OR r.status = $1) AND ($2 = '' OR LOWER(u.first_name || ' ' || u.last_name || ' ' || u.email || ' ' || r.message) LIKE $3) \
         ORDER BY r.created_at, r.id LIMIT 500"
    );
    let like = format!("%{}%", q.to_lowercase());
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql)
        .bind(status)
        .bind(q)
        .bind(&like)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn find(ex: Exec<'_>, id: &str) -> Result<Option<ContactRequest>> {
    let sql = format!("{SELECT} WHERE r.id = $1");
    let row: Option<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(id).fetch_optional(c).await)?;
    Ok(row.map(Into::into))
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
    let sql = "UPDATE contact_requests SET status = $2, reason = $3, handled_by = $4, updated_at = $5 \
               WHERE id = $1 AND status IN ('open', 'in_progress')";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(status)
            .bind(reason)
            .bind(admin)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

pub async fn insert_email_change(
    ex: Exec<'_>,
    token_hash: &str,
    user_id: i64,
    new_email: &str,
    now: OffsetDateTime,
    expires_at: OffsetDateTime,
) -> Result<()> {
    let sql = "INSERT INTO email_changes (token_hash, user_id, new_email, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(token_hash)
            .bind(user_id)
            .bind(new_email)
            .bind(unix(now))
            .bind(unix(expires_at))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// (user id, new e-mail) of an unused, unexpired change link, consuming it.
pub async fn take_email_change(ex: Exec<'_>, token_hash: &str, now: OffsetDateTime) -> Result<Option<(i64, String)>> {
    let sql = "UPDATE email_changes SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2 \
               RETURNING user_id, new_email";
    on_backend!(ex, |c| sqlx::query_as(sql)
        .bind(token_hash)
        .bind(unix(now))
        .fetch_optional(c)
        .await)
}
