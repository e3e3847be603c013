//! Router of `[router]`: renames databases, tables and columns on the way to the target.
//! `db_map=src:dst,..`, `tb_map=src_db.src_tb:dst_db.dst_tb,..`,
//! `col_map=db.tb.col:new_col,..`; names may be quoted like in filters. `col_map` is also
//! read in ape-dts's JSON form, `json:[{"db":..,"tb":..,"col_map":{"col":"new_col"}}]`.
//! A column is renamed at most once, and no two columns of a table get the same new name.

use std::collections::HashMap;

use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::filter::{split_outside_quotes, split_quoted};
use crate::meta::TableId;

/// Renames applied by sinkers.
#[derive(Debug, Clone, Default)]
pub struct Router {
    dbs: HashMap<String, String>,
    tbs: HashMap<TableId, TableId>,
    cols: HashMap<(TableId, String), String>,
}

/// A `[router]` key that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterError {
    /// `db_map`, `tb_map` or `col_map`.
    pub key: &'static str,
    pub reason: String,
}

const JSON_PREFIX: &str = "json:";

impl Router {
    /// Parses the three maps; `quote` is the source's identifier quote char.
    pub fn parse(
        db_map: &str,
        tb_map: &str,
        col_map: &str,
        quote: Option<char>,
    ) -> Result<Self, RouterError> {
        let err = |key: &'static str| move |reason: String| RouterError { key, reason };
        let mut r = Router::default();
        no_json("db_map", db_map, "src_db:dst_db,…").map_err(err("db_map"))?;
        no_json("tb_map", tb_map, "src_db.src_tb:dst_db.dst_tb,…").map_err(err("tb_map"))?;
        for (src, dst) in pairs(db_map, quote).map_err(err("db_map"))? {
            let s = names(&src, 1, quote).map_err(err("db_map"))?.remove(0);
            let d = names(&dst, 1, quote).map_err(err("db_map"))?.remove(0);
            r.dbs.insert(s, d);
        }
        for (src, dst) in pairs(tb_map, quote).map_err(err("tb_map"))? {
            let s = names(&src, 2, quote).map_err(err("tb_map"))?;
            let d = names(&dst, 2, quote).map_err(err("tb_map"))?;
            r.tbs
                .insert(TableId::new(&s[0], &s[1]), TableId::new(&d[0], &d[1]));
        }
        for (id, col, new) in col_entries(col_map, quote).map_err(err("col_map"))? {
            r.add_col(id, col, new).map_err(err("col_map"))?;
        }
        Ok(r)
    }

    /// Records that column `col` of source table `id` is called `new` in the target.
    fn add_col(&mut self, id: TableId, col: String, new: String) -> Result<(), String> {
        if self.cols.contains_key(&(id.clone(), col.clone())) {
            return Err(format!("column `{col}` of {id} is mapped twice"));
        }
        if let Some(((_, other), _)) = self.cols.iter().find(|((t, _), n)| *t == id && **n == new) {
            return Err(format!(
                "columns `{other}` and `{col}` of {id} are both mapped to `{new}`"
            ));
        }
        self.cols.insert((id, col), new);
        Ok(())
    }

    /// The target table of source table `id`.
    pub fn route_table(&self, id: &TableId) -> TableId {
        if let Some(t) = self.tbs.get(id) {
            return t.clone();
        }
        match self.dbs.get(&id.schema) {
            Some(db) => TableId::new(db, &id.tb),
            None => id.clone(),
        }
    }

    /// The target name of column `col` of source table `id`.
    pub fn route_col<'a>(&'a self, id: &TableId, col: &'a str) -> &'a str {
        self.cols
            .get(&(id.clone(), col.to_string()))
            .map(String::as_str)
            .unwrap_or(col)
    }
}

/// `db_map` and `tb_map` have only the `a:b` form, in ape-dts as in dt.
fn no_json(key: &str, text: &str, form: &str) -> Result<(), String> {
    if text.trim_start().starts_with(JSON_PREFIX) {
        return Err(format!(
            "{key} has no JSON form (only col_map has one); write {key}={form}"
        ));
    }
    Ok(())
}

