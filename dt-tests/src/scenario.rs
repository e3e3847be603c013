//! The scenarios every data path runs — basic, resume, crash and bad input — written once
//! over [`Kind`]; each test function in `tests/` is one call.

use anyhow::{ensure, Context, Result};
use sqlx::Connection;

use crate::compare::{
    mongo_assert_same, mongo_collections, mysql_assert_same, mysql_tables, pg_assert_same,
    pg_tables,
};
use crate::runner::{
    expect_failure, expect_success, run_dt, run_with_kills_then, spawn_dt, wait_for_log, Case, Rng,
};
use crate::servers;

/// A data path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Mysql,
    Pg,
    Mongo,
}

impl Kind {
    pub fn src(self) -> String {
        match self {
            Kind::Mysql => servers::mysql_src(),
            Kind::Pg => servers::pg_src(),
            Kind::Mongo => servers::mongo_src(),
        }
    }

    pub fn dst(self) -> String {
        match self {
            Kind::Mysql => servers::mysql_dst(),
            Kind::Pg => servers::pg_dst(),
            Kind::Mongo => servers::mongo_dst(),
        }
    }

    /// The directory of this path's cases under `tests/`.
    fn dir(self) -> &'static str {
        match self {
            Kind::Mysql => "mysql_to_mysql",
            Kind::Pg => "pg_to_pg",
            Kind::Mongo => "mongo_to_mongo",
        }
    }

    fn db_type(self) -> &'static str {
        match self {
            Kind::Mysql => "mysql",
            Kind::Pg => "pg",
            Kind::Mongo => "mongo",
        }
    }

    pub async fn prepare(self, case: &Case) -> Result<()> {
        match self {
            Kind::Mysql => case.prepare_mysql().await,
            Kind::Pg => case.prepare_pg().await,
            Kind::Mongo => case.prepare_mongo().await,
        }
    }

    /// Compares every table of `schemas` between source and target; returns the rows compared.
    pub async fn assert_schemas_same(self, schemas: &[&str]) -> Result<usize> {
        let mut rows = 0;
        for schema in schemas {
            let tables = match self {
                Kind::Mysql => mysql_tables(&self.src(), schema).await?,
                Kind::Pg => pg_tables(&self.src(), schema).await?,
                Kind::Mongo => mongo_collections(&self.src(), schema).await?,
            };
            ensure!(!tables.is_empty(), "no tables in source schema {schema}");
            for tb in &tables {
                rows += match self {
                    Kind::Mysql => mysql_assert_same((schema, tb), (schema, tb)).await?,
                    Kind::Pg => pg_assert_same((schema, tb), (schema, tb)).await?,
                    Kind::Mongo => mongo_assert_same((schema, tb), (schema, tb)).await?,
                };
            }
        }
        Ok(rows)
    }

    /// Runs `sql` on the target, on a connection of its own, and returns its single
    /// integer, or 0 for a statement without rows (MySQL and PostgreSQL).
    pub async fn target_scalar(self, sql: &str) -> Result<i64> {
        let dst = self.dst();
        Ok(match self {
            Kind::Mysql => {
                let mut c = sqlx::MySqlConnection::connect(&dst).await?;
                sqlx::query_scalar(sql)
                    .fetch_optional(&mut c)
                    .await?
                    .unwrap_or(0)
            }
            _ => {
                let mut c = sqlx::PgConnection::connect(&dst).await?;
                sqlx::query_scalar(sql)
                    .fetch_optional(&mut c)
                    .await?
                    .unwrap_or(0)
            }
        })
    }

    /// Integer keys present in a target table, sorted. Mongo fixtures use ObjectIds whose hex
    /// is the zero-padded key (`format!("{n:024x}")`).
    pub async fn target_keys(self, schema: &str, tb: &str, col: &str) -> Result<Vec<i64>> {
        let dst = self.dst();
        match self {
            Kind::Mysql => {
                let mut conn = sqlx::MySqlConnection::connect(&dst).await?;
                let sql =
                    format!("SELECT CAST(`{col}` AS SIGNED) FROM `{schema}`.`{tb}` ORDER BY 1");
                Ok(sqlx::query_scalar(&sql).fetch_all(&mut conn).await?)
            }
            Kind::Pg => {
                let mut conn = sqlx::PgConnection::connect(&dst).await?;
                let sql = format!("SELECT \"{col}\"::int8 FROM \"{schema}\".\"{tb}\" ORDER BY 1");
                Ok(sqlx::query_scalar(&sql).fetch_all(&mut conn).await?)
            }
            Kind::Mongo => {
                let docs = crate::compare::mongo_docs(&dst, schema, tb).await?;
                docs.into_iter()
                    .map(|d| {
                        let doc = bson::RawDocumentBuf::from_bytes(d)?;
                        let oid = doc.get_object_id("_id")?;
                        Ok(i64::from_str_radix(&oid.to_hex(), 16)?)
                    })
                    .collect()
            }
        }
    }
}

