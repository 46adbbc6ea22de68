//! The `audit_log` table: appended to in the same transaction as the change it
//! records, read newest first. The database refuses UPDATE and DELETE on it.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, like_pattern, on_backend, unix};
use crate::domain::audit::{Entry, Filter};

/// A stored row, as the admin page and the export show it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: i64,
    pub at: OffsetDateTime,
    pub event: String,
    pub actor_id: Option<i64>,
    pub actor_email: String,
    pub client_addr: String,
    pub target_kind: String,
    pub target_id: String,
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    at: i64,
    event: String,
    actor_id: Option<i64>,
    actor_email: String,
    client_addr: String,
    target_kind: String,
    target_id: String,
    detail: String,
}

impl From<Row> for Record {
    fn from(r: Row) -> Self {
        Record {
            id: r.id,
            at: from_unix(r.at),
            event: r.event,
            actor_id: r.actor_id,
            actor_email: r.actor_email,
            client_addr: r.client_addr,
            target_kind: r.target_kind,
            target_id: r.target_id,
            detail: r.detail,
        }
    }
}

pub async fn append(ex: Exec<'_>, entry: &Entry, now: OffsetDateTime) -> Result<()> {
    let sql = "INSERT INTO audit_log (at, event, actor_id, actor_email, client_addr, target_kind, target_id, detail) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(unix(now))
            .bind(entry.event.as_str())
            .bind(entry.actor.user_id)
            .bind(&entry.actor.email)
            .bind(&entry.actor.client)
            .bind(entry.target.kind)
            .bind(&entry.target.id)
            .bind(&entry.detail)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Up to `limit` rows matching `filter` with an id below `before` (all when
/// `None`), newest first: keyset paging, so a deep page costs no more than the
/// first. Only the conditions asked for are written into the SQL, so the
/// planner walks the primary key (or the event index) in order instead of
/// sorting a range it cannot see is unbounded.
pub async fn page(ex: Exec<'_>, filter: &Filter, before: Option<i64>, limit: i64) -> Result<Vec<Record>> {
    enum Arg {
        Int(i64),
        Text(String),
    }
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
        add("id < ?", vec![Arg::Int(id)]);
    }
    if let Some(event) = filter.event {
        add("event = ?", vec![Arg::Text(event.as_str().into())]);
    }
    if let Some(account) = filter.account {
        add(
            "(actor_id = ? OR (target_kind = 'user' AND target_id = ?))",
            vec![Arg::Int(account), Arg::Text(account.to_string())],
        );
    }
    let actor = filter.actor.trim().to_lowercase();
    if !actor.is_empty() {
        add(
            "actor_email LIKE ? ESCAPE '\\'",
            vec![Arg::Text(like_pattern(&actor, true))],
        );
    }
    let target = filter.target.trim().to_lowercase();
    if !target.is_empty() {
        add(
            "LOWER(target_id) LIKE ? ESCAPE '\\'",
            vec![Arg::Text(like_pattern(&target, true))],
        );
    }
    let client = filter.client.trim();
    if !client.is_empty() {
        add(
            "client_addr LIKE ? ESCAPE '\\'",
            vec![Arg::Text(like_pattern(client, false))],
        );
    }
    if let Some(from) = filter.from {
        add("at >= ?", vec![Arg::Int(unix(from))]);
    }
    if let Some(until) = filter.until {
        add("at < ?", vec![Arg::Int(unix(until))]);
    }
    let mut sql = String::from(
        "SELECT id, at, event, actor_id, actor_email, client_addr, target_kind, target_id, detail FROM audit_log",
    );
    if !conditions.is_empty() {
        sql.push_str(" WHERE ");
        sql.push_str(&conditions.join(" AND "));
    }
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {}", limit.max(0)));
    let rows: Vec<Row> = on_backend!(ex, |c| {
        let mut q = sqlx::query_as(&sql);
        for arg in &args {
            q = match arg {
                Arg::Int(i) => q.bind(*i),
                Arg::Text(t) => q.bind(t.as_str()),
            };
        }
        q.fetch_all(c).await
    })?;
    Ok(rows.into_iter().map(Into::into).collect())
}
