//! The `Resumer` trait: what an extractor may ask about earlier progress. Extractors depend on
//! this trait only, never on how progress is stored.

/// Answers, per table, whether an earlier run finished it and where it stopped.
///
/// Driving loop: before copying a table an extractor calls [`Resumer::check_finished`]; if
/// the table is finished it is skipped. Otherwise, once it has chosen the columns it orders
/// the table by, it calls [`Resumer::get_resume_value`] (one column) or
/// [`Resumer::get_resume_values`] (several) and starts strictly after the answer.
pub trait Resumer: Send + Sync {
    /// Whether table (`schema`, `tb`) was completely copied by an earlier run.
    fn check_finished(&self, schema: &str, tb: &str) -> bool;

    /// The last committed value of order column `col` of (`schema`, `tb`), as text.
    fn get_resume_value(&self, schema: &str, tb: &str, col: &str) -> Option<String>;

    /// The last committed values of the order columns `cols` (in key order) of
    /// (`schema`, `tb`), as text, when the recorded position is on exactly those columns
    /// and holds no NULL.
    fn get_resume_values(&self, schema: &str, tb: &str, cols: &[&str]) -> Option<Vec<String>>;

    /// The position recorded for (`schema`, `tb`), as `col = value` text, whatever its
    /// columns. Asked for tables dt does not resume mid-table (key-less tables, and tables
    /// whose key has a column without a usable order), so that ignoring a recorded position
    /// is said in default.log.
    fn recorded_position(&self, schema: &str, tb: &str) -> Option<String>;

    /// The key ranges of (`schema`, `tb`) still to copy, when an earlier run copied it in
    /// chunks on the order columns `cols` (docs/en/snapshot/resume.md, "Chunks of one
    /// table"): one range per unfinished chunk, starting after its last committed row.
    /// An empty list means every chunk was finished. `None` when no chunk plan on exactly
    /// those columns is recorded; the table is then resumed by
    /// [`Resumer::get_resume_value`] / [`Resumer::get_resume_values`].
    fn get_resume_chunks(&self, _schema: &str, _tb: &str, _cols: &[&str]) -> Option<Vec<KeySpan>> {
        None
    }

    /// Whether an earlier run finished phase `phase` (`pre-data`, `post-data`) of the schema
    /// copy (docs/en/structure.md); the phase is then not run again.
    fn schema_phase_finished(&self, _phase: &str) -> bool {
        false
    }
}

/// A range of a table's key in the server's order: the rows strictly after `after` and at
/// or before `upto`, `None` being an open end. Each holds the position text of the first
/// one or more key columns: a full position, or a bound on a prefix of the key (a bound
/// `[5]` on a key `(a, b)` puts every row with `a = 5` at or before it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeySpan {
    pub after: Option<Vec<String>>,
    pub upto: Option<Vec<String>>,
}

impl KeySpan {
    /// The whole key, or what follows `after`.
    pub fn after(after: Option<Vec<String>>) -> KeySpan {
        KeySpan { after, upto: None }
    }
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

    fn get_resume_values(&self, _schema: &str, _tb: &str, _cols: &[&str]) -> Option<Vec<String>> {
        None
    }

    fn recorded_position(&self, _schema: &str, _tb: &str) -> Option<String> {
        None
    }
}

/// Checks the `value` of a position of one database, where its form does not depend on
/// the table (MongoDB `_id`s); `Err` says why the value is unusable. Each connector supplies
/// its own, so the resumer can refuse a bad value while it reads the files.
pub type ValueCheck = fn(&str) -> Result<(), String>;
