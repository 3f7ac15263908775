//! conftest's conventions over `regorus`:
//!
//! - rules named `deny`, `violation`, `warn` or those names followed by
//!   `_suffix` (conftest's `^(deny|violation)(_[a-zA-Z0-9]+)*$` and
//!   `^warn(_[a-zA-Z0-9]+)*$`), in the selected namespaces (packages);
//! - a rule's value is a set (or array) of messages: strings, or objects
//!   whose `msg` is a string (the other fields are kept as evidence; `id`
//!   or `rule` names the finding's rule; `_loc.line` its line);
//! - exceptions: for a rule `deny_foo`, `data.NS.exception[_][_] == "foo"`
//!   (for `deny` itself, `""`) holding drops every message of that rule
//!   for the document, as conftest does;
//! - each input document is evaluated on its own, with
//!   `data.conftest.file = {name, dir}`; or all at once (`combine`) with
//!   input `[{path, contents}]` sorted by path.
//!
//! Where conftest passes silently, gate fails closed (each is in the
//! README): a namespace no module declares, no rule to evaluate, a rule
//! value that is not a collection of messages, a message that is neither a
//! string nor an object with a string `msg`.

use crate::media::{Bundle, Input};
use gate_sdk::*;
use regorus::unstable::{Expr, Rule, RuleHead};
use regorus::{Engine, Value};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a run does with the modules.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// Judge the input documents with the deny/violation/warn rules.
    #[default]
    Evaluate,
    /// Parse the modules and data only (no input): `gate pack build`'s
    /// check; one info finding per deny/violation/warn rule, the rule
    /// catalog `gate test` measures coverage against.
    Compile,
    /// Evaluate every `test_*` rule like `opa test`: one finding per test
    /// (`rego/test`), blocking when it failed.
    Test,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RegoVersion {
    V0,
    #[default]
    V1,
}

/// The severities a finding of a Rego rule may get.
const RULE_SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Params {
    /// Rego syntax of the modules: v1 (OPA 1.x, `deny contains msg if`) or v0 (`deny[msg] { … }`), as conftest's --rego-version
    #[serde(default)]
    #[schemars(extend("default" = "v1"))]
    pub rego_version: RegoVersion,
    /// Packages whose deny/violation/warn rules are evaluated (conftest's --namespace); each must be declared by a module
    #[serde(default = "main_namespace")]
    #[schemars(length(min = 1), inner(length(min = 1)), extend("default" = ["main"]))]
    pub namespaces: Vec<String>,
    /// Evaluate every package of the modules (conftest's --all-namespaces)
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub all_namespaces: bool,
    /// One evaluation over all input documents at once: input is [{path, contents}] sorted by path (conftest's --combine)
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub combine: bool,
    /// Severity of the findings of deny and violation rules
    #[serde(default = "high")]
    #[schemars(extend("enum" = RULE_SEVERITIES, "default" = "high"))]
    pub deny_severity: String,
    /// Severity of the findings of warn rules
    #[serde(default = "medium")]
    #[schemars(extend("enum" = RULE_SEVERITIES, "default" = "medium"))]
    pub warn_severity: String,
    /// evaluate: judge the input documents; compile: parse the modules only (`gate pack build`); test: run the `test_*` rules like `opa test` (`gate test`)
    #[serde(default)]
    #[schemars(extend("default" = "evaluate", "readOnly" = true))]
    pub mode: Mode,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            rego_version: RegoVersion::V1,
            namespaces: main_namespace(),
            all_namespaces: false,
            combine: false,
            deny_severity: high(),
            warn_severity: medium(),
            mode: Mode::Evaluate,
        }
    }
}

fn main_namespace() -> Vec<String> {
    vec!["main".into()]
}
fn high() -> String {
    "high".into()
}
fn medium() -> String {
    "medium".into()
}

/// Whether a rule name is one conftest evaluates, and as what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Failure,
    Warning,
}

/// `^(deny|violation)(_[a-zA-Z0-9]+)*$` → failure, `^warn(_[a-zA-Z0-9]+)*$`
/// → warning.
pub fn kind_of(rule: &str) -> Option<Kind> {
    let suffix_ok = |rest: &str| {
        rest.is_empty()
            || rest.strip_prefix('_').is_some_and(|r| {
                r.split('_')
                    .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_alphanumeric()))
            })
    };
    for (prefix, kind) in [
        ("deny", Kind::Failure),
        ("violation", Kind::Failure),
        ("warn", Kind::Warning),
    ] {
        if let Some(rest) = rule.strip_prefix(prefix)
            && suffix_ok(rest)
        {
            return Some(kind);
        }
    }
    None
}

