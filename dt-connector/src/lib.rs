//! Extractors and sinkers of dt, one module per database with the same file names. An
//! extractor reads a table in its order column's order and asks only the `Resumer` trait
//! about earlier progress; a sinker writes batches idempotently, so rows re-sent after a
//! crash do no harm.

#[cfg(any(feature = "mysql", feature = "pg"))]
mod catalog;
mod error;
#[cfg(feature = "mongo")]
pub mod mongo;
#[cfg(feature = "mysql")]
pub mod mysql;
#[cfg(feature = "pg")]
pub mod pg;
#[cfg(any(feature = "mysql", feature = "pg"))]
pub mod progress_db;
mod verify;

use std::sync::Arc;

use anyhow::Result;
use async_trait::async_trait;
use dt_common::config::TaskConfig;
use dt_common::filter::NameFilter;
use dt_common::meta::{row_bytes, Row, Value};
pub use dt_common::KeySpan;
use dt_common::{ConfigError, DbType, Resumer, TableId};
use tokio::sync::mpsc;

pub use error::ConnectorError;
pub use verify::{build_verifiers, RowScope, TableDigest, Verifier};

/// One column of a source table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMeta {
    pub name: String,
    /// The database's own type name, e.g. `varchar` or `int unsigned`.
    pub type_name: String,
    pub nullable: bool,
}

/// How rows of a table are identified in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A primary or unique key of orderable columns (one or several): the table is paged by
    /// it in key order, positions are recorded, and rows are upserted by it. When the key
    /// allows NULL (`TableMeta::null_keys`), the rows with a NULL in it are copied apart.
    Paged,
    /// A key over NOT NULL columns of which one has no usable order (an ENUM, a JSON…):
    /// upserts are idempotent, but there is no position; an interrupted table is copied
    /// again from its start.
    Unpaged,
    /// No usable key: copied in one target transaction (see docs/en/snapshot/resume.md).
    None,
}

/// What a copy needs to know about one table.
#[derive(Debug, Clone)]
pub struct TableMeta {
    pub id: TableId,
    pub columns: Vec<ColumnMeta>,
    pub key: KeyKind,
    /// Indexes into `columns` of the key that identifies rows (empty for `KeyKind::None`);
    /// with `KeyKind::Paged` also the columns the table is ordered and paged by, in order.
    pub key_cols: Vec<usize>,
    /// The paged key allows NULL: rows with a NULL in a key column cannot be paged (they
    /// are not ordered by the key, and several may share it), so they are copied apart in
    /// one transaction and the paged read skips them.
    pub null_keys: bool,
    /// The source's estimate of its row count, for progress display.
    pub estimated_rows: u64,
    /// How the table's connector writes a value of a key column as position text; its
    /// extractor reads that text back (each database's `position` module does both).
    pub key_text: fn(&Value) -> Option<String>,
    /// The rows carry their values in the connector's binary form (PostgreSQL's COPY binary
    /// fields), which only a target of the same kind whose columns have the same types can
    /// take. The extractor offers it when it plans the table; the task keeps it only when
    /// [`Sinker::takes_binary_rows`] agrees, before any row is read.
    pub binary_rows: bool,
}

impl TableMeta {
    /// The columns the table is paged by, in key order; empty when it is not paged.
    pub fn order_cols(&self) -> &[usize] {
        match self.key {
            KeyKind::Paged => &self.key_cols,
            KeyKind::Unpaged | KeyKind::None => &[],
        }
    }

    /// The names of [`TableMeta::order_cols`].
    pub fn order_col_names(&self) -> Vec<&str> {
        self.names(self.order_cols())
    }

    /// The names of the key's columns, in key order.
    pub fn key_col_names(&self) -> Vec<&str> {
        self.names(&self.key_cols)
    }

    /// The key's columns as identifiers in SQL, quoted by `quote`.
    pub fn quoted_key_cols(&self, quote: fn(&str) -> String) -> Vec<String> {
        self.key_col_names().into_iter().map(quote).collect()
    }

    fn names(&self, cols: &[usize]) -> Vec<&str> {
        cols.iter()
            .map(|&i| self.columns[i].name.as_str())
            .collect()
    }

    /// The position text of `row`'s key values; `None` if one cannot be written (NULL).
    pub fn position_of(&self, row: &Row) -> Option<Vec<String>> {
        self.order_cols()
            .iter()
            .map(|&i| (self.key_text)(&row[i]))
            .collect()
    }
}

/// A sequence of the source as it stands after the copy. Copying it to the target keeps
/// new rows written there from drawing key values that copied rows already use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SequenceState {
    /// The sequence's own schema and name.
    pub id: TableId,
    /// The table column it feeds (a `serial` or identity column), if it belongs to one.
    pub owner: Option<(TableId, String)>,
    pub last_value: i64,
    /// False when `nextval` was never called: the next value is `last_value` itself.
    pub is_called: bool,
}

