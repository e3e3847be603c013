//! PostgreSQL extractor: tables of the URL's database chosen by the filter, paged by the
//! order column in the column type's own order (`WHERE k > 'v'::type ORDER BY k`, text keys in
//! their collation), values read in text form over the simple query protocol.

use std::sync::Arc;

use anyhow::{bail, Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::Row;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnection, PgPool, Postgres};
use sqlx::Row as _;
use sqlx::{Executor, Transaction};
use tokio::sync::mpsc;

use super::text::{parse_line, take_lines};
use super::{literal, position, quote};
use crate::{
    choose_key, plan_table, Batch, Batcher, CatalogEntry, ColumnMeta, DbObject, Extractor, Listing,
    PageSizer, SequenceState, TableMeta, TablePlan,
};

pub struct PgExtractor {
    pool: PgPool,
    filter: NameFilter,
    resumer: Arc<dyn Resumer>,
    batch_size: usize,
    /// The snapshot every read of this run sees, exported by the transaction `_holder`
    /// keeps open; `None` when it could not be exported.
    snapshot: Option<String>,
    _holder: Option<tokio::sync::Mutex<PgConnection>>,
}

/// `ONLY "s"."t"` for a plain table, so rows of tables inheriting from it (copied on their
/// own) are not read twice; a partitioned table is read whole. `None` when it does not exist.
pub(crate) async fn relation<'c, E>(conn: E, id: &TableId) -> Result<Option<String>>
where
    E: Executor<'c, Database = Postgres>,
{
    let kind: Option<i8> =
        sqlx::query_scalar("SELECT relkind::\"char\" FROM pg_class WHERE oid = to_regclass($1)")
            .bind(table_name(id))
            .fetch_optional(conn)
            .await
            .with_context(|| format!("cannot look up table {id}"))?;
    Ok(kind.map(|k| match k as u8 {
        b'p' => table_name(id),
        _ => format!("ONLY {}", table_name(id)),
    }))
}

/// `"schema"."table"`
pub(super) fn table_name(id: &TableId) -> String {
    format!("{}.{}", quote(&id.schema), quote(&id.tb))
}

/// Columns of a table in order, without generated columns; empty when it does not exist.
pub(super) async fn read_columns(pool: &PgPool, id: &TableId) -> Result<Vec<ColumnMeta>> {
    let rows = sqlx::query(
        "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull \
         FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 \
         AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
    )
    .bind(table_name(id))
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot read the columns of {id}"))?;
    rows.iter()
        .map(|r| {
            Ok(ColumnMeta {
                name: r.try_get(0)?,
                type_name: r.try_get(1)?,
                nullable: r.try_get(2)?,
            })
        })
        .collect()
}

pub(super) async fn read_unique_keys(
    pool: &PgPool,
    id: &TableId,
) -> Result<Vec<(bool, Vec<String>)>> {
    let rows = sqlx::query(
        "SELECT i.indisprimary, array_agg(a.attname::text ORDER BY k.ord) \
         FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
         WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indimmediate \
         AND k.ord <= i.indnkeyatts \
         AND i.indpred IS NULL AND i.indexprs IS NULL \
         GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indisprimary DESC, i.indexrelid",
    )
    .bind(table_name(id))
    .fetch_all(pool)
    .await
    .with_context(|| format!("cannot read the keys of {id}"))?;
    rows.iter()
        .map(|r| Ok((r.try_get::<bool, _>(0)?, r.try_get::<Vec<String>, _>(1)?)))
        .collect()
}

impl PgExtractor {
    pub fn new(
        pool: PgPool,
        filter: NameFilter,
        resumer: Arc<dyn Resumer>,
        batch_size: usize,
        snapshot: Option<(String, PgConnection)>,
    ) -> Self {
        let (snapshot, holder) = match snapshot {
            Some((id, conn)) => (Some(id), Some(tokio::sync::Mutex::new(conn))),
            None => (None, None),
        };
        PgExtractor {
            pool,
            filter,
            resumer,
            batch_size,
            snapshot,
            _holder: holder,
        }
    }

