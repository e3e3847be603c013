//! MySQL digests for `dt-main --verify`: each value as the hex of its exact bytes (`N` for
//! NULL), joined, MD5'd; the first 64 bits of each row's MD5 are summed exactly (DECIMAL).

use anyhow::{Context, Result};
use async_trait::async_trait;
use dt_common::TableId;
use sqlx::mysql::MySqlPool;

use super::catalog::table_name;
use super::{exact_bytes, quote};
use crate::catalog::{where_sql, Catalog};
use crate::{RowScope, TableDigest, Verifier};

pub struct MysqlVerifier(pub MySqlPool);

#[async_trait]
impl Verifier for MysqlVerifier {
    /// See [`exact_bytes`] for how each column type is turned into bytes.
    async fn digest(
        &self,
        table: &TableId,
        columns: &[String],
        scope: RowScope<'_>,
    ) -> Result<Option<TableDigest>> {
        let types = self.0.columns(table).await?;
        if types.is_empty() {
            return Ok(None);
        }
        let values: Vec<String> = columns
            .iter()
            .map(|c| {
                let column_type = types
                    .iter()
                    .find(|t| &t.name == c)
                    .map(|t| t.type_name.as_str());
                let value = exact_bytes(&quote(c), column_type.unwrap_or(""));
                format!("IFNULL(HEX({value}), 'N')")
            })
            .collect();
        let sql = format!(
            "SELECT COUNT(*), CAST(IFNULL(SUM(CAST(CONV(SUBSTRING(MD5(CONCAT_WS('|', {})), 1, 16), 16, 10) AS UNSIGNED)), 0) AS CHAR) \
             FROM {}{}",
            values.join(", "),
            table_name(table),
            where_sql(scope.condition, None)
        );
        let (rows, sum): (i64, String) = sqlx::query_as(&sql)
            .fetch_one(&self.0)
            .await
            .with_context(|| format!("cannot digest table {table}"))?;
        Ok(Some(TableDigest::new(rows, sum)))
    }
}
