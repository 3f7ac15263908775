//! Dockerfiles.
//!
//! - Parser directives (`# syntax=`, `# escape=`, `# check=`) are read at the
//!   top only; `# escape=`` ` `` switches the line-continuation character.
//! - Logical instructions join continuation lines (comment lines inside a
//!   continuation are dropped, as BuildKit does); `line`/`end_line` are the
//!   first and last physical lines. Instruction names are case-insensitive
//!   (reported upper-case). An unknown instruction (e.g. a stray `~` an
//!   editor left) is kept with an `unknown-instruction` warning, as
//!   checkov's parser does, although `docker build` refuses it.
//! - Heredocs (`RUN <<EOF`, `<<-EOF`, quoted names, several per line) are
//!   collected into `heredocs: [{name, content}]`; an unterminated one is an
//!   error.
//! - Arguments: exec (JSON) form gives `args` = the array and `json: true`;
//!   shell form gives `args` = the words (quotes removed). Leading
//!   `--flag=value` options (RUN's `--mount`, `--network`, `--security`;
//!   COPY/ADD's `--from`, `--chown`, `--chmod`, `--link`, `--checksum`;
//!   FROM's `--platform`; HEALTHCHECK's `--interval`...) go to `flags` (a
//!   bare `--flag` is `true`; a flag given several times, as `--mount` may
//!   be, has its values joined by a space, which no value contains) and are
//!   in neither `args` nor `value`: `value` is the text after the
//!   instruction name and its flags (the command of a RUN), so a flag is
//!   never read as part of the command.
//! - One resource per build stage: address/name = the `AS` name, else
//!   `stage-N` (0-based, as `COPY --from=N` counts); type `dockerfile-stage`;
//!   provider `docker`; location = the `FROM` line (end_line = the stage's
//!   last line). Attributes: `{"index", "from": {image, tag, digest,
//!   platform, raw, stage, line}, "instructions": [...], "global_args":
//!   [...]}`. `from.image` has `${ARG}` references resolved with the
//!   defaults of the `ARG`s before the first `FROM` (`raw` keeps the text);
//!   `from.stage` names an earlier stage the image refers to (`FROM build`).
//!   `instructions` excludes the `FROM` itself; `global_args` are the `ARG`s
//!   before the first `FROM`.

use super::yaml::push_json_str;
use crate::error::{ParseCode, WarningCode};
use crate::{
    Attributes, Document, IacReport, IacResource, Location, ParseContext, ParseError, Position,
};
use regex::Regex;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

const INSTRUCTIONS: [&str; 18] = [
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "MAINTAINER",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
];

/// One logical instruction.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    pub keyword: String,
    pub value: String,
    pub line: u32,
    pub end_line: u32,
    pub heredocs: Vec<(String, String)>,
}

impl Instruction {
    /// Whether the keyword is a Dockerfile instruction.
    pub fn is_known(&self) -> bool {
        INSTRUCTIONS.contains(&self.keyword.as_str())
    }
}

/// A problem reading a Dockerfile.
#[derive(Debug, Clone, PartialEq)]
pub struct DockerfileError {
    pub code: ParseCode,
    pub line: u32,
    pub message: String,
}

fn heredoc_re() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)(["']?)"#).ok())
        .as_ref()
}

fn u32_of(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The logical instructions of a Dockerfile, read one at a time (after the
/// parser directives at the top). After an error the iterator ends.
pub struct Instructions<'a> {
    lines: std::iter::Peekable<std::iter::Enumerate<std::str::Lines<'a>>>,
    escape: char,
    directives_read: bool,
    failed: bool,
}

/// Reads the parser directives and the logical instructions.
pub fn instructions(text: &str) -> Instructions<'_> {
    Instructions {
        lines: text.lines().enumerate().peekable(),
        escape: '\\',
        directives_read: false,
        failed: false,
    }
}

impl Iterator for Instructions<'_> {
    type Item = Result<Instruction, DockerfileError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let next = self.read();
        if matches!(next, Some(Err(_))) {
            self.failed = true;
        }
        next
    }
}

