//! Progress written in ape-dts's forms — `order_key` single and composite, NULL values — read
//! from position.log, finished.log and a resume config: a table is resumed where its recorded
//! position is safe to start after, and otherwise copied again from its start with a note in
//! default.log; either way the target ends equal to the source, row for row. Also the
//! `[router]` JSON `col_map` of ape-dts, combined with `db_map` and `tb_map`.

use anyhow::{ensure, Result};

use crate::compare::{mysql_assert_same, pg_assert_same};
use crate::runner::{expect_success, run_dt, run_with_kills, Case, Rng};
use crate::scenario::{message, Kind};

/// Fails unless source table `src` and target table `dst` hold the same rows.
pub async fn assert_same(kind: Kind, src: (&str, &str), dst: (&str, &str)) -> Result<usize> {
    match kind {
        Kind::Mysql => mysql_assert_same(src, dst).await,
        _ => pg_assert_same(src, dst).await,
    }
}

/// Messages of default.log lines at `level` that contain `needle`.
fn notes(case: &Case, level: &str, needle: &str) -> Vec<String> {
    case.default_log()
        .iter()
        .filter(|l| l.contains(&format!(" - {level} - ")) && l.contains(needle))
        .map(|l| message(l).to_string())
        .collect()
}

const SCHEMA: &str = "orderkey_db";

/// What default.log must say, once, about each table whose recorded position is not used.
const NOTES: &[(&str, &str)] = &[
    (
        "null_single",
        "resumer, the position of `orderkey_db`.`null_single` holds NULL for column id; no row \
         can be resumed after a NULL, so the table is copied again from its start",
    ),
    (
        "null_value",
        "resumer, the position of `orderkey_db`.`null_value` holds NULL for column id;",
    ),
    (
        "other_col",
        "resumer, the position of `orderkey_db`.`other_col` is on u = \"95\", but dt pages the \
         table by column id alone; the table is copied again from its start",
    ),
    (
        "composite_null",
        "resumer, the position of `orderkey_db`.`composite_null` holds NULL in its key (a, b); \
         no row can be resumed after a NULL, so the table is copied again from its start",
    ),
    (
        "keyless_dup",
        "resumer, `orderkey_db`.`keyless_dup` has a recorded position (v = \"2\") but no \
         primary or unique key over NOT NULL columns;",
    ),
];

/// One run over progress that ape-dts left: tables with a usable single-column position
/// resume after it, a finished table is skipped, every other table is copied again from its
/// start — nothing lost, nothing doubled — and default.log says why, once per table. The
/// config also carries ape-dts's database-resumer keys: a warning, never their values.
pub async fn ape_positions(kind: Kind, case: &str) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let out = run_dt(&case.config(&kind.src(), &kind.dst(), &[]));
    expect_success(&out)?;
    for (tb, keys) in [
        ("single_log", (6..=10).collect::<Vec<i64>>()),
        ("single_cfg", (8..=10).collect()),
        ("finished_ape", vec![]),
    ] {
        let got = kind.target_keys(SCHEMA, tb, "id").await?;
        ensure!(
            got == keys,
            "{tb}: target has keys {got:?}, expected {keys:?}"
        );
    }
    // The target holds what the interrupted run left: `composite` up to its position (1, x),
    // `keyless_uk` whole. Resumed after their positions, the run writes the ten composite
    // rows after (1, x), and the three rows after u = 3 with the two whose u is NULL, which
    // replace those the target holds in one transaction; both tables then equal the source.
    for (tb, resumed, end) in [
        (
            "composite",
            r#"tb: composite, cols: ["a", "b"], result: Some(["1", "x"])"#,
            "task, end `orderkey_db`.`composite`: 10 row(s)",
        ),
        (
            "keyless_uk",
            r#"tb: keyless_uk, col: u, result: Some("3")"#,
            "task, end `orderkey_db`.`keyless_uk`: 5 row(s)",
        ),
    ] {
        assert_same(kind, (SCHEMA, tb), (SCHEMA, tb)).await?;
        for needle in [resumed, end] {
            ensure!(
                notes(&case, "INFO", needle).len() == 1,
                "{tb}: no line containing {needle}"
            );
        }
    }
    for (tb, note) in NOTES {
        let rows = assert_same(kind, (SCHEMA, tb), (SCHEMA, tb)).await?;
        ensure!(rows > 0, "{tb}: no rows compared");
        let found = notes(&case, "WARN", note);
        ensure!(
            found.len() == 1,
            "{tb}: expected one WARN line containing\n  {note}\nfound {found:#?}"
        );
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warning = stderr
        .lines()
        .find(|l| l.contains("only apply with resume_type=from_db"))
        .unwrap_or_default();
    for key in [
        "url",
        "username",
        "password",
        "table_full_name",
        "max_connections",
    ] {
        ensure!(
            warning.contains(&format!("resumer.{key}")),
            "the warning about database-resumer keys does not name resumer.{key}: {stderr}"
        );
    }
    let log = case.default_log().join("\n");
    for text in [&*stderr, &String::from_utf8_lossy(&out.stdout), &log] {
        ensure!(
            !text.contains("resumer-secret-pw"),
            "password printed: {text}"
        );
    }
    Ok(())
}

