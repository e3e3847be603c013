//! The write and connection keys of `[sinker]` and `[extractor]` end to end: `replace=false`
//! refuses rows the target held (and a resumed run still re-writes its own), MySQL's
//! `disable_foreign_key_checks` and `transaction_isolation` reach the writers' sessions, and
//! `max_connections` caps what the servers see.

use std::time::Duration;

use anyhow::{ensure, Result};
use sqlx::Connection;

use crate::compare::{mysql_assert_same, pg_assert_same};
use crate::runner::{expect_success, mysql_exec, run_dt, spawn_dt, Case};
use crate::scenario::{failure, Kind};

/// Runs `sql` on the target of `kind`.
async fn dst_exec(kind: Kind, sql: &str) -> Result<()> {
    match kind {
        Kind::Mysql => mysql_exec(&kind.dst(), sql).await,
        _ => {
            let mut conn = sqlx::PgConnection::connect(&kind.dst()).await?;
            sqlx::raw_sql(sql).execute(&mut conn).await?;
            Ok(())
        }
    }
}

/// One text value read from the target of `kind`.
async fn dst_text(kind: Kind, sql: &str) -> Result<String> {
    Ok(match kind {
        Kind::Mysql => {
            let mut conn = sqlx::MySqlConnection::connect(&kind.dst()).await?;
            sqlx::query_scalar(sql).fetch_one(&mut conn).await?
        }
        _ => {
            let mut conn = sqlx::PgConnection::connect(&kind.dst()).await?;
            sqlx::query_scalar(sql).fetch_one(&mut conn).await?
        }
    })
}

async fn assert_same(kind: Kind, schema: &str, tb: &str) -> Result<usize> {
    match kind {
        Kind::Mysql => mysql_assert_same((schema, tb), (schema, tb)).await,
        _ => pg_assert_same((schema, tb), (schema, tb)).await,
    }
}

/// The case's target holds its own row under key 250 of `b_taken`, different from the
/// source's only in form (`held`), and one under a key the source lacks in `a_free`.
/// `replace=false` stops at it with exit 1 naming the table and leaves it as it was; so does
/// a resumed run, which only tolerates rows equal to the source's; once the row equals the
/// source's, the resumed run completes; `replace=true` overwrites it.
pub async fn replace_false(kind: Kind, case: &str, held: &str, source: &str) -> Result<()> {
    let (schema, table) = ("replace_false_db", "`replace_false_db`.`b_taken`");
    let value = format!(
        "SELECT CAST(v AS {}) FROM {schema}.b_taken WHERE id = 250",
        text_type(kind)
    );
    let needles = [table, "replace=false"];
    failure(kind, case, &kind.src(), &kind.dst(), &[], 1, &needles).await?;
    ensure!(
        dst_text(kind, &value).await? == held,
        "the target's own row was overwritten"
    );
    let resume = [("resumer.resume_from_log", "true")];
    let needles = [table, "replace=false", "differ"];
    failure(kind, case, &kind.src(), &kind.dst(), &resume, 1, &needles).await?;
    ensure!(
        dst_text(kind, &value).await? == held,
        "a resumed run overwrote the target's row"
    );

    let case_dir = case;
    let case = Case::load(case_dir);
    kind.prepare(&case).await?;
    let fix = format!(
        "UPDATE {schema}.b_taken SET v = CAST('{source}' AS {}) WHERE id = 250",
        num_or_text(kind)
    );
    dst_exec(kind, &fix).await?;
    expect_success(&run_dt(&case.config(&kind.src(), &kind.dst(), &resume)))?;
    assert_same(kind, schema, "b_taken").await?;
    let keys = kind.target_keys(schema, "a_free", "id").await?;
    ensure!(
        keys.len() == 301 && keys.last() == Some(&1000),
        "a_free: {keys:?}"
    );

    let case = Case::load(case_dir);
    kind.prepare(&case).await?;
    let replace = [("sinker.replace", "true")];
    expect_success(&run_dt(&case.config(&kind.src(), &kind.dst(), &replace)))?;
    assert_same(kind, schema, "b_taken").await?;
    Ok(())
}

fn text_type(kind: Kind) -> &'static str {
    match kind {
        Kind::Mysql => "CHAR",
        _ => "TEXT",
    }
}

/// The type of the case's `v` column, to write the source's value back.
fn num_or_text(kind: Kind) -> &'static str {
    match kind {
        Kind::Mysql => "CHAR",
        _ => "NUMERIC",
    }
}

/// MySQL: with `disable_foreign_key_checks=false` a child row copied before its parent is an
/// error naming the table and the constraint; by default the copy completes.
pub async fn mysql_fk_checks(case: &str) -> Result<()> {
    let off = [("sinker.disable_foreign_key_checks", "false")];
    let needles = ["`fk_checks_db`.`a_child`", "a_child_parent"];
    let (src, dst) = (Kind::Mysql.src(), Kind::Mysql.dst());
    let failed = failure(Kind::Mysql, case, &src, &dst, &off, 1, &needles).await?;
    ensure!(
        failed.finished_log().is_empty(),
        "{:?}",
        failed.finished_log()
    );
    let case = Case::load(case);
    Kind::Mysql.prepare(&case).await?;
    expect_success(&run_dt(&case.config(&src, &dst, &[])))?;
    for tb in ["a_child", "b_parent"] {
        mysql_assert_same(("fk_checks_db", tb), ("fk_checks_db", tb)).await?;
    }
    Ok(())
}

