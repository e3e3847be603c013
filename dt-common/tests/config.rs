//! dt-common's behaviour through its public API, as another tool would use it: a task file
//! read into a config, the name filter and the router built from it (docs/en/config.md).

use dt_common::config::TaskConfig;
use dt_common::error::ConfigError;
use dt_common::TableId;

fn task(db_type: &str, url: &str, extra: &str) -> String {
    format!(
        "[extractor]\ndb_type={db_type}\nurl={url}\n\n[sinker]\ndb_type={db_type}\nurl={url}\n\n{extra}"
    )
}

fn mysql(extra: &str) -> Result<TaskConfig, ConfigError> {
    TaskConfig::from_ini_str(&task("mysql", "mysql://127.0.0.1:3307", extra))
}

fn pg(extra: &str) -> Result<TaskConfig, ConfigError> {
    TaskConfig::from_ini_str(&task("pg", "postgres://127.0.0.1:5433/postgres", extra))
}

fn invalid_key(e: ConfigError) -> String {
    match e {
        ConfigError::Invalid { section, key, .. } => format!("{section}.{key}"),
        other => panic!("expected an invalid value, got {other}"),
    }
}

#[test]
fn only_the_four_connection_keys_are_required() {
    let cfg = mysql("").unwrap();
    assert_eq!(cfg.extractor.batch_size, 10_000);
    assert_eq!(cfg.sink_batch_size(), 1_000);
    assert!(!cfg.resumer.resume_from_log);
    let cfg = pg("").unwrap();
    assert_eq!(cfg.sink_batch_size(), 5_000);

    let text = "[extractor]\ndb_type=mysql\n\n[sinker]\ndb_type=mysql\nurl=mysql://h:1\n";
    match TaskConfig::from_ini_str(text) {
        Err(ConfigError::Missing { section, key }) => {
            assert_eq!((section.as_str(), key.as_str()), ("extractor", "url"))
        }
        other => panic!("expected a missing key, got {other:?}"),
    }
}

#[test]
fn credentials_given_as_keys_are_percent_encoded_into_the_url() {
    let text = "[extractor]\ndb_type=pg\nurl=postgres://127.0.0.1:5433/postgres\n\
                username=app user\npassword=p@ss:w/rd%\n\n\
                [sinker]\ndb_type=pg\nurl=postgres://127.0.0.1:5434/postgres\n";
    let cfg = TaskConfig::from_ini_str(text).unwrap();
    assert_eq!(
        cfg.extractor.url,
        "postgres://app%20user:p%40ss%3Aw%2Frd%25@127.0.0.1:5433/postgres"
    );
    assert_eq!(cfg.sinker.url, "postgres://127.0.0.1:5434/postgres");

    let text = text.replace("//127.0.0.1:5433", "//other:pw@127.0.0.1:5433");
    assert_eq!(
        invalid_key(TaskConfig::from_ini_str(&text).unwrap_err()),
        "extractor.url"
    );
}

#[test]
fn the_newer_resumer_keys_mean_the_older_ones() {
    let cfg =
        mysql("[resumer]\nresume_type=from_log\nlog_dir=/tmp/old\nconfig_file=r.cfg\n").unwrap();
    assert!(cfg.resumer.resume_from_log);
    assert_eq!(cfg.resume_log_dir(), std::path::PathBuf::from("/tmp/old"));
    assert_eq!(
        cfg.resume_config_file(),
        Some(std::path::PathBuf::from("r.cfg"))
    );

    // Without a resume log dir of its own, the task's log dir is read.
    let cfg = mysql("[runtime]\nlog_dir=/tmp/run\n[resumer]\nresume_from_log=true\n").unwrap();
    assert_eq!(cfg.resume_log_dir(), std::path::PathBuf::from("/tmp/run"));

    for conflicting in [
        "[resumer]\nlog_dir=/a\nresume_log_dir=/b\n",
        "[resumer]\nresume_type=dummy\nresume_from_log=true\n",
        "[resumer]\nresume_type=sometimes\n",
    ] {
        assert!(
            mysql(conflicting).is_err(),
            "accepted a contradiction: {conflicting}"
        );
    }
}

#[test]
fn a_misspelt_key_that_decides_what_is_copied_is_an_error_others_a_warning() {
    for (extra, key) in [
        ("[filter]\ndo_tables=a.b\n", "filter.do_tables"),
        ("[Router]\ndbmap=a:b\n", "Router.dbmap"),
        (
            "[resumer]\nresume_form_log=true\n",
            "resumer.resume_form_log",
        ),
    ] {
        match mysql(extra) {
            Err(ConfigError::UnknownKey { key: got }) => assert_eq!(got, key),
            other => panic!("{extra}: expected an unknown key error, got {other:?}"),
        }
    }
    let cfg = mysql("[pipeline]\nsome_tuning_key=1\n").unwrap();
    assert_eq!(
        cfg.unknown_keys,
        vec!["pipeline.some_tuning_key".to_string()]
    );
}

