//! Name filter of `[filter]`: which databases and tables a task copies. Lists are
//! comma-separated; `*` and `?` are wildcards; a name quoted with the source's quote char
//! (`` ` `` for MySQL, `"` for PG) matches literally, a doubled quote char inside it standing
//! for the char itself.

use crate::meta::TableId;

/// One part of a pattern: literal when it was quoted, a wildcard pattern otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamePattern {
    text: String,
    literal: bool,
}

impl NamePattern {
    /// The one name this pattern matches, when it has no wildcard (or was quoted).
    pub fn exact(&self) -> Option<&str> {
        (self.literal || !self.text.contains(['*', '?'])).then_some(self.text.as_str())
    }

    pub fn matches(&self, name: &str) -> bool {
        if self.literal {
            self.text == name
        } else {
            wildcard_match(&self.text, name)
        }
    }
}

/// Splits `text` on `sep` outside quotes and unquotes each part. Errors on an unclosed quote.
pub fn split_quoted(
    text: &str,
    sep: char,
    quote: Option<char>,
) -> Result<Vec<(String, bool)>, String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_quote = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if Some(c) == quote {
            if in_quote && chars.peek() == Some(&c) {
                cur.push(c);
                chars.next();
            } else {
                in_quote = !in_quote;
                quoted = true;
            }
        } else if c == sep && !in_quote {
            parts.push((std::mem::take(&mut cur), quoted));
            quoted = false;
        } else {
            cur.push(c);
        }
    }
    if in_quote {
        return Err(format!("unclosed quote in `{text}`"));
    }
    parts.push((cur, quoted));
    Ok(parts)
}

fn pattern(part: (String, bool)) -> NamePattern {
    let (text, literal) = part;
    if literal {
        NamePattern { text, literal }
    } else {
        NamePattern {
            text: text.trim().to_string(),
            literal,
        }
    }
}

/// Parses a comma-separated list of database patterns.
pub fn parse_db_list(text: &str, quote: Option<char>) -> Result<Vec<NamePattern>, String> {
    let mut out = Vec::new();
    for item in split_items(text, quote)? {
        let parts = split_quoted(&item, '\u{0}', quote)?;
        out.push(pattern(parts.into_iter().next().unwrap_or_default()));
    }
    Ok(out)
}

/// Parses a comma-separated list of `db.tb` patterns.
pub fn parse_tb_list(
    text: &str,
    quote: Option<char>,
) -> Result<Vec<(NamePattern, NamePattern)>, String> {
    let mut out = Vec::new();
    for item in split_items(text, quote)? {
        out.push(split_db_tb(&item, quote)?);
    }
    Ok(out)
}

/// Splits `db.tb` into two patterns. Without a quote char (Mongo) the split is at the first
/// dot, since collection names may hold dots and database names may not.
pub fn split_db_tb(item: &str, quote: Option<char>) -> Result<(NamePattern, NamePattern), String> {
    let parts = match quote {
        Some(_) => split_quoted(item, '.', quote)?,
        None => match item.split_once('.') {
            Some((d, t)) => vec![(d.to_string(), false), (t.to_string(), false)],
            None => vec![(item.to_string(), false)],
        },
    };
    match <[_; 2]>::try_from(parts) {
        Ok([db, tb]) => Ok((pattern(db), pattern(tb))),
        Err(_) => Err(format!(
            "`{item}` is not of the form db.table (quote names that hold dots)"
        )),
    }
}

/// Splits a list on commas outside quotes, keeping the quotes, dropping empty items.
fn split_items(text: &str, quote: Option<char>) -> Result<Vec<String>, String> {
    Ok(split_outside_quotes(text, ',', quote)?
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect())
}

