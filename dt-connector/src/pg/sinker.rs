//! PostgreSQL sinker. Keyed tables: in one transaction, COPY the rows into a session-local
//! staging table, then `INSERT … SELECT … ON CONFLICT (key) DO UPDATE`, so rows written again
//! after a crash replace themselves. Tables without a usable key: COPY straight into the
//! target inside one transaction. With `[sinker] replace=false` a key the target holds is an
//! error instead ([`ConflictMode`]).

use std::collections::HashSet;

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::config::ConflictMode;
use dt_common::meta::Row;
use dt_common::router::Router;
use dt_common::TableId;
use sqlx::postgres::{PgConnection, PgDatabaseError, PgPool};
use sqlx::{Connection, Executor};
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::catalog::{regclass, relation, serial_sequence, table_name};
use super::text::push_row;
use super::{binary, deferred, quote};
use crate::catalog::{check_target, cleared, Cached, Catalog};
use crate::{
    next_atomic_rows, AtomicMsg, Clear, ConnectorError, DbObject, KeyKind, ProgressRow, Sinker,
    TableMeta,
};

pub struct PgSinker {
    pool: PgPool,
    catalog: Cached<PgPool>,
    router: Router,
    batch_size: usize,
    conflict: ConflictMode,
    /// `[sinker] defer_indexes`.
    defer: bool,
    /// The target tables with deferred indexes, read from the target on first use.
    deferred: tokio::sync::Mutex<Option<HashSet<TableId>>>,
}

/// Target names of one table.
struct Target {
    id: TableId,
    cols: Vec<String>,
}

impl PgSinker {
    pub fn new(
        pool: PgPool,
        router: Router,
        (batch_size, conflict): (usize, ConflictMode),
        defer: bool,
    ) -> Self {
        PgSinker {
            catalog: Cached::new(pool.clone()),
            pool,
            router,
            batch_size,
            conflict,
            defer,
            deferred: tokio::sync::Mutex::new(None),
        }
    }

    fn target(&self, meta: &TableMeta) -> Target {
        Target {
            id: self.router.route_table(&meta.id),
            cols: meta
                .columns
                .iter()
                .map(|c| quote(self.router.route_col(&meta.id, &c.name)))
                .collect(),
        }
    }

    /// COPYs `rows` of `meta` into `table` (already quoted) on `conn`, in binary when the
    /// rows are ([`TableMeta::binary_rows`]).
    async fn copy_in(
        conn: &mut PgConnection,
        table: &str,
        cols: &[String],
        meta: &TableMeta,
        rows: &[Row],
    ) -> Result<()> {
        let mut data = Vec::with_capacity(rows.len() * 128);
        let format = if meta.binary_rows {
            binary::push_header(&mut data);
            for row in rows {
                binary::push_row(&mut data, row, &meta.columns)?;
            }
            binary::push_trailer(&mut data);
            " (FORMAT binary)"
        } else {
            for row in rows {
                push_row(&mut data, row);
            }
            ""
        };
        let mut copy = conn
            .copy_in_raw(&format!(
                "COPY {table} ({}) FROM STDIN{format}",
                cols.join(",")
            ))
            .await?;
        if let Err(e) = copy.send(data).await {
            let _ = copy.abort("send failed").await;
            return Err(e.into());
        }
        copy.finish().await?;
        Ok(())
    }

