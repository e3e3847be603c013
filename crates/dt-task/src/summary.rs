//! What a task did, per table: rows, time, and whether it was skipped or resumed.

use std::fmt;
use std::time::Duration;

use dt_common::TableId;

/// How a table was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished in an earlier run; not copied again.
    SkippedFinished,
    /// Copied from its start.
    Copied,
    /// Copied after a recorded position.
    Resumed { after: String },
}

#[derive(Debug, Clone)]
pub struct TableReport {
    pub id: TableId,
    pub rows: u64,
    pub elapsed: Duration,
    pub outcome: Outcome,
}

impl TableReport {
    pub fn skipped(id: TableId) -> Self {
        TableReport {
            id,
            rows: 0,
            elapsed: Duration::ZERO,
            outcome: Outcome::SkippedFinished,
        }
    }

    pub fn rows_per_sec(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.rows as f64 / s
        } else {
            0.0
        }
    }
}

#[derive(Debug, Clone)]
pub struct TaskSummary {
    pub tables: Vec<TableReport>,
    pub elapsed: Duration,
}

impl TaskSummary {
    pub fn total_rows(&self) -> u64 {
        self.tables.iter().map(|t| t.rows).sum()
    }

    pub fn one_line(&self) -> String {
        let skipped = self
            .tables
            .iter()
            .filter(|t| t.outcome == Outcome::SkippedFinished)
            .count();
        format!(
            "{} table(s), {} skipped as finished, {} rows in {:.2}s",
            self.tables.len(),
            skipped,
            self.total_rows(),
            self.elapsed.as_secs_f64()
        )
    }
}

impl fmt::Display for TaskSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .tables
            .iter()
            .map(|t| t.id.to_string().len())
            .max()
            .unwrap_or(5)
            .max(5);
        writeln!(
            f,
            "{:<width$}  {:>12}  {:>9}  {:>12}  outcome",
            "table", "rows", "time (s)", "rows/s"
        )?;
        for t in &self.tables {
            let outcome = match &t.outcome {
                Outcome::SkippedFinished => "skipped (finished earlier)".to_string(),
                Outcome::Copied => "copied".to_string(),
                Outcome::Resumed { after } => format!("resumed after {after}"),
            };
            writeln!(
                f,
                "{:<width$}  {:>12}  {:>9.2}  {:>12.0}  {outcome}",
                t.id.to_string(),
                t.rows,
                t.elapsed.as_secs_f64(),
                t.rows_per_sec()
            )?;
        }
        write!(f, "total: {}", self.one_line())
    }
}
