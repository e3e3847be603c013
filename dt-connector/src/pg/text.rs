//! COPY text format: fields separated by tabs, rows by newlines, NULL as `\N`, and
//! backslash, tab, newline and carriage return escaped. Rows read with `COPY … TO STDOUT`
//! keep their fields escaped as `Value::Bytes` (passed through to `COPY … FROM STDIN`
//! untouched); only the order column is unescaped into `Value::Text`.

use dt_common::meta::{Row, Value};

/// Appends one row in COPY text format.
pub fn push_row(out: &mut Vec<u8>, row: &Row) {
    for (i, v) in row.iter().enumerate() {
        if i > 0 {
            out.push(b'\t');
        }
        match v {
            Value::Null => out.extend_from_slice(b"\\N"),
            Value::Bytes(escaped) => out.extend_from_slice(escaped),
            Value::Text(s) | Value::Decimal(s) | Value::Temporal(s) => escape(out, s.as_bytes()),
            other => escape(
                out,
                super::position::encode(other)
                    .unwrap_or_default()
                    .as_bytes(),
            ),
        }
    }
    out.push(b'\n');
}

fn escape(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => out.push(b),
        }
    }
}

/// Parses one COPY text line (without its newline); the fields `keys` are unescaped into
/// text.
pub fn parse_line(line: &[u8], keys: &[usize]) -> anyhow::Result<Row> {
    let mut row = Vec::with_capacity(memchr::memchr_iter(b'\t', line).count() + 1);
    let ends = memchr::memchr_iter(b'\t', line).chain(std::iter::once(line.len()));
    let mut start = 0;
    for (i, end) in ends.enumerate() {
        let field = &line[start..end];
        start = end + 1;
        row.push(if field == b"\\N" {
            Value::Null
        } else if keys.contains(&i) {
            Value::Text(String::from_utf8(unescape(field))?)
        } else {
            Value::Bytes(field.to_vec())
        });
    }
    Ok(row)
}

fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut it = field.iter();
    while let Some(&b) = it.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match it.next() {
            Some(b't') => out.push(b'\t'),
            Some(b'n') => out.push(b'\n'),
            Some(b'r') => out.push(b'\r'),
            Some(b'b') => out.push(8),
            Some(b'f') => out.push(12),
            Some(b'v') => out.push(11),
            Some(&c) => out.push(c),
            None => out.push(b'\\'),
        }
    }
    out
}

/// Splits complete lines off the front of `buf`, leaving a partial last line in it.
pub fn take_lines(
    buf: &mut Vec<u8>,
    mut each: impl FnMut(&[u8]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut start = 0;
    while let Some(nl) = memchr::memchr(b'\n', &buf[start..]) {
        each(&buf[start..start + nl])?;
        start += nl + 1;
    }
    buf.drain(..start);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_copy_lines_keeping_fields_escaped() {
        let row = parse_line(b"a\\tb\t\\N\t7\\\\x", &[0]).unwrap();
        assert_eq!(
            row,
            vec![
                Value::Text("a\tb".into()),
                Value::Null,
                Value::Bytes(b"7\\\\x".to_vec())
            ]
        );
        let mut out = Vec::new();
        push_row(&mut out, &row);
        assert_eq!(out, b"a\\tb\t\\N\t7\\\\x\n");
        let mut buf = b"l1\nl2\npart".to_vec();
        let mut lines = Vec::new();
        take_lines(&mut buf, |l| {
            lines.push(l.to_vec());
            Ok(())
        })
        .unwrap();
        assert_eq!(lines, vec![b"l1".to_vec(), b"l2".to_vec()]);
        assert_eq!(buf, b"part");
    }

    #[test]
    fn escapes_copy_text() {
        let mut out = Vec::new();
        push_row(
            &mut out,
            &vec![
                Value::Text("a\tb\\c\nd\re".into()),
                Value::Null,
                Value::Text(String::new()),
            ],
        );
        assert_eq!(out, b"a\\tb\\\\c\\nd\\re\t\\N\t\n");
    }
}
