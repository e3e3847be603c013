//! Helpers shared by the resumer's test binaries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use dt_common::DbType;
use dt_resumer::ResumeSources;

pub fn seed_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seed")
}

pub fn sources(log_dir: Option<&Path>, config: Option<&Path>) -> ResumeSources {
    ResumeSources {
        db_type: DbType::Mysql,
        log_dir: log_dir.map(Path::to_path_buf),
        config_file: config.map(Path::to_path_buf),
        value_check: None,
        stored: None,
    }
}

/// The message part of a default.log line: after `time - LEVEL - [pid] - `.
pub fn message(line: &str) -> (&str, &str) {
    let parts: Vec<&str> = line.splitn(4, " - ").collect();
    assert_eq!(parts.len(), 4, "not a default.log line: {line}");
    (parts[1], parts[3])
}

/// Whether `ts` has the form `2024-03-29 07:02:24.463776`.
pub fn chrono_like(ts: &str) -> bool {
    let b = ts.as_bytes();
    ts.len() == 26
        && [4, 7].iter().all(|&i| b[i] == b'-')
        && b[10] == b' '
        && [13, 16].iter().all(|&i| b[i] == b':')
        && b[19] == b'.'
        && ts
            .chars()
            .enumerate()
            .all(|(i, c)| [4, 7, 10, 13, 16, 19].contains(&i) || c.is_ascii_digit())
}
