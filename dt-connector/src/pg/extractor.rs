//! PostgreSQL extractor: tables of the URL's database chosen by the filter, paged by the key
//! in its types' own order (`WHERE (a, b) > ('v'::type, 'w'::type) ORDER BY a, b`, text keys
//! in their collation), values read in text form over the simple query protocol.

use std::sync::Arc;

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::filter::NameFilter;
use dt_common::meta::Row;
use dt_common::row_filter::RowFilter;
use dt_common::{Resumer, TableId};
use futures::TryStreamExt;
use sqlx::postgres::{PgConnection, PgPool, Postgres};
use sqlx::{Executor, Transaction};
use tokio::sync::mpsc;

use super::binary;
use super::catalog::{self, relation, table_name};
use super::text::{parse_line, take_lines};
use super::{literal, position, quote};
use crate::catalog::{and, describe, where_sql, Cached, KeyRange};
use crate::{
    integer_bounds, plan_table, Batch, Batcher, ConnectorError, DbObject, Extractor, KeySpan,
    Listing, PageSizer, SequenceState, TableMeta, TablePlan,
};

pub struct PgExtractor {
    pool: PgPool,
    catalog: Cached<PgPool>,
    filter: NameFilter,
    rows: RowFilter,
    resumer: Arc<dyn Resumer>,
    batch_size: usize,
    /// The snapshot every read of this run sees, exported by the transaction `_holder`
    /// keeps open; `None` when it could not be exported.
    snapshot: Option<String>,
    _holder: Option<tokio::sync::Mutex<PgConnection>>,
}

impl PgExtractor {
    pub fn new(
        pool: PgPool,
        (filter, rows): (NameFilter, RowFilter),
        resumer: Arc<dyn Resumer>,
        batch_size: usize,
        snapshot: Option<(String, PgConnection)>,
    ) -> Self {
        let (snapshot, holder) = match snapshot {
            Some((id, conn)) => (Some(id), Some(tokio::sync::Mutex::new(conn))),
            None => (None, None),
        };
        PgExtractor {
            catalog: Cached::new(pool.clone()),
            pool,
            filter,
            rows,
            resumer,
            batch_size,
            snapshot,
            _holder: holder,
        }
    }

    async fn source_relation(&self, id: &TableId) -> Result<String> {
        relation(&self.pool, id).await?.ok_or_else(|| {
            ConnectorError::MissingTable {
                end: "source",
                table: id.clone(),
            }
            .into()
        })
    }

    fn select_list(meta: &TableMeta) -> String {
        meta.columns
            .iter()
            .map(|c| quote(&c.name))
            .collect::<Vec<_>>()
            .join(",")
    }