/// The column renames of `col_map` as (source table, source column, target column), in
/// either form: `json:[…]` (or a bare JSON array, as ape-dts reads it) or `db.tb.col:new,…`.
fn col_entries(text: &str, quote: Option<char>) -> Result<Vec<(TableId, String, String)>, String> {
    let trimmed = text.trim();
    let json = match trimmed.strip_prefix(JSON_PREFIX) {
        Some(rest) => Some(rest),
        None if trimmed.starts_with('[') => Some(trimmed),
        None => None,
    };
    if let Some(json) = json {
        let tables: Vec<JsonColMap> =
            serde_json::from_str(json).map_err(|e| format!("invalid JSON: {e}"))?;
        let mut out = Vec::new();
        for t in tables {
            for (col, new) in t.col_map.0 {
                if col.is_empty() || new.is_empty() {
                    return Err(format!(
                        "an empty column name in the entry of {}.{}",
                        t.db, t.tb
                    ));
                }
                out.push((TableId::new(&t.db, &t.tb), col, new));
            }
        }
        return Ok(out);
    }
    let mut out = Vec::new();
    for (src, dst) in pairs(text, quote)? {
        let s = names(&src, 3, quote)?;
        let d = names(&dst, 1, quote)?;
        out.push((TableId::new(&s[0], &s[1]), s[2].clone(), d[0].clone()));
    }
    Ok(out)
}

/// One table of ape-dts's JSON `col_map`; names are taken as written, without quotes.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonColMap {
    db: String,
    tb: String,
    col_map: ColPairs,
}

/// A JSON object of column renames, kept in order and with repeated keys, so that a column
/// named twice is reported instead of the last one silently winning.
struct ColPairs(Vec<(String, String)>);

impl<'de> Deserialize<'de> for ColPairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = ColPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of \"source column\": \"target column\"")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ColPairs, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, String>()? {
                    out.push(pair);
                }
                Ok(ColPairs(out))
            }
        }
        d.deserialize_map(PairsVisitor)
    }
}

fn pairs(text: &str, quote: Option<char>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for item in split_outside_quotes(text, ',', quote)? {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let parts = split_outside_quotes(item, ':', quote)?;
        match &parts[..] {
            [s, d] => out.push((s.trim().to_string(), d.trim().to_string())),
            _ => return Err(format!("`{item}` is not of the form source:target")),
        }
    }
    Ok(out)
}

