//! Progress kept in the target database (`[resumer] resume_type=from_target`): runs killed
//! with SIGKILL, and after each kill the progress files of the log directory deleted, as when
//! a container loses its disk. Every later run reads its progress from the target's table,
//! so it skips finished tables and resumes the others mid-table; the target ends equal to
//! the source.

use anyhow::{ensure, Result};
use sqlx::Connection;

use crate::runner::{run_with_kills_then, Case, Rng};
use crate::scenario::{messages, Kind};

/// Runs case `case` (schema `schema`, `tables` tables, `rows` rows in all) with kills that
/// each lose the log files, then checks the target, the resumed starts and the progress
/// table's finished records.
pub async fn crash_without_logs(
    kind: Kind,
    case: &str,
    schema: &str,
    tables: usize,
    rows: usize,
) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let log_dir = case.log_dir();
    let lose_files = || {
        for name in ["position.log", "finished.log"] {
            let _ = std::fs::remove_file(log_dir.join(name));
        }
    };
    let mut rng = Rng::from_env();
    let killed = run_with_kills_then(
        &config,
        &log_dir,
        (8, rows),
        (0.04, 0.10),
        &mut rng,
        &lose_files,
    )?;
    ensure!(killed >= 3, "only {killed} run(s) were interrupted");
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    let log = messages(&case);
    let resumed = log
        .iter()
        .filter(|l| l.starts_with("task, start ") && l.contains(": resume "))
        .count();
    let skipped = log.iter().filter(|l| l.starts_with("task, skip ")).count();
    ensure!(
        resumed >= 3 && skipped >= 1,
        "with the log files gone, {resumed} table start(s) resumed and {skipped} table(s) \
         were skipped as finished: progress was not read from the target:\n{}",
        log.join("\n")
    );
    let sql = "SELECT COUNT(*) FROM apecloud_metadata.apedts_task_position \
               WHERE resumer_type = 'SnapshotFinished'";
    let finished: i64 = match kind {
        Kind::Mysql => {
            let mut c = sqlx::MySqlConnection::connect(&kind.dst()).await?;
            sqlx::query_scalar(sql).fetch_one(&mut c).await?
        }
        _ => {
            let mut c = sqlx::PgConnection::connect(&kind.dst()).await?;
            sqlx::query_scalar(sql).fetch_one(&mut c).await?
        }
    };
    ensure!(
        finished as usize == tables,
        "{finished} finished record(s) in the target's progress table, expected {tables}"
    );
    println!("{killed} kills, {resumed} resumed start(s), {skipped} skip(s)");
    Ok(())
}
