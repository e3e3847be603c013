//! What the SQL connectors ask of their database's catalog, and what they decide from it the
//! same way: how a source table is described, and whether a target table can take its rows.
//! Each database answers the questions in its own `catalog.rs`; the checks are written once.

use std::collections::HashMap;
use std::sync::Arc;

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
    /// What the catalog says of every table of `schema` at once, in a few queries; `None`
    /// where the server is asked table by table.
    async fn schema(&self, _schema: &str) -> Result<Option<SchemaCatalog>, ConnectorError> {
        Ok(None)
    }
    /// How a name is quoted in messages (a backtick, a double quote).
    fn quote_char(&self) -> char;
    /// What becomes of rows written again when the target has no unique key over the key
    /// columns, completing "rows written again after an interruption …".
    fn unkeyed_rewrite(&self) -> &'static str;
}

/// The catalog of every table of one schema, by table name.
#[derive(Debug, Default)]
pub(crate) struct SchemaCatalog {
    pub columns: HashMap<String, Vec<ColumnMeta>>,
    pub keys: HashMap<String, Vec<(bool, Vec<String>)>>,
    pub estimates: HashMap<String, u64>,
}

/// A catalog that reads each schema in bulk the first time one of its tables is asked about
/// and answers from that, so thousands of tables cost a few queries instead of three each.
/// A table the bulk read did not see (created since, or named in another letter case) is
/// asked about on its own.
pub(crate) struct Cached<C> {
    inner: C,
    schemas: tokio::sync::Mutex<HashMap<String, Option<Arc<SchemaCatalog>>>>,
}

impl<C: Catalog> Cached<C> {
    pub fn new(inner: C) -> Self {
        Cached {
            inner,
            schemas: Default::default(),
        }
    }

    /// The bulk catalog of `id`'s schema, when it holds the table.
    async fn of(&self, id: &TableId) -> Result<Option<Arc<SchemaCatalog>>, ConnectorError> {
        let mut schemas = self.schemas.lock().await;
        let bulk = match schemas.get(&id.schema) {
            Some(bulk) => bulk.clone(),
            None => {
                let bulk = self.inner.schema(&id.schema).await?.map(Arc::new);
                schemas.insert(id.schema.clone(), bulk.clone());
                bulk
            }
        };
        Ok(bulk.filter(|b| b.columns.contains_key(&id.tb)))
    }
}

#[async_trait]
impl<C: Catalog + Send> Catalog for Cached<C> {
    async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError> {
        match self.of(id).await? {
            Some(bulk) => Ok(bulk.columns[&id.tb].clone()),
            None => self.inner.columns(id).await,
        }
    }

    async fn unique_keys(&self, id: &TableId) -> Result<Vec<(bool, Vec<String>)>, ConnectorError> {
        match self.of(id).await? {
            Some(bulk) => Ok(bulk.keys.get(&id.tb).cloned().unwrap_or_default()),
            None => self.inner.unique_keys(id).await,
        }
    }

    async fn estimated_rows(&self, id: &TableId) -> Result<u64, ConnectorError> {
        match self.of(id).await? {
            Some(bulk) => Ok(bulk.estimates.get(&id.tb).copied().unwrap_or(0)),
            None => self.inner.estimated_rows(id).await,
        }
    }

    fn quote_char(&self) -> char {
        self.inner.quote_char()
    }

    fn unkeyed_rewrite(&self) -> &'static str {
        self.inner.unkeyed_rewrite()
    }
}

/// Describes source table `id`: its columns and the key chosen by [`choose_key`], with
/// `orderable` telling which column types can order pages and `key_text` how the
/// connector writes a key value as position text. The columns in `ignored`
/// (`[filter] ignore_cols`) are left out; each must exist and be outside the chosen key.
pub(crate) async fn describe(
    catalog: &dyn Catalog,
    id: &TableId,
    ignored: &[String],
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
    let (key, key_cols, null_keys) = choose_key(&columns, &keys, orderable);
    let meta = TableMeta {
        id: id.clone(),
        estimated_rows: catalog.estimated_rows(id).await?,
        columns,
        key,
        key_cols,
        null_keys,
        key_text,
        binary_rows: false,
    };
    without_columns(meta, ignored)
}