/// The message part of a default.log line.
pub fn message(line: &str) -> &str {
    line.splitn(4, " - ").nth(3).unwrap_or("")
}

/// Whether `expected` appears in `lines` in order (other lines may come between).
fn contains_in_order(lines: &[String], expected: &[&str]) -> bool {
    let mut it = lines.iter();
    expected.iter().all(|e| it.any(|l| l == e))
}

/// Copies a case with every type and key shape; the target must equal the source, every
/// table gets one finished line, and tables without a single-column key get no position.
pub async fn basic(
    kind: Kind,
    case: &str,
    schemas: &[&str],
    tables: usize,
    special: (&str, &str),
) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    expect_success(&run_dt(&case.config(&kind.src(), &kind.dst(), &[])))?;
    let rows = kind.assert_schemas_same(schemas).await?;
    ensure!(rows > 2500, "only {rows} rows compared");
    let finished = case.finished_log();
    ensure!(
        finished.len() == tables,
        "expected {tables} finished lines, got {finished:#?}"
    );
    let line = format!(
        r#"{{"type":"RdbSnapshotFinished","db_type":"{}","schema":"{}","tb":"{}"}}"#,
        kind.db_type(),
        special.0,
        special.1
    );
    ensure!(
        finished.iter().any(|l| l.ends_with(&line)),
        "no {line} in {finished:#?}"
    );
    for keyless in ["composite_pk", "no_key", "nullable_uk"] {
        let tag = format!(r#""tb":"{keyless}""#);
        ensure!(
            !case.position_log().iter().any(|l| l.contains(&tag)),
            "position recorded for {keyless}"
        );
    }
    Ok(())
}

/// The seed's example: finished tables in resume.config and finished.log are skipped,
/// positions from resume.config and position.log are resumed after (position.log winning),
/// and default.log shows the seed's resumer lines.
pub async fn resume(kind: Kind, case: &str, at: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    expect_success(&run_dt(&case.config(&kind.src(), &kind.dst(), &[])))?;
    let range = |from: i64, to: i64| (from..=to).collect::<Vec<_>>();
    let expect = [
        ("test_db_1", "one_pk_no_uk", "f_0", range(6, 10)),
        ("test_db_1", "one_pk_multi_uk", "f_0", range(6, 10)),
        ("test_db_1", "no_progress_table", "f_0", range(1, 10)),
        (at, "finished_table_*$1", "p.k", vec![]),
        (at, "finished_table_*$2", "p.k", vec![]),
        (at, "in_finished_log_table_*$1", "p.k", vec![]),
        (at, "in_finished_log_table_*$2", "p.k", vec![]),
        (at, "in_position_log_table_*$1", "p.k", range(2, 5)),
        (at, "resume_table_*$4", "p.k", range(2, 5)),
        // position.log says 3, resume.config says 1: position.log wins.
        (at, "in_both_table_*$1", "p.k", range(4, 5)),
    ];
    for (schema, tb, col, keys) in expect {
        // MongoDB collection names cannot hold `$`; its fixture drops it.
        let tb = if kind == Kind::Mongo {
            tb.replace('$', "")
        } else {
            tb.to_string()
        };
        let got = kind.target_keys(schema, &tb, col).await?;
        ensure!(
            got == keys,
            "{schema}.{tb}: target has keys {got:?}, expected {keys:?}"
        );
    }
    let expected_log = std::fs::read_to_string(case.dir.join("expected_default.log"))?;
    let expected: Vec<&str> = expected_log.lines().map(message).collect();
    let log = messages(&case);
    ensure!(
        contains_in_order(&log, &expected),
        "default.log lacks the seed's lines in order:\n{}",
        log.join("\n")
    );
    let finished = case.finished_log();
    ensure!(
        finished.len() == 6,
        "expected 6 finished lines, got {finished:#?}"
    );
    let skipped = if kind == Kind::Mongo {
        "finished_table_*1"
    } else {
        "finished_table_*$1"
    };
    ensure!(
        finished.iter().all(|l| !l.contains(skipped)),
        "{finished:#?}"
    );
    ensure!(
        finished.iter().any(|l| l.contains("no_progress_table")),
        "{finished:#?}"
    );
    Ok(())
}

