//! The `certificates` table: registered QWACs and their history.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};
use crate::domain::qwac::{Qwac, Role};

/// A certificate as registered for an application.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: String,
    pub application_id: String,
    pub fingerprint: String,
    pub organization_id: String,
    pub organization_name: String,
    pub country: String,
    pub nca_name: String,
    pub nca_id: String,
    pub roles: Vec<Role>,
    pub serial: String,
    pub issuer: String,
    pub subject: String,
    pub not_before: OffsetDateTime,
    pub not_after: OffsetDateTime,
    pub active: bool,
    pub registered_at: OffsetDateTime,
    pub ended_at: Option<OffsetDateTime>,
}

impl Registered {
    pub fn has_role(&self, code: &str) -> bool {
        self.roles.iter().any(|r| r.code() == Some(code))
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    application_id: String,
    fingerprint: String,
    organization_id: String,
    organization_name: String,
    country: String,
    nca_name: String,
    nca_id: String,
    roles: String,
    serial: String,
    issuer: String,
    subject: String,
    not_before: i64,
    not_after: i64,
    active: bool,
    registered_at: i64,
    ended_at: Option<i64>,
}

impl From<Row> for Registered {
    fn from(r: Row) -> Self {
        let roles: Vec<(String, String)> = serde_json::from_str(&r.roles).unwrap_or_default();
        Registered {
            id: r.id,
            application_id: r.application_id,
            fingerprint: r.fingerprint,
            organization_id: r.organization_id,
            organization_name: r.organization_name,
            country: r.country,
            nca_name: r.nca_name,
            nca_id: r.nca_id,
            roles: roles.into_iter().map(|(oid, name)| Role { oid, name }).collect(),
            serial: r.serial,
            issuer: r.issuer,
            subject: r.subject,
            not_before: from_unix(r.not_before),
            not_after: from_unix(r.not_after),
            active: r.active,
            registered_at: from_unix(r.registered_at),
            ended_at: r.ended_at.map(from_unix),
        }
    }
}

const COLUMNS: &str = "id, application_id, fingerprint, organization_id, organization_name, country, nca_name, nca_id, \
                       roles, serial, issuer, subject, not_before, not_after, active, registered_at, ended_at";

pub async fn insert(
    ex: Exec<'_>,
    id: &str,
    application_id: &str,
    developer_id: i64,
    q: &Qwac,
    now: OffsetDateTime,
) -> Result<()> {
    let roles: Vec<(&str, &str)> = q.roles.iter().map(|r| (r.oid.as_str(), r.name.as_str())).collect();
    let roles = serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into());
    let sql = "INSERT INTO certificates (id, application_id, developer_id, fingerprint, organization_id, organization_name, \
               country, nca_name, nca_id, roles, serial, issuer, subject, not_before, not_after, der, active, registered_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, TRUE, $17)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(application_id)
            .bind(developer_id)
            .bind(&q.fingerprint)
            .bind(&q.organization_id)
            .bind(&q.organization_name)
            .bind(&q.country)
            .bind(&q.nca_name)
            .bind(&q.nca_id)
            .bind(&roles)
            .bind(&q.serial)
            .bind(&q.issuer)
            .bind(&q.subject)
            .bind(unix(q.not_before))
            .bind(unix(q.not_after))
            .bind(&q.der)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Ends the application's active certificate (replaced or deleted); true if there was one.
pub async fn end_active(ex: Exec<'_>, application_id: &str, now: OffsetDateTime) -> Result<bool> {
    let sql = "UPDATE certificates SET active = FALSE, ended_at = $2 WHERE application_id = $1 AND active";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(application_id)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n > 0)
}

/// Every certificate of the application, the active one first, then newest first.
pub async fn for_application(ex: Exec<'_>, application_id: &str) -> Result<Vec<Registered>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM certificates WHERE application_id = $1 ORDER BY active DESC, registered_at DESC, id"
    );
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(application_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// True when another developer has this certificate active.
pub async fn held_by_another(ex: Exec<'_>, fingerprint: &str, developer_id: i64) -> Result<bool> {
    let sql = "SELECT COUNT(*) FROM certificates WHERE fingerprint = $1 AND developer_id <> $2 AND active";
    let n: i64 = on_backend!(ex, |c| sqlx::query_scalar(sql)
        .bind(fingerprint)
        .bind(developer_id)
        .fetch_one(c)
        .await)?;
    Ok(n > 0)
}
