//! One way to run a statement on either backend: a query is its SQL, its
//! binds and its row type. Values are collected once and bound per backend
//! when the statement runs, so storage functions neither repeat bind chains
//! per backend nor name the driver.

use std::borrow::Cow;

use sqlx::{Arguments, Database, Encode, Type};

use super::row::{Column, Load, Row};
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
impl From<&[u8]> for Arg {
    fn from(v: &[u8]) -> Arg {
        Arg::Bytes(v.to_vec())
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
        let done = either!(ex, Exec, c, DB => sqlx::query_with(&text, arguments::<DB>(args)?).execute(c).await?.rows_affected());
        Ok(done)
    }

    /// Runs the statement; true when it changed exactly one row.
    pub async fn execute_one(self, ex: Exec<'_>) -> Result<bool> {
        Ok(self.execute(ex).await? == 1)
    }

    /// The row itself, for a value read from more than one [`Load`].
    pub async fn fetch(self, ex: Exec<'_>) -> Result<Option<Row>> {
        let Sql { text, args } = self;
        let row = either!(ex, Exec, c, DB => sqlx::query_with(&text, arguments::<DB>(args)?).fetch_optional(c).await?.map(Row::from));
        Ok(row)
    }

    async fn fetch_all(self, ex: Exec<'_>) -> Result<Vec<Row>> {
        let Sql { text, args } = self;
        let rows = either!(ex, Exec, c, DB => sqlx::query_with(&text, arguments::<DB>(args)?)
            .fetch_all(c)
            .await?
            .into_iter()
            .map(Row::from)
            .collect());
        Ok(rows)
    }

    /// The one row (a domain value or a tuple); [`Error::NotFound`] when there is none.
    pub async fn one<T: Load>(self, ex: Exec<'_>) -> Result<T> {
        self.optional(ex).await?.ok_or(Error::NotFound)
    }

    pub async fn optional<T: Load>(self, ex: Exec<'_>) -> Result<Option<T>> {
        self.fetch(ex).await?.as_ref().map(T::load).transpose()
    }

    pub async fn all<T: Load>(self, ex: Exec<'_>) -> Result<Vec<T>> {
        self.fetch_all(ex).await?.iter().map(T::load).collect()
    }

    /// The first column of the one row (a count, a returned id).
    pub async fn scalar<T: Column>(self, ex: Exec<'_>) -> Result<T> {
        self.scalar_optional(ex).await?.ok_or(Error::NotFound)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<T: Column>(self, ex: Exec<'_>) -> Result<Option<T>> {
        self.fetch(ex).await?.map(|r| r.get(0)).transpose()
    }
}
