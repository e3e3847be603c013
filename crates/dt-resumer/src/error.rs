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
    #[error("{path}:{line}: malformed progress line: {reason}: `{text}`")]
    Malformed {
        path: PathBuf,
        line: usize,
        reason: String,
        text: String,
    },
}
