//! SARIF 2.1.0 from any tool (CodeQL, Semgrep, Trivy, Grype, gitleaks,
//! checkov, ...).
//!
//! Severity, most specific first: a numeric `security-severity` property (on
//! the result, else its rule; CVSS bands, kept as `cvss`) → the result's
//! `level` → the rule's `defaultConfiguration.level` → `warning` (the spec's
//! default; `none` when the result's `kind` is not `fail`, §3.27.9). Levels
//! map `error`→high, `warning`→medium, `note`→low, `none`→info.
//!
//! Resolved: `ruleIndex`, `rule.index`/`rule.id`, rules of tool extensions
//! (`rule.toolComponent.index`), `uriBaseId` through `originalUriBaseIds`
//! (recursively), artifact `index`es, several runs, `message.id` with
//! `arguments`. `suppressions` are kept (any suppression whose status is not
//! `rejected` suppresses). Results whose `baselineState` is `absent` are gone
//! from the scanned code and are skipped.
//!
//! Decisions on broken logs: SARIF 1.x and 2.0 drafts are rejected
//! (`unsupported-version`); `runs: null` — the producer's way to say it could
//! not run (§3.13.4) — is an error (`sarif-no-runs`), never a clean report,
//! and so is a run whose `results` is absent or null (`sarif-no-results`,
//! §3.14.23: the tool produced none; a clean scan is `results: []`);
//! a run without `tool` (schema-invalid) is read with tool `unknown` and a
//! warning; out-of-range rule or artifact indexes are warnings (the rule is
//! looked up by id, the location dropped), reported once per run with the
//! JSON pointer of the first offender; error-level tool notifications and
//! `executionSuccessful: false` are warnings. A `results` that is not an
//! array, a result that is not an object or an unknown `level` are errors.

use super::{check_id, fingerprint, optional_str, pointer};
use crate::error::{ParseCode, WarningCode};
use crate::json::{self, Arr, First, Key, Leaf, Lean, Map, Obj, Slot, Stop, StrOrStrs, Strs, each};
use crate::model::{FindingCategory, Location, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let schema = o
        .get("$schema")
        .and_then(Value::as_str)
        .is_some_and(|s| s.to_ascii_lowercase().contains("sarif"));
    let runs = o.get("runs").is_some_and(|r| r.is_array() || r.is_null());
    let version = o
        .get("version")
        .and_then(Value::as_str)
        .is_some_and(|s| s.starts_with("1.") || s.starts_with("2."));
    schema || (runs && version)
}

/// A `message` or a `multiformatMessageString`: its `text` if the key is
/// there (a non-string `text` gives none), else its `markdown`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Text<'a> {
    #[serde(borrow)]
    text: Slot<Leaf<'a>>,
    #[serde(borrow)]
    markdown: Leaf<'a>,
}

impl Text<'_> {
    fn get(&self) -> Option<&str> {
        match &self.text {
            Slot::Here(t) => t.as_str(),
            Slot::Absent => self.markdown.as_str(),
        }
    }
}

fn text(v: Option<&Text<'_>>) -> Option<String> {
    v?.get().map(str::to_string)
}

fn level_severity(level: &str) -> Option<Severity> {
    Some(match level {
        "error" => Severity::High,
        "warning" => Severity::Medium,
        "note" => Severity::Low,
        "none" => Severity::Info,
        _ => return None,
    })
}

/// The `security-severity` property: `Ok(None)` when absent, `Err(())`
/// when it is not a number from 0 to 10 (GitHub's definition). Real tools
/// write other things there (semgrep 1.69 writes labels such as `MEDIUM`),
/// so a bad value is a warning and the severity falls back to `level`.
fn security_severity(props: &Props<'_>) -> Result<Option<f64>, ()> {
    let Slot::Here(v) = &props.security_severity else {
        return Ok(None);
    };
    match v {
        Leaf::Str(s) => s.trim().parse::<f64>().ok(),
        Leaf::Num(_) => v.as_f64(),
        _ => None,
    }
    .filter(|f: &f64| f.is_finite() && (0.0..=10.0).contains(f))
    .map(Some)
    .ok_or(())
}

/// A message argument as it is substituted: a string's text, any other
/// value's compact JSON.
fn argument(raw: &RawValue) -> String {
    json::raw_str(raw).map_or_else(|| json::raw_display(raw), Cow::into_owned)
}

/// `{0}`-style placeholders replaced by the message's `arguments` (the
/// template itself when there is nothing to replace: no copy).
fn substitute(template: String, args: &[&RawValue]) -> String {
    if args.is_empty() || !template.contains('{') {
        return template;
    }
    let mut out = template;
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), &argument(a));
    }
    out
}

/// CVE and GHSA ids mentioned in a rule id such as `BDSA-2020-1001
/// (CVE-2020-11022)` or grype's `CVE-2008-0732-geronimo-jms_1.1_spec`.
fn advisory_ids(s: &str) -> Vec<String> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:CVE-\d{4}-\d{4,}|GHSA(?:-[0-9a-z]{4}){3})\b").ok()
    });
    // Every match holds `cve-` or `gh`, in ASCII whatever its case (the
    // other letters' Unicode case variants, `ſ` and the Kelvin sign, are
    // not in these two): most rule ids skip the regex.
    if !contains_ignore_ascii_case(s, "cve-") && !contains_ignore_ascii_case(s, "gh") {
        return Vec::new();
    }
    let Some(re) = RE.as_ref() else {
        return Vec::new();
    };
    re.find_iter(s)
        .map(|m| {
            let id = m.as_str();
            match id.get(..5) {
                Some(p) if p.eq_ignore_ascii_case("GHSA-") => {
                    format!("GHSA-{}", id.get(5..).unwrap_or("").to_ascii_lowercase())
                }
                _ => id.to_ascii_uppercase(),
            }
        })
        .collect()
}

