//! Case directories (`tests/<path>/<case>/`): `src_prepare.sql`, `dst_prepare.sql` (when
//! the target is not prepared like the source),
//! `src_test.sql`, `task_config.ini` with placeholders, and optionally `resume.config` and
//! `resume_logs/`. The runner copies the case to a scratch dir, fills the placeholders, and
//! runs (or kills) the dt binary.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use anyhow::{bail, Context, Result};
use sqlx::{Connection, Executor, MySqlConnection};

use crate::servers;

/// One case, copied into a scratch directory.
pub struct Case {
    pub name: String,
    pub dir: PathBuf,
    pub work: tempfile::TempDir,
}

impl Case {
    /// Loads `dt-tests/tests/<rel>`.
    pub fn load(rel: &str) -> Case {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests")
            .join(rel);
        assert!(dir.is_dir(), "no case directory {}", dir.display());
        let work = tempfile::tempdir().expect("scratch dir");
        copy_dir(&dir, work.path()).expect("copy case");
        Case {
            name: rel.to_string(),
            dir,
            work,
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.work.path().join(name)
    }

    /// `dst_prepare.sql`, or `src_prepare.sql` when the target is prepared like the source.
    fn dst_prepare(&self) -> PathBuf {
        let dst = self.dir.join("dst_prepare.sql");
        if dst.exists() {
            dst
        } else {
            self.dir.join("src_prepare.sql")
        }
    }

    /// The task's log dir inside the scratch dir.
    pub fn log_dir(&self) -> PathBuf {
        self.path("logs")
    }

    /// Fills `{src_url}`, `{dst_url}`, `{log_dir}`, `{case_dir}` of `task_config.ini` and
    /// writes it to the scratch dir with `overrides` (`section.key=value`) applied.
    pub fn config(&self, src_url: &str, dst_url: &str, overrides: &[(&str, &str)]) -> PathBuf {
        let text =
            std::fs::read_to_string(self.dir.join("task_config.ini")).expect("task_config.ini");
        let mut text = text
            .replace("{src_url}", src_url)
            .replace("{dst_url}", dst_url)
            .replace("{log_dir}", &self.log_dir().display().to_string())
            .replace("{case_dir}", &self.work.path().display().to_string());
        for (key, value) in overrides {
            text = set_ini(&text, key, value);
        }
        let path = self.path("task_config.run.ini");
        std::fs::write(&path, text).expect("write config");
        path
    }

    /// Runs the MySQL prepare scripts: src_prepare + src_test on the source, dst_prepare on
    /// the target.
    pub async fn prepare_mysql(&self) -> Result<()> {
        mysql_exec_file(&servers::mysql_src(), &self.dir.join("src_prepare.sql")).await?;
        mysql_exec_file(&servers::mysql_dst(), &self.dst_prepare()).await?;
        let test = self.dir.join("src_test.sql");
        if test.exists() {
            mysql_exec_file(&servers::mysql_src(), &test).await?;
        }
        Ok(())
    }

    /// Runs the PostgreSQL prepare scripts, like [`Case::prepare_mysql`].
    pub async fn prepare_pg(&self) -> Result<()> {
        pg_exec_file(&servers::pg_src(), &self.dir.join("src_prepare.sql")).await?;
        pg_exec_file(&servers::pg_dst(), &self.dst_prepare()).await?;
        let test = self.dir.join("src_test.sql");
        if test.exists() {
            pg_exec_file(&servers::pg_src(), &test).await?;
        }
        Ok(())
    }

    /// Loads `src_prepare.json` (`{"db": {"collection": [documents in canonical Extended
    /// JSON]}}`) into the source after dropping those databases on both servers.
    pub async fn prepare_mongo(&self) -> Result<()> {
        let text = std::fs::read_to_string(self.dir.join("src_prepare.json"))
            .context("src_prepare.json")?;
        let data: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)?;
        let src = mongodb::Client::with_uri_str(servers::mongo_src()).await?;
        let dst = mongodb::Client::with_uri_str(servers::mongo_dst()).await?;
        for (db, colls) in &data {
            src.database(db).drop().await?;
            dst.database(db).drop().await?;
            for (coll, docs) in colls.as_object().context("collections object")? {
                if let Some(n) = docs.get("generate").and_then(|n| n.as_u64()) {
                    let ids = docs
                        .get("ids")
                        .and_then(|i| i.as_str())
                        .unwrap_or("objectid");
                    let c = src.database(db).collection::<bson::Document>(coll);
                    let all: Vec<bson::Document> = (0..n).map(|i| generated(i, ids)).collect();
                    for chunk in all.chunks(5000) {
                        c.insert_many(chunk).await?;
                    }
                    continue;
                }
                let docs: Vec<bson::Document> = docs
                    .as_array()
                    .context("documents array")?
                    .iter()
                    .map(|d| match bson::Bson::try_from(d.clone()) {
                        Ok(bson::Bson::Document(doc)) => Ok(doc),
                        other => Err(anyhow::anyhow!("not a document: {other:?}")),
                    })
                    .collect::<Result<_>>()?;
                let c = src.database(db).collection::<bson::Document>(coll);
                if docs.is_empty() {
                    src.database(db).create_collection(coll).await?;
                } else {
                    c.insert_many(docs).await?;
                }
            }
        }
        Ok(())
    }

