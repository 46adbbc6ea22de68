//! The audit log. Each use case appends its row in the transaction of the
//! change it records (so a rolled-back change leaves no row, and a committed
//! one always has its row); admins browse and export the log here.

use std::collections::HashSet;

use futures_util::stream;
use futures_util::{Stream, StreamExt};

use super::{ServiceError, Services, must_be_admin};
use crate::domain::audit::{Actor, Entry, Event, Filter, Target, csv_field};
use crate::domain::user::User;
use crate::storage::audit::{self, Record};
use crate::storage::{self, Exec, users};

/// Rows on one page of the admin view.
pub const PAGE_SIZE: i64 = 100;
/// Rows read per database round trip while exporting.
const EXPORT_CHUNK: i64 = 1000;

/// Appends `entry` as part of the caller's transaction.
pub async fn append(svc: &Services, ex: Exec<'_>, entry: &Entry) -> Result<(), storage::Error> {
    audit::append(ex, entry, svc.now()).await
}

/// Appends `entry` on its own, for events that change nothing else (a sign-in).
pub async fn record(svc: &Services, entry: &Entry) -> Result<(), storage::Error> {
    let mut conn = svc.db.conn().await?;
    audit::append(conn.exec(), entry, svc.now()).await
}

/// One page of matching rows, newest first, and the id to continue below.
pub struct LogPage {
    pub records: Vec<Record>,
    pub older: Option<i64>,
    /// The user targets on the page that are developers (they have a page to link to).
    pub developers: HashSet<i64>,
}

pub async fn browse(
    svc: &Services,
    admin: &User,
    filter: &Filter,
    before: Option<i64>,
) -> Result<LogPage, ServiceError> {
    must_be_admin(admin)?;
    let mut conn = svc.db.conn().await?;
    let mut records = audit::page(conn.exec(), filter, before, PAGE_SIZE + 1).await?;
    let older = if records.len() as i64 > PAGE_SIZE {
        records.truncate(PAGE_SIZE as usize);
        records.last().map(|r| r.id)
    } else {
        None
    };
    let mut users: Vec<i64> = records
        .iter()
        .filter(|r| r.target_kind == "user")
        .filter_map(|r| r.target_id.parse().ok())
        .collect();
    users.sort_unstable();
    users.dedup();
    let developers = users::developers_among(conn.exec(), &users)
        .await?
        .into_iter()
        .collect();
    Ok(LogPage {
        records,
        older,
        developers,
    })
}

pub const CSV_HEADER: &str = "id,time_utc,event,actor_id,actor_email,client_address,target_kind,target_id,detail\r\n";

/// One CSV line (RFC 4180, CRLF) for a row.
pub fn csv_line(r: &Record) -> String {
    let at =
        r.at.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
    let fields = [
        r.id.to_string(),
        at,
        r.event.clone(),
        r.actor_id.map(|i| i.to_string()).unwrap_or_default(),
        r.actor_email.clone(),
        r.client_addr.clone(),
        r.target_kind.clone(),
        r.target_id.clone(),
        r.detail.clone(),
    ];
    let mut line = fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// Every matching row as CSV, read in chunks so that memory stays flat
/// however long the log is. The export itself is recorded first.
pub async fn export(
    svc: &Services,
    admin: &User,
    client_address: &str,
    filter: Filter,
) -> Result<impl Stream<Item = Result<String, storage::Error>> + use<>, ServiceError> {
    must_be_admin(admin)?;
    let entry = Entry::new(
        Event::AuditExported,
        &Actor::of(admin, client_address),
        Target {
            kind: "audit_log",
            id: String::new(),
        },
        describe(&filter),
    );
    record(svc, &entry).await?;
    tracing::info!(admin_id = admin.id, "audit log exported");

    // State: (services, filter, the id to read below, finished?); one chunk of lines per step.
    let start = (svc.clone(), filter, None::<i64>, false);
    let rows = stream::unfold(start, |(svc, filter, before, done)| async move {
        if done {
            return None;
        }
        let rows = async {
            let mut conn = svc.db.conn().await?;
            audit::page(conn.exec(), &filter, before, EXPORT_CHUNK).await
        }
        .await;
        match rows {
            Ok(rows) if rows.is_empty() => None,
            Ok(rows) => {
                let last = rows.last().map(|r| r.id);
                let finished = (rows.len() as i64) < EXPORT_CHUNK;
                let chunk: String = rows.iter().map(csv_line).collect();
                Some((Ok(chunk), (svc, filter, last, finished)))
            }
            Err(e) => {
                tracing::error!(error = %e, "audit export stopped");
                Some((Err(e), (svc, filter, before, true)))
            }
        }
    });
    Ok(stream::iter([Ok(CSV_HEADER.to_string())]).chain(rows))
}

/// The filter in words, for the export's own audit row.
fn describe(f: &Filter) -> String {
    let mut parts = Vec::new();
    if let Some(e) = f.event {
        parts.push(format!("event={}", e.as_str()));
    }
    if let Some(a) = f.account {
        parts.push(format!("account={a}"));
    }
    for (name, value) in [("actor", &f.actor), ("target", &f.target), ("client", &f.client)] {
        if !value.trim().is_empty() {
            parts.push(format!("{name}={}", value.trim()));
        }
    }
    if let Some(t) = f.from {
        parts.push(format!("from={}", t.date()));
    }
    if let Some(t) = f.until {
        parts.push(format!("before={}", t.date()));
    }
    if parts.is_empty() {
        "everything".into()
    } else {
        parts.join(" ")
    }
}

/// True when `user` has signed in from `client_address` before (a known
/// address, which the account-wide sign-in limit does not hold back).
pub async fn signed_in_from(svc: &Services, user: &User, client_address: &str) -> Result<bool, ServiceError> {
    let mut conn = svc.db.conn().await?;
    Ok(audit::signed_in_from(conn.exec(), user.id, client_address).await?)
}

/// The rows an account acted in or that were about it, newest first (a
/// developer's own trail, for their data export).
pub async fn own_trail(svc: &Services, user: &User) -> Result<Vec<Record>, ServiceError> {
    let filter = Filter {
        account: Some(user.id),
        ..Filter::default()
    };
    let mut conn = svc.db.conn().await?;
    Ok(audit::page(conn.exec(), &filter, None, 100_000).await?)
}

/// In the caller's transaction: `user`'s rows keep the account id, with
/// `pseudonym` for the e-mail address (a closed account).
pub async fn pseudonymise(ex: Exec<'_>, user: &User, pseudonym: &str) -> Result<u64, storage::Error> {
    audit::pseudonymise(ex, user.id, &user.email, pseudonym).await
}
