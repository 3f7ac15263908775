//! YAML with line numbers: a small loader on top of `saphyr-parser`'s event
//! stream that writes each document as compact JSON text and remembers
//! where things start. No value tree is built: a document costs about its
//! JSON text, and a stream is read one document at a time ([`Stream`]).
//!
//! Semantics:
//! - YAML 1.2 core schema for plain scalars (`null`/`~`/empty, `true`/`false`
//!   in three casings, decimal/`0o`/`0x` integers, decimals with exponent);
//!   `yes`/`no`/`on`/`off` stay strings. `.inf`/`.nan` stay strings (JSON has
//!   no such numbers). Quoted and block scalars are always strings.
//! - `!!str`, `!!int`, `!!float`, `!!bool`, `!!null` are honoured; other tags
//!   are ignored unless CloudFormation mode turns the short intrinsic tags
//!   (`!Ref X`, `!GetAtt a.b`, `!Sub ...`) into their long JSON forms.
//! - Anchors and aliases work (aliases are expanded, with a budget of values
//!   and of bytes that stops "billion laughs" documents); merge keys `<<` are
//!   applied, explicit keys win over merged ones, earlier merge sources over
//!   later ones.
//! - Non-string mapping keys become their text (`80: x` → `"80"`); complex
//!   keys become their JSON text. A key given twice in one mapping is an
//!   error.
//! - The JSON text is what `serde_json` writes for the same value: compact,
//!   object keys in sorted order (its `Map` is sorted), numbers and string
//!   escapes as it prints them.
//! - Positions: a document's `line` is where its root node starts (for a
//!   block mapping, its first key). Callers choose extra nodes whose start
//!   line is recorded, by path (`record`); for a mapping entry the line is the
//!   key's line, for a sequence item the item's.

use crate::error::ParseCode;
use crate::json::StrictMap;
use saphyr_parser::{Event, Parser, ScalarStyle, ScanError, Span, StrInput, Tag};
use serde_json::Value;
use serde_json::value::RawValue;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// One step of the path from a document's root to a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct YamlDocument {
    /// The document as compact JSON text (see the module notes); `null` for
    /// an empty document.
    pub json: String,
    /// 1-based line where the root node starts.
    pub line: u32,
    /// JSON pointers (relative to the document root) of the recorded nodes,
    /// with their 1-based start lines, in document order.
    pub lines: Vec<(String, u32)>,
}

impl YamlDocument {
    /// Whether the document is empty (or an explicit null).
    pub fn is_null(&self) -> bool {
        self.json == "null"
    }

    /// The recorded line of a node by JSON pointer.
    pub fn line_of(&self, pointer: &str) -> Option<u32> {
        self.lines
            .iter()
            .find(|(p, _)| p == pointer)
            .map(|(_, l)| *l)
    }

    /// The document as a `Value` (tests only; costs a tree).
    #[cfg(test)]
    pub fn value(&self) -> Value {
        serde_json::from_str(&self.json).unwrap_or(Value::Null)
    }
}

/// Why a YAML stream could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub code: ParseCode,
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
/// Most bytes of JSON text anchors and aliases may copy in one stream: half
/// the input plus 8 MB. Counting values alone would let a long string,
/// aliased many times, grow without bound.
fn alias_bytes(input_len: usize) -> usize {
    (input_len / 2).saturating_add(8 << 20)
}

/// The documents of a YAML stream, read one at a time: a document's JSON
/// text is built when it is asked for and belongs to the caller, so a long
/// stream never holds more than one document.
pub struct Stream<'i, 'r> {
    loader: Loader<'i, 'r>,
    done: bool,
}

impl<'i, 'r> Stream<'i, 'r> {
    /// `record` selects nodes whose line to remember.
    pub fn new(text: &'i str, options: Options, record: &'r dyn Fn(&[Seg]) -> bool) -> Self {
        Stream {
            loader: Loader {
                parser: Parser::new_from_str(text),
                anchors: HashMap::new(),
                budget: alias_budget(text.len()),
                bytes: alias_bytes(text.len()),
                options,
                path: Vec::new(),
                record,
                lines: Vec::new(),
                last: Span::default(),
                out: String::new(),
            },
            done: false,
        }
    }

