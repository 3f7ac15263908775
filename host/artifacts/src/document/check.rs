//! The load-time check of a JSON document (syntax, depth, a key given twice
//! in one object) and its bounded shape for the sniffers, in one scan of
//! the bytes: the fast path of [`crate::document::json_shape`].
//!
//! It accepts only what serde_json accepts, and gives the shape the serde
//! visitor in `document.rs` builds (the tests compare the two). Whatever it
//! does not handle itself — any error, a duplicate key, a surrogate escape,
//! a number near the edge of `f64`, deep nesting — it hands back (`None`)
//! to the serde path, which words the error and places it (line and
//! column) as before. Errors never come from here, so they cannot differ.

use super::{
    SHAPE_BUDGET, SHAPE_CHILD_KEYS, SHAPE_DEPTH, SHAPE_ENTRY_BUDGET, SHAPE_ITEMS, SHAPE_KEYS,
    SHAPE_MORE, SHAPE_ROOT_KEYS, cut,
};
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashSet;

/// Nesting this deep goes the serde way (which refuses past 128).
const MAX_DEPTH: usize = 100;

/// Keys of one object compared one by one (by [`tag`] first) up to this
/// many, then hashed.
const FEW_KEYS: usize = 64;

/// The shape of `text` when it is a well-formed document without a
/// repeated key; `None` when the serde path must decide.
pub(crate) fn shape(text: &str) -> Option<Value> {
    let mut s = Scan {
        text,
        b: text.as_bytes(),
        i: 0,
        keys: Vec::new(),
        tags: Vec::new(),
        total: SHAPE_BUDGET,
        entry: 0,
    };
    s.blank();
    let v = s.value(0, true)?;
    s.blank();
    (s.i == s.b.len()).then_some(v)
}

struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    /// The keys of the objects being read, innermost last (each object
    /// truncates back to where it started), and their [`tag`]s beside
    /// them (a run of words compares fast).
    keys: Vec<Cow<'a, str>>,
    tags: Vec<u64>,
    total: usize,
    entry: usize,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `v` below `n` (n ≤ 128), exact for the
/// lowest such byte (borrows only run upwards).
fn below(v: u64, n: u8) -> u64 {
    v.wrapping_sub(LO.wrapping_mul(u64::from(n))) & !v & HI
}

/// The high bit of each byte of `v` equal to `c` (exact for the lowest).
fn equal(v: u64, c: u8) -> u64 {
    below(v ^ LO.wrapping_mul(u64::from(c)), 1)
}

/// A key's length and first bytes in one word: keys that differ there (most
/// do) are told apart by one comparison.
fn tag(key: &str) -> u64 {
    let b = key.as_bytes();
    let head = match b.get(..8).and_then(|h| <[u8; 8]>::try_from(h).ok()) {
        Some(h) => u64::from_le_bytes(h),
        None => b
            .iter()
            .rev()
            .fold(0u64, |acc, &c| (acc << 8) | u64::from(c)),
    };
    head ^ (b.len() as u64).rotate_right(8)
}