/// The name exceptions use for a rule: without its `deny_`/`violation_`/
/// `warn_` prefix, and empty for the bare names (conftest's
/// `removeRulePrefix`).
pub fn exception_name(rule: &str) -> &str {
    if matches!(rule, "deny" | "violation" | "warn") {
        return "";
    }
    for p in ["violation_", "deny_", "warn_"] {
        if let Some(r) = rule.strip_prefix(p) {
            return r;
        }
    }
    rule
}

/// One message a rule produced for one document.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub namespace: String,
    pub rule: String,
    pub kind: Kind,
    pub message: String,
    /// The message object's fields other than `msg` (JSON), if any.
    pub extra: Option<serde_json::Map<String, serde_json::Value>>,
}

/// What the engine found: messages per document and the exceptions that
/// applied, in document order.
#[derive(Debug, Default)]
pub struct Results {
    /// (document index, outcome); the index is into the inputs, or 0 for a
    /// combined run.
    pub messages: Vec<(usize, Outcome)>,
    /// (document index, namespace, rule) whose messages an exception removed.
    pub exceptions: Vec<(usize, String, String)>,
}

/// A loaded engine with the rules to query.
pub struct Loaded {
    pub(crate) engine: Engine,
    pub(crate) data: Vec<Value>,
    /// namespace → rule names (deduplicated, in first-declared order).
    rules: BTreeMap<String, Vec<String>>,
}

/// Parses every module and data document, and picks the rules of the
/// selected namespaces. A module that does not parse and a namespace no
/// module declares are `invalid-params` (the configuration is wrong).
pub fn load(bundle: &Bundle<'_>, params: &Params) -> Result<Loaded, PolicyError> {
    if bundle.modules.is_empty() {
        return Err(PolicyError::InvalidParams(
            "no Rego module was given: list them with `rego = [\"policy/*.rego\"]`".into(),
        ));
    }
    let mut engine = Engine::new();
    engine.set_rego_v0(params.rego_version == RegoVersion::V0);
    engine.set_gather_prints(true);
    let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (path, text) in &bundle.modules {
        let package = engine
            .add_policy((*path).to_string(), (*text).to_string())
            .map_err(|e| PolicyError::InvalidParams(module_error(path, &e)))?;
        packages
            .entry(package.trim_start_matches("data.").to_string())
            .or_default();
    }
    // Rule names per package, from the parsed modules.
    for module in engine.get_modules().iter() {
        let package = module_package(module);
        let names = packages.entry(package).or_default();
        for rule in &module.policy {
            if let Some(name) = rule_name(rule)
                && kind_of(&name).is_some()
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
    }
    let mut data = Vec::new();
    for (path, bytes) in &bundle.data {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            PolicyError::UnsupportedInput(format!("{path}: data must be UTF-8 JSON: {e}"))
        })?;
        let v = Value::from_json_str(text)
            .map_err(|e| PolicyError::UnsupportedInput(format!("{path}: data is not JSON: {e}")))?;
        if !matches!(v, Value::Object(_)) {
            return Err(PolicyError::InvalidParams(format!(
                "{path}: a data document must be an object (it is merged at the root of `data`)"
            )));
        }
        data.push(v);
    }
    let selected: Vec<String> = if params.all_namespaces {
        packages.keys().cloned().collect()
    } else {
        for (i, ns) in params.namespaces.iter().enumerate() {
            if !packages.contains_key(ns) {
                let declared: Vec<&str> = packages.keys().map(String::as_str).collect();
                return Err(params::invalid(
                    &params::pointer(["namespaces".to_string(), i.to_string()]),
                    format!(
                        "no module declares `package {ns}` (declared: {})",
                        declared.join(", ")
                    ),
                ));
            }
        }
        params.namespaces.clone()
    };
    let rules: BTreeMap<String, Vec<String>> = selected
        .into_iter()
        .filter_map(|ns| packages.get(&ns).map(|r| (ns, r.clone())))
        .collect();
    if rules.values().all(Vec::is_empty) {
        let names: Vec<&str> = rules.keys().map(String::as_str).collect();
        return Err(PolicyError::InvalidParams(format!(
            "no deny, violation or warn rule (nor deny_*, violation_*, warn_*) in {}: nothing would be judged",
            if names.is_empty() {
                "the modules".to_string()
            } else {
                format!("package {}", names.join(", "))
            }
        )));
    }
    Ok(Loaded {
        engine,
        data,
        rules,
    })
}

