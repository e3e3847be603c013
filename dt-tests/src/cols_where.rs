//! `[filter] ignore_cols` and `where_conditions` end to end. A case's `expected.txt` says,
//! per target table, which rows it must hold, computed from the source: a query on the
//! source (MySQL, PostgreSQL) selecting the rows the condition keeps, with the ignored
//! columns at the target's default; or, for MongoDB, the source collection, a filter and
//! the fields left out. The target is then compared with it row by row.

use anyhow::{bail, ensure, Context, Result};
use futures::TryStreamExt;
use sqlx::{Connection, Executor, Row};

use crate::compare::{mongo_docs, mysql_rows, pg_rows, TextRow};
use crate::runner::{
    expect_success, mysql_exec_file, pg_exec_file, run_dt, run_with_kills, Case, Rng,
};
use crate::scenario::{message, Kind};

/// One line of `expected.txt`: the target table, then what it must hold.
struct Expected {
    schema: String,
    tb: String,
    rest: Vec<String>,
}

fn expected(case: &Case) -> Result<Vec<Expected>> {
    let text = std::fs::read_to_string(case.dir.join("expected.txt")).context("expected.txt")?;
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let mut parts = line.split('|').map(str::to_string);
        let target = parts.next().unwrap_or_default();
        let (schema, tb) = target.split_once('.').context("target as schema.table")?;
        out.push(Expected {
            schema: schema.into(),
            tb: tb.into(),
            rest: parts.collect(),
        });
    }
    Ok(out)
}

/// Rows of `sql` on a MySQL server, as text, sorted.
async fn mysql_query_rows(url: &str, sql: &str) -> Result<Vec<TextRow>> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    let mut rows = Vec::new();
    let mut stream = conn.fetch(sqlx::raw_sql(sql));
    while let Some(r) = stream.try_next().await.with_context(|| sql.to_string())? {
        let row: Result<TextRow, _> = (0..r.len()).map(|i| r.try_get_unchecked(i)).collect();
        rows.push(row?);
    }
    rows.sort();
    Ok(rows)
}

/// Rows of `sql` on a PostgreSQL server as row text, sorted.
async fn pg_query_rows(url: &str, sql: &str) -> Result<Vec<String>> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute("SET TimeZone = 'UTC'; SET extra_float_digits = 3")
        .await?;
    let sql = format!("SELECT x::text FROM ({sql}) AS x");
    let mut rows: Vec<String> = sqlx::query_scalar(&sql).fetch_all(&mut conn).await?;
    rows.sort();
    Ok(rows)
}

/// Source documents of `coll` meeting `filter`, without `fields`, in `_id` order.
async fn mongo_expected(
    kind: Kind,
    coll: (&str, &str),
    filter: &str,
    fields: &str,
) -> Result<Vec<Vec<u8>>> {
    let filter = match bson::Bson::try_from(serde_json::from_str::<serde_json::Value>(filter)?)? {
        bson::Bson::Document(d) => d,
        other => bail!("not a filter document: {other}"),
    };
    let client = mongodb::Client::with_uri_str(kind.src()).await?;
    let cursor = client
        .database(coll.0)
        .collection::<bson::Document>(coll.1)
        .find(filter)
        .sort(bson::doc! { "_id": 1 })
        .await?;
    let docs: Vec<bson::Document> = cursor.try_collect().await?;
    let fields: Vec<&str> = fields.split(',').filter(|f| !f.is_empty()).collect();
    docs.into_iter()
        .map(|mut d| {
            for f in &fields {
                d.remove(*f);
            }
            Ok(bson::RawDocumentBuf::from_document(&d)?.into_bytes())
        })
        .collect()
}

