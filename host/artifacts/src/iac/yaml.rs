//! YAML with line numbers: a small loader on top of `saphyr-parser`'s event
//! stream that builds `serde_json::Value`s and remembers where things start.
//!
//! Semantics:
//! - YAML 1.2 core schema for plain scalars (`null`/`~`/empty, `true`/`false`
//!   in three casings, decimal/`0o`/`0x` integers, decimals with exponent);
//!   `yes`/`no`/`on`/`off` stay strings. `.inf`/`.nan` stay strings (JSON has
//!   no such numbers). Quoted and block scalars are always strings.
//! - `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` are honoured; other tags
//!   are ignored unless CloudFormation mode turns the short intrinsic tags
//!   (`!Ref X`, `!GetAtt a.b`, `!Sub ...`) into their long JSON forms.
//! - Anchors and aliases work (aliases are expanded, with a size budget that
//!   stops "billion laughs" documents); merge keys `<<` are applied, explicit
//!   keys win over merged ones, earlier merge sources over later ones.
//! - Non-string mapping keys become their text (`80: x` → `"80"`); complex
//!   keys become their JSON text. A duplicate key keeps its last value.
//! - Positions: a document's `line` is where its root node starts (for a
//!   block mapping, its first key). Callers choose extra nodes whose start
//!   line is recorded, by path (`record`); for a mapping entry the line is the
//!   key's line, for a sequence item the item's.

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::collections::HashMap;

/// One step of the path from a document's root to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlDocument {
    pub value: Value,
    /// 1-based line where the root node starts.
    pub line: u32,
    /// JSON pointers (relative to the document root) of the recorded nodes,
    /// with their 1-based start lines, in document order.
    pub lines: Vec<(String, u32)>,
}

impl YamlDocument {
    /// The recorded line of a node by JSON pointer.
    pub fn line_of(&self, pointer: &str) -> Option<u32> {
        self.lines
            .iter()
            .find(|(p, _)| p == pointer)
            .map(|(_, l)| *l)
    }
}

/// Why a YAML stream could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub code: &'static str,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl YamlError {
    pub fn into_parse_error(self, cx: &crate::ParseContext<'_>) -> crate::ParseError {
        cx.error(
            self.code,
            Some(crate::Position::LineCol {
                line: self.line,
                column: self.column,
            }),
            self.message,
        )
    }
}

/// Loader options.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Turn CloudFormation short intrinsic tags into long forms.
    pub cfn_tags: bool,
}

/// Deepest nesting accepted (recursion guard).
const MAX_DEPTH: usize = 400;
/// Most values anchors and aliases may copy in one stream: a hundred
/// thousand plus one per 16 bytes of input, so what aliases add to memory
/// stays proportional to the input (a 556-byte "billion laughs" stops after
/// about 10 MB, not 400 MB). Real files alias a few small defaults blocks.
fn alias_budget(input_len: usize) -> usize {
    (input_len / 16).saturating_add(100_000)
}

