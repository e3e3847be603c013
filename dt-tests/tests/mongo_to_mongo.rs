//! MongoDB → MongoDB snapshot cases (directories under `tests/mongo_to_mongo/snapshot/`).

use dt_tests::runner::{block_on, serial};
use dt_tests::scenario::{self, Kind::Mongo};

const BAD: &str = "mongo_to_mongo/snapshot/bad_input_test";

#[test]
fn basic_test() {
    let _guard = serial();
    block_on(scenario::basic(
        Mongo,
        "mongo_to_mongo/snapshot/basic_test",
        &["basic_db", "test_db_@"],
        6,
        ("test_db_@", "resume_table_*4"),
    ));
}

#[test]
fn resume_test() {
    let _guard = serial();
    block_on(scenario::resume(
        Mongo,
        "mongo_to_mongo/snapshot/resume_test",
        "test_db_@",
    ));
}

#[test]
fn crash_test() {
    let _guard = serial();
    block_on(scenario::crash(
        Mongo,
        "mongo_to_mongo/snapshot/crash_test",
        "crash_db",
        105_000,
    ));
}

#[test]
fn bad_input_unreachable_source() {
    let _guard = serial();
    block_on(scenario::bad_input(
        Mongo,
        BAD,
        "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=2000",
        &Mongo.dst(),
        &[],
        1,
        &["cannot connect to the source", "127.0.0.1:1"],
    ));
}

#[test]
fn bad_input_malformed_position_value() {
    let _guard = serial();
    block_on(scenario::malformed_resume_config(
        Mongo,
        BAD,
        1,
        &[
            "bad resume position of `bad_input_db`.`a_coll`",
            "not-an-object-id",
        ],
    ));
}
