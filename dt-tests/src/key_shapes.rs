//! Tables paged by a key of several columns, and by unique keys that allow NULL, killed
//! with SIGKILL several times in the middle of the copy: every resumed run continues each of
//! them after its recorded position instead of from its first row, the rows whose key holds
//! NULL end up in the target exactly once, and the target equals the source as a multiset.
//! The same holds when each table is copied in chunks of its key read at once: every
//! resumed run continues the recorded chunks.

use anyhow::{ensure, Result};

use crate::runner::{expect_success, run_dt, Case};
use crate::scenario::{crash_runs, messages, Kind};

const SCHEMA: &str = "keyshape_db";

/// The case's tables: a composite primary key, a nullable unique column, and a unique key
/// over two nullable columns.
const TABLES: &[&str] = &["composite", "nullable_uk", "nullable_pair"];

/// Runs case `case` (holding [`TABLES`] with `rows` rows in all) with kills, then checks the
/// target and what default.log says of every start of every table.
pub async fn crash(kind: Kind, case: &str, rows: usize) -> Result<()> {
    check_starts(
        kind,
        case,
        SCHEMA,
        TABLES,
        (rows, ": resume after "),
        TABLES.len(),
    )
    .await?;
    Ok(())
}

/// The case's tables in chunks: [`TABLES`], a composite key whose first column is an
/// integer (cut by even steps of it), and a text key (cut by walking its index).
const CHUNKED: &[&str] = &[
    "composite",
    "composite_int",
    "nullable_uk",
    "nullable_pair",
    "text_key",
];

/// Runs case `case` (holding [`CHUNKED`] in schema `chunk_db`, `rows` rows in all, copied
/// in chunks) with kills, then checks that each table's first start cut it into chunks and
/// that every start once it has a chunk plan continues that plan.
pub async fn crash_in_chunks(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let resumed = ": resume ";
    // A table may be finished before any kill reaches it; most are resumed.
    let log = check_starts(kind, case, "chunk_db", CHUNKED, (rows, resumed), 3).await?;
    for tb in CHUNKED {
        let prefix = format!("task, start `chunk_db`.`{tb}`: ");
        let first = log.iter().find(|l| l.starts_with(&prefix));
        let chunks = first.and_then(|l| l.split(", in ").nth(1));
        let n: usize = chunks
            .and_then(|c| c.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        ensure!(
            n >= 2,
            "`chunk_db`.`{tb}` was not cut into chunks: {first:?}"
        );
    }
    // A run without kills copies every row exactly once: chunks neither overlap nor leave
    // gaps between them.
    let clean = Case::load(case);
    kind.prepare(&clean).await?;
    let out = run_dt(&clean.config(&kind.src(), &kind.dst(), &[]));
    expect_success(&out)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        stdout.contains(&format!(" {rows} rows in ")),
        "a clean run in chunks did not copy {rows} rows:\n{stdout}"
    );
    ensure!(kind.assert_schemas_same(&["chunk_db"]).await? == rows);
    Ok(())
}

/// Runs the case with kills and checks, for each table, that once a start resumed (its
/// line holds `resumed`), no later start began from the first row, and that at least
/// `min_resumed` tables resumed. Returns the messages of default.log.
async fn check_starts(
    kind: Kind,
    case: &str,
    schema: &str,
    tables: &[&str],
    (rows, resumed): (usize, &str),
    min_resumed: usize,
) -> Result<Vec<String>> {
    let (case, killed) = crash_runs(kind, case, schema, rows).await?;
    let log = messages(&case);
    let mut never = Vec::new();
    for tb in tables {
        let id = format!("`{schema}`.`{tb}`");
        let starts: Vec<&String> = log
            .iter()
            .filter(|l| l.starts_with(&format!("task, start {id}: ")))
            .collect();
        let Some(first) = starts.iter().position(|l| l.contains(resumed)) else {
            never.push(id);
            continue;
        };
        let restarted: Vec<&&String> = starts[first..]
            .iter()
            .filter(|l| !l.contains(resumed))
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
    ensure!(
        tables.len() - never.len() >= min_resumed,
        "{never:?} were never resumed mid-table in {killed} kills:\n{}",
        log.join("\n")
    );
    Ok(log)
}
