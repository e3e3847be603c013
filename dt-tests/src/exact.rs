//! `--verify` against the smallest changes: a table with one row holding a value of every
//! type is copied and verified the same; then each value is changed in the target by the
//! least its type allows (one ulp of a float, one microsecond, one bit), one at a time and
//! undone before the next, and every change must be reported.

use anyhow::{ensure, Context, Result};
use sqlx::Connection;

use crate::runner::{dt_binary, expect_success, mysql_exec, run_dt, Case};
use crate::scenario::Kind;

/// The table every `verify_exact_test` case holds, as `--verify` names it.
const TABLE: &str = "`verify_exact_db`.`exact`";

/// Runs `dt-main --verify`.
pub fn run_verify(config: &std::path::Path) -> Result<std::process::Output> {
    std::process::Command::new(dt_binary())
        .arg("--verify")
        .arg(config)
        .output()
        .context("run dt-main --verify")
}

/// Fails unless `--verify` exited 0 and found the one table the same.
fn expect_same(out: &std::process::Output, when: &str) -> Result<()> {
    expect_success(out).with_context(|| format!("verify {when}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(
        stdout.contains("1 table(s) compared, 0 differ"),
        "verify {when} did not find the table the same:\n{stdout}"
    );
    Ok(())
}

/// Whether `--verify` exited 1 and reported the table's content as different.
fn reported(out: &std::process::Output) -> bool {
    let stdout = String::from_utf8_lossy(&out.stdout);
    out.status.code() == Some(1)
        && stdout
            .lines()
            .any(|l| l.starts_with(TABLE) && l.ends_with("DIFFERENT (content)"))
}

/// One line of `changes.tsv`: column, its value in the source, the changed value.
struct Change {
    column: String,
    source: String,
    changed: String,
}

fn changes(case: &Case) -> Result<Vec<Change>> {
    let path = case.dir.join("changes.tsv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("read {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let mut f = l.split('\t');
            match (f.next(), f.next(), f.next(), f.next()) {
                (Some(c), Some(s), Some(n), None) => Ok(Change {
                    column: c.into(),
                    source: s.into(),
                    changed: n.into(),
                }),
                _ => anyhow::bail!("{}: expected 3 tab-separated fields: {l}", path.display()),
            }
        })
        .collect()
}

/// Runs SQL on the target of a MySQL or PostgreSQL path.
async fn exec_dst(kind: Kind, sql: &str) -> Result<()> {
    match kind {
        Kind::Mysql => mysql_exec(&kind.dst(), sql).await,
        Kind::Pg => {
            let mut conn = sqlx::PgConnection::connect(&kind.dst()).await?;
            sqlx::raw_sql(sql).execute(&mut conn).await?;
            Ok(())
        }
        Kind::Mongo => anyhow::bail!("no SQL on MongoDB"),
    }
}

/// The SQL scenario: every line of the case's `changes.tsv` must make `--verify` exit 1
/// naming the table. Columns whose change went unseen are listed together.
pub async fn verify_exact(kind: Kind, case: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    expect_success(&run_dt(&config))?;
    expect_same(&run_verify(&config)?, "after the copy")?;
    let table = match kind {
        Kind::Mysql => TABLE.to_string(),
        _ => TABLE.replace('`', "\""),
    };
    let mut unseen = Vec::new();
    let changes = changes(&case)?;
    for c in &changes {
        let set = |v: &str| format!("UPDATE {table} SET {} = {v} WHERE id = 1", c.column);
        exec_dst(kind, &set(&c.changed)).await?;
        let out = run_verify(&config)?;
        exec_dst(kind, &set(&c.source)).await?;
        if !reported(&out) {
            unseen.push(format!(
                "{} {} -> {} (exit {:?})",
                c.column,
                c.source,
                c.changed,
                out.status.code()
            ));
        }
    }
    ensure!(
        unseen.is_empty(),
        "--verify reported {} of {} smallest changes as the same:\n{}",
        unseen.len(),
        changes.len(),
        unseen.join("\n")
    );
    expect_same(&run_verify(&config)?, "after every change was undone")
}

/// The MongoDB scenario over `verify_exact_db.exact`'s document `_id: 1`: each field set in
/// the target to the next value its BSON type holds.
pub async fn verify_exact_mongo(case: &str) -> Result<()> {
    use bson::{doc, Bson};
    let case = Case::load(case);
    Kind::Mongo.prepare(&case).await?;
    let config = case.config(&Kind::Mongo.src(), &Kind::Mongo.dst(), &[]);
    expect_success(&run_dt(&config))?;
    expect_same(&run_verify(&config)?, "after the copy")?;
    let coll = mongodb::Client::with_uri_str(Kind::Mongo.dst())
        .await?
        .database("verify_exact_db")
        .collection::<bson::Document>("exact");
    let next = |x: f64| f64::from_bits(x.to_bits() + 1);
    let changes: [(&str, Bson, Bson); 6] = [
        ("d", Bson::Double(0.1), Bson::Double(next(0.1))),
        (
            "d_big",
            Bson::Double(9007199254740992.0),
            Bson::Double(9007199254740994.0),
        ),
        ("d_zero", Bson::Double(0.0), Bson::Double(-0.0)),
        ("nested.d", Bson::Double(0.1), Bson::Double(next(0.1))),
        (
            "date",
            Bson::DateTime(bson::DateTime::from_millis(1_709_251_199_123)),
            Bson::DateTime(bson::DateTime::from_millis(1_709_251_199_124)),
        ),
        ("s", Bson::String("Abc".into()), Bson::String("abc".into())),
    ];
    let mut unseen = Vec::new();
    for (field, source, changed) in &changes {
        coll.update_one(
            doc! { "_id": 1 },
            doc! { "$set": { *field: changed.clone() } },
        )
        .await?;
        let out = run_verify(&config)?;
        coll.update_one(
            doc! { "_id": 1 },
            doc! { "$set": { *field: source.clone() } },
        )
        .await?;
        if !reported(&out) {
            unseen.push(format!("{field} {source} -> {changed}"));
        }
    }
    ensure!(
        unseen.is_empty(),
        "--verify reported smallest changes as the same:\n{}",
        unseen.join("\n")
    );
    expect_same(&run_verify(&config)?, "after every change was undone")
}
