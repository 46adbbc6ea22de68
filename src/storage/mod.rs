//! The only place with SQL. One `Db` over SQLite or PostgreSQL, chosen by the
//! URL; the same SQL text serves both (`$n` placeholders, BIGINT unix seconds
//! for every time, lower-cased e-mail). sqlx's `Any` driver is not used: it
//! cannot decode SQLite booleans, so [`query::sql`] binds per backend when a
//! statement runs. Callers see [`Error`], never the driver's error.

/// The same code on whichever backend a value wraps: the two arms differ
/// only in types, named `$db` where the compiler cannot infer them.
macro_rules! either {
    ($value:expr, $ty:ident, $inner:ident => $body:expr) => {
        either!($value, $ty, $inner, _Db => $body)
    };
    ($value:expr, $ty:ident, $inner:ident, $db:ident => $body:expr) => {
        match $value {
            $ty::Sqlite($inner) => {
                #[allow(dead_code)]
                type $db = sqlx::Sqlite;
                $body
            }
            $ty::Postgres($inner) => {
                #[allow(dead_code)]
                type $db = sqlx::Postgres;
                $body
            }
        }
    };
}

pub mod access_tokens;
pub mod applications;
pub mod audit;
pub mod authorizations;
pub mod bankid_orders;
pub mod catalogue;
pub mod certificates;
pub mod consents;
pub mod contact_requests;
pub mod email_tokens;
pub mod journey;
pub mod keys;
pub mod migrate;
pub mod notify;
pub mod outbox;
pub mod personal_tokens;
pub mod query;
pub mod refresh_tokens;
pub mod retention;
pub mod row;
pub mod sandbox;
pub mod sessions;
pub mod shared_limits;
pub mod subscriptions;
pub mod test_qtsp;
pub mod throttle;
pub mod token_batch;
pub mod usage;
pub mod users;

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgPoolOptions, Postgres};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, PgConnection, PgPool, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub use query::sql;
pub(crate) use row::{Row, load};

pub type Result<T> = std::result::Result<T, Error>;

/// What a storage call can fail with; the use cases decide what each means.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A row that had to exist does not.
    #[error("row not found")]
    NotFound,
    /// A unique constraint refused the write: the constraint's name on
    /// PostgreSQL, the table and columns on SQLite.
    #[error("duplicate ({constraint})")]
    Duplicate { constraint: String },
    /// A stored value this code cannot read (a corrupt enum column): an error,
    /// never a silent default.
    #[error("stored {column} has an unknown value {value:?}")]
    Corrupt { column: String, value: String },
    /// The database cannot be reached (no connection in time, the server
    /// gone): worth a retry in a moment, not a bug.
    #[error("the database is unavailable: {0}")]
    Unavailable(sqlx::Error),
    #[error(transparent)]
    Other(sqlx::Error),
}

impl Error {
    /// Whether `e` (anywhere in its chain) says the database is unavailable.
    pub fn is_unavailable(e: &anyhow::Error) -> bool {
        e.chain()
            .any(|c| matches!(c.downcast_ref::<Error>(), Some(Error::Unavailable(_))))
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::Database(d) if d.is_unique_violation() => Error::Duplicate {
                constraint: d.constraint().unwrap_or(d.message()).to_string(),
            },
            e @ (sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_)) => Error::Unavailable(e),
            e => Error::Other(e),
        }
    }
}

/// Reads a stored enum value with its domain parser; an unknown value is
/// [`Error::Corrupt`].
pub(crate) fn decode<T>(column: &str, value: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T> {
    parse(value).ok_or_else(|| Error::Corrupt {
        column: column.to_string(),
        value: value.to_string(),
    })
}

#[derive(Clone, Debug)]
pub enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A borrowed connection of either backend; storage functions take this.
pub enum Exec<'a> {
    Sqlite(&'a mut SqliteConnection),
    Postgres(&'a mut PgConnection),
}

impl Exec<'_> {
    /// Lets one `Exec` serve several statements in a row.
    pub fn reborrow(&mut self) -> Exec<'_> {
        match self {
            Exec::Sqlite(c) => Exec::Sqlite(c),
            Exec::Postgres(c) => Exec::Postgres(c),
        }
    }
}