/// Whether `needle` (ASCII) is in `s`, ASCII case ignored: what
/// `s.to_ascii_lowercase().contains(needle)` says, without the copy.
fn contains_ignore_ascii_case(s: &str, needle: &str) -> bool {
    s.as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Tools whose non-CVE findings are configuration checks.
fn is_config_scanner(tool: &str) -> bool {
    let t = tool.to_ascii_lowercase();
    [
        "checkov",
        "tfsec",
        "kics",
        "terrascan",
        "dockle",
        "hadolint",
        "trivy",
        "kubesec",
    ]
    .iter()
    .any(|n| t.contains(n))
}

/// Counted per run and reported once, with the first offender's pointer.
#[derive(Default)]
struct Tally {
    count: usize,
    first: String,
}

impl Tally {
    fn hit(&mut self, ptr: impl FnOnce() -> String) {
        if self.count == 0 {
            self.first = ptr();
        }
        self.count = self.count.saturating_add(1);
    }
}

// ------------------------------------------------------------ the log

/// `rule.properties` (and a result's): what severity, tags and CWEs come from.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Props<'a> {
    #[serde(borrow, rename = "security-severity")]
    security_severity: Slot<Leaf<'a>>,
    #[serde(borrow)]
    tags: Strs<'a>,
    #[serde(borrow)]
    cwe: StrOrStrs<'a>,
}

/// A `reportingDescriptor` (rule), as results use it.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Rule<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow, rename = "shortDescription")]
    short_description: Obj<Text<'a>>,
    #[serde(borrow)]
    properties: Obj<Props<'a>>,
    #[serde(borrow, rename = "defaultConfiguration")]
    default_configuration: Obj<Level<'a>>,
    #[serde(borrow, rename = "messageStrings")]
    message_strings: Map<'a, Lean<Text<'a>>>,
    #[serde(borrow)]
    relationships: Arr<Lean<Relationship<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Level<'a> {
    #[serde(borrow)]
    level: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Relationship<'a> {
    #[serde(borrow)]
    target: Slot<Obj<Taxon<'a>>>,
}

/// A taxon reference (`result.taxa[]`, a relationship's `target`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Taxon<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow, rename = "toolComponent")]
    tool_component: Obj<Named<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Named<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
}

/// A rule's `id`, read alone (to index rules by id).
fn rule_id<'a>(raw: &'a RawValue) -> Option<Cow<'a, str>> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Id<'a> {
        #[serde(borrow)]
        id: Leaf<'a>,
    }
    match serde_json::from_str::<Obj<Id<'a>>>(raw.get()).map(|o| o.v.id) {
        Ok(Leaf::Str(s)) => Some(s),
        _ => None,
    }
}

/// The driver or an extension.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Component<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    rules: Arr<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Tool<'a> {
    #[serde(borrow)]
    driver: Obj<Component<'a>>,
    #[serde(borrow)]
    extensions: Arr<Lean<Component<'a>>>,
}

/// An `artifactLocation` (or an artifact's `location`, or a base id).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ArtifactLocation<'a> {
    #[serde(borrow)]
    uri: Leaf<'a>,
    #[serde(borrow, rename = "uriBaseId")]
    uri_base_id: Slot<Leaf<'a>>,
    #[serde(borrow)]
    index: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Artifact<'a> {
    #[serde(borrow)]
    location: Slot<Obj<ArtifactLocation<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Notification<'a> {
    #[serde(borrow)]
    level: Leaf<'a>,
    #[serde(borrow)]
    message: Obj<Text<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Invocation<'a> {
    #[serde(borrow, rename = "toolExecutionNotifications")]
    execution: Arr<Lean<Notification<'a>>>,
    #[serde(borrow, rename = "toolConfigurationNotifications")]
    configuration: Arr<Lean<Notification<'a>>>,
    #[serde(borrow, rename = "executionSuccessful")]
    successful: Leaf<'a>,
}

/// A run; its `results` are kept as text and read once the rest of the
/// run (rules, artifacts, base ids) is known, wherever it is written.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RunDoc<'a> {
    #[serde(borrow)]
    tool: Obj<Tool<'a>>,
    #[serde(borrow, rename = "originalUriBaseIds")]
    bases: Map<'a, Lean<ArtifactLocation<'a>>>,
    #[serde(borrow)]
    artifacts: Arr<Lean<Artifact<'a>>>,
    #[serde(borrow)]
    invocations: Arr<Lean<Invocation<'a>>>,
    #[serde(borrow)]
    results: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleRef<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    index: Leaf<'a>,
    #[serde(borrow, rename = "toolComponent")]
    tool_component: Obj<Indexed<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Indexed<'a> {
    #[serde(borrow)]
    index: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Message<'a> {
    #[serde(borrow)]
    text: Slot<Leaf<'a>>,
    #[serde(borrow)]
    markdown: Leaf<'a>,
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    arguments: Arr<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Region<'a> {
    #[serde(borrow, rename = "startLine")]
    start_line: Leaf<'a>,
    #[serde(borrow, rename = "endLine")]
    end_line: Leaf<'a>,
    #[serde(borrow, rename = "startColumn")]
    start_column: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PhysicalLocation<'a> {
    #[serde(borrow, rename = "artifactLocation")]
    artifact_location: Slot<Obj<ArtifactLocation<'a>>>,
    #[serde(borrow)]
    region: Obj<Region<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResultLocation<'a> {
    #[serde(borrow, rename = "physicalLocation")]
    physical: Slot<Obj<PhysicalLocation<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Suppression<'a> {
    #[serde(borrow)]
    status: Leaf<'a>,
}

