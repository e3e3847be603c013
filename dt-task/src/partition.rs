//! `[extractor] partition_cols` against the source's tables. ape-dts splits a table into
//! chunks by that column; dt reads every table in the order of its own key (the one its
//! resume positions are kept in), so an entry is only checked: a column the table does not
//! have stops the task before any row is copied, and a column other than dt's key is named
//! in default.log.

use anyhow::{bail, Result};
use dt_common::tuning::PartitionCol;
use dt_common::TableId;
use dt_connector::{KeyKind, TableMeta};
use tracing::warn;

fn names(c: &PartitionCol, id: &TableId) -> bool {
    c.db == id.schema && c.tb == id.tb
}

/// Checks the entry for `meta`'s table, if there is one.
pub(crate) fn check(cols: &[PartitionCol], meta: &TableMeta) -> Result<()> {
    let Some(entry) = cols.iter().find(|c| names(c, &meta.id)) else {
        return Ok(());
    };
    let col = entry.partition_col.as_str();
    let id = &meta.id;
    if !meta.columns.iter().any(|c| c.name == col) {
        bail!(
            "extractor.partition_cols names column `{col}` of {id}, which the table does not \
             have; correct or remove the entry"
        );
    }
    let key = meta.key_col_names();
    match (meta.key, key.as_slice()) {
        (KeyKind::Paged, [k]) if *k == col => {}
        (KeyKind::None, _) => warn!(
            "task, {id}: extractor.partition_cols names `{col}`; dt copies this table, which \
             has no usable key, in one transaction instead"
        ),
        _ => warn!(
            "task, {id}: extractor.partition_cols names `{col}`; dt reads and resumes this \
             table in the order of its key ({}) instead",
            key.join(", ")
        ),
    }
    Ok(())
}

/// Names the entries that match no selected table.
pub(crate) fn unmatched(cols: &[PartitionCol], tables: &[TableId]) {
    for c in cols {
        if !tables.iter().any(|id| names(c, id)) {
            warn!(
                "task, extractor.partition_cols names {}.{}, which the task does not copy; \
                 the entry is ignored",
                c.db, c.tb
            );
        }
    }
}