    /// Writes `rows` through a staging table: an upsert, or with `keep` an insert that
    /// leaves rows the target holds. With `keep` the transaction commits only when every
    /// row the target held equals its source row (compared in text form, so exactly); returns
    /// how many differed. `record` is written in the same transaction.
    async fn upsert(
        &self,
        meta: &TableMeta,
        t: &Target,
        rows: &[Row],
        keep: bool,
        record: Option<&ProgressRow>,
    ) -> Result<u64> {
        let stage = stage_name(&t.id);
        let key: Vec<&str> = meta.key_cols.iter().map(|&i| t.cols[i].as_str()).collect();
        let updates: Vec<String> = t
            .cols
            .iter()
            .filter(|c| !key.contains(&c.as_str()))
            .map(|c| format!("{c} = EXCLUDED.{c}"))
            .collect();
        let on_conflict = if updates.is_empty() || keep {
            format!("ON CONFLICT ({}) DO NOTHING", key.join(","))
        } else {
            format!(
                "ON CONFLICT ({}) DO UPDATE SET {}",
                key.join(","),
                updates.join(",")
            )
        };
        let cols = t.cols.join(",");
        let mut conn = self.pool.acquire().await?;
        let mut tx = conn.begin().await?;
        tx.execute(
            format!(
                "CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS",
                table_name(&t.id)
            )
            .as_str(),
        )
        .await?;
        Self::copy_in(&mut tx, &stage, &t.cols, meta, rows).await?;
        tx.execute(
            format!(
                "INSERT INTO {} ({cols}) OVERRIDING SYSTEM VALUE SELECT {cols} FROM {stage} {on_conflict}",
                table_name(&t.id)
            )
            .as_str(),
        )
        .await?;
        let differing: i64 = if keep {
            let row = |a: &str| {
                let cols: Vec<String> = t.cols.iter().map(|c| format!("{a}.{c}")).collect();
                format!("ROW({})::text", cols.join(","))
            };
            let same_key: Vec<String> = key.iter().map(|k| format!("t.{k} = s.{k}")).collect();
            let sql = format!(
                "SELECT count(*) FROM {stage} s WHERE NOT EXISTS (SELECT 1 FROM {} t WHERE {} \
                 AND {} = {})",
                table_name(&t.id),
                same_key.join(" AND "),
                row("t"),
                row("s")
            );
            sqlx::query_scalar(&sql).fetch_one(&mut *tx).await?
        } else {
            0
        };
        if differing == 0 {
            if let Some(record) = record {
                bind_record(record).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        Ok(differing as u64)
    }

    /// A chunk whose COPY met a key the target holds: upserted, or refused or kept as
    /// [`ConflictMode`] says.
    async fn on_conflict(
        &self,
        meta: &TableMeta,
        t: &Target,
        rows: &[Row],
        e: anyhow::Error,
        record: Option<&ProgressRow>,
    ) -> Result<()> {
        let table = t.id.clone();
        match self.conflict {
            ConflictMode::Replace => self.upsert(meta, t, rows, false, record).await.map(drop),
            ConflictMode::Error => {
                let db = e
                    .downcast_ref::<sqlx::Error>()
                    .and_then(|e| e.as_database_error());
                let detail = db
                    .and_then(|d| d.try_downcast_ref::<PgDatabaseError>())
                    .and_then(|d| d.detail());
                let reason = match (db, detail) {
                    (Some(d), Some(detail)) => format!("{}: {detail}", d.message()),
                    _ => e.to_string(),
                };
                Err(ConnectorError::Conflict { table, reason }.into())
            }
            ConflictMode::ErrorUnlessEqual => match self.upsert(meta, t, rows, true, record).await?
            {
                0 => Ok(()),
                n => {
                    let reason = format!(
                        "{n} row(s) of the target differ from the source rows with their keys \
                         (a resumed run leaves only rows equal to the source's as they are)"
                    );
                    Err(ConnectorError::Conflict { table, reason }.into())
                }
            },
        }
    }

    async fn write_rows(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        let t = self.target(meta);
        let ctx = || format!("cannot write to target table {}", t.id);
        for chunk in rows.chunks(self.batch_size.max(1)) {
            match meta.key {
                KeyKind::None => {
                    let mut conn = self.pool.acquire().await.with_context(ctx)?;
                    Self::copy_in(&mut conn, &table_name(&t.id), &t.cols, meta, chunk)
                        .await
                        .with_context(ctx)?;
                }
                KeyKind::Paged | KeyKind::Unpaged => {
                    // Fast path: a plain COPY, which is all or nothing. If any row is
                    // already there (re-sent after an interruption) it fails with a unique
                    // violation and the chunk goes through the upsert instead.
                    let mut conn = self.pool.acquire().await.with_context(ctx)?;
                    match Self::copy_in(&mut conn, &table_name(&t.id), &t.cols, meta, chunk).await {
                        Ok(()) => {}
                        Err(e) if is_unique_violation(&e) => {
                            drop(conn);
                            self.on_conflict(meta, &t, chunk, e, None)
                                .await
                                .with_context(ctx)?
                        }
                        Err(e) => return Err(e).with_context(ctx),
                    }
                }
            }
        }
        Ok(())
    }

    /// [`Sinker::write_recorded`]: the rows by COPY and the record in one transaction; when a
    /// key is already there, through [`PgSinker::on_conflict`] with the record.
    async fn write_rows_recorded(
        &self,
        meta: &TableMeta,
        rows: &[Row],
        record: &ProgressRow,
    ) -> Result<()> {
        let t = self.target(meta);
        let ctx = || format!("cannot write to target table {}", t.id);
        let mut conn = self.pool.acquire().await.with_context(ctx)?;
        let mut tx = conn.begin().await.with_context(ctx)?;
        match Self::copy_in(&mut tx, &table_name(&t.id), &t.cols, meta, rows).await {
            Ok(()) => {
                bind_record(record)
                    .execute(&mut *tx)
                    .await
                    .with_context(ctx)?;
                tx.commit().await.with_context(ctx)
            }
            Err(e) if is_unique_violation(&e) && meta.key != KeyKind::None => {
                drop(tx);
                drop(conn);
                self.on_conflict(meta, &t, rows, e, Some(record))
                    .await
                    .with_context(ctx)
            }
            Err(e) => Err(e).with_context(ctx),
        }
    }

    async fn write_all_atomic(
        &self,
        meta: &TableMeta,
        clear: Clear,
        mut rx: mpsc::Receiver<AtomicMsg>,
        record: Option<&ProgressRow>,
    ) -> Result<u64> {
        let t = self.target(meta);
        let ctx = || format!("cannot write to target table {}", t.id);
        let mut conn = self.pool.acquire().await.with_context(ctx)?;
        let mut tx = conn.begin().await.with_context(ctx)?;
        if clear != Clear::Nothing {
            // The relation as the extractor reads it: a partitioned table with its
            // partitions, an inheritance parent without its children. The lock keeps a
            // second task from filling the table at the same time (it waits, then empties
            // what this one committed); readers still see the old rows until the commit.
            let rel =
                relation(&mut *tx, &t.id)
                    .await?
                    .ok_or_else(|| ConnectorError::MissingTable {
                        end: "target",
                        table: t.id.clone(),
                    })?;
            tx.execute(format!("LOCK TABLE {rel} IN EXCLUSIVE MODE").as_str())
                .await
                .with_context(ctx)?;
            let keys: Vec<String> = meta.key_cols.iter().map(|&i| t.cols[i].clone()).collect();
            let filter = cleared(clear, &keys).unwrap_or_default();
            tx.execute(format!("DELETE FROM {rel}{filter}").as_str())
                .await
                .with_context(ctx)?;
        }
        let mut total = 0u64;
        while let Some(rows) = next_atomic_rows(&mut rx, &meta.id).await? {
            Self::copy_in(&mut tx, &table_name(&t.id), &t.cols, meta, &rows)
                .await
                .with_context(ctx)?;
            total += rows.len() as u64;
        }
        if let Some(record) = record {
            bind_record(record)
                .execute(&mut *tx)
                .await
                .with_context(ctx)?;
        }
        tx.commit().await.with_context(ctx)?;
        Ok(total)
    }
}

/// Adds what to do to a foreign-key violation: tables are copied in name order and in
/// parallel, so a row may arrive before the row it references.
fn explain_fk_violation(e: anyhow::Error) -> anyhow::Error {
    let fk = e.chain().any(|c| {
        c.downcast_ref::<sqlx::Error>()
            .and_then(|e| e.as_database_error())
            .is_some_and(|d| d.is_foreign_key_violation())
    });
    if fk {
        e.context(
            "a row references a row that is not in the target yet (tables are copied in name \
             order, several at a time): add foreign keys to the target after the copy, or set \
             [sinker] disable_foreign_key_checks=true (or disable_triggers=true)",
        )
    } else {
        e
    }
}

/// The statement that writes `record` into the progress table.
fn bind_record(
    record: &ProgressRow,
) -> sqlx::query::Query<'_, sqlx::Postgres, sqlx::postgres::PgArguments> {
    let [a, b, c, d] = &record.params;
    sqlx::query(&record.sql).bind(a).bind(b).bind(c).bind(d)
}

fn is_unique_violation(e: &anyhow::Error) -> bool {
    e.downcast_ref::<sqlx::Error>()
        .and_then(|e| e.as_database_error())
        .is_some_and(|d| d.is_unique_violation())
}

/// A session-local staging table per target table; hashed so that long names cannot collide
/// after PostgreSQL's 63-byte identifier limit.
fn stage_name(id: &TableId) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    quote(&format!("dt_stage_{:016x}", h.finish()))
}