/// One result: read, turned into a finding and dropped.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ResultDoc<'a> {
    #[serde(borrow, rename = "baselineState")]
    baseline_state: Leaf<'a>,
    #[serde(borrow, rename = "ruleIndex")]
    rule_index: Slot<Leaf<'a>>,
    #[serde(borrow)]
    rule: Obj<RuleRef<'a>>,
    #[serde(borrow, rename = "ruleId")]
    rule_id: Leaf<'a>,
    #[serde(borrow)]
    message: Obj<Message<'a>>,
    #[serde(borrow)]
    level: Slot<&'a RawValue>,
    #[serde(borrow)]
    kind: Leaf<'a>,
    #[serde(borrow)]
    properties: Obj<Props<'a>>,
    #[serde(borrow)]
    locations: First<Obj<ResultLocation<'a>>>,
    #[serde(borrow)]
    taxa: Arr<Lean<Taxon<'a>>>,
    #[serde(borrow)]
    suppressions: Arr<Lean<Suppression<'a>>>,
    #[serde(borrow)]
    fingerprints: Map<'a, &'a RawValue>,
    #[serde(borrow, rename = "partialFingerprints")]
    partial_fingerprints: Map<'a, &'a RawValue>,
}

/// What results of one run are read against.
struct Run<'r, 'a> {
    tool: String,
    /// Rules of the driver (index 0) and of each extension (index k + 1),
    /// as text: a run may list many more rules than its results use, and a
    /// rule read costs several times its text.
    components: Vec<&'r [&'a RawValue]>,
    /// Rules by id (component, index), driver first (built once: results
    /// often carry only `ruleId`).
    by_id: std::collections::HashMap<Cow<'a, str>, (usize, usize)>,
    /// The rules results used so far, read.
    /// One slot a rule, per component (a pointer each until read).
    read: Vec<Vec<std::cell::OnceCell<Box<Rule<'a>>>>>,
    bases: &'r Map<'a, Lean<ArtifactLocation<'a>>>,
    artifacts: &'r [Lean<Artifact<'a>>],
    /// The category of a finding that is no secret and names no advisory.
    config_scanner: bool,
}

impl<'a> Run<'_, 'a> {
    /// Rule `k` of component `c`, read the first time it is used.
    fn rule(&self, c: usize, k: usize) -> Option<&Rule<'a>> {
        let raw = *self.components.get(c)?.get(k)?;
        let slot = self.read.get(c)?.get(k)?;
        Some(slot.get_or_init(|| {
            // The text was checked when the document was loaded; a rule
            // that is not an object reads as one without keys.
            Box::new(
                serde_json::from_str::<Obj<Rule<'a>>>(raw.get())
                    .map(|o| o.v)
                    .unwrap_or_default(),
            )
        }))
    }

    /// `uri` made absolute (or root-relative) through its `uriBaseId` chain.
    fn resolve_uri<'u>(&self, uri: &'u str, base_id: Option<&str>) -> Cow<'u, str> {
        let mut uri = Cow::Borrowed(uri);
        let empty = ArtifactLocation::default();
        let mut base_id = base_id;
        let mut depth: usize = 0;
        while let Some(id) = base_id.take() {
            if uri.contains("://") || uri.starts_with('/') || depth > 8 {
                break;
            }
            let Some(base) = self.bases.get(id).map(|b| b.or(&empty)) else {
                // An unknown base (`%SRCROOT%` without a mapping) means "the
                // repository root" in practice: keep the relative uri.
                return uri;
            };
            if let Some(b) = base.uri.as_str().filter(|b| !b.is_empty()) {
                uri = Cow::Owned(format!("{}/{}", b.trim_end_matches('/'), uri));
            }
            base_id = slot_str(&base.uri_base_id);
            depth = depth.saturating_add(1);
        }
        uri
    }
}

/// A string field that may be absent.
fn slot_str<'s>(v: &'s Slot<Leaf<'_>>) -> Option<&'s str> {
    v.get().and_then(Leaf::as_str)
}

/// What reading the log accumulates.
struct State<'s, 'c> {
    cx: &'s mut ParseContext<'c>,
    whole: &'s str,
    out: Vec<SecurityFinding>,
    /// The root's `version`: not met yet, or met and accepted.
    version_seen: bool,
    /// The `runs` value when it came before `version`, read at the end.
    deferred_runs: Option<&'s RawValue>,
    /// Whether `runs` was there at all.
    runs_seen: bool,
    mode: Mode,
}

/// How a run's `results` are read. `Stream`: where they are met, with what
/// the run said before them (producers write `tool` and the rest first);
/// a run that names its tool, base ids, artifacts or invocations after its
/// results, or any error, has the log read again with `Keep`. `Keep`: kept
/// as text and read once the whole run is known. Both give the same
/// findings and warnings; `Stream` skips a scan of every result.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Stream,
    Keep,
}

fn invalid(name: &str, ptr: String, msg: impl Into<String>) -> ParseError {
    ParseError::new(
        name,
        ParseCode::InvalidSarif,
        Some(Position::Pointer(ptr)),
        msg,
    )
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let mark = cx.mark();
    match parse_as(text, cx, Mode::Stream) {
        Ok(findings) => Ok(findings),
        // The authoritative reading (and error), from a clean slate.
        Err(_) => {
            cx.rewind(mark);
            parse_as(text, cx, Mode::Keep)
        }
    }
}

