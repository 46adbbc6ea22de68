//! The `apis` table: the catalogue as loaded from the repository.

use time::OffsetDateTime;

use super::{Error, Exec, Result, decode, sql};
use crate::domain::catalogue::{Api, ApiDefinition, ApiStatus, Environment};

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    slug: String,
    family: String,
    name: String,
    version: String,
    environment: String,
    base_path: String,
    summary: String,
    tags: String,
    documentation: String,
    status: String,
}

impl TryFrom<Row> for Api {
    type Error = Error;
    fn try_from(r: Row) -> Result<Api> {
        Ok(Api {
            id: r.id,
            slug: r.slug,
            family: r.family,
            name: r.name,
            version: r.version,
            environment: decode("apis.environment", &r.environment, Environment::parse)?,
            base_path: r.base_path,
            summary: r.summary,
            tags: r
                .tags
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            documentation: r.documentation,
            status: decode("apis.status", &r.status, ApiStatus::parse)?,
        })
    }
}

const COLUMNS: &str = "id, slug, family, name, version, environment, base_path, summary, tags, documentation, status";

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
        .all::<Row, _>(ex)
        .await
}

pub async fn by_slug(ex: Exec<'_>, slug: &str) -> Result<Option<Api>> {
    sql(format!("SELECT {COLUMNS} FROM apis WHERE slug = $1"))
        .bind(slug)
        .optional::<Row, _>(ex)
        .await
}
