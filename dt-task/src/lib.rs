//! The orchestrator of dt: for each selected table, extractor → bounded buffer → parallel
//! sinkers → acknowledgements → checkpoints, then the table's finished mark. A position is
//! recorded only once every row at or below it is committed in the target.

mod copy;
mod display;
mod error;
mod partition;
mod progress;
#[cfg(any(feature = "mysql", feature = "pg"))]
mod stored;
#[cfg(any(feature = "mysql", feature = "pg"))]
use stored::Inline;

/// Inline progress needs a MySQL or PostgreSQL server to keep it in.
#[cfg(not(any(feature = "mysql", feature = "pg")))]
enum Inline {}

#[cfg(not(any(feature = "mysql", feature = "pg")))]
impl Inline {
    fn row(&self, _: &dt_resumer::Position) -> Option<dt_connector::ProgressRow> {
        match *self {}
    }

    async fn save(&self, _: &dt_resumer::Position) -> Result<()> {
        match *self {}
    }
}
mod summary;
mod throttle;
mod verify;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use dt_common::config::TaskConfig;
use dt_common::resumer::NoResume;
use dt_common::row_filter::RowFilter;
use dt_common::{Resumer, TableId};
use dt_connector::{Clear, Extractor, Phase, SchemaCopier, SchemaReport, Sinker, TablePlan};
use dt_resumer::{LogResumer, ProgressWriter, ResumeSources};
use futures::{stream, StreamExt, TryStreamExt};
use tracing::info;

pub use dt_connector::check_config;
pub use error::TaskError;
pub use progress::Progress;
pub use summary::{Outcome, TableReport, TaskSummary};
pub use verify::{verify, TableCheck, VerifyReport};

/// An extractor and a sinker, as [`Task::with_connectors`] takes them.
pub type Connectors = (Box<dyn Extractor>, Box<dyn Sinker>);

/// A task ready to run: config checked, earlier progress loaded, progress files open.
pub struct Task {
    cfg: TaskConfig,
    resumer: Arc<dyn Resumer>,
    resuming: bool,
    progress: Progress,
    live_display: bool,
    connectors: Option<Connectors>,
    limits: throttle::Limits,
    inline: Option<Inline>,
    /// Where progress kept in a database is, and the source tables it is of.
    #[cfg_attr(not(any(feature = "mysql", feature = "pg")), allow(dead_code))]
    stored_tables: Option<(String, std::collections::BTreeSet<TableId>)>,
}

impl Task {
    /// Loads earlier progress (when resume is on) and opens the progress files. Errors here
    /// are the user's to fix: a malformed or missing resume config, an unwritable log dir.
    pub fn new(cfg: TaskConfig) -> Result<Task, TaskError> {
        let writer = ProgressWriter::open(&cfg.runtime.log_dir).with_context(|| {
            format!(
                "cannot open the progress logs in {}",
                cfg.runtime.log_dir.display()
            )
        });
        Task::with_writer(cfg, writer.map_err(TaskError::Setup)?)
    }

    /// Like [`Task::new`], with progress written by `writer` (tests give one whose syncs
    /// they observe).
    pub fn with_writer(cfg: TaskConfig, writer: ProgressWriter) -> Result<Task, TaskError> {
        Task::setup(cfg, writer, None).map_err(TaskError::Setup)
    }

    /// Like [`Task::new`], and when the config keeps progress in a database
    /// (`[resumer] resume_type=from_target` / `from_db`), opens that table, reads the
    /// task's earlier progress from it and records all progress there too. Runs on the
    /// runtime the task then runs on.
    pub async fn open(cfg: TaskConfig) -> Result<Task, TaskError> {
        #[cfg(not(any(feature = "mysql", feature = "pg")))]
        return Task::new(cfg);
        #[cfg(any(feature = "mysql", feature = "pg"))]
        Task::open_stored(cfg).await
    }

