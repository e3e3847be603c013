//! PostgreSQL catalog: what `pg_catalog` says of tables, columns, unique keys and sequences,
//! for the extractor, the sinker and the verifier alike.

use async_trait::async_trait;
use dt_common::TableId;
use sqlx::postgres::{PgPool, PgRow, Postgres};
use sqlx::{Executor, Row as _};

use super::quote;
use crate::catalog::{Catalog, SchemaCatalog};
use crate::{CatalogEntry, ColumnMeta, ConnectorError};

/// `"schema"."table"`
pub(super) fn table_name(id: &TableId) -> String {
    format!("{}.{}", quote(&id.schema), quote(&id.tb))
}

/// `ONLY "s"."t"` for a plain table, so rows of tables inheriting from it (copied on their
/// own) are not read twice; a partitioned table is read whole. `None` when it does not exist.
pub(super) async fn relation<'c, E>(conn: E, id: &TableId) -> Result<Option<String>, ConnectorError>
where
    E: Executor<'c, Database = Postgres>,
{
    let kind: Option<i8> =
        sqlx::query_scalar("SELECT relkind::\"char\" FROM pg_class WHERE oid = to_regclass($1)")
            .bind(table_name(id))
            .fetch_optional(conn)
            .await
            .map_err(|e| ConnectorError::read(format!("the kind of table {id}"), e))?;
    Ok(kind.map(|k| match k as u8 {
        b'p' => table_name(id),
        _ => format!("ONLY {}", table_name(id)),
    }))
}

/// What dt does with a row of [`list`]: a partition, a table, or what it does not copy.
fn catalog_entry(r: &PgRow) -> sqlx::Result<CatalogEntry> {
    let id = TableId::new(r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?);
    let parent: (Option<String>, Option<String>) = (r.try_get(3)?, r.try_get(4)?);
    if let (Some(schema), Some(tb)) = parent {
        return Ok(CatalogEntry::Partition(id, TableId::new(schema, tb)));
    }
    let why = match r.try_get::<String, _>(2)?.as_str() {
        "r" | "p" => return Ok(CatalogEntry::Table(id)),
        "v" => "a view; a snapshot copies the rows of tables only",
        "m" => "a materialized view; refresh it in the target after the copy",
        _ => "a foreign table; its rows live on another server",
    };
    Ok(CatalogEntry::NotCopied(id, why.to_string()))
}

/// Every table, view and foreign table of the URL's database outside the system schemas.
pub(super) async fn list(pool: &PgPool) -> Result<Vec<CatalogEntry>, ConnectorError> {
    sqlx::query(
        "SELECT n.nspname::text, c.relname::text, c.relkind::text, pn.nspname::text, p.relname::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_inherits i ON c.relispartition AND i.inhrelid = c.oid \
         LEFT JOIN pg_class p ON p.oid = i.inhparent \
         LEFT JOIN pg_namespace pn ON pn.oid = p.relnamespace \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') \
         AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'",
    )
    .fetch_all(pool)
    .await
    .and_then(|rows| rows.iter().map(catalog_entry).collect())
    .map_err(|e| ConnectorError::read("the source tables", e))
}

/// A sequence of the URL's database: its id and the column it feeds, if any.
pub(super) type SequenceOwner = (TableId, Option<(TableId, String)>);

/// Every sequence outside the system schemas, with the table column it feeds (a `serial`
/// or identity column).
pub(super) async fn sequences(pool: &PgPool) -> Result<Vec<SequenceOwner>, ConnectorError> {
    let read = |r: &PgRow| -> sqlx::Result<SequenceOwner> {
        let id = TableId::new(r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?);
        let owner = match (
            r.try_get::<Option<String>, _>(2)?,
            r.try_get::<Option<String>, _>(3)?,
            r.try_get::<Option<String>, _>(4)?,
        ) {
            (Some(schema), Some(tb), Some(col)) => Some((TableId::new(schema, tb), col)),
            _ => None,
        };
        Ok((id, owner))
    };
    sqlx::query(
        "SELECT n.nspname::text, c.relname::text, tn.nspname::text, t.relname::text, a.attname::text \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
           AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0 \
         LEFT JOIN pg_class t ON t.oid = d.refobjid \
         LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace \
         LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid \
         WHERE c.relkind = 'S' AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
         ORDER BY 1, 2",
    )
    .fetch_all(pool)
    .await
    .and_then(|rows| rows.iter().map(read).collect())
    .map_err(|e| ConnectorError::read("the source sequences", e))
}

/// The sequence feeding column `col` of `table` (`pg_get_serial_sequence`), if any.
pub(super) async fn serial_sequence(
    pool: &PgPool,
    table: &TableId,
    col: &str,
) -> Result<Option<String>, ConnectorError> {
    sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
        .bind(table_name(table))
        .bind(col)
        .fetch_one(pool)
        .await
        .map_err(|e| ConnectorError::read(format!("the sequence of {table} column `{col}`"), e))
}

