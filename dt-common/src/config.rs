//! Task config read from `task_config.ini` (docs/en/config.md), compatible with ape-dts snapshot
//! configs. One struct per INI section, one named default per key, validation in
//! [`TaskConfig::validate`]. Unknown keys are collected as warnings, never silently used.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::path::{Path, PathBuf};

use config::{Config, File, FileStoredFormat, Format, Map, Value, ValueKind};
use serde::Deserialize;

use crate::error::ConfigError;
use crate::filter::{parse_db_list, parse_tb_list, NameFilter};
use crate::meta::DbType;
use crate::router::Router;
use crate::row_filter::RowFilter;

/// The whole task.
#[derive(Debug, Clone, Deserialize)]
pub struct TaskConfig {
    pub extractor: ExtractorConfig,
    pub sinker: SinkerConfig,
    #[serde(default)]
    pub filter: FilterConfig,
    #[serde(default)]
    pub router: RouterConfig,
    #[serde(default)]
    pub parallelizer: ParallelizerConfig,
    #[serde(default)]
    pub pipeline: PipelineConfig,
    #[serde(default)]
    pub runtime: RuntimeConfig,
    #[serde(default)]
    pub resumer: ResumerConfig,
    #[serde(default)]
    pub global: GlobalConfig,
    /// Keys present in the file that dt does not know, as `section.key`.
    #[serde(skip)]
    pub unknown_keys: Vec<String>,
    /// Changes dt made to the configured values, for default.log (lowered parallelism).
    #[serde(skip)]
    pub notes: Vec<String>,
    /// Keys that are recognised but have no effect in this task, one warning each.
    #[serde(skip)]
    pub warnings: Vec<String>,
    /// Directory of the config file; relative paths in the config are resolved against the
    /// working directory, as ape-dts does, so this is informative only.
    #[serde(skip)]
    pub source_path: PathBuf,
}

/// `[extractor]`
#[derive(Debug, Clone, Deserialize)]
pub struct ExtractorConfig {
    /// Kind of source database.
    pub db_type: DbType,
    /// `snapshot` (rows), or `struct` (the schema alone, with `[sinker] sink_type=struct`).
    #[serde(default = "default_extract_type")]
    pub extract_type: String,
    /// Connection URL of the source.
    pub url: String,
    /// Rows per page read from the source.
    #[serde(default = "default_extract_batch_size")]
    pub batch_size: usize,
    /// User name, merged into `url` (ape-dts style); empty = the URL's own.
    #[serde(default)]
    pub username: String,
    /// Password, merged into `url` (ape-dts style); empty = the URL's own.
    #[serde(default)]
    pub password: String,
    /// Most connections open to this server at once; empty = what the parallelism needs.
    #[serde(default, deserialize_with = "opt_u32")]
    pub max_connections: Option<u32>,
    /// TLS: `disable`, `require`, `verify_ca` or `verify_full`; empty = the URL's own.
    #[serde(default)]
    pub ssl_mode: String,
    /// CA certificate file for TLS verification; empty = none.
    #[serde(default)]
    pub ssl_ca_path: String,
    /// Name the server shows for dt's sessions (MongoDB `appName`, PostgreSQL
    /// `application_name`); empty = the URL's own.
    #[serde(default)]
    pub app_name: String,
    /// MongoDB's `directConnection`; empty = the driver's choice.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_direct_connection: Option<bool>,
    /// Redis Cluster mode in ape-dts; dt copies no Redis, so it is read and ignored.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_cluster: Option<bool>,
    /// Source-side ceiling in rows per second for the whole task; 0 = none.
    #[serde(default)]
    pub max_rps: u64,
    /// Source-side ceiling in MiB per second for the whole task; 0 = none.
    #[serde(default)]
    pub max_mbps: u64,
    /// ape-dts's snapshot concurrency strategy: `table` or `chunk` (see [`crate::tuning`]).
    #[serde(default = "default_extract_parallel_type")]
    pub parallel_type: String,
    /// ape-dts's name of `[parallelizer] parallel_tables`.
    #[serde(default)]
    pub parallel_size: Option<usize>,
    /// ape-dts's chunk split columns, `json:[{"db":..,"tb":..,"partition_col":..}]`.
    #[serde(default)]
    pub partition_cols: String,
    /// A snapshot that copies the schema too: what the rows need before them, the rest
    /// after them (docs/en/structure.md).
    #[serde(default)]
    pub with_structures: bool,
}