    #[cfg(any(feature = "mysql", feature = "pg"))]
    async fn open_stored(cfg: TaskConfig) -> Result<Task, TaskError> {
        let stored = stored::open(&cfg).await.map_err(TaskError::Setup)?;
        let Some(stored::Stored {
            table,
            records,
            tables,
        }) = stored
        else {
            return Task::new(cfg);
        };
        let writer = ProgressWriter::open(&cfg.runtime.log_dir)
            .with_context(|| {
                format!(
                    "cannot open the progress logs in {}",
                    cfg.runtime.log_dir.display()
                )
            })
            .map_err(TaskError::Setup)?;
        let place = table.place.clone();
        // In the target, progress commits with the rows (docs/en/snapshot/resume.md,
        // "Progress committed with the rows").
        let in_target = cfg.resumer.store.as_ref().is_some_and(|s| s.in_target);
        let writer = writer.with_mirror(Box::new(stored::TableMirror {
            table: table.clone(),
            runtime: tokio::runtime::Handle::current(),
            only_finished: in_target,
        }));
        let mut task =
            Task::setup(cfg, writer, Some((place.clone(), records))).map_err(TaskError::Setup)?;
        task.inline = in_target.then_some(Inline { table });
        task.stored_tables = Some((place, tables));
        Ok(task)
    }

    fn setup(
        cfg: TaskConfig,
        writer: ProgressWriter,
        stored: Option<(String, Vec<String>)>,
    ) -> Result<Task> {
        let sources = ResumeSources {
            db_type: cfg.extractor.db_type,
            log_dir: cfg.resumer.resume_from_log.then(|| cfg.resume_log_dir()),
            config_file: cfg.resume_config_file(),
            value_check: dt_connector::position_value_check(cfg.extractor.db_type),
            stored,
        };
        if let Some(dir) = &sources.log_dir {
            let explicit = !cfg.resumer.resume_log_dir.trim().is_empty();
            if explicit && !dir.is_dir() {
                anyhow::bail!(
                    "resumer.resume_log_dir {} is not a directory: nothing can be resumed from \
                     it (leave the key empty to resume from [runtime] log_dir)",
                    dir.display()
                );
            }
        }
        anyhow::ensure!(
            cfg.resumer.store.is_none() || sources.stored.is_some(),
            "resumer.resume_type={} keeps progress in a database: the task must be opened \
             with Task::open",
            cfg.resumer.resume_type
        );
        let resuming =
            sources.log_dir.is_some() || sources.config_file.is_some() || sources.stored.is_some();
        let resumer: Arc<dyn Resumer> = if resuming {
            Arc::new(LogResumer::load(&sources)?)
        } else {
            Arc::new(NoResume)
        };
        let progress = Progress::new(writer, cfg.extractor.db_type)
            .context("cannot start the checkpoint thread")?;
        Ok(Task {
            limits: throttle::Limits::new(&cfg),
            cfg,
            resumer,
            resuming,
            progress,
            live_display: false,
            connectors: None,
            inline: None,
            stored_tables: None,
        })
    }

    /// Shows live progress bars on stderr while the task runs (for terminals).
    pub fn with_live_display(mut self, on: bool) -> Self {
        self.live_display = on;
        self
    }

    /// Copies with the extractor and sinker that `connect` builds from the task's resumer,
    /// instead of connecting to the servers the config names. The orchestrator's own tests
    /// run it this way, with fakes of the `Extractor` and `Sinker` traits.
    pub fn with_connectors(mut self, connect: impl FnOnce(Arc<dyn Resumer>) -> Connectors) -> Self {
        self.connectors = Some(connect(self.resumer.clone()));
        self
    }

