//! One way to run a statement on either backend: a query is its SQL, its
//! binds and its row type. Values are collected once and bound per backend
//! when the statement runs, so storage functions neither repeat bind chains
//! per backend nor name the driver.

use std::borrow::Cow;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Arguments, Database, Encode, FromRow, Postgres, Sqlite, Type};

use super::{Error, Exec, Result};

/// A bound value: text, integers (times are unix seconds), booleans and bytes cover every column.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
    Bytes(Vec<u8>),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(Some(v))
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Arg {
        Arg::Text(Some(v.clone()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<&Option<String>> for Arg {
    fn from(v: &Option<String>) -> Arg {
        Arg::Text(v.clone())
    }
}
impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        Arg::Int(v)
    }
}
impl From<bool> for Arg {
    fn from(v: bool) -> Arg {
        Arg::Bool(v)
    }
}
impl From<&Vec<u8>> for Arg {
    fn from(v: &Vec<u8>) -> Arg {
        Arg::Bytes(v.clone())
    }
}
/// Times are unix seconds in every table.
impl From<time::OffsetDateTime> for Arg {
    fn from(v: time::OffsetDateTime) -> Arg {
        Arg::Int(Some(v.unix_timestamp()))
    }
}
impl From<Option<time::OffsetDateTime>> for Arg {
    fn from(v: Option<time::OffsetDateTime>) -> Arg {
        Arg::Int(v.map(|t| t.unix_timestamp()))
    }
}

/// A row type both drivers can decode (`#[derive(sqlx::FromRow)]`, or a tuple).
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

/// A statement with its bound values.
#[must_use]
pub struct Sql {
    text: Cow<'static, str>,
    args: Vec<Arg>,
}

/// Starts a statement; `$1`, `$2`… are bound in the order of [`Sql::bind`].
pub fn sql(text: impl Into<Cow<'static, str>>) -> Sql {
    Sql {
        text: text.into(),
        args: Vec::new(),
    }
}

fn arguments<'q, DB: Database>(args: Vec<Arg>) -> Result<DB::Arguments<'q>>
where
    Option<String>: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
    Vec<u8>: Encode<'q, DB> + Type<DB>,
{
    let mut out = DB::Arguments::<'q>::default();
    for a in args {
        match a {
            Arg::Text(v) => out.add(v),
            Arg::Int(v) => out.add(v),
            Arg::Bool(v) => out.add(v),
            Arg::Bytes(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

impl Sql {
    pub fn bind(mut self, value: impl Into<Arg>) -> Sql {
        self.args.push(value.into());
        self
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute(self, ex: Exec<'_>) -> Result<u64> {
        let Sql { text, args } = self;
        let done = match ex {
            Exec::Sqlite(c) => sqlx::query_with(&text, arguments::<Sqlite>(args)?)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
            Exec::Postgres(c) => sqlx::query_with(&text, arguments::<Postgres>(args)?)
                .execute(c)
                .await
                .map(|r| r.rows_affected()),
        };
        Ok(done?)
    }

    /// Runs the statement; true when it changed exactly one row.
    pub async fn execute_one(self, ex: Exec<'_>) -> Result<bool> {
        Ok(self.execute(ex).await? == 1)
    }

    pub async fn fetch_optional<R: Record>(self, ex: Exec<'_>) -> Result<Option<R>> {
        let Sql { text, args } = self;
        let row = match ex {
            Exec::Sqlite(c) => {
                sqlx::query_as_with::<_, R, _>(&text, arguments::<Sqlite>(args)?)
                    .fetch_optional(c)
                    .await
            }
            Exec::Postgres(c) => {
                sqlx::query_as_with::<_, R, _>(&text, arguments::<Postgres>(args)?)
                    .fetch_optional(c)
                    .await
            }
        };
        Ok(row?)
    }

    /// The one row; [`Error::NotFound`] when there is none.
    pub async fn fetch_one<R: Record>(self, ex: Exec<'_>) -> Result<R> {
        self.fetch_optional(ex).await?.ok_or(Error::NotFound)
    }

    pub async fn fetch_all<R: Record>(self, ex: Exec<'_>) -> Result<Vec<R>> {
        let Sql { text, args } = self;
        let rows = match ex {
            Exec::Sqlite(c) => {
                sqlx::query_as_with::<_, R, _>(&text, arguments::<Sqlite>(args)?)
                    .fetch_all(c)
                    .await
            }
            Exec::Postgres(c) => {
                sqlx::query_as_with::<_, R, _>(&text, arguments::<Postgres>(args)?)
                    .fetch_all(c)
                    .await
            }
        };
        Ok(rows?)
    }

    /// The first column of the one row (a count, a returned id).
    pub async fn scalar<T>(self, ex: Exec<'_>) -> Result<T>
    where
        (T,): Record,
    {
        Ok(self.fetch_one::<(T,)>(ex).await?.0)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<T>(self, ex: Exec<'_>) -> Result<Option<T>>
    where
        (T,): Record,
    {
        Ok(self.fetch_optional::<(T,)>(ex).await?.map(|(v,)| v))
    }

    /// The one row, as a domain value (its conversion may refuse a stored value).
    pub async fn one<R: Record, T: TryFrom<R, Error = Error>>(self, ex: Exec<'_>) -> Result<T> {
        T::try_from(self.fetch_one::<R>(ex).await?)
    }

    pub async fn optional<R: Record, T: TryFrom<R, Error = Error>>(self, ex: Exec<'_>) -> Result<Option<T>> {
        self.fetch_optional::<R>(ex).await?.map(T::try_from).transpose()
    }

    pub async fn all<R: Record, T: TryFrom<R, Error = Error>>(self, ex: Exec<'_>) -> Result<Vec<T>> {
        self.fetch_all::<R>(ex).await?.into_iter().map(T::try_from).collect()
    }
}
