//! MongoDB catalog: databases, collections and their indexes, for the extractor, the sinker
//! and the verifier alike.

use bson::{doc, Bson, Document};
use dt_common::filter::NameFilter;
use dt_common::TableId;
use futures::TryStreamExt;
use mongodb::options::CreateCollectionOptions;
use mongodb::results::CollectionType;
use mongodb::Client;

use crate::{CatalogEntry, ConnectorError};

const SYSTEM_DBS: &[&str] = &["admin", "local", "config"];

/// Whether collection `id` exists.
pub(super) async fn exists(client: &Client, id: &TableId) -> Result<bool, ConnectorError> {
    let names = client
        .database(&id.schema)
        .list_collection_names()
        .filter(doc! { "name": &id.tb })
        .await
        .map_err(|e| ConnectorError::read(format!("the collections of {}", id.schema), e))?;
    Ok(!names.is_empty())
}

/// What dt does with a collection of `db`: system collections and views are not copied.
fn catalog_entry(db: &str, spec: mongodb::results::CollectionSpecification) -> CatalogEntry {
    let id = TableId::new(db, &spec.name);
    match spec.collection_type {
        _ if spec.name.starts_with("system.") => {
            CatalogEntry::NotCopied(id, "a system collection; MongoDB maintains it".into())
        }
        CollectionType::Collection => CatalogEntry::Table(id),
        CollectionType::View => CatalogEntry::NotCopied(
            id,
            "a view; a snapshot copies the documents of collections only".into(),
        ),
        _ => CatalogEntry::NotCopied(id, "not a plain collection".into()),
    }
}

/// Every collection of the databases that `filter` may select, system databases left out.
pub(super) async fn list(
    client: &Client,
    filter: &NameFilter,
) -> Result<Vec<CatalogEntry>, ConnectorError> {
    let dbs = client
        .list_database_names()
        .await
        .map_err(|e| ConnectorError::read("the source databases", e))?;
    let mut catalog = Vec::new();
    for db in dbs.iter().filter(|d| !SYSTEM_DBS.contains(&d.as_str())) {
        if !filter.db_may_match(db) {
            continue;
        }
        let what = || format!("the collections of {db}");
        let specs: Vec<_> = client
            .database(db)
            .list_collections()
            .await
            .map_err(|e| ConnectorError::read(what(), e))?
            .try_collect()
            .await
            .map_err(|e| ConnectorError::read(what(), e))?;
        catalog.extend(specs.into_iter().map(|spec| catalog_entry(db, spec)));
    }
    Ok(catalog)
}

/// The options collection `id` was created with (capped, collation, validator, clustered
/// index, expiry, time series), as `create` takes them back; `None` when it does not exist.
pub(super) async fn collection_options(
    client: &Client,
    id: &TableId,
) -> Result<Option<CreateCollectionOptions>, ConnectorError> {
    let what = || format!("the options of collection {id}");
    let specs: Vec<_> = client
        .database(&id.schema)
        .list_collections()
        .filter(doc! { "name": &id.tb })
        .await
        .map_err(|e| ConnectorError::read(what(), e))?
        .try_collect()
        .await
        .map_err(|e| ConnectorError::read(what(), e))?;
    Ok(specs.into_iter().next().map(|spec| {
        let mut options = spec.options;
        // The server lists the span it derived from a granularity, and refuses it back
        // with that granularity.
        if let Some(ts) = options.timeseries.as_mut() {
            if ts.granularity.is_some() {
                ts.bucket_max_span = None;
                ts.bucket_rounding = None;
            }
        }
        options
    }))
}

/// Creates collection `id` with `options`; one that exists with the same options is no
/// error (the server answers `create` so), one with other options is.
pub(super) async fn create_collection(
    client: &Client,
    id: &TableId,
    options: CreateCollectionOptions,
) -> mongodb::error::Result<()> {
    client
        .database(&id.schema)
        .create_collection(&id.tb)
        .with_options(options)
        .await
}

/// The `listIndexes` entries of collection `id`, `_id_` included.
pub(super) async fn indexes(client: &Client, id: &TableId) -> anyhow::Result<Vec<Document>> {
    use anyhow::Context;
    let what = || format!("the indexes of source collection {id}");
    let reply = client
        .database(&id.schema)
        .run_command(doc! { "listIndexes": &id.tb })
        .await
        .map_err(|e| ConnectorError::read(what(), e))?;
    let ctx = || format!("cannot list {}", what());
    let cursor = reply.get_document("cursor").with_context(ctx)?;
    // A collection holds at most 64 indexes, well within one first batch.
    anyhow::ensure!(
        cursor.get_i64("id").unwrap_or(0) == 0,
        "{}: more indexes than one reply holds",
        ctx()
    );
    cursor
        .get_array("firstBatch")
        .with_context(ctx)?
        .iter()
        .map(|spec| match spec {
            Bson::Document(spec) => Ok(spec.clone()),
            _ => anyhow::bail!("{}: an index entry is not a document", ctx()),
        })
        .collect()
}

/// The server's estimate of the documents in collection `id`; 0 when it cannot tell.
pub(super) async fn estimated_count(client: &Client, id: &TableId) -> u64 {
    client
        .database(&id.schema)
        .collection::<Document>(&id.tb)
        .estimated_document_count()
        .await
        .unwrap_or(0)
}