/// An object that belongs with the copied tables and is brought to the target after their
/// rows, at the end of every successful run (each is set idempotently).
#[derive(Debug, Clone, PartialEq)]
pub enum DbObject {
    Sequence(SequenceState),
    /// A MongoDB secondary index: its collection and its `listIndexes` entry.
    #[cfg(feature = "mongo")]
    MongoIndex {
        coll: TableId,
        spec: bson::Document,
    },
}

/// Chooses how a table is paged and identified, from its unique keys given as
/// (is_primary, column names), primary key first.
///
/// In order of preference: a single-column key over a NOT NULL column of a type that
/// `orderable` accepts; a key of several NOT NULL orderable columns; both `Paged`. Then a
/// key over NOT NULL columns of which one is not orderable: `Unpaged`. Then a key of
/// orderable columns that allow NULL: `Paged` with null keys. Otherwise `None`. Returns the
/// kind, the key's column indexes and whether the key allows NULL.
pub fn choose_key(
    columns: &[ColumnMeta],
    keys: &[(bool, Vec<String>)],
    orderable: impl Fn(&ColumnMeta) -> bool,
) -> (KeyKind, Vec<usize>, bool) {
    let keys: Vec<Vec<usize>> = keys
        .iter()
        .filter_map(|(_, cols)| {
            cols.iter()
                .map(|c| columns.iter().position(|m| &m.name == c))
                .collect()
        })
        .filter(|cols: &Vec<usize>| !cols.is_empty())
        .collect();
    let not_null = |k: &&Vec<usize>| k.iter().all(|&i| !columns[i].nullable);
    let ordered = |k: &&Vec<usize>| k.iter().all(|&i| orderable(&columns[i]));
    let choice = keys
        .iter()
        .filter(not_null)
        .filter(ordered)
        .find(|k| k.len() == 1)
        .or_else(|| keys.iter().filter(not_null).find(ordered))
        .map(|k| (KeyKind::Paged, k, false))
        .or_else(|| {
            keys.iter()
                .find(not_null)
                .map(|k| (KeyKind::Unpaged, k, false))
        })
        .or_else(|| keys.iter().find(ordered).map(|k| (KeyKind::Paged, k, true)));
    match choice {
        Some((kind, cols, nulls)) => (kind, cols.clone(), nulls),
        None => (KeyKind::None, Vec::new(), false),
    }
}

/// The decision every extractor makes the same way: a table finished earlier is skipped;
/// otherwise it is described and, when it is paged by its key, resumed after the key values
/// the resumer recorded for those columns.
pub async fn plan_table<F>(resumer: &dyn Resumer, id: &TableId, describe: F) -> Result<TablePlan>
where
    F: std::future::Future<Output = Result<TableMeta>>,
{
    if resumer.check_finished(&id.schema, &id.tb) {
        return Ok(TablePlan::Finished);
    }
    let meta = describe.await?;
    let cols = meta.order_col_names();
    if !cols.is_empty() {
        if let Some(chunks) = resumer.get_resume_chunks(&id.schema, &id.tb, &cols) {
            return Ok(TablePlan::Copy {
                meta,
                resume: None,
                chunks: Some(chunks),
            });
        }
    }
    let resume = match cols.as_slice() {
        [] => {
            // A table read by pages resumes after its last committed page range.
            let page = match meta.key {
                KeyKind::None => resumer.get_resume_value(&id.schema, &id.tb, PAGE_COL),
                _ => None,
            };
            if page.is_some() {
                return Ok(TablePlan::Copy {
                    meta,
                    resume: page.map(|v| vec![v]),
                    chunks: None,
                });
            }
            if let Some(position) = resumer.recorded_position(&id.schema, &id.tb) {
                tracing::warn!("{}", unused_position_note(&meta, &position));
            }
            None
        }
        [col] => resumer
            .get_resume_value(&id.schema, &id.tb, col)
            .map(|v| vec![v]),
        cols => resumer.get_resume_values(&id.schema, &id.tb, cols),
    };
    Ok(TablePlan::Copy {
        meta,
        resume,
        chunks: None,
    })
}

