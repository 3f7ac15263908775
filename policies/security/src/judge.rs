//! The security policy's logic over plain WIT types (tested natively).

use crate::waivers::{Waiver, day_number};
use gate_sdk::glob;
use gate_sdk::*;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    pub fail_on: Option<String>,
    pub unknown_as: Option<String>,
    #[serde(default)]
    pub max: BTreeMap<String, u64>,
    pub cvss_threshold: Option<f64>,
    #[serde(default)]
    pub fixable_only: bool,
    pub new_only: Option<bool>,
    pub expiring_within_days: Option<i64>,
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

/// What the schema cannot say: every waiver's `expires` is a day that
/// exists (an unreadable date must never mean "waives forever") and its
/// `path` is a glob that can match.
pub fn validate(p: &Params) -> Result<(), PolicyError> {
    for (i, w) in p.waivers.iter().enumerate() {
        if let Some(e) = &w.expires
            && (e.len() != 10 || day_number(e).is_none())
        {
            return Err(params::invalid(
                &format!("/waivers/{i}/expires"),
                format!("`{e}` is not a date that exists (YYYY-MM-DD)"),
            ));
        }
        if let Some(g) = &w.path {
            glob::check(g).map_err(|e| params::invalid(&format!("/waivers/{i}/path"), e))?;
        }
    }
    Ok(())
}

fn severity(name: &str) -> Result<Severity, PolicyError> {
    Severity::parse(name)
        .ok_or_else(|| PolicyError::InvalidParams(format!("unknown severity `{name}`")))
}