/// MySQL: the target's triggers record the isolation level and `foreign_key_checks` of the
/// sessions that insert; each `transaction_isolation` value must be the writers' level.
pub async fn mysql_isolation(case: &str) -> Result<()> {
    let server_default = dst_text(Kind::Mysql, "SELECT @@global.tx_isolation").await?;
    for (value, level, fk) in [
        ("default", server_default.as_str(), "0"),
        ("read_uncommitted", "READ-UNCOMMITTED", "0"),
        ("read_committed", "READ-COMMITTED", "0"),
        ("repeatable_read", "REPEATABLE-READ", "0"),
        ("serializable", "SERIALIZABLE", "1"),
    ] {
        let case = Case::load(case);
        Kind::Mysql.prepare(&case).await?;
        let fk_off = if fk == "0" { "true" } else { "false" };
        let overrides = [
            ("sinker.transaction_isolation", value),
            ("sinker.disable_foreign_key_checks", fk_off),
        ];
        expect_success(&run_dt(&case.config(
            &Kind::Mysql.src(),
            &Kind::Mysql.dst(),
            &overrides,
        )))?;
        let seen = dst_text(
            Kind::Mysql,
            "SELECT GROUP_CONCAT(CONCAT(tb, ':', iso, ':', fk) ORDER BY tb SEPARATOR ',') \
             FROM isolation_db.z_seen",
        )
        .await?;
        let expected = format!("no_key:{level}:{fk},t:{level}:{fk}");
        ensure!(
            seen == expected,
            "{value}: writers ran as {seen}, expected {expected}"
        );
        mysql_assert_same(("isolation_db", "t"), ("isolation_db", "t")).await?;
    }
    Ok(())
}

/// MariaDB's bulk execution and the pool's multi-row statements write every type alike: the
/// basic case's tables, and one whose statement spans several protocol packets (a value of
/// 17,000,000 bytes, over the 16 MiB of one packet), are copied by an account whose password
/// needs escaping in the URL (the bulk client logs in on its own), once by bulk execution
/// and once with `mariadb_bulk_execute=false`; default.log says which way the rows went.
pub async fn mysql_bulk_execute(case: &str, schemas: &[&str]) -> Result<()> {
    let dst = Kind::Mysql.dst();
    let create = "CREATE USER IF NOT EXISTS 'dt_bulk'@'127.0.0.1' IDENTIFIED BY 'p@ss:w/rd%'; \
                  GRANT ALL ON *.* TO 'dt_bulk'@'127.0.0.1'";
    mysql_exec(&dst, create).await?;
    ensure!(
        dst.contains("//root@"),
        "the target URL {dst} does not log in as root"
    );
    let url = dst.replacen("//root@", "//dt_bulk:p%40ss%3Aw%2Frd%25@", 1);
    // New target sessions start in another time zone: the writers must set UTC themselves,
    // or TIMESTAMP values land shifted.
    let zone = dst_text(Kind::Mysql, "SELECT @@global.time_zone").await?;
    mysql_exec(&dst, "SET GLOBAL time_zone = '+05:00'").await?;
    let result = async {
        for (bulk, says) in [
            ("true", "target rows go in by MariaDB bulk execution"),
            (
                "false",
                "target rows go through sqlx: [sinker] mariadb_bulk_execute=false",
            ),
        ] {
            let case = Case::load(case);
            Kind::Mysql.prepare(&case).await?;
            let big = format!(
                "CREATE TABLE `{}`.big_value (id int PRIMARY KEY, b longblob)",
                schemas[0]
            );
            mysql_exec(&dst, &big).await?;
            let fill = format!(
                "{big}; INSERT INTO `{}`.big_value VALUES (1, REPEAT(x'5A', 17000000)), \
                 (2, x'00')",
                schemas[0]
            );
            mysql_exec(&Kind::Mysql.src(), &fill).await?;
            let overrides = [
                ("sinker.mariadb_bulk_execute", bulk),
                ("runtime.log_level", "debug"),
            ];
            expect_success(&run_dt(&case.config(&Kind::Mysql.src(), &url, &overrides)))?;
            ensure!(
                case.default_log().iter().any(|l| l.contains(says)),
                "mariadb_bulk_execute={bulk}: default.log does not say {says:?}"
            );
            let rows = Kind::Mysql.assert_schemas_same(schemas).await?;
            ensure!(rows > 2500, "only {rows} rows compared");
        }
        Ok(())
    }
    .await;
    mysql_exec(&dst, &format!("SET GLOBAL time_zone = '{zone}'")).await?;
    result
}

