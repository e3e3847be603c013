//! Acknowledgements and checkpoints (docs/en/snapshot/resume.md, "When lines are written").
//! Batches of a table get sequence numbers in key order; parallel writers acknowledge them in
//! any order; the committed position is the last key of the longest acknowledged prefix, so
//! every row at or below it is in the target.
//! One lock guards both the table states and the progress writer, so a position can never be
//! written after its table's finished mark.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use dt_common::{DbType, TableId};
use dt_resumer::ProgressWriter;
use dt_resumer::{OrderKey, Position};

/// Commit state of one table being copied.
#[derive(Debug)]
struct TableState {
    order_col: Option<String>,
    estimated: u64,
    started: Instant,
    next_seq: u64,
    acked: BTreeMap<u64, Option<String>>,
    committed: Option<String>,
    dirty: bool,
    rows: u64,
}

#[derive(Debug)]
struct Inner {
    writer: ProgressWriter,
    tables: HashMap<TableId, TableState>,
    done_tables: usize,
    done_rows: u64,
    planned_tables: usize,
    planned_rows: u64,
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

/// Shared progress of a task.
#[derive(Debug, Clone)]
pub struct Progress {
    db_type: DbType,
    inner: Arc<Mutex<Inner>>,
}

impl Progress {
    pub fn new(writer: ProgressWriter, db_type: DbType) -> Self {
        Progress {
            db_type,
            inner: Arc::new(Mutex::new(Inner {
                writer,
                tables: HashMap::new(),
                done_tables: 0,
                done_rows: 0,
                planned_tables: 0,
                planned_rows: 0,
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Starts tracking a table; `order_col` is set when positions are to be recorded.
    pub fn begin(&self, id: &TableId, order_col: Option<&str>, estimated: u64) {
        let state = TableState {
            order_col: order_col.map(str::to_string),
            estimated,
            started: Instant::now(),
            next_seq: 0,
            acked: BTreeMap::new(),
            committed: None,
            dirty: false,
            rows: 0,
        };
        self.lock().tables.insert(id.clone(), state);
    }

    /// Records that batch `seq` (0-based, in key order) is committed; `key` is its last
    /// order-key value as position text (written by the table's connector).
    pub fn ack(&self, id: &TableId, seq: u64, key: Option<String>, rows: u64) {
        let mut inner = self.lock();
        let Some(t) = inner.tables.get_mut(id) else {
            return;
        };
        t.rows += rows;
        t.acked.insert(seq, key);
        while let Some(key) = t.acked.remove(&t.next_seq) {
            t.next_seq += 1;
            if key.is_some() {
                t.committed = key;
                t.dirty = true;
            }
        }
    }

    /// Appends the committed position of every table that moved since the last checkpoint.
    pub fn checkpoint(&self) -> Result<()> {
        let mut inner = self.lock();
        let mut positions = Vec::new();
        let mut ids: Vec<&TableId> = inner.tables.keys().collect();
        ids.sort();
        for id in ids {
            let t = &inner.tables[id];
            let (Some(col), Some(value), true) = (&t.order_col, &t.committed, t.dirty) else {
                continue;
            };
            positions.push(Position::RdbSnapshot {
                db_type: self.db_type,
                schema: id.schema.clone(),
                tb: id.tb.clone(),
                order_key: OrderKey::Single {
                    col: col.clone(),
                    value: value.clone(),
                },
            });
        }
        inner
            .writer
            .checkpoint(&positions)
            .context("cannot write position.log")?;
        for t in inner.tables.values_mut() {
            t.dirty = false;
        }
        Ok(())
    }

    /// Marks a table finished: it leaves the checkpoints and its finished line is written.
    pub fn finish(&self, id: &TableId) -> Result<()> {
        let mut inner = self.lock();
        if let Some(t) = inner.tables.remove(id) {
            inner.done_tables += 1;
            inner.done_rows += t.rows;
        }
        inner
            .writer
            .finished(self.db_type, &id.schema, &id.tb)
            .context("cannot write finished.log")
    }

    /// Records how many tables this run copies and their estimated rows.
    pub fn plan(&self, tables: usize, rows: u64) {
        let mut inner = self.lock();
        inner.planned_tables = tables;
        inner.planned_rows = rows;
    }

    /// The tables in progress, sorted, and the totals of finished ones.
    pub fn snapshot(&self) -> Snapshot {
        let inner = self.lock();
        let mut running: Vec<RunningTable> = inner
            .tables
            .iter()
            .map(|(id, t)| RunningTable {
                id: id.clone(),
                rows: t.rows,
                estimated: t.estimated,
                elapsed: t.started.elapsed(),
            })
            .collect();
        running.sort_by(|a, b| a.id.cmp(&b.id));
        Snapshot {
            running,
            done_tables: inner.done_tables,
            done_rows: inner.done_rows,
            planned_tables: inner.planned_tables,
            planned_rows: inner.planned_rows,
        }
    }

    /// Stops tracking a table that failed, without a finished mark.
    pub fn abandon(&self, id: &TableId) {
        self.lock().tables.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_position_is_the_acknowledged_prefix() {
        let dir = tempfile::tempdir().unwrap();
        let p = Progress::new(ProgressWriter::open(dir.path()).unwrap(), DbType::Mysql);
        let id = TableId::new("d", "t");
        p.begin(&id, Some("id"), 100);
        p.ack(&id, 1, Some("20".to_string()), 10);
        p.ack(&id, 2, Some("30".to_string()), 10);
        p.checkpoint().unwrap();
        let log = dir.path().join("position.log");
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "",
            "nothing below batch 0 is committed"
        );
        p.ack(&id, 0, Some("10".to_string()), 10);
        p.checkpoint().unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains(r#""value":"30""#), "{text}");
        p.ack(&id, 4, Some("50".to_string()), 10);
        p.checkpoint().unwrap();
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            text,
            "batch 3 is missing"
        );
        assert_eq!(p.snapshot().running[0].rows, 40);
        p.finish(&id).unwrap();
        let fin = std::fs::read_to_string(dir.path().join("finished.log")).unwrap();
        assert!(fin.contains(r#""tb":"t""#));
    }
}
