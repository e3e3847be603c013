//! Small fakes of dt's own `Extractor` and `Sinker` traits over in-memory tables, with faults
//! a test switches on, and a [`Checker`] that inspects the progress files at every sync: a
//! position may only cover rows committed in the fake target, a finished mark only a table
//! whose every row is there, and no position of a table may follow its finished mark.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Result};
use async_trait::async_trait;
use dt_common::config::TaskConfig;
use dt_common::meta::{Row, Value};
use dt_common::{Resumer, TableId};
use dt_connector::{
    plan_table, AtomicMsg, Batch, Clear, ColumnMeta, Extractor, KeyKind, KeySpan, Listing, Sinker,
    TableMeta, TablePlan,
};
use dt_resumer::position::parse_line;
use dt_resumer::{OrderKey, Position};
use dt_resumer::{ProgressWriter, SyncFn};
use dt_task::Task;
use tokio::sync::mpsc;

/// Rows per batch the fake extractor sends.
pub const READ_BATCH: usize = 20;

/// A source table: keys 1..=n in column 0, in key order.
pub struct Table {
    pub meta: TableMeta,
    pub rows: Vec<Row>,
}

fn table(tb: &str, n: i64, key: KeyKind) -> Table {
    let col = |name: &str, type_name: &str| ColumnMeta {
        name: name.into(),
        type_name: type_name.into(),
        nullable: key == KeyKind::None,
    };
    let keyed = key != KeyKind::None;
    Table {
        meta: TableMeta {
            id: TableId::new("fake_db", tb),
            columns: vec![col("id", "bigint"), col("v", "text")],
            key,
            key_cols: if keyed { vec![0] } else { vec![] },
            null_keys: false,
            estimated_rows: n as u64,
            key_text,
            binary_rows: false,
        },
        rows: (1..=n)
            .map(|k| vec![Value::I64(k), Value::Text(format!("row {k}"))])
            .collect(),
    }
}

/// A table with a single-column key, copied by parallel writers with positions.
pub fn keyed(tb: &str, n: i64) -> Table {
    table(tb, n, KeyKind::Paged)
}

/// A table without a usable key, copied in one target transaction.
pub fn keyless(tb: &str, n: i64) -> Table {
    table(tb, n, KeyKind::None)
}

fn key(row: &Row) -> i64 {
    match row[0] {
        Value::I64(k) => k,
        ref v => panic!("fake rows have I64 keys, not {v:?}"),
    }
}

/// Faults the fakes play, by table name.
#[derive(Default)]
pub struct Faults {
    /// The extractor fails after sending this many batches.
    pub read_fails_after: HashMap<String, usize>,
    /// The extractor reports one row more than it sent.
    pub read_overcounts: HashSet<String>,
    /// A write holding this key fails, after a pause in which later chunks are dispatched.
    pub rejects_key: HashMap<String, i64>,
    /// The key-less writer reports one row fewer than it committed.
    pub atomic_undercounts: HashSet<String>,
}

/// What the fakes share: the source, the faults, and what the target committed.
#[derive(Default)]
pub struct World {
    pub tables: Vec<Table>,
    pub faults: Faults,
    /// Committed rows per table, by key.
    pub target: Mutex<HashMap<TableId, BTreeMap<i64, Row>>>,
    /// First key of each committed chunk, in commit order.
    pub commits: Mutex<Vec<(TableId, i64)>>,
    /// What key-less writers received: `rows` or `commit`, per table, in order.
    pub atomic_msgs: Mutex<Vec<(TableId, &'static str)>>,
    /// The resume value each extract call was given.
    pub extracts: Mutex<Vec<(TableId, Option<String>)>>,
    /// The keys of every row the extractor sent.
    pub read: Mutex<Vec<(TableId, i64)>>,
}

impl World {
    pub fn new(tables: Vec<Table>, faults: Faults) -> Arc<World> {
        Arc::new(World {
            tables,
            faults,
            ..World::default()
        })
    }

    /// A world for the next run over the same target, without faults.
    pub fn next_run(&self, tables: Vec<Table>) -> Arc<World> {
        let world = World::new(tables, Faults::default());
        *world.target.lock().unwrap() = self.target.lock().unwrap().clone();
        world
    }

    fn table(&self, id: &TableId) -> &Table {
        self.tables
            .iter()
            .find(|t| &t.meta.id == id)
            .expect("fake table")
    }

