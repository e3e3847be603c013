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
    integer_bounds, plan_table, Batch, Batcher, ConnectorError, Extractor, KeySpan, Listing,
    PageSizer, TableMeta, TablePlan,
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
        span: &KeySpan,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let codecs = codecs(meta);
        let (cols, table) = (select_list(meta), table_name(&meta.id));
        let order = meta.order_cols();
        let keys = meta.quoted_key_cols(quote);
        let bad = || format!("bad resume position of {}", meta.id);
        let mut last = span
            .after
            .as_deref()
            .map(|texts| decode_key(texts, order, &codecs))
            .transpose()
            .with_context(bad)?;
        let upto = span
            .upto
            .as_deref()
            .map(|texts| decode_key(texts, order, &codecs))
            .transpose()
            .with_context(bad)?;
        let mut pages = PageSizer::new(self.batch_size);
        let mut reader = self.reader(&meta.id).await?;
        let cond = self.rows.condition(&meta.id);
        let range = and(
            KeyRange::paged(meta).predicate(&keys),
            upto.as_ref().map(|v| upto_sql(&keys[..v.len()])),
        );
        let order_by = keys.join(",");
        let mut total = 0u64;
        loop {
            let n = pages.limit();
            let mut args = MySqlArguments::default();
            if let Some(values) = &upto {
                bind_cmp(&mut args, values)?;
            }
            if let Some(values) = &last {
                bind_cmp(&mut args, values)?;
            }
            args.add(n as u64).map_err(|e| anyhow::anyhow!(e))?;
            let after = last.as_ref().map(|v| after_sql(&keys[..v.len()]));
            let filter = where_sql(cond, and(range.clone(), after).as_deref());
            let sql = format!("SELECT {cols} FROM {table}{filter} ORDER BY {order_by} LIMIT ?");
            let rows: Vec<MySqlRow> = sqlx::query_with(&sql, args)
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
            if tx.send(Batch { rows, end: None }).await.is_err() || !full {
                break;
            }
        }
        reader
            .commit()
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e))?;
        Ok(total)
    }

    /// Bounds of chunks of about `chunk_rows` rows after `after`: on an integer first key
    /// column, evenly spaced values between its MIN and MAX; otherwise the key of every
    /// `chunk_rows`-th row, found by walking the key's index.
    async fn bounds(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        chunk_rows: u64,
        max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        let codecs = codecs(meta);
        let order = meta.order_cols();
        let keys = meta.quoted_key_cols(quote);
        let table = table_name(&meta.id);
        let after = after
            .map(|texts| decode_key(texts, order, &codecs))
            .transpose()?;
        let range = KeyRange::paged(meta).predicate(&keys);
        let filter = |after: &Option<Vec<Value>>| {
            let cmp = after.as_ref().map(|v| after_sql(&keys[..v.len()]));
            let mut args = MySqlArguments::default();
            let bound = after.as_ref().map(|v| bind_cmp(&mut args, v)).transpose();
            bound.map(|_| (where_sql(None, and(range.clone(), cmp).as_deref()), args))
        };
        let mut reader = self.reader(&meta.id).await?;
        let read = |e| ConnectorError::source_read(&meta.id, e);
        if matches!(codecs[order[0]], Codec::Int | Codec::UInt) {
            let (filter, args) = filter(&after)?;
            let k = &keys[0];
            let sql = format!(
                "SELECT CAST(MIN({k}) AS CHAR), CAST(MAX({k}) AS CHAR) FROM {table}{filter}"
            );
            let (min, max): (Option<String>, Option<String>) = sqlx::query_as_with(&sql, args)
                .fetch_one(&mut *reader)
                .await
                .map_err(read)?;
            let (Some(min), Some(max)) = (min, max) else {
                return Ok(Vec::new());
            };
            if let Some(bounds) = integer_bounds(
                min.parse()?,
                max.parse()?,
                meta.estimated_rows,
                chunk_rows,
                max_chunks,
            ) {
                return Ok(bounds.into_iter().map(|b| vec![b.to_string()]).collect());
            }
        }
        let key_codecs: Vec<Codec> = order.iter().map(|&i| codecs[i]).collect();
        let mut bounds = Vec::new();
        let mut last = after;
        while bounds.len() + 1 < max_chunks {
            let (filter, mut args) = filter(&last)?;
            args.add(chunk_rows.max(1) - 1)
                .map_err(|e| anyhow::anyhow!(e))?;
            let order_by = keys.join(",");
            let sql = format!(
                "SELECT {order_by} FROM {table}{filter} ORDER BY {order_by} LIMIT 1 OFFSET ?"
            );
            let row = sqlx::query_with(&sql, args)
                .fetch_optional(&mut *reader)
                .await
                .map_err(read)?;
            let Some(row) = row else { break };
            let values = decode_row(&row, &key_codecs)?;
            let text: Option<Vec<String>> = values.iter().map(|v| (meta.key_text)(v)).collect();
            bounds.push(text.context("a key value without position text")?);
            last = Some(values);
        }
        reader.commit().await.map_err(read)?;
        Ok(bounds)
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
                if tx.send(Batch { rows, end: None }).await.is_err() {
                    return Ok(total);
                }
            }
        }
        if !batcher.is_empty() {
            let rows = batcher.take();
            total += rows.len() as u64;
            let _ = tx.send(Batch { rows, end: None }).await;
        }
        Ok(total)
    }
}

