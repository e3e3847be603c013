//! MongoDB: extractor and sinker. Documents travel as raw BSON bytes, so field order and
//! every type (Int32 vs Int64, Decimal128, binary subtypes, …) survive unchanged.

mod catalog;
mod extractor;
mod id;
mod rows;
mod schema;
mod sinker;
mod verifier;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use dt_common::config::TaskConfig;
use dt_common::{ConfigError, Resumer};
use mongodb::options::ClientOptions;
use mongodb::Client;

pub use extractor::MongoExtractor;
pub use id::{check_position_value, id_from_position, id_to_position};
pub use sinker::MongoSinker;
pub use verifier::MongoVerifier;

use crate::{ConnectorError, Extractor, Sinker, Verifier};
use dt_common::secret::redact;

/// Connects and checks the server answers, so a wrong address fails at once. `max` caps the
/// driver's pool (`max_connections`).
pub(crate) async fn connect(
    url: &str,
    end: &'static str,
    max: Option<u32>,
) -> Result<Client, ConnectorError> {
    let refused = |e: mongodb::error::Error| ConnectorError::Connect {
        end,
        server: "MongoDB",
        url: redact(url),
        source: e.into(),
    };
    let mut opts = ClientOptions::parse(url).await.map_err(refused)?;
    if opts.server_selection_timeout.is_none() {
        opts.server_selection_timeout = Some(Duration::from_secs(10));
    }
    if opts.connect_timeout.is_none() {
        opts.connect_timeout = Some(Duration::from_secs(10));
    }
    if max.is_some() {
        opts.max_pool_size = max;
    }
    let client = Client::with_options(opts).map_err(refused)?;
    client
        .database("admin")
        .run_command(bson::doc! { "ping": 1 })
        .await
        .map_err(refused)?;
    Ok(client)
}

/// Checks the URLs with the driver's parser; refuses the options MongoDB targets do not have.
pub fn check_config(cfg: &TaskConfig) -> Result<(), ConfigError> {
    crate::check_urls(cfg, |url| {
        mongodb::options::ConnectionString::parse(url).map(drop)
    })?;
    crate::refuse_disable_triggers(cfg, "MongoDB has no triggers or foreign keys to turn off")?;
    rows::check_config(cfg)
}

pub async fn build(
    cfg: &TaskConfig,
    resumer: Arc<dyn Resumer>,
) -> Result<(Box<dyn Extractor>, Box<dyn Sinker>)> {
    let (src, dst) = clients(cfg).await?;
    let filters = (cfg.name_filter()?, cfg.row_filter()?);
    let extractor = MongoExtractor::new(src.clone(), filters, resumer, cfg.extractor.batch_size);
    let sinker = MongoSinker::new(dst, src, cfg.router()?, cfg.conflict_mode());
    Ok((Box::new(extractor), Box::new(sinker)))
}

/// The schema copy of a task (docs/en/structure.md): collections with their options,
/// then indexes.
pub async fn schema(cfg: &TaskConfig) -> Result<Box<dyn crate::SchemaCopier>> {
    let (src, dst) = clients(cfg).await?;
    Ok(Box::new(schema::MongoSchema::new(
        src,
        dst,
        cfg.structures(),
        cfg.sinker.conflict_policy.trim() == "ignore",
    )))
}

/// The verifiers of a task's source and target.
pub async fn verifiers(cfg: &TaskConfig) -> Result<(Box<dyn Verifier>, Box<dyn Verifier>)> {
    let (src, dst) = clients(cfg).await?;
    Ok((Box::new(MongoVerifier(src)), Box::new(MongoVerifier(dst))))
}

/// The clients of a task's source and target.
async fn clients(cfg: &TaskConfig) -> Result<(Client, Client)> {
    let src = connect(&cfg.extractor.url, "source", cfg.extractor.max_connections).await?;
    let dst = connect(&cfg.sinker.url, "target", cfg.sinker.max_connections).await?;
    Ok((src, dst))
}
