//! Turning bytes into text (BOMs, UTF-16) and text into a document the
//! sniffers and parsers share, so a JSON file is parsed once.

use crate::error::ParseCode;
use crate::{Format, ParseError, Position};
use std::borrow::Cow;

// The fast one-scan check and shape (it falls back to serde in this module).
mod check;

/// An artifact's content, loaded once.
#[derive(Debug)]
pub enum Document<'a> {
    /// A JSON document: checked whole (syntax, duplicate keys, depth) when
    /// loaded, kept as text for the typed parsers, plus a bounded shape for
    /// the sniffers.
    Json(JsonDoc<'a>),
    /// Anything else (XML, YAML, line formats), as text.
    Text(&'a str),
}

/// A JSON document that is known to be well-formed JSON without duplicate
/// keys. Parsers read [`JsonDoc::text`] into their own typed structures
/// ([`from_json`]); [`JsonDoc::shape`] is a small, bounded outline of it for
/// format detection, never for parsing (it leaves out most of the document).
#[derive(Debug)]
pub struct JsonDoc<'a> {
    text: &'a str,
    shape: serde_json::Value,
}

impl<'a> JsonDoc<'a> {
    /// The whole document's text.
    pub fn text(&self) -> &'a str {
        self.text
    }

    /// A bounded outline of the document for sniffers: the root object's
    /// first [`SHAPE_ROOT_KEYS`] keys, [`SHAPE_CHILD_KEYS`] of its children's,
    /// [`SHAPE_KEYS`] of deeper objects (within a budget of containers),
    /// the first [`SHAPE_ITEMS`] items of each array, strings cut to
    /// [`SHAPE_STRING`] bytes, nothing below depth [`SHAPE_DEPTH`]. An
    /// object or array with more than it kept has the extra key
    /// [`SHAPE_MORE`] (objects) or one extra `null` item (arrays), so
    /// "these are all the keys" and "it is empty" stay answerable.
    pub fn shape(&self) -> &serde_json::Value {
        &self.shape
    }
}

/// Keys kept of the root object in a [`JsonDoc::shape`].
pub const SHAPE_ROOT_KEYS: usize = 256;
/// Keys kept of an object in the root.
pub const SHAPE_CHILD_KEYS: usize = 64;
/// Keys kept of a deeper object.
pub const SHAPE_KEYS: usize = 16;
/// Items kept of an array.
pub const SHAPE_ITEMS: usize = 2;
/// Bytes kept of a string.
pub const SHAPE_STRING: usize = 256;
/// Containers deeper than this (the root is depth 0) become `null`.
pub const SHAPE_DEPTH: usize = 5;
/// The key marking an object of which the shape kept only some keys.
pub const SHAPE_MORE: &str = "\u{0}more";

impl<'a> Document<'a> {
    /// JSON when the text starts like JSON (or the forced format is JSON),
    /// text otherwise. Invalid JSON is an error with line and column.
    pub fn load(name: &str, text: &'a str, forced: Option<Format>) -> Result<Self, ParseError> {
        let trimmed = text.trim_start();
        let looks_json = trimmed.starts_with('{') || trimmed.starts_with('[');
        let wants_json = forced.map(Format::is_json);
        if wants_json == Some(true) || (wants_json.is_none() && looks_json) {
            if trimmed.is_empty() {
                return Err(ParseError::new(
                    name,
                    ParseCode::EmptyFile,
                    None,
                    "file is empty",
                ));
            }
            return match json_shape(text) {
                Ok(shape) => Ok(Document::Json(JsonDoc { text, shape })),
                // A `go test -json` stream (one event per line) is a line
                // format: its parser reads each line as JSON. Forced as a
                // JSON format, it is then refused as not being that format.
                Err(_) if is_test2json(trimmed) => Ok(Document::Text(text)),
                Err(e) => Err(json_error(name, &e)),
            };
        }
        if trimmed.is_empty() {
            return Err(ParseError::new(
                name,
                ParseCode::EmptyFile,
                None,
                "file is empty",
            ));
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
                ParseCode::ControlCharacter,
                Some(line_col(text, at)),
                format!("control character U+{byte:04X} in a text artifact"),
            ));
        }
        Ok(Document::Text(text))
    }

    /// The JSON document, if this is one.
    pub fn as_json(&self) -> Option<&JsonDoc<'a>> {
        match self {
            Document::Json(j) => Some(j),
            Document::Text(_) => None,
        }
    }

    /// The bounded shape of a JSON document, for sniffers.
    pub fn shape(&self) -> Option<&serde_json::Value> {
        self.as_json().map(JsonDoc::shape)
    }

    pub fn as_text(&self) -> Option<&'a str> {
        match self {
            Document::Json(_) => None,
            Document::Text(t) => Some(t),
        }
    }
}