fn parse_as(
    text: &str,
    cx: &mut ParseContext<'_>,
    mode: Mode,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut st = State {
        cx,
        whole: text,
        out: Vec::new(),
        version_seen: false,
        deferred_runs: None,
        runs_seen: false,
        mode,
    };
    let mut stop: Stop = None;
    let is_object = json::read(
        name,
        text,
        text,
        ParseCode::InvalidSarif,
        &mut stop,
        |de, stop| de.deserialize_any(RootVisitor { st: &mut st, stop }),
    )?;
    if !is_object {
        return Err(invalid(
            name,
            String::new(),
            "a sarif log must be an object",
        ));
    }
    if !st.version_seen {
        st.cx.warn(
            WarningCode::SarifNoVersion,
            "the log has no `version` (schema-invalid); read as sarif 2.1.0",
        );
    }
    if let Some(raw) = st.deferred_runs.take() {
        json::read(
            name,
            text,
            raw.get(),
            ParseCode::InvalidSarif,
            &mut stop,
            |de, stop| RunsSeed { st: &mut st, stop }.deserialize(de),
        )?;
    }
    if !st.runs_seen {
        return Err(invalid(name, "/runs".into(), "the log has no `runs`"));
    }
    Ok(st.out)
}

/// The log's root: checks `version` and reads `runs` (at once when the
/// version came first, as producers write it; else once it is known).
struct RootVisitor<'r, 's, 'c> {
    st: &'r mut State<'s, 'c>,
    stop: &'r mut Stop,
}

impl<'de: 's, 's> Visitor<'de> for RootVisitor<'_, 's, '_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a sarif log")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "version" => {
                    let raw: &RawValue = map.next_value()?;
                    if let Err(e) = check_version(self.st.cx, raw) {
                        return Err(json::stop(self.stop, e));
                    }
                    self.st.version_seen = true;
                }
                "runs" if self.st.version_seen => {
                    map.next_value_seed(RunsSeed {
                        st: self.st,
                        stop: self.stop,
                    })?;
                }
                "runs" => {
                    self.st.deferred_runs = Some(map.next_value()?);
                    self.st.runs_seen = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(true)
    }
    // Not an object.
    json::other_values!('de, false);
}

fn check_version(cx: &ParseContext<'_>, raw: &RawValue) -> Result<(), ParseError> {
    match json::raw_str(raw) {
        Some(s) if s == "2.1.0" => Ok(()),
        Some(other) => Err(cx.error(
            ParseCode::UnsupportedVersion,
            Some(Position::Pointer("/version".into())),
            format!("sarif version {other} is not supported; gate reads sarif 2.1.0"),
        )),
        None => Err(invalid(
            cx.name,
            "/version".into(),
            "`version` must be a string",
        )),
    }
}

/// The `runs` array, each run read in turn.
struct RunsSeed<'r, 's, 'c> {
    st: &'r mut State<'s, 'c>,
    stop: &'r mut Stop,
}

impl<'de: 's, 's> DeserializeSeed<'de> for RunsSeed<'_, 's, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.st.runs_seen = true;
        d.deserialize_any(self)
    }
}

impl<'de: 's, 's> Visitor<'de> for RunsSeed<'_, 's, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the runs")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let name = self.st.cx.name;
        let mut ri: usize = 0;
        loop {
            let rp = format!("/runs/{ri}");
            if self.st.mode == Mode::Stream {
                let seed = RunSeed {
                    st: &mut *self.st,
                    stop: &mut *self.stop,
                    rp: &rp,
                };
                if seq.next_element_seed(seed)?.is_none() {
                    break;
                }
            } else {
                let Some(run) = seq.next_element::<Obj<RunDoc<'de>>>()? else {
                    break;
                };
                let read = if run.is_object {
                    read_run(&run, &rp, &mut *self.st)
                } else {
                    Err(invalid(name, rp, "a run must be an object"))
                };
                if let Err(e) = read {
                    return Err(json::stop(self.stop, e));
                }
            }
            ri = ri.saturating_add(1);
        }
        if ri == 0 {
            self.st.cx.warn(
                WarningCode::SarifEmptyRuns,
                "the log has no runs: it records no analysis at all",
            );
        }
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        let e = self.st.cx.error(
            ParseCode::SarifNoRuns,
            Some(Position::Pointer("/runs".into())),
            "`runs` is null: the producer reports it could not run the analysis",
        );
        Err(json::stop(self.stop, e))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(), A::Error> {
        Err(self.not_array())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_array())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_array())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_array())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_array())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_array())
    }
}

impl RunsSeed<'_, '_, '_> {
    fn not_array<E: de::Error>(self) -> E {
        let e = invalid(self.st.cx.name, "/runs".into(), "`runs` must be an array");
        json::stop(self.stop, e)
    }
}

fn read_run<'a>(run: &RunDoc<'a>, rp: &str, st: &mut State<'_, '_>) -> Result<(), ParseError> {
    let name = st.cx.name;
    let ctx = run_context(run, rp, st.cx);
    let results = match run.results.get() {
        // §3.14.23: absent or null results mean the tool produced none (it
        // failed or was not asked to); a clean scan is `results: []`. Read
        // as "no findings" it would pass a gate on a scan that never ran.
        None => None,
        Some(raw) if json::is_null(raw) => None,
        Some(raw) => Some(*raw),
    };
    let Some(results) = results else {
        return Err(no_results(name, rp, &ctx.tool));
    };
    let mut t = Tallies::default();
    let out = &mut st.out;
    let cx = &mut *st.cx;
    let mut stop: Stop = None;
    let is_array = json::read(
        name,
        st.whole,
        results.get(),
        ParseCode::InvalidSarif,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<ResultDoc<'_>>, _>(stop, |i, r| {
                take_result(r, i, rp, &ctx, &mut t, cx, out)
            }))
        },
    )?;
    if !is_array {
        return Err(not_array(name, rp));
    }
    t.report(cx);
    Ok(())
}

