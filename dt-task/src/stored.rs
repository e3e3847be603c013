//! Progress kept in a database table besides the log files (`[resumer]
//! resume_type=from_target` / `from_db`, docs/en/snapshot/resume.md, "Progress in a
//! database"): every checkpoint and finished mark is written there too, as ape-dts's rows,
//! and a run reads its earlier progress from there instead of from log_dir.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::{Context, Result};
use dt_common::config::TaskConfig;
use dt_common::{DbType, TableId};
use dt_connector::progress_db::{ProgressTable, StoredRecord};
use dt_connector::ProgressRow;
use dt_resumer::position::parse_line;
use dt_resumer::{Position, PositionMirror};
use tracing::info;

const DOING: &str = "SnapshotDoing";
const FINISHED: &str = "SnapshotFinished";

/// The progress a task keeps in a database.
pub(crate) struct Stored {
    pub table: Arc<ProgressTable>,
    /// The JSON of its records in the order they are to be applied: chunk plans, other
    /// positions, finished marks.
    pub records: Vec<String>,
    /// The source tables they are of.
    pub tables: BTreeSet<TableId>,
}

/// The progress table of the task and its records, when its config keeps progress in a
/// database.
pub(crate) async fn open(cfg: &TaskConfig) -> Result<Option<Stored>> {
    let Some(db) = &cfg.resumer.store else {
        return Ok(None);
    };
    let task_id = cfg.task_id();
    let table = ProgressTable::open(db, &task_id).await?;
    if db.init {
        let cleared = table.clear().await?;
        info!(
            "resumer, task id {task_id}: --init deleted its {cleared} progress record(s) in the {}",
            table.place
        );
    }
    let mut records = table.load().await?;
    info!(
        "resumer, task id {task_id}: {} progress record(s) in the {}",
        records.len(),
        table.place
    );
    let task_db = cfg.extractor.db_type;
    let mut tables = BTreeSet::new();
    for r in &records {
        let parsed = parse_line(&r.data).map_err(|why| {
            anyhow::anyhow!(
                "record {} of task id {task_id} in the {} is not a position: {why}",
                r.position_key,
                table.place
            )
        })?;
        if let Some((db, id)) = parsed.and_then(|p| source(&p.position)) {
            tables.insert(id);
            anyhow::ensure!(
                db == task_db,
                "the {} holds progress of task id {task_id} for a {db} source, but this task \
                 copies from {task_db}: another task uses that id; set [global] task_id to \
                 a name of this task's own",
                table.place
            );
        }
    }
    // Stable: records of one rank keep the order they were written in.
    records.sort_by_key(|r| match r.resumer_type.as_str() {
        DOING if r.position_key.ends_with("#chunks") => 0,
        DOING => 1,
        _ => 2,
    });
    Ok(Some(Stored {
        table: Arc::new(table),
        records: records.into_iter().map(|r| r.data).collect(),
        tables,
    }))
}

/// The kind of source and the table a position is of.
fn source(p: &Position) -> Option<(DbType, TableId)> {
    match p {
        Position::None | Position::StructFinished { .. } => None,
        Position::RdbSnapshot {
            db_type,
            schema,
            tb,
            ..
        }
        | Position::RdbSnapshotFinished {
            db_type,
            schema,
            tb,
        }
        | Position::RdbSnapshotChunks {
            db_type,
            schema,
            tb,
            ..
        }
        | Position::RdbSnapshotChunk {
            db_type,
            schema,
            tb,
            ..
        }
        | Position::RdbSnapshotChunkFinished {
            db_type,
            schema,
            tb,
            ..
        } => Some((*db_type, TableId::new(schema, tb))),
    }
}

/// Refuses progress of tables none of which the task selects: it was written by another
/// task with the same id (a task whose filter changed between runs still finds some).
pub(crate) fn check_tables(
    stored: &BTreeSet<TableId>,
    selected: &[TableId],
    place: &str,
    task_id: &str,
) -> Result<()> {
    if stored.is_empty() || selected.iter().any(|t| stored.contains(t)) {
        return Ok(());
    }
    let named: Vec<String> = stored.iter().take(3).map(ToString::to_string).collect();
    anyhow::bail!(
        "the {place} holds progress of task id {task_id} for {} table(s) ({}{}), none of \
         which this task selects: another task uses that id; set [global] task_id to a name \
         of this task's own, or run with --init to delete those records",
        stored.len(),
        named.join(", "),
        if stored.len() > 3 { ", …" } else { "" }
    )
}

