//! MySQL order-key values as position text and back (docs/en/snapshot/resume.md, MySQL):
//! numbers and temporal values in their text form, character data as is, binary data and
//! bit strings as lowercase hex, since JSON strings cannot carry raw bytes.

use anyhow::{anyhow, Result};
use dt_common::meta::Value;

use super::value::Codec;

/// The position text of an order-key value; `None` for NULL, which never ends a page of a
/// `NOT NULL` key.
pub fn encode(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::Bool(b) => b.to_string(),
        Value::I64(v) => v.to_string(),
        Value::U64(v) => v.to_string(),
        Value::F32(v) => v.to_string(),
        Value::F64(v) => v.to_string(),
        Value::Decimal(s) | Value::Text(s) | Value::Temporal(s) => s.clone(),
        Value::Bytes(b) | Value::Bit(b) => hex::encode(b),
    })
}

/// Reads the text of a recorded position back into a value of the order column's codec.
pub fn decode(text: &str, codec: Codec) -> Result<Value> {
    let bad = |e: &dyn std::fmt::Display| {
        anyhow!("resume value `{text}` does not fit a {codec:?} column: {e}")
    };
    Ok(match codec {
        Codec::Int | Codec::Year => Value::I64(text.parse().map_err(|e| bad(&e))?),
        Codec::UInt => Value::U64(text.parse().map_err(|e| bad(&e))?),
        Codec::Float => Value::F32(text.parse().map_err(|e| bad(&e))?),
        Codec::Double => Value::F64(text.parse().map_err(|e| bad(&e))?),
        Codec::Bytes | Codec::Bit => Value::Bytes(hex::decode(text).map_err(|e| bad(&e))?),
        Codec::Decimal => Value::Decimal(text.to_string()),
        Codec::Date | Codec::DateTime | Codec::Time => Value::Temporal(text.to_string()),
        Codec::Text => Value::Text(text.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_position_text() {
        for (v, codec, text) in [
            (Value::I64(-5), Codec::Int, "-5"),
            (Value::U64(u64::MAX), Codec::UInt, "18446744073709551615"),
            (Value::Bytes(vec![0, 255, 16]), Codec::Bytes, "00ff10"),
            (Value::Text("p.k".into()), Codec::Text, "p.k"),
            (Value::F64(0.1), Codec::Double, "0.1"),
        ] {
            assert_eq!(encode(&v).as_deref(), Some(text));
            assert_eq!(decode(text, codec).unwrap(), v);
        }
        assert_eq!(encode(&Value::Null), None);
        assert!(decode("abc", Codec::Int).is_err());
    }
}
