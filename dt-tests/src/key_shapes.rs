//! Tables paged by a key of several columns, and by unique keys that allow NULL, killed
//! with SIGKILL several times in the middle of the copy: every resumed run continues each of
//! them after its recorded position instead of from its first row, the rows whose key holds
//! NULL end up in the target exactly once, and the target equals the source as a multiset.

use anyhow::{ensure, Result};

use crate::scenario::{crash_runs, messages, Kind};

const SCHEMA: &str = "keyshape_db";

/// The case's tables: a composite primary key, a nullable unique column, and a unique key
/// over two nullable columns.
const TABLES: &[&str] = &["composite", "nullable_uk", "nullable_pair"];

/// Runs case `case` (holding [`TABLES`] with `rows` rows in all) with kills, then checks the
/// target and what default.log says of every start of every table.
pub async fn crash(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let (case, killed) = crash_runs(kind, case, SCHEMA, rows).await?;
    let log = messages(&case);
    for tb in TABLES {
        let id = format!("`{SCHEMA}`.`{tb}`");
        let starts: Vec<&String> = log
            .iter()
            .filter(|l| l.starts_with(&format!("task, start {id}: ")))
            .collect();
        let Some(first) = starts.iter().position(|l| l.contains(": resume after ")) else {
            anyhow::bail!(
                "{id} was never resumed mid-table in {killed} kills:\n{}",
                log.join("\n")
            );
        };
        let restarted: Vec<&&String> = starts[first..]
            .iter()
            .filter(|l| !l.contains(": resume after "))
            .collect();
        ensure!(
            restarted.is_empty(),
            "{id} started again from its first row after it had resumed mid-table: {restarted:?}"
        );
        println!(
            "{id}: {} start(s), {} resumed after a position: {:?}",
            starts.len(),
            starts.len() - first,
            starts.iter().map(|l| l.as_str()).collect::<Vec<_>>()
        );
    }
    Ok(())
}
