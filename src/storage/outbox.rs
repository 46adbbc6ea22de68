//! The mail outbox: written in the same transaction as the change that
//! caused the mail, delivered by the mail worker.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
pub use crate::domain::mail::{OutgoingMail, StoredMail};

load!(StoredMail {
    id,
    recipient,
    subject,
    body_text,
    body_html,
    created_at,
    attempts,
    sent_at,
    last_error,
    failed_at
} as COLUMNS);

pub async fn enqueue(ex: Exec<'_>, m: &OutgoingMail, now: OffsetDateTime) -> Result<i64> {
    sql(
        "INSERT INTO outbox (recipient, subject, body_text, body_html, created_at, next_attempt_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&m.recipient)
    .bind(&m.subject)
    .bind(&m.body_text)
    .bind(&m.body_html)
    .bind(now)
    .scalar(ex)
    .await
}

/// Leases the oldest due mail until `lease_until`, so that one instance
/// delivers it while others skip it. The outer conditions are checked again
/// after a concurrent update (PostgreSQL re-reads the row), so two workers
/// never hold the same lease.
pub async fn claim_due(ex: Exec<'_>, now: OffsetDateTime, lease_until: OffsetDateTime) -> Result<Option<StoredMail>> {
    sql(format!(
        "UPDATE outbox SET locked_until = $2, attempts = attempts + 1 \
         WHERE id = (SELECT id FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1 \
                     AND (locked_until IS NULL OR locked_until <= $1) ORDER BY id LIMIT 1) \
           AND sent_at IS NULL AND failed_at IS NULL AND (locked_until IS NULL OR locked_until <= $1) \
         RETURNING {COLUMNS}"
    ))
    .bind(now)
    .bind(lease_until)
    .optional(ex)
    .await
}

/// Marks a mail delivered. With `drop_body` its text and HTML are removed:
/// a sent mail's links (verification, password reset) must not stay
/// readable in the database.
pub async fn mark_sent(ex: Exec<'_>, id: i64, via: &str, now: OffsetDateTime, drop_body: bool) -> Result<()> {
    sql(
        "UPDATE outbox SET sent_at = $2, delivered_via = $3, locked_until = NULL, last_error = NULL, \
         body_text = CASE WHEN $4 THEN '' ELSE body_text END, body_html = CASE WHEN $4 THEN '' ELSE body_html END \
         WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .bind(via)
    .bind(drop_body)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn mark_failed(ex: Exec<'_>, id: i64, error: &str, next_attempt: OffsetDateTime) -> Result<()> {
    sql("UPDATE outbox SET next_attempt_at = $2, last_error = $3, locked_until = NULL WHERE id = $1")
        .bind(id)
        .bind(next_attempt)
        .bind(error)
        .execute(ex)
        .await?;
    Ok(())
}

/// The earliest time a pending mail becomes due, to know how long to sleep.
pub async fn next_due(ex: Exec<'_>) -> Result<Option<i64>> {
    sql(
        "SELECT MIN(CASE WHEN locked_until IS NOT NULL AND locked_until > next_attempt_at \
         THEN locked_until ELSE next_attempt_at END) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL",
    )
    .scalar(ex)
    .await
}

/// The newest mails in every state (the dev mailbox, the admin's outbox page).
pub async fn recent(ex: Exec<'_>, limit: i64) -> Result<Vec<StoredMail>> {
    sql(format!("SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT $1"))
        .bind(limit)
        .all(ex)
        .await
}

pub async fn find(ex: Exec<'_>, id: i64) -> Result<Option<StoredMail>> {
    sql(format!("SELECT {COLUMNS} FROM outbox WHERE id = $1"))
        .bind(id)
        .optional(ex)
        .await
}

/// Gives a mail up for good. Its body stays sealed (so an admin can send it
/// again once the cause is fixed) until the retention sweep drops it.
pub async fn mark_given_up(ex: Exec<'_>, id: i64, error: &str, now: OffsetDateTime) -> Result<()> {
    sql("UPDATE outbox SET failed_at = $2, last_error = $3, locked_until = NULL WHERE id = $1")
        .bind(id)
        .bind(now)
        .bind(error)
        .execute(ex)
        .await?;
    Ok(())
}

/// Mails not delivered: given up, or waiting for another try after an
/// error; oldest first.
pub async fn undelivered(ex: Exec<'_>, limit: i64) -> Result<Vec<StoredMail>> {
    sql(format!(
        "SELECT {COLUMNS} FROM outbox WHERE sent_at IS NULL AND (failed_at IS NOT NULL OR last_error IS NOT NULL) \
         ORDER BY id LIMIT $1"
    ))
    .bind(limit)
    .all(ex)
    .await
}

/// For the metrics: mails waiting (with the oldest's enqueue time) and mails
/// that failed for good.
pub async fn stats(ex: Exec<'_>) -> Result<(i64, Option<i64>, i64)> {
    sql("SELECT COUNT(*) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), \
                MIN(created_at) FILTER (WHERE sent_at IS NULL AND failed_at IS NULL), \
                COUNT(*) FILTER (WHERE failed_at IS NOT NULL) FROM outbox")
    .one(ex)
    .await
}

/// Puts a mail given up for good back in the queue, due now; false when it
/// was not given up (or its body is gone).
pub async fn send_again(ex: Exec<'_>, id: i64, now: OffsetDateTime) -> Result<bool> {
    sql(
        "UPDATE outbox SET failed_at = NULL, attempts = 0, next_attempt_at = $2, locked_until = NULL \
         WHERE id = $1 AND failed_at IS NOT NULL AND sent_at IS NULL AND body_text <> ''",
    )
    .bind(id)
    .bind(now)
    .execute_one(ex)
    .await
}
