//! `_id` values in positions and their sort order. dt writes an ObjectId as its 24-hex
//! string (the form of existing position logs) and any other `_id` as canonical Extended JSON
//! (`{"$numberInt":"5"}`, `"text"` with its quotes, …), which is lossless and can never be
//! mistaken for 24 bare hex digits.
//!
//! It also reads the tagged values ape-dts writes (`{"Int32":2}`, `{"String":"b"}`,
//! `{"ObjectId":{"$oid":"…"}}`, …). A JSON object of exactly one key that is one of [`TAGS`]
//! is read as that tag, never as an embedded document; dt writes such a document `_id` inside
//! the `CanonicalExtJson` tag, so every position dt writes reads back as the same `_id`. A
//! value that does not name exactly one `_id` is an error.

use anyhow::{anyhow, bail, Context, Result};
use bson::oid::ObjectId;
use bson::spec::ElementType;
use bson::{Bson, Document};
use serde_json::{json, Value as Json};

/// The tags of ape-dts's `_id` positions: `{"<tag>": payload}`.
const TAGS: &[&str] = &[
    "ObjectId",
    "String",
    "Int32",
    "Int64",
    "DateTime",
    "Timestamp",
    "Symbol",
    "JavaScriptCode",
    "CanonicalExtJson",
];

/// The position text of an `_id`.
pub fn id_to_position(id: &Bson) -> String {
    match id {
        Bson::ObjectId(oid) => oid.to_hex(),
        Bson::Document(d) if tag_like(d.keys().map(String::as_str), d.len()) => {
            json!({ "CanonicalExtJson": id.clone().into_canonical_extjson() }).to_string()
        }
        other => other.clone().into_canonical_extjson().to_string(),
    }
}

/// Whether an object of `len` keys, `keys`, would be read as one of ape-dts's tags.
fn tag_like<'a>(mut keys: impl Iterator<Item = &'a str>, len: usize) -> bool {
    len == 1 && keys.next().is_some_and(|k| TAGS.contains(&k))
}

/// Reads an `_id` back from position text: a 24-hex ObjectId, one of ape-dts's tagged
/// values, or Extended JSON (canonical or relaxed).
pub fn id_from_position(text: &str) -> Result<Bson> {
    if text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Bson::ObjectId(ObjectId::parse_str(text)?));
    }
    let json: Json = serde_json::from_str(text).map_err(|e| {
        anyhow!("`{text}` is neither a 24-hex ObjectId nor JSON (Extended JSON or an ape-dts tagged value): {e}")
    })?;
    let id = match &json {
        Json::Object(m) if tag_like(m.keys().map(String::as_str), m.len()) => {
            let (tag, payload) = m.iter().next().expect("one key");
            from_tag(tag, payload).with_context(|| format!("`{text}` is not an `_id` value"))?
        }
        _ => Bson::try_from(json)
            .map_err(|e| anyhow!("`{text}` is not a BSON value in Extended JSON: {e}"))?,
    };
    check_id(&id).with_context(|| format!("`{text}` cannot be an `_id`"))?;
    Ok(id)
}

/// The `_id` of ape-dts's `{"<tag>": payload}`, with the payloads ape-dts writes and reads.
fn from_tag(tag: &str, payload: &Json) -> Result<Bson> {
    let text = || {
        payload
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| anyhow!("tag `{tag}` takes a JSON string, found {payload}"))
    };
    let int = || {
        payload
            .as_i64()
            .ok_or_else(|| anyhow!("tag `{tag}` takes a JSON integer, found {payload}"))
    };
    Ok(match tag {
        "ObjectId" => match payload {
            Json::String(hex) => Bson::ObjectId(
                ObjectId::parse_str(hex).with_context(|| format!("tag `{tag}`: `{hex}`"))?,
            ),
            _ => extjson_of(tag, payload, ElementType::ObjectId)?,
        },
        "String" => Bson::String(text()?),
        "Symbol" => Bson::Symbol(text()?),
        "JavaScriptCode" => Bson::JavaScriptCode(text()?),
        "Int32" => Bson::Int32(
            i32::try_from(int()?).map_err(|_| anyhow!("tag `{tag}`: {payload} is out of range"))?,
        ),
        "Int64" => Bson::Int64(int()?),
        "DateTime" => extjson_of(tag, payload, ElementType::DateTime)?,
        "Timestamp" => extjson_of(tag, payload, ElementType::Timestamp)?,
        _ => Bson::try_from(payload.clone())
            .map_err(|e| anyhow!("tag `{tag}`: not Extended JSON: {e}"))?,
    })
}

