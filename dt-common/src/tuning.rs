//! ape-dts's concurrency, pipeline and extra-section keys, folded into dt's own settings
//! before validation (docs/en/config.md). `[extractor] parallel_size` (or its legacy name
//! `[runtime] tb_parallel_size`) is dt's `[parallelizer] parallel_tables`; `[parallelizer]
//! parallel_type=serial` is one writer per table. Two forms of one setting that disagree
//! stop the task, and a section whose settings would change what is copied, and that dt
//! does not implement, is refused rather than ignored.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::TaskConfig;
use crate::error::ConfigError;
use crate::meta::DbType;

/// The raw `section → key → value` text of a task file.
pub type Sections = BTreeMap<String, BTreeMap<String, String>>;

/// ape-dts sections that change what is copied, and what to do instead.
const REFUSED_SECTIONS: &[(&str, &str)] = &[
    (
        "processor",
        "dt does not run Lua processors on rows; transform the data before or after the copy",
    ),
    (
        "data_marker",
        "dt writes no data markers; a snapshot copy needs none",
    ),
    (
        "checker",
        "dt does not check inline while copying; run `dt-main --verify task_config.ini` after \
         the copy",
    ),
    (
        "checker_output",
        "dt does not check inline while copying; `dt-main --verify task_config.ini` prints \
         its result on stdout",
    ),
    (
        "metacenter",
        "dt keeps no metadata center; it reads table definitions from the source",
    ),
];

/// ape-dts sections that only describe monitoring; accepted with a warning.
const INFORMATIONAL_SECTIONS: &[(&str, &str)] = &[
    (
        "metrics",
        "dt serves no metrics endpoint; progress is in default.log",
    ),
    (
        "tracing",
        "dt writes no trace summaries; progress is in default.log",
    ),
];

/// ape-dts parallelizers for other kinds of tasks.
const OTHER_PARALLELIZERS: &[&str] = &["rdb_merge", "rdb_partition", "mongo", "redis", "table"];

/// One entry of `[extractor] partition_cols`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionCol {
    pub db: String,
    pub tb: String,
    pub partition_col: String,
}

/// Folds the ape-dts keys of `cfg` (read from `sections`) into dt's, and collects the notes
/// on how they were taken in `cfg.warnings`.
pub fn apply(cfg: &mut TaskConfig, sections: &Sections) -> Result<(), ConfigError> {
    extra_sections(cfg, sections)?;
    tables_at_once(cfg, sections)?;
    writers(cfg, sections)?;
    if cfg.pipeline.pipeline_type != "basic" {
        return Err(ConfigError::invalid(
            "pipeline",
            "pipeline_type",
            &cfg.pipeline.pipeline_type,
            "expected basic, the only pipeline dt has",
        ));
    }
    cfg.partition_cols()?;
    Ok(())
}

/// Refuses the sections of [`REFUSED_SECTIONS`] when any of their keys has a value, and
/// turns those of [`INFORMATIONAL_SECTIONS`] into one warning each.
fn extra_sections(cfg: &mut TaskConfig, sections: &Sections) -> Result<(), ConfigError> {
    for (section, keys) in sections {
        let set = keys.values().any(|v| !v.trim().is_empty());
        if let Some((_, instead)) = REFUSED_SECTIONS.iter().find(|(s, _)| s == section) {
            if set {
                return Err(ConfigError::UnsupportedSection {
                    section: section.clone(),
                    instead: instead.to_string(),
                });
            }
            cfg.warnings
                .push(format!("section [{section}] has no values and is ignored"));
        } else if let Some((_, why)) = INFORMATIONAL_SECTIONS.iter().find(|(s, _)| s == section) {
            cfg.warnings.push(format!(
                "section [{section}] is accepted and ignored: {why}"
            ));
        } else {
            continue;
        }
        let prefix = format!("{section}.");
        cfg.unknown_keys.retain(|k| !k.starts_with(&prefix));
    }
    Ok(())
}

fn is_set(sections: &Sections, section: &str, key: &str) -> bool {
    sections.get(section).is_some_and(|s| s.contains_key(key))
}

