//! Connection keys of `[extractor]` and `[sinker]` (docs/en/config.md): `ssl_mode`,
//! `ssl_ca_path`, `app_name` and `is_direct_connection` become driver parameters of the URL,
//! as `username`/`password` do in [`crate::compat`]; `max_connections` caps the pools by
//! lowering the parallelism. A URL that already sets a parameter to another value is an
//! error: either choice could connect differently from what the user reads in the file.

use crate::config::TaskConfig;
use crate::error::ConfigError;
use crate::meta::DbType;
use crate::secret::percent_decode;

/// The connection keys of one section, as read.
pub struct ConnKeys<'a> {
    pub section: &'a str,
    pub ssl_mode: &'a str,
    pub ssl_ca_path: &'a str,
    pub app_name: &'a str,
    pub is_direct_connection: Option<bool>,
}

/// Folds the connection keys of both sections into their URLs and fits the parallelism to
/// `max_connections`; returns a note for default.log when the parallelism was lowered.
pub fn apply(cfg: &mut TaskConfig) -> Result<Option<String>, ConfigError> {
    let e = &cfg.extractor;
    let keys = ConnKeys {
        section: "extractor",
        ssl_mode: &e.ssl_mode,
        ssl_ca_path: &e.ssl_ca_path,
        app_name: &e.app_name,
        is_direct_connection: e.is_direct_connection,
    };
    let url = with_params(&e.url, &params(&keys, e.db_type)?, "extractor")?;
    cfg.extractor.url = url;
    let s = &cfg.sinker;
    let keys = ConnKeys {
        section: "sinker",
        ssl_mode: &s.ssl_mode,
        ssl_ca_path: &s.ssl_ca_path,
        app_name: &s.app_name,
        is_direct_connection: s.is_direct_connection,
    };
    let url = with_params(&s.url, &params(&keys, s.db_type)?, "sinker")?;
    cfg.sinker.url = url;
    fit_parallelism(cfg)
}

/// The URL parameters `keys` stand for on `db`, as (name, value).
pub fn params(keys: &ConnKeys, db: DbType) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let mut out = Vec::new();
    let mode = keys.ssl_mode.trim();
    let bad_mode = || {
        ConfigError::invalid(
            keys.section,
            "ssl_mode",
            mode,
            "expected disable, require, verify_ca or verify_full",
        )
    };
    if !mode.is_empty() {
        match db {
            DbType::Mysql => {
                let v = match mode {
                    "disable" => "DISABLED",
                    "require" => "REQUIRED",
                    "verify_ca" => "VERIFY_CA",
                    "verify_full" => "VERIFY_IDENTITY",
                    _ => return Err(bad_mode()),
                };
                out.push(("ssl-mode", v.to_string()));
            }
            DbType::Pg => {
                let v = match mode {
                    "disable" => "disable",
                    "require" => "require",
                    "verify_ca" => "verify-ca",
                    "verify_full" => "verify-full",
                    _ => return Err(bad_mode()),
                };
                out.push(("sslmode", v.to_string()));
            }
            DbType::Mongo => out.extend(mongo_tls(keys.section, mode)?),
        }
    }
    let ca = keys.ssl_ca_path.trim();
    if !ca.is_empty() {
        if mode == "disable" {
            return Err(ConfigError::invalid(
                keys.section,
                "ssl_ca_path",
                ca,
                "a CA certificate with ssl_mode=disable; drop one of the two",
            ));
        }
        let name = match db {
            DbType::Mysql => "ssl-ca",
            DbType::Pg => "sslrootcert",
            DbType::Mongo => "tlsCAFile",
        };
        out.push((name, ca.to_string()));
    }
    let app = keys.app_name.trim();
    match db {
        DbType::Pg if !app.is_empty() => out.push(("application_name", app.to_string())),
        DbType::Mongo if !app.is_empty() => out.push(("appName", app.to_string())),
        _ => {}
    }
    if let (DbType::Mongo, Some(direct)) = (db, keys.is_direct_connection) {
        out.push(("directConnection", direct.to_string()));
    }
    Ok(out)
}

/// MongoDB's TLS options for `mode`. The driver's TLS (rustls) checks a certificate's host
/// name whenever it checks the certificate, so `verify_ca` has no equivalent.
fn mongo_tls(section: &str, mode: &str) -> Result<Vec<(&'static str, String)>, ConfigError> {
    let t = |v: &str| ("tls", v.to_string());
    Ok(match mode {
        "disable" => vec![t("false")],
        "require" => vec![t("true"), ("tlsAllowInvalidCertificates", "true".into())],
        "verify_full" => vec![t("true")],
        "verify_ca" => {
            return Err(ConfigError::invalid(
                section,
                "ssl_mode",
                mode,
                "MongoDB connections cannot check the CA without the host name; use \
                 verify_full or require",
            ))
        }
        _ => {
            return Err(ConfigError::invalid(
                section,
                "ssl_mode",
                mode,
                "expected disable, require, verify_ca or verify_full",
            ))
        }
    })
}

