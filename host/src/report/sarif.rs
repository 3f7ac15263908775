//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer).
//!
//! One run per policy: each has its own `automationDetails.id`
//! (`gate/<policy>/`), so GitHub tracks each policy's alerts as their own
//! category and a policy that disappears closes its alerts. Results:
//! blocking findings are `error`, other open findings `warning` (high and
//! critical) or `note`; waived and suppressed findings carry
//! `suppressions`; fixed ones are omitted (they no longer exist). GitHub
//! needs a physical location: findings without one point at the first
//! artifact the run read. `rules[]` lists the rules the results use,
//! described by the policy's rule catalog (from `info()`), else by the
//! rule's first finding. At most 25 000 results per run (GitHub's limit),
//! most severe first; the rest are dropped and a notification says how many.

use crate::verdict::{Finding, FindingStatus, PolicyEntry, RuleInfo, VerdictDoc};
use gate_artifacts::Severity;
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use serde_json::{Value, json};
use std::collections::BTreeMap;

pub const MAX_RESULTS: usize = 25_000;

fn rank(s: Severity) -> u8 {
    match s {
        Severity::Critical => 5,
        Severity::High => 4,
        Severity::Unknown => 3,
        Severity::Medium => 2,
        Severity::Low => 1,
        Severity::Info => 0,
    }
}

/// GitHub's numeric `security-severity` for a normalized severity.
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High | Severity::Unknown => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

fn level(f: &Finding) -> &'static str {
    if f.blocking {
        "error"
    } else if matches!(f.severity, Severity::High | Severity::Critical) {
        "warning"
    } else {
        "note"
    }
}

fn run(doc: &VerdictDoc, p: &PolicyEntry, max_results: usize) -> Value {
    let fallback = doc
        .artifacts
        .first()
        .map(|a| a.path.clone())
        .unwrap_or_else(|| "gate.toml".into());
    let mut findings: Vec<&Finding> = p
        .findings
        .iter()
        .filter(|f| f.status != FindingStatus::Fixed)
        .collect();
    findings.sort_by_key(|f| std::cmp::Reverse((f.blocking, rank(f.severity))));
    let dropped = findings.len().saturating_sub(max_results);
    findings.truncate(max_results);

    // rules[]: one per rule the results use, in order of first use,
    // described from the policy's catalog; a rule the catalog does not list
    // (a scanner's rule a policy passes on) is described from its first
    // finding.
    let mut rules: BTreeMap<&str, (usize, &Finding)> = BTreeMap::new();
    for f in &findings {
        let n = rules.len();
        rules.entry(&*f.rule).or_insert((n, f));
    }
    let mut ordered: Vec<(&str, usize, &Finding)> =
        rules.iter().map(|(k, (i, f))| (*k, *i, *f)).collect();
    ordered.sort_by_key(|(_, i, _)| *i);
    let rules_json: Vec<Value> = ordered
        .iter()
        .map(|(id, _, f)| match p.rule(id) {
            Some(c) => catalog_rule(p, c),
            None => finding_rule(p, id, f),
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rules.get(&*f.rule).map(|(i, _)| *i).unwrap_or(0);
            let (path, line, end) = match &f.location {
                Some(l) => (l.path.to_string(), l.line.unwrap_or(1), l.end_line),
                None => (fallback.clone(), 1, None),
            };
            let mut region = json!({"startLine": line.max(1)});
            if let Some(e) = end.filter(|e| *e >= line) {
                set(&mut region, "endLine", json!(e));
            }
            let mut r = json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": level(f),
                "message": {"text": if f.message.is_empty() { &*f.rule } else { &*f.message }},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact_location(&path),
                    "region": region,
                }}],
                "partialFingerprints": {"primaryLocationLineHash": format!("{}:1", f.fingerprint)},
            });
            if let Some(res) = &f.resource {
                set(&mut r, "properties", json!({"resource": res}));
            }
            if matches!(f.status, FindingStatus::Waived | FindingStatus::Suppressed) {
                let kind = if f.status == FindingStatus::Suppressed { "inSource" } else { "external" };
                set(&mut r, "suppressions", json!([{"kind": kind, "justification": f.evidence.as_deref().unwrap_or_default()}]));
            }
            r
        })
        .collect();
    let mut run = json!({
        "tool": {"driver": {
            "name": "gate",
            "semanticVersion": doc.gate_version,
            "informationUri": "https://example.invalid/gate",
            "rules": rules_json,
        }},
        "automationDetails": {"id": format!("gate/{}/", p.name)},
        "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the repository root"}}},
        "results": results,
        "properties": {"policy": p.name, "ref": p.reference, "digest": p.digest, "outcome": p.outcome.as_str()},
    });
    let mut notes = Vec::new();
    if dropped > 0 {
        notes.push(json!({"level": "warning", "message": {"text": format!("{dropped} least severe results were dropped to stay within GitHub's limits ({MAX_RESULTS} results per run, 10 MB gzipped)")}}));
    }
    if let Some(e) = &p.error {
        notes.push(json!({"level": "error", "message": {"text": format!("policy error ({}): {}", e.kind, e.message)}}));
    }
    set(
        &mut run,
        "invocations",
        json!([{"executionSuccessful": p.error.is_none(), "toolExecutionNotifications": notes}]),
    );
    run
}

