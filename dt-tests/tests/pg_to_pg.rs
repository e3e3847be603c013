//! PostgreSQL → PostgreSQL snapshot cases (directories under `tests/pg_to_pg/snapshot/`).

use dt_tests::runner::{block_on, serial};
use dt_tests::scenario::{self, Kind::Pg};

const BAD: &str = "pg_to_pg/snapshot/bad_input_test";

#[test]
fn basic_test() {
    let _guard = serial();
    block_on(scenario::basic(
        Pg,
        "pg_to_pg/snapshot/basic_test",
        &["basic_db", "test_db_*.*"],
        14,
        ("test_db_*.*", "resume_table_*$4"),
    ));
}

#[test]
fn resume_test() {
    let _guard = serial();
    block_on(scenario::resume(
        Pg,
        "pg_to_pg/snapshot/resume_test",
        "test_db_*.*",
    ));
}

#[test]
fn crash_test() {
    let _guard = serial();
    block_on(scenario::crash(
        Pg,
        "pg_to_pg/snapshot/crash_test",
        "crash_db",
        105_000,
    ));
}

#[test]
fn bad_input_unreachable_source() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Pg,
        BAD,
        "postgres://postgres@127.0.0.1:1/postgres",
        &Pg.dst(),
        &[],
        1,
        &["cannot connect to the source", "127.0.0.1:1"],
    ));
}

#[test]
fn bad_input_wrong_password() {
    let _guard = serial();
    let url = Pg
        .dst()
        .replace("postgres@", "dt_password_user:wrong-password@");
    block_on(scenario::wrong_password(
        Pg,
        BAD,
        &url,
        &[
            "cannot connect to the target",
            "password authentication failed",
            "dt_password_user:***@",
        ],
    ));
}

#[test]
fn bad_input_missing_target_table() {
    let _guard = serial();
    block_on(scenario::missing_target_table(Pg, BAD));
}

#[test]
fn bad_input_malformed_resume_config() {
    let _guard = serial();
    block_on(scenario::malformed_resume_config(
        Pg,
        BAD,
        2,
        &["resume.config:2"],
    ));
}

/// `(last_value, is_called)` of each sequence, or `None` where it does not exist.
async fn sequence_states(url: &str, names: &[&str]) -> anyhow::Result<Vec<Option<(i64, bool)>>> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let mut out = Vec::new();
    for name in names {
        let exists: Option<String> = sqlx::query_scalar("SELECT to_regclass($1)::text")
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
        out.push(match exists {
            Some(_) => Some(
                sqlx::query_as(&format!("SELECT last_value, is_called FROM {name}"))
                    .fetch_one(&mut conn)
                    .await?,
            ),
            None => None,
        });
    }
    Ok(out)
}

