//! What a task did, per table: rows, time, and whether it was skipped or resumed.

use std::fmt;
use std::time::Duration;

use anyhow::{bail, Result};
use dt_common::TableId;
use dt_connector::Listing;
use tracing::{info, warn};

/// Logs what the filter selects and dt does not copy, one line each with the reason, and
/// returns the tables to copy (`what`: `task` or `verify`). Selecting no table at all is an
/// error: a filter that matches nothing is far more often a mistake than an intent.
pub(crate) fn selected_tables(listing: &Listing, what: &str) -> Result<Vec<TableId>> {
    for (id, why) in &listing.not_copied {
        warn!("{what}, not copied: {id}: {why}");
    }
    if listing.tables.is_empty() {
        bail!(
            "no table selected: the source holds no table that [filter] selects{}",
            match listing.not_copied.len() {
                0 => String::new(),
                n => format!(" ({n} selected object(s) that are not tables, see default.log)"),
            }
        );
    }
    info!("{what}, {} table(s) selected", listing.tables.len());
    Ok(listing.tables.clone())
}

/// How a table was handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Finished in an earlier run; not copied again.
    SkippedFinished,
    /// Copied from its start.
    Copied,
    /// Copied after a recorded position.
    Resumed { after: String },
    /// Copied in chunks, continuing `left` chunks of an earlier run's chunk plan.
    ResumedChunks { left: usize },
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
    /// Objects the filter selects that dt does not copy, with the reason.
    pub not_copied: Vec<(TableId, String)>,
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
        let not_copied = match self.not_copied.len() {
            0 => String::new(),
            n => format!(", {n} selected object(s) not copied"),
        };
        format!(
            "{} table(s), {} skipped as finished, {} rows in {:.2}s{not_copied}",
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
                Outcome::ResumedChunks { left } => format!("resumed {left} unfinished chunk(s)"),
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
        for (id, why) in &self.not_copied {
            writeln!(f, "not copied: {id}: {why}")?;
        }
        write!(f, "total: {}", self.one_line())
    }
}
