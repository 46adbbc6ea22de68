//! Sessions in the database through tower-sessions' sqlx stores, behind one
//! type for both backends. The row is keyed by a hash of the session id, not
//! the id itself: someone who reads the database cannot ride a session.

use async_trait::async_trait;
use sha2::{Digest, Sha256};
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

/// The key a session is stored under: SHA-256 of the id the cookie holds.
fn stored_id(id: &Id) -> Id {
    let digest = Sha256::digest(id.0.to_le_bytes());
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    Id(i128::from_le_bytes(first))
}

/// The record as stored: the same data under the hashed id.
fn stored(record: &Record) -> Record {
    let mut r = record.clone();
    r.id = stored_id(&record.id);
    r
}

#[async_trait]
impl SessionStore for SessionBackend {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let mut row = stored(record);
            let wanted = row.id;
            either!(self, SessionBackend, s => s.create(&mut row).await)?;
            if row.id == wanted {
                return Ok(());
            }
            // The store moved the row off a taken key (a hash collision):
            // drop it and take another id.
            either!(self, SessionBackend, s => s.delete(&row.id).await)?;
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let row = stored(record);
        either!(self, SessionBackend, s => s.save(&row).await)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = stored_id(id);
        let found = either!(self, SessionBackend, s => s.load(&key).await)?;
        Ok(found.map(|mut r| {
            r.id = *id;
            r
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let key = stored_id(id);
        either!(self, SessionBackend, s => s.delete(&key).await)
    }
}

#[async_trait]
impl ExpiredDeletion for SessionBackend {
    async fn delete_expired(&self) -> session_store::Result<()> {
        either!(self, SessionBackend, s => s.delete_expired().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_key_is_not_the_id_and_is_stable() {
        let id = Id(0x1234_5678_9abc_def0_1234_5678_9abc_def0);
        assert_ne!(stored_id(&id), id);
        assert_eq!(stored_id(&id), stored_id(&id));
        assert_ne!(stored_id(&Id(1)), stored_id(&Id(2)));
    }
}