/// Bounds that cut the integers `min..=max` of a key's first column into chunks of about
/// `chunk_rows` of the table's `rows` rows, at most `max_chunks` of them, assuming the values
/// are spread evenly. `None` when they are too sparse or too dense for that to hold (fewer
/// than one row per thousand values, or more rows than twenty per value, so the estimate
/// is off): the caller then walks the key instead.
#[cfg(any(feature = "mysql", feature = "pg"))]
pub(crate) fn integer_bounds(
    min: i128,
    max: i128,
    rows: u64,
    chunk_rows: u64,
    max_chunks: usize,
) -> Option<Vec<i128>> {
    let span = max.checked_sub(min)?.checked_add(1)?;
    if rows == 0 || span <= 0 {
        return None;
    }
    let density = span as f64 / rows as f64;
    if !(0.05..=1000.0).contains(&density) {
        return None;
    }
    let chunks = rows
        .div_ceil(chunk_rows.max(1))
        .clamp(1, max_chunks.max(1) as u64) as i128;
    let step = (span + chunks - 1) / chunks;
    Some(
        (1..chunks)
            .map(|k| min + step * k - 1)
            .take_while(|&b| b < max)
            .collect(),
    )
}

/// Why a position recorded for a table without an order column is not resumed from, and
/// what is done instead (docs/en/snapshot/resume.md).
fn unused_position_note(meta: &TableMeta, position: &str) -> String {
    let id = &meta.id;
    match meta.key {
        KeyKind::None => format!(
            "resumer, {id} has a recorded position ({position}) but no primary or unique key \
             over NOT NULL columns; resuming after a value of a non-unique column could skip \
             rows holding the same value, so the whole table is copied again, replacing the \
             target table's rows in one transaction"
        ),
        _ => {
            let cols = meta.key_col_names();
            format!(
                "resumer, {id} has a recorded position ({position}) but its key ({}) has a \
                 column whose type gives no order to page by; the table is copied again from \
                 its start (rows already in the target are overwritten by that key, not \
                 doubled)",
                cols.join(", ")
            )
        }
    }
}

/// What the source's catalog says of one object of a database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CatalogEntry {
    /// A table dt copies.
    Table(TableId),
    /// An object dt does not copy (a view, a sequence…), with the reason.
    NotCopied(TableId, String),
    /// A partition, whose rows are copied through its parent table (the second id).
    Partition(TableId, TableId),
}

/// What a task selects in the source: the tables it copies, and every object of the
/// selected databases that it does not copy, each with the reason, so that nothing the user
/// asked for is left out without a word. Both lists are sorted by schema then name (bytes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub tables: Vec<TableId>,
    pub not_copied: Vec<(TableId, String)>,
}

impl Listing {
    /// Applies `filter` to the source's catalog. A table that `do_tbs` names without a
    /// wildcard and the catalog does not hold is reported as not copied.
    pub fn new(filter: &NameFilter, catalog: impl IntoIterator<Item = CatalogEntry>) -> Listing {
        let catalog: Vec<CatalogEntry> = catalog.into_iter().collect();
        let mut tables: Vec<TableId> = catalog
            .iter()
            .filter_map(|e| match e {
                CatalogEntry::Table(id) if filter.matches(id) => Some(id.clone()),
                _ => None,
            })
            .collect();
        tables.sort();
        let mut not_copied: Vec<(TableId, String)> = catalog
            .iter()
            .filter_map(|e| match e {
                CatalogEntry::NotCopied(id, why) if filter.matches(id) => {
                    Some((id.clone(), why.clone()))
                }
                CatalogEntry::Partition(id, parent)
                    if filter.matches(id) && tables.binary_search(parent).is_err() =>
                {
                    Some((
                        id.clone(),
                        format!(
                            "a partition of {parent}, which the filter does not select; \
                             partitions are copied through their parent table"
                        ),
                    ))
                }
                _ => None,
            })
            .collect();
        let known = |id: &TableId| {
            catalog.iter().any(|e| match e {
                CatalogEntry::Table(t)
                | CatalogEntry::NotCopied(t, _)
                | CatalogEntry::Partition(t, _) => t == id,
            })
        };
        for id in filter.exact_tables() {
            if !known(&id) && !not_copied.iter().any(|(t, _)| *t == id) {
                let why = "named in filter.do_tbs but not found in the source".to_string();
                not_copied.push((id, why));
            }
        }
        not_copied.sort();
        Listing { tables, not_copied }
    }
}

/// Receives the rows of an atomic copy: `Some(rows)`, `None` once `Commit` arrives, or an
/// error when the sender went away without `Commit` (the copy was aborted).
pub async fn next_atomic_rows(
    rx: &mut mpsc::Receiver<AtomicMsg>,
    id: &TableId,
) -> Result<Option<Vec<Row>>> {
    match rx.recv().await {
        Some(AtomicMsg::Rows(rows)) => Ok(Some(rows)),
        Some(AtomicMsg::Commit) => Ok(None),
        None => anyhow::bail!("copy of {id} was aborted; its transaction is rolled back"),
    }
}