    async fn extract_paged(
        &self,
        meta: &TableMeta,
        span: &KeySpan,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let (cols, table) = (
            Self::select_list(meta),
            self.source_relation(&meta.id).await?,
        );
        let order = meta.order_cols();
        let keys = meta.quoted_key_cols(quote);
        let mut pages = PageSizer::new(self.batch_size);
        let mut last: Option<Vec<String>> = span.after.clone();
        let mut total = 0u64;
        let cond = self.rows.condition(&meta.id);
        let upto = span
            .upto
            .as_deref()
            .map(|texts| key_cmp(meta, &keys, "<=", texts))
            .transpose()?;
        let range = and(KeyRange::paged(meta).predicate(&keys), upto);
        let order_by = keys.join(",");
        loop {
            let n = pages.limit();
            let after = last
                .as_deref()
                .map(|texts| key_cmp(meta, &keys, ">", texts))
                .transpose()?;
            let filter = where_sql(cond, and(range.clone(), after).as_deref());
            let select =
                format!("SELECT {cols} FROM {table}{filter} ORDER BY {order_by} LIMIT {n}");
            let mut rows = Vec::with_capacity(n);
            self.copy_out(&select, order, binary_keys(meta), |row| {
                rows.push(row);
                Ok(())
            })
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e))?;
            let full = rows.len() == n;
            pages.observe(&rows);
            let Some(last_row) = rows.last() else { break };
            last = order
                .iter()
                .map(|&i| position::encode(&last_row[i]))
                .collect();
            total += rows.len() as u64;
            if tx.send(Batch { rows, end: None }).await.is_err() || !full {
                break;
            }
        }
        Ok(total)
    }

    /// Bounds of chunks of about `chunk_rows` rows after `after`: on an integer first key
    /// column, evenly spaced values between its min and max; otherwise the key of every
    /// `chunk_rows`-th row, found by walking the key's index. Read in the run's snapshot.
    async fn bounds(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        chunk_rows: u64,
        max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        let order = meta.order_cols();
        let keys = meta.quoted_key_cols(quote);
        let table = self.source_relation(&meta.id).await?;
        let range = KeyRange::paged(meta).predicate(&keys);
        let filter = |after: Option<&[String]>| -> Result<String> {
            let cmp = after.map(|t| key_cmp(meta, &keys, ">", t)).transpose()?;
            Ok(where_sql(None, and(range.clone(), cmp).as_deref()))
        };
        let first_type = meta.columns[order[0]].type_name.as_str();
        if matches!(first_type, "smallint" | "integer" | "bigint") {
            let k = &keys[0];
            let select = format!("SELECT min({k}), max({k}) FROM {table}{}", filter(after)?);
            let mut ends = Vec::new();
            self.copy_out(&select, &[0, 1], None, |row| {
                ends = row.iter().map(position::encode).collect();
                Ok(())
            })
            .await?;
            let [Some(min), Some(max)] = ends.as_slice() else {
                return Ok(Vec::new());
            };
            if let Some(bounds) = integer_bounds(
                min.parse()?,
                max.parse()?,
                meta.estimated_rows,
                chunk_rows,
                max_chunks,
            ) {
                return Ok(bounds.into_iter().map(|b| vec![b.to_string()]).collect());
            }
        }
        let order_by = keys.join(",");
        let key_idx: Vec<usize> = (0..keys.len()).collect();
        let mut bounds: Vec<Vec<String>> = Vec::new();
        while bounds.len() + 1 < max_chunks {
            let select = format!(
                "SELECT {order_by} FROM {table}{} ORDER BY {order_by} LIMIT 1 OFFSET {}",
                filter(bounds.last().map(Vec::as_slice).or(after))?,
                chunk_rows.max(1) - 1
            );
            let mut found = None;
            self.copy_out(&select, &key_idx, None, |row| {
                found = row.iter().map(position::encode).collect();
                Ok(())
            })
            .await?;
            match found {
                Some(bound) => bounds.push(bound),
                None => break,
            }
        }
        Ok(bounds)
    }

    /// Reads the rows of `range` in one statement, in no particular order.
    async fn extract_stream(
        &self,
        meta: &TableMeta,
        range: KeyRange,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let ctx = || format!("cannot read source table {}", meta.id);
        let keys = meta.quoted_key_cols(quote);
        let select = format!(
            "SELECT {} FROM {}{}",
            Self::select_list(meta),
            self.source_relation(&meta.id).await?,
            where_sql(
                self.rows.condition(&meta.id),
                range.predicate(&keys).as_deref()
            )
        );
        let mut reader = self.reader().await.with_context(ctx)?;
        let mut decoder = Decoder::new(binary_keys(meta));
        let mut stream = reader
            .copy_out_raw(&decoder.copy(&select))
            .await
            .with_context(ctx)?;
        let (mut buf, mut total) = (Vec::new(), 0u64);
        let mut batcher = Batcher::new(self.batch_size);
        let mut full = Vec::new();
        loop {
            let chunk = stream.try_next().await.with_context(ctx)?;
            let done = chunk.is_none();
            if let Some(chunk) = chunk {
                buf.extend_from_slice(&chunk);
                decoder.take(&mut buf, &[], |row| {
                    if batcher.push(row) {
                        full.push(batcher.take());
                    }
                    Ok(())
                })?;
            }
            if done && !batcher.is_empty() {
                full.push(batcher.take());
            }
            for rows in full.drain(..) {
                total += rows.len() as u64;
                if tx.send(Batch { rows, end: None }).await.is_err() {
                    return Ok(total);
                }
            }
            if done {
                decoder
                    .finish(&buf)
                    .with_context(|| format!("COPY output of {}", meta.id))?;
                drop(stream);
                reader.commit().await.with_context(ctx)?;
                return Ok(total);
            }
        }
    }

    /// [`Extractor::extract_pages`]: ranges of pages of about `batch_size` rows (by the
    /// table's statistics), each read by a TID range scan in the run's snapshot. The table's
    /// size in pages is read once; a last range without an upper bound takes the rest.
    async fn read_pages(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        tx: &mpsc::Sender<Batch>,
    ) -> Result<u64> {
        let table = self.source_relation(&meta.id).await?;
        let mut start = match after {
            None => 0,
            Some([text]) => page_of(text).ok_or_else(|| {
                anyhow::anyhow!("bad resume position of {}: ctid {text}", meta.id)
            })?,
            Some(other) => anyhow::bail!("bad resume position of {}: {other:?}", meta.id),
        };
        let (pages, per_page): (i64, f64) = sqlx::query_as(
            "SELECT pg_relation_size(c.oid) / current_setting('block_size')::bigint, \
             CASE WHEN c.relpages > 0 AND c.reltuples > 0 \
             THEN c.reltuples::float8 / c.relpages ELSE 0 END \
             FROM pg_class c WHERE c.oid = to_regclass($1)",
        )
        .bind(table_name(&meta.id))
        .fetch_one(&self.pool)
        .await?;
        // Without statistics, assume 50 rows a page.
        let per_page = if per_page > 0.0 { per_page } else { 50.0 };
        let step = ((self.batch_size as f64 / per_page) as i64).max(1);
        let (cols, cond) = (Self::select_list(meta), self.rows.condition(&meta.id));
        let mut total = 0u64;
        loop {
            let end = start + step;
            let last = end >= pages;
            let range = match last {
                true => format!("ctid >= '({start},0)'::tid"),
                false => format!("ctid >= '({start},0)'::tid AND ctid < '({end},0)'::tid"),
            };
            let select = format!(
                "SELECT {cols} FROM {table}{}",
                where_sql(cond, Some(&range))
            );
            let mut rows = Vec::new();
            self.copy_out(&select, &[], binary_keys(meta), |row| {
                rows.push(row);
                Ok(())
            })
            .await?;
            total += rows.len() as u64;
            if !rows.is_empty() {
                let end = Some(vec![format!("({end},0)")]);
                if tx.send(Batch { rows, end }).await.is_err() {
                    break;
                }
            }
            if last {
                break;
            }
            start = end;
        }
        Ok(total)
    }

    /// Runs `COPY (select) TO STDOUT` and hands each parsed row to `each`: in text, with the
    /// fields `keys` unescaped for positions, or with `binary` in binary, with the key fields
    /// it names decoded.
    async fn copy_out(
        &self,
        select: &str,
        keys: &[usize],
        binary: Option<Vec<(usize, binary::Key)>>,
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let mut reader = self.reader().await?;
        let mut decoder = Decoder::new(binary);
        let mut stream = reader.copy_out_raw(&decoder.copy(select)).await?;
        let mut buf = Vec::new();
        while let Some(chunk) = stream.try_next().await? {
            buf.extend_from_slice(&chunk);
            decoder.take(&mut buf, keys, &mut each)?;
        }
        decoder.finish(&buf)?;
        drop(stream);
        reader.commit().await?;
        Ok(())
    }

    /// A read-only transaction on a pooled connection that sees the run's snapshot, so every
    /// page of every table is read as of one moment.
    async fn reader(&self) -> Result<Transaction<'static, Postgres>> {
        let mut tx = self.pool.begin().await?;
        tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await?;
        if let Some(id) = &self.snapshot {
            tx.execute(format!("SET TRANSACTION SNAPSHOT {}", literal(id)).as_str())
                .await
                .context(
                    "cannot read in the task's snapshot (was the session holding it ended, e.g. \
                     by pg_terminate_backend?)",
                )?;
        }
        Ok(tx)
    }
}

