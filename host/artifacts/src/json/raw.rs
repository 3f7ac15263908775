//! Values kept as their text ([`RawValue`], a slice of the document):
//! their type from the first byte, compacting for output ([`minify`],
//! [`Compact`]: attributes are stored without the document's layout), and
//! quoting in messages ([`raw_str`], [`raw_display`]).

use super::Key;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The JSON type a raw value has, from its first byte.
pub(crate) fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

pub(crate) fn is_array(raw: &RawValue) -> bool {
    raw.get().starts_with('[')
}

pub(crate) fn is_null(raw: &RawValue) -> bool {
    raw.get() == "null"
}

/// The first non-blank character of a document.
pub(crate) fn starts_object(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Whether JSON text has no whitespace outside its strings.
pub(crate) fn is_compact(json: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for b in json.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_blank(b) {
            return false;
        }
    }
    true
}

/// JSON text without the whitespace outside its strings.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_blank(b) {
            // whitespace is ASCII: `start..i` are char boundaries
            out.push_str(json.get(start..i).unwrap_or_default());
            start = i.saturating_add(1);
        }
    }
    out.push_str(json.get(start..).unwrap_or_default());
    out
}

/// A raw value serialized compactly (as is when the text already is).
pub(crate) struct Compact<'a>(pub &'a RawValue);

impl serde::Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if is_compact(self.0.get()) {
            return self.0.serialize(s);
        }
        RawValue::from_string(minify(self.0.get()))
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

/// A string value kept as its text when it is one, else as compact JSON
/// (how `Value`'s `Display` writes it): for messages that quote a value.
pub(crate) fn raw_str(raw: &RawValue) -> Option<Cow<'_, str>> {
    let t = raw.get();
    if !t.starts_with('"') {
        return None;
    }
    serde_json::from_str::<Key<'_>>(t).ok().map(|c| c.0)
}

/// A value as `serde_json::Value`'s `Display` writes it (compact JSON).
pub(crate) fn raw_display(raw: &RawValue) -> String {
    serde_json::from_str::<serde_json::Value>(raw.get())
        .map(|v| v.to_string())
        .unwrap_or_else(|_| raw.get().to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn minify_keeps_strings_and_drops_blanks() {
        let pretty = "{\n  \"a b\": [ 1, \"x \\\" y\" ],\n\t\"c\" : { }\r\n}";
        assert!(!super::is_compact(pretty));
        let compact = super::minify(pretty);
        assert_eq!(compact, r#"{"a b":[1,"x \" y"],"c":{}}"#);
        assert!(super::is_compact(&compact));
    }
}
