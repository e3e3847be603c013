//! Copies one table. Keyed tables: the extractor fills a bounded buffer, a dispatcher cuts
//! batches into numbered write chunks, `parallel_size` writers commit them and acknowledge.
//! A large paged table may be cut into key ranges (chunks of the table) copied that way by
//! `parallel_tables` readers at once, each with its own positions (docs/en/snapshot/resume.md,
//! "Chunks of one table").
//! Tables without a usable key: one target transaction, committed only after the source was
//! read completely, then the finished mark. A paged table whose key allows NULL copies its
//! rows by key, then those with a NULL key in one transaction.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{anyhow, Context, Result};
use dt_common::config::TaskConfig;
use dt_common::meta::{split_len, Row};
use dt_connector::{
    AtomicMsg, Batch, Clear, Extractor, KeyKind, KeySpan, ProgressRow, Sinker, TableMeta, PAGE_COL,
};
use dt_resumer::Position;
use tokio::sync::{mpsc, Mutex};
use tracing::{info, warn};

use crate::progress::{order_key, plan_position, Progress};
use crate::summary::{Outcome, TableReport};
use crate::throttle::{Held, Limits};
use crate::Inline;

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
    /// The estimated rows of all tables this run copies.
    pub planned_rows: u64,
    /// Progress committed in the target's transactions with the rows it records.
    pub inline: Option<&'a Inline>,
}

/// What a run of [`TableJob::copy_parallel`] copies: a table whole, which its last write
/// finishes unless rows with a NULL key follow, or one chunk of it.
#[derive(Debug, Clone, Copy)]
enum Part {
    Whole {
        ends_table: bool,
    },
    Chunk(usize),
    /// A table without a usable key, read by pages ([`Extractor::extract_pages`]).
    Pages,
}

impl Part {
    /// The part's number in the table's progress.
    fn index(self) -> usize {
        match self {
            Part::Whole { .. } | Part::Pages => 0,
            Part::Chunk(chunk) => chunk,
        }
    }
}

/// The most chunks a table is cut into; larger tables get larger chunks.
const MAX_CHUNKS: usize = 1024;

/// The fewest estimated rows of a table that dt cuts into chunks by itself.
const AUTO_CHUNK_ROWS: u64 = 100_000;

/// Chunks per reader of a table that dt cuts by itself: enough that the readers end close
/// together, few enough that each chunk is long (every chunk starts with a small page).
const AUTO_CHUNKS_PER_READER: u64 = 16;

/// How a paged table is read.
enum Layout {
    /// In key order by one reader, after a position.
    Whole(KeySpan),
    /// In chunks, several at once.
    Chunks(Vec<KeySpan>),
}

/// A page in the buffer, with its share of the buffer memory cap.
struct Buffered {
    batch: Batch,
    _held: Held,
}

