//! Source-versus-target comparison. MySQL: independent of dt's own value codec: rows are
//! read over the text protocol and compared as sorted multisets, and MariaDB's
//! `CHECKSUM TABLE` (computed over the stored row images) must agree, which catches any
//! bit-level difference such as in a FLOAT.

use anyhow::{bail, Context, Result};
use futures::TryStreamExt;
use sqlx::{Connection, Executor, MySqlConnection, Row};

/// One row as the server's text for each column (`None` for NULL).
pub type TextRow = Vec<Option<Vec<u8>>>;

/// All rows of a table, sorted, read with the text protocol.
pub async fn mysql_rows(url: &str, schema: &str, tb: &str) -> Result<Vec<TextRow>> {
    let mut conn = MySqlConnection::connect(url).await?;
    let sql = format!(
        "SELECT * FROM `{}`.`{}`",
        schema.replace('`', "``"),
        tb.replace('`', "``")
    );
    let mut rows = Vec::new();
    {
        let mut stream = conn.fetch(sqlx::raw_sql(&sql));
        while let Some(r) = stream
            .try_next()
            .await
            .with_context(|| format!("read {schema}.{tb}"))?
        {
            let mut row = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                row.push(r.try_get_unchecked::<Option<Vec<u8>>, _>(i)?);
            }
            rows.push(row);
        }
    }
    rows.sort();
    Ok(rows)
}

/// `CHECKSUM TABLE` of a table; `None` for a system-versioned table, whose checksum covers
/// its history too, which a copy of the current rows does not bring.
pub async fn mysql_checksum(url: &str, schema: &str, tb: &str) -> Result<Option<i64>> {
    let mut conn = MySqlConnection::connect(url).await?;
    let kind: String = sqlx::query_scalar(
        "SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
    )
    .bind(schema)
    .bind(tb)
    .fetch_one(&mut conn)
    .await?;
    if kind == "SYSTEM VERSIONED" {
        return Ok(None);
    }
    let sql = format!(
        "CHECKSUM TABLE `{}`.`{}`",
        schema.replace('`', "``"),
        tb.replace('`', "``")
    );
    let row = conn.fetch_one(sqlx::raw_sql(&sql)).await?;
    Ok(row.try_get_unchecked::<Option<i64>, _>(1)?)
}

/// Tables of a schema, sorted.
pub async fn mysql_tables(url: &str, schema: &str) -> Result<Vec<String>> {
    let mut conn = MySqlConnection::connect(url).await?;
    let rows = sqlx::query("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE'")
        .bind(schema)
        .fetch_all(&mut conn)
        .await?;
    let mut names: Vec<String> = rows
        .iter()
        .map(|r| r.try_get_unchecked::<String, _>(0))
        .collect::<Result<_, _>>()?;
    names.sort();
    Ok(names)
}

/// Fails unless table `src` of the source and `dst` of the target hold the same rows.
pub async fn mysql_assert_same(src: (&str, &str), dst: (&str, &str)) -> Result<usize> {
    use crate::servers::{mysql_dst, mysql_src};
    let a = mysql_rows(&mysql_src(), src.0, src.1).await?;
    let b = mysql_rows(&mysql_dst(), dst.0, dst.1).await?;
    if a != b {
        let missing = a.iter().filter(|r| !b.contains(r)).count();
        let extra = b.iter().filter(|r| !a.contains(r)).count();
        bail!(
            "{}.{} -> {}.{}: source has {} rows, target {} ({missing} source rows missing in target, {extra} target rows not in source); first source row: {:?}; first target row: {:?}",
            src.0, src.1, dst.0, dst.1, a.len(), b.len(),
            a.first().map(show), b.first().map(show)
        );
    }
    let (ca, cb) = (
        mysql_checksum(&mysql_src(), src.0, src.1).await?,
        mysql_checksum(&mysql_dst(), dst.0, dst.1).await?,
    );
    if ca != cb {
        bail!(
            "{}.{} -> {}.{}: rows read equal but CHECKSUM TABLE differs ({ca:?} vs {cb:?})",
            src.0,
            src.1,
            dst.0,
            dst.1
        );
    }
    Ok(a.len())
}

fn show(row: &TextRow) -> Vec<String> {
    row.iter()
        .map(|v| match v {
            None => "NULL".into(),
            Some(b) => String::from_utf8_lossy(b).into_owned(),
        })
        .collect()
}

