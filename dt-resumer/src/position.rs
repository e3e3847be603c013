//! Positions as written to and read from position.log, finished.log and resume configs
//! (docs/en/snapshot/resume.md). This module owns the format both ways: [`Position`] is
//! serde-derived, writing produces the exact JSON of the spec with its keys in order, and
//! reading also accepts the newer `order_key` single/composite form and every line shape.

use dt_common::logging::log_timestamp;
use dt_common::DbType;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

/// The order key of a position: one column and its value, or several for composite keys.
///
/// Written as the seed's `"order_col":c,"value":v` for one column and as
/// `"order_key":{"composite":[[c,v],..]}` for several; `"order_key":{"single":[c,v]}` and a
/// number as `value` are read too. A value is `None` where the line holds JSON `null`, as
/// ape-dts writes for a NULL key value; no row can be resumed after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "KeyFields", into = "KeyFields")]
pub enum OrderKey {
    Single { col: String, value: Option<String> },
    Composite(Vec<(String, Option<String>)>),
}

impl std::fmt::Display for OrderKey {
    /// `col = value` pairs joined by `, `, with `NULL` for a null value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pairs = match self {
            OrderKey::Single { col, value } => vec![(col, value)],
            OrderKey::Composite(pairs) => pairs.iter().map(|(c, v)| (c, v)).collect(),
        };
        for (i, (col, value)) in pairs.into_iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            match value {
                Some(v) => write!(f, "{sep}{col} = {v:?}")?,
                None => write!(f, "{sep}{col} = NULL")?,
            }
        }
        Ok(())
    }
}

/// One progress record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Position {
    None,
    RdbSnapshot {
        db_type: DbType,
        schema: String,
        tb: String,
        #[serde(flatten)]
        order_key: OrderKey,
    },
    RdbSnapshotFinished {
        db_type: DbType,
        schema: String,
        tb: String,
    },
    /// The chunks a run copies a table in, numbered from 0 in list order, each a range of
    /// the key on `order_cols`. Replaces every earlier position and chunk line of the table.
    RdbSnapshotChunks {
        db_type: DbType,
        schema: String,
        tb: String,
        order_cols: Vec<String>,
        chunks: Vec<ChunkBounds>,
    },
    /// The last committed row of chunk `chunk` of the table's latest chunk plan.
    RdbSnapshotChunk {
        db_type: DbType,
        schema: String,
        tb: String,
        chunk: usize,
        #[serde(flatten)]
        order_key: OrderKey,
    },
    /// Every row of chunk `chunk` of the table's latest chunk plan is committed.
    RdbSnapshotChunkFinished {
        db_type: DbType,
        schema: String,
        tb: String,
        chunk: usize,
    },
    /// A schema copy's object (`"object":"INDEX public.orders_customer"`) is in the target,
    /// created or found identical; without `object`, every object of the phase
    /// (`pre-data`, `post-data`) is (docs/en/structure.md).
    StructFinished {
        db_type: DbType,
        phase: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        object: Option<String>,
    },
}

/// One chunk of a chunk plan: the key values strictly after `after` and at or before
/// `upto` (`null`: open end), as the position text of the first one or more key columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkBounds {
    pub after: Option<Vec<String>>,
    pub upto: Option<Vec<String>>,
}

/// The fields an order key may be written with; exactly one form must be present.
#[derive(Debug, Default, Serialize, Deserialize)]
struct KeyFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_col: Option<String>,
    /// Outer `None`: no `value` key; `Some(None)`: `"value":null`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    value: Option<Option<TextOrNumber>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    order_key: Option<KeyForm>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum TextOrNumber {
    Text(String),
    Number(serde_json::Number),
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum KeyForm {
    Single((String, Option<String>)),
    Composite(Vec<(String, Option<String>)>),
}

/// Deserializes a key that is present, `null` included, as `Some`.
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

impl TryFrom<KeyFields> for OrderKey {
    type Error = String;

    fn try_from(f: KeyFields) -> Result<Self, Self::Error> {
        match (f.order_key, f.order_col, f.value) {
            (Some(KeyForm::Single((col, value))), None, None) => {
                Ok(OrderKey::Single { col, value })
            }
            (Some(KeyForm::Composite(pairs)), None, None) if !pairs.is_empty() => {
                Ok(OrderKey::Composite(pairs))
            }
            (Some(KeyForm::Composite(_)), None, None) => {
                Err("`order_key` composite needs at least one [col, value]".into())
            }
            (Some(_), _, _) => Err("`order_key` together with `order_col`/`value`".into()),
            (None, Some(col), Some(value)) => Ok(OrderKey::Single {
                col,
                value: value.map(|v| match v {
                    TextOrNumber::Text(s) => s,
                    TextOrNumber::Number(n) => n.to_string(),
                }),
            }),
            (None, None, _) => Err("missing field `order_col` (or `order_key`)".into()),
            (None, Some(_), None) => Err("missing field `value`".into()),
        }
    }
}