impl Instructions<'_> {
    /// The parser directives: `# key=value` lines at the very top.
    fn directives(&mut self) -> Result<(), DockerfileError> {
        while let Some((i, line)) = self.lines.peek() {
            let Some(body) = line.trim().strip_prefix('#') else {
                break;
            };
            let Some((key, value)) = body.split_once('=') else {
                break;
            };
            let key = key.trim().to_ascii_lowercase();
            if !matches!(key.as_str(), "syntax" | "escape" | "check") {
                break;
            }
            if key == "escape" {
                self.escape = match value.trim() {
                    "`" => '`',
                    "\\" => '\\',
                    other => {
                        return Err(DockerfileError {
                            code: ParseCode::InvalidDockerfile,
                            line: u32_of(i.saturating_add(1)),
                            message: format!("invalid escape directive `{other}`"),
                        });
                    }
                };
            }
            self.lines.next();
        }
        Ok(())
    }

    fn read(&mut self) -> Option<Result<Instruction, DockerfileError>> {
        if !self.directives_read {
            self.directives_read = true;
            if let Err(e) = self.directives() {
                return Some(Err(e));
            }
        }
        let escape = self.escape;
        while let Some((start, line)) = self.lines.next() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut joined = String::new();
            let mut current: &str = line.trim_start();
            let mut end = start;
            loop {
                let Some(stripped) = current.trim_end().strip_suffix(escape) else {
                    joined.push_str(current);
                    break;
                };
                joined.push_str(stripped);
                // the next line that is not a comment or blank continues it
                let mut next = None;
                for (at, n) in self.lines.by_ref() {
                    let t = n.trim_start();
                    if t.is_empty() || t.starts_with('#') {
                        continue;
                    }
                    next = Some(n);
                    end = at;
                    break;
                }
                match next {
                    Some(n) => current = n,
                    None => break,
                }
            }
            let joined = joined.trim();
            let (word, rest) = match joined.split_once(|c: char| c.is_whitespace()) {
                Some((w, r)) => (w, r.trim()),
                None => (joined, ""),
            };
            let keyword = word.to_ascii_uppercase();
            let mut heredocs = Vec::new();
            let inner = if keyword == "ONBUILD" {
                rest.split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_ascii_uppercase()
            } else {
                keyword.clone()
            };
            if matches!(inner.as_str(), "RUN" | "COPY" | "ADD")
                && rest.contains("<<")
                && let Some(re) = heredoc_re()
            {
                for cap in re.captures_iter(rest) {
                    let strip_tabs = cap.get(1).is_some_and(|m| m.as_str() == "-");
                    let open = cap.get(2).map_or("", |m| m.as_str());
                    let close = cap.get(4).map_or("", |m| m.as_str());
                    if open != close {
                        continue;
                    }
                    let Some(name) = cap.get(3).map(|m| m.as_str().to_string()) else {
                        continue;
                    };
                    let mut content = String::new();
                    let mut closed = false;
                    for (at, body) in self.lines.by_ref() {
                        end = at;
                        let candidate = if strip_tabs {
                            body.trim_start_matches('\t')
                        } else {
                            body
                        };
                        if candidate == name {
                            closed = true;
                            break;
                        }
                        content.push_str(candidate);
                        content.push('\n');
                    }
                    if !closed {
                        return Some(Err(DockerfileError {
                            code: ParseCode::InvalidDockerfile,
                            line: u32_of(start.saturating_add(1)),
                            message: format!("heredoc `{name}` is not terminated"),
                        }));
                    }
                    heredocs.push((name, content));
                }
            }
            return Some(Ok(Instruction {
                keyword,
                value: rest.to_string(),
                line: u32_of(start.saturating_add(1)),
                end_line: u32_of(end.saturating_add(1)),
                heredocs,
            }));
        }
        None
    }
}

