//! PostgreSQL: extractor and sinker. Values travel in PostgreSQL's own text form, which
//! round-trips every type exactly when both sessions use the same settings (UTC, ISO dates,
//! `postgres` intervals, exact floats), or in COPY's binary form for tables of built-in
//! types of a stable binary form ([`binary`]); the sinker loads them with COPY.

mod binary;
mod catalog;
mod deferred;
mod extractor;
pub mod position;
mod schema;
mod sinker;
mod text;
mod verifier;

use std::sync::Arc;

use anyhow::{Context, Result};
use dt_common::config::TaskConfig;
use dt_common::{ConfigError, Resumer};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, Executor};

pub use extractor::PgExtractor;
pub use schema::PgSchema;
pub use sinker::PgSinker;
pub use verifier::PgVerifier;

use crate::{ConnectorError, Extractor, SchemaCopier, Sinker, Verifier};
use dt_common::secret::redact;

/// Quotes an identifier with double quotes.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a string literal (standard_conforming_strings is on in every supported version).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Opens a transaction on the source and exports its snapshot: every read of the run
/// then sees the source as of this moment. The connection must stay open meanwhile.
async fn export_snapshot(url: &str) -> Result<(String, PgConnection)> {
    let opts: PgConnectOptions = url.parse()?;
    let mut conn = opts.connect().await?;
    lift_time_limits(&mut conn).await?;
    conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await?;
    let id: String = sqlx::query_scalar("SELECT pg_export_snapshot()")
        .fetch_one(&mut conn)
        .await?;
    tracing::info!("snapshot, tables are read as of source snapshot {id}");
    Ok((id, conn))
}

/// Turns off, for this session, the time limits a DBA may set on the role or database:
/// `statement_timeout` would end a COPY streaming to a slow target, and
/// `idle_in_transaction_session_timeout` (or `transaction_timeout`, PostgreSQL 17) the
/// transaction holding the run's snapshot or a read waiting between pages. Parameters the
/// server does not know are skipped. Every one of them may be set by any role.
async fn lift_time_limits(conn: &mut PgConnection) -> sqlx::Result<()> {
    sqlx::query(
        "SELECT set_config(name, '0', false) FROM pg_settings WHERE name IN \
         ('statement_timeout', 'idle_in_transaction_session_timeout', 'idle_session_timeout', \
         'transaction_timeout')",
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Opens a pool whose sessions print values in a form the other end reads back exactly and
/// run without time limits ([`lift_time_limits`]).
pub(crate) async fn connect(
    url: &str,
    max: u32,
    end: &'static str,
    disable_triggers: bool,
) -> Result<PgPool> {
    let opts: PgConnectOptions = url.parse().with_context(|| format!("invalid {end} url"))?;
    let opts = if disable_triggers {
        opts.options([("session_replication_role", "replica")])
    } else {
        opts
    };
    let opts = opts.options([
        ("TimeZone", "UTC"),
        ("DateStyle", "ISO"),
        ("IntervalStyle", "postgres"),
        ("extra_float_digits", "3"),
        ("bytea_output", "hex"),
        ("lc_monetary", "C"),
        ("client_encoding", "UTF8"),
    ]);
    // An index build or a long read is dt's normal work, not a slow statement to warn about.
    let opts = opts.disable_statement_logging();
    let probe = opts.connect().await.map_err(|e| ConnectorError::Connect {
        end,
        server: "PostgreSQL",
        url: redact(url),
        source: e.into(),
    });
    let probe = if disable_triggers {
        probe.context(
            "[sinker] disable_triggers=true (or disable_foreign_key_checks=true) sets \
             session_replication_role=replica, which needs a superuser or SET privilege on that \
             parameter",
        )?
    } else {
        probe?
    };
    probe.close().await.ok();
    Ok(PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(std::time::Duration::from_secs(30))
        .after_connect(|conn, _| Box::pin(lift_time_limits(conn)))
        .connect_lazy_with(opts))
}

/// Checks the URLs with the driver's parser. `[sinker] disable_triggers` is this
/// connector's own option: it is checked when the target is connected ([`connect`]).
/// `[sinker] transaction_isolation` other than `default` is refused by the config itself.
pub fn check_config(cfg: &TaskConfig) -> Result<(), ConfigError> {
    crate::check_urls(cfg, |url| url.parse::<PgConnectOptions>().map(drop))
}

pub async fn build(
    cfg: &TaskConfig,
    resumer: Arc<dyn Resumer>,
) -> Result<(Box<dyn Extractor>, Box<dyn Sinker>)> {
    let src = connect(&cfg.extractor.url, cfg.source_pool_size(), "source", false).await?;
    let dst = connect(
        &cfg.sinker.url,
        cfg.target_pool_size(),
        "target",
        cfg.pg_replica_role(),
    )
    .await?;
    let snapshot = match export_snapshot(&cfg.extractor.url).await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(
                "snapshot, cannot export a snapshot of the source, so tables are read without a common point in time: {e:#}"
            );
            None
        }
    };
    let extractor = PgExtractor::new(
        src,
        (cfg.name_filter()?, cfg.row_filter()?),
        resumer,
        cfg.extractor.batch_size,
        snapshot,
    );
    let sinker = PgSinker::new(
        dst,
        cfg.router()?,
        (cfg.sink_batch_size(), cfg.conflict_mode()),
        cfg.sinker.defer_indexes,
    );
    Ok((Box::new(extractor), Box::new(sinker)))
}

/// The schema copy of a task (docs/en/structure.md).
pub async fn schema(cfg: &TaskConfig) -> Result<Box<dyn SchemaCopier>> {
    let workers = cfg.parallelizer.parallel_tables.max(1);
    let dst = connect(&cfg.sinker.url, workers as u32 + 1, "target", false).await?;
    Ok(Box::new(PgSchema::new(
        cfg.extractor.url.clone(),
        cfg.sinker.url.clone(),
        dst,
        cfg.structures(),
        cfg.sinker.conflict_policy.trim() == "ignore",
        workers,
        cfg.extractor.with_structures && !cfg.schema_only() && cfg.structures().is_none(),
    )))
}

/// The verifiers of a task's source and target.
pub async fn verifiers(cfg: &TaskConfig) -> Result<(Box<dyn Verifier>, Box<dyn Verifier>)> {
    let conns = cfg.parallelizer.parallel_tables as u32 + 1;
    let src = connect(&cfg.extractor.url, conns, "source", false).await?;
    let dst = connect(&cfg.sinker.url, conns, "target", false).await?;
    Ok((Box::new(PgVerifier(src)), Box::new(PgVerifier(dst))))
}
