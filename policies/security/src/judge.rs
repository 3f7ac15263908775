//! The security policy's logic over plain WIT types (tested natively).

use crate::waivers::Waiver;
use gate_sdk::fingerprint::{Key, key};
use gate_sdk::glob;
use gate_sdk::threshold::{self, reaches};
use gate_sdk::waiver::{self, Expiry};
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// Fail when an open finding's severity is at or above this (none: never by severity)
    #[schemars(extend("enum" = params::FAIL_ON, "default" = "high"))]
    pub fail_on: Option<String>,
    /// How findings without a usable severity rank (never ignored silently)
    #[schemars(extend("enum" = params::SEVERITIES, "default" = "high"))]
    pub unknown_as: Option<String>,
    /// Maximum number of open findings per severity
    #[serde(default)]
    #[schemars(schema_with = "max_schema")]
    pub max: BTreeMap<String, u64>,
    /// Fail when a finding's CVSS score is at or above this
    #[schemars(range(min = 0, max = 10))]
    pub cvss_threshold: Option<f64>,
    /// Only findings with a known fixed version can fail the gate (secrets always can)
    #[serde(default)]
    pub fixable_only: bool,
    /// With a baseline report, only findings whose fingerprint is not in the baseline can fail
    #[schemars(extend("default" = true))]
    pub new_only: Option<bool>,
    /// Report waivers that expire within this many days
    #[schemars(range(min = 0, max = 36_500), extend("default" = 14))]
    pub expiring_within_days: Option<i64>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// `max`: a count per severity name, no other key.
fn max_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let count = serde_json::json!({"type": "integer", "minimum": 0, "maximum": 1_000_000});
    let properties: serde_json::Map<String, serde_json::Value> = params::SEVERITIES
        .iter()
        .map(|s| (s.to_string(), count.clone()))
        .collect();
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

/// What the schema cannot say: every waiver's `expires` is a day that
/// exists (an unreadable date must never mean "waives forever") and its
/// `path` is a glob that can match.
pub fn validate(p: &Params) -> Result<(), PolicyError> {
    for (i, w) in p.waivers.iter().enumerate() {
        waiver::check_expires(&format!("/waivers/{i}/expires"), w.expires.as_deref())?;
        if let Some(g) = &w.path {
            glob::check(g).map_err(|e| params::invalid(&format!("/waivers/{i}/path"), e))?;
        }
    }
    Ok(())
}

/// The thresholds of a run, read from the params and the context.
struct Rules<'p> {
    p: &'p Params,
    fail_on: Option<Severity>,
    unknown_as: Severity,
    /// Severities `max` names (checked before anything is judged).
    max: Vec<(&'p str, Severity, u64)>,
    today: i64,
    has_baseline: bool,
    /// Only findings new against the baseline may block.
    new_only: bool,
}

impl<'p> Rules<'p> {
    fn new(p: &'p Params, now: &str, has_baseline: bool) -> Result<Self, PolicyError> {
        validate(p)?;
        let fail_on = threshold::fail_on("/fail-on", p.fail_on.as_deref(), "high")?;
        let unknown_as =
            threshold::severity("/unknown-as", p.unknown_as.as_deref().unwrap_or("high"))?;
        let today = waiver::today(now)?;
        let max = p
            .max
            .iter()
            .map(|(name, n)| {
                let at = params::pointer(["max", name.as_str()]);
                Ok((name.as_str(), threshold::severity(&at, name)?, *n))
            })
            .collect::<Result<_, PolicyError>>()?;
        Ok(Rules {
            p,
            fail_on,
            unknown_as,
            max,
            today,
            has_baseline,
            new_only: has_baseline && p.new_only.unwrap_or(true),
        })
    }

    /// The first waiver that covers `f` and has not expired.
    fn waiver(&self, f: &SecurityFinding) -> Option<(usize, &'p Waiver)> {
        self.p
            .waivers
            .iter()
            .enumerate()
            .find(|(_, w)| w.covers(f) && w.expiry(self.today).waives())
    }

