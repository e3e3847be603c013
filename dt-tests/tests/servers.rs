//! Each of the six test servers answers a query, so a broken server set-up fails here first.

use anyhow::{ensure, Result};
use dt_tests::runner::block_on;
use dt_tests::servers;
use sqlx::Connection;

async fn mysql_answers(url: &str) -> Result<()> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    let v: i64 = sqlx::query_scalar("SELECT 40 + 2")
        .fetch_one(&mut conn)
        .await?;
    ensure!(v == 42, "{url} answered {v}");
    Ok(())
}

async fn pg_answers(url: &str) -> Result<()> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    let v: i32 = sqlx::query_scalar("SELECT 40 + 2")
        .fetch_one(&mut conn)
        .await?;
    ensure!(v == 42, "{url} answered {v}");
    Ok(())
}

async fn mongo_answers(url: &str) -> Result<()> {
    let client = mongodb::Client::with_uri_str(url).await?;
    let reply = client
        .database("admin")
        .run_command(bson::doc! { "ping": 1 })
        .await?;
    ensure!(
        reply.get_f64("ok").ok() == Some(1.0) || reply.get_i32("ok").ok() == Some(1),
        "{url} answered {reply}"
    );
    Ok(())
}

#[test]
fn mysql_servers_answer() {
    block_on(async {
        mysql_answers(&servers::mysql_src()).await?;
        mysql_answers(&servers::mysql_dst()).await
    });
}

#[test]
fn pg_servers_answer() {
    block_on(async {
        pg_answers(&servers::pg_src()).await?;
        pg_answers(&servers::pg_dst()).await
    });
}

#[test]
fn mongo_servers_answer() {
    block_on(async {
        mongo_answers(&servers::mongo_src()).await?;
        mongo_answers(&servers::mongo_dst()).await
    });
}
