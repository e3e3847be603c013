//! Progress kept in a table of a MySQL or PostgreSQL server, in ape-dts's form
//! (docs/en/snapshot/resume.md, "Progress in a database"): one row per task, kind of record
//! and key, holding the JSON of a position.log or finished.log line.

use anyhow::{Context, Result};
use dt_common::config::ProgressDb;
use dt_common::DbType;
#[cfg(feature = "mysql")]
use sqlx::{Connection, Executor};

use crate::{ConnectorError, ProgressRow};

/// How long dt tries to reach the progress server before it gives up.
const CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// One row of the progress table: `resumer_type` is `SnapshotDoing` or `SnapshotFinished`,
/// `position_key` ape-dts's `schema-tb` (with a suffix for chunk records), `data` the JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRecord {
    pub resumer_type: String,
    pub position_key: String,
    pub data: String,
}

enum Pool {
    #[cfg(feature = "mysql")]
    Mysql(sqlx::MySqlPool),
    #[cfg(feature = "pg")]
    Pg(sqlx::PgPool),
}

/// The progress table of one task.
pub struct ProgressTable {
    pool: Pool,
    /// `schema`.`table`, quoted for the server.
    name: String,
    task_id: String,
    /// Where the table is, for messages: `apecloud_metadata.apedts_task_position on the target`.
    pub place: String,
}

impl ProgressTable {
    /// Connects to the server of `db` and creates its schema and table when missing.
    pub async fn open(db: &ProgressDb, task_id: &str) -> Result<ProgressTable> {
        let server = if db.in_target {
            "the target"
        } else {
            "resumer.url"
        };
        let place = format!("progress table {}.{} on {server}", db.schema, db.table);
        let unreachable = || format!("cannot connect to the server of the {place}");
        let pool = match db.db_type {
            #[cfg(feature = "mysql")]
            DbType::Mysql => Pool::Mysql(
                sqlx::mysql::MySqlPoolOptions::new()
                    .max_connections(db.max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect(&db.url)
                    .await
                    .with_context(unreachable)?,
            ),
            #[cfg(feature = "pg")]
            DbType::Pg => Pool::Pg(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(db.max_connections)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect(&db.url)
                    .await
                    .with_context(unreachable)?,
            ),
            other => {
                anyhow::bail!("a {other} server cannot keep progress; use MySQL or PostgreSQL")
            }
        };
        let t = ProgressTable {
            name: match db.db_type {
                DbType::Mysql => format!("`{}`.`{}`", db.schema, db.table),
                _ => format!("\"{}\".\"{}\"", db.schema, db.table),
            },
            pool,
            task_id: task_id.to_string(),
            place,
        };
        t.create(&db.schema).await.with_context(|| {
            format!(
                "cannot create the {} (the account needs the privilege to create it, or \
                 create it beforehand)",
                t.place
            )
        })?;
        Ok(t)
    }

    async fn create(&self, schema: &str) -> Result<(), sqlx::Error> {
        match &self.pool {
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => {
                sqlx::query(&format!("CREATE DATABASE IF NOT EXISTS `{schema}`"))
                    .execute(pool)
                    .await?;
                sqlx::query(&format!(
                    "CREATE TABLE IF NOT EXISTS {} (\
                       id bigint AUTO_INCREMENT PRIMARY KEY, \
                       task_id varchar(255) NOT NULL, \
                       resumer_type varchar(255) NOT NULL, \
                       position_key varchar(255) NOT NULL, \
                       position_data text, \
                       created_at timestamp DEFAULT CURRENT_TIMESTAMP, \
                       updated_at timestamp DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, \
                       UNIQUE KEY uk_task_id_task_type_position_key (task_id, resumer_type, position_key))",
                    self.name
                ))
                .execute(pool)
                .await?;
            }
            #[cfg(feature = "pg")]
            Pool::Pg(pool) => {
                sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                    .execute(pool)
                    .await?;
                sqlx::query(&format!(
                    "CREATE TABLE IF NOT EXISTS {} (\
                       id bigserial PRIMARY KEY, \
                       task_id varchar(255) NOT NULL, \
                       resumer_type varchar(100) NOT NULL, \
                       position_key varchar(255) NOT NULL, \
                       position_data text, \
                       created_at timestamp DEFAULT CURRENT_TIMESTAMP, \
                       updated_at timestamp DEFAULT CURRENT_TIMESTAMP, \
                       CONSTRAINT uk_task_id_task_type_position_key UNIQUE (task_id, resumer_type, position_key))",
                    self.name
                ))
                .execute(pool)
                .await?;
            }
        }
        Ok(())
    }

    /// Deletes every record of the task.
    pub async fn clear(&self) -> Result<u64> {
        let sql = format!(
            "DELETE FROM {} WHERE task_id = {}",
            self.name,
            self.param(1)
        );
        let done = match &self.pool {
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => sqlx::query(&sql)
                .bind(&self.task_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
            #[cfg(feature = "pg")]
            Pool::Pg(pool) => sqlx::query(&sql)
                .bind(&self.task_id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()),
        };
        done.with_context(|| format!("cannot clear the task's rows in the {}", self.place))
    }

    /// Every record of the task.
    pub async fn load(&self) -> Result<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT resumer_type, position_key, position_data FROM {} WHERE task_id = {} \
             ORDER BY id",
            self.name,
            self.param(1)
        );
        let rows: Vec<(String, String, Option<String>)> = match &self.pool {
            #[cfg(feature = "mysql")]
            Pool::Mysql(pool) => {
                sqlx::query_as(&sql)
                    .bind(&self.task_id)
                    .fetch_all(pool)
                    .await
            }
            #[cfg(feature = "pg")]
            Pool::Pg(pool) => {
                sqlx::query_as(&sql)
                    .bind(&self.task_id)
                    .fetch_all(pool)
                    .await
            }
        }
        .map_err(|e| ConnectorError::read(self.place.clone(), e))?;
        Ok(rows
            .into_iter()
            .map(|(resumer_type, position_key, data)| StoredRecord {
                resumer_type,
                position_key,
                data: data.unwrap_or_default(),
            })
            .collect())
    }

