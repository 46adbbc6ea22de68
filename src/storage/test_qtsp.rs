//! The `test_ca` row (the portal's test QTSP) and the `test_certificates`
//! it issued.

use time::OffsetDateTime;

use super::row::Load;
use super::{Exec, Result, Row, sql};
use crate::domain::test_qtsp::TestCertificate;

/// The CA's certificate (DER) and its sealed private key, if made yet.
pub async fn ca(ex: Exec<'_>) -> Result<Option<(Vec<u8>, String)>> {
    sql("SELECT der, sealed_key FROM test_ca WHERE id = 1")
        .optional(ex)
        .await
}

/// Stores the CA unless another instance stored one first (then the caller
/// reads that one back and uses it).
pub async fn insert_ca_if_absent(ex: Exec<'_>, der: &[u8], sealed_key: &str, now: OffsetDateTime) -> Result<()> {
    sql("INSERT INTO test_ca (id, der, sealed_key, created_at) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO NOTHING")
        .bind(der)
        .bind(sealed_key)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

impl Load for TestCertificate {
    fn load(r: &Row) -> Result<Self> {
        let roles: String = r.get("roles")?;
        Ok(TestCertificate {
            id: r.get("id")?,
            application_id: r.get("application_id")?,
            organization_id: r.get("organization_id")?,
            roles: roles.split(',').filter(|s| !s.is_empty()).map(str::to_string).collect(),
            serial: r.get("serial")?,
            subject: r.get("subject")?,
            not_before: r.get("not_before")?,
            not_after: r.get("not_after")?,
            fingerprint: r.get("fingerprint")?,
            created_at: r.get("created_at")?,
        })
    }
}

const COLUMNS: &str =
    "id, application_id, organization_id, roles, serial, subject, not_before, not_after, fingerprint, created_at";

pub async fn insert(ex: Exec<'_>, c: &TestCertificate, der: &[u8]) -> Result<()> {
    sql(
        "INSERT INTO test_certificates (id, application_id, fingerprint, organization_id, roles, serial, subject, \
         not_before, not_after, der, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(&c.id)
    .bind(&c.application_id)
    .bind(&c.fingerprint)
    .bind(&c.organization_id)
    .bind(c.roles.join(","))
    .bind(&c.serial)
    .bind(&c.subject)
    .bind(c.not_before)
    .bind(c.not_after)
    .bind(der)
    .bind(c.created_at)
    .execute(ex)
    .await?;
    Ok(())
}

/// The application's test certificates, newest first.
pub async fn for_application(ex: Exec<'_>, application_id: &str) -> Result<Vec<TestCertificate>> {
    sql(format!(
        "SELECT {COLUMNS} FROM test_certificates WHERE application_id = $1 ORDER BY created_at DESC, id"
    ))
    .bind(application_id)
    .all(ex)
    .await
}

/// The test certificate with this fingerprint, whoever holds it.
pub async fn by_fingerprint(ex: Exec<'_>, fingerprint: &str) -> Result<Option<TestCertificate>> {
    sql(format!(
        "SELECT {COLUMNS} FROM test_certificates WHERE fingerprint = $1"
    ))
    .bind(fingerprint)
    .optional(ex)
    .await
}
