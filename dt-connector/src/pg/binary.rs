//! COPY binary format: a signature and header, then per row a field count and each field as
//! its length (-1 for NULL) and the type's `send` bytes, then a trailer of -1. Rows of a
//! table whose every column has a built-in type of a stable binary form travel this way
//! between two PostgreSQL servers (docs/en/snapshot/resume.md, "Binary COPY"): the servers
//! skip their text conversions. Fields stay as the source sent them (`Value::Bytes`); only
//! the order columns are decoded for positions, into the text COPY would print for them:
//! integers as `Value::I64`, character and `uuid` keys as `Value::Text`.

use anyhow::{bail, ensure, Result};
use dt_common::meta::{Row, Value};

use crate::{ColumnMeta, TableMeta};

const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// Column types whose binary form is the same on every supported server version and does
/// not name other types by OID (as arrays and composite types do).
const STABLE: &[&str] = &[
    "smallint",
    "integer",
    "bigint",
    "real",
    "double precision",
    "numeric",
    "boolean",
    "text",
    "character varying",
    "character",
    "bytea",
    "date",
    "time without time zone",
    "timestamp without time zone",
    "timestamp with time zone",
    "interval",
    "uuid",
    "json",
    "jsonb",
];

/// A type name as `format_type` prints it, without its modifier: `character(120)` and
/// `timestamp(3) with time zone` name `character` and `timestamp with time zone`. A type of
/// the user's (even one called like a built-in) is printed quoted or schema-qualified, so it
/// never matches a built-in name.
fn base_type(type_name: &str) -> String {
    match type_name.split_once('(') {
        Some((head, rest)) => match rest.split_once(')') {
            Some((_, tail)) => format!("{head}{tail}"),
            None => type_name.to_string(),
        },
        None => type_name.to_string(),
    }
}

/// Whether the rows of `meta` can travel in binary: every column of a [`STABLE`] type and
/// every order column of a type [`Key`] decodes.
pub fn eligible(meta: &TableMeta) -> bool {
    let stable = |c: &ColumnMeta| STABLE.contains(&base_type(&c.type_name).as_str());
    meta.columns.iter().all(stable)
        && meta
            .order_cols()
            .iter()
            .all(|&i| Key::of(&meta.columns[i].type_name).is_some())
}

/// How an order column's binary field reads as a position value.
#[derive(Clone, Copy)]
pub enum Key {
    Integer,
    Chars,
    Uuid,
}

impl Key {
    /// How an order column of `type_name` is decoded; `None` for a type that is not.
    fn of(type_name: &str) -> Option<Key> {
        match base_type(type_name).as_str() {
            "smallint" | "integer" | "bigint" => Some(Key::Integer),
            "text" | "character varying" | "character" => Some(Key::Chars),
            "uuid" => Some(Key::Uuid),
            _ => None,
        }
    }
}

/// The order columns of `meta` as [`Reader::take_rows`] decodes them; `meta` is
/// [`eligible`].
pub fn keys(meta: &TableMeta) -> Vec<(usize, Key)> {
    meta.order_cols()
        .iter()
        .filter_map(|&i| Some((i, Key::of(&meta.columns[i].type_name)?)))
        .collect()
}

/// Reads COPY binary output chunk by chunk.
#[derive(Default)]
pub struct Reader {
    header: bool,
    ended: bool,
}

impl Reader {
    /// Parses the complete rows at the front of `buf` and leaves a partial last one in it;
    /// the fields `keys` are decoded ([`keys`]).
    pub fn take_rows(
        &mut self,
        buf: &mut Vec<u8>,
        keys: &[(usize, Key)],
        mut each: impl FnMut(Row) -> Result<()>,
    ) -> Result<()> {
        let mut at = 0;
        if !self.header {
            if buf.len() < SIGNATURE.len() + 8 {
                return Ok(());
            }
            ensure!(
                &buf[..SIGNATURE.len()] == SIGNATURE,
                "COPY binary output lacks its signature"
            );
            let ext = be_u32(&buf[SIGNATURE.len() + 4..]) as usize;
            if buf.len() < SIGNATURE.len() + 8 + ext {
                return Ok(());
            }
            at = SIGNATURE.len() + 8 + ext;
            self.header = true;
        }
        while !self.ended {
            match parse_row(&buf[at..], keys)? {
                Parsed::Row(row, len) => {
                    at += len;
                    each(row)?;
                }
                Parsed::Trailer => {
                    at += 2;
                    self.ended = true;
                }
                Parsed::Partial => break,
            }
        }
        buf.drain(..at);
        Ok(())
    }