#[async_trait]
impl Sinker for PgSinker {
    async fn prepare(&self, meta: &TableMeta) -> Result<()> {
        // Both the COPY fast path and the upsert rely on a unique key over the key columns.
        Ok(check_target(&self.catalog, &self.router, meta).await?)
    }

    async fn prepare_keys_later(&self, meta: &TableMeta) -> Result<()> {
        let keyless = TableMeta {
            key: KeyKind::None,
            ..meta.clone()
        };
        Ok(check_target(&self.catalog, &self.router, &keyless).await?)
    }

    /// Every target column has the source column's type, as `format_type` prints it (with
    /// its length, precision or scale).
    async fn takes_binary_rows(&self, meta: &TableMeta) -> Result<bool> {
        let t = self.target(meta);
        let target = self.catalog.columns(&t.id).await?;
        Ok(meta.columns.iter().all(|c| {
            let name = self.router.route_col(&meta.id, &c.name);
            target
                .iter()
                .any(|d| d.name == name && d.type_name == c.type_name)
        }))
    }

    async fn holds(&self, meta: &TableMeta, part: Clear) -> Result<bool> {
        let t = self.target(meta);
        let keys: Vec<String> = meta.key_cols.iter().map(|&i| t.cols[i].clone()).collect();
        let Some(filter) = cleared(part, &keys) else {
            return Ok(false);
        };
        let Some(rel) = relation(&self.pool, &t.id).await? else {
            return Ok(false);
        };
        let read = |e| ConnectorError::read(format!("target table {}", t.id), e);
        let sql = format!("SELECT 1 FROM {rel}{filter} LIMIT 1");
        let row = sqlx::query(&sql)
            .fetch_optional(&self.pool)
            .await
            .map_err(read)?;
        Ok(row.is_some())
    }

