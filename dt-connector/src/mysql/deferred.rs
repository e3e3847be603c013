//! Secondary keys of a target table added after its rows (docs/en/snapshot/resume.md,
//! "Indexes after the rows"). Before the first row goes into an empty InnoDB target table,
//! one `ALTER TABLE` drops its plain secondary keys and writes their definitions, with the
//! table's own comment, into the table's comment. Once the rows are in, one `ALTER TABLE`
//! adds the keys back, built by sorting, and restores the comment. Each `ALTER TABLE` is a
//! single atomic DDL statement (MariaDB 10.6 and later, MySQL 8.0 and later; older servers
//! keep their keys), and the definitions live in the target's own catalog, so any later
//! run, resumed or not and with or without its log directory, finds and adds them.

use std::collections::HashSet;

use anyhow::{Context, Result};
use dt_common::TableId;
use sqlx::mysql::MySqlPool;
use sqlx::Row as _;
use tracing::debug;

use super::catalog::table_name;
use super::quote;
use super::schema::quoted_len;
use super::sinker::error_number;
use crate::ConnectorError;

/// How the comment of a table with keys set aside starts; JSON with the keys follows.
const MARK: &str = "dt: keys added after the rows are copied: ";

/// The longest table comment the server keeps.
const MAX_COMMENT_CHARS: usize = 2048;

/// What the comment keeps while the keys are set aside.
#[derive(Debug, PartialEq)]
struct Saved {
    /// The table's own comment.
    comment: String,
    /// Each key's line of `SHOW CREATE TABLE`, in its order there.
    keys: Vec<String>,
}

impl Saved {
    fn to_comment(&self) -> String {
        let json = serde_json::json!({"comment": self.comment, "keys": self.keys});
        format!("{MARK}{json}")
    }

    fn from_comment(comment: &str) -> Option<Saved> {
        let v: serde_json::Value = serde_json::from_str(comment.strip_prefix(MARK)?).ok()?;
        let keys = v.get("keys")?.as_array()?;
        Some(Saved {
            comment: v.get("comment")?.as_str()?.to_string(),
            keys: keys
                .iter()
                .map(|k| k.as_str().map(str::to_string))
                .collect::<Option<_>>()?,
        })
    }
}

/// `s` as a string literal for a session without NO_BACKSLASH_ESCAPES (the writers').
fn literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\0' => out.push_str("\\0"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The name of the key of a `KEY `name` (…)` line.
fn key_name(line: &str) -> Option<String> {
    let quoted = line.strip_prefix("KEY ").filter(|q| q.starts_with('`'))?;
    let len = quoted_len(quoted);
    let name = quoted[..len].strip_suffix('`').filter(|_| len > 1)?;
    Some(name[1..].replace("``", "`"))
}

/// The plain secondary keys of `create` (a `SHOW CREATE TABLE`), when the table may have
/// them set aside: an InnoDB table with no full-text or spatial key and no foreign key, so
/// that no other key takes their place in the order `SHOW CREATE TABLE` prints and no
/// constraint needs them. Empty otherwise.
fn plain_keys(create: &str) -> Vec<String> {
    let (Some(start), Some(end)) = (create.find("(\n"), create.rfind("\n)")) else {
        return Vec::new();
    };
    if !create[end..].contains("ENGINE=InnoDB") || create[end..].contains("PARTITION") {
        return Vec::new();
    }
    let mut keys = Vec::new();
    for line in create[start + 2..end].lines() {
        let line = line.trim().trim_end_matches(',');
        if line.starts_with("KEY `") {
            keys.push(line.to_string());
        } else if line.starts_with("FULLTEXT")
            || line.starts_with("SPATIAL")
            || line.starts_with("VECTOR")
            || (line.starts_with("CONSTRAINT") && line.contains("FOREIGN KEY"))
        {
            return Vec::new();
        }
    }
    keys
}

/// Whether the server makes one `ALTER TABLE` atomic across a crash.
async fn atomic_ddl(pool: &MySqlPool) -> sqlx::Result<bool> {
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(pool)
        .await?;
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Ok(match version.contains("MariaDB") {
        true => (major, minor) >= (10, 6),
        false => major >= 8,
    })
}