    /// The next document, `None` at the end of the stream. Empty documents
    /// (nothing but comments, or an explicit null) come as `null`; callers
    /// skip them. After an error the stream is over.
    pub fn next_document(&mut self) -> Result<Option<YamlDocument>, YamlError> {
        if self.done {
            return Ok(None);
        }
        let next = self.loader.document();
        if !matches!(next, Ok(Some(_))) {
            self.done = true;
        }
        next
    }
}

/// Loads every document of a YAML stream at once (for tests: parsers read
/// a [`Stream`], one document at a time).
#[cfg(test)]
pub fn load_all(
    text: &str,
    options: Options,
    record: &dyn Fn(&[Seg]) -> bool,
) -> Result<Vec<YamlDocument>, YamlError> {
    let mut stream = Stream::new(text, options, record);
    let mut docs = Vec::new();
    while let Some(doc) = stream.next_document()? {
        docs.push(doc);
    }
    Ok(docs)
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn scan_error(e: &ScanError) -> YamlError {
    let m = e.marker();
    YamlError {
        code: ParseCode::InvalidYaml,
        line: u32_of(m.line().max(1)),
        column: u32_of(m.col().saturating_add(1)),
        message: format!("invalid yaml: {}", e.info().to_lowercase()),
    }
}

/// An anchored node: its JSON text and how many values it holds.
struct Anchor {
    json: String,
    nodes: usize,
}

struct Loader<'i, 'r> {
    parser: Parser<'i, StrInput<'i>>,
    anchors: HashMap<usize, Anchor>,
    /// Values anchors and aliases may still copy.
    budget: usize,
    /// Bytes anchors and aliases may still copy.
    bytes: usize,
    options: Options,
    path: Vec<Seg>,
    record: &'r dyn Fn(&[Seg]) -> bool,
    lines: Vec<(String, u32)>,
    last: Span,
    /// The JSON text of the document being read.
    out: String,
}

impl<'i> Loader<'i, '_> {
    fn error(&self, code: ParseCode, span: Span, message: impl Into<String>) -> YamlError {
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
                ParseCode::InvalidYaml,
                self.last,
                "invalid yaml: unexpected end of stream",
            )),
        }
    }

    /// Reads up to the next document and returns it; `None` at the end.
    fn document(&mut self) -> Result<Option<YamlDocument>, YamlError> {
        loop {
            let (ev, span) = self.next()?;
            match ev {
                Event::StreamStart | Event::Nothing | Event::DocumentEnd => {}
                Event::StreamEnd => return Ok(None),
                Event::DocumentStart(_) => {
                    self.anchors.clear();
                    self.lines.clear();
                    self.out.clear();
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::DocumentEnd) {
                        return Ok(Some(YamlDocument {
                            json: "null".into(),
                            line: u32_of(span.start.line().max(1)),
                            lines: Vec::new(),
                        }));
                    }
                    let line = u32_of(span.start.line().max(1));
                    self.node(ev, span, 0)?;
                    // The anchors' copies die with their document.
                    self.anchors.clear();
                    return Ok(Some(YamlDocument {
                        json: std::mem::take(&mut self.out),
                        line,
                        lines: std::mem::take(&mut self.lines),
                    }));
                }
                _ => {
                    return Err(self.error(
                        ParseCode::InvalidYaml,
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
                    Seg::Index(i) => {
                        let _ = write!(pointer, "{i}");
                    }
                }
            }
            self.lines.push((pointer, u32_of(line.max(1))));
        }
    }

    /// Remembers an anchored node (the text from `start` on). The copy
    /// counts against the alias budget too: nested anchors would otherwise
    /// copy a large leaf once per level.
    fn anchor(
        &mut self,
        id: usize,
        start: usize,
        nodes: usize,
        span: Span,
    ) -> Result<(), YamlError> {
        if id > 0 {
            let json = self.out.get(start..).unwrap_or("").to_string();
            self.charge(nodes, json.len(), span)?;
            self.anchors.insert(id, Anchor { json, nodes });
        }
        Ok(())
    }

    fn charge(&mut self, nodes: usize, bytes: usize, span: Span) -> Result<(), YamlError> {
        match (
            self.budget.checked_sub(nodes),
            self.bytes.checked_sub(bytes),
        ) {
            (Some(budget), Some(left)) => {
                self.budget = budget;
                self.bytes = left;
                Ok(())
            }
            _ => Err(self.error(
                ParseCode::YamlTooLarge,
                span,
                "yaml anchors and aliases copy more values than the input's size allows",
            )),
        }
    }

    /// Writes the node that starts with `ev` as JSON; returns how many
    /// values it holds (itself included).
    fn node(&mut self, ev: Event<'i>, span: Span, depth: usize) -> Result<usize, YamlError> {
        if depth > MAX_DEPTH {
            return Err(self.error(
                ParseCode::YamlTooDeep,
                span,
                format!("yaml nesting is deeper than {MAX_DEPTH} levels"),
            ));
        }
        let start = self.out.len();
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let nodes = self.scalar(&text, style, tag.as_deref());
                self.anchor(anchor, start, nodes, span)?;
                Ok(nodes)
            }
            Event::Alias(id) => {
                let Some((nodes, bytes)) = self.anchors.get(&id).map(|a| (a.nodes, a.json.len()))
                else {
                    return Err(self.error(
                        ParseCode::InvalidYaml,
                        span,
                        "invalid yaml: unknown alias",
                    ));
                };
                self.charge(nodes, bytes, span)?;
                if let Some(a) = self.anchors.get(&id) {
                    self.out.push_str(&a.json);
                }
                Ok(nodes)
            }
            Event::SequenceStart(anchor, tag) => {
                let long = self.open_tag(tag.as_deref());
                self.out.push('[');
                let mut nodes: usize = 1;
                let mut index: usize = 0;
                loop {
                    let (ev, span) = self.next()?;
                    if matches!(ev, Event::SequenceEnd) {
                        break;
                    }
                    if index > 0 {
                        self.out.push(',');
                    }
                    self.path.push(Seg::Index(index));
                    self.remember(span.start.line());
                    let item = self.node(ev, span, depth.saturating_add(1));
                    self.path.pop();
                    nodes = nodes.saturating_add(item?);
                    index = index.saturating_add(1);
                }
                self.out.push(']');
                let nodes = self.close_tag(long, nodes);
                self.anchor(anchor, start, nodes, span)?;
                Ok(nodes)
            }
            Event::MappingStart(anchor, tag) => {
                let long = self.open_tag(tag.as_deref());
                let nodes = self.mapping(depth)?;
                let nodes = self.close_tag(long, nodes);
                self.anchor(anchor, start, nodes, span)?;
                Ok(nodes)
            }
            _ => Err(self.error(
                ParseCode::InvalidYaml,
                span,
                "invalid yaml: unexpected event",
            )),
        }
    }

    /// The entries of a mapping, up to its end, as a JSON object with
    /// sorted keys.
    fn mapping(&mut self, depth: usize) -> Result<usize, YamlError> {
        self.out.push('{');
        let body = self.out.len();
        // key → where its `"key":value` text is in `out`.
        let mut entries: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        let mut merges: Vec<(String, Span)> = Vec::new();
        let mut nodes: usize = 1;
        loop {
            let (ev, kspan) = self.next()?;
            let key = match ev {
                Event::MappingEnd => break,
                Event::Scalar(text, style, kanchor, _) => {
                    let merge = style == ScalarStyle::Plain && text == "<<";
                    let key = text.into_owned();
                    if kanchor > 0 {
                        // An anchored key is a string wherever it is used.
                        let at = self.out.len();
                        push_json_str(&mut self.out, &key);
                        let stored = self.anchor(kanchor, at, 1, kspan);
                        self.out.truncate(at);
                        stored?;
                    }
                    if merge {
                        let (ev, vspan) = self.next()?;
                        let at = self.out.len();
                        self.node(ev, vspan, depth.saturating_add(1))?;
                        merges.push((self.out.split_off(at), vspan));
                        continue;
                    }
                    key
                }
                other => {
                    let at = self.out.len();
                    self.node(other, kspan, depth.saturating_add(1))?;
                    let text = self.out.split_off(at);
                    if text.starts_with('"') {
                        serde_json::from_str::<String>(&text).map_err(|_| {
                            self.error(ParseCode::InvalidYaml, kspan, "invalid yaml: bad key")
                        })?
                    } else {
                        text
                    }
                }
            };
            if !entries.is_empty() {
                self.out.push(',');
            }
            let entry = self.out.len();
            push_json_str(&mut self.out, &key);
            self.out.push(':');
            self.path.push(Seg::Key(key));
            self.remember(kspan.start.line());
            let value = match self.next() {
                Ok((ev, vspan)) => self.node(ev, vspan, depth.saturating_add(1)),
                Err(e) => Err(e),
            };
            let Some(Seg::Key(key)) = self.path.pop() else {
                return Err(self.error(ParseCode::InvalidYaml, kspan, "invalid yaml: bad key"));
            };
            let value = value?;
            // YAML forbids a key twice in one mapping; loaders that
            // keep the last one let `privileged: false` hide `true`.
            if entries.contains_key(&key) {
                return Err(self.error(
                    ParseCode::InvalidYaml,
                    kspan,
                    format!("invalid yaml: duplicate key `{key}` in a mapping"),
                ));
            }
            entries.insert(key, (entry, self.out.len()));
            nodes = nodes.saturating_add(value);
        }
        for (merge, span) in merges {
            nodes = nodes.saturating_add(self.merge(&merge, span, &mut entries)?);
        }
        // Back in sorted key order, unless written so.
        let mut sorted = true;
        let mut previous = 0;
        for (start, _) in entries.values() {
            sorted &= *start >= previous;
            previous = *start;
        }
        if !sorted {
            let text = self.out.split_off(body);
            for (i, (start, end)) in entries.values().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let range = start.saturating_sub(body)..end.saturating_sub(body);
                self.out.push_str(text.get(range).unwrap_or(""));
            }
        }
        self.out.push('}');
        Ok(nodes)
    }

    /// Adds the entries of a merge source (a mapping, or a sequence of
    /// them; anything else adds nothing) that the mapping lacks; returns how
    /// many values they hold.
    fn merge(
        &mut self,
        merge: &str,
        span: Span,
        entries: &mut BTreeMap<String, (usize, usize)>,
    ) -> Result<usize, YamlError> {
        let bad = |l: &Self| {
            l.error(
                ParseCode::InvalidYaml,
                span,
                "invalid yaml: bad merge value",
            )
        };
        let sources: Vec<&RawValue> = match merge.as_bytes().first() {
            Some(b'[') => serde_json::from_str(merge).map_err(|_| bad(self))?,
            Some(b'{') => vec![serde_json::from_str(merge).map_err(|_| bad(self))?],
            _ => Vec::new(),
        };
        let mut nodes: usize = 0;
        for source in sources {
            if !source.get().starts_with('{') {
                continue;
            }
            let StrictMap(source) =
                serde_json::from_str::<StrictMap<String, &RawValue>>(source.get())
                    .map_err(|_| bad(self))?;
            for (key, value) in source {
                if entries.contains_key(&key) {
                    continue;
                }
                if !entries.is_empty() {
                    self.out.push(',');
                }
                let entry = self.out.len();
                push_json_str(&mut self.out, &key);
                self.out.push(':');
                self.out.push_str(value.get());
                entries.insert(key, (entry, self.out.len()));
                nodes = nodes.saturating_add(count_nodes(value.get()));
            }
        }
        Ok(nodes)
    }

    /// Writes the opening of a CloudFormation short-form tag's long form
    /// (`{"Fn::Join":`), if the tag is one; returns it for [`Self::close_tag`].
    fn open_tag(&mut self, tag: Option<&Tag>) -> Option<&'static str> {
        let long = tag.and_then(|t| self.cfn_function(t))?;
        self.out.push('{');
        push_json_str(&mut self.out, long);
        self.out.push(':');
        Some(long)
    }

    fn close_tag(&mut self, long: Option<&'static str>, nodes: usize) -> usize {
        match long {
            Some(_) => {
                self.out.push('}');
                nodes.saturating_add(1)
            }
            None => nodes,
        }
    }

    /// Writes a scalar; returns how many values it is (1, or more when a
    /// CloudFormation tag wraps it).
    fn scalar(&mut self, text: &str, style: ScalarStyle, tag: Option<&Tag>) -> usize {
        match tag {
            None if style == ScalarStyle::Plain => self.plain(text),
            None => push_json_str(&mut self.out, text),
            Some(tag) if tag.is_yaml_core_schema() => match tag.suffix.as_str() {
                "int" | "float" | "bool" | "null" => self.plain(text),
                _ => push_json_str(&mut self.out, text),
            },
            Some(tag) => match self.cfn_function(tag) {
                None if style == ScalarStyle::Plain => self.plain(text),
                None => push_json_str(&mut self.out, text),
                Some(long) => {
                    self.open_tag(Some(tag));
                    let inner = match (long, text.split_once('.')) {
                        ("Fn::GetAtt", Some((resource, attribute))) => {
                            self.out.push('[');
                            push_json_str(&mut self.out, resource);
                            self.out.push(',');
                            push_json_str(&mut self.out, attribute);
                            self.out.push(']');
                            3
                        }
                        _ => push_json_str(&mut self.out, text),
                    };
                    self.close_tag(Some(long), inner)
                }
            },
        }
    }

    /// A plain scalar by the core schema: null, a boolean, a number, or
    /// else a string.
    fn plain(&mut self, text: &str) -> usize {
        match resolve_plain(text) {
            Some(v) => {
                let _ = write!(self.out, "{v}");
                1
            }
            None => push_json_str(&mut self.out, text),
        }
    }

    /// The long form of a tag, when CloudFormation mode knows it.
    fn cfn_function(&self, tag: &Tag) -> Option<&'static str> {
        if self.options.cfn_tags && tag.handle == "!" {
            cfn_function(&tag.suffix)
        } else {
            None
        }
    }
}

