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

/// The indexes of a collection as `(name, spec without "v"/"ns")`, sorted by name.
async fn indexes(url: &str, db: &str, coll: &str) -> anyhow::Result<Vec<(String, bson::Document)>> {
    let client = mongodb::Client::with_uri_str(url).await?;
    let reply = client
        .database(db)
        .run_command(bson::doc! { "listIndexes": coll })
        .await?;
    let mut out = Vec::new();
    for spec in reply.get_document("cursor")?.get_array("firstBatch")? {
        let mut spec = spec.as_document().expect("an index document").clone();
        spec.remove("v");
        spec.remove("ns");
        out.push((spec.get_str("name")?.to_string(), spec));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

#[test]
fn index_test() {
    use anyhow::ensure;
    use bson::doc;
    use dt_tests::runner::{expect_success, run_dt, Case};
    let _guard = serial();
    block_on(async {
        let case = Case::load("mongo_to_mongo/snapshot/index_test");
        Mongo.prepare(&case).await?;
        let src = mongodb::Client::with_uri_str(Mongo.src())
            .await?
            .database("idx_db");
        let dst = mongodb::Client::with_uri_str(Mongo.dst())
            .await?
            .database("idx_db");
        let create = |db: mongodb::Database, coll: &'static str, specs: Vec<bson::Document>| async move {
            db.run_command(doc! { "createIndexes": coll, "indexes": specs })
                .await
                .map(|_| ())
        };
        create(
            src.clone(),
            "people",
            vec![
                doc! { "key": { "n": 1 }, "name": "n_unique", "unique": true },
                doc! { "key": { "s": 1, "n": -1 }, "name": "s_n" },
                doc! { "key": { "s": 1 }, "name": "s_partial", "partialFilterExpression": { "n": { "$gt": 100 } } },
                doc! { "key": { "expires_at": 1 }, "name": "ttl", "expireAfterSeconds": 3600 },
            ],
        )
        .await?;
        create(
            src.clone(),
            "conflict_coll",
            vec![doc! { "key": { "n": 1 }, "name": "by_n" }],
        )
        .await?;
        // The target already has an index of that name on another key.
        dst.create_collection("conflict_coll").await?;
        create(
            dst.clone(),
            "conflict_coll",
            vec![doc! { "key": { "s": 1 }, "name": "by_n" }],
        )
        .await?;

        let config = case.config(&Mongo.src(), &Mongo.dst(), &[]);
        expect_success(&run_dt(&config))?;
        for coll in ["people", "plain"] {
            let (s, d) = (
                indexes(&Mongo.src(), "idx_db", coll).await?,
                indexes(&Mongo.dst(), "idx_db", coll).await?,
            );
            ensure!(
                s == d,
                "indexes of {coll} differ:\nsource {s:#?}\ntarget {d:#?}"
            );
        }
        ensure!(indexes(&Mongo.dst(), "idx_db", "people").await?.len() == 5);
        let log = case.default_log();
        ensure!(
            log.iter()
                .any(|l| l.contains("WARN") && l.contains("index `by_n` not created")),
            "no warning for the conflicting index:\n{}",
            log.join("\n")
        );
        let conflict = indexes(&Mongo.dst(), "idx_db", "conflict_coll").await?;
        ensure!(
            conflict[1].1.get_document("key")? == &doc! { "s": 1 },
            "the target's own index was replaced: {conflict:?}"
        );

        // Every collection is finished now; a later run still puts back a missing index.
        dst.run_command(doc! { "dropIndexes": "people", "index": "s_n" })
            .await?;
        expect_success(&run_dt(&config))?;
        ensure!(
            case.skipped_as_finished() == 3,
            "the second run did not skip the three finished collections"
        );
        let (s, d) = (
            indexes(&Mongo.src(), "idx_db", "people").await?,
            indexes(&Mongo.dst(), "idx_db", "people").await?,
        );
        ensure!(s == d, "the dropped index was not created again: {d:#?}");
        Ok(())
    });
}

#[test]
fn verify_test() {
    let _guard = serial();
    block_on(scenario::verify(
        Mongo,
        "mongo_to_mongo/snapshot/basic_test",
        6,
    ));
}

#[test]
fn verify_exact_test() {
    let _guard = serial();
    block_on(dt_tests::exact::verify_exact_mongo(
        "mongo_to_mongo/snapshot/verify_exact_test",
    ));
}