/// Loads every document of a YAML stream. Empty documents (nothing but
/// comments, or an explicit null) are returned with a `Null` value; callers
/// skip them. `record` selects nodes whose line to remember.
pub fn load_all(
    text: &str,
    options: Options,
    record: &dyn Fn(&[Seg]) -> bool,
) -> Result<Vec<YamlDocument>, YamlError> {
    let mut loader = Loader {
        parser: Parser::new_from_str(text),
        anchors: HashMap::new(),
        budget: alias_budget(text.len()),
        options,
        path: Vec::new(),
        record,
        lines: Vec::new(),
        last: Span::default(),
    };
    loader.stream()
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn scan_error(e: &ScanError) -> YamlError {
    let m = e.marker();
    YamlError {
        code: "invalid-yaml",
        line: u32_of(m.line().max(1)),
        column: u32_of(m.col().saturating_add(1)),
        message: format!("invalid yaml: {}", e.info().to_lowercase()),
    }
}

struct Loader<'i, 'r> {
    parser: Parser<'i, StrInput<'i>>,
    anchors: HashMap<usize, (Value, usize)>,
    budget: usize,
    options: Options,
    path: Vec<Seg>,
    record: &'r dyn Fn(&[Seg]) -> bool,
    lines: Vec<(String, u32)>,
    last: Span,
}

impl<'i> Loader<'i, '_> {
    fn error(&self, code: &'static str, span: Span, message: impl Into<String>) -> YamlError {
        YamlError {
            code,
            line: u32_of(span.start.line().max(1)),
            column: u32_of(span.start.col().saturating_add(1)),
            message: message.into(),
        }
    }

    fn next(&mut self) -> Result<(Event<'i>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok((ev, span))) => {
                self.last = span;
                Ok((ev, span))
            }
            Some(Err(e)) => Err(scan_error(&e)),
            None => Err(self.error(
                "invalid-yaml",
                self.last,
                "invalid yaml: unexpected end of stream",
            )),
        }
    }

    fn stream(&mut self) -> Result<Vec<YamlDocument>, YamlError> {
        let mut docs = Vec::new();
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(docs),
                Event::DocumentStart(_) => {
                    self.anchors.clear();
                    self.lines.clear();
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::DocumentEnd) {
                        docs.push(YamlDocument {
                            value: Value::Null,
                            line: u32_of(span.start.line().max(1)),
                            lines: Vec::new(),
                        });
                        continue;
                    }
                    let line = u32_of(span.start.line().max(1));
                    let value = self.node(ev, span, 0)?;
                    docs.push(YamlDocument {
                        value,
                        line,
                        lines: std::mem::take(&mut self.lines),
                    });
                }
                _ => {
                    return Err(self.error(
                        "invalid-yaml",
                        span,
                        "invalid yaml: unexpected event outside a document",
                    ));
                }
            }
        }
    }

    fn remember(&mut self, line: usize) {
        if (self.record)(&self.path) {
            let mut pointer = String::new();
            for seg in &self.path {
                pointer.push('/');
                match seg {
                    Seg::Key(k) => pointer.push_str(&k.replace('~', "~0").replace('/', "~1")),
                    Seg::Index(i) => pointer.push_str(&i.to_string()),
                }
            }
            self.lines.push((pointer, u32_of(line.max(1))));
        }
    }

    /// Remembers an anchored node. The copy counts against the alias budget
    /// too: nested anchors would otherwise copy a large leaf once per level.
    fn anchor(&mut self, id: usize, value: &Value, span: Span) -> Result<(), YamlError> {
        if id > 0 {
            let size = count_nodes(value);
            self.charge(size, span)?;
            self.anchors.insert(id, (value.clone(), size));
        }
        Ok(())
    }

    fn charge(&mut self, size: usize, span: Span) -> Result<(), YamlError> {
        self.budget = self.budget.checked_sub(size).ok_or_else(|| {
            self.error(
                "yaml-too-large",
                span,
                "yaml anchors and aliases copy more values than the input's size allows",
            )
        })?;
        Ok(())
    }

    fn node(&mut self, ev: Event<'i>, span: Span, depth: usize) -> Result<Value, YamlError> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                "yaml-too-deep",
                span,
                format!("yaml nesting is deeper than {MAX_DEPTH} levels"),
            ));
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let value = self.scalar(text, style, tag.as_deref());
                self.anchor(anchor, &value, span)?;
                Ok(value)
            }
            Event::Alias(id) => {
                let Some(size) = self.anchors.get(&id).map(|(_, size)| *size) else {
                    return Err(self.error("invalid-yaml", span, "invalid yaml: unknown alias"));
                };
                self.charge(size, span)?;
                match self.anchors.get(&id) {
                    Some((value, _)) => Ok(value.clone()),
                    None => Err(self.error("invalid-yaml", span, "invalid yaml: unknown alias")),
                }
            }
            Event::SequenceStart(anchor, tag) => {
                let mut items = Vec::new();
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    self.path.push(Seg::Index(items.len()));
                    self.remember(span.start.line());
                    let item = self.node(ev, span, depth.saturating_add(1));
                    self.path.pop();
                    items.push(item?);
                }
                let value = self.tagged(Value::Array(items), tag.as_deref());
                self.anchor(anchor, &value, span)?;
                Ok(value)
            }
            Event::MappingStart(anchor, tag) => {
                let mut map = Map::new();
                let mut merges: Vec<Value> = Vec::new();
                loop {
                    let (ev, kspan) = self.next()?;
                    let key = match ev {
                        Event::MappingEnd => break,
                        Event::Scalar(text, style, kanchor, _) => {
                            let merge = style == ScalarStyle::Plain && text == "<<";
                            let key = text.into_owned();
                            if kanchor > 0 {
                                self.anchor(kanchor, &Value::String(key.clone()), kspan)?;
                            }
                            if merge {
                                let (ev, vspan) = self.next()?;
                                merges.push(self.node(ev, vspan, depth.saturating_add(1))?);
                                continue;
                            }
                            key
                        }
                        other => {
                            let v = self.node(other, kspan, depth.saturating_add(1))?;
                            match v {
                                Value::String(s) => s,
                                v => v.to_string(),
                            }
                        }
                    };
                    self.path.push(Seg::Key(key));
                    self.remember(kspan.start.line());
                    let value = match self.next() {
                        Ok((ev, vspan)) => self.node(ev, vspan, depth.saturating_add(1)),
                        Err(e) => Err(e),
                    };
                    let Some(Seg::Key(key)) = self.path.pop() else {
                        return Err(self.error("invalid-yaml", kspan, "invalid yaml: bad key"));
                    };
                    let value = value?;
                    // YAML forbids a key twice in one mapping; loaders that
                    // keep the last one let `privileged: false` hide `true`.
                    if map.contains_key(&key) {
                        return Err(self.error(
                            "invalid-yaml",
                            kspan,
                            format!("invalid yaml: duplicate key `{key}` in a mapping"),
                        ));
                    }
                    map.insert(key, value);
                }
                for merge in merges {
                    let sources = match merge {
                        Value::Array(items) => items,
                        other => vec![other],
                    };
                    for source in sources {
                        if let Value::Object(src) = source {
                            for (k, v) in src {
                                map.entry(k).or_insert(v);
                            }
                        }
                    }
                }
                let value = self.tagged(Value::Object(map), tag.as_deref());
                self.anchor(anchor, &value, span)?;
                Ok(value)
            }
            _ => Err(self.error("invalid-yaml", span, "invalid yaml: unexpected event")),
        }
    }

    fn scalar(&self, text: Cow<'i, str>, style: ScalarStyle, tag: Option<&Tag>) -> Value {
        match tag {
            None if style == ScalarStyle::Plain => resolve_plain(&text),
            None => Value::String(text.into_owned()),
            Some(tag) if tag.is_yaml_core_schema() => match tag.suffix.as_str() {
                "int" | "float" | "bool" | "null" => match resolve_plain(&text) {
                    Value::String(_) => Value::String(text.into_owned()),
                    v => v,
                },
                _ => Value::String(text.into_owned()),
            },
            Some(tag) => {
                let value = if style == ScalarStyle::Plain && !self.cfn_tag(tag) {
                    resolve_plain(&text)
                } else {
                    Value::String(text.into_owned())
                };
                self.tagged(value, Some(tag))
            }
        }
    }

    fn cfn_tag(&self, tag: &Tag) -> bool {
        self.options.cfn_tags && tag.handle == "!" && cfn_function(&tag.suffix).is_some()
    }

    /// Applies a CloudFormation short-form tag, if enabled and known.
    fn tagged(&self, value: Value, tag: Option<&Tag>) -> Value {
        let Some(tag) = tag else { return value };
        if !self.cfn_tag(tag) {
            return value;
        }
        let Some(long) = cfn_function(&tag.suffix) else {
            return value;
        };
        let value = match (long, value) {
            ("Fn::GetAtt", Value::String(s)) => match s.split_once('.') {
                Some((resource, attribute)) => Value::Array(vec![
                    Value::String(resource.to_string()),
                    Value::String(attribute.to_string()),
                ]),
                None => Value::String(s),
            },
            (_, v) => v,
        };
        let mut map = Map::new();
        map.insert(long.to_string(), value);
        Value::Object(map)
    }
}

