//! The `apis` table: the catalogue as loaded from the repository.

use time::OffsetDateTime;

use super::{Exec, Result, on_backend, unix};
use crate::domain::catalogue::{Api, ApiDefinition, ApiStatus, Environment};

#[derive(sqlx::FromRow)]
struct ApiRow {
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

impl From<ApiRow> for Api {
    fn from(r: ApiRow) -> Api {
        Api {
            id: r.id,
            slug: r.slug,
            family: r.family,
            name: r.name,
            version: r.version,
            environment: Environment::parse(&r.environment).unwrap_or(Environment::Sandbox),
            base_path: r.base_path,
            summary: r.summary,
            tags: r
                .tags
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
            documentation: r.documentation,
            status: ApiStatus::parse(&r.status),
        }
    }
}

const COLUMNS: &str = "id, slug, family, name, version, environment, base_path, summary, tags, documentation, status";

/// Inserts or updates one definition, keyed by slug.
pub async fn upsert(ex: Exec<'_>, d: &ApiDefinition, now: OffsetDateTime) -> Result<()> {
    let sql = "INSERT INTO apis (slug, family, name, version, environment, base_path, summary, tags, \
               documentation, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
               ON CONFLICT (slug) DO UPDATE SET family = excluded.family, name = excluded.name, \
               version = excluded.version, environment = excluded.environment, base_path = excluded.base_path, \
               summary = excluded.summary, tags = excluded.tags, documentation = excluded.documentation, \
               status = excluded.status, updated_at = excluded.updated_at";
    on_backend!(ex, |c| {
        sqlx::query(sql)
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
            .bind(unix(now))
            .execute(c)
            .await
            .map(|r| r.rows_affected())
    })?;
    Ok(())
}

pub async fn all(ex: Exec<'_>) -> Result<Vec<Api>> {
    let sql = format!("SELECT {COLUMNS} FROM apis ORDER BY name, environment DESC");
    let rows: Vec<ApiRow> = on_backend!(ex, |c| sqlx::query_as(&sql).fetch_all(c).await)?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn by_slug(ex: Exec<'_>, slug: &str) -> Result<Option<Api>> {
    let sql = format!("SELECT {COLUMNS} FROM apis WHERE slug = $1");
    let row: Option<ApiRow> = on_backend!(ex, |c| sqlx::query_as(&sql).bind(slug).fetch_optional(c).await)?;
    Ok(row.map(Into::into))
}
