//! `_id` values in positions and their sort order. An ObjectId is written as its 24-hex
//! string (the form of existing position logs); any other `_id` as canonical Extended JSON
//! (`{"$numberInt":"5"}`, `"text"` with its quotes, …), which is lossless and can never be
//! mistaken for 24 bare hex digits.

use anyhow::{anyhow, Result};
use bson::oid::ObjectId;
use bson::spec::ElementType;
use bson::Bson;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_text_round_trips() {
        let oid = ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap();
        let values = [
            Bson::ObjectId(oid),
            Bson::Int32(5),
            Bson::Int64(5),
            Bson::Double(2.5),
            Bson::String("65a1b2c3d4e5f60718293a4b".into()),
            Bson::String("x".into()),
            Bson::Boolean(true),
            Bson::Null,
            Bson::Document(bson::doc! { "a": 1, "b": "c" }),
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
        assert_eq!(
            id_to_position(&Bson::ObjectId(oid)),
            "65a1b2c3d4e5f60718293a4b"
        );
        assert!(id_from_position("not-a-value").is_err());
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
