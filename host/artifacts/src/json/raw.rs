//! Values kept as their text ([`RawValue`], a slice of the document):
//! their type from the first byte, compacting for output ([`minify`],
//! [`minify_into`]: attributes are stored without the document's layout), and
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

/// Where the string starting at `open` (its quote) ends: the index just
/// past its closing quote (the text's length if it has none).
fn string_end(b: &[u8], open: usize) -> usize {
    let mut i = open.saturating_add(1);
    loop {
        i = quote_or_backslash(b, i);
        match b.get(i) {
            Some(b'"') => return i.saturating_add(1),
            // a backslash and the character it escapes
            Some(_) => i = i.saturating_add(2),
            None => return b.len(),
        }
    }
}

/// The first `"` or `\\` at or after `i` (the text's length if none),
/// eight bytes at a time.
fn quote_or_backslash(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    // The high bit of each byte equal to `c` (exact for the lowest).
    let equal = |v: u64, c: u8| {
        let x = v ^ LO.wrapping_mul(u64::from(c));
        x.wrapping_sub(LO) & !x & HI
    };
    while let Some(chunk) = b.get(i..i.saturating_add(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        let hit = equal(v, b'"') | equal(v, b'\\');
        if hit != 0 {
            return i.saturating_add((hit.trailing_zeros() / 8) as usize);
        }
        i = i.saturating_add(8);
    }
    let rest = b.get(i..).unwrap_or_default();
    i.saturating_add(
        rest.iter()
            .position(|&c| c == b'"' || c == b'\\')
            .unwrap_or(rest.len()),
    )
}

/// The end of the value that starts at `at` in checked JSON text (just past
/// it): a string, a container (strings inside skipped), or a scalar.
fn value_end(b: &[u8], at: usize) -> usize {
    match b.get(at) {
        Some(b'"') => string_end(b, at),
        Some(b'{' | b'[') => {
            let mut depth = 0usize;
            let mut i = at;
            while let Some(&c) = b.get(i) {
                match c {
                    b'"' => {
                        i = string_end(b, i);
                        continue;
                    }
                    b'{' | b'[' => depth = depth.saturating_add(1),
                    b'}' | b']' => {
                        depth = depth.saturating_sub(1);
                        if depth == 0 {
                            return i.saturating_add(1);
                        }
                    }
                    _ => {}
                }
                i = i.saturating_add(1);
            }
            b.len()
        }
        _ => {
            let rest = b.get(at..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|&c| matches!(c, b',' | b'}' | b']') || is_blank(c))
                .unwrap_or(rest.len());
            at.saturating_add(len)
        }
    }
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while b.get(i).copied().is_some_and(is_blank) {
        i = i.saturating_add(1);
    }
    i
}

/// A member of a container: its key (objects) and its value's text.
pub(crate) type Member<'a> = (Option<Cow<'a, str>>, &'a str);

/// The members of a container in checked JSON text (`{`: keys, unescaped,
/// and values' text; `[`: items' text, with no key), in order, without
/// reading the values: what serde's reading into `&RawValue`s gives, for
/// text the load already checked. `None` if the text is no such container.
pub(crate) fn members(json: &str) -> Option<Vec<Member<'_>>> {
    let b = json.as_bytes();
    let mut i = skip_blanks(b, 0);
    let (object, close) = match b.get(i)? {
        b'{' => (true, b'}'),
        b'[' => (false, b']'),
        _ => return None,
    };
    let mut out = Vec::with_capacity(16);
    i = skip_blanks(b, i.saturating_add(1));
    if b.get(i) == Some(&close) {
        return Some(out);
    }
    loop {
        let key = if object {
            let end = string_end(b, i);
            let raw = json.get(i..end)?;
            let inner = raw.get(1..raw.len().checked_sub(1)?)?;
            i = skip_blanks(b, end);
            if b.get(i) != Some(&b':') {
                return None;
            }
            i = skip_blanks(b, i.saturating_add(1));
            Some(if inner.contains('\\') {
                Cow::Owned(serde_json::from_str::<String>(raw).ok()?)
            } else {
                Cow::Borrowed(inner)
            })
        } else {
            None
        };
        let end = value_end(b, i);
        out.push((key, json.get(i..end)?));
        i = skip_blanks(b, end);
        match b.get(i)? {
            b',' => i = skip_blanks(b, i.saturating_add(1)),
            c if *c == close => return Some(out),
            _ => return None,
        }
    }
}

/// Calls `f` with each run of JSON text between strings (a string starts a
/// run and ends with the next byte outside it); `f` says whether to go on.
/// The one string-aware scan behind [`is_compact`], [`minify_into`] and
/// [`has_outside_strings`]: strings are skipped a search at a time.
fn outside_strings(json: &str, mut f: impl FnMut(usize, &[u8]) -> bool) {
    let b = json.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = b.get(i..).unwrap_or_default();
        let run = rest.iter().position(|&c| c == b'"').unwrap_or(rest.len());
        if !f(i, rest.get(..run).unwrap_or_default()) {
            return;
        }
        i = i.saturating_add(run);
        if i < b.len() {
            i = string_end(b, i);
        }
    }
}

