//! MySQL extractor: lists the selected tables, picks each table's key, and reads pages
//! `WHERE (key after ?) ORDER BY key LIMIT n` in the server's own order (collation for
//! strings, bytes for binary), starting after the resumed position; the key may have several
//! columns. Tables that are not paged, and the rows whose key holds NULL, are streamed.

use std::sync::Arc;

use anyhow::{ensure, Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::{Row, Value};
use dt_common::row_filter::RowFilter;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::mysql::{MySql, MySqlArguments, MySqlPool, MySqlRow};
use sqlx::{Arguments as _, Transaction};
use tokio::sync::mpsc;

use super::catalog::{self, table_name};
use super::value::{bind, decode_row, orderable, Codec};
use super::{position, quote};
use crate::catalog::{and, describe, where_sql, Cached, KeyRange};
use crate::{
    plan_table, Batch, Batcher, ConnectorError, Extractor, Listing, PageSizer, TableMeta, TablePlan,
};

pub struct MysqlExtractor {
    pool: MySqlPool,
    catalog: Cached<MySqlPool>,
    filter: NameFilter,
    rows: RowFilter,
    resumer: Arc<dyn Resumer>,
    batch_size: usize,
}

impl MysqlExtractor {
    pub fn new(
        pool: MySqlPool,
        (filter, rows): (NameFilter, RowFilter),
        resumer: Arc<dyn Resumer>,
        batch_size: usize,
    ) -> Self {
        MysqlExtractor {
            catalog: Cached::new(pool.clone()),
            pool,
            filter,
            rows,
            resumer,
            batch_size,
        }
    }

    async fn extract_paged(
        &self,
        meta: &TableMeta,
        resume: Option<&[String]>,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let codecs = codecs(meta);
        let (cols, table) = (select_list(meta), table_name(&meta.id));
        let order = meta.order_cols();
        let keys = meta.quoted_key_cols(quote);
        let mut pages = PageSizer::new(self.batch_size);
        let mut reader = self.reader(&meta.id).await?;
        let cond = self.rows.condition(&meta.id);
        let range = KeyRange::paged(meta).predicate(&keys);
        let (first, next) = (
            where_sql(cond, range.as_deref()),
            where_sql(cond, and(range.clone(), Some(after_sql(&keys))).as_deref()),
        );
        let order_by = keys.join(",");
        let first = format!("SELECT {cols} FROM {table}{first} ORDER BY {order_by} LIMIT ?");
        let next = format!("SELECT {cols} FROM {table}{next} ORDER BY {order_by} LIMIT ?");
        let mut last: Option<Vec<Value>> = resume
            .map(|texts| {
                ensure!(
                    texts.len() == order.len(),
                    "the position has {} value(s) for a key of {} column(s)",
                    texts.len(),
                    order.len()
                );
                texts
                    .iter()
                    .zip(order)
                    .map(|(t, &i)| position::decode(t, codecs[i]))
                    .collect()
            })
            .transpose()
            .with_context(|| format!("bad resume position of {}", meta.id))?;
        let mut total = 0u64;
        loop {
            let n = pages.limit();
            let mut args = MySqlArguments::default();
            if let Some(values) = &last {
                bind_after(&mut args, values)?;
            }
            args.add(n as u64).map_err(|e| anyhow::anyhow!(e))?;
            let sql = if last.is_some() { &next } else { &first };
            let rows: Vec<MySqlRow> = sqlx::query_with(sql, args)
                .fetch_all(&mut *reader)
                .await
                .map_err(|e| ConnectorError::source_read(&meta.id, e))?;
            let full = rows.len() == n;
            let rows: Vec<Row> = rows
                .iter()
                .map(|r| decode_row(r, &codecs))
                .collect::<Result<_>>()?;
            pages.observe(&rows);
            let Some(last_row) = rows.last() else { break };
            last = Some(order.iter().map(|&i| last_row[i].clone()).collect());
            total += rows.len() as u64;
            if tx.send(Batch { rows }).await.is_err() || !full {
                break;
            }
        }
        reader
            .commit()
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e))?;
        Ok(total)
    }

    /// A connection in a read-only transaction with a consistent snapshot: every page of a
    /// table is read on it, so the table is read as of one moment even while it changes.
    async fn reader(&self, id: &TableId) -> Result<Transaction<'static, MySql>> {
        self.pool
            .begin_with("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
            .await
            .with_context(|| format!("cannot start reading source table {id}"))
    }

    /// Reads the rows of `range` in one statement, in no particular order.
    async fn extract_stream(
        &self,
        meta: &TableMeta,
        range: KeyRange,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let codecs = codecs(meta);
        let keys = meta.quoted_key_cols(quote);
        let sql = format!(
            "SELECT {} FROM {}{}",
            select_list(meta),
            table_name(&meta.id),
            where_sql(
                self.rows.condition(&meta.id),
                range.predicate(&keys).as_deref()
            )
        );
        // One statement: InnoDB reads it as of one moment by itself.
        let mut stream = sqlx::query(&sql).fetch(&self.pool);
        let mut batcher = Batcher::new(self.batch_size);
        let mut total = 0u64;
        while let Some(r) = stream
            .try_next()
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e))?
        {
            if batcher.push(decode_row(&r, &codecs)?) {
                let rows = batcher.take();
                total += rows.len() as u64;
                if tx.send(Batch { rows }).await.is_err() {
                    return Ok(total);
                }
            }
        }
        if !batcher.is_empty() {
            let rows = batcher.take();
            total += rows.len() as u64;
            let _ = tx.send(Batch { rows }).await;
        }
        Ok(total)
    }
}

