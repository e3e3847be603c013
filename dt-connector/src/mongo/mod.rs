//! MongoDB: extractor and sinker. Documents travel as raw BSON bytes, so field order and
//! every type (Int32 vs Int64, Decimal128, binary subtypes, …) survive unchanged.

mod extractor;
mod id;
mod sinker;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use dt_common::config::TaskConfig;
use dt_common::Resumer;
use mongodb::options::ClientOptions;
use mongodb::Client;

pub use extractor::MongoExtractor;
pub use id::{check_position_value, id_from_position, id_to_position};
pub use sinker::MongoSinker;

use crate::{Extractor, Sinker};
use dt_common::secret::redact;

/// Connects and checks the server answers, so a wrong address fails at once.
pub(crate) async fn connect(url: &str, end: &str) -> Result<Client> {
    let ctx = || {
        format!(
            "cannot connect to the {end} MongoDB server at {}",
            redact(url)
        )
    };
    let mut opts = ClientOptions::parse(url).await.with_context(ctx)?;
    if opts.server_selection_timeout.is_none() {
        opts.server_selection_timeout = Some(Duration::from_secs(10));
    }
    if opts.connect_timeout.is_none() {
        opts.connect_timeout = Some(Duration::from_secs(10));
    }
    let client = Client::with_options(opts).with_context(ctx)?;
    client
        .database("admin")
        .run_command(bson::doc! { "ping": 1 })
        .await
        .with_context(ctx)?;
    Ok(client)
}

pub async fn build(
    cfg: &TaskConfig,
    resumer: Arc<dyn Resumer>,
) -> Result<(Box<dyn Extractor>, Box<dyn Sinker>)> {
    let src = connect(&cfg.extractor.url, "source").await?;
    let dst = connect(&cfg.sinker.url, "target").await?;
    let extractor = MongoExtractor::new(src, cfg.name_filter()?, resumer, cfg.extractor.batch_size);
    let sinker = MongoSinker::new(dst, cfg.router()?);
    Ok((Box::new(extractor), Box::new(sinker)))
}
