//! The `subscriptions` table, always read through the owning developer.

use time::OffsetDateTime;

use super::{Exec, Result, load, sql};
use crate::domain::application::Subscription;

load!(Subscription {
    id,
    application_id,
    application_name,
    api_slug,
    api_name,
    api_version,
    environment,
    status,
    created_at
});

const SELECT: &str = "SELECT s.id, s.application_id, a.name AS application_name, p.slug AS api_slug, \
    p.name AS api_name, p.version AS api_version, p.environment, s.status, s.created_at \
    FROM subscriptions s JOIN applications a ON a.id = s.application_id JOIN apis p ON p.id = s.api_id";

/// A second subscription of the application to the API is [`Error::Duplicate`].
pub async fn insert(ex: Exec<'_>, id: &str, application_id: &str, api_id: i64, now: OffsetDateTime) -> Result<()> {
    sql("INSERT INTO subscriptions (id, application_id, api_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(application_id)
        .bind(api_id)
        .bind(now)
        .execute(ex)
        .await?;
    Ok(())
}

pub async fn for_developer(ex: Exec<'_>, developer_id: i64) -> Result<Vec<Subscription>> {
    sql(format!(
        "{SELECT} WHERE a.developer_id = $1 ORDER BY a.name_key, p.name, p.environment DESC"
    ))
    .bind(developer_id)
    .all(ex)
    .await
}

pub async fn for_application(ex: Exec<'_>, developer_id: i64, application_id: &str) -> Result<Vec<Subscription>> {
    sql(format!(
        "{SELECT} WHERE a.developer_id = $1 AND s.application_id = $2 ORDER BY p.name, p.environment DESC"
    ))
    .bind(developer_id)
    .bind(application_id)
    .all(ex)
    .await
}

pub async fn find(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<Option<Subscription>> {
    sql(format!("{SELECT} WHERE a.developer_id = $1 AND s.id = $2"))
        .bind(developer_id)
        .bind(id)
        .optional(ex)
        .await
}

/// Deletes a subscription of one of the developer's applications.
pub async fn delete(ex: Exec<'_>, developer_id: i64, id: &str) -> Result<bool> {
    sql("DELETE FROM subscriptions WHERE id = $1 \
         AND application_id IN (SELECT id FROM applications WHERE developer_id = $2)")
    .bind(id)
    .bind(developer_id)
    .execute_one(ex)
    .await
}

/// (slug, status) of every API an application subscribes to (the gateway's check).
pub async fn api_slugs(ex: Exec<'_>, application_id: &str) -> Result<Vec<(String, String)>> {
    sql("SELECT p.slug, s.status FROM subscriptions s JOIN apis p ON p.id = s.api_id WHERE s.application_id = $1")
        .bind(application_id)
        .all(ex)
        .await
}

/// Blocks or unblocks a subscription (a bank admin's decision); false if it
/// already had that status.
pub async fn set_blocked(ex: Exec<'_>, id: &str, blocked: bool) -> Result<bool> {
    let (to, from) = if blocked {
        ("blocked", "active")
    } else {
        ("active", "blocked")
    };
    sql("UPDATE subscriptions SET status = $2 WHERE id = $1 AND status = $3")
        .bind(id)
        .bind(to)
        .bind(from)
        .execute_one(ex)
        .await
}
