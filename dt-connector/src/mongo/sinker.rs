//! MongoDB sinker: unordered `insertMany` of the raw documents; documents that already exist
//! (a re-sent page after a crash) are replaced by `_id` in two bulk writes, so a write is
//! idempotent. Databases
//! and collections are renamed by the router. With `[sinker] replace=false` a document whose
//! `_id` the target holds is an error instead ([`ConflictMode`]).

use anyhow::{anyhow, Context, Result};
use async_trait::async_trait;
use bson::{doc, Bson, RawDocumentBuf};
use dt_common::config::ConflictMode;
use dt_common::meta::{Row, Value};
use dt_common::router::Router;
use mongodb::error::ErrorKind;
use mongodb::Client;
use tokio::sync::mpsc;
use tracing::{info, warn};

use super::catalog::{collection_options, create_collection, exists};
use crate::{AtomicMsg, Clear, ConnectorError, DbObject, Sinker, TableMeta};

/// The server's code for a write refused by a unique index.
const DUPLICATE_KEY: i32 = 11000;
/// The server's code for creating a collection that exists.
const NAMESPACE_EXISTS: i32 = 48;

pub struct MongoSinker {
    client: Client,
    /// The source, whose collection options a missing target collection is created with.
    source: Client,
    router: Router,
    conflict: ConflictMode,
}

impl MongoSinker {
    pub fn new(client: Client, source: Client, router: Router, conflict: ConflictMode) -> Self {
        MongoSinker {
            client,
            source,
            router,
            conflict,
        }
    }

    /// A document refused by the `_id` index: replaced, refused, or left when it is the same
    /// document byte for byte, as [`ConflictMode`] says.
    async fn on_duplicate(
        &self,
        coll: &mongodb::Collection<RawDocumentBuf>,
        target: &dt_common::TableId,
        d: &RawDocumentBuf,
        message: &str,
    ) -> Result<()> {
        let id = Bson::try_from(
            d.get("_id")?
                .context("a document without _id")?
                .to_raw_bson(),
        )?;
        let reason = match self.conflict {
            ConflictMode::Replace => return replace_all(coll, &[d]).await,
            ConflictMode::Error => message.to_string(),
            ConflictMode::ErrorUnlessEqual => {
                let held = coll.find_one(doc! { "_id": &id }).await?;
                if held.as_ref().map(|h| h.as_bytes()) == Some(d.as_bytes()) {
                    return Ok(());
                }
                format!(
                    "the document with _id {id} differs from the source's (a resumed run \
                     leaves only documents equal to the source's as they are)"
                )
            }
        };
        Err(ConnectorError::Conflict {
            table: target.clone(),
            reason,
        }
        .into())
    }
}

/// Replaces the documents `docs`, whose `_id`s the target holds, in two bulk writes: the
/// held documents are deleted, then `docs` inserted. Until the second commits, those `_id`s
/// are missing from the target; the chunk is acknowledged only after both, so an
/// interruption in between makes the resumed run write the chunk again.
async fn replace_all(
    coll: &mongodb::Collection<RawDocumentBuf>,
    docs: &[&RawDocumentBuf],
) -> Result<()> {
    if docs.is_empty() {
        return Ok(());
    }
    let ids: Vec<Bson> = docs
        .iter()
        .map(|d| {
            let id = d.get("_id")?.context("a document without _id")?;
            Ok(Bson::try_from(id.to_raw_bson())?)
        })
        .collect::<Result<_>>()?;
    coll.delete_many(doc! { "_id": { "$in": ids } }).await?;
    coll.insert_many(docs.iter().copied())
        .ordered(false)
        .await?;
    Ok(())
}

fn document(row: &Row) -> Result<RawDocumentBuf> {
    match row.get(1) {
        Some(Value::Bytes(b)) => Ok(RawDocumentBuf::from_bytes(b.clone())?),
        other => Err(anyhow!("expected a BSON document, got {other:?}")),
    }
}