/// `name` (already quoted) as the server resolves it, or `None` when there is no such relation.
pub(super) async fn regclass(pool: &PgPool, name: &str) -> Result<Option<String>, ConnectorError> {
    sqlx::query_scalar("SELECT to_regclass($1)::text")
        .bind(name)
        .fetch_one(pool)
        .await
        .map_err(|e| ConnectorError::read(format!("the relation {name}"), e))
}

#[async_trait]
impl Catalog for PgPool {
    async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError> {
        let read = |r: &PgRow| {
            Ok(ColumnMeta {
                name: r.try_get(0)?,
                type_name: r.try_get(1)?,
                nullable: r.try_get(2)?,
            })
        };
        sqlx::query(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull \
             FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 \
             AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY a.attnum",
        )
        .bind(table_name(id))
        .fetch_all(self)
        .await
        .and_then(|rows| rows.iter().map(read).collect())
        .map_err(|e| ConnectorError::read(format!("the columns of {id}"), e))
    }

    async fn unique_keys(&self, id: &TableId) -> Result<Vec<(bool, Vec<String>)>, ConnectorError> {
        sqlx::query(
            "SELECT i.indisprimary, array_agg(a.attname::text ORDER BY k.ord) \
             FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE i.indrelid = to_regclass($1) AND i.indisunique AND i.indisvalid AND i.indimmediate \
             AND k.ord <= i.indnkeyatts \
             AND i.indpred IS NULL AND i.indexprs IS NULL \
             GROUP BY i.indexrelid, i.indisprimary ORDER BY i.indisprimary DESC, i.indexrelid",
        )
        .bind(table_name(id))
        .fetch_all(self)
        .await
        .and_then(|rows| {
            rows.iter()
                .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
                .collect()
        })
        .map_err(|e| ConnectorError::read(format!("the keys of {id}"), e))
    }

    async fn estimated_rows(&self, id: &TableId) -> Result<u64, ConnectorError> {
        let estimate: Option<f32> =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = to_regclass($1)")
                .bind(table_name(id))
                .fetch_optional(self)
                .await
                .map_err(|e| ConnectorError::read(format!("the row estimate of {id}"), e))?;
        Ok(estimate.unwrap_or(0.0).max(0.0) as u64)
    }

    async fn schema(&self, schema: &str) -> Result<Option<SchemaCatalog>, ConnectorError> {
        let read = |e| ConnectorError::read(format!("the catalog of \"{schema}\""), e);
        let mut out = SchemaCatalog::default();
        // The relations `to_regclass` finds by name that have columns: tables, partitioned
        // and foreign tables, views and materialized views.
        let columns = sqlx::query(
            "SELECT c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod), \
             NOT a.attnotnull FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_attribute a ON a.attrelid = c.oid \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm') AND a.attnum > 0 \
             AND NOT a.attisdropped AND a.attgenerated = '' ORDER BY c.relname, a.attnum",
        )
        .bind(schema)
        .fetch_all(self);
        let keys = sqlx::query(
            "SELECT c.relname::text, i.indisprimary, array_agg(a.attname::text ORDER BY k.ord) \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) \
             JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum \
             WHERE n.nspname = $1 AND i.indisunique AND i.indisvalid AND i.indimmediate \
             AND k.ord <= i.indnkeyatts AND i.indpred IS NULL AND i.indexprs IS NULL \
             GROUP BY c.relname, i.indexrelid, i.indisprimary \
             ORDER BY c.relname, i.indisprimary DESC, i.indexrelid",
        )
        .bind(schema)
        .fetch_all(self);
        let estimates = sqlx::query(
            "SELECT c.relname::text, c.reltuples FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'f', 'v', 'm')",
        )
        .bind(schema)
        .fetch_all(self);
        // The three reads run at once, each on a connection of its own.
        let (columns, keys, estimates) =
            tokio::try_join!(columns, keys, estimates).map_err(read)?;
        for r in &columns {
            let column = ColumnMeta {
                name: r.try_get(1).map_err(read)?,
                type_name: r.try_get(2).map_err(read)?,
                nullable: r.try_get(3).map_err(read)?,
            };
            let tb: String = r.try_get(0).map_err(read)?;
            out.columns.entry(tb).or_default().push(column);
        }
        // As in `unique_keys`.
        for r in &keys {
            let tb: String = r.try_get(0).map_err(read)?;
            let key = (r.try_get(1).map_err(read)?, r.try_get(2).map_err(read)?);
            out.keys.entry(tb).or_default().push(key);
        }
        for r in &estimates {
            let tb: String = r.try_get(0).map_err(read)?;
            let n: f32 = r.try_get(1).map_err(read)?;
            out.estimates.insert(tb, n.max(0.0) as u64);
        }
        Ok(Some(out))
    }

    fn quote_char(&self) -> char {
        '"'
    }

    fn unkeyed_rewrite(&self) -> &'static str {
        "could not replace themselves"
    }
}