/// Whether `text` is a `go test -json` (test2json) stream: its first line
/// a whole JSON object with an `Action`, more lines after it. Other JSON
/// lines stay invalid JSON (no format gate reads is made of them).
fn is_test2json(text: &str) -> bool {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "PascalCase")]
    struct Event<'a> {
        #[serde(borrow)]
        action: Option<std::borrow::Cow<'a, str>>,
    }
    let Some((first, rest)) = text.split_once('\n') else {
        return false;
    };
    !rest.trim().is_empty()
        && serde_json::from_str::<Event<'_>>(first.trim()).is_ok_and(|e| e.action.is_some())
}

// Typed reading and placing JSON errors live in `crate::json`; these are
// public API here.
pub use crate::json::{StrictMap, from_json, json_error, line_col};

/// Decodes bytes to text: strips a UTF-8 BOM, decodes UTF-16 with a BOM, and
/// refuses anything that is not valid Unicode (with the byte offset).
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<Cow<'a, str>, ParseError> {
    if bytes.is_empty() {
        return Err(ParseError::new(
            name,
            ParseCode::EmptyFile,
            None,
            "file is empty",
        ));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(name, rest, 3);
    }
    let utf16 = |rest: &[u8], le: bool| -> Result<Cow<'a, str>, ParseError> {
        if !rest.len().is_multiple_of(2) {
            return Err(ParseError::new(
                name,
                ParseCode::InvalidEncoding,
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
                        ParseCode::InvalidEncoding,
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
            ParseCode::InvalidEncoding,
            Some(Position::Offset(
                base.saturating_add(e.valid_up_to() as u64),
            )),
            "file is not valid utf-8",
        )
    })
}

/// Parses JSON like `serde_json::from_str::<Value>`, except that a key given
/// twice in one object is an error: serde_json keeps the last one, so a
/// second `"results": []` would silently erase every finding before it.
pub fn strict_json(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    // The shape's visitor with nothing left out: one visitor owns the
    // duplicate-key rule and the scalars.
    read_shape(text, Budget::whole())
}

/// Checks a whole JSON document (syntax, depth, duplicate keys) in one pass
/// and keeps its bounded [`JsonDoc::shape`]. Memory: the shape's bound plus
/// the keys of the object being read, whatever the document's size.
pub(crate) fn json_shape(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    // One scan of the bytes for the documents it can vouch for; the serde
    // visitor below for the rest, and for every error.
    if let Some(shape) = check::shape(text) {
        return Ok(shape);
    }
    serde_shape(text)
}

/// [`json_shape`] by serde_json: the reference, and the one that words
/// and places errors.
pub(crate) fn serde_shape(text: &str) -> Result<serde_json::Value, serde_json::Error> {
    read_shape(
        text,
        Budget {
            total: SHAPE_BUDGET,
            entry: 0,
            whole: false,
        },
    )
}

/// A document read by the [`Shape`] visitor under `budget`.
fn read_shape(text: &str, mut budget: Budget) -> Result<serde_json::Value, serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_str(text);
    let v = Shape {
        depth: 0,
        budget: &mut budget,
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(v)
}

/// Containers below depth 1 a shape keeps in all, and per entry of the
/// root (so one huge first entry cannot starve the others); beyond that
/// they become `null`. The root and its children are always kept.
pub(crate) const SHAPE_BUDGET: usize = 4096;
pub(crate) const SHAPE_ENTRY_BUDGET: usize = 64;

struct Budget {
    total: usize,
    entry: usize,
    /// Keep everything ([`strict_json`]): no budget, no cut strings.
    whole: bool,
}

impl Budget {
    fn whole() -> Budget {
        Budget {
            total: usize::MAX,
            entry: usize::MAX,
            whole: true,
        }
    }
}

/// One value of a shape: `depth` from the root.
struct Shape<'b> {
    depth: usize,
    budget: &'b mut Budget,
}

