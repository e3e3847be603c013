//! MySQL extractor: lists the selected tables, picks each table's order column, and reads
//! pages `WHERE k > ? ORDER BY k LIMIT n` in the server's own order (collation for strings,
//! bytes for binary), starting after the resume value. Tables without an order column are
//! streamed.

use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::Row;
use dt_common::row_filter::RowFilter;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::mysql::{MySql, MySqlArguments, MySqlPool, MySqlRow};
use sqlx::{Arguments as _, Transaction};
use tokio::sync::mpsc;

use super::catalog::{self, table_name};
use super::value::{bind, decode_row, orderable, Codec};
use super::{position, quote};
use crate::catalog::{describe, where_sql};
use crate::{
    plan_table, Batch, Batcher, ConnectorError, Extractor, Listing, PageSizer, TableMeta, TablePlan,
};

pub struct MysqlExtractor {
    pool: MySqlPool,
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
        k: usize,
        resume: Option<&str>,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let codecs = codecs(meta);
        let (cols, table) = (select_list(meta), table_name(&meta.id));
        let key = quote(&meta.columns[k].name);
        let mut pages = PageSizer::new(self.batch_size);
        let mut reader = self.reader(&meta.id).await?;
        let cond = self.rows.condition(&meta.id);
        let (first, next) = (
            where_sql(cond, None),
            where_sql(cond, Some(&format!("{key} > ?"))),
        );
        let first = format!("SELECT {cols} FROM {table}{first} ORDER BY {key} LIMIT ?");
        let next = format!("SELECT {cols} FROM {table}{next} ORDER BY {key} LIMIT ?");
        let mut last = resume
            .map(|t| position::decode(t, codecs[k]))
            .transpose()
            .with_context(|| format!("bad resume position of {}", meta.id))?;
        let mut total = 0u64;
        loop {
            let n = pages.limit();
            let mut args = MySqlArguments::default();
            if let Some(v) = &last {
                bind(&mut args, v)?;
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
            last = Some(last_row[k].clone());
            total += rows.len() as u64;
            let batch = Batch {
                rows,
                last_key: last.clone(),
            };
            if tx.send(batch).await.is_err() {
                break;
            }
            if !full {
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

    async fn extract_stream(&self, meta: &TableMeta, tx: &mpsc::Sender<Batch>) -> Result<u64> {
        let codecs = codecs(meta);
        let sql = format!(
            "SELECT {} FROM {}{}",
            select_list(meta),
            table_name(&meta.id),
            where_sql(self.rows.condition(&meta.id), None)
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
                let batch = Batch {
                    rows,
                    last_key: None,
                };
                if tx.send(batch).await.is_err() {
                    return Ok(total);
                }
            }
        }
        if !batcher.is_empty() {
            let rows = batcher.take();
            total += rows.len() as u64;
            let _ = tx
                .send(Batch {
                    rows,
                    last_key: None,
                })
                .await;
        }
        Ok(total)
    }
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
            &self.pool,
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
        resume_value: Option<&str>,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        match meta.order_col {
            Some(k) => self.extract_paged(meta, k, resume_value, &tx).await,
            None => self.extract_stream(meta, &tx).await,
        }
    }
}
