//! MySQL → MySQL snapshot cases (directories under `tests/mysql_to_mysql/snapshot/`).

use dt_tests::runner::{block_on, serial};
use dt_tests::scenario::{self, Kind::Mysql};

const BAD: &str = "mysql_to_mysql/snapshot/bad_input_test";

#[test]
fn basic_test() {
    let _guard = serial();
    block_on(scenario::basic(
        Mysql,
        "mysql_to_mysql/snapshot/basic_test",
        &["basic_db", "test_db_@"],
        14,
        ("test_db_@", "resume_table_*$4"),
    ));
}

#[test]
fn resume_test() {
    let _guard = serial();
    block_on(scenario::resume(
        Mysql,
        "mysql_to_mysql/snapshot/resume_test",
        "test_db_@",
    ));
}

#[test]
fn crash_test() {
    let _guard = serial();
    block_on(scenario::crash(
        Mysql,
        "mysql_to_mysql/snapshot/crash_test",
        "crash_db",
        105_000,
    ));
}

#[test]
fn bad_input_unreachable_source() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        "mysql://root@127.0.0.1:1",
        &Mysql.dst(),
        &[],
        1,
        &["cannot connect to the source", "127.0.0.1:1"],
    ));
}

#[test]
fn bad_input_wrong_password() {
    let _guard = serial();
    let url = Mysql.dst().replace("root@", "root:wrong-password@");
    block_on(scenario::wrong_password(
        Mysql,
        BAD,
        &url,
        &["cannot connect to the target", "Access denied", "root:***@"],
    ));
}

#[test]
fn bad_input_missing_target_table() {
    let _guard = serial();
    block_on(scenario::missing_target_table(Mysql, BAD));
}

#[test]
fn bad_input_malformed_resume_config() {
    let _guard = serial();
    block_on(scenario::malformed_resume_config(
        Mysql,
        BAD,
        2,
        &["resume.config:2"],
    ));
}

#[test]
fn interrupt_test() {
    let _guard = serial();
    block_on(scenario::interrupt(
        Mysql,
        "mysql_to_mysql/snapshot/crash_test",
        "crash_db",
        105_000,
    ));
}

#[test]
fn verify_test() {
    let _guard = serial();
    block_on(scenario::verify(
        Mysql,
        "mysql_to_mysql/snapshot/basic_test",
        14,
    ));
}

#[test]
fn big_rows_test() {
    use anyhow::ensure;
    use dt_tests::runner::{expect_success, mysql_exec, run_dt, Case};
    let _guard = serial();
    block_on(async {
        let case = Case::load("mysql_to_mysql/snapshot/big_rows_test");
        Mysql.prepare(&case).await?;
        let dst = Mysql.dst();
        let mut conn = <sqlx::MySqlConnection as sqlx::Connection>::connect(&dst).await?;
        let packet: u64 = sqlx::query_scalar("SELECT @@global.max_allowed_packet")
            .fetch_one(&mut conn)
            .await?;
        // A target that takes at most 4 MB per statement; new connections see it.
        mysql_exec(&dst, "SET GLOBAL max_allowed_packet = 4194304").await?;
        let result = async {
            let config = case.config(&Mysql.src(), &dst, &[]);
            expect_success(&run_dt(&config))?;
            let rows = Mysql.assert_schemas_same(&["big_rows_db"]).await?;
            ensure!(rows == 52, "compared {rows} rows");
            // A single row larger than the packet cannot be written: the task says why.
            mysql_exec(
                &Mysql.src(),
                "INSERT INTO big_rows_db.blobs VALUES (41, REPEAT('x', 5000000), NULL)",
            )
            .await?;
            let case = Case::load("mysql_to_mysql/snapshot/big_rows_test");
            let out = run_dt(&case.config(&Mysql.src(), &dst, &[]));
            let stderr = String::from_utf8_lossy(&out.stderr);
            ensure!(
                out.status.code() == Some(1)
                    && stderr.contains("`big_rows_db`.`blobs`")
                    && stderr.contains("max_allowed_packet"),
                "expected a failure naming the table and max_allowed_packet: {stderr}"
            );
            Ok(())
        }
        .await;
        mysql_exec(&dst, &format!("SET GLOBAL max_allowed_packet = {packet}")).await?;
        result
    });
}