/// An Extended JSON payload that must hold a value of type `want`.
fn extjson_of(tag: &str, payload: &Json, want: ElementType) -> Result<Bson> {
    let v = Bson::try_from(payload.clone())
        .map_err(|e| anyhow!("tag `{tag}`: not Extended JSON: {e}"))?;
    if v.element_type() != want {
        bail!("tag `{tag}` takes an Extended JSON {want:?}, found {payload}");
    }
    Ok(v)
}

/// Refuses what MongoDB never stores as an `_id` — arrays, regular expressions, undefined,
/// documents with `$`-prefixed fields (a misspelt Extended JSON key such as
/// `{"$numberInteger":"5"}` would otherwise read as a document) — and the deprecated
/// DBPointer, which no type group reads.
fn check_id(id: &Bson) -> Result<()> {
    match id {
        Bson::Array(_) | Bson::RegularExpression(_) | Bson::Undefined | Bson::DbPointer(_) => {
            bail!("MongoDB does not allow a {:?} `_id`", id.element_type())
        }
        Bson::Document(d) => check_fields(d),
        _ => Ok(()),
    }
}

fn check_fields(d: &Document) -> Result<()> {
    match d.keys().find(|k| k.starts_with('$')) {
        Some(k) => bail!("`{k}` is neither an Extended JSON key nor allowed in an `_id` document"),
        None => Ok(()),
    }
}

