//! Sessions in the database through tower-sessions' sqlx stores, behind one
//! type for both backends.

use async_trait::async_trait;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

use super::Db;

#[derive(Debug, Clone)]
pub enum SessionBackend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl SessionBackend {
    pub fn new(db: &Db) -> Self {
        match db {
            Db::Sqlite(p) => SessionBackend::Sqlite(SqliteStore::new(p.clone())),
            Db::Postgres(p) => SessionBackend::Postgres(PostgresStore::new(p.clone())),
        }
    }
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        either!(self, SessionBackend, s => s.create(record).await)
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        either!(self, SessionBackend, s => s.save(record).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        either!(self, SessionBackend, s => s.load(id).await)
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        either!(self, SessionBackend, s => s.delete(id).await)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        either!(self, SessionBackend, s => s.delete_expired().await)
    }
}