/// Connections open on one end: MySQL sessions other than the server's own and the
/// observer's; PostgreSQL sessions with `app` as their application_name.
async fn sessions(kind: Kind, url: &str, app: &str) -> Result<i64> {
    Ok(match kind {
        Kind::Mysql => {
            let mut conn = sqlx::MySqlConnection::connect(url).await?;
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.PROCESSLIST \
                 WHERE ID <> CONNECTION_ID() AND COMMAND NOT IN ('Daemon', 'Binlog Dump') \
                 AND USER NOT IN ('system user', 'event_scheduler')",
            )
            .fetch_one(&mut conn)
            .await?
        }
        _ => {
            let mut conn = sqlx::PgConnection::connect(url).await?;
            sqlx::query_scalar("SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1")
                .bind(app)
                .fetch_one(&mut conn)
                .await?
        }
    })
}

/// With `max_connections` on both ends, lower than the configured parallelism needs, the
/// servers never see more of dt's sessions than the caps, default.log says the parallelism
/// was lowered, and the copy completes. Runs with `ssl_mode=disable` (the case's config), so
/// the folded URL must stay valid; PostgreSQL sessions are told apart by `app_name`.
pub async fn max_connections(kind: Kind, case: &str, caps: (i64, i64)) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let (src, dst) = (kind.src(), kind.dst());
    let base = (
        sessions(kind, &src, "dt_mc_src").await?,
        sessions(kind, &dst, "dt_mc_dst").await?,
    );
    let (src_cap, dst_cap) = (caps.0.to_string(), caps.1.to_string());
    let overrides = [
        ("extractor.max_connections", src_cap.as_str()),
        ("sinker.max_connections", dst_cap.as_str()),
        ("extractor.app_name", "dt_mc_src"),
        ("sinker.app_name", "dt_mc_dst"),
    ];
    let mut child = spawn_dt(&case.config(&src, &dst, &overrides));
    let mut peak = (0, 0);
    let watched = async {
        while child.try_wait()?.is_none() {
            peak.0 = peak
                .0
                .max(sessions(kind, &src, "dt_mc_src").await? - base.0);
            peak.1 = peak
                .1
                .max(sessions(kind, &dst, "dt_mc_dst").await? - base.1);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::Ok(())
    }
    .await;
    if watched.is_err() {
        child.kill().ok();
    }
    let out = child.wait_with_output()?;
    watched?;
    expect_success(&out)?;
    println!(
        "peak sessions: source {}, target {} (caps {caps:?})",
        peak.0, peak.1
    );
    ensure!(
        peak.0 <= caps.0 && peak.1 <= caps.1,
        "peak sessions {peak:?} exceed the caps {caps:?}"
    );
    ensure!(
        peak.1 >= 2,
        "saw only {} target session(s): nothing was watched",
        peak.1
    );
    let log = case.default_log().join("\n");
    ensure!(
        log.contains("parallelism lowered to fit max_connections"),
        "default.log does not say the parallelism was lowered:\n{log}"
    );
    let rows = kind.assert_schemas_same(&["max_connections_db"]).await?;
    ensure!(rows == 12_000, "compared {rows} rows");
    Ok(())
}

/// MongoDB, with every connection key set (`ssl_mode=disable`, `app_name`,
/// `is_direct_connection`, `max_connections`, so the folded URLs must stay valid) and
/// `replace=false`: a document the target holds under a source `_id` with other content stops
/// the task naming the collection and stays; a resumed run leaves an equal one and completes.
pub async fn mongo_options(case_dir: &str) -> Result<()> {
    use bson::{doc, Document};
    let (src, dst) = (Kind::Mongo.src(), Kind::Mongo.dst());
    let held = |changed: bool| async move {
        let src = mongodb::Client::with_uri_str(Kind::Mongo.src()).await?;
        let dst = mongodb::Client::with_uri_str(Kind::Mongo.dst()).await?;
        let coll = |c: &mongodb::Client| c.database("options_db").collection::<Document>("coll");
        let mut d = coll(&src)
            .find_one(doc! {})
            .sort(doc! { "_id": 1 })
            .skip(250)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no source document"))?;
        if changed {
            d.insert("held", true);
        }
        coll(&dst).insert_one(d).await?;
        anyhow::Ok(())
    };
    let case = Case::load(case_dir);
    Kind::Mongo.prepare(&case).await?;
    held(true).await?;
    let out = run_dt(&case.config(&src, &dst, &[]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(out.status.code() == Some(1), "expected exit 1: {stderr}");
    ensure!(
        stderr.contains("options_db") && stderr.contains("replace=false"),
        "{stderr}"
    );
    let still_held = mongodb::Client::with_uri_str(&dst)
        .await?
        .database("options_db")
        .collection::<Document>("coll")
        .count_documents(doc! { "held": true })
        .await?;
    ensure!(still_held == 1, "the held document was overwritten");
    let case = Case::load(case_dir);
    Kind::Mongo.prepare(&case).await?;
    held(false).await?;
    let resume = [("resumer.resume_from_log", "true")];
    expect_success(&run_dt(&case.config(&src, &dst, &resume)))?;
    let rows = Kind::Mongo.assert_schemas_same(&["options_db"]).await?;
    ensure!(rows == 500, "compared {rows} documents");
    Ok(())
}