/// SIGKILLs the task at random points of the copy and resumes it each time; at the end the target
/// equals the source, and the runs both resumed from positions and skipped finished tables.
/// Each kill lands after 4–10 % of `rows` were committed by that run.
pub async fn crash(kind: Kind, case: &str, schema: &str, rows: usize) -> Result<()> {
    let (case, killed) = crash_runs(kind, case, schema, rows).await?;
    let log = messages(&case);
    let resumed = log.iter().filter(|l| l.contains(": resume after ")).count();
    let skipped = case.skipped_as_finished();
    println!("{killed} kills, {resumed} table starts resumed from a position, {skipped} tables skipped as finished");
    ensure!(
        resumed > 0 && skipped > 0,
        "runs did not both resume from positions and skip finished tables:\n{}",
        log.join("\n")
    );
    Ok(())
}

/// The runs of [`crash`]: case `case` copied with at least three SIGKILLs at random points
/// and resumed to the end; fails unless every table of `schema` then equals its source, `rows`
/// rows in all. Returns the case and how many runs were killed.
pub async fn crash_runs(
    kind: Kind,
    case: &str,
    schema: &str,
    rows: usize,
) -> Result<(Case, usize)> {
    crash_runs_then(kind, case, schema, rows, &|_| {}).await
}

/// [`crash_runs`], calling `after_kill` with the log dir after each killed run.
pub async fn crash_runs_then(
    kind: Kind,
    case: &str,
    schema: &str,
    rows: usize,
    after_kill: &dyn Fn(&std::path::Path),
) -> Result<(Case, usize)> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut rng = Rng::from_env();
    let log_dir = case.log_dir();
    let killed = run_with_kills_then(
        &config,
        &log_dir,
        (8, rows),
        (0.04, 0.10),
        &mut rng,
        &|| after_kill(&log_dir),
    )?;
    ensure!(
        killed >= 3,
        "only {killed} run(s) were interrupted; the case is too small to test crashes"
    );
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    Ok((case, killed))
}

/// The messages of the case's default.log lines.
pub fn messages(case: &Case) -> Vec<String> {
    case.default_log()
        .iter()
        .map(|l| message(l).to_string())
        .collect()
}