    /// Copies every selected table. On failure or SIGINT/SIGTERM, what is committed so far
    /// is checkpointed before the error is returned.
    pub async fn run(mut self) -> Result<TaskSummary, TaskError> {
        let started = Instant::now();
        let (extractor, sinker) = match self.connectors.take() {
            Some(connectors) => connectors,
            None => dt_connector::build(&self.cfg, self.resumer.clone()).await?,
        };
        let listing = extractor.list_tables().await?;
        let tables = summary::selected_tables(&listing, "task")?;
        #[cfg(any(feature = "mysql", feature = "pg"))]
        if let Some((place, stored)) = &self.stored_tables {
            stored::check_tables(stored, &tables, place, &self.cfg.task_id())
                .map_err(TaskError::Setup)?;
        }
        let row_filter = self.cfg.row_filter().map_err(anyhow::Error::from)?;
        check_row_filter(&row_filter, &tables)?;
        let result = tokio::select! {
            r = self.copy_with_schema(extractor.as_ref(), sinker.as_ref(), &tables) => Ok(r?),
            e = self.ticker() => Err(TaskError::Failed(e)),
            _ = self.live() => unreachable!("the live display never ends"),
            signal = interrupted() => Err(TaskError::Interrupted { signal }),
        };
        match result {
            Ok(tables) => {
                self.progress.checkpoint().await?;
                let summary = TaskSummary {
                    tables,
                    not_copied: listing.not_copied,
                    elapsed: started.elapsed(),
                };
                info!("task, finished: {}", summary.one_line());
                Ok(summary)
            }
            Err(e) => {
                let _ = self.progress.checkpoint().await;
                Err(e)
            }
        }
    }

    /// Writes a checkpoint and the default.log progress lines every
    /// `checkpoint_interval_secs`; returns only when a checkpoint fails.
    async fn ticker(&self) -> anyhow::Error {
        let interval = Duration::from_secs_f64(self.cfg.pipeline.checkpoint_interval_secs);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        loop {
            tick.tick().await;
            if let Err(e) = self.progress.checkpoint().await {
                return e;
            }
            display::log_progress(&self.progress.snapshot());
        }
    }

    /// Redraws the live display, when it is on; never returns.
    async fn live(&self) {
        if self.live_display {
            display::live(self.progress.clone()).await;
        }
        std::future::pending::<()>().await
    }

    /// The schema's pre-data phase, the rows, then the schema's post-data phase, each when
    /// the task copies it (docs/en/structure.md).
    async fn copy_with_schema(
        &self,
        extractor: &dyn Extractor,
        sinker: &dyn Sinker,
        tables: &[TableId],
    ) -> Result<Vec<TableReport>> {
        let schema = match self.cfg.copies_schema() {
            true => Some(dt_connector::build_schema(&self.cfg).await?),
            false => None,
        };
        let keys_later = match &schema {
            Some(schema) => {
                self.schema_phase(schema.as_ref(), Phase::PreData, tables)
                    .await?
                    .keys_after_rows
            }
            None => Vec::new(),
        };
        let reports = match self.cfg.schema_only() {
            true => Vec::new(),
            false => {
                self.copy_all(extractor, sinker, tables, &keys_later)
                    .await?
            }
        };
        if let Some(schema) = &schema {
            self.schema_phase(schema.as_ref(), Phase::PostData, tables)
                .await?;
        }
        Ok(reports)
    }

    /// One phase of the schema copy, unless an earlier run recorded it finished. Each
    /// object created is recorded in finished.log, and the phase once it is done, when it
    /// was asked for whole (no `do_structures` narrowing it) and left no keys to the
    /// post-data phase: a run resumed after the rows began must build them before it
    /// writes any row again.
    async fn schema_phase(
        &self,
        schema: &dyn SchemaCopier,
        phase: Phase,
        tables: &[TableId],
    ) -> Result<SchemaReport> {
        if self.resumer.schema_phase_finished(phase.name()) {
            info!("schema, {}: finished by an earlier run", phase.name());
            return Ok(SchemaReport::default());
        }
        let progress = self.progress.clone();
        let created = move |object: String| progress.schema_done(phase.name(), Some(object));
        let report = schema.copy(phase, tables, &created).await?;
        if self.cfg.structures().is_none() && report.keys_after_rows.is_empty() {
            self.progress.schema_done(phase.name(), None);
        }
        self.progress.checkpoint().await?;
        Ok(report)
    }