#[test]
fn consistent_read_test() {
    let _guard = serial();
    block_on(scenario::consistent_read(Mysql));
}

#[test]
fn selection_test() {
    let _guard = serial();
    block_on(dt_tests::trust::mysql_selection());
}

#[test]
fn log_dir_lock_test() {
    let _guard = serial();
    block_on(dt_tests::trust::log_dir_lock(
        Mysql,
        "mysql_to_mysql/snapshot/crash_test",
        "`crash_db`",
    ));
}

#[test]
fn no_secret_in_output_test() {
    let _guard = serial();
    block_on(dt_tests::trust::no_secret_in_output(
        Mysql,
        "mysql_to_mysql/snapshot/secret_test",
        "S3cr3t!pw-my",
    ));
}

#[test]
fn bad_input_unparsable_url() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        "mysql://root@[::1:3318",
        &Mysql.dst(),
        &[],
        2,
        &["config error", "extractor.url"],
    ));
}

#[test]
fn bad_input_missing_resume_log_dir() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        &Mysql.src(),
        &Mysql.dst(),
        &[
            ("resumer.resume_from_log", "true"),
            ("resumer.resume_log_dir", "/nonexistent/dt-logs"),
        ],
        2,
        &["/nonexistent/dt-logs", "resume_log_dir"],
    ));
}

#[test]
fn bad_input_unknown_filter_key() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        &Mysql.src(),
        &Mysql.dst(),
        &[("filter.do_tables", "bad_input_db.a_present")],
        2,
        &["unknown key filter.do_tables"],
    ));
}

#[test]
fn verify_exact_test() {
    let _guard = serial();
    block_on(dt_tests::exact::verify_exact(
        Mysql,
        "mysql_to_mysql/snapshot/verify_exact_test",
    ));
}

#[test]
fn slow_target_test() {
    let _guard = serial();
    block_on(dt_tests::slow_target::slow_target_mysql(
        "mysql_to_mysql/snapshot/slow_target_test",
    ));
}

#[test]
fn bad_input_resume_type_from_db_without_url() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        &Mysql.src(),
        &Mysql.dst(),
        &[("resumer.resume_type", "from_db")],
        2,
        &["resumer.url", "resume_type=from_db needs the URL"],
    ));
}

#[test]
fn struct_schema_copy_test() {
    let _guard = serial();
    block_on(dt_tests::schema::struct_task(
        Mysql,
        "mysql_to_mysql/struct/schema_copy_test",
        "Shop DB",
    ));
}

#[test]
fn struct_crash_test() {
    let _guard = serial();
    block_on(dt_tests::schema::crash_in_phases(
        Mysql,
        "mysql_to_mysql/struct/schema_crash_test",
        "crashdb",
    ));
}

#[test]
fn bad_input_unknown_structure() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        BAD,
        &Mysql.src(),
        &Mysql.dst(),
        &[("filter.do_structures", "table,tablespace")],
        2,
        &["do_structures", "tablespace"],
    ));
}

#[test]
fn stale_target_test() {
    let _guard = serial();
    block_on(dt_tests::target_state::stale_target(
        Mysql,
        "mysql_to_mysql/snapshot/stale_target_test",
        "stale_target_db",
        5000,
    ));
}

#[test]
fn keyless_atomic_test() {
    let _guard = serial();
    block_on(dt_tests::target_state::keyless_never_partial(
        Mysql,
        "mysql_to_mysql/snapshot/keyless_atomic_test",
        "keyless_atomic_db.no_key",
        20_000,
    ));
}

#[test]
fn cols_where_test() {
    let _guard = serial();
    block_on(dt_tests::cols_where::copy(
        scenario::Kind::Mysql,
        "mysql_to_mysql/snapshot/cols_where_test",
    ));
}

#[test]
fn cols_where_bad_input() {
    let _guard = serial();
    block_on(dt_tests::cols_where::bad_inputs(
        scenario::Kind::Mysql,
        "mysql_to_mysql/snapshot/cols_where_test",
    ));
}