/// A pooled connection for statements that need no transaction.
pub enum Conn {
    Sqlite(PoolConnection<Sqlite>),
    Postgres(PoolConnection<Postgres>),
}

/// A transaction; dropped without `commit` it rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Conn {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Conn::Sqlite(c) => Exec::Sqlite(c),
            Conn::Postgres(c) => Exec::Postgres(c),
        }
    }
}

impl Tx {
    pub fn exec(&mut self) -> Exec<'_> {
        match self {
            Tx::Sqlite(t) => Exec::Sqlite(t),
            Tx::Postgres(t) => Exec::Postgres(t),
        }
    }

    pub async fn commit(self) -> Result<()> {
        either!(self, Tx, t => t.commit().await?);
        Ok(())
    }
}

impl Db {
    /// Opens a pool for `url`: `postgres://…` selects PostgreSQL, anything
    /// else SQLite (the file and its folder are created when missing).
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .after_release(|conn, _| Box::pin(async move { Ok(idle::<Postgres>(conn)) }))
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?;
            return Ok(Db::Postgres(pool));
        }
        let options = SqliteConnectOptions::from_str(url)
            .with_context(|| format!("reading the SQLite URL {url:?}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        if let Some(dir) = options.get_filename().parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the database folder {}", dir.display()))?;
            }
        }
        let pool = SqlitePoolOptions::new()
            // Few connections: SQLite has one writer, and more connections
            // only wait on its lock (measured in BENCHMARKS.md).
            .max_connections(4)
            // After a commit that failed (a full disk), the driver can still
            // count an open transaction on the connection, and every later
            // BEGIN on it fails: such a connection is closed, not reused.
            .after_release(|conn, _| Box::pin(async move { Ok(idle::<Sqlite>(conn)) }))
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .context("opening the SQLite database")?;
        Ok(Db::Sqlite(pool))
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }

    pub async fn conn(&self) -> Result<Conn> {
        Ok(match self {
            Db::Sqlite(p) => Conn::Sqlite(p.acquire().await?),
            Db::Postgres(p) => Conn::Postgres(p.acquire().await?),
        })
    }

    /// Starts a write transaction. On SQLite it is `BEGIN IMMEDIATE`, so that
    /// concurrent writers wait for the lock instead of failing on upgrade.
    pub async fn begin(&self) -> Result<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres(p) => Tx::Postgres(p.begin().await?),
        })
    }

    /// Connections the pool holds, and how many of them are idle.
    pub fn pool_state(&self) -> (u32, usize) {
        match self {
            Db::Sqlite(p) => (p.size(), p.num_idle()),
            Db::Postgres(p) => (p.size(), p.num_idle()),
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        match self.conn().await {
            Ok(mut conn) => either!(&mut conn, Conn, c => c.ping().await.is_ok()),
            Err(_) => false,
        }
    }

    pub async fn close(&self) {
        either!(self, Db, p => p.close().await)
    }
}

/// True when the connection has no transaction open (as the driver counts).
fn idle<DB: sqlx::Database>(conn: &DB::Connection) -> bool {
    <DB::TransactionManager as sqlx::TransactionManager>::get_transaction_depth(conn) == 0
}

/// Stored times are unix seconds; this converts at the storage boundary.
pub(crate) fn from_unix(s: i64) -> time::OffsetDateTime {
    time::OffsetDateTime::from_unix_timestamp(s).unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
}

/// A LIKE pattern for text containing `q` (or starting with it), with `%`, `_`
/// and `\` in `q` taken literally; use with `ESCAPE '\'`.
pub(crate) fn like_pattern(q: &str, anywhere: bool) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    if anywhere {
        format!("%{escaped}%")
    } else {
        format!("{escaped}%")
    }
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn like_patterns_take_wildcards_in_the_query_literally() {
        assert_eq!(like_pattern("anna", true), "%anna%");
        assert_eq!(like_pattern("10.1.", false), "10.1.%");
        assert_eq!(like_pattern("100%_off\\", true), "%100\\%\\_off\\\\%");
    }
}