    /// Plans every table, in schema, table order (so the resumer's answers are logged in
    /// that order, as docs/en/snapshot/resume.md shows them), and checks its target before
    /// anything is copied; then copies tables `parallel_tables` at a time, and brings
    /// sequences and indexes over (MongoDB's indexes as each collection's documents are in,
    /// the rest after the last table).
    async fn copy_all(
        &self,
        extractor: &dyn Extractor,
        sinker: &dyn Sinker,
        tables: &[TableId],
        keys_later: &[TableId],
    ) -> Result<Vec<TableReport>> {
        let partition_cols = self.cfg.partition_cols()?;
        let mut plans = Vec::with_capacity(tables.len());
        let keys_later: std::collections::HashSet<&TableId> = keys_later.iter().collect();
        for id in tables {
            let mut plan = extractor.plan(id).await?;
            if let TablePlan::Copy { meta, .. } = &mut plan {
                partition::check(&partition_cols, meta)?;
                match keys_later.contains(id) {
                    true => sinker.prepare_keys_later(meta).await?,
                    false => sinker.prepare(meta).await?,
                }
                meta.binary_rows = meta.binary_rows && sinker.takes_binary_rows(meta).await?;
                if !self.resuming {
                    refuse_doubling(sinker, meta).await?;
                }
            }
            plans.push((id, plan));
        }
        partition::unmatched(&partition_cols, tables);
        // Only once every table has passed its checks: a task that stops before copying
        // leaves the target's indexes as they are.
        for (id, plan) in &plans {
            if let TablePlan::Copy {
                meta,
                resume: None,
                chunks: None,
            } = plan
            {
                if meta.estimated_rows >= DEFER_INDEX_ROWS && !keys_later.contains(id) {
                    let names = sinker.defer_indexes(meta).await?;
                    if !names.is_empty() {
                        info!(
                            "task, {id}: index(es) {} of the target table are built after its \
                             rows",
                            names.join(", ")
                        );
                    }
                }
            }
        }
        let p = &self.cfg.parallelizer;
        info!(
            "task, parallelism: up to {} table(s) at once, {} writer(s) per table",
            p.parallel_tables, p.parallel_size
        );
        if let Some(limits) = self.limits.describe() {
            info!("task, limits: {limits}");
        }
        let copies = plans.iter().filter_map(|(_, p)| match p {
            TablePlan::Copy { meta, .. } => Some(meta.estimated_rows),
            TablePlan::Finished => None,
        });
        let planned_rows = copies.clone().sum();
        self.progress.plan(copies.count(), planned_rows);
        let job = &copy::TableJob {
            cfg: &self.cfg,
            extractor,
            sinker,
            progress: &self.progress,
            clear_unkeyed: self.resuming,
            limits: &self.limits,
            planned_rows,
            inline: self.inline.as_ref(),
        };
        let mut reports: Vec<TableReport> = stream::iter(plans)
            .map(|(id, plan)| async move {
                let report = match plan {
                    TablePlan::Finished => {
                        info!("task, skip {id}: finished in an earlier run");
                        TableReport::skipped(id.clone())
                    }
                    TablePlan::Copy {
                        meta,
                        resume,
                        chunks,
                    } => {
                        let report = job.run(&meta, resume.as_deref(), chunks).await?;
                        if sinker.objects_per_table() {
                            apply_objects(extractor, sinker, std::slice::from_ref(id)).await?;
                        }
                        report
                    }
                };
                build_deferred_indexes(sinker, id).await?;
                Ok::<_, anyhow::Error>(report)
            })
            .buffer_unordered(self.cfg.parallelizer.parallel_tables)
            .try_collect()
            .await?;
        reports.sort_by(|a, b| a.id.cmp(&b.id));
        // Tables copied by this run have had their objects already when the sinker takes
        // them per table; those finished by an earlier run get them here.
        let rest: Vec<TableId> = match sinker.objects_per_table() {
            true => reports
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::SkippedFinished))
                .map(|r| r.id.clone())
                .collect(),
            false => tables.to_vec(),
        };
        apply_objects(extractor, sinker, &rest).await?;
        Ok(reports)
    }
}

