//! Reads earlier progress (docs/en/snapshot/resume.md): whole files, latest position per table wins inside
//! position.log, position.log beats the resume config, finished marks of both count. A torn
//! last line of a log written by dt is skipped with a warning; any other bad line is an error.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use dt_common::{DbType, KeySpan, Resumer, ValueCheck};

use crate::position::{parse_line, ChunkBounds, OrderKey, Position, PositionLine};
use tracing::{info, warn};

use crate::error::ResumeError;
use crate::{FINISHED_LOG, POSITION_LOG};

/// Where earlier progress comes from.
#[derive(Debug, Clone)]
pub struct ResumeSources {
    /// Kind of the task's source; records of another kind are ignored with a warning.
    pub db_type: DbType,
    /// Directory holding position.log and finished.log, when resuming from logs.
    pub log_dir: Option<PathBuf>,
    /// A user-written resume config, when one is named.
    pub config_file: Option<PathBuf>,
    /// Checks the `value` of each position of the task's `db_type` as it is read, where the
    /// form of a value does not depend on the table (MongoDB `_id`s): a value it refuses
    /// makes its line malformed. `None` leaves values to the extractor.
    pub value_check: Option<ValueCheck>,
    /// Progress records kept in a database (their JSON texts, chunk plans before chunk
    /// positions) and where they come from; applied after the resume config file.
    pub stored: Option<(String, Vec<String>)>,
}

type Key = (String, String);

/// A `Resumer` over the progress files of earlier runs.
#[derive(Debug, Default)]
pub struct LogResumer {
    finished: HashSet<Key>,
    /// The schema copy's phases recorded done.
    phases: HashSet<String>,
    positions: HashMap<Key, OrderKey>,
    chunk_plans: HashMap<Key, ChunkPlan>,
}

/// The latest chunk plan of a table and what its chunks committed.
#[derive(Debug)]
struct ChunkPlan {
    order_cols: Vec<String>,
    chunks: Vec<ChunkBounds>,
    committed: HashMap<usize, OrderKey>,
    finished: HashSet<usize>,
}

/// How a file is allowed to end.
#[derive(Clone, Copy, PartialEq)]
enum Origin {
    /// Written by dt: a crash may have torn the last line.
    Log,
    /// Written by a user: every line must be valid.
    UserConfig,
}

impl LogResumer {
    /// Loads every source. Missing logs mean a first run; a named but missing resume config
    /// is an error.
    pub fn load(sources: &ResumeSources) -> Result<LogResumer, ResumeError> {
        let mut r = LogResumer::default();
        if let Some(path) = &sources.config_file {
            if !path.exists() {
                return Err(ResumeError::MissingConfig { path: path.clone() });
            }
            r.apply_file(path, Origin::UserConfig, sources)?;
        }
        if let Some((place, texts)) = &sources.stored {
            for text in texts {
                let bad = |reason| ResumeError::MalformedStored {
                    place: place.clone(),
                    reason,
                    text: text.clone(),
                };
                let parsed = parse_line(text)
                    .and_then(|p| check_value(p, sources))
                    .map_err(bad)?;
                if let Some(p) = parsed {
                    r.apply(p.position, sources.db_type, Path::new(place), 0)
                        .map_err(bad)?;
                }
            }
        }
        if let Some(dir) = &sources.log_dir {
            for name in [FINISHED_LOG, POSITION_LOG] {
                let path = dir.join(name);
                if path.exists() {
                    r.apply_file(&path, Origin::Log, sources)?;
                } else {
                    info!(
                        "resumer, {} not found, no progress recorded there yet",
                        path.display()
                    );
                }
            }
        }
        info!(
            "resumer, loaded {} finished table(s) and {} position(s)",
            r.finished.len(),
            r.positions.len() + r.chunk_plans.len()
        );
        Ok(r)
    }

