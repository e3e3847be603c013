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
