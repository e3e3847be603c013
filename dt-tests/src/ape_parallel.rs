//! ape-dts's concurrency and rate-limit keys end to end: a task file written with
//! `[extractor] parallel_type/parallel_size` and `[parallelizer]` copies row for row with the
//! parallelism default.log names, and `max_rps` / `max_mbps` hold the copy to their rate
//! (a ceiling: the copy may not be faster, and is not much slower), also across kill -9 and
//! resume.

use anyhow::{ensure, Context, Result};

use crate::runner::{expect_success, run_dt, run_with_kills, Case, Rng};
use crate::scenario::{message, messages, Kind};

/// Runs the case's own task file, whose keys are ape-dts's (3 tables at once, 2 writers per
/// table); the target must equal the source row for row, default.log must name that
/// parallelism, and 3 tables must have been copied at the same time.
pub async fn ape_parallel(kind: Kind, case: &str, schema: &str, rows: usize) -> Result<Case> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let out = run_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    expect_success(&out)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(
        !stderr.contains("unknown config key"),
        "ape-dts keys were taken as unknown: {stderr}"
    );
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    let log = messages(&case);
    let line = "task, parallelism: up to 3 table(s) at once, 2 writer(s) per table";
    ensure!(
        log.iter().any(|l| l == line),
        "default.log lacks `{line}`:\n{}",
        log.join("\n")
    );
    // Tables running at once, from the order of their start and end lines (a table logs its
    // start before its first read and its end after its last write), whatever the timing.
    let mut running = 0i64;
    let mut most = 0;
    for l in &log {
        if l.starts_with("task, start ") {
            running += 1;
        } else if l.starts_with("task, end ") {
            running -= 1;
        }
        most = most.max(running);
    }
    ensure!(
        most == 3,
        "at most {most} table(s) ran at once, expected 3:\n{}",
        log.join("\n")
    );
    Ok(case)
}

/// Seconds of a default.log line's local time of day.
fn time_of(line: &str) -> Result<f64> {
    let clock = line.get(11..26).context("no timestamp")?;
    let mut parts = clock.split(':');
    let mut secs = 0.0;
    for unit in [3600.0, 60.0, 1.0] {
        let v: f64 = parts.next().context("timestamp")?.parse()?;
        secs += v * unit;
    }
    Ok(secs)
}

/// Seconds from the first table's start to the last table's end in default.log.
pub fn copy_phase_secs(case: &Case) -> Result<f64> {
    let log = case.default_log();
    let first = log
        .iter()
        .find(|l| message(l).starts_with("task, start "))
        .context("no table started")?;
    let last = log
        .iter()
        .rev()
        .find(|l| message(l).starts_with("task, end "))
        .context("no table ended")?;
    let mut secs = time_of(last)? - time_of(first)?;
    if secs < 0.0 {
        secs += 86_400.0;
    }
    Ok(secs)
}

/// Copies `schema` with `limits` (e.g. `extractor.max_rps=5000`) set; the copy phase must
/// take at least 95 % and at most 150 % of `expected_secs`, and the target equal the source.
pub async fn rate_limit(
    kind: Kind,
    case: &str,
    schema: &str,
    limits: &[(&str, &str)],
    expected_secs: f64,
) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let mut overrides = limits.to_vec();
    overrides.push(("filter.do_dbs", schema));
    let out = run_dt(&case.config(&kind.src(), &kind.dst(), &overrides));
    expect_success(&out)?;
    let took = copy_phase_secs(&case)?;
    println!("{limits:?}: copy phase {took:.3}s, expected {expected_secs:.3}s");
    ensure!(
        took >= expected_secs * 0.95,
        "the copy took {took:.3}s, faster than {limits:?} allows ({expected_secs:.3}s)"
    );
    ensure!(
        took <= expected_secs * 1.5,
        "the copy took {took:.3}s, far slower than {limits:?} ({expected_secs:.3}s)"
    );
    let log = messages(&case);
    ensure!(
        log.iter().any(|l| l.starts_with("task, limits: ")),
        "default.log does not name the limits:\n{}",
        log.join("\n")
    );
    kind.assert_schemas_same(&[schema]).await?;
    Ok(())
}

/// kill -9 in the middle of a rate-limited copy, several times, then a run to the end: the
/// target equals the source and later runs resumed from positions.
pub async fn rate_limit_crash(
    kind: Kind,
    case: &str,
    schema: &str,
    limits: &[(&str, &str)],
    rows: usize,
) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), limits);
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case.log_dir(), 3, rows, (0.15, 0.35), &mut rng)?;
    ensure!(killed >= 2, "only {killed} run(s) were interrupted");
    let compared = kind.assert_schemas_same(&[schema]).await?;
    ensure!(
        compared == rows,
        "compared {compared} rows, expected {rows}"
    );
    let log = messages(&case);
    ensure!(
        log.iter().any(|l| l.contains(": resume after ")),
        "no run resumed from a position:\n{}",
        log.join("\n")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::time_of;

    #[test]
    fn log_times_are_read() {
        let t = time_of("2026-11-27 16:05:01.250000 - INFO - [1] - x").unwrap();
        assert!((t - (16.0 * 3600.0 + 5.0 * 60.0 + 1.25)).abs() < 1e-9);
    }
}