/// The predicate of the rows strictly after a position on the key columns `keys`, in the
/// server's order: `(a > ?) OR (a = ? AND b > ?) OR …`. MariaDB reads this form as ranges
/// of the key's index, which it does not do for a row comparison `(a, b) > (?, ?)`.
fn after_sql(keys: &[String]) -> String {
    cmp_sql(keys, ">", ">")
}

/// The predicate of the rows at or before a bound on the key columns `keys`:
/// `(a < ?) OR (a = ? AND b <= ?)`.
fn upto_sql(keys: &[String]) -> String {
    cmp_sql(keys, "<", "<=")
}

/// `(k1 op ?) OR (k1 = ? AND k2 op ?) OR …`, with `last` as the op of the last column.
fn cmp_sql(keys: &[String], op: &str, last: &str) -> String {
    let terms: Vec<String> = (0..keys.len())
        .map(|i| {
            let mut parts: Vec<String> = keys[..i].iter().map(|k| format!("{k} = ?")).collect();
            let op = if i + 1 == keys.len() { last } else { op };
            parts.push(format!("{} {op} ?", keys[i]));
            format!("({})", parts.join(" AND "))
        })
        .collect();
    format!("({})", terms.join(" OR "))
}

/// The values of position text `texts` of the first order columns `order`.
fn decode_key(texts: &[String], order: &[usize], codecs: &[Codec]) -> Result<Vec<Value>> {
    ensure!(
        !texts.is_empty() && texts.len() <= order.len(),
        "the position has {} value(s) for a key of {} column(s)",
        texts.len(),
        order.len()
    );
    texts
        .iter()
        .zip(order)
        .map(|(t, &i)| position::decode(t, codecs[i]))
        .collect()
}

/// Binds the values of a position for [`after_sql`] or [`upto_sql`].
fn bind_cmp(args: &mut MySqlArguments, values: &[Value]) -> Result<()> {
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
        span: &KeySpan,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        if meta.order_cols().is_empty() {
            self.extract_stream(meta, KeyRange::All, &tx).await
        } else {
            self.extract_paged(meta, span, &tx).await
        }
    }

    async fn split(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        chunk_rows: u64,
        max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        if meta.order_cols().is_empty() {
            return Ok(Vec::new());
        }
        self.bounds(meta, after, chunk_rows, max_chunks)
            .await
            .with_context(|| format!("cannot split source table {} into chunks", meta.id))
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
        assert_eq!(
            upto_sql(&keys(&["a", "b"])),
            "((a < ?) OR (a = ? AND b <= ?))"
        );
    }
}