/// `url` with `params` in its query. A parameter the URL already has (names compared without
/// case, as the drivers do) must have the same value; it is then not repeated.
pub fn with_params(
    url: &str,
    params: &[(&str, String)],
    section: &str,
) -> Result<String, ConfigError> {
    let (base, fragment) = url.split_once('#').map_or((url, ""), |(b, f)| (b, f));
    let (head, query) = base.split_once('?').unwrap_or((base, ""));
    let mut added = Vec::new();
    for (name, value) in params {
        let existing = query.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            aliases(name)
                .iter()
                .any(|a| k.eq_ignore_ascii_case(a))
                .then_some(v)
        });
        match existing {
            Some(v) if percent_decode(v).eq_ignore_ascii_case(value) => {}
            Some(v) => {
                return Err(ConfigError::invalid(
                    section,
                    "url",
                    url,
                    format!(
                        "the URL sets {name}={v} and the [{section}] keys ask for \
                         {name}={value}; keep one"
                    ),
                ))
            }
            None => added.push(format!("{name}={}", encode(value))),
        }
    }
    if added.is_empty() {
        return Ok(url.to_string());
    }
    let mut out = head.to_string();
    // A MongoDB URL needs the slash before its options: `mongodb://h:27017/?tls=true`.
    let authority_only = head
        .find("://")
        .is_some_and(|i| !head[i + 3..].contains('/'));
    if head.starts_with("mongodb") && authority_only {
        out.push('/');
    }
    out.push('?');
    if !query.is_empty() {
        out.push_str(query);
        out.push('&');
    }
    out.push_str(&added.join("&"));
    if !fragment.is_empty() {
        out.push('#');
        out.push_str(fragment);
    }
    Ok(out)
}

/// The names the drivers also read a parameter under.
fn aliases(name: &str) -> Vec<&str> {
    let more: &[&str] = match name {
        "ssl-mode" => &["sslmode"],
        "ssl-ca" => &["sslca"],
        "sslrootcert" => &["ssl-root-cert", "ssl-ca"],
        "tls" => &["ssl"],
        _ => &[],
    };
    let mut out = vec![name];
    out.extend_from_slice(more);
    out
}

/// Percent-encodes what may not stand in a query value; keeps `/` and `:` of file paths.
fn encode(text: &str) -> String {
    crate::compat::percent_encode(text, b"/:")
}

impl TaskConfig {
    /// Size of the MySQL/PostgreSQL source pool: two per table being copied (the reader
    /// and its planning queries) and two for listing and objects.
    pub fn source_pool_size(&self) -> u32 {
        2 + 2 * self.parallelizer.parallel_tables as u32
    }

    /// Size of the MySQL/PostgreSQL target pool: one per writer, one for checks.
    pub fn target_pool_size(&self) -> u32 {
        (self.parallelizer.parallel_size * self.parallelizer.parallel_tables) as u32 + 1
    }
}

/// Source connections MySQL and PostgreSQL need besides two per table being copied: the
/// listing and planning queries, the probe that checks the address and login before the pool
/// opens (the server may still list it while the pool's first sessions arrive), and for
/// PostgreSQL the session holding the exported snapshot.
fn source_base(db: DbType) -> u32 {
    match db {
        DbType::Pg => 4,
        _ => 3,
    }
}