/// `[sinker]`
#[derive(Debug, Clone, Deserialize)]
pub struct SinkerConfig {
    /// Kind of target database; must equal the source's.
    pub db_type: DbType,
    /// `write` (rows), or `struct` with `[extractor] extract_type=struct`.
    #[serde(default = "default_sink_type")]
    pub sink_type: String,
    /// Connection URL of the target.
    pub url: String,
    /// Rows per write statement.
    /// 0 (the default) picks the fastest size for the target: 5,000 rows for PostgreSQL's
    /// COPY, 1,000 otherwise.
    #[serde(default)]
    pub batch_size: usize,
    /// PostgreSQL only: write with `session_replication_role = replica`, which turns off
    /// foreign-key checks and ordinary triggers in the target sessions (like pg_dump's
    /// `--disable-triggers`). Needs a superuser, or SET privilege on that parameter. The
    /// connectors check it: other targets refuse it. Empty = false, or what
    /// `disable_foreign_key_checks` says.
    #[serde(default, deserialize_with = "opt_bool")]
    pub disable_triggers: Option<bool>,
    /// User name, merged into `url` (ape-dts style); empty = the URL's own.
    #[serde(default)]
    pub username: String,
    /// Password, merged into `url` (ape-dts style); empty = the URL's own.
    #[serde(default)]
    pub password: String,
    /// true: a row whose key the target already holds is overwritten; false: it is an error
    /// (see [`TaskConfig::conflict_mode`]).
    #[serde(default = "default_replace")]
    pub replace: bool,
    /// MySQL: `foreign_key_checks=0` in the writers' sessions (empty = true); PostgreSQL: the
    /// same as `disable_triggers` (empty = false).
    #[serde(default, deserialize_with = "opt_bool")]
    pub disable_foreign_key_checks: Option<bool>,
    /// MySQL targets: isolation level of the writers' sessions; `default` keeps the server's.
    #[serde(default = "default_transaction_isolation")]
    pub transaction_isolation: String,
    /// What a schema copy does with an object the target holds that differs from the
    /// source's: `interrupt` (the default) or `ignore`.
    #[serde(default)]
    pub conflict_policy: String,
    /// PostgreSQL: build the plain secondary indexes of a target table that starts empty
    /// after its rows instead of keeping them up to date row by row (docs/en/config.md).
    #[serde(default = "default_replace")]
    pub defer_indexes: bool,
    /// MariaDB targets: write rows by bulk execution where the target allows it
    /// (docs/en/config.md).
    #[serde(default = "default_replace")]
    pub mariadb_bulk_execute: bool,
    /// ape-dts's shard-key check of MongoDB filters; read and ignored (docs/en/config.md).
    #[serde(default = "default_replace")]
    pub mongo_require_shard_key_filter: bool,
    /// Most connections open to this server at once; empty = what the parallelism needs.
    #[serde(default, deserialize_with = "opt_u32")]
    pub max_connections: Option<u32>,
    /// TLS: `disable`, `require`, `verify_ca` or `verify_full`; empty = the URL's own.
    #[serde(default)]
    pub ssl_mode: String,
    /// CA certificate file for TLS verification; empty = none.
    #[serde(default)]
    pub ssl_ca_path: String,
    /// Name the server shows for dt's sessions (MongoDB `appName`, PostgreSQL
    /// `application_name`); empty = the URL's own.
    #[serde(default)]
    pub app_name: String,
    /// MongoDB's `directConnection`; empty = the driver's choice.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_direct_connection: Option<bool>,
    /// Redis Cluster mode in ape-dts; dt copies no Redis, so it is read and ignored.
    #[serde(default, deserialize_with = "opt_bool")]
    pub is_cluster: Option<bool>,
    /// Target-side ceiling in rows per second for the whole task; 0 = none.
    #[serde(default)]
    pub max_rps: u64,
    /// Target-side ceiling in MiB per second for the whole task; 0 = none.
    #[serde(default)]
    pub max_mbps: u64,
}

/// What a sinker does with a row whose key the target already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictMode {
    /// Overwrite it (`replace=true`).
    Replace,
    /// Stop with an error naming the table (`replace=false` on a first run).
    Error,
    /// Leave it when it equals the row being written, else stop with an error
    /// (`replace=false` on a resumed run, which re-writes what the interrupted run committed
    /// after its last checkpoint).
    ErrorUnlessEqual,
}

/// `[global]`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GlobalConfig {
    /// Name of the task, written to default.log.
    #[serde(default)]
    pub task_id: String,
}

/// `[filter]`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FilterConfig {
    /// Databases (schemas) to copy.
    #[serde(default)]
    pub do_dbs: String,
    /// Databases never copied.
    #[serde(default)]
    pub ignore_dbs: String,
    /// Tables to copy, `db.tb`.
    #[serde(default)]
    pub do_tbs: String,
    /// Tables never copied, `db.tb`.
    #[serde(default)]
    pub ignore_tbs: String,
    /// Accepted for compatibility; a snapshot copies rows only.
    #[serde(default)]
    pub do_events: String,
    /// Columns not copied, per source table: `json:[{"db":..,"tb":..,"ignore_cols":[..]}]`.
    #[serde(default)]
    pub ignore_cols: String,
    /// Conditions source rows must meet, per source table:
    /// `json:[{"db":..,"tb":..,"condition":".."}]`.
    #[serde(default)]
    pub where_conditions: String,
    /// The kinds of schema objects a schema copy creates (ape-dts's names); empty or `*`
    /// for all.
    #[serde(default)]
    pub do_structures: String,
}