/// The extractor's decision for one table.
#[derive(Debug, Clone)]
pub enum TablePlan {
    /// An earlier run finished the table.
    Finished,
    /// Copy the table; when it is paged, after `resume`, the position text of each of its
    /// order columns ([`TableMeta::order_cols`]) as an earlier run recorded them, or, when an
    /// earlier run copied it in chunks, the key ranges its unfinished chunks still hold.
    Copy {
        meta: TableMeta,
        resume: Option<Vec<String>>,
        chunks: Option<Vec<KeySpan>>,
    },
}

/// Rows read from a source, in the table's key order when it is paged.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    pub rows: Vec<Row>,
    /// For a table read by pages ([`Extractor::extract_pages`]), the position after this
    /// batch: every row before it is in this batch or an earlier one.
    pub end: Option<Vec<String>>,
}

/// The column name of a position in the physical row order of a table without a usable key
/// (PostgreSQL's `ctid`; docs/en/snapshot/resume.md, "Tables without a key, by pages").
pub const PAGE_COL: &str = "ctid";

/// The most bytes of rows a batch from an extractor holds (besides `batch_size` rows): a
/// page of large rows (BLOBs, big documents) is cut short rather than filling memory.
pub const BATCH_BYTES: usize = 16 << 20;

/// Rows of a table's first page, read before its row size is known.
#[cfg(any(feature = "mysql", feature = "pg"))]
const FIRST_PAGE_ROWS: usize = 16;

/// The LIMIT of each page of a paged read: at most `batch_size` rows and, from the second
/// page on, about [`BATCH_BYTES`] at the average row size seen so far.
#[cfg(any(feature = "mysql", feature = "pg"))]
pub(crate) struct PageSizer {
    max_rows: usize,
    next: usize,
    rows: u64,
    bytes: u64,
}

#[cfg(any(feature = "mysql", feature = "pg"))]
impl PageSizer {
    pub fn new(batch_size: usize) -> Self {
        PageSizer {
            max_rows: batch_size.max(1),
            next: batch_size.clamp(1, FIRST_PAGE_ROWS),
            rows: 0,
            bytes: 0,
        }
    }

    /// The LIMIT of the next page.
    pub fn limit(&self) -> usize {
        self.next
    }

    /// Takes in a page just read.
    pub fn observe(&mut self, rows: &[Row]) {
        self.rows += rows.len() as u64;
        self.bytes += rows.iter().map(|r| row_bytes(r) as u64).sum::<u64>();
        let avg = (self.bytes / self.rows.max(1)).max(1);
        self.next = ((BATCH_BYTES as u64 / avg) as usize).clamp(1, self.max_rows);
    }
}

/// Collects streamed rows into batches of at most `batch_size` rows or [`BATCH_BYTES`].
pub(crate) struct Batcher {
    max_rows: usize,
    rows: Vec<Row>,
    bytes: usize,
}

impl Batcher {
    pub fn new(batch_size: usize) -> Self {
        Batcher {
            max_rows: batch_size.max(1),
            rows: Vec::new(),
            bytes: 0,
        }
    }

    /// Adds a row; true when the batch is full.
    pub fn push(&mut self, row: Row) -> bool {
        self.bytes += row_bytes(&row);
        self.rows.push(row);
        self.rows.len() >= self.max_rows || self.bytes >= BATCH_BYTES
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The rows collected so far; the batcher starts over.
    pub fn take(&mut self) -> Vec<Row> {
        self.bytes = 0;
        std::mem::take(&mut self.rows)
    }
}

/// What the writer of a table without a usable key receives: rows, then `Commit` once the
/// source has been read completely. Without `Commit` nothing is committed.
#[derive(Debug)]
pub enum AtomicMsg {
    Rows(Vec<Row>),
    Commit,
}

/// A record to write into the progress table (`[resumer] resume_type=from_target`) inside another transaction on the same
/// server (the sinker's, with the rows it records): the upsert statement of the table and
/// its four parameters (task id, kind, key, data).
#[derive(Debug, Clone)]
pub struct ProgressRow {
    pub sql: std::sync::Arc<str>,
    pub params: [String; 4],
}

/// What an atomic write deletes from the target table before its rows, in its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clear {
    /// Nothing: a first copy adds to what the target holds.
    Nothing,
    /// Every row: a key-less table copied again after an interruption.
    Table,
    /// The rows with a NULL in a key column (`TableMeta::null_keys`), copied again after
    /// an interruption.
    NullKeys,
}