/// Checks every target table of `expected.txt`; returns the rows compared.
pub async fn assert_expected(kind: Kind, case: &Case) -> Result<usize> {
    let text = |rows: Vec<TextRow>| rows.iter().map(|r| format!("{r:?}")).collect::<Vec<_>>();
    let mut total = 0;
    for e in expected(case)? {
        let (got, want): (Vec<String>, Vec<String>) = match kind {
            Kind::Mysql => (
                text(mysql_rows(&kind.dst(), &e.schema, &e.tb).await?),
                text(mysql_query_rows(&kind.src(), &e.rest[0]).await?),
            ),
            Kind::Pg => (
                pg_rows(&kind.dst(), &e.schema, &e.tb).await?,
                pg_query_rows(&kind.src(), &e.rest[0]).await?,
            ),
            Kind::Mongo => {
                let src = (e.schema.as_str(), e.rest[0].as_str());
                let want = mongo_expected(kind, src, &e.rest[1], &e.rest[2]).await?;
                let got = mongo_docs(&kind.dst(), &e.schema, &e.tb).await?;
                (
                    got.iter().map(hex::encode).collect(),
                    want.iter().map(hex::encode).collect(),
                )
            }
        };
        ensure!(
            !want.is_empty(),
            "{}.{}: the expectation selects no row",
            e.schema,
            e.tb
        );
        if got != want {
            let at = got
                .iter()
                .zip(&want)
                .position(|(a, b)| a != b)
                .unwrap_or(got.len().min(want.len()));
            bail!(
                "{}.{}: target has {} rows, the expectation {}; first difference at #{at}: {:?} vs {:?}",
                e.schema,
                e.tb,
                got.len(),
                want.len(),
                got.get(at),
                want.get(at)
            );
        }
        total += want.len();
    }
    Ok(total)
}

fn run_verify(config: &std::path::Path) -> Result<std::process::Output> {
    Ok(std::process::Command::new(crate::runner::dt_binary())
        .arg("--verify")
        .arg(config)
        .output()?)
}

/// Changes the target after a copy: a row the condition excludes goes into `paged`, and an
/// ignored column (MongoDB: field) of a row of another table is changed.
async fn break_target(kind: Kind, case: &Case) -> Result<()> {
    match kind {
        Kind::Mysql => mysql_exec_file(&kind.dst(), &case.dir.join("dst_break.sql")).await,
        Kind::Pg => pg_exec_file(&kind.dst(), &case.dir.join("dst_break.sql")).await,
        Kind::Mongo => {
            let db = mongodb::Client::with_uri_str(kind.dst())
                .await?
                .database("cols_where_db");
            db.collection::<bson::Document>("paged")
                .insert_one(bson::doc! { "_id": -1, "n": 1 })
                .await?;
            let r = db
                .collection::<bson::Document>("mixed")
                .update_one(bson::doc! {}, bson::doc! { "$set": { "d": 1.5 } })
                .await?;
            ensure!(r.modified_count == 1, "mixed: {r:?}");
            Ok(())
        }
    }
}

/// Copies the case; the target must hold exactly the expected rows, and `--verify` must
/// find every table the same. After [`break_target`], `--verify` must report `paged` alone.
pub async fn copy(kind: Kind, case: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    expect_success(&run_dt(&config))?;
    let rows = assert_expected(kind, &case).await?;
    println!("{rows} rows compared");
    let out = run_verify(&config)?;
    expect_success(&out)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    ensure!(stdout.contains("compared, 0 differ"), "{stdout}");
    break_target(kind, &case).await?;
    let out = run_verify(&config)?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let differing: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("DIFFERENT"))
        .filter_map(|l| l.split('`').nth(3))
        .collect();
    ensure!(
        out.status.code() == Some(1) && differing == ["paged"],
        "expected only paged to differ, got exit {:?}:\n{stdout}",
        out.status.code()
    );
    Ok(())
}

/// SIGKILLs the copy of the case several times and resumes it; the target must end with
/// exactly the expected rows, and some run must have resumed `paged` from a position.
/// `rows` is about how many rows the conditions select in all; each kill lands after 10–30 %
/// of them were committed by that run.
pub async fn crash(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case.log_dir(), 6, rows, (0.1, 0.3), &mut rng)?;
    ensure!(killed >= 2, "only {killed} run(s) were interrupted");
    let compared = assert_expected(kind, &case).await?;
    ensure!(
        compared >= rows,
        "compared {compared} rows, expected at least {rows}"
    );
    let resumed = case
        .default_log()
        .iter()
        .any(|l| message(l).contains("start `cols_where_db`.`paged`: resume after"));
    ensure!(resumed, "no run resumed `paged` from a position");
    Ok(())
}