    fn apply_file(
        &mut self,
        path: &Path,
        origin: Origin,
        sources: &ResumeSources,
    ) -> Result<(), ResumeError> {
        let text = std::fs::read(path).map_err(|source| ResumeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8_lossy(&text);
        let lines: Vec<&str> = text.lines().collect();
        let torn_allowed = origin == Origin::Log && !text.ends_with('\n');
        for (i, line) in lines.iter().enumerate() {
            let checked = parse_line(line).and_then(|p| check_value(p, sources));
            let parsed = match checked {
                Ok(Some(p)) => p,
                Ok(None) => continue,
                Err(reason) if torn_allowed && i + 1 == lines.len() => {
                    warn!(
                        "resumer, {}:{}: skipping torn last line ({reason}): `{line}`",
                        path.display(),
                        i + 1
                    );
                    continue;
                }
                Err(reason) => {
                    return Err(ResumeError::Malformed {
                        path: path.to_path_buf(),
                        line: i + 1,
                        reason,
                        text: line.to_string(),
                    })
                }
            };
            self.apply(parsed.position, sources.db_type, path, i + 1)
                .map_err(|reason| ResumeError::Malformed {
                    path: path.to_path_buf(),
                    line: i + 1,
                    reason,
                    text: line.to_string(),
                })?;
        }
        Ok(())
    }

    /// Takes in one record; later records of a table replace earlier ones. A chunk line
    /// that fits no recorded chunk plan is an error: the rows it covers could not be
    /// placed.
    fn apply(
        &mut self,
        position: Position,
        task_db: DbType,
        path: &Path,
        line: usize,
    ) -> Result<(), String> {
        let (db_type, what) = match &position {
            Position::None => return Ok(()),
            Position::RdbSnapshot { db_type, .. } => (*db_type, "position"),
            Position::RdbSnapshotFinished { db_type, .. } => (*db_type, "finished mark"),
            Position::RdbSnapshotChunks { db_type, .. }
            | Position::RdbSnapshotChunk { db_type, .. }
            | Position::RdbSnapshotChunkFinished { db_type, .. } => (*db_type, "chunk record"),
            Position::StructFinished { db_type, .. } => (*db_type, "schema record"),
        };
        if db_type != task_db {
            warn!(
                "resumer, {}:{line}: ignoring a {db_type} {what} in a {task_db} task",
                path.display()
            );
            return Ok(());
        }
        match position {
            Position::None => {}
            Position::RdbSnapshot {
                schema,
                tb,
                order_key,
                ..
            } => {
                self.chunk_plans.remove(&key(&schema, &tb));
                self.positions.insert((schema, tb), order_key);
            }
            Position::RdbSnapshotFinished { schema, tb, .. } => {
                self.finished.insert((schema, tb));
            }
            Position::RdbSnapshotChunks {
                schema,
                tb,
                order_cols,
                chunks,
                ..
            } => {
                self.positions.remove(&key(&schema, &tb));
                let plan = ChunkPlan {
                    order_cols,
                    chunks,
                    committed: HashMap::new(),
                    finished: HashSet::new(),
                };
                self.chunk_plans.insert((schema, tb), plan);
            }
            Position::RdbSnapshotChunk {
                schema,
                tb,
                chunk,
                order_key,
                ..
            } => {
                let plan = self.plan_of(&schema, &tb, chunk)?;
                plan.committed.insert(chunk, order_key);
            }
            Position::RdbSnapshotChunkFinished {
                schema, tb, chunk, ..
            } => {
                let plan = self.plan_of(&schema, &tb, chunk)?;
                plan.finished.insert(chunk);
            }
            // An object's record says what a run did; the target's catalog decides
            // whether it is there.
            Position::StructFinished { phase, object, .. } => {
                if object.is_none() {
                    self.phases.insert(phase);
                }
            }
        }
        Ok(())
    }

    /// The chunk plan that chunk `chunk` of (`schema`, `tb`) belongs to.
    fn plan_of(&mut self, schema: &str, tb: &str, chunk: usize) -> Result<&mut ChunkPlan, String> {
        match self.chunk_plans.get_mut(&key(schema, tb)) {
            Some(plan) if chunk < plan.chunks.len() => Ok(plan),
            Some(plan) => Err(format!(
                "chunk {chunk} of `{schema}`.`{tb}`, whose chunk plan has {} chunk(s)",
                plan.chunks.len()
            )),
            None => Err(format!(
                "chunk {chunk} of `{schema}`.`{tb}` before any chunk plan of that table"
            )),
        }
    }
}

impl ChunkPlan {
    /// The ranges its unfinished chunks still hold, when it is on the columns `cols`.
    fn remaining(&self, cols: &[&str]) -> Option<Vec<KeySpan>> {
        if self.order_cols.len() != cols.len()
            || self.order_cols.iter().zip(cols).any(|(a, b)| a != b)
        {
            return None;
        }
        let spans = self
            .chunks
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.finished.contains(i))
            .map(|(i, c)| {
                let committed = self.committed.get(&i).and_then(|k| match k {
                    OrderKey::Single { col, value } if [col.as_str()] == cols => {
                        value.clone().map(|v| vec![v])
                    }
                    OrderKey::Composite(pairs)
                        if pairs.len() == cols.len()
                            && pairs.iter().zip(cols).all(|((c, _), k)| c == k) =>
                    {
                        pairs.iter().map(|(_, v)| v.clone()).collect()
                    }
                    _ => None,
                });
                KeySpan {
                    after: committed.or_else(|| c.after.clone()),
                    upto: c.upto.clone(),
                }
            })
            .collect();
        Some(spans)
    }
}

