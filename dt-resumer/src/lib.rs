//! Progress of dt on disk: [`LogResumer`] reads position.log, finished.log and a resume
//! config into answers of the `Resumer` trait; [`ProgressWriter`] appends to position.log and
//! finished.log. This crate owns the format in both directions.

mod error;
mod lock;
pub mod position;
mod reader;
mod writer;

pub use error::ResumeError;
pub use lock::{LogDirLock, LOCK_FILE};
pub use position::{ChunkBounds, OrderKey, Position};
pub use reader::{LogResumer, ResumeSources};
pub use writer::{PositionMirror, ProgressWriter, SyncFn};

/// File name of the position log inside a log directory.
pub const POSITION_LOG: &str = "position.log";
/// File name of the finished log inside a log directory.
pub const FINISHED_LOG: &str = "finished.log";
