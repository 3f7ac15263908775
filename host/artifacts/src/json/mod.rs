//! Lenient, typed, borrowing reading of JSON documents, shared by every
//! family's parsers (coverage, findings, IaC, approvals).
//!
//! Why: the parsers once read whole documents into `serde_json::Value`,
//! where a field of an unexpected type simply "was not there". Reading
//! typed structs keeps memory near the input's size, but a derived
//! struct's type error would replace the parser's own checks and
//! messages. The types here accept any JSON value and decide themselves
//! what it means, so each parser keeps its rules; strings are borrowed
//! from the text unless they have escapes, and big arrays and objects are
//! streamed element by element. One toolkit, so every format reads JSON
//! the same way.
//!
//! - [`scalar`]: keys, strings, numbers and leaves ([`Key`], [`Str`],
//!   [`U64`], [`Leaf`]), and the [`Lenient`] trait with its reader [`L`].
//! - [`object`]: objects as structs ([`Obj`], [`Lean`], [`Boxed`]), keyed
//!   by data ([`Map`], streamed: [`entries`], by hand: [`each_key`],
//!   refusing a repeated key: [`StrictMap`]), and fields whose absence
//!   differs from `null` ([`Slot`]).
//! - [`array`]: arrays held ([`Arr`], [`First`], [`Strs`], [`Lines`]) or
//!   streamed ([`each`], [`each_raw`], [`stream`]).
//! - [`raw`]: values kept as their text ([`RawValue`]): their type ([`Kind`]),
//!   compacting ([`minify`], [`minify_into`]), splitting ([`members`]) and
//!   quoting.
//! - [`check`]: the load-time check of a whole document and the sniffers'
//!   shape in one scan of the bytes (the fast path of
//!   [`crate::document::json_shape`]).
//! - this file: running a read and reporting its errors ([`from_json`]:
//!   strict typed reading, errors at a JSON pointer; [`json_error`] and
//!   [`line_col`] place serde_json's errors). A reader that
//!   meets a parser error parks it ([`Stop`], [`stop`]) and unwinds serde
//!   with a placeholder; [`finish`] and [`read`] return the parked error.
//!
//! [`RawValue`]: serde_json::value::RawValue

use crate::{ParseCode, ParseError, Position};
use serde::de::{self, DeserializeSeed};

/// The `visit_*` methods of a lenient visitor for every scalar (strings
/// included): each yields `$v`, "not what was wanted".
macro_rules! skip_scalars {
    ($v:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($v)
        }
        fn visit_none<E>(self) -> Result<Self::Value, E> {
            Ok($v)
        }
    };
}
pub(crate) use skip_scalars;

/// [`skip_scalars`] plus arrays (their items skipped): the `visit_*`
/// methods of a visitor (lifetime `$de`) that wants only an object.
macro_rules! other_values {
    ($de:lifetime, $v:expr) => {
        $crate::json::skip_scalars!($v);
        fn visit_seq<A: serde::de::SeqAccess<$de>>(
            self,
            mut seq: A,
        ) -> Result<Self::Value, A::Error> {
            while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
            Ok($v)
        }
    };
}
pub(crate) use other_values;

pub(crate) mod array;
pub(crate) mod object;
pub(crate) mod raw;
pub(crate) mod scalar;

pub(crate) use array::*;
pub use object::StrictMap;
pub(crate) use object::*;
pub(crate) use raw::*;
pub(crate) use scalar::*;

/// The error a reader parked before it stopped serde (serde's own error
/// carries no code or pointer of ours).
pub(crate) type Stop = Option<ParseError>;

/// Parks `e` and returns the serde error that unwinds the reading.
pub(crate) fn stop<E: de::Error>(slot: &mut Stop, e: ParseError) -> E {
    *slot = Some(e);
    stopped()
}

/// The placeholder error that ends a read whose real error was parked.
pub(crate) fn stopped<E: de::Error>() -> E {
    E::custom("stopped")
}

