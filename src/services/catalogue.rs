//! The API store: the catalogue upserted at start, then listed and searched
//! from memory (it changes only with a release, so no page reads it from
//! the database).

use std::sync::Arc;

use super::{ServiceError, Services};
use crate::domain::catalogue::{self, Api, Environment};
use crate::storage;

/// Upserts every API definition of this release, and keeps the result.
pub async fn load(svc: &Services) -> anyhow::Result<()> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    for d in catalogue::definitions() {
        storage::catalogue::upsert(tx.exec(), &d, now).await?;
    }
    let all = storage::catalogue::all(tx.exec()).await?;
    tx.commit().await?;
    // A second load (a test's restart on the same Services) keeps the first:
    // the same release upserts the same rows.
    let _ = svc.catalogue.set(all.into_iter().map(Arc::new).collect());
    Ok(())
}

/// Every API, in the store's order (name, then Sandbox before Production).
/// Shared, not copied: an API carries its whole documentation.
async fn all(svc: &Services) -> Result<std::borrow::Cow<'_, [Arc<Api>]>, ServiceError> {
    if let Some(all) = svc.catalogue.get() {
        return Ok(all.as_slice().into());
    }
    // Not loaded (a tool that never started the portal): the database has it.
    let mut conn = svc.db.conn().await?;
    let all = storage::catalogue::all(conn.exec()).await?;
    Ok(all.into_iter().map(Arc::new).collect::<Vec<_>>().into())
}

/// APIs whose name or tag contains `query` (any case), in `env` if given.
pub async fn search(svc: &Services, query: &str, env: Option<Environment>) -> Result<Vec<Arc<Api>>, ServiceError> {
    let query = query.trim().to_lowercase();
    Ok(all(svc)
        .await?
        .iter()
        .filter(|a| env.is_none_or(|e| a.environment == e) && a.matches(&query))
        .cloned()
        .collect())
}

pub async fn get(svc: &Services, slug: &str) -> Result<Arc<Api>, ServiceError> {
    all(svc)
        .await?
        .iter()
        .find(|a| a.slug == slug)
        .cloned()
        .ok_or(ServiceError::NotFound)
}
