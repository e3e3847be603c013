//! Value codec between MySQL's binary protocol and `Value`: every column is decoded by its
//! declared type (information_schema), so nothing passes through a lossy conversion. Temporal
//! values become the server's own text form, which the target parses back exactly.

use anyhow::{anyhow, bail, Context, Result};
use dt_common::meta::{Row, Value};
use sqlx::mysql::{MySqlArguments, MySqlRow};
use sqlx::{Arguments, Row as _, ValueRef};

/// How one column is carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Int,
    UInt,
    Float,
    Double,
    Decimal,
    Bit,
    Date,
    DateTime,
    Time,
    Year,
    Text,
    Bytes,
}

impl Codec {
    /// The codec of a column from information_schema's COLUMN_TYPE, e.g. `int(10) unsigned`.
    pub fn of(column_type: &str) -> Codec {
        let column_type = column_type.to_ascii_lowercase();
        let unsigned = column_type.contains("unsigned");
        let data_type = column_type.split(['(', ' ']).next().unwrap_or("");
        match data_type {
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" if unsigned => {
                Codec::UInt
            }
            "tinyint" | "smallint" | "mediumint" | "int" | "integer" | "bigint" | "bool"
            | "boolean" => Codec::Int,
            "float" => Codec::Float,
            "double" | "real" => Codec::Double,
            "decimal" | "numeric" => Codec::Decimal,
            "bit" => Codec::Bit,
            "date" => Codec::Date,
            "datetime" | "timestamp" => Codec::DateTime,
            "time" => Codec::Time,
            "year" => Codec::Year,
            "binary" | "varbinary" | "tinyblob" | "blob" | "mediumblob" | "longblob"
            | "geometry" | "point" | "linestring" | "polygon" | "multipoint"
            | "multilinestring" | "multipolygon" | "geometrycollection" | "geomcollection" => {
                Codec::Bytes
            }
            _ => Codec::Text,
        }
    }
}

/// An SQL expression for the exact value of `col` (quoted), of information_schema's
/// COLUMN_TYPE `column_type`, as a binary string. Every type's own text or bytes are exact
/// except FLOAT's: the server prints a FLOAT with 6 significant digits (0.1 and 0.10000001
/// both print `0.1`). A FLOAT times `1E0` is the same number as a DOUBLE, which prints the
/// shortest text that reads back to that double, so distinct FLOATs give distinct text.
pub fn exact_bytes(col: &str, column_type: &str) -> String {
    match Codec::of(column_type) {
        Codec::Float => format!("CAST({col} * 1E0 AS BINARY)"),
        _ => format!("CAST({col} AS BINARY)"),
    }
}

/// Whether `WHERE col > ? ORDER BY col` pages a column of this COLUMN_TYPE in one consistent
/// order. ENUM and SET sort by their declared index but compare with a string by text, and
/// JSON, BIT and spatial types have no such order: those columns are never order columns.
pub fn orderable(column_type: &str) -> bool {
    let column_type = column_type.to_ascii_lowercase();
    let data_type = column_type.split(['(', ' ']).next().unwrap_or("");
    matches!(
        data_type,
        "tinyint"
            | "smallint"
            | "mediumint"
            | "int"
            | "integer"
            | "bigint"
            | "decimal"
            | "numeric"
            | "float"
            | "double"
            | "real"
            | "date"
            | "datetime"
            | "timestamp"
            | "time"
            | "year"
            | "char"
            | "varchar"
            | "binary"
            | "varbinary"
    )
}

/// Decodes one row by the codecs of its columns.
pub fn decode_row(row: &MySqlRow, codecs: &[Codec]) -> Result<Row> {
    let mut out = Vec::with_capacity(codecs.len());
    for (i, codec) in codecs.iter().enumerate() {
        out.push(
            decode(row, i, *codec)
                .with_context(|| format!("cannot decode column {i} as {codec:?}"))?,
        );
    }
    Ok(out)
}

fn decode(row: &MySqlRow, i: usize, codec: Codec) -> Result<Value> {
    if matches!(codec, Codec::Date | Codec::DateTime) {
        // sqlx reports zero dates (`0000-00-00`) as NULL; only missing bytes are a real NULL.
        return Ok(match row.try_get_unchecked::<&[u8], _>(i) {
            Ok(bytes) => Value::Temporal(datetime_text(bytes, codec)?),
            Err(_) => Value::Null,
        });
    }
    if row.try_get_raw(i)?.is_null() {
        return Ok(Value::Null);
    }
    Ok(match codec {
        Codec::Int | Codec::Year => Value::I64(row.try_get_unchecked::<i64, _>(i)?),
        Codec::UInt => Value::U64(row.try_get_unchecked::<u64, _>(i)?),
        Codec::Float => Value::F32(row.try_get_unchecked::<f32, _>(i)?),
        Codec::Double => Value::F64(row.try_get_unchecked::<f64, _>(i)?),
        Codec::Decimal => Value::Decimal(row.try_get_unchecked::<String, _>(i)?),
        Codec::Text => Value::Text(row.try_get_unchecked::<String, _>(i)?),
        Codec::Bytes => Value::Bytes(row.try_get_unchecked::<Vec<u8>, _>(i)?),
        Codec::Bit => Value::Bit(row.try_get_unchecked::<Vec<u8>, _>(i)?),
        Codec::Date | Codec::DateTime => unreachable!("decoded above"),
        Codec::Time => Value::Temporal(time_text(row.try_get_unchecked::<&[u8], _>(i)?)?),
    })
}

