//! The `Resumer` trait: what an extractor may ask about earlier progress. Extractors depend on
//! this trait only, never on how progress is stored.

use crate::position::OrderKey;

/// Answers, per table, whether an earlier run finished it and where it stopped.
///
/// Driving loop: before copying a table an extractor calls [`Resumer::check_finished`]; if
/// the table is finished it is skipped. Otherwise, once it has chosen the table's order
/// column(s), it calls [`Resumer::get_resume_value`] (single column) or
/// [`Resumer::get_resume_key`] (any key shape) and starts strictly after the answer.
pub trait Resumer: Send + Sync {
    /// Whether table (`schema`, `tb`) was completely copied by an earlier run.
    fn check_finished(&self, schema: &str, tb: &str) -> bool;

    /// The last committed value of order column `col` of (`schema`, `tb`), as text.
    fn get_resume_value(&self, schema: &str, tb: &str, col: &str) -> Option<String>;

    /// The last committed key of (`schema`, `tb`) in whatever shape it was recorded.
    fn get_resume_key(&self, schema: &str, tb: &str) -> Option<OrderKey>;
}

/// A resumer for a fresh start: nothing finished, no positions.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoResume;

impl Resumer for NoResume {
    fn check_finished(&self, _schema: &str, _tb: &str) -> bool {
        false
    }

    fn get_resume_value(&self, _schema: &str, _tb: &str, _col: &str) -> Option<String> {
        None
    }

    fn get_resume_key(&self, _schema: &str, _tb: &str) -> Option<OrderKey> {
        None
    }
}