/// Writes `s` as a JSON string, escaped as `serde_json` escapes it; returns
/// 1 (one value).
pub(crate) fn push_json_str(out: &mut String, s: &str) -> usize {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(s.get(from..i).unwrap_or(""));
        if escape.is_empty() {
            out.push_str("\\u00");
            for nibble in [b >> 4, b & 0xf] {
                out.push(char::from(
                    HEX.get(usize::from(nibble)).copied().unwrap_or(b'0'),
                ));
            }
        } else {
            out.push_str(escape);
        }
        from = i.saturating_add(1);
    }
    out.push_str(s.get(from..).unwrap_or(""));
    out.push('"');
    1
}

/// How many values a compact JSON text holds (containers and scalars; not
/// object keys): one, plus one per comma, plus one per non-empty container.
fn count_nodes(json: &str) -> usize {
    let mut nodes: usize = 1;
    let mut in_string = false;
    let mut escaped = false;
    let mut opened = false;
    for b in json.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            continue;
        }
        let just_opened = opened;
        opened = false;
        match b {
            b'"' => in_string = true,
            b',' => nodes = nodes.saturating_add(1),
            b'{' | b'[' => opened = true,
            _ => {}
        }
        if just_opened && !matches!(b, b'}' | b']') {
            nodes = nodes.saturating_add(1);
        }
    }
    nodes
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