/// A run's `results` absent or null.
fn no_results(name: &str, rp: &str, tool: &str) -> ParseError {
    ParseError::new(
        name,
        ParseCode::SarifNoResults,
        Some(Position::Pointer(rp.to_string())),
        format!(
            "{tool}'s run has no `results` (absent or null: the tool produced no results); a scan that found nothing writes `\"results\": []`"
        ),
    )
}

fn not_array(name: &str, rp: &str) -> ParseError {
    invalid(name, format!("{rp}/results"), "`results` must be an array")
}

/// Result `i` of a run, turned into a finding (or skipped).
fn take_result(
    r: Obj<ResultDoc<'_>>,
    i: usize,
    rp: &str,
    ctx: &Run<'_, '_>,
    t: &mut Tallies,
    cx: &mut ParseContext<'_>,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    // Built only when a warning or an error needs it.
    let ptr = || format!("{rp}/results/{i}");
    if !r.is_object {
        return Err(invalid(cx.name, ptr(), "a result must be an object"));
    }
    let mut r = r.v;
    if let Some(f) = read_result(&mut r, &ptr, ctx, t, cx)? {
        out.push(f);
    }
    Ok(())
}

/// What a run's results are read against, from the run (its tool, rules,
/// base ids, artifacts), with the warnings about the run itself.
fn run_context<'r, 'a>(run: &'r RunDoc<'a>, rp: &str, cx: &mut ParseContext<'_>) -> Run<'r, 'a> {
    let driver = &run.tool.driver;
    let tool = match driver.name.as_str() {
        Some(n) => n.to_string(),
        None => {
            cx.warn(
                WarningCode::SarifNoTool,
                format!(
                    "{rp} has no tool.driver.name (schema-invalid); tool recorded as `unknown`"
                ),
            );
            "unknown".to_string()
        }
    };
    let mut components: Vec<&[&'a RawValue]> = vec![&driver.rules];
    for ext in run.tool.extensions.iter() {
        components.push(ext.get().map_or(&[][..], |e| &e.rules[..]));
    }
    let mut by_id = std::collections::HashMap::new();
    for (c, rules) in components.iter().enumerate() {
        for (k, r) in rules.iter().enumerate() {
            if let Some(id) = rule_id(r) {
                by_id.entry(id).or_insert((c, k));
            }
        }
    }
    let ctx = Run {
        config_scanner: is_config_scanner(&tool),
        tool,
        read: components
            .iter()
            .map(|rules| rules.iter().map(|_| std::cell::OnceCell::new()).collect())
            .collect(),
        components,
        by_id,
        bases: &run.bases,
        artifacts: &run.artifacts,
    };
    let tool = ctx.tool.as_str();
    for inv in run.invocations.iter().filter_map(Lean::get) {
        for n in inv
            .execution
            .iter()
            .chain(inv.configuration.iter())
            .filter_map(Lean::get)
            .filter(|n| n.level.as_str() == Some("error"))
        {
            cx.warn(
                WarningCode::SarifToolError,
                format!("{tool}: {}", n.message.get().unwrap_or_default()),
            );
        }
        if inv.successful == Leaf::Bool(false) {
            cx.warn(
                WarningCode::SarifExecutionFailed,
                format!("{tool} reports its run did not succeed; its results may be incomplete"),
            );
        }
    }
    ctx
}

/// A run read in [`Mode::Stream`]: its members in order, its results
/// streamed where they are met.
struct RunSeed<'r, 's, 'c> {
    st: &'r mut State<'s, 'c>,
    stop: &'r mut Stop,
    rp: &'r str,
}

impl<'de: 's, 's> DeserializeSeed<'de> for RunSeed<'_, 's, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de: 's, 's> Visitor<'de> for RunSeed<'_, 's, '_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a run")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let name = self.st.cx.name;
        let rp = self.rp;
        let mut run = RunDoc::default();
        let mut streamed = false;
        // What the results are read against, met after them: read again.
        let late = |stop: &mut Stop| {
            json::stop(
                stop,
                invalid(name, rp.to_string(), "run members after its results"),
            )
        };
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "tool" | "originalUriBaseIds" | "artifacts" | "invocations" if streamed => {
                    return Err(late(self.stop));
                }
                "tool" => run.tool = map.next_value()?,
                "originalUriBaseIds" => run.bases = map.next_value()?,
                "artifacts" => run.artifacts = map.next_value()?,
                "invocations" => run.invocations = map.next_value()?,
                "results" => {
                    streamed = true;
                    let ctx = run_context(&run, rp, self.st.cx);
                    let mut t = Tallies::default();
                    let out = &mut self.st.out;
                    let cx = &mut *self.st.cx;
                    let stop = &mut *self.stop;
                    let is_array = map
                        .next_value_seed(each::<Obj<ResultDoc<'_>>, _>(stop, |i, r| {
                            take_result(r, i, rp, &ctx, &mut t, cx, out)
                        }))?;
                    // Null (or another value): `Keep` words the error.
                    if !is_array {
                        return Err(json::stop(self.stop, not_array(name, rp)));
                    }
                    t.report(cx);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        if !streamed {
            // No results: read as `Keep` reads it (an error).
            if let Err(e) = read_run(&run, rp, self.st) {
                return Err(json::stop(self.stop, e));
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        IgnoredAny.visit_seq(seq)?;
        Err(self.not_object())
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(self.not_object())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(self.not_object())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(self.not_object())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(self.not_object())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(self.not_object())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(self.not_object())
    }
}

