//! Input documents as conftest builds them for Rego policies, so conftest
//! policies read the same `input`:
//!
//! - the parser is chosen by file name as conftest chooses it: `Dockerfile`,
//!   `Dockerfile.*`, `*.Dockerfile` (any case) → Dockerfile; `.yaml`/`.yml`
//!   → YAML; `.json` → JSON (a Terraform plan is JSON);
//! - a YAML stream of several documents is several inputs, evaluated one by
//!   one (empty documents are skipped), each with the line it starts on;
//! - a document whose root is an array is evaluated element by element
//!   (conftest's engine splits every `[]any` it is given);
//! - a Dockerfile is one input: the list of its instructions as
//!   `{"Cmd", "SubCmd", "JSON", "Flags", "Value", "Stage"}` objects, the
//!   shape conftest's Dockerfile parser writes (see [`dockerfile`]).
//!
//! YAML follows gate's loader (YAML 1.2 core schema: `yes`/`no` stay
//! strings, where conftest's YAML 1.1 reads them as booleans).

use crate::error::ParseCode;
use crate::iac::{dockerfile as df, yaml};
use crate::{ParseError, Position};
use serde_json::{Value, json};

/// A parser conftest would pick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Json,
    Yaml,
    Dockerfile,
}

impl Kind {
    /// The parser for a file name, as conftest picks it; `None` for a file
    /// gate does not read as Rego input (HCL, TOML, INI…).
    pub fn of(path: &str) -> Option<Kind> {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let lower = name.to_ascii_lowercase();
        if lower == "dockerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
        {
            return Some(Kind::Dockerfile);
        }
        match lower.rsplit_once('.').map(|(_, ext)| ext) {
            Some("yaml" | "yml") => Some(Kind::Yaml),
            Some("json") => Some(Kind::Json),
            _ => None,
        }
    }

    /// The name shown as the input's format.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Json => "json",
            Kind::Yaml => "yaml",
            Kind::Dockerfile => "dockerfile",
        }
    }
}

/// One input document: JSON text and the line it starts on, when known.
#[derive(Debug, Clone, PartialEq)]
pub struct InputDocument {
    pub json: String,
    pub line: Option<u32>,
}

/// The input documents of a file, as conftest evaluates them.
pub fn documents(path: &str, bytes: &[u8], kind: Kind) -> Result<Vec<InputDocument>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        ParseError::new(
            path,
            ParseCode::InvalidEncoding,
            None,
            format!("not UTF-8: {e}"),
        )
    })?;
    match kind {
        Kind::Json => json_documents(path, text),
        Kind::Yaml => yaml_documents(path, text),
        Kind::Dockerfile => Ok(vec![InputDocument {
            json: dockerfile(path, text)?.to_string(),
            line: Some(1),
        }]),
    }
}

fn json_documents(path: &str, text: &str) -> Result<Vec<InputDocument>, ParseError> {
    // An object (a plan can be megabytes) passes through as it is once it
    // is known to be JSON; only an array is taken apart.
    if !text.trim_start().starts_with('[') {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| json_error(path, &e))?;
        return Ok(vec![InputDocument {
            json: text.to_string(),
            line: None,
        }]);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| json_error(path, &e))?;
    Ok(split(value, None))
}

fn json_error(path: &str, e: &serde_json::Error) -> ParseError {
    ParseError::new(
        path,
        ParseCode::InvalidJson,
        Some(Position::LineCol {
            line: u32::try_from(e.line()).unwrap_or(u32::MAX),
            column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        }),
        format!("invalid json: {e}"),
    )
}

/// One document, or its elements when it is an array.
fn split(value: Value, line: Option<u32>) -> Vec<InputDocument> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| InputDocument {
                json: v.to_string(),
                line,
            })
            .collect(),
        v => vec![InputDocument {
            json: v.to_string(),
            line,
        }],
    }
}