    async fn describe(&self, id: &TableId) -> Result<TableMeta> {
        let columns = read_columns(&self.pool, id).await?;
        if columns.is_empty() {
            bail!("source table {id} does not exist");
        }
        let keys = read_unique_keys(&self.pool, id).await?;
        // A unique index implies a btree order, and the literal is cast to the column's type,
        // so `>` and ORDER BY agree for every key type.
        let (order_col, key, key_cols) = choose_key(&columns, &keys, |_| true);
        let estimate: Option<f32> =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)")
                .bind(table_name(id))
                .fetch_optional(&self.pool)
                .await?;
        Ok(TableMeta {
            id: id.clone(),
            columns,
            order_col,
            key,
            key_cols,
            estimated_rows: estimate.unwrap_or(0.0).max(0.0) as u64,
            key_text: position::encode,
        })
    }

    async fn source_relation(&self, id: &TableId) -> Result<String> {
        relation(&self.pool, id)
            .await?
            .with_context(|| format!("source table {id} does not exist"))
    }

    fn select_list(meta: &TableMeta) -> String {
        meta.columns
            .iter()
            .map(|c| quote(&c.name))
            .collect::<Vec<_>>()
            .join(",")
    }

    async fn extract_paged(
        &self,
        meta: &TableMeta,
        k: usize,
        resume: Option<&str>,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let (cols, table) = (
            Self::select_list(meta),
            self.source_relation(&meta.id).await?,
        );
        let key = quote(&meta.columns[k].name);
        let key_type = &meta.columns[k].type_name;
        let mut pages = PageSizer::new(self.batch_size);
        let mut last: Option<String> = resume.map(str::to_string);
        let mut total = 0u64;
        loop {
            let n = pages.limit();
            let select = match &last {
                None => format!("SELECT {cols} FROM {table} ORDER BY {key} LIMIT {n}"),
                Some(v) => format!(
                    "SELECT {cols} FROM {table} WHERE {key} > {} ORDER BY {key} LIMIT {n}",
                    position::decode(v, key_type)
                ),
            };
            let mut rows = Vec::with_capacity(n);
            self.copy_out(&select, Some(k), |row| {
                rows.push(row);
                Ok(())
            })
            .await
            .with_context(|| format!("cannot read source table {}", meta.id))?;
            let full = rows.len() == n;
            pages.observe(&rows);
            let Some(last_row) = rows.last() else { break };
            let last_key = last_row[k].clone();
            last = position::encode(&last_key);
            total += rows.len() as u64;
            if tx
                .send(Batch {
                    rows,
                    last_key: Some(last_key),
                })
                .await
                .is_err()
                || !full
            {
                break;
            }
        }
        Ok(total)
    }

    async fn extract_stream(&self, meta: &TableMeta, tx: &mpsc::Sender<Batch>) -> Result<u64> {
        let ctx = || format!("cannot read source table {}", meta.id);
        let select = format!(
            "SELECT {} FROM {}",
            Self::select_list(meta),
            self.source_relation(&meta.id).await?
        );
        let mut reader = self.reader().await.with_context(ctx)?;
        let mut stream = reader
            .copy_out_raw(&format!("COPY ({select}) TO STDOUT"))
            .await
            .with_context(ctx)?;
        let (mut buf, mut total) = (Vec::new(), 0u64);
        let mut batcher = Batcher::new(self.batch_size);
        let mut full = Vec::new();
        loop {
            let chunk = stream.try_next().await.with_context(ctx)?;
            let done = chunk.is_none();
            if let Some(chunk) = chunk {
                buf.extend_from_slice(&chunk);
                take_lines(&mut buf, |line| {
                    if batcher.push(parse_line(line, None)?) {
                        full.push(batcher.take());
                    }
                    Ok(())
                })?;
            }
            if done && !batcher.is_empty() {
                full.push(batcher.take());
            }
            for batch in full.drain(..) {
                total += batch.len() as u64;
                if tx
                    .send(Batch {
                        rows: batch,
                        last_key: None,
                    })
                    .await
                    .is_err()
                {
                    return Ok(total);
                }
            }
            if done {
                anyhow::ensure!(
                    buf.is_empty(),
                    "COPY output of {} ended inside a line",
                    meta.id
                );
                drop(stream);
                reader.commit().await.with_context(ctx)?;
                return Ok(total);
            }
        }
    }

    /// Runs `COPY (select) TO STDOUT` and hands each parsed row to `each`.
    async fn copy_out(
        &self,
        select: &str,
        key: Option<usize>,
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let mut reader = self.reader().await?;
        let mut stream = reader
            .copy_out_raw(&format!("COPY ({select}) TO STDOUT"))
            .await?;
        let mut buf = Vec::new();
        while let Some(chunk) = stream.try_next().await? {
            buf.extend_from_slice(&chunk);
            take_lines(&mut buf, |line| each(parse_line(line, key)?))?;
        }
        if !buf.is_empty() {
            anyhow::bail!("COPY output ended inside a line");
        }
        drop(stream);
        reader.commit().await?;
        Ok(())
    }

    /// A read-only transaction on a pooled connection that sees the run's snapshot, so every
    /// page of every table is read as of one moment.
    async fn reader(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        if let Some(id) = &self.snapshot {
            tx.execute(format!("SET TRANSACTION SNAPSHOT {}", literal(id)).as_str())
                .await
                .context(
                    "cannot read in the task's snapshot (was the session holding it ended, e.g. \
                     by pg_terminate_backend?)",
                )?;
        }
        Ok(tx)
    }
}

