//! Shared ground of dt: task config, metadata and value types, name filters and routing,
//! the `Resumer` trait, credential masking and the default.log format. No database drivers live here.

pub mod compat;
pub mod config;
pub mod conn_opts;
pub mod error;
pub mod filter;
pub mod logging;
pub mod meta;
pub mod resumer;
pub mod router;
pub mod row_filter;
pub mod secret;
pub mod sinker_opts;
pub mod structures;
pub mod tuning;

pub use error::ConfigError;
pub use meta::{DbType, TableId};
pub use resumer::{KeySpan, Resumer, ValueCheck};