#[async_trait]
impl Extractor for PgExtractor {
    async fn list_tables(&self) -> Result<Listing> {
        Ok(Listing::new(&self.filter, catalog::list(&self.pool).await?))
    }

    async fn plan(&self, id: &TableId) -> Result<TablePlan> {
        // A unique index implies a btree order, and the literal is cast to the column's type,
        // so `>` and ORDER BY agree for every key type.
        let ignored = self.rows.ignored(id);
        let describe = describe(&self.catalog, id, ignored, |_| true, position::encode);
        plan_table(self.resumer.as_ref(), id, async {
            let mut meta = describe.await?;
            meta.binary_rows = binary::eligible(&meta);
            Ok(meta)
        })
        .await
    }

    async fn extract(
        &self,
        meta: &TableMeta,
        span: &KeySpan,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        if meta.order_cols().is_empty() {
            self.extract_stream(meta, KeyRange::All, &tx).await
        } else {
            self.extract_paged(meta, span, &tx).await
        }
    }

    async fn split(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        chunk_rows: u64,
        max_chunks: usize,
    ) -> Result<Vec<Vec<String>>> {
        if meta.order_cols().is_empty() {
            return Ok(Vec::new());
        }
        self.bounds(meta, after, chunk_rows, max_chunks)
            .await
            .with_context(|| format!("cannot split source table {} into chunks", meta.id))
    }

