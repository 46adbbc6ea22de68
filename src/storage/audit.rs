//! The `audit_log` table: appended to in the same transaction as the change it
//! records, read newest first. The database refuses UPDATE and DELETE on it.

use time::OffsetDateTime;

use super::query::Arg;
use super::{Exec, Result, like_pattern, load, sql};
pub use crate::domain::audit::Record;
use crate::domain::audit::{Entry, Event, Filter};

load!(Record {
    id,
    at,
    event,
    actor_id,
    actor_email,
    client_addr,
    target_kind,
    target_id,
    detail
} as COLUMNS);

/// True when the account has signed in from this client address before.
pub async fn signed_in_from(ex: Exec<'_>, user_id: i64, client_address: &str) -> Result<bool> {
    let n: i64 = sql(
        "SELECT COUNT(*) FROM (SELECT 1 FROM audit_log WHERE actor_id = $1 AND event = $2 \
                      AND client_addr = $3 LIMIT 1) known",
    )
    .bind(user_id)
    .bind(Event::SignedIn.as_str())
    .bind(client_address)
    .scalar(ex)
    .await?;
    Ok(n > 0)
}

pub async fn append(ex: Exec<'_>, entry: &Entry, now: OffsetDateTime) -> Result<()> {
    sql(
        "INSERT INTO audit_log (at, event, actor_id, actor_email, client_addr, target_kind, target_id, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(now)
    .bind(entry.event.as_str())
    .bind(entry.actor.user_id)
    .bind(&entry.actor.email)
    .bind(&entry.actor.client_address)
    .bind(entry.target.kind)
    .bind(&entry.target.id)
    .bind(&entry.detail)
    .execute(ex)
    .await?;
    Ok(())
}

/// Up to `limit` rows matching `filter` with an id below `before` (all when
/// `None`), newest first: keyset paging, so a deep page costs no more than the
/// first. Only the conditions asked for are written into the SQL, so the
/// planner walks the primary key (or the event index) in order instead of
/// sorting a range it cannot see is unbounded.
pub async fn page(ex: Exec<'_>, filter: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<Record>> {
    let mut conditions: Vec<String> = Vec::new();
    let mut args: Vec<Arg> = Vec::new();
    // Each `?` in a condition becomes the next `$n`, bound to the next argument.
    let mut add = |condition: &str, values: Vec<Arg>| {
        let mut sql = String::new();
        for (i, part) in condition.split('?').enumerate() {
            if i > 0 {
                sql.push_str(&format!("${}", args.len() + i));
            }
            sql.push_str(part);
        }
        args.extend(values);
        conditions.push(sql);
    };
    if let Some(id) = before {
        add("id < ?", vec![Arg::from(id)]);
    }
    if let Some(event) = filter.event {
        add("event = ?", vec![Arg::from(event.as_str())]);
    }
    if let Some(account) = filter.account {
        add(
            "(actor_id = ? OR (target_kind = 'user' AND target_id = ?))",
            vec![Arg::from(account), Arg::from(account.to_string())],
        );
    }
    let actor = filter.actor.trim().to_lowercase();
    if !actor.is_empty() {
        add(
            "actor_email LIKE ? ESCAPE '\\'",
            vec![Arg::from(like_pattern(&actor, true))],
        );
    }
    let target = filter.target.trim().to_lowercase();
    if !target.is_empty() {
        add(
            "LOWER(target_id) LIKE ? ESCAPE '\\'",
            vec![Arg::from(like_pattern(&target, true))],
        );
    }
    let client = filter.client.trim();
    if !client.is_empty() {
        add(
            "client_addr LIKE ? ESCAPE '\\'",
            vec![Arg::from(like_pattern(client, false))],
        );
    }
    if let Some(from) = filter.from {
        add("at >= ?", vec![Arg::from(from)]);
    }
    if let Some(until) = filter.until {
        add("at < ?", vec![Arg::from(until)]);
    }
    let mut sql_text = format!("SELECT {COLUMNS} FROM audit_log");
    if !conditions.is_empty() {
        sql_text.push_str(" WHERE ");
        sql_text.push_str(&conditions.join(" AND "));
    }
    sql_text.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.max(0)));
    let mut q = sql(sql_text);
    for arg in args {
        q = q.bind(arg);
    }
    q.all(ex).await
}

/// Replaces a closed account's e-mail address (and any detail that names it)
/// with `pseudonym` in every row about or by the account; the account id
/// stays. The database allows exactly this change to the log.
pub async fn pseudonymise(ex: Exec<'_>, user_id: i64, email: &str, pseudonym: &str) -> Result<u64> {
    let email = email.to_lowercase();
    sql("UPDATE audit_log SET \
           actor_email = CASE WHEN actor_id = $1 OR LOWER(actor_email) = $2 THEN $4 ELSE actor_email END, \
           target_id = CASE WHEN (target_kind = 'email' AND LOWER(target_id) = $2) THEN $4 ELSE target_id END, \
           detail = CASE WHEN LOWER(detail) LIKE $3 ESCAPE '\\' THEN $4 ELSE detail END \
         WHERE actor_id = $1 OR LOWER(actor_email) = $2 OR (target_kind = 'email' AND LOWER(target_id) = $2) \
           OR LOWER(detail) LIKE $3 ESCAPE '\\'")
    .bind(user_id)
    .bind(email.as_str())
    .bind(like_pattern(&email, true))
    .bind(pseudonym)
    .execute(ex)
    .await
}
