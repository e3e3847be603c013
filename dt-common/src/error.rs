//! Typed errors of the config layer; each names what the user has to fix.

use thiserror::Error;

/// An error in task_config.ini or in a value of it.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {reason}")]
    Read { path: String, reason: String },
    #[error("invalid value for {section}.{key}: `{value}` ({reason})")]
    Invalid {
        section: String,
        key: String,
        value: String,
        reason: String,
    },
    #[error(
        "unknown key {key}: keys of [filter], [router] and [resumer] decide what is copied \
         and whether a run resumes, so dt stops rather than ignore one (check its spelling; \
         the keys dt reads are in docs/en/config.md)"
    )]
    UnknownKey { key: String },
    #[error("section [{section}] is not supported: {instead}")]
    UnsupportedSection { section: String, instead: String },
    #[error("missing required key {section}.{key}")]
    Missing { section: String, key: String },
}

impl ConfigError {
    pub fn invalid(section: &str, key: &str, value: &str, reason: impl Into<String>) -> Self {
        ConfigError::Invalid {
            section: section.to_string(),
            key: key.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}
