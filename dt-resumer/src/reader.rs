//! Reads earlier progress (docs/en/snapshot/resume.md): whole files, latest position per table wins inside
//! position.log, position.log beats the resume config, finished marks of both count. A torn
//! last line of a log written by dt is skipped with a warning; any other bad line is an error.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use dt_common::{DbType, Resumer, ValueCheck};

use crate::position::{parse_line, OrderKey, Position, PositionLine};
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
}

type Key = (String, String);

/// A `Resumer` over the progress files of earlier runs.
#[derive(Debug, Default)]
pub struct LogResumer {
    finished: HashSet<Key>,
    positions: HashMap<Key, OrderKey>,
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
            r.positions.len()
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
            self.apply(parsed.position, sources.db_type, path, i + 1);
        }
        Ok(())
    }

    fn apply(&mut self, position: Position, task_db: DbType, path: &Path, line: usize) {
        match position {
            Position::None => {}
            Position::RdbSnapshot {
                db_type,
                schema,
                tb,
                order_key,
            } => {
                if db_type != task_db {
                    warn!(
                        "resumer, {}:{line}: ignoring a {db_type} position in a {task_db} task",
                        path.display()
                    );
                    return;
                }
                self.positions.insert((schema, tb), order_key);
            }
            Position::RdbSnapshotFinished {
                db_type,
                schema,
                tb,
            } => {
                if db_type != task_db {
                    warn!("resumer, {}:{line}: ignoring a {db_type} finished mark in a {task_db} task", path.display());
                    return;
                }
                self.finished.insert((schema, tb));
            }
        }
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
        self.positions
            .get(&key(schema, tb))
            .map(ToString::to_string)
    }
}
