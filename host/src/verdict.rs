//! The verdict document: the one result every report projects. Field order
//! and content are deterministic (no timings, no map iteration order), so
//! the same inputs give byte-identical JSON.

use crate::exit::Exit;
/// Every report reads outcomes and places with the verdict.
pub use crate::model::Outcome;
use crate::model::{
    Level, LogLine, Override, PackOrigin, PolicyErrorKind, PolicyFailure, Role, RunContext,
};
use gate_artifacts::{ArtifactKind, Format, Severity, Warning};
use serde::Serialize;
use std::sync::Arc;

pub const SCHEMA_VERSION: u32 = 1;

gate_codes::names! {
    /// What became of a finding (the contract's `finding-status`).
    pub enum FindingStatus {
        /// Reported and counted.
        Open = "open",
        /// Accepted by a waiver in the params.
        Waived = "waived",
        /// Suppressed in the artifact itself (an in-source annotation).
        Suppressed = "suppressed",
        /// In the baseline, gone now.
        Fixed = "fixed",
    }
}

gate_codes::names! {
    /// Where a policy's enforcement level came from, when not from gate.toml.
    pub enum LevelFrom {
        /// The pack's default level.
        Pack = "pack",
    }
}

gate_codes::names! {
    /// How a metric's value is compared with its threshold.
    pub enum Comparator {
        Ge = ">=",
        Gt = ">",
        Le = "<=",
        Lt = "<",
        Eq = "==",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerdictDoc {
    pub schema_version: u32,
    pub gate_version: &'static str,
    pub outcome: Outcome,
    pub exit_code: u8,
    #[serde(skip)]
    pub exit: Exit,
    pub now: String,
    pub context: RunContext,
    pub artifacts: Vec<ArtifactEntry>,
    pub policies: Vec<PolicyEntry>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactEntry {
    pub path: String,
    pub kind: ArtifactKind,
    pub format: Format,
    pub role: Role,
    pub sha256: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyEntry {
    pub name: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub version: String,
    pub digest: String,
    /// The registry pack the policy came from (`oci://` references).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackOrigin>,
    pub level: Level,
    /// `pack` when the level is the pack's default (gate.toml gave none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_from: Option<LevelFrom>,
    pub outcome: Outcome,
    /// What the policy itself said, before the enforcement level applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_outcome: Option<Outcome>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<PolicyFailure>,
    pub findings: Vec<Finding>,
    pub metrics: Vec<Metric>,
    pub fuel_consumed: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stdout: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// A `soft` failure overridden with `--override`, loudly recorded.
    #[serde(skip_serializing_if = "Option::is_none", rename = "override")]
    pub overridden: Option<Override>,
    /// The policy's rule catalog (from `info()`), which reports describe
    /// rules from. Not in the JSON verdict (`gate policies --json` shows it).
    #[serde(skip)]
    pub rules: Vec<RuleInfo>,
}

impl PolicyEntry {
    /// The catalog entry of rule `id`, if the policy lists it.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// One rule of a policy's catalog (the contract's `rule-info`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub default_severity: Severity,
    pub short_description: String,
    pub full_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// A finding as the verdict keeps it. A big input can give hundreds of
/// thousands, so it is kept compact (issue 11: memory bounded by the
/// input's size): the texts findings repeat (rule ids, remediations,
/// paths, resources, aliases) are shared ([`Interner`]), the rest are
/// boxed to their length, and a SHA-256 fingerprint is kept as its bytes.
/// It serializes exactly as the contract's `finding`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: Text,
    pub severity: Severity,
    pub message: Box<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<Text>,
    #[serde(skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Box<str>>,
    pub status: FindingStatus,
    pub blocking: bool,
    /// Identifies the finding across runs; unique within the policy's
    /// findings (the contract's `fingerprint`).
    pub fingerprint: Fingerprint,
}

/// Where a finding is (the contract's `location`), its path shared with
/// the other findings in the same file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub path: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    /// `path`, at `line` when given.
    pub fn new(path: &str, line: Option<u32>) -> Self {
        Self {
            path: Text::from(path),
            line,
            end_line: None,
            column: None,
        }
    }
}

/// A finding's fingerprint. The SDK's recipe is a SHA-256 in lowercase
/// hex, kept as its 32 bytes (a quarter of the text with its allocation);
/// any other text is kept as it is. Either way it prints and serializes
/// as the text the policy gave.
#[derive(Clone, PartialEq, Eq)]
pub enum Fingerprint {
    /// 64 lowercase hex digits, as bytes.
    Sha256([u8; 32]),
    /// Anything else.
    Text(Box<str>),
}

impl Fingerprint {
    /// The fingerprint `text` is.
    pub fn new(text: String) -> Self {
        Self::sha256(&text).map_or_else(|| Self::Text(text.into_boxed_str()), Self::Sha256)
    }

    /// The bytes of `text` when it is 64 lowercase hex digits.
    fn sha256(text: &str) -> Option<[u8; 32]> {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let text = text.as_bytes();
        if text.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (o, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
            let [hi, lo] = pair else { return None };
            *o = (digit(*hi)? << 4) | digit(*lo)?;
        }
        Some(out)
    }

    /// Whether this is the fingerprint `text`.
    pub fn is(&self, text: &str) -> bool {
        match self {
            Self::Sha256(bytes) => Self::sha256(text).is_some_and(|b| &b == bytes),
            Self::Text(t) => &**t == text,
        }
    }
}

impl std::fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sha256(bytes) => bytes.iter().try_for_each(|b| write!(f, "{b:02x}")),
            Self::Text(t) => f.write_str(t),
        }
    }
}

