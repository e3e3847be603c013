//! Acknowledgements and checkpoints (docs/en/snapshot/resume.md, "When lines are written").
//! Batches of a table get sequence numbers in key order; parallel writers acknowledge them in
//! any order; the committed position is the last key of the longest acknowledged prefix, so
//! every row at or below it is in the target.
//! A thread of its own owns the progress writer and the commit state of every table. Writers
//! send it acknowledgements and finished marks and never wait for it; checkpoints are
//! requests it answers once their lines are on disk, and once every finished mark sent before
//! is on disk too. It handles messages in the order they were sent, so a position can never
//! be written after its table's finished mark, and no lock is held while a file is synced.
//! Finished marks waiting together are written with one sync, so thousands of small tables
//! do not cost a sync each.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use dt_common::{DbType, KeySpan, TableId};
use dt_resumer::{ChunkBounds, OrderKey, Position, ProgressWriter, ResumeError};
use tokio::sync::{mpsc, oneshot};

/// What the checkpoint thread is asked to do.
enum Msg {
    Begin {
        id: TableId,
        order_cols: Vec<String>,
        plan: Option<Vec<KeySpan>>,
    },
    Ack {
        id: TableId,
        chunk: usize,
        seq: u64,
        key: Option<Vec<String>>,
    },
    ChunkDone {
        id: TableId,
        chunk: usize,
    },
    Checkpoint(oneshot::Sender<Result<(), ResumeError>>),
    Finish(TableId),
    Abandon(TableId),
    /// Schema objects of a phase done, or with no object the whole phase.
    Schema {
        phase: &'static str,
        object: Option<String>,
    },
}

/// Commit state of one table being copied, owned by the checkpoint thread: one part for a
/// table copied whole, one per chunk for a table copied in chunks.
#[derive(Debug, Default)]
struct Commit {
    order_cols: Vec<String>,
    /// The chunk plan, for a table copied in chunks.
    plan: Option<Vec<KeySpan>>,
    plan_written: bool,
    parts: BTreeMap<usize, Part>,
}

impl Commit {
    fn dirty(&self) -> bool {
        (self.plan.is_some() && !self.plan_written) || self.parts.values().any(|p| p.dirty)
    }
}

/// Commit state of one sequence of numbered batches: a whole table or one chunk.
#[derive(Debug, Default)]
struct Part {
    next_seq: u64,
    acked: BTreeMap<u64, Option<Vec<String>>>,
    committed: Option<Vec<String>>,
    done: bool,
    dirty: bool,
}

impl Part {
    /// Takes in the acknowledgement of batch `seq` and moves the committed position over
    /// the acknowledged prefix.
    fn ack(&mut self, seq: u64, key: Option<Vec<String>>) {
        self.acked.insert(seq, key);
        while let Some(key) = self.acked.remove(&self.next_seq) {
            self.next_seq += 1;
            if key.is_some() {
                self.committed = key;
                self.dirty = true;
            }
        }
    }
}