/// The outcome of a read that may have been stopped: the parked error
/// when there is one, else the read's own error (as `invalid-json` or
/// `truncated-json` at its line and column), else the value.
pub(crate) fn finish<T>(
    name: &str,
    out: serde_json::Result<T>,
    parked: Stop,
) -> Result<T, ParseError> {
    match (out, parked) {
        (_, Some(e)) => Err(e),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(json_error(name, &e)),
    }
}

/// Reads the whole of `text` with `seed` (a streaming read whose visitors
/// may park an error: see [`finish`]).
pub(crate) fn read_seed<'de, S: DeserializeSeed<'de>>(
    text: &'de str,
    seed: S,
) -> serde_json::Result<S::Value> {
    let mut de = serde_json::Deserializer::from_str(text);
    let out = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// Reads `text` (all or part of an already-checked document) as `T`; a
/// failure is an `invalid-json` (or `truncated-json`) error.
pub(crate) fn checked<'a, T: serde::Deserialize<'a>>(
    name: &str,
    text: &'a str,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| json_error(name, &e))
}

/// A whole document read as the object `T` (a report's root, its fields
/// kept lenient): the first step of every findings reader.
pub(crate) fn read_root<'de, T: serde::Deserialize<'de> + Default>(
    name: &str,
    text: &'de str,
    code: ParseCode,
    stop: &mut Stop,
) -> Result<Obj<T>, ParseError> {
    read(name, text, text, code, stop, |de, _| {
        serde::Deserialize::deserialize(de)
    })
}

/// Runs a reader over `part` (the whole document, or a slice of it kept as
/// a [`serde_json::value::RawValue`]): a parked error wins; any other serde
/// error (which the lenient readers do not raise) is `code` at the line
/// and column in `whole`.
pub(crate) fn read<'de, T>(
    name: &str,
    whole: &str,
    part: &'de str,
    code: ParseCode,
    stop: &mut Stop,
    f: impl FnOnce(
        &mut serde_json::Deserializer<serde_json::de::StrRead<'de>>,
        &mut Stop,
    ) -> Result<T, serde_json::Error>,
) -> Result<T, ParseError> {
    let mut de = serde_json::Deserializer::from_str(part);
    let out = f(&mut de, stop).and_then(|v| de.end().map(|()| v));
    out.map_err(|e| {
        stop.take().unwrap_or_else(|| {
            let offset = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
            let (line, column) = match line_col(whole, offset) {
                Position::LineCol { line, column } => (line, column),
                _ => (1, 1),
            };
            let el = u32::try_from(e.line()).unwrap_or(u32::MAX);
            let ec = u32::try_from(e.column()).unwrap_or(u32::MAX);
            let position = if el <= 1 {
                Position::LineCol {
                    line,
                    column: column.saturating_add(ec).saturating_sub(1),
                }
            } else {
                Position::LineCol {
                    line: line.saturating_add(el).saturating_sub(1),
                    column: ec,
                }
            };
            ParseError::new(name, code, Some(position), e.to_string().to_lowercase())
        })
    })
}

/// Reads `text` (already checked by [`crate::Document::load`]) into a typed
/// structure. Derived structs refuse a field given twice; maps read with
/// [`StrictMap`] refuse a key given twice. An error is `code` at the JSON
/// pointer of the value that did not fit (found by reading the document a
/// second time, only when it failed), with its line and column.
pub fn from_json<'de, T: serde::Deserialize<'de>>(
    name: &str,
    text: &'de str,
    code: ParseCode,
) -> Result<T, ParseError> {
    let first = match serde_json::from_str::<T>(text) {
        Ok(v) => return Ok(v),
        Err(e) => e,
    };
    if first.is_syntax() || first.is_eof() {
        return Err(json_error(name, &first));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let pointer = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Err(e) => path_pointer(e.path()),
        Ok(_) => String::new(),
    };
    let message = json_message(&first);
    let place = if first.line() > 0 {
        format!(" (line {}, column {})", first.line(), first.column())
    } else {
        String::new()
    };
    Err(ParseError::new(
        name,
        code,
        Some(Position::Pointer(pointer)),
        format!("{message}{place}"),
    ))
}

