//! Schema copy (docs/en/structure.md) between the PostgreSQL servers: a struct task onto an
//! empty target, again onto itself, onto a differing object; ape-dts's phased recipe; a
//! snapshot with the schema around its rows killed in each phase. The target's schema must
//! equal the source's as `pg_dump --schema-only` writes them.

use std::process::Command;

use anyhow::{bail, ensure, Context, Result};

use crate::runner::{dt_binary, expect_success, run_dt, spawn_dt, wait_for_log, Case};
use crate::scenario::{messages, Kind};
use crate::servers;

/// `pg_dump --schema-only` of `schema` on the server of `url`, without the lines that differ
/// between any two dumps (the psql restrict key, the versions).
fn dump(url: &str, schema: &str) -> Result<String> {
    let out = Command::new("pg_dump")
        .args([
            "--schema-only",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            url,
        ])
        .arg("--schema")
        .arg(format!("\"{schema}\""))
        .output()
        .context("run pg_dump")?;
    ensure!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout)?;
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            !(l.starts_with("\\restrict")
                || l.starts_with("\\unrestrict")
                || l.starts_with("-- Dumped"))
        })
        .collect();
    Ok(kept.join("\n"))
}

/// The target's `schema` equals the source's, object for object.
pub fn same_schema(schema: &str) -> Result<()> {
    let (src, dst) = (
        dump(&servers::pg_src(), schema)?,
        dump(&servers::pg_dst(), schema)?,
    );
    if src != dst {
        let missing: Vec<&str> = src
            .lines()
            .filter(|l| !dst.lines().any(|d| d == *l))
            .take(10)
            .collect();
        let extra: Vec<&str> = dst
            .lines()
            .filter(|l| !src.lines().any(|s| s == *l))
            .take(10)
            .collect();
        bail!("the target's schema {schema} differs from the source's:\nonly in the source: {missing:#?}\nonly in the target: {extra:#?}");
    }
    ensure!(
        src.contains("CREATE TABLE"),
        "the dump of {schema} holds no table:\n{src}"
    );
    Ok(())
}

/// Runs SQL on the target.
async fn on_target(sql: &str) -> Result<()> {
    use sqlx::{Connection, Executor};
    let mut conn = sqlx::PgConnection::connect(&servers::pg_dst()).await?;
    conn.execute(sqlx::raw_sql(sql)).await?;
    Ok(())
}

/// The default.log line of the last run's `phase` summary.
fn phase_lines(case: &Case, phase: &str) -> Vec<String> {
    let head = format!("schema, {phase}: ");
    messages(case)
        .into_iter()
        .filter(|l| l.starts_with(&head) && l.contains("created"))
        .collect()
}

