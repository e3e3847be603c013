//! What the SQL connectors ask of their database's catalog, and what they decide from it the
//! same way: how a source table is described, and whether a target table can take its rows.
//! Each database answers the questions in its own `catalog.rs`; the checks are written once.

use async_trait::async_trait;
use dt_common::meta::Value;
use dt_common::router::Router;
use dt_common::TableId;

use crate::{choose_key, ColumnMeta, ConnectorError, KeyKind, TableMeta};

/// The catalog of one server.
#[async_trait]
pub(crate) trait Catalog: Sync {
    /// Columns of a table in ordinal order, without generated columns (the target computes
    /// them); empty when the table does not exist.
    async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError>;
    /// Unique keys usable to identify rows, as (is_primary, columns), primary first.
    async fn unique_keys(&self, id: &TableId) -> Result<Vec<(bool, Vec<String>)>, ConnectorError>;
    /// The server's estimate of the table's row count, for progress display.
    async fn estimated_rows(&self, id: &TableId) -> Result<u64, ConnectorError>;
    /// How a name is quoted in messages (a backtick, a double quote).
    fn quote_char(&self) -> char;
    /// What becomes of rows written again when the target has no unique key over the key
    /// columns, completing "rows written again after an interruption …".
    fn unkeyed_rewrite(&self) -> &'static str;
}

/// Describes source table `id`: its columns and the key chosen by [`choose_key`], with
/// `orderable` telling which column types can order pages and `key_text` how the
/// connector writes an order-column value as position text.
pub(crate) async fn describe(
    catalog: &dyn Catalog,
    id: &TableId,
    orderable: impl Fn(&ColumnMeta) -> bool + Send,
    key_text: fn(&Value) -> Option<String>,
) -> Result<TableMeta, ConnectorError> {
    let columns = catalog.columns(id).await?;
    if columns.is_empty() {
        return Err(ConnectorError::MissingTable {
            end: "source",
            table: id.clone(),
        });
    }
    let keys = catalog.unique_keys(id).await?;
    let (order_col, key, key_cols) = choose_key(&columns, &keys, orderable);
    Ok(TableMeta {
        id: id.clone(),
        estimated_rows: catalog.estimated_rows(id).await?,
        columns,
        order_col,
        key,
        key_cols,
        key_text,
    })
}

/// Checks that the target table of `meta` (named by `router`) exists, has every column,
/// and, when rows are identified by a key, has a unique key over exactly those columns:
/// rows sent again after a crash replace themselves only through one.
pub(crate) async fn check_target(
    catalog: &dyn Catalog,
    router: &Router,
    meta: &TableMeta,
) -> Result<(), ConnectorError> {
    let id = router.route_table(&meta.id);
    let cols: Vec<&str> = meta
        .columns
        .iter()
        .map(|c| router.route_col(&meta.id, &c.name))
        .collect();
    let existing = catalog.columns(&id).await?;
    if existing.is_empty() {
        return Err(ConnectorError::MissingTable {
            end: "target",
            table: id,
        });
    }
    if let Some(c) = cols
        .iter()
        .find(|c| !existing.iter().any(|e| e.name == **c))
    {
        return Err(ConnectorError::MissingColumn {
            table: id,
            column: c.to_string(),
        });
    }
    if meta.key == KeyKind::None {
        return Ok(());
    }
    let mut key: Vec<&str> = meta.key_cols.iter().map(|&i| cols[i]).collect();
    key.sort_unstable();
    let covered = catalog.unique_keys(&id).await?.into_iter().any(|(_, k)| {
        let mut k: Vec<&str> = k.iter().map(String::as_str).collect();
        k.sort_unstable();
        k == key
    });
    if covered {
        return Ok(());
    }
    let q = catalog.quote_char();
    Err(ConnectorError::MissingKey {
        table: id,
        columns: key
            .iter()
            .map(|c| format!("{q}{c}{q}"))
            .collect::<Vec<_>>()
            .join(", "),
        consequence: catalog.unkeyed_rewrite(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalog of one target table `s.t (id, k, v)` with a unique key on `k`.
    struct Fake;

    #[async_trait]
    impl Catalog for Fake {
        async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError> {
            let col = |name: &str| ColumnMeta {
                name: name.into(),
                type_name: "int".into(),
                nullable: false,
            };
            Ok(match (id.schema.as_str(), id.tb.as_str()) {
                ("s", "t") => vec![col("id"), col("k"), col("v")],
                _ => Vec::new(),
            })
        }
        async fn unique_keys(
            &self,
            _id: &TableId,
        ) -> Result<Vec<(bool, Vec<String>)>, ConnectorError> {
            Ok(vec![(false, vec!["k".to_string()])])
        }
        async fn estimated_rows(&self, _id: &TableId) -> Result<u64, ConnectorError> {
            Ok(7)
        }
        fn quote_char(&self) -> char {
            '"'
        }
        fn unkeyed_rewrite(&self) -> &'static str {
            "would be lost"
        }
    }

    fn router(tb_map: &str, col_map: &str) -> Router {
        Router::parse("", tb_map, col_map, Some('"')).unwrap()
    }

    #[tokio::test]
    async fn target_check_names_what_is_missing() {
        let src = TableId::new("s", "t");
        let mut meta = describe(&Fake, &src, |_| true, |_| None).await.unwrap();
        assert_eq!((meta.key, meta.estimated_rows), (KeyKind::Single, 7));
        check_target(&Fake, &router("", ""), &meta).await.unwrap();

        let e = check_target(&Fake, &router("s.t:s.u", ""), &meta).await;
        assert!(matches!(
            e,
            Err(ConnectorError::MissingTable { end: "target", .. })
        ));
        let e = check_target(&Fake, &router("", "s.t.v:w"), &meta).await;
        assert!(matches!(e, Err(ConnectorError::MissingColumn { column, .. }) if column == "w"));

        meta.key_cols = vec![0];
        let e = check_target(&Fake, &router("", ""), &meta)
            .await
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "target table `s`.`t` has no unique key on (\"id\"); rows written again after an \
             interruption would be lost"
        );
        meta.key = KeyKind::None;
        check_target(&Fake, &router("", ""), &meta).await.unwrap();

        let e = describe(&Fake, &TableId::new("s", "gone"), |_| true, |_| None).await;
        assert!(matches!(
            e,
            Err(ConnectorError::MissingTable { end: "source", .. })
        ));
    }
}