/// Checks a position value the way [`id_from_position`] reads it, for the resumer to
/// refuse a bad value with its file and line.
pub fn check_position_value(text: &str) -> std::result::Result<(), String> {
    id_from_position(text)
        .map(|_| ())
        .map_err(|e| format!("{e:#}"))
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
    use bson::{doc, Timestamp};

    fn oid() -> ObjectId {
        ObjectId::parse_str("65a1b2c3d4e5f60718293a4b").unwrap()
    }

    #[test]
    fn position_text_round_trips() {
        let values = [
            Bson::ObjectId(oid()),
            Bson::Int32(5),
            Bson::Int64(5),
            Bson::Double(2.5),
            Bson::Double(f64::NEG_INFINITY),
            Bson::Double(-0.0),
            Bson::String("65a1b2c3d4e5f60718293a4b".into()),
            Bson::String("x".into()),
            Bson::Symbol("x".into()),
            Bson::Boolean(true),
            Bson::Null,
            Bson::MinKey,
            Bson::MaxKey,
            Bson::Document(doc! { "a": 1, "b": "c" }),
            // Embedded documents whose one key is an ape-dts tag.
            Bson::Document(doc! { "String": "b" }),
            Bson::Document(doc! { "Int32": 2 }),
            Bson::Document(doc! { "CanonicalExtJson": { "k": 1 } }),
            Bson::DateTime(bson::DateTime::from_millis(-5)),
            Bson::Timestamp(Timestamp {
                time: 7,
                increment: 9,
            }),
            Bson::JavaScriptCode("f()".into()),
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
        assert_eq!(id_to_position(&Bson::ObjectId(oid())), oid().to_hex());
        assert_eq!(
            id_to_position(&Bson::Document(doc! { "String": "b" })),
            r#"{"CanonicalExtJson":{"String":"b"}}"#
        );
    }

    /// What ape-dts writes (serde's external tags around the bson crate's own serde forms)
    /// and what its fixtures hold.
    #[test]
    fn reads_ape_dts_tagged_values() {
        let date = bson::DateTime::from_millis(1_704_153_600_000);
        let cases = [
            (
                r#"{"ObjectId":{"$oid":"65a1b2c3d4e5f60718293a4b"}}"#,
                Bson::ObjectId(oid()),
            ),
            (
                r#"{"ObjectId":"65a1b2c3d4e5f60718293a4b"}"#,
                Bson::ObjectId(oid()),
            ),
            (r#"{"String":"b"}"#, Bson::String("b".into())),
            (
                r#"{"String":"65a1b2c3d4e5f60718293a4b"}"#,
                Bson::String(oid().to_hex()),
            ),
            (r#"{"Int32":2}"#, Bson::Int32(2)),
            (r#"{"Int32":-2147483648}"#, Bson::Int32(i32::MIN)),
            (r#"{"Int64":2}"#, Bson::Int64(2)),
            (r#"{"Int64":-9223372036854775808}"#, Bson::Int64(i64::MIN)),
            (
                r#"{"DateTime":{"$date":{"$numberLong":"1704153600000"}}}"#,
                Bson::DateTime(date),
            ),
            (
                r#"{"DateTime":{"$date":"2024-01-02T00:00:00Z"}}"#,
                Bson::DateTime(date),
            ),
            (
                r#"{"Timestamp":{"$timestamp":{"t":1700000000,"i":3}}}"#,
                Bson::Timestamp(Timestamp {
                    time: 1_700_000_000,
                    increment: 3,
                }),
            ),
            (r#"{"Symbol":"s"}"#, Bson::Symbol("s".into())),
            (
                r#"{"JavaScriptCode":"function(){}"}"#,
                Bson::JavaScriptCode("function(){}".into()),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(id_from_position(text).unwrap(), want, "{text}");
        }
    }

    /// ape-dts writes every other type as `{"CanonicalExtJson": <canonical Extended JSON>}`.
    #[test]
    fn reads_ape_dts_canonical_extjson_values() {
        let cases = [
            (
                r#"{"CanonicalExtJson":{"$binary":{"base64":"Ag==","subType":"00"}}}"#,
                Bson::Binary(bson::Binary {
                    subtype: bson::spec::BinarySubtype::Generic,
                    bytes: vec![2],
                }),
            ),
            (
                r#"{"CanonicalExtJson":{"$numberDecimal":"2.2"}}"#,
                Bson::Decimal128("2.2".parse().unwrap()),
            ),
            (
                r#"{"CanonicalExtJson":{"k":{"$numberInt":"2"}}}"#,
                Bson::Document(doc! { "k": 2 }),
            ),
            (r#"{"CanonicalExtJson":{"$minKey":1}}"#, Bson::MinKey),
            (
                r#"{"CanonicalExtJson":{"$numberDouble":"2.5"}}"#,
                Bson::Double(2.5),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(id_from_position(text).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn reads_dt_documents_that_are_not_tags() {
        let cases = [
            (r#"{"a":{"$numberInt":"1"}}"#, doc! { "a": 1 }),
            (r#"{"string":"b"}"#, doc! { "string": "b" }),
            (
                r#"{"String":"b","Int32":{"$numberInt":"2"}}"#,
                doc! { "String": "b", "Int32": 2 },
            ),
            (r#"{}"#, doc! {}),
        ];
        for (text, want) in cases {
            assert_eq!(
                id_from_position(text).unwrap(),
                Bson::Document(want),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_values_that_are_not_one_id() {
        for bad in [
            "not-a-value",
            "",
            r#"{"String":5}"#,
            r#"{"String":null}"#,
            r#"{"Symbol":["a"]}"#,
            r#"{"Int32":3000000000}"#,
            r#"{"Int32":2.0}"#,
            r#"{"Int32":"2"}"#,
            r#"{"Int64":18446744073709551615}"#,
            r#"{"ObjectId":"xyz"}"#,
            r#"{"ObjectId":5}"#,
            r#"{"DateTime":1704153600000}"#,
            r#"{"DateTime":{"$numberLong":"5"}}"#,
            r#"{"Timestamp":{"$date":{"$numberLong":"5"}}}"#,
            r#"{"CanonicalExtJson":{"$numberInt":"x"}}"#,
            r#"{"CanonicalExtJson":[1,2]}"#,
            "[1,2]",
            r#"{"$regularExpression":{"pattern":"a","options":""}}"#,
            r#"{"$undefined":true}"#,
            r#"{"$numberInteger":"5"}"#,
            r#"{"$numberInt":5}"#,
        ] {
            let err = id_from_position(bad).expect_err(bad);
            assert!(format!("{err:#}").contains(&format!("`{bad}`")), "{err:#}");
        }
        let msg = check_position_value(r#"{"Int32":"2"}"#).unwrap_err();
        assert!(msg.contains("tag `Int32` takes a JSON integer"), "{msg}");
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
