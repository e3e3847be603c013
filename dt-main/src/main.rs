//! `dt-main <task_config.ini>`: runs one snapshot task; `dt-main --verify <task_config.ini>`
//! compares its source and target instead. Exit codes: 0 success (verify: every table the
//! same), 1 the task failed (verify: a table differs), 2 usage or config error; each failure
//! prints a one-line reason on stderr.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dt_common::config::TaskConfig;
use dt_common::logging::default_log_subscriber;
use dt_common::secret::redact;
use dt_resumer::LogDirLock;
use dt_task::Task;
use tracing::{error, info, warn};

// Rows are many small allocations (a vector per row, one per field); mimalloc serves them
// with about half the CPU time of the system allocator. It is built without transparent huge
// pages (the `no_thp` feature): memory it returns and takes back between batches then costs
// the kernel 4 KiB pages to clear, not 2 MiB ones (docs/benchmark.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Copy whole databases (MySQL, PostgreSQL, MongoDB) and resume where an interrupted copy
/// stopped.
#[derive(Debug, Parser)]
#[command(name = "dt-main", version, about)]
struct Args {
    /// Compare every selected table between source and target (row count and content
    /// digest) instead of copying; exit 1 if any differs.
    #[arg(long)]
    verify: bool,
    /// Start the task over, as ape-dts's `--init`: with progress kept in a database
    /// (`[resumer] resume_type=from_target` / `from_db`), delete the task's rows there first.
    #[arg(long)]
    init: bool,
    /// Path of the task's INI config (task_config.ini).
    config: PathBuf,
}

const EXIT_FAILED: u8 = 1;
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = match TaskConfig::load(&args.config).and_then(|mut cfg| {
        dt_task::check_config(&cfg)?;
        if let Some(store) = &mut cfg.resumer.store {
            store.init = args.init;
        }
        Ok(cfg)
    }) {
        Ok(cfg) => cfg,
        Err(e) => return fail(EXIT_CONFIG, "config error", &anyhow::Error::new(e)),
    };
    // One task per log dir, held until the process exits (the kernel lets go on kill -9).
    // Taken before default.log is opened, so a refused second run writes nothing there.
    let _lock = if args.verify {
        None
    } else {
        match LogDirLock::acquire(&cfg.runtime.log_dir) {
            Ok(lock) => Some(lock),
            Err(e) => return fail(EXIT_CONFIG, "cannot start", &anyhow::Error::new(e)),
        }
    };
    let subscriber = match default_log_subscriber(
        &cfg.runtime.log_dir,
        &cfg.runtime.log_level.to_ascii_lowercase(),
    ) {
        Ok(s) => s,
        Err(e) => {
            let e = anyhow::Error::new(e).context(format!(
                "cannot create log dir {}",
                cfg.runtime.log_dir.display()
            ));
            return fail(EXIT_CONFIG, "config error", &e);
        }
    };
    if let Err(e) = tracing::subscriber::set_global_default(subscriber) {
        return fail(EXIT_FAILED, "internal error", &anyhow::anyhow!(e));
    }
    info!(
        "dt {} starting task {}",
        env!("CARGO_PKG_VERSION"),
        args.config.display()
    );
    if !cfg.global.task_id.is_empty() {
        info!("task id {}", cfg.global.task_id);
    }
    for key in &cfg.unknown_keys {
        warn!("config, unknown key {key} is ignored");
        eprintln!("dt: warning: unknown config key {key} is ignored");
    }
    for note in &cfg.notes {
        info!("config, {note}");
    }
    for w in &cfg.warnings {
        warn!("config, {w}");
        eprintln!("dt: warning: {w}");
    }
    if args.verify {
        return verify(&cfg);
    }
    let runtime = match runtime() {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILED, "internal error", &e),
    };
    let task = match runtime.block_on(Task::open(cfg)) {
        Ok(t) => t.with_live_display(std::io::stderr().is_terminal()),
        Err(e) => {
            error!("task setup failed: {e:#}");
            return fail(e.exit_code(), "config error", &anyhow::Error::new(e));
        }
    };
    match runtime.block_on(task.run()) {
        Ok(summary) => {
            println!("{}", redact(&summary.to_string()));
            ExitCode::SUCCESS
        }
        Err(e) => {
            let code = e.exit_code();
            let e = anyhow::Error::new(e);
            error!("task failed: {}", one_line(&e));
            fail(code, "task failed", &e);
            // Progress is checkpointed and the log written by now. Exiting here skips the
            // runtime's shutdown, where a database driver's background task can still
            // panic on a connection pool that is gone, which would print a backtrace
            // after the one-line error.
            std::process::exit(code.into())
        }
    }
}

/// One thread runs the task and waits on its sockets. The task is one future (its readers
/// and writers are joined, not spawned), so worker threads would only relay each socket
/// event to this thread, wake-ups whose CPU time the servers sharing the machine lack
/// (docs/benchmark.md, "One thread for the task"). The checkpoint thread's progress-table
/// writes run on this runtime while the task does.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// `--verify`: prints the comparison; exit 1 when a table differs or is missing.
fn verify(cfg: &TaskConfig) -> ExitCode {
    let report = match runtime().and_then(|r| r.block_on(dt_task::verify(cfg))) {
        Ok(report) => report,
        Err(e) => {
            error!("verify failed: {}", one_line(&e));
            return fail(EXIT_FAILED, "verify failed", &e);
        }
    };
    println!("{}", redact(&report.to_string()));
    let differing = report.differing();
    if differing.is_empty() {
        return ExitCode::SUCCESS;
    }
    let names: Vec<String> = differing.iter().map(|t| t.source.to_string()).collect();
    let e = anyhow::anyhow!(
        "{} of {} table(s) differ: {}",
        differing.len(),
        report.tables.len(),
        names.join(", ")
    );
    error!("verify, {e}");
    fail(EXIT_FAILED, "verify", &e)
}

fn fail(code: u8, what: &str, e: &anyhow::Error) -> ExitCode {
    eprintln!("dt: {what}: {}", redact(&one_line(e)));
    ExitCode::from(code)
}

/// The error and its causes on one line, outermost first. A cause whose text the previous
/// message already ends with is left out (sqlx prints a database error, then the same
/// error again as its source).
fn one_line(e: &anyhow::Error) -> String {
    let mut out: Vec<String> = Vec::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.last().is_some_and(|prev| prev.ends_with(&text)) {
            continue;
        }
        out.push(text);
    }
    out.join(": ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[derive(Debug)]
    struct Inner;
    impl std::fmt::Display for Inner {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("permission denied")
        }
    }
    impl std::error::Error for Inner {}

    #[derive(Debug)]
    struct Outer(Inner);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error returned from database: {}", self.0)
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn causes_repeated_by_their_parent_are_left_out() {
        let e = anyhow::Error::new(Outer(Inner)).context("cannot connect");
        assert_eq!(
            one_line(&e),
            "cannot connect: error returned from database: permission denied"
        );
        let e = anyhow::anyhow!("disk full").context("cannot write");
        assert_eq!(one_line(&e), "cannot write: disk full");
    }
}
