//! MySQL sinker: multi-row `INSERT … ON DUPLICATE KEY UPDATE` so that rows written again
//! after a crash replace themselves; deadlocks between parallel writers are retried. Tables
//! without a usable key are written in one transaction. With `[sinker] replace=false` rows go
//! in with a plain `INSERT`, and a key the target holds is an error ([`ConflictMode`]).
//! On a MariaDB target the statements of [`Sinker::write`] go in by bulk execution
//! ([`BulkPool`]) where the target allows it: the same statement, sent more cheaply.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::{bail, Result};
use async_trait::async_trait;
use dt_common::config::ConflictMode;
use dt_common::meta::{row_bytes, split_len, Row};
use dt_common::router::Router;
use dt_common::TableId;
use sqlx::mysql::{MySqlArguments, MySqlDatabaseError, MySqlPool};
use sqlx::{Connection, Executor, MySql, Transaction};
use tokio::sync::mpsc;

use super::bulk::{self, BulkPool};
use super::catalog::table_name;
use super::deferred;
use super::quote;
use super::value::bind;
use crate::catalog::{check_target, cleared, Cached};
use crate::{
    next_atomic_rows, AtomicMsg, Clear, ConnectorError, KeyKind, ProgressRow, Sinker, TableMeta,
};

/// MySQL allows at most this many placeholders in one statement.
const MAX_PLACEHOLDERS: usize = 65_535;
const RETRIES: u32 = 5;

pub struct MysqlSinker {
    pool: MySqlPool,
    /// `[sinker] defer_indexes`.
    defer: bool,
    /// Per target schema, its tables with keys set aside, read from the target on first use.
    deferred: tokio::sync::Mutex<HashMap<String, HashSet<TableId>>>,
    catalog: Cached<MySqlPool>,
    router: Router,
    batch_size: usize,
    /// The most bytes of values one statement may carry: the target's max_allowed_packet
    /// less room for the statement's text.
    max_bytes: usize,
    conflict: ConflictMode,
    /// MariaDB's bulk execution for [`Sinker::write`], where the target takes it.
    bulk: Option<BulkPool>,
}

impl MysqlSinker {
    pub fn new(
        pool: MySqlPool,
        router: Router,
        batch_size: usize,
        max_allowed_packet: u64,
        (conflict, defer): (ConflictMode, bool),
    ) -> Self {
        MysqlSinker {
            catalog: Cached::new(pool.clone()),
            pool,
            defer,
            deferred: Default::default(),
            router,
            batch_size,
            max_bytes: (max_allowed_packet as usize)
                .saturating_sub(64 << 10)
                .max(1 << 10),
            conflict,
            bulk: None,
        }
    }

    /// Writes the rows of [`Sinker::write`] by MariaDB's bulk execution.
    pub fn with_bulk(mut self, bulk: Option<BulkPool>) -> Self {
        self.bulk = bulk;
        self
    }

    /// `rows` cut into statements of at most `rows_per_statement` rows and `max_bytes`.
    fn statements<'r>(&self, meta: &TableMeta, rows: &'r [Row]) -> Result<Vec<&'r [Row]>> {
        let max_rows = self.rows_per_statement(meta);
        let (mut out, mut rest) = (Vec::new(), rows);
        while !rest.is_empty() {
            let (statement, tail) = rest.split_at(split_len(rest, max_rows, self.max_bytes));
            // Only a row alone in its statement can be over the limit.
            if let [row] = statement {
                let size = row_bytes(row);
                if size > self.max_bytes {
                    bail!(
                        "a row of {} is about {size} bytes, more than the target's \
                         max_allowed_packet allows ({} bytes with the statement): raise it on \
                         the target, e.g. SET GLOBAL max_allowed_packet = 1073741824",
                        meta.id,
                        self.max_bytes + (64 << 10)
                    );
                }
            }
            out.push(statement);
            rest = tail;
        }
        Ok(out)
    }

    fn target(&self, meta: &TableMeta) -> (TableId, Vec<String>) {
        let id = self.router.route_table(&meta.id);
        let cols = meta
            .columns
            .iter()
            .map(|c| self.router.route_col(&meta.id, &c.name).to_string())
            .collect();
        (id, cols)
    }

    /// The statement and its arguments for `rows`.
    fn statement(
        &self,
        meta: &TableMeta,
        rows: &[Row],
        upsert: bool,
    ) -> Result<(String, MySqlArguments)> {
        let mut args = MySqlArguments::default();
        for row in rows {
            for v in row {
                bind(&mut args, v)?;
            }
        }
        Ok((self.statement_text(meta, rows.len(), upsert), args))
    }

    /// The text of an insert of `rows` rows of placeholders.
    fn statement_text(&self, meta: &TableMeta, rows: usize, upsert: bool) -> String {
        let (id, cols) = self.target(meta);
        let quoted: Vec<String> = cols.iter().map(|c| quote(c)).collect();
        let one = format!("({})", vec!["?"; cols.len()].join(","));
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            table_name(&id),
            quoted.join(",")
        );
        for i in 0..rows {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&one);
        }
        if upsert {
            let set: Vec<String> = quoted.iter().map(|c| format!("{c}=VALUES({c})")).collect();
            sql.push_str(" ON DUPLICATE KEY UPDATE ");
            sql.push_str(&set.join(","));
        }
        sql
    }

    fn rows_per_statement(&self, meta: &TableMeta) -> usize {
        self.batch_size
            .min(MAX_PLACEHOLDERS / meta.columns.len().max(1))
            .max(1)
    }
}