/// A container's members: what comes after one, or the end.
enum Next {
    More,
    End,
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn blank(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i = self.i.saturating_add(1);
        }
    }

    /// Past the blanks and the `,` or `close` after a member.
    fn next(&mut self, close: u8) -> Option<Next> {
        self.blank();
        let c = self.peek()?;
        self.i = self.i.saturating_add(1);
        if c == b',' {
            self.blank();
            Some(Next::More)
        } else if c == close {
            Some(Next::End)
        } else {
            None
        }
    }

    /// At a container's start (after its bracket): whether it is empty
    /// (and then past its end).
    fn empty(&mut self, close: u8) -> bool {
        self.blank();
        if self.peek() == Some(close) {
            self.i = self.i.saturating_add(1);
            true
        } else {
            false
        }
    }

    /// A value read for the shape: built when `want` (its parent keeps it).
    fn value(&mut self, depth: usize, want: bool) -> Option<Value> {
        match self.peek()? {
            b'{' => self.object(depth, want),
            b'[' => self.array(depth, want),
            b'"' if want => {
                let start = self.i;
                let escaped = self.string()?;
                let raw = self.text.get(start..self.i)?;
                let s = if escaped {
                    Cow::Owned(serde_json::from_str::<String>(raw).ok()?)
                } else {
                    Cow::Borrowed(raw.get(1..raw.len().saturating_sub(1))?)
                };
                Some(Value::String(cut(&s)))
            }
            b'-' | b'0'..=b'9' if want => {
                let start = self.i;
                self.number()?;
                // As serde_json reads it (u64, i64 or f64): few are kept.
                serde_json::from_str::<Value>(self.text.get(start..self.i)?).ok()
            }
            b't' if want => self.literal(b"true").then_some(Value::Bool(true)),
            b'f' if want => self.literal(b"false").then_some(Value::Bool(false)),
            _ => self.skip(depth).map(|()| Value::Null),
        }
    }

    /// Past a value that is only checked.
    fn skip(&mut self, depth: usize) -> Option<()> {
        match self.peek()? {
            b'"' => self.string().map(drop),
            b'{' => self.skip_object(depth),
            b'[' => self.skip_array(depth),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true").then_some(()),
            b'f' => self.literal(b"false").then_some(()),
            b'n' => self.literal(b"null").then_some(()),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> bool {
        let end = self.i.saturating_add(word.len());
        let ok = self.b.get(self.i..end) == Some(word);
        if ok {
            self.i = end;
        }
        ok
    }

    /// Past a number; `None` for one serde_json would refuse or read as
    /// out of range (long ones are left to it).
    fn number(&mut self) -> Option<()> {
        if self.peek() == Some(b'-') {
            self.i = self.i.saturating_add(1);
        }
        let int = self.digits();
        match int {
            0 => return None,
            // No leading zero.
            1 => {}
            _ if self.b.get(self.i.saturating_sub(int)) == Some(&b'0') => return None,
            _ => {}
        }
        let mut frac = 0;
        if self.peek() == Some(b'.') {
            self.i = self.i.saturating_add(1);
            frac = self.digits();
            if frac == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i = self.i.saturating_add(1);
            if let Some(b'+' | b'-') = self.peek() {
                self.i = self.i.saturating_add(1);
            }
            // At most 10^(60 + 99): far inside an f64.
            if !(1..=2).contains(&self.digits()) {
                return None;
            }
        }
        (int.saturating_add(frac) <= 60).then_some(())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i = self.i.saturating_add(1);
        }
        self.i.saturating_sub(start)
    }

    /// Past a string (at its opening quote); whether it has escapes.
    /// `None` for a control character, a bad or surrogate escape, or no
    /// end.
    fn string(&mut self) -> Option<bool> {
        let mut i = self.i.saturating_add(1);
        let mut escaped = false;
        loop {
            // Eight bytes at a time to the next quote, backslash or
            // control character.
            while let Some(chunk) = self.b.get(i..i.saturating_add(8)) {
                let v = u64::from_le_bytes(chunk.try_into().ok()?);
                let hit = equal(v, b'"') | equal(v, b'\\') | below(v, 0x20);
                if hit != 0 {
                    i = i.saturating_add((hit.trailing_zeros() / 8) as usize);
                    break;
                }
                i = i.saturating_add(8);
            }
            match self.b.get(i)? {
                b'"' => {
                    self.i = i.saturating_add(1);
                    return Some(escaped);
                }
                b'\\' => {
                    escaped = true;
                    i = i.saturating_add(1);
                    match self.b.get(i)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {
                            i = i.saturating_add(1);
                        }
                        b'u' => {
                            let hex = self.b.get(i.saturating_add(1)..i.saturating_add(5))?;
                            let code = u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16)
                                .ok()
                                .filter(|_| hex.iter().all(u8::is_ascii_hexdigit))?;
                            // Pairs and lone halves: serde's to judge.
                            if (0xD800..=0xDFFF).contains(&code) {
                                return None;
                            }
                            i = i.saturating_add(5);
                        }
                        _ => return None,
                    }
                }
                c if *c < 0x20 => return None,
                _ => i = i.saturating_add(1),
            }
        }
    }

    /// Whether a container at `depth` is kept in the shape (and takes one
    /// from the budget), as `document::Shape::keep` decides.
    fn keep(&mut self, depth: usize) -> bool {
        if depth <= 1 {
            return true;
        }
        if depth > SHAPE_DEPTH || self.total == 0 || self.entry == 0 {
            return false;
        }
        self.total = self.total.saturating_sub(1);
        self.entry = self.entry.saturating_sub(1);
        true
    }

    /// An array read for the shape. Not kept: only checked (its members
    /// could not be kept either, nor take from the budget).
    fn array(&mut self, depth: usize, want: bool) -> Option<Value> {
        if depth >= MAX_DEPTH {
            return None;
        }
        if !self.keep(depth) {
            return self.skip_array(depth).map(|()| Value::Null);
        }
        self.i = self.i.saturating_add(1);
        let mut items = Vec::new();
        let mut more = false;
        let inner = depth.saturating_add(1);
        if !self.empty(b']') {
            loop {
                if depth == 0 {
                    self.entry = SHAPE_ENTRY_BUDGET;
                }
                let keep = want && items.len() < SHAPE_ITEMS;
                let v = self.value(inner, keep)?;
                if keep {
                    items.push(v);
                } else {
                    more = true;
                }
                if let Next::End = self.next(b']')? {
                    break;
                }
            }
        }
        if !want {
            return Some(Value::Null);
        }
        if more {
            items.push(Value::Null);
        }
        Some(Value::Array(items))
    }

    fn skip_array(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.i = self.i.saturating_add(1);
        if self.empty(b']') {
            return Some(());
        }
        let inner = depth.saturating_add(1);
        loop {
            self.skip(inner)?;
            if let Next::End = self.next(b']')? {
                return Some(());
            }
        }
    }

    /// The next key of an object (at its quote), checked against the keys
    /// before it (`start`: where this object's keys begin in `keys`;
    /// `many`: them all, hashed, once there are many), and the `:` after.
    /// The key itself when `want`ed (an empty one otherwise).
    fn key(
        &mut self,
        start: usize,
        many: &mut Option<HashSet<Cow<'a, str>>>,
        want: bool,
    ) -> Option<Cow<'a, str>> {
        if self.peek() != Some(b'"') {
            return None;
        }
        let at = self.i;
        let escaped = self.string()?;
        let raw = self.text.get(at..self.i)?;
        let key = if escaped {
            Cow::Owned(serde_json::from_str::<String>(raw).ok()?)
        } else {
            Cow::Borrowed(raw.get(1..raw.len().saturating_sub(1))?)
        };
        let kept = if want { key.clone() } else { Cow::Borrowed("") };
        // A key given twice: serde words and places the error.
        match many {
            Some(set) => {
                if !set.insert(key) {
                    return None;
                }
            }
            None => {
                let t = tag(&key);
                let tags = self.tags.get(start..).unwrap_or_default();
                // All compared, no early exit: the loop vectorizes.
                let hit = tags.iter().fold(false, |hit, &st| hit | (st == t));
                if hit {
                    let seen = self.keys.get(start..).unwrap_or_default();
                    if tags.iter().zip(seen).any(|(&st, sk)| st == t && *sk == key) {
                        return None;
                    }
                }
                let n = tags.len();
                self.tags.push(t);
                self.keys.push(key);
                if n >= FEW_KEYS {
                    self.tags.truncate(start);
                    *many = Some(self.keys.drain(start..).collect());
                }
            }
        }
        self.blank();
        if self.peek() != Some(b':') {
            return None;
        }
        self.i = self.i.saturating_add(1);
        self.blank();
        Some(kept)
    }

    /// An object read for the shape (see [`Scan::array`]).
    fn object(&mut self, depth: usize, want: bool) -> Option<Value> {
        if depth >= MAX_DEPTH {
            return None;
        }
        if !self.keep(depth) {
            return self.skip_object(depth).map(|()| Value::Null);
        }
        self.i = self.i.saturating_add(1);
        let limit = match depth {
            0 => SHAPE_ROOT_KEYS,
            1 => SHAPE_CHILD_KEYS,
            _ => SHAPE_KEYS,
        };
        let mut object = serde_json::Map::new();
        let mut more = false;
        let start = self.keys.len();
        let mut many = None;
        let inner = depth.saturating_add(1);
        let out = (|| {
            if self.empty(b'}') {
                return Some(());
            }
            loop {
                let keep = want && object.len() < limit;
                let key = self.key(start, &mut many, keep)?;
                if depth == 0 {
                    self.entry = SHAPE_ENTRY_BUDGET;
                }
                let v = self.value(inner, keep)?;
                if keep {
                    object.insert(key.into_owned(), v);
                } else {
                    more = true;
                }
                if let Next::End = self.next(b'}')? {
                    return Some(());
                }
            }
        })();
        self.keys.truncate(start);
        self.tags.truncate(start);
        out?;
        if !want {
            return Some(Value::Null);
        }
        if more {
            object.insert(SHAPE_MORE.to_owned(), Value::Null);
        }
        Some(Value::Object(object))
    }

    fn skip_object(&mut self, depth: usize) -> Option<()> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.i = self.i.saturating_add(1);
        let start = self.keys.len();
        let mut many = None;
        let inner = depth.saturating_add(1);
        let out = (|| {
            if self.empty(b'}') {
                return Some(());
            }
            loop {
                self.key(start, &mut many, false)?;
                self.skip(inner)?;
                if let Next::End = self.next(b'}')? {
                    return Some(());
                }
            }
        })();
        self.keys.truncate(start);
        self.tags.truncate(start);
        out
    }
}

