//! `dt-main --verify`: compares every selected table between source and target by row
//! count and content digest (see `dt_connector::Verifier`), without copying anything.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use dt_common::config::TaskConfig;
use dt_common::resumer::NoResume;
use dt_common::TableId;
use dt_connector::{RowScope, TableDigest, TablePlan};
use futures::{stream, StreamExt, TryStreamExt};
use tracing::{info, warn};

/// One table compared.
#[derive(Debug, Clone)]
pub struct TableCheck {
    pub source: TableId,
    pub target: TableId,
    pub src: TableDigest,
    /// `None` when the target table does not exist.
    pub dst: Option<TableDigest>,
}

impl TableCheck {
    pub fn same(&self) -> bool {
        self.dst.as_ref() == Some(&self.src)
    }

    fn verdict(&self) -> &'static str {
        match &self.dst {
            None => "missing in target",
            Some(d) if d == &self.src => "same",
            Some(d) if d.rows != self.src.rows => "DIFFERENT (row count)",
            Some(_) => "DIFFERENT (content)",
        }
    }
}

/// Every selected table compared, sorted by schema and table.
#[derive(Debug, Clone)]
pub struct VerifyReport {
    pub tables: Vec<TableCheck>,
    pub elapsed: Duration,
}

impl VerifyReport {
    pub fn differing(&self) -> Vec<&TableCheck> {
        self.tables.iter().filter(|t| !t.same()).collect()
    }

    pub fn one_line(&self) -> String {
        format!(
            "{} table(s) compared, {} differ, in {:.2}s",
            self.tables.len(),
            self.differing().len(),
            self.elapsed.as_secs_f64()
        )
    }
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = |t: &TableCheck| {
            if t.source == t.target {
                t.source.to_string()
            } else {
                format!("{} -> {}", t.source, t.target)
            }
        };
        let width = self
            .tables
            .iter()
            .map(|t| name(t).len())
            .max()
            .unwrap_or(5)
            .max(5);
        writeln!(
            f,
            "{:<width$}  {:>12}  {:>12}  result",
            "table", "source rows", "target rows"
        )?;
        for t in &self.tables {
            let dst = t
                .dst
                .as_ref()
                .map_or("-".to_string(), |d| d.rows.to_string());
            writeln!(
                f,
                "{:<width$}  {:>12}  {:>12}  {}",
                name(t),
                t.src.rows,
                dst,
                t.verdict()
            )?;
        }
        write!(f, "total: {}", self.one_line())
    }
}

/// Compares every table the task's filter selects, `parallel_tables` at a time, each
/// side summarised by its own server at the same time.
pub async fn verify(cfg: &TaskConfig) -> Result<VerifyReport> {
    let started = Instant::now();
    let (extractor, _) = dt_connector::build(cfg, Arc::new(NoResume)).await?;
    let (src, dst) = dt_connector::build_verifiers(cfg).await?;
    let (router, rows) = (cfg.router()?, cfg.row_filter()?);
    let tables = crate::summary::selected_tables(&extractor.list_tables().await?, "verify")?;
    crate::check_row_filter(&rows, &tables)?;
    let (extractor, src, dst, router, rows) = (&extractor, &src, &dst, &router, &rows);
    let mut checks: Vec<TableCheck> = stream::iter(tables)
        .map(|id| async move {
            let TablePlan::Copy { meta, .. } = extractor.plan(&id).await? else {
                anyhow::bail!("table {id} was planned as finished without a resumer");
            };
            let columns: Vec<String> = meta.columns.iter().map(|c| c.name.clone()).collect();
            let target = router.route_table(&id);
            let target_columns: Vec<String> = columns
                .iter()
                .map(|c| router.route_col(&id, c).to_string())
                .collect();
            // The source's rows that the condition selects, the target's rows all: a target
            // row the condition excludes makes the tables differ.
            let ignored = rows.ignored(&id);
            let (src_scope, dst_scope) = (
                RowScope {
                    condition: rows.condition(&id),
                    ignored,
                },
                RowScope {
                    condition: None,
                    ignored,
                },
            );
            let (s, d) = tokio::try_join!(
                src.digest(&id, &columns, src_scope),
                dst.digest(&target, &target_columns, dst_scope)
            )?;
            let src = s.ok_or_else(|| anyhow::anyhow!("source table {id} does not exist"))?;
            let check = TableCheck {
                source: id,
                target,
                src,
                dst: d,
            };
            if check.same() {
                info!("verify, {}: {} row(s), same", check.source, check.src.rows);
            } else {
                warn!(
                    "verify, {} -> {}: {} (source {} row(s), target {})",
                    check.source,
                    check.target,
                    check.verdict(),
                    check.src.rows,
                    check
                        .dst
                        .as_ref()
                        .map_or("-".into(), |d| d.rows.to_string())
                );
            }
            Ok::<_, anyhow::Error>(check)
        })
        .buffer_unordered(cfg.parallelizer.parallel_tables)
        .try_collect()
        .await?;
    checks.sort_by(|a, b| a.source.cmp(&b.source));
    let report = VerifyReport {
        tables: checks,
        elapsed: started.elapsed(),
    };
    info!("verify, finished: {}", report.one_line());
    Ok(report)
}