#[test]
fn cols_where_crash_test() {
    let _guard = serial();
    block_on(dt_tests::cols_where::crash(
        scenario::Kind::Mysql,
        "mysql_to_mysql/snapshot/cols_where_test",
        30_000,
    ));
}

#[test]
fn replace_false_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::replace_false(
        Mysql,
        "mysql_to_mysql/snapshot/replace_false_test",
        "B250",
        "b250",
    ));
}

#[test]
fn replace_false_crash_test() {
    let _guard = serial();
    block_on(scenario::crash(
        Mysql,
        "mysql_to_mysql/snapshot/replace_false_crash_test",
        "replace_false_crash_db",
        105_000,
    ));
}

#[test]
fn foreign_key_checks_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::mysql_fk_checks(
        "mysql_to_mysql/snapshot/fk_checks_test",
    ));
}

#[test]
fn transaction_isolation_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::mysql_isolation(
        "mysql_to_mysql/snapshot/isolation_test",
    ));
}

#[test]
fn bulk_execute_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::mysql_bulk_execute(
        "mysql_to_mysql/snapshot/basic_test",
        &["basic_db", "test_db_@"],
    ));
}

#[test]
fn max_connections_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::max_connections(
        Mysql,
        "mysql_to_mysql/snapshot/max_connections_test",
        (6, 3),
    ));
}

#[test]
fn bad_input_sinker_keys() {
    let _guard = serial();
    let dst = format!("{}?ssl-mode=DISABLED", Mysql.dst());
    for (dst, overrides, needles) in [
        (
            dst.as_str(),
            &[("sinker.ssl_mode", "require")][..],
            &["sinker.url", "ssl-mode=DISABLED", "ssl-mode=REQUIRED"][..],
        ),
        (
            &Mysql.dst(),
            &[("extractor.max_connections", "4")][..],
            &["extractor.max_connections", "at least 5"][..],
        ),
        (
            &Mysql.dst(),
            &[("sinker.transaction_isolation", "snapshot")][..],
            &["sinker.transaction_isolation", "snapshot"][..],
        ),
    ] {
        block_on(scenario::bad_input(
            Mysql,
            BAD,
            &Mysql.src(),
            dst,
            overrides,
            2,
            needles,
        ));
    }
}

#[test]
fn orderkey_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::ape_positions(
        Mysql,
        "mysql_to_mysql/snapshot/orderkey_test",
    ));
}

#[test]
fn orderkey_crash_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::ape_positions_crash(
        Mysql,
        "mysql_to_mysql/snapshot/orderkey_crash_test",
        80_000,
    ));
}

#[test]
fn route_json_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::route_json(
        Mysql,
        "mysql_to_mysql/snapshot/route_json_test",
        60_100,
    ));
}

/// Router errors are config errors found before connecting: the servers here are unreachable.

#[test]
fn bad_input_router_json() {
    let _guard = serial();
    for (key, value, needles) in [
        (
            "router.col_map",
            r#"json:[{"db":"d","tb":"t","col_map":{"a":"x"}"#,
            &["router.col_map", "invalid JSON"][..],
        ),
        (
            "router.col_map",
            r#"json:[{"db":"d","tb":"t","col_map":{"a":"x","a":"y"}}]"#,
            &["router.col_map", "column `a` of `d`.`t` is mapped twice"][..],
        ),
        (
            "router.col_map",
            r#"json:[{"db":"d","tb":"t","cols":{"a":"x"}}]"#,
            &["router.col_map", "unknown field `cols`"][..],
        ),
        (
            "router.db_map",
            r#"json:[{"db":"d"}]"#,
            &["router.db_map", "no JSON form", "db_map=src_db:dst_db"][..],
        ),
    ] {
        block_on(scenario::bad_input(
            Mysql,
            BAD,
            "mysql://root@127.0.0.1:1",
            "mysql://root@127.0.0.1:1",
            &[(key, value)],
            2,
            needles,
        ));
    }
}