/// The checkpoint thread: owns the writer and every table's commit state; ends when every
/// [`Progress`] handle is gone.
fn checkpoints(mut writer: ProgressWriter, db_type: DbType, mut rx: mpsc::UnboundedReceiver<Msg>) {
    let mut tables: HashMap<TableId, Commit> = HashMap::new();
    // The first failure to write a finished mark, reported by the next checkpoint.
    let mut failed: Option<ResumeError> = None;
    let mut next = None;
    while let Some(msg) = next.take().or_else(|| rx.blocking_recv()) {
        match msg {
            Msg::Begin {
                id,
                order_cols,
                plan,
            } => {
                let commit = Commit {
                    order_cols,
                    plan,
                    ..Commit::default()
                };
                tables.insert(id, commit);
            }
            Msg::Ack {
                id,
                chunk,
                seq,
                key,
            } => {
                if let Some(t) = tables.get_mut(&id) {
                    t.parts.entry(chunk).or_default().ack(seq, key);
                }
            }
            Msg::ChunkDone { id, chunk } => {
                if let Some(t) = tables.get_mut(&id) {
                    let part = t.parts.entry(chunk).or_default();
                    part.done = true;
                    part.dirty = true;
                }
            }
            Msg::Checkpoint(reply) => {
                let result = match failed.take() {
                    Some(e) => Err(e),
                    None => write_checkpoint(&mut writer, db_type, &mut tables),
                };
                let _ = reply.send(result);
            }
            Msg::Finish(id) => {
                // The finished marks already waiting behind this one go with it.
                let mut done = vec![id];
                loop {
                    match rx.try_recv() {
                        Ok(Msg::Finish(id)) => done.push(id),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                for id in &done {
                    tables.remove(id);
                }
                let names: Vec<(&str, &str)> = done
                    .iter()
                    .map(|id| (id.schema.as_str(), id.tb.as_str()))
                    .collect();
                if let Err(e) = writer.finished_all(db_type, &names) {
                    failed.get_or_insert(e);
                }
            }
            Msg::Abandon(id) => {
                tables.remove(&id);
            }
            Msg::Schema { phase, object } => {
                // The marks already waiting behind this one go with it.
                let mark = |phase: &str, object| Position::StructFinished {
                    db_type,
                    phase: phase.to_string(),
                    object,
                };
                let mut marks = vec![mark(phase, object)];
                loop {
                    match rx.try_recv() {
                        Ok(Msg::Schema { phase, object }) => marks.push(mark(phase, object)),
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                if let Err(e) = writer.finished_marks(&marks) {
                    failed.get_or_insert(e);
                }
            }
        }
    }
}

/// Appends the committed position of every table that moved since the last checkpoint: for
/// a table copied in chunks, its chunk plan when it is not written yet, then the position
/// or the end of each chunk that moved.
fn write_checkpoint(
    writer: &mut ProgressWriter,
    db_type: DbType,
    tables: &mut HashMap<TableId, Commit>,
) -> Result<(), ResumeError> {
    let mut moved: Vec<(&TableId, &Commit)> = tables.iter().filter(|(_, t)| t.dirty()).collect();
    moved.sort_by_key(|(id, _)| *id);
    let mut positions = Vec::new();
    for (id, t) in moved {
        let (schema, tb) = (id.schema.clone(), id.tb.clone());
        let Some(plan) = &t.plan else {
            let key = t.parts.get(&0).and_then(|p| p.committed.as_deref());
            if let Some(order_key) = key.and_then(|v| order_key(&t.order_cols, v)) {
                positions.push(Position::RdbSnapshot {
                    db_type,
                    schema,
                    tb,
                    order_key,
                });
            }
            continue;
        };
        if !t.plan_written {
            positions.push(plan_position(db_type, id, &t.order_cols, plan));
        }
        for (&chunk, part) in t.parts.iter().filter(|(_, p)| p.dirty) {
            let (schema, tb) = (schema.clone(), tb.clone());
            if part.done {
                positions.push(Position::RdbSnapshotChunkFinished {
                    db_type,
                    schema,
                    tb,
                    chunk,
                });
            } else if let Some(order_key) = part
                .committed
                .as_deref()
                .and_then(|v| order_key(&t.order_cols, v))
            {
                positions.push(Position::RdbSnapshotChunk {
                    db_type,
                    schema,
                    tb,
                    chunk,
                    order_key,
                });
            }
        }
    }
    writer.checkpoint(&positions)?;
    for t in tables.values_mut() {
        t.plan_written = true;
        for part in t.parts.values_mut() {
            part.dirty = false;
        }
    }
    Ok(())
}

/// The plan line of a table copied in the chunks `plan` on the key columns `order_cols`.
pub(crate) fn plan_position(
    db_type: DbType,
    id: &TableId,
    order_cols: &[String],
    plan: &[KeySpan],
) -> Position {
    Position::RdbSnapshotChunks {
        db_type,
        schema: id.schema.clone(),
        tb: id.tb.clone(),
        order_cols: order_cols.to_vec(),
        chunks: plan
            .iter()
            .map(|span| ChunkBounds {
                after: span.after.clone(),
                upto: span.upto.clone(),
            })
            .collect(),
    }
}

/// The order key of position `values` on the columns `cols`: the seed's single form for one
/// column, the composite form for several.
pub(crate) fn order_key(cols: &[String], values: &[String]) -> Option<OrderKey> {
    match (cols, values) {
        ([col], [value]) => Some(OrderKey::Single {
            col: col.clone(),
            value: Some(value.clone()),
        }),
        (cols, values) if !cols.is_empty() && cols.len() == values.len() => {
            Some(OrderKey::Composite(
                cols.iter()
                    .cloned()
                    .zip(values.iter().cloned().map(Some))
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// One table being copied, as seen by a progress display.
#[derive(Debug, Clone)]
pub struct RunningTable {
    pub id: TableId,
    pub rows: u64,
    pub estimated: u64,
    pub elapsed: Duration,
}

/// What a progress display shows.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    pub running: Vec<RunningTable>,
    pub done_tables: usize,
    pub done_rows: u64,
    /// Tables to copy in this run and the sum of their estimated rows.
    pub planned_tables: usize,
    pub planned_rows: u64,
}

/// Row counts for the display, kept apart from the commit state: counted as writers
/// acknowledge, under a lock that is never held across any I/O.
#[derive(Debug, Default)]
struct Shown {
    running: HashMap<TableId, (u64, u64, Instant)>,
    done_tables: usize,
    done_rows: u64,
    planned_tables: usize,
    planned_rows: u64,
}

/// Shared progress of a task: a handle on the checkpoint thread and the display counts.
#[derive(Debug, Clone)]
pub struct Progress {
    tx: mpsc::UnboundedSender<Msg>,
    shown: Arc<Mutex<Shown>>,
}

impl Progress {
    /// Starts the checkpoint thread, which takes `writer`.
    pub fn new(writer: ProgressWriter, db_type: DbType) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::unbounded_channel();
        std::thread::Builder::new()
            .name("dt-checkpoints".into())
            .spawn(move || checkpoints(writer, db_type, rx))?;
        Ok(Progress {
            tx,
            shown: Arc::default(),
        })
    }

    fn shown(&self) -> std::sync::MutexGuard<'_, Shown> {
        self.shown.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends to the checkpoint thread; if it is gone, the next checkpoint says so.
    fn send(&self, msg: Msg) {
        let _ = self.tx.send(msg);
    }

    /// Sends a request and waits until the checkpoint thread has carried it out.
    async fn request(
        &self,
        msg: impl FnOnce(oneshot::Sender<Result<(), ResumeError>>) -> Msg,
    ) -> Result<()> {
        let (reply, done) = oneshot::channel();
        self.tx
            .send(msg(reply))
            .map_err(|_| anyhow!("the checkpoint thread stopped"))?;
        done.await
            .map_err(|_| anyhow!("the checkpoint thread stopped"))?
            .map_err(Into::into)
    }

    /// Starts tracking a table; `order_cols` are its key's columns when positions are to be
    /// recorded, and empty otherwise.
    pub fn begin(&self, id: &TableId, order_cols: &[&str], estimated: u64) {
        self.begin_plan(id, order_cols, estimated, None);
    }

    /// Starts tracking a table copied in the chunks `plan` (numbered from 0 in that order),
    /// on the key columns `order_cols`. The plan is written at the next checkpoint.
    pub fn begin_chunks(
        &self,
        id: &TableId,
        order_cols: &[&str],
        estimated: u64,
        plan: &[KeySpan],
    ) {
        self.begin_plan(id, order_cols, estimated, Some(plan.to_vec()));
    }

    fn begin_plan(&self, id: &TableId, cols: &[&str], estimated: u64, plan: Option<Vec<KeySpan>>) {
        self.shown()
            .running
            .insert(id.clone(), (0, estimated, Instant::now()));
        self.send(Msg::Begin {
            id: id.clone(),
            order_cols: cols.iter().map(|c| c.to_string()).collect(),
            plan,
        });
    }

    /// Records that batch `seq` (0-based, in key order) of chunk `chunk` (0 for a table
    /// copied whole) with last key `key` (the position text of each order column) is
    /// committed. Never waits: the checkpoint thread takes it in.
    pub fn ack(&self, id: &TableId, chunk: usize, seq: u64, key: Option<Vec<String>>, rows: u64) {
        if let Some(t) = self.shown().running.get_mut(id) {
            t.0 += rows;
        }
        self.send(Msg::Ack {
            id: id.clone(),
            chunk,
            seq,
            key,
        });
    }

    /// Records that every batch of chunk `chunk` is acknowledged; the next checkpoint
    /// writes the chunk's end.
    pub fn chunk_done(&self, id: &TableId, chunk: usize) {
        self.send(Msg::ChunkDone {
            id: id.clone(),
            chunk,
        });
    }

    /// Counts `rows` committed in a table outside its numbered batches (an atomic copy), for
    /// display only.
    pub fn count(&self, id: &TableId, rows: u64) {
        if let Some(t) = self.shown().running.get_mut(id) {
            t.0 += rows;
        }
    }

    /// Appends the committed position of every table that moved since the last checkpoint,
    /// once every acknowledgement and finished mark sent before is taken in; returns once
    /// they are on disk. Fails if a finished mark could not be written.
    pub async fn checkpoint(&self) -> Result<()> {
        self.request(Msg::Checkpoint)
            .await
            .context("cannot write position.log or finished.log")
    }

    /// Marks a table finished: it leaves the checkpoints and its finished line is written
    /// after every message sent before. Never waits; the next [`Progress::checkpoint`]
    /// returns once the line is on disk, or fails if it could not be written.
    pub fn finish(&self, id: &TableId) {
        {
            let mut shown = self.shown();
            if let Some((rows, ..)) = shown.running.remove(id) {
                shown.done_tables += 1;
                shown.done_rows += rows;
            }
        }
        self.send(Msg::Finish(id.clone()));
    }

    /// Records that schema object `object` of `phase` is in the target, or with `None`
    /// every object of the phase. Never waits; the next [`Progress::checkpoint`] returns
    /// once the line is on disk.
    pub fn schema_done(&self, phase: &'static str, object: Option<String>) {
        self.send(Msg::Schema { phase, object });
    }

    /// Records how many tables this run copies and their estimated rows.
    pub fn plan(&self, tables: usize, rows: u64) {
        let mut shown = self.shown();
        shown.planned_tables = tables;
        shown.planned_rows = rows;
    }

    /// The tables in progress, sorted, and the totals of finished ones.
    pub fn snapshot(&self) -> Snapshot {
        let shown = self.shown();
        let mut running: Vec<RunningTable> = shown
            .running
            .iter()
            .map(|(id, &(rows, estimated, started))| RunningTable {
                id: id.clone(),
                rows,
                estimated,
                elapsed: started.elapsed(),
            })
            .collect();
        running.sort_by(|a, b| a.id.cmp(&b.id));
        Snapshot {
            running,
            done_tables: shown.done_tables,
            done_rows: shown.done_rows,
            planned_tables: shown.planned_tables,
            planned_rows: shown.planned_rows,
        }
    }

    /// Stops tracking a table that failed, without a finished mark.
    pub fn abandon(&self, id: &TableId) {
        self.shown().running.remove(id);
        self.send(Msg::Abandon(id.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn committed_position_is_the_acknowledged_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let writer = ProgressWriter::open(dir.path()).unwrap();
        let p = Progress::new(writer, DbType::Mysql).unwrap();
        let id = TableId::new("d", "t");
        let key = |v: &str| Some(vec![v.to_string()]);
        p.begin(&id, &["id"], 100);
        p.ack(&id, 0, 1, key("20"), 10);
        p.ack(&id, 0, 2, key("30"), 10);
        p.checkpoint().await.unwrap();
        let log = dir.path().join("position.log");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "",
            "nothing below batch 0 is committed"
        );
        p.ack(&id, 0, 0, key("10"), 10);
        p.checkpoint().await.unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains(r#""value":"30""#), "{text}");
        p.ack(&id, 0, 4, key("50"), 10);
        p.checkpoint().await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            text,
            "batch 3 is missing"
        );
        assert_eq!(p.snapshot().running[0].rows, 40);
        p.finish(&id);
        p.checkpoint().await.unwrap();
        let fin = std::fs::read_to_string(dir.path().join("finished.log")).unwrap();
        assert!(fin.contains(r#""tb":"t""#));
    }

    #[tokio::test]
    async fn composite_positions_are_written_in_the_order_key_form() {
        let dir = tempfile::tempdir().unwrap();
        let writer = ProgressWriter::open(dir.path()).unwrap();
        let p = Progress::new(writer, DbType::Pg).unwrap();
        let id = TableId::new("d", "t");
        p.begin(&id, &["a", "b"], 100);
        p.ack(&id, 0, 0, Some(vec!["1".into(), "x\"y".into()]), 10);
        p.checkpoint().await.unwrap();
        let text = std::fs::read_to_string(dir.path().join("position.log")).unwrap();
        assert!(
            text.contains(r#""order_key":{"composite":[["a","1"],["b","x\"y"]]}"#),
            "{text}"
        );
    }
}