impl TableJob<'_> {
    pub async fn run(
        &self,
        meta: &TableMeta,
        resume: Option<&[String]>,
        chunks: Option<Vec<KeySpan>>,
    ) -> Result<TableReport> {
        let id = &meta.id;
        let started = Instant::now();
        let pages = match self.reads_pages(meta).await {
            Ok(pages) => pages,
            Err(e) => return Err(e.context(format!("copy of {id} failed"))),
        };
        let resume = match (meta.key, pages, resume) {
            (KeyKind::None, false, Some(page)) => {
                warn!(
                    "resumer, {id}: its copy stopped after {} of its pages; a table without \
                     a key resumes there only with progress kept in the target \
                     ([resumer] resume_type=from_target), so it is copied again whole, \
                     replacing the target table's rows in one transaction",
                    position_text(&[PAGE_COL], page)
                );
                None
            }
            (_, _, resume) => resume,
        };
        let cols = position_cols(meta);
        let after = resume.map(|values| position_text(&cols, values));
        let resumed_chunks = chunks.as_ref().map(Vec::len);
        let layout = self.layout(meta, resume, chunks).await;
        let layout = match layout {
            Ok(layout) => layout,
            Err(e) => return Err(e.context(format!("copy of {id} failed"))),
        };
        if meta.binary_rows {
            info!("task, {id}: rows travel in binary form");
        }
        match (&layout, resumed_chunks, &after) {
            (Layout::Chunks(plan), Some(_), _) => {
                info!(
                    "task, start {id}: resume {} unfinished chunk(s)",
                    plan.len()
                );
                self.save_plan(meta, plan).await?;
                self.progress
                    .begin_chunks(id, &cols, meta.estimated_rows, plan);
            }
            (Layout::Chunks(plan), None, from) => {
                info!(
                    "task, start {id}: {}, about {} row(s), key {:?}, in {} chunk(s)",
                    from.as_ref()
                        .map_or("from the beginning".to_string(), |a| format!(
                            "resume after {a}"
                        )),
                    meta.estimated_rows,
                    meta.key,
                    plan.len()
                );
                self.save_plan(meta, plan).await?;
                self.progress
                    .begin_chunks(id, &cols, meta.estimated_rows, plan);
            }
            (_, _, Some(after)) => {
                info!("task, start {id}: resume after {after}");
                self.progress.begin(id, &cols, meta.estimated_rows);
            }
            (_, _, None) => {
                info!(
                    "task, start {id}: from the beginning, about {} row(s), key {:?}",
                    meta.estimated_rows, meta.key
                );
                self.progress.begin(id, &cols, meta.estimated_rows);
            }
        }
        let result = match (meta.key, &layout) {
            (KeyKind::None, Layout::Whole(span)) if pages => self.copy_pages(meta, span).await,
            (KeyKind::None, _) => self.copy_atomic(meta, Clear::Table).await,
            _ => self.copy_keyed(meta, &layout).await,
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
        let outcome = match (resumed_chunks, after) {
            (Some(left), _) => Outcome::ResumedChunks { left },
            (None, Some(after)) => Outcome::Resumed { after },
            (None, None) => Outcome::Copied,
        };
        Ok(TableReport {
            id: id.clone(),
            rows,
            elapsed,
            outcome,
        })
    }

    /// Whether `meta` is a table without a usable key to be read by pages, each range
    /// committed with its position: only with progress committed in the target's
    /// transactions, since a range written without its position could be written twice.
    async fn reads_pages(&self, meta: &TableMeta) -> Result<bool> {
        if meta.key != KeyKind::None || self.inline.is_none() {
            return Ok(false);
        }
        self.extractor.reads_pages(meta).await
    }

    /// Whether a paged table is read whole or in chunks: in the chunks an earlier run left,
    /// or in new chunks when [`TableJob::chunk_rows`] asks for them and the key splits.
    async fn layout(
        &self,
        meta: &TableMeta,
        resume: Option<&[String]>,
        chunks: Option<Vec<KeySpan>>,
    ) -> Result<Layout> {
        if let Some(plan) = chunks {
            return Ok(Layout::Chunks(plan));
        }
        let whole = Layout::Whole(KeySpan::after(resume.map(<[String]>::to_vec)));
        let Some(chunk_rows) = self.chunk_rows(meta) else {
            return Ok(whole);
        };
        let bounds = self
            .extractor
            .split(meta, resume, chunk_rows, MAX_CHUNKS)
            .await?;
        if bounds.is_empty() {
            return Ok(whole);
        }
        let mut after = resume.map(<[String]>::to_vec);
        let mut plan = Vec::with_capacity(bounds.len() + 1);
        for bound in bounds {
            plan.push(KeySpan {
                after: after.replace(bound.clone()),
                upto: Some(bound),
            });
        }
        plan.push(KeySpan::after(after));
        Ok(Layout::Chunks(plan))
    }

    /// Rows per chunk when `meta` is to be cut into chunks: a paged table, with at least two
    /// readers (`parallel_tables`), of more than `[extractor] batch_size` estimated rows
    /// (or of no estimate) under `[extractor] parallel_type=chunk`, or else of at least [`AUTO_CHUNK_ROWS`] and
    /// more than its share of the run (`1 / parallel_tables` of all rows), so that it would
    /// leave readers idle. Chunks hold `batch_size` rows, more when that would make more
    /// than [`MAX_CHUNKS`]; cut by default, more when that would make more than
    /// [`AUTO_CHUNKS_PER_READER`] per reader.
    fn chunk_rows(&self, meta: &TableMeta) -> Option<u64> {
        let readers = self.cfg.parallelizer.parallel_tables as u64;
        let rows = meta.estimated_rows;
        let batch = self.cfg.extractor.batch_size as u64;
        let (wanted, most) = if self.cfg.extractor.parallel_type == "chunk" {
            // Without an estimate (a PostgreSQL table never analyzed) the key is walked.
            (rows > batch || rows == 0, MAX_CHUNKS as u64)
        } else {
            let wanted = rows >= AUTO_CHUNK_ROWS && rows * readers > self.planned_rows;
            (wanted, readers * AUTO_CHUNKS_PER_READER)
        };
        (meta.key == KeyKind::Paged && readers >= 2 && wanted)
            .then(|| batch.max(rows.div_ceil(most)).max(1))
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
                _ => self.extractor.extract(meta, &KeySpan::default(), tx).await,
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
        // Both parts end the table: the finished mark commits with their rows.
        let record = self.inline_row(meta, Part::Whole { ends_table: true }, None, true);
        let write = self.sinker.write_atomic(meta, clear, arx, record.as_ref());
        let (read, written) = tokio::try_join!(feed, write)?;
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

    /// Copies a table without a usable key by pages, each range committed with its position.
    /// Starting from the first page on a resume run, the target table is emptied first, as
    /// [`TableJob::copy_atomic`] does in its transaction: no recorded position accounts for
    /// the rows it holds.
    async fn copy_pages(&self, meta: &TableMeta, span: &KeySpan) -> Result<u64> {
        if span.after.is_none() && self.clear_unkeyed {
            let (tx, rx) = mpsc::channel(1);
            tx.send(AtomicMsg::Commit)
                .await
                .map_err(|_| anyhow!("writer stopped"))?;
            self.sinker
                .write_atomic(meta, Clear::Table, rx, None)
                .await?;
        }
        self.copy_parallel(meta, Part::Pages, span).await
    }

    /// Copies a table with a key by parallel writers, then, when the key allows NULL, the
    /// rows with a NULL key in one transaction: they come last, so an interruption there
    /// keeps every position of the paged part, and the resumed run only copies them again.
    async fn copy_keyed(&self, meta: &TableMeta, layout: &Layout) -> Result<u64> {
        let rows = match layout {
            Layout::Whole(span) => {
                let part = Part::Whole {
                    ends_table: !meta.null_keys,
                };
                self.copy_parallel(meta, part, span).await?
            }
            Layout::Chunks(plan) => self.copy_chunks(meta, plan).await?,
        };
        if !meta.null_keys {
            return Ok(rows);
        }
        Ok(rows + self.copy_atomic(meta, Clear::NullKeys).await?)
    }

    /// Copies the chunks of `plan`, `parallel_tables` at once, each by
    /// [`TableJob::copy_parallel`]; a chunk's end is recorded once all its rows are in.
    async fn copy_chunks(&self, meta: &TableMeta, plan: &[KeySpan]) -> Result<u64> {
        let next = AtomicUsize::new(0);
        let readers = self
            .cfg
            .parallelizer
            .parallel_tables
            .clamp(1, plan.len().max(1));
        let counts = futures::future::try_join_all((0..readers).map(|_| async {
            let mut rows = 0;
            loop {
                let chunk = next.fetch_add(1, Ordering::Relaxed);
                let Some(span) = plan.get(chunk) else { break };
                rows += self.copy_parallel(meta, Part::Chunk(chunk), span).await?;
                self.progress.chunk_done(&meta.id, chunk);
            }
            Ok::<_, anyhow::Error>(rows)
        }))
        .await?;
        Ok(counts.iter().sum())
    }

    /// Copies the rows of `span` in key order by parallel writers, acknowledging each write
    /// chunk as `part` of the table's progress. With progress committed in the target's
    /// transactions there is one writer, so that they commit in key order, each with the
    /// position of its last row; the last write of the part records its end instead.
    async fn copy_parallel(&self, meta: &TableMeta, part: Part, span: &KeySpan) -> Result<u64> {
        let chunk_rows = self.cfg.sink_batch_size();
        let writers = match self.inline {
            Some(_) => 1,
            None => self.cfg.parallelizer.parallel_size,
        };
        let (tx, mut rx, gate) = self.buffer();
        let (ctx, crx) = mpsc::channel::<Chunk>(writers * 2);
        let crx = Arc::new(Mutex::new(crx));
        let dispatch = async move {
            let mut seq = 0;
            while let Some(page) = rx.recv().await {
                // The page holds its share of the memory cap until it is cut into chunks. A
                // range of pages is one chunk: only its end is a position.
                let Batch { mut rows, end } = page.batch;
                while !rows.is_empty() {
                    let rest = match part {
                        Part::Pages => Vec::new(),
                        _ => rows.split_off(split_len(&rows, chunk_rows, CHUNK_BYTES)),
                    };
                    let last_key = match part {
                        Part::Pages => end.clone(),
                        _ => rows.last().and_then(|row| meta.position_of(row)),
                    };
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
                // With inline progress the writer holds one chunk back, to know which is last.
                let mut held = None;
                loop {
                    let next = crx.lock().await.recv().await;
                    let Some(chunk) = next else { break };
                    let chunk = match self.inline {
                        Some(_) => match held.replace(chunk) {
                            Some(earlier) => earlier,
                            None => continue,
                        },
                        None => chunk,
                    };
                    written += self.write_chunk(meta, part, chunk, false).await?;
                }
                if let Some(last) = held {
                    written += self.write_chunk(meta, part, last, true).await?;
                }
                Ok::<_, anyhow::Error>(written)
            }
        }));
        let read = async {
            match part {
                Part::Pages => {
                    let after = span.after.as_deref();
                    self.extractor.extract_pages(meta, after, tx).await
                }
                _ => self.extractor.extract(meta, span, tx).await,
            }
        };
        let (read, (), (), written) = tokio::try_join!(read, gate, dispatch, write_all)?;
        check_counts(meta, read, written.iter().sum())?;
        Ok(read)
    }
}

