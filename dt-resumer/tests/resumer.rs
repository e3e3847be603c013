//! The resumer against every rule of docs/en/snapshot/resume.md, and the writer's output
//! read back by the resumer. The seed's default.log lines are checked in seed_log.rs, a
//! process of its own: tracing caches per call site whether anyone listens, so a test
//! logging on another thread without a subscriber could silence them.

use std::fs;
use std::path::{Path, PathBuf};

use dt_common::{DbType, Resumer};
mod common;
use common::{chrono_like, sources};
use dt_resumer::{LogResumer, OrderKey, Position, ProgressWriter, ResumeError};

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn pos(schema: &str, tb: &str, col: &str, value: &str) -> String {
    Position::RdbSnapshot {
        db_type: DbType::Mysql,
        schema: schema.into(),
        tb: tb.into(),
        order_key: OrderKey::Single {
            col: col.into(),
            value: Some(value.into()),
        },
    }
    .to_json()
}

#[test]
fn position_log_beats_resume_config_and_latest_line_wins() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "resume.config",
        &format!(
            "| current_position | {}\n{}\n",
            pos("d", "t", "id", "5"),
            pos("d", "u", "id", "7")
        ),
    );
    write(
        dir.path(),
        "position.log",
        &format!(
            "2024-03-29 07:02:24.463776 | current_position | {}\n2024-03-29 07:02:24.463777 | checkpoint_position | {{\"type\":\"None\"}}\n2024-03-29 07:02:25.000000 | current_position | {}\n",
            pos("d", "t", "id", "9"),
            pos("d", "t", "id", "12")
        ),
    );
    let r = LogResumer::load(&sources(Some(dir.path()), Some(&cfg))).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "id"), Some("12".into()));
    assert_eq!(r.get_resume_value("d", "u", "id"), Some("7".into()));
    // Without resume_from_log only the resume config counts.
    let r = LogResumer::load(&sources(None, Some(&cfg))).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "id"), Some("5".into()));
}

#[test]
fn torn_last_line_of_position_log_is_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let full = format!(
        "2024-03-29 07:02:24.463776 | current_position | {}\n",
        pos("d", "t", "id", "3")
    );
    let torn = format!(
        "2024-03-29 07:02:25.463776 | current_position | {}",
        pos("d", "t", "id", "4")
    );
    write(
        dir.path(),
        "position.log",
        &format!("{full}{}", &torn[..torn.len() - 10]),
    );
    let r = LogResumer::load(&sources(Some(dir.path()), None)).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "id"), Some("3".into()));
}

#[test]
fn malformed_middle_line_of_a_log_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "position.log",
        &format!(
            "{}\nnot json\n{}\n",
            pos("d", "t", "id", "3"),
            pos("d", "t", "id", "4")
        ),
    );
    let err = LogResumer::load(&sources(Some(dir.path()), None)).unwrap_err();
    assert!(
        matches!(err, ResumeError::Malformed { line: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("position.log:2"), "{err}");
}

#[test]
fn malformed_line_of_resume_config_is_an_error_even_when_last() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "resume.config",
        &format!(
            "// comment\n\n{}\n{{\"type\":\"RdbSnapshot\",\"db_type\":\"mysql\"",
            pos("d", "t", "id", "1")
        ),
    );
    let err = LogResumer::load(&sources(None, Some(&cfg)))
        .unwrap_err()
        .to_string();
    assert!(err.contains("resume.config:4"), "{err}");
}

/// A value check standing in for MongoDB's: numbers only.
fn digits_only(v: &str) -> Result<(), String> {
    match v.bytes().all(|b| b.is_ascii_digit()) {
        true => Ok(()),
        false => Err(format!("`{v}` is not a number")),
    }
}

#[test]
fn a_value_the_check_refuses_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let pg = r#"{"type":"RdbSnapshot","db_type":"pg","schema":"d","tb":"u","order_col":"id","value":"x"}"#;
    let cfg = write(
        dir.path(),
        "resume.config",
        &format!("{}\n{pg}\n", pos("d", "t", "id", "3")),
    );
    let mut src = sources(None, Some(&cfg));
    src.value_check = Some(digits_only);
    // A value of another db_type is ignored, not checked.
    let r = LogResumer::load(&src).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "id"), Some("3".into()));

    write(
        dir.path(),
        "position.log",
        &format!(
            "{}\n{}\n{}\n",
            pos("d", "t", "id", "4"),
            pos("d", "t", "id", "b4d"),
            pos("d", "t", "id", "5")
        ),
    );
    src.log_dir = Some(dir.path().to_path_buf());
    let err = LogResumer::load(&src).unwrap_err();
    assert!(
        matches!(err, ResumeError::Malformed { line: 2, .. }),
        "{err}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("position.log:2") && msg.contains("`b4d` is not a number"),
        "{msg}"
    );
}