/// `[extractor] parallel_type/parallel_size` and `[runtime] tb_parallel_size` → dt's
/// `[parallelizer] parallel_tables`.
fn tables_at_once(cfg: &mut TaskConfig, sections: &Sections) -> Result<(), ConfigError> {
    let kind = cfg.extractor.parallel_type.as_str();
    if !matches!(kind, "table" | "chunk") {
        return Err(ConfigError::invalid(
            "extractor",
            "parallel_type",
            kind,
            "expected table or chunk",
        ));
    }
    let ape = match (cfg.extractor.parallel_size, cfg.runtime.tb_parallel_size) {
        (Some(n), Some(legacy)) if n != legacy => {
            cfg.warnings.push(format!(
                "runtime.tb_parallel_size={legacy} is ignored: extractor.parallel_size={n} \
                 takes precedence, as in ape-dts"
            ));
            Some(("extractor", "parallel_size", n))
        }
        (Some(n), _) => Some(("extractor", "parallel_size", n)),
        (None, Some(n)) => Some(("runtime", "tb_parallel_size", n)),
        (None, None) => None,
    };
    if let Some((section, key, n)) = ape {
        if n == 0 {
            return Err(ConfigError::invalid(
                section,
                key,
                "0",
                "must be at least 1",
            ));
        }
        let own = cfg.parallelizer.parallel_tables;
        if is_set(sections, "parallelizer", "parallel_tables") && own != n {
            return Err(ConfigError::invalid(
                "parallelizer",
                "parallel_tables",
                &own.to_string(),
                format!(
                    "differs from {section}.{key}={n}, which names the same setting (tables \
                     copied at once); keep one"
                ),
            ));
        }
        cfg.parallelizer.parallel_tables = n;
    }
    Ok(())
}

/// `[parallelizer] parallel_type`: `snapshot` keeps `parallel_size` writers per table,
/// `serial` is one; ape-dts's parallelizers for other kinds of tasks are refused.
fn writers(cfg: &mut TaskConfig, sections: &Sections) -> Result<(), ConfigError> {
    let p = &mut cfg.parallelizer;
    match p.parallel_type.as_str() {
        "serial" => {
            if is_set(sections, "parallelizer", "parallel_size") && p.parallel_size != 1 {
                cfg.warnings.push(format!(
                    "parallelizer.parallel_size={} is ignored: parallel_type=serial writes \
                     with one writer per table",
                    p.parallel_size
                ));
            }
            p.parallel_size = 1;
        }
        t if OTHER_PARALLELIZERS.contains(&t) => {
            return Err(ConfigError::invalid(
                "parallelizer",
                "parallel_type",
                t,
                "that is ape-dts's parallelizer for CDC, check or Redis tasks; a snapshot \
                 writes with snapshot (parallel_size writers per table) or serial (one writer)",
            ))
        }
        _ => {}
    }
    // A MongoDB target takes two streams of inserts best: unless set, two collections at
    // once (parallel_tables) with one writer each (docs/benchmark.md, MongoDB).
    if cfg.sinker.db_type == DbType::Mongo && !is_set(sections, "parallelizer", "parallel_size") {
        cfg.parallelizer.parallel_size = 1;
    }
    Ok(())
}

impl TaskConfig {
    /// The entries of `[extractor] partition_cols`, checked for form. Whether each names a
    /// column of its table is checked once the source's tables are read.
    pub fn partition_cols(&self) -> Result<Vec<PartitionCol>, ConfigError> {
        let text = self.extractor.partition_cols.trim();
        if text.is_empty() {
            return Ok(Vec::new());
        }
        let bad =
            |reason: String| ConfigError::invalid("extractor", "partition_cols", text, reason);
        if self.extractor.db_type == DbType::Mongo {
            return Err(bad(
                "chunk split columns apply to MySQL and PostgreSQL sources only".into(),
            ));
        }
        let json = text.strip_prefix("json:").ok_or_else(|| {
            bad("expected json:[{\"db\":..,\"tb\":..,\"partition_col\":..}]".into())
        })?;
        let cols: Vec<PartitionCol> =
            serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
        for c in &cols {
            if [&c.db, &c.tb, &c.partition_col]
                .iter()
                .any(|v| v.is_empty())
            {
                return Err(bad("db, tb and partition_col must not be empty".into()));
            }
        }
        Ok(cols)
    }
}

#[cfg(test)]
mod tests {
    use crate::config::TaskConfig;
    use crate::error::ConfigError;

    const MINIMAL: &str = "[extractor]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3307\n[sinker]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3308\n";

    /// The minimal task with `extra` sections after it; an `[extractor]` part of `extra`
    /// (up to the next section) is merged into the minimal `[extractor]`.
    fn with(extra: &str) -> Result<TaskConfig, ConfigError> {
        let (own, rest) = match extra.strip_prefix("[extractor]\n") {
            Some(tail) => match tail.find("\n[") {
                Some(i) => (&tail[..=i], &tail[i + 1..]),
                None => (tail, ""),
            },
            None => ("", extra),
        };
        let url = "url=mysql://root@127.0.0.1:3307\n";
        let text = MINIMAL.replacen(url, &format!("{url}{own}"), 1);
        TaskConfig::from_ini_str(&format!("{text}{rest}"))
    }

