//! The `applications` table. Every read and write names the developer, so a
//! developer can never reach another's application.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::application::{Application, DeletionPreview};

load!(Application {
    id,
    developer_id,
    name,
    description,
    callback_url,
    redirect_uris,
    created_at,
    updated_at
} as COLUMNS);

pub struct NewApplication<'a> {
    pub id: &'a str,
    pub developer_id: i64,
    pub name: &'a str,
    pub name_key: &'a str,
    pub description: &'a str,
    pub callback_url: Option<&'a str>,
    /// One per line.
    pub redirect_uris: &'a str,
}

/// A duplicate name for the developer is [`Error::Duplicate`].
pub async fn insert(ex: Exec<'_>, a: &NewApplication<'_>, now: OffsetDateTime) -> Result<Application> {
    sql(format!(
        "INSERT INTO applications (id, developer_id, name, name_key, description, callback_url, redirect_uris, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $8, $7, $7) RETURNING {COLUMNS}"
    ))
    .bind(a.id)
    .bind(a.developer_id)
    .bind(a.name)
    .bind(a.name_key)
    .bind(a.description)
    .bind(a.callback_url)
    .bind(now)
    .bind(a.redirect_uris)
    .one(ex)
    .await
}

pub async fn list(ex: Exec<'_>, developer_id: i64) -> Result<Vec<Application>> {
    sql(format!(
        "SELECT {COLUMNS} FROM applications WHERE developer_id = $1 ORDER BY name_key"
    ))
    .bind(developer_id)
    .all(ex)
    .await
}

pub async fn find(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<Option<Application>> {
    sql(format!(
        "SELECT {COLUMNS} FROM applications WHERE id = $1 AND developer_id = $2"
    ))
    .bind(id)
    .bind(developer_id)
    .optional(ex)
    .await
}

/// Updates name, description and callback; false if not the developer's.
pub async fn update(ex: Exec<'_>, developer_id: i64, a: &NewApplication<'_>, now: OffsetDateTime) -> Result<bool> {
    sql(
        "UPDATE applications SET name = $3, name_key = $4, description = $5, callback_url = $6, updated_at = $7, \
         redirect_uris = $8 WHERE id = $1 AND developer_id = $2",
    )
    .bind(a.id)
    .bind(developer_id)
    .bind(a.name)
    .bind(a.name_key)
    .bind(a.description)
    .bind(a.callback_url)
    .bind(now)
    .bind(a.redirect_uris)
    .execute_one(ex)
    .await
}

/// What deleting the application would take with it.
pub async fn deletion_preview(ex: Exec<'_>, id: &str) -> Result<DeletionPreview> {
    let (subscriptions, keys, tokens, payments, certificates): (i64, i64, i64, i64, i64) = sql(
        "SELECT (SELECT COUNT(*) FROM subscriptions WHERE application_id = $1), \
                (SELECT COUNT(*) FROM client_keys WHERE application_id = $1), \
                (SELECT COUNT(*) FROM oauth_tokens WHERE application_id = $1), \
                (SELECT COUNT(*) FROM sandbox_payments WHERE application_id = $1), \
                (SELECT COUNT(*) FROM certificates WHERE application_id = $1)",
    )
    .bind(id)
    .one(ex)
    .await?;
    Ok(DeletionPreview {
        subscriptions,
        keys,
        tokens,
        payments,
        certificates,
    })
}

/// An application by id, whoever owns it (the authorization endpoint finds
/// the client's application this way).
pub async fn by_id(ex: Exec<'_>, id: &str) -> Result<Option<Application>> {
    sql(format!("SELECT {COLUMNS} FROM applications WHERE id = $1"))
        .bind(id)
        .optional(ex)
        .await
}

/// Deletes the application; the database cascades to everything that hangs
/// on it. False if it is not the developer's.
pub async fn delete(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<bool> {
    sql("DELETE FROM applications WHERE id = $1 AND developer_id = $2")
        .bind(id)
        .bind(developer_id)
        .execute_one(ex)
        .await
}
