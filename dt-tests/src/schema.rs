//! Schema copy (docs/en/structure.md) between the PostgreSQL servers and between the MySQL
//! servers: a struct task onto an empty target, again onto itself, onto a differing object;
//! ape-dts's phased recipe; a snapshot with the schema around its rows killed in each
//! phase. The target's schema must equal the source's: as `pg_dump --schema-only` writes
//! them, or as `SHOW CREATE` shows each object.

use std::process::Command;

use anyhow::{bail, ensure, Context, Result};
use sqlx::{Connection, Row};

use crate::runner::{dt_binary, expect_success, run_dt, spawn_dt, wait_for_log, Case};
use crate::scenario::{messages, Kind};
use crate::servers;

/// `pg_dump --schema-only` of `schema` on the server of `url`, without the lines that differ
/// between any two dumps (the psql restrict key, the versions).
fn pg_dump(url: &str, schema: &str) -> Result<String> {
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

/// `SHOW CREATE` of the database `db` and of each of its tables, sequences, views,
/// routines, triggers and events on the server of `url`, with a sequence's next value,
/// without definers (the objects belong to the target account).
async fn mysql_dump(url: &str, db: &str) -> Result<String> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    let q = |n: &str| format!("`{}`", n.replace('`', "``"));
    let mut out = Vec::new();
    let listings = [
        ("TABLE", "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'"),
        ("SEQUENCE", "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE'"),
        ("VIEW", "SELECT TABLE_NAME FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"),
        ("FUNCTION", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'FUNCTION'"),
        ("PROCEDURE", "SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? AND ROUTINE_TYPE = 'PROCEDURE'"),
        ("TRIGGER", "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"),
        ("EVENT", "SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?"),
    ];
    let row = sqlx::query(&format!("SHOW CREATE DATABASE {}", q(db)))
        .fetch_one(&mut conn)
        .await?;
    out.push(row.try_get_unchecked::<String, _>(1)?);
    for (kind, sql) in listings {
        let mut names: Vec<String> = sqlx::query_scalar(sql)
            .bind(db)
            .fetch_all(&mut conn)
            .await?;
        names.sort();
        for name in names {
            let row = sqlx::query(&format!("SHOW CREATE {kind} {}.{}", q(db), q(&name)))
                .fetch_one(&mut conn)
                .await?;
            let col = match kind {
                "FUNCTION" | "PROCEDURE" | "TRIGGER" => 2,
                "EVENT" => 3,
                _ => 1,
            };
            let mut text: String = row.try_get_unchecked(col)?;
            if kind == "TRIGGER" {
                // The order triggers of one event fire in.
                let order: i64 = sqlx::query_scalar(
                    "SELECT ACTION_ORDER FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ? AND TRIGGER_NAME = ?",
                )
                .bind(db)
                .bind(&name)
                .fetch_one(&mut conn)
                .await?;
                text = format!("{text}\n-- action order {order}");
            }
            if kind == "SEQUENCE" {
                let next: i64 = sqlx::query_scalar(&format!(
                    "SELECT next_not_cached_value FROM {}.{}",
                    q(db),
                    q(&name)
                ))
                .fetch_one(&mut conn)
                .await?;
                text = format!("{text}\n-- next value {next}");
            }
            out.push(without_definer(&text));
        }
    }
    Ok(out.join("\n\n"))
}

/// `sql` without its `DEFINER=`user`@`host`` clause.
fn without_definer(sql: &str) -> String {
    let Some(at) = sql.find("DEFINER=`") else {
        return sql.to_string();
    };
    let rest = &sql[at..];
    let end = rest.find(' ').unwrap_or(rest.len());
    format!("{}{}", &sql[..at], rest[end..].trim_start())
}

/// The target's `schema` (a MySQL database) equals the source's, object for object.
pub async fn same_schema(kind: Kind, schema: &str) -> Result<()> {
    let (src, dst) = match kind {
        Kind::Pg => (
            pg_dump(&servers::pg_src(), schema)?,
            pg_dump(&servers::pg_dst(), schema)?,
        ),
        _ => (
            mysql_dump(&servers::mysql_src(), schema).await?,
            mysql_dump(&servers::mysql_dst(), schema).await?,
        ),
    };
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
        let first = src
            .lines()
            .zip(dst.lines())
            .find(|(a, b)| a != b)
            .map(|(a, b)| format!("source `{a}`, target `{b}`"))
            .unwrap_or_else(|| "one ends before the other".into());
        bail!("the target's schema {schema} differs from the source's:\nonly in the source: {missing:#?}\nonly in the target: {extra:#?}\nfirst difference: {first}");
    }
    ensure!(
        src.contains("CREATE TABLE"),
        "the dump of {schema} holds no table:\n{src}"
    );
    Ok(())
}