#[test]
fn missing_logs_mean_a_first_run_but_a_missing_config_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = LogResumer::load(&sources(Some(&dir.path().join("nothing_here")), None)).unwrap();
    assert!(!r.check_finished("d", "t"));
    assert_eq!(r.get_resume_value("d", "t", "id"), None);
    let err =
        LogResumer::load(&sources(None, Some(&dir.path().join("resume.config")))).unwrap_err();
    assert!(matches!(err, ResumeError::MissingConfig { .. }));
    assert!(err.to_string().contains("resume.config"));
}

#[test]
fn positions_of_another_column_or_db_type_are_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let pg = r#"{"type":"RdbSnapshot","db_type":"pg","schema":"d","tb":"u","order_col":"id","value":"3"}"#;
    let pg_fin = r#"{"type":"RdbSnapshotFinished","db_type":"pg","schema":"d","tb":"v"}"#;
    let cfg = write(
        dir.path(),
        "resume.config",
        &format!("{}\n{pg}\n{pg_fin}\n", pos("d", "t", "id", "3")),
    );
    let r = LogResumer::load(&sources(None, Some(&cfg))).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "other_col"), None);
    assert_eq!(r.get_resume_value("d", "u", "id"), None);
    assert!(!r.check_finished("d", "v"));
}