/// The WHERE clause of a source read: `[filter] where_conditions`' `condition` in
/// parentheses, ANDed with the position predicate `after` (`k > ?`) when there is one. The
/// condition ends on a line of its own, so a trailing `-- comment` in it cannot swallow the
/// rest of the statement.
pub(crate) fn where_sql(condition: Option<&str>, after: Option<&str>) -> String {
    match (condition, after) {
        (None, None) => String::new(),
        (None, Some(p)) => format!(" WHERE {p}"),
        (Some(c), None) => format!(" WHERE ({c}\n)"),
        (Some(c), Some(p)) => format!(" WHERE ({c}\n) AND {p}"),
    }
}

/// Which rows of a table a read selects by its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyRange {
    /// Every row.
    All,
    /// Rows with no NULL in the key.
    NotNull,
    /// Rows with a NULL in some key column.
    Null,
}

impl KeyRange {
    /// The rows of a paged read of `meta`.
    pub fn paged(meta: &TableMeta) -> KeyRange {
        if meta.null_keys {
            KeyRange::NotNull
        } else {
            KeyRange::All
        }
    }

    /// The predicate over the quoted key columns `keys`, if any is needed.
    pub fn predicate(self, keys: &[String]) -> Option<String> {
        let each = |test: &str, join: &str| {
            let tests: Vec<String> = keys.iter().map(|k| format!("{k} {test}")).collect();
            format!("({})", tests.join(join))
        };
        match self {
            KeyRange::All => None,
            KeyRange::NotNull => Some(each("IS NOT NULL", " AND ")),
            KeyRange::Null => Some(each("IS NULL", " OR ")),
        }
    }
}

/// The WHERE clause of the target rows `clear` covers, over the target's quoted key
/// columns `keys`: empty for every row, `None` for none.
pub(crate) fn cleared(clear: crate::Clear, keys: &[String]) -> Option<String> {
    match clear {
        crate::Clear::Nothing => None,
        crate::Clear::Table => Some(String::new()),
        crate::Clear::NullKeys => Some(where_sql(None, KeyRange::Null.predicate(keys).as_deref())),
    }
}

/// `a AND b` of the predicates that are there.
pub(crate) fn and(a: Option<String>, b: Option<String>) -> Option<String> {
    match (a, b) {
        (Some(a), Some(b)) => Some(format!("{a} AND {b}")),
        (a, b) => a.or(b),
    }
}

