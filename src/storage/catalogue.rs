//! The `apis` table: the catalogue as loaded from the repository.

use time::OffsetDateTime;

use super::row::Load;
use super::{Exec, Result, Row, sql};
use crate::domain::catalogue::{Api, ApiDefinition};

const COLUMNS: &str = "id, slug, family, name, version, environment, base_path, summary, tags, documentation, status";

impl Load for Api {
    fn load(r: &Row) -> Result<Api> {
        Ok(Api {
            id: r.get("id")?,
            slug: r.get("slug")?,
            family: r.get("family")?,
            name: r.get("name")?,
            version: r.get("version")?,
            environment: r.get("environment")?,
            base_path: r.get("base_path")?,
            summary: r.get("summary")?,
            // Stored as one `|`-separated column.
            tags: r
                .get::<String>("tags")?
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            documentation: r.get("documentation")?,
            status: r.get("status")?,
        })
    }
}

/// Inserts or updates one definition, keyed by slug.
pub async fn upsert(ex: Exec<'_>, d: &ApiDefinition, now: OffsetDateTime) -> Result<()> {
    sql(
        "INSERT INTO apis (slug, family, name, version, environment, base_path, summary, tags, \
         documentation, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (slug) DO UPDATE SET family = excluded.family, name = excluded.name, \
         version = excluded.version, environment = excluded.environment, base_path = excluded.base_path, \
         summary = excluded.summary, tags = excluded.tags, documentation = excluded.documentation, \
         status = excluded.status, updated_at = excluded.updated_at",
    )
    .bind(&d.slug)
    .bind(d.family)
    .bind(d.name)
    .bind(d.version)
    .bind(d.environment.as_str())
    .bind(&d.base_path)
    .bind(d.summary)
    .bind(d.tags.join("|"))
    .bind(d.documentation)
    .bind(d.status.as_str())
    .bind(now)
    .execute(ex)
    .await?;
    Ok(())
}

pub async fn all(ex: Exec<'_>) -> Result<Vec<Api>> {
    sql(format!("SELECT {COLUMNS} FROM apis ORDER BY name, environment DESC"))
        .all(ex)
        .await
}

pub async fn by_slug(ex: Exec<'_>, slug: &str) -> Result<Option<Api>> {
    sql(format!("SELECT {COLUMNS} FROM apis WHERE slug = $1"))
        .bind(slug)
        .optional(ex)
        .await
}