impl From<OrderKey> for KeyFields {
    fn from(k: OrderKey) -> Self {
        match k {
            OrderKey::Single { col, value } => KeyFields {
                order_col: Some(col),
                value: Some(value.map(TextOrNumber::Text)),
                order_key: None,
            },
            OrderKey::Composite(pairs) => KeyFields {
                order_key: Some(KeyForm::Composite(pairs)),
                ..KeyFields::default()
            },
        }
    }
}

/// The tag between the timestamp and the JSON of a position.log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineTag {
    CurrentPosition,
    CheckpointPosition,
}

impl LineTag {
    pub fn as_str(self) -> &'static str {
        match self {
            LineTag::CurrentPosition => "current_position",
            LineTag::CheckpointPosition => "checkpoint_position",
        }
    }
}

/// A parsed non-empty, non-comment line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PositionLine {
    pub tag: Option<LineTag>,
    pub position: Position,
}

impl Position {
    /// The JSON text of this position, exactly as docs/en/snapshot/resume.md shows it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a position always serializes")
    }

    /// Parses one JSON object of a position.
    pub fn from_json(text: &str) -> Result<Position, String> {
        let v: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        if !v.is_object() {
            return Err("a position must be a JSON object".into());
        }
        serde_json::from_value(v).map_err(|e| e.to_string())
    }

    /// The line of position.log or finished.log that records this position now.
    pub fn to_line(&self, tag: Option<LineTag>) -> String {
        match tag {
            Some(tag) => format!(
                "{} | {} | {}\n",
                log_timestamp(),
                tag.as_str(),
                self.to_json()
            ),
            None => format!("{} | {}\n", log_timestamp(), self.to_json()),
        }
    }
}

/// Parses one line of position.log, finished.log or a resume config. Returns `Ok(None)` for
/// empty lines and `//` comments. Accepted shapes: `TS | tag | JSON`, `| tag | JSON`,
/// `TS | JSON`, `JSON`.
pub fn parse_line(line: &str) -> Result<Option<PositionLine>, String> {
    let line = line.trim();
    if line.is_empty() || line.starts_with("//") {
        return Ok(None);
    }
    let start = line.find('{').ok_or("no JSON object found in the line")?;
    let (prefix, json_text) = line.split_at(start);
    let mut tag = None;
    for part in prefix.split('|').map(str::trim).filter(|p| !p.is_empty()) {
        match part {
            "current_position" => tag = Some(LineTag::CurrentPosition),
            "checkpoint_position" => tag = Some(LineTag::CheckpointPosition),
            p if looks_like_timestamp(p) => {}
            p => return Err(format!("unexpected text `{p}` before the JSON")),
        }
    }
    let position = Position::from_json(json_text)?;
    Ok(Some(PositionLine { tag, position }))
}