/// Row count of a table.
pub async fn mysql_count(url: &str, schema: &str, tb: &str) -> Result<i64> {
    let mut conn = MySqlConnection::connect(url).await?;
    let sql = format!(
        "SELECT COUNT(*) FROM `{}`.`{}`",
        schema.replace('`', "``"),
        tb.replace('`', "``")
    );
    let row = conn.fetch_one(sql.as_str()).await?;
    Ok(row.try_get::<i64, _>(0)?)
}

/// All rows of a PostgreSQL table as the server's row text (`row::text`), sorted.
pub async fn pg_rows(url: &str, schema: &str, tb: &str) -> Result<Vec<String>> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute("SET TimeZone = 'UTC'; SET extra_float_digits = 3")
        .await?;
    let sql = format!(
        "SELECT x::text FROM \"{}\".\"{}\" AS x",
        schema.replace('"', "\"\""),
        tb.replace('"', "\"\"")
    );
    let mut rows: Vec<String> = sqlx::query_scalar(&sql)
        .fetch_all(&mut conn)
        .await
        .with_context(|| format!("read {schema}.{tb}"))?;
    rows.sort();
    Ok(rows)
}

/// Tables of a PostgreSQL schema, sorted.
pub async fn pg_tables(url: &str, schema: &str) -> Result<Vec<String>> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let mut names: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
    )
    .bind(schema)
    .fetch_all(&mut conn)
    .await?;
    names.sort();
    Ok(names)
}

/// Fails unless PostgreSQL table `src` of the source and `dst` of the target hold the same
/// rows; returns the row count.
pub async fn pg_assert_same(src: (&str, &str), dst: (&str, &str)) -> Result<usize> {
    use crate::servers::{pg_dst, pg_src};
    let a = pg_rows(&pg_src(), src.0, src.1).await?;
    let b = pg_rows(&pg_dst(), dst.0, dst.1).await?;
    if a != b {
        let sa: std::collections::BTreeSet<&String> = a.iter().collect();
        let sb: std::collections::BTreeSet<&String> = b.iter().collect();
        bail!(
            "{}.{} -> {}.{}: source has {} rows, target {}; only in source: {:?}; only in target: {:?}",
            src.0, src.1, dst.0, dst.1, a.len(), b.len(),
            sa.difference(&sb).take(3).collect::<Vec<_>>(),
            sb.difference(&sa).take(3).collect::<Vec<_>>()
        );
    }
    Ok(a.len())
}

/// All documents of a collection as raw BSON bytes, in `_id` order.
pub async fn mongo_docs(url: &str, db: &str, coll: &str) -> Result<Vec<Vec<u8>>> {
    let client = mongodb::Client::with_uri_str(url).await?;
    let cursor = client
        .database(db)
        .collection::<bson::RawDocumentBuf>(coll)
        .find(bson::doc! {})
        .sort(bson::doc! { "_id": 1 })
        .await?;
    let docs: Vec<bson::RawDocumentBuf> = futures::TryStreamExt::try_collect(cursor).await?;
    Ok(docs.into_iter().map(|d| d.into_bytes()).collect())
}

/// Collections of a database, sorted.
pub async fn mongo_collections(url: &str, db: &str) -> Result<Vec<String>> {
    let client = mongodb::Client::with_uri_str(url).await?;
    let mut names = client.database(db).list_collection_names().await?;
    names.retain(|n| !n.starts_with("system."));
    names.sort();
    Ok(names)
}

/// Fails unless the collections hold byte-identical documents; returns the count.
pub async fn mongo_assert_same(src: (&str, &str), dst: (&str, &str)) -> Result<usize> {
    use crate::servers::{mongo_dst, mongo_src};
    let a = mongo_docs(&mongo_src(), src.0, src.1).await?;
    let b = mongo_docs(&mongo_dst(), dst.0, dst.1).await?;
    if a != b {
        let show = |d: Option<&Vec<u8>>| {
            d.and_then(|d| bson::RawDocumentBuf::from_bytes(d.clone()).ok())
                .map(|d| format!("{d:?}"))
        };
        let first_diff = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        bail!(
            "{}.{} -> {}.{}: source has {} documents, target {}; first difference at #{first_diff}: {:?} vs {:?}",
            src.0, src.1, dst.0, dst.1, a.len(), b.len(), show(a.get(first_diff)), show(b.get(first_diff))
        );
    }
    Ok(a.len())
}

/// Counts the rows of a PostgreSQL table.
pub async fn pg_count(url: &str, table: &str) -> Result<i64> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    Ok(sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
        .fetch_one(&mut conn)
        .await?)
}