/// ape-dts's struct task on `case` (schema `schema`): onto an empty target, again (every
/// object found identical), onto a differing index (exit 1 naming it; kept with
/// `conflict_policy=ignore`), then ape-dts's phased recipe around a snapshot.
pub async fn struct_task(case: &str, schema: &str) -> Result<()> {
    let case = Case::load(case);
    Kind::Pg.prepare(&case).await?;
    let config = |o: &[(&str, &str)]| case.config(&servers::pg_src(), &servers::pg_dst(), o);
    expect_success(&run_dt(&config(&[])))?;
    same_schema(schema)?;
    let rows = Kind::Pg
        .target_scalar(&format!("SELECT count(*) FROM \"{schema}\".customer"))
        .await?;
    ensure!(rows == 0, "a struct task copied {rows} rows");

    expect_success(&run_dt(&config(&[])))?;
    let again = phase_lines(&case, "pre-data");
    ensure!(
        again
            .last()
            .is_some_and(|l| l.contains(": 0 object(s) created")),
        "a second struct task created objects again: {again:?}"
    );

    on_target(&format!(
        "DROP INDEX \"{schema}\".order_items_customer; \
         CREATE INDEX order_items_customer ON \"{schema}\".\"Order Items\" (line)"
    ))
    .await?;
    let out = run_dt(&config(&[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(1)
            && stderr.contains(&format!(
                "INDEX {schema}.order_items_customer exists in the target and differs"
            ))
            && stderr.lines().count() == 1,
        "a differing index: exit {:?}, stderr: {stderr}",
        out.status.code()
    );
    expect_success(&run_dt(&config(&[("sinker.conflict_policy", "ignore")])))?;
    ensure!(
        messages(&case)
            .iter()
            .any(|l| l.contains("order_items_customer differs in the target and is left as it is")),
        "conflict_policy=ignore left no warning"
    );

    // ape-dts's recipe: tables and their keys, the rows, then constraints and indexes; a
    // last struct task brings what the recipe leaves out (views, triggers, comments).
    on_target(&format!("DROP SCHEMA \"{schema}\" CASCADE")).await?;
    expect_success(&run_dt(&config(&[(
        "filter.do_structures",
        "database,table",
    )])))?;
    let snapshot = [
        ("extractor.extract_type", "snapshot"),
        ("sinker.sink_type", "write"),
    ];
    expect_success(&run_dt(&config(&snapshot)))?;
    expect_success(&run_dt(&config(&[(
        "filter.do_structures",
        "constraint,index",
    )])))?;
    let fks = Kind::Pg
        .target_scalar(&format!(
            "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
             WHERE n.nspname = '{schema}' AND c.contype = 'f'"
        ))
        .await?;
    ensure!(
        fks == 1,
        "{fks} foreign key(s) after the recipe, expected 1"
    );
    expect_success(&run_dt(&config(&[])))?;
    same_schema(schema)?;
    Kind::Pg.assert_schemas_same(&[schema]).await?;
    Ok(())
}

/// Starts dt on `config` and kills it (SIGKILL) in `phase`, once the target holds at least
/// `least` of what `count` counts; returns the count after the kill.
async fn kill_in(
    case: &Case,
    config: &std::path::Path,
    phase: &str,
    count: &str,
    least: i64,
) -> Result<i64> {
    let mut child = spawn_dt(config);
    let head = format!("schema, {phase}: ");
    wait_for_log(case, &mut child, phase, |l| {
        l.contains(&head) && l.contains("to bring")
    })?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while Kind::Pg.target_scalar(count).await? < least {
        ensure!(
            child.try_wait()?.is_none(),
            "dt ended before the kill in {phase}"
        );
        ensure!(
            std::time::Instant::now() < deadline,
            "{phase} made no progress in 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    child.kill()?;
    child.wait()?;
    Kind::Pg.target_scalar(count).await
}

/// A snapshot with the schema around its rows, killed in the middle of its pre-data phase,
/// then of its post-data phase, then run to the end: the target's schema and rows equal
/// the source's (an index being built when killed is built once), and each resumed phase
/// created only what the killed one had not.
pub async fn crash_in_phases(case: &str, schema: &str) -> Result<()> {
    let case = Case::load(case);
    Kind::Pg.prepare(&case).await?;
    let config = case.config(&servers::pg_src(), &servers::pg_dst(), &[]);
    let tables = format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'");
    let indexes = format!(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'big'"
    );
    let made = kill_in(&case, &config, "pre-data", &tables, 10).await?;
    ensure!(
        made < 121,
        "all {made} tables were there when the pre-data phase was killed"
    );
    // The primary key comes before the rows; two more indexes, then the kill.
    let built = kill_in(&case, &config, "post-data", &indexes, 3).await?;
    ensure!(
        built < 7,
        "all {built} indexes were there when the post-data phase was killed"
    );
    let out = std::process::Command::new(dt_binary())
        .arg(&config)
        .output()?;
    expect_success(&out)?;
    same_schema(schema)?;
    let rows = Kind::Pg.assert_schemas_same(&[schema]).await?;
    ensure!(rows == 300_000 + 120 * 3, "compared {rows} rows");
    for (phase, before) in [("pre-data", made), ("post-data", built)] {
        let lines = phase_lines(&case, phase);
        let resumed = lines.first().context("no phase summary")?;
        ensure!(
            !resumed.contains(": 0 object(s) created")
                && !resumed.contains(", 0 already in the target"),
            "{phase} after a kill that left {before} object(s) did not go on from there: {resumed}"
        );
    }
    println!("killed with {made} of 121 tables, then with {built} of 7 indexes");
    Ok(())
}
