//! MySQL / MariaDB: extractor, sinker and the value codec between them.

mod bulk;
mod catalog;
mod deferred;
mod extractor;
pub mod position;
mod schema;
mod sinker;
mod value;
mod verifier;

use std::sync::Arc;

use anyhow::{Context, Result};
use dt_common::config::TaskConfig;
use dt_common::secret::redact;
use dt_common::{ConfigError, Resumer};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool, MySqlPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};

pub use extractor::MysqlExtractor;
pub use sinker::MysqlSinker;
use value::exact_bytes;
pub use verifier::MysqlVerifier;

use crate::{ConnectorError, Extractor, Sinker, Verifier};

/// Quotes an identifier with backticks.
pub fn quote(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

/// The session of connections that only read. A read waits as long as the target does: the
/// server would otherwise end a result stream the client has not taken for
/// `net_write_timeout` seconds (60 by default; "Connection reset by peer" on the client), and
/// a reading transaction left idle between pages for `wait_timeout`. These and
/// `net_read_timeout` are raised to the servers' maximum, a year.
pub(crate) const READ_SESSION: &str = "SET SESSION sql_mode='NO_ENGINE_SUBSTITUTION', \
     net_write_timeout=31536000, net_read_timeout=31536000, wait_timeout=31536000";

/// Lifts the per-statement time limit a DBA may set (MariaDB's `max_statement_time`,
/// MySQL's `max_execution_time` for SELECT), which would end a read streaming to a slow
/// target or a write waiting for a lock.
async fn lift_statement_limit(conn: &mut sqlx::MySqlConnection) -> sqlx::Result<()> {
    let version: String = sqlx::query_scalar("SELECT VERSION()")
        .fetch_one(&mut *conn)
        .await?;
    let sql = if version.contains("MariaDB") {
        "SET SESSION max_statement_time=0"
    } else {
        "SET SESSION max_execution_time=0"
    };
    conn.execute(sql).await?;
    Ok(())
}

/// The statements that set up a writer session of the target: strict values, no
/// auto-increment surprise on 0, `foreign_key_checks` as `[sinker]
/// disable_foreign_key_checks` says, and `[sinker] transaction_isolation` when set.
pub(crate) fn writer_session(cfg: &TaskConfig) -> Vec<String> {
    let fk = if cfg.mysql_foreign_key_checks_off() {
        0
    } else {
        1
    };
    let mut out = vec![format!(
        "SET SESSION sql_mode='STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', \
         foreign_key_checks={fk}"
    )];
    if let Some(level) = cfg.mysql_isolation() {
        out.push(format!("SET SESSION TRANSACTION ISOLATION LEVEL {level}"));
    }
    out
}

/// Opens a pool; `session` runs on every new connection. Errors name the end and the cause.
pub(crate) async fn connect(
    url: &str,
    max: u32,
    session: Vec<String>,
    end: &'static str,
) -> Result<MySqlPool> {
    let session: Arc<[String]> = session.into();
    let opts: MySqlConnectOptions = url.parse().with_context(|| format!("invalid {end} url"))?;
    // An index build or a long read is dt's normal work, not a slow statement to warn about.
    let opts = opts
        .charset("utf8mb4")
        .timezone(Some("+00:00".into()))
        .disable_statement_logging();
    // One direct connection first, so that a wrong address or password fails at once
    // instead of after the pool's acquire timeout.
    let refused = |e: sqlx::Error| ConnectorError::Connect {
        end,
        server: "MySQL",
        url: redact(url),
        source: e.into(),
    };
    let probe = opts.connect().await.map_err(refused)?;
    probe.close().await.ok();
    let pool = MySqlPoolOptions::new()
        .max_connections(max)
        .min_connections(0)
        .acquire_timeout(std::time::Duration::from_secs(30))
        .after_connect(move |conn, _| {
            let session = session.clone();
            Box::pin(async move {
                for sql in session.iter() {
                    conn.execute(sql.as_str()).await?;
                }
                lift_statement_limit(conn).await
            })
        })
        .connect_with(opts)
        .await
        .map_err(refused)?;
    Ok(pool)
}

/// Checks the URLs with the driver's parser; refuses the options MySQL targets do not have.
pub fn check_config(cfg: &TaskConfig) -> Result<(), ConfigError> {
    crate::check_urls(cfg, |url| url.parse::<MySqlConnectOptions>().map(drop))?;
    crate::refuse_disable_triggers(cfg, "MySQL targets already write with foreign_key_checks=0")
}

pub async fn build(
    cfg: &TaskConfig,
    resumer: Arc<dyn Resumer>,
) -> Result<(Box<dyn Extractor>, Box<dyn Sinker>)> {
    let src = connect(
        &cfg.extractor.url,
        cfg.source_pool_size(),
        vec![READ_SESSION.into()],
        "source",
    )
    .await?;
    let session = writer_session(cfg);
    let dst = connect(
        &cfg.sinker.url,
        cfg.target_pool_size(),
        session.clone(),
        "target",
    )
    .await?;
    let filters = (cfg.name_filter()?, cfg.row_filter()?);
    let extractor = MysqlExtractor::new(src, filters, resumer, cfg.extractor.batch_size);
    let max_allowed_packet: u64 = sqlx::query_scalar("SELECT @@max_allowed_packet")
        .fetch_one(&dst)
        .await
        .context("cannot read max_allowed_packet of the target")?;
    let sinker = MysqlSinker::new(
        dst,
        cfg.router()?,
        cfg.sink_batch_size(),
        max_allowed_packet,
        (cfg.conflict_mode(), cfg.sinker.defer_indexes),
    );
    // Bulk execution opens its own connections beside the pool's: not under a cap.
    let bulk = if !cfg.sinker.mariadb_bulk_execute {
        tracing::debug!("target rows go through sqlx: [sinker] mariadb_bulk_execute=false");
        None
    } else if cfg.sinker.max_connections.is_some() {
        tracing::debug!("target rows go through sqlx: [sinker] max_connections is set");
        None
    } else {
        bulk::BulkPool::open(&cfg.sinker.url, session, max_allowed_packet).await
    };
    Ok((Box::new(extractor), Box::new(sinker.with_bulk(bulk))))
}

/// The schema copy of a task (docs/en/structure.md). Its target connections add foreign
/// keys without checking the rows again: they are the source's, read in one snapshot.
pub async fn schema(cfg: &TaskConfig) -> Result<Box<dyn crate::SchemaCopier>> {
    let workers = cfg.parallelizer.parallel_tables.max(1);
    let read = vec![READ_SESSION.to_string()];
    let src = connect(&cfg.extractor.url, workers as u32 + 1, read, "source").await?;
    let ddl = vec!["SET SESSION foreign_key_checks=0".to_string()];
    let dst = connect(&cfg.sinker.url, workers as u32 + 1, ddl, "target").await?;
    Ok(Box::new(schema::MysqlSchema::new(
        src,
        dst,
        cfg.structures(),
        cfg.sinker.conflict_policy.trim() == "ignore",
        workers,
    )))
}

/// The verifiers of a task's source and target.
pub async fn verifiers(cfg: &TaskConfig) -> Result<(Box<dyn Verifier>, Box<dyn Verifier>)> {
    let conns = cfg.parallelizer.parallel_tables as u32 + 1;
    let read = || vec![READ_SESSION.to_string()];
    let src = connect(&cfg.extractor.url, conns, read(), "source").await?;
    let dst = connect(&cfg.sinker.url, conns, read(), "target").await?;
    Ok((Box::new(MysqlVerifier(src)), Box::new(MysqlVerifier(dst))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes() {
        assert_eq!(quote("a`b"), "`a``b`");
    }

    #[test]
    fn writer_session_follows_the_sinker_keys() {
        let ini = "[extractor]\ndb_type=mysql\nurl=mysql://h:1\n[sinker]\ndb_type=mysql\nurl=mysql://h:2\n";
        let session = |extra: &str| {
            writer_session(&TaskConfig::from_ini_str(&format!("{ini}{extra}")).unwrap())
        };
        let default = session("");
        assert_eq!(default.len(), 1);
        assert!(default[0].ends_with("foreign_key_checks=0"), "{default:?}");
        let on =
            session("disable_foreign_key_checks=false\ntransaction_isolation=read_committed\n");
        assert!(on[0].ends_with("foreign_key_checks=1"), "{on:?}");
        assert_eq!(
            on[1],
            "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED"
        );
    }
}
