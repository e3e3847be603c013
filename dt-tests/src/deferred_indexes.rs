//! The plain secondary indexes of a target table that starts empty are built after its rows
//! (docs/en/snapshot/resume.md, "Indexes after the rows"). Killed with SIGKILL after they
//! were set aside, in the middle of the rows and (PostgreSQL) in the middle of a build, with
//! resume on and off, every run ends with the target's indexes exactly as they were created,
//! and the rows equal to the source's.

use anyhow::{ensure, Result};
use sqlx::{Connection, PgConnection};

use crate::runner::{
    expect_failure, expect_success, run_dt, run_with_kills, spawn_dt, wait_for_log, Case, Rng,
};
use crate::scenario::{messages, Kind};
use crate::servers::pg_dst;

const SCHEMA: &str = "defer_db";
const ROWS: usize = 123_000;

/// Every index of the case's target tables: table, name, definition and comment.
async fn target_indexes() -> Result<Vec<(String, String, String, Option<String>)>> {
    let mut conn = PgConnection::connect(&pg_dst()).await?;
    let rows = sqlx::query_as(
        "SELECT t.relname::text, c.relname::text, pg_get_indexdef(i.indexrelid), \
         obj_description(i.indexrelid, 'pg_class') FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = $1 ORDER BY 1, 2",
    )
    .bind(SCHEMA)
    .fetch_all(&mut conn)
    .await?;
    Ok(rows)
}

/// The names of the target's indexes that are placeholders (`WHERE false`).
async fn placeholders() -> Result<Vec<String>> {
    Ok(target_indexes()
        .await?
        .into_iter()
        .filter(|(_, _, def, _)| def.ends_with("WHERE false"))
        .map(|(_, name, _, _)| name)
        .collect())
}

/// Fails unless the target holds `expected` indexes and the source's rows.
async fn check_target(expected: &[(String, String, String, Option<String>)]) -> Result<()> {
    let now = target_indexes().await?;
    ensure!(
        now == expected,
        "the target's indexes are not those it was created with:\n{now:#?}\nexpected:\n{expected:#?}"
    );
    let rows = Kind::Pg.assert_schemas_same(&[SCHEMA]).await?;
    ensure!(rows == ROWS, "compared {rows} rows, expected {ROWS}");
    Ok(())
}

/// Prepares the case and returns it with the indexes its target was created with.
async fn prepared(case: &str) -> Result<(Case, Vec<(String, String, String, Option<String>)>)> {
    let case = Case::load(case);
    Kind::Pg.prepare(&case).await?;
    let expected = target_indexes().await?;
    ensure!(expected.len() == 11, "the case's target has {expected:#?}");
    Ok((case, expected))
}

/// Fails if default.log says the indexes of the case's table of 3,000 rows were set aside.
fn small_table_kept(log: &[String]) -> Result<()> {
    ensure!(
        !log.iter()
            .any(|l| l.contains("Small Table") && l.contains("after its rows")),
        "the indexes of a small table were set aside:\n{}",
        log.join("\n")
    );
    Ok(())
}

/// Drops the target table `zz`, which comes after the big one, and runs dt on `case`: the
/// task must stop in its checks with exit code 1, naming it.
async fn stops_on_missing_table(kind: Kind, case: &Case) -> Result<()> {
    kind.target_scalar("DROP TABLE defer_db.zz").await?;
    let out = run_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    expect_failure(&out, "zz")
}

/// Starts dt on `case` with `[sinker] defer_indexes=false` and returns it once the rows of
/// the big table are going in.
fn spawn_keeping_indexes(kind: Kind, case: &Case) -> Result<std::process::Child> {
    let config = case.config(
        &kind.src(),
        &kind.dst(),
        &[("sinker.defer_indexes", "false")],
    );
    let mut child = spawn_dt(&config);
    wait_for_log(case, &mut child, "rows going in", |l| {
        l.contains("task, start `defer_db`.`big`")
    })?;
    Ok(child)
}

