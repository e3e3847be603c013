//! Tables paged by a key of several columns, and by unique keys that allow NULL, killed
//! with SIGKILL several times in the middle of the copy: every resumed run continues each of
//! them after its recorded position instead of from its first row, the rows whose key holds
//! NULL end up in the target exactly once, and the target equals the source as a multiset.

use anyhow::{ensure, Result};

use crate::runner::{run_with_kills, Case, Rng};
use crate::scenario::{message, Kind};

const SCHEMA: &str = "keyshape_db";

/// The case's tables: a composite primary key, a nullable unique column, and a unique key
/// over two nullable columns.
const TABLES: &[&str] = &["composite", "nullable_uk", "nullable_pair"];

/// Runs case `case` (holding [`TABLES`] with `rows` rows in all) with kills, then checks the
/// target and what default.log says of every start of every table.
pub async fn crash(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case.log_dir(), 8, rows, (0.04, 0.10), &mut rng)?;
    ensure!(
        killed >= 3,
        "only {killed} run(s) were interrupted; the case is too small to test crashes"
    );
    let compared = kind.assert_schemas_same(&[SCHEMA]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    let log: Vec<String> = case
        .default_log()
        .iter()
        .map(|l| message(l).to_string())
        .collect();
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