/// ER_DUP_ENTRY: a unique key of the target already holds the value.
const ER_DUP_ENTRY: u16 = 1062;
/// ER_LOCK_DEADLOCK: the server chose this statement's transaction as a deadlock victim.
const ER_LOCK_DEADLOCK: u16 = 1213;
/// ER_LOCK_WAIT_TIMEOUT: the statement waited `innodb_lock_wait_timeout` for a row lock.
const ER_LOCK_WAIT_TIMEOUT: u16 = 1205;

/// A deadlock or a lock wait timeout is safe to retry: the statement rolled back. sqlx has
/// no predicate for either, so they go by the server's error number.
fn retryable(e: &sqlx::Error) -> bool {
    retryable_number(error_number(e))
}

fn retryable_number(number: Option<u16>) -> bool {
    matches!(number, Some(ER_LOCK_DEADLOCK | ER_LOCK_WAIT_TIMEOUT))
}

pub(super) fn error_number(e: &sqlx::Error) -> Option<u16> {
    e.as_database_error()
        .and_then(|d| d.try_downcast_ref::<MySqlDatabaseError>())
        .map(|d| d.number())
}

/// A failed statement, from whichever client sent it.
#[derive(Debug, thiserror::Error)]
enum Failed {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Bulk(#[from] bulk::Error),
}

impl Failed {
    fn number(&self) -> Option<u16> {
        match self {
            Failed::Sqlx(e) => error_number(e),
            Failed::Bulk(e) => e.number(),
        }
    }

    fn retryable(&self) -> bool {
        retryable_number(self.number())
    }

