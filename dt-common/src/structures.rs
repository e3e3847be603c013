//! The schema copy's settings (docs/en/structure.md): ape-dts's struct task
//! (`extract_type=struct`, `sink_type=struct`), dt's snapshot with the schema around its rows
//! (`[extractor] with_structures=true`), and `[filter] do_structures`.

use std::collections::BTreeSet;

use crate::config::TaskConfig;
use crate::ConfigError;

/// The names `[filter] do_structures` takes: ape-dts's, and dt's for the object kinds
/// PostgreSQL adds (`udt`, `udf`, `view`, `trigger`, `other`).
pub const STRUCTURES: &[&str] = &[
    "database",
    "schema",
    "table",
    "constraint",
    "sequence",
    "comment",
    "index",
    "udt",
    "udf",
    "view",
    "trigger",
    "other",
];

impl TaskConfig {
    /// A struct task: the schema alone, no rows.
    pub fn schema_only(&self) -> bool {
        self.extractor.extract_type == "struct"
    }

    /// Whether the task copies schema objects (alone, or around the rows).
    pub fn copies_schema(&self) -> bool {
        self.schema_only() || self.extractor.with_structures
    }

    /// The `[filter] do_structures` names to copy; `None` for every object. `schema` is
    /// PostgreSQL's word for ape-dts's `database`.
    pub fn structures(&self) -> Option<BTreeSet<String>> {
        let list = self.filter.do_structures.trim();
        if list.is_empty() || list == "*" {
            return None;
        }
        let names = list.split(',').map(|n| match n.trim() {
            "schema" => "database".to_string(),
            n => n.to_string(),
        });
        Some(names.collect())
    }

    /// Refuses a schema copy dt cannot do as asked.
    pub(crate) fn check_structures(&self) -> Result<(), ConfigError> {
        let (extract, sink) = (&self.extractor.extract_type, &self.sinker.sink_type);
        if (extract == "struct") != (sink == "struct") {
            return Err(ConfigError::invalid(
                "sinker",
                "sink_type",
                sink,
                format!(
                    "extract_type={extract} needs sink_type={}",
                    if extract == "struct" {
                        "struct"
                    } else {
                        "write"
                    }
                ),
            ));
        }
        if let Some(names) = self.structures() {
            if let Some(bad) = names.iter().find(|n| !STRUCTURES.contains(&n.as_str())) {
                return Err(ConfigError::invalid(
                    "filter",
                    "do_structures",
                    bad,
                    format!("expected names among {}", STRUCTURES.join(", ")),
                ));
            }
        }
        if !self.copies_schema() {
            return Ok(());
        }
        let r = &self.router;
        for (key, value) in [
            ("db_map", &r.db_map),
            ("tb_map", &r.tb_map),
            ("col_map", &r.col_map),
        ] {
            if !value.trim().is_empty() {
                return Err(ConfigError::invalid(
                    "router",
                    key,
                    value,
                    "a schema copy recreates the source's objects under their own names; rename them after the copy, or create the target's schema beforehand",
                ));
            }
        }
        Ok(())
    }
}