    /// Checks that the output ended with its trailer and nothing after it.
    pub fn finish(&self, rest: &[u8]) -> Result<()> {
        ensure!(
            self.ended && rest.is_empty(),
            "COPY binary output ended inside a row"
        );
        Ok(())
    }
}

enum Parsed {
    Row(Row, usize),
    Trailer,
    Partial,
}

fn be_u32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn parse_row(buf: &[u8], keys: &[(usize, Key)]) -> Result<Parsed> {
    if buf.len() < 2 {
        return Ok(Parsed::Partial);
    }
    let n = i16::from_be_bytes([buf[0], buf[1]]);
    if n == -1 {
        return Ok(Parsed::Trailer);
    }
    ensure!(n >= 0, "COPY binary output has a row of {n} fields");
    let mut at = 2;
    let mut row = Vec::with_capacity(n as usize);
    for i in 0..n as usize {
        if buf.len() < at + 4 {
            return Ok(Parsed::Partial);
        }
        let len = be_u32(&buf[at..]) as i32;
        at += 4;
        if len < 0 {
            row.push(Value::Null);
            continue;
        }
        let len = len as usize;
        if buf.len() < at + len {
            return Ok(Parsed::Partial);
        }
        let field = &buf[at..at + len];
        at += len;
        row.push(match keys.iter().find(|(k, _)| *k == i) {
            Some((_, Key::Integer)) => Value::I64(decode_int(field)?),
            Some((_, Key::Chars)) => Value::Text(String::from_utf8(field.to_vec())?),
            Some((_, Key::Uuid)) => Value::Text(uuid_text(field)?),
            None => Value::Bytes(field.to_vec()),
        });
    }
    Ok(Parsed::Row(row, at))
}

fn decode_int(field: &[u8]) -> Result<i64> {
    Ok(match *field {
        [a, b] => i16::from_be_bytes([a, b]).into(),
        [a, b, c, d] => i32::from_be_bytes([a, b, c, d]).into(),
        [a, b, c, d, e, f, g, h] => i64::from_be_bytes([a, b, c, d, e, f, g, h]),
        _ => bail!("an integer key field of {} bytes", field.len()),
    })
}

/// A `uuid` as PostgreSQL prints it: lowercase hex, grouped 8-4-4-4-12.
fn uuid_text(field: &[u8]) -> Result<String> {
    ensure!(
        field.len() == 16,
        "a uuid key field of {} bytes",
        field.len()
    );
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(36);
    for (i, &b) in field.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(HEX[usize::from(b >> 4)] as char);
        text.push(HEX[usize::from(b & 0xf)] as char);
    }
    Ok(text)
}

/// The 16 bytes of a `uuid` printed by [`uuid_text`].
fn uuid_bytes(text: &str) -> Result<Vec<u8>> {
    let hex: Vec<u8> = text.bytes().filter(|&b| b != b'-').collect();
    ensure!(hex.len() == 32, "bad uuid key value {text:?}");
    hex.chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair)?;
            Ok(u8::from_str_radix(pair, 16)?)
        })
        .collect()
}

/// Appends the COPY binary header.
pub fn push_header(out: &mut Vec<u8>) {
    out.extend_from_slice(SIGNATURE);
    out.extend_from_slice(&[0; 8]);
}

/// Appends the COPY binary trailer.
pub fn push_trailer(out: &mut Vec<u8>) {
    out.extend_from_slice(&(-1i16).to_be_bytes());
}

/// Appends one row read by [`Reader`] from a table of `columns`.
pub fn push_row(out: &mut Vec<u8>, row: &Row, columns: &[ColumnMeta]) -> Result<()> {
    out.extend_from_slice(&(row.len() as i16).to_be_bytes());
    for (v, c) in row.iter().zip(columns) {
        match v {
            Value::Null => out.extend_from_slice(&(-1i32).to_be_bytes()),
            Value::Bytes(b) => {
                out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                out.extend_from_slice(b);
            }
            Value::I64(n) => match c.type_name.as_str() {
                "smallint" => push_field(out, &i16::try_from(*n)?.to_be_bytes()),
                "integer" => push_field(out, &i32::try_from(*n)?.to_be_bytes()),
                _ => push_field(out, &n.to_be_bytes()),
            },
            // A character or uuid key (`uuid` takes no modifier).
            Value::Text(t) if c.type_name == "uuid" => push_field(out, &uuid_bytes(t)?),
            Value::Text(t) => push_field(out, t.as_bytes()),
            other => bail!("column `{}`: {other:?} has no COPY binary form", c.name),
        }
    }
    Ok(())
}