/// Reads tables of a source.
///
/// Driving loop: `list_tables` once; per table `plan` (which asks the resumer whether the
/// table is finished and where it stopped), then `extract` with the plan, which sends
/// batches in key order and returns the number of rows read. For a table whose paged key
/// allows NULL, `extract_null_keys` reads the rows that `extract` leaves out.
#[async_trait]
pub trait Extractor: Send + Sync {
    /// Tables the filter selects, and what of the selected databases is not copied.
    async fn list_tables(&self) -> Result<Listing>;
    /// Decides how to copy `id`, consulting the resumer.
    async fn plan(&self, id: &TableId) -> Result<TablePlan>;
    /// Reads the rows of `span` of a paged table in key order, or a table that is not paged
    /// whole (`span` is then the whole key), sending batches of at most `batch_size` rows.
    /// A paged table's rows with a NULL in the key are left out.
    async fn extract(
        &self,
        meta: &TableMeta,
        span: &KeySpan,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64>;
    /// Bounds that cut the key of a paged table after `after` into chunks of about
    /// `chunk_rows` rows, at most `max_chunks` of them, in key order: each bound is the
    /// inclusive end of one chunk and the exclusive start of the next. Empty when the
    /// source does not split tables, or the table is too small to split.
    async fn split(
        &self,
        _meta: &TableMeta,
        _after: Option<&[String]>,
        _chunk_rows: u64,
        _max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        Ok(Vec::new())
    }
    /// Whether [`Extractor::extract_pages`] can read `meta`, a table without a usable key.
    async fn reads_pages(&self, _meta: &TableMeta) -> Result<bool> {
        Ok(false)
    }
    /// Reads a table without a usable key in ranges of whole pages of its storage, in
    /// physical order, starting at position `after` (a batch's [`Batch::end`] of an earlier
    /// run) or at the first page: each batch is one range and carries the position after it.
    async fn extract_pages(
        &self,
        meta: &TableMeta,
        _after: Option<&[String]>,
        _tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        anyhow::bail!("{}: this source cannot read a table by pages", meta.id)
    }
    /// Reads the rows of a paged table ([`TableMeta::null_keys`]) with a NULL in a key
    /// column, in no particular order.
    async fn extract_null_keys(&self, meta: &TableMeta, _tx: mpsc::Sender<Batch>) -> Result<u64> {
        anyhow::bail!("{}: this source has no keys that allow NULL", meta.id)
    }
    /// Objects that belong with `tables` (the selected ones, finished or not), read after
    /// the copy: PostgreSQL sequences, MongoDB indexes. MySQL has none to bring: its
    /// AUTO_INCREMENT follows the inserted values, and dt creates no schema objects there.
    async fn objects(&self, _tables: &[TableId]) -> Result<Vec<DbObject>> {
        Ok(Vec::new())
    }
}

/// Writes rows to a target.
///
/// Driving loop: `prepare` once per table (checks the target table), then `write` for each
/// batch, from several tasks at once, and `write_atomic` with all batches of a table without
/// a usable key, or of the rows of a paged table whose key holds NULL.
#[async_trait]
pub trait Sinker: Send + Sync {
    /// Checks that the target table of `meta` exists and has the columns needed.
    async fn prepare(&self, meta: &TableMeta) -> Result<()>;
    /// [`Sinker::prepare`] for a table that the schema copy created empty in this run and
    /// gives its unique keys after the rows ([`SchemaReport::keys_after_rows`]): every row
    /// is sent once, so none can meet itself, and the key is not needed yet.
    async fn prepare_keys_later(&self, meta: &TableMeta) -> Result<()> {
        self.prepare(meta).await
    }
    /// Whether the target table of `meta` can take its rows in the binary form the source
    /// offers ([`TableMeta::binary_rows`]).
    async fn takes_binary_rows(&self, _meta: &TableMeta) -> Result<bool> {
        Ok(false)
    }
    /// Whether the target table of `meta` holds rows of `part` (every row for
    /// `Clear::Table`, those with a NULL in the key for `Clear::NullKeys`): rows that an
    /// atomic copy without clearing would add a second time.
    async fn holds(&self, _meta: &TableMeta, _part: Clear) -> Result<bool> {
        Ok(false)
    }
    /// Before the first row of `meta` goes in: when the target table holds no row, takes
    /// its plain secondary indexes out of the way of the rows, to be built by
    /// [`Sinker::build_deferred_indexes`] once they are in (docs/en/snapshot/resume.md,
    /// "Indexes after the rows"); returns their names.
    async fn defer_indexes(&self, _meta: &TableMeta) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// Builds the indexes of the target table of source table `id` that this run or an
    /// earlier one deferred ([`Sinker::defer_indexes`]); returns their names.
    async fn build_deferred_indexes(&self, _id: &TableId) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// Writes rows idempotently: a row already present (by key) is replaced, or with
    /// `[sinker] replace=false` is an error (see [`dt_common::config::ConflictMode`]).
    async fn write(&self, meta: &TableMeta, rows: &[Row]) -> Result<()>;
    /// Writes `rows` as [`Sinker::write`] does, and `record` in the same target transaction,
    /// so that the progress it holds commits exactly with them (`[resumer]
    /// resume_type=from_target`, docs/en/snapshot/resume.md, "Progress committed with the
    /// rows"). Rows go in with plain inserts (COPY on PostgreSQL); a key the target already
    /// holds is then handled as `[sinker] replace` says, in the same transaction.
    async fn write_recorded(
        &self,
        meta: &TableMeta,
        _rows: &[Row],
        _record: &ProgressRow,
    ) -> Result<()> {
        anyhow::bail!(
            "{}: this target cannot keep progress in the transactions of its rows",
            meta.id
        )
    }
    /// Writes every row of `rx` in one transaction, committed only on `AtomicMsg::Commit`;
    /// the target rows `clear` names are deleted first in the same transaction, and `record`
    /// is written into the progress table in it last. Returns the rows written.
    async fn write_atomic(
        &self,
        meta: &TableMeta,
        clear: Clear,
        rx: mpsc::Receiver<AtomicMsg>,
        record: Option<&ProgressRow>,
    ) -> Result<u64>;
    /// Whether each table's objects ([`Extractor::objects`]) are brought over as soon as
    /// its rows are in, rather than after the last table: MongoDB's index builds then
    /// overlap the copy of the collections still going.
    fn objects_per_table(&self) -> bool {
        false
    }
    /// Brings `objects` to the target; returns how many were set. One that cannot be
    /// matched in the target is a warning in default.log, not an error.
    async fn apply_objects(&self, objects: &[DbObject]) -> Result<usize> {
        debug_assert!(objects.is_empty(), "this sinker has no objects to apply");
        Ok(0)
    }
}

/// When schema objects are created around the rows (docs/en/structure.md): what the rows
/// need before them (schemas, types, tables, primary and unique keys…), and what is faster
/// built after them (secondary indexes, foreign keys, triggers…).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    PreData,
    PostData,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::PreData => "pre-data",
            Phase::PostData => "post-data",
        }
    }
}