/// Whether JSON text has `byte` outside its strings (e.g. `t`: a `true`).
pub(crate) fn has_outside_strings(json: &str, byte: u8) -> bool {
    let mut found = false;
    outside_strings(json, |_, run| {
        found = run.contains(&byte);
        !found
    });
    found
}

/// How many times `byte` occurs in JSON text outside its strings (`{`:
/// the objects of a document).
pub(crate) fn count_outside_strings(json: &str, byte: u8) -> usize {
    let mut n = 0usize;
    outside_strings(json, |_, run| {
        n = n.saturating_add(run.iter().filter(|c| **c == byte).count());
        true
    });
    n
}

/// Whether JSON text has no whitespace outside its strings.
pub(crate) fn is_compact(json: &str) -> bool {
    !has_blank(json)
}

fn has_blank(json: &str) -> bool {
    let mut found = false;
    outside_strings(json, |_, run| {
        found = run.iter().any(|&c| is_blank(c));
        !found
    });
    found
}

/// JSON text without the whitespace outside its strings.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    minify_into(&mut out, json);
    out
}

/// [`minify`], appended to `out` (compact text is copied as it is).
pub(crate) fn minify_into(out: &mut String, json: &str) {
    if !has_blank(json) {
        out.push_str(json);
        return;
    }
    let b = json.as_bytes();
    // Copies everything but the blanks outside strings, a slice at a time.
    let mut start = 0;
    outside_strings(json, |at, run| {
        for (k, &c) in run.iter().enumerate() {
            if is_blank(c) {
                let i = at.saturating_add(k);
                // blanks are ASCII: `start..i` are char boundaries
                out.push_str(json.get(start..i).unwrap_or_default());
                start = i.saturating_add(1);
            }
        }
        true
    });
    out.push_str(json.get(start.min(b.len())..).unwrap_or_default());
}

/// `s` as a JSON string (quoted, escaped as serde_json writes it), appended
/// to `out`. A string borrowed from a document's text had no escapes there
/// (serde_json borrows only those), so it needs none.
// Whether `s` is borrowed from the text is the point: not a `&str`.
#[allow(clippy::ptr_arg)]
pub(crate) fn quote_into(out: &mut String, s: &Cow<'_, str>) {
    if matches!(s, Cow::Owned(_)) && s.bytes().any(|c| c < 0x20 || c == b'"' || c == b'\\') {
        // serde_json's escapes; a `&str` always serializes
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
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
        // Escaped backslashes before a quote, blanks in keys and values.
        let text = r#"{ "k \\" : [ "v \\\" w" , true ] , "t" :"\\" }"#;
        let want: String = serde_json::from_str::<serde_json::Value>(text)
            .unwrap()
            .to_string();
        assert_eq!(super::minify(text), want);
        assert!(super::has_outside_strings(text, b't'));
        assert!(!super::has_outside_strings(r#"{"true":"t\"t"}"#, b't'));
    }

    #[test]
    fn members_are_what_serde_reads() {
        use serde_json::value::RawValue;
        for text in [
            "{}",
            " [ ] ",
            r#"{"a": 1, "b" : [1, {"c": "]}"}], "d\"e": "x\\", "\u0066": null, "g":{"h":[]} }"#,
            "{\n  \"k\": -1.5e3,\n  \"t\": true\n}",
            r#"[1, "a,b", {"x": [2, 3]}, [], null, "\"]"]"#,
        ] {
            let got = super::members(text).unwrap();
            if text.trim_start().starts_with('{') {
                let want: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(text).unwrap();
                let raw: Vec<(String, &RawValue)> = want
                    .keys()
                    .map(|k| {
                        (
                            k.clone(),
                            serde_json::from_str::<std::collections::BTreeMap<String, &RawValue>>(
                                text,
                            )
                            .unwrap()[k],
                        )
                    })
                    .collect();
                assert_eq!(got.len(), raw.len(), "{text}");
                for (k, v) in &got {
                    let k = k.as_deref().unwrap();
                    let (_, r) = raw.iter().find(|(rk, _)| rk == k).unwrap();
                    assert_eq!(*v, r.get(), "{text}");
                }
            } else {
                let want: Vec<&RawValue> = serde_json::from_str(text).unwrap();
                let want: Vec<&str> = want.iter().map(|r| r.get()).collect();
                let got: Vec<&str> = got.iter().map(|(_, v)| *v).collect();
                assert_eq!(got, want, "{text}");
            }
        }
        assert!(super::members("3").is_none());
    }

    #[test]
    fn quoting_is_serde_jsons() {
        for s in ["", "plain é", "q\"b\\s", "c\u{1}\n\u{7f}", "/"] {
            let mut out = String::new();
            super::quote_into(&mut out, &s.to_string().into());
            assert_eq!(out, serde_json::to_string(s).unwrap(), "{s:?}");
        }
    }
}
