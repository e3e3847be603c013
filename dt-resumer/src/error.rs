//! Errors of reading and writing progress files; each names the file and, where there is
//! one, the line.

use std::path::PathBuf;

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ResumeError {
    #[error("resume config file {path} does not exist")]
    MissingConfig { path: PathBuf },
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "log dir {dir} is in use by another dt process (pid {holder}); one task runs per \
         log dir: wait for it, stop it, or give this task its own [runtime] log_dir"
    )]
    Locked { dir: PathBuf, holder: String },
    #[error("cannot record progress in the database: {reason}")]
    Mirror { reason: String },
    #[error("{place}: malformed progress record: {reason}: `{text}`")]
    MalformedStored {
        place: String,
        reason: String,
        text: String,
    },
    #[error("{path}:{line}: malformed progress line: {reason}: `{text}`")]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
        text: String,
    },
}
