//! PostgreSQL extractor: tables of the URL's database chosen by the filter, paged by the
//! order column in the column type's own order (`WHERE k > 'v'::type ORDER BY k`, text keys in
//! their collation), values read in text form over the simple query protocol.

use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::Row;
use dt_common::row_filter::RowFilter;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnection, PgPool, Postgres};
use sqlx::{Executor, Transaction};
use tokio::sync::mpsc;

use super::catalog::{self, relation, table_name};
use super::text::{parse_line, take_lines};
use super::{literal, position, quote};
use crate::catalog::{describe, where_sql};
use crate::{
    plan_table, Batch, Batcher, ConnectorError, DbObject, Extractor, Listing, PageSizer,
    SequenceState, TableMeta, TablePlan,
};

pub struct PgExtractor {
    pool: PgPool,
    filter: NameFilter,
    rows: RowFilter,
    resumer: Arc<dyn Resumer>,
    batch_size: usize,
    /// The snapshot every read of this run sees, exported by the transaction `_holder`
    /// keeps open; `None` when it could not be exported.
    snapshot: Option<String>,
    _holder: Option<tokio::sync::Mutex<PgConnection>>,
}

impl PgExtractor {
    pub fn new(
        pool: PgPool,
        (filter, rows): (NameFilter, RowFilter),
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
            rows,
            resumer,
            batch_size,
            snapshot,
            _holder: holder,
        }
    }

    async fn source_relation(&self, id: &TableId) -> Result<String> {
        relation(&self.pool, id).await?.ok_or_else(|| {
            ConnectorError::MissingTable {
                end: "source",
                table: id.clone(),
            }
            .into()
        })
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
        let cond = self.rows.condition(&meta.id);
        loop {
            let n = pages.limit();
            let after = last
                .as_ref()
                .map(|v| format!("{key} > {}", position::decode(v, key_type)));
            let filter = where_sql(cond, after.as_deref());
            let select = format!("SELECT {cols} FROM {table}{filter} ORDER BY {key} LIMIT {n}");
            let mut rows = Vec::with_capacity(n);
            self.copy_out(&select, Some(k), |row| {
                rows.push(row);
                Ok(())
            })
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e))?;
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
            "SELECT {} FROM {}{}",
            Self::select_list(meta),
            self.source_relation(&meta.id).await?,
            where_sql(self.rows.condition(&meta.id), None)
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
        Ok(Listing::new(&self.filter, catalog::list(&self.pool).await?))
    }

    async fn plan(&self, id: &TableId) -> Result<TablePlan> {
        // A unique index implies a btree order, and the literal is cast to the column's type,
        // so `>` and ORDER BY agree for every key type.
        let ignored = self.rows.ignored(id);
        let describe = describe(&self.pool, id, ignored, |_| true, position::encode);
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

    /// A sequence is taken when the column it feeds belongs to a selected table, or, when it
    /// feeds no column, when its schema holds a selected table.
    async fn objects(&self, tables: &[TableId]) -> Result<Vec<DbObject>> {
        let mut out = Vec::new();
        for (id, owner) in catalog::sequences(&self.pool).await? {
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
            .map_err(|e| ConnectorError::read(format!("the source sequence {id}"), e))?;
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