/// The predicate of the rows strictly after a position on the key columns `keys`, in the
/// server's order: `(a > ?) OR (a = ? AND b > ?) OR …`. MariaDB reads this form as ranges
/// of the key's index, which it does not do for a row comparison `(a, b) > (?, ?)`.
fn after_sql(keys: &[String]) -> String {
    let terms: Vec<String> = (0..keys.len())
        .map(|i| {
            let mut parts: Vec<String> = keys[..i].iter().map(|k| format!("{k} = ?")).collect();
            parts.push(format!("{} > ?", keys[i]));
            format!("({})", parts.join(" AND "))
        })
        .collect();
    format!("({})", terms.join(" OR "))
}

/// Binds the values of a position for [`after_sql`].
fn bind_after(args: &mut MySqlArguments, values: &[Value]) -> Result<()> {
    for i in 0..values.len() {
        for v in &values[..=i] {
            bind(args, v)?;
        }
    }
    Ok(())
}

/// The codec of each column of `meta`.
fn codecs(meta: &TableMeta) -> Vec<Codec> {
    meta.columns
        .iter()
        .map(|c| Codec::of(&c.type_name))
        .collect()
}

fn select_list(meta: &TableMeta) -> String {
    meta.columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(",")
}

#[async_trait]
impl Extractor for MysqlExtractor {
    async fn list_tables(&self) -> Result<Listing> {
        Ok(Listing::new(&self.filter, catalog::list(&self.pool).await?))
    }

    async fn plan(&self, id: &TableId) -> Result<TablePlan> {
        let describe = describe(
            &self.catalog,
            id,
            self.rows.ignored(id),
            |c| orderable(&c.type_name),
            position::encode,
        );
        plan_table(self.resumer.as_ref(), id, async { Ok(describe.await?) }).await
    }

    async fn extract(
        &self,
        meta: &TableMeta,
        resume: Option<&[String]>,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        if meta.order_cols().is_empty() {
            self.extract_stream(meta, KeyRange::All, &tx).await
        } else {
            self.extract_paged(meta, resume, &tx).await
        }
    }

    async fn extract_null_keys(&self, meta: &TableMeta, tx: mpsc::Sender<Batch>) -> Result<u64> {
        self.extract_stream(meta, KeyRange::Null, &tx).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_after_a_position_in_key_order() {
        let keys = |ks: &[&str]| ks.iter().map(|k| k.to_string()).collect::<Vec<_>>();
        assert_eq!(after_sql(&keys(&["a"])), "((a > ?))");
        assert_eq!(
            after_sql(&keys(&["a", "b", "c"])),
            "((a > ?) OR (a = ? AND b > ?) OR (a = ? AND b = ? AND c > ?))"
        );
    }
}