/// `[router]`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RouterConfig {
    /// `src_db:dst_db,..`
    #[serde(default)]
    pub db_map: String,
    /// `src_db.src_tb:dst_db.dst_tb,..`
    #[serde(default)]
    pub tb_map: String,
    /// `db.tb.col:new_col,..`
    #[serde(default)]
    pub col_map: String,
}

/// `[parallelizer]`
#[derive(Debug, Clone, Deserialize)]
pub struct ParallelizerConfig {
    /// Only `snapshot` is supported.
    #[serde(default = "default_parallel_type")]
    pub parallel_type: String,
    /// Concurrent sinker writers.
    #[serde(default = "default_parallel_size")]
    pub parallel_size: usize,
    /// Tables copied at the same time, each with `parallel_size` writers.
    #[serde(default = "default_parallel_tables")]
    pub parallel_tables: usize,
}

/// `[pipeline]`
#[derive(Debug, Clone, Deserialize)]
pub struct PipelineConfig {
    /// Rows in flight between the extractor and the sinkers.
    #[serde(default = "default_buffer_size")]
    pub buffer_size: usize,
    /// Seconds between two position records; fractions such as `0.5` are allowed.
    #[serde(default = "default_checkpoint_interval_secs")]
    pub checkpoint_interval_secs: f64,
    /// Cap in MiB on the rows held in all buffers together; 0 = none.
    #[serde(default)]
    pub buffer_memory_mb: u64,
    /// ape-dts's flush interval of sink batches; dt writes each chunk when it is cut.
    #[serde(default)]
    pub batch_sink_interval_secs: u64,
    /// ape-dts's monitor counter window; dt's rates are per checkpoint.
    #[serde(default)]
    pub counter_time_window_secs: u64,
    /// ape-dts's monitor sub-counter limit; dt keeps no sub-counters.
    #[serde(default = "default_counter_max_sub_count")]
    pub counter_max_sub_count: u64,
    /// Only `basic`.
    #[serde(default = "default_pipeline_type")]
    pub pipeline_type: String,
}

/// `[runtime]`
#[derive(Debug, Clone, Deserialize)]
pub struct RuntimeConfig {
    /// error, warn, info, debug or trace.
    #[serde(default = "default_log_level")]
    pub log_level: String,
    /// Directory of default.log, position.log and finished.log.
    #[serde(default = "default_log_dir")]
    pub log_dir: PathBuf,
    /// ape-dts's legacy name of `[extractor] parallel_size`.
    #[serde(default)]
    pub tb_parallel_size: Option<usize>,
    /// ape-dts's log4rs config; dt's log format is fixed.
    #[serde(default)]
    pub log4rs_file: String,
    /// ape-dts's switch for check results on stdout; dt's inline output is unchanged.
    #[serde(default)]
    pub check_result_stdout_only: bool,
}

/// `[resumer]`
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResumerConfig {
    /// Resume from position.log and finished.log of `resume_log_dir`.
    #[serde(default)]
    pub resume_from_log: bool,
    /// Where to read the logs from; empty means `runtime.log_dir`.
    #[serde(default)]
    pub resume_log_dir: String,
    /// A file of extra positions and finished marks; empty means none.
    #[serde(default)]
    pub resume_config_file: String,
    /// ape-dts's form: `from_log` resumes, `dummy` (or empty) does not.
    #[serde(default)]
    pub resume_type: String,
    /// ape-dts's name of `resume_log_dir`.
    #[serde(default)]
    pub log_dir: String,
    /// ape-dts's name of `resume_config_file`.
    #[serde(default)]
    pub config_file: String,
    /// `from_db`: the server that keeps progress (MySQL or PostgreSQL).
    #[serde(default)]
    pub url: String,
    /// `from_db`: `mysql` or `pg`.
    #[serde(default)]
    pub db_type: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub password: String,
    /// `from_db`/`from_target`: the progress table, `schema.table`.
    #[serde(default)]
    pub table_full_name: String,
    /// `from_db`/`from_target`: connections to the progress server.
    #[serde(default)]
    pub max_connections: Option<u32>,
    /// Filled from `resume_type=from_target`/`from_db`: where progress is kept besides the
    /// log files.
    #[serde(skip)]
    pub store: Option<ProgressDb>,
}

/// A table in a MySQL or PostgreSQL server that keeps a task's progress, in ape-dts's form
/// (docs/en/snapshot/resume.md, "Progress in a database").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressDb {
    pub db_type: DbType,
    /// With credentials, percent-encoded.
    pub url: String,
    pub schema: String,
    pub table: String,
    pub max_connections: u32,
    /// The task's target server (`from_target`), not a third one (`from_db`).
    pub in_target: bool,
    /// Delete the task's rows before the run (`dt-main --init`): a fresh start.
    pub init: bool,
}

fn default_replace() -> bool {
    true
}
fn default_transaction_isolation() -> String {
    "default".into()
}

