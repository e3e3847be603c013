//! Scenarios of "exit 0 means the target holds exactly what was selected": what a filter
//! selects and what it leaves out, key-less refills that must never double rows, one task
//! per log dir, and no password in any output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{ensure, Result};

use crate::compare::{mysql_assert_same, mysql_count, pg_assert_same, pg_count};
use crate::runner::{
    dt_binary, expect_failure, expect_success, mysql_exec, run_dt, spawn_dt, wait_for_log, Case,
};
use crate::scenario::{messages, Kind};

/// Runs `dt-main --verify`.
pub fn run_verify(config: &Path) -> Output {
    Command::new(dt_binary())
        .arg("--verify")
        .arg(config)
        .output()
        .expect("run dt-main --verify")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// Writes a copy of `config` with its log dir replaced by `log_dir`, as `name`.
pub fn config_copy(case: &Case, config: &Path, name: &str, log_dir: &Path) -> Result<PathBuf> {
    let text = std::fs::read_to_string(config)?;
    let text = text.replace(
        &case.log_dir().display().to_string(),
        &log_dir.display().to_string(),
    );
    let path = case.path(name);
    std::fs::write(&path, text)?;
    Ok(path)
}

/// MySQL: wildcards select names holding `*`, `?`, `$` and `.`; system-versioned tables are
/// copied and verified; a view, a sequence and a named but missing table are reported as not
/// copied; a filter that selects nothing fails.
pub async fn mysql_selection() -> Result<()> {
    let kind = Kind::Mysql;
    let case = Case::load("mysql_to_mysql/snapshot/selection_test");
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let out = run_dt(&config);
    expect_success(&out)?;
    let (stdout, _) = text(&out);
    for tb in [
        "resume_table_1",
        "resume_table_*$4",
        "x*y",
        "x?.z",
        "versioned",
        "versioned_cols",
    ] {
        let rows = mysql_assert_same(("sel_db", tb), ("sel_db", tb)).await?;
        ensure!(rows > 0, "sel_db.{tb}: no rows compared");
    }
    ensure!(mysql_count(&kind.dst(), "sel_db", "other").await? == 0);
    let log = messages(&case);
    for (name, why) in [
        ("`sel_db`.`v_all`", "a view"),
        ("`sel_db`.`seq1`", "a sequence"),
        ("`sel_db`.`missing_table`", "not found in the source"),
    ] {
        let line = format!("not copied: {name}: ");
        ensure!(
            stdout
                .lines()
                .any(|l| l.starts_with(&line) && l.contains(why)),
            "the summary does not name {name} ({why}):\n{stdout}"
        );
        ensure!(
            log.iter().any(|l| l.contains(&line) && l.contains(why)),
            "default.log does not name {name} ({why})"
        );
    }
    ensure!(
        stdout.contains("6 table(s)") && stdout.contains("3 selected object(s) not copied"),
        "{stdout}"
    );

    // --verify compares the system-versioned tables too, and sees a change in one.
    let out = run_verify(&config);
    expect_success(&out)?;
    let (stdout, _) = text(&out);
    ensure!(stdout.contains("6 table(s) compared, 0 differ"), "{stdout}");
    mysql_exec(
        &kind.dst(),
        "UPDATE sel_db.versioned SET v = 'changed' WHERE id = 2",
    )
    .await?;
    expect_failure(&run_verify(&config), "`sel_db`.`versioned`")?;

    let none = case.config(
        &kind.src(),
        &kind.dst(),
        &[("filter.do_tbs", "sel_db.nothing_*")],
    );
    expect_failure(&run_dt(&none), "no table selected")
}

const EVENTS: &str = "part_db.events";
const EVENT_ROWS: i64 = 30_000;

/// PostgreSQL, a key-less partitioned table: killed mid-copy and resumed, re-copied after a
/// lost finished mark, and copied by two tasks at once; every time the target ends with
/// the source's rows exactly once. Views of the schema are reported as not copied, its
/// partitions are not (they come with their parent).
pub async fn pg_keyless_partitions() -> Result<()> {
    let kind = Kind::Pg;
    let case = Case::load("pg_to_pg/snapshot/keyless_partition_test");
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    for round in 0..3 {
        let mut child = spawn_dt(&config);
        let what = "the copy of the partitioned table";
        wait_for_log(&case, &mut child, what, |l| {
            l.contains("progress, `part_db`.`events`")
        })?;
        std::thread::sleep(std::time::Duration::from_millis(100 + 150 * round));
        if child.try_wait()?.is_none() {
            child.kill()?;
        }
        child.wait()?;
    }
    let out = run_dt(&config);
    expect_success(&out)?;
    let (stdout, _) = text(&out);
    ensure!(
        pg_assert_same(("part_db", "events"), ("part_db", "events")).await? == EVENT_ROWS as usize
    );
    for view in ["v_events", "mv_events"] {
        ensure!(
            stdout.contains(&format!("not copied: `part_db`.`{view}`: ")),
            "{view} is not reported:\n{stdout}"
        );
    }
    ensure!(
        !stdout.contains("events_2"),
        "a partition is reported:\n{stdout}"
    );

    // A crash between the commit and the finished mark: the next run copies the table again
    // and must replace, not add to, what the partitions hold.
    std::fs::remove_file(case.log_dir().join("finished.log"))?;
    expect_success(&run_dt(&config))?;
    let rows = pg_count(&kind.dst(), EVENTS).await?;
    ensure!(
        rows == EVENT_ROWS,
        "after a refill the target has {rows} rows"
    );

    // Two tasks (own log dirs) refilling the same target table at once: one waits for the
    // other, and the table holds one copy.
    let dirs = [case.path("logs_a"), case.path("logs_b")];
    let configs = [
        config_copy(&case, &config, "a.ini", &dirs[0])?,
        config_copy(&case, &config, "b.ini", &dirs[1])?,
    ];
    let children: Vec<_> = configs.iter().map(|c| spawn_dt(c)).collect();
    for child in children {
        let out = child.wait_with_output()?;
        ensure!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let rows = pg_count(&kind.dst(), EVENTS).await?;
    ensure!(
        rows == EVENT_ROWS,
        "two tasks left {rows} rows in the target"
    );
    pg_assert_same(("part_db", "events"), ("part_db", "events")).await?;
    Ok(())
}

/// A second dt on a log dir in use exits 2 naming the first one's pid, and leaves the
/// first run's logs alone.
pub async fn log_dir_lock(kind: Kind, case: &str, table: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut first = spawn_dt(&config);
    let progress = format!("progress, {table}");
    wait_for_log(&case, &mut first, "the first copy", |l| {
        l.contains(&progress)
    })?;
    let out = run_dt(&config);
    let (_, stderr) = text(&out);
    let still_running = first.try_wait()?.is_none();
    first.kill().ok();
    first.wait()?;
    ensure!(
        still_running,
        "the first run ended before the second started"
    );
    ensure!(
        out.status.code() == Some(2)
            && stderr.contains(&format!("pid {}", first.id()))
            && stderr.trim().lines().count() == 1,
        "the second run must exit 2 naming pid {}: {:?} {stderr}",
        first.id(),
        out.status.code()
    );
    let first_pid = format!(" - [{}] - ", first.id());
    ensure!(
        case.default_log().iter().all(|l| l.contains(&first_pid)),
        "the refused run wrote to default.log"
    );
    // The kernel let go of the killed run's lock: the next run resumes.
    expect_success(&run_dt(&config))?;
    Ok(())
}

/// One run of [`no_secret_in_output`]: what it tries, its URLs, its `do_tbs`, its exit code.
struct SecretRun {
    what: &'static str,
    src: String,
    dst: String,
    do_tbs: &'static str,
    code: i32,
    /// Extra `section.key=value` settings of the run.
    overrides: Vec<(&'static str, String)>,
}

/// Runs with the password `pw` of the case's user (`dt_secret` on MySQL,
/// `dt_password_user` on PostgreSQL), in `user:pass@` and `?password=` form, that succeed
/// or fail in every way a user meets first.
fn secret_runs(kind: Kind, pw: &str) -> Vec<SecretRun> {
    let (default_user, user, scheme, bad_scheme) = match kind {
        Kind::Mysql => ("root@", "dt_secret", "mysql://", "mysq://"),
        _ => ("postgres@", "dt_password_user", "postgres://", "postgre://"),
    };
    let with = |url: String, creds: &str| url.replace(default_user, creds);
    let creds = format!("{user}:{pw}@");
    let (src, dst) = (with(kind.src(), &creds), with(kind.dst(), &creds));
    let path = if kind == Kind::Mysql { "/" } else { "" };
    let query = |url: String| with(url, &format!("{user}@")) + &format!("{path}?password={pw}");
    let port = |url: &str| {
        url.rsplit(':')
            .next()
            .unwrap_or("")
            .split('/')
            .next()
            .unwrap_or("")
            .to_string()
    };
    let dst_port = format!(":{}", port(&kind.dst()));
    // The MySQL driver does not read a password parameter: that run fails to log in.
    let query_code = if kind == Kind::Mysql { 1 } else { 0 };
    let run = |what, src: &String, dst: String, do_tbs, code| SecretRun {
        what,
        src: src.clone(),
        dst,
        do_tbs,
        code,
        overrides: Vec::new(),
    };
    let bare = |url: String| url.replace(default_user, "");
    let mut keys = run(
        "username/password keys",
        &bare(kind.src()),
        bare(kind.dst()),
        "secret_db.t",
        0,
    );
    keys.overrides = vec![
        ("extractor.username", user.to_string()),
        ("extractor.password", pw.to_string()),
        ("sinker.username", user.to_string()),
        ("sinker.password", pw.to_string()),
    ];
    vec![
        keys,
        run("user:pass@", &src, dst.clone(), "secret_db.t", 0),
        run(
            "?password=",
            &query(kind.src()),
            query(kind.dst()),
            "secret_db.t",
            query_code,
        ),
        run(
            "bad scheme",
            &src.replace(scheme, bad_scheme),
            dst.clone(),
            "secret_db.t",
            2,
        ),
        run(
            "unparsable url",
            &format!("{scheme}{creds}[::1:3318"),
            dst.clone(),
            "secret_db.t",
            2,
        ),
        run(
            "closed port",
            &src,
            query(kind.dst()).replace(&dst_port, ":1"),
            "secret_db.t",
            1,
        ),
        run(
            "wrong password",
            &src,
            dst.replace(pw, &format!("{pw}-wrong")),
            "secret_db.t",
            1,
        ),
        run(
            "missing target table",
            &src,
            dst.clone(),
            "secret_db.missing_in_target",
            1,
        ),
    ]
}

/// Every output of a set of runs with a known password: stdout, stderr, and every file
/// in their log dirs. None may hold the password, in any run, failing or not.
pub async fn no_secret_in_output(kind: Kind, case: &str, secret: &str) -> Result<()> {
    let runs = secret_runs(kind, secret);
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let mut seen = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let log_dir = case.path(&format!("logs_{i}"));
        let mut overrides = vec![("filter.do_tbs", run.do_tbs)];
        overrides.extend(run.overrides.iter().map(|(k, v)| (*k, v.as_str())));
        let config = case.config(&run.src, &run.dst, &overrides);
        let config = config_copy(&case, &config, &format!("run_{i}.ini"), &log_dir)?;
        let mut outs = vec![run_dt(&config)];
        let (_, stderr) = text(&outs[0]);
        ensure!(
            outs[0].status.code() == Some(run.code),
            "{}: expected exit {}, got {:?}: {stderr}",
            run.what,
            run.code,
            outs[0].status.code()
        );
        if run.code == 0 {
            outs.push(run_verify(&config));
        }
        for out in &outs {
            let (stdout, stderr) = text(out);
            seen.push((format!("{}: stdout", run.what), stdout));
            seen.push((format!("{}: stderr", run.what), stderr));
        }
        for entry in std::fs::read_dir(&log_dir).into_iter().flatten() {
            let path = entry?.path();
            let text = String::from_utf8_lossy(&std::fs::read(&path)?).to_string();
            seen.push((format!("{}: {}", run.what, path.display()), text));
        }
    }
    for (place, text) in &seen {
        ensure!(
            !text.contains(secret),
            "{place} shows the password:\n{text}"
        );
    }
    Ok(())
}
