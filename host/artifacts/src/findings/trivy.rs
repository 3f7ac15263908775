//! Trivy JSON (`trivy ... --format json`): SchemaVersion 2 (`Results`) and
//! the legacy top-level array of results. Vulnerabilities, misconfigurations
//! (only failed checks) and secrets. Trivy's severity label wins (source
//! `tool`); the CVSS score kept is the one of Trivy's `SeveritySource`, else
//! NVD's, else the highest v3 score. A scan that found no OS and no packages
//! (an empty `Results`) is warned about: it is not evidence of a clean image.

use super::fingerprint;
use crate::model::{
    AffectedPackage, FindingCategory, Location, SecurityFinding, Severity, SeveritySource,
};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.contains_key("SchemaVersion")
                && (o.contains_key("Results") || o.contains_key("ArtifactName"))
        }
        Value::Array(a) => a.first().is_some_and(|r| {
            r.get("Target").is_some()
                && (r.get("Vulnerabilities").is_some() || r.get("Type").is_some())
        }),
        _ => false,
    }
}

fn label(s: &str) -> Option<Severity> {
    Some(match s.to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        _ => return None,
    })
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn cvss(v: &Value) -> Option<f64> {
    let map = v.get("CVSS")?.as_object()?;
    let score = |src: &str| map.get(src)?.get("V3Score")?.as_f64();
    score(str_of(v, "SeveritySource"))
        .or_else(|| score("nvd"))
        .or_else(|| {
            map.values()
                .filter_map(|e| e.get("V3Score")?.as_f64())
                .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
        })
}

fn severity(v: &Value, score: Option<f64>) -> (Severity, SeveritySource) {
    match (label(str_of(v, "Severity")), score) {
        (Some(s), _) => (s, SeveritySource::Tool),
        (None, Some(c)) => (Severity::from_cvss(c), SeveritySource::Cvss),
        (None, None) => (Severity::Unknown, SeveritySource::None),
    }
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let results: &[Value] = match v {
        Value::Array(a) => a,
        _ => match v.get("Results") {
            Some(Value::Array(a)) => a,
            None | Some(Value::Null) => &[],
            Some(_) => {
                return Err(cx.error(
                    "invalid-trivy",
                    Some(Position::Pointer("/Results".into())),
                    "`Results` must be an array",
                ));
            }
        },
    };
    if results.is_empty() {
        cx.warn(
            "trivy-empty-scan",
            "the trivy report has no results: no OS or packages were detected, which is not evidence of a clean artifact",
        );
    }
    let mut out = Vec::new();
    for r in results {
        let target = str_of(r, "Target");
        let target_path = cx.path(target);
        for vuln in r
            .get("Vulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = str_of(vuln, "VulnerabilityID");
            let name = str_of(vuln, "PkgName");
            let version = str_of(vuln, "InstalledVersion");
            let score = cvss(vuln);
            let (sev, src) = severity(vuln, score);
            let fixed: Vec<String> = str_of(vuln, "FixedVersion")
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let path = vuln
                .get("PkgPath")
                .and_then(Value::as_str)
                .map(|p| cx.path(p))
                .unwrap_or_else(|| target_path.clone());
            out.push(SecurityFinding {
                tool: "trivy".into(),
                rule: id.to_string(),
                category: FindingCategory::Vulnerability,
                severity: sev,
                severity_source: src,
                cvss: score,
                title: str_of(vuln, "Title").to_string(),
                message: str_of(vuln, "Description").to_string(),
                location: Some(Location::new(path, None)),
                package: Some(AffectedPackage {
                    name: name.to_string(),
                    version: (!version.is_empty()).then(|| version.to_string()),
                    ecosystem: r.get("Type").and_then(Value::as_str).map(str::to_string),
                    purl: vuln
                        .get("PkgIdentifier")
                        .and_then(|p| p.get("PURL"))
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    fixed_versions: fixed,
                }),
                cwes: vuln
                    .get("CweIDs")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                aliases: Vec::new(),
                fingerprint: fingerprint::of(&["trivy", id, target, name, version]),
                suppressed: false,
            });
        }
        for m in r
            .get("Misconfigurations")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if str_of(m, "Status") == "PASS" {
                continue;
            }
            let id = if str_of(m, "AVDID").is_empty() {
                str_of(m, "ID")
            } else {
                str_of(m, "AVDID")
            };
            let (sev, src) = severity(m, None);
            let cause = m.get("CauseMetadata");
            let line = |k: &str| {
                cause
                    .and_then(|c| c.get(k))
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
            };
            let message = str_of(m, "Message").to_string();
            out.push(SecurityFinding {
                tool: "trivy".into(),
                rule: id.to_string(),
                category: FindingCategory::Misconfiguration,
                severity: sev,
                severity_source: src,
                cvss: None,
                title: str_of(m, "Title").to_string(),
                location: Some(Location {
                    path: target_path.clone(),
                    line: line("StartLine"),
                    end_line: line("EndLine"),
                    column: None,
                }),
                fingerprint: fingerprint::of(&["trivy", id, target, &message]),
                message,
                package: None,
                cwes: Vec::new(),
                aliases: [str_of(m, "ID")]
                    .into_iter()
                    .filter(|a| !a.is_empty() && *a != id)
                    .map(str::to_string)
                    .collect(),
                suppressed: false,
            });
        }
        for s in r
            .get("Secrets")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let id = str_of(s, "RuleID");
            let (sev, src) = severity(s, None);
            let line = |k: &str| {
                s.get(k)
                    .and_then(Value::as_u64)
                    .and_then(|n| u32::try_from(n).ok())
                    .filter(|n| *n > 0)
            };
            out.push(SecurityFinding {
                tool: "trivy".into(),
                rule: id.to_string(),
                category: FindingCategory::Secret,
                severity: sev,
                severity_source: src,
                cvss: None,
                title: str_of(s, "Title").to_string(),
                // Never copy the matched secret itself.
                message: format!("{} found in {target}", str_of(s, "Title")),
                location: Some(Location {
                    path: target_path.clone(),
                    line: line("StartLine"),
                    end_line: line("EndLine"),
                    column: None,
                }),
                package: None,
                cwes: Vec::new(),
                aliases: Vec::new(),
                fingerprint: fingerprint::of(&[
                    "trivy",
                    id,
                    target,
                    &line("StartLine").unwrap_or(0).to_string(),
                ]),
                suppressed: false,
            });
        }
    }
    Ok(out)
}