/// Lowers `parallel_tables`, then `parallel_size`, until both pools fit their
/// `max_connections` (MySQL and PostgreSQL: source `2 + 2 × parallel_tables`, plus the
/// snapshot session for PostgreSQL; target `parallel_size × parallel_tables + 1`; one more on
/// each end for the probe). MongoDB's
/// driver pool waits for a free connection, so there the cap is only the pool's size.
fn fit_parallelism(cfg: &mut TaskConfig) -> Result<Option<String>, ConfigError> {
    let db = cfg.extractor.db_type;
    let (src_cap, dst_cap) = (cfg.extractor.max_connections, cfg.sinker.max_connections);
    for (section, cap) in [("extractor", src_cap), ("sinker", dst_cap)] {
        if cap == Some(0) {
            return Err(ConfigError::invalid(
                section,
                "max_connections",
                "0",
                "must be at least 1",
            ));
        }
    }
    let p = &cfg.parallelizer;
    if db == DbType::Mongo || p.parallel_tables == 0 || p.parallel_size == 0 {
        return Ok(None); // zero parallelism is reported by the validation
    }
    let p = &mut cfg.parallelizer;
    let (tables, size) = (p.parallel_tables as u32, p.parallel_size as u32);
    let (mut t, mut s) = (tables, size);
    if let Some(cap) = src_cap {
        let base = source_base(db);
        if cap < base + 2 {
            return Err(ConfigError::invalid(
                "extractor",
                "max_connections",
                &cap.to_string(),
                format!("a {db} source needs at least {} connections", base + 2),
            ));
        }
        t = t.min((cap - base) / 2);
    }
    if let Some(cap) = dst_cap {
        if cap < 3 {
            return Err(ConfigError::invalid(
                "sinker",
                "max_connections",
                &cap.to_string(),
                "the target needs at least 3 connections",
            ));
        }
        t = t.min(cap - 2);
        s = s.min((cap - 2) / t);
    }
    if (t, s) == (tables, size) {
        return Ok(None);
    }
    p.parallel_tables = t as usize;
    p.parallel_size = s as usize;
    Ok(Some(format!(
        "parallelism lowered to fit max_connections: parallel_tables {tables} -> {t}, \
         parallel_size {size} -> {s}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys<'a>(mode: &'a str, ca: &'a str, app: &'a str, direct: Option<bool>) -> ConnKeys<'a> {
        ConnKeys {
            section: "sinker",
            ssl_mode: mode,
            ssl_ca_path: ca,
            app_name: app,
            is_direct_connection: direct,
        }
    }

    fn fold(url: &str, db: DbType, k: ConnKeys) -> Result<String, ConfigError> {
        with_params(url, &params(&k, db)?, "sinker")
    }

    #[test]
    fn ssl_keys_become_driver_parameters() {
        let k = || keys("verify_full", "/etc/ca dir/ca.pem", "", None);
        assert_eq!(
            fold("mysql://u@h:3306", DbType::Mysql, k()).unwrap(),
            "mysql://u@h:3306?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ca%20dir/ca.pem"
        );
        assert_eq!(
            fold("postgres://u@h/db?connect_timeout=5", DbType::Pg, k()).unwrap(),
            "postgres://u@h/db?connect_timeout=5&sslmode=verify-full&sslrootcert=/etc/ca%20dir/ca.pem"
        );
        assert_eq!(
            fold("mongodb://h:27017", DbType::Mongo, k()).unwrap(),
            "mongodb://h:27017/?tls=true&tlsCAFile=/etc/ca%20dir/ca.pem"
        );
        for (mode, mysql, pg) in [
            ("disable", "DISABLED", "disable"),
            ("require", "REQUIRED", "require"),
            ("verify_ca", "VERIFY_CA", "verify-ca"),
        ] {
            let m = fold("mysql://h", DbType::Mysql, keys(mode, "", "", None)).unwrap();
            assert_eq!(m, format!("mysql://h?ssl-mode={mysql}"));
            let p = fold("postgres://h/d", DbType::Pg, keys(mode, "", "", None)).unwrap();
            assert_eq!(p, format!("postgres://h/d?sslmode={pg}"));
        }
        let m = fold(
            "mongodb://a,b/db",
            DbType::Mongo,
            keys("require", "", "", None),
        )
        .unwrap();
        assert_eq!(
            m,
            "mongodb://a,b/db?tls=true&tlsAllowInvalidCertificates=true"
        );
    }

    #[test]
    fn app_name_and_direct_connection() {
        let k = || keys("", "", "my app", Some(true));
        assert_eq!(
            fold("mongodb://h/?replicaSet=rs", DbType::Mongo, k()).unwrap(),
            "mongodb://h/?replicaSet=rs&appName=my%20app&directConnection=true"
        );
        assert_eq!(
            fold("postgres://h/d", DbType::Pg, k()).unwrap(),
            "postgres://h/d?application_name=my%20app"
        );
        // MySQL has neither: the URL stays as it is.
        assert_eq!(fold("mysql://h", DbType::Mysql, k()).unwrap(), "mysql://h");
    }

    #[test]
    fn a_url_that_disagrees_is_an_error() {
        let err = fold(
            "mysql://h?SSL-MODE=required",
            DbType::Mysql,
            keys("disable", "", "", None),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("sinker.url") && err.contains("ssl-mode"),
            "{err}"
        );
        // The same value, in another case, is accepted and not repeated.
        assert_eq!(
            fold(
                "mysql://h?ssl-mode=disabled",
                DbType::Mysql,
                keys("disable", "", "", None)
            )
            .unwrap(),
            "mysql://h?ssl-mode=disabled"
        );
        assert!(fold(
            "mysql://h?sslmode=required",
            DbType::Mysql,
            keys("disable", "", "", None)
        )
        .is_err());
        assert!(fold(
            "mongodb://h/?ssl=true",
            DbType::Mongo,
            keys("disable", "", "", None)
        )
        .is_err());
        assert!(fold(
            "mongodb://h/?directConnection=false",
            DbType::Mongo,
            keys("", "", "", Some(true))
        )
        .is_err());
        assert!(fold(
            "postgres://h/d?sslmode=disable",
            DbType::Pg,
            keys("require", "", "", None)
        )
        .is_err());
    }

    fn task(db: &str, extra: &str) -> Result<TaskConfig, ConfigError> {
        let (src, dst) = match db {
            "mysql" => ("mysql://h:1", "mysql://h:2"),
            "pg" => ("postgres://h/a", "postgres://h/b"),
            _ => ("mongodb://h:1", "mongodb://h:2"),
        };
        TaskConfig::from_ini_str(&format!(
            "[parallelizer]\nparallel_size=4\nparallel_tables=3\n\
             [extractor]\ndb_type={db}\nurl={src}\n{}\n[sinker]\ndb_type={db}\nurl={dst}\n{}\n",
            extra.split('|').next().unwrap_or(""),
            extra.split('|').nth(1).unwrap_or("")
        ))
    }

    #[test]
    fn max_connections_lowers_the_parallelism_to_fit() {
        let c = task("mysql", "|").unwrap();
        assert!(c.notes.is_empty());
        assert_eq!((c.source_pool_size(), c.target_pool_size()), (8, 13));
        // Large enough caps change nothing.
        let c = task("mysql", "max_connections=9|max_connections=14").unwrap();
        assert!(c.notes.is_empty());
        let c = task("mysql", "max_connections=7|max_connections=8").unwrap();
        assert_eq!(
            (c.parallelizer.parallel_tables, c.parallelizer.parallel_size),
            (2, 3)
        );
        assert_eq!((c.source_pool_size(), c.target_pool_size()), (6, 7));
        assert!(
            c.notes[0].contains("parallel_tables 3 -> 2"),
            "{:?}",
            c.notes
        );
        // PostgreSQL's source also holds the snapshot session.
        let c = task("pg", "max_connections=7|").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 1);
        assert_eq!(c.source_pool_size() + 2, 6);
        let c = task("pg", "|max_connections=3").unwrap();
        assert_eq!(c.target_pool_size(), 2);
        // MongoDB: only the driver's pool is capped.
        let c = task("mongo", "max_connections=1|max_connections=1").unwrap();
        assert!(c.notes.is_empty());
        for (db, extra, key) in [
            ("mysql", "max_connections=4|", "extractor.max_connections"),
            ("pg", "max_connections=5|", "extractor.max_connections"),
            ("mysql", "|max_connections=2", "sinker.max_connections"),
            ("mongo", "|max_connections=0", "sinker.max_connections"),
            ("mysql", "|max_connections=-1", "sinker.max_connections"),
            (
                "mongo",
                "is_direct_connection=maybe|",
                "extractor.is_direct_connection",
            ),
        ] {
            let err = task(db, extra).unwrap_err().to_string();
            assert!(err.contains(key), "{extra}: {err}");
        }
    }

    #[test]
    fn the_task_config_folds_both_urls() {
        let c = task(
            "pg",
            "ssl_mode=disable\napp_name=dt|ssl_mode=require\nssl_ca_path=/ca.pem",
        )
        .unwrap();
        assert_eq!(
            c.extractor.url,
            "postgres://h/a?sslmode=disable&application_name=dt"
        );
        assert_eq!(
            c.sinker.url,
            "postgres://h/b?sslmode=require&sslrootcert=/ca.pem"
        );
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
    }

    #[test]
    fn bad_values_are_errors() {
        for (db, k, key) in [
            (DbType::Mysql, keys("on", "", "", None), "ssl_mode"),
            (DbType::Mongo, keys("verify_ca", "", "", None), "ssl_mode"),
            (
                DbType::Pg,
                keys("disable", "/ca.pem", "", None),
                "ssl_ca_path",
            ),
        ] {
            let err = params(&k, db).unwrap_err().to_string();
            assert!(err.contains(&format!("sinker.{key}")), "{err}");
        }
    }
}