/// Runs a bad-input case; checks the exit code, that stderr gives a one-line reason naming
/// `needles`, and returns the case for checks of what was recorded.
/// SIGTERM in the middle of the copy, with periodic checkpoints out of the way: dt stops
/// with exit 1 and says why, has recorded the committed progress on its way out, and the
/// next run resumes from it and completes the copy.
pub async fn interrupt(kind: Kind, case: &str, schema: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(
        &kind.src(),
        &kind.dst(),
        &[("pipeline.checkpoint_interval_secs", "3600")],
    );
    let mut child = spawn_dt(&config);
    wait_for_log(&case, &mut child, "copying", |l| l.contains("task, start "))?;
    std::thread::sleep(std::time::Duration::from_millis(400));
    ensure!(
        child.try_wait()?.is_none(),
        "the case is too small to interrupt"
    );
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    ensure!(status.success(), "kill -TERM failed");
    let out = child.wait_with_output()?;
    expect_failure(&out, "interrupted by SIGTERM")?;
    let finished = case.finished_log();
    let unfinished_position = case.position_log().iter().any(|p| {
        !finished.iter().any(|f| {
            let tb = |l: &str| {
                l.split(r#""tb":"#)
                    .nth(1)
                    .map(|t| t.split('"').nth(1).map(str::to_string))
            };
            tb(f) == tb(p)
        })
    });
    ensure!(
        unfinished_position,
        "no position of an unfinished table was recorded on the way out:\n{:?}",
        case.position_log()
    );
    expect_success(&run_dt(&config))?;
    ensure!(
        case.default_log()
            .iter()
            .any(|l| l.contains(": resume after ")),
        "the next run did not resume from a recorded position"
    );
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    Ok(())
}

/// `--verify` after a copy of the basic case (every type, key shape and special name) finds
/// every table the same; after the target is altered in three ways — one value changed (in
/// MongoDB only its type: Int32 2 becomes Int64 2), one row deleted, and in a key-less table
/// one row traded for a copy of another so the count stays — it exits 1 naming exactly
/// those tables.
pub async fn verify(kind: Kind, case: &str, tables: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    expect_success(&run_dt(&config))?;
    let run_verify = || {
        std::process::Command::new(crate::runner::dt_binary())
            .arg("--verify")
            .arg(&config)
            .output()
    };
    let out = run_verify()?;
    expect_success(&out)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let same = stdout.lines().filter(|l| l.ends_with("  same")).count();
    ensure!(
        same == tables && stdout.contains(&format!("{tables} table(s) compared, 0 differ")),
        "expected {tables} tables the same:\n{stdout}"
    );

    let expected: &[&str] = match kind {
        Kind::Mysql => {
            crate::runner::mysql_exec(
                &kind.dst(),
                "UPDATE basic_db.all_types SET f_tinyint = IF(f_tinyint = 1, 2, 1) ORDER BY id LIMIT 1; \
                 DELETE FROM basic_db.many_rows ORDER BY id LIMIT 1; \
                 DELETE FROM basic_db.no_key WHERE a IS NULL LIMIT 1; \
                 INSERT INTO basic_db.no_key VALUES (1, 'dup', x'00');",
            )
            .await?;
            &["all_types", "many_rows", "no_key"]
        }
        Kind::Pg => {
            let mut conn = sqlx::PgConnection::connect(&kind.dst()).await?;
            sqlx::raw_sql(
                "UPDATE basic_db.all_types SET f_smallint = CASE WHEN f_smallint = 1 THEN 2 ELSE 1 END \
                   WHERE id = (SELECT min(id) FROM basic_db.all_types); \
                 DELETE FROM basic_db.many_rows WHERE id = (SELECT min(id) FROM basic_db.many_rows); \
                 DELETE FROM basic_db.no_key WHERE ctid = (SELECT ctid FROM basic_db.no_key WHERE a IS NULL LIMIT 1); \
                 INSERT INTO basic_db.no_key VALUES (1, 'dup', '\\x00');",
            )
            .execute(&mut conn)
            .await?;
            &["all_types", "many_rows", "no_key"]
        }
        Kind::Mongo => {
            let db = mongodb::Client::with_uri_str(kind.dst())
                .await?
                .database("basic_db");
            let r = db
                .collection::<bson::Document>("all_types")
                .update_one(
                    bson::doc! { "_id": 1 },
                    bson::doc! { "$set": { "a_second": 2_i64 } },
                )
                .await?;
            ensure!(r.modified_count == 1, "all_types: {r:?}");
            let r = db
                .collection::<bson::Document>("many_docs")
                .delete_one(bson::doc! {})
                .await?;
            ensure!(r.deleted_count == 1, "many_docs: {r:?}");
            &["all_types", "many_docs"]
        }
    };
    let out = run_verify()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        out.status.code() == Some(1),
        "verify exited {:?} on an altered target:\n{stdout}{stderr}",
        out.status.code()
    );
    let differing: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("DIFFERENT"))
        .filter_map(|l| l.split('`').nth(3))
        .collect();
    ensure!(
        differing == expected,
        "expected {expected:?} to differ, verify found {differing:?}:\n{stdout}"
    );
    ensure!(
        stderr.contains(&format!("{} of {tables} table(s) differ", expected.len())),
        "{stderr}"
    );
    Ok(())
}

/// `(count, sum of id, sum of k)` of `crash_db.int_pk`.
async fn int_pk_digest(kind: Kind, url: &str) -> Result<(i64, i64, i64)> {
    Ok(match kind {
        Kind::Mysql => {
            let mut conn = sqlx::MySqlConnection::connect(url).await?;
            sqlx::query_as(
                "SELECT COUNT(*), CAST(IFNULL(SUM(id), 0) AS SIGNED), CAST(IFNULL(SUM(k), 0) AS SIGNED) FROM crash_db.int_pk",
            )
            .fetch_one(&mut conn)
            .await?
        }
        Kind::Pg => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            sqlx::query_as(
                "SELECT count(*), coalesce(sum(id), 0)::int8, coalesce(sum(k), 0)::int8 FROM crash_db.int_pk",
            )
            .fetch_one(&mut conn)
            .await?
        }
        Kind::Mongo => anyhow::bail!("no int_pk table in MongoDB cases"),
    })
}