/// Splits `text` on `sep` where it is outside quotes; the parts keep their quotes.
pub fn split_outside_quotes(
    text: &str,
    sep: char,
    quote: Option<char>,
) -> Result<Vec<String>, String> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut in_quote = false;
    for c in text.chars() {
        if Some(c) == quote {
            in_quote = !in_quote;
            cur.push(c);
        } else if c == sep && !in_quote {
            parts.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    if in_quote {
        return Err(format!("unclosed quote in `{text}`"));
    }
    parts.push(cur);
    Ok(parts)
}

/// `*` matches any run of characters, `?` any one character.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        // A `*` in the pattern is always a wildcard, even where the name holds a `*` too.
        if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// The filter of one task.
#[derive(Debug, Clone, Default)]
pub struct NameFilter {
    pub do_dbs: Vec<NamePattern>,
    pub ignore_dbs: Vec<NamePattern>,
    pub do_tbs: Vec<(NamePattern, NamePattern)>,
    pub ignore_tbs: Vec<(NamePattern, NamePattern)>,
}

impl NameFilter {
    /// Whether any table of database `db` may be selected.
    pub fn db_may_match(&self, db: &str) -> bool {
        if self.ignore_dbs.iter().any(|p| p.matches(db)) {
            return false;
        }
        self.select_all()
            || self.do_dbs.iter().any(|p| p.matches(db))
            || self.do_tbs.iter().any(|(d, _)| d.matches(db))
    }

    /// Whether table `id` is selected: listed by do_dbs or do_tbs (or both lists empty),
    /// and not by ignore_dbs or ignore_tbs.
    pub fn matches(&self, id: &TableId) -> bool {
        if self.ignore_dbs.iter().any(|p| p.matches(&id.schema))
            || self
                .ignore_tbs
                .iter()
                .any(|(d, t)| d.matches(&id.schema) && t.matches(&id.tb))
        {
            return false;
        }
        self.select_all()
            || self.do_dbs.iter().any(|p| p.matches(&id.schema))
            || self
                .do_tbs
                .iter()
                .any(|(d, t)| d.matches(&id.schema) && t.matches(&id.tb))
    }

    /// Tables that `do_tbs` names without a wildcard, for telling the user which of them
    /// the source does not hold.
    pub fn exact_tables(&self) -> Vec<TableId> {
        self.do_tbs
            .iter()
            .filter_map(|(d, t)| Some(TableId::new(d.exact()?, t.exact()?)))
            .collect()
    }

    fn select_all(&self) -> bool {
        self.do_dbs.is_empty() && self.do_tbs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(
        do_dbs: &str,
        ignore_dbs: &str,
        do_tbs: &str,
        ignore_tbs: &str,
        q: Option<char>,
    ) -> NameFilter {
        NameFilter {
            do_dbs: parse_db_list(do_dbs, q).unwrap(),
            ignore_dbs: parse_db_list(ignore_dbs, q).unwrap(),
            do_tbs: parse_tb_list(do_tbs, q).unwrap(),
            ignore_tbs: parse_tb_list(ignore_tbs, q).unwrap(),
        }
    }

    fn t(s: &str, tb: &str) -> TableId {
        TableId::new(s, tb)
    }

    #[test]
    fn wildcards() {
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("test_*", "test_db"));
        assert!(wildcard_match("t?st", "test"));
        assert!(!wildcard_match("t?st", "tst"));
        assert!(wildcard_match("*_db_*", "test_db_1"));
        assert!(!wildcard_match("a*b", "acbd"));
        // Wildcards match the characters they stand for, also when those are `*` or `?`.
        assert!(wildcard_match("resume_table_*", "resume_table_*$4"));
        assert!(wildcard_match("x*", "x*y"));
        assert!(wildcard_match("x?", "x?"));
        assert!(wildcard_match("*", "`\"'.$*?"));
    }

    /// The matcher agrees with a regex built from the pattern, over random names and
    /// patterns drawn from an alphabet of wildcard and quoting characters.
    #[test]
    fn wildcards_agree_with_a_regex() {
        const ALPHABET: &[char] = &['a', 'b', '*', '?', '$', '.', '`', '"', '\'', '_', 'é'];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        for _ in 0..20_000 {
            let mut word = |max: usize| -> String {
                let len = next(max + 1);
                (0..len).map(|_| ALPHABET[next(ALPHABET.len())]).collect()
            };
            let (pattern, name) = (word(6), word(8));
            let reference: String = pattern
                .chars()
                .map(|c| match c {
                    '*' => ".*".to_string(),
                    '?' => ".".to_string(),
                    c => regex::escape(&c.to_string()),
                })
                .collect();
            let re = regex::Regex::new(&format!("^(?s:{reference})$")).unwrap();
            assert_eq!(
                wildcard_match(&pattern, &name),
                re.is_match(&name),
                "pattern `{pattern}`, name `{name}`"
            );
        }
    }

    #[test]
    fn mysql_backticks_make_names_literal() {
        let f = filter("", "", "`test_db_@`.*", "", Some('`'));
        assert!(f.matches(&t("test_db_@", "finished_table_*$1")));
        assert!(!f.matches(&t("test_db_1", "a")));
        let f = filter("", "", "`test_db_*`.`a*`", "", Some('`'));
        assert!(f.matches(&t("test_db_*", "a*")));
        assert!(!f.matches(&t("test_db_x", "a*")));
        assert!(!f.matches(&t("test_db_*", "ab")));
    }

    #[test]
    fn pg_double_quotes_make_names_literal() {
        let f = filter("", "", r#""test_db_*.*".*"#, "", Some('"'));
        assert!(f.matches(&t("test_db_*.*", "any")));
        assert!(!f.matches(&t("test_db_1.x", "any")));
        let f = filter("", "", r#""a""b".t"#, "", Some('"'));
        assert!(f.matches(&t("a\"b", "t")));
    }

    #[test]
    fn quoted_commas_and_dots_stay_in_names() {
        let f = filter("", "", "`a,b`.`c.d`, x.y", "", Some('`'));
        assert!(f.matches(&t("a,b", "c.d")));
        assert!(f.matches(&t("x", "y")));
        assert_eq!(f.do_tbs.len(), 2);
    }

    #[test]
    fn ignore_beats_do() {
        let f = filter("db1,db2", "db2", "", "db1.secret*", Some('`'));
        assert!(f.matches(&t("db1", "a")));
        assert!(!f.matches(&t("db1", "secret_1")));
        assert!(!f.matches(&t("db2", "a")));
        assert!(!f.matches(&t("db3", "a")));
        assert!(f.db_may_match("db1"));
        assert!(!f.db_may_match("db2"));
    }

    #[test]
    fn empty_filter_selects_everything() {
        let f = filter("", "", "", "", Some('`'));
        assert!(f.matches(&t("any", "thing")));
        let f = filter("", "tmp_*", "", "", Some('`'));
        assert!(!f.matches(&t("tmp_1", "thing")));
        assert!(f.matches(&t("prod", "thing")));
    }

    #[test]
    fn mongo_splits_at_first_dot() {
        let f = filter("", "", "app.logs.2024*", "", None);
        assert!(f.matches(&t("app", "logs.2024_01")));
        assert!(!f.matches(&t("app", "users")));
    }

    #[test]
    fn malformed_lists_are_errors() {
        assert!(parse_tb_list("`unclosed.x", Some('`')).is_err());
        assert!(parse_tb_list("no_dot", Some('`')).is_err());
        assert!(parse_tb_list("a.b.c", Some('`')).is_err());
    }
}
