//! MySQL catalog: what `information_schema` says of tables, columns and unique keys, for the
//! extractor, the sinker and the verifier alike.

use std::collections::HashMap;

use async_trait::async_trait;
use dt_common::TableId;
use sqlx::mysql::MySqlPool;
use sqlx::Row as _;

use super::quote;
use crate::catalog::{Catalog, SchemaCatalog};
use crate::{CatalogEntry, ColumnMeta, ConnectorError};

const SYSTEM_SCHEMAS: &str = "'mysql','information_schema','performance_schema','sys'";

/// `` `schema`.`table` ``
pub(super) fn table_name(id: &TableId) -> String {
    format!("{}.{}", quote(&id.schema), quote(&id.tb))
}

/// What dt does with an object of `information_schema.TABLES`, by its `TABLE_TYPE`. A
/// MariaDB system-versioned table is copied with its current rows (its history stays behind).
fn catalog_entry(id: TableId, table_type: &str) -> CatalogEntry {
    let why = match table_type {
        "BASE TABLE" | "SYSTEM VERSIONED" => return CatalogEntry::Table(id),
        "VIEW" | "SYSTEM VIEW" => "a view; a snapshot copies the rows of tables only",
        "SEQUENCE" => "a sequence; its state is not copied, create it in the target",
        "TEMPORARY" => "a temporary table",
        other => return CatalogEntry::NotCopied(id, format!("of table type {other}")),
    };
    CatalogEntry::NotCopied(id, why.to_string())
}

/// Every object of the server outside the system schemas.
pub(super) async fn list(pool: &MySqlPool) -> Result<Vec<CatalogEntry>, ConnectorError> {
    let what = "the source tables";
    let sql = format!(
        "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES \
         WHERE TABLE_SCHEMA NOT IN ({SYSTEM_SCHEMAS})"
    );
    let rows = sqlx::query(&sql)
        .fetch_all(pool)
        .await
        .map_err(|e| ConnectorError::read(what, e))?;
    rows.iter()
        .map(|r| {
            let id = TableId::new(
                r.try_get_unchecked::<String, _>(0)?,
                r.try_get_unchecked::<String, _>(1)?,
            );
            let kind: String = r.try_get_unchecked(2)?;
            Ok(catalog_entry(id, &kind))
        })
        .collect::<sqlx::Result<_>>()
        .map_err(|e| ConnectorError::read(what, e))
}

/// Groups (key name, column) pairs ordered by key name, then column position, into keys,
/// the primary key (named `primary`) first.
fn group_keys(pairs: Vec<(String, String)>, primary: &str) -> Vec<(bool, Vec<String>)> {
    let mut keys: Vec<(String, Vec<String>)> = Vec::new();
    for (index, col) in pairs {
        match keys.last_mut() {
            Some((name, cols)) if *name == index => cols.push(col),
            _ => keys.push((index, vec![col])),
        }
    }
    let mut keys: Vec<(bool, Vec<String>)> =
        keys.into_iter().map(|(n, c)| (n == primary, c)).collect();
    keys.sort_by_key(|(is_primary, _)| !is_primary);
    keys
}

#[async_trait]
impl Catalog for MySqlPool {
    async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError> {
        let rows = sqlx::query(
            "SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND EXTRA NOT LIKE '%VIRTUAL GENERATED%' AND EXTRA NOT LIKE '%STORED GENERATED%' \
             ORDER BY ORDINAL_POSITION",
        )
        .bind(&id.schema)
        .bind(&id.tb)
        .fetch_all(self)
        .await;
        let read = |r: &sqlx::mysql::MySqlRow| {
            Ok(ColumnMeta {
                name: r.try_get_unchecked::<String, _>(0)?,
                type_name: r.try_get_unchecked::<String, _>(1)?,
                nullable: r.try_get_unchecked::<String, _>(2)? == "YES",
            })
        };
        rows.and_then(|rows| rows.iter().map(read).collect())
            .map_err(|e| ConnectorError::read(format!("the columns of {id}"), e))
    }