impl std::fmt::Debug for Fingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.to_string())
    }
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            // Hex digits need no escaping: written as the text would be.
            Self::Sha256(_) => s.collect_str(self),
            Self::Text(t) => s.serialize_str(t),
        }
    }
}

/// One shared copy of each text findings repeat: a policy's findings name
/// a few rules, remediations and paths many times over (one per finding
/// of a 30 MB plan is hundreds of thousands of copies).
#[derive(Debug, Default)]
pub struct Interner {
    texts: std::collections::HashSet<Text>,
    lists: std::collections::HashSet<Arc<[Text]>>,
}

impl Interner {
    /// The shared copy of `text`.
    pub fn get(&mut self, text: String) -> Text {
        if let Some(t) = self.texts.get(text.as_str()) {
            return t.clone();
        }
        let t = Text::from(text);
        self.texts.insert(t.clone());
        t
    }

    /// The shared copy of an alias list (a rule's findings give the same).
    pub fn aliases(&mut self, aliases: Vec<String>) -> Aliases {
        let list: Vec<Text> = aliases.into_iter().map(|a| self.get(a)).collect();
        if let Some(l) = self.lists.get(list.as_slice()) {
            return Aliases(Arc::clone(l));
        }
        let l: Arc<[Text]> = list.into();
        self.lists.insert(Arc::clone(&l));
        Aliases(l)
    }
}

/// A finding's aliases (other ids of the same problem), shared by the
/// findings that give the same list. Reads as a slice of texts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Aliases(Arc<[Text]>);

impl Aliases {
    /// Whether there are none (the JSON leaves the key out).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::ops::Deref for Aliases {
    type Target = [Text];
    fn deref(&self) -> &[Text] {
        &self.0
    }
}

impl Serialize for Aliases {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.as_ref().serialize(s)
    }
}

/// A text findings share (see [`Interner`]): one allocation however many
/// findings hold it. Reads, prints and serializes as the `str` it is.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Arc<str>);

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text(s.into())
    }
}

impl From<String> for Text {
    fn from(s: String) -> Self {
        Text(s.into())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.0, f)
    }
}

impl Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparator: Option<Comparator>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub policies: usize,
    pub passed: usize,
    pub warned: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub findings: SeverityCounts,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub unknown: usize,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
            Severity::Unknown => self.unknown += 1,
        }
    }
}

/// Applies the enforcement level to what a policy said.
pub fn enforce(level: Level, outcome: Outcome) -> Outcome {
    match (level, outcome) {
        (Level::Advisory, Outcome::Fail) => Outcome::Warn,
        (_, o) => o,
    }
}

/// Combines policy outcomes into the run's outcome and exit code.
///
/// Any error is an error (a policy that could not judge never passes); a
/// run where every policy skipped evaluated nothing, which is an error too.
pub fn combine(policies: &[PolicyEntry], fail_on_warn: bool) -> (Outcome, Exit, Summary) {
    let mut s = Summary {
        policies: policies.len(),
        ..Summary::default()
    };
    let mut input_problem = false;
    let mut params_problem = false;
    for p in policies {
        match p.outcome {
            Outcome::Pass => s.passed += 1,
            Outcome::Warn => s.warned += 1,
            Outcome::Fail => s.failed += 1,
            Outcome::Skip => s.skipped += 1,
            Outcome::Error => {
                use PolicyErrorKind as K;
                s.errored += 1;
                match p.error.as_ref().map(|e| e.kind) {
                    Some(K::NoInput | K::UnsupportedInput) => input_problem = true,
                    Some(K::InvalidParams) => params_problem = true,
                    _ => {}
                }
            }
        }
        for f in &p.findings {
            if f.status == FindingStatus::Open {
                s.findings.add(f.severity);
            }
        }
    }
    // Precedence follows the exit-code contract: config (params a policy
    // rejected), input problems, then runtime errors, then failures.
    let (outcome, exit) = if params_problem {
        (Outcome::Error, Exit::Usage)
    } else if input_problem {
        (Outcome::Error, Exit::Input)
    } else if s.errored > 0 {
        (Outcome::Error, Exit::PolicyRuntime)
    } else if s.policies == 0 || s.skipped == s.policies {
        (Outcome::Error, Exit::Input)
    } else if s.failed > 0 {
        (Outcome::Fail, Exit::GateFailed)
    } else if s.warned > 0 && fail_on_warn {
        (Outcome::Warn, Exit::GateFailed)
    } else if s.warned > 0 {
        (Outcome::Warn, Exit::Pass)
    } else {
        (Outcome::Pass, Exit::Pass)
    };
    (outcome, exit, s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_texts_serialize_and_print_as_the_text_given() {
        let hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        for (text, bytes) in [
            (hex, true),
            // Not the SDK's recipe: kept as it is.
            (
                "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
                false,
            ),
            (hex.get(..62).unwrap_or_default(), false),
            ("fp-1 \"quoted\"", false),
        ] {
            let f = Fingerprint::new(text.to_string());
            assert_eq!(matches!(f, Fingerprint::Sha256(_)), bytes, "{text}");
            assert_eq!(f.to_string(), text);
            assert!(f.is(text));
            assert!(!f.is("other"));
            assert_eq!(
                serde_json::to_string(&f).ok(),
                serde_json::to_string(text).ok()
            );
        }
        let mut texts = Interner::default();
        let (a, b) = (texts.get("rule/a".into()), texts.get("rule/a".into()));
        assert!(Arc::ptr_eq(&a.0, &b.0), "one copy");
        assert_eq!(
            serde_json::to_string(&a).ok().as_deref(),
            Some("\"rule/a\"")
        );
        assert_eq!(a, "rule/a");
    }
}
