//! Values kept as their text ([`RawValue`], a slice of the document):
//! their type from the first byte, compacting for output ([`minify`],
//! [`Compact`]: attributes are stored without the document's layout), and
//! quoting in messages ([`raw_str`], [`raw_display`]).

use super::Key;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// The type of a JSON value (of a kept [`RawValue`], a [`super::Leaf`] or a
/// `serde_json::Value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Null,
    Bool,
    Number,
    String,
    Array,
    Object,
}

impl Kind {
    /// The kind of a value of the (well-formed) document, from its first
    /// character.
    pub(crate) fn of(raw: &RawValue) -> Kind {
        match raw.get().as_bytes().first() {
            Some(b'{') => Kind::Object,
            Some(b'[') => Kind::Array,
            Some(b'"') => Kind::String,
            Some(b't' | b'f') => Kind::Bool,
            Some(b'n') => Kind::Null,
            _ => Kind::Number,
        }
    }

    /// The kind of a `serde_json::Value` (the sniffers' shape).
    pub(crate) fn of_value(v: &serde_json::Value) -> Kind {
        match v {
            serde_json::Value::Null => Kind::Null,
            serde_json::Value::Bool(_) => Kind::Bool,
            serde_json::Value::Number(_) => Kind::Number,
            serde_json::Value::String(_) => Kind::String,
            serde_json::Value::Array(_) => Kind::Array,
            serde_json::Value::Object(_) => Kind::Object,
        }
    }

    /// How the type reads in a message (`found an object`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Null => "null",
            Kind::Bool => "a boolean",
            Kind::Number => "a number",
            Kind::String => "a string",
            Kind::Array => "an array",
            Kind::Object => "an object",
        }
    }
}

/// Shorthands for [`Kind::of`].
pub(crate) fn is_object(raw: &RawValue) -> bool {
    Kind::of(raw) == Kind::Object
}

pub(crate) fn is_array(raw: &RawValue) -> bool {
    Kind::of(raw) == Kind::Array
}

pub(crate) fn is_null(raw: &RawValue) -> bool {
    Kind::of(raw) == Kind::Null
}

/// The first non-blank character of a document: the type of a
/// well-formed document's root.
pub(crate) fn starts_object(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

pub(crate) fn starts_array(text: &str) -> bool {
    text.trim_start().starts_with('[')
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// The byte offsets of JSON text that lie outside its strings, in order
/// (the one string-aware scan behind [`is_compact`], [`minify`] and
/// [`has_outside_strings`]).
fn outside_strings(json: &str) -> impl Iterator<Item = (usize, u8)> + '_ {
    let mut in_string = false;
    let mut escaped = false;
    json.bytes().enumerate().filter(move |&(_, b)| {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            false
        } else if b == b'"' {
            in_string = true;
            false
        } else {
            true
        }
    })
}

/// Whether JSON text has `byte` outside its strings (e.g. `t`: a `true`).
pub(crate) fn has_outside_strings(json: &str, byte: u8) -> bool {
    outside_strings(json).any(|(_, b)| b == byte)
}

/// Whether JSON text has no whitespace outside its strings.
pub(crate) fn is_compact(json: &str) -> bool {
    !outside_strings(json).any(|(_, b)| is_blank(b))
}

/// JSON text without the whitespace outside its strings.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut start = 0;
    for (i, _) in outside_strings(json).filter(|&(_, b)| is_blank(b)) {
        // whitespace is ASCII: `start..i` are char boundaries
        out.push_str(json.get(start..i).unwrap_or_default());
        start = i.saturating_add(1);
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
