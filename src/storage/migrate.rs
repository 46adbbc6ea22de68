//! Schema migrations, one folder per backend with the same numbering.

use sqlx::migrate::Migrator;

use super::Db;

pub static SQLITE: Migrator = sqlx::migrate!("migrations/sqlite");
pub static POSTGRES: Migrator = sqlx::migrate!("migrations/postgres");

pub async fn run(db: &Db) -> Result<(), sqlx::migrate::MigrateError> {
    match db {
        Db::Sqlite(p) => SQLITE.run(p).await,
        Db::Postgres(p) => POSTGRES.run(p).await,
    }
}

/// (version, description) of every migration of a backend, for the parity test.
pub fn versions(migrator: &Migrator) -> Vec<(i64, String)> {
    migrator
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, m.description.to_string()))
        .collect()
}
