//! MySQL extractor: lists the selected tables, picks each table's order column, and reads
//! pages `WHERE k > ? ORDER BY k LIMIT n` in the server's own order (collation for strings,
//! bytes for binary), starting after the resume value. Tables without an order column are
//! streamed.

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::Row;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::mysql::{MySql, MySqlArguments, MySqlPool, MySqlRow};
use sqlx::{Arguments as _, Row as _, Transaction};
use tokio::sync::mpsc;

use super::position;
use super::quote;
use super::value::{bind, decode_row, orderable, Codec};
use crate::{
    choose_key, plan_table, Batch, Batcher, CatalogEntry, ColumnMeta, Extractor, Listing,
    PageSizer, TableMeta, TablePlan,
};

const SYSTEM_SCHEMAS: &str = "'mysql','information_schema','performance_schema','sys'";

pub struct MysqlExtractor {
    pool: MySqlPool,
    filter: NameFilter,
    resumer: Arc<dyn Resumer>,
    batch_size: usize,
}

impl MysqlExtractor {
    pub fn new(
        pool: MySqlPool,
        filter: NameFilter,
        resumer: Arc<dyn Resumer>,
        batch_size: usize,
    ) -> Self {
        MysqlExtractor {
            pool,
            filter,
            resumer,
            batch_size,
        }
    }