/// A serde_json error as a parse error with line and column.
pub fn json_error(name: &str, e: &serde_json::Error) -> ParseError {
    let code = if e.is_eof() {
        ParseCode::TruncatedJson
    } else {
        ParseCode::InvalidJson
    };
    let position = (e.line() > 0).then(|| Position::LineCol {
        line: u32::try_from(e.line()).unwrap_or(u32::MAX),
        column: u32::try_from(e.column()).unwrap_or(u32::MAX),
    });
    ParseError::new(name, code, position, json_message(e))
}

/// serde_json's message without its " at line X column Y" (we carry the
/// place separately), lowercase.
fn json_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    msg.rsplit_once(" at line ")
        .map(|(m, _)| m.to_string())
        .unwrap_or(msg)
        .to_lowercase()
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

/// A serde_path_to_error path as a JSON pointer (RFC 6901).
fn path_pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        out.push('/');
        match seg {
            Segment::Seq { index } => out.push_str(&index.to_string()),
            Segment::Map { key } => out.push_str(&key.replace('~', "~0").replace('/', "~1")),
            Segment::Enum { variant } => out.push_str(variant),
            Segment::Unknown => out.push('?'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use std::borrow::Cow;

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct T<'a> {
        #[serde(borrow)]
        s: Leaf<'a>,
        #[serde(borrow)]
        o: Obj<Inner<'a>>,
        #[serde(borrow)]
        a: Strs<'a>,
        #[serde(borrow)]
        slot: Slot<Leaf<'a>>,
        #[serde(borrow)]
        m: Map<'a, Leaf<'a>>,
        #[serde(borrow)]
        first: First<Leaf<'a>>,
    }

    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Inner<'a> {
        #[serde(borrow)]
        x: Leaf<'a>,
    }

    #[test]
    fn lenient_reading() {
        let t: T<'_> = serde_json::from_str(
            r#"{"s": "a\"b", "o": {"x": 3, "y": [1]}, "a": ["p", 1, "q", {}], "slot": null,
                "m": {"k": true, "j": [1, {"z": 2}]}, "first": [4, {"a": 1}]}"#,
        )
        .unwrap();
        assert_eq!(t.s.as_str(), Some("a\"b"));
        assert_eq!(t.o.x.as_u64(), Some(3));
        assert!(t.o.is_object);
        assert_eq!(t.a.owned(), ["p", "q"]);
        assert!(matches!(t.slot, Slot::Here(Leaf::Null)));
        assert_eq!(t.m.get("j"), Some(&Leaf::Array));
        assert_eq!(t.first.0.and_then(|l| l.as_u64()), Some(4));
        let t: T<'_> =
            serde_json::from_str(r#"{"s": [1], "o": "str", "a": {"b": 1}, "m": 3}"#).unwrap();
        assert_eq!(t.s, Leaf::Array);
        assert!(!t.o.is_object);
        assert_eq!(t.o.x, Leaf::Null);
        assert!(t.a.0.is_empty());
        assert!(matches!(t.slot, Slot::Absent));
        assert!(!t.m.is_object);
        let n: Leaf<'_> = serde_json::from_str("-1").unwrap();
        assert_eq!(
            (n.as_u64(), n.as_i64(), n.as_f64()),
            (None, Some(-1), Some(-1.0))
        );
        let n: Leaf<'_> = serde_json::from_str("1.0").unwrap();
        assert_eq!((n.as_u64(), n.as_i64()), (None, None));
    }

    #[test]
    fn chunks_sorted_in_place() {
        let mut items = vec!["b1", "b2", "a1", "c1", "a0"];
        let chunks: Vec<(Cow<'_, str>, usize)> = vec![
            ("b".into(), 0),
            ("a".into(), 2),
            ("c".into(), 3),
            ("0".into(), 4),
        ];
        sort_chunks(&mut items, &chunks);
        assert_eq!(items, ["a0", "a1", "b1", "b2", "c1"]);
        let mut items = vec![1, 2, 3];
        let chunks: Vec<(Cow<'_, str>, usize)> = vec![("a".into(), 0), ("b".into(), 1)];
        sort_chunks(&mut items, &chunks);
        assert_eq!(items, [1, 2, 3]);
    }
}