#[test]
fn composite_and_single_order_key_forms_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write(
        dir.path(),
        "resume.config",
        concat!(
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"d","tb":"s","order_key":{"single":["f_0","5"]}}"#,
            "\n",
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"d","tb":"c","order_key":{"composite":[["f_0","1"],["f_1","30"]]}}"#,
            "\n"
        ),
    );
    let r = LogResumer::load(&sources(None, Some(&cfg))).unwrap();
    assert_eq!(r.get_resume_value("d", "s", "f_0"), Some("5".into()));
    // A composite position is read, but gives no single-column resume value.
    assert_eq!(r.get_resume_value("d", "c", "f_0"), None);
    assert_eq!(
        r.recorded_position("d", "c").as_deref(),
        Some(r#"f_0 = "1", f_1 = "30""#)
    );
    assert_eq!(
        r.recorded_position("d", "s").as_deref(),
        Some(r#"f_0 = "5""#)
    );
    assert_eq!(r.recorded_position("d", "none"), None);
}

#[test]
fn null_values_give_no_resume_value_in_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = |tb: &str, key: &str| {
        format!(r#"{{"type":"RdbSnapshot","db_type":"pg","schema":"d","tb":"{tb}",{key}}}"#)
    };
    let cfg = write(
        dir.path(),
        "resume.config",
        &format!("{}\n", line("a", r#""order_key":{"single":["id",null]}"#)),
    );
    write(
        dir.path(),
        "position.log",
        &format!(
            "2024-03-29 07:02:24.463776 | current_position | {}\n\
             2024-03-29 07:02:24.463777 | current_position | {}\n",
            line("b", r#""order_col":"id","value":null"#),
            line("c", r#""order_key":{"composite":[["x","1"],["y",null]]}"#),
        ),
    );
    let mut s = sources(Some(dir.path()), Some(&cfg));
    s.db_type = DbType::Pg;
    let r = LogResumer::load(&s).unwrap();
    for tb in ["a", "b"] {
        assert_eq!(r.get_resume_value("d", tb, "id"), None, "{tb}");
        assert_eq!(r.recorded_position("d", tb).as_deref(), Some("id = NULL"));
    }
    assert_eq!(
        r.recorded_position("d", "c").as_deref(),
        Some(r#"x = "1", y = NULL"#)
    );
}

fn snapshot(schema: &str, tb: &str, value: &str) -> Position {
    Position::RdbSnapshot {
        db_type: DbType::Mysql,
        schema: schema.into(),
        tb: tb.into(),
        order_key: OrderKey::Single {
            col: "p.k".into(),
            value: Some(value.into()),
        },
    }
}

#[test]
fn writer_output_read_back_gives_the_same_answers_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut w = ProgressWriter::open(dir.path()).unwrap();
        w.checkpoint(&[snapshot("test_db_@", "resume_table_*$4", "10")])
            .unwrap();
        w.finished(DbType::Mysql, "test_db_@", "finished_table_*$1")
            .unwrap();
        w.checkpoint(&[
            snapshot("test_db_@", "resume_table_*$4", "20"),
            snapshot("d", "x", "\"q\" | y"),
        ])
        .unwrap();
    }
    let text = fs::read_to_string(dir.path().join("position.log")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 5, "{text}");
    assert!(lines[0].ends_with(&format!(
        " | current_position | {}",
        pos("test_db_@", "resume_table_*$4", "p.k", "10")
    )));
    assert!(lines[1].ends_with(r#" | checkpoint_position | {"type":"None"}"#));
    assert!(chrono_like(&lines[0][..26]));
    let fin = fs::read_to_string(dir.path().join("finished.log")).unwrap();
    assert!(fin.ends_with(" | {\"type\":\"RdbSnapshotFinished\",\"db_type\":\"mysql\",\"schema\":\"test_db_@\",\"tb\":\"finished_table_*$1\"}\n"), "{fin}");

    // A second run appends; nothing earlier is lost.
    {
        let mut w = ProgressWriter::open(dir.path()).unwrap();
        w.finished(DbType::Mysql, "test_db_@", "resume_table_*$4")
            .unwrap();
    }
    let r = LogResumer::load(&sources(Some(dir.path()), None)).unwrap();
    assert!(r.check_finished("test_db_@", "finished_table_*$1"));
    assert!(r.check_finished("test_db_@", "resume_table_*$4"));
    assert_eq!(
        r.get_resume_value("test_db_@", "resume_table_*$4", "p.k"),
        Some("20".into())
    );
    assert_eq!(
        r.get_resume_value("d", "x", "p.k"),
        Some("\"q\" | y".into())
    );
}

#[test]
fn reopening_cuts_a_torn_tail_so_later_lines_stay_readable() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut w = ProgressWriter::open(dir.path()).unwrap();
        w.checkpoint(&[snapshot("d", "t", "1")]).unwrap();
    }
    let path = dir.path().join("position.log");
    let mut text = fs::read_to_string(&path).unwrap();
    text.push_str("2024-03-29 07:02:24.463776 | current_position | {\"type\":\"RdbSn");
    fs::write(&path, &text).unwrap();
    {
        let mut w = ProgressWriter::open(dir.path()).unwrap();
        w.checkpoint(&[snapshot("d", "t", "2")]).unwrap();
    }
    let r = LogResumer::load(&sources(Some(dir.path()), None)).unwrap();
    assert_eq!(r.get_resume_value("d", "t", "p.k"), Some("2".into()));
    assert!(!fs::read_to_string(&path).unwrap().contains("RdbSn\n"));
}

#[test]
fn every_checkpoint_and_finished_mark_is_synced_after_its_lines_are_written() {
    use std::sync::{Arc, Mutex};
    let dir = tempfile::tempdir().unwrap();
    // Each sync: the file synced and its length then, which must hold the lines just written.
    let seen: Arc<Mutex<Vec<(String, u64)>>> = Arc::default();
    let log = seen.clone();
    let sync: dt_resumer::SyncFn = Arc::new(move |path, file| {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        log.lock().unwrap().push((name, file.metadata()?.len()));
        file.sync_data()
    });
    let mut w = ProgressWriter::open(dir.path()).unwrap().with_sync(sync);
    w.checkpoint(&[]).unwrap();
    assert!(
        seen.lock().unwrap().is_empty(),
        "an empty checkpoint writes nothing"
    );
    w.checkpoint(&[snapshot("d", "t", "1"), snapshot("d", "u", "1")])
        .unwrap();
    w.finished(DbType::Mysql, "d", "u").unwrap();
    w.checkpoint(&[snapshot("d", "t", "2")]).unwrap();
    let len = |name: &str| fs::metadata(dir.path().join(name)).unwrap().len();
    let seen = seen.lock().unwrap().clone();
    let position_after_first = fs::read_to_string(dir.path().join("position.log"))
        .unwrap()
        .lines()
        .take(3)
        .map(|l| l.len() as u64 + 1)
        .sum::<u64>();
    assert_eq!(
        seen,
        vec![
            ("position.log".to_string(), position_after_first),
            ("finished.log".to_string(), len("finished.log")),
            ("position.log".to_string(), len("position.log")),
        ],
        "one sync per checkpoint and per finished mark, each after its lines"
    );
}