impl TableJob<'_> {
    /// Writes one chunk, with its progress record when progress is inline, and
    /// acknowledges it; returns its rows.
    async fn write_chunk(
        &self,
        meta: &TableMeta,
        part: Part,
        chunk: Chunk,
        last: bool,
    ) -> Result<u64> {
        self.limits.target(&chunk.rows).await;
        match self.inline_row(meta, part, chunk.last_key.as_deref(), last) {
            Some(record) => {
                self.sinker
                    .write_recorded(meta, &chunk.rows, &record)
                    .await?
            }
            None => self.sinker.write(meta, &chunk.rows).await?,
        }
        let n = chunk.rows.len() as u64;
        self.progress
            .ack(&meta.id, part.index(), chunk.seq, chunk.last_key, n);
        Ok(n)
    }

    /// The progress record that commits with a write of `part` whose last key is `key`:
    /// the position after it, or the end of the part when the write is its last.
    fn inline_row(
        &self,
        meta: &TableMeta,
        part: Part,
        key: Option<&[String]>,
        last: bool,
    ) -> Option<ProgressRow> {
        let inline = self.inline?;
        let (db_type, schema, tb) = (
            self.cfg.extractor.db_type,
            meta.id.schema.clone(),
            meta.id.tb.clone(),
        );
        let cols: Vec<String> = position_cols(meta).iter().map(|c| c.to_string()).collect();
        let position = match (part, last) {
            (Part::Whole { ends_table: true } | Part::Pages, true) => {
                Position::RdbSnapshotFinished {
                    db_type,
                    schema,
                    tb,
                }
            }
            (Part::Chunk(chunk), true) => Position::RdbSnapshotChunkFinished {
                db_type,
                schema,
                tb,
                chunk,
            },
            (Part::Whole { .. } | Part::Pages, _) => Position::RdbSnapshot {
                db_type,
                schema,
                tb,
                order_key: order_key(&cols, key?)?,
            },
            (Part::Chunk(chunk), false) => Position::RdbSnapshotChunk {
                db_type,
                schema,
                tb,
                chunk,
                order_key: order_key(&cols, key?)?,
            },
        };
        inline.row(&position)
    }

    /// With inline progress, writes the chunk plan of `meta` before any chunk's rows, so
    /// that the positions committed with them always refer to it.
    async fn save_plan(&self, meta: &TableMeta, plan: &[KeySpan]) -> Result<()> {
        let Some(inline) = self.inline else {
            return Ok(());
        };
        let cols: Vec<String> = meta
            .order_col_names()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let position = plan_position(self.cfg.extractor.db_type, &meta.id, &cols, plan);
        inline
            .save(&position)
            .await
            .with_context(|| format!("cannot record the chunks of {}", meta.id))
    }
}

/// The most bytes of rows in one write chunk (besides `[sinker] batch_size` rows), so that
/// chunks of large rows stay small in memory and on the wire.
const CHUNK_BYTES: usize = 8 << 20;

/// The columns of a position of `meta`: its key's, or for a table without one, the page
/// position's.
fn position_cols(meta: &TableMeta) -> Vec<&str> {
    match meta.key {
        KeyKind::None => vec![PAGE_COL],
        _ => meta.order_col_names(),
    }
}

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