/// A boolean where an empty value means "not set" (ape-dts writes `key=` for that).
fn opt_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim().to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "true" | "yes" | "on" | "1" => Ok(Some(true)),
        "false" | "no" | "off" | "0" => Ok(Some(false)),
        _ => Err(serde::de::Error::custom("expected true or false")),
    }
}

/// A whole number where an empty value means "not set".
fn opt_u32<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    let text = String::deserialize(d)?;
    match text.trim() {
        "" => Ok(None),
        t => t
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("expected a whole number")),
    }
}

fn default_extract_type() -> String {
    "snapshot".into()
}
fn default_sink_type() -> String {
    "write".into()
}
fn default_parallel_type() -> String {
    "snapshot".into()
}
fn default_extract_parallel_type() -> String {
    "table".into()
}
fn default_pipeline_type() -> String {
    "basic".into()
}
fn default_counter_max_sub_count() -> u64 {
    1000
}
fn default_extract_batch_size() -> usize {
    10_000
}
fn default_parallel_tables() -> usize {
    2
}
fn default_parallel_size() -> usize {
    2
}
fn default_buffer_size() -> usize {
    40_000
}
fn default_checkpoint_interval_secs() -> f64 {
    10.0
}
fn default_log_level() -> String {
    "info".into()
}
fn default_log_dir() -> PathBuf {
    PathBuf::from("./logs")
}

impl Default for ParallelizerConfig {
    fn default() -> Self {
        ParallelizerConfig {
            parallel_type: default_parallel_type(),
            parallel_size: default_parallel_size(),
            parallel_tables: default_parallel_tables(),
        }
    }
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            buffer_size: default_buffer_size(),
            checkpoint_interval_secs: default_checkpoint_interval_secs(),
            buffer_memory_mb: 0,
            batch_sink_interval_secs: 0,
            counter_time_window_secs: 0,
            counter_max_sub_count: default_counter_max_sub_count(),
            pipeline_type: default_pipeline_type(),
        }
    }
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            log_level: default_log_level(),
            log_dir: default_log_dir(),
            tb_parallel_size: None,
            log4rs_file: String::new(),
            check_result_stdout_only: false,
        }
    }
}

/// Sections where an unknown key is an error, not a warning: each of their keys changes
/// what is copied or whether a run resumes.
const STRICT_SECTIONS: &[&str] = &["filter", "router", "resumer"];

const KNOWN_KEYS: &[(&str, &[&str])] = &[
    (
        "extractor",
        &[
            "db_type",
            "extract_type",
            "url",
            "batch_size",
            "username",
            "password",
            "max_connections",
            "ssl_mode",
            "ssl_ca_path",
            "app_name",
            "is_direct_connection",
            "is_cluster",
            "max_rps",
            "max_mbps",
            "parallel_type",
            "parallel_size",
            "partition_cols",
            "with_structures",
        ],
    ),
    (
        "sinker",
        &[
            "db_type",
            "sink_type",
            "url",
            "batch_size",
            "disable_triggers",
            "username",
            "password",
            "max_connections",
            "ssl_mode",
            "ssl_ca_path",
            "app_name",
            "is_direct_connection",
            "is_cluster",
            "replace",
            "disable_foreign_key_checks",
            "transaction_isolation",
            "conflict_policy",
            "mongo_require_shard_key_filter",
            "defer_indexes",
            "mariadb_bulk_execute",
            "max_rps",
            "max_mbps",
        ],
    ),
    (
        "filter",
        &[
            "do_dbs",
            "ignore_dbs",
            "do_tbs",
            "ignore_tbs",
            "do_events",
            "ignore_cols",
            "where_conditions",
            "do_structures",
        ],
    ),
    ("router", &["db_map", "tb_map", "col_map"]),
    (
        "parallelizer",
        &["parallel_type", "parallel_size", "parallel_tables"],
    ),
    (
        "pipeline",
        &[
            "buffer_size",
            "checkpoint_interval_secs",
            "buffer_memory_mb",
            "batch_sink_interval_secs",
            "counter_time_window_secs",
            "counter_max_sub_count",
            "pipeline_type",
        ],
    ),
    (
        "runtime",
        &[
            "log_level",
            "log_dir",
            "tb_parallel_size",
            "log4rs_file",
            "check_result_stdout_only",
        ],
    ),
    (
        "resumer",
        &[
            "resume_from_log",
            "resume_log_dir",
            "resume_config_file",
            "resume_type",
            "log_dir",
            "config_file",
            "url",
            "db_type",
            "username",
            "password",
            "table_full_name",
            "max_connections",
        ],
    ),
    ("global", &["task_id"]),
];

