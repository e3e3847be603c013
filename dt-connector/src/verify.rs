//! Digests for `dt-main --verify`: each side of a table is summarised where it lives, by a
//! row count and an order-independent sum of per-row hashes, so source and target can be
//! compared without moving the rows. A sum (not an XOR) of hashes also tells a doubled row
//! apart from a missing one. Each database's verifier is in its own module.

use anyhow::Result;
use async_trait::async_trait;
use dt_common::config::TaskConfig;
use dt_common::{DbType, TableId};

/// A table's row count and content digest, comparable between the two sides of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub rows: u64,
    pub sum: String,
}

impl TableDigest {
    /// From a server's `(count, sum)` answer.
    pub fn new(rows: i64, sum: String) -> Self {
        TableDigest {
            rows: rows as u64,
            sum,
        }
    }
}

/// Which rows of a table a digest covers, from `[filter] where_conditions` and
/// `ignore_cols`: those meeting `condition` (all when `None`), and for MongoDB each document
/// without the top-level fields `ignored` (MySQL and PostgreSQL leave ignored columns out of
/// the `columns` they digest).
#[derive(Debug, Clone, Copy, Default)]
pub struct RowScope<'a> {
    pub condition: Option<&'a str>,
    pub ignored: &'a [String],
}

/// Summarises tables of one server.
#[async_trait]
pub trait Verifier: Send + Sync {
    /// The digest of `columns` of the rows of `table` in `scope` (MongoDB: whole documents),
    /// or `None` when the table does not exist.
    async fn digest(
        &self,
        table: &TableId,
        columns: &[String],
        scope: RowScope<'_>,
    ) -> Result<Option<TableDigest>>;
}

/// The verifiers of a task's source and target.
pub async fn build_verifiers(cfg: &TaskConfig) -> Result<(Box<dyn Verifier>, Box<dyn Verifier>)> {
    match cfg.extractor.db_type {
        #[cfg(feature = "mysql")]
        DbType::Mysql => crate::mysql::verifiers(cfg).await,
        #[cfg(feature = "pg")]
        DbType::Pg => crate::pg::verifiers(cfg).await,
        #[cfg(feature = "mongo")]
        DbType::Mongo => crate::mongo::verifiers(cfg).await,
        #[allow(unreachable_patterns)]
        db => Err(crate::ConnectorError::unsupported(db).into()),
    }
}
