//! `[filter] ignore_cols` and `[filter] where_conditions` (docs/en/config.md): columns left
//! out of a table's copy, and a condition its source rows must meet. Both are JSON lists of
//! entries naming one source table exactly (no wildcards, no quoting), written as ape-dts
//! writes them: `json:[{"db":"d","tb":"t","ignore_cols":["c"]}]`,
//! `json:[{"db":"d","tb":"t","condition":"c > 1"}]`. One entry per table; a table named twice
//! in the same key is an error, so no entry is silently overridden.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::error::ConfigError;
use crate::meta::TableId;

/// What `[filter]` says about the columns and rows of single tables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowFilter {
    ignore_cols: BTreeMap<TableId, Vec<String>>,
    conditions: BTreeMap<TableId, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreColsEntry {
    db: String,
    tb: String,
    ignore_cols: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConditionEntry {
    db: String,
    tb: String,
    condition: String,
}

/// ape-dts's marker in front of a JSON value; accepted with or without it, as ape-dts does.
const JSON_PREFIX: &str = "json:";

impl RowFilter {
    /// Parses the two keys' values; errors name the key and say what is wrong.
    pub fn parse(ignore_cols: &str, where_conditions: &str) -> Result<RowFilter, ConfigError> {
        let bad =
            |key: &str, value: &str, why: String| ConfigError::invalid("filter", key, value, why);
        let mut out = RowFilter::default();
        for e in entries::<IgnoreColsEntry>(ignore_cols)
            .map_err(|w| bad("ignore_cols", ignore_cols, w))?
        {
            let id = table(&e.db, &e.tb).map_err(|w| bad("ignore_cols", ignore_cols, w))?;
            if e.ignore_cols.is_empty() || e.ignore_cols.iter().any(|c| c.is_empty()) {
                let why = format!("the entry of {id} must list at least one column, none empty");
                return Err(bad("ignore_cols", ignore_cols, why));
            }
            if out.ignore_cols.insert(id.clone(), e.ignore_cols).is_some() {
                return Err(bad(
                    "ignore_cols",
                    ignore_cols,
                    format!("{id} is named twice"),
                ));
            }
        }
        for e in entries::<ConditionEntry>(where_conditions)
            .map_err(|w| bad("where_conditions", where_conditions, w))?
        {
            let id =
                table(&e.db, &e.tb).map_err(|w| bad("where_conditions", where_conditions, w))?;
            if e.condition.trim().is_empty() {
                let why = format!("the condition of {id} is empty");
                return Err(bad("where_conditions", where_conditions, why));
            }
            if out.conditions.insert(id.clone(), e.condition).is_some() {
                let why = format!("{id} is named twice");
                return Err(bad("where_conditions", where_conditions, why));
            }
        }
        Ok(out)
    }

    /// The columns (MongoDB: top-level fields) of source table `id` that are not copied.
    pub fn ignored(&self, id: &TableId) -> &[String] {
        self.ignore_cols.get(id).map_or(&[], Vec::as_slice)
    }

    /// The condition the rows of source table `id` must meet to be copied.
    pub fn condition(&self, id: &TableId) -> Option<&str> {
        self.conditions.get(id).map(String::as_str)
    }

    /// Every table with ignored columns, and its columns.
    pub fn all_ignored(&self) -> impl Iterator<Item = (&TableId, &[String])> {
        self.ignore_cols.iter().map(|(id, c)| (id, c.as_slice()))
    }

    /// Every table with a condition, and its condition.
    pub fn all_conditions(&self) -> impl Iterator<Item = (&TableId, &str)> {
        self.conditions.iter().map(|(id, c)| (id, c.as_str()))
    }

    /// The first table an entry names that is not among `selected`, with the key naming it:
    /// a misspelt name would otherwise copy a table whole.
    pub fn unselected(&self, selected: &[TableId]) -> Option<(&'static str, &TableId)> {
        let named = self.ignore_cols.keys().map(|id| ("ignore_cols", id));
        let named = named.chain(self.conditions.keys().map(|id| ("where_conditions", id)));
        named.into_iter().find(|(_, id)| !selected.contains(id))
    }
}

/// The entries of a JSON list, `json:` in front or not; empty text is no entry.
fn entries<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    let text = text.trim();
    let json = text.strip_prefix(JSON_PREFIX).unwrap_or(text).trim();
    if json.is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(json).map_err(|e| format!("not a JSON list of entries: {e}"))
}