fn yaml_documents(path: &str, text: &str) -> Result<Vec<InputDocument>, ParseError> {
    let record = |segs: &[yaml::Seg]| matches!(segs, [yaml::Seg::Index(_)]);
    let mut stream = yaml::Stream::new(text, yaml::Options::default(), &record);
    let mut docs = Vec::new();
    while let Some(doc) = stream.next_document().map_err(|e| {
        ParseError::new(
            path,
            e.code,
            Some(Position::LineCol {
                line: e.line,
                column: e.column,
            }),
            e.message,
        )
    })? {
        docs.push(doc);
    }
    let docs: Vec<yaml::YamlDocument> = docs.into_iter().filter(|d| !d.is_null()).collect();
    if let [one] = docs.as_slice()
        && one.json.starts_with('[')
    {
        let value: Value = serde_json::from_str(&one.json).map_err(|e| json_error(path, &e))?;
        let Value::Array(items) = value else {
            return Ok(vec![InputDocument {
                json: one.json.clone(),
                line: Some(one.line),
            }]);
        };
        return Ok(items
            .into_iter()
            .enumerate()
            .map(|(i, v)| InputDocument {
                json: v.to_string(),
                line: one.line_of(&format!("/{i}")).or(Some(one.line)),
            })
            .collect());
    }
    Ok(docs
        .into_iter()
        .map(|d| InputDocument {
            json: d.json,
            line: Some(d.line),
        })
        .collect())
}

/// A Dockerfile as conftest's parser writes it (BuildKit's parse tree):
/// `[{"Cmd", "SubCmd", "JSON", "Flags", "Value", "Stage"}]`.
///
/// - `Cmd` is the instruction in lower case; for `ONBUILD`, `SubCmd` is
///   the inner instruction (lower case) and the rest describes it;
/// - `Flags` are the leading `--name[=value]` words as written;
/// - `Value`: the exec form's array (`JSON: true`); for `RUN`, `CMD`,
///   `ENTRYPOINT`, `SHELL`, `MAINTAINER`, `USER`, `WORKDIR` and
///   `STOPSIGNAL` in shell form, the text as one string; for `ENV` and
///   `LABEL`, `key, value, "="` per pair (a legacy `ENV key value` gives
///   `key, value, ""`); for `HEALTHCHECK`, `CMD`/`NONE` then its command;
///   otherwise the whitespace-separated words;
/// - `Stage` is the 0-based index of the `FROM` the instruction follows.
///
/// Comments are not listed (conftest lists those before an instruction as
/// `{"Cmd": "comment"}`); see the README.
pub fn dockerfile(path: &str, text: &str) -> Result<Value, ParseError> {
    let mut commands = Vec::new();
    let mut froms = 0usize;
    for ins in df::instructions(text) {
        let ins = ins.map_err(|e| {
            ParseError::new(
                path,
                e.code,
                Some(Position::LineCol {
                    line: e.line,
                    column: 1,
                }),
                e.message,
            )
        })?;
        let mut cmd = ins.keyword.to_ascii_lowercase();
        if cmd == "from" {
            froms = froms.saturating_add(1);
        }
        let stage = froms.saturating_sub(1);
        let (flags, rest) = flags(&ins.value);
        let (sub, flags, rest) = if cmd == "onbuild" {
            let (word, tail) = match rest.split_once(char::is_whitespace) {
                Some((w, t)) => (w, t.trim_start()),
                None => (rest, ""),
            };
            let (inner_flags, inner_rest) = self::flags(tail);
            (word.to_ascii_lowercase(), inner_flags, inner_rest)
        } else {
            (String::new(), flags, rest)
        };
        let which = if sub.is_empty() {
            cmd.as_str()
        } else {
            sub.as_str()
        };
        let (is_json, value) = arguments(which, rest);
        commands.push(json!({
            "Cmd": std::mem::take(&mut cmd),
            "SubCmd": sub,
            "JSON": is_json,
            "Flags": flags,
            "Value": value,
            "Stage": stage,
        }));
    }
    Ok(Value::Array(commands))
}

/// Leading `--flag` words and the rest.
fn flags(value: &str) -> (Vec<String>, &str) {
    let mut out = Vec::new();
    let mut rest = value.trim_start();
    while rest.starts_with("--") {
        let (word, tail) = match rest.split_once(char::is_whitespace) {
            Some((w, t)) => (w, t.trim_start()),
            None => (rest, ""),
        };
        if word == "--" {
            break;
        }
        out.push(word.to_string());
        rest = tail;
    }
    (out, rest)
}