    /// What one current finding is; the same answer in both passes.
    fn classify(&self, f: &SecurityFinding, base_prints: &HashSet<Key>) -> Class {
        let is_new = base_prints.is_empty() || !base_prints.contains(&key(&f.fingerprint));
        let (status, waiver) = if f.suppressed {
            (FindingStatus::Suppressed, None)
        } else if let Some((i, _)) = self.waiver(f) {
            (FindingStatus::Waived, Some(i))
        } else {
            (FindingStatus::Open, None)
        };
        let secret = f.category == FindingCategory::Secret;
        let fixable = f
            .package
            .as_ref()
            .is_some_and(|p| !p.fixed_versions.is_empty());
        // Only new findings may block when a baseline says what is new, and
        // with `fixable-only` only fixable ones (and secrets): what cannot
        // block is not counted by `max` either.
        let gating = status == FindingStatus::Open
            && (is_new || !self.new_only)
            && (secret || fixable || !self.p.fixable_only);
        let by_rule = (fixable || !self.p.fixable_only)
            && (reaches(f.severity, self.fail_on, self.unknown_as)
                || self
                    .p
                    .cvss_threshold
                    .zip(f.cvss)
                    .is_some_and(|(t, score)| score >= t));
        Class {
            is_new: is_new && self.has_baseline,
            status,
            waiver,
            gating,
            secret: gating && secret,
            blocks: gating && (secret || by_rule),
        }
    }
}

/// One current finding, classified.
struct Class {
    /// New against a baseline (false without one).
    is_new: bool,
    status: FindingStatus,
    /// The waiver that waives it.
    waiver: Option<usize>,
    /// Open, and new when only new findings may block: `max` counts it.
    gating: bool,
    /// A gating secret: always blocks.
    secret: bool,
    /// Blocks whatever `max` says (a secret, or over `fail-on` / CVSS).
    blocks: bool,
}

/// The first pass over the current findings: counts, and which findings
/// are the first of their fingerprint.
#[derive(Default)]
struct Tally {
    /// Fingerprints of the current findings (as keys: the strings stay in
    /// the host).
    prints: HashSet<Key>,
    /// Per finding of the current reports, in order: the first with its
    /// fingerprint (the same problem from two tools counts once).
    first: Vec<bool>,
    /// Open findings per severity.
    open: BTreeMap<Severity, u64>,
    /// Gating findings per severity, and how many of them block anyway.
    gating: BTreeMap<Severity, (u64, u64)>,
    blocking: u64,
    secrets: u64,
    waived: u64,
    suppressed: u64,
    new: u64,
    /// Per waiver: whether it waived anything.
    used: Vec<bool>,
}

/// Reads the current findings once and counts what the verdict needs.
/// Without `max` conditions nothing read later can change whether a
/// finding blocks, so each is emitted at once (`emit_now`) and the
/// findings are read only once.
fn tally(
    current: &[&FindingsReport],
    rules: &Rules,
    base_prints: &HashSet<Key>,
    emit_now: bool,
) -> Tally {
    let mut t = Tally {
        used: vec![false; rules.p.waivers.len()],
        ..Tally::default()
    };
    for f in current.iter().flat_map(|r| r.findings.iter()) {
        let first = t.prints.insert(key(&f.fingerprint));
        t.first.push(first);
        if !first {
            continue;
        }
        let c = rules.classify(&f, base_prints);
        t.new += u64::from(c.is_new);
        match c.status {
            FindingStatus::Suppressed => t.suppressed += 1,
            FindingStatus::Waived => t.waived += 1,
            _ => *t.open.entry(f.severity).or_default() += 1,
        }
        if let Some(u) = c.waiver.and_then(|i| t.used.get_mut(i)) {
            *u = true;
        }
        if c.gating {
            let g = t.gating.entry(f.severity).or_default();
            g.0 += 1;
            g.1 += u64::from(c.blocks);
        }
        t.blocking += u64::from(c.blocks);
        t.secrets += u64::from(c.secret);
        if emit_now {
            gate_sdk::emit(verdict_finding(f, &c, rules, c.blocks));
        }
    }
    t
}

/// The `max` conditions: a metric each, and the severities over their
/// maximum (all their gating findings block). Adds the reasons to fail.
fn max_counts(
    rules: &Rules,
    t: &mut Tally,
    v: &mut Verdict,
    reasons: &mut Vec<String>,
) -> BTreeSet<Severity> {
    let mut breached = BTreeSet::new();
    for &(name, sev, max) in &rules.max {
        let n = t.gating.get(&sev).map_or(0, |g| g.0);
        v.metrics.push(
            Metric::new(&format!("max-{name}"), n as f64)
                .unit("count")
                .condition(Comparator::Le, max as f64),
        );
        if n > max {
            let found = gate_codes::wording::count(
                n,
                &format!("{name} finding"),
                &format!("{name} findings"),
            );
            reasons.push(format!("{found}, at most {max} allowed"));
            if breached.insert(sev) {
                let (gating, blocking) = t.gating.get(&sev).copied().unwrap_or_default();
                t.blocking += gating - blocking;
            }
        }
    }
    breached
}