fn names(text: &str, n: usize, quote: Option<char>) -> Result<Vec<String>, String> {
    let parts: Vec<String> = match quote {
        Some(_) => split_quoted(text, '.', quote)?
            .into_iter()
            .map(|(s, q)| if q { s } else { s.trim().to_string() })
            .collect(),
        None => text.splitn(n, '.').map(|s| s.trim().to_string()).collect(),
    };
    if parts.len() != n || parts.iter().any(String::is_empty) {
        return Err(format!("`{text}` must have {n} dot-separated name(s)"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_dbs_tables_and_columns() {
        let r = Router::parse(
            "src:dst, `a:b`:c",
            "src.t1:other.t9",
            "src.t2.`p.k`:pk",
            Some('`'),
        )
        .unwrap();
        assert_eq!(
            r.route_table(&TableId::new("src", "t1")),
            TableId::new("other", "t9")
        );
        assert_eq!(
            r.route_table(&TableId::new("src", "t2")),
            TableId::new("dst", "t2")
        );
        assert_eq!(
            r.route_table(&TableId::new("a:b", "x")),
            TableId::new("c", "x")
        );
        assert_eq!(
            r.route_table(&TableId::new("zzz", "x")),
            TableId::new("zzz", "x")
        );
        assert_eq!(r.route_col(&TableId::new("src", "t2"), "p.k"), "pk");
        assert_eq!(r.route_col(&TableId::new("src", "t2"), "other"), "other");
    }

    #[test]
    fn rejects_malformed_maps() {
        let key =
            |db: &str, tb: &str, col: &str| Router::parse(db, tb, col, Some('`')).unwrap_err().key;
        assert_eq!(key("nocolon", "", ""), "db_map");
        assert_eq!(key("", "a:b.c", ""), "tb_map");
        assert_eq!(key("", "", "a.b:c"), "col_map");
    }

    const APE_COL_MAP: &str = r#"json:[{"db":"db_1","tb":"tb_1","col_map":{"f_0":"dst_f_0","f_1":"dst_f_1"}},{"db":"db.x","tb":"`t`","col_map":{"p.k":"pk"}}]"#;

    #[test]
    fn reads_the_json_col_map_of_ape_dts() {
        for quote in [Some('`'), Some('"'), None] {
            let r = Router::parse("db_1:dst_db", "", APE_COL_MAP, quote).unwrap();
            let t = TableId::new("db_1", "tb_1");
            assert_eq!(r.route_col(&t, "f_0"), "dst_f_0");
            assert_eq!(r.route_col(&t, "f_1"), "dst_f_1");
            assert_eq!(r.route_col(&t, "f_2"), "f_2");
            // JSON names are taken as written: no quotes, dots are ordinary characters.
            assert_eq!(r.route_col(&TableId::new("db.x", "`t`"), "p.k"), "pk");
            assert_eq!(r.route_table(&t), TableId::new("dst_db", "tb_1"));
        }
        // ape-dts also reads the array without its prefix.
        let bare = APE_COL_MAP.trim_start_matches(JSON_PREFIX);
        let r = Router::parse("", "", &format!("  {bare}"), Some('`')).unwrap();
        assert_eq!(r.route_col(&TableId::new("db_1", "tb_1"), "f_1"), "dst_f_1");
        // The same as the dotted form.
        let dotted = Router::parse(
            "",
            "",
            "db_1.tb_1.f_0:dst_f_0,db_1.tb_1.f_1:dst_f_1",
            Some('`'),
        )
        .unwrap();
        assert_eq!(
            dotted.cols,
            Router::parse(
                "",
                "",
                r#"json:[{"db":"db_1","tb":"tb_1","col_map":{"f_0":"dst_f_0","f_1":"dst_f_1"}}]"#,
                Some('`')
            )
            .unwrap()
            .cols
        );
        assert!(Router::parse("", "", "json:[]", Some('`'))
            .unwrap()
            .cols
            .is_empty());
    }

    #[test]
    fn rejects_bad_json_col_maps() {
        for (bad, needle) in [
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":"x","a":"y"}}]"#,
                "mapped twice",
            ),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":"x"}},{"db":"d","tb":"t","col_map":{"a":"y"}}]"#,
                "mapped twice",
            ),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":"x","b":"x"}}]"#,
                "both mapped",
            ),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":"x"},"schema":"s"}]"#,
                "unknown field `schema`",
            ),
            (
                r#"json:[{"db":"d","col_map":{"a":"x"}}]"#,
                "missing field `tb`",
            ),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":1}}]"#,
                "invalid JSON",
            ),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"":"x"}}]"#,
                "empty column name",
            ),
            (r#"json:{"db":"d"}"#, "invalid JSON"),
            (
                r#"json:[{"db":"d","tb":"t","col_map":{"a":"x"}}"#,
                "invalid JSON",
            ),
            ("d.t.a:x,d.t.a:y", "mapped twice"),
        ] {
            let e = Router::parse("", "", bad, Some('`')).unwrap_err();
            assert_eq!(e.key, "col_map", "{bad}");
            assert!(e.reason.contains(needle), "{bad}: {}", e.reason);
        }
    }

    #[test]
    fn db_and_tb_maps_have_no_json_form() {
        let e = Router::parse(r#"json:[{"db":"a"}]"#, "", "", Some('`')).unwrap_err();
        assert_eq!(e.key, "db_map");
        assert!(e.reason.contains("no JSON form"), "{}", e.reason);
        let e = Router::parse("", " json:[]", "", Some('"')).unwrap_err();
        assert_eq!(e.key, "tb_map");
    }
}
