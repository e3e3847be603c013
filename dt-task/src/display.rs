//! Progress a person can watch: on a terminal, a live line per running table (rows of the
//! estimated total, rows/s, ETA) and an overall line; always, a progress line per table in
//! default.log at each checkpoint.

use std::collections::HashMap;
use std::time::Duration;

use dt_common::TableId;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tracing::info;

use crate::progress::{Progress, RunningTable, Snapshot};

/// Writes one default.log line per running table and one overall line.
pub fn log_progress(s: &Snapshot) {
    for t in &s.running {
        info!("progress, {}: {}", t.id, describe(t));
    }
    let rows = s.done_rows + s.running.iter().map(|t| t.rows).sum::<u64>();
    info!(
        "progress, overall: {}/{} table(s) finished, {} running, {rows} of about {} row(s) copied",
        s.done_tables,
        s.planned_tables,
        s.running.len(),
        s.planned_rows
    );
}

fn describe(t: &RunningTable) -> String {
    let secs = t.elapsed.as_secs_f64().max(0.001);
    let rate = t.rows as f64 / secs;
    let mut text = format!("{} row(s)", t.rows);
    if t.estimated > 0 {
        let pct = (t.rows as f64 * 100.0 / t.estimated as f64).min(100.0);
        text.push_str(&format!(" of about {} ({pct:.0}%)", t.estimated));
        if rate > 0.0 && t.estimated > t.rows {
            text.push_str(&format!(
                ", eta {:.0}s",
                (t.estimated - t.rows) as f64 / rate
            ));
        }
    }
    text.push_str(&format!(", {rate:.0} rows/s"));
    text
}

fn rate_and_eta(rows: u64, estimated: u64, elapsed: Duration) -> String {
    let rate = rows as f64 / elapsed.as_secs_f64().max(0.001);
    match estimated.checked_sub(rows) {
        Some(left) if rate > 0.0 => format!("{rate:>9.0} rows/s  eta {:.0}s", left as f64 / rate),
        _ => format!("{rate:>9.0} rows/s"),
    }
}

/// Redraws live bars on stderr until the future is dropped.
pub async fn live(progress: Progress) {
    let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
    let table_style = ProgressStyle::with_template(
        "{prefix:<40.bold} {bar:25.cyan/blue} {pos:>10}/{len:<10} {msg}",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    let overall = multi.add(ProgressBar::new(1));
    overall.set_style(
        ProgressStyle::with_template("{prefix:<40.bold} {bar:25.green} {pos:>10}/{len:<10} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut bars: HashMap<TableId, ProgressBar> = HashMap::new();
    let started = std::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    loop {
        tick.tick().await;
        let s = progress.snapshot();
        bars.retain(|id, bar| {
            let running = s.running.iter().any(|t| &t.id == id);
            if !running {
                bar.finish_and_clear();
            }
            running
        });
        for t in &s.running {
            let bar = bars.entry(t.id.clone()).or_insert_with(|| {
                let b = multi.add(ProgressBar::new(t.estimated.max(1)));
                b.set_style(table_style.clone());
                b.set_prefix(t.id.to_string());
                b
            });
            if t.rows > bar.length().unwrap_or(0) {
                bar.set_length(t.rows);
            }
            bar.set_position(t.rows);
            bar.set_message(rate_and_eta(t.rows, t.estimated, t.elapsed));
        }
        let rows = s.done_rows + s.running.iter().map(|t| t.rows).sum::<u64>();
        overall.set_length(s.planned_rows.max(rows).max(1));
        overall.set_position(rows);
        overall.set_prefix(format!(
            "overall: {}/{} tables",
            s.done_tables, s.planned_tables
        ));
        overall.set_message(rate_and_eta(rows, s.planned_rows, started.elapsed()));
    }
}