/// What one phase of a schema copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaReport {
    /// Objects created in the target.
    pub created: usize,
    /// Objects the target held already, identical to the source's.
    pub identical: usize,
    /// Objects the target held already, different, left as they are
    /// (`[sinker] conflict_policy=ignore`).
    pub ignored: usize,
    /// Tables created empty by a pre-data phase whose primary and unique keys the
    /// post-data phase builds, after the rows (docs/en/structure.md, "Keys after the rows").
    pub keys_after_rows: Vec<TableId>,
}

impl SchemaReport {
    /// Adds the counts of `other`, a part of the same phase.
    pub fn add(&mut self, other: &SchemaReport) {
        self.created += other.created;
        self.identical += other.identical;
        self.ignored += other.ignored;
    }

    /// The phase's summary line in default.log.
    pub fn log(&self, phase: Phase) {
        tracing::info!(
            "schema, {}: {} object(s) created, {} already in the target, {} differing left as they are",
            phase.name(),
            self.created,
            self.identical,
            self.ignored
        );
    }
}

/// An object `label` the target holds and whose definition differs from the source's
/// (`why`): an error, or with `[sinker] conflict_policy=ignore` (`ignore`) a warning.
#[cfg(any(feature = "mysql", feature = "pg", feature = "mongo"))]
fn schema_conflict(label: &str, why: &str, ignore: bool) -> Result<()> {
    if !ignore {
        anyhow::bail!(
            "{label} exists in the target and differs from the source's: {why} (drop it in the \
             target, or set [sinker] conflict_policy=ignore to keep it)"
        );
    }
    tracing::warn!("schema, {label} differs in the target and is left as it is: {why}");
    Ok(())
}

/// The first line where the target's definition of an object differs from the source's.
#[cfg(any(feature = "mysql", feature = "pg"))]
fn first_difference(target: &str, source: &str) -> String {
    let (mut t, mut s) = (target.lines(), source.lines());
    loop {
        match (t.next(), s.next()) {
            (Some(a), Some(b)) if a == b => continue,
            (a, b) => {
                return format!(
                    "target has `{}`, source has `{}`",
                    a.unwrap_or("(end)").trim(),
                    b.unwrap_or("(end)").trim()
                )
            }
        }
    }
}

/// What a schema copy tells of each object it has created.
pub type Created = dyn Fn(String) + Send + Sync;

/// Copies the schema objects of the selected tables' databases.
#[async_trait]
pub trait SchemaCopier: Send + Sync {
    /// Creates in the target the objects of `phase` that it lacks; one that exists and
    /// differs is an error, unless the conflict policy says to leave it. `created` is told
    /// the name of each object (`INDEX public.orders_customer`) once it is committed.
    async fn copy(
        &self,
        phase: Phase,
        tables: &[TableId],
        created: &Created,
    ) -> Result<SchemaReport>;
}

