//! Group commit of access tokens: the client credentials grant's one write,
//! gathered from concurrent requests into one transaction. Each request
//! still gets its answer only after its row is committed, so a token the
//! endpoint hands out is one the database knows (revocation, deletion with
//! the application and the keys' check work as for a single insert). One
//! writer also means SQLite's writers no longer queue on its lock.
//! BENCHMARKS.md ("The token endpoint") has the measurements, and why this
//! and not stateless tokens.

use std::sync::OnceLock;

use time::OffsetDateTime;
use tokio::sync::{mpsc, oneshot};

use super::{Db, Error, Result, access_tokens};
use crate::domain::catalogue::Environment;

/// A batch holds at most this many tokens: enough for every connection of a
/// busy instance, small enough that one transaction stays short.
const MAX_BATCH: usize = 256;

/// Requests that may wait for the writer before new ones wait for room.
const QUEUE: usize = 4096;

/// A token row to store, owned so that it can wait in the queue.
#[derive(Debug, Clone)]
pub struct PendingToken {
    pub token_hash: String,
    pub application_id: String,
    pub environment: Environment,
    pub ssn: String,
    pub scope: Option<String>,
    pub bound_to: Option<String>,
    /// The authorization the token comes from (ends with it).
    pub family: Option<String>,
    /// The keys the token is issued to: stored only while they still hold.
    pub keys: Option<(String, Option<String>)>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

impl PendingToken {
    pub fn new(t: &access_tokens::NewToken<'_>, created_at: OffsetDateTime, expires_at: OffsetDateTime) -> Self {
        PendingToken {
            token_hash: t.token_hash.to_string(),
            application_id: t.application_id.to_string(),
            environment: t.environment,
            ssn: t.ssn.to_string(),
            scope: t.scope.map(str::to_string),
            bound_to: t.bound_to.map(str::to_string),
            family: t.family.map(str::to_string),
            keys: t.keys.map(|(id, hash)| (id.to_string(), hash.map(str::to_string))),
            created_at,
            expires_at,
        }
    }

    fn row(&self) -> access_tokens::NewToken<'_> {
        access_tokens::NewToken {
            token_hash: &self.token_hash,
            application_id: &self.application_id,
            environment: self.environment,
            ssn: &self.ssn,
            scope: self.scope.as_deref(),
            bound_to: self.bound_to.as_deref(),
            family: self.family.as_deref(),
            keys: self.keys.as_ref().map(|(id, hash)| (id.as_str(), hash.as_deref())),
        }
    }
}

type Done = oneshot::Sender<Result<bool>>;

/// The queue in front of the one writer (started on first use, on the
/// runtime that uses it).
pub struct TokenBatcher {
    db: Db,
    queue: OnceLock<mpsc::Sender<(PendingToken, Done)>>,
}

impl TokenBatcher {
    pub fn new(db: Db) -> TokenBatcher {
        TokenBatcher {
            db,
            queue: OnceLock::new(),
        }
    }

    /// Stores the token with whatever else is waiting; false when its keys
    /// were revoked or their secret replaced (as [`access_tokens::insert`]).
    pub async fn insert(&self, token: PendingToken) -> Result<bool> {
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(write(self.db.clone(), rx));
            tx
        });
        let (done, answer) = oneshot::channel();
        queue.send((token, done)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// The writer is gone (the runtime is shutting down): as if the database were.
fn stopped() -> Error {
    Error::Unavailable(sqlx::Error::WorkerCrashed)
}

/// The writer: takes what has queued up while the last batch was written
/// and writes it in one transaction.
async fn write(db: Db, mut rx: mpsc::Receiver<(PendingToken, Done)>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match in_one_transaction(&db, &batch).await {
            Ok(stored) => {
                for ((_, done), ok) in batch.drain(..).zip(stored) {
                    let _ = done.send(Ok(ok));
                }
            }
            // One bad row (an application deleted meanwhile) must not fail
            // the others: each is tried alone, and only it fails.
            Err(e) => {
                tracing::warn!(error = %e, tokens = batch.len(), "token batch failed; storing one by one");
                for (token, done) in batch.drain(..) {
                    let _ = done.send(alone(&db, &token).await);
                }
            }
        }
    }
}

/// One transaction: one commit (one write of the log) for the batch.
async fn in_one_transaction(db: &Db, batch: &[(PendingToken, Done)]) -> Result<Vec<bool>> {
    let rows: Vec<_> = batch
        .iter()
        .map(|(t, _)| (t.row(), t.created_at, t.expires_at))
        .collect();
    let mut tx = db.begin().await?;
    let stored = access_tokens::insert_many(tx.exec(), &rows).await?;
    tx.commit().await?;
    Ok(stored)
}

async fn alone(db: &Db, t: &PendingToken) -> Result<bool> {
    let mut conn = db.conn().await?;
    access_tokens::insert(conn.exec(), &t.row(), t.created_at, t.expires_at).await
}
