//! PostgreSQL digests for `dt-main --verify`: each row's record text (values in their text
//! form, NULL told apart from ''), MD5'd; the first 64 bits of each are summed exactly
//! (numeric).

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::TableId;
use sqlx::postgres::PgPool;

use super::catalog::relation;
use super::quote;
use crate::catalog::where_sql;
use crate::{RowScope, TableDigest, Verifier};

pub struct PgVerifier(pub PgPool);

#[async_trait]
impl Verifier for PgVerifier {
    async fn digest(
        &self,
        table: &TableId,
        columns: &[String],
        scope: RowScope<'_>,
    ) -> Result<Option<TableDigest>> {
        let Some(relation) = relation(&self.0, table).await? else {
            return Ok(None);
        };
        let cols: Vec<String> = columns.iter().map(|c| quote(c)).collect();
        let sql = format!(
            "SELECT count(*), coalesce(sum(('x' || substr(md5(ROW({})::text), 1, 16))::bit(64)::bigint), 0)::text \
             FROM {relation}{}",
            cols.join(", "),
            where_sql(scope.condition, None)
        );
        let (rows, sum): (i64, String) = sqlx::query_as(&sql)
            .fetch_one(&self.0)
            .await
            .with_context(|| format!("cannot digest table {table}"))?;
        Ok(Some(TableDigest::new(rows, sum)))
    }
}
