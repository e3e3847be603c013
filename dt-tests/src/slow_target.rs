//! A target that stalls: while dt copies tables read as one stream each, another session
//! holds a lock on their target tables for longer than the source lets a stream or a
//! transaction wait. The copy must wait for the target and finish with the target equal to
//! the source.

use std::time::{Duration, Instant};

use anyhow::{ensure, Result};
use sqlx::Connection;

use crate::runner::{mysql_exec, spawn_dt, Case};
use crate::scenario::Kind;

/// How long the target tables stay locked once dt has started.
const STALL: Duration = Duration::from_secs(6);

/// Rows of the case's two tables.
const ROWS: usize = 300_000;

/// A target connection holding a lock.
enum Lock {
    Mysql(sqlx::MySqlConnection),
    Pg(sqlx::PgConnection),
}

impl Lock {
    async fn take(kind: Kind, sql: &str) -> Result<Lock> {
        Ok(match kind {
            Kind::Mysql => {
                let mut conn = sqlx::MySqlConnection::connect(&kind.dst()).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
                Lock::Mysql(conn)
            }
            _ => {
                let mut conn = sqlx::PgConnection::connect(&kind.dst()).await?;
                sqlx::raw_sql(sql).execute(&mut conn).await?;
                Lock::Pg(conn)
            }
        })
    }

    async fn release(self, sql: &str) -> Result<()> {
        match self {
            Lock::Mysql(mut conn) => sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)?,
            Lock::Pg(mut conn) => sqlx::raw_sql(sql).execute(&mut conn).await.map(drop)?,
        }
        Ok(())
    }
}

/// Runs dt while `lock` (SQL on one target connection) holds the target tables for
/// [`STALL`], then `unlock`; dt must exit 0.
async fn copy_through_stall(
    kind: Kind,
    case: &Case,
    src: &str,
    (lock, unlock): (&str, &str),
) -> Result<()> {
    let held = Lock::take(kind, lock).await?;
    let started = Instant::now();
    let mut child = spawn_dt(&case.config(src, &kind.dst(), &[]));
    tokio::time::sleep(STALL).await;
    if let Err(e) = held.release(unlock).await {
        child.kill().ok();
        child.wait().ok();
        return Err(e);
    }
    let out = child.wait_with_output()?;
    ensure!(
        out.status.success(),
        "dt failed after the target stalled for {STALL:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        started.elapsed() > STALL,
        "dt finished before the target was unlocked"
    );
    Ok(())
}

/// The target equals the source, row for row.
async fn assert_copied(kind: Kind) -> Result<()> {
    let rows = kind.assert_schemas_same(&["slow_target_db"]).await?;
    ensure!(rows == ROWS, "compared {rows} rows, expected {ROWS}");
    Ok(())
}

/// MySQL: the source server ends a stream its client has not read from for
/// `net_write_timeout` seconds; the test sets it to 2 s for its duration.
pub async fn slow_target_mysql(case: &str) -> Result<()> {
    let case = Case::load(case);
    Kind::Mysql.prepare(&case).await?;
    let src = Kind::Mysql.src();
    let mut conn = sqlx::MySqlConnection::connect(&src).await?;
    let saved: u64 = sqlx::query_scalar("SELECT @@global.net_write_timeout")
        .fetch_one(&mut conn)
        .await?;
    mysql_exec(&src, "SET GLOBAL net_write_timeout = 2").await?;
    let result = copy_through_stall(
        Kind::Mysql,
        &case,
        &src,
        (
            "LOCK TABLES slow_target_db.no_key WRITE, slow_target_db.composite_pk WRITE",
            "UNLOCK TABLES",
        ),
    )
    .await;
    mysql_exec(&src, &format!("SET GLOBAL net_write_timeout = {saved}")).await?;
    result?;
    assert_copied(Kind::Mysql).await
}

/// PostgreSQL: dt reads as a role whose `statement_timeout` and
/// `idle_in_transaction_session_timeout` are 2 s (set by the case's `src_test.sql`).
pub async fn slow_target_pg(case: &str) -> Result<()> {
    let case = Case::load(case);
    Kind::Pg.prepare(&case).await?;
    let src = Kind::Pg.src().replace("postgres@", "slow_target_reader@");
    copy_through_stall(
        Kind::Pg,
        &case,
        &src,
        (
            "BEGIN; LOCK TABLE slow_target_db.no_key, slow_target_db.composite_pk IN ACCESS EXCLUSIVE MODE",
            "COMMIT",
        ),
    )
    .await?;
    assert_copied(Kind::Pg).await
}
