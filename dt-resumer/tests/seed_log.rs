//! The resumer against the seed's own example files: its answers, and the default.log lines
//! it writes, as docs/en/snapshot/resume.md shows them. Alone in this process, so that no
//! other test's logging without a subscriber decides what tracing's call sites record.

use dt_common::logging::default_log_subscriber;
use dt_common::Resumer;
use dt_resumer::LogResumer;

mod common;
use common::{chrono_like, message, seed_dir, sources};

#[test]
fn seed_example_answers_and_logs_as_the_seed_shows() {
    let seed = seed_dir();
    let log_dir = tempfile::tempdir().unwrap();
    let sub = default_log_subscriber(log_dir.path(), "info").unwrap();
    let r = tracing::subscriber::with_default(sub, || {
        let r = LogResumer::load(&sources(
            Some(&seed.join("resume_logs")),
            Some(&seed.join("resume.config")),
        ))
        .unwrap();
        assert_eq!(
            r.get_resume_value("test_db_1", "one_pk_multi_uk", "f_0"),
            Some("5".into())
        );
        assert_eq!(
            r.get_resume_value("test_db_1", "one_pk_no_uk", "f_0"),
            Some("5".into())
        );
        for tb in [
            "finished_table_*$1",
            "finished_table_*$2",
            "in_finished_log_table_*$1",
            "in_finished_log_table_*$2",
        ] {
            assert!(r.check_finished("test_db_@", tb), "{tb}");
        }
        assert_eq!(
            r.get_resume_value("test_db_@", "in_position_log_table_*$1", "p.k"),
            Some("1".into())
        );
        assert_eq!(
            r.get_resume_value("test_db_@", "resume_table_*$4", "p.k"),
            Some("1".into())
        );
        r
    });
    assert!(!r.check_finished("test_db_@", "resume_table_*$4"));
    assert_eq!(
        r.get_resume_value("test_db_1", "no_such_table", "f_0"),
        None
    );

    let expected = std::fs::read_to_string(seed.join("expected_default.log")).unwrap();
    let written = std::fs::read_to_string(log_dir.path().join("default.log")).unwrap();
    let resumer_lines: Vec<(&str, &str)> = written
        .lines()
        .map(message)
        .filter(|(_, m)| {
            m.starts_with("resumer, get resume value") || m.starts_with("resumer, check finished")
        })
        .collect();
    let expected: Vec<(&str, &str)> = expected.lines().map(message).collect();
    assert_eq!(resumer_lines, expected);
    let pid = format!("[{}]", std::process::id());
    for line in written.lines() {
        assert!(line.contains(&pid), "{line}");
        let ts = &line[..26];
        assert!(chrono_like(ts), "bad timestamp in {line}");
    }
}