/// A parse error as `file:line:col: message` (regorus writes the place,
/// an excerpt and the message on separate lines).
fn module_error(path: &str, e: &impl std::fmt::Display) -> String {
    let text = one_line(&e.to_string());
    if text.starts_with(path) {
        text
    } else {
        format!("{path}: {text}")
    }
}

/// A regorus error on one line: `file:line:col: message`, with a call to a
/// function it lacks said as a missing built-in.
pub fn one_line(text: &str) -> String {
    let place = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("--> "))
        .map(str::trim);
    let message = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::trim);
    let message = match message {
        Some(m) => match m.strip_prefix("could not find function ") {
            Some(f) => format!(
                "`{f}` is not a built-in function of gate's Rego engine (the README lists the OPA built-ins it lacks): the call is an error, never undefined"
            ),
            None => m.to_string(),
        },
        None => text.split_whitespace().collect::<Vec<_>>().join(" "),
    };
    match place {
        Some(p) => format!("{p}: {message}"),
        None => message,
    }
}

pub(crate) fn module_package(module: &regorus::unstable::Module) -> String {
    let mut parts = Vec::new();
    let mut e: &Expr = &module.package.refr;
    loop {
        match e {
            Expr::RefDot { refr, field, .. } => {
                parts.push(field.0.text().to_string());
                e = refr;
            }
            Expr::RefBrack { refr, index, .. } => {
                parts.push(match &**index {
                    Expr::String { value, .. } => {
                        value.as_string().map(|s| s.to_string()).unwrap_or_default()
                    }
                    other => other.span().text().to_string(),
                });
                e = refr;
            }
            other => {
                parts.push(other.span().text().to_string());
                break;
            }
        }
    }
    parts.reverse();
    parts.join(".")
}

/// The name a rule defines: the first part of its head's reference.
pub(crate) fn rule_name(rule: &Rule) -> Option<String> {
    let refr = match rule {
        Rule::Spec { head, .. } => match head {
            RuleHead::Compr { refr, .. }
            | RuleHead::Set { refr, .. }
            | RuleHead::Func { refr, .. } => refr,
        },
        Rule::Default { refr, .. } => refr,
    };
    let mut e: &Expr = refr;
    loop {
        match e {
            Expr::RefDot { refr, .. } | Expr::RefBrack { refr, .. } => e = refr,
            Expr::Var { span, .. } => return Some(span.text().to_string()),
            _ => return None,
        }
    }
}

impl Loaded {
    /// The namespaces and rules that will be queried.
    pub fn rules(&self) -> &BTreeMap<String, Vec<String>> {
        &self.rules
    }