    async fn defer_indexes(&self, meta: &TableMeta) -> Result<Vec<String>> {
        let t = self.target(meta);
        // A key column has a B-tree operator class, which the placeholder index needs.
        let col = meta.key_cols.first().copied().unwrap_or(0);
        let Some(col) = t.cols.get(col).filter(|_| self.defer) else {
            return Ok(Vec::new());
        };
        let names = deferred::defer(&self.pool, &t.id, col).await?;
        if !names.is_empty() {
            // Read the tables with placeholders again at the next build.
            *self.deferred.lock().await = None;
        }
        Ok(names)
    }

    async fn build_deferred_indexes(&self, id: &TableId) -> Result<Vec<String>> {
        let target = self.router.route_table(id);
        {
            let mut known = self.deferred.lock().await;
            if known.is_none() {
                *known = Some(deferred::tables_with_placeholders(&self.pool).await?);
            }
            if !known.as_mut().is_some_and(|t| t.remove(&target)) {
                return Ok(Vec::new());
            }
        }
        deferred::build(&self.pool, &target).await
    }

    async fn write(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        self.write_rows(meta, rows)
            .await
            .map_err(explain_fk_violation)
    }

    async fn write_recorded(
        &self,
        meta: &TableMeta,
        rows: &[Row],
        record: &ProgressRow,
    ) -> Result<()> {
        self.write_rows_recorded(meta, rows, record)
            .await
            .map_err(explain_fk_violation)
    }

    async fn write_atomic(
        &self,
        meta: &TableMeta,
        clear: Clear,
        rx: mpsc::Receiver<AtomicMsg>,
        record: Option<&ProgressRow>,
    ) -> Result<u64> {
        self.write_all_atomic(meta, clear, rx, record)
            .await
            .map_err(explain_fk_violation)
    }

    /// The target sequence of one that feeds a column is the one feeding the routed column
    /// (found with `pg_get_serial_sequence`, so its name may differ); any other goes by its
    /// name in the routed schema. A sequence missing from the target is a warning: the
    /// rows are all there, only new inserts may collide.
    async fn apply_objects(&self, objects: &[DbObject]) -> Result<usize> {
        let mut set = 0;
        for obj in objects {
            // Refutable when the `mongo` feature adds MongoDB's objects.
            #[allow(irrefutable_let_patterns)]
            let DbObject::Sequence(seq) = obj
            else {
                continue;
            };
            let (target, found): (String, Option<String>) = match &seq.owner {
                Some((tb, col)) => {
                    let tb_dst = self.router.route_table(tb);
                    let col_dst = self.router.route_col(tb, col);
                    let found = serial_sequence(&self.pool, &tb_dst, col_dst).await?;
                    (
                        format!("the sequence of {tb_dst} column `{col_dst}`"),
                        found,
                    )
                }
                None => {
                    let schema = self.router.route_table(&seq.id).schema;
                    let name = table_name(&TableId::new(schema, seq.id.tb.clone()));
                    let found = regclass(&self.pool, &name).await?;
                    (format!("target sequence {name}"), found)
                }
            };
            let Some(name) = found else {
                warn!("sequence, {} not set: {target} does not exist", seq.id);
                continue;
            };
            sqlx::query("SELECT setval($1::regclass, $2, $3)")
                .bind(&name)
                .bind(seq.last_value)
                .bind(seq.is_called)
                .execute(&self.pool)
                .await
                .with_context(|| format!("cannot set target sequence {name}"))?;
            info!(
                "sequence, {} -> {name}: last_value {}, is_called {}",
                seq.id, seq.last_value, seq.is_called
            );
            set += 1;
        }
        Ok(set)
    }
}
