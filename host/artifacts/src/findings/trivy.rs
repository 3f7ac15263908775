//! Trivy JSON (`trivy ... --format json`): SchemaVersion 2 (`Results`), the
//! legacy top-level array of results, and the `trivy k8s` cluster report
//! (`ClusterName` with resources that each carry `Results`).
//!
//! Vulnerabilities (category vulnerability), misconfigurations (only failed
//! checks; category misconfiguration) and secrets (category secret; the
//! matched text is never copied, trivy's redacted `Match` only feeds the
//! fingerprint). Trivy's severity label wins (source `tool`; `UNKNOWN` falls
//! back to the score); the CVSS score kept is the v3 score of trivy's
//! `SeveritySource` vendor, else NVD's, else the highest v3 score given.
//! `VendorIDs` (DSA, GHSA, RHSA...) become aliases. A report with an empty
//! `Results` is warned about: trivy found no OS and no packages, which is not
//! evidence of a clean artifact.

use super::{fingerprint, required_id, required_name, severity};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn is_result(r: &Value) -> bool {
    r.get("Target").is_some_and(Value::is_string)
        && (r.get("Vulnerabilities").is_some()
            || r.get("Type").is_some()
            || r.get("Class").is_some())
}

pub fn sniff(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            (o.contains_key("SchemaVersion")
                && (o.contains_key("Results") || o.contains_key("ArtifactName")))
                || (o.get("ClusterName").is_some_and(Value::is_string)
                    && ["Resources", "Vulnerabilities", "Misconfigurations"]
                        .iter()
                        .any(|k| o.get(*k).is_some_and(Value::is_array)))
        }
        Value::Array(a) => a.first().is_some_and(is_result),
        _ => false,
    }
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn cvss(v: &Value) -> Option<f64> {
    let map = v.get("CVSS")?.as_object()?;
    let score = |src: &str| severity::score(map.get(src)?.get("V3Score")?.as_f64());
    score(str_of(v, "SeveritySource"))
        .or_else(|| score("nvd"))
        .or_else(|| {
            map.values()
                .filter_map(|e| severity::score(e.get("V3Score")?.as_f64()))
                .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
        })
}

fn line(v: Option<&Value>, k: &str) -> Option<u32> {
    v?.get(k)
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| *n > 0)
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
    // (results, JSON pointer of the results array, resource prefix)
    let mut groups: Vec<(&[Value], String, String)> = Vec::new();
    match v {
        Value::Array(a) => groups.push((a, String::new(), String::new())),
        Value::Object(o) if o.contains_key("ClusterName") => {
            for key in ["Resources", "Vulnerabilities", "Misconfigurations"] {
                for (i, res) in o
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let results = match res.get("Results") {
                        Some(Value::Array(a)) => a.as_slice(),
                        None | Some(Value::Null) => &[],
                        Some(_) => {
                            return Err(cx.error(
                                "invalid-trivy",
                                Some(Position::Pointer(format!("/{key}/{i}/Results"))),
                                "`Results` must be an array",
                            ));
                        }
                    };
                    let prefix = format!(
                        "{}/{}/{}",
                        str_of(res, "Namespace"),
                        str_of(res, "Kind"),
                        str_of(res, "Name")
                    );
                    groups.push((results, format!("/{key}/{i}/Results"), prefix));
                }
            }
        }
        _ => match v.get("Results") {
            Some(Value::Array(a)) => groups.push((a, "/Results".into(), String::new())),
            None | Some(Value::Null) => {}
            Some(_) => {
                return Err(cx.error(
                    "invalid-trivy",
                    Some(Position::Pointer("/Results".into())),
                    "`Results` must be an array",
                ));
            }
        },
    }
    if groups.iter().all(|(r, _, _)| r.is_empty()) {
        cx.warn(
            "trivy-empty-scan",
            "the trivy report has no results: no OS or packages were detected, which is not evidence of a clean artifact",
        );
    }
    let mut out = Vec::new();
    for (results, ptr, prefix) in groups {
        for (i, r) in results.iter().enumerate() {
            if !r.is_object() {
                return Err(cx.error(
                    "invalid-trivy",
                    Some(Position::Pointer(format!("{ptr}/{i}"))),
                    "a result must be an object",
                ));
            }
            read_result(r, &format!("{ptr}/{i}"), &prefix, cx, &mut out)?;
        }
    }
    Ok(out)
}