    async fn extract_null_keys(&self, meta: &TableMeta, tx: mpsc::Sender<Batch>) -> Result<u64> {
        self.extract_stream(meta, KeyRange::Null, &tx).await
    }

    /// A plain table (read `ONLY`): a partitioned table's rows live in its partitions, each
    /// with pages of its own.
    async fn reads_pages(&self, meta: &TableMeta) -> Result<bool> {
        Ok(self.source_relation(&meta.id).await?.starts_with("ONLY "))
    }

    async fn extract_pages(
        &self,
        meta: &TableMeta,
        after: Option<&[String]>,
        tx: mpsc::Sender<Batch>,
    ) -> Result<u64> {
        self.read_pages(meta, after, &tx)
            .await
            .map_err(|e| ConnectorError::source_read(&meta.id, e).into())
    }

    /// A sequence is taken when the column it feeds belongs to a selected table, or, when it
    /// feeds no column, when its schema holds a selected table.
    async fn objects(&self, tables: &[TableId]) -> Result<Vec<DbObject>> {
        let mut out = Vec::new();
        for (id, owner) in catalog::sequences(&self.pool).await? {
            let wanted = match &owner {
                Some((tb, _)) => tables.contains(tb),
                None => tables.iter().any(|t| t.schema == id.schema),
            };
            if !wanted {
                continue;
            }
            let (last_value, is_called): (i64, bool) = sqlx::query_as(&format!(
                "SELECT last_value, is_called FROM {}",
                table_name(&id)
            ))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| ConnectorError::read(format!("the source sequence {id}"), e))?;
            out.push(DbObject::Sequence(SequenceState {
                id,
                owner,
                last_value,
                is_called,
            }));
        }
        Ok(out)
    }
}

/// The key fields to decode from binary rows of `meta`; `None` when its rows are read in
/// text.
fn binary_keys(meta: &TableMeta) -> Option<Vec<(usize, binary::Key)>> {
    meta.binary_rows.then(|| binary::keys(meta))
}

/// The reader of one COPY output, in text or binary form.
enum Decoder {
    Text,
    Binary(binary::Reader, Vec<(usize, binary::Key)>),
}

impl Decoder {
    fn new(binary: Option<Vec<(usize, binary::Key)>>) -> Self {
        match binary {
            Some(keys) => Decoder::Binary(binary::Reader::default(), keys),
            None => Decoder::Text,
        }
    }

    /// The COPY statement that reads `select` in this form.
    fn copy(&self, select: &str) -> String {
        match self {
            Decoder::Text => format!("COPY ({select}) TO STDOUT"),
            Decoder::Binary(..) => format!("COPY ({select}) TO STDOUT (FORMAT binary)"),
        }
    }

    /// Parses the complete rows at the front of `buf`, leaving a partial last one in it;
    /// in text the fields `keys` are unescaped.
    fn take(
        &mut self,
        buf: &mut Vec<u8>,
        keys: &[usize],
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        match self {
            Decoder::Text => take_lines(buf, |line| each(parse_line(line, keys)?)),
            Decoder::Binary(reader, keys) => reader.take_rows(buf, keys, each),
        }
    }

    /// Checks that the output ended where a row ends.
    fn finish(&self, rest: &[u8]) -> Result<()> {
        match self {
            Decoder::Text if !rest.is_empty() => anyhow::bail!("COPY output ended inside a line"),
            Decoder::Text => Ok(()),
            Decoder::Binary(reader, _) => reader.finish(rest),
        }
    }
}

/// The page of a position `(page,0)` written by [`PgExtractor::read_pages`].
fn page_of(text: &str) -> Option<i64> {
    text.strip_prefix('(')?.strip_suffix(",0)")?.parse().ok()
}

/// A row comparison of the first key columns with position text `texts`, each cast to its
/// column's type: `(a, b) > ('1'::int, 'x'::text)`. A btree index over the key reads it as
/// one range.
fn key_cmp(meta: &TableMeta, keys: &[String], op: &str, texts: &[String]) -> Result<String> {
    let order = meta.order_cols();
    anyhow::ensure!(
        !texts.is_empty() && texts.len() <= order.len(),
        "bad resume position of {}: {} value(s) for a key of {} column(s)",
        meta.id,
        texts.len(),
        order.len()
    );
    let values: Vec<String> = texts
        .iter()
        .zip(order)
        .map(|(t, &i)| position::decode(t, &meta.columns[i].type_name))
        .collect();
    Ok(format!(
        "({}) {op} ({})",
        keys[..texts.len()].join(","),
        values.join(",")
    ))
}