/// The long form of a CloudFormation short intrinsic tag name.
fn cfn_function(short: &str) -> Option<&'static str> {
    Some(match short {
        "Ref" => "Ref",
        "Condition" => "Condition",
        "Base64" => "Fn::Base64",
        "Cidr" => "Fn::Cidr",
        "FindInMap" => "Fn::FindInMap",
        "GetAtt" => "Fn::GetAtt",
        "GetAZs" => "Fn::GetAZs",
        "ImportValue" => "Fn::ImportValue",
        "Join" => "Fn::Join",
        "Select" => "Fn::Select",
        "Split" => "Fn::Split",
        "Sub" => "Fn::Sub",
        "Transform" => "Fn::Transform",
        "And" => "Fn::And",
        "Equals" => "Fn::Equals",
        "If" => "Fn::If",
        "Not" => "Fn::Not",
        "Or" => "Fn::Or",
        "Length" => "Fn::Length",
        "ToJsonString" => "Fn::ToJsonString",
        "ForEach" => "Fn::ForEach",
        _ => return None,
    })
}

fn count_nodes(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.iter().map(count_nodes).fold(1, usize::saturating_add),
        Value::Object(map) => map.values().map(count_nodes).fold(1, usize::saturating_add),
        _ => 1,
    }
}

/// Resolves a plain scalar with the YAML 1.2 core schema.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return n;
    }
    if is_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(text.to_string())
}