/// Binary DATE/DATETIME/TIMESTAMP: length byte, then year(2) month day [h m s [micros(4)]].
fn datetime_text(buf: &[u8], codec: Codec) -> Result<String> {
    let (len, b) = buf
        .split_first()
        .ok_or_else(|| anyhow!("empty temporal value"))?;
    let len = *len as usize;
    if b.len() < len || !matches!(len, 0 | 4 | 7 | 11) {
        bail!("unexpected temporal value of {len} bytes");
    }
    let get = |i: usize| if i < len { b[i] as u32 } else { 0 };
    let year = if len >= 2 {
        u16::from_le_bytes([b[0], b[1]])
    } else {
        0
    };
    let date = format!("{year:04}-{:02}-{:02}", get(2), get(3));
    if codec == Codec::Date {
        return Ok(date);
    }
    let micros = if len == 11 {
        u32::from_le_bytes([b[7], b[8], b[9], b[10]])
    } else {
        0
    };
    Ok(format!(
        "{date} {:02}:{:02}:{:02}.{micros:06}",
        get(4),
        get(5),
        get(6)
    ))
}

/// Binary TIME: length byte, then negative(1) days(4) h m s [micros(4)].
fn time_text(buf: &[u8]) -> Result<String> {
    let (len, b) = buf
        .split_first()
        .ok_or_else(|| anyhow!("empty time value"))?;
    let len = *len as usize;
    if b.len() < len || !matches!(len, 0 | 8 | 12) {
        bail!("unexpected time value of {len} bytes");
    }
    if len == 0 {
        return Ok("00:00:00.000000".into());
    }
    let sign = if b[0] == 1 { "-" } else { "" };
    let days = u32::from_le_bytes([b[1], b[2], b[3], b[4]]);
    let hours = days * 24 + b[5] as u32;
    let micros = if len == 12 {
        u32::from_le_bytes([b[8], b[9], b[10], b[11]])
    } else {
        0
    };
    Ok(format!(
        "{sign}{hours:02}:{:02}:{:02}.{micros:06}",
        b[6], b[7]
    ))
}

/// Binds one value as a statement argument.
pub fn bind(args: &mut MySqlArguments, v: &Value) -> Result<()> {
    let r = match v {
        Value::Null => args.add(None::<String>),
        Value::Bool(b) => args.add(*b),
        Value::I64(x) => args.add(*x),
        Value::U64(x) => args.add(*x),
        Value::F32(x) => args.add(*x),
        Value::F64(x) => args.add(*x),
        Value::Decimal(s) | Value::Text(s) | Value::Temporal(s) => args.add(s.as_str()),
        Value::Bytes(b) | Value::Bit(b) => args.add(b.as_slice()),
    };
    r.map_err(|e| anyhow!("cannot bind a value: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_bytes_widens_only_float() {
        assert_eq!(exact_bytes("`f`", "float"), "CAST(`f` * 1E0 AS BINARY)");
        assert_eq!(
            exact_bytes("`f`", "float(10,3) unsigned"),
            "CAST(`f` * 1E0 AS BINARY)"
        );
        assert_eq!(exact_bytes("`d`", "double"), "CAST(`d` AS BINARY)");
        assert_eq!(exact_bytes("`t`", "datetime(6)"), "CAST(`t` AS BINARY)");
    }

    #[test]
    fn codecs_follow_declared_types() {
        assert_eq!(Codec::of("int(10) unsigned"), Codec::UInt);
        assert_eq!(Codec::of("bigint unsigned zerofill"), Codec::UInt);
        assert_eq!(Codec::of("tinyint(1)"), Codec::Int);
        assert_eq!(Codec::of("varbinary(10)"), Codec::Bytes);
        assert_eq!(Codec::of("enum('a','b')"), Codec::Text);
        assert_eq!(Codec::of("longtext"), Codec::Text);
        assert_eq!(Codec::of("datetime(6)"), Codec::DateTime);
    }

    #[test]
    fn enum_set_and_json_are_not_orderable() {
        assert!(orderable("int(11)"));
        assert!(orderable("varchar(20)"));
        assert!(orderable("varbinary(16)"));
        assert!(!orderable("enum('c','b','a')"));
        assert!(!orderable("set('x','y')"));
        assert!(!orderable("bit(8)"));
        assert!(!orderable("longtext"));
    }

    #[test]
    fn temporal_binary_forms() {
        assert_eq!(
            datetime_text(&[0], Codec::DateTime).unwrap(),
            "0000-00-00 00:00:00.000000"
        );
        assert_eq!(
            datetime_text(&[4, 0xe8, 0x07, 2, 29], Codec::Date).unwrap(),
            "2024-02-29"
        );
        let dt = [11, 0xe8, 0x07, 12, 31, 23, 59, 58, 0x40, 0xe2, 0x01, 0];
        assert_eq!(
            datetime_text(&dt, Codec::DateTime).unwrap(),
            "2024-12-31 23:59:58.123456"
        );
        let t = [12, 1, 34, 0, 0, 0, 22, 59, 59, 1, 0, 0, 0];
        assert_eq!(time_text(&t).unwrap(), "-838:59:59.000001");
        assert!(datetime_text(&[5, 1, 2, 3, 4, 5], Codec::DateTime).is_err());
    }
}