/// What a forced `dockerfile` requires: the first line that is not blank or
/// a comment starts with a Dockerfile instruction. Less than detection asks,
/// so that a broken Dockerfile gets the parser's own error and its line.
pub fn starts_with_instruction(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .and_then(|l| l.split_whitespace().next())
        .is_some_and(|w| INSTRUCTIONS.iter().any(|i| i.eq_ignore_ascii_case(w)))
}

/// Content sniffing: the first instruction is `FROM`, or `ARG` with a
/// `FROM` later, and the whole text reads as a Dockerfile.
pub fn looks_like_dockerfile(text: &str) -> bool {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'));
    let Some(first) = first else { return false };
    let Some((word, rest)) = first.split_once(|c: char| c.is_whitespace()) else {
        return false;
    };
    if !(word.eq_ignore_ascii_case("FROM") || word.eq_ignore_ascii_case("ARG"))
        || rest.trim().is_empty()
        || rest.trim_start().starts_with(':')
    {
        return false;
    }
    let (mut known, mut unknown, mut from) = (0usize, 0usize, false);
    for i in instructions(text) {
        let Ok(i) = i else { return false };
        if i.is_known() {
            known = known.saturating_add(1);
        } else {
            unknown = unknown.saturating_add(1);
        }
        from |= i.keyword == "FROM";
    }
    from && unknown.saturating_mul(4) <= known
}

/// Splits shell-form arguments into words, honouring simple quotes.
fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() || any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            (None, c) => cur.push(c),
        }
    }
    if !cur.is_empty() || any {
        out.push(cur);
    }
    out
}

/// Leading `--name=value` flags (a bare `--name` has no value) and the
/// remaining text. A flag given several times (`RUN --mount=… --mount=…`)
/// keeps every value, joined by a space: a value is one whitespace-free
/// token, so the join is unambiguous.
fn split_flags(value: &str) -> (BTreeMap<&str, Option<String>>, &str) {
    let mut flags: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut rest = value.trim_start();
    while let Some(after) = rest.strip_prefix("--") {
        let (token, tail) = match after.split_once(|c: char| c.is_whitespace()) {
            Some((t, r)) => (t, r.trim_start()),
            None => (after, ""),
        };
        if token.is_empty() {
            break;
        }
        let (k, v) = match token.split_once('=') {
            Some((k, v)) => (k, Some(v)),
            None => (token, None),
        };
        let entry = flags.entry(k).or_default();
        match (entry.as_mut(), v) {
            (Some(prev), Some(v)) => {
                prev.push(' ');
                prev.push_str(v);
            }
            (None, Some(v)) => *entry = Some(v.to_string()),
            (_, None) => {}
        }
        rest = tail;
    }
    (flags, rest)
}

/// Appends `s` as a JSON string.
fn push_str(out: &mut String, s: &str) {
    push_json_str(out, s);
}

fn push_opt(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.push_str("null"),
    }
}