#[test]
fn sequence_test() {
    use anyhow::ensure;
    use dt_tests::runner::{expect_success, pg_exec_file, run_dt, Case};
    let _guard = serial();
    block_on(async {
        let case = Case::load("pg_to_pg/snapshot/sequence_test");
        Pg.prepare(&case).await?;
        let config = case.config(&Pg.src(), &Pg.dst(), &[]);
        let src_names = [
            "seq_db.serial_tb_id_seq",
            "seq_db.ident_tb_id_seq",
            "seq_db.free_seq",
            "seq_db.unused_seq",
        ];
        let dst_names = [
            "seq_db.serial_tb_id_seq",
            "seq_db.renamed_ident_seq",
            "seq_db.free_seq",
            "seq_db.unused_seq",
        ];
        let other = ["seq_other_db.other_tb_id_seq"];
        let before_other = sequence_states(&Pg.dst(), &other).await?;

        expect_success(&run_dt(&config))?;
        let src = sequence_states(&Pg.src(), &src_names).await?;
        ensure!(
            src == [
                Some((120, true)),
                Some((45, true)),
                Some((1004, true)),
                Some((7, false))
            ],
            "unexpected source sequences {src:?}"
        );
        let dst = sequence_states(&Pg.dst(), &dst_names).await?;
        ensure!(
            dst == src,
            "target sequences {dst:?} differ from the source's {src:?}"
        );
        ensure!(
            sequence_states(&Pg.dst(), &other).await? == before_other,
            "a sequence of an unselected schema was changed"
        );
        let log = case.default_log();
        ensure!(
            log.iter()
                .any(|l| l.contains("WARN") && l.contains("`seq_db`.`only_src_seq` not set")),
            "no warning for the sequence missing in the target:\n{}",
            log.join("\n")
        );
        // New rows in the target take the next values, not ones copied rows hold.
        let sql = std::env::temp_dir().join(format!("dt-seq-{}.sql", std::process::id()));
        std::fs::write(
            &sql,
            "INSERT INTO seq_db.serial_tb (v) VALUES ('new'); INSERT INTO seq_db.ident_tb (v) VALUES ('new');",
        )?;
        pg_exec_file(&Pg.dst(), &sql).await?;

        // Every table is finished now; a later run still brings the sequences up to date.
        std::fs::write(
            &sql,
            "SELECT setval('seq_db.free_seq', 5000); SELECT nextval('seq_db.unused_seq');",
        )?;
        pg_exec_file(&Pg.src(), &sql).await?;
        std::fs::remove_file(&sql).ok();
        expect_success(&run_dt(&config))?;
        ensure!(
            case.skipped_as_finished() == 3,
            "the second run did not skip the three finished tables"
        );
        let dst = sequence_states(&Pg.dst(), &dst_names[2..]).await?;
        ensure!(
            dst == [Some((5000, true)), Some((7, true))],
            "target sequences {dst:?} did not follow the source"
        );
        Ok(())
    });
}

#[test]
fn foreign_key_test() {
    use anyhow::ensure;
    use dt_tests::runner::{expect_success, run_dt, Case};
    const CASE: &str = "pg_to_pg/snapshot/fk_test";
    let _guard = serial();
    block_on(async {
        // Foreign keys checked: the child's first rows fail, with what to do about it.
        let case = scenario::failure(
            Pg,
            CASE,
            &Pg.src(),
            &Pg.dst(),
            &[],
            1,
            &[
                "target table `fk_db`.`a_child`",
                "a_child_parent_id_fkey",
                "add foreign keys to the target after the copy, or set [sinker] \
                 disable_foreign_key_checks=true (or disable_triggers=true)",
            ],
        )
        .await?;
        ensure!(case.finished_log().is_empty(), "{:?}", case.finished_log());

        // A role that may not set session_replication_role is told so before anything is copied.
        let plain = Pg.dst().replace("postgres@", "dt_plain_user@");
        let case = scenario::failure(
            Pg,
            CASE,
            &Pg.src(),
            &plain,
            &[("sinker.disable_triggers", "true")],
            1,
            &[
                "disable_triggers=true",
                "superuser",
                "session_replication_role",
            ],
        )
        .await?;
        scenario::nothing_recorded(&case)?;

        // Both keys given and contradicting: a config error before anything connects.
        let both = [
            ("sinker.disable_triggers", "false"),
            ("sinker.disable_foreign_key_checks", "true"),
        ];
        let needles = [
            "sinker.disable_foreign_key_checks",
            "disable_triggers=false",
        ];
        scenario::bad_input(Pg, CASE, &Pg.src(), &Pg.dst(), &both, 2, &needles).await?;

        // Triggers disabled, by either key: every row arrives, foreign keys and ordinary
        // triggers stay quiet.
        for key in [
            "sinker.disable_triggers",
            "sinker.disable_foreign_key_checks",
        ] {
            let case = Case::load(CASE);
            Pg.prepare(&case).await?;
            let config = case.config(&Pg.src(), &Pg.dst(), &[(key, "true")]);
            expect_success(&run_dt(&config))?;
            for tb in ["a_child", "b_parent", "b_tree", "c_audited"] {
                dt_tests::compare::pg_assert_same(("fk_db", tb), ("fk_db", tb)).await?;
            }
            ensure!(
                Pg.target_keys("fk_db", "z_audit_log", "id")
                    .await?
                    .is_empty(),
                "{key}: the target's audit trigger fired"
            );
        }
        Ok(())
    });
}

