//! The `subscriptions` table, always read through the owning developer.

use time::OffsetDateTime;

use super::{Exec, Result, from_unix, on_backend, unix};
use crate::domain::application::Subscription;
use crate::domain::catalogue::Environment;

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    application_id: String,
    application_name: String,
    api_slug: String,
    api_name: String,
    api_version: String,
    environment: String,
    status: String,
    created_at: i64,
}

impl From<Row> for Subscription {
    fn from(r: Row) -> Subscription {
        Subscription {
            id: r.id,
            application_id: r.application_id,
            application_name: r.application_name,
            api_slug: r.api_slug,
            api_name: r.api_name,
            api_version: r.api_version,
            environment: Environment::parse(&r.environment).unwrap_or(Environment::Sandbox),
            status: r.status,
            created_at: from_unix(r.created_at),
        }
    }
}

const SELECT: &str = "SELECT s.id, s.application_id, a.name AS application_name, p.slug AS api_slug, \
    p.name AS api_name, p.version AS api_version, p.environment, s.status, s.created_at \
    FROM subscriptions s JOIN applications a ON a.id = s.application_id JOIN apis p ON p.id = s.api_id";

/// A second subscription of the application to the API is a unique violation.
pub async fn insert(ex: Exec<'_>, id: &str, application_id: &str, api_id: i64, now: OffsetDateTime) -> Result<()> {
    let sql = "INSERT INTO subscriptions (id, application_id, api_id, created_at) VALUES ($1, $2, $3, $4)";
    on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(application_id)
            .bind(api_id)
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn for_developer(ex: Exec<'_>, developer_id: i64) -> Result<Vec<Subscription>> {
    let sql = format!("{SELECT} WHERE a.developer_id = $1 ORDER BY a.name_key, p.name, p.environment DESC");
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(developer_id).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn for_application(ex: Exec<'_>, developer_id: i64, application_id: &str) -> Result<Vec<Subscription>> {
    let sql =
        format!("{SELECT} WHERE a.developer_id = $1 AND s.application_id = $2 ORDER BY p.name, p.environment DESC");
    let rows: Vec<Row> = on_backend!(ex, |c| sqlx::query_as(&sql)
        .bind(developer_id)
        .bind(application_id)
        .fetch_all(c)
        .await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn find(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<Option<Subscription>> {
    let sql = format!("{SELECT} WHERE a.developer_id = $1 AND s.id = $2");
    let row: Option<Row> = on_backend!(ex, |c| sqlx::query_as(&sql)
        .bind(developer_id)
        .bind(id)
        .fetch_optional(c)
        .await)?;
    Ok(row.map(Into::into))
}

/// Deletes a subscription of one of the developer's applications.
pub async fn delete(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<bool> {
    let sql = "DELETE FROM subscriptions WHERE id = $1 \
               AND application_id IN (SELECT id FROM applications WHERE developer_id = $2)";
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

/// (slug, status) of every API an application subscribes to (the gateway's check).
pub async fn api_slugs(ex: Exec<'_>, application_id: &str) -> Result<Vec<(String, String)>> {
    let sql = "SELECT p.slug, s.status FROM subscriptions s JOIN apis p ON p.id = s.api_id WHERE s.application_id = $1";
    on_backend!(ex, |c| sqlx::query_as(sql).bind(application_id).fetch_all(c).await)
}

/// Blocks or unblocks a subscription (a bank admin's decision); false if it
/// already had that status.
pub async fn set_blocked(ex: Exec<'_>, id: &str, blocked: bool) -> Result<bool> {
    let (to, from) = if blocked {
        ("blocked", "active")
    } else {
        ("active", "blocked")
    };
    let sql = "UPDATE subscriptions SET status = $2 WHERE id = $1 AND status = $3";
    let n = on_backend!(ex, |c| {
        sqlx::query(sql)
            .bind(id)
            .bind(to)
            .bind(from)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(n == 1)
}
