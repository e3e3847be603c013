//! Digests for `dt-main --verify`: each side of a table is summarised where it lives, by a
//! row count and an order-independent sum of per-row hashes, so source and target can be
//! compared without moving the rows. A sum (not an XOR) of hashes also tells a doubled row
//! apart from a missing one.

use anyhow::{Context, Result};
use async_trait::async_trait;
use bson::{doc, RawDocumentBuf};
use dt_common::config::TaskConfig;
use dt_common::{DbType, TableId};
use futures::TryStreamExt;
use sqlx::mysql::MySqlPool;
use sqlx::postgres::PgPool;

use crate::{mongo, mysql, pg};

/// A table's row count and content digest, comparable between the two sides of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDigest {
    pub rows: u64,
    pub sum: String,
}

impl TableDigest {
    /// From a server's `(count, sum)` answer.
    fn new(rows: i64, sum: String) -> Self {
        TableDigest {
            rows: rows as u64,
            sum,
        }
    }
}

/// Summarises tables of one server.
#[async_trait]
pub trait Verifier: Send + Sync {
    /// The digest of `columns` of `table` (MongoDB: whole documents), or `None` when the
    /// table does not exist.
    async fn digest(&self, table: &TableId, columns: &[String]) -> Result<Option<TableDigest>>;
}

/// The verifiers of a task's source and target.
pub async fn build_verifiers(cfg: &TaskConfig) -> Result<(Box<dyn Verifier>, Box<dyn Verifier>)> {
    let conns = cfg.parallelizer.parallel_tables as u32 + 1;
    Ok(match cfg.extractor.db_type {
        DbType::Mysql => (
            Box::new(MysqlVerifier(
                mysql::connect(&cfg.extractor.url, conns, mysql::READ_SESSION, "source").await?,
            )),
            Box::new(MysqlVerifier(
                mysql::connect(&cfg.sinker.url, conns, mysql::READ_SESSION, "target").await?,
            )),
        ),
        DbType::Pg => (
            Box::new(PgVerifier(
                pg::connect(&cfg.extractor.url, conns, "source", false).await?,
            )),
            Box::new(PgVerifier(
                pg::connect(&cfg.sinker.url, conns, "target", false).await?,
            )),
        ),
        DbType::Mongo => (
            Box::new(MongoVerifier(
                mongo::connect(&cfg.extractor.url, "source").await?,
            )),
            Box::new(MongoVerifier(
                mongo::connect(&cfg.sinker.url, "target").await?,
            )),
        ),
    })
}

struct MysqlVerifier(MySqlPool);

#[async_trait]
impl Verifier for MysqlVerifier {
    /// Each value as the hex of its exact bytes (`N` for NULL), joined, MD5'd; the first 64
    /// bits of each row's MD5 are summed exactly (DECIMAL). See [`mysql::exact_bytes`].
    async fn digest(&self, table: &TableId, columns: &[String]) -> Result<Option<TableDigest>> {
        let types = mysql::read_columns(&self.0, table).await?;
        if types.is_empty() {
            return Ok(None);
        }
        let values: Vec<String> = columns
            .iter()
            .map(|c| {
                let column_type = types
                    .iter()
                    .find(|t| &t.name == c)
                    .map(|t| t.type_name.as_str());
                let value = mysql::exact_bytes(&mysql::quote(c), column_type.unwrap_or(""));
                format!("IFNULL(HEX({value}), 'N')")
            })
            .collect();
        let sql = format!(
            "SELECT COUNT(*), CAST(IFNULL(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', {})), 1, 16), 16, 10) AS UNSIGNED)), 0) AS CHAR) \
             FROM {}.{}",
            values.join(", "),
            mysql::quote(&table.schema),
            mysql::quote(&table.tb)
        );
        let (rows, sum): (i64, String) = sqlx::query_as(&sql)
            .fetch_one(&self.0)
            .await
            .with_context(|| format!("cannot digest table {table}"))?;
        Ok(Some(TableDigest::new(rows, sum)))
    }
}

struct PgVerifier(PgPool);

#[async_trait]
impl Verifier for PgVerifier {
    /// Each row's record text (values in their text form, NULL told apart from ''), MD5'd;
    /// the first 64 bits of each are summed exactly (numeric).
    async fn digest(&self, table: &TableId, columns: &[String]) -> Result<Option<TableDigest>> {
        let Some(relation) = pg::relation(&self.0, table).await? else {
            return Ok(None);
        };
        let cols: Vec<String> = columns.iter().map(|c| pg::quote(c)).collect();
        let sql = format!(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW({})::text), 1, 16))::bit(64)::bigint), 0)::text \
             FROM {relation}",
            cols.join(", ")
        );
        let (rows, sum): (i64, String) = sqlx::query_as(&sql)
            .fetch_one(&self.0)
            .await
            .with_context(|| format!("cannot digest table {table}"))?;
        Ok(Some(TableDigest::new(rows, sum)))
    }
}

struct MongoVerifier(mongodb::Client);

#[async_trait]
impl Verifier for MongoVerifier {
    /// Every document's raw BSON bytes hashed (SipHash with fixed keys, the same in both
    /// halves of one process) and summed.
    async fn digest(&self, table: &TableId, _columns: &[String]) -> Result<Option<TableDigest>> {
        use std::hash::{Hash, Hasher};
        let db = self.0.database(&table.schema);
        let ctx = || format!("cannot digest collection {table}");
        let names = db
            .list_collection_names()
            .filter(doc! { "name": &table.tb })
            .await
            .with_context(ctx)?;
        if names.is_empty() {
            return Ok(None);
        }
        let mut cursor = db
            .collection::<RawDocumentBuf>(&table.tb)
            .find(doc! {})
            .batch_size(10_000)
            .await
            .with_context(ctx)?;
        let (mut rows, mut sum) = (0u64, 0u128);
        while let Some(d) = cursor.try_next().await.with_context(ctx)? {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            d.as_bytes().hash(&mut h);
            rows += 1;
            sum = sum.wrapping_add(h.finish() as u128);
        }
        Ok(Some(TableDigest {
            rows,
            sum: sum.to_string(),
        }))
    }
}
