//! PostgreSQL order-key values as position text and back (docs/en/snapshot/resume.md,
//! PostgreSQL): the text is the value in PostgreSQL's own text form, as COPY prints it in
//! dt's sessions, and it is read back by a literal cast to the column's type, so the server
//! parses it exactly as it printed it.

use dt_common::meta::Value;

use super::literal;

/// The position text of a value: its PostgreSQL text form; `None` for NULL.
pub fn encode(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => if *b { "t" } else { "f" }.to_string(),
        Value::I64(v) => v.to_string(),
        Value::U64(v) => v.to_string(),
        Value::F32(v) => v.to_string(),
        Value::F64(v) => v.to_string(),
        Value::Decimal(s) | Value::Text(s) | Value::Temporal(s) => s.clone(),
        Value::Bytes(b) | Value::Bit(b) => String::from_utf8_lossy(b).into_owned(),
    })
}

/// The SQL expression of a recorded position: its text cast to the column's type.
pub fn decode(text: &str, type_name: &str) -> String {
    format!("{}::{type_name}", literal(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_cast_back_to_the_column_type() {
        assert_eq!(encode(&Value::Text("it's".into())).as_deref(), Some("it's"));
        assert_eq!(decode("it's", "text"), "'it''s'::text");
        assert_eq!(
            decode("2024-01-01 00:00:00+00", "timestamp with time zone"),
            "'2024-01-01 00:00:00+00'::timestamp with time zone"
        );
        assert_eq!(encode(&Value::Null), None);
    }
}