fn looks_like_timestamp(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | '.' | ' ' | 'T' | '+' | 'Z'))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEED_POSITION: &str = r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"test_db","tb":"b","order_col":"id","value":"6"}"#;
    const SEED_FINISHED: &str =
        r#"{"type":"RdbSnapshotFinished","db_type":"mysql","schema":"test_db","tb":"a"}"#;

    #[test]
    fn writes_exact_json_of_the_spec() {
        let p = Position::from_json(SEED_POSITION).unwrap();
        assert_eq!(p.to_json(), SEED_POSITION);
        let f = Position::from_json(SEED_FINISHED).unwrap();
        assert_eq!(f.to_json(), SEED_FINISHED);
        assert_eq!(Position::None.to_json(), r#"{"type":"None"}"#);
    }

    #[test]
    fn reads_a_number_as_value_and_writes_it_as_text() {
        let p = Position::from_json(
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_col":"id","value":6}"#,
        )
        .unwrap();
        assert_eq!(
            p.to_json(),
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_col":"id","value":"6"}"#
        );
    }

    #[test]
    fn reads_order_key_forms() {
        let single = r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_key":{"single":["f_0","5"]}}"#;
        let p = Position::from_json(single).unwrap();
        assert!(
            matches!(p, Position::RdbSnapshot { order_key: OrderKey::Single { ref col, ref value }, .. } if col == "f_0" && value.as_deref() == Some("5"))
        );
        let comp = r#"{"type":"RdbSnapshot","db_type":"pg","schema":"s","tb":"t","order_key":{"composite":[["f_0","1"],["f_1","30"]]}}"#;
        let p = Position::from_json(comp).unwrap();
        let Position::RdbSnapshot {
            order_key: OrderKey::Composite(pairs),
            ..
        } = &p
        else {
            panic!("expected composite, got {p:?}");
        };
        assert_eq!(
            pairs,
            &[
                ("f_0".into(), Some("1".into())),
                ("f_1".into(), Some("30".into()))
            ]
        );
        assert_eq!(Position::from_json(&p.to_json()).unwrap(), p);
    }

    #[test]
    fn reads_null_values_as_ape_dts_writes_them() {
        let head = r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","#;
        let single = |text: &str| match Position::from_json(&format!("{head}{text}}}")).unwrap() {
            Position::RdbSnapshot { order_key, .. } => order_key,
            other => panic!("{other:?}"),
        };
        let null = OrderKey::Single {
            col: "id".into(),
            value: None,
        };
        assert_eq!(single(r#""order_key":{"single":["id",null]}"#), null);
        assert_eq!(single(r#""order_col":"id","value":null"#), null);
        let comp = single(r#""order_key":{"composite":[["a","1"],["b",null]]}"#);
        assert_eq!(
            comp,
            OrderKey::Composite(vec![("a".into(), Some("1".into())), ("b".into(), None)])
        );
        assert_eq!(comp.to_string(), r#"a = "1", b = NULL"#);
        assert_eq!(null.to_string(), "id = NULL");
        // A missing value is still an error, unlike an explicit null.
        assert!(Position::from_json(&format!(r#"{head}"order_col":"id"}}"#)).is_err());
        // Written back, a null stays a null.
        let p = Position::from_json(&format!(r#"{head}"order_col":"id","value":null}}"#)).unwrap();
        assert!(
            p.to_json().ends_with(r#""order_col":"id","value":null}"#),
            "{}",
            p.to_json()
        );
    }

    #[test]
    fn reads_every_line_shape() {
        let shapes = [
            format!("2024-10-10 04:04:08.152044 | current_position | {SEED_POSITION}"),
            format!("| current_position | {SEED_POSITION}"),
            SEED_POSITION.to_string(),
        ];
        for s in &shapes {
            let l = parse_line(s).unwrap().unwrap();
            assert_eq!(
                l.position,
                Position::from_json(SEED_POSITION).unwrap(),
                "{s}"
            );
        }
        let l = parse_line(&format!("2024-10-10 04:04:07.803422 | {SEED_FINISHED}"))
            .unwrap()
            .unwrap();
        assert_eq!(l.tag, None);
        assert!(matches!(l.position, Position::RdbSnapshotFinished { .. }));
        let l = parse_line(r#"2024-10-10 04:04:08.152181 | checkpoint_position | {"type":"None"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(l.tag, Some(LineTag::CheckpointPosition));
        assert_eq!(l.position, Position::None);
        assert_eq!(parse_line("").unwrap(), None);
        assert_eq!(parse_line("   // a comment {").unwrap(), None);
    }

    #[test]
    fn rejects_malformed_lines() {
        for bad in [
            "garbage",
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s"}"#,
            r#"{"type":"Weird"}"#,
            r#"{"type":"RdbSnapshot","db_type":"oracle","schema":"s","tb":"t","order_col":"c","value":"1"}"#,
            r#"x | current_position | {"type":"None"}"#,
            r#"{"type":"RdbSnapshotFinished","db_type":"mysql","schema":"s","tb":"t""#,
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_col":"c"}"#,
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_key":{"composite":[]}}"#,
            r#"[{"type":"None"}]"#,
        ] {
            assert!(parse_line(bad).is_err(), "accepted {bad}");
        }
        let err = Position::from_json(
            r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_col":"c"}"#,
        )
        .unwrap_err();
        assert!(err.contains("missing field `value`"), "{err}");
    }

    #[test]
    fn chunk_lines_round_trip() {
        let plan = r#"{"type":"RdbSnapshotChunks","db_type":"mysql","schema":"s","tb":"t","order_cols":["a","b"],"chunks":[{"after":null,"upto":["5"]},{"after":["5"],"upto":null}]}"#;
        let chunk = r#"{"type":"RdbSnapshotChunk","db_type":"mysql","schema":"s","tb":"t","chunk":1,"order_key":{"composite":[["a","7"],["b","x"]]}}"#;
        let single = r#"{"type":"RdbSnapshotChunk","db_type":"pg","schema":"s","tb":"t","chunk":0,"order_col":"id","value":"3"}"#;
        let done = r#"{"type":"RdbSnapshotChunkFinished","db_type":"mysql","schema":"s","tb":"t","chunk":0}"#;
        for text in [plan, chunk, single, done] {
            assert_eq!(Position::from_json(text).unwrap().to_json(), text);
        }
        assert!(Position::from_json(
            r#"{"type":"RdbSnapshotChunk","db_type":"mysql","schema":"s","tb":"t","order_col":"id","value":"3"}"#
        )
        .is_err(), "a chunk line needs its chunk number");
    }

    #[test]
    fn special_names_survive_a_round_trip() {
        let p = Position::RdbSnapshot {
            db_type: DbType::Mysql,
            schema: "test_db_@".into(),
            tb: "resume_table_*$4".into(),
            order_key: OrderKey::Single {
                col: "p.k".into(),
                value: Some("\"quoted\" | ünïcode".into()),
            },
        };
        let line = format!("{} | current_position | {}", log_timestamp(), p.to_json());
        assert_eq!(parse_line(&line).unwrap().unwrap().position, p);
    }
}
