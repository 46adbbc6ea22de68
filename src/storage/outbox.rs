//! The mail outbox: written in the same transaction as the change that
//! caused the mail, delivered by the mail worker.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};

#[derive(Debug, Clone)]
pub struct OutgoingMail {
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub created_at: i64,
    pub attempts: i64,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
}

impl StoredMail {
    pub fn created(&self) -> OffsetDateTime {
        from_unix(self.created_at)
    }
}

const COLUMNS: &str = "id, recipient, subject, body_text, body_html, created_at, attempts, sent_at, last_error";

pub async fn enqueue(ex: Exec<'_>, m: &OutgoingMail, now: OffsetDateTime) -> Result<i64> {
    let sql = "INSERT INTO outbox (recipient, subject, body_text, body_html, created_at, next_attempt_at) \
               VALUES ($1, $2, $3, $4, $5, $5) RETURNING id";
    on_backend!(ex, |c| {
        sqlx::query_scalar(sql)
            .bind(&m.recipient)
            .bind(&m.subject)
            .bind(&m.body_text)
            .bind(&m.body_html)
            .bind(unix(now))
            .fetch_one(c)
            .await
    })
}

/// Leases the oldest due mail until `lease_until`, so that one instance
/// delivers it while others skip it. The outer conditions are checked again
/// after a concurrent update (PostgreSQL re-reads the row), so two workers
/// never hold the same lease.
pub async fn claim_due(ex: Exec<'_>, now: OffsetDateTime, lease_until: OffsetDateTime) -> Result<Option<StoredMail>> {
    let sql = format!(
        "UPDATE outbox SET locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= $1 \
                     AND (locked_until IS NULL OR locked_until <= $1) ORDER BY id LIMIT 1) \
           AND sent_at IS NULL AND (locked_until IS NULL OR locked_until <= $1) \
         RETURNING {COLUMNS}"
    );
    on_backend!(ex, |c| {
        sqlx::query_as(&sql)
            .bind(unix(now))
            .bind(unix(lease_until))
            .fetch_optional(c)
            .await
    })
}

pub async fn mark_sent(ex: Exec<'_>, id: i64, via: &str, now: OffsetDateTime) -> Result<()> {
    let sql =
        "UPDATE outbox SET sent_at = $2, delivered_via = $3, locked_until = NULL, last_error = NULL WHERE id = $1";
    on_backend!(ex, |c| sqlx::query(sql)
        .bind(id)
        .bind(unix(now))
        .bind(via)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

pub async fn mark_failed(ex: Exec<'_>, id: i64, error: &str, next_attempt: OffsetDateTime) -> Result<()> {
    let sql = "UPDATE outbox SET next_attempt_at = $2, last_error = $3, locked_until = NULL WHERE id = $1";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(unix(next_attempt))
            .bind(error)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// The earliest time a pending mail becomes due, to know how long to sleep.
pub async fn next_due(ex: Exec<'_>) -> Result<Option<i64>> {
    let sql = "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > next_attempt_at \
               THEN locked_until ELSE next_attempt_at END) FROM outbox WHERE sent_at IS NULL";
    on_backend!(ex, |c| sqlx::query_scalar(sql).fetch_one(c).await)
}

pub async fn recent(ex: Exec<'_>, limit: i64) -> Result<Vec<StoredMail>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1");
    on_backend!(ex, |c| sqlx::query_as(&sql).bind(limit).fetch_all(c).await)
}

pub async fn find(ex: Exec<'_>, id: i64) -> Result<Option<StoredMail>> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    on_backend!(ex, |c| sqlx::query_as(&sql).bind(id).fetch_optional(c).await)
}
