//! MongoDB → MongoDB snapshot cases (directories under `tests/mongo_to_mongo/snapshot/`).

use anyhow::{ensure, Context};
use bson::RawDocument;
use dt_tests::compare::{mongo_collections, mongo_docs};
use dt_tests::runner::{block_on, expect_success, run_dt, serial, Case};
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

/// A MongoDB position value is read when the progress files are: a bad one is a config
/// error naming file and line, before anything is copied.
#[test]
fn bad_input_malformed_position_value() {
    let _guard = serial();
    block_on(scenario::malformed_resume_config(
        Mongo,
        BAD,
        2,
        &[
            "resume.config:1: malformed progress line",
            "not-an-object-id",
        ],
    ));
}

/// An ape-dts tagged value whose payload does not fit its tag names no `_id`; it is refused,
/// not read as an embedded document.
#[test]
fn bad_input_tagged_value_of_the_wrong_type() {
    let _guard = serial();
    block_on(async {
        let case = Case::load(BAD);
        Mongo.prepare(&case).await?;
        let file = case.path("resume.config");
        let line = r#"{"type":"RdbSnapshot","db_type":"mongo","schema":"bad_input_db","tb":"a_coll","order_key":{"single":["_id","{\"Int32\":\"2\"}"]}}"#;
        std::fs::write(&file, format!("// written by hand\n{line}\n"))?;
        let path = file.display().to_string();
        let overrides = [("resumer.resume_config_file", path.as_str())];
        let out = run_dt(&case.config(&Mongo.src(), &Mongo.dst(), &overrides));
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(2),
            "exit {:?}: {stderr}",
            out.status.code()
        );
        for needle in [
            "resume.config:2",
            "tag `Int32` takes a JSON integer, found \"2\"",
        ] {
            ensure!(
                stderr.contains(needle),
                "stderr does not name `{needle}`: {stderr}"
            );
        }
        scenario::nothing_recorded(&case)?;
        ensure!(mongo_docs(&Mongo.dst(), "bad_input_db", "a_coll")
            .await?
            .is_empty());
        Ok(())
    });
}