impl TaskConfig {
    /// Reads and validates a task config file.
    pub fn load(path: &Path) -> Result<TaskConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let mut cfg = Self::from_ini_str(&text)?;
        cfg.source_path = path.to_path_buf();
        Ok(cfg)
    }

    /// Parses and validates the text of a task config.
    pub fn from_ini_str(text: &str) -> Result<TaskConfig, ConfigError> {
        let read_err = |e: config::ConfigError| ConfigError::Read {
            path: "task config".into(),
            reason: e.to_string(),
        };
        let raw = Config::builder()
            .add_source(File::from_str(text, LiteralIni))
            .build()
            .map_err(read_err)?;
        let sections: BTreeMap<String, BTreeMap<String, String>> =
            raw.clone().try_deserialize().map_err(read_err)?;
        // Before anything can be reported: no message may show a password.
        for (key, value) in sections.values().flatten() {
            if key.ends_with("url") {
                crate::secret::register_url(value);
            } else if key.contains("password") {
                crate::secret::register(value);
            }
        }
        for (section, key) in [
            ("extractor", "db_type"),
            ("extractor", "url"),
            ("sinker", "db_type"),
            ("sinker", "url"),
        ] {
            let present = sections.get(section).and_then(|s| s.get(key)).is_some();
            if !present {
                return Err(ConfigError::Missing {
                    section: section.into(),
                    key: key.into(),
                });
            }
        }
        let mut cfg: TaskConfig = raw
            .try_deserialize()
            .map_err(|e| typed_error(e, &sections))?;
        cfg.unknown_keys = unknown_keys(&sections);
        crate::compat::apply(&mut cfg)?;
        crate::tuning::apply(&mut cfg, &sections)?;
        let note = crate::conn_opts::apply(&mut cfg)?;
        cfg.notes.extend(note);
        // `[Filter]` is as much a filter a user meant as `[filter]`.
        if let Some(key) = cfg.unknown_keys.iter().find(|k| {
            let section = k.split('.').next().unwrap_or("").to_ascii_lowercase();
            STRICT_SECTIONS.contains(&section.as_str())
        }) {
            return Err(ConfigError::UnknownKey { key: key.clone() });
        }
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks every value that parsing alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let positive = |section: &str, key: &str, v: u64| {
            if v == 0 {
                Err(ConfigError::invalid(
                    section,
                    key,
                    "0",
                    "must be at least 1",
                ))
            } else {
                Ok(())
            }
        };
        positive("extractor", "batch_size", self.extractor.batch_size as u64)?;
        positive(
            "parallelizer",
            "parallel_size",
            self.parallelizer.parallel_size as u64,
        )?;
        positive(
            "parallelizer",
            "parallel_tables",
            self.parallelizer.parallel_tables as u64,
        )?;
        positive("pipeline", "buffer_size", self.pipeline.buffer_size as u64)?;
        let secs = self.pipeline.checkpoint_interval_secs;
        if !(secs.is_finite() && (0.001..=86_400.0).contains(&secs)) {
            return Err(ConfigError::invalid(
                "pipeline",
                "checkpoint_interval_secs",
                &secs.to_string(),
                "must be between 0.001 and 86400 seconds",
            ));
        }
        let one_of = |section: &str, key: &str, v: &str, allowed: &[&str]| {
            if allowed.contains(&v) {
                Ok(())
            } else {
                Err(ConfigError::invalid(
                    section,
                    key,
                    v,
                    format!("expected {}", allowed.join(" or ")),
                ))
            }
        };
        one_of(
            "extractor",
            "extract_type",
            &self.extractor.extract_type,
            &["snapshot", "struct"],
        )?;
        one_of(
            "sinker",
            "sink_type",
            &self.sinker.sink_type,
            &["write", "struct"],
        )?;
        self.check_structures()?;
        one_of(
            "parallelizer",
            "parallel_type",
            &self.parallelizer.parallel_type,
            &["snapshot", "serial"],
        )?;
        let level = self.runtime.log_level.to_ascii_lowercase();
        one_of(
            "runtime",
            "log_level",
            &level,
            &["error", "warn", "info", "debug", "trace"],
        )?;
        if self.sinker.db_type != self.extractor.db_type {
            return Err(ConfigError::invalid(
                "sinker",
                "db_type",
                self.sinker.db_type.as_str(),
                format!("must equal extractor.db_type `{}`", self.extractor.db_type),
            ));
        }
        for (section, key, url) in [
            ("extractor", "url", &self.extractor.url),
            ("sinker", "url", &self.sinker.url),
        ] {
            check_url(section, key, url, self.extractor.db_type)?;
        }
        crate::sinker_opts::check(self)?;
        self.name_filter()?;
        self.router()?;
        self.row_filter()?;
        Ok(())
    }

    /// Rows per write: `sinker.batch_size`, or the target's best size when it is 0.
    pub fn sink_batch_size(&self) -> usize {
        match (self.sinker.batch_size, self.sinker.db_type) {
            (0, DbType::Pg) => 5_000,
            (0, DbType::Mongo) => 10_000,
            (0, _) => 1_000,
            (n, _) => n,
        }
    }

    /// The name filter of `[filter]`.
    pub fn name_filter(&self) -> Result<NameFilter, ConfigError> {
        let q = self.extractor.db_type.quote_char();
        let f = &self.filter;
        let dbs = |key: &str, v: &str| {
            parse_db_list(v, q).map_err(|e| ConfigError::invalid("filter", key, v, e))
        };
        let tbs = |key: &str, v: &str| {
            parse_tb_list(v, q).map_err(|e| ConfigError::invalid("filter", key, v, e))
        };
        Ok(NameFilter {
            do_dbs: dbs("do_dbs", &f.do_dbs)?,
            ignore_dbs: dbs("ignore_dbs", &f.ignore_dbs)?,
            do_tbs: tbs("do_tbs", &f.do_tbs)?,
            ignore_tbs: tbs("ignore_tbs", &f.ignore_tbs)?,
        })
    }

    /// The columns and conditions of `[filter] ignore_cols` and `where_conditions`.
    pub fn row_filter(&self) -> Result<RowFilter, ConfigError> {
        RowFilter::parse(&self.filter.ignore_cols, &self.filter.where_conditions)
    }

    /// The router of `[router]`.
    pub fn router(&self) -> Result<Router, ConfigError> {
        let r = &self.router;
        Router::parse(
            &r.db_map,
            &r.tb_map,
            &r.col_map,
            self.extractor.db_type.quote_char(),
        )
        .map_err(|e| {
            let value = match e.key {
                "db_map" => &r.db_map,
                "tb_map" => &r.tb_map,
                _ => &r.col_map,
            };
            ConfigError::invalid("router", e.key, value, e.reason)
        })
    }

    /// `[global] task_id`, or, when it is not set, one derived from what the task copies
    /// (source and target URLs, kind, filter and router): `dt-` and 16 hex digits, the same
    /// for the same config on every run.
    pub fn task_id(&self) -> String {
        if !self.global.task_id.trim().is_empty() {
            return self.global.task_id.trim().to_string();
        }
        let f = &self.filter;
        let r = &self.router;
        let parts = [
            self.extractor.db_type.as_str(),
            &self.extractor.url,
            &self.sinker.url,
            &f.do_dbs,
            &f.ignore_dbs,
            &f.do_tbs,
            &f.ignore_tbs,
            &f.ignore_cols,
            &f.where_conditions,
            &r.db_map,
            &r.tb_map,
            &r.col_map,
        ];
        // FNV-1a over the parts, each followed by a separator byte.
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for part in parts {
            for b in part.bytes().chain([0xff]) {
                hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("dt-{hash:016x}")
    }

    /// Directory the resumer reads position.log and finished.log from, when enabled.
    pub fn resume_log_dir(&self) -> PathBuf {
        match self.resumer.resume_log_dir.trim() {
            "" => self.runtime.log_dir.clone(),
            dir => PathBuf::from(dir),
        }
    }

    /// The resume config file, when one is named.
    pub fn resume_config_file(&self) -> Option<PathBuf> {
        match self.resumer.resume_config_file.trim() {
            "" => None,
            f => Some(PathBuf::from(f)),
        }
    }
}

fn check_url(section: &str, key: &str, url: &str, db: DbType) -> Result<(), ConfigError> {
    let schemes: &[&str] = match db {
        DbType::Mysql => &["mysql://", "mariadb://"],
        DbType::Pg => &["postgres://", "postgresql://"],
        DbType::Mongo => &["mongodb://", "mongodb+srv://"],
    };
    if schemes.iter().any(|s| url.starts_with(s)) {
        Ok(())
    } else {
        Err(ConfigError::invalid(
            section,
            key,
            url,
            format!("expected a URL starting with {}", schemes.join(" or ")),
        ))
    }
}

/// Turns the config crate's error (which names the key as `section.key`) into ours, with the
/// value as written in the file.
fn typed_error(
    e: config::ConfigError,
    sections: &BTreeMap<String, BTreeMap<String, String>>,
) -> ConfigError {
    let msg = e.to_string();
    let path = msg
        .split("for key `")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .unwrap_or("");
    let (section, key) = path.split_once('.').unwrap_or(("config", path));
    let value = sections
        .get(section)
        .and_then(|s| s.get(key))
        .map(String::as_str)
        .unwrap_or("");
    let reason = msg.split(" for key").next().unwrap_or(&msg);
    ConfigError::invalid(section, key, value, reason)
}

fn unknown_keys(sections: &BTreeMap<String, BTreeMap<String, String>>) -> Vec<String> {
    let mut out = Vec::new();
    for (section, keys) in sections {
        let known = KNOWN_KEYS
            .iter()
            .find(|(s, _)| s == section)
            .map(|(_, k)| *k);
        for key in keys.keys() {
            if !known.is_some_and(|k| k.contains(&key.as_str())) {
                out.push(format!("{section}.{key}"));
            }
        }
    }
    out
}

/// INI where values are taken literally: no quote stripping (`"test_db_*.*".*` is a PG
/// filter, not a quoted string) and no backslash escapes.
#[derive(Debug, Clone, Copy)]
struct LiteralIni;

impl Format for LiteralIni {
    fn parse(
        &self,
        uri: Option<&String>,
        text: &str,
    ) -> Result<Map<String, Value>, Box<dyn StdError + Send + Sync>> {
        let opt = ini::ParseOption {
            enabled_quote: false,
            enabled_escape: false,
            ..Default::default()
        };
        let parsed = ini::Ini::load_from_str_opt(text, opt)?;
        let mut map = Map::new();
        for (sec, props) in parsed.iter() {
            let Some(sec) = sec else {
                if let Some((k, _)) = props.iter().next() {
                    return Err(format!("key `{k}` must be inside a [section]").into());
                }
                continue;
            };
            let mut table = Map::new();
            for (k, v) in props.iter() {
                table.insert(
                    k.to_owned(),
                    Value::new(uri, ValueKind::String(v.to_owned())),
                );
            }
            map.insert(sec.to_owned(), Value::new(uri, ValueKind::Table(table)));
        }
        Ok(map)
    }
}

impl FileStoredFormat for LiteralIni {
    fn file_extensions(&self) -> &'static [&'static str] {
        &["ini"]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = "[extractor]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3307\n[sinker]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3308\n";

    fn with(extra: &str) -> Result<TaskConfig, ConfigError> {
        TaskConfig::from_ini_str(&format!("{MINIMAL}{extra}"))
    }

    #[test]
    fn minimal_config_takes_defaults() {
        let c = with("").unwrap();
        assert_eq!(c.extractor.db_type, DbType::Mysql);
        assert_eq!(c.extractor.batch_size, default_extract_batch_size());
        assert_eq!(c.pipeline.checkpoint_interval_secs, 10.0);
        assert_eq!(c.runtime.log_dir, PathBuf::from("./logs"));
        assert!(!c.resumer.resume_from_log);
        assert_eq!(c.resume_log_dir(), PathBuf::from("./logs"));
        assert_eq!(c.resume_config_file(), None);
        assert!(c.unknown_keys.is_empty());
    }

    #[test]
    fn full_config_is_read() {
        let c = with(
            "[filter]\ndo_tbs=`test_db_*.*`.*\n[pipeline]\nbuffer_size=7\ncheckpoint_interval_secs=0.5\n\
             [parallelizer]\nparallel_size=3\n[runtime]\nlog_dir=/tmp/x\nlog_level=debug\n\
             [resumer]\nresume_from_log=true\nresume_log_dir=\nresume_config_file=./resume.config\n",
        );
        let c = c.unwrap();
        assert_eq!(c.filter.do_tbs, "`test_db_*.*`.*");
        assert_eq!(c.pipeline.buffer_size, 7);
        assert_eq!(c.pipeline.checkpoint_interval_secs, 0.5);
        assert_eq!(c.parallelizer.parallel_size, 3);
        assert!(c.resumer.resume_from_log);
        assert_eq!(c.resume_log_dir(), PathBuf::from("/tmp/x"));
        assert_eq!(
            c.resume_config_file(),
            Some(PathBuf::from("./resume.config"))
        );
    }

    #[test]
    fn pg_filter_quotes_survive_ini_parsing() {
        let text = MINIMAL
            .replace(
                "mysql://root@127.0.0.1:3307",
                "postgres://postgres@127.0.0.1:5433/postgres",
            )
            .replace(
                "mysql://root@127.0.0.1:3308",
                "postgres://postgres@127.0.0.1:5434/postgres",
            )
            .replace("mysql", "pg");
        let c = TaskConfig::from_ini_str(&format!("{text}[filter]\ndo_tbs=\"test_db_*.*\".*\n"))
            .unwrap();
        let f = c.name_filter().unwrap();
        assert!(f.matches(&crate::TableId::new("test_db_*.*", "t")));
        assert!(!f.matches(&crate::TableId::new("test_db_1.x", "t")));
    }

    #[test]
    fn invalid_values_name_section_key_and_value() {
        let cases = [
            (
                "[pipeline]\nbuffer_size=abc\n",
                "pipeline.buffer_size",
                "abc",
            ),
            (
                "[pipeline]\ncheckpoint_interval_secs=0\n",
                "pipeline.checkpoint_interval_secs",
                "0",
            ),
            (
                "[parallelizer]\nparallel_size=-2\n",
                "parallelizer.parallel_size",
                "-2",
            ),
            (
                "[resumer]\nresume_from_log=maybe\n",
                "resumer.resume_from_log",
                "maybe",
            ),
            ("[runtime]\nlog_level=loud\n", "runtime.log_level", "loud"),
            (
                "[filter]\ndo_tbs=`unclosed.x\n",
                "filter.do_tbs",
                "`unclosed.x",
            ),
        ];
        for (extra, key, value) in cases {
            let err = with(extra).unwrap_err().to_string();
            assert!(err.contains(key), "{err} should name {key}");
            assert!(err.contains(value), "{err} should show {value}");
        }
    }

    #[test]
    fn bad_db_type_and_missing_keys_are_errors() {
        let err = TaskConfig::from_ini_str(&MINIMAL.replacen("db_type=mysql", "db_type=oracle", 1))
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("extractor.db_type") && msg.contains("oracle"),
            "{msg}"
        );
        let err = TaskConfig::from_ini_str("[extractor]\ndb_type=mysql\n").unwrap_err();
        assert!(err.to_string().contains("extractor.url"), "{err}");
        let err = with("").map(|_| ()).and(
            TaskConfig::from_ini_str(
                &MINIMAL.replace("sinker]\ndb_type=mysql", "sinker]\ndb_type=pg"),
            )
            .map(|_| ()),
        );
        assert!(err.unwrap_err().to_string().contains("sinker.db_type"));
        let err =
            TaskConfig::from_ini_str(&MINIMAL.replace("mysql://root@127.0.0.1:3307", "http://x"))
                .unwrap_err();
        assert!(err.to_string().contains("extractor.url"), "{err}");
    }

    #[test]
    fn unknown_keys_that_change_the_copy_are_errors() {
        for (extra, key) in [
            ("[filter]\nignore_col=x\n", "filter.ignore_col"),
            ("[router]\ntopic_map=x\n", "router.topic_map"),
            (
                "[resumer]\nresume_position=x.y\n",
                "resumer.resume_position",
            ),
            ("[RESUMER]\nurl=x\n", "RESUMER.url"),
            ("[FILTER]\ndo_dbs=x\n", "FILTER.do_dbs"),
        ] {
            match with(extra) {
                Err(ConfigError::UnknownKey { key: k }) => assert_eq!(k, key),
                other => panic!("{extra}: {other:?}"),
            }
        }
    }

    #[test]
    fn ignore_cols_and_where_conditions_are_read_literally() {
        let c = with(
            "[filter]\nignore_cols=json:[{\"db\":\"d\",\"tb\":\"t\",\"ignore_cols\":[\"c\"]}]\n\
             where_conditions=json:[{\"db\":\"d\",\"tb\":\"t\",\"condition\":\"`a` = 'x;y' OR b = \\\"z\\\"\"}]\n",
        )
        .unwrap();
        let rows = c.row_filter().unwrap();
        let t = crate::TableId::new("d", "t");
        assert_eq!(rows.ignored(&t), ["c"]);
        assert_eq!(rows.condition(&t), Some("`a` = 'x;y' OR b = \"z\""));
        let err = with("[filter]\nwhere_conditions=json:[{\"db\":\"d\"}]\n").unwrap_err();
        assert!(
            matches!(&err, ConfigError::Invalid { key, .. } if key == "where_conditions"),
            "{err}"
        );
    }

    #[test]
    fn database_resumer_keys_are_a_warning_without_values() {
        let c = with(
            "[resumer]\nresume_type=from_log\nurl=mysql://u:pw1@h\npassword=pw2\n\
             table_full_name=a.b\nmax_connections=3\n",
        )
        .unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert_eq!(c.warnings.len(), 1, "{:?}", c.warnings);
        let w = &c.warnings[0];
        assert!(
            w.contains("resumer.url")
                && w.contains("resumer.password")
                && w.contains("resumer.table_full_name")
                && w.contains("resume_type=from_db"),
            "{w}"
        );
        assert!(!w.contains("pw1") && !w.contains("pw2"), "{w}");
        let err = with("[resumer]\nresume_type=from_db\nurl=mysql://h\n").unwrap_err();
        assert!(err.to_string().contains("resumer.db_type"), "{err}");
        let c = with(
            "[resumer]\nresume_type=from_db\nurl=postgres://h/d\ndb_type=pg\nusername=u\n\
             password=p@ss\ntable_full_name=m.pos\n",
        )
        .unwrap();
        let store = c.resumer.store.unwrap();
        assert_eq!(store.url, "postgres://u:p%40ss@h/d");
        assert_eq!((store.schema.as_str(), store.table.as_str()), ("m", "pos"));
        assert!(!store.in_target);
        let c = with("[resumer]\nresume_type=from_target\n").unwrap();
        let store = c.resumer.store.unwrap();
        assert!(store.in_target);
        assert_eq!(store.table, "apedts_task_position");
    }

    #[test]
    fn router_errors_name_their_key() {
        for (extra, key) in [
            ("[router]\ndb_map=json:[]\n", "router.db_map"),
            ("[router]\ntb_map=json:[]\n", "router.tb_map"),
            ("[router]\ncol_map=json:[{\"db\":1}]\n", "router.col_map"),
            ("[router]\ncol_map=a.b.c:x,a.b.c:y\n", "router.col_map"),
        ] {
            let err = with(extra).unwrap_err().to_string();
            assert!(err.contains(key), "{extra}: {err}");
        }
    }

    #[test]
    fn unknown_keys_are_reported() {
        let c = with("[pipeline]\nqueue_kind=x\n[runtime]\nlog_color=on\n").unwrap();
        assert_eq!(
            c.unknown_keys,
            vec!["pipeline.queue_kind", "runtime.log_color"]
        );
    }
}
