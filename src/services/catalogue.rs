//! The API store: the catalogue loaded at start, listed and searched.

use super::{ServiceError, Services};
use crate::domain::catalogue::{self, Api, Environment};
use crate::storage;

/// Upserts every API definition of this release.
pub async fn load(svc: &Services) -> anyhow::Result<()> {
    let now = svc.now();
    let mut tx = svc.db.begin().await?;
    for d in catalogue::definitions() {
        storage::catalogue::upsert(tx.exec(), &d, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// APIs whose name or tag contains `query` (any case), in `env` if given.
pub async fn search(svc: &Services, query: &str, env: Option<Environment>) -> Result<Vec<Api>, ServiceError> {
    let mut conn = svc.db.conn().await?;
    let query = query.trim().to_lowercase();
    let all = storage::catalogue::all(conn.exec()).await?;
    Ok(all
        .into_iter()
        .filter(|a| env.is_none_or(|e| a.environment == e) && a.matches(&query))
        .collect())
}

pub async fn get(svc: &Services, slug: &str) -> Result<Api, ServiceError> {
    let mut conn = svc.db.conn().await?;
    storage::catalogue::by_slug(conn.exec(), slug)
        .await?
        .ok_or(ServiceError::NotFound)
}
