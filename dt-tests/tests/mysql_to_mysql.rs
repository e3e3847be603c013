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