/// While `crash_db.int_pk` is being copied in key order (its target is slowed by a trigger),
/// rows ahead of the copy are deleted, updated and inserted in the source. The table must
/// arrive as it was when its read began: MySQL reads each table in one consistent-snapshot
/// transaction, PostgreSQL the whole run in one exported snapshot.
pub async fn consistent_read(kind: Kind) -> Result<()> {
    let case = Case::load(&format!("{}/snapshot/crash_test", kind.dir()));
    kind.prepare(&case).await?;
    let before = int_pk_digest(kind, &kind.src()).await?;
    let mut child = spawn_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    let changed = async {
        // Once some int_pk rows are committed, its read has begun.
        wait_for_log(&case, &mut child, "copying int_pk", |l| {
            l.contains("progress, `crash_db`.`int_pk`: ") && !l.contains("int_pk`: 0 row(s)")
        })?;
        let insert = match kind {
            Kind::Mysql => "INSERT INTO crash_db.int_pk WITH RECURSIVE s(n) AS (SELECT 100000 UNION ALL SELECT n + 1 FROM s WHERE n < 100999) SELECT n, 0, 'new', NULL FROM s",
            _ => "INSERT INTO crash_db.int_pk SELECT n, 0, 'new', NULL FROM generate_series(100000, 100999) n",
        };
        let change = format!(
            "BEGIN; DELETE FROM crash_db.int_pk WHERE id > 50000; \
             UPDATE crash_db.int_pk SET k = -1 WHERE id > 30000; {insert}; COMMIT;"
        );
        match kind {
            Kind::Mysql => crate::runner::mysql_exec(&kind.src(), &change).await?,
            _ => {
                let mut conn = sqlx::PgConnection::connect(&kind.src()).await?;
                sqlx::raw_sql(&change).execute(&mut conn).await?;
            }
        }
        ensure!(
            child.try_wait()?.is_none(),
            "dt finished before the source changed; the case is too small"
        );
        Ok(())
    }
    .await;
    if changed.is_err() {
        child.kill().ok();
        child.wait().ok();
    }
    changed?;
    let out = child.wait_with_output()?;
    ensure!(
        out.status.success(),
        "dt failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = int_pk_digest(kind, &kind.src()).await?;
    ensure!(after != before, "the source did not change");
    let target = int_pk_digest(kind, &kind.dst()).await?;
    ensure!(
        target == before,
        "the target {target:?} is not the source as its read began {before:?} (now {after:?})"
    );
    Ok(())
}

pub async fn failure(
    kind: Kind,
    case: &str,
    src: &str,
    dst: &str,
    overrides: &[(&str, &str)],
    code: i32,
    needles: &[&str],
) -> Result<Case> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let mut overrides = overrides.to_vec();
    let file = case.path("resume.config").display().to_string();
    for o in overrides.iter_mut() {
        if o.1 == "{case_resume_config}" {
            o.1 = &file;
        }
    }
    let out = run_dt(&case.config(src, dst, &overrides));
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    ensure!(
        out.status.code() == Some(code),
        "expected exit {code}, got {:?}: {stderr}",
        out.status.code()
    );
    for n in needles {
        ensure!(stderr.contains(n), "stderr does not name `{n}`: {stderr}");
    }
    ensure!(
        stderr.trim().lines().count() == 1,
        "expected a one-line reason: {stderr}"
    );
    Ok(case)
}

/// Nothing recorded at all.
pub fn nothing_recorded(case: &Case) -> Result<()> {
    ensure!(
        case.position_log().is_empty(),
        "position.log: {:?}",
        case.position_log()
    );
    ensure!(
        case.finished_log().is_empty(),
        "finished.log: {:?}",
        case.finished_log()
    );
    Ok(())
}

/// Reads a file that must exist.
pub fn read(path: &std::path::Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))
}

/// Bad input: the `failure` case run against its own source and target with `overrides`;
/// nothing may be recorded.
pub async fn bad_input(
    kind: Kind,
    case: &str,
    src: &str,
    dst: &str,
    overrides: &[(&str, &str)],
    code: i32,
    needles: &[&str],
) -> Result<()> {
    let case = failure(kind, case, src, dst, overrides, code, needles).await?;
    nothing_recorded(&case)
}

/// A wrong password: the message names the cause, shows the URL without the password, and
/// default.log never holds the password.
pub async fn wrong_password(kind: Kind, case: &str, dst_url: &str, needles: &[&str]) -> Result<()> {
    let case = failure(kind, case, &kind.src(), dst_url, &[], 1, needles).await?;
    ensure!(!read(&case.log_dir().join("default.log"))?.contains("wrong-password"));
    nothing_recorded(&case)
}

/// A missing target table stops the task before anything is copied.
pub async fn missing_target_table(kind: Kind, case: &str) -> Result<()> {
    let needle = "target table `bad_input_db`.`b_missing_in_target` does not exist";
    bad_input(kind, case, &kind.src(), &kind.dst(), &[], 1, &[needle]).await
}

/// A malformed line in the resume config is a config error naming file and line.
pub async fn malformed_resume_config(
    kind: Kind,
    case: &str,
    code: i32,
    needles: &[&str],
) -> Result<()> {
    let overrides = [("resumer.resume_config_file", "{case_resume_config}")];
    bad_input(
        kind,
        case,
        &kind.src(),
        &kind.dst(),
        &overrides,
        code,
        needles,
    )
    .await
}