/// The schema copy of a task (docs/en/structure.md).
pub async fn build_schema(cfg: &TaskConfig) -> Result<Box<dyn SchemaCopier>> {
    match cfg.extractor.db_type {
        #[cfg(feature = "pg")]
        DbType::Pg => pg::schema(cfg).await,
        #[cfg(feature = "mysql")]
        DbType::Mysql => mysql::schema(cfg).await,
        #[cfg(feature = "mongo")]
        DbType::Mongo => mongo::schema(cfg).await,
        #[allow(unreachable_patterns)]
        db => Err(ConnectorError::unsupported(db).into()),
    }
}

/// Checks what only the connectors can check before anything connects: that both URLs are
/// ones the database's driver can read, and the options only some databases understand. A
/// database this build has no connector for is a config error too.
pub fn check_config(cfg: &TaskConfig) -> std::result::Result<(), ConfigError> {
    let db = cfg.extractor.db_type;
    match db {
        #[cfg(feature = "mysql")]
        DbType::Mysql => mysql::check_config(cfg),
        #[cfg(feature = "pg")]
        DbType::Pg => pg::check_config(cfg),
        #[cfg(feature = "mongo")]
        DbType::Mongo => mongo::check_config(cfg),
        #[allow(unreachable_patterns)]
        _ => Err(ConfigError::invalid(
            "extractor",
            "db_type",
            db.as_str(),
            ConnectorError::unsupported(db).to_string(),
        )),
    }
}

/// Checks both URLs of a task with `parse`, the driver's own URL parser.
#[cfg(any(feature = "mysql", feature = "pg", feature = "mongo"))]
fn check_urls<E: std::fmt::Display>(
    cfg: &TaskConfig,
    parse: impl Fn(&str) -> std::result::Result<(), E>,
) -> std::result::Result<(), ConfigError> {
    for (section, url) in [
        ("extractor", &cfg.extractor.url),
        ("sinker", &cfg.sinker.url),
    ] {
        parse(url).map_err(|e| ConfigError::invalid(section, "url", url, e.to_string()))?;
    }
    Ok(())
}

/// Refuses `[sinker] disable_triggers`, an option of PostgreSQL targets only ([`pg`]), for
/// another target; `why` says what that target does instead.
#[cfg(any(feature = "mysql", feature = "mongo"))]
fn refuse_disable_triggers(cfg: &TaskConfig, why: &str) -> std::result::Result<(), ConfigError> {
    if cfg.sinker.disable_triggers != Some(true) {
        return Ok(());
    }
    Err(ConfigError::invalid(
        "sinker",
        "disable_triggers",
        "true",
        format!("only PostgreSQL targets can disable triggers ({why})"),
    ))
}

/// Builds the extractor and sinker of a task.
pub async fn build(
    cfg: &TaskConfig,
    resumer: Arc<dyn Resumer>,
) -> Result<(Box<dyn Extractor>, Box<dyn Sinker>)> {
    match cfg.extractor.db_type {
        #[cfg(feature = "mysql")]
        DbType::Mysql => mysql::build(cfg, resumer).await,
        #[cfg(feature = "pg")]
        DbType::Pg => pg::build(cfg, resumer).await,
        #[cfg(feature = "mongo")]
        DbType::Mongo => mongo::build(cfg, resumer).await,
        #[allow(unreachable_patterns)]
        db => Err(ConnectorError::unsupported(db).into()),
    }
}