/// Why the findings block, before the `max` conditions add theirs.
fn block_reasons(rules: &Rules, t: &Tally) -> Vec<String> {
    let mut reasons = Vec::new();
    if t.secrets > 0 {
        reasons.push(gate_codes::wording::count(t.secrets, "secret", "secrets"));
    }
    let by_severity = t.blocking - t.secrets;
    if by_severity > 0 {
        let what = match (rules.fail_on, rules.p.cvss_threshold) {
            (Some(s), Some(c)) => format!("at or above {} or CVSS >= {c}", s.as_str()),
            (Some(s), None) => format!("at or above {}", s.as_str()),
            (None, Some(c)) => format!("CVSS >= {c}"),
            (None, None) => String::new(),
        };
        let found = gate_codes::wording::count(by_severity, "finding", "findings");
        reasons.push(format!("{found} {what}"));
    }
    reasons
}

/// The second pass: every current finding (first of its fingerprint) as a
/// verdict finding, emitted as it is made.
fn emit_current(
    current: &[&FindingsReport],
    rules: &Rules,
    t: &Tally,
    base_prints: &HashSet<Key>,
    breached: &BTreeSet<Severity>,
) {
    let all = current.iter().flat_map(|r| r.findings.iter());
    for (f, _) in all.zip(&t.first).filter(|(_, first)| **first) {
        let c = rules.classify(&f, base_prints);
        let blocking = c.blocks || (c.gating && breached.contains(&f.severity));
        gate_sdk::emit(verdict_finding(f, &c, rules, blocking));
    }
}

/// A current finding as the verdict reports it.
fn verdict_finding(f: SecurityFinding, c: &Class, rules: &Rules, blocking: bool) -> Finding {
    let note = c
        .waiver
        .and_then(|i| rules.p.waivers.get(i))
        .map_or(String::new(), |w| {
            format!("waived: {} ({})", w.reason, w.describe())
        });
    // The tool's rule id, location, package and fingerprint as they were.
    let mut out = Finding::judging(&f.rule, &f)
        .status(c.status)
        .blocking(blocking);
    out.message = message(&f);
    out.remediation = remediation(&f);
    out.evidence = Some(evidence(&f, c.is_new, &note));
    out
}

/// Baseline findings gone from the current reports, emitted as `fixed`;
/// how many.
fn emit_fixed(baseline: &[&FindingsReport], current: &HashSet<Key>) -> u64 {
    let mut fixed = 0u64;
    let mut seen = HashSet::new();
    for f in baseline.iter().flat_map(|r| r.findings.iter()) {
        let k = key(&f.fingerprint);
        if current.contains(&k) || !seen.insert(k) {
            continue;
        }
        fixed += 1;
        let mut out = Finding::new(&f.rule, f.severity, message(&f))
            .status(FindingStatus::Fixed)
            .fingerprint(f.fingerprint);
        out.aliases = f.aliases;
        out.location = f.location;
        gate_sdk::emit(out);
    }
    fixed
}

/// Expired waivers (they no longer waive), waivers in use that expire soon,
/// and waivers that waived nothing.
fn waiver_findings(rules: &Rules, used: &[bool]) -> Vec<Finding> {
    let mut out = Vec::new();
    let horizon = rules.p.expiring_within_days.unwrap_or(14);
    for (i, w) in rules.p.waivers.iter().enumerate() {
        let used = used.get(i).copied().unwrap_or(false);
        let expires = w.expires.as_deref().unwrap_or("");
        let expiry = w.expiry(rules.today);
        match expiry {
            Expiry::Expired => out.push(
                Finding::new(
                    "security/waiver-expired",
                    Severity::Medium,
                    format!(
                        "{} expired on {expires}; it no longer waives anything (reason was: {})",
                        w.describe(),
                        w.reason
                    ),
                )
                .remediation("fix the finding or renew the waiver with a new expiry date"),
            ),
            Expiry::Left(d) if d <= horizon && used => out.push(Finding::new(
                "security/waiver-expiring",
                Severity::Info,
                format!(
                    "{} expires in {}, on {expires}",
                    w.describe(),
                    gate_codes::wording::count(d, "day", "days")
                ),
            )),
            _ => {}
        }
        if expiry.waives() && !used {
            out.push(
                Finding::new(
                    "security/waiver-unused",
                    Severity::Info,
                    format!("{} matched no finding", w.describe()),
                )
                .remediation("remove the waiver if the finding is gone"),
            );
        }
    }
    out
}

