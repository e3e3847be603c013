//! The orchestrator run in-process over fakes of dt's `Extractor` and `Sinker` traits:
//! acknowledgements out of order, writers and readers failing, key-less copies, the
//! read/written count check, and the rules of the progress files, checked at every sync.

mod fakes;

use std::collections::HashSet;

use fakes::{finished_tables, keyed, keyless, positions, task, Checker, Faults, World};

/// Rows per write chunk, as the fakes' config sets `[sinker] batch_size`.
const CHUNK: i64 = 5;

fn all(n: i64) -> Vec<i64> {
    (1..=n).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledgements_out_of_order_move_positions_over_the_committed_prefix_only() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(
        vec![keyed("a", 600), keyed("b", 450), keyless("c", 90)],
        Faults::default(),
    );
    let checker = Checker::new(&world);
    let summary = task(&world, &checker, dir.path(), "").run().await.unwrap();
    assert_eq!(summary.total_rows(), 1140);
    checker.assert_no_violation();
    let commits = world.commits.lock().unwrap().clone();
    let a: Vec<i64> = commits
        .iter()
        .filter(|(id, _)| id.tb == "a")
        .map(|c| c.1)
        .collect();
    assert!(
        !a.is_sorted(),
        "writers committed in key order; nothing was out of order"
    );
    assert_eq!(world.target_keys("a"), all(600));
    assert_eq!(world.target_keys("b"), all(450));
    assert_eq!(world.target_keys("c"), all(90));
    let a_positions = positions(dir.path(), "a");
    assert!(
        a_positions.is_sorted() && !a_positions.is_empty(),
        "{a_positions:?}"
    );
    assert!(
        positions(dir.path(), "c").is_empty(),
        "a key-less table has no position"
    );
    let mut finished = finished_tables(dir.path());
    finished.sort();
    assert_eq!(finished, ["a", "b", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_checkpoint_and_finished_mark_is_synced() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(vec![keyed("a", 400), keyless("c", 50)], Faults::default());
    let checker = Checker::new(&world);
    task(&world, &checker, dir.path(), "").run().await.unwrap();
    let text = std::fs::read_to_string(dir.path().join("position.log")).unwrap();
    let checkpoints = text
        .lines()
        .filter(|l| l.contains("checkpoint_position"))
        .count();
    assert!(checkpoints > 0);
    assert_eq!(checker.sync_count("position.log"), checkpoints);
    // Finished marks waiting together share one sync; each is on disk before the task ends.
    let syncs = checker.sync_count("finished.log");
    assert!((1..=2).contains(&syncs), "{syncs} syncs of finished.log");
    assert_eq!(checker.synced_finished(), ["a", "c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_mark_that_cannot_be_written_fails_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(vec![keyed("a", 100), keyed("b", 100)], Faults::default());
    let checker = Checker::new(&world);
    checker
        .fail_finished_sync
        .store(true, std::sync::atomic::Ordering::SeqCst);
    let err = task(&world, &checker, dir.path(), "")
        .run()
        .await
        .unwrap_err();
    let text = format!("{:#}", anyhow::Error::from(err));
    assert!(
        text.contains("finished.log") && text.contains("the disk is full"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_writer_failing_mid_table_leaves_the_position_at_the_committed_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults {
        rejects_key: [("a".to_string(), 203)].into(),
        ..Faults::default()
    };
    let world = World::new(vec![keyed("a", 400)], faults);
    let checker = Checker::new(&world);
    let err = task(&world, &checker, dir.path(), "")
        .run()
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("rejects row 203"), "{err:#}");
    checker.assert_no_violation();
    assert!(finished_tables(dir.path()).is_empty());
    // The chunk holding 203 starts at 201: every chunk before it was committed during the
    // failing write's pause, so the committed prefix ends at 200, and that is recorded.
    assert_eq!(positions(dir.path(), "a").last(), Some(&(201 - 1)));
    assert!(!world.target_keys("a").contains(&203));
    assert_eq!((201 - 1) % CHUNK, 0);

    // The next run, on the same target, resumes after it and completes the table.
    let world = world.next_run(vec![keyed("a", 400)]);
    let checker = Checker::new(&world);
    task(&world, &checker, dir.path(), "").run().await.unwrap();
    checker.assert_no_violation();
    let extracts = world.extracts.lock().unwrap().clone();
    assert_eq!(extracts.len(), 1);
    assert_eq!(extracts[0].1.as_deref(), Some("200"));
    assert_eq!(finished_tables(dir.path()), ["a"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_whose_last_row_is_rejected_gets_no_finished_mark() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults {
        rejects_key: [("a".to_string(), 300)].into(),
        ..Faults::default()
    };
    let world = World::new(vec![keyed("a", 300)], faults);
    let checker = Checker::new(&world);
    let err = task(&world, &checker, dir.path(), "")
        .run()
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("rejects row 300"), "{err:#}");
    checker.assert_no_violation();
    assert!(
        finished_tables(dir.path()).is_empty(),
        "a table is finished only once its last chunk is committed"
    );
    assert!(positions(dir.path(), "a").iter().all(|&p| p < 296));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyless_table_is_committed_once_after_its_last_row() {
    let dir = tempfile::tempdir().unwrap();
    let world = World::new(vec![keyless("c", 95)], Faults::default());
    let checker = Checker::new(&world);
    task(&world, &checker, dir.path(), "").run().await.unwrap();
    let msgs: Vec<&str> = world
        .atomic_msgs
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.1)
        .collect();
    assert_eq!(msgs, ["rows", "rows", "rows", "rows", "rows", "commit"]);
    assert_eq!(world.target_keys("c"), all(95));
    assert_eq!(finished_tables(dir.path()), ["c"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keyless_copy_aborted_before_commit_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults {
        read_fails_after: [("c".to_string(), 3)].into(),
        ..Faults::default()
    };
    let world = World::new(vec![keyless("c", 95)], faults);
    let checker = Checker::new(&world);
    let err = task(&world, &checker, dir.path(), "")
        .run()
        .await
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("fails after 3 batch"),
        "{err:#}"
    );
    let msgs: Vec<&str> = world
        .atomic_msgs
        .lock()
        .unwrap()
        .iter()
        .map(|m| m.1)
        .collect();
    assert!(!msgs.contains(&"commit"), "{msgs:?}");
    assert!(world.target_keys("c").is_empty());
    assert!(finished_tables(dir.path()).is_empty());
    assert!(std::fs::read_to_string(dir.path().join("position.log"))
        .unwrap()
        .is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_read_and_rows_written_must_agree() {
    for (table, faults) in [
        (
            keyed("a", 120),
            Faults {
                read_overcounts: HashSet::from(["a".to_string()]),
                ..Faults::default()
            },
        ),
        (
            keyless("a", 120),
            Faults {
                atomic_undercounts: HashSet::from(["a".to_string()]),
                ..Faults::default()
            },
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let world = World::new(vec![table], faults);
        let checker = Checker::new(&world);
        let err = task(&world, &checker, dir.path(), "")
            .run()
            .await
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("read 121 row(s) but wrote 120")
                || text.contains("read 120 row(s) but wrote 119"),
            "{text}"
        );
        assert!(finished_tables(dir.path()).is_empty());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_table_never_gets_a_later_position() {
    let dir = tempfile::tempdir().unwrap();
    let tables = || {
        (0..6)
            .map(|i| keyed(&format!("t{i}"), 100 + 40 * i))
            .collect()
    };
    let faults = Faults {
        rejects_key: [("t5".to_string(), 250)].into(),
        ..Faults::default()
    };
    let world = World::new(tables(), faults);
    let checker = Checker::new(&world);
    let extra = "[parallelizer]\nparallel_tables=3\n";
    task(&world, &checker, dir.path(), extra)
        .run()
        .await
        .unwrap_err();
    checker.assert_no_violation();
    let first_run = finished_tables(dir.path());
    assert!(!first_run.is_empty() && !first_run.contains(&"t5".to_string()));

    // A resumed run skips the finished tables and records nothing more for them.
    let world = world.next_run(tables());
    let checker2 = Checker::new(&world);
    let before: Vec<Vec<i64>> = first_run.iter().map(|t| positions(dir.path(), t)).collect();
    task(&world, &checker2, dir.path(), extra)
        .run()
        .await
        .unwrap();
    checker2.assert_no_violation();
    let after: Vec<Vec<i64>> = first_run.iter().map(|t| positions(dir.path(), t)).collect();
    assert_eq!(before, after);
    let extracted: Vec<String> = (world.extracts.lock().unwrap().iter())
        .map(|(id, _)| id.tb.clone())
        .collect();
    assert!(
        first_run.iter().all(|t| !extracted.contains(t)),
        "{extracted:?}"
    );
    assert_eq!(finished_tables(dir.path()).len(), 6);
}

/// The keys `(after, upto]` an earlier run recorded as committed for table `tb` in chunks:
/// finished chunks whole, the others up to their last position.
fn chunk_coverage(log_dir: &std::path::Path, tb: &str, rows: i64) -> HashSet<i64> {
    use dt_resumer::{OrderKey, Position};
    let (mut plan, mut covered) = (Vec::new(), HashSet::new());
    let bound = |b: &Option<Vec<String>>, open: i64| {
        b.as_ref().map_or(open, |v| v[0].parse::<i64>().unwrap())
    };
    for p in fakes::lines(log_dir, "position.log") {
        match p {
            Position::RdbSnapshotChunks { tb: t, chunks, .. } if t == tb => {
                plan = (chunks.iter())
                    .map(|c| (bound(&c.after, 0), bound(&c.upto, i64::MAX)))
                    .collect();
            }
            Position::RdbSnapshotChunk {
                tb: t,
                chunk,
                order_key: OrderKey::Single { value: Some(v), .. },
                ..
            } if t == tb => {
                let (after, _): (i64, i64) = plan[chunk];
                covered.extend(after + 1..=v.parse::<i64>().unwrap());
            }
            Position::RdbSnapshotChunkFinished { tb: t, chunk, .. } if t == tb => {
                let (after, upto) = plan[chunk];
                covered.extend(after + 1..=upto.min(rows));
            }
            _ => {}
        }
    }
    covered
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_in_chunks_resumes_each_chunk_after_its_committed_rows() {
    let dir = tempfile::tempdir().unwrap();
    let faults = Faults {
        rejects_key: [("a".to_string(), 553)].into(),
        ..Faults::default()
    };
    let world = World::new(vec![keyed("a", 1000)], faults);
    let checker = Checker::new(&world);
    let chunked = "[extractor]\nparallel_type=chunk\nbatch_size=100\n";
    let err = task(&world, &checker, dir.path(), chunked)
        .run()
        .await
        .unwrap_err();
    assert!(format!("{err:#}").contains("rejects row 553"), "{err:#}");
    checker.assert_no_violation();
    assert!(finished_tables(dir.path()).is_empty());
    assert!(
        positions(dir.path(), "a").is_empty(),
        "a table in chunks writes no single-line position"
    );
    let covered = chunk_coverage(dir.path(), "a", 1000);
    assert!(!covered.contains(&553));
    assert!(covered.len() > 20, "nothing recorded: {covered:?}");
    let has_gap = covered
        .iter()
        .any(|k| !covered.contains(&(k + 1)) && *k < 1000);
    assert!(has_gap, "chunks were committed strictly in order");

    // The next run reads exactly the rows the first did not record as committed, though
    // it runs as a plain table copy: a recorded chunk plan is always resumed.
    let world = world.next_run(vec![keyed("a", 1000)]);
    let checker = Checker::new(&world);
    let summary = task(&world, &checker, dir.path(), "").run().await.unwrap();
    checker.assert_no_violation();
    let read: HashSet<i64> = (world.read.lock().unwrap().iter()).map(|r| r.1).collect();
    assert_eq!(
        read.len(),
        world.read.lock().unwrap().len(),
        "a row was read twice"
    );
    assert!(read.is_disjoint(&covered), "committed rows were read again");
    assert_eq!(read.len() + covered.len(), 1000);
    assert_eq!(world.target_keys("a"), all(1000));
    assert_eq!(finished_tables(dir.path()), ["a"]);
    assert!(
        matches!(summary.tables[0].outcome, dt_task::Outcome::ResumedChunks { left } if left > 0),
        "{:?}",
        summary.tables[0].outcome
    );
}
