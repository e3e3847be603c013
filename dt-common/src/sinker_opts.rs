//! How the sinker writes (docs/en/config.md, `[sinker]`): `replace`,
//! `disable_foreign_key_checks` next to `disable_triggers`, `transaction_isolation`, and the
//! ape-dts keys dt reads but has no use for in a snapshot. Checked before anything connects.

use crate::config::{ConflictMode, TaskConfig};
use crate::error::ConfigError;
use crate::meta::DbType;

/// Isolation levels a MySQL target's writer sessions may be given, as written in the config
/// and as MySQL spells them.
const ISOLATION: &[(&str, &str)] = &[
    ("read_uncommitted", "READ UNCOMMITTED"),
    ("read_committed", "READ COMMITTED"),
    ("repeatable_read", "REPEATABLE READ"),
    ("serializable", "SERIALIZABLE"),
];

/// Checks the `[sinker]` write keys that parsing alone cannot.
pub fn check(cfg: &TaskConfig) -> Result<(), ConfigError> {
    let s = &cfg.sinker;
    if let (Some(t), Some(f)) = (s.disable_triggers, s.disable_foreign_key_checks) {
        if t != f {
            return Err(ConfigError::invalid(
                "sinker",
                "disable_foreign_key_checks",
                &f.to_string(),
                format!(
                    "contradicts disable_triggers={t}; both name the same setting of the \
                     target sessions, keep one"
                ),
            ));
        }
    }
    let level = s.transaction_isolation.trim();
    let known =
        level.is_empty() || level == "default" || ISOLATION.iter().any(|(k, _)| *k == level);
    if !known {
        return Err(ConfigError::invalid(
            "sinker",
            "transaction_isolation",
            level,
            "expected default, read_uncommitted, read_committed, repeatable_read or serializable",
        ));
    }
    if cfg.mysql_isolation().is_some() && s.db_type != DbType::Mysql {
        return Err(ConfigError::invalid(
            "sinker",
            "transaction_isolation",
            level,
            "only MySQL targets take an isolation level; leave it at default",
        ));
    }
    match s.conflict_policy.trim() {
        "" | "interrupt" | "ignore" => Ok(()),
        other => Err(ConfigError::invalid(
            "sinker",
            "conflict_policy",
            other,
            "expected interrupt or ignore",
        )),
    }
}

impl TaskConfig {
    /// What the sinker does with a row whose key the target already holds. With
    /// `replace=false` a resumed run tolerates rows equal to the ones it writes: the
    /// interrupted run may have committed them after its last checkpoint.
    pub fn conflict_mode(&self) -> ConflictMode {
        let resuming = self.resumer.resume_from_log || self.resume_config_file().is_some();
        match (self.sinker.replace, resuming) {
            (true, _) => ConflictMode::Replace,
            (false, false) => ConflictMode::Error,
            (false, true) => ConflictMode::ErrorUnlessEqual,
        }
    }