    fn err(extra: &str) -> String {
        match with(extra) {
            Ok(_) => panic!("{extra}: accepted"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn a_mongodb_target_has_one_writer_per_collection_unless_set() {
        let mongo = |extra: &str| {
            let text = "[extractor]\ndb_type=mongo\nurl=mongodb://127.0.0.1:27017\n\
                        [sinker]\ndb_type=mongo\nurl=mongodb://127.0.0.1:27018\n";
            TaskConfig::from_ini_str(&format!("{text}{extra}")).unwrap()
        };
        let c = mongo("");
        assert_eq!(
            (c.parallelizer.parallel_tables, c.parallelizer.parallel_size),
            (2, 1)
        );
        assert_eq!(c.sink_batch_size(), 10_000);
        let c = mongo("[parallelizer]\nparallel_size=3\n");
        assert_eq!(c.parallelizer.parallel_size, 3);
        assert_eq!(with("").unwrap().sink_batch_size(), 1_000);
    }

    #[test]
    fn ape_parallel_keys_map_onto_dt_knobs() {
        let c = with(
            "[extractor]\nparallel_type=table\nparallel_size=3\n\
             [parallelizer]\nparallel_type=snapshot\nparallel_size=2\n",
        );
        let c = c.unwrap();
        assert_eq!(
            (c.parallelizer.parallel_tables, c.parallelizer.parallel_size),
            (3, 2)
        );
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let c = with("[runtime]\ntb_parallel_size=5\n").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 5);
        // extractor.parallel_size wins over the legacy key, with a note.
        let c = with("[extractor]\nparallel_size=4\n[runtime]\ntb_parallel_size=6\n").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 4);
        assert!(c.warnings[0].contains("runtime.tb_parallel_size=6 is ignored"));
        // Both forms agreeing is fine; dt's own key alone keeps its meaning.
        let c = with("[extractor]\nparallel_size=4\n[parallelizer]\nparallel_tables=4\n").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 4);
        let c = with("[parallelizer]\nparallel_tables=7\n").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 7);
        let c = with("").unwrap();
        assert_eq!(
            (c.parallelizer.parallel_tables, c.parallelizer.parallel_size),
            (2, 2)
        );
    }

    #[test]
    fn disagreeing_forms_of_tables_at_once_are_errors() {
        let e = err("[extractor]\nparallel_size=3\n[parallelizer]\nparallel_tables=2\n");
        assert!(
            e.contains("parallelizer.parallel_tables") && e.contains("extractor.parallel_size=3"),
            "{e}"
        );
        let e = err("[parallelizer]\nparallel_tables=2\n[runtime]\ntb_parallel_size=8\n");
        assert!(
            e.contains("parallelizer.parallel_tables") && e.contains("runtime.tb_parallel_size=8"),
            "{e}"
        );
        let e = err("[extractor]\nparallel_size=0\n");
        assert!(e.contains("extractor.parallel_size"), "{e}");
        let e = err("[extractor]\nparallel_size=many\n");
        assert!(
            e.contains("extractor.parallel_size") && e.contains("many"),
            "{e}"
        );
    }

    #[test]
    fn chunk_mode_sets_the_readers_without_a_warning() {
        let c = with("[extractor]\nparallel_type=chunk\nparallel_size=4\n").unwrap();
        assert_eq!(c.parallelizer.parallel_tables, 4);
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        let e = err("[extractor]\nparallel_type=rows\n");
        assert!(
            e.contains("extractor.parallel_type") && e.contains("rows"),
            "{e}"
        );
    }

    #[test]
    fn serial_is_one_writer_and_other_parallelizers_are_refused() {
        let c = with("[parallelizer]\nparallel_type=serial\n").unwrap();
        assert_eq!(c.parallelizer.parallel_size, 1);
        assert!(c.warnings.is_empty());
        let c = with("[parallelizer]\nparallel_type=serial\nparallel_size=8\n").unwrap();
        assert_eq!(c.parallelizer.parallel_size, 1);
        assert!(c.warnings[0].contains("parallelizer.parallel_size=8 is ignored"));
        for t in [
            "rdb_merge",
            "rdb_partition",
            "mongo",
            "redis",
            "table",
            "fast",
        ] {
            let e = err(&format!("[parallelizer]\nparallel_type={t}\n"));
            assert!(
                e.contains("parallelizer.parallel_type") && e.contains(t),
                "{e}"
            );
        }
    }

    #[test]
    fn rate_limits_are_read_and_typed() {
        let c = with("[extractor]\nmax_rps=5000\nmax_mbps=3\n").unwrap();
        assert_eq!((c.extractor.max_rps, c.extractor.max_mbps), (5000, 3));
        assert_eq!((c.sinker.max_rps, c.sinker.max_mbps), (0, 0));
        let c = with("max_rps=70\nmax_mbps=2\n").unwrap();
        assert_eq!((c.sinker.max_rps, c.sinker.max_mbps), (70, 2));
        for (extra, key) in [
            ("max_rps=-1\n", "sinker.max_rps"),
            ("max_mbps=fast\n", "sinker.max_mbps"),
            ("[extractor]\nmax_rps=1.5\n", "extractor.max_rps"),
        ] {
            let e = err(extra);
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn pipeline_and_runtime_keys_are_accepted_and_typed() {
        let c = with(
            "[pipeline]\nbuffer_memory_mb=200\nbatch_sink_interval_secs=1\n\
             counter_time_window_secs=10\ncounter_max_sub_count=500\npipeline_type=basic\n\
             [runtime]\nlog4rs_file=./log4rs.yaml\ncheck_result_stdout_only=true\n",
        )
        .unwrap();
        assert_eq!(c.pipeline.buffer_memory_mb, 200);
        assert!(c.runtime.check_result_stdout_only);
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        for (extra, key) in [
            ("[pipeline]\npipeline_type=fast\n", "pipeline.pipeline_type"),
            (
                "[pipeline]\nbuffer_memory_mb=lots\n",
                "pipeline.buffer_memory_mb",
            ),
            (
                "[pipeline]\nbatch_sink_interval_secs=-1\n",
                "pipeline.batch_sink_interval_secs",
            ),
            (
                "[pipeline]\ncounter_max_sub_count=x\n",
                "pipeline.counter_max_sub_count",
            ),
            (
                "[runtime]\ncheck_result_stdout_only=maybe\n",
                "runtime.check_result_stdout_only",
            ),
        ] {
            let e = err(extra);
            assert!(e.contains(key), "{e}");
        }
    }

    #[test]
    fn sections_that_change_the_copy_are_refused() {
        for (extra, section, instead) in [
            ("[processor]\nlua_code_file=./x.lua\n", "[processor]", "Lua"),
            ("[checker]\nbatch_size=200\n", "[checker]", "--verify"),
            (
                "[checker_output]\noutput_type=logs\n",
                "[checker_output]",
                "--verify",
            ),
            ("[data_marker]\ntopo_name=t\n", "[data_marker]", "marker"),
            ("[metacenter]\ntype=dbengine\n", "[metacenter]", "metadata"),
        ] {
            match with(extra) {
                Err(e @ ConfigError::UnsupportedSection { .. }) => {
                    let e = e.to_string();
                    assert!(e.contains(section) && e.contains(instead), "{e}");
                }
                other => panic!("{extra}: {other:?}"),
            }
        }
        let c = with("[processor]\nlua_code_file=\n").unwrap();
        assert!(c.warnings[0].contains("[processor]"), "{:?}", c.warnings);
    }

    #[test]
    fn monitoring_sections_warn_once() {
        let c =
            with("[metrics]\nhttp_port=9090\nworkers=2\n[tracing]\noutput_format=json\n").unwrap();
        assert!(c.unknown_keys.is_empty(), "{:?}", c.unknown_keys);
        assert_eq!(c.warnings.len(), 2, "{:?}", c.warnings);
        assert!(c.warnings[0].contains("[metrics]") && c.warnings[1].contains("[tracing]"));
    }

    #[test]
    fn partition_cols_are_checked_for_form() {
        let entry = r#"json:[{"db":"d","tb":"t","partition_col":"id"}]"#;
        let c = with(&format!("[extractor]\npartition_cols={entry}\n")).unwrap();
        let cols = c.partition_cols().unwrap();
        assert_eq!(
            (
                cols[0].db.as_str(),
                cols[0].tb.as_str(),
                cols[0].partition_col.as_str()
            ),
            ("d", "t", "id")
        );
        for bad in [
            r#"[{"db":"d","tb":"t","partition_col":"id"}]"#,
            r#"json:[{"db":"d","tb":"t"}]"#,
            r#"json:[{"db":"d","tb":"t","partition_col":""}]"#,
            r#"json:[{"db":"d","tb":"t","partition_col":"id","x":1}]"#,
            "json:{not json",
        ] {
            let e = err(&format!("[extractor]\npartition_cols={bad}\n"));
            assert!(e.contains("extractor.partition_cols"), "{bad}: {e}");
        }
        let mongo = MINIMAL
            .replace("mysql://root@127.0.0.1:3307", "mongodb://h")
            .replace("mysql://root@127.0.0.1:3308", "mongodb://g")
            .replace("db_type=mysql", "db_type=mongo");
        let text = mongo.replacen(
            "mongodb://h\n",
            &format!("mongodb://h\npartition_cols={entry}\n"),
            1,
        );
        let e = TaskConfig::from_ini_str(&text).unwrap_err().to_string();
        assert!(e.contains("MySQL and PostgreSQL"), "{e}");
    }
}