impl<'de> serde::de::DeserializeSeed<'de> for Shape<'_> {
    type Value = serde_json::Value;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl Shape<'_> {
    fn child(&mut self) -> Shape<'_> {
        if self.depth == 0 && !self.budget.whole {
            self.budget.entry = SHAPE_ENTRY_BUDGET;
        }
        Shape {
            depth: self.depth.saturating_add(1),
            budget: self.budget,
        }
    }

    /// Whether this container is kept (and takes one from the budget).
    fn keep(&mut self) -> bool {
        if self.depth <= 1 || self.budget.whole {
            return true;
        }
        if self.depth > SHAPE_DEPTH || self.budget.total == 0 || self.budget.entry == 0 {
            return false;
        }
        self.budget.total = self.budget.total.saturating_sub(1);
        self.budget.entry = self.budget.entry.saturating_sub(1);
        true
    }

    /// Keys kept of an object at this depth.
    fn keys(&self) -> usize {
        if self.budget.whole {
            return usize::MAX;
        }
        match self.depth {
            0 => SHAPE_ROOT_KEYS,
            1 => SHAPE_CHILD_KEYS,
            _ => SHAPE_KEYS,
        }
    }
}

/// The keys of one object seen so far: a short list, then a set.
#[derive(Default)]
struct Seen<'de> {
    few: Vec<std::borrow::Cow<'de, str>>,
    many: std::collections::HashSet<std::borrow::Cow<'de, str>>,
}

impl<'de> Seen<'de> {
    /// Keys up to which a linear scan is cheaper than hashing.
    const FEW: usize = 32;

    /// Whether `key` is new (and remembers it).
    fn insert(&mut self, key: std::borrow::Cow<'de, str>) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&key) {
                return false;
            }
            self.few.push(key);
            return true;
        }
        if self.many.is_empty() {
            self.many.extend(self.few.iter().cloned());
        }
        self.many.insert(key)
    }
}

pub(crate) fn cut(s: &str) -> String {
    let mut end = s.len().min(SHAPE_STRING);
    while !s.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    s.get(..end).unwrap_or_default().to_owned()
}

