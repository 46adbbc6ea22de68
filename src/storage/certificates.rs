//! The `certificates` table: registered QWACs and their history.

use time::OffsetDateTime;

use super::{Error, Exec, Result, from_unix, sql};
use crate::domain::qwac::{Qwac, Registered, Role};

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
    der: Vec<u8>,
    active: bool,
    registered_at: i64,
    ended_at: Option<i64>,
}

impl TryFrom<Row> for Registered {
    type Error = Error;
    fn try_from(r: Row) -> Result<Self> {
        let roles: Vec<(String, String)> = serde_json::from_str(&r.roles).map_err(|_| Error::Corrupt {
            column: "certificates.roles",
            value: r.roles.clone(),
        })?;
        Ok(Registered {
            id: r.id,
            application_id: r.application_id,
            qwac: Qwac {
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
                fingerprint: r.fingerprint,
                der: r.der,
                ignored_in_chain: 0,
            },
            active: r.active,
            registered_at: from_unix(r.registered_at),
            ended_at: r.ended_at.map(from_unix),
        })
    }
}

const COLUMNS: &str = "id, application_id, fingerprint, organization_id, organization_name, country, nca_name, nca_id, \
                       roles, serial, issuer, subject, not_before, not_after, der, active, registered_at, ended_at";

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
    sql(
        "INSERT INTO certificates (id, application_id, developer_id, fingerprint, organization_id, organization_name, \
         country, nca_name, nca_id, roles, serial, issuer, subject, not_before, not_after, der, active, registered_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, TRUE, $17)",
    )
    .bind(id)
    .bind(application_id)
    .bind(developer_id)
    .bind(&q.fingerprint)
    .bind(&q.organization_id)
    .bind(&q.organization_name)
    .bind(&q.country)
    .bind(&q.nca_name)
    .bind(&q.nca_id)
    .bind(roles)
    .bind(&q.serial)
    .bind(&q.issuer)
    .bind(&q.subject)
    .bind(q.not_before)
    .bind(q.not_after)
    .bind(&q.der)
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

/// Ends the application's active certificate (replaced or deleted); true if there was one.
pub async fn end_active(ex: Exec<'_>, application_id: &str, now: OffsetDateTime) -> Result<bool> {
    let n = sql("UPDATE certificates SET active = FALSE, ended_at = $2 WHERE application_id = $1 AND active")
        .bind(application_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(n > 0)
}

/// Every certificate of the application, the active one first, then newest first.
pub async fn for_application(ex: Exec<'_>, application_id: &str) -> Result<Vec<Registered>> {
    sql(format!(
        "SELECT {COLUMNS} FROM certificates WHERE application_id = $1 ORDER BY active DESC, registered_at DESC, id"
    ))
    .bind(application_id)
    .all::<Row, _>(ex)
    .await
}

/// True when another developer has this certificate active.
pub async fn held_by_another(ex: Exec<'_>, fingerprint: &str, developer_id: i64) -> Result<bool> {
    let n: i64 = sql("SELECT COUNT(*) FROM certificates WHERE fingerprint = $1 AND developer_id <> $2 AND active")
        .bind(fingerprint)
        .bind(developer_id)
        .scalar(ex)
        .await?;
    Ok(n > 0)
}
