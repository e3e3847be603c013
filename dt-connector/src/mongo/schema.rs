//! MongoDB schema copy (docs/en/structure.md): before the documents, each collection with
//! the options it was created with (capped, collation, validator, clustered index, expiry);
//! after them, its secondary indexes.

use std::collections::BTreeSet;

use anyhow::{Context, Result};
use async_trait::async_trait;
use bson::{doc, Document};
use dt_common::TableId;
use mongodb::Client;

use super::catalog;
use crate::{schema_conflict, Created, Phase, SchemaCopier, SchemaReport};

/// Copies the collections and indexes of the selected collections.
pub struct MongoSchema {
    src: Client,
    dst: Client,
    /// The `[filter] do_structures` names to copy; `None` for every object.
    structures: Option<BTreeSet<String>>,
    /// `[sinker] conflict_policy=ignore`: an object that differs in the target is a warning.
    ignore_conflicts: bool,
}

impl MongoSchema {
    pub fn new(
        src: Client,
        dst: Client,
        structures: Option<BTreeSet<String>>,
        ignore_conflicts: bool,
    ) -> MongoSchema {
        MongoSchema {
            src,
            dst,
            structures,
            ignore_conflicts,
        }
    }

    fn wanted(&self, structure: &str) -> bool {
        self.structures
            .as_ref()
            .is_none_or(|s| s.contains(structure))
    }

    /// An object of the target that differs from the source's.
    fn differs(&self, label: &str, target: &Document, source: &Document) -> Result<()> {
        let why = format!("target has `{target}`, source has `{source}`");
        schema_conflict(label, &why, self.ignore_conflicts)
    }

    /// Each collection, with its options.
    async fn collections(
        &self,
        tables: &[TableId],
        report: &mut SchemaReport,
        created: &Created,
    ) -> Result<()> {
        for id in tables {
            let label = format!("COLLECTION {}.{}", id.schema, id.tb);
            let Some(options) = catalog::collection_options(&self.src, id).await? else {
                continue;
            };
            let source = bson::to_document(&options)?;
            match catalog::collection_options(&self.dst, id).await? {
                Some(t) => {
                    let target = bson::to_document(&t)?;
                    if target == source {
                        report.identical += 1;
                    } else {
                        self.differs(&label, &target, &source)?;
                        report.ignored += 1;
                    }
                }
                None => {
                    catalog::create_collection(&self.dst, id, options)
                        .await
                        .with_context(|| format!("cannot create {label} in the target"))?;
                    report.created += 1;
                    created(label);
                }
            }
        }
        Ok(())
    }

    /// Each secondary index, by name.
    async fn indexes(
        &self,
        tables: &[TableId],
        report: &mut SchemaReport,
        created: &Created,
    ) -> Result<()> {
        let comparable = |mut spec: Document| {
            spec.remove("ns");
            spec.remove("v");
            spec
        };
        for id in tables {
            let there: Vec<Document> = match catalog::collection_options(&self.dst, id).await? {
                Some(_) => catalog::indexes(&self.dst, id).await?,
                None => Vec::new(),
            };
            for spec in catalog::indexes(&self.src, id).await? {
                let name = spec.get_str("name").unwrap_or("?").to_string();
                if name == "_id_" || spec.get_bool("clustered").unwrap_or(false) {
                    continue;
                }
                let label = format!("INDEX {}.{}.{name}", id.schema, id.tb);
                let source = comparable(spec);
                match there
                    .iter()
                    .find(|t| t.get_str("name") == Ok(name.as_str()))
                {
                    Some(t) if comparable(t.clone()) == source => report.identical += 1,
                    Some(t) => {
                        self.differs(&label, &comparable(t.clone()), &source)?;
                        report.ignored += 1;
                    }
                    None => {
                        self.dst
                            .database(&id.schema)
                            .run_command(doc! { "createIndexes": &id.tb, "indexes": [source] })
                            .await
                            .with_context(|| format!("cannot create {label} in the target"))?;
                        report.created += 1;
                        created(label);
                    }
                }
            }
        }
        Ok(())
    }
}

#[async_trait]
impl SchemaCopier for MongoSchema {
    async fn copy(
        &self,
        phase: Phase,
        tables: &[TableId],
        created: &Created,
    ) -> Result<SchemaReport> {
        let mut report = SchemaReport::default();
        match phase {
            Phase::PreData if self.wanted("table") => {
                self.collections(tables, &mut report, created).await?
            }
            Phase::PostData if self.wanted("index") => {
                self.indexes(tables, &mut report, created).await?
            }
            _ => {}
        }
        report.log(phase);
        Ok(report)
    }
}
