//! Turning bytes into text (BOMs, UTF-16) and text into a document the
//! sniffers and parsers share, so a JSON file is parsed once.

use crate::{Format, ParseError, Position};
use std::borrow::Cow;

/// An artifact's content, loaded once.
#[derive(Debug)]
pub enum Document<'a> {
    /// A JSON document.
    Json(serde_json::Value),
    /// Anything else (XML, YAML, line formats), as text.
    Text(&'a str),
}

impl<'a> Document<'a> {
    /// JSON when the text starts like JSON (or the forced format is JSON),
    /// text otherwise. Invalid JSON is an error with line and column.
    pub fn load(name: &str, text: &'a str, forced: Option<Format>) -> Result<Self, ParseError> {
        let trimmed = text.trim_start();
        let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
        let wants_json = forced.map(Format::is_json);
        if wants_json == Some(true) || (wants_json.is_none() && looks_json) {
            if trimmed.is_empty() {
                return Err(ParseError::new(name, "empty-file", None, "file is empty"));
            }
            return strict_json(text)
                .map(Document::Json)
                .map_err(|e| json_error(name, &e));
        }
        if trimmed.is_empty() {
            return Err(ParseError::new(name, "empty-file", None, "file is empty"));
        }
        // No text format gate reads (LCOV, Go, XML, YAML, Dockerfile) allows
        // raw control characters; one is a binary or mangled file, and a NUL
        // or ESC inside `USER root` would make a rule miss it.
        if let Some(at) = text
            .bytes()
            .position(|b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r'))
        {
            let byte = text.as_bytes().get(at).copied().unwrap_or(0);
            return Err(ParseError::new(
                name,
                "control-character",
                Some(line_col(text, at)),
                format!("control character U+{byte:04X} in a text artifact"),
            ));
        }
        Ok(Document::Text(text))
    }

    pub fn as_json(&self) -> Option<&serde_json::Value> {
        match self {
            Document::Json(v) => Some(v),
            Document::Text(_) => None,
        }
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match self {
            Document::Json(_) => None,
            Document::Text(t) => Some(t),
        }
    }
}

/// A serde_json error as a parse error with line and column.
pub fn json_error(name: &str, e: &serde_json::Error) -> ParseError {
    let msg = e.to_string();
    // serde_json appends " at line X column Y"; we carry the place separately.
    let msg = msg
        .rsplit_once(" at line ")
        .map(|(m, _)| m.to_string())
        .unwrap_or(msg);
    let code = if e.is_eof() {
        "truncated-json"
    } else {
        "invalid-json"
    };
    let position = (e.line() > 0).then(|| Position::LineCol {
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
    });
    ParseError::new(name, code, position, msg.to_lowercase())
}

/// Decodes bytes to text: strips a UTF-8 BOM, decodes UTF-16 with a BOM, and
/// refuses anything that is not valid Unicode (with the byte offset).
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::new(name, "empty-file", None, "file is empty"));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(name, rest, 3);
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'a, str>, ParseError> {
        if !rest.len().is_multiple_of(2) {
            return Err(ParseError::new(
                name,
                "invalid-encoding",
                Some(Position::Offset(bytes.len() as u64)),
                "utf-16 text has an odd number of bytes",
            ));
        }
        let units = rest.chunks_exact(2).map(|c| match c {
            [a, b] if le => u16::from_le_bytes([*a, *b]),
            [a, b] => u16::from_be_bytes([*a, *b]),
            _ => 0,
        });
        char::decode_utf16(units)
            .enumerate()
            .map(|(i, r)| {
                r.map_err(|_| {
                    ParseError::new(
                        name,
                        "invalid-encoding",
                        Some(Position::Offset(
                            (i as u64).saturating_mul(2).saturating_add(2),
                        )),
                        "invalid utf-16 sequence",
                    )
                })
            })
            .collect::<Result<String, _>>()
            .map(Cow::Owned)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return utf16(rest, true);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return utf16(rest, false);
    }
    utf8(name, bytes, 0)
}

fn utf8<'a>(name: &str, bytes: &'a [u8], base: u64) -> Result<Cow<'a, str>, ParseError> {
    std::str::from_utf8(bytes).map(Cow::Borrowed).map_err(|e| {
        ParseError::new(
            name,
            "invalid-encoding",
            Some(Position::Offset(
                base.saturating_add(e.valid_up_to() as u64),
            )),
            "file is not valid utf-8",
        )
    })
}

/// Line and column (1-based) of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> Position {
    let upto = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = upto
        .bytes()
        .filter(|b| *b == b'\n')
        .count()
        .saturating_add(1);
    // 1-based: the bytes after the last newline, plus one.
    let column = match upto.rfind('\n') {
        Some(nl) => upto.len().saturating_sub(nl),
        None => upto.len().saturating_add(1),
    };
    Position::LineCol {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(column).unwrap_or(u32::MAX),
    }
}

/// How a JSON value's type reads in a message (`found an object`).
pub(crate) fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// Parses JSON like `serde_json::from_str::<Value>`, except that a key given
/// twice in one object is an error: serde_json keeps the last one, so a
/// second `"results": []` would silently erase every finding before it.
pub fn strict_json(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_str::<Strict>(text).map(|s| s.0)
}

struct Strict(serde_json::Value);

impl<'de> serde::Deserialize<'de> for Strict {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> serde::de::Visitor<'de> for StrictVisitor {
    type Value = serde_json::Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Number(v.into()))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        serde_json::Number::from_f64(v)
            .map(serde_json::Value::Number)
            .ok_or_else(|| E::custom("number is not finite"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(serde_json::Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_none<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        serde::Deserialize::deserialize(d).map(|Strict(v)| v)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let Strict(value) = map.next_value()?;
            match object.entry(key) {
                serde_json::map::Entry::Occupied(e) => {
                    return Err(A::Error::custom(format_args!(
                        "duplicate key `{}` in an object",
                        e.key()
                    )));
                }
                serde_json::map::Entry::Vacant(e) => {
                    e.insert(value);
                }
            }
        }
        Ok(serde_json::Value::Object(object))
    }
}