#[test]
fn interrupt_test() {
    let _guard = serial();
    block_on(scenario::interrupt(
        Pg,
        "pg_to_pg/snapshot/crash_test",
        "crash_db",
        105_000,
    ));
}

#[test]
fn verify_test() {
    let _guard = serial();
    block_on(scenario::verify(Pg, "pg_to_pg/snapshot/basic_test", 14));
}

#[test]
fn consistent_read_test() {
    let _guard = serial();
    block_on(scenario::consistent_read(Pg));
}

#[test]
fn keyless_partition_test() {
    let _guard = serial();
    block_on(dt_tests::trust::pg_keyless_partitions());
}

#[test]
fn no_secret_in_output_test() {
    let _guard = serial();
    block_on(dt_tests::trust::no_secret_in_output(
        Pg,
        "pg_to_pg/snapshot/secret_test",
        "S3cr3t!pw-pg",
    ));
}

#[test]
fn verify_exact_test() {
    let _guard = serial();
    block_on(dt_tests::exact::verify_exact(
        Pg,
        "pg_to_pg/snapshot/verify_exact_test",
    ));
}

#[test]
fn slow_target_test() {
    let _guard = serial();
    block_on(dt_tests::slow_target::slow_target_pg(
        "pg_to_pg/snapshot/slow_target_test",
    ));
}

#[test]
fn stale_target_test() {
    let _guard = serial();
    block_on(dt_tests::target_state::stale_target(
        Pg,
        "pg_to_pg/snapshot/stale_target_test",
        "stale_target_db",
        5000,
    ));
}

#[test]
fn keyless_atomic_test() {
    let _guard = serial();
    block_on(dt_tests::target_state::keyless_never_partial(
        Pg,
        "pg_to_pg/snapshot/keyless_atomic_test",
        "keyless_atomic_db.no_key",
        20_000,
    ));
}

#[test]
fn cols_where_test() {
    let _guard = serial();
    block_on(dt_tests::cols_where::copy(
        scenario::Kind::Pg,
        "pg_to_pg/snapshot/cols_where_test",
    ));
}

#[test]
fn cols_where_bad_input() {
    let _guard = serial();
    block_on(dt_tests::cols_where::bad_inputs(
        scenario::Kind::Pg,
        "pg_to_pg/snapshot/cols_where_test",
    ));
}

#[test]
fn cols_where_crash_test() {
    let _guard = serial();
    block_on(dt_tests::cols_where::crash(
        scenario::Kind::Pg,
        "pg_to_pg/snapshot/cols_where_test",
        30_000,
    ));
}

#[test]
fn replace_false_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::replace_false(
        Pg,
        "pg_to_pg/snapshot/replace_false_test",
        "250.0",
        "250",
    ));
}

#[test]
fn replace_false_crash_test() {
    let _guard = serial();
    block_on(scenario::crash(
        Pg,
        "pg_to_pg/snapshot/replace_false_crash_test",
        "replace_false_crash_db",
        105_000,
    ));
}

#[test]
fn max_connections_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::max_connections(
        Pg,
        "pg_to_pg/snapshot/max_connections_test",
        (7, 3),
    ));
}

#[test]
fn bad_input_transaction_isolation() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Pg,
        BAD,
        &Pg.src(),
        &Pg.dst(),
        &[("sinker.transaction_isolation", "read_committed")],
        2,
        &["sinker.transaction_isolation", "only MySQL targets"],
    ));
}

#[test]
fn orderkey_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::ape_positions(
        Pg,
        "pg_to_pg/snapshot/orderkey_test",
    ));
}

#[test]
fn orderkey_crash_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::ape_positions_crash(
        Pg,
        "pg_to_pg/snapshot/orderkey_crash_test",
        80_000,
    ));
}