/// The `_id`s of raw documents, for messages.
fn ids(docs: &[Vec<u8>]) -> Vec<String> {
    docs.iter()
        .map(|d| match RawDocument::from_bytes(d).map(|d| d.get("_id")) {
            Ok(Ok(Some(id))) => format!("{id:?}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// Runs `case`, whose every collection of `db` but `whole` has a recorded position; each
/// target collection must then hold exactly the source documents after the one
/// `at(coll, doc)` picks, byte for byte: none lost, none before it copied again. The
/// collections named in `whole` must arrive whole.
async fn resumes_right_after(
    case: &str,
    (db, whole): (&str, &[&str]),
    at: fn(&str, &RawDocument) -> bool,
) -> anyhow::Result<()> {
    let case = Case::load(case);
    Mongo.prepare(&case).await?;
    expect_success(&run_dt(&case.config(&Mongo.src(), &Mongo.dst(), &[])))?;
    let colls = mongo_collections(&Mongo.src(), db).await?;
    ensure!(colls.len() > 5, "only {colls:?} in {db}");
    let mut wrong = Vec::new();
    for coll in &colls {
        let src = mongo_docs(&Mongo.src(), db, coll).await?;
        let from = match whole.contains(&coll.as_str()) {
            true => 0,
            false => {
                let pos = src
                    .iter()
                    .position(|d| RawDocument::from_bytes(d).is_ok_and(|d| at(coll, d)))
                    .with_context(|| format!("{db}.{coll}: no document at the position"))?;
                pos + 1
            }
        };
        let got = mongo_docs(&Mongo.dst(), db, coll).await?;
        if got != src[from..] {
            wrong.push(format!(
                "{coll}: the target holds {:?}, expected {:?}",
                ids(&got),
                ids(&src[from..])
            ));
        }
    }
    ensure!(
        wrong.is_empty(),
        "{} of {} collections of {db} wrong:\n{}",
        wrong.len(),
        colls.len(),
        wrong.join("\n")
    );
    Ok(())
}

/// Positions as ape-dts writes them (`{"String":"b"}`, `{"Int32":2}`, `{"ObjectId":{"$oid":…}}`,
/// …, in resume.config and position.log): each collection holds three documents and its
/// position names the second (`n` = 1).
#[test]
fn ape_dts_position_test() {
    let _guard = serial();
    block_on(resumes_right_after(
        "mongo_to_mongo/snapshot/ape_dts_position_test",
        ("ape_pos_db", &[]),
        |_, d| d.get_i32("n") == Ok(1),
    ));
}

/// Every collection `after_<name>` holds the same `_id`s — MinKey, null, NaN, -inf, 0, 7L,
/// 7.5, decimal 8.25, +inf, "s", {a: NaN}, {a: 1}, false, true, MaxKey — and position.log
/// (dt's own form) stops it at the one named `<name>`. Collection `whole`, with no position,
/// holds those and an `_id` of each other type; it is read in one sorted pass, whose type
/// order a resume relies on.
#[test]
fn id_edge_test() {
    let _guard = serial();
    block_on(resumes_right_after(
        "mongo_to_mongo/snapshot/id_edge_test",
        ("id_edge_db", &["whole"]),
        |coll, d| {
            d.get_str("name")
                .is_ok_and(|n| coll == format!("after_{n}"))
        },
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
    use bson::doc;
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

#[test]
fn stale_target_test() {
    let _guard = serial();
    block_on(dt_tests::target_state::stale_target(
        Mongo,
        "mongo_to_mongo/snapshot/stale_target_test",
        "stale_target_db",
        4000,
    ));
}

#[test]
fn cols_where_test() {
    let _guard = serial();
    block_on(dt_tests::cols_where::copy(
        scenario::Kind::Mongo,
        "mongo_to_mongo/snapshot/cols_where_test",
    ));
}

#[test]
fn cols_where_bad_input() {
    let _guard = serial();
    block_on(dt_tests::cols_where::bad_inputs(
        scenario::Kind::Mongo,
        "mongo_to_mongo/snapshot/cols_where_test",
    ));
}

#[test]
fn options_test() {
    let _guard = serial();
    block_on(dt_tests::sinker_keys::mongo_options(
        "mongo_to_mongo/snapshot/options_test",
    ));
}

#[test]
fn ape_parallel_test() {
    let _guard = serial();
    block_on(async {
        dt_tests::ape_parallel::ape_parallel(Mongo, APE, "ape_parallel_db", 6000).await?;
        Ok(())
    });
}

#[test]
fn rate_limit_rows_test() {
    let _guard = serial();
    block_on(dt_tests::ape_parallel::rate_limit(
        Mongo,
        APE,
        "ape_parallel_db",
        &[("extractor.max_rps", "1500")],
        6000.0 / 1500.0,
    ));
}

const APE: &str = "mongo_to_mongo/snapshot/ape_parallel_test";

/// Collections keep the options they were created with (docs/en/structure.md): a snapshot
/// creates a missing target collection capped, collated, validated or clustered as the
/// source's is; ape-dts's struct task then finds each identical, and stops on one whose
/// options differ unless `conflict_policy=ignore`.
#[test]
fn struct_collection_options_test() {
    use bson::doc;
    use mongodb::options::{ClusteredIndex, Collation, CollationStrength};
    let _guard = serial();
    block_on(async {
        let case = Case::load("mongo_to_mongo/struct/options_test");
        Mongo.prepare(&case).await?;
        let src = mongodb::Client::with_uri_str(Mongo.src()).await?;
        let dst = mongodb::Client::with_uri_str(Mongo.dst()).await?;
        let (sdb, ddb) = (src.database("coll_opts_db"), dst.database("coll_opts_db"));
        sdb.create_collection("capped")
            .capped(true)
            .size(1 << 20)
            .max(100)
            .await?;
        sdb.create_collection("collated")
            .collation(
                Collation::builder()
                    .locale("fr")
                    .strength(CollationStrength::Secondary)
                    .build(),
            )
            .await?;
        sdb.create_collection("validated")
            .validator(doc! { "$jsonSchema": { "bsonType": "object", "required": ["a"] } })
            .validation_level(mongodb::options::ValidationLevel::Moderate)
            .validation_action(mongodb::options::ValidationAction::Warn)
            .await?;
        sdb.create_collection("clustered")
            .clustered_index(ClusteredIndex::default())
            .await?;
        for coll in ["capped", "collated", "validated", "clustered"] {
            let docs: Vec<bson::Document> = (0..150)
                .map(|i| doc! { "_id": i, "a": i, "name": format!("n{i}") })
                .collect();
            sdb.collection::<bson::Document>(coll)
                .insert_many(docs)
                .await?;
        }
        let options = |db: mongodb::Database| async move {
            let mut out = Vec::new();
            let mut specs = db.list_collections().await?;
            while let Some(spec) = futures::TryStreamExt::try_next(&mut specs).await? {
                out.push((spec.name, bson::to_document(&spec.options)?));
            }
            out.sort_by(|a, b| a.0.cmp(&b.0));
            anyhow::Ok(out)
        };

        let snapshot = case.config(&Mongo.src(), &Mongo.dst(), &[]);
        expect_success(&run_dt(&snapshot))?;
        let (s, d) = (options(sdb.clone()).await?, options(ddb.clone()).await?);
        ensure!(
            s == d,
            "collection options differ:\nsource {s:#?}\ntarget {d:#?}"
        );
        ensure!(
            s.iter()
                .any(|(n, o)| n == "capped" && o.get_bool("capped") == Ok(true)),
            "the source lists no capped collection: {s:#?}"
        );
        Mongo.assert_schemas_same(&["coll_opts_db"]).await?;

        let structs = |extra: &[(&str, &str)]| {
            let mut o = vec![
                ("extractor.extract_type", "struct"),
                ("sinker.sink_type", "struct"),
            ];
            o.extend_from_slice(extra);
            case.config(&Mongo.src(), &Mongo.dst(), &o)
        };
        expect_success(&run_dt(&structs(&[])))?;
        ensure!(
            scenario::messages(&case)
                .iter()
                .any(|l| l.starts_with("schema, pre-data: 0 object(s) created, 5 already")),
            "a struct task onto the copied collections created some again"
        );

        ddb.collection::<bson::Document>("capped").drop().await?;
        ddb.create_collection("capped")
            .capped(true)
            .size(1 << 20)
            .max(50)
            .await?;
        let out = run_dt(&structs(&[]));
        let stderr = String::from_utf8_lossy(&out.stderr);
        ensure!(
            out.status.code() == Some(1)
                && stderr
                    .contains("COLLECTION coll_opts_db.capped exists in the target and differs")
                && stderr.lines().count() == 1,
            "a differing collection: exit {:?}, stderr: {stderr}",
            out.status.code()
        );
        expect_success(&run_dt(&structs(&[("sinker.conflict_policy", "ignore")])))?;
        ensure!(
            scenario::messages(&case).iter().any(|l| l.contains(
                "COLLECTION coll_opts_db.capped differs in the target and is left as it is"
            )),
            "conflict_policy=ignore left no warning"
        );
        Ok(())
    });
}
