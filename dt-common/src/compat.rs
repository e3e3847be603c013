//! ape-dts's newer snapshot keys, folded into dt's own before validation: credentials given
//! as `username`/`password` beside a URL, and `[resumer] resume_type`/`log_dir`/`config_file`
//! beside `resume_from_log`/`resume_log_dir`/`resume_config_file` (docs/en/config.md). Where
//! both forms are given and disagree, the task stops: guessing could resume from the wrong
//! place or not at all.

use crate::config::{ResumerConfig, TaskConfig};
use crate::error::ConfigError;

/// Folds the ape-dts keys of `cfg` into dt's.
pub fn apply(cfg: &mut TaskConfig) -> Result<(), ConfigError> {
    let (user, pass) = (&cfg.extractor.username, &cfg.extractor.password);
    cfg.extractor.url = with_credentials("extractor", &cfg.extractor.url, user, pass)?;
    let (user, pass) = (&cfg.sinker.username, &cfg.sinker.password);
    cfg.sinker.url = with_credentials("sinker", &cfg.sinker.url, user, pass)?;
    resumer(&mut cfg.resumer)?;
    progress_db(cfg)?;
    db_resumer_keys(cfg);
    Ok(())
}

/// The progress table of the task's target server, ape-dts's default.
pub const DEFAULT_PROGRESS_TABLE: &str = "apecloud_metadata.apedts_task_position";

/// `resume_type=from_target` / `from_db`: the server and table that keep progress.
fn progress_db(cfg: &mut TaskConfig) -> Result<(), ConfigError> {
    let r = &cfg.resumer;
    let in_target = match r.resume_type.trim() {
        "from_target" => true,
        "from_db" => false,
        _ => {
            let set: Vec<&str> = [
                ("resumer.url", !r.url.is_empty()),
                ("resumer.db_type", !r.db_type.is_empty()),
                ("resumer.username", !r.username.is_empty()),
                ("resumer.password", !r.password.is_empty()),
                ("resumer.table_full_name", !r.table_full_name.is_empty()),
                ("resumer.max_connections", r.max_connections.is_some()),
            ]
            .into_iter()
            .filter_map(|(key, set)| set.then_some(key))
            .collect();
            if !set.is_empty() {
                cfg.warnings.push(format!(
                    "{} only apply with resume_type=from_db or from_target (progress kept in \
                     a database) and are ignored",
                    set.join(", ")
                ));
            }
            return Ok(());
        }
    };
    let bad = |key: &str, value: &str, why: &str| ConfigError::invalid("resumer", key, value, why);
    let (db_type, url) = if in_target {
        (cfg.sinker.db_type, cfg.sinker.url.clone())
    } else {
        if r.url.trim().is_empty() {
            return Err(bad(
                "url",
                "",
                "resume_type=from_db needs the URL of the server that keeps progress",
            ));
        }
        let db_type = match r.db_type.trim() {
            "mysql" => crate::DbType::Mysql,
            "pg" => crate::DbType::Pg,
            other => {
                return Err(bad(
                    "db_type",
                    other,
                    "expected mysql or pg (the server that keeps progress)",
                ))
            }
        };
        (
            db_type,
            with_credentials("resumer", &r.url, &r.username, &r.password)?,
        )
    };
    if db_type == crate::DbType::Mongo {
        return Err(bad(
            "resume_type",
            r.resume_type.trim(),
            "progress is kept in a MySQL or PostgreSQL table; a MongoDB target cannot hold it:              use resume_type=from_log, or from_db with a MySQL or PostgreSQL server",
        ));
    }
    let full = match r.table_full_name.trim() {
        "" => DEFAULT_PROGRESS_TABLE,
        t => t,
    };
    let Some((schema, table)) = full
        .split_once('.')
        .filter(|(a, b)| !a.is_empty() && !b.is_empty() && !b.contains('.'))
    else {
        return Err(bad("table_full_name", full, "expected schema.table"));
    };
    let max_connections = match r.max_connections {
        Some(0) => return Err(bad("max_connections", "0", "must be at least 1")),
        Some(n) => n,
        None => 1,
    };
    cfg.resumer.store = Some(crate::config::ProgressDb {
        db_type,
        url,
        schema: schema.to_string(),
        table: table.to_string(),
        max_connections,
        in_target,
        init: false,
    });
    Ok(())
}

/// ape-dts's `[resumer]` keys of a resumer that keeps progress in a database table
/// (`resume_type=from_db`/`from_target`, which [`resumer`] refuses).
pub const DB_RESUMER_KEYS: &[&str] = &["ssl_mode", "ssl_ca_path", "is_direct_connection"];

/// Moves ape-dts's database-resumer keys from the unknown keys to one warning: with progress
/// read from log files they cannot change what is copied or resumed. Only key names are
/// quoted, never values (one of them is a password).
fn db_resumer_keys(cfg: &mut TaskConfig) {
    let (found, rest): (Vec<String>, Vec<String>) = cfg.unknown_keys.drain(..).partition(|k| {
        k.strip_prefix("resumer.")
            .is_some_and(|key| DB_RESUMER_KEYS.contains(&key))
    });
    cfg.unknown_keys = rest;
    if found.is_empty() {
        return;
    }
    cfg.warnings.push(format!(
        "{} are ape-dts's connection keys of a resumer that keeps progress in a database; dt \
         ignores them (give TLS options in resumer.url as the driver's parameters)",
        found.join(", ")
    ));
}