/// `meta` without the columns `ignored`, its key's indexes moved to match.
fn without_columns(meta: TableMeta, ignored: &[String]) -> Result<TableMeta, ConnectorError> {
    let refuse = |column: &String, reason| ConnectorError::IgnoredColumn {
        table: meta.id.clone(),
        column: column.clone(),
        reason,
    };
    let key_names = meta.key_col_names();
    for column in ignored {
        if !meta.columns.iter().any(|c| &c.name == column) {
            return Err(refuse(
                column,
                "does not exist (or is a generated column, never copied)",
            ));
        }
        if key_names.contains(&column.as_str()) {
            return Err(refuse(
                column,
                "is in the key dt identifies the table's rows by (to resume and to upsert), so \
                 it cannot be ignored",
            ));
        }
    }
    if ignored.is_empty() {
        return Ok(meta);
    }
    let columns: Vec<ColumnMeta> = meta
        .columns
        .iter()
        .filter(|c| !ignored.contains(&c.name))
        .cloned()
        .collect();
    if columns.is_empty() {
        return Err(refuse(
            &ignored[0],
            "is among all the columns of the table; at least one must be copied",
        ));
    }
    let index = |i: usize| columns.iter().position(|c| c.name == meta.columns[i].name);
    Ok(TableMeta {
        key_cols: meta.key_cols.iter().filter_map(|&i| index(i)).collect(),
        columns,
        ..meta
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

    /// The same table read in bulk, counting the per-table questions that reach it.
    #[derive(Default)]
    struct Bulk(
        std::sync::atomic::AtomicUsize,
        std::sync::atomic::AtomicUsize,
    );

    #[async_trait]
    impl Catalog for Bulk {
        async fn columns(&self, id: &TableId) -> Result<Vec<ColumnMeta>, ConnectorError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Fake.columns(id).await
        }
        async fn unique_keys(
            &self,
            id: &TableId,
        ) -> Result<Vec<(bool, Vec<String>)>, ConnectorError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Fake.unique_keys(id).await
        }
        async fn estimated_rows(&self, id: &TableId) -> Result<u64, ConnectorError> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            Fake.estimated_rows(id).await
        }
        async fn schema(&self, schema: &str) -> Result<Option<SchemaCatalog>, ConnectorError> {
            self.1.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let id = TableId::new(schema, "t");
            let mut bulk = SchemaCatalog::default();
            bulk.columns.insert("t".into(), Fake.columns(&id).await?);
            bulk.keys.insert("t".into(), Fake.unique_keys(&id).await?);
            bulk.estimates.insert("t".into(), 7);
            Ok(Some(bulk))
        }
        fn quote_char(&self) -> char {
            '"'
        }
        fn unkeyed_rewrite(&self) -> &'static str {
            "would be lost"
        }
    }

    #[tokio::test]
    async fn a_schema_is_read_once_and_unknown_tables_on_their_own() {
        let cached = Cached::new(Bulk::default());
        let direct = describe(&Fake, &TableId::new("s", "t"), &[], |_| true, |_| None)
            .await
            .unwrap();
        for _ in 0..3 {
            let meta = describe(&cached, &TableId::new("s", "t"), &[], |_| true, |_| None)
                .await
                .unwrap();
            assert_eq!(
                (meta.columns, meta.key_cols, meta.estimated_rows),
                (direct.columns.clone(), direct.key_cols.clone(), 7)
            );
        }
        let calls = |c: &Cached<Bulk>| {
            use std::sync::atomic::Ordering::SeqCst;
            (c.inner.0.load(SeqCst), c.inner.1.load(SeqCst))
        };
        assert_eq!(calls(&cached), (0, 1), "one bulk read, no per-table query");
        let gone = describe(&cached, &TableId::new("s", "gone"), &[], |_| true, |_| None).await;
        assert!(matches!(gone, Err(ConnectorError::MissingTable { .. })));
        assert_eq!(
            calls(&cached),
            (1, 1),
            "a table the bulk read lacks is asked about"
        );
    }

    fn router(tb_map: &str, col_map: &str) -> Router {
        Router::parse("", tb_map, col_map, Some('"')).unwrap()
    }

    #[tokio::test]
    async fn ignored_columns_are_left_out_unless_they_are_the_key() {
        let src = TableId::new("s", "t");
        let ignore = |cols: &[&str]| cols.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let meta = describe(&Fake, &src, &ignore(&["id"]), |_| true, |_| None)
            .await
            .unwrap();
        let names: Vec<&str> = meta.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["k", "v"]);
        assert_eq!(meta.key_cols, vec![0]);
        assert_eq!(meta.order_col_names(), ["k"]);
        let meta = describe(&Fake, &src, &ignore(&["v"]), |_| true, |_| None)
            .await
            .unwrap();
        assert_eq!((meta.columns.len(), meta.order_cols()), (2, &[1][..]));
        for (cols, why) in [(["k"], "is in the key"), (["zz"], "does not exist")] {
            let e = describe(&Fake, &src, &ignore(&cols), |_| true, |_| None)
                .await
                .unwrap_err()
                .to_string();
            assert!(
                e.contains(why) && e.contains(&format!("`{}`", cols[0])) && e.contains("`s`.`t`"),
                "{e}"
            );
        }
    }

    #[test]
    fn conditions_are_parenthesized_before_the_position() {
        assert_eq!(where_sql(None, None), "");
        assert_eq!(where_sql(None, Some("k > ?")), " WHERE k > ?");
        assert_eq!(where_sql(Some("a OR b"), None), " WHERE (a OR b\n)");
        assert_eq!(
            where_sql(Some("a OR b -- c"), Some("k > ?")),
            " WHERE (a OR b -- c\n) AND k > ?"
        );
    }

    #[tokio::test]
    async fn target_check_names_what_is_missing() {
        let src = TableId::new("s", "t");
        let mut meta = describe(&Fake, &src, &[], |_| true, |_| None)
            .await
            .unwrap();
        assert_eq!((meta.key, meta.estimated_rows), (KeyKind::Paged, 7));
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

        let e = describe(&Fake, &TableId::new("s", "gone"), &[], |_| true, |_| None).await;
        assert!(matches!(
            e,
            Err(ConnectorError::MissingTable { end: "source", .. })
        ));
    }
}