    /// Committed keys of a table.
    pub fn target_keys(&self, tb: &str) -> Vec<i64> {
        let target = self.target.lock().unwrap();
        let id = TableId::new("fake_db", tb);
        target
            .get(&id)
            .map(|t| t.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Whether every source row of `id` with a key up to `upto` is committed.
    fn committed_upto(&self, id: &TableId, upto: i64) -> bool {
        self.committed_between(id, i64::MIN, upto)
    }

    /// Whether every source row of `id` with a key in `(after, upto]` is committed.
    fn committed_between(&self, id: &TableId, after: i64, upto: i64) -> bool {
        let target = self.target.lock().unwrap();
        let empty = BTreeMap::new();
        let rows = target.get(id).unwrap_or(&empty);
        self.table(id)
            .rows
            .iter()
            .filter(|r| key(r) > after && key(r) <= upto)
            .all(|r| rows.get(&key(r)) == Some(r))
    }
}

struct FakeExtractor {
    world: Arc<World>,
    resumer: Arc<dyn Resumer>,
}

#[async_trait]
impl Extractor for FakeExtractor {
    async fn list_tables(&self) -> Result<Listing> {
        let mut tables: Vec<TableId> = self
            .world
            .tables
            .iter()
            .map(|t| t.meta.id.clone())
            .collect();
        tables.sort();
        Ok(Listing {
            tables,
            not_copied: Vec::new(),
        })
    }

    async fn plan(&self, id: &TableId) -> Result<TablePlan> {
        let meta = self.world.table(id).meta.clone();
        plan_table(self.resumer.as_ref(), id, async { Ok(meta) }).await
    }

    async fn extract(
        &self,
        meta: &TableMeta,
        span: &KeySpan,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let id = &meta.id;
        let resume_value = span.after.as_ref().map(|values| values.join(","));
        let resume = resume_value.as_deref().map(str::parse::<i64>).transpose()?;
        let upto = span
            .upto
            .as_ref()
            .map(|v| v.join(",").parse::<i64>())
            .transpose()?;
        self.world
            .extracts
            .lock()
            .unwrap()
            .push((id.clone(), resume_value));
        let rows: Vec<Row> = (self.world.table(id).rows.iter())
            .filter(|r| resume.is_none_or(|after| key(r) > after))
            .filter(|r| upto.is_none_or(|upto| key(r) <= upto))
            .cloned()
            .collect();
        let fails_after = self.world.faults.read_fails_after.get(&id.tb);
        let mut sent = 0u64;
        for (n, batch) in rows.chunks(READ_BATCH).enumerate() {
            if fails_after == Some(&n) {
                bail!("source read of {id} fails after {n} batch(es)");
            }
            let batch = Batch {
                rows: batch.to_vec(),
                end: None,
            };
            sent += batch.rows.len() as u64;
            (self.world.read.lock().unwrap())
                .extend(batch.rows.iter().map(|r| (id.clone(), key(r))));
            tx.send(batch).await?;
            tokio::task::yield_now().await;
        }
        Ok(sent + u64::from(self.world.faults.read_overcounts.contains(&id.tb)))
    }

    /// The key of every `chunk_rows`-th row after `after`.
    async fn split(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        chunk_rows: u64,
        max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        let after = after.map(|v| v.join(",").parse::<i64>()).transpose()?;
        let keys: Vec<i64> = (self.world.table(&meta.id).rows.iter())
            .map(key)
            .filter(|&k| after.is_none_or(|a| k > a))
            .collect();
        Ok(keys
            .iter()
            .skip(chunk_rows as usize - 1)
            .step_by(chunk_rows as usize)
            .take(max_chunks - 1)
            .map(|k| vec![k.to_string()])
            .collect())
    }
}

struct FakeSinker {
    world: Arc<World>,
}

#[async_trait]
impl Sinker for FakeSinker {
    async fn prepare(&self, _meta: &TableMeta) -> Result<()> {
        Ok(())
    }

    async fn write(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        let id = &meta.id;
        let first = key(&rows[0]);
        if let Some(&bad) = self.world.faults.rejects_key.get(&id.tb) {
            if rows.iter().any(|r| key(r) == bad) {
                tokio::time::sleep(Duration::from_millis(100)).await;
                bail!("the target rejects row {bad} of {id}");
            }
        }
        // Writers take 0–3 ms, unevenly, so that they commit out of order.
        tokio::time::sleep(Duration::from_millis((first as u64 * 7) % 4)).await;
        let mut target = self.world.target.lock().unwrap();
        let table = target.entry(id.clone()).or_default();
        table.extend(rows.iter().map(|r| (key(r), r.clone())));
        self.world.commits.lock().unwrap().push((id.clone(), first));
        Ok(())
    }

    async fn write_atomic(
        &self,
        meta: &TableMeta,
        clear: Clear,
        mut rx: mpsc::Receiver<AtomicMsg>,
        _record: Option<&dt_connector::ProgressRow>,
    ) -> Result<u64> {
        let id = &meta.id;
        let (mut pending, mut total) = (Vec::new(), 0u64);
        // Like the real writers: rows until `Commit`, which ends the transaction.
        loop {
            let msg = rx.recv().await;
            let mut log = self.world.atomic_msgs.lock().unwrap();
            match msg {
                Some(AtomicMsg::Rows(rows)) => {
                    log.push((id.clone(), "rows"));
                    total += rows.len() as u64;
                    pending.extend(rows);
                }
                Some(AtomicMsg::Commit) => {
                    log.push((id.clone(), "commit"));
                    break;
                }
                None => bail!("copy of {id} was aborted; its transaction is rolled back"),
            }
        }
        let mut target = self.world.target.lock().unwrap();
        let table = target.entry(id.clone()).or_default();
        if clear == Clear::Table {
            table.clear();
        }
        table.extend(pending.into_iter().map(|r| (key(&r), r)));
        Ok(total - u64::from(self.world.faults.atomic_undercounts.contains(&id.tb)))
    }
}

/// Watches the progress files at every sync (see the module doc).
#[derive(Default)]
pub struct Checker {
    world: Arc<World>,
    read: Mutex<HashMap<PathBuf, usize>>,
    finished: Mutex<HashSet<TableId>>,
    /// The latest chunk plan of each table: each chunk's (after, upto] keys.
    plans: Mutex<HashMap<TableId, Vec<(i64, i64)>>>,
    /// File name of each sync, in order.
    pub syncs: Mutex<Vec<String>>,
    pub violations: Mutex<Vec<String>>,
    /// Syncs of finished.log fail, as on a full or failing disk.
    pub fail_finished_sync: std::sync::atomic::AtomicBool,
}

impl Checker {
    pub fn new(world: &Arc<World>) -> Arc<Checker> {
        Arc::new(Checker {
            world: world.clone(),
            ..Checker::default()
        })
    }

    fn sync_fn(self: &Arc<Self>) -> SyncFn {
        let me = self.clone();
        Arc::new(move |path, file| {
            let failing = me
                .fail_finished_sync
                .load(std::sync::atomic::Ordering::SeqCst);
            if failing && path.ends_with("finished.log") {
                return Err(std::io::Error::other("the disk is full"));
            }
            me.check(path);
            file.sync_data()
        })
    }

    /// Checks the lines written to `path` since its last sync.
    fn check(&self, path: &Path) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        self.syncs.lock().unwrap().push(name);
        let text = std::fs::read_to_string(path).unwrap();
        let mut read = self.read.lock().unwrap();
        let from = read.insert(path.to_path_buf(), text.len()).unwrap_or(0);
        for line in text[from..].lines() {
            let Some(line) = parse_line(line).unwrap() else {
                continue;
            };
            if let Err(v) = self.check_position(&line.position) {
                self.violations.lock().unwrap().push(v);
            }
        }
    }

    fn check_position(&self, p: &Position) -> Result<(), String> {
        let mut finished = self.finished.lock().unwrap();
        match p {
            Position::RdbSnapshot {
                schema,
                tb,
                order_key:
                    OrderKey::Single {
                        value: Some(value), ..
                    },
                ..
            } => {
                let id = TableId::new(schema, tb);
                if finished.contains(&id) {
                    return Err(format!("position {value} of {id} after its finished mark"));
                }
                let upto: i64 = value.parse().unwrap();
                if !self.world.committed_upto(&id, upto) {
                    return Err(format!("position {value} of {id} covers uncommitted rows"));
                }
            }
            Position::RdbSnapshotFinished { schema, tb, .. } => {
                let id = TableId::new(schema, tb);
                if !self.world.committed_upto(&id, i64::MAX) {
                    return Err(format!("{id} marked finished with rows not committed"));
                }
                finished.insert(id);
            }
            Position::RdbSnapshotChunks {
                schema, tb, chunks, ..
            } => {
                let bound = |b: &Option<Vec<String>>, open: i64| {
                    b.as_ref().map_or(open, |v| v.join(",").parse().unwrap())
                };
                let spans = (chunks.iter())
                    .map(|c| (bound(&c.after, i64::MIN), bound(&c.upto, i64::MAX)))
                    .collect();
                self.plans
                    .lock()
                    .unwrap()
                    .insert(TableId::new(schema, tb), spans);
            }
            Position::RdbSnapshotChunk {
                schema,
                tb,
                chunk,
                order_key:
                    OrderKey::Single {
                        value: Some(value), ..
                    },
                ..
            } => {
                let id = TableId::new(schema, tb);
                let (after, upto) = self.plans.lock().unwrap()[&id][*chunk];
                let value: i64 = value.parse().unwrap();
                if value <= after || value > upto {
                    return Err(format!("position {value} outside chunk {chunk} of {id}"));
                }
                if !self.world.committed_between(&id, after, value) {
                    return Err(format!(
                        "chunk {chunk} of {id} at {value} covers uncommitted rows"
                    ));
                }
            }
            Position::RdbSnapshotChunkFinished {
                schema, tb, chunk, ..
            } => {
                let id = TableId::new(schema, tb);
                let (after, upto) = self.plans.lock().unwrap()[&id][*chunk];
                if !self.world.committed_between(&id, after, upto) {
                    return Err(format!(
                        "chunk {chunk} of {id} finished with rows not committed"
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// How many syncs of `file` there were.
    pub fn sync_count(&self, file: &str) -> usize {
        self.syncs
            .lock()
            .unwrap()
            .iter()
            .filter(|f| *f == file)
            .count()
    }

    /// The tables whose finished mark was on disk at a sync.
    pub fn synced_finished(&self) -> Vec<String> {
        let mut tables: Vec<String> = (self.finished.lock().unwrap().iter())
            .map(|id| id.tb.clone())
            .collect();
        tables.sort();
        tables
    }

    pub fn assert_no_violation(&self) {
        let v = self.violations.lock().unwrap();
        assert!(v.is_empty(), "progress files broke the rules: {v:#?}");
    }
}

/// A task over the fakes with progress in `log_dir`, resuming from it; `extra` is appended
/// to the config, the keys of an `[extractor]` section at its start to that section.
pub fn task(world: &Arc<World>, checker: &Arc<Checker>, log_dir: &Path, extra: &str) -> Task {
    let (extractor, extra) = match extra.strip_prefix("[extractor]\n") {
        Some(rest) => rest.split_at(rest.find('[').unwrap_or(rest.len())),
        None => ("", extra),
    };
    let ini = format!(
        "[extractor]\ndb_type=mysql\nurl=mysql://fake@127.0.0.1:1/none\nbatch_size={READ_BATCH}\n{extractor}\
         [sinker]\ndb_type=mysql\nurl=mysql://fake@127.0.0.1:1/none\nbatch_size=5\n\
         [parallelizer]\nparallel_size=4\nparallel_tables=2\n\
         [pipeline]\nbuffer_size=40\ncheckpoint_interval_secs=0.002\n\
         [runtime]\nlog_dir={}\n[resumer]\nresume_from_log=true\n{extra}",
        log_dir.display()
    );
    let cfg = TaskConfig::from_ini_str(&ini).unwrap();
    let writer = ProgressWriter::open(log_dir)
        .unwrap()
        .with_sync(checker.sync_fn());
    let (e, s) = (world.clone(), world.clone());
    Task::with_writer(cfg, writer)
        .unwrap()
        .with_connectors(move |resumer| {
            (
                Box::new(FakeExtractor { world: e, resumer }) as Box<dyn Extractor>,
                Box::new(FakeSinker { world: s }) as Box<dyn Sinker>,
            )
        })
}

/// Position text of the fake tables' integer keys.
fn key_text(v: &Value) -> Option<String> {
    match v {
        Value::I64(k) => Some(k.to_string()),
        _ => None,
    }
}

/// Lines of a progress file in `log_dir`, parsed.
pub fn lines(log_dir: &Path, file: &str) -> Vec<Position> {
    std::fs::read_to_string(log_dir.join(file))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| parse_line(l).unwrap())
        .map(|l| l.position)
        .collect()
}

/// Tables with a finished mark in `log_dir`.
pub fn finished_tables(log_dir: &Path) -> Vec<String> {
    lines(log_dir, "finished.log")
        .into_iter()
        .filter_map(|p| match p {
            Position::RdbSnapshotFinished { tb, .. } => Some(tb),
            _ => None,
        })
        .collect()
}

/// Position values recorded for table `tb`, in order.
pub fn positions(log_dir: &Path, tb: &str) -> Vec<i64> {
    lines(log_dir, "position.log")
        .into_iter()
        .filter_map(|p| match p {
            Position::RdbSnapshot {
                tb: t,
                order_key: OrderKey::Single { value, .. },
                ..
            } if t == tb => value.as_deref()?.parse().ok(),
            _ => None,
        })
        .collect()
}
