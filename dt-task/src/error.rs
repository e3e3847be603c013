//! The task's typed error: what went wrong, and so which exit code the caller owes the user
//! (docs/en/snapshot/resume.md, "Exit codes").

use thiserror::Error;

/// Why a task did not complete.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum TaskError {
    /// The task could not start for a reason the user has to fix before running it again:
    /// a resume source that is missing or malformed, a log dir that cannot be written.
    /// Nothing was copied.
    #[error(transparent)]
    Setup(anyhow::Error),
    /// SIGINT or SIGTERM arrived; what the target committed is recorded.
    #[error(
        "interrupted by {signal}; what the target committed is recorded, run the task again \
         with [resumer] resume_from_log=true to continue"
    )]
    Interrupted { signal: &'static str },
    /// Copying failed: a server, a table or a row. What was committed before is recorded.
    #[error(transparent)]
    Failed(#[from] anyhow::Error),
}

impl TaskError {
    /// The process exit code for this error: 2 when the task could not start, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            TaskError::Setup(_) => 2,
            TaskError::Interrupted { .. } | TaskError::Failed(_) => 1,
        }
    }
}