/// Starts dt on `config`, waits for the indexes to be set aside and kills it with SIGKILL.
fn kill_after_deferring(case: &Case, config: &std::path::Path) -> Result<()> {
    let mut child = spawn_dt(config);
    wait_for_log(case, &mut child, "deferring the indexes", |l| {
        l.contains("are built after its rows")
    })?;
    child.kill()?;
    child.wait()?;
    Ok(())
}

const DEFERRED: [&str; 5] = ["Big T", "big_k", "big_lower_t", "big_partial", "big_slow"];

pub async fn crash(case: &str) -> Result<()> {
    // Resume on: killed once the indexes are set aside, then several times in the rows.
    let (case_on, expected) = prepared(case).await?;
    let config = case_on.config(&Kind::Pg.src(), &Kind::Pg.dst(), &[]);
    kill_after_deferring(&case_on, &config)?;
    ensure!(
        placeholders().await? == DEFERRED,
        "after the first kill the target's indexes are {:#?}",
        target_indexes().await?
    );
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case_on.log_dir(), 4, ROWS, (0.1, 0.3), &mut rng)?;
    println!("resume on: {killed} kill(s) in the rows");
    check_target(&expected).await?;
    let log = messages(&case_on);
    ensure!(
        log.iter().any(|l| l.contains("built after its rows in")),
        "default.log does not say the indexes were built:\n{}",
        log.join("\n")
    );
    small_table_kept(&log)?;

    // Killed in the slow build, after the table was recorded finished: the next run skips
    // the table and builds what is left.
    let (case_build, expected) = prepared(case).await?;
    let config = case_build.config(&Kind::Pg.src(), &Kind::Pg.dst(), &[]);
    let mut child = spawn_dt(&config);
    wait_for_log(&case_build, &mut child, "the rows of big finished", |_| {
        case_build
            .finished_log()
            .iter()
            .any(|l| l.contains("\"tb\":\"big\""))
    })?;
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill()?;
    child.wait()?;
    let left = placeholders().await?;
    ensure!(
        left.contains(&"big_slow".to_string()),
        "the kill did not land in the build of big_slow: placeholders {left:?}"
    );
    let out = run_dt(&config);
    expect_success(&out)?;
    check_target(&expected).await?;
    ensure!(
        messages(&case_build)
            .iter()
            .any(|l| l.contains("skip `defer_db`.`big`: finished in an earlier run")),
        "the table was not skipped as finished"
    );

    // Resume off: the run after a kill copies again from the start and still finds the
    // indexes the killed run set aside.
    let (case_off, expected) = prepared(case).await?;
    let config = case_off.config(
        &Kind::Pg.src(),
        &Kind::Pg.dst(),
        &[("resumer.resume_from_log", "false")],
    );
    kill_after_deferring(&case_off, &config)?;
    ensure!(placeholders().await? == DEFERRED);
    let out = run_dt(&config);
    expect_success(&out)?;
    check_target(&expected).await?;

    // A task that stops in its checks, here on a target table missing after the big one,
    // leaves the target's indexes as they are.
    let (case_bad, expected) = prepared(case).await?;
    stops_on_missing_table(Kind::Pg, &case_bad).await?;
    let kept: Vec<_> = expected.into_iter().filter(|(t, ..)| t != "zz").collect();
    ensure!(
        target_indexes().await? == kept,
        "a task that stopped in its checks changed the target's indexes: {:#?}",
        target_indexes().await?
    );

    // `[sinker] defer_indexes=false` leaves every index in place.
    let (case_keep, expected) = prepared(case).await?;
    let mut child = spawn_keeping_indexes(Kind::Pg, &case_keep)?;
    ensure!(placeholders().await?.is_empty());
    let status = child.wait()?;
    ensure!(status.success(), "dt exited with {status}");
    check_target(&expected).await?;
    Ok(())
}

/// `SHOW CREATE TABLE` of each of the MySQL case's target tables.
async fn mysql_target_tables() -> Result<Vec<(String, String)>> {
    let mut conn = sqlx::MySqlConnection::connect(&crate::servers::mysql_dst()).await?;
    let mut out = Vec::new();
    for tb in ["Small Table", "big", "zz"] {
        let sql = format!("SHOW CREATE TABLE `{SCHEMA}`.`{tb}`");
        let (name, create): (String, String) = sqlx::query_as(&sql).fetch_one(&mut conn).await?;
        out.push((name, create));
    }
    Ok(out)
}