// The shared corpus, for the test that compares both paths on it.
#[cfg(test)]
#[path = "../../../../tests/support/corpus.rs"]
mod test_corpus;

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )]
    use super::*;
    use crate::document::serde_shape;
    use serde_json::json;

    /// The fast path agrees with serde: when it answers, serde accepts the
    /// document and builds the same shape. Returns whether it answered.
    fn agrees(text: &str) -> bool {
        match shape(text) {
            Some(v) => {
                let reference = serde_shape(text);
                assert!(reference.is_ok(), "fast accepted {text:?}: {reference:?}");
                assert_eq!(v, reference.unwrap(), "{text:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn well_formed_documents_take_the_fast_path() {
        let wide: serde_json::Map<_, _> = (0..300)
            .map(|i| {
                (
                    format!("k{i}"),
                    json!({"a": [{"b": {"c": {"d": [1, {"e": 2}]}}}]}),
                )
            })
            .collect();
        let items: Vec<_> = (0..5000)
            .map(|i| json!({"i": i, "s": "x".repeat(i % 300), "l": [i, -(i as i64), 0.5, null, true]}))
            .collect();
        let docs = [
            json!(null),
            json!(-0),
            json!("s"),
            json!([]),
            json!({}),
            json!({"version": "2.1.0", "runs": [{"results": items.clone()}]}),
            json!({"a": items, "b": {"c": wide.clone()}}),
            serde_json::Value::Object(wide),
            json!({"esc": "a\"b\\c\n\t\u{1}é😀", "\u{e9}": 1, "e\"k": [1.5e10, -2, 18446744073709551615u64]}),
        ];
        for doc in docs {
            for text in [doc.to_string(), serde_json::to_string_pretty(&doc).unwrap()] {
                assert!(agrees(&text), "{}", &text[..text.len().min(200)]);
            }
        }
        for text in [
            " {\"a\" : [ 1 , 2 ] }\r\n\t",
            "[1e5, 1E+05, -0.0, 0.25e-3, 123456789012345678901234567890]",
            r#"{"a":"\u0041\u00e9\u20ac\/"}"#,
            r#"{"a":1,"\u0062":2}"#,
        ] {
            assert!(agrees(text), "{text}");
        }
    }

    #[test]
    fn the_serde_path_decides_the_rest() {
        for text in [
            "",
            "  ",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "[01]",
            "[1.]",
            "[.5]",
            "[-]",
            "[1e]",
            "[1e999]",
            "[1e-999]",
            "[tru]",
            "[nul]",
            "\"a",
            "\"\\x\"",
            "\"\\u12\"",
            "\"\\u+123\"",
            "\"\\ud83d\\ude00\"",
            "\"\\udc00\"",
            "\"a\u{1}\"",
            "[1] 2",
            "{\"a\":1,\"a\":2}",
            "{\"a\":1,\"\\u0061\":2}",
            "{\"x\":{\"k\":1,\"k\":1}}",
            &format!("{}1{}", "[".repeat(150), "]".repeat(150)),
        ] {
            assert!(shape(text).is_none(), "{text}");
        }
        // A duplicate past the short list of keys is still found.
        let keys: String = (0..100).map(|i| format!("\"k{i}\":{i},")).collect();
        assert!(shape(&format!("{{{keys}\"k50\":0}}")).is_none());
        assert!(agrees(&format!("{{{keys}\"k100\":0}}")));
    }

    fn files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files(&p, out);
            } else {
                out.push(p);
            }
        }
    }

    /// Every JSON document of our fixtures and of the corpus (when it is
    /// there) gets the serde shape by the fast path, or goes the serde way.
    #[test]
    fn every_real_json_document_agrees() {
        let mut all = Vec::new();
        files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
            &mut all,
        );
        if let Some(corpus) = super::test_corpus::corpus_or_skip() {
            files(&corpus, &mut all);
        }
        let mut fast = 0;
        for p in all {
            let Ok(bytes) = std::fs::read(&p) else {
                continue;
            };
            let Ok(text) = crate::document::decode("f", &bytes) else {
                continue;
            };
            if !text.trim_start().starts_with(['{', '[']) {
                continue;
            }
            if agrees(&text) {
                fast += 1;
            } else if serde_shape(&text).is_ok() {
                // Of real documents, only surrogate escapes go the serde
                // way (no real number or nesting is near the edges).
                let lower = text.to_ascii_lowercase();
                assert!(
                    lower.contains("\\ud8")
                        || lower.contains("\\ud9")
                        || lower.contains("\\uda")
                        || lower.contains("\\udb"),
                    "{} is well-formed but missed the fast path",
                    p.display()
                );
            }
        }
        assert!(fast > 10, "{fast}");
    }

    /// splitmix64: the same documents on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
    }

    /// A random document's text: nesting, repeated and escaped keys,
    /// escapes, numbers of every kind, random blanks.
    fn doc(r: &mut Rng, depth: usize, out: &mut String) {
        let blank = |r: &mut Rng, out: &mut String| {
            for _ in 0..r.below(3) {
                out.push([' ', '\n', '\t', '\r'][r.below(4)]);
            }
        };
        blank(r, out);
        match if depth > 6 { r.below(4) } else { r.below(7) } {
            0 => out.push_str(["true", "false", "null"][r.below(3)]),
            1 => out.push_str(
                [
                    "0",
                    "-0",
                    "12",
                    "-7",
                    "3.25",
                    "1e3",
                    "-2.5E-7",
                    "18446744073709551616",
                    "-9223372036854775809",
                    "1e308",
                    "0.1",
                ][r.below(11)],
            ),
            2 | 3 => {
                out.push('"');
                for _ in 0..r.below(12) {
                    out.push_str(
                        [
                            "a", "é", "\\n", "\\\"", "\\u0041", "\\u00e9", " ", "😀", "\\/", "k",
                        ][r.below(10)],
                    );
                }
                out.push('"');
            }
            4 => {
                out.push('[');
                for i in 0..r.below(5) {
                    if i > 0 {
                        out.push(',');
                    }
                    doc(r, depth + 1, out);
                }
                blank(r, out);
                out.push(']');
            }
            _ => {
                out.push('{');
                for i in 0..r.below(6) {
                    if i > 0 {
                        out.push(',');
                    }
                    blank(r, out);
                    out.push_str(["\"a\"", "\"b\"", "\"\\u0061\"", "\"c\"", "\"d\""][r.below(5)]);
                    blank(r, out);
                    out.push(':');
                    doc(r, depth + 1, out);
                }
                blank(r, out);
                out.push('}');
            }
        }
        blank(r, out);
    }

    #[test]
    fn random_documents_and_their_mutants_agree() {
        let mut r = Rng(13);
        let mut fast = 0;
        for _ in 0..4000 {
            let mut text = String::new();
            doc(&mut r, 0, &mut text);
            if agrees(&text) {
                fast += 1;
            }
            for _ in 0..4 {
                let mut m = text.clone().into_bytes();
                let at = r.below(m.len());
                match r.below(3) {
                    0 => m.truncate(at),
                    1 => m[at] = b"{}[],:\"\\ 0e-.x"[r.below(14)],
                    _ => {
                        m.remove(at);
                    }
                }
                if let Ok(m) = String::from_utf8(m) {
                    agrees(&m);
                }
            }
        }
        // Most generated documents are well-formed without a repeated key.
        assert!(fast > 1000, "{fast}");
    }
}