/// Runs SQL on the target.
async fn on_target(kind: Kind, sql: &str) -> Result<()> {
    use sqlx::Executor;
    match kind {
        Kind::Pg => {
            let mut conn = sqlx::PgConnection::connect(&servers::pg_dst()).await?;
            conn.execute(sqlx::raw_sql(sql)).await?;
        }
        _ => {
            let mut conn = sqlx::MySqlConnection::connect(&servers::mysql_dst()).await?;
            conn.execute(sqlx::raw_sql(sql)).await?;
        }
    }
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
pub async fn struct_task(kind: Kind, case: &str, schema: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = |o: &[(&str, &str)]| case.config(&kind.src(), &kind.dst(), o);
    let (customer, items, differing, fks) = match kind {
        Kind::Pg => (
            format!("\"{schema}\".customer"),
            format!("\"{schema}\".\"Order Items\""),
            format!(
                "DROP INDEX \"{schema}\".order_items_customer; \
                 CREATE INDEX order_items_customer ON \"{schema}\".\"Order Items\" (line)"
            ),
            format!(
                "SELECT count(*) FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
                 WHERE n.nspname = '{schema}' AND c.contype = 'f'"
            ),
        ),
        _ => (
            format!("`{schema}`.customer"),
            format!("`{schema}`.`Order Items`"),
            format!(
                "ALTER TABLE `{schema}`.`Order Items` DROP KEY order_items_select, \
                 ADD KEY order_items_select (line)"
            ),
            format!(
                "SELECT count(*) FROM information_schema.REFERENTIAL_CONSTRAINTS \
                 WHERE CONSTRAINT_SCHEMA = '{schema}'"
            ),
        ),
    };
    expect_success(&run_dt(&config(&[])))?;
    same_schema(kind, schema).await?;
    let rows = kind
        .target_scalar(&format!("SELECT count(*) FROM {customer}"))
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

    on_target(kind, &differing).await?;
    let out = run_dt(&config(&[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (index, label) = match kind {
        Kind::Pg => (
            "order_items_customer",
            format!("INDEX {schema}.order_items_customer exists in the target and differs"),
        ),
        _ => (
            "order_items_select",
            format!(
                "INDEX {schema}.Order Items.order_items_select exists in the target and differs"
            ),
        ),
    };
    ensure!(
        out.status.code() == Some(1) && stderr.contains(&label) && stderr.lines().count() == 1,
        "a differing index: exit {:?}, stderr: {stderr}",
        out.status.code()
    );
    expect_success(&run_dt(&config(&[("sinker.conflict_policy", "ignore")])))?;
    ensure!(
        messages(&case).iter().any(|l| l.contains(&format!(
            "{index} differs in the target and is left as it is"
        ))),
        "conflict_policy=ignore left no warning"
    );

    // ape-dts's recipe: tables and their keys, the rows, then constraints and indexes; a
    // last struct task brings what the recipe leaves out (views, triggers, comments).
    let drop = match kind {
        Kind::Pg => format!("DROP SCHEMA \"{schema}\" CASCADE"),
        _ => format!("DROP DATABASE `{schema}`"),
    };
    on_target(kind, &drop).await?;
    expect_success(&run_dt(&config(&[(
        "filter.do_structures",
        "database,table",
    )])))?;
    let snapshot = [
        ("extractor.extract_type", "snapshot"),
        ("sinker.sink_type", "write"),
    ];
    expect_success(&run_dt(&config(&snapshot)))?;
    let copied = kind
        .target_scalar(&format!("SELECT count(*) FROM {items}"))
        .await?;
    ensure!(copied > 0, "the recipe's snapshot copied no order item");
    expect_success(&run_dt(&config(&[(
        "filter.do_structures",
        "constraint,index",
    )])))?;
    let fks = kind.target_scalar(&fks).await?;
    ensure!(
        fks == 1,
        "{fks} foreign key(s) after the recipe, expected 1"
    );
    expect_success(&run_dt(&config(&[])))?;
    same_schema(kind, schema).await?;
    kind.assert_schemas_same(&[schema]).await?;
    Ok(())
}

/// Starts dt on `config` and kills it (SIGKILL) in `phase`, once `ready` says the target is
/// far enough in it; returns what `ready` last saw.
async fn kill_in<F, Fut>(
    case: &Case,
    config: &std::path::Path,
    phase: &str,
    ready: F,
) -> Result<i64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Option<i64>>>,
{
    let head = format!("schema, {phase}: ");
    kill_when(
        case,
        config,
        phase,
        |l| l.contains(&head) && l.contains("to bring"),
        ready,
    )
    .await
}

/// Runs dt on `config` until default.log has a line that `begun` accepts, then until
/// `ready` returns a value, and kills it; returns that value.
async fn kill_when<F, Fut>(
    case: &Case,
    config: &std::path::Path,
    phase: &str,
    begun: impl Fn(&str) -> bool,
    ready: F,
) -> Result<i64>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<Option<i64>>>,
{
    let mut child = spawn_dt(config);
    wait_for_log(case, &mut child, phase, begun)?;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let seen = loop {
        if let Some(seen) = ready().await? {
            break seen;
        }
        ensure!(
            child.try_wait()?.is_none(),
            "dt ended before the kill in {phase}"
        );
        ensure!(
            std::time::Instant::now() < deadline,
            "{phase} made no progress in 60 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    };
    child.kill()?;
    child.wait()?;
    Ok(seen)
}

/// A snapshot with the schema around its rows, killed in the middle of its pre-data phase,
/// then of its rows, then of its post-data phase, then run to the end: the target's schema
/// and rows equal the source's (an index being built when killed is built once, no row is
/// doubled), each resumed phase created only what the killed one had not, the rows resumed
/// mid-table, and the last run skips the pre-data phase that finished.log records done. On
/// PostgreSQL the table killed in its rows was created by that run, without its keys
/// (docs/en/structure.md, "Keys after the rows"), which the next run adds before the rows.
pub async fn crash_in_phases(kind: Kind, case: &str, schema: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let tables = match kind {
        Kind::Pg => format!("SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'"),
        _ => format!(
            "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '{schema}'"
        ),
    };
    let at_least = |sql: String, least: i64| {
        move || {
            let sql = sql.clone();
            async move {
                let n = kind.target_scalar(&sql).await?;
                Ok((n >= least).then_some(n))
            }
        }
    };
    let made = kill_in(&case, &config, "pre-data", at_least(tables, 10)).await?;
    ensure!(
        made < 121,
        "all {made} tables were there when the pre-data phase was killed"
    );
    // The rows: killed once a position of `big` is recorded, before its last row.
    let big = format!("SELECT count(*) FROM {schema}.big");
    let positions = case.log_dir().join("position.log");
    let half_copied = || {
        let (big, positions) = (big.clone(), positions.clone());
        async move {
            let recorded = std::fs::read_to_string(&positions)
                .unwrap_or_default()
                .contains(r#""tb":"big""#);
            let n = kind.target_scalar(&big).await?;
            Ok((recorded && n > 0).then_some(n))
        }
    };
    let copied = kill_when(
        &case,
        &config,
        "the rows",
        |l| l.contains("task, start") && l.contains("big"),
        half_copied,
    )
    .await?;
    ensure!(
        copied < 300_000,
        "all of big was copied when the rows were killed"
    );
    if kind == Kind::Pg {
        let keys = format!(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'big'"
        );
        let n = kind.target_scalar(&keys).await?;
        ensure!(
            n == 0,
            "big, created by the killed run, had {n} index(es) while its rows were copied"
        );
    }
    let built = match kind {
        // The primary key comes before the rows; two more indexes, then the kill.
        Kind::Pg => {
            let indexes = format!(
                "SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema}' AND tablename = 'big'"
            );
            let built = kill_in(&case, &config, "post-data", at_least(indexes, 3)).await?;
            ensure!(
                built < 7,
                "all {built} indexes were there when the post-data phase was killed"
            );
            built
        }
        // One statement adds the six indexes of `big`: killed while the server builds them.
        _ => {
            let building = format!(
                "SELECT count(*) FROM information_schema.PROCESSLIST \
                 WHERE INFO LIKE 'ALTER TABLE `big` ADD KEY%' AND DB = '{schema}'"
            );
            kill_in(&case, &config, "post-data", at_least(building, 1)).await?;
            let indexes = format!(
                "SELECT count(DISTINCT INDEX_NAME) FROM information_schema.STATISTICS \
                 WHERE TABLE_SCHEMA = '{schema}' AND TABLE_NAME = 'big'"
            );
            kind.target_scalar(&indexes).await?
        }
    };
    let out = std::process::Command::new(dt_binary())
        .arg(&config)
        .output()?;
    expect_success(&out)?;
    same_schema(kind, schema).await?;
    let rows = kind.assert_schemas_same(&[schema]).await?;
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
    let last = messages(&case);
    let starts: Vec<&String> = last
        .iter()
        .filter(|l| l.starts_with("task, start") && l.contains("big"))
        .collect();
    ensure!(
        starts.len() >= 2 && starts[1].contains(": resume"),
        "the run after the kill in the rows did not resume big mid-table: {starts:?}"
    );
    ensure!(
        last.iter()
            .any(|l| l.contains("schema, pre-data: finished by an earlier run")),
        "the last run did not skip the pre-data phase recorded in finished.log"
    );
    let finished = std::fs::read_to_string(case.log_dir().join("finished.log"))?;
    ensure!(
        finished.contains(r#""type":"StructFinished","#)
            && finished.contains(r#""phase":"post-data"}"#),
        "finished.log records no schema phase:\n{finished}"
    );
    println!(
        "killed with {made} of 121 tables, then with {copied} rows of big, then with {built} \
         index(es) of big; then {:?}",
        phase_lines(&case, "post-data")
    );
    Ok(())
}