/// Fails unless the MySQL target's tables are `expected` and hold the source's rows.
async fn mysql_check_target(expected: &[(String, String)]) -> Result<()> {
    let now = mysql_target_tables().await?;
    ensure!(
        now == expected,
        "the target's tables are not as they were created:\n{now:#?}\nexpected:\n{expected:#?}"
    );
    let rows = Kind::Mysql.assert_schemas_same(&[SCHEMA]).await?;
    ensure!(rows == 123_000, "compared {rows} rows, expected 123000");
    Ok(())
}

/// Prepares the MySQL case and returns it with its target tables as they were created.
async fn mysql_prepared(case: &str) -> Result<(Case, Vec<(String, String)>)> {
    let case = Case::load(case);
    Kind::Mysql.prepare(&case).await?;
    Ok((case, mysql_target_tables().await?))
}

/// The keys of the big target table, while they are set aside, are none but its primary and
/// unique keys, and its comment holds them.
async fn mysql_set_aside() -> Result<()> {
    let create = &mysql_target_tables().await?[1].1;
    let (body, options) = create.split_once("\n) ").unwrap_or_default();
    ensure!(
        !body.contains("  KEY ")
            && body.contains("UNIQUE KEY `big_t_key`")
            && options.contains("COMMENT='dt: keys added after the rows are copied: "),
        "the keys of big are not set aside: {create}"
    );
    Ok(())
}

/// MySQL: the plain secondary keys of a target table that starts empty are added after its
/// rows, and its comment restored; killed with SIGKILL once they are set aside and in the
/// middle of the rows, with resume on and off, every run ends with `SHOW CREATE TABLE` of
/// every target table as it was created and the rows equal to the source's.
pub async fn mysql_crash(case: &str) -> Result<()> {
    let (case_on, expected) = mysql_prepared(case).await?;
    let config = case_on.config(&Kind::Mysql.src(), &Kind::Mysql.dst(), &[]);
    kill_after_deferring(&case_on, &config)?;
    mysql_set_aside().await?;
    let mut rng = Rng::from_env();
    let killed = run_with_kills(
        &config,
        &case_on.log_dir(),
        4,
        123_000,
        (0.1, 0.3),
        &mut rng,
    )?;
    println!("resume on: {killed} kill(s) in the rows");
    mysql_check_target(&expected).await?;
    // Which run adds the keys varies: the server finishes the ALTER TABLE of a run killed in
    // it, and the next run then finds them there.
    small_table_kept(&messages(&case_on))?;

    // Resume off: the run after a kill copies again from the start and still adds the keys
    // the killed run set aside.
    let (case_off, expected) = mysql_prepared(case).await?;
    let config = case_off.config(
        &Kind::Mysql.src(),
        &Kind::Mysql.dst(),
        &[("resumer.resume_from_log", "false")],
    );
    kill_after_deferring(&case_off, &config)?;
    mysql_set_aside().await?;
    expect_success(&run_dt(&config))?;
    mysql_check_target(&expected).await?;

    // A task that stops in its checks leaves the target's keys as they are.
    let (case_bad, mut expected) = mysql_prepared(case).await?;
    stops_on_missing_table(Kind::Mysql, &case_bad).await?;
    let mut conn = sqlx::MySqlConnection::connect(&crate::servers::mysql_dst()).await?;
    let (_, big): (String, String) = sqlx::query_as("SHOW CREATE TABLE defer_db.big")
        .fetch_one(&mut conn)
        .await?;
    expected.retain(|(t, _)| t == "big");
    ensure!(
        big == expected[0].1,
        "a task that stopped in its checks changed the target's keys: {big}"
    );

    // `[sinker] defer_indexes=false` leaves every key in place.
    let (case_keep, expected) = mysql_prepared(case).await?;
    let mut child = spawn_keeping_indexes(Kind::Mysql, &case_keep)?;
    ensure!(mysql_target_tables().await? == expected);
    let status = child.wait()?;
    ensure!(status.success(), "dt exited with {status}");
    mysql_check_target(&expected).await?;
    Ok(())
}
