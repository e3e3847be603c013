//! What the target holds during and after a copy: rows already there under the source's keys
//! with other values are overwritten, and a table without a usable key is never seen partly
//! filled by another session.

use std::time::Duration;

use anyhow::{ensure, Result};
use bson::{doc, Document};
use futures::TryStreamExt;

use crate::runner::{expect_failure, expect_success, run_dt, spawn_dt, Case};
use crate::scenario::Kind;

/// The target holds every third row of the source under the same key with other values
/// (the case's `dst_prepare.sql`; for MongoDB, written here): after one run, every table of
/// `schema` equals the source row by row.
pub async fn stale_target(kind: Kind, case: &str, schema: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    if kind == Kind::Mongo {
        mongo_stale_copies(schema).await?;
    }
    ensure!(
        kind.assert_schemas_same(&[schema]).await.is_err(),
        "the target is not stale before the copy"
    );
    expect_success(&run_dt(&case.config(&kind.src(), &kind.dst(), &[])))?;
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    Ok(())
}

/// Writes every third document of each source collection of `db` to the target with other
/// values under the same `_id`.
async fn mongo_stale_copies(db: &str) -> Result<()> {
    let src = mongodb::Client::with_uri_str(Kind::Mongo.src()).await?;
    let dst = mongodb::Client::with_uri_str(Kind::Mongo.dst()).await?;
    for coll in src.database(db).list_collection_names().await? {
        let docs: Vec<Document> = src
            .database(db)
            .collection::<Document>(&coll)
            .find(doc! {})
            .await?
            .try_collect()
            .await?;
        let stale: Vec<Document> = docs
            .into_iter()
            .step_by(3)
            .map(|d| doc! { "_id": d.get("_id").cloned().unwrap_or(bson::Bson::Null), "n": -1, "s": "stale" })
            .collect();
        ensure!(!stale.is_empty(), "{db}.{coll} is empty");
        dst.database(db)
            .collection::<Document>(&coll)
            .insert_many(stale)
            .await?;
    }
    Ok(())
}

/// Rows of `table` in the target, counted on a connection of its own.
async fn target_count(kind: Kind, table: &str) -> Result<i64> {
    kind.target_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .await
}

/// While dt copies the key-less `table` (`schema.table`, slowed in the target by a trigger),
/// another session counts its rows over and over: it must only ever see none or all `rows`,
/// since the table is written in one transaction committed after the source was read.
pub async fn keyless_never_partial(kind: Kind, case: &str, table: &str, rows: i64) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let mut child = spawn_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    let mut seen = Vec::new();
    let polled = async {
        while child.try_wait()?.is_none() {
            seen.push(target_count(kind, table).await?);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        anyhow::Ok(())
    }
    .await;
    if polled.is_err() {
        child.kill().ok();
    }
    let out = child.wait_with_output()?;
    polled?;
    ensure!(
        out.status.success(),
        "dt failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    seen.push(target_count(kind, table).await?);
    let empty = seen.iter().filter(|&&n| n == 0).count();
    seen.dedup();
    ensure!(
        seen.iter().all(|&n| n == 0 || n == rows),
        "another session saw {table} partly filled: counts {seen:?}"
    );
    ensure!(
        seen.last() == Some(&rows),
        "counts {seen:?}, expected {rows} at the end"
    );
    ensure!(
        empty >= 20,
        "only {empty} count(s) before the commit: the case is too small to watch"
    );
    // Run again without resume: the rows are there and cannot be matched without a key, so
    // dt refuses before copying instead of adding them a second time.
    let again = run_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    expect_failure(&again, "already holds rows")?;
    let after = target_count(kind, table).await?;
    ensure!(
        after == rows,
        "{table} holds {after} rows after the refused run, expected {rows}"
    );
    Ok(())
}