fn read_result(
    r: &Value,
    rptr: &str,
    prefix: &str,
    cx: &mut ParseContext<'_>,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let target = str_of(r, "Target");
    let target_path = cx.path(target);
    // The resource (k8s) and target are part of identity.
    let scope = if prefix.is_empty() {
        target.to_string()
    } else {
        format!("{prefix}:{target}")
    };
    for (vi, vuln) in r
        .get("Vulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let vptr = format!("{rptr}/Vulnerabilities/{vi}");
        let id = required_id(cx, vuln, "VulnerabilityID", &vptr)?;
        let name = required_name(cx, vuln, "PkgName", &vptr)?;
        let version = str_of(vuln, "InstalledVersion");
        let score = cvss(vuln);
        let (sev, src) = severity::resolve(severity::label(str_of(vuln, "Severity")), score);
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
            cwes: strings(vuln.get("CweIDs")),
            aliases: strings(vuln.get("VendorIDs")),
            fingerprint: fingerprint::of(&["trivy", id, &scope, name, version]),
            suppressed: false,
        });
    }
    for (mi, m) in r
        .get("Misconfigurations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        if str_of(m, "Status") == "PASS" {
            continue;
        }
        let mptr = format!("{rptr}/Misconfigurations/{mi}");
        let id = if str_of(m, "AVDID").is_empty() {
            required_id(cx, m, "ID", &mptr)?
        } else {
            required_id(cx, m, "AVDID", &mptr)?
        };
        let (sev, src) = severity::resolve(severity::label(str_of(m, "Severity")), None);
        let cause = m.get("CauseMetadata");
        let message = str_of(m, "Message").to_string();
        let resource = cause.map_or("", |c| str_of(c, "Resource"));
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
                line: line(cause, "StartLine"),
                end_line: line(cause, "EndLine"),
                column: None,
            }),
            fingerprint: fingerprint::of(&[
                "trivy",
                id,
                &scope,
                resource,
                &fingerprint::normalize(&message),
            ]),
            message,
            package: None,
            cwes: Vec::new(),
            aliases: [str_of(m, "ID")]
                .into_iter()
                .filter(|a| !a.is_empty())
                .map(str::to_string)
                .collect(),
            suppressed: false,
        });
    }
    for (si, s) in r
        .get("Secrets")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let id = required_id(cx, s, "RuleID", &format!("{rptr}/Secrets/{si}"))?;
        let (sev, src) = severity::resolve(severity::label(str_of(s, "Severity")), None);
        // Trivy masks the secret in `Match` with `*`; an unmasked match is
        // never used, not even hashed.
        let m = str_of(s, "Match");
        let redacted = if m.contains('*') { m.trim() } else { "" };
        out.push(SecurityFinding {
            tool: "trivy".into(),
            rule: id.to_string(),
            category: FindingCategory::Secret,
            severity: sev,
            severity_source: src,
            cvss: None,
            title: str_of(s, "Title").to_string(),
            message: format!("{} found in {target}", str_of(s, "Title")),
            location: Some(Location {
                path: target_path.clone(),
                line: line(Some(s), "StartLine"),
                end_line: line(Some(s), "EndLine"),
                column: None,
            }),
            package: None,
            cwes: vec!["CWE-798".into()],
            aliases: Vec::new(),
            fingerprint: fingerprint::of(&["trivy", id, &scope, redacted]),
            suppressed: false,
        });
    }
    Ok(())
}