fn integer(text: &str) -> Option<Value> {
    if let Some(oct) = text.strip_prefix("0o") {
        return u64::from_str_radix(oct, 8)
            .ok()
            .filter(|_| !oct.starts_with(['+', '-']))
            .map(Value::from);
    }
    if let Some(hex) = text.strip_prefix("0x") {
        return u64::from_str_radix(hex, 16)
            .ok()
            .filter(|_| !hex.starts_with(['+', '-']))
            .map(Value::from);
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if let Ok(i) = text.parse::<i64>() {
        return Some(Value::from(i));
    }
    if let Ok(u) = digits.parse::<u64>()
        && !text.starts_with('-')
    {
        return Some(Value::from(u));
    }
    None
}

/// `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (s.get(..i).unwrap_or(""), s.get(i.saturating_add(1)..)),
        None => (s, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => (!int.is_empty() || !frac.is_empty()) && digits(int) && digits(frac),
        None => !mantissa.is_empty() && digits(mantissa),
    };
    let exponent_ok = match exponent {
        None => true,
        Some(e) => {
            let d = e.strip_prefix(['-', '+']).unwrap_or(e);
            !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())
        }
    };
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn load(text: &str) -> Vec<YamlDocument> {
        load_all(text, Options::default(), &|_| false).unwrap()
    }

    #[test]
    fn core_schema_scalars() {
        let docs = load(
            "a: 1\nb: -2\nc: 1.5\nd: true\ne: ~\nf: yes\ng: '3'\nh: 0x1f\ni: .inf\nj: 1e3\nk: 1.10\nl: \"x\"\n",
        );
        assert_eq!(
            docs[0].value,
            json!({"a":1,"b":-2,"c":1.5,"d":true,"e":null,"f":"yes","g":"3","h":31,"i":".inf","j":1000.0,"k":1.1,"l":"x"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let docs = load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n");
        assert_eq!(
            docs[0].value,
            json!({"base":{"x":1,"y":2},"other":{"x":1,"y":3},"list":[{"x":1,"y":2},{"x":1,"y":2}]})
        );
    }

    #[test]
    fn multi_documents_and_lines() {
        let text =
            "# c\n---\na: 1\n---\n# only a comment\n---\n\n\nkind: X\nitems:\n  - a: 1\n  - b: 2\n";
        let docs = load_all(
            text,
            Options::default(),
            &|p| matches!(p, [Seg::Key(k), Seg::Index(_)] if k == "items"),
        )
        .unwrap();
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].line, 3);
        assert_eq!(docs[1].value, Value::Null);
        assert_eq!(docs[2].line, 9);
        assert_eq!(
            docs[2].lines,
            vec![("/items/0".to_string(), 11), ("/items/1".to_string(), 12)]
        );
    }

    #[test]
    fn cfn_tags() {
        let text = "A: !Ref X\nB: !GetAtt R.Arn.Sub\nC: !Sub 'a-${X}'\nD: !Join [',', [a, !Ref Y]]\nE: !GetAZs ''\nF: !Equals [!Ref Env, prod]\nG: !Unknown 5\n";
        let docs = load_all(text, Options { cfn_tags: true }, &|_| false).unwrap();
        assert_eq!(
            docs[0].value,
            json!({
                "A": {"Ref": "X"},
                "B": {"Fn::GetAtt": ["R", "Arn.Sub"]},
                "C": {"Fn::Sub": "a-${X}"},
                "D": {"Fn::Join": [",", ["a", {"Ref": "Y"}]]},
                "E": {"Fn::GetAZs": ""},
                "F": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
                "G": 5
            })
        );
        // without CFN mode tags are ignored
        let plain = load("A: !Ref X\n");
        assert_eq!(plain[0].value, json!({"A": "X"}));
    }

    #[test]
    fn errors_have_positions() {
        let err = load_all("a: 1\nb: [1, 2\n", Options::default(), &|_| false).unwrap_err();
        assert_eq!(err.code, "invalid-yaml");
        assert!(err.line >= 2, "{err:?}");
        let deep = "[".repeat(1000);
        let err = load_all(&deep, Options::default(), &|_| false).unwrap_err();
        assert!(err.code == "yaml-too-deep" || err.code == "invalid-yaml");
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = load_all(&text, Options::default(), &|_| false).unwrap_err();
        assert_eq!(err.code, "yaml-too-large");
    }

    #[test]
    fn duplicate_key_in_a_mapping_is_an_error_not_the_last_one_wins() {
        let text = "spec:\n  privileged: true\n  privileged: false\n";
        let e = load_all(text, Options::default(), &|_| false).unwrap_err();
        assert_eq!(
            (e.code, e.line, e.column, e.message.as_str()),
            (
                "invalid-yaml",
                3,
                3,
                "invalid yaml: duplicate key `privileged` in a mapping"
            )
        );
        // A merge key's values never clash with the mapping's own keys.
        let docs = load("base: &b {a: 1}\nm:\n  <<: *b\n  a: 2\n");
        assert_eq!(docs[0].value["m"]["a"], 2);
    }

    #[test]
    fn non_string_keys() {
        let docs = load("80: http\ntrue: y\n? [a, b]\n: c\n");
        assert_eq!(
            docs[0].value,
            json!({"80": "http", "true": "y", "[\"a\",\"b\"]": "c"})
        );
    }
}