    async fn describe(&self, id: &TableId) -> Result<TableMeta> {
        let columns = read_columns(&self.pool, id).await?;
        if columns.is_empty() {
            bail!("source table {id} does not exist");
        }
        let keys = read_unique_keys(&self.pool, id).await?;
        let (order_col, key, key_cols) = choose_key(&columns, &keys, |c| orderable(&c.type_name));
        let estimated_rows: Option<u64> = sqlx::query_scalar(
            "SELECT CAST(TABLE_ROWS AS UNSIGNED) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        )
        .bind(&id.schema)
        .bind(&id.tb)
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        Ok(TableMeta {
            id: id.clone(),
            columns,
            order_col,
            key,
            key_cols,
            estimated_rows: estimated_rows.unwrap_or(0),
            key_text: position::encode,
        })
    }

    async fn extract_paged(
        &self,
        meta: &TableMeta,
        k: usize,
        resume: Option<&str>,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let codecs: Vec<Codec> = meta
            .columns
            .iter()
            .map(|c| Codec::of(&c.type_name))
            .collect();
        let (cols, table) = (select_list(meta), table_name(&meta.id));
        let key = quote(&meta.columns[k].name);
        let mut pages = PageSizer::new(self.batch_size);
        let mut reader = self.reader(&meta.id).await?;
        let first = format!("SELECT {cols} FROM {table} ORDER BY {key} LIMIT ?");
        let next = format!("SELECT {cols} FROM {table} WHERE {key} > ? ORDER BY {key} LIMIT ?");
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
                .with_context(|| format!("cannot read source table {}", meta.id))?;
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
            .with_context(|| format!("cannot read source table {}", meta.id))?;
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
        let codecs: Vec<Codec> = meta
            .columns
            .iter()
            .map(|c| Codec::of(&c.type_name))
            .collect();
        let sql = format!("SELECT {} FROM {}", select_list(meta), table_name(&meta.id));
        // One statement: InnoDB reads it as of one moment by itself.
        let mut stream = sqlx::query(&sql).fetch(&self.pool);
        let mut batcher = Batcher::new(self.batch_size);
        let mut total = 0u64;
        while let Some(r) = stream
            .try_next()
            .await
            .with_context(|| format!("cannot read source table {}", meta.id))?
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

fn select_list(meta: &TableMeta) -> String {
    meta.columns
        .iter()
        .map(|c| quote(&c.name))
        .collect::<Vec<_>>()
        .join(",")
}

/// What dt does with an object of `information_schema.TABLES`, by its `TABLE_TYPE`. A
/// MariaDB system-versioned table is copied with its current rows (its history stays behind).
fn catalog_entry(id: TableId, table_type: &str) -> CatalogEntry {
    let why = match table_type {
        "BASE TABLE" | "SYSTEM VERSIONED" => return CatalogEntry::Table(id),
        "VIEW" | "SYSTEM VIEW" => "a view; a snapshot copies the rows of tables only",
        "SEQUENCE" => "a sequence; its state is not copied, create it in the target",
        "TEMPORARY" => "a temporary table",
        other => return CatalogEntry::NotCopied(id, format!("of table type {other}")),
    };
    CatalogEntry::NotCopied(id, why.to_string())
}

pub(super) fn table_name(id: &TableId) -> String {
    format!("{}.{}", quote(&id.schema), quote(&id.tb))
}

/// Columns of a table in ordinal order, without generated columns (the target computes
/// them); empty when the table does not exist.
pub(crate) async fn read_columns(pool: &MySqlPool, id: &TableId) -> Result<Vec<ColumnMeta>> {
    let rows = sqlx::query(
        "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%VIRTUAL GENERATED%' AND EXTRA NOT LIKE '%STORED GENERATED%' \
         ORDER BY ORDINAL_POSITION",
    )
    .bind(&id.schema)
    .bind(&id.tb)
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot read the columns of {id}"))?;
    rows.iter()
        .map(|r| {
            Ok(ColumnMeta {
                name: r.try_get_unchecked::<String, _>(0)?,
                type_name: r.try_get_unchecked::<String, _>(1)?,
                nullable: r.try_get_unchecked::<String, _>(2)? == "YES",
            })
        })
        .collect()
}

/// Unique keys as (is_primary, columns), primary first, then by index name.
pub(super) async fn read_unique_keys(
    pool: &MySqlPool,
    id: &TableId,
) -> Result<Vec<(bool, Vec<String>)>> {
    // A system-versioned table adds its ROW END column to every unique key; among the
    // current rows, which are what is copied, the other columns are the key.
    let rows = sqlx::query(
        "SELECT s.INDEX_NAME, s.COLUMN_NAME FROM information_schema.STATISTICS s \
         JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = s.TABLE_SCHEMA \
         AND c.TABLE_NAME = s.TABLE_NAME AND c.COLUMN_NAME = s.COLUMN_NAME \
         WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0 \
         AND COALESCE(c.GENERATION_EXPRESSION, '') <> 'ROW END' \
         ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX",
    )
    .bind(&id.schema)
    .bind(&id.tb)
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot read the keys of {id}"))?;
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for r in &rows {
        let index: String = r.try_get_unchecked(0)?;
        let col: String = r.try_get_unchecked(1)?;
        match keys.last_mut() {
            Some((name, cols)) if *name == index => cols.push(col),
            _ => keys.push((index, vec![col])),
        }
    }
    let mut keys: Vec<(bool, Vec<String>)> =
        keys.into_iter().map(|(n, c)| (n == "PRIMARY", c)).collect();
    keys.sort_by_key(|(primary, _)| !primary);
    Ok(keys)
}

#[async_trait]
impl Extractor for MysqlExtractor {
    async fn list_tables(&self) -> Result<Listing> {
        let sql = format!(
            "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA NOT IN ({SYSTEM_SCHEMAS})"
        );
        let rows = sqlx::query(&sql)
            .fetch_all(&self.pool)
            .await
            .context("cannot list the source tables")?;
        let catalog = rows
            .iter()
            .map(|r| {
                let id = TableId::new(
                    r.try_get_unchecked::<String, _>(0)?,
                    r.try_get_unchecked::<String, _>(1)?,
                );
                let kind: String = r.try_get_unchecked(2)?;
                Ok(catalog_entry(id, &kind))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Listing::new(&self.filter, catalog))
    }

    async fn plan(&self, id: &TableId) -> Result<TablePlan> {
        plan_table(self.resumer.as_ref(), id, self.describe(id)).await
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