/// Appends an instruction's attributes object, keys in sorted order (as
/// `serde_json` writes a map): `args`, `end_line`, `flags` (if any),
/// `heredocs` (if any), `instruction`, `json`, `line`, `value` (without the
/// flags).
fn write_instruction(out: &mut String, ins: &Instruction) {
    let (flags, rest) = split_flags(&ins.value);
    let after_flags = rest;
    // `HEALTHCHECK [OPTIONS] CMD …` carries its command after `CMD`, in
    // either form: keep `CMD` as the first argument and read the rest.
    let (lead, rest) = match rest.split_once(char::is_whitespace) {
        Some((cmd, tail))
            if ins.keyword.eq_ignore_ascii_case("HEALTHCHECK")
                && cmd.eq_ignore_ascii_case("CMD") =>
        {
            (Some(cmd), tail.trim_start())
        }
        _ => (None, rest),
    };
    let exec: Option<Vec<String>> = rest
        .starts_with('[')
        .then(|| serde_json::from_str::<Vec<String>>(rest).ok())
        .flatten();
    let json_form = exec.is_some();
    let args = exec.unwrap_or_else(|| words(rest));
    out.push_str("{\"args\":[");
    for (i, arg) in lead
        .into_iter()
        .chain(args.iter().map(String::as_str))
        .enumerate()
    {
        if i > 0 {
            out.push(',');
        }
        push_str(out, arg);
    }
    let _ = write!(out, "],\"end_line\":{}", ins.end_line);
    if !flags.is_empty() {
        out.push_str(",\"flags\":{");
        for (i, (k, v)) in flags.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_str(out, k);
            out.push(':');
            match v {
                Some(v) => push_str(out, v),
                None => out.push_str("true"),
            }
        }
        out.push('}');
    }
    if !ins.heredocs.is_empty() {
        out.push_str(",\"heredocs\":[");
        for (i, (name, content)) in ins.heredocs.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"content\":");
            push_str(out, content);
            out.push_str(",\"name\":");
            push_str(out, name);
            out.push('}');
        }
        out.push(']');
    }
    out.push_str(",\"instruction\":");
    push_str(out, &ins.keyword);
    let _ = write!(
        out,
        ",\"json\":{json_form},\"line\":{},\"value\":",
        ins.line
    );
    push_str(out, after_flags);
    out.push('}');
}