#[test]
fn ape_parallel_test() {
    use anyhow::ensure;
    let _guard = serial();
    block_on(async {
        let case =
            dt_tests::ape_parallel::ape_parallel(Mysql, APE, "ape_parallel_db", 20_000).await?;
        let log = dt_tests::scenario::messages(&case);
        let note = "task, `ape_parallel_db`.`t2`: extractor.partition_cols names `k`; dt reads \
                    and resumes this table in the order of its key (id) instead";
        ensure!(
            log.iter().any(|l| l == note),
            "no `{note}`:\n{}",
            log.join("\n")
        );
        Ok(())
    });
}

#[test]
fn rate_limit_rows_test() {
    let _guard = serial();
    block_on(dt_tests::ape_parallel::rate_limit(
        Mysql,
        APE,
        "ape_parallel_db",
        &[("extractor.max_rps", "5000")],
        20_000.0 / 5000.0,
    ));
}

#[test]
fn rate_limit_mbps_test() {
    let _guard = serial();
    // 400 rows of 10 KiB: 3.9 MiB at 1 MiB/s.
    block_on(dt_tests::ape_parallel::rate_limit(
        Mysql,
        APE,
        "ape_rate_bytes_db",
        &[("sinker.max_mbps", "1")],
        400.0 * 10240.0 / 1048576.0,
    ));
}

#[test]
fn rate_limit_crash_test() {
    let _guard = serial();
    block_on(dt_tests::ape_parallel::rate_limit_crash(
        Mysql,
        APE,
        "ape_parallel_db",
        &[("extractor.max_rps", "5000")],
        20_000,
    ));
}

#[test]
fn bad_input_parallel_tables_conflict() {
    let _guard = serial();
    // An unreachable source: the error comes before dt connects.
    block_on(scenario::bad_input(
        Mysql,
        APE,
        "mysql://root@127.0.0.1:1",
        &Mysql.dst(),
        &[("parallelizer.parallel_tables", "2")],
        2,
        &["parallelizer.parallel_tables", "extractor.parallel_size=3"],
    ));
}

#[test]
fn bad_input_checker_section() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mysql,
        APE,
        "mysql://root@127.0.0.1:1",
        &Mysql.dst(),
        &[("checker.batch_size", "200")],
        2,
        &["section [checker] is not supported", "--verify"],
    ));
}

#[test]
fn bad_input_partition_col_missing() {
    let _guard = serial();
    let entry = r#"json:[{"db":"ape_parallel_db","tb":"t3","partition_col":"nope"}]"#;
    block_on(scenario::bad_input(
        Mysql,
        APE,
        &Mysql.src(),
        &Mysql.dst(),
        &[("extractor.partition_cols", entry)],
        1,
        &[
            "extractor.partition_cols",
            "`nope`",
            "`ape_parallel_db`.`t3`",
        ],
    ));
}

const APE: &str = "mysql_to_mysql/snapshot/ape_parallel_test";

#[test]
fn resume_db_test() {
    let _guard = serial();
    block_on(dt_tests::progress_db::ape_rows(
        Mysql,
        "mysql_to_mysql/snapshot/resume_db_test",
        "test_db_@",
    ));
}

#[test]
fn progress_db_crash_test() {
    let _guard = serial();
    block_on(dt_tests::progress_db::crash_without_logs(
        Mysql,
        "mysql_to_mysql/snapshot/progress_db_crash_test",
        "progdb",
        (6, 95_000),
        None,
    ));
}

#[test]
fn chunks_crash_test() {
    let _guard = serial();
    block_on(dt_tests::key_shapes::crash_in_chunks(
        Mysql,
        "mysql_to_mysql/snapshot/chunks_crash_test",
        85_000,
    ));
}

#[test]
fn key_shapes_crash_test() {
    let _guard = serial();
    block_on(dt_tests::key_shapes::crash(
        Mysql,
        "mysql_to_mysql/snapshot/key_shapes_crash_test",
        70_000,
    ));
}

/// The plain secondary keys of a large target table are added after its rows, through
/// kill -9 with resume on and off (docs/en/snapshot/resume.md, "Indexes after the rows").
#[test]
fn deferred_key_crash_test() {
    let _guard = serial();
    block_on(dt_tests::deferred_indexes::mysql_crash(
        "mysql_to_mysql/snapshot/deferred_key_crash_test",
    ));
}