/// GitHub rejects uploads over 10 MB gzipped.
pub const MAX_GZIPPED: usize = 10 << 20;

fn gzipped_len(s: &str) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let _ = e.write_all(s.as_bytes());
    e.finish().map(|v| v.len()).unwrap_or(usize::MAX)
}

pub fn render(doc: &VerdictDoc) -> String {
    render_within(doc, MAX_RESULTS, MAX_GZIPPED)
}

/// Renders with at most `max_results` per run, halving it while the
/// gzipped log is over `max_gzipped` (least severe results go first; each
/// run's notifications say how many were dropped).
pub fn render_within(doc: &VerdictDoc, max_results: usize, max_gzipped: usize) -> String {
    let mut limit = max_results;
    loop {
        let sarif = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": doc.policies.iter().map(|p| run(doc, p, limit)).collect::<Vec<_>>(),
        });
        let mut s = serde_json::to_string_pretty(&sarif).unwrap_or_default();
        s.push('\n');
        if limit == 0 || gzipped_len(&s) <= max_gzipped {
            return s;
        }
        limit /= 2;
    }
}

/// What a URI path may not carry as is (RFC 3986): controls, space, the
/// delimiters and unsafe characters below, and (always) non-ASCII bytes.
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Whether `s` starts with a URI scheme and `://` (`file:///x`, `https://h/x`).
fn has_scheme(s: &str) -> bool {
    let Some((scheme, _)) = s.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

/// An `artifactLocation` for a finding's path. A path inside the
/// repository (relative, as gate maps them) is a relative URI reference
/// with `uriBaseId` `%SRCROOT%`; a path outside it (absolute, as the
/// artifact spelled it) is an absolute `file://` URI — GitHub cannot map a
/// bare `/build/...`; a path that already is a URI is kept.
pub fn artifact_location(path: &str) -> Value {
    if has_scheme(path) {
        return json!({"uri": path});
    }
    let slashed = path.replace('\\', "/");
    let bytes = slashed.as_bytes();
    let drive = bytes.len() >= 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/');
    if slashed.starts_with('/') || drive {
        let sep = if drive { "/" } else { "" };
        return json!({"uri": format!("file://{sep}{}", utf8_percent_encode(&slashed, PATH))});
    }
    let mut rel = slashed.as_str();
    while let Some(rest) = rel.strip_prefix("./") {
        rel = rest;
    }
    let encoded = utf8_percent_encode(rel, PATH).to_string();
    // A `:` in the first segment would read as a scheme.
    let uri = match encoded.split_once('/') {
        Some((first, rest)) => format!("{}/{rest}", first.replace(':', "%3A")),
        None => encoded.replace(':', "%3A"),
    };
    json!({"uri": uri, "uriBaseId": "%SRCROOT%"})
}

/// Whether a catalog entry describes a security rule: tagged `security`,
/// or with a CWE or checkov id among its tags.
fn security_tagged(r: &RuleInfo) -> bool {
    r.tags.iter().any(|t| {
        t.eq_ignore_ascii_case("security")
            || t.to_ascii_uppercase().starts_with("CWE-")
            || t.starts_with("CKV")
    })
}

/// `properties` of a rule: its tags (the policy's name first, `security`
/// added for security rules) and, for security rules, GitHub's numeric
/// `security-severity`.
fn rule_properties(p: &PolicyEntry, tags: &[String], security: Option<Severity>) -> Value {
    let mut all = vec![p.name.clone()];
    if security.is_some() && p.name != "security" {
        all.push("security".to_string());
    }
    for t in tags {
        if !all.contains(t) {
            all.push(t.clone());
        }
    }
    let mut props = json!({"tags": all});
    if let Some(s) = security {
        set(&mut props, "security-severity", json!(security_severity(s)));
    }
    props
}

/// A rule described by the policy's catalog.
fn catalog_rule(p: &PolicyEntry, c: &RuleInfo) -> Value {
    let level = match c.default_severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info | Severity::Unknown => "note",
    };
    let security = security_tagged(c).then_some(c.default_severity);
    let mut rule = json!({
        "id": c.id,
        "name": c.id,
        "shortDescription": {"text": c.short_description},
        "fullDescription": {"text": c.full_description},
        "help": {"text": c.help.clone().unwrap_or_else(|| c.full_description.clone())},
        "defaultConfiguration": {"level": level},
        "properties": rule_properties(p, &c.tags, security),
    });
    if let Some(uri) = &c.help_uri {
        set(&mut rule, "helpUri", json!(uri));
    }
    rule
}