fn table(db: &str, tb: &str) -> Result<TableId, String> {
    if db.is_empty() || tb.is_empty() {
        return Err("every entry needs a non-empty \"db\" and \"tb\"".into());
    }
    Ok(TableId::new(db, tb))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(ignore: &str, cond: &str) -> String {
        RowFilter::parse(ignore, cond).unwrap_err().to_string()
    }

    #[test]
    fn reads_ape_dts_json_lists() {
        let f = RowFilter::parse(
            r#"json:[{"db":"db_1","tb":"tb_1","ignore_cols":["f_2","f_3"]},{"db":"db_2","tb":"tb_2","ignore_cols":["f_3"]}]"#,
            r#"json:[{"db":"db_1","tb":"tb_1","condition":"f_0 > 1"},{"db":"db_2","tb":"tb.2","condition":"f_0 > 1 AND f_1 < 9"}]"#,
        )
        .unwrap();
        let t = TableId::new;
        assert_eq!(f.ignored(&t("db_1", "tb_1")), ["f_2", "f_3"]);
        assert_eq!(f.ignored(&t("db_2", "tb_2")), ["f_3"]);
        assert!(f.ignored(&t("db_1", "tb_2")).is_empty());
        assert_eq!(f.condition(&t("db_1", "tb_1")), Some("f_0 > 1"));
        assert_eq!(f.condition(&t("db_2", "tb.2")), Some("f_0 > 1 AND f_1 < 9"));
        assert_eq!(f.condition(&t("db_2", "tb_2")), None);
        let selected = [t("db_1", "tb_1"), t("db_2", "tb_2")];
        assert_eq!(
            f.unselected(&selected),
            Some(("where_conditions", &t("db_2", "tb.2")))
        );
    }

    #[test]
    fn empty_values_and_the_missing_prefix_are_accepted() {
        assert_eq!(RowFilter::parse("", " ").unwrap(), RowFilter::default());
        assert_eq!(
            RowFilter::parse("json:", "json:[]").unwrap(),
            RowFilter::default()
        );
        let f = RowFilter::parse(r#"[{"db":"a","tb":"b","ignore_cols":["c"]}]"#, "").unwrap();
        assert_eq!(f.ignored(&TableId::new("a", "b")), ["c"]);
    }

    #[test]
    fn malformed_values_name_the_key() {
        let cases = [
            (err("json:[{", ""), "filter.ignore_cols", "not a JSON list"),
            (
                err("", "json:{}"),
                "filter.where_conditions",
                "not a JSON list",
            ),
            (
                err(r#"json:[{"tb":"t","ignore_cols":["c"]}]"#, ""),
                "filter.ignore_cols",
                "missing field `db`",
            ),
            (
                err("", r#"json:[{"db":"d","condition":"x"}]"#),
                "filter.where_conditions",
                "missing field `tb`",
            ),
            (
                err("", r#"json:[{"db":"","tb":"t","condition":"x"}]"#),
                "filter.where_conditions",
                "non-empty",
            ),
            (
                err(r#"json:[{"db":"d","tb":"t","ignore_col":["c"]}]"#, ""),
                "filter.ignore_cols",
                "unknown field `ignore_col`",
            ),
            (
                err(r#"json:[{"db":"d","tb":"t","ignore_cols":[]}]"#, ""),
                "filter.ignore_cols",
                "at least one column",
            ),
            (
                err("", r#"json:[{"db":"d","tb":"t","condition":" "}]"#),
                "filter.where_conditions",
                "is empty",
            ),
            (
                err(
                    "",
                    r#"json:[{"db":"d","tb":"t","condition":"a"},{"db":"d","tb":"t","condition":"b"}]"#,
                ),
                "filter.where_conditions",
                "named twice",
            ),
            (
                err(r#"json:[{"db":"d","tb":"t","ignore_cols":"c"}]"#, ""),
                "filter.ignore_cols",
                "expected a sequence",
            ),
        ];
        for (msg, key, why) in cases {
            assert!(
                msg.contains(key) && msg.contains(why),
                "{msg}: want {key}, {why}"
            );
        }
    }
}