    /// Lines of the task's default.log.
    pub fn default_log(&self) -> Vec<String> {
        read_lines(&self.log_dir().join("default.log"))
    }

    /// How many times default.log says a table was skipped as finished, over all runs.
    pub fn skipped_as_finished(&self) -> usize {
        self.default_log()
            .iter()
            .filter(|l| l.contains("finished in an earlier run"))
            .count()
    }

    /// Lines of the task's position.log.
    pub fn position_log(&self) -> Vec<String> {
        read_lines(&self.log_dir().join("position.log"))
    }

    /// Lines of the task's finished.log.
    pub fn finished_log(&self) -> Vec<String> {
        read_lines(&self.log_dir().join("finished.log"))
    }
}

fn read_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Document `n` of a generated collection; `ids` picks the `_id` type: `objectid`, `int`, or
/// `mixed` (Int64, String, ObjectId and Double in turn).
fn generated(n: u64, ids: &str) -> bson::Document {
    let oid = || {
        bson::Bson::ObjectId(
            bson::oid::ObjectId::parse_str(format!("{:024x}", 0x1000 + n)).expect("hex"),
        )
    };
    let id = match ids {
        "int" => bson::Bson::Int32(n as i32 * 3 - 50_000),
        "mixed" => match n % 4 {
            0 => bson::Bson::Int64(n as i64),
            1 => bson::Bson::String(format!("s{n:08}")),
            2 => oid(),
            _ => bson::Bson::Double(n as f64 + 0.5),
        },
        _ => oid(),
    };
    bson::doc! {
        "_id": id,
        "n": n as i32,
        "s": format!("doc-{n}-{}", "x".repeat((n % 40) as usize)),
        "d": n as f64 / 7.0,
        "nested": { "a": n as i64, "arr": [n as i32, "x", { "k": null }] },
    }
}

/// Sets `section.key=value` in INI text, adding the key (and section) when missing.
pub fn set_ini(text: &str, key: &str, value: &str) -> String {
    let (section, key) = key.split_once('.').expect("section.key");
    let mut out = Vec::new();
    let mut current = String::new();
    let mut done = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            if current == section && !done {
                out.push(format!("{key}={value}"));
                done = true;
            }
            current = t.trim_matches(['[', ']']).to_string();
        } else if current == section && t.split_once('=').is_some_and(|(k, _)| k.trim() == key) {
            out.push(format!("{key}={value}"));
            done = true;
            continue;
        }
        out.push(line.to_string());
    }
    if !done {
        if current != section {
            out.push(format!("[{section}]"));
        }
        out.push(format!("{key}={value}"));
    }
    out.join("\n") + "\n"
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let dest = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &dest)?;
        } else {
            std::fs::copy(entry.path(), dest)?;
        }
    }
    Ok(())
}

