//! The `applications` table. Every read and write names the developer, so a
//! developer can never reach another's application.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};
use crate::domain::application::{Application, DeletionPreview};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    developer_id: i64,
    name: String,
    description: String,
    callback_url: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl From<Row> for Application {
    fn from(r: Row) -> Application {
        Application {
            id: r.id,
            developer_id: r.developer_id,
            name: r.name,
            description: r.description,
            callback_url: r.callback_url,
            created_at: from_unix(r.created_at),
            updated_at: from_unix(r.updated_at),
        }
    }
}

const COLUMNS: &str = "id, developer_id, name, description, callback_url, created_at, updated_at";

pub struct NewApplication<'a> {
    pub id: &'a str,
    pub developer_id: i64,
    pub name: &'a str,
    pub name_key: &'a str,
    pub description: &'a str,
    pub callback_url: Option<&'a str>,
}

/// A duplicate name for the developer is a unique violation.
pub async fn insert(ex: Exec<'_>, a: &NewApplication<'_>, now: OffsetDateTime) -> Result<Application> {
    let sql = format!(
        "INSERT INTO applications (id, developer_id, name, name_key, description, callback_url, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
    );
    let row: Row = on_backend!(ex, |c| {
        sqlx::query_as(&sql)
            .bind(a.id)
            .bind(a.developer_id)
            .bind(a.name)
            .bind(a.name_key)
            .bind(a.description)
            .bind(a.callback_url)
            .bind(unix(now))
            .fetch_one(c)
            .await
    })?;
    Ok(row.into())
}

pub async fn list(ex: Exec<'_>, developer_id: i64) -> Result<Vec<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE developer_id = $1 ORDER BY name_key");
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(developer_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn find(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<Option<Application>> {
    let sql = format!("SELECT {COLUMNS} FROM applications WHERE id = $1 AND developer_id = $2");
    let row: Option<Row> = on_backend!(ex, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(developer_id)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

/// Updates name, description and callback; false if not the developer's.
pub async fn update(ex: Exec<'_>, developer_id: i64, a: &NewApplication<'_>, now: OffsetDateTime) -> Result<bool> {
    let sql = "UPDATE applications SET name = $3, name_key = $4, description = $5, callback_url = $6, updated_at = $7 \
               WHERE id = $1 AND developer_id = $2";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(a.id)
            .bind(developer_id)
            .bind(a.name)
            .bind(a.name_key)
            .bind(a.description)
            .bind(a.callback_url)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}

/// What deleting the application would take with it.
pub async fn deletion_preview(ex: Exec<'_>, id: &str) -> Result<DeletionPreview> {
    let sql = "SELECT (SELECT COUNT(*) FROM subscriptions WHERE application_id = $1), \
                      (SELECT COUNT(*) FROM client_keys WHERE application_id = $1), \
                      (SELECT COUNT(*) FROM oauth_tokens WHERE application_id = $1), \
                      (SELECT COUNT(*) FROM sandbox_payments WHERE application_id = $1), \
                      (SELECT COUNT(*) FROM certificates WHERE application_id = $1)";
    let (subscriptions, keys, tokens, payments, certificates): (i64, i64, i64, i64, i64) =
        on_backend!(ex, |c| sqlx::query_as(sql).bind(id).fetch_one(c).await)?;
    Ok(DeletionPreview {
        subscriptions,
        keys,
        tokens,
        payments,
        certificates,
    })
}

/// Deletes the application; the database cascades to everything that hangs
/// on it. False if it is not the developer's.
pub async fn delete(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<bool> {
    let sql = "DELETE FROM applications WHERE id = $1 AND developer_id = $2";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(developer_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
