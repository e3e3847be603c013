//! One task per log directory: a run holds an exclusive `flock` on `dt.lock` in its log
//! directory from start to exit. The kernel releases it when the process ends, also on
//! `kill -9`, so a stale lock never blocks a resume.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::ResumeError;

/// File name of the lock inside a log directory.
pub const LOCK_FILE: &str = "dt.lock";

/// The held lock; dropping it (or exiting) releases it.
#[derive(Debug)]
pub struct LogDirLock {
    _file: File,
}

impl LogDirLock {
    /// Takes the lock of `dir` (created if missing) without waiting, and writes this
    /// process's id into the lock file. Fails with [`ResumeError::Locked`] naming the
    /// holder's pid when another process holds it.
    pub fn acquire(dir: &Path) -> Result<LogDirLock, ResumeError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| ResumeError::Io {
            path: path.clone(),
            source,
        };
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(ResumeError::Locked {
                    dir: dir.to_path_buf(),
                    holder: holder_pid(&mut file),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(LogDirLock { _file: file })
    }
}

/// The pid the holder wrote, or `unknown` when it has not written it yet.
fn holder_pid(file: &mut File) -> String {
    let mut text = String::new();
    match file.read_to_string(&mut text) {
        Ok(_) if !text.trim().is_empty() => text.trim().to_string(),
        _ => "unknown".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_until_the_first_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let first = LogDirLock::acquire(dir.path()).unwrap();
        let err = LogDirLock::acquire(dir.path()).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&std::process::id().to_string()),
            "names the holder's pid: {msg}"
        );
        drop(first);
        LogDirLock::acquire(dir.path()).unwrap();
    }
}