impl RunSeed<'_, '_, '_> {
    fn not_object<E: de::Error>(self) -> E {
        let e = invalid(
            self.st.cx.name,
            self.rp.to_string(),
            "a run must be an object",
        );
        json::stop(self.stop, e)
    }
}

/// The per-run warnings' counters.
#[derive(Default)]
struct Tallies {
    bad_rule: Tally,
    no_rule: Tally,
    bad_artifact: Tally,
    absent: Tally,
    bad_severity: Tally,
    odd_print: Tally,
}

impl Tallies {
    fn report(self, cx: &mut ParseContext<'_>) {
        let mut report = |t: Tally, code: WarningCode, what: &str| {
            if t.count > 0 {
                cx.warn(
                    code,
                    format!("{} result(s) {what} (first: {})", t.count, t.first),
                );
            }
        };
        report(
            self.bad_rule,
            WarningCode::SarifBadRuleIndex,
            "have a rule index outside the rules array; their rule was looked up by id",
        );
        report(
            self.no_rule,
            WarningCode::SarifNoRule,
            "name no rule; recorded as `unspecified`",
        );
        report(
            self.bad_artifact,
            WarningCode::SarifBadArtifactIndex,
            "point at an artifact index outside the artifacts array; their location was dropped",
        );
        report(
            self.absent,
            WarningCode::SarifAbsentResults,
            "are `absent` from the current scan (baselineState) and were skipped",
        );
        report(
            self.bad_severity,
            WarningCode::InvalidSecuritySeverity,
            "carry a `security-severity` that is not a number from 0 to 10; their severity comes from `level`",
        );
        report(
            self.odd_print,
            WarningCode::SarifBadFingerprint,
            "carry a fingerprint that is not a string (schema-invalid); its JSON text is used",
        );
    }
}