    /// `record` as a statement to run in a transaction of the sinker on the same server.
    pub fn row(&self, record: StoredRecord) -> ProgressRow {
        ProgressRow {
            sql: self.upsert_sql().into(),
            params: [
                self.task_id.clone(),
                record.resumer_type,
                record.position_key,
                record.data,
            ],
        }
    }

    /// The statement that writes one record, replacing the record of its kind and key.
    fn upsert_sql(&self) -> String {
        match &self.pool {
            #[cfg(feature = "mysql")]
            Pool::Mysql(_) => format!(
                "INSERT INTO {} (task_id, resumer_type, position_key, position_data) VALUES \
                 (?, ?, ?, ?) ON DUPLICATE KEY UPDATE position_data = VALUES(position_data), \
                 updated_at = CURRENT_TIMESTAMP",
                self.name
            ),
            #[cfg(feature = "pg")]
            Pool::Pg(_) => format!(
                "INSERT INTO {} (task_id, resumer_type, position_key, position_data) VALUES \
                 ($1, $2, $3, $4) ON CONFLICT (task_id, resumer_type, position_key) DO UPDATE \
                 SET position_data = EXCLUDED.position_data, updated_at = CURRENT_TIMESTAMP",
                self.name
            ),
        }
    }

    /// In one transaction: deletes the task's `SnapshotDoing` records whose key is one of
    /// `dropped` or starts with one of `dropped_prefixes`, then writes `records`, each
    /// replacing the record of its kind and key.
    pub async fn save(
        &self,
        dropped: &[String],
        dropped_prefixes: &[String],
        records: &[StoredRecord],
    ) -> Result<()> {
        let delete_key = format!(
            "DELETE FROM {} WHERE task_id = {} AND resumer_type = 'SnapshotDoing' AND \
             position_key = {}",
            self.name,
            self.param(1),
            self.param(2)
        );
        let delete_prefix = format!(
            "DELETE FROM {} WHERE task_id = {} AND resumer_type = 'SnapshotDoing' AND \
             LEFT(position_key, {}) = {}",
            self.name,
            self.param(1),
            self.param(2),
            self.param(3)
        );
        let upsert = self.upsert_sql();
        macro_rules! run {
            ($conn:expr) => {{
                let mut tx = $conn.begin().await?;
                for key in dropped {
                    sqlx::query(&delete_key)
                        .bind(&self.task_id)
                        .bind(key)
                        .execute(&mut *tx)
                        .await?;
                }
                for prefix in dropped_prefixes {
                    sqlx::query(&delete_prefix)
                        .bind(&self.task_id)
                        .bind(prefix.chars().count() as i32)
                        .bind(prefix)
                        .execute(&mut *tx)
                        .await?;
                }
                for r in records {
                    sqlx::query(&upsert)
                        .bind(&self.task_id)
                        .bind(&r.resumer_type)
                        .bind(&r.position_key)
                        .bind(&r.data)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await
            }};
        }
        let mut attempt = 0;
        loop {
            let result: Result<(), sqlx::Error> = match &self.pool {
                // In READ COMMITTED the DELETEs lock only the rows they delete, not the
                // gaps between the rows of other tables, which their writers update in the
                // transactions of their rows meanwhile (PostgreSQL's default level).
                #[cfg(feature = "mysql")]
                Pool::Mysql(pool) => {
                    async {
                        let mut conn = pool.acquire().await?;
                        conn.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                            .await?;
                        run!(conn)
                    }
                    .await
                }
                #[cfg(feature = "pg")]
                Pool::Pg(pool) => run!(pool),
            };
            match result {
                // Writers of other tables update their rows in the same table at the same
                // time; a deadlock between them rolls one transaction back whole.
                Err(e) if deadlock(&e) && attempt < 5 => {
                    attempt += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
                result => {
                    return result.with_context(|| format!("cannot write to the {}", self.place))
                }
            }
        }
    }

    /// The placeholder of bind parameter `n` (1-based).
    fn param(&self, n: usize) -> String {
        match &self.pool {
            #[cfg(feature = "mysql")]
            Pool::Mysql(_) => {
                let _ = n;
                "?".to_string()
            }
            #[cfg(feature = "pg")]
            Pool::Pg(_) => format!("${n}"),
        }
    }
}

/// A deadlock or a lock wait timeout, after which the whole transaction may be run again:
/// SQLSTATE 40001 (MySQL's deadlock, a serialization failure), 40P01 (PostgreSQL's
/// deadlock), or MySQL's lock wait timeout (error 1205).
fn deadlock(e: &sqlx::Error) -> bool {
    let Some(d) = e.as_database_error() else {
        return false;
    };
    #[cfg(feature = "mysql")]
    if let Some(m) = d.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        return matches!(m.number(), 1205 | 1213);
    }
    matches!(d.code().as_deref(), Some("40001" | "40P01"))
}