fn push_field(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
    out.extend_from_slice(bytes);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, type_name: &str) -> ColumnMeta {
        ColumnMeta {
            name: name.into(),
            type_name: type_name.into(),
            nullable: true,
        }
    }

    #[test]
    fn rows_round_trip_in_any_chunking() {
        let cols = [
            col("id", "integer"),
            col("c", "character(3)"),
            col("n", "text"),
        ];
        let rows = vec![
            vec![Value::I64(-7), Value::Bytes(b"abc".to_vec()), Value::Null],
            vec![
                Value::I64(i32::MAX.into()),
                Value::Bytes(Vec::new()),
                Value::Bytes(b"\t\n\\".to_vec()),
            ],
        ];
        let mut data = Vec::new();
        push_header(&mut data);
        for row in &rows {
            push_row(&mut data, row, &cols).unwrap();
        }
        push_trailer(&mut data);
        for step in [1, 2, 5, data.len()] {
            let (mut reader, mut buf, mut got) = (Reader::default(), Vec::new(), Vec::new());
            for chunk in data.chunks(step) {
                buf.extend_from_slice(chunk);
                reader
                    .take_rows(&mut buf, &[(0, Key::Integer)], |r| {
                        got.push(r);
                        Ok(())
                    })
                    .unwrap();
            }
            reader.finish(&buf).unwrap();
            assert_eq!(got, rows, "chunks of {step} bytes");
        }
        let mut cut = Reader::default();
        let mut buf = data[..data.len() - 3].to_vec();
        cut.take_rows(&mut buf, &[(0, Key::Integer)], |_| Ok(()))
            .unwrap();
        assert!(cut.finish(&buf).is_err());
    }

    #[test]
    fn character_and_uuid_keys_read_as_their_text() {
        let cols = [col("u", "uuid"), col("t", "character varying(9)")];
        let uuid = "0123abcd-4567-89ef-0a1b-c2d3e4f5a6b7";
        let row = vec![Value::Text(uuid.into()), Value::Text("tab\tß水".into())];
        let mut data = Vec::new();
        push_header(&mut data);
        push_row(&mut data, &row, &cols).unwrap();
        push_trailer(&mut data);
        assert_eq!(&data[19 + 2 + 4..19 + 2 + 4 + 2], &[0x01, 0x23]);
        let keys = [(0, Key::Uuid), (1, Key::Chars)];
        let (mut reader, mut got) = (Reader::default(), Vec::new());
        reader
            .take_rows(&mut data, &keys, |r| {
                got.push(r);
                Ok(())
            })
            .unwrap();
        reader.finish(&data).unwrap();
        assert_eq!(got, vec![row]);
        assert!(uuid_bytes("not-a-uuid").is_err());
    }

    #[test]
    fn only_stable_types_and_decodable_order_keys_go_binary() {
        assert_eq!(base_type("character(120)"), "character");
        assert_eq!(
            base_type("timestamp(3) with time zone"),
            "timestamp with time zone"
        );
        let meta = |types: &[&str], key: Vec<usize>| TableMeta {
            id: dt_common::TableId::new("s", "t"),
            columns: types.iter().map(|t| col("x", t)).collect(),
            key: if key.is_empty() {
                crate::KeyKind::None
            } else {
                crate::KeyKind::Paged
            },
            key_cols: key,
            null_keys: false,
            estimated_rows: 0,
            key_text: super::super::position::encode,
            binary_rows: false,
        };
        assert!(eligible(&meta(
            &["integer", "character(120)", "numeric(10,2)"],
            vec![0]
        )));
        assert!(eligible(&meta(&["text", "jsonb"], vec![])));
        assert!(eligible(&meta(
            &["character(4)", "uuid", "text"],
            vec![0, 1, 2]
        )));
        assert!(!eligible(&meta(&["integer", "numeric"], vec![1])));
        assert!(!eligible(&meta(&["integer", "integer[]"], vec![0])));
        assert!(!eligible(&meta(&["integer", "public.mood"], vec![0])));
        assert!(!eligible(&meta(&["integer", "\"text\""], vec![0])));
    }
}