impl<'de> serde::de::Visitor<'de> for Shape<'_> {
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
        Ok(serde_json::Value::String(if self.budget.whole {
            v.to_owned()
        } else {
            cut(v)
        }))
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(serde_json::Value::Null)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(
        mut self,
        mut seq: A,
    ) -> Result<Self::Value, A::Error> {
        let keep = self.keep();
        let limit = if self.budget.whole {
            usize::MAX
        } else {
            SHAPE_ITEMS
        };
        let mut items = Vec::new();
        let mut more = false;
        while let Some(v) = seq.next_element_seed(self.child())? {
            if keep && items.len() < limit {
                items.push(v);
            } else {
                more = true;
            }
        }
        if !keep {
            return Ok(serde_json::Value::Null);
        }
        if more {
            items.push(serde_json::Value::Null);
        }
        Ok(serde_json::Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(
        mut self,
        mut map: A,
    ) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let keep = self.keep();
        let limit = self.keys();
        let mut object = serde_json::Map::new();
        let mut more = false;
        // Every key of this object, for the duplicate check: borrowed from
        // the text (unless escaped), freed when the object ends. Most
        // objects are small: a linear scan beats hashing until they grow.
        let mut seen = Seen::default();
        while let Some(crate::json::Key(key)) = map.next_key::<crate::json::Key<'de>>()? {
            // A borrowed key's clone is two words; an escaped one is rare.
            if !seen.insert(key.clone()) {
                return Err(A::Error::custom(format_args!(
                    "duplicate key `{key}` in an object"
                )));
            }
            let value = map.next_value_seed(self.child())?;
            if keep && object.len() < limit {
                object.insert(key.into_owned(), value);
            } else {
                more = true;
            }
        }
        if !keep {
            return Ok(serde_json::Value::Null);
        }
        if more {
            object.insert(SHAPE_MORE.to_owned(), serde_json::Value::Null);
        }
        Ok(serde_json::Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn shape(text: &str) -> serde_json::Value {
        json_shape(text).unwrap()
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for text in [
            r#"{"a":1,"a":2}"#,
            r#"{"runs":[{"results":[{"x":{"k":1,"k":1}}]}]}"#,
            // Past every bound of the shape: still checked.
            &format!(
                r#"{{"a":[{}{{"deep":{{"d":{{"e":{{"f":{{"g":{{"z":1,"z":2}}}}}}}}}}}}]}}"#,
                "1,".repeat(100)
            ),
            // An escaped key equal to a plain one.
            r#"{"a":1,"\u0061":2}"#,
        ] {
            let e = json_shape(text).unwrap_err();
            assert!(e.to_string().contains("duplicate key"), "{text}: {e}");
        }
        assert!(json_shape(r#"{"a":{"k":1},"b":{"k":1}}"#).is_ok());
        // Past the short list of keys, in the set, and across the switch.
        for dup in [5, 31, 32, 50, 99] {
            let mut text: String = (0..100).map(|i| format!("\"k{i}\":{i},")).collect();
            text = format!("{{{text}\"k{dup}\":0}}");
            let e = json_shape(&text).unwrap_err();
            assert!(e.to_string().contains(&format!("`k{dup}`")), "{dup}: {e}");
        }
        let text: String = (0..100)
            .map(|i| format!("\"k{i}\":{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert!(json_shape(&format!("{{{text}}}")).is_ok());
    }

    #[test]
    fn the_shape_keeps_the_start_and_marks_the_rest() {
        let items: Vec<_> = (0..100).map(|i| json!({ "i": i })).collect();
        let v = shape(&json!({ "version": "2.1.0", "runs": items }).to_string());
        assert_eq!(v["version"], "2.1.0");
        // Two items and the marker that there were more.
        assert_eq!(v["runs"], json!([{"i": 0}, {"i": 1}, null]));
        let keys: serde_json::Map<_, _> = (0..100).map(|i| (format!("k{i}"), json!(i))).collect();
        let v = shape(&json!({ "child": keys }).to_string());
        let child = v["child"].as_object().unwrap();
        assert_eq!(child.len(), SHAPE_CHILD_KEYS + 1);
        assert!(child.contains_key(SHAPE_MORE));
        // Nothing is cut when it fits.
        let small = json!({"a": [1, 2], "b": {"c": "d"}});
        assert_eq!(shape(&small.to_string()), small);
    }

    #[test]
    fn the_shape_is_bounded_whatever_the_document() {
        // Every root entry is deep and wide: the shape stays small.
        let wide: serde_json::Map<_, _> = (0..50)
            .map(|i| {
                (
                    format!("k{i}"),
                    json!({"x": [{"y": {"z": {"w": [1, 2, 3]}}}]}),
                )
            })
            .collect();
        let root: serde_json::Map<_, _> = (0..1000)
            .map(|i| (format!("r{i}"), serde_json::Value::Object(wide.clone())))
            .collect();
        let text = serde_json::Value::Object(root).to_string();
        let v = shape(&text);
        let size = v.to_string().len();
        assert!(size < 1_000_000, "shape of {} bytes: {size}", text.len());
        let long = "x".repeat(10_000);
        assert_eq!(
            shape(&json!({ "s": long }).to_string())["s"]
                .as_str()
                .unwrap()
                .len(),
            SHAPE_STRING
        );
    }

    #[test]
    fn from_json_names_the_code_and_the_pointer() {
        #[derive(serde::Deserialize, Debug)]
        struct Doc {
            #[allow(dead_code)]
            runs: Vec<Run>,
        }
        #[derive(serde::Deserialize, Debug)]
        struct Run {
            #[allow(dead_code)]
            level: String,
        }
        let text = "{\"runs\":[{\"level\":\"a\"},\n{\"level\":3}]}";
        let e = from_json::<Doc>("r.json", text, ParseCode::InvalidSarif).unwrap_err();
        assert_eq!(e.code, "invalid-sarif");
        assert_eq!(e.position, Some(Position::Pointer("/runs/1/level".into())));
        assert!(e.message.contains("line 2"), "{}", e.message);
        let dup = from_json::<StrictMap<String, u32>>(
            "m.json",
            r#"{"a":1,"b":2,"a":3}"#,
            ParseCode::InvalidJson,
        );
        assert!(dup.unwrap_err().message.contains("duplicate key `a`"));
        let ok = from_json::<StrictMap<String, u32>>(
            "m.json",
            r#"{"b":1,"a":2}"#,
            ParseCode::InvalidJson,
        )
        .unwrap();
        assert_eq!(ok.0, vec![("b".to_string(), 1), ("a".to_string(), 2)]);
    }
}
