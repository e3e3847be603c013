//! Progress kept in the target database (`[resumer] resume_type=from_target`): runs killed
//! with SIGKILL, and after each kill the progress files of the log directory deleted, as when
//! a container loses its disk. Every later run reads its progress from the target's table,
//! so it skips finished tables and resumes the others mid-table; the target ends equal to
//! the source.

use anyhow::{ensure, Result};
use sqlx::Connection;

use crate::runner::{expect_success, run_dt, run_with_kills_then, Case, Rng};
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

/// ape-dts's own style of a task with `resume_type=from_target` (its `resume_db_test`): the
/// rows ape-dts wrote in its progress table are resumed from, finished tables skipped, and
/// every table ends with its finished row there. Then bad input: a task id whose rows were
/// written for another kind of source, and an unreachable progress server, each stop dt
/// with exit code 2 before any row is written.
pub async fn ape_rows(case: &str) -> Result<()> {
    let kind = Kind::Mysql;
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    expect_success(&run_dt(&config))?;
    let expect: [(&str, &str, &str, Vec<i64>); 4] = [
        ("test_db_1", "one_pk_no_uk", "f_0", (6..=10).collect()),
        ("test_db_1", "no_progress_table", "f_0", (1..=10).collect()),
        ("test_db_@", "finished_table_*$1", "p.k", vec![]),
        ("test_db_@", "resume_table_*$4", "p.k", (2..=5).collect()),
    ];
    for (schema, tb, col, keys) in expect {
        let got = kind.target_keys(schema, tb, col).await?;
        ensure!(
            got == keys,
            "{schema}.{tb}: target has {got:?}, expected {keys:?}"
        );
    }
    let log = messages(&case);
    ensure!(
        log.iter()
            .any(|l| l.starts_with("resumer, task id resume_db_test_1: 4 progress record(s)")),
        "no resumer line naming the task id and its 4 records:\n{}",
        log.join("\n")
    );
    let mut c = sqlx::MySqlConnection::connect(&kind.dst()).await?;
    let finished: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM apecloud_resumer_test.ape_task_position \
         WHERE task_id = 'resume_db_test_1' AND resumer_type = 'SnapshotFinished'",
    )
    .fetch_one(&mut c)
    .await?;
    ensure!(
        finished == 10,
        "{finished} finished rows, expected 10 (one per table)"
    );

    let before = kind
        .target_keys("test_db_1", "no_progress_table", "f_0")
        .await?;
    sqlx::query("TRUNCATE test_db_1.no_progress_table")
        .execute(&mut c)
        .await?;
    for (overrides, needle) in [
        (
            vec![("global.task_id", "pg_task")],
            "another task uses that id",
        ),
        (
            vec![
                ("resumer.resume_type", "from_db"),
                ("resumer.db_type", "mysql"),
                ("resumer.url", "mysql://127.0.0.1:1"),
            ],
            "cannot connect to the server of the progress table",
        ),
    ] {
        let out = run_dt(&case.config(&kind.src(), &kind.dst(), &overrides));
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(2) && stderr.contains(needle),
            "{overrides:?}: exit {:?}, stderr: {stderr}",
            out.status.code()
        );
        let rows = kind
            .target_keys("test_db_1", "no_progress_table", "f_0")
            .await?;
        ensure!(rows.is_empty(), "{overrides:?} wrote rows: {rows:?}");
    }
    ensure!(before.len() == 10);
    Ok(())
}
