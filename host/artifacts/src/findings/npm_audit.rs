//! `npm audit --json`: npm 6 (`advisories` map) and npm 7+
//! (`auditReportVersion: 2`, `vulnerabilities` map). npm's `moderate` is
//! medium. One finding per advisory and affected package; npm 7's `via`
//! entries that only name another package (transitive effects) are the same
//! advisory seen from a dependent and are not repeated. The advisory's
//! CVSS score (or its vector's computed score) fills `cvss`; the severity
//! is npm's label (source `tool`). The advisory's GHSA id is the rule; the
//! npm advisory number (`npm:1094102`) and CVEs are aliases. pnpm's
//! `pnpm audit --json` has npm 6's shape and is read the same way.

use super::{check_id, cvss, fingerprint, pointer, severity};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    (o.get("auditReportVersion").is_some() && o.get("vulnerabilities").is_some_and(Value::is_object))
        || (o.get("advisories").is_some_and(Value::is_object) && o.contains_key("metadata"))
        // npm 6's error output: recognised so it fails with a clear message.
        || (o.len() <= 2 && o.get("error").and_then(|e| e.get("code")).is_some() && o.get("error").and_then(|e| e.get("summary")).is_some())
}

/// `{"score": 7.5, "vectorString": "CVSS:3.1/..."}`: the score, else the
/// vector's computed base score; `0` with no vector means "none given".
fn score(a: &serde_json::Map<String, Value>) -> Option<f64> {
    let c = a.get("cvss")?;
    severity::score(c.get("score").and_then(Value::as_f64)).or_else(|| {
        c.get("vectorString")
            .and_then(Value::as_str)
            .and_then(cvss::base_score)
            .and_then(|s| severity::score(Some(s)))
    })
}

/// `https://github.com/advisories/GHSA-xxxx` → `GHSA-xxxx`.
fn ghsa(url: &str) -> Option<String> {
    url.rsplit('/')
        .next()
        .filter(|s| s.starts_with("GHSA-"))
        .map(str::to_string)
}

#[allow(clippy::too_many_arguments)]
fn finding(
    id: String,
    source: Option<u64>,
    cvss: Option<f64>,
    name: &str,
    version: Option<String>,
    sev: &str,
    title: &str,
    cwes: Vec<String>,
    cves: Vec<String>,
    fixed: Vec<String>,
) -> SecurityFinding {
    let (severity, severity_source) = severity::resolve(severity::label(sev), cvss);
    let mut aliases = cves;
    if let Some(s) = source {
        aliases.push(format!("npm:{s}"));
    }
    aliases.sort();
    aliases.dedup();
    SecurityFinding {
        tool: "npm-audit".into(),
        fingerprint: fingerprint::of(&["npm-audit", &id, name]),
        rule: id,
        category: FindingCategory::Vulnerability,
        severity,
        severity_source,
        cvss,
        title: title.to_string(),
        message: title.to_string(),
        location: None,
        package: Some(AffectedPackage {
            name: name.to_string(),
            version,
            ecosystem: Some("npm".into()),
            purl: None,
            fixed_versions: fixed,
        }),
        cwes,
        aliases,
        suppressed: false,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    if let Some(e) = v.get("error") {
        let code = e.get("code").and_then(Value::as_str).unwrap_or("?");
        let summary = e.get("summary").and_then(Value::as_str).unwrap_or("");
        return Err(cx.error(
            "npm-audit-error",
            Some(Position::Pointer("/error".into())),
            format!(
                "this is npm's error output, not an audit report: {code}: {}",
                summary.lines().next().unwrap_or("")
            )
            .to_lowercase(),
        ));
    }
    let mut out = Vec::new();
    if let Some(vulns) = v.get("vulnerabilities").and_then(Value::as_object) {
        for (pkg, entry) in vulns {
            let fixed: Vec<String> = match entry.get("fixAvailable") {
                Some(Value::Object(f)) if f.get("name").and_then(Value::as_str) == Some(pkg) => f
                    .get("version")
                    .and_then(Value::as_str)
                    .map(|s| vec![s.to_string()])
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            for (j, via) in entry
                .get("via")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let Some(adv) = via.as_object() else { continue };
                let url = adv.get("url").and_then(Value::as_str).unwrap_or("");
                let source = adv.get("source").and_then(Value::as_u64);
                let id = ghsa(url)
                    .or_else(|| source.map(|s| format!("npm:{s}")))
                    .unwrap_or_else(|| format!("npm-advisory:{pkg}"));
                check_id(
                    cx,
                    &id,
                    &format!("{}/via/{j}", pointer("/vulnerabilities", pkg)),
                )?;
                let name = adv.get("name").and_then(Value::as_str).unwrap_or(pkg);
                out.push(finding(
                    id,
                    source,
                    score(adv),
                    name,
                    None,
                    adv.get("severity").and_then(Value::as_str).unwrap_or(""),
                    adv.get("title").and_then(Value::as_str).unwrap_or(""),
                    strings(adv.get("cwe")),
                    Vec::new(),
                    fixed.clone(),
                ));
            }
        }
    } else if let Some(advisories) = v.get("advisories").and_then(Value::as_object) {
        for (key, a) in advisories {
            let name = a
                .get("module_name")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    cx.error(
                        "invalid-npm-audit",
                        Some(Position::Pointer(format!("/advisories/{key}/module_name"))),
                        "advisory has no module_name",
                    )
                })?;
            let url = a.get("url").and_then(Value::as_str).unwrap_or("");
            let source = a.get("id").and_then(Value::as_u64);
            let id = a
                .get("github_advisory_id")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| ghsa(url))
                .unwrap_or_else(|| format!("npm:{key}"));
            check_id(cx, &id, &pointer("/advisories", key))?;
            let versions: Vec<String> = a
                .get("findings")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|f| f.get("version").and_then(Value::as_str))
                .map(str::to_string)
                .collect();
            let patched = a
                .get("patched_versions")
                .and_then(Value::as_str)
                .filter(|p| *p != "<0.0.0")
                .map(|p| vec![p.to_string()])
                .unwrap_or_default();
            // npm 6 writes `"cwe": "CWE-79"` or a JSON-encoded list
            // (`"[\"CWE-400\"]"`); npm 7 a real list.
            let cwes = match a.get("cwe") {
                Some(Value::String(s)) if s.trim_start().starts_with('[') => {
                    serde_json::from_str::<Vec<String>>(s).unwrap_or_else(|_| vec![s.clone()])
                }
                Some(Value::String(s)) => vec![s.clone()],
                other => strings(other),
            };
            let versions = if versions.is_empty() {
                vec![String::new()]
            } else {
                versions
            };
            for ver in versions {
                out.push(finding(
                    id.clone(),
                    source,
                    a.as_object().and_then(score),
                    name,
                    (!ver.is_empty()).then_some(ver),
                    a.get("severity").and_then(Value::as_str).unwrap_or(""),
                    a.get("title").and_then(Value::as_str).unwrap_or(""),
                    cwes.clone(),
                    strings(a.get("cves")),
                    patched.clone(),
                ));
            }
        }
    }
    Ok(out)
}