/// One result as a finding; `None` for a result absent from the scan.
fn read_result(
    r: &mut ResultDoc<'_>,
    ptr: &dyn Fn() -> String,
    ctx: &Run<'_, '_>,
    t: &mut Tallies,
    cx: &mut ParseContext<'_>,
) -> Result<Option<SecurityFinding>, ParseError> {
    let name = cx.name;
    let tool = ctx.tool.as_str();
    if r.baseline_state.as_str() == Some("absent") {
        t.absent.hit(ptr);
        return Ok(None);
    }
    // Rule: by index (result.ruleIndex or result.rule.index, into the
    // driver's or the named extension's rules), else by id.
    let rule_ref = &r.rule;
    let index = match &r.rule_index {
        Slot::Here(i) => i.as_i64(),
        Slot::Absent => rule_ref.index.as_i64(),
    };
    let component = rule_ref
        .tool_component
        .index
        .as_u64()
        .and_then(|k| usize::try_from(k).ok())
        .map_or(0, |k| k.saturating_add(1));
    let indexed = index
        .filter(|idx| *idx >= 0)
        .and_then(|idx| usize::try_from(idx).ok())
        .and_then(|k| ctx.rule(component, k));
    if index.is_some_and(|idx| idx >= 0) && indexed.is_none() {
        t.bad_rule.hit(ptr);
    }
    let rule_id = optional_str(cx, &r.rule_id, "ruleId", ptr)?.map(|s| (s, "/ruleId"));
    let ref_id =
        optional_str(cx, &rule_ref.id, "id", || pointer(&ptr(), "rule"))?.map(|s| (s, "/rule/id"));
    // The id of the rule the index points to: where it is written.
    let indexed_id = indexed
        .and_then(|x| x.id.as_str())
        .map(|s| (s, "/ruleIndex"));
    let id = match rule_id.or(ref_id).or(indexed_id) {
        Some((s, at)) => Some(check_id(cx, s, || format!("{}{at}", ptr()))?.to_string()),
        None => None,
    };
    let rule = match (indexed, &id) {
        (Some(r), _) => Some(r),
        (None, Some(id)) => ctx
            .by_id
            .get(id.as_str())
            .and_then(|&(c, k)| ctx.rule(c, k)),
        (None, None) => None,
    };
    let id = id.unwrap_or_else(|| {
        t.no_rule.hit(ptr);
        "unspecified".to_string()
    });
    let msg = &mut r.message.v;
    // The result's own text is taken, not copied (an escaped one is owned).
    let own = match &mut msg.text {
        Slot::Here(t) => std::mem::take(t),
        Slot::Absent => std::mem::take(&mut msg.markdown),
    };
    let message = match own {
        Leaf::Str(s) => Some(s.into_owned()),
        _ => None,
    }
    .or_else(|| {
        let mid = msg.id.as_str()?;
        text(rule?.message_strings.get(mid).and_then(Lean::get))
    })
    .map(|s| substitute(s, &msg.arguments))
    .unwrap_or_default();
    let title = rule
        .and_then(|x| x.short_description.get().map(str::to_string))
        .or_else(|| rule.and_then(|x| x.name.as_str()).map(str::to_string))
        .unwrap_or_else(|| id.clone());
    let on_result = security_severity(&r.properties).unwrap_or_else(|()| {
        t.bad_severity
            .hit(|| format!("{}/properties/security-severity", ptr()));
        None
    });
    let mut on_rule = || {
        security_severity(rule.map_or(&Props::default(), |x| &x.properties.v)).unwrap_or_else(
            |()| {
                t.bad_severity
                    .hit(|| format!("{} (its rule's properties/security-severity)", ptr()));
                None
            },
        )
    };
    let (severity, source, cvss) = if let Some(score) = on_result.or_else(&mut on_rule) {
        (
            Severity::from_cvss(score),
            SeveritySource::SarifSecuritySeverity,
            Some(score),
        )
    } else if let Some(l) = r.level.get() {
        let s = json::raw_str(l)
            .and_then(|l| level_severity(&l))
            .ok_or_else(|| {
                invalid(
                    name,
                    format!("{}/level", ptr()),
                    format!(
                        "unknown level {}; expected error, warning, note or none",
                        json::raw_display(l)
                    ),
                )
            })?;
        (s, SeveritySource::SarifLevel, None)
    } else {
        let not_fail = r.kind.as_str().is_some_and(|k| k != "fail");
        let l = if not_fail {
            "none"
        } else {
            rule.and_then(|x| x.default_configuration.level.as_str())
                .unwrap_or("warning")
        };
        (
            level_severity(l).unwrap_or(Severity::Medium),
            SeveritySource::SarifRuleDefault,
            None,
        )
    };
    let location = location(r, ctx, ptr, &mut t.bad_artifact, cx);
    let props = rule.map(|x| &x.properties.v);
    let tags: &[Cow<'_, str>] = props.map_or(&[], |p| &p.tags.0);
    // Mapped to `CWE-n` here already (what the findings' tidy-up does),
    // so tags that name none (`cwe` alone) cost nothing.
    let mut cwes: Vec<String> = tags
        .iter()
        .filter(|t| contains_ignore_ascii_case(t, "cwe"))
        .filter_map(|t| super::severity::cwe(t))
        .collect();
    match props.map(|p| &p.cwe) {
        Some(StrOrStrs::One(s)) => cwes.push(s.to_string()),
        Some(StrOrStrs::Many(a)) => cwes.extend(a.iter().map(|s| s.to_string())),
        _ => {}
    }
    // CWE taxa (`result.taxa`, `rule.relationships`) name the weakness.
    let is_cwe = |t: &Taxon<'_>| {
        t.tool_component
            .name
            .as_str()
            .is_some_and(|n| n.eq_ignore_ascii_case("cwe"))
    };
    let related = rule
        .map_or(&[][..], |x| &x.relationships[..])
        .iter()
        .filter_map(Lean::get)
        .filter_map(|rel| rel.target.get().map(|t| &t.v));
    for t in r
        .taxa
        .iter()
        .filter_map(Lean::get)
        .chain(related)
        .filter(|t| is_cwe(t))
    {
        if let Some(id) = t.id.as_str() {
            cwes.push(id.to_string());
        }
    }
    let aliases = advisory_ids(&id);
    let category = if tool.eq_ignore_ascii_case("gitleaks")
        || tags.iter().any(|t| t.eq_ignore_ascii_case("secret"))
    {
        FindingCategory::Secret
    } else if !aliases.is_empty() {
        FindingCategory::Vulnerability
    } else if ctx.config_scanner {
        FindingCategory::Misconfiguration
    } else {
        FindingCategory::Code
    };
    let suppressed = r.suppressions.is_array
        && r.suppressions
            .iter()
            .any(|x| x.get().and_then(|x| x.status.as_str()) != Some("rejected"));
    let path = location.as_ref().map_or("", |l| l.path.as_str());
    let fp = prints(&r.fingerprints, "fingerprints", ptr, &mut t.odd_print)
        .or_else(|| {
            prints(
                &r.partial_fingerprints,
                "partialFingerprints",
                ptr,
                &mut t.odd_print,
            )
        })
        .map(|p| fingerprint::of(&[tool, &id, &p]))
        .unwrap_or_else(|| fingerprint::of_message(&[tool, &id, path], &message));
    Ok(Some(SecurityFinding {
        tool: tool.to_string(),
        rule: id,
        category,
        severity,
        severity_source: source,
        cvss,
        title,
        message,
        location,
        package: None,
        cwes,
        aliases,
        fingerprint: fp,
        suppressed,
    }))
}

