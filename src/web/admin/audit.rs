//! The audit log as admins see it: filters, keyset pages, CSV export.

use std::collections::HashSet;

use askama::Template;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use futures_util::TryStreamExt;
use serde::Deserialize;
use time::{Date, Duration, OffsetDateTime};

use super::Admin;
use crate::domain::audit::Record;
use crate::domain::audit::{Event, Filter};
use crate::error::AppError;
use crate::services::{Services, audit};
use crate::web::Reply;
use crate::web::render;
use crate::web::session::Layout;

/// The filter form as typed; kept as text so the page can show it back.
#[derive(Deserialize, Default)]
pub struct LogQuery {
    #[serde(default)]
    event: String,
    /// An account number: its whole trail (see [`Filter::account`]).
    #[serde(default)]
    account: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    client: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    before: Option<i64>,
}

impl LogQuery {
    /// The filter, or the message for a date that is not a date.
    fn filter(&self) -> Result<Filter, &'static str> {
        let day = |s: &str| -> Result<Option<OffsetDateTime>, &'static str> {
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            let f = time::macros::format_description!("[year]-[month]-[day]");
            Date::parse(s, &f)
                .map(|d| Some(d.midnight().assume_utc()))
                .map_err(|_| "Write dates as YYYY-MM-DD, for example 2026-11-24.")
        };
        let account = match self.account.trim() {
            "" => None,
            a => Some(
                a.parse()
                    .map_err(|_| "An account is given by its number, as on the Developers page.")?,
            ),
        };
        let (from, to) = (day(&self.from)?, day(&self.to)?);
        if let (Some(f), Some(t)) = (from, to) {
            if f > t {
                return Err("The From date is after the To date: swap them to see that period.");
            }
        }
        Ok(Filter {
            event: Event::parse(&self.event),
            account,
            actor: self.actor.clone(),
            target: self.target.clone(),
            client: self.client.clone(),
            from,
            // "To" names a whole day: everything before the next midnight.
            until: to.map(|t| t + Duration::days(1)),
        })
    }

    /// The filter fields (not the page position) as a URL query string.
    fn encoded(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs([
                ("event", &self.event),
                ("account", &self.account),
                ("actor", &self.actor),
                ("target", &self.target),
                ("client", &self.client),
                ("from", &self.from),
                ("to", &self.to),
            ])
            .finish()
    }
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct LogView {
    layout: Layout,
    q: LogQuery,
    events: &'static [Event],
    records: Vec<Record>,
    developers: HashSet<i64>,
    error: Option<&'static str>,
    /// Link to the next (older) page, if there is one.
    older: Option<String>,
    export: String,
}

impl LogView {
    fn when(r: &Record) -> String {
        let f = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        r.at.format(&f).unwrap_or_default()
    }

    /// The developer page of a user target, when it is a developer.
    fn developer_link(&self, r: &Record) -> Option<String> {
        let id: i64 = r.target_id.parse().ok()?;
        (r.target_kind == "user" && self.developers.contains(&id)).then(|| format!("/admin/developers/{id}"))
    }

    fn event_label(r: &Record) -> String {
        Event::parse(&r.event)
            .map(|e| e.label().to_string())
            .unwrap_or_else(|| r.event.clone())
    }
}

pub async fn browse(State(svc): State<Services>, admin: Admin, Query(q): Query<LogQuery>) -> Reply {
    let (found, error) = match q.filter() {
        Ok(filter) => (Some(audit::browse(&svc, &admin.user, &filter, q.before).await?), None),
        Err(message) => (None, Some(message)),
    };
    let older = found
        .as_ref()
        .and_then(|f| f.older)
        .map(|id| format!("/admin/audit?{}&before={id}", q.encoded()));
    let (records, developers) = found.map(|f| (f.records, f.developers)).unwrap_or_default();
    render(&LogView {
        layout: admin.page.layout,
        export: format!("/admin/audit.csv?{}", q.encoded()),
        q,
        events: &Event::ALL,
        records,
        developers,
        error,
        older,
    })
}

pub async fn export(State(svc): State<Services>, admin: Admin, Query(q): Query<LogQuery>) -> Reply {
    let filter = q.filter().map_err(|message| AppError::Refused {
        status: StatusCode::BAD_REQUEST,
        message: message.into(),
    })?;
    let lines = audit::export(&svc, &admin.user, &admin.page.client_address, filter).await?;
    let name = format!("audit-log-{}.csv", svc.now().date());
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(lines.map_ok(axum::body::Bytes::from)),
    )
        .into_response())
}