/// Replaces `$NAME` and `${NAME}` (also `${NAME:-default}`) with known values.
fn substitute(s: &str, vars: &[(String, String)]) -> String {
    let lookup = |name: &str| {
        vars.iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut out = String::new();
    let mut rest = s;
    while let Some(pos) = rest.find('$') {
        out.push_str(rest.get(..pos).unwrap_or(""));
        let after = rest.get(pos.saturating_add(1)..).unwrap_or("");
        if let Some(inner) = after.strip_prefix('{')
            && let Some(close) = inner.find('}')
        {
            let expr = inner.get(..close).unwrap_or("");
            let (name, default) = match expr.split_once(":-") {
                Some((n, d)) => (n, Some(d)),
                None => (expr, None),
            };
            match lookup(name)
                .filter(|v| !v.is_empty())
                .or(default.map(str::to_string))
            {
                Some(v) => out.push_str(&v),
                None => {
                    out.push_str("${");
                    out.push_str(expr);
                    out.push('}');
                }
            }
            rest = inner.get(close.saturating_add(1)..).unwrap_or("");
            continue;
        }
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let name = after.get(..len).unwrap_or("");
        match (name.is_empty(), lookup(name)) {
            (false, Some(v)) => out.push_str(&v),
            _ => {
                out.push('$');
                out.push_str(name);
            }
        }
        rest = after.get(len..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `registry:5000/repo/name:tag@sha256:...` → (image, tag, digest).
pub fn split_image(reference: &str) -> (String, Option<String>, Option<String>) {
    let (name, digest) = match reference.split_once('@') {
        Some((n, d)) => (n, Some(d.to_string())),
        None => (reference, None),
    };
    let slash = name.rfind('/').map_or(0, |p| p.saturating_add(1));
    let last = name.get(slash..).unwrap_or(name);
    match last.rfind(':') {
        Some(colon) => {
            let split = slash.saturating_add(colon);
            (
                name.get(..split).unwrap_or(name).to_string(),
                name.get(split.saturating_add(1)..).map(str::to_string),
                digest,
            )
        }
        None => (name.to_string(), None, digest),
    }
}

fn arg_default(value: &str) -> Option<(String, String)> {
    let first = words(value).into_iter().next()?;
    match first.split_once('=') {
        Some((k, v)) => Some((k.to_string(), v.to_string())),
        None => Some((first, String::new())),
    }
}

/// The stages read so far, each as its attributes' JSON text, written as
/// the instructions come (no value tree: a long Dockerfile costs about its
/// attributes' text).
#[derive(Default)]
struct Stages {
    /// `global_args` as a JSON array; closed at the first `FROM`.
    global_args: String,
    global_count: usize,
    vars: Vec<(String, String)>,
    names: Vec<String>,
    list: Vec<Stage>,
}

struct Stage {
    name: String,
    line: u32,
    end_line: u32,
    /// `{"from":…,"global_args":…,"index":…,"instructions":[…` (open).
    attributes: String,
    instructions: usize,
}

impl Stages {
    fn step(&mut self, i: &Instruction, cx: &mut ParseContext<'_>) -> Result<(), ParseError> {
        if !i.is_known() {
            cx.warn(
                WarningCode::UnknownInstruction,
                format!(
                    "line {}: unknown instruction `{}` was kept as is",
                    i.line, i.keyword
                ),
            );
        }
        if i.keyword == "FROM" {
            return self.from(i, cx);
        }
        match self.list.last_mut() {
            Some(stage) => {
                if stage.instructions > 0 {
                    stage.attributes.push(',');
                }
                write_instruction(&mut stage.attributes, i);
                stage.instructions = stage.instructions.saturating_add(1);
                stage.end_line = i.end_line;
            }
            None if i.keyword == "ARG" => {
                if let Some(kv) = arg_default(&i.value) {
                    self.vars.push(kv);
                }
                self.global_args
                    .push(if self.global_count == 0 { '[' } else { ',' });
                write_instruction(&mut self.global_args, i);
                self.global_count = self.global_count.saturating_add(1);
            }
            None => {
                return Err(cx.error(
                    ParseCode::InvalidDockerfile,
                    Some(Position::Line(i.line)),
                    format!("`{}` before the first `FROM`", i.keyword),
                ));
            }
        }
        Ok(())
    }

    fn from(&mut self, i: &Instruction, cx: &mut ParseContext<'_>) -> Result<(), ParseError> {
        let (flags, rest) = split_flags(&i.value);
        let parts = words(rest);
        let raw = parts.first().cloned().unwrap_or_default();
        if raw.is_empty() {
            return Err(cx.error(
                ParseCode::InvalidDockerfile,
                Some(Position::Line(i.line)),
                "`FROM` needs an image",
            ));
        }
        let stage_name = match parts.as_slice() {
            [_, kw, name] if kw.eq_ignore_ascii_case("as") => Some(name.clone()),
            [_] => None,
            _ => {
                return Err(cx.error(
                    ParseCode::InvalidDockerfile,
                    Some(Position::Line(i.line)),
                    "`FROM` takes an image and an optional `AS name`",
                ));
            }
        };
        let resolved = substitute(&raw, &self.vars);
        let earlier = self
            .names
            .iter()
            .find(|n| n.eq_ignore_ascii_case(&resolved))
            .cloned();
        let (image, tag, digest) = if earlier.is_some() {
            (resolved.clone(), None, None)
        } else {
            split_image(&resolved)
        };
        let platform = flags
            .get("platform")
            .and_then(Option::as_deref)
            .map(|p| substitute(p, &self.vars));
        let index = self.list.len();
        let name = stage_name
            .clone()
            .unwrap_or_else(|| format!("stage-{index}"));
        if let Some(n) = stage_name {
            self.names.push(n);
        }
        if index == 0 {
            if self.global_count == 0 {
                self.global_args.push('[');
            }
            self.global_args.push(']');
        }
        let mut attributes = String::from("{\"from\":{\"digest\":");
        push_opt(&mut attributes, digest.as_deref());
        attributes.push_str(",\"image\":");
        push_str(&mut attributes, &image);
        let _ = write!(attributes, ",\"line\":{},\"platform\":", i.line);
        push_opt(&mut attributes, platform.as_deref());
        attributes.push_str(",\"raw\":");
        push_str(&mut attributes, &raw);
        attributes.push_str(",\"stage\":");
        push_opt(&mut attributes, earlier.as_deref());
        attributes.push_str(",\"tag\":");
        push_opt(&mut attributes, tag.as_deref());
        attributes.push_str("},\"global_args\":");
        attributes.push_str(&self.global_args);
        let _ = write!(attributes, ",\"index\":{index},\"instructions\":[");
        self.list.push(Stage {
            name,
            line: i.line,
            end_line: i.end_line,
            attributes,
            instructions: 0,
        });
        Ok(())
    }
}

pub fn parse(doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let Some(text) = doc.as_text() else {
        return Err(cx.error(
            ParseCode::InvalidDockerfile,
            None,
            "a dockerfile is not json",
        ));
    };
    let mut stages = Stages::default();
    // A broken instruction anywhere in the file is the error even when a
    // stage rule broke earlier: the file is read to its end first.
    let mut pending = None;
    for i in instructions(text) {
        let i = i.map_err(|e| cx.error(e.code, Some(Position::Line(e.line)), e.message))?;
        if pending.is_none()
            && let Err(e) = stages.step(&i, cx)
        {
            pending = Some(e);
        }
    }
    if let Some(e) = pending {
        return Err(e);
    }
    if stages.list.is_empty() {
        return Err(cx.error(
            ParseCode::InvalidDockerfile,
            None,
            "the dockerfile has no `FROM` instruction",
        ));
    }
    let resources = stages
        .list
        .into_iter()
        .map(|stage| {
            let Stage {
                name,
                line,
                end_line,
                mut attributes,
                ..
            } = stage;
            attributes.push_str("]}");
            let attributes = RawValue::from_string(attributes)
                .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))?;
            Ok(IacResource {
                address: name.clone(),
                resource_type: "dockerfile-stage".into(),
                provider: "docker".into(),
                name,
                namespace: None,
                action: None,
                attributes: Attributes::from_raw(attributes),
                location: Some(Location {
                    path: cx.name.to_string(),
                    line: Some(line),
                    end_line: Some(end_line),
                    column: None,
                }),
            })
        })
        .collect::<Result<Vec<_>, ParseError>>()?;
    Ok(IacReport { resources })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn instruction_json(ins: &Instruction) -> Value {
        let mut out = String::new();
        write_instruction(&mut out, ins);
        serde_json::from_str(&out).unwrap()
    }

    #[test]
    fn continuation_comments_and_heredocs() {
        let text = "# syntax=docker/dockerfile:1\n# escape=\\\nFROM alpine AS a\nrun apk add \\\n# comment\n    curl\nRUN <<EOF\necho hi\nEOF\nCOPY <<-A /x\n\tdata\n\tA\n";
        let ins: Vec<Instruction> = instructions(text).collect::<Result<_, _>>().unwrap();
        assert_eq!(ins.len(), 4);
        assert_eq!(ins[1].keyword, "RUN");
        assert_eq!(ins[1].value, "apk add     curl");
        assert_eq!((ins[1].line, ins[1].end_line), (4, 6));
        assert_eq!(ins[2].heredocs, vec![("EOF".into(), "echo hi\n".into())]);
        assert_eq!((ins[2].line, ins[2].end_line), (7, 9));
        assert_eq!(ins[3].heredocs, vec![("A".into(), "data\n".into())]);
    }

    #[test]
    fn backtick_escape() {
        let text = "# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n";
        let ins: Vec<Instruction> = instructions(text).collect::<Result<_, _>>().unwrap();
        assert_eq!(ins[1].value, "dir   c:\\");
        assert_eq!(ins[1].end_line, 4);
    }

    #[test]
    fn image_references() {
        assert_eq!(
            split_image("localhost:5000/a/b:1.2@sha256:x"),
            (
                "localhost:5000/a/b".into(),
                Some("1.2".into()),
                Some("sha256:x".into())
            )
        );
        assert_eq!(
            split_image("localhost:5000/a"),
            ("localhost:5000/a".into(), None, None)
        );
        assert_eq!(
            substitute("${BASE:-x}:${TAG}", &[("TAG".into(), "1".into())]),
            "x:1"
        );
    }

    #[test]
    fn healthcheck_exec_form_is_read_as_json_not_shell_words() {
        let ins = |value: &str| Instruction {
            keyword: "HEALTHCHECK".into(),
            value: value.into(),
            line: 1,
            end_line: 1,
            heredocs: Vec::new(),
        };
        let v = instruction_json(&ins(r#"--interval=5s CMD ["curl", "-f", "http://x/"]"#));
        assert_eq!(v["args"], json!(["CMD", "curl", "-f", "http://x/"]));
        assert_eq!(v["json"], json!(true));
        assert_eq!(v["flags"]["interval"], json!("5s"));
        let v = instruction_json(&ins("CMD app --health"));
        assert_eq!(v["args"], json!(["CMD", "app", "--health"]));
        assert_eq!(v["json"], json!(false));
        let v = instruction_json(&ins("NONE"));
        assert_eq!(v["args"], json!(["NONE"]));
    }

    #[test]
    fn words_and_flags() {
        assert_eq!(words("a \"b c\" 'd'"), vec!["a", "b c", "d"]);
        let (flags, rest) = split_flags("--from=build --chown=1:1 /a /b");
        assert_eq!(flags.get("from"), Some(&Some("build".to_string())));
        assert_eq!(rest, "/a /b");
        // Repeated flags keep every value; a bare flag is present without one.
        let (flags, rest) = split_flags(
            "--mount=type=secret,id=npmrc --link --mount=type=cache,target=/root/.npm npm ci --omit=dev",
        );
        assert_eq!(
            flags.get("mount"),
            Some(&Some(
                "type=secret,id=npmrc type=cache,target=/root/.npm".to_string()
            ))
        );
        assert_eq!(flags.get("link"), Some(&None));
        assert_eq!(rest, "npm ci --omit=dev");
    }

    /// A RUN's flags are not part of its `value` (the command) nor of its
    /// `args`; they are in `flags`, for every instruction that takes them.
    #[test]
    fn flags_are_separated_from_the_value() {
        let cases = [
            (
                "RUN",
                "--mount=type=cache,target=/var/cache/apt apt-get install -y curl",
                "apt-get install -y curl",
                json!({"mount": "type=cache,target=/var/cache/apt"}),
            ),
            (
                "RUN",
                "--network=none --security=insecure apt-get update",
                "apt-get update",
                json!({"network": "none", "security": "insecure"}),
            ),
            (
                "COPY",
                "--from=build --chown=app:app --chmod=0755 --link /out /app",
                "/out /app",
                json!({"from": "build", "chown": "app:app", "chmod": "0755", "link": true}),
            ),
            (
                "ADD",
                "--checksum=sha256:abc https://example.com/a.tgz /a.tgz",
                "https://example.com/a.tgz /a.tgz",
                json!({"checksum": "sha256:abc"}),
            ),
            ("RUN", "echo --not-a-flag", "echo --not-a-flag", json!(null)),
        ];
        for (kw, text, value, flags) in cases {
            let v = instruction_json(&Instruction {
                keyword: kw.into(),
                value: text.into(),
                line: 1,
                end_line: 1,
                heredocs: Vec::new(),
            });
            assert_eq!(v["value"], json!(value), "{kw} {text}");
            assert_eq!(v["flags"], flags, "{kw} {text}");
            assert_eq!(v["args"], json!(words(value)), "{kw} {text}");
        }
    }

    #[test]
    fn sniffing() {
        assert!(looks_like_dockerfile("FROM python:3.7-slim\n"));
        assert!(looks_like_dockerfile("ARG X=1\nFROM a:$X\n"));
        assert!(!looks_like_dockerfile("ARG X=1\n"));
        assert!(!looks_like_dockerfile("from: x\nkind: y\n"));
        assert!(!looks_like_dockerfile("TN:\nSF:/a.c\nDA:1,1\n"));
        assert!(!looks_like_dockerfile("mode: set\na.go:1.1,2.2 1 1\n"));
        assert!(!looks_like_dockerfile(
            "From here on we talk\nabout nothing\n"
        ));
    }
}