/// A result's (partial) fingerprints as sorted `key=value` pairs; `None`
/// when there are none. A value that is not a string is used as its JSON
/// text (and counted).
fn prints(
    m: &Map<'_, &RawValue>,
    k: &str,
    ptr: &dyn Fn() -> String,
    odd: &mut Tally,
) -> Option<String> {
    if !m.is_object {
        return None;
    }
    let mut entries: Vec<&(Cow<'_, str>, &RawValue)> = m.entries.iter().collect();
    // Key order, so the first odd one counted is the first by key.
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kv: Vec<String> = entries
        .into_iter()
        .map(|(a, b)| match json::raw_str(b) {
            Some(s) => format!("{a}={s}"),
            None => {
                odd.hit(|| format!("{}/{k}/{a}", ptr()));
                format!("{a}={}", json::raw_display(b))
            }
        })
        .collect();
    kv.sort();
    (!kv.is_empty()).then(|| kv.join(";"))
}

/// The first physical location, its uri resolved and normalized.
fn location(
    r: &ResultDoc<'_>,
    ctx: &Run<'_, '_>,
    ptr: &dyn Fn() -> String,
    bad_artifact: &mut Tally,
    cx: &mut ParseContext<'_>,
) -> Option<Location> {
    let pl = r.locations.0.as_ref()?.physical.get()?;
    let al = pl.artifact_location.get()?;
    let artifact = al.index.as_i64().map(|idx| {
        usize::try_from(idx)
            .ok()
            .and_then(|k| ctx.artifacts.get(k))
            .and_then(Lean::get)
            .and_then(|a| a.location.get())
    });
    if let Some(None) = artifact {
        bad_artifact.hit(ptr);
    }
    let artifact = artifact.flatten();
    let (uri, base) = match al.uri.as_str() {
        Some(u) => (u, slot_str(&al.uri_base_id)),
        None => {
            let a = artifact?;
            (
                a.uri.as_str()?,
                match &a.uri_base_id {
                    Slot::Here(b) => b.as_str(),
                    Slot::Absent => slot_str(&al.uri_base_id),
                },
            )
        }
    };
    let resolved = ctx.resolve_uri(uri, base);
    let region = &pl.region;
    Some(Location {
        path: cx.path(&resolved),
        line: region.start_line.line(),
        end_line: region.end_line.line(),
        column: region.start_column.line(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_ids_in_rule_ids() {
        assert_eq!(
            advisory_ids("BDSA-2020-1001 (CVE-2020-11022)"),
            vec!["CVE-2020-11022".to_string()]
        );
        assert_eq!(
            advisory_ids("GHSA-c3h9-896r-86jm"),
            vec!["GHSA-c3h9-896r-86jm".to_string()]
        );
        assert!(advisory_ids("js/unused-local-variable").is_empty());
        assert!(advisory_ids("CVE-20-1").is_empty());
        assert_eq!(
            advisory_ids("CVE-2008-0732-geronimo-jms_1.1_spec"),
            vec!["CVE-2008-0732".to_string()]
        );
    }

    #[test]
    fn placeholders() {
        let args: Vec<Box<RawValue>> = ["\"x\"", "3", "{\"a\": [1, 2]}", "\"\\u0041\""]
            .iter()
            .map(|s| RawValue::from_string(s.to_string()).unwrap())
            .collect();
        let args: Vec<&RawValue> = args.iter().map(|b| &**b).collect();
        assert_eq!(
            substitute("{0} is {1}; {0} {2} {3}".into(), &args),
            "x is 3; x {\"a\":[1,2]} A"
        );
        assert_eq!(substitute("no args {0}".into(), &[]), "no args {0}");
    }
}

#[cfg(test)]
mod stream_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::{ParseOptions, Warning};

    /// A log read in `mode`: its findings and warnings, or its error.
    fn read(
        text: &str,
        mode: Option<Mode>,
    ) -> Result<(Vec<SecurityFinding>, Vec<Warning>), ParseError> {
        let options = ParseOptions {
            root: Some("/home/ci/repo".into()),
            go_module: None,
        };
        let mut cx = ParseContext::new("log.sarif", &options);
        let out = match mode {
            Some(m) => parse_as(text, &mut cx, m),
            None => parse(text, &mut cx),
        };
        out.map(|f| (f, cx.warnings))
    }

    /// A run with `results` before or after its other members.
    fn log(results_first: bool, results: &str) -> String {
        let tool = r#""tool": {"driver": {"name": "scanner", "rules": [{"id": "R1", "shortDescription": {"text": "rule one"}}]}}"#;
        let rest = r#""originalUriBaseIds": {"SRC": {"uri": "file:///home/ci/repo/"}},
            "artifacts": [{"location": {"uri": "/elsewhere/b.c"}}],
            "invocations": [{"executionSuccessful": false, "toolExecutionNotifications": [{"level": "error", "message": {"text": "boom"}}]}]"#;
        let results = format!(r#""results": {results}"#);
        let run = if results_first {
            format!("{results}, {tool}, {rest}")
        } else {
            format!("{tool}, {rest}, {results}")
        };
        format!(r#"{{"version": "2.1.0", "runs": [{{{run}}}]}}"#)
    }

    #[test]
    fn streamed_results_read_as_kept_ones_whatever_the_member_order() {
        let results = [
            r#"[{"ruleId": "R1", "message": {"text": "a"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "a.c", "uriBaseId": "SRC"}}}]},
                {"ruleIndex": 0, "message": {"text": "b"}, "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}]},
                {"ruleIndex": 0, "message": {"text": "c"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "/outside/c.c"}}}]}]"#,
            "[]",
            "null",
            "{}",
            r#"[{"ruleId": "R1", "level": "bogus"}]"#,
            r#"[3]"#,
        ];
        for r in results {
            let after = read(&log(false, r), None);
            let before = read(&log(true, r), None);
            // Results last are streamed; first, they are read again.
            assert!(read(&log(true, r), Some(Mode::Stream)).is_err(), "{r}");
            for (text, got) in [(log(false, r), after), (log(true, r), before)] {
                let kept = read(&text, Some(Mode::Keep));
                match (&got, &kept) {
                    (Ok(g), Ok(k)) => assert_eq!(g, k, "{text}"),
                    (Err(g), Err(k)) => assert_eq!(
                        (&g.code, &g.position, &g.message),
                        (&k.code, &k.position, &k.message)
                    ),
                    _ => panic!("{text}: {got:?} vs {kept:?}"),
                }
            }
        }
        // Both orders give the findings and warnings (an unmapped path
        // warned about once, the tool's error, its failed run).
        let (findings, warnings) = read(&log(true, results[0]), None).unwrap();
        assert_eq!(findings.len(), 3);
        let paths: Vec<_> = findings
            .iter()
            .map(|f| f.location.as_ref().unwrap().path.as_str())
            .collect();
        assert_eq!(paths, ["a.c", "/elsewhere/b.c", "/outside/c.c"]);
        let codes: Vec<_> = warnings.iter().map(|w| w.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "sarif-tool-error",
                "sarif-execution-failed",
                "unmapped-path",
                "unmapped-path"
            ]
        );
        assert_eq!(
            read(&log(false, results[0]), None).unwrap(),
            (findings, warnings)
        );
    }
}