/// `(JSON, Value)` of an instruction's arguments.
fn arguments(cmd: &str, rest: &str) -> (bool, Vec<String>) {
    let exec = || {
        rest.trim_start()
            .starts_with('[')
            .then(|| serde_json::from_str::<Vec<String>>(rest.trim()).ok())
            .flatten()
    };
    match cmd {
        "run" | "cmd" | "entrypoint" | "shell" => match exec() {
            Some(v) => (true, v),
            None if rest.is_empty() => (false, Vec::new()),
            None => (false, vec![rest.to_string()]),
        },
        "copy" | "add" | "volume" => match exec() {
            Some(v) => (true, v),
            None => (false, rest.split_whitespace().map(str::to_string).collect()),
        },
        "maintainer" | "user" | "workdir" | "stopsignal" => (false, vec![rest.to_string()]),
        "env" | "label" => (false, name_values(rest)),
        "healthcheck" => {
            let (typ, tail) = match rest.split_once(char::is_whitespace) {
                Some((t, r)) => (t, r.trim_start()),
                None => (rest, ""),
            };
            let mut v = vec![typ.to_ascii_uppercase()];
            if typ.eq_ignore_ascii_case("cmd") {
                let (_, inner) = arguments("cmd", tail);
                v.extend(inner);
            }
            (false, v)
        }
        _ => (false, rest.split_whitespace().map(str::to_string).collect()),
    }
}

/// `ENV`/`LABEL` pairs as BuildKit lists them: `key, value, "="` per
/// `key=value` word (quotes kept as written, whitespace inside quotes kept
/// in the word); a legacy `ENV key value…` is `key, value…, ""`.
fn name_values(rest: &str) -> Vec<String> {
    let words = quoted_words(rest);
    let Some(first) = words.first() else {
        return Vec::new();
    };
    if !first.contains('=') {
        let (key, value) = match rest.split_once(char::is_whitespace) {
            Some((k, v)) => (k, v.trim_start()),
            None => (rest, ""),
        };
        return vec![key.to_string(), value.to_string(), String::new()];
    }
    let mut out = Vec::new();
    for w in words {
        let (k, v) = w.split_once('=').unwrap_or((w.as_str(), ""));
        out.push(k.to_string());
        out.push(v.to_string());
        out.push("=".to_string());
    }
    out
}

/// Whitespace-separated words; quotes (kept) group whitespace.
fn quoted_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match (quote, c) {
            (_, '\\') => {
                cur.push(c);
                escaped = true;
            }
            (Some(q), c) if c == q => {
                cur.push(c);
                quote = None;
            }
            (None, '"' | '\'') => {
                cur.push(c);
                quote = Some(c);
            }
            (None, c) if c.is_whitespace() => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            (_, c) => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_are_chosen_by_name_as_conftest_does() {
        assert_eq!(Kind::of("a/Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(Kind::of("Dockerfile.debug"), Some(Kind::Dockerfile));
        assert_eq!(Kind::of("dev.Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(Kind::of("k8s/deploy.yml"), Some(Kind::Yaml));
        assert_eq!(Kind::of("plan.json"), Some(Kind::Json));
        assert_eq!(Kind::of("main.tf"), None);
    }

    #[test]
    fn a_dockerfile_is_a_list_of_commands_with_stages() {
        let v = dockerfile(
            "Dockerfile",
            "FROM golang:1.22 AS build\nCOPY --from=x . /src\nRUN apk add \\\n    curl\nENV A=1 B=\"two words\"\nCMD [\"run\", \"it\"]\nFROM scratch\nUSER nobody\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!([
                {"Cmd": "from", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["golang:1.22", "AS", "build"], "Stage": 0},
                {"Cmd": "copy", "SubCmd": "", "JSON": false, "Flags": ["--from=x"], "Value": [".", "/src"], "Stage": 0},
                {"Cmd": "run", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["apk add     curl"], "Stage": 0},
                {"Cmd": "env", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["A", "1", "=", "B", "\"two words\"", "="], "Stage": 0},
                {"Cmd": "cmd", "SubCmd": "", "JSON": true, "Flags": [], "Value": ["run", "it"], "Stage": 0},
                {"Cmd": "from", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["scratch"], "Stage": 1},
                {"Cmd": "user", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["nobody"], "Stage": 1},
            ])
        );
    }

    #[test]
    fn yaml_streams_are_one_input_per_document_with_its_line() {
        let docs = documents(
            "k.yaml",
            b"a: 1\n---\n# c\n---\nkind: Service\nb: [1]\n",
            Kind::Yaml,
        )
        .unwrap();
        assert_eq!(
            docs,
            vec![
                InputDocument {
                    json: r#"{"a":1}"#.into(),
                    line: Some(1)
                },
                InputDocument {
                    json: r#"{"b":[1],"kind":"Service"}"#.into(),
                    line: Some(5)
                },
            ]
        );
        let arr = documents("a.json", b"[{\"x\":1},2]", Kind::Json).unwrap();
        assert_eq!(arr.len(), 2);
        let err = documents("b.yaml", b"a: [\n", Kind::Yaml).unwrap_err();
        assert_eq!(err.code, ParseCode::InvalidYaml);
    }
}