/// The comment of target table `id`, if it exists.
async fn table_comment(pool: &MySqlPool, id: &TableId) -> sqlx::Result<Option<String>> {
    sqlx::query_scalar(
        "SELECT CAST(TABLE_COMMENT AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    )
    .bind(&id.schema)
    .bind(&id.tb)
    .fetch_optional(pool)
    .await
}

/// Sets aside the plain secondary keys of target table `id` when it holds no row; returns
/// their names.
pub(super) async fn defer(pool: &MySqlPool, id: &TableId) -> Result<Vec<String>> {
    let err = |e| ConnectorError::write(id, e);
    if !atomic_ddl(pool).await.map_err(err)? {
        return Ok(Vec::new());
    }
    let row = sqlx::query(&format!("SHOW CREATE TABLE {}", table_name(id)))
        .fetch_one(pool)
        .await
        .map_err(err)?;
    let keys = plain_keys(&row.try_get::<String, _>(1).map_err(err)?);
    let names: Vec<String> = keys.iter().filter_map(|k| key_name(k)).collect();
    if keys.is_empty() || names.len() != keys.len() {
        return Ok(Vec::new());
    }
    // A foreign key of another table may rest on one of them.
    let referenced: Option<i32> = sqlx::query_scalar(
        "SELECT 1 FROM information_schema.KEY_COLUMN_USAGE \
         WHERE REFERENCED_TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME = ? LIMIT 1",
    )
    .bind(&id.schema)
    .bind(&id.tb)
    .fetch_optional(pool)
    .await
    .map_err(err)?;
    let filled = sqlx::query(&format!("SELECT 1 FROM {} LIMIT 1", table_name(id)))
        .fetch_optional(pool)
        .await
        .map_err(err)?;
    let Some(comment) = table_comment(pool, id).await.map_err(err)? else {
        return Ok(Vec::new());
    };
    if referenced.is_some() || filled.is_some() || comment.starts_with(MARK) {
        return Ok(Vec::new());
    }
    let saved = Saved { comment, keys }.to_comment();
    if saved.chars().count() > MAX_COMMENT_CHARS {
        debug!("{id}: its keys do not fit the table comment; they stay during the rows");
        return Ok(Vec::new());
    }
    let drops: Vec<String> = names
        .iter()
        .map(|n| format!("DROP KEY {}", quote(n)))
        .collect();
    let sql = format!(
        "ALTER TABLE {} {}, COMMENT = {}",
        table_name(id),
        drops.join(", "),
        literal(&saved)
    );
    match sqlx::query(&sql).execute(pool).await {
        Ok(_) => Ok(names),
        // The same ALTER TABLE of a run killed a moment ago, which the server finished
        // after the client was gone, dropped them first.
        Err(e) if error_number(&e) == Some(ER_CANT_DROP_FIELD_OR_KEY) => Ok(Vec::new()),
        Err(e) => Err(err(e).into()),
    }
}

/// ER_DUP_KEYNAME: a key of that name is already there.
const ER_DUP_KEYNAME: u16 = 1061;
/// ER_CANT_DROP_FIELD_OR_KEY: no key of that name is there.
const ER_CANT_DROP_FIELD_OR_KEY: u16 = 1091;

/// The target tables of `schema` whose keys a run set aside.
pub(super) async fn tables_set_aside(pool: &MySqlPool, schema: &str) -> Result<HashSet<TableId>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT CAST(TABLE_NAME AS CHAR) FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA = ? AND LEFT(TABLE_COMMENT, CHAR_LENGTH(?)) = ?",
    )
    .bind(schema)
    .bind(MARK)
    .bind(MARK)
    .fetch_all(pool)
    .await
    .context("cannot read the target's table comments")?;
    Ok(rows
        .into_iter()
        .map(|(tb,)| TableId::new(schema, tb))
        .collect())
}

