//! Copies one table. Keyed tables: the extractor fills a bounded buffer, a dispatcher cuts
//! batches into numbered write chunks, `parallel_size` writers commit them and acknowledge.
//! Tables without a usable key: one target transaction, committed only after the source was
//! read completely, then the finished mark. A paged table whose key allows NULL copies its
//! rows by key, then those with a NULL key in one transaction.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Result};
use dt_common::config::TaskConfig;
use dt_common::meta::{split_len, Row};
use dt_connector::{AtomicMsg, Batch, Clear, Extractor, KeyKind, Sinker, TableMeta};
use tokio::sync::{mpsc, Mutex};
use tracing::info;

use crate::progress::Progress;
use crate::summary::{Outcome, TableReport};
use crate::throttle::{Held, Limits};

/// One write chunk: its place in key order, its rows, and the position text of its last
/// row's key.
struct Chunk {
    seq: u64,
    rows: Vec<Row>,
    last_key: Option<Vec<String>>,
}

pub(crate) struct TableJob<'a> {
    pub cfg: &'a TaskConfig,
    pub extractor: &'a dyn Extractor,
    pub sinker: &'a dyn Sinker,
    pub progress: &'a Progress,
    /// Delete, before copying them again, the target rows that cannot be matched by key:
    /// all of a key-less table, those with a NULL key of a paged table (resume runs).
    pub clear_unkeyed: bool,
    /// The task's rate limits and buffer memory cap, shared by all tables.
    pub limits: &'a Limits,
}

/// A page in the buffer, with its share of the buffer memory cap.
struct Buffered {
    batch: Batch,
    _held: Held,
}