/// How the resumer checks a position value of `db_type` while reading progress files, so
/// that a bad value is refused with its file and line: MongoDB `_id`s have one form for every
/// collection. MySQL and PostgreSQL values depend on the key column's type and are checked
/// when the table is read.
pub fn position_value_check(db_type: DbType) -> Option<dt_common::ValueCheck> {
    match db_type {
        #[cfg(feature = "mongo")]
        DbType::Mongo => Some(mongo::check_position_value),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, nullable: bool, type_name: &str) -> ColumnMeta {
        ColumnMeta {
            name: name.into(),
            type_name: type_name.into(),
            nullable,
        }
    }

    #[test]
    fn listing_names_what_is_not_copied() {
        use dt_common::filter::{parse_db_list, parse_tb_list};
        let q = Some('`');
        let filter = NameFilter {
            do_dbs: parse_db_list("shop", q).unwrap(),
            do_tbs: parse_tb_list("crm.users,crm.gone,`crm`.`x*`,crm.y*", q).unwrap(),
            ..Default::default()
        };
        let t = TableId::new;
        let listing = Listing::new(
            &filter,
            [
                CatalogEntry::Table(t("shop", "b")),
                CatalogEntry::Table(t("shop", "a")),
                CatalogEntry::NotCopied(t("shop", "v"), "a view".into()),
                CatalogEntry::NotCopied(t("other", "v"), "a view".into()),
                CatalogEntry::Partition(t("shop", "b_1"), t("shop", "b")),
                CatalogEntry::Partition(t("other", "p_1"), t("other", "p")),
                CatalogEntry::Partition(t("crm", "users_1"), t("crm", "users")),
                CatalogEntry::Table(t("crm", "users")),
                CatalogEntry::Table(t("crm", "other")),
            ],
        );
        assert_eq!(
            listing.tables,
            vec![t("crm", "users"), t("shop", "a"), t("shop", "b")]
        );
        let named: Vec<&TableId> = listing.not_copied.iter().map(|(id, _)| id).collect();
        // `x*` is quoted, so it names one table; `y*` is a wildcard and may match nothing.
        assert_eq!(
            named,
            vec![&t("crm", "gone"), &t("crm", "x*"), &t("shop", "v")]
        );
        assert!(listing.not_copied[0].1.contains("not found"));
    }

    #[cfg(feature = "mysql")]
    #[test]
    fn options_of_other_databases_are_refused() {
        let ini = "[extractor]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3307\n\
                   [sinker]\ndb_type=mysql\nurl=mysql://root@127.0.0.1:3308\n";
        let cfg = TaskConfig::from_ini_str(ini).unwrap();
        check_config(&cfg).unwrap();
        let cfg = TaskConfig::from_ini_str(&format!("{ini}disable_triggers=true\n")).unwrap();
        let err = check_config(&cfg).unwrap_err().to_string();
        assert!(
            err.contains("sinker.disable_triggers") && err.contains("only PostgreSQL"),
            "{err}"
        );
    }

    #[cfg(not(feature = "pg"))]
    #[test]
    fn a_database_left_out_of_the_build_is_a_config_error() {
        let ini = "[extractor]\ndb_type=pg\nurl=postgres://u@h/db\n\
                   [sinker]\ndb_type=pg\nurl=postgres://u@h/db\n";
        let cfg = TaskConfig::from_ini_str(ini).unwrap();
        let err = check_config(&cfg).unwrap_err().to_string();
        assert!(
            err.contains("extractor.db_type") && err.contains("`pg` feature"),
            "{err}"
        );
    }

    #[test]
    #[cfg(any(feature = "mysql", feature = "pg"))]
    fn integer_bounds_split_evenly_and_refuse_sparse_keys() {
        assert_eq!(integer_bounds(1, 100, 100, 25, 64), Some(vec![25, 50, 75]));
        assert_eq!(integer_bounds(1, 100, 100, 1000, 64), Some(vec![]));
        assert_eq!(integer_bounds(1, 100, 100, 1, 4), Some(vec![25, 50, 75]));
        assert_eq!(integer_bounds(-10, 9, 20, 10, 64), Some(vec![-1]));
        assert_eq!(integer_bounds(1, 1_000_000_000, 100, 10, 64), None);
        assert_eq!(integer_bounds(1, 10, 1000, 10, 64), None);
        assert_eq!(integer_bounds(1, 10, 0, 10, 64), None);
        assert_eq!(integer_bounds(i128::MIN, i128::MAX, 10, 1, 64), None);
    }

    #[test]
    fn key_choice_follows_the_rules() {
        let cols = vec![
            col("a", false, "int"),
            col("b", false, "int"),
            col("c", true, "int"),
            col("e", false, "enum"),
        ];
        let k = |keys: &[(bool, &[&str])]| {
            let keys: Vec<(bool, Vec<String>)> = keys
                .iter()
                .map(|(p, c)| (*p, c.iter().map(|s| s.to_string()).collect()))
                .collect();
            choose_key(&cols, &keys, |c| c.type_name != "enum")
        };
        let paged = |cols: Vec<usize>| (KeyKind::Paged, cols, false);
        assert_eq!(k(&[(true, &["b"])]), paged(vec![1]));
        assert_eq!(k(&[(true, &["a", "b"]), (false, &["b"])]), paged(vec![1]));
        assert_eq!(k(&[(true, &["a", "b"])]), paged(vec![0, 1]));
        assert_eq!(
            k(&[(true, &["b", "a"])]),
            paged(vec![1, 0]),
            "key order kept"
        );
        assert_eq!(
            k(&[(true, &["e"]), (false, &["c"])]),
            (KeyKind::Unpaged, vec![3], false)
        );
        assert_eq!(
            k(&[(true, &["a", "e"]), (false, &["b", "a"])]),
            paged(vec![1, 0])
        );
        assert_eq!(k(&[(false, &["c"])]), (KeyKind::Paged, vec![2], true));
        assert_eq!(
            k(&[(false, &["c", "a"])]),
            (KeyKind::Paged, vec![2, 0], true)
        );
        assert_eq!(k(&[(false, &["c", "e"])]), (KeyKind::None, vec![], false));
        assert_eq!(k(&[]), (KeyKind::None, vec![], false));
    }
}