/// Judges the current findings against the thresholds, the baseline and the waivers.
pub fn judge(
    current: &[&FindingsReport],
    baseline: &[&FindingsReport],
    now: &str,
    p: &Params,
) -> Result<Verdict, PolicyError> {
    validate(p)?;
    let fail_on = match p.fail_on.as_deref().unwrap_or("high") {
        "none" => None,
        s => Some(severity(s)?),
    };
    let unknown_as = severity(p.unknown_as.as_deref().unwrap_or("high"))?;
    let today = day_number(now).ok_or_else(|| {
        PolicyError::UnsupportedInput(format!("context.now `{now}` is not a date"))
    })?;
    let rank = |s: Severity| s.rank(unknown_as);

    // One entry per fingerprint: the same problem from two tools or two
    // reports counts once.
    let mut seen = BTreeSet::new();
    let findings: Vec<&SecurityFinding> = current
        .iter()
        .flat_map(|r| r.findings.iter())
        .filter(|f| seen.insert(f.fingerprint.as_str()))
        .collect();
    let base_prints: BTreeSet<&str> = baseline
        .iter()
        .flat_map(|r| r.findings.iter())
        .map(|f| f.fingerprint.as_str())
        .collect();
    let has_baseline = !baseline.is_empty();
    let new_only = has_baseline && p.new_only.unwrap_or(true);

    let mut used = vec![false; p.waivers.len()];
    let mut v = Verdict::pass("");
    let mut reasons: Vec<String> = Vec::new();
    let mut counts: BTreeMap<&'static str, u64> = BTreeMap::new();
    // Indexes of findings that may block. `v.findings` gets exactly one entry
    // per element of `findings`, in order, so an index serves both.
    let mut gating: Vec<usize> = Vec::new();
    let (mut waived, mut suppressed, mut new) = (0u64, 0u64, 0u64);

    for f in &findings {
        let is_new = !base_prints.contains(f.fingerprint.as_str());
        if is_new && has_baseline {
            new += 1;
        }
        let mut status = FindingStatus::Open;
        let mut note = String::new();
        if f.suppressed {
            status = FindingStatus::Suppressed;
            suppressed += 1;
        } else if let Some((i, w)) = p
            .waivers
            .iter()
            .enumerate()
            .find(|(_, w)| w.covers(f) && w.days_left(today).is_none_or(|d| d > 0))
        {
            if let Some(u) = used.get_mut(i) {
                *u = true;
            }
            status = FindingStatus::Waived;
            waived += 1;
            note = format!("waived: {} ({})", w.reason, w.describe());
        }
        let mut out = Finding::new(&f.rule, f.severity, message(f))
            .status(status)
            .aliases(f.aliases.clone())
            .fingerprint(f.fingerprint.clone());
        out.location = f.location.clone();
        out.resource = f.package.as_ref().map(|p| match &p.version {
            Some(v) => format!("{}@{v}", p.name),
            None => p.name.clone(),
        });
        out.remediation = remediation(f);
        out.evidence = Some(evidence(f, is_new && has_baseline, &note));
        let idx = v.findings.len();
        v.findings.push(out);
        if status != FindingStatus::Open {
            continue;
        }
        *counts.entry(f.severity.as_str()).or_default() += 1;
        if new_only && !is_new {
            continue;
        }
        gating.push(idx);
    }

    // Conditions over the findings that may gate.
    let mut block = BTreeSet::new();
    let mut max_counts: BTreeMap<Severity, Vec<usize>> = BTreeMap::new();
    for &i in &gating {
        let Some(f) = findings.get(i) else { continue };
        let fixable = f
            .package
            .as_ref()
            .is_some_and(|p| !p.fixed_versions.is_empty());
        let secret = f.category == FindingCategory::Secret;
        max_counts.entry(f.severity).or_default().push(i);
        if secret {
            block.insert(i);
            continue;
        }
        if p.fixable_only && !fixable {
            continue;
        }
        if fail_on.is_some_and(|t| rank(f.severity) >= rank(t)) {
            block.insert(i);
        }
        if let (Some(t), Some(score)) = (p.cvss_threshold, f.cvss)
            && score >= t
        {
            block.insert(i);
        }
    }
    let secrets = block
        .iter()
        .filter(|&&i| {
            findings
                .get(i)
                .is_some_and(|f| f.category == FindingCategory::Secret)
        })
        .count();
    if secrets > 0 {
        reasons.push(format!("{secrets} secret(s)"));
    }
    let by_severity = block.len() - secrets;
    if by_severity > 0 {
        let what = match (fail_on, p.cvss_threshold) {
            (Some(t), Some(c)) => format!("at or above {} or CVSS >= {c}", t.as_str()),
            (Some(t), None) => format!("at or above {}", t.as_str()),
            (None, Some(c)) => format!("CVSS >= {c}"),
            (None, None) => String::new(),
        };
        reasons.push(format!("{by_severity} finding(s) {what}"));
    }
    for (name, max) in &p.max {
        let sev = severity(name)?;
        let list = max_counts.get(&sev).map(Vec::as_slice).unwrap_or(&[]);
        let n = list.len() as u64;
        v.metrics.push(
            Metric::new(&format!("max-{name}"), n as f64)
                .unit("count")
                .condition(Comparator::Le, *max as f64),
        );
        if n > *max {
            reasons.push(format!("{n} {name} finding(s), at most {max} allowed"));
            block.extend(list.iter().copied());
        }
    }
    for &i in &block {
        if let Some(f) = v.findings.get_mut(i) {
            f.blocking = true;
        }
    }

    // Fixed since the baseline.
    let cur_prints: BTreeSet<&str> = findings.iter().map(|f| f.fingerprint.as_str()).collect();
    let mut fixed = 0u64;
    let mut fixed_seen = BTreeSet::new();
    for f in baseline.iter().flat_map(|r| r.findings.iter()) {
        if !cur_prints.contains(f.fingerprint.as_str()) && fixed_seen.insert(f.fingerprint.as_str())
        {
            fixed += 1;
            let mut out = Finding::new(&f.rule, f.severity, message(f))
                .status(FindingStatus::Fixed)
                .aliases(f.aliases.clone())
                .fingerprint(f.fingerprint.clone());
            out.location = f.location.clone();
            v.findings.push(out);
        }
    }

    // Waivers: expired ones are reported (and no longer waive), unused ones too.
    let horizon = p.expiring_within_days.unwrap_or(14);
    for (i, w) in p.waivers.iter().enumerate() {
        match w.days_left(today) {
            Some(d) if d <= 0 => v.findings.push(
                Finding::new(
                    "security/waiver-expired",
                    Severity::Medium,
                    format!(
                        "{} expired on {}; it no longer waives anything (reason was: {})",
                        w.describe(),
                        w.expires.as_deref().unwrap_or(""),
                        w.reason
                    ),
                )
                .remediation("fix the finding or renew the waiver with a new expiry date"),
            ),
            Some(d) if d <= horizon && used.get(i).copied().unwrap_or(false) => {
                v.findings.push(Finding::new(
                    "security/waiver-expiring",
                    Severity::Info,
                    format!(
                        "{} expires in {d} day(s), on {}",
                        w.describe(),
                        w.expires.as_deref().unwrap_or("")
                    ),
                ))
            }
            _ => {}
        }
        let expired = w.days_left(today).is_some_and(|d| d <= 0);
        if !expired && !used.get(i).copied().unwrap_or(false) {
            v.findings.push(
                Finding::new(
                    "security/waiver-unused",
                    Severity::Info,
                    format!("{} matched no finding", w.describe()),
                )
                .remediation("remove the waiver if the finding is gone"),
            );
        }
    }

    for s in Severity::ALL_DESC {
        v.metrics.push(
            Metric::new(
                &format!("open-{}", s.as_str()),
                *counts.get(s.as_str()).unwrap_or(&0) as f64,
            )
            .unit("count"),
        );
    }
    v.metrics.push(
        Metric::new("blocking", block.len() as f64)
            .unit("count")
            .condition(Comparator::Eq, 0.0),
    );
    v.metrics
        .push(Metric::new("waived", waived as f64).unit("count"));
    v.metrics
        .push(Metric::new("suppressed", suppressed as f64).unit("count"));
    if has_baseline {
        v.metrics.push(Metric::new("new", new as f64).unit("count"));
        v.metrics
            .push(Metric::new("fixed", fixed as f64).unit("count"));
    }

    let open: u64 = counts.values().sum();
    let scope = if new_only { " new" } else { "" };
    if reasons.is_empty() {
        v.outcome = Outcome::Pass;
        v.summary = format!(
            "{open} open finding(s), none blocking{}",
            if has_baseline {
                format!(" ({new} new, {fixed} fixed)")
            } else {
                String::new()
            }
        );
    } else {
        v.outcome = Outcome::Fail;
        v.summary = format!("blocking{scope} findings: {}", reasons.join("; "));
    }
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
            findings,
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
            v.summary.contains("2 medium finding(s), at most 1 allowed"),
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
            e.message.contains("expires in 8 day(s)") && e.message.contains("SEC-9"),
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