impl TableJob<'_> {
    pub async fn run(&self, meta: &TableMeta, resume: Option<&[String]>) -> Result<TableReport> {
        let id = &meta.id;
        let started = Instant::now();
        let after = resume.map(|values| position_text(&meta.order_col_names(), values));
        match &after {
            Some(after) => info!("task, start {id}: resume after {after}"),
            None => info!(
                "task, start {id}: from the beginning, about {} row(s), key {:?}",
                meta.estimated_rows, meta.key
            ),
        }
        self.progress
            .begin(id, &meta.order_col_names(), meta.estimated_rows);
        let result = match meta.key {
            KeyKind::None => self.copy_atomic(meta, Clear::Table).await,
            KeyKind::Paged | KeyKind::Unpaged => self.copy_keyed(meta, resume).await,
        };
        let rows = match result {
            Ok(rows) => rows,
            Err(e) => {
                // Record what is committed so far, then stop tracking the table.
                let _ = self.progress.checkpoint().await;
                self.progress.abandon(id);
                return Err(e.context(format!("copy of {id} failed")));
            }
        };
        self.progress.finish(id);
        let elapsed = started.elapsed();
        info!(
            "task, end {id}: {rows} row(s) in {:.3}s",
            elapsed.as_secs_f64()
        );
        let outcome = match after {
            Some(after) => Outcome::Resumed { after },
            None => Outcome::Copied,
        };
        Ok(TableReport {
            id: id.clone(),
            rows,
            elapsed,
            outcome,
        })
    }

    fn buffer_batches(&self) -> usize {
        (self.cfg.pipeline.buffer_size / self.cfg.extractor.batch_size).max(1)
    }

    /// The buffer between the extractor and the writers: the sender the extractor fills,
    /// the receiving end, and the gate that moves pages from one to the other as the
    /// source-side rate limits and the memory cap allow. The gate takes a page only once the
    /// buffer has room for it, and the channel before it holds one, so at most
    /// `buffer_batches` pages are in flight, as without the gate.
    fn buffer(
        &self,
    ) -> (
        mpsc::Sender<Batch>,
        mpsc::Receiver<Buffered>,
        impl std::future::Future<Output = Result<()>> + '_,
    ) {
        let (tx, mut raw) = mpsc::channel::<Batch>(1);
        let (btx, brx) = mpsc::channel::<Buffered>(self.buffer_batches().saturating_sub(1).max(1));
        let gate = async move {
            loop {
                let room = btx
                    .reserve()
                    .await
                    .map_err(|_| anyhow!("writers stopped"))?;
                let Some(batch) = raw.recv().await else {
                    return Ok(());
                };
                self.limits.source(&batch.rows).await;
                let held = self.limits.hold(&batch.rows).await;
                room.send(Buffered { batch, _held: held });
            }
        };
        (tx, brx, gate)
    }

    /// Copies in one target transaction the rows of a table without a usable key
    /// (`Clear::Table`), or those of a paged table with a NULL in the key
    /// (`Clear::NullKeys`); on a resume run, those target rows are deleted first, in the
    /// same transaction, so the rows are there exactly once after the commit.
    async fn copy_atomic(&self, meta: &TableMeta, part: Clear) -> Result<u64> {
        let (tx, mut rx, gate) = self.buffer();
        let (atx, arx) = mpsc::channel::<AtomicMsg>(1);
        let read = async {
            match part {
                Clear::NullKeys => self.extractor.extract_null_keys(meta, tx).await,
                _ => self.extractor.extract(meta, None, tx).await,
            }
        };
        let feed = async {
            let forward = async {
                while let Some(page) = rx.recv().await {
                    self.limits.target(&page.batch.rows).await;
                    atx.send(AtomicMsg::Rows(page.batch.rows))
                        .await
                        .map_err(|_| anyhow!("writer stopped"))?;
                }
                Ok(())
            };
            let (read, (), ()) = tokio::try_join!(read, gate, forward)?;
            atx.send(AtomicMsg::Commit)
                .await
                .map_err(|_| anyhow!("writer stopped"))?;
            Ok::<_, anyhow::Error>(read)
        };
        let clear = if self.clear_unkeyed {
            part
        } else {
            Clear::Nothing
        };
        let (read, written) = tokio::try_join!(feed, self.sinker.write_atomic(meta, clear, arx))?;
        check_counts(meta, read, written)?;
        self.progress.count(&meta.id, written);
        if part == Clear::NullKeys {
            info!(
                "task, {}: {written} row(s) with NULL in the key ({}) copied in one transaction",
                meta.id,
                meta.key_col_names().join(", ")
            );
        }
        Ok(written)
    }

    /// Copies a table with a key by parallel writers, then, when the key allows NULL, the
    /// rows with a NULL key in one transaction: they come last, so an interruption there
    /// keeps every position of the paged part, and the resumed run only copies them again.
    async fn copy_keyed(&self, meta: &TableMeta, resume: Option<&[String]>) -> Result<u64> {
        let rows = self.copy_parallel(meta, resume).await?;
        if !meta.null_keys {
            return Ok(rows);
        }
        Ok(rows + self.copy_atomic(meta, Clear::NullKeys).await?)
    }

    async fn copy_parallel(&self, meta: &TableMeta, resume: Option<&[String]>) -> Result<u64> {
        let chunk_rows = self.cfg.sink_batch_size();
        let writers = self.cfg.parallelizer.parallel_size;
        let (tx, mut rx, gate) = self.buffer();
        let (ctx, crx) = mpsc::channel::<Chunk>(writers * 2);
        let crx = Arc::new(Mutex::new(crx));
        let dispatch = async move {
            let mut seq = 0;
            while let Some(page) = rx.recv().await {
                // The page holds its share of the memory cap until it is cut into chunks.
                let mut rows = page.batch.rows;
                while !rows.is_empty() {
                    let rest = rows.split_off(split_len(&rows, chunk_rows, CHUNK_BYTES));
                    let last_key = rows.last().and_then(|row| meta.position_of(row));
                    let chunk = Chunk {
                        seq,
                        rows,
                        last_key,
                    };
                    seq += 1;
                    if ctx.send(chunk).await.is_err() {
                        return Err(anyhow!("writers stopped"));
                    }
                    rows = rest;
                }
            }
            Ok::<_, anyhow::Error>(())
        };
        let write_all = futures::future::try_join_all((0..writers).map(|_| {
            let crx = crx.clone();
            async move {
                let mut written = 0u64;
                loop {
                    let next = crx.lock().await.recv().await;
                    let Some(chunk) = next else { break };
                    self.limits.target(&chunk.rows).await;
                    self.sinker.write(meta, &chunk.rows).await?;
                    let n = chunk.rows.len() as u64;
                    self.progress.ack(&meta.id, chunk.seq, chunk.last_key, n);
                    written += n;
                }
                Ok::<_, anyhow::Error>(written)
            }
        }));
        let (read, (), (), written) = tokio::try_join!(
            self.extractor.extract(meta, resume, tx),
            gate,
            dispatch,
            write_all
        )?;
        check_counts(meta, read, written.iter().sum())?;
        Ok(read)
    }
}

/// The most bytes of rows in one write chunk (besides `[sinker] batch_size` rows), so that
/// chunks of large rows stay small in memory and on the wire.
const CHUNK_BYTES: usize = 8 << 20;

/// A position as default.log and the summary show it: `id = 5` for one column,
/// `(a, b) = (1, x)` for several.
fn position_text(cols: &[&str], values: &[String]) -> String {
    match (cols, values) {
        ([col], [value]) => format!("{col} = {value}"),
        _ => format!("({}) = ({})", cols.join(", "), values.join(", ")),
    }
}

/// Every row read must have been written; anything else is a bug that could lose data.
fn check_counts(meta: &TableMeta, read: u64, written: u64) -> Result<()> {
    if read != written {
        return Err(anyhow!(
            "{}: read {read} row(s) but wrote {written}",
            meta.id
        ));
    }
    Ok(())
}