    /// Evaluates every selected rule on every input document (or once on
    /// all of them, combined).
    pub fn run(&mut self, inputs: &[Input<'_>], combine: bool) -> Result<Results, PolicyError> {
        let mut results = Results::default();
        if combine {
            let mut docs: Vec<(usize, &Input<'_>)> = inputs.iter().enumerate().collect();
            docs.sort_by(|a, b| a.1.path.cmp(b.1.path));
            let mut all = Vec::new();
            for (_, doc) in docs {
                let mut entry = Value::new_object();
                let map = entry.as_object_mut().map_err(internal)?;
                map.insert(Value::from("path"), Value::from(doc.path));
                map.insert(Value::from("contents"), parse_input(doc)?);
                all.push(entry);
            }
            self.check(0, Value::from(all), "Combined", &mut results)?;
        } else {
            for (i, doc) in inputs.iter().enumerate() {
                let value = parse_input(doc)?;
                self.check(i, value, doc.path, &mut results)?;
            }
        }
        Ok(results)
    }

    fn check(
        &mut self,
        index: usize,
        input: Value,
        path: &str,
        results: &mut Results,
    ) -> Result<(), PolicyError> {
        // data.conftest.file, as conftest sets it before each file (`dir`
        // is the directory as the host names the file, never absolute:
        // the sandbox has no file system to be absolute in).
        self.engine.clear_data();
        for d in &self.data {
            self.engine
                .add_data(d.clone())
                .map_err(|e| PolicyError::InvalidParams(format!("data documents conflict: {e}")))?;
        }
        let (dir, name) = path.rsplit_once('/').unwrap_or((".", path));
        let mut file = Value::new_object();
        let f = file.as_object_mut().map_err(internal)?;
        f.insert(Value::from("name"), Value::from(name));
        f.insert(Value::from("dir"), Value::from(dir));
        let mut conftest = Value::new_object();
        conftest
            .as_object_mut()
            .map_err(internal)?
            .insert(Value::from("file"), file);
        let mut root = Value::new_object();
        root.as_object_mut()
            .map_err(internal)?
            .insert(Value::from("conftest"), conftest);
        self.engine.add_data(root).map_err(|e| {
            PolicyError::InvalidParams(format!("data documents conflict with `data.conftest`: {e}"))
        })?;
        self.engine.set_input(input);

        for (ns, rules) in &self.rules {
            for rule in rules {
                let Some(kind) = kind_of(rule) else { continue };
                let query = format!(
                    "data.{ns}.exception[_][_] == {}",
                    serde_json::Value::from(exception_name(rule))
                );
                let hit = self
                    .engine
                    .eval_query(query, false)
                    .map_err(|e| eval_error(path, &e))?;
                if !hit.result.is_empty() {
                    results.exceptions.push((index, ns.clone(), rule.clone()));
                    continue;
                }
                let value = self
                    .engine
                    .eval_rule(format!("data.{ns}.{rule}"))
                    .map_err(|e| eval_error(path, &e))?;
                for message in messages(ns, rule, &value)? {
                    results.messages.push((
                        index,
                        Outcome {
                            namespace: ns.clone(),
                            rule: rule.clone(),
                            kind,
                            message: message.0,
                            extra: message.1,
                        },
                    ));
                }
            }
        }
        Ok(())
    }

    /// What `print` wrote, in order.
    pub fn prints(&mut self) -> Vec<String> {
        self.engine.take_prints().unwrap_or_default()
    }
}

type Message = (String, Option<serde_json::Map<String, serde_json::Value>>);

/// The messages of a rule's value. Undefined is none; a set or array of
/// strings and `{msg}` objects is the messages; anything else is an error
/// (conftest would pass it silently).
fn messages(ns: &str, rule: &str, value: &Value) -> Result<Vec<Message>, PolicyError> {
    let items: Vec<&Value> = match value {
        Value::Undefined => return Ok(Vec::new()),
        Value::Set(s) => s.iter().collect(),
        Value::Array(a) => a.iter().collect(),
        other => {
            return Err(PolicyError::UnsupportedInput(format!(
                "data.{ns}.{rule} is {}, not a set of messages: write `{rule} contains msg if …`",
                type_name(other)
            )));
        }
    };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::String(s) => out.push((s.to_string(), None)),
            Value::Object(_) => {
                let json = item.to_json_str().map_err(internal)?;
                let serde_json::Value::Object(mut map) =
                    serde_json::from_str(&json).map_err(internal)?
                else {
                    return Err(internal("an object did not serialize as one"));
                };
                let Some(serde_json::Value::String(msg)) = map.remove("msg") else {
                    return Err(PolicyError::UnsupportedInput(format!(
                        "data.{ns}.{rule}: a message object needs a string `msg` field: {json}"
                    )));
                };
                out.push((msg, (!map.is_empty()).then_some(map)));
            }
            other => {
                return Err(PolicyError::UnsupportedInput(format!(
                    "data.{ns}.{rule}: a message is {}, not a string or an object with `msg`",
                    type_name(other)
                )));
            }
        }
    }
    Ok(out)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Set(_) => "a set",
        Value::Object(_) => "an object",
        Value::Undefined => "undefined",
    }
}

fn parse_input(doc: &Input<'_>) -> Result<Value, PolicyError> {
    let text = std::str::from_utf8(doc.json).map_err(|e| {
        PolicyError::UnsupportedInput(format!("{}: input is not UTF-8: {e}", doc.path))
    })?;
    Value::from_json_str(text)
        .map_err(|e| PolicyError::UnsupportedInput(format!("{}: input is not JSON: {e}", doc.path)))
}