    async fn unique_keys(&self, id: &TableId) -> Result<Vec<(bool, Vec<String>)>, ConnectorError> {
        // A system-versioned table adds its ROW END column to every unique key; among the
        // current rows, which are what is copied, the other columns are the key. Both
        // lookups name the table, so the server reads only its catalog entries (a join
        // between the two views would read the columns of every table on the server).
        let rows = sqlx::query(
            "SELECT INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND NON_UNIQUE = 0 \
             AND COLUMN_NAME NOT IN (SELECT COLUMN_NAME FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? AND GENERATION_EXPRESSION = 'ROW END') \
             ORDER BY INDEX_NAME, SEQ_IN_INDEX",
        )
        .bind(&id.schema)
        .bind(&id.tb)
        .bind(&id.schema)
        .bind(&id.tb)
        .fetch_all(self)
        .await;
        let pairs: Vec<(String, String)> = rows
            .and_then(|rows| {
                rows.iter()
                    .map(|r| Ok((r.try_get_unchecked(0)?, r.try_get_unchecked(1)?)))
                    .collect()
            })
            .map_err(|e| ConnectorError::read(format!("the keys of {id}"), e))?;
        Ok(group_keys(pairs, "PRIMARY"))
    }

    async fn estimated_rows(&self, id: &TableId) -> Result<u64, ConnectorError> {
        let estimate: Option<Option<u64>> = sqlx::query_scalar(
            "SELECT CAST(TABLE_ROWS AS UNSIGNED) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
        )
        .bind(&id.schema)
        .bind(&id.tb)
        .fetch_optional(self)
        .await
        .map_err(|e| ConnectorError::read(format!("the row estimate of {id}"), e))?;
        Ok(estimate.flatten().unwrap_or(0))
    }

    async fn schema(&self, schema: &str) -> Result<Option<SchemaCatalog>, ConnectorError> {
        let read = |e| ConnectorError::read(format!("the catalog of `{schema}`"), e);
        let mut out = SchemaCatalog::default();
        let columns = sqlx::query(
            "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS \
             WHERE TABLE_SCHEMA = ? AND EXTRA NOT LIKE '%VIRTUAL GENERATED%' AND EXTRA NOT LIKE '%STORED GENERATED%' \
             ORDER BY TABLE_NAME, ORDINAL_POSITION",
        )
        .bind(schema)
        .fetch_all(self);
        let keys = sqlx::query(
            "SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = ? AND NON_UNIQUE = 0 \
             AND (TABLE_NAME, COLUMN_NAME) NOT IN (SELECT TABLE_NAME, COLUMN_NAME \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND GENERATION_EXPRESSION = 'ROW END') \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
        )
        .bind(schema)
        .bind(schema)
        .fetch_all(self);
        let estimates = sqlx::query(
            "SELECT TABLE_NAME, CAST(TABLE_ROWS AS UNSIGNED) FROM information_schema.TABLES \
             WHERE TABLE_SCHEMA = ?",
        )
        .bind(schema)
        .fetch_all(self);
        // The three reads run at once, each on a connection of its own.
        let (columns, keys, estimates) =
            tokio::try_join!(columns, keys, estimates).map_err(read)?;
        for r in &columns {
            let column = ColumnMeta {
                name: r.try_get_unchecked::<String, _>(1).map_err(read)?,
                type_name: r.try_get_unchecked::<String, _>(2).map_err(read)?,
                nullable: r.try_get_unchecked::<String, _>(3).map_err(read)? == "YES",
            };
            let tb: String = r.try_get_unchecked(0).map_err(read)?;
            out.columns.entry(tb).or_default().push(column);
        }
        // As in `unique_keys`, without the ROW END column of system-versioned tables.
        let mut pairs: HashMap<String, Vec<(String, String)>> = HashMap::new();
        for r in &keys {
            let tb: String = r.try_get_unchecked(0).map_err(read)?;
            let pair = (
                r.try_get_unchecked(1).map_err(read)?,
                r.try_get_unchecked(2).map_err(read)?,
            );
            pairs.entry(tb).or_default().push(pair);
        }
        out.keys = pairs
            .into_iter()
            .map(|(tb, pairs)| (tb, group_keys(pairs, "PRIMARY")))
            .collect();
        for r in &estimates {
            let tb: String = r.try_get_unchecked(0).map_err(read)?;
            let n: Option<u64> = r.try_get_unchecked(1).map_err(read)?;
            out.estimates.insert(tb, n.unwrap_or(0));
        }
        Ok(Some(out))
    }

    fn quote_char(&self) -> char {
        '`'
    }

    fn unkeyed_rewrite(&self) -> &'static str {
        "would be duplicated"
    }
}
