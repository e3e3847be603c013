//! `_id` values in positions and their sort order. An ObjectId is written as its 24-hex
//! string (the form of existing position logs); any other `_id` as canonical Extended JSON
//! (`{"$numberInt":"5"}`, `"text"` with its quotes, …), which is lossless and can never be
//! mistaken for 24 bare hex digits.

use anyhow::{anyhow, Result};
use bson::oid::ObjectId;
use bson::spec::ElementType;
use bson::{Bson, Document};

/// The position text of an `_id`.
pub fn id_to_position(id: &Bson) -> String {
    match id {
        Bson::ObjectId(oid) => oid.to_hex(),
        other => other.clone().into_canonical_extjson().to_string(),
    }
}

/// Reads an `_id` back from position text.
pub fn id_from_position(text: &str) -> Result<Bson> {
    if text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Bson::ObjectId(ObjectId::parse_str(text)?));
    }
    let json: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| anyhow!("`{text}` is neither a 24-hex ObjectId nor Extended JSON: {e}"))?;
    Bson::try_from(json).map_err(|e| anyhow!("`{text}` is not a BSON value in Extended JSON: {e}"))
}

/// The BSON types `_id` can hold, grouped in MongoDB's cross-type sort order. `$gt` only
/// compares within one group, so a copy walks the groups in order.
pub const TYPE_GROUPS: &[&[ElementType]] = &[
    &[ElementType::MinKey],
    &[ElementType::Null, ElementType::Undefined],
    &[
        ElementType::Int32,
        ElementType::Int64,
        ElementType::Double,
        ElementType::Decimal128,
    ],
    &[ElementType::Symbol, ElementType::String],
    &[ElementType::EmbeddedDocument],
    &[ElementType::Array],
    &[ElementType::Binary],
    &[ElementType::ObjectId],
    &[ElementType::Boolean],
    &[ElementType::DateTime],
    &[ElementType::Timestamp],
    &[ElementType::RegularExpression],
    &[
        ElementType::JavaScriptCode,
        ElementType::JavaScriptCodeWithScope,
    ],
    &[ElementType::MaxKey],
];

/// The group index of a value's type.
pub fn type_group(v: &Bson) -> usize {
    let t = v.element_type();
    TYPE_GROUPS.iter().position(|g| g.contains(&t)).unwrap_or(0)
}

/// The `_id` filter that reads type group `g` in order, from `from` on (`$gte`) when set.
pub fn group_filter(g: usize, from: Option<Bson>) -> Document {
    // `$type` takes -1 for MinKey rather than its element byte.
    let types: Vec<i32> = TYPE_GROUPS[g]
        .iter()
        .map(|t| match t {
            ElementType::MinKey => -1,
            t => *t as i32,
        })
        .collect();
    let mut cond = bson::doc! { "$type": types };
    if let Some(v) = from {
        cond.insert("$gte", v);
    }
    bson::doc! { "_id": cond }
}

/// Where the group of a resume position `after` restarts: at `after` itself (`$gte`), or
/// `None` for the group's start. The copy then skips the one document whose `_id` is
/// `after` (same position text).
///
/// `$gt` cannot be trusted to step past every `_id` that can end a chunk: in a query no
/// number is greater than NaN, though NaN sorts before every other number, and `$gt` would
/// also pass over an `_id` that compares equal to `after` but differs in type, were the
/// server to hold both. So the group restarts at `after` with `$gte`; after NaN it restarts
/// at its start (NaN sorts first, so nothing but NaN is read again), and so do the groups
/// of one value each: MinKey, null and MaxKey.
pub fn resume_from(after: &Bson) -> Option<Bson> {
    let single_value = matches!(
        after,
        Bson::MinKey | Bson::MaxKey | Bson::Null | Bson::Undefined
    );
    (!single_value && !is_nan(after)).then(|| after.clone())
}

/// Whether a number is NaN (a double or a decimal128).
fn is_nan(v: &Bson) -> bool {
    match v {
        Bson::Double(f) => f.is_nan(),
        Bson::Decimal128(d) => d.to_string() == "NaN",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    #[test]
    fn position_text_round_trips() {
        let oid = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
        let values = [
            Bson::ObjectId(oid),
            Bson::Int32(5),
            Bson::Int64(5),
            Bson::Double(2.5),
            Bson::Double(f64::NEG_INFINITY),
            Bson::Double(-0.0),
            Bson::MinKey,
            Bson::MaxKey,
            Bson::String("65a1b2c3d4e5f60718293a4b".into()),
            Bson::String("x".into()),
            Bson::Boolean(true),
            Bson::Null,
            Bson::Document(doc! { "a": 1, "b": "c" }),
            Bson::DateTime(bson::DateTime::from_millis(-5)),
            Bson::Decimal128("1.10".parse().unwrap()),
            Bson::Binary(bson::Binary {
                subtype: bson::spec::BinarySubtype::Uuid,
                bytes: vec![1; 16],
            }),
        ];
        for v in values {
            let text = id_to_position(&v);
            assert_eq!(id_from_position(&text).unwrap(), v, "{text}");
        }
        let text = id_to_position(&Bson::Double(f64::NAN));
        assert!(is_nan(&id_from_position(&text).unwrap()), "{text}");
        assert_eq!(
            id_to_position(&Bson::ObjectId(oid)),
            "65a1b2c3d4e5f60718293a4b"
        );
        assert!(id_from_position("not-a-value").is_err());
    }

    #[test]
    fn resumes_where_gt_cannot_step_past() {
        for v in [
            Bson::Double(f64::NAN),
            Bson::Decimal128("NaN".parse().unwrap()),
            Bson::MinKey,
            Bson::MaxKey,
            Bson::Null,
        ] {
            assert_eq!(resume_from(&v), None, "{v:?}");
        }
        for v in [
            Bson::Double(f64::NEG_INFINITY),
            Bson::Double(f64::INFINITY),
            Bson::Int32(1),
            Bson::Decimal128("-Infinity".parse().unwrap()),
            Bson::String("s".into()),
        ] {
            assert_eq!(resume_from(&v), Some(v.clone()));
        }
        assert_eq!(group_filter(0, None), doc! { "_id": { "$type": [-1] } });
        assert_eq!(
            group_filter(2, Some(Bson::Int32(1))),
            doc! { "_id": { "$type": [16, 18, 1, 19], "$gte": 1 } }
        );
    }

    #[test]
    fn groups_follow_mongodb_order() {
        assert!(type_group(&Bson::Int32(1)) == type_group(&Bson::Double(0.5)));
        assert!(type_group(&Bson::Int64(9)) < type_group(&Bson::String("a".into())));
        assert!(
            type_group(&Bson::String("a".into())) < type_group(&Bson::ObjectId(ObjectId::new()))
        );
        assert!(type_group(&Bson::ObjectId(ObjectId::new())) < type_group(&Bson::Boolean(false)));
    }
}