/// A rule the catalog does not list, described from its first finding. It
/// is a security rule when its finding names an advisory or checkov id, or
/// when the policy's catalog is about security (a policy that passes on
/// scanners' findings).
fn finding_rule(p: &PolicyEntry, id: &str, f: &Finding) -> Value {
    let security = p.rules.iter().any(security_tagged)
        || f.aliases
            .iter()
            .any(|a| a.starts_with("CVE-") || a.starts_with("GHSA-") || a.starts_with("CKV"));
    json!({
        "id": id,
        "name": id,
        "shortDescription": {"text": id},
        "fullDescription": {"text": f.message},
        "help": {"text": f.remediation.as_deref().unwrap_or(&*f.message)},
        "defaultConfiguration": {"level": if f.blocking { "error" } else { "warning" }},
        "properties": rule_properties(p, &[], security.then_some(f.severity)),
    })
}

/// Sets a key of a JSON object (no-op on anything else).
fn set(v: &mut Value, key: &str, value: Value) {
    if let Some(o) = v.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::verdict::{Finding, Outcome, PolicyEntry, Summary, VerdictDoc};

    /// A verdict of one `security` policy with `n` findings of rules
    /// `R0`..`R6` (shared by the report tests).
    pub(crate) fn doc(n: usize) -> VerdictDoc {
        let findings = (0..n)
            .map(|i| Finding {
                rule: format!("R{}", i % 7).into(),
                severity: if i % 3 == 0 {
                    Severity::Critical
                } else {
                    Severity::Low
                },
                message: format!("finding {i} {}", "x".repeat(i % 50)).into(),
                location: Some(crate::verdict::Location::new(
                    &format!("src/f{i}.rs"),
                    Some(1),
                )),
                resource: None,
                aliases: Default::default(),
                remediation: None,
                evidence: None,
                status: FindingStatus::Open,
                blocking: i % 3 == 0,
                fingerprint: crate::verdict::Fingerprint::new(format!("fp{i}")),
            })
            .collect();
        VerdictDoc {
            schema_version: 1,
            gate_version: "0",
            outcome: Outcome::Fail,
            exit_code: 1,
            exit: crate::exit::Exit::GateFailed,
            now: "2026-01-01T00:00:00Z".into(),
            context: crate::context::resolve(&crate::context::ContextArgs {
                now: Some("2026-01-01T00:00:00Z".into()),
                environment: None,
            })
            .unwrap(),
            artifacts: vec![],
            policies: vec![PolicyEntry {
                name: "security".into(),
                reference: "builtin:security".into(),
                version: "0".into(),
                digest: String::new(),
                pack: None,
                level: crate::config::Level::Hard,
                level_from: None,
                outcome: Outcome::Fail,
                policy_outcome: None,
                summary: String::new(),
                error: None,
                findings,
                metrics: vec![],
                fuel_consumed: 0,
                log: vec![],
                stdout: String::new(),
                stderr: String::new(),
                overridden: None,
                rules: vec![],
            }],
            summary: Summary::default(),
        }
    }

    #[test]
    fn results_are_capped_most_severe_first_and_the_cut_is_said() {
        let v: Value = serde_json::from_str(&render_within(&doc(300), 100, MAX_GZIPPED)).unwrap();
        let results = v["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), 100);
        // All 100 criticals (blocking) are kept before any low one.
        assert!(results.iter().all(|r| r["level"] == "error"));
        let note =
            &v["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
        assert!(
            note.as_str()
                .unwrap()
                .starts_with("200 least severe results were dropped"),
            "{note}"
        );
    }

    #[test]
    fn gzipped_size_limit_halves_the_results() {
        let full = render_within(&doc(2000), MAX_RESULTS, MAX_GZIPPED);
        let budget = gzipped_len(&full) / 3;
        let v: Value =
            serde_json::from_str(&render_within(&doc(2000), MAX_RESULTS, budget)).unwrap();
        let kept = v["runs"][0]["results"].as_array().unwrap().len();
        assert!(kept < 2000 && kept > 0, "{kept}");
        assert!(gzipped_len(&render_within(&doc(2000), MAX_RESULTS, budget)) <= budget);
    }

    #[test]
    fn rules_are_described_by_the_catalog() {
        let mut d = doc(8);
        d.policies[0].name = "custom".into();
        d.policies[0].rules = vec![RuleInfo {
            id: "R1".into(),
            default_severity: Severity::Medium,
            short_description: "short one".into(),
            full_description: "full one".into(),
            help: Some("do this".into()),
            help_uri: Some("https://example.invalid/r1".into()),
            tags: vec!["CWE-79".into(), "web".into()],
        }];
        let v: Value = serde_json::from_str(&render(&d)).unwrap();
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        let r1 = rules.iter().find(|r| r["id"] == "R1").unwrap();
        assert_eq!(
            *r1,
            json!({
                "id": "R1",
                "name": "R1",
                "shortDescription": {"text": "short one"},
                "fullDescription": {"text": "full one"},
                "help": {"text": "do this"},
                "helpUri": "https://example.invalid/r1",
                "defaultConfiguration": {"level": "warning"},
                "properties": {
                    "tags": ["custom", "security", "CWE-79", "web"],
                    "security-severity": "5.5"
                }
            })
        );
        // A rule the catalog does not list is described from its finding;
        // the catalog being about security makes it a security rule.
        let r0 = rules.iter().find(|r| r["id"] == "R0").unwrap();
        assert_eq!(r0["shortDescription"]["text"], "R0");
        assert_eq!(r0["properties"]["tags"], json!(["custom", "security"]));
        assert_eq!(r0["properties"]["security-severity"], "9.5");
        // Without a security catalog, no security-severity.
        d.policies[0].rules.clear();
        let v: Value = serde_json::from_str(&render(&d)).unwrap();
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
        assert!(
            rules
                .iter()
                .all(|r| r["properties"].get("security-severity").is_none())
        );
        assert!(
            rules
                .iter()
                .all(|r| r["properties"]["tags"] == json!(["custom"]))
        );
    }

    #[test]
    fn paths_inside_the_root_are_relative_outside_file_uris() {
        let loc = |p: &str| artifact_location(p);
        assert_eq!(
            loc("src/a b#1.rs"),
            json!({"uri": "src/a%20b%231.rs", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            loc("./src/a,b:c.rs"),
            json!({"uri": "src/a,b:c.rs", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            loc("a:b/c.rs"),
            json!({"uri": "a%3Ab/c.rs", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            loc("/build/src/app ü.py"),
            json!({"uri": "file:///build/src/app%20%C3%BC.py"})
        );
        assert_eq!(
            loc("C:\\a2\\s\\x.ts"),
            json!({"uri": "file:///C:/a2/s/x.ts"})
        );
        assert_eq!(loc("/C:/a2/x.ts"), json!({"uri": "file:///C:/a2/x.ts"}));
        assert_eq!(
            loc("https://example.invalid/x.js"),
            json!({"uri": "https://example.invalid/x.js"})
        );
    }
}
