//! Appends position.log and finished.log lines (docs/en/snapshot/resume.md). One `write_all`
//! per line, data synced at each checkpoint and each finished mark; files are appended to,
//! never truncated, except that an incomplete last line left by a crash is cut off before
//! appending so that a torn line can only ever be the last one.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dt_common::DbType;

use crate::position::{LineTag, Position};
use tracing::warn;

use crate::error::ResumeError;
use crate::{FINISHED_LOG, POSITION_LOG};

/// How the writer flushes a progress file to disk after its lines are written: by default
/// `File::sync_data` (`fdatasync`). Tests give their own to observe each sync.
pub type SyncFn = Arc<dyn Fn(&Path, &File) -> std::io::Result<()> + Send + Sync>;

/// A second place that keeps every position and finished mark the files get, such as a
/// table in the target database (docs/en/snapshot/resume.md, "Progress in a database"). It
/// is called after the lines are on disk; an error fails the checkpoint.
pub trait PositionMirror: Send {
    fn record(&mut self, positions: &[Position]) -> Result<(), String>;
}

/// The one writer of a task's progress files.
pub struct ProgressWriter {
    position: (PathBuf, File),
    finished: (PathBuf, File),
    sync: SyncFn,
    mirror: Option<Box<dyn PositionMirror>>,
}

impl fmt::Debug for ProgressWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProgressWriter")
            .field("position", &self.position.0)
            .field("finished", &self.finished.0)
            .finish_non_exhaustive()
    }
}

impl ProgressWriter {
    /// Opens (creating when needed) position.log and finished.log in `dir`.
    pub fn open(dir: &Path) -> Result<ProgressWriter, ResumeError> {
        std::fs::create_dir_all(dir).map_err(|source| ResumeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(ProgressWriter {
            position: open_append(&dir.join(POSITION_LOG))?,
            finished: open_append(&dir.join(FINISHED_LOG))?,
            sync: Arc::new(|_, file| file.sync_data()),
            mirror: None,
        })
    }

    /// Also records every checkpoint and finished mark in `mirror`.
    pub fn with_mirror(mut self, mirror: Box<dyn PositionMirror>) -> Self {
        self.mirror = Some(mirror);
        self
    }

    fn mirror(&mut self, positions: &[Position]) -> Result<(), ResumeError> {
        match &mut self.mirror {
            Some(m) => m
                .record(positions)
                .map_err(|reason| ResumeError::Mirror { reason }),
            None => Ok(()),
        }
    }

    /// Flushes files with `sync` instead of `File::sync_data`; it is called once per
    /// checkpoint and once per group of finished marks, after the lines are written.
    pub fn with_sync(mut self, sync: SyncFn) -> Self {
        self.sync = sync;
        self
    }

    /// Appends one checkpoint: a `current_position` line per position and the closing
    /// `checkpoint_position` line, then syncs.
    pub fn checkpoint(&mut self, positions: &[Position]) -> Result<(), ResumeError> {
        if positions.is_empty() {
            return Ok(());
        }
        let (path, file) = &mut self.position;
        for p in positions {
            write_line(path, file, Some(LineTag::CurrentPosition), p)?;
        }
        write_line(
            path,
            file,
            Some(LineTag::CheckpointPosition),
            &Position::None,
        )?;
        (self.sync)(path, file).map_err(io_err(path))?;
        self.mirror(positions)
    }

    /// Appends the finished mark of one table, then syncs.
    pub fn finished(&mut self, db_type: DbType, schema: &str, tb: &str) -> Result<(), ResumeError> {
        self.finished_all(db_type, &[(schema, tb)])
    }

    /// Appends the finished marks of `tables` (schema, table), in order, then syncs once.
    pub fn finished_all(
        &mut self,
        db_type: DbType,
        tables: &[(&str, &str)],
    ) -> Result<(), ResumeError> {
        if tables.is_empty() {
            return Ok(());
        }
        let marks: Vec<Position> = tables
            .iter()
            .map(|(schema, tb)| Position::RdbSnapshotFinished {
                db_type,
                schema: schema.to_string(),
                tb: tb.to_string(),
            })
            .collect();
        self.finished_marks(&marks)
    }

    /// Appends `marks` to finished.log, in order, then syncs once.
    pub fn finished_marks(&mut self, marks: &[Position]) -> Result<(), ResumeError> {
        if marks.is_empty() {
            return Ok(());
        }
        let (path, file) = &mut self.finished;
        for p in marks {
            write_line(path, file, None, p)?;
        }
        (self.sync)(path, file).map_err(io_err(path))?;
        self.mirror(marks)
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ResumeError + '_ {
    move |source| ResumeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn open_append(path: &Path) -> Result<(PathBuf, File), ResumeError> {
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(io_err(path))?;
    cut_torn_tail(path, &mut file)?;
    Ok((path.to_path_buf(), file))
}

/// Cuts an incomplete last line (no trailing newline) left by a crash.
fn cut_torn_tail(path: &Path, file: &mut File) -> Result<(), ResumeError> {
    let len = file.metadata().map_err(io_err(path))?.len();
    if len == 0 {
        return Ok(());
    }
    let window = len.min(64 * 1024);
    file.seek(SeekFrom::Start(len - window))
        .map_err(io_err(path))?;
    let mut tail = Vec::with_capacity(window as usize);
    file.read_to_end(&mut tail).map_err(io_err(path))?;
    if tail.last() == Some(&b'\n') {
        return Ok(());
    }
    let keep = match tail.iter().rposition(|&b| b == b'\n') {
        Some(i) => len - window + i as u64 + 1,
        None if window == len => 0,
        None => return Ok(()),
    };
    warn!(
        "progress, {}: cutting an incomplete last line left by an interrupted run: `{}`",
        path.display(),
        String::from_utf8_lossy(&tail[(keep - (len - window)) as usize..])
    );
    file.set_len(keep).map_err(io_err(path))?;
    file.sync_data().map_err(io_err(path))
}

fn write_line(
    path: &Path,
    file: &mut File,
    tag: Option<LineTag>,
    p: &Position,
) -> Result<(), ResumeError> {
    file.write_all(p.to_line(tag).as_bytes())
        .map_err(io_err(path))
}