/// Adds back the keys set aside on target table `id`, in one `ALTER TABLE` that also
/// restores its comment; returns their names. A run killed in its own `ALTER TABLE` leaves
/// the server finishing it: that one adding the keys first, this one reads the table again.
pub(super) async fn build(pool: &MySqlPool, id: &TableId) -> Result<Vec<String>> {
    let mut attempt = 0;
    loop {
        match build_once(pool, id).await {
            Ok(names) => return Ok(names),
            Err(Built::Server(e)) if error_number(&e) == Some(ER_DUP_KEYNAME) && attempt < 3 => {
                attempt += 1
            }
            Err(Built::Server(e)) => return Err(ConnectorError::write(id, e).into()),
            Err(Built::Unreadable) => anyhow::bail!(
                "the comment of target table {id} starts with `{}` but its keys cannot be \
                 read from it: add them back by hand as the comment says, and restore the \
                 table comment (docs/en/snapshot/resume.md, \"Indexes after the rows\")",
                MARK.trim_end()
            ),
        }
    }
}

/// Why [`build_once`] did not add the keys.
enum Built {
    Server(sqlx::Error),
    /// The comment has the mark, but not keys after it.
    Unreadable,
}

impl From<sqlx::Error> for Built {
    fn from(e: sqlx::Error) -> Self {
        Built::Server(e)
    }
}

async fn build_once(pool: &MySqlPool, id: &TableId) -> Result<Vec<String>, Built> {
    let Some(comment) = table_comment(pool, id).await? else {
        return Ok(Vec::new());
    };
    if !comment.starts_with(MARK) {
        return Ok(Vec::new());
    }
    let saved = Saved::from_comment(&comment).ok_or(Built::Unreadable)?;
    // Keys of the same name added by hand meanwhile stay as they are.
    let present: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT CAST(INDEX_NAME AS CHAR) FROM information_schema.STATISTICS \
         WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    )
    .bind(&id.schema)
    .bind(&id.tb)
    .fetch_all(pool)
    .await?;
    let mut names = Vec::new();
    let mut clauses = Vec::new();
    let named: Option<Vec<_>> = saved.keys.iter().map(|k| Some((k, key_name(k)?))).collect();
    for (key, name) in named.ok_or(Built::Unreadable)? {
        if !present.iter().any(|(p,)| *p == name) {
            clauses.push(format!("ADD {key}"));
            names.push(name);
        }
    }
    clauses.push(format!("COMMENT = {}", literal(&saved.comment)));
    let sql = format!("ALTER TABLE {} {}", table_name(id), clauses.join(", "));
    sqlx::query(&sql).execute(pool).await?;
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_keys_come_back_from_the_comment() {
        let saved = Saved {
            comment: "it's a \"table\" \\ with 注释".into(),
            keys: vec![
                "KEY `k_1` (`k`)".into(),
                "KEY `a``b` (`c`(10)) COMMENT 'x'".into(),
            ],
        };
        assert_eq!(Saved::from_comment(&saved.to_comment()), Some(saved));
        assert_eq!(Saved::from_comment("a comment"), None);
    }

    #[test]
    fn key_lines_and_names() {
        let create = "CREATE TABLE `t` (\n  `id` int(11) NOT NULL,\n  `k` int(11) NOT NULL,\n  \
            PRIMARY KEY (`id`),\n  UNIQUE KEY `u` (`k`),\n  KEY `k_1` (`k`),\n  KEY `a``b` (`k`) \
            COMMENT 'c'\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
        let keys = plain_keys(create);
        assert_eq!(keys, ["KEY `k_1` (`k`)", "KEY `a``b` (`k`) COMMENT 'c'"]);
        let names: Vec<_> = keys.iter().filter_map(|k| key_name(k)).collect();
        assert_eq!(names, ["k_1", "a`b"]);
        assert_eq!(key_name("KEY `open"), None);
        let fk = create.replace(
            "  UNIQUE KEY",
            "  CONSTRAINT `f` FOREIGN KEY (`k`) REFERENCES `p` (`id`),\n  UNIQUE KEY",
        );
        assert!(plain_keys(&fk).is_empty());
        assert!(plain_keys(&create.replace("InnoDB", "MyISAM")).is_empty());
        assert_eq!(literal("a'b\\c"), "'a\\'b\\\\c'");
    }
}
