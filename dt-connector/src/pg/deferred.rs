//! Secondary indexes of a target table built after its rows (docs/en/snapshot/resume.md,
//! "Indexes after the rows"). Before the first row goes into an empty target table, each of
//! its plain secondary indexes is replaced, in one transaction, by a placeholder: an index of
//! the same name `WHERE false` (which no row enters, so it costs the writes nothing), whose
//! comment holds the index's definition and comment. Once the table's rows are in, each
//! placeholder is replaced by the index again, each in one transaction. The definitions live
//! in the target's own catalog, so any later run, resumed or not and with or without its log
//! directory, finds and builds them.

use std::collections::HashSet;

use anyhow::{Context, Result};
use dt_common::TableId;
use sqlx::postgres::PgPool;
use sqlx::{Acquire, Executor, Row as _};
use tracing::{debug, info};

use super::catalog::table_name;
use super::{literal, quote};
use crate::ConnectorError;

/// How a placeholder's comment starts; the definition follows as JSON.
const MARK: &str = "dt: index deferred until the table's rows are copied; dt builds it again from ";

/// What a placeholder keeps of the index it stands for.
#[derive(Debug)]
struct Saved {
    /// `pg_get_indexdef` of the index.
    definition: String,
    /// Its comment, if it had one.
    comment: Option<String>,
}

impl Saved {
    fn to_json(&self) -> String {
        serde_json::json!({"definition": self.definition, "comment": self.comment}).to_string()
    }

    fn from_json(text: &str) -> Option<Saved> {
        let v: serde_json::Value = serde_json::from_str(text).ok()?;
        Some(Saved {
            definition: v.get("definition")?.as_str()?.to_string(),
            comment: match v.get("comment")? {
                serde_json::Value::Null => None,
                c => Some(c.as_str()?.to_string()),
            },
        })
    }
}

/// Plain secondary indexes: not unique, not behind a constraint, nothing depending on them,
/// valid, not clustered on, no per-column statistics target, in the default tablespace, and
/// on a plain table that is not a partition. Placeholders themselves are left out.
const DEFERRABLE: &str = "SELECT c.relname, pg_get_indexdef(i.indexrelid), \
    obj_description(i.indexrelid, 'pg_class') \
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
    WHERE i.indrelid = to_regclass($1) AND t.relkind = 'r' AND NOT t.relispartition \
    AND NOT i.indisunique AND NOT i.indisprimary AND NOT i.indisexclusion \
    AND i.indisvalid AND i.indisready AND i.indislive AND NOT i.indisclustered \
    AND NOT i.indisreplident AND c.reltablespace = 0 \
    AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) \
    AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass \
        AND d.refobjid = i.indexrelid) \
    AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) \
    AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indexrelid \
        AND COALESCE(a.attstattarget::int, -1) <> -1) \
    AND left(COALESCE(obj_description(i.indexrelid, 'pg_class'), ''), length($2)) <> $2 \
    ORDER BY c.relname";

/// The placeholders of the target database: their table, name and comment (`$1` is
/// [`MARK`]).
const PLACEHOLDERS: &str = "SELECT n.nspname, t.relname, c.relname, d.description \
    FROM pg_description d JOIN pg_class c ON c.oid = d.objoid AND d.classoid = 'pg_class'::regclass \
    AND d.objsubid = 0 JOIN pg_index i ON i.indexrelid = c.oid JOIN pg_class t ON t.oid = i.indrelid \
    JOIN pg_namespace n ON n.oid = t.relnamespace \
    WHERE left(d.description, length($1)) = $1 AND i.indpred IS NOT NULL";

/// The target tables that hold placeholders.
pub(super) async fn tables_with_placeholders(pool: &PgPool) -> Result<HashSet<TableId>> {
    let rows = sqlx::query(PLACEHOLDERS)
        .bind(MARK)
        .fetch_all(pool)
        .await
        .map_err(|e| ConnectorError::read("the target's deferred indexes", e))?;
    rows.iter()
        .map(|r| {
            Ok(TableId::new(
                r.try_get::<String, _>(0)?,
                r.try_get::<String, _>(1)?,
            ))
        })
        .collect()
}