    /// The server's message, for a conflict's reason.
    fn reason(&self) -> String {
        match self {
            Failed::Sqlx(e) => e
                .as_database_error()
                .map_or_else(|| e.to_string(), |d| d.message().to_string()),
            Failed::Bulk(bulk::Error::Server { message, .. }) => message.clone(),
            Failed::Bulk(e) => e.to_string(),
        }
    }
}

impl MysqlSinker {
    /// Runs one statement's insert, retrying deadlocks. With [`ConflictMode::Replace`] it is
    /// an upsert; otherwise a plain `INSERT`, and a key the target holds is a
    /// [`ConnectorError::Conflict`] unless [`ConflictMode::ErrorUnlessEqual`] finds the
    /// target's rows equal to these ([`Self::insert_if_equal`]).
    async fn insert(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        let upsert = meta.key != KeyKind::None && self.conflict == ConflictMode::Replace;
        let mut attempt = 0;
        loop {
            let e = match self.execute(meta, rows, upsert).await? {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            let table = self.target(meta).0;
            if e.retryable() && attempt < RETRIES {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                continue;
            }
            if e.number() != Some(ER_DUP_ENTRY) || upsert {
                return Err(ConnectorError::write(&table, e).into());
            }
            if self.conflict == ConflictMode::ErrorUnlessEqual {
                return self.insert_if_equal(meta, rows).await;
            }
            let reason = e.reason();
            return Err(ConnectorError::Conflict { table, reason }.into());
        }
    }

    /// One statement's insert in autocommit: by bulk execution when the target takes it
    /// (one command, one statement, all rows or none), by sqlx otherwise. Returns the
    /// server's error as such.
    async fn execute(
        &self,
        meta: &TableMeta,
        rows: &[Row],
        upsert: bool,
    ) -> Result<Result<(), Failed>> {
        if let Some(bulk) = &self.bulk {
            let sql = self.statement_text(meta, 1, upsert);
            match bulk.execute(&sql, rows).await {
                Ok(true) => return Ok(Ok(())),
                Ok(false) => {}
                Err(e) => return Ok(Err(e.into())),
            }
        }
        let (sql, args) = self.statement(meta, rows, upsert)?;
        Ok(sqlx::query_with(&sql, args)
            .execute(&self.pool)
            .await
            .map(drop)
            .map_err(Failed::from))
    }

    /// Inserts `rows` where the target lacks them and leaves the target's rows that equal
    /// them, in one transaction; any row that differs rolls it back with an error. An upsert
    /// of every column reports each row it changed twice in its affected rows (the server
    /// compares the stored bytes; sqlx asks for found rows, so an unchanged row counts once).
    async fn insert_if_equal(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        let table = self.target(meta).0;
        let mut attempt = 0;
        let changed = loop {
            match self.upsert_counting_changes(meta, rows).await? {
                Ok(changed) => break changed,
                Err(e) if retryable(&e) && attempt < RETRIES => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
                Err(e) => return Err(ConnectorError::write(&table, e).into()),
            }
        };
        if changed > 0 {
            let reason = format!(
                "{changed} row(s) of the target differ from the source rows with their keys \
                 (a resumed run leaves only rows equal to the source's as they are)"
            );
            return Err(ConnectorError::Conflict { table, reason }.into());
        }
        Ok(())
    }

    /// The upsert of [`Self::insert_if_equal`] in a transaction, committed only when it
    /// changed no row; returns how many rows it changed (or the server's error).
    async fn upsert_counting_changes(
        &self,
        meta: &TableMeta,
        rows: &[Row],
    ) -> Result<sqlx::Result<u64>> {
        let (sql, args) = self.statement(meta, rows, true)?;
        let run = async {
            let mut tx = self.pool.begin().await?;
            let affected = sqlx::query_with(&sql, args)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let changed = affected.saturating_sub(rows.len() as u64);
            if changed > 0 {
                tx.rollback().await?;
            } else {
                tx.commit().await?;
            }
            Ok(changed)
        };
        Ok(run.await)
    }
}

impl MysqlSinker {
    /// [`Sinker::write_recorded`] once: a transaction with a plain `INSERT` per statement
    /// (an upsert, or a check that the target's rows are equal, when a key is already
    /// there), then the record. A server error is returned as the `sqlx::Error` itself, so
    /// that a deadlock can be retried.
    async fn insert_recorded(
        &self,
        meta: &TableMeta,
        statements: &[&[Row]],
        record: &ProgressRow,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        for rows in statements {
            let (sql, args) = self.statement(meta, rows, false)?;
            let e = match sqlx::query_with(&sql, args).execute(&mut *tx).await {
                Ok(_) => continue,
                Err(e) => e,
            };
            // The failed statement is rolled back alone; the transaction goes on.
            if error_number(&e) != Some(ER_DUP_ENTRY) || meta.key == KeyKind::None {
                return Err(e.into());
            }
            let table = self.target(meta).0;
            if self.conflict == ConflictMode::Error {
                let reason = e
                    .as_database_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_string());
                return Err(ConnectorError::Conflict { table, reason }.into());
            }
            let (sql, args) = self.statement(meta, rows, true)?;
            let affected = sqlx::query_with(&sql, args)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            let changed = affected.saturating_sub(rows.len() as u64);
            if self.conflict == ConflictMode::ErrorUnlessEqual && changed > 0 {
                let reason = format!(
                    "{changed} row(s) of the target differ from the source rows with their \
                     keys (a resumed run leaves only rows equal to the source's as they are)"
                );
                return Err(ConnectorError::Conflict { table, reason }.into());
            }
        }
        bind_record(record).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The statement that writes `record` into the progress table.
fn bind_record(record: &ProgressRow) -> sqlx::query::Query<'_, MySql, MySqlArguments> {
    let [a, b, c, d] = &record.params;
    sqlx::query(&record.sql).bind(a).bind(b).bind(c).bind(d)
}

#[async_trait]
impl Sinker for MysqlSinker {
    async fn prepare(&self, meta: &TableMeta) -> Result<()> {
        Ok(check_target(&self.catalog, &self.router, meta).await?)
    }

