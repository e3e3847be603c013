//! Metadata and value types: the database kind, table ids, and row values that carry every
//! column type of MySQL, PostgreSQL and MongoDB without loss.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The kind of database at one end of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum DbType {
    Mysql,
    Pg,
    Mongo,
}

impl DbType {
    pub fn as_str(self) -> &'static str {
        match self {
            DbType::Mysql => "mysql",
            DbType::Pg => "pg",
            DbType::Mongo => "mongo",
        }
    }

    /// The character that quotes an identifier in names written by users (filters, maps).
    pub fn quote_char(self) -> Option<char> {
        match self {
            DbType::Mysql => Some('`'),
            DbType::Pg => Some('"'),
            DbType::Mongo => None,
        }
    }
}

impl fmt::Display for DbType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for DbType {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl FromStr for DbType {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "mysql" => Ok(DbType::Mysql),
            "pg" | "postgres" | "postgresql" => Ok(DbType::Pg),
            "mongo" | "mongodb" => Ok(DbType::Mongo),
            other => Err(format!(
                "unknown db_type `{other}`, expected mysql, pg or mongo"
            )),
        }
    }
}

/// A table (or a collection): schema (database for MySQL and Mongo) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId {
    pub schema: String,
    pub tb: String,
}

impl TableId {
    pub fn new(schema: impl Into<String>, tb: impl Into<String>) -> Self {
        TableId {
            schema: schema.into(),
            tb: tb.into(),
        }
    }
}

impl fmt::Display for TableId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`.`{}`", self.schema, self.tb)
    }
}

/// One column value as read from a source. Each variant keeps the exact bits of the source:
/// integers and floats are binary, decimals and temporal values are the server's own text,
/// character data is text in the connection's charset, binary data is raw bytes.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F32(f32),
    F64(f64),
    /// Exact decimal text, e.g. `-12.3400` or `NaN`.
    Decimal(String),
    /// Character data.
    Text(String),
    /// Binary data, or a value in its connector's wire form (a BSON document, an escaped
    /// COPY field) that passes between a source and a target of the same kind untouched.
    Bytes(Vec<u8>),
    /// A date, time, datetime, timestamp or year in the server's text form.
    Temporal(String),
    /// A bit string as big-endian bytes.
    Bit(Vec<u8>),
}

impl Value {
    /// About how many bytes the value takes (see [`row_bytes`]).
    pub fn size(&self) -> usize {
        let data = match self {
            Value::Decimal(s) | Value::Text(s) | Value::Temporal(s) => s.len(),
            Value::Bytes(b) | Value::Bit(b) => b.len(),
            _ => 0,
        };
        data + std::mem::size_of::<Value>()
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

/// One row: values in the order of the table's columns.
pub type Row = Vec<Value>;

/// About how many bytes a row takes in memory: its variable-length data plus a fixed cost
/// per value. Used to bound pages, buffers and write statements by size as well as by rows.
pub fn row_bytes(row: &[Value]) -> usize {
    row.iter().map(Value::size).sum()
}

/// How many of `rows`, from the start, fit in at most `max_rows` rows and `max_bytes` (by
/// [`row_bytes`]); at least one when there is any, even a row larger than `max_bytes`.
pub fn split_len(rows: &[Row], max_rows: usize, max_bytes: usize) -> usize {
    let mut bytes = 0;
    for (i, row) in rows.iter().take(max_rows.max(1)).enumerate() {
        bytes += row_bytes(row);
        if bytes > max_bytes {
            return i.max(1);
        }
    }
    rows.len().min(max_rows.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_cut_by_rows_and_by_bytes() {
        let rows = |sizes: &[usize]| -> Vec<Row> {
            sizes
                .iter()
                .map(|&n| vec![Value::Bytes(vec![0; n])])
                .collect()
        };
        let (mb, limit) = (1 << 20, 8 << 20);
        assert_eq!(split_len(&rows(&[10; 5]), 3, limit), 3);
        assert_eq!(split_len(&rows(&[10; 2]), 3, limit), 2);
        assert_eq!(split_len(&rows(&[3 * mb; 5]), 1000, limit), 2);
        // A row larger than the limit still goes, alone.
        assert_eq!(split_len(&rows(&[20 * mb, 1]), 1000, limit), 1);
        assert_eq!(split_len(&rows(&[1, 20 * mb]), 1000, limit), 1);
        assert_eq!(split_len(&[], 1000, limit), 0);
    }

    #[test]
    fn db_type_parses_and_prints() {
        assert_eq!("mysql".parse::<DbType>().unwrap(), DbType::Mysql);
        assert_eq!("pg".parse::<DbType>().unwrap(), DbType::Pg);
        assert_eq!("mongo".parse::<DbType>().unwrap(), DbType::Mongo);
        assert!("oracle".parse::<DbType>().is_err());
        assert_eq!(DbType::Pg.to_string(), "pg");
    }
}
