//! Reading a fetched row of either backend by column into domain types, so
//! a domain value is decoded where it is named (`load!`) instead of through a
//! row struct that repeats its fields.

use std::fmt::Display;

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{ColumnIndex, Row as _};
use time::OffsetDateTime;

use super::{Result, decode, from_unix};
use crate::domain::catalogue::{ApiStatus, Environment};
use crate::domain::user::Role;

/// One row as the driver returned it.
pub enum Row {
    Sqlite(SqliteRow),
    Postgres(PgRow),
}

impl From<SqliteRow> for Row {
    fn from(r: SqliteRow) -> Row {
        Row::Sqlite(r)
    }
}

impl From<PgRow> for Row {
    fn from(r: PgRow) -> Row {
        Row::Postgres(r)
    }
}

/// A column's position: its name, or its index (for tuples and scalars,
/// where names can repeat or differ between backends).
pub trait At: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + Copy + Display {}
impl<T: ColumnIndex<SqliteRow> + ColumnIndex<PgRow> + Copy + Display> At for T {}

impl Row {
    pub fn get<T: Column>(&self, at: impl At) -> Result<T> {
        T::read(self, at)
    }
}

/// A value one column holds.
pub trait Column: Sized {
    fn read(row: &Row, at: impl At) -> Result<Self>;
}

/// A value a whole row makes.
pub trait Load: Sized {
    fn load(row: &Row) -> Result<Self>;
}

macro_rules! native {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn read(row: &Row, at: impl At) -> Result<Self> {
                Ok(match row {
                    Row::Sqlite(r) => r.try_get(at)?,
                    Row::Postgres(r) => r.try_get(at)?,
                })
            }
        }
    )*};
}
native!(i64, Option<i64>, String, Option<String>, bool, Vec<u8>);

/// Times are unix seconds in every table.
impl Column for OffsetDateTime {
    fn read(row: &Row, at: impl At) -> Result<Self> {
        Ok(from_unix(row.get(at)?))
    }
}

impl Column for Option<OffsetDateTime> {
    fn read(row: &Row, at: impl At) -> Result<Self> {
        Ok(row.get::<Option<i64>>(at)?.map(from_unix))
    }
}

/// Enum columns are text read with the domain's parser; an unknown value is
/// [`super::Error::Corrupt`], never a default.
macro_rules! parsed {
    ($($t:ty),*) => {$(
        impl Column for $t {
            fn read(row: &Row, at: impl At) -> Result<Self> {
                decode(&at.to_string(), &row.get::<String>(at)?, <$t>::parse)
            }
        }
    )*};
}
parsed!(Environment, ApiStatus, Role);

macro_rules! tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: Column),*> Load for ($($t,)*) {
            fn load(row: &Row) -> Result<Self> {
                Ok(($(row.get::<$t>($i)?,)*))
            }
        }
    };
}
tuple!(A 0);
tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);
tuple!(A 0, B 1, C 2, D 3, E 4);

/// `load!(Type { field, … })`: each field read from the column of its name.
/// `load!(Type { field, … } as COLUMNS)` also defines `COLUMNS`, the same
/// names as a select list.
macro_rules! load {
    ($t:path { $($f:ident),+ $(,)? }) => {
        impl $crate::storage::row::Load for $t {
            fn load(row: &$crate::storage::row::Row) -> $crate::storage::Result<Self> {
                Ok(Self { $($f: row.get(stringify!($f))?),+ })
            }
        }
    };
    ($t:path { $first:ident $(, $f:ident)* $(,)? } as $columns:ident) => {
        $crate::storage::row::load!($t { $first $(, $f)* });
        const $columns: &str = concat!(stringify!($first) $(, ", ", stringify!($f))*);
    };
}
pub(crate) use load;