/// Resolves a plain scalar with the YAML 1.2 core schema: null, a boolean
/// or a number; `None` for a string.
pub fn resolve_plain(text: &str) -> Option<Value> {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = integer(text) {
        return Some(n);
    }
    if is_float(text)
        && let Ok(f) = text.parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Some(Value::Number(n));
    }
    None
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
            docs[0].value(),
            json!({"a":1,"b":-2,"c":1.5,"d":true,"e":null,"f":"yes","g":"3","h":31,"i":".inf","j":1000.0,"k":1.1,"l":"x"})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let docs = load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b, *b]\n");
        assert_eq!(
            docs[0].value(),
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
        assert_eq!(docs[1].value(), Value::Null);
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
            docs[0].value(),
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
        assert_eq!(plain[0].value(), json!({"A": "X"}));
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
            (e.code.as_str(), e.line, e.column, e.message.as_str()),
            (
                "invalid-yaml",
                3,
                3,
                "invalid yaml: duplicate key `privileged` in a mapping"
            )
        );
        // A merge key's values never clash with the mapping's own keys.
        let docs = load("base: &b {a: 1}\nm:\n  <<: *b\n  a: 2\n");
        assert_eq!(docs[0].value()["m"]["a"], 2);
    }

    #[test]
    fn non_string_keys() {
        let docs = load("80: http\ntrue: y\n? [a, b]\n: c\n");
        assert_eq!(
            docs[0].value(),
            json!({"80": "http", "true": "y", "[\"a\",\"b\"]": "c"})
        );
    }

    #[test]
    fn json_text_is_what_serde_json_writes() {
        // Escapes: every control character, quotes, backslash, DEL, non-ASCII.
        let mut all = String::new();
        for c in (0u8..0x80).map(char::from) {
            all.push(c);
        }
        all.push_str("é😀\u{2028}");
        let mut out = String::new();
        push_json_str(&mut out, &all);
        assert_eq!(out, serde_json::to_string(&all).unwrap());
        // Whole documents: the text is the compact, key-sorted form of its
        // own value, merges, tags, anchors and complex keys included.
        let texts = [
            "b: 1\na: {d: [1, 2.5, 1e3, ~], c: \"x\\ty\"}\n",
            "base: &b {z: 1, y: [a, b]}\nm:\n  <<: [*b, {w: 0}]\n  y: 3\n  a: *b\n",
            "A: !Sub x\nC: !GetAtt R.Arn\nB: !If [c, {z: 1, a: 2}, !Ref Y]\n",
            "? [b, a]\n: 1\n? {z: 1, a: 2}\n: 2\n80: x\n",
            "list: !Join\n  - ','\n  - [!Ref A, b]\nz: !Base64 {k: v}\n",
        ];
        for text in texts {
            for doc in load_all(text, Options { cfn_tags: true }, &|_| false).unwrap() {
                assert_eq!(doc.json, doc.value().to_string(), "{text}");
            }
        }
    }

    #[test]
    fn count_nodes_counts_values_not_keys() {
        for (json, n) in [
            ("1", 1),
            ("\"a,{[\"", 1),
            ("[]", 1),
            ("{}", 1),
            ("[1,2]", 3),
            ("{\"a\":1,\"b\":[]}", 3),
            ("[[],[1],{\"x,\":\"]\"}]", 6),
            ("{\"a\\\"\":{\"b\":[true,null]}}", 5),
        ] {
            assert_eq!(count_nodes(json), n, "{json}");
        }
    }

    #[test]
    fn long_string_aliased_many_times_is_refused() {
        // Few values (one per alias) but many bytes: the byte budget stops it.
        let mut text = format!("s: &s {}\nl: [", "x".repeat(100_000));
        text.push_str(&vec!["*s"; 2_000].join(", "));
        text.push_str("]\n");
        let e = load_all(&text, Options::default(), &|_| false).unwrap_err();
        assert_eq!(e.code.as_str(), "yaml-too-large");
        // A few copies are fine.
        let mut text = format!("s: &s {}\nl: [", "x".repeat(100_000));
        text.push_str(&vec!["*s"; 20].join(", "));
        text.push_str("]\n");
        assert!(load_all(&text, Options::default(), &|_| false).is_ok());
    }

    #[test]
    fn a_stream_is_read_one_document_at_a_time() {
        // The second document is broken: the first still comes, then the
        // error, then nothing.
        let text = "a: 1\n---\nb: [\n---\nc: 3\n";
        let mut stream = Stream::new(text, Options::default(), &|_| false);
        let first = stream.next_document().unwrap().unwrap();
        assert_eq!(first.json, "{\"a\":1}");
        assert_eq!(stream.next_document().unwrap_err().code, "invalid-yaml");
        assert_eq!(stream.next_document(), Ok(None));
        // Anchors do not cross documents.
        let e = load_all("a: &x 1\n---\nb: *x\n", Options::default(), &|_| false).unwrap_err();
        assert_eq!(e.message, "invalid yaml: unknown alias");
    }
}
