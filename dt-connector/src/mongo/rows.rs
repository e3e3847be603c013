//! `[filter] where_conditions` and `ignore_cols` for MongoDB: a condition is a query filter
//! document in Extended JSON (`{"n":{"$gt":1}}`), ANDed with the `_id` range of each read;
//! ignored columns are top-level fields removed from each document before it is written
//! (and before it is hashed by `--verify`). `_id` cannot be ignored: documents are paged,
//! resumed and replaced by it.

use anyhow::{Context, Result};
use bson::{doc, Bson, Document, RawDocumentBuf};
use dt_common::config::TaskConfig;
use dt_common::ConfigError;

/// The filter document of a condition, or why it is not one.
pub(crate) fn condition(text: &str) -> Result<Document, String> {
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("a MongoDB condition is a JSON query document: {e}"))?;
    match Bson::try_from(json) {
        Ok(Bson::Document(d)) => Ok(d),
        Ok(_) => Err("a MongoDB condition is a JSON query document, `{...}`".into()),
        Err(e) => Err(format!("not valid Extended JSON: {e}")),
    }
}

/// `range` (the `_id` bounds of a read) and the table's condition, when it has one.
pub(crate) fn with_condition(range: Document, cond: Option<&Document>) -> Document {
    match cond {
        Some(c) => doc! { "$and": [range, c.clone()] },
        None => range,
    }
}

/// `d` without the top-level fields `fields`.
pub(crate) fn strip(d: RawDocumentBuf, fields: &[String]) -> Result<RawDocumentBuf> {
    if fields.is_empty() {
        return Ok(d);
    }
    let mut out = RawDocumentBuf::new();
    for element in d.iter() {
        let (key, value) = element.context("a malformed BSON document")?;
        if !fields.iter().any(|f| f == key) {
            out.append(key, value.to_raw_bson());
        }
    }
    Ok(out)
}

/// Checks the conditions and ignored fields of a MongoDB task before anything connects.
pub(crate) fn check_config(cfg: &TaskConfig) -> Result<(), ConfigError> {
    let rows = cfg.row_filter()?;
    for (id, text) in rows.all_conditions() {
        condition(text).map_err(|why| {
            let why = format!("the condition of {id}: {why}");
            ConfigError::invalid("filter", "where_conditions", text, why)
        })?;
    }
    for (id, fields) in rows.all_ignored() {
        if fields.iter().any(|f| f == "_id") {
            let why = format!("{id}: `_id` cannot be ignored; documents are copied by it");
            return Err(ConfigError::invalid(
                "filter",
                "ignore_cols",
                &cfg.filter.ignore_cols,
                why,
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_extended_json_documents() {
        let c = condition(r#"{"n":{"$gt":{"$numberLong":"5"}}}"#).unwrap();
        assert_eq!(c, doc! { "n": { "$gt": 5i64 } });
        assert!(condition("n > 5")
            .unwrap_err()
            .contains("JSON query document"));
        assert!(condition("[1]").unwrap_err().contains("`{...}`"));
        let f = with_condition(doc! { "_id": { "$gte": 1 } }, Some(&c));
        assert_eq!(
            f,
            doc! { "$and": [ { "_id": { "$gte": 1 } }, { "n": { "$gt": 5i64 } } ] }
        );
        assert_eq!(with_condition(doc! { "a": 1 }, None), doc! { "a": 1 });
    }

    #[test]
    fn strip_keeps_the_other_fields_in_order() {
        let d = RawDocumentBuf::from_document(&doc! { "_id": 1, "a": 2, "b": { "a": 3 }, "c": 4 })
            .unwrap();
        let out = strip(d, &["a".into(), "c".into(), "zz".into()]).unwrap();
        assert_eq!(
            out.to_document().unwrap(),
            doc! { "_id": 1, "b": { "a": 3 } }
        );
    }
}
