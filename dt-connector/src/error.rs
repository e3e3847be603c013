//! Typed errors of the connectors: each names the server end, table or column the user has to
//! look at, and keeps the driver's error as its source so the whole chain is reported.

use dt_common::{DbType, TableId};
use thiserror::Error;

/// The driver's error, or a connector's own error with its context chain.
pub type Source = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error at the boundary between dt and a database.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConnectorError {
    /// The server at one end could not be reached or refused the login.
    #[error("cannot connect to the {end} {server} server at {url}")]
    Connect {
        /// `source` or `target`.
        end: &'static str,
        /// The server's kind as users call it: `MySQL`, `PostgreSQL`, `MongoDB`.
        server: &'static str,
        /// The URL with its password hidden.
        url: String,
        source: Source,
    },
    /// A table the task needs is not there.
    #[error("{end} table {table} does not exist")]
    MissingTable { end: &'static str, table: TableId },
    /// The target table lacks a column the source table has.
    #[error("target table {table} has no column `{column}`")]
    MissingColumn { table: TableId, column: String },
    /// The target table has no unique key over the columns that identify a row.
    #[error(
        "target table {table} has no unique key on ({columns}); rows written again after an \
         interruption {consequence}"
    )]
    MissingKey {
        table: TableId,
        /// The key's columns, quoted as the database quotes them.
        columns: String,
        /// What would become of rows written again.
        consequence: &'static str,
    },
    /// A column of `[filter] ignore_cols` that cannot be left out of the table's copy.
    #[error("filter.ignore_cols: column `{column}` of source table {table} {reason}")]
    IgnoredColumn {
        table: TableId,
        column: String,
        reason: &'static str,
    },
    /// Reading from a server failed; `what` names what was read.
    #[error("cannot read {what}")]
    Read { what: String, source: Source },
    /// Writing to a target table failed.
    #[error("cannot write to target table {table}")]
    Write { table: TableId, source: Source },
    /// `[sinker] replace=false` and the target already holds a row under a copied key.
    #[error(
        "target table {table} already holds a row with the key of a source row, and \
         [sinker] replace=false forbids overwriting it: {reason}"
    )]
    Conflict { table: TableId, reason: String },
    /// This build of dt has no connector for the database.
    #[error(
        "this build of dt cannot copy {db_type} databases: it was built without the `{feature}` \
         feature of dt-connector"
    )]
    Unsupported {
        db_type: DbType,
        feature: &'static str,
    },
}

impl ConnectorError {
    /// A failed read of `what`.
    pub fn read(what: impl Into<String>, source: impl Into<Source>) -> Self {
        ConnectorError::Read {
            what: what.into(),
            source: source.into(),
        }
    }

    /// A failed read of source table `table`.
    pub fn source_read(table: &TableId, source: impl Into<Source>) -> Self {
        Self::read(format!("source table {table}"), source)
    }

    /// A failed write to `table`.
    pub fn write(table: &TableId, source: impl Into<Source>) -> Self {
        ConnectorError::Write {
            table: table.clone(),
            source: source.into(),
        }
    }

    /// A database whose connector this build leaves out.
    pub fn unsupported(db_type: DbType) -> Self {
        ConnectorError::Unsupported {
            db_type,
            feature: match db_type {
                DbType::Mysql => "mysql",
                DbType::Pg => "pg",
                DbType::Mongo => "mongo",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_to_fix() {
        let t = TableId::new("s", "t");
        let e = ConnectorError::MissingKey {
            table: t.clone(),
            columns: "`k`".into(),
            consequence: "would be duplicated",
        };
        assert_eq!(
            e.to_string(),
            "target table `s`.`t` has no unique key on (`k`); rows written again after an \
             interruption would be duplicated"
        );
        let e = anyhow::Error::new(ConnectorError::write(&t, "disk full"));
        assert_eq!(
            format!("{e:#}"),
            "cannot write to target table `s`.`t`: disk full"
        );
        let e = ConnectorError::unsupported(DbType::Mongo).to_string();
        assert!(e.contains("`mongo` feature"), "{e}");
    }
}
