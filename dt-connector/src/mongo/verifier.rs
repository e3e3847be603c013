//! MongoDB digests for `dt-main --verify`: every document's raw BSON bytes hashed (SipHash
//! with fixed keys, the same in both halves of one process) and summed; ignored fields are
//! removed before hashing, on both sides.

use std::hash::{Hash, Hasher};

use anyhow::{anyhow, Context, Result};
use async_trait::async_trait;
use bson::{doc, RawDocumentBuf};
use dt_common::TableId;
use futures::TryStreamExt;

use super::catalog::exists;
use super::rows::{condition, strip};
use crate::{RowScope, TableDigest, Verifier};

pub struct MongoVerifier(pub mongodb::Client);

#[async_trait]
impl Verifier for MongoVerifier {
    async fn digest(
        &self,
        table: &TableId,
        _columns: &[String],
        scope: RowScope<'_>,
    ) -> Result<Option<TableDigest>> {
        let ctx = || format!("cannot digest collection {table}");
        if !exists(&self.0, table).await.with_context(ctx)? {
            return Ok(None);
        }
        let filter = match scope.condition {
            Some(c) => condition(c).map_err(|why| anyhow!("filter.where_conditions: {why}"))?,
            None => doc! {},
        };
        let mut cursor = self
            .0
            .database(&table.schema)
            .collection::<RawDocumentBuf>(&table.tb)
            .find(filter)
            .batch_size(10_000)
            .await
            .with_context(ctx)?;
        let (mut rows, mut sum) = (0u64, 0u128);
        while let Some(d) = cursor.try_next().await.with_context(ctx)? {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            strip(d, scope.ignored)?.as_bytes().hash(&mut h);
            rows += 1;
            sum = sum.wrapping_add(h.finish() as u128);
        }
        Ok(Some(TableDigest {
            rows,
            sum: sum.to_string(),
        }))
    }
}