/// The counting metrics and the outcome with its summary.
fn conclude(v: &mut Verdict, rules: &Rules, t: &Tally, fixed: u64, reasons: &[String]) {
    for s in Severity::ALL_DESC {
        v.metrics.push(
            Metric::new(
                &format!("open-{}", s.as_str()),
                *t.open.get(s).unwrap_or(&0) as f64,
            )
            .unit("count"),
        );
    }
    v.metrics.push(
        Metric::new("blocking", t.blocking as f64)
            .unit("count")
            .condition(Comparator::Eq, 0.0),
    );
    v.metrics
        .push(Metric::new("waived", t.waived as f64).unit("count"));
    v.metrics
        .push(Metric::new("suppressed", t.suppressed as f64).unit("count"));
    if rules.has_baseline {
        v.metrics
            .push(Metric::new("new", t.new as f64).unit("count"));
        v.metrics
            .push(Metric::new("fixed", fixed as f64).unit("count"));
    }
    let open: u64 = t.open.values().sum();
    if reasons.is_empty() {
        v.outcome = Outcome::Pass;
        let delta = if rules.has_baseline {
            format!(" ({} new, {fixed} fixed)", t.new)
        } else {
            String::new()
        };
        let open = gate_codes::wording::count(open, "open finding", "open findings");
        v.summary = format!("{open}, none blocking{delta}");
    } else {
        let scope = if rules.new_only { " new" } else { "" };
        v.outcome = Outcome::Fail;
        v.summary = format!("blocking{scope} findings: {}", reasons.join("; "));
    }
}

/// Judges the current findings against the thresholds, the baseline and
/// the waivers. None of the findings is held: they are read once, or twice
/// with `max` conditions (count, then judge), and the current and fixed
/// findings are [`emit`]ted, the waivers' findings returned after them.
pub fn judge(
    current: &[&FindingsReport],
    baseline: &[&FindingsReport],
    now: &str,
    p: &Params,
) -> Result<Verdict, PolicyError> {
    let rules = Rules::new(p, now, !baseline.is_empty())?;
    let base_prints: HashSet<Key> = baseline
        .iter()
        .flat_map(|r| r.findings.iter())
        .map(|f| key(&f.fingerprint))
        .collect();
    let one_pass = rules.max.is_empty();
    let mut t = tally(current, &rules, &base_prints, one_pass);
    let mut v = Verdict::pass("");
    let mut reasons = block_reasons(&rules, &t);
    let breached = max_counts(&rules, &mut t, &mut v, &mut reasons);
    if !one_pass {
        emit_current(current, &rules, &t, &base_prints, &breached);
    }
    let fixed = emit_fixed(baseline, &t.prints);
    v.findings = waiver_findings(&rules, &t.used);
    conclude(&mut v, &rules, &t, fixed, &reasons);
    Ok(v)
}

fn message(f: &SecurityFinding) -> String {
    let text = if f.title.is_empty() {
        &f.message
    } else {
        &f.title
    };
    match &f.package {
        Some(p) => format!("{}@{}: {text}", p.name, p.version.as_deref().unwrap_or("?")),
        None => text.clone(),
    }
}

fn remediation(f: &SecurityFinding) -> Option<String> {
    let p = f.package.as_ref()?;
    (!p.fixed_versions.is_empty())
        .then(|| format!("upgrade {} to {}", p.name, p.fixed_versions.join(" or ")))
}