fn resumer(r: &mut ResumerConfig) -> Result<(), ConfigError> {
    match r.resume_type.trim() {
        "" => {}
        "from_log" => r.resume_from_log = true,
        "dummy" if r.resume_from_log => {
            return Err(ConfigError::invalid(
                "resumer",
                "resume_type",
                "dummy",
                "contradicts resume_from_log=true; keep one of the two",
            ))
        }
        "dummy" => {}
        "from_target" | "from_db" if r.resume_from_log => {
            return Err(ConfigError::invalid(
                "resumer",
                "resume_type",
                r.resume_type.trim(),
                "contradicts resume_from_log=true, which resumes from the log files; keep one",
            ))
        }
        "from_target" | "from_db" => {}
        other => {
            return Err(ConfigError::invalid(
                "resumer",
                "resume_type",
                other,
                "expected from_log, from_target, from_db or dummy",
            ))
        }
    }
    r.resume_log_dir = one_of("log_dir", &r.log_dir, "resume_log_dir", &r.resume_log_dir)?;
    r.resume_config_file = one_of(
        "config_file",
        &r.config_file,
        "resume_config_file",
        &r.resume_config_file,
    )?;
    Ok(())
}

/// The value of two keys that mean the same: either may be set, or both to the same value.
fn one_of(new_key: &str, new: &str, old_key: &str, old: &str) -> Result<String, ConfigError> {
    match (new.trim(), old.trim()) {
        ("", v) | (v, "") => Ok(v.to_string()),
        (a, b) if a == b => Ok(a.to_string()),
        (a, b) => Err(ConfigError::invalid(
            "resumer",
            new_key,
            a,
            format!("differs from {old_key}=`{b}`, which names the same setting; keep one"),
        )),
    }
}

/// `url` with `user` and `pass` as its credentials, percent-encoded, so any character may
/// be used in them. A URL that already carries a user is an error when the keys are set too.
fn with_credentials(
    section: &str,
    url: &str,
    user: &str,
    pass: &str,
) -> Result<String, ConfigError> {
    if user.is_empty() && pass.is_empty() {
        return Ok(url.to_string());
    }
    crate::secret::register(pass);
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return Ok(url.to_string()); // the URL check names the problem
    };
    let authority_end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    if url[start..authority_end].contains('@') {
        return Err(ConfigError::invalid(
            section,
            "url",
            url,
            "the URL carries credentials and username/password are set too; keep one",
        ));
    }
    let creds = match pass {
        "" => encode(user),
        _ => format!("{}:{}", encode(user), encode(pass)),
    };
    crate::secret::register(&encode(pass));
    Ok(format!("{}{creds}@{}", &url[..start], &url[start..]))
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn encode(text: &str) -> String {
    percent_encode(text, b"")
}

/// Percent-encodes everything but RFC 3986's unreserved characters and the bytes of `keep`.
pub(crate) fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') || keep.contains(&b)
        {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_encoded_into_the_url() {
        let url = with_credentials("sinker", "postgres://h:5432/db", "u@x", "p:/?#@%w").unwrap();
        assert_eq!(url, "postgres://u%40x:p%3A%2F%3F%23%40%25w@h:5432/db");
        assert_eq!(
            with_credentials("sinker", "mongodb://a,b/?rs=x", "u", "").unwrap(),
            "mongodb://u@a,b/?rs=x"
        );
        assert_eq!(
            with_credentials("sinker", "mysql://h", "", "").unwrap(),
            "mysql://h"
        );
        assert!(with_credentials("sinker", "mysql://r:s@h", "u", "p").is_err());
    }

    #[test]
    fn resumer_forms_fold_together() {
        let mut r = ResumerConfig {
            resume_type: "from_log".into(),
            log_dir: "/x".into(),
            config_file: "./r.config".into(),
            ..Default::default()
        };
        resumer(&mut r).unwrap();
        assert!(r.resume_from_log);
        assert_eq!(
            (r.resume_log_dir.as_str(), r.resume_config_file.as_str()),
            ("/x", "./r.config")
        );
        for (t, from_log, dir, old_dir) in [
            ("from_target", true, "", ""),
            ("from_db", true, "", ""),
            ("dummy", true, "", ""),
            ("sometimes", false, "", ""),
            ("from_log", false, "/a", "/b"),
        ] {
            let mut r = ResumerConfig {
                resume_type: t.into(),
                resume_from_log: from_log,
                log_dir: dir.into(),
                resume_log_dir: old_dir.into(),
                ..Default::default()
            };
            assert!(resumer(&mut r).is_err(), "{t} {from_log} {dir} {old_dir}");
        }
    }
}