#[test]
fn route_json_test() {
    let _guard = serial();
    block_on(dt_tests::order_key::route_json(
        Pg,
        "pg_to_pg/snapshot/route_json_test",
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
            Pg,
            BAD,
            "postgres://postgres@127.0.0.1:1/postgres",
            "postgres://postgres@127.0.0.1:1/postgres",
            &[(key, value)],
            2,
            needles,
        ));
    }
}

#[test]
fn ape_parallel_test() {
    let _guard = serial();
    block_on(async {
        dt_tests::ape_parallel::ape_parallel(Pg, APE, "ape_parallel_db", 8000).await?;
        Ok(())
    });
}

#[test]
fn rate_limit_rows_test() {
    let _guard = serial();
    block_on(dt_tests::ape_parallel::rate_limit(
        Pg,
        APE,
        "ape_parallel_db",
        &[("sinker.max_rps", "2000")],
        8000.0 / 2000.0,
    ));
}

const APE: &str = "pg_to_pg/snapshot/ape_parallel_test";

#[test]
fn resume_db_test() {
    let _guard = serial();
    block_on(dt_tests::progress_db::ape_rows(
        Pg,
        "pg_to_pg/snapshot/resume_db_test",
        "test_db_*.*",
    ));
}

#[test]
fn progress_db_crash_test() {
    let _guard = serial();
    block_on(dt_tests::progress_db::crash_without_logs(
        Pg,
        "pg_to_pg/snapshot/progress_db_crash_test",
        "progdb",
        (6, 95_000),
        Some("`progdb`.`no_key`"),
    ));
}

#[test]
fn chunks_crash_test() {
    let _guard = serial();
    block_on(dt_tests::key_shapes::crash_in_chunks(
        Pg,
        "pg_to_pg/snapshot/chunks_crash_test",
        85_000,
    ));
}

#[test]
fn key_shapes_crash_test() {
    let _guard = serial();
    block_on(dt_tests::key_shapes::crash(
        scenario::Kind::Pg,
        "pg_to_pg/snapshot/key_shapes_crash_test",
        70_000,
    ));
}

#[test]
fn struct_schema_copy_test() {
    let _guard = serial();
    block_on(dt_tests::schema::struct_task(
        Pg,
        "pg_to_pg/struct/schema_copy_test",
        "Shop Schema",
    ));
}

#[test]
fn struct_crash_test() {
    let _guard = serial();
    block_on(dt_tests::schema::crash_in_phases(
        Pg,
        "pg_to_pg/struct/schema_crash_test",
        "crashdb",
    ));
}

#[test]
fn binary_copy_test() {
    use anyhow::ensure;
    use dt_tests::runner::{expect_success, run_dt, Case};
    let _guard = serial();
    block_on(async {
        let case = Case::load("pg_to_pg/snapshot/binary_copy_test");
        Pg.prepare(&case).await?;
        expect_success(&run_dt(&case.config(&Pg.src(), &Pg.dst(), &[])))?;
        let log = case.default_log();
        let binary = |tb: &str| {
            let line = format!("task, `binary_db`.`{tb}`: rows travel in binary form");
            log.iter().any(|l| l.contains(&line))
        };
        let binary_tables = [
            "stable_types",
            "small_key",
            "int_pair",
            "no_key",
            "text_key",
            "char_pair",
            "uuid_key",
        ];
        let text_tables = ["retyped", "with_array", "numeric_key"];
        for tb in binary_tables {
            ensure!(binary(tb), "{tb} was not copied in binary form");
        }
        for tb in text_tables {
            ensure!(!binary(tb), "{tb} was copied in binary form");
        }
        for tb in binary_tables.iter().chain(&text_tables) {
            dt_tests::compare::pg_assert_same(("binary_db", tb), ("binary_db", tb)).await?;
        }
        Ok(())
    });
}

#[test]
fn deferred_index_crash_test() {
    let _guard = serial();
    block_on(dt_tests::deferred_indexes::crash(
        "pg_to_pg/snapshot/deferred_index_crash_test",
    ));
}