fn evidence(f: &SecurityFinding, is_new: bool, note: &str) -> String {
    let mut parts = vec![
        format!("tool: {}", f.tool),
        format!("severity from: {}", f.severity_source),
    ];
    if let Some(c) = f.cvss {
        parts.push(format!("cvss: {c}"));
    }
    if is_new {
        parts.push("new since baseline".into());
    }
    if !note.is_empty() {
        parts.push(note.to_string());
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The verdict as the host gets it: the emitted findings, then the
    /// returned ones.
    fn judge(
        current: &[&FindingsReport],
        baseline: &[&FindingsReport],
        now: &str,
        p: &Params,
    ) -> Result<Verdict, PolicyError> {
        super::judge(current, baseline, now, p).map(gate_sdk::finish)
    }

    fn finding(rule: &str, sev: Severity, fixed: &[&str]) -> SecurityFinding {
        SecurityFinding {
            tool: "grype".into(),
            rule: rule.into(),
            category: FindingCategory::Vulnerability,
            severity: sev,
            severity_source: "tool".into(),
            cvss: None,
            title: format!("{rule} title"),
            message: String::new(),
            location: None,
            package: Some(AffectedPackage {
                name: "lodash".into(),
                version: Some("4.17.4".into()),
                ecosystem: Some("npm".into()),
                purl: None,
                fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
            }),
            cwes: vec![],
            aliases: vec![format!("GHSA-{rule}")],
            fingerprint: format!("fp-{rule}"),
            suppressed: false,
        }
    }

    fn report(findings: Vec<SecurityFinding>, role: ArtifactRole) -> FindingsReport {
        FindingsReport {
            meta: ArtifactMeta {
                path: "r.json".into(),
                format: "grype".into(),
                sha256: String::new(),
                role,
            },
            findings: findings.into(),
        }
    }

    const NOW: &str = "2026-11-22T10:00:00Z";

    fn p(json: &str) -> Params {
        params::parse(json).unwrap()
    }

    #[test]
    fn reports_everything_fails_on_subset() {
        let r = report(
            vec![
                finding("CVE-1", Severity::Critical, &["4.17.21"]),
                finding("CVE-2", Severity::Low, &[]),
            ],
            ArtifactRole::Current,
        );
        let v = judge(&[&r], &[], NOW, &p("{}")).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(v.findings.len(), 2);
        assert!(v.findings[0].blocking && !v.findings[1].blocking);
        assert_eq!(
            v.findings[0].remediation.as_deref(),
            Some("upgrade lodash to 4.17.21")
        );
        assert_eq!(v.findings[0].resource.as_deref(), Some("lodash@4.17.4"));
        let v = judge(&[&r], &[], NOW, &p(r#"{"fail-on": "critical"}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        let r = report(
            vec![finding("CVE-2", Severity::Medium, &[])],
            ArtifactRole::Current,
        );
        assert_eq!(
            judge(&[&r], &[], NOW, &p("{}")).unwrap().outcome,
            Outcome::Pass
        );
    }

    #[test]
    fn unknown_severity_counts_as_configured() {
        let r = report(
            vec![finding("PYSEC-1", Severity::Unknown, &[])],
            ArtifactRole::Current,
        );
        assert_eq!(
            judge(&[&r], &[], NOW, &p("{}")).unwrap().outcome,
            Outcome::Fail,
            "unknown defaults to high"
        );
        assert_eq!(
            judge(&[&r], &[], NOW, &p(r#"{"unknown-as": "low"}"#))
                .unwrap()
                .outcome,
            Outcome::Pass
        );
    }

    #[test]
    fn max_counts_cvss_and_fixable_only() {
        let mut a = finding("CVE-1", Severity::Medium, &[]);
        a.cvss = Some(6.5);
        let b = finding("CVE-2", Severity::Medium, &["1.0"]);
        let r = report(vec![a, b], ArtifactRole::Current);
        let v = judge(&[&r], &[], NOW, &p(r#"{"max": {"medium": 1}}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.summary.contains("2 medium findings, at most 1 allowed"),
            "{}",
            v.summary
        );
        let v = judge(&[&r], &[], NOW, &p(r#"{"cvss-threshold": 6.0}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        let v = judge(
            &[&r],
            &[],
            NOW,
            &p(r#"{"cvss-threshold": 6.0, "fixable-only": true}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Pass, "the only CVSS hit has no fix");
        // `max` counts only what may block: with fixable-only, CVE-1 (no
        // fix) is not counted and does not block.
        let v = judge(
            &[&r],
            &[],
            NOW,
            &p(r#"{"fail-on": "none", "fixable-only": true, "max": {"medium": 0}}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.summary.contains("1 medium finding, at most 0 allowed"),
            "{}",
            v.summary
        );
        let blocking: Vec<_> = v
            .findings
            .iter()
            .filter(|f| f.blocking)
            .map(|f| f.rule.as_str())
            .collect();
        assert_eq!(blocking, ["CVE-2"]);
    }

    #[test]
    fn secrets_always_fail_unless_waived() {
        let mut s = finding("aws-access-token", Severity::Low, &[]);
        s.category = FindingCategory::Secret;
        s.package = None;
        let r = report(vec![s], ArtifactRole::Current);
        assert_eq!(
            judge(&[&r], &[], NOW, &p(r#"{"fail-on": "none"}"#))
                .unwrap()
                .outcome,
            Outcome::Fail
        );
        let w = r#"{"waivers": [{"id": "aws-access-token", "reason": "test fixture"}]}"#;
        let v = judge(&[&r], &[], NOW, &p(w)).unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
        assert_eq!(v.findings[0].status, FindingStatus::Waived);
    }

    #[test]
    fn baseline_gates_only_new_and_reports_fixed() {
        let old = finding("CVE-OLD", Severity::Critical, &[]);
        let gone = finding("CVE-GONE", Severity::High, &[]);
        let base = report(vec![old.clone(), gone], ArtifactRole::Baseline);
        let cur = report(
            vec![old, finding("CVE-NEW", Severity::Low, &[])],
            ArtifactRole::Current,
        );
        let v = judge(&[&cur], &[&base], NOW, &p("{}")).unwrap();
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.summary);
        assert!(v.summary.contains("1 new, 1 fixed"), "{}", v.summary);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "CVE-GONE" && f.status == FindingStatus::Fixed)
        );
        let v = judge(&[&cur], &[&base], NOW, &p(r#"{"new-only": false}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
    }

    #[test]
    fn waivers_by_alias_scope_expiry_and_unused() {
        let r = report(
            vec![finding("CVE-1", Severity::Critical, &[])],
            ArtifactRole::Current,
        );
        let waive = |extra: &str| {
            p(&format!(
                r#"{{"waivers": [{{"id": "ghsa-cve-1", "reason": "not reachable"{extra}}}]}}"#
            ))
        };
        let v = judge(&[&r], &[], NOW, &waive("")).unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
        assert!(
            v.findings[0]
                .evidence
                .as_deref()
                .unwrap()
                .contains("waived: not reachable")
        );
        // Scoped to another package: does not apply, and is unused.
        let v = judge(&[&r], &[], NOW, &waive(r#", "package": "react""#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "security/waiver-unused")
        );
        // Expired yesterday: no longer waives and is reported.
        let v = judge(&[&r], &[], NOW, &waive(r#", "expires": "2026-11-22""#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "security/waiver-expired")
        );
        // Expiring soon: waives, and says so.
        let v = judge(
            &[&r],
            &[],
            NOW,
            &waive(r#", "expires": "2026-11-30", "ticket": "SEC-9""#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
        let e = v
            .findings
            .iter()
            .find(|f| f.rule == "security/waiver-expiring")
            .unwrap();
        assert!(
            e.message.contains("expires in 8 days") && e.message.contains("SEC-9"),
            "{}",
            e.message
        );
    }

    #[test]
    fn duplicate_fingerprints_count_once_and_suppressed_stay_visible() {
        let a = finding("CVE-1", Severity::High, &[]);
        let mut s = finding("CVE-2", Severity::Critical, &[]);
        s.suppressed = true;
        let r1 = report(vec![a.clone(), s], ArtifactRole::Current);
        let r2 = report(vec![a], ArtifactRole::Current);
        let v = judge(&[&r1, &r2], &[], NOW, &p("{}")).unwrap();
        assert_eq!(v.findings.len(), 2);
        assert_eq!(v.findings[1].status, FindingStatus::Suppressed);
        assert!(!v.findings[1].blocking);
        let high = v.metrics.iter().find(|m| m.name == "open-high").unwrap();
        assert_eq!(high.value, 1.0);
    }

    #[test]
    fn findings_carry_the_fingerprint_of_the_artifact_finding_judged() {
        let cur = report(
            vec![
                finding("CVE-1", Severity::High, &[]),
                finding("CVE-3", Severity::Low, &[]),
            ],
            ArtifactRole::Current,
        );
        let base = report(
            vec![
                finding("CVE-1", Severity::High, &[]),
                finding("CVE-2", Severity::High, &[]),
            ],
            ArtifactRole::Baseline,
        );
        let v = gate_sdk::fingerprint::finish(judge(&[&cur], &[&base], NOW, &p("{}")).unwrap());
        let got: Vec<(&str, &str, FindingStatus)> = v
            .findings
            .iter()
            .map(|f| (f.rule.as_str(), f.fingerprint.as_str(), f.status))
            .collect();
        assert_eq!(
            got,
            [
                ("CVE-1", "fp-CVE-1", FindingStatus::Open),
                ("CVE-3", "fp-CVE-3", FindingStatus::Open),
                ("CVE-2", "fp-CVE-2", FindingStatus::Fixed),
            ]
        );
        // Not repeated as text in the evidence any more.
        assert!(
            v.findings
                .iter()
                .all(|f| !f.evidence.as_deref().unwrap_or("").contains("fp-"))
        );
    }
}
