//! Telling the other instances that access changed: PostgreSQL's
//! `NOTIFY`, sent in the transaction of the change (delivered when it
//! commits, never for a rollback), and one `LISTEN`ing connection per
//! instance. On SQLite there is one instance, and nothing to tell.

use std::time::Duration;

use sqlx::postgres::PgListener;

use super::{Db, Exec, Result};

/// The channel every instance listens on.
pub const CHANNEL: &str = "devportal_access";

/// `pg_notify` takes at most 8000 bytes of payload.
const MAX_PAYLOAD: usize = 7900;

/// Sends `payload` to every instance when the transaction commits.
pub async fn send(ex: Exec<'_>, payload: &str) -> Result<()> {
    match ex {
        Exec::Sqlite(_) => Ok(()),
        Exec::Postgres(c) => {
            // Too long (many tokens at once): everything, which is always right.
            let payload = if payload.len() > MAX_PAYLOAD { "all" } else { payload };
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(payload)
                .execute(&mut *c)
                .await?;
            Ok(())
        }
    }
}

/// What the listener hands on.
pub enum Heard<'a> {
    /// A notification's payload.
    Payload(&'a str),
    /// The connection was lost (and is being made again): notifications may
    /// have been missed.
    Lost,
}

/// Listens on PostgreSQL until the process ends, handing each notification
/// (or the loss of the connection) to `on`. Returns at once on SQLite.
pub async fn listen(db: Db, on: impl Fn(Heard<'_>) + Send + 'static) {
    let Db::Postgres(pool) = db else {
        return;
    };
    let mut backoff = Duration::from_millis(100);
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "access notifications: cannot connect; retrying");
                on(Heard::Lost);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        if let Err(e) = listener.listen(CHANNEL).await {
            tracing::warn!(error = %e, "access notifications: LISTEN failed; retrying");
            on(Heard::Lost);
            tokio::time::sleep(backoff).await;
            continue;
        }
        // Anything that changed while no one listened is forgotten with the cache.
        on(Heard::Lost);
        backoff = Duration::from_millis(100);
        loop {
            match listener.try_recv().await {
                Ok(Some(n)) => on(Heard::Payload(n.payload())),
                Ok(None) => {
                    tracing::warn!("access notifications: connection lost; reconnecting");
                    on(Heard::Lost);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "access notifications: listener failed; reconnecting");
                    on(Heard::Lost);
                    break;
                }
            }
        }
    }
}