/// An evaluation error: regorus names the built-in it lacks, the rule and
/// the place (`file:line:col`).
fn eval_error(path: &str, e: &impl std::fmt::Display) -> PolicyError {
    PolicyError::Internal(format!(
        "evaluating the Rego policy on {path}: {}",
        one_line(&e.to_string())
    ))
}

pub(crate) fn internal(e: impl std::fmt::Display) -> PolicyError {
    PolicyError::Internal(e.to_string())
}

fn severity(name: &str) -> Severity {
    Severity::parse(name).unwrap_or(Severity::High)
}

/// Runs the policy: findings for every message, the outcome `fail` when a
/// deny/violation rule fired, else `warn` when a warn rule did.
pub fn evaluate(bundle: &Bundle<'_>, params: &Params) -> Result<Verdict, PolicyError> {
    if bundle.inputs.is_empty() {
        return Err(PolicyError::UnsupportedInput(
            "no input document: give the files to judge with `input = [...]` or as artifacts"
                .into(),
        ));
    }
    let mut loaded = load(bundle, params)?;
    let results = loaded.run(&bundle.inputs, params.combine)?;
    for line in loaded.prints() {
        log(LogLevel::Info, &line);
    }
    let deny = severity(&params.deny_severity);
    let warn = severity(&params.warn_severity);
    let mut failures = 0usize;
    let mut warnings = 0usize;
    let mut findings = Vec::new();
    for (index, o) in &results.messages {
        let doc = (!params.combine)
            .then(|| bundle.inputs.get(*index))
            .flatten();
        let (sev, blocking) = match o.kind {
            Kind::Failure => {
                failures += 1;
                (deny, true)
            }
            Kind::Warning => {
                warnings += 1;
                (warn, true)
            }
        };
        let named = o.extra.as_ref().and_then(|m| {
            ["id", "rule"]
                .iter()
                .find_map(|k| m.get(*k).and_then(|v| v.as_str()).map(str::to_string))
        });
        let rule = named.unwrap_or_else(|| format!("{}.{}", o.namespace, o.rule));
        let mut f = Finding::new(&rule, sev, o.message.clone()).blocking(blocking);
        let loc_line = o
            .extra
            .as_ref()
            .and_then(|m| m.get("_loc"))
            .and_then(|l| l.get("line"))
            .and_then(serde_json::Value::as_u64)
            .and_then(|l| u32::try_from(l).ok());
        if let Some(doc) = doc {
            f = f.at(doc.path, loc_line.or(doc.line));
        }
        if let Some(r) = o
            .extra
            .as_ref()
            .and_then(|m| m.get("resource"))
            .and_then(|v| v.as_str())
        {
            f = f.resource(r);
        }
        let mut evidence = serde_json::Map::new();
        if let Some(extra) = &o.extra {
            for (k, v) in extra {
                evidence.insert(k.clone(), v.clone());
            }
        }
        // The rule that fired, after the message's own fields: a message
        // field named `query` cannot move the finding to another rule.
        evidence.insert(
            "query".into(),
            format!("data.{}.{}", o.namespace, o.rule).into(),
        );
        f = f.evidence(serde_json::Value::Object(evidence).to_string());
        findings.push(f);
    }
    let exceptions = results.exceptions.len();
    let docs = if params.combine {
        1
    } else {
        bundle.inputs.len()
    };
    let mut summary = format!(
        "{} and {} in {}",
        gate_codes::wording::count(failures, "failure", "failures"),
        gate_codes::wording::count(warnings, "warning", "warnings"),
        gate_codes::wording::count(docs, "document", "documents"),
    );
    if exceptions > 0 {
        summary.push_str(&format!(
            " ({} applied)",
            gate_codes::wording::count(exceptions, "exception", "exceptions")
        ));
    }
    let outcome = if failures > 0 {
        gate_sdk::Outcome::Fail
    } else if warnings > 0 {
        gate_sdk::Outcome::Warn
    } else {
        gate_sdk::Outcome::Pass
    };
    let mut v = Verdict::new(outcome, summary);
    v.findings = findings;
    v.metrics = vec![
        Metric::new("rego-failures", failures as f64).unit("count"),
        Metric::new("rego-warnings", warnings as f64).unit("count"),
        Metric::new("rego-exceptions", exceptions as f64).unit("count"),
    ];
    Ok(v)
}
