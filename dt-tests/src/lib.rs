//! End-to-end harness of dt: test servers' URLs, case directories, running the binary
//! (and killing it), and comparing source with target row by row.

pub mod ape_parallel;
pub mod cols_where;
pub mod compare;
pub mod deferred_indexes;
pub mod exact;
pub mod key_shapes;
pub mod order_key;
pub mod progress_db;
pub mod runner;
pub mod scenario;
pub mod schema;
pub mod servers;
pub mod sinker_keys;
pub mod slow_target;
pub mod target_state;
pub mod trust;