/// Progress ape-dts left for a single-key, a composite-key and a key-less table, then
/// SIGKILLs at random points and resumes: the target ends equal to the source.
pub async fn ape_positions_crash(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case.log_dir(), 4, rows, (0.05, 0.5), &mut rng)?;
    ensure!(killed > 0, "no run was killed");
    for tb in ["single_pk", "composite", "keyless"] {
        assert_same(kind, ("orderkey_crash_db", tb), ("orderkey_crash_db", tb)).await?;
    }
    let resumed = notes(
        &case,
        "INFO",
        "tb: single_pk, col: id, result: Some(\"10000\")",
    );
    ensure!(!resumed.is_empty(), "single_pk never resumed after 10000");
    let needle = r#"tb: composite, cols: ["a", "b"], result: Some(["4", "k29954"])"#;
    ensure!(
        !notes(&case, "INFO", needle).is_empty(),
        "composite never resumed after (4, k29954)"
    );
    let needle = "`orderkey_crash_db`.`keyless` has a recorded position (v = \"100\")";
    ensure!(
        !notes(&case, "WARN", needle).is_empty(),
        "no note containing {needle}"
    );
    Ok(())
}

/// ape-dts's route case: `db_map`, `tb_map` and a JSON `col_map` together, with SIGKILLs
/// in the middle of the copy; every routed table equals its source, row by row.
pub async fn route_json(kind: Kind, case: &str, rows: usize) -> Result<()> {
    let case = Case::load(case);
    kind.prepare(&case).await?;
    let config = case.config(&kind.src(), &kind.dst(), &[]);
    let mut rng = Rng::from_env();
    let killed = run_with_kills(&config, &case.log_dir(), 3, rows, (0.1, 0.5), &mut rng)?;
    ensure!(killed > 0, "no run was killed");
    for (src, dst) in [
        (("route_json_1", "one_pk"), ("dst_route_json_1", "one_pk")),
        (("route_json_1", "keyless"), ("dst_route_json_1", "keyless")),
        (
            ("route_json_2", "one_pk"),
            ("dst_route_json_2", "dst_one_pk"),
        ),
        (("route_json_2", "other"), ("route_json_2", "other")),
        (
            ("route_json_3", "one_pk"),
            ("dst_route_json_3", "dst_one_pk"),
        ),
        (("route_json_3", "keyless"), ("dst_route_json_3", "keyless")),
        (("route_json_3", "other"), ("dst_route_json_3", "other")),
    ] {
        let n = assert_same(kind, src, dst).await?;
        ensure!(n > 0, "{src:?}: no rows compared");
    }
    Ok(())
}