    async fn holds(&self, meta: &TableMeta, part: Clear) -> Result<bool> {
        let (id, cols) = self.target(meta);
        let keys: Vec<String> = meta.key_cols.iter().map(|&i| quote(&cols[i])).collect();
        let Some(filter) = cleared(part, &keys) else {
            return Ok(false);
        };
        let sql = format!("SELECT 1 FROM {}{filter} LIMIT 1", table_name(&id));
        let row = sqlx::query(&sql)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| ConnectorError::read(format!("target table {id}"), e))?;
        Ok(row.is_some())
    }

    async fn defer_indexes(&self, meta: &TableMeta) -> Result<Vec<String>> {
        if !self.defer {
            return Ok(Vec::new());
        }
        let names = deferred::defer(&self.pool, &self.target(meta).0).await?;
        if !names.is_empty() {
            // Read the tables with keys set aside again at the next build.
            self.deferred.lock().await.clear();
        }
        Ok(names)
    }

    async fn build_deferred_indexes(&self, id: &TableId) -> Result<Vec<String>> {
        let target = self.router.route_table(id);
        {
            let mut known = self.deferred.lock().await;
            if !known.contains_key(&target.schema) {
                let tables = deferred::tables_set_aside(&self.pool, &target.schema).await?;
                known.insert(target.schema.clone(), tables);
            }
            if !known
                .get_mut(&target.schema)
                .is_some_and(|t| t.remove(&target))
            {
                return Ok(Vec::new());
            }
        }
        deferred::build(&self.pool, &target).await
    }

    async fn write(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        for chunk in self.statements(meta, rows)? {
            self.insert(meta, chunk).await?;
        }
        Ok(())
    }

    async fn write_recorded(
        &self,
        meta: &TableMeta,
        rows: &[Row],
        record: &ProgressRow,
    ) -> Result<()> {
        let statements = self.statements(meta, rows)?;
        let mut attempt = 0;
        loop {
            let e = match self.insert_recorded(meta, &statements, record).await {
                Ok(()) => return Ok(()),
                Err(e) => e,
            };
            let Some(db) = e.downcast_ref::<sqlx::Error>() else {
                return Err(e);
            };
            if retryable(db) && attempt < RETRIES {
                attempt += 1;
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                continue;
            }
            let table = self.target(meta).0;
            return Err(ConnectorError::write(&table, e.downcast::<sqlx::Error>()?).into());
        }
    }

    async fn write_atomic(
        &self,
        meta: &TableMeta,
        clear: Clear,
        mut rx: mpsc::Receiver<AtomicMsg>,
        record: Option<&ProgressRow>,
    ) -> Result<u64> {
        let (id, cols) = self.target(meta);
        let write = |e: sqlx::Error| ConnectorError::write(&id, e);
        let mut conn = self.pool.acquire().await.map_err(write)?;
        let keys: Vec<String> = meta.key_cols.iter().map(|&i| quote(&cols[i])).collect();
        let delete = cleared(clear, &keys).map(|w| format!("DELETE FROM {}{w}", table_name(&id)));
        if delete.is_some() {
            // In REPEATABLE READ the DELETE below locks the rows it deletes and the gaps
            // between them until the commit, so a second task refilling the same table
            // waits and then deletes this one's copy, whatever isolation the server defaults
            // to.
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .await
                .map_err(write)?;
        }
        let mut tx: Transaction<'_, MySql> = conn.begin().await.map_err(write)?;
        if let Some(delete) = delete {
            tx.execute(delete.as_str()).await.map_err(write)?;
        }
        let mut total = 0u64;
        while let Some(rows) = next_atomic_rows(&mut rx, &meta.id).await? {
            for chunk in self.statements(meta, &rows)? {
                let (sql, args) = self.statement(meta, chunk, false)?;
                sqlx::query_with(&sql, args)
                    .execute(&mut *tx)
                    .await
                    .map_err(write)?;
            }
            total += rows.len() as u64;
        }
        if let Some(record) = record {
            bind_record(record).execute(&mut *tx).await.map_err(write)?;
        }
        tx.commit().await.map_err(write)?;
        Ok(total)
    }
}