/// `p` as a record of the progress table, with the keys of the task's `SnapshotDoing`
/// records it replaces and the prefixes of keys it replaces.
fn stored_record(p: &Position) -> Option<(StoredRecord, Vec<String>, Vec<String>)> {
    let key = |schema: &str, tb: &str| format!("{schema}-{tb}");
    let (mut dropped, mut prefixes) = (Vec::new(), Vec::new());
    let (kind, position_key) = match p {
        Position::None => return None,
        Position::RdbSnapshot { schema, tb, .. } => {
            prefixes.push(format!("{}#chunk", key(schema, tb)));
            (DOING, key(schema, tb))
        }
        Position::RdbSnapshotFinished { schema, tb, .. } => (FINISHED, key(schema, tb)),
        Position::RdbSnapshotChunks { schema, tb, .. } => {
            dropped.push(key(schema, tb));
            prefixes.push(format!("{}#chunk", key(schema, tb)));
            (DOING, format!("{}#chunks", key(schema, tb)))
        }
        Position::RdbSnapshotChunk {
            schema, tb, chunk, ..
        }
        | Position::RdbSnapshotChunkFinished {
            schema, tb, chunk, ..
        } => (DOING, format!("{}#chunk-{chunk}", key(schema, tb))),
        Position::StructFinished { phase, object, .. } => {
            (FINISHED, struct_key(phase, object.as_deref()))
        }
    };
    let record = StoredRecord {
        resumer_type: kind.to_string(),
        position_key,
        data: p.to_json(),
    };
    Some((record, dropped, prefixes))
}

/// The `position_key` of a schema copy's record: `struct#pre-data`, or
/// `struct#post-data#INDEX public.orders_customer` for an object. A key too long for the
/// column (255 characters) ends in a hash of the whole instead; the record's data holds
/// the object's full name either way.
fn struct_key(phase: &str, object: Option<&str>) -> String {
    let key = match object {
        Some(o) => format!("struct#{phase}#{o}"),
        None => format!("struct#{phase}"),
    };
    if key.chars().count() <= 255 {
        return key;
    }
    // FNV-1a: stable across builds, unlike the standard library's hasher.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let head: String = key.chars().take(200).collect();
    format!("{head}#{hash:016x}")
}

/// Writes each checkpoint and finished mark to the progress table, from the checkpoint
/// thread, on the task's runtime. With progress written in the target's transactions
/// ([`Inline`]), only the finished marks: the copy writes every other record itself, and a
/// checkpoint, which lags behind it, would put an older position back.
pub(crate) struct TableMirror {
    pub table: Arc<ProgressTable>,
    pub runtime: tokio::runtime::Handle,
    pub only_finished: bool,
}

impl PositionMirror for TableMirror {
    fn record(&mut self, positions: &[Position]) -> Result<(), String> {
        let (mut dropped, mut prefixes, mut records) = (Vec::new(), Vec::new(), Vec::new());
        for p in positions {
            let finished = matches!(
                p,
                Position::RdbSnapshotFinished { .. } | Position::StructFinished { .. }
            );
            if self.only_finished && !finished {
                continue;
            }
            let Some((record, d, pre)) = stored_record(p) else {
                continue;
            };
            dropped.extend(d);
            prefixes.extend(pre);
            records.push(record);
        }
        if records.is_empty() {
            return Ok(());
        }
        let table = self.table.clone();
        self.runtime
            .block_on(async move { table.save(&dropped, &prefixes, &records).await })
            .context("progress was written to the log files but not to the database")
            .map_err(|e| format!("{e:#}"))
    }
}

/// Progress committed in the target's transactions, with the rows it records
/// (`[resumer] resume_type=from_target` on a MySQL or PostgreSQL target;
/// docs/en/snapshot/resume.md, "Progress committed with the rows").
pub(crate) struct Inline {
    pub table: Arc<ProgressTable>,
}

impl Inline {
    /// The statement writing `p`, for the sinker to run in the transaction of its rows.
    pub fn row(&self, p: &Position) -> Option<ProgressRow> {
        stored_record(p).map(|(record, ..)| self.table.row(record))
    }

    /// Writes `p` (a chunk plan, a finished mark) on its own, replacing the records it
    /// replaces, and returns once it is committed.
    pub async fn save(&self, p: &Position) -> Result<()> {
        let Some((record, dropped, prefixes)) = stored_record(p) else {
            return Ok(());
        };
        self.table.save(&dropped, &prefixes, &[record]).await
    }
}