/// One bad input: config overrides, the exit code and what stderr must name.
type Bad<'a> = (&'a [(&'a str, &'a str)], i32, &'a [&'a str]);

/// Bad values of the two keys, each stopping dt before anything is recorded: JSON that does
/// not parse and entries without a table are config errors (exit 2); a condition the source
/// rejects, an ignored key column, an ignored column that does not exist and an entry for a
/// table the task does not copy fail the task (exit 1), naming the table.
pub async fn bad_inputs(kind: Kind, case: &str) -> Result<()> {
    const IGNORE: &str = "filter.ignore_cols";
    const WHERE: &str = "filter.where_conditions";
    let one_table = [
        ("filter.do_dbs", ""),
        ("filter.do_tbs", "cols_where_db.whole"),
        (IGNORE, ""),
    ];
    let rejected = match kind {
        Kind::Mongo => {
            r#"json:[{"db":"cols_where_db","tb":"whole","condition":"{\"n\":{\"$nosuchop\":1}}"}]"#
        }
        _ => r#"json:[{"db":"cols_where_db","tb":"whole","condition":"no_such_col > 1"}]"#,
    };
    let key = if kind == Kind::Mongo { "_id" } else { "id" };
    let ignore_key =
        format!(r#"json:[{{"db":"cols_where_db","tb":"paged","ignore_cols":["{key}"]}}]"#);
    let ignore_missing = r#"json:[{"db":"cols_where_db","tb":"paged","ignore_cols":["f_9"]}]"#;
    let typo = match kind {
        Kind::Mongo => r#"json:[{"db":"cols_where_db","tb":"pagd","condition":"{\"n\":1}"}]"#,
        _ => r#"json:[{"db":"cols_where_db","tb":"pagd","condition":"v > 1"}]"#,
    };
    let typo = [(WHERE, typo)];
    let with_table = [one_table.as_slice(), &[(WHERE, rejected)]].concat();
    let mut cases: Vec<Bad> = vec![
        (
            &[(
                WHERE,
                r#"json:[{"db":"cols_where_db","tb":"paged","condition":"#,
            )],
            2,
            &[WHERE, "not a JSON list"],
        ),
        (
            &[(
                IGNORE,
                r#"json:[{"db":"cols_where_db","ignore_cols":["f_2"]}]"#,
            )],
            2,
            &[IGNORE, "missing field `tb`"],
        ),
        (
            &typo,
            1,
            &[WHERE, "`cols_where_db`.`pagd`", "does not copy"],
        ),
        (&with_table, 1, &["`cols_where_db`.`whole`"]),
    ];
    let ignore_key = [(IGNORE, ignore_key.as_str())];
    let ignore_missing = [(IGNORE, ignore_missing)];
    let not_json = [(
        WHERE,
        r#"json:[{"db":"cols_where_db","tb":"paged","condition":"n > 1"}]"#,
    )];
    match kind {
        Kind::Mongo => {
            cases.push((&ignore_key, 2, &[IGNORE, "`_id` cannot be ignored"]));
            cases.push((&not_json, 2, &[WHERE, "JSON query document"]));
        }
        _ => {
            cases.push((
                &ignore_key,
                1,
                &[IGNORE, "`id`", "`cols_where_db`.`paged`", "key"],
            ));
            cases.push((
                &ignore_missing,
                1,
                &[IGNORE, "`f_9`", "`cols_where_db`.`paged`", "does not exist"],
            ));
        }
    }
    for (overrides, code, needles) in cases {
        crate::scenario::bad_input(
            kind,
            case,
            &kind.src(),
            &kind.dst(),
            overrides,
            code,
            needles,
        )
        .await
        .with_context(|| format!("with {overrides:?}"))?;
    }
    Ok(())
}
