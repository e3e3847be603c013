//! Progress kept in the target database (`[resumer] resume_type=from_target`): runs killed
//! with SIGKILL, and after each kill the progress files of the log directory deleted, as when
//! a container loses its disk. Every later run reads its progress from the target's table,
//! so it skips finished tables and resumes the others mid-table; the target ends equal to
//! the source. Progress commits with the rows, so no committed row is copied twice: a
//! trigger counts every row the target commits.

use crate::runner::{dt_binary, expect_success, run_dt, Case};
use crate::scenario::{crash_runs_then, messages, Kind};
use anyhow::{ensure, Result};

/// Runs case `case` (schema `schema`, `tables` tables, `rows` rows in all) with kills that
/// each lose the log files, then checks the target, the resumed starts and the progress
/// table's finished records. `by_pages` names a key-less table read by pages, which some
/// run must resume in the middle.
pub async fn crash_without_logs(
    kind: Kind,
    case: &str,
    schema: &str,
    (tables, rows): (usize, usize),
    by_pages: Option<&str>,
) -> Result<()> {
    let lose_files = |log_dir: &std::path::Path| {
        for name in ["position.log", "finished.log"] {
            let _ = std::fs::remove_file(log_dir.join(name));
        }
    };
    let (case, killed) = crash_runs_then(kind, case, schema, rows, &lose_files).await?;
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
    if let Some(table) = by_pages {
        let start = format!("task, start {table}: resume after ctid = (");
        ensure!(
            log.iter().any(|l| l.starts_with(&start)),
            "no run resumed {table} in the middle of its pages:\n{}",
            log.join("\n")
        );
    }
    let sql = "SELECT COUNT(*) FROM apecloud_metadata.apedts_task_position \
               WHERE resumer_type = 'SnapshotFinished'";
    let finished = kind.target_scalar(sql).await?;
    ensure!(
        finished as usize == tables,
        "{finished} finished record(s) in the target's progress table, expected {tables}"
    );
    // Progress commits with the rows: no committed row is inserted a second time.
    let inserted = kind
        .target_scalar("SELECT COUNT(*) FROM dt_count.ins")
        .await?;
    ensure!(
        inserted as usize == rows,
        "the target committed {inserted} row inserts for {rows} source rows: {} row(s) were \
         copied again after a kill",
        inserted - rows as i64
    );
    println!("{killed} kills, {resumed} resumed start(s), {skipped} skip(s), 0 rows copied twice");
    Ok(())
}

/// ape-dts's own style of a task with `resume_type=from_target` (its `resume_db_test`): the
/// rows ape-dts wrote in its progress table are resumed from, finished tables skipped, and
/// every table ends with its finished row there. Then bad input: a task id whose rows were
/// written for another kind of source or for tables the task does not have, an unreachable
/// progress server, and an account that may not create the progress table, each stop dt
/// with exit code 2 before any row is written, without printing the password. Last, `--init` starts the task over.
pub async fn ape_rows(kind: Kind, case: &str, at: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    expect_success(&run_dt(&config))?;
    let expect: [(&str, &str, &str, Vec<i64>); 4] = [
        ("test_db_1", "one_pk_no_uk", "f_0", (6..=10).collect()),
        ("test_db_1", "no_progress_table", "f_0", (1..=10).collect()),
        (at, "finished_table_*$1", "p.k", vec![]),
        (at, "resume_table_*$4", "p.k", (2..=5).collect()),
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
    let finished: i64 = kind
        .target_scalar(
            "SELECT COUNT(*) FROM apecloud_resumer_test.ape_task_position \
         WHERE task_id = 'resume_db_test_1' AND resumer_type = 'SnapshotFinished'",
        )
        .await?;
    ensure!(
        finished == 10,
        "{finished} finished rows, expected 10 (one per table)"
    );

    let before = kind
        .target_keys("test_db_1", "no_progress_table", "f_0")
        .await?;
    // The target server, with an account that may not create tables.
    let dst = kind.dst();
    let no_ddl_url = match (dst.find("://"), dst.find('@')) {
        (Some(scheme), Some(at)) => format!("{}{}", &dst[..scheme + 3], &dst[at + 1..]),
        _ => dst.clone(),
    };
    let (db_type, unreachable) = match kind {
        Kind::Mysql => ("mysql", "mysql://127.0.0.1:1"),
        _ => ("pg", "postgres://127.0.0.1:1/postgres"),
    };
    kind.target_scalar("TRUNCATE test_db_1.no_progress_table")
        .await?;
    for (overrides, needle) in [
        (
            vec![("global.task_id", "other_task")],
            "another task uses that id",
        ),
        (
            vec![("global.task_id", "tables_task")],
            "none of which this task selects: another task uses that id",
        ),
        (
            vec![
                ("resumer.resume_type", "from_db"),
                ("resumer.db_type", db_type),
                ("resumer.url", unreachable),
            ],
            "cannot connect to the server of the progress table",
        ),
        (
            vec![
                ("resumer.resume_type", "from_db"),
                ("resumer.db_type", db_type),
                ("resumer.url", no_ddl_url.as_str()),
                ("resumer.username", "dt_no_ddl"),
                ("resumer.password", "no-ddl-Secret"),
                ("resumer.table_full_name", "dt_no_ddl_meta.positions"),
            ],
            "the account needs the privilege to create it",
        ),
    ] {
        let out = run_dt(&case.config(&kind.src(), &kind.dst(), &overrides));
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(2) && stderr.contains(needle) && !stderr.contains("Secret"),
            "{overrides:?}: exit {:?}, stderr: {stderr}",
            out.status.code()
        );
        let rows = kind
            .target_keys("test_db_1", "no_progress_table", "f_0")
            .await?;
        ensure!(rows.is_empty(), "{overrides:?} wrote rows: {rows:?}");
    }
    ensure!(before.len() == 10);

    // `--init` starts over: the task's rows are deleted, so every table is copied, the ones
    // marked finished before included.
    let records = kind
        .target_scalar(
            "SELECT COUNT(*) FROM apecloud_resumer_test.ape_task_position \
             WHERE task_id = 'resume_db_test_1'",
        )
        .await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let out = std::process::Command::new(dt_binary())
        .arg("--init")
        .arg(&config)
        .output()?;
    expect_success(&out)?;
    let copied = kind.target_keys(at, "finished_table_*$1", "p.k").await?;
    ensure!(
        !copied.is_empty(),
        "--init still skipped a table finished before"
    );
    let log = messages(&case);
    ensure!(
        log.iter()
            .any(|l| l.contains(&format!("--init deleted its {records} progress record(s)"))),
        "no line of --init deleting the task's {records} records:\n{}",
        log.join("\n")
    );
    Ok(())
}