/// Runs `sources.value_check` over the value of a position of the task's `db_type`.
fn check_value(
    line: Option<PositionLine>,
    sources: &ResumeSources,
) -> Result<Option<PositionLine>, String> {
    let (Some(check), Some(l)) = (sources.value_check, &line) else {
        return Ok(line);
    };
    if let Position::RdbSnapshot {
        db_type,
        order_key: OrderKey::Single {
            value: Some(value), ..
        },
        ..
    } = &l.position
    {
        if *db_type == sources.db_type {
            check(value).map_err(|e| format!("unusable `value`: {e}"))?;
        }
    }
    Ok(line)
}

fn key(schema: &str, tb: &str) -> Key {
    (schema.to_string(), tb.to_string())
}

impl Resumer for LogResumer {
    fn schema_phase_finished(&self, phase: &str) -> bool {
        let result = self.phases.contains(phase);
        info!("resumer, check finished: schema phase: {phase}, result: {result}");
        result
    }

    fn check_finished(&self, schema: &str, tb: &str) -> bool {
        let result = self.finished.contains(&key(schema, tb));
        info!("resumer, check finished: schema: {schema}, tb: {tb}, result: {result}");
        result
    }

    fn get_resume_value(&self, schema: &str, tb: &str, col: &str) -> Option<String> {
        let result = match self.positions.get(&key(schema, tb)) {
            Some(OrderKey::Single {
                col: c,
                value: Some(value),
            }) if c == col => Some(value.clone()),
            Some(OrderKey::Single {
                col: c,
                value: None,
            }) if c == col => {
                warn!(
                    "resumer, the position of `{schema}`.`{tb}` holds NULL for column {col}; no row \
                     can be resumed after a NULL, so the table is copied again from its start \
                     (rows already in the target are overwritten, not doubled)"
                );
                None
            }
            Some(other) => {
                warn!(
                    "resumer, the position of `{schema}`.`{tb}` is on {other}, but dt pages the \
                     table by column {col} alone; the table is copied again from its start \
                     (rows already in the target are overwritten, not doubled)"
                );
                None
            }
            None => None,
        };
        info!(
            "resumer, get resume value, schema: {schema}, tb: {tb}, col: {col}, result: {result:?}"
        );
        result
    }

    fn get_resume_values(&self, schema: &str, tb: &str, cols: &[&str]) -> Option<Vec<String>> {
        let result = match self.positions.get(&key(schema, tb)) {
            Some(OrderKey::Composite(pairs))
                if pairs.len() == cols.len()
                    && pairs.iter().zip(cols).all(|((c, _), k)| c == k) =>
            {
                let values: Option<Vec<String>> = pairs.iter().map(|(_, v)| v.clone()).collect();
                if values.is_none() {
                    warn!(
                        "resumer, the position of `{schema}`.`{tb}` holds NULL in its key \
                         ({}); no row can be resumed after a NULL, so the table is copied \
                         again from its start (rows already in the target are overwritten, \
                         not doubled)",
                        cols.join(", ")
                    );
                }
                values
            }
            Some(other) => {
                warn!(
                    "resumer, the position of `{schema}`.`{tb}` is on {other}, but dt pages the \
                     table by its key ({}); the table is copied again from its start (rows \
                     already in the target are overwritten, not doubled)",
                    cols.join(", ")
                );
                None
            }
            None => None,
        };
        info!(
            "resumer, get resume values, schema: {schema}, tb: {tb}, cols: {cols:?}, result: \
             {result:?}"
        );
        result
    }

    fn recorded_position(&self, schema: &str, tb: &str) -> Option<String> {
        if let Some(plan) = self.chunk_plans.get(&key(schema, tb)) {
            return Some(format!(
                "a plan of {} chunk(s) on {}",
                plan.chunks.len(),
                plan.order_cols.join(", ")
            ));
        }
        self.positions
            .get(&key(schema, tb))
            .map(ToString::to_string)
    }

    fn get_resume_chunks(&self, schema: &str, tb: &str, cols: &[&str]) -> Option<Vec<KeySpan>> {
        let plan = self.chunk_plans.get(&key(schema, tb))?;
        let result = plan.remaining(cols);
        match &result {
            Some(spans) => info!(
                "resumer, get resume chunks, schema: {schema}, tb: {tb}, cols: {cols:?}, \
                 result: {} of {} chunk(s) left",
                spans.len(),
                plan.chunks.len()
            ),
            None => warn!(
                "resumer, the chunk plan of `{schema}`.`{tb}` is on {}, but dt pages the table \
                 by its key ({}); the table is copied again from its start (rows already in \
                 the target are overwritten, not doubled)",
                plan.order_cols.join(", "),
                cols.join(", ")
            ),
        }
        result
    }
}
