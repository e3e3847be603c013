//! Positions as written to and read from position.log, finished.log and resume configs
//! (docs/en/snapshot/resume.md). Writing produces the exact JSON of the spec, keys in order; reading also
//! accepts the newer `order_key` single/composite form and every line shape of §4.

use serde_json::{json, Map, Value as Json};

use crate::meta::DbType;

/// The order key of a position: one column and its value, or several for composite keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderKey {
    Single { col: String, value: String },
    Composite(Vec<(String, String)>),
}

/// One progress record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    None,
    RdbSnapshot {
        db_type: DbType,
        schema: String,
        tb: String,
        order_key: OrderKey,
    },
    RdbSnapshotFinished {
        db_type: DbType,
        schema: String,
        tb: String,
    },
}

/// Checks the `value` of a position of one database, where its form does not depend on
/// the table (MongoDB `_id`s); `Err` says why the value is unusable.
pub type ValueCheck = fn(&str) -> Result<(), String>;

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
        let mut m = Map::new();
        match self {
            Position::None => {
                m.insert("type".into(), json!("None"));
            }
            Position::RdbSnapshot {
                db_type,
                schema,
                tb,
                order_key,
            } => {
                m.insert("type".into(), json!("RdbSnapshot"));
                m.insert("db_type".into(), json!(db_type.as_str()));
                m.insert("schema".into(), json!(schema));
                m.insert("tb".into(), json!(tb));
                match order_key {
                    OrderKey::Single { col, value } => {
                        m.insert("order_col".into(), json!(col));
                        m.insert("value".into(), json!(value));
                    }
                    OrderKey::Composite(pairs) => {
                        let pairs: Vec<Json> = pairs.iter().map(|(c, v)| json!([c, v])).collect();
                        m.insert("order_key".into(), json!({ "composite": pairs }));
                    }
                }
            }
            Position::RdbSnapshotFinished {
                db_type,
                schema,
                tb,
            } => {
                m.insert("type".into(), json!("RdbSnapshotFinished"));
                m.insert("db_type".into(), json!(db_type.as_str()));
                m.insert("schema".into(), json!(schema));
                m.insert("tb".into(), json!(tb));
            }
        }
        Json::Object(m).to_string()
    }

    /// Parses one JSON object of a position.
    pub fn from_json(text: &str) -> Result<Position, String> {
        let v: Json = serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let obj = v.as_object().ok_or("a position must be a JSON object")?;
        let kind = str_field(obj, "type")?;
        match kind {
            "None" => Ok(Position::None),
            "RdbSnapshot" => Ok(Position::RdbSnapshot {
                db_type: db_type_field(obj)?,
                schema: str_field(obj, "schema")?.to_string(),
                tb: str_field(obj, "tb")?.to_string(),
                order_key: order_key_field(obj)?,
            }),
            "RdbSnapshotFinished" => Ok(Position::RdbSnapshotFinished {
                db_type: db_type_field(obj)?,
                schema: str_field(obj, "schema")?.to_string(),
                tb: str_field(obj, "tb")?.to_string(),
            }),
            other => Err(format!("unknown position type `{other}`")),
        }
    }
}

fn str_field<'a>(obj: &'a Map<String, Json>, key: &str) -> Result<&'a str, String> {
    match obj.get(key) {
        Some(Json::String(s)) => Ok(s),
        Some(other) => Err(format!("field `{key}` must be a string, found {other}")),
        None => Err(format!("missing field `{key}`")),
    }
}

fn db_type_field(obj: &Map<String, Json>) -> Result<DbType, String> {
    str_field(obj, "db_type")?.parse()
}

fn order_key_field(obj: &Map<String, Json>) -> Result<OrderKey, String> {
    if let Some(key) = obj.get("order_key") {
        return parse_order_key(key);
    }
    let col = str_field(obj, "order_col")?.to_string();
    let value = match obj.get("value") {
        Some(Json::String(s)) => s.clone(),
        Some(Json::Number(n)) => n.to_string(),
        Some(other) => return Err(format!("field `value` must be a string, found {other}")),
        None => return Err("missing field `value`".into()),
    };
    Ok(OrderKey::Single { col, value })
}

fn parse_order_key(key: &Json) -> Result<OrderKey, String> {
    let bad = || {
        format!("`order_key` must be {{\"single\":[col,value]}} or {{\"composite\":[[col,value],..]}}, found {key}")
    };
    let obj = key.as_object().ok_or_else(bad)?;
    if let Some(single) = obj.get("single") {
        let (col, value) = pair(single).ok_or_else(bad)?;
        return Ok(OrderKey::Single { col, value });
    }
    if let Some(Json::Array(items)) = obj.get("composite") {
        let pairs: Option<Vec<_>> = items.iter().map(pair).collect();
        let pairs = pairs.ok_or_else(bad)?;
        if pairs.is_empty() {
            return Err(bad());
        }
        return Ok(OrderKey::Composite(pairs));
    }
    Err(bad())
}

fn pair(v: &Json) -> Option<(String, String)> {
    match v.as_array()?.as_slice() {
        [Json::String(c), Json::String(v)] => Some((c.clone(), v.clone())),
        _ => None,
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

/// The local timestamp of log lines: `YYYY-MM-DD HH:MM:SS.ffffff`.
pub fn log_timestamp() -> String {
    chrono::Local::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
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
    fn reads_order_key_forms() {
        let single = r#"{"type":"RdbSnapshot","db_type":"mysql","schema":"s","tb":"t","order_key":{"single":["f_0","5"]}}"#;
        let p = Position::from_json(single).unwrap();
        assert!(
            matches!(p, Position::RdbSnapshot { order_key: OrderKey::Single { ref col, ref value }, .. } if col == "f_0" && value == "5")
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
            &[("f_0".into(), "1".into()), ("f_1".into(), "30".into())]
        );
        assert_eq!(Position::from_json(&p.to_json()).unwrap(), p);
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
        ] {
            assert!(parse_line(bad).is_err(), "accepted {bad}");
        }
    }

    #[test]
    fn special_names_survive_a_round_trip() {
        let p = Position::RdbSnapshot {
            db_type: DbType::Mysql,
            schema: "test_db_@".into(),
            tb: "resume_table_*$4".into(),
            order_key: OrderKey::Single {
                col: "p.k".into(),
                value: "\"quoted\" | ünïcode".into(),
            },
        };
        let line = format!("{} | current_position | {}", log_timestamp(), p.to_json());
        assert_eq!(parse_line(&line).unwrap().unwrap().position, p);
    }
}