/// Replaces the deferrable indexes of `table` by placeholders on its column `col` (quoted;
/// a column with a B-tree operator class, or the swap fails and the indexes stay),
/// when the table holds no row; returns their names. Nothing changes when the table holds
/// rows, has no such index, or the session may not drop them (then the indexes stay, and
/// the rows go in with them).
pub(super) async fn defer(pool: &PgPool, table: &TableId, col: &str) -> Result<Vec<String>> {
    let name = table_name(table);
    let mut conn = pool.acquire().await?;
    let mut tx = conn.begin().await?;
    // With an empty search_path, pg_get_indexdef names every function, operator class and
    // collation with its schema, so the definition means the same in any later session.
    tx.execute("SET LOCAL search_path = ''").await?;
    let indexes = sqlx::query(DEFERRABLE)
        .bind(&name)
        .bind(MARK)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| ConnectorError::read(format!("the indexes of target table {table}"), e))?;
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    // The lock keeps rows from arriving between the check and the swap.
    let swap = async {
        tx.execute(format!("LOCK TABLE ONLY {name} IN SHARE ROW EXCLUSIVE MODE").as_str())
            .await?;
        let rows = sqlx::query(&format!("SELECT 1 FROM ONLY {name} LIMIT 1"))
            .fetch_optional(&mut *tx)
            .await?;
        if rows.is_some() {
            return Ok::<_, sqlx::Error>(Vec::new());
        }
        let mut names = Vec::new();
        for index in &indexes {
            let index_name: String = index.try_get(0)?;
            let saved = Saved {
                definition: index.try_get(1)?,
                comment: index.try_get(2)?,
            };
            let json = saved.to_json();
            let qualified = format!("{}.{}", quote(&table.schema), quote(&index_name));
            tx.execute(format!("DROP INDEX {qualified}").as_str())
                .await?;
            tx.execute(
                format!(
                    "CREATE INDEX {} ON {name} ({col}) WHERE false",
                    quote(&index_name)
                )
                .as_str(),
            )
            .await?;
            tx.execute(
                format!(
                    "COMMENT ON INDEX {qualified} IS {}",
                    literal(&format!("{MARK}{json}"))
                )
                .as_str(),
            )
            .await?;
            names.push(index_name);
        }
        Ok(names)
    };
    match swap.await {
        Ok(names) if names.is_empty() => Ok(names),
        Ok(names) => {
            tx.commit()
                .await
                .with_context(|| format!("cannot defer the indexes of target table {table}"))?;
            Ok(names)
        }
        Err(e) => {
            info!("index, {table}: its indexes stay while the rows go in, as they cannot be deferred: {e}");
            Ok(Vec::new())
        }
    }
}

/// Builds every index of `table` that a placeholder stands for, each in one transaction
/// (a kill leaves the placeholder, for the next run); returns their names.
pub(super) async fn build(pool: &PgPool, table: &TableId) -> Result<Vec<String>> {
    let sql = format!("{PLACEHOLDERS} AND n.nspname = $2 AND t.relname = $3 ORDER BY c.relname");
    let rows = sqlx::query(&sql)
        .bind(MARK)
        .bind(&table.schema)
        .bind(&table.tb)
        .fetch_all(pool)
        .await
        .map_err(|e| {
            ConnectorError::read(format!("the deferred indexes of target table {table}"), e)
        })?;
    let mut conn = pool.acquire().await?;
    // See the schema copy's index builds (pg/schema.rs): an autovacuum of the freshly
    // filled table is cancelled sooner. The setting stays with this session, which is
    // closed afterwards rather than handed to a writer.
    conn.close_on_drop();
    if let Err(e) = conn.execute("SET deadlock_timeout = '100ms'").await {
        debug!("index, deadlock_timeout left as it is: {e}");
    }
    let mut built = Vec::new();
    for row in rows {
        let index_name: String = row.try_get(2)?;
        let text: String = row.try_get(3)?;
        let saved: Saved = text
            .strip_prefix(MARK)
            .and_then(Saved::from_json)
            .with_context(|| {
                format!(
                    "the comment of index {index_name} of target table {table} starts as dt's \
                     deferred indexes do but does not hold a definition dt can read: build the \
                     index by hand and drop this one"
                )
            })?;
        let qualified = format!("{}.{}", quote(&table.schema), quote(&index_name));
        let ctx = || {
            format!(
                "cannot build index {qualified} of target table {table}: {}",
                saved.definition
            )
        };
        let mut tx = conn.begin().await.with_context(ctx)?;
        tx.execute("SET LOCAL search_path = ''")
            .await
            .with_context(ctx)?;
        tx.execute(format!("DROP INDEX {qualified}").as_str())
            .await
            .with_context(ctx)?;
        tx.execute(saved.definition.as_str())
            .await
            .with_context(ctx)?;
        let comment = saved.comment.as_deref().map_or("NULL".into(), literal);
        tx.execute(format!("COMMENT ON INDEX {qualified} IS {comment}").as_str())
            .await
            .with_context(ctx)?;
        tx.commit().await.with_context(ctx)?;
        built.push(index_name);
    }
    Ok(built)
}