#[test]
fn values_are_checked_before_anything_connects() {
    for (extra, key) in [
        (
            "[parallelizer]\nparallel_size=0\n",
            "parallelizer.parallel_size",
        ),
        (
            "[pipeline]\ncheckpoint_interval_secs=0\n",
            "pipeline.checkpoint_interval_secs",
        ),
        ("[runtime]\nlog_level=loud\n", "runtime.log_level"),
        ("[filter]\ndo_tbs=`unclosed.t\n", "filter.do_tbs"),
        ("[filter]\ndo_tbs=no_dot\n", "filter.do_tbs"),
    ] {
        let e = mysql(extra).expect_err(extra);
        assert_eq!(invalid_key(e), key, "{extra}");
    }
    let text = "[extractor]\ndb_type=mysql\nurl=mysql://h:1\nbatch_size=0\n\
                [sinker]\ndb_type=mysql\nurl=mysql://h:2\n";
    assert_eq!(
        invalid_key(TaskConfig::from_ini_str(text).unwrap_err()),
        "extractor.batch_size"
    );
    let text =
        "[extractor]\ndb_type=mysql\nurl=mysql://h:1\n[sinker]\ndb_type=pg\nurl=postgres://h:2/d\n";
    assert_eq!(
        invalid_key(TaskConfig::from_ini_str(text).unwrap_err()),
        "sinker.db_type"
    );
}

#[test]
fn the_filter_selects_as_documented() {
    let cfg = mysql(
        "[filter]\ndo_dbs=shop,crm\nignore_tbs=shop.tmp_*,`crm`.`audit*`\ndo_tbs=`test_db_*`.`a*`\n",
    )
    .unwrap();
    let f = cfg.name_filter().unwrap();
    let sel = |db: &str, tb: &str| f.matches(&TableId::new(db, tb));
    assert!(sel("shop", "orders"));
    assert!(!sel("shop", "tmp_1"));
    assert!(sel("crm", "audit"), "a quoted name is literal");
    assert!(!sel("crm", "audit*"));
    assert!(sel("test_db_*", "a*"));
    assert!(
        !sel("test_db_x", "a*"),
        "a quoted wildcard matches only itself"
    );
    assert!(!sel("other", "orders"));
    assert_eq!(f.exact_tables(), vec![TableId::new("test_db_*", "a*")]);

    // PostgreSQL quotes with double quotes; a backtick is an ordinary character there.
    let f = pg("[filter]\ndo_tbs=\"s.x\".*,`b`.t\n")
        .unwrap()
        .name_filter()
        .unwrap();
    assert!(f.matches(&TableId::new("s.x", "anything")));
    assert!(f.matches(&TableId::new("`b`", "t")));
    assert!(!f.matches(&TableId::new("s", "x")));
}

#[test]
fn the_router_renames_tables_before_databases() {
    let cfg = mysql(
        "[router]\ndb_map=crm:crm_copy,shop:shop2\ntb_map=shop.orders:archive.orders_2024\n\
         col_map=shop.orders.note:remark\n",
    )
    .unwrap();
    let r = cfg.router().unwrap();
    let orders = TableId::new("shop", "orders");
    assert_eq!(
        r.route_table(&orders),
        TableId::new("archive", "orders_2024")
    );
    assert_eq!(
        r.route_table(&TableId::new("shop", "items")),
        TableId::new("shop2", "items")
    );
    assert_eq!(
        r.route_table(&TableId::new("misc", "t")),
        TableId::new("misc", "t")
    );
    assert_eq!(r.route_col(&orders, "note"), "remark");
    assert_eq!(r.route_col(&orders, "id"), "id");
    assert_eq!(r.route_col(&TableId::new("shop", "items"), "note"), "note");

    let e = mysql("[router]\ndb_map=a\n").unwrap_err();
    assert_eq!(invalid_key(e), "router.db_map");
    let e = mysql("[router]\ncol_map=json:[{\"db\":\"shop\",\"tb\":\"orders\",\"col_map\":{\"a\":\"x\",\"b\":\"x\"}}]\n")
        .unwrap_err();
    assert_eq!(invalid_key(e), "router.col_map");
}