/// Runs a multi-statement SQL file on a MySQL server.
pub async fn mysql_exec_file(url: &str, path: &Path) -> Result<()> {
    let sql = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    mysql_exec(url, &sql)
        .await
        .with_context(|| format!("run {}", path.display()))
}

/// Runs multi-statement SQL on a MySQL server.
pub async fn mysql_exec(url: &str, sql: &str) -> Result<()> {
    let mut conn = MySqlConnection::connect(url).await?;
    conn.execute(sqlx::raw_sql(sql)).await?;
    conn.close().await?;
    Ok(())
}

/// Runs a multi-statement SQL file on a PostgreSQL server.
pub async fn pg_exec_file(url: &str, path: &Path) -> Result<()> {
    let sql = std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()))?;
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute(sqlx::raw_sql(&sql))
        .await
        .with_context(|| format!("run {}", path.display()))?;
    conn.close().await?;
    Ok(())
}

/// The dt binary of this workspace (`cargo build --release -p dt-main` builds it).
pub fn dt_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("target/<profile>");
    let bin = profile_dir.join("dt-main");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --release -p dt-main` first",
        bin.display()
    );
    bin
}

/// Runs dt to completion.
pub fn run_dt(config: &Path) -> Output {
    Command::new(dt_binary())
        .arg(config)
        .output()
        .expect("run dt-main")
}

/// Starts dt without waiting.
pub fn spawn_dt(config: &Path) -> Child {
    Command::new(dt_binary())
        .arg(config)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dt-main")
}

/// Waits up to 60 s, while dt (`child`) runs, for a line of `case`'s default.log that
/// `seen` accepts; `what` names the moment for the failure message. A dt still running on
/// timeout is killed.
pub fn wait_for_log(
    case: &Case,
    child: &mut Child,
    what: &str,
    seen: impl Fn(&str) -> bool,
) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !case.default_log().iter().any(|l| seen(l)) {
        if child.try_wait()?.is_some() {
            bail!("dt ended before {what}");
        }
        if std::time::Instant::now() >= deadline {
            child.kill().ok();
            child.wait().ok();
            bail!("dt did not get to {what} within 60 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    Ok(())
}

/// Fails with dt's stderr unless it exited 0.
pub fn expect_success(out: &Output) -> Result<()> {
    if !out.status.success() {
        bail!(
            "dt exited with {:?}\nstdout:\n{}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(())
}

/// Fails with dt's stderr unless it exited 1 with `naming` in its stderr.
pub fn expect_failure(out: &Output, naming: &str) -> Result<()> {
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1) || !stderr.contains(naming) {
        bail!(
            "expected dt to exit 1 naming {naming:?}, got {:?}\nstderr:\n{stderr}",
            out.status.code()
        );
    }
    Ok(())
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Cases share the test servers: each holds this guard while it runs.
pub fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|p| p.into_inner())
}

/// Runs an async test body on a fresh runtime.
pub fn block_on<F: std::future::Future<Output = Result<()>>>(f: F) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Err(e) = rt.block_on(f) {
        panic!("{e:#}");
    }
}

/// A small deterministic pseudo-random sequence (xorshift), seeded from the clock unless
/// `DT_TEST_SEED` is set; the seed is printed so a failing run can be replayed.
pub struct Rng(u64);

impl Rng {
    pub fn from_env() -> Rng {
        let seed = std::env::var("DT_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(42)
            });
        println!("DT_TEST_SEED={seed}");
        Rng(seed | 1)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo).max(1)
    }
}

/// Rows this run has committed, from the last `progress, overall` line in `log` (the text
/// dt appended to default.log since the run started).
fn rows_in_progress(log: &str) -> u64 {
    log.lines()
        .rev()
        .find_map(|l| {
            let rest = l.split_once("progress, overall: ")?.1;
            let (_, tail) = rest.split_once(" running, ")?;
            tail.split_once(' ')?.0.parse().ok()
        })
        .unwrap_or(0)
}

/// Starts dt up to `kills` times and SIGKILLs each run once it has committed a random share
/// (`share` of `total_rows`) of the rows, read from the progress lines dt writes to
/// default.log at every checkpoint, plus a random few milliseconds so the kill lands between
/// checkpoints. Kills are therefore placed by work done, not by wall time, and land in the
/// middle of the copy whatever the machine's speed. The middle run is killed only after it
/// has also marked a table finished, so later runs always meet a finished table (a table
/// without positions restarts in every run and might otherwise never finish before a kill).
/// Then runs dt to completion. Returns how many runs were really killed (one may finish
/// first).
pub fn run_with_kills(
    config: &Path,
    log_dir: &Path,
    kills: usize,
    total_rows: usize,
    share: (f64, f64),
    rng: &mut Rng,
) -> Result<usize> {
    run_with_kills_then(config, log_dir, (kills, total_rows), share, rng, &|| {})
}

/// [`run_with_kills`], calling `after_kill` after each killed run (to lose the progress
/// files, say).
pub fn run_with_kills_then(
    config: &Path,
    log_dir: &Path,
    (kills, total_rows): (usize, usize),
    share: (f64, f64),
    rng: &mut Rng,
    after_kill: &dyn Fn(),
) -> Result<usize> {
    let default_log = log_dir.join("default.log");
    let finished_len = || std::fs::metadata(log_dir.join("finished.log")).map_or(0, |m| m.len());
    let mut killed = 0;
    for round in 0..kills {
        let start = std::fs::metadata(&default_log).map_or(0, |m| m.len()) as usize;
        let finished_before = finished_len();
        let wait_for_finish = round == kills / 2;
        let permille = rng.range((share.0 * 1000.0) as u64, (share.1 * 1000.0) as u64);
        let budget = total_rows as u64 * permille / 1000;
        let mut child = spawn_dt(config);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut rows = 0;
        while child.try_wait()?.is_none() && std::time::Instant::now() < deadline {
            let log = std::fs::read(&default_log).unwrap_or_default();
            rows = rows_in_progress(&String::from_utf8_lossy(log.get(start..).unwrap_or(&[])));
            if rows >= budget && (!wait_for_finish || finished_len() > finished_before) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        std::thread::sleep(std::time::Duration::from_millis(rng.range(0, 40)));
        match child.try_wait()? {
            Some(status) if !status.success() => {
                let mut err = String::new();
                if let Some(mut e) = child.stderr.take() {
                    std::io::Read::read_to_string(&mut e, &mut err)?;
                }
                bail!("run {round} failed on its own with {status}: {err}");
            }
            Some(_) => {
                println!("run {round}: finished before {budget} rows were committed");
                break;
            }
            None => {
                child.kill()?;
                child.wait()?;
                killed += 1;
                after_kill();
                println!("run {round}: killed with SIGKILL after {rows} committed rows (budget {budget})");
            }
        }
    }
    expect_success(&run_dt(config))?;
    Ok(killed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_progress_reads_the_last_overall_line() {
        let log = "x - INFO - [1] - progress, overall: 0/3 table(s) finished, 2 running, 1200 of about 9000 row(s) copied\n\
                   x - INFO - [1] - progress, `db`.`t`: 5 row(s), 5 rows/s\n\
                   x - INFO - [1] - progress, overall: 1/3 table(s) finished, 2 running, 4100 of about 9000 row(s) copied\n";
        assert_eq!(rows_in_progress(log), 4100);
        assert_eq!(rows_in_progress("no progress yet\n"), 0);
    }

    #[test]
    fn set_ini_replaces_and_adds() {
        let t = "[a]\nx=1\n[b]\ny=2\n";
        assert_eq!(set_ini(t, "a.x", "5"), "[a]\nx=5\n[b]\ny=2\n");
        assert_eq!(set_ini(t, "a.z", "5"), "[a]\nx=1\nz=5\n[b]\ny=2\n");
        assert_eq!(set_ini(t, "b.z", "5"), "[a]\nx=1\n[b]\ny=2\nz=5\n");
        assert_eq!(set_ini(t, "c.z", "5"), "[a]\nx=1\n[b]\ny=2\n[c]\nz=5\n");
    }
}