#[async_trait]
impl Extractor for PgExtractor {
    async fn list_tables(&self) -> Result<Listing> {
        let rows = sqlx::query(
            "SELECT n.nspname::text, c.relname::text, c.relkind::text, pn.nspname::text, p.relname::text \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid \
             LEFT JOIN pg_class p ON p.oid = i.inhparent \
             LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace \
             WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') \
             AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
        )
        .fetch_all(&self.pool)
        .await
        .context("cannot list the source tables")?;
        let catalog = rows
            .iter()
            .map(|r| {
                let id = TableId::new(r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?);
                let parent: (Option<String>, Option<String>) = (r.try_get(3)?, r.try_get(4)?);
                if let (Some(schema), Some(tb)) = parent {
                    return Ok(CatalogEntry::Partition(id, TableId::new(schema, tb)));
                }
                let why = match r.try_get::<String, _>(2)?.as_str() {
                    "r" | "p" => return Ok(CatalogEntry::Table(id)),
                    "v" => "a view; a snapshot copies the rows of tables only",
                    "m" => "a materialized view; refresh it in the target after the copy",
                    _ => "a foreign table; its rows live on another server",
                };
                Ok(CatalogEntry::NotCopied(id, why.to_string()))
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

    /// A sequence is taken when the column it feeds belongs to a selected table, or, when it
    /// feeds no column, when its schema holds a selected table.
    async fn objects(&self, tables: &[TableId]) -> Result<Vec<DbObject>> {
        let rows = sqlx::query(
            "SELECT n.nspname::text, c.relname::text, tn.nspname::text, t.relname::text, a.attname::text \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
               AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 \
             LEFT JOIN pg_class t ON t.oid = d.refobjid \
             LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace \
             LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
             WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
             ORDER BY 1, 2",
        )
        .fetch_all(&self.pool)
        .await
        .context("cannot list the source sequences")?;
        let mut out = Vec::new();
        for r in rows {
            let id = TableId::new(r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?);
            let owner = match (
                r.try_get::<Option<String>, _>(2)?,
                r.try_get::<Option<String>, _>(3)?,
                r.try_get::<Option<String>, _>(4)?,
            ) {
                (Some(schema), Some(tb), Some(col)) => Some((TableId::new(schema, tb), col)),
                _ => None,
            };
            let wanted = match &owner {
                Some((tb, _)) => tables.contains(tb),
                None => tables.iter().any(|t| t.schema == id.schema),
            };
            if !wanted {
                continue;
            }
            let (last_value, is_called): (i64, bool) = sqlx::query_as(&format!(
                "SELECT last_value, is_called FROM {}",
                table_name(&id)
            ))
            .fetch_one(&self.pool)
            .await
            .with_context(|| format!("cannot read the source sequence {id}"))?;
            out.push(DbObject::Sequence(SequenceState {
                id,
                owner,
                last_value,
                is_called,
            }));
        }
        Ok(out)
    }
}
