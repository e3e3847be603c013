//! Router of `[router]`: renames databases, tables and columns on the way to the target.
//! `db_map=src:dst,..`, `tb_map=src_db.src_tb:dst_db.dst_tb,..`,
//! `col_map=db.tb.col:new_col,..`; names may be quoted like in filters.

use std::collections::HashMap;

use crate::filter::{split_outside_quotes, split_quoted};
use crate::meta::TableId;

/// Renames applied by sinkers.
#[derive(Debug, Clone, Default)]
pub struct Router {
    dbs: HashMap<String, String>,
    tbs: HashMap<TableId, TableId>,
    cols: HashMap<(TableId, String), String>,
}

impl Router {
    /// Parses the three maps; `quote` is the source's identifier quote char.
    pub fn parse(
        db_map: &str,
        tb_map: &str,
        col_map: &str,
        quote: Option<char>,
    ) -> Result<Self, String> {
        let mut r = Router::default();
        for (src, dst) in pairs(db_map, quote)? {
            let s = names(&src, 1, quote)?.remove(0);
            let d = names(&dst, 1, quote)?.remove(0);
            r.dbs.insert(s, d);
        }
        for (src, dst) in pairs(tb_map, quote)? {
            let s = names(&src, 2, quote)?;
            let d = names(&dst, 2, quote)?;
            r.tbs
                .insert(TableId::new(&s[0], &s[1]), TableId::new(&d[0], &d[1]));
        }
        for (src, dst) in pairs(col_map, quote)? {
            let s = names(&src, 3, quote)?;
            let d = names(&dst, 1, quote)?;
            r.cols
                .insert((TableId::new(&s[0], &s[1]), s[2].clone()), d[0].clone());
        }
        Ok(r)
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
        assert!(Router::parse("nocolon", "", "", Some('`')).is_err());
        assert!(Router::parse("", "a:b.c", "", Some('`')).is_err());
        assert!(Router::parse("", "", "a.b:c", Some('"')).is_err());
    }
}