/// Without resume, the rows of a key-less table (or the rows with a NULL key of a table whose
/// unique key allows NULL) are added to the target table as they are: refuses, before
/// anything is copied, a target table that already holds such rows, since they would then be
/// there twice (docs/en/snapshot/resume.md, "No usable key").
async fn refuse_doubling(sinker: &dyn Sinker, meta: &dt_connector::TableMeta) -> Result<()> {
    let (part, what) = match (meta.key, meta.null_keys) {
        (dt_connector::KeyKind::None, _) => (Clear::Table, "rows, and the table has no key"),
        (dt_connector::KeyKind::Paged, true) => (
            Clear::NullKeys,
            "rows with a NULL in its unique key, which cannot match rows by that key",
        ),
        _ => return Ok(()),
    };
    if sinker.holds(meta, part).await? {
        anyhow::bail!(
            "the target table of {} already holds {what}: copying without resume would add \
             the source's rows a second time. Empty the target table, or turn resume on \
             ([resumer] resume_type=from_log), which replaces them in one transaction",
            meta.id
        );
    }
    Ok(())
}

/// The fewest estimated rows of a table whose target indexes are built after its rows: on
/// smaller tables keeping them up to date costs little, and the catalog queries would add up
/// over thousands of tables.
const DEFER_INDEX_ROWS: u64 = 100_000;

/// Builds the indexes of `id`'s target table deferred by this run or an earlier one, once
/// every row of the table is in.
async fn build_deferred_indexes(sinker: &dyn Sinker, id: &TableId) -> Result<()> {
    let started = Instant::now();
    let names = sinker.build_deferred_indexes(id).await?;
    if !names.is_empty() {
        info!(
            "task, {id}: index(es) {} of the target table built after its rows in {:.2}s",
            names.join(", "),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

/// Refuses `[filter] ignore_cols` and `where_conditions` entries naming a table the task
/// does not copy: a misspelt name would otherwise copy that table whole.
fn check_row_filter(rows: &RowFilter, tables: &[TableId]) -> Result<()> {
    match rows.unselected(tables) {
        Some((key, id)) => anyhow::bail!(
            "filter.{key} names source table {id}, which the task does not copy (names are \
             exact source names; check the spelling and [filter])"
        ),
        None => Ok(()),
    }
}

/// Sequences and indexes of `tables`, read after their rows are in. Setting them is
/// idempotent, so a run that finds every table finished still brings them over.
async fn apply_objects(
    extractor: &dyn Extractor,
    sinker: &dyn Sinker,
    tables: &[TableId],
) -> Result<()> {
    let objects = extractor.objects(tables).await?;
    if !objects.is_empty() {
        let set = sinker.apply_objects(&objects).await?;
        info!(
            "task, {set} of {} sequence(s) and index(es) set in the target",
            objects.len()
        );
    }
    Ok(())
}

/// Waits for SIGINT or SIGTERM and names it. The copy is then dropped (uncommitted target
/// transactions roll back) and the acknowledged progress is checkpointed, as on any failure.
async fn interrupted() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        // Without handlers the default action (exit) stays, which is as safe as a crash.
        return std::future::pending().await;
    };
    tokio::select! {
        _ = int.recv() => "SIGINT",
        _ = term.recv() => "SIGTERM",
    }
}
