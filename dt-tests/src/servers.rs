//! The one place that names the test servers (started by `scripts/test-services.sh up`).
//! Each URL can be overridden by an environment variable of the same name.

fn url(var: &str, default: &str) -> String {
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

pub fn mysql_src() -> String {
    url("DT_TEST_MYSQL_SRC", "mysql://root@127.0.0.1:3307")
}

pub fn mysql_dst() -> String {
    url("DT_TEST_MYSQL_DST", "mysql://root@127.0.0.1:3308")
}

pub fn pg_src() -> String {
    url(
        "DT_TEST_PG_SRC",
        "postgres://postgres@127.0.0.1:5433/postgres",
    )
}

pub fn pg_dst() -> String {
    url(
        "DT_TEST_PG_DST",
        "postgres://postgres@127.0.0.1:5434/postgres",
    )
}

pub fn mongo_src() -> String {
    url("DT_TEST_MONGO_SRC", "mongodb://127.0.0.1:27017")
}

pub fn mongo_dst() -> String {
    url("DT_TEST_MONGO_DST", "mongodb://127.0.0.1:27018")
}
