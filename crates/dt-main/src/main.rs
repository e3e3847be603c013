//! `dt-main <task_config.ini>`: runs one snapshot task. Exit codes: 0 success, 1 the task
//! failed, 2 usage or config error; each failure prints a one-line reason on stderr.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use dt_common::config::TaskConfig;
use dt_common::logging::default_log_subscriber;
use dt_task::Task;
use tracing::{error, info, warn};

/// Copy whole databases (MySQL, PostgreSQL, MongoDB) and resume where an interrupted copy
/// stopped.
#[derive(Debug, Parser)]
#[command(name = "dt-main", version, about)]
struct Args {
    /// Path of the task's INI config (task_config.ini).
    config: PathBuf,
}

const EXIT_FAILED: u8 = 1;
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = match TaskConfig::load(&args.config) {
        Ok(cfg) => cfg,
        Err(e) => return fail(EXIT_CONFIG, "config error", &anyhow::Error::new(e)),
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
    for key in &cfg.unknown_keys {
        warn!("config, unknown key {key} is ignored");
        eprintln!("dt: warning: unknown config key {key} is ignored");
    }
    let task = match Task::new(cfg) {
        Ok(t) => t.with_live_display(std::io::stderr().is_terminal()),
        Err(e) => {
            error!("task setup failed: {e:#}");
            return fail(EXIT_CONFIG, "config error", &e);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(EXIT_FAILED, "internal error", &anyhow::anyhow!(e)),
    };
    match runtime.block_on(task.run()) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            error!("task failed: {e:#}");
            fail(EXIT_FAILED, "task failed", &e)
        }
    }
}

fn fail(code: u8, what: &str, e: &anyhow::Error) -> ExitCode {
    eprintln!("dt: {what}: {e:#}");
    ExitCode::from(code)
}
