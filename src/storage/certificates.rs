//! The `certificates` table: registered QWACs and their history.

use time::OffsetDateTime;

use super::row::Load;
use super::{Error, Exec, Result, Row, sql};
use crate::domain::qwac::{Qwac, Registered, Role};

impl Load for Registered {
    fn load(r: &Row) -> Result<Self> {
        let stored: String = r.get("roles")?;
        let roles: Vec<(String, String)> = serde_json::from_str(&stored).map_err(|_| Error::Corrupt {
            column: "roles".into(),
            value: stored.clone(),
        })?;
        Ok(Registered {
            id: r.get("id")?,
            application_id: r.get("application_id")?,
            qwac: Qwac {
                organization_id: r.get("organization_id")?,
                organization_name: r.get("organization_name")?,
                country: r.get("country")?,
                nca_name: r.get("nca_name")?,
                nca_id: r.get("nca_id")?,
                roles: roles.into_iter().map(|(oid, name)| Role { oid, name }).collect(),
                serial: r.get("serial")?,
                issuer: r.get("issuer")?,
                subject: r.get("subject")?,
                not_before: r.get("not_before")?,
                not_after: r.get("not_after")?,
                fingerprint: r.get("fingerprint")?,
                der: r.get("der")?,
                ignored_in_chain: 0,
            },
            active: r.get("active")?,
            registered_at: r.get("registered_at")?,
            ended_at: r.get("ended_at")?,
            challenge: r.get("challenge")?,
            confirmed_at: r.get("confirmed_at")?,
        })
    }
}

const COLUMNS: &str = "id, application_id, fingerprint, organization_id, organization_name, country, nca_name, nca_id, \
                       roles, serial, issuer, subject, not_before, not_after, der, active, registered_at, ended_at, \
                       challenge, confirmed_at";

pub async fn insert(
    ex: Exec<'_>,
    id: &str,
    application_id: &str,
    developer_id: i64,
    q: &Qwac,
    now: OffsetDateTime,
    challenge: &str,
) -> Result<()> {
    let roles: Vec<(&str, &str)> = q.roles.iter().map(|r| (r.oid.as_str(), r.name.as_str())).collect();
    let roles = serde_json::to_string(&roles).unwrap_or_else(|_| "[]".into());
    sql(
        "INSERT INTO certificates (id, application_id, developer_id, fingerprint, organization_id, organization_name, \
         country, nca_name, nca_id, roles, serial, issuer, subject, not_before, not_after, der, active, registered_at, \
         challenge) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, TRUE, $17, $18)",
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
    .bind(challenge)
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
    .all(ex)
    .await
}

/// The application's active certificate (one at most: a unique index).
pub async fn active(ex: Exec<'_>, application_id: &str) -> Result<Option<Registered>> {
    sql(format!(
        "SELECT {COLUMNS} FROM certificates WHERE application_id = $1 AND active"
    ))
    .bind(application_id)
    .optional(ex)
    .await
}

/// True when another developer has this certificate active and has proved
/// they hold its key (an upload alone blocks nobody).
pub async fn held_by_another(ex: Exec<'_>, fingerprint: &str, developer_id: i64) -> Result<bool> {
    let n: i64 = sql(
        "SELECT COUNT(*) FROM certificates WHERE fingerprint = $1 AND developer_id <> $2 AND active \
                      AND confirmed_at IS NOT NULL",
    )
    .bind(fingerprint)
    .bind(developer_id)
    .scalar(ex)
    .await?;
    Ok(n > 0)
}

/// Marks the application's active certificate as proved; false if there is
/// none or it is proved already.
pub async fn confirm(ex: Exec<'_>, id: &str, now: OffsetDateTime) -> Result<bool> {
    sql("UPDATE certificates SET confirmed_at = $2 WHERE id = $1 AND active AND confirmed_at IS NULL")
        .bind(id)
        .bind(now)
        .execute_one(ex)
        .await
}