#[async_trait]
impl Sinker for MongoSinker {
    /// Creates the target collection when it is missing, so empty collections arrive too,
    /// with the source collection's options: a capped, collated or validated collection
    /// stays so (docs/en/structure.md).
    async fn prepare(&self, meta: &TableMeta) -> Result<()> {
        let target = self.router.route_table(&meta.id);
        let ctx = || format!("cannot prepare target collection {target}");
        if !exists(&self.client, &target).await.with_context(ctx)? {
            let options = collection_options(&self.source, &meta.id)
                .await
                .with_context(ctx)?
                .unwrap_or_default();
            if let Err(e) = create_collection(&self.client, &target, options).await {
                // Another writer may have created it meanwhile (NamespaceExists).
                let raced =
                    matches!(e.kind.as_ref(), ErrorKind::Command(c) if c.code == NAMESPACE_EXISTS);
                if !raced {
                    return Err(e).with_context(ctx);
                }
            }
        }
        Ok(())
    }

    async fn write(&self, meta: &TableMeta, rows: &[Row]) -> Result<()> {
        let target = self.router.route_table(&meta.id);
        let ctx = || format!("cannot write to target collection {target}");
        let coll = self
            .client
            .database(&target.schema)
            .collection::<RawDocumentBuf>(&target.tb);
        let docs: Vec<RawDocumentBuf> = rows.iter().map(document).collect::<Result<_>>()?;
        let err = match coll.insert_many(&docs).ordered(false).await {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let ErrorKind::InsertMany(ime) = err.kind.as_ref() else {
            return Err(err).with_context(ctx);
        };
        if ime.write_concern_error.is_some() {
            return Err(err).with_context(ctx);
        }
        let mut held = Vec::new();
        for w in ime.write_errors.iter().flatten() {
            if w.code != DUPLICATE_KEY {
                return Err(anyhow!("{} (code {})", w.message, w.code)).with_context(ctx);
            }
            if self.conflict == ConflictMode::Replace {
                held.push(&docs[w.index]);
                continue;
            }
            self.on_duplicate(&coll, &target, &docs[w.index], &w.message)
                .await
                .with_context(ctx)?;
        }
        replace_all(&coll, &held).await.with_context(ctx)
    }

    async fn write_atomic(
        &self,
        meta: &TableMeta,
        _clear: Clear,
        _rx: mpsc::Receiver<AtomicMsg>,
        _record: Option<&crate::ProgressRow>,
    ) -> Result<u64> {
        Err(anyhow!(
            "collection {} has no _id key; this cannot happen in MongoDB",
            meta.id
        ))
    }

    /// A collection's indexes are built as soon as its documents are in.
    fn objects_per_table(&self) -> bool {
        true
    }

    /// Creates each index in the routed collection, one `createIndexes` at a time so that a
    /// refusal names its index. An index already there with the same spec is a no-op; one
    /// the server refuses (a conflicting index of that name, an index kind it does not
    /// support, duplicates under a unique index) is a warning: the documents are all there.
    async fn apply_objects(&self, objects: &[DbObject]) -> Result<usize> {
        let mut set = 0;
        for obj in objects {
            let DbObject::MongoIndex { coll, spec } = obj else {
                continue;
            };
            let target = self.router.route_table(coll);
            let mut spec = spec.clone();
            spec.remove("ns");
            let name = spec.get_str("name").unwrap_or("?").to_string();
            let reply = self
                .client
                .database(&target.schema)
                .run_command(doc! { "createIndexes": &target.tb, "indexes": [spec] })
                .await;
            match reply {
                Ok(_) => {
                    info!("index, {coll} -> {target}: index `{name}` in place");
                    set += 1;
                }
                Err(e) if matches!(e.kind.as_ref(), ErrorKind::Command(_)) => {
                    warn!("index, {coll} -> {target}: index `{name}` not created: {e}");
                }
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!("cannot create index `{name}` on target collection {target}")
                    })
                }
            }
        }
        Ok(set)
    }
}