    /// The isolation level of a MySQL target's writer sessions, as MySQL spells it; `None`
    /// keeps the server's default.
    pub fn mysql_isolation(&self) -> Option<&'static str> {
        let level = self.sinker.transaction_isolation.trim();
        ISOLATION.iter().find(|(k, _)| *k == level).map(|(_, v)| *v)
    }

    /// MySQL targets: whether the writers turn `foreign_key_checks` off (the default).
    pub fn mysql_foreign_key_checks_off(&self) -> bool {
        self.sinker.disable_foreign_key_checks.unwrap_or(true)
    }

    /// PostgreSQL targets: whether the writers run with `session_replication_role = replica`;
    /// only when one of the two keys asks for it, since it needs a superuser.
    pub fn pg_replica_role(&self) -> bool {
        let s = &self.sinker;
        s.disable_triggers
            .or(s.disable_foreign_key_checks)
            .unwrap_or(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(db: &str, extra: &str) -> Result<TaskConfig, ConfigError> {
        let (src, dst) = match db {
            "mysql" => ("mysql://h:1", "mysql://h:2"),
            "pg" => ("postgres://h/a", "postgres://h/b"),
            _ => ("mongodb://h:1", "mongodb://h:2"),
        };
        TaskConfig::from_ini_str(&format!(
            "[extractor]\ndb_type={db}\nurl={src}\n[sinker]\ndb_type={db}\nurl={dst}\n{extra}"
        ))
    }

    #[test]
    fn defaults_keep_what_dt_did() {
        let c = cfg("mysql", "").unwrap();
        assert_eq!(c.conflict_mode(), ConflictMode::Replace);
        assert!(c.mysql_foreign_key_checks_off());
        assert_eq!(c.mysql_isolation(), None);
        assert!(!cfg("pg", "").unwrap().pg_replica_role());
    }

    #[test]
    fn replace_false_tolerates_equal_rows_only_when_resuming() {
        let c = cfg("mysql", "replace=false\n").unwrap();
        assert_eq!(c.conflict_mode(), ConflictMode::Error);
        let c = cfg("pg", "replace=false\n[resumer]\nresume_from_log=true\n").unwrap();
        assert_eq!(c.conflict_mode(), ConflictMode::ErrorUnlessEqual);
        let c = cfg("pg", "replace=false\n[resumer]\nresume_type=from_log\n").unwrap();
        assert_eq!(c.conflict_mode(), ConflictMode::ErrorUnlessEqual);
    }

    #[test]
    fn foreign_key_keys_fold_and_must_agree() {
        let c = cfg("mysql", "disable_foreign_key_checks=false\n").unwrap();
        assert!(!c.mysql_foreign_key_checks_off());
        assert!(cfg("pg", "disable_foreign_key_checks=true\n")
            .unwrap()
            .pg_replica_role());
        assert!(
            cfg("pg", "disable_triggers=true\ndisable_foreign_key_checks=\n")
                .unwrap()
                .pg_replica_role()
        );
        assert!(!cfg("pg", "disable_foreign_key_checks=false\n")
            .unwrap()
            .pg_replica_role());
        let err = cfg(
            "pg",
            "disable_triggers=false\ndisable_foreign_key_checks=true\n",
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("sinker.disable_foreign_key_checks") && err.contains("disable_triggers"),
            "{err}"
        );
    }

    #[test]
    fn isolation_levels() {
        for (v, sql) in [
            ("read_uncommitted", "READ UNCOMMITTED"),
            ("read_committed", "READ COMMITTED"),
            ("repeatable_read", "REPEATABLE READ"),
            ("serializable", "SERIALIZABLE"),
        ] {
            let c = cfg("mysql", &format!("transaction_isolation={v}\n")).unwrap();
            assert_eq!(c.mysql_isolation(), Some(sql));
        }
        assert!(cfg("mysql", "transaction_isolation=default\n").is_ok());
        assert!(cfg("pg", "transaction_isolation=default\n").is_ok());
        for (db, v) in [
            ("mysql", "snapshot"),
            ("pg", "read_committed"),
            ("mongo", "serializable"),
        ] {
            let err = cfg(db, &format!("transaction_isolation={v}\n"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("sinker.transaction_isolation"), "{err}");
        }
    }

    #[test]
    fn keys_read_and_ignored() {
        let c = cfg(
            "mongo",
            "conflict_policy=ignore\nmongo_require_shard_key_filter=false\nis_cluster=\n",
        );
        assert!(c.unwrap().unknown_keys.is_empty());
        let c = TaskConfig::from_ini_str(
            "[extractor]\ndb_type=mysql\nurl=mysql://h\nis_cluster=true\n\
             [sinker]\ndb_type=mysql\nurl=mysql://h\nis_cluster=false\n",
        );
        assert!(c.unwrap().unknown_keys.is_empty());
        assert!(cfg("mysql", "conflict_policy=maybe\n").is_err());
        assert!(cfg("mysql", "is_cluster=maybe\n").is_err());
    }
}
