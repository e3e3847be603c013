//! The default.log format of docs/en/snapshot/resume.md: `time - LEVEL - [pid] - message`, local time with
//! microseconds. Progress files are never written through logging.

use std::fmt;
use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

/// The local timestamp of log lines and progress lines: `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn log_timestamp() -> String {
    chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}

/// Formats events as default.log lines.
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultLogFormat;

impl<S, N> FormatEvent<S, N> for DefaultLogFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = event.metadata().level();
        write!(
            writer,
            "{} - {} - [{}] - ",
            log_timestamp(),
            level,
            std::process::id()
        )?;
        let mut message = String::new();
        ctx.field_format()
            .format_fields(Writer::new(&mut message), event)?;
        writeln!(writer, "{}", crate::secret::redact(&message))
    }
}

/// Builds a subscriber that appends to `dir/default.log` at `level` and above. The caller
/// decides whether to install it globally or for a scope.
pub fn default_log_subscriber(
    dir: &Path,
    level: &str,
) -> std::io::Result<impl Subscriber + Send + Sync> {
    std::fs::create_dir_all(dir)?;
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("default.log"))?;
    let filter = EnvFilter::new(format!("warn,dt_common={level},dt_connector={level},dt_resumer={level},dt_task={level},dt_main={level}"));
    Ok(tracing_subscriber::fmt()
        .event_format(DefaultLogFormat)
        .with_writer(Mutex::new(file))
        .with_env_filter(filter)
        .finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_have_the_default_log_shape() {
        let dir = tempfile::tempdir().unwrap();
        let sub = default_log_subscriber(dir.path(), "info").unwrap();
        tracing::subscriber::with_default(sub, || {
            tracing::info!("resumer, check finished: schema: a, tb: b, result: true");
            tracing::debug!("not written at info");
        });
        let text = std::fs::read_to_string(dir.path().join("default.log")).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 1, "{text}");
        let parts: Vec<&str> = lines[0].splitn(4, " - ").collect();
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[0].len(), "2024-10-18 06:51:10.161794".len());
        assert_eq!(parts[1], "INFO");
        assert_eq!(parts[2], format!("[{}]", std::process::id()));
        assert_eq!(
            parts[3],
            "resumer, check finished: schema: a, tb: b, result: true"
        );
    }
}
