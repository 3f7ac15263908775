//! osv-scanner `--format json`: `results[].packages[].vulnerabilities[]`.
//! One finding per vulnerability entry (osv-scanner's own CI diff compares
//! by ID), with the OSV aliases kept so waivers match any of them. Severity:
//! the database's label (`database_specific.severity`, GHSA's), else the
//! score (the group's `max_severity`, else the base score computed from the
//! entry's CVSS v3 vector) banded, else unknown — never guessed. GHSA's
//! `cwe_ids` become CWEs.

use super::{cvss, fingerprint, required_id, required_name, severity};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    match o.get("results").and_then(Value::as_array) {
        // `{"results": []}` is osv-scanner's clean report, but other tools
        // (bandit) also have a `results` key: then require nothing else.
        Some(r) if r.is_empty() => o
            .keys()
            .all(|k| k == "results" || k == "experimental_config"),
        Some(r) => r
            .first()
            .is_some_and(|x| x.get("packages").is_some() && x.get("source").is_some()),
        None => false,
    }
}

/// The highest base score computable from the entry's `CVSS_V3` vectors
/// (v4 vectors have no base-score formula here: skipped).
fn vector_score(vuln: &Value) -> Option<f64> {
    vuln.get("severity")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("score").and_then(Value::as_str))
        .filter_map(cvss::base_score)
        .filter_map(|s| severity::score(Some(s)))
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let results = v.get("results").and_then(Value::as_array).ok_or_else(|| {
        cx.error(
            "invalid-osv",
            Some(Position::Pointer("/results".into())),
            "`results` must be an array",
        )
    })?;
    let mut out = Vec::new();
    for (ri, result) in results.iter().enumerate() {
        let source = result
            .get("source")
            .and_then(|s| s.get("path"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let source_path = cx.path(source);
        for (pi, p) in result
            .get("packages")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let pkg = p.get("package").ok_or_else(|| {
                cx.error(
                    "invalid-osv",
                    Some(Position::Pointer(format!(
                        "/results/{ri}/packages/{pi}/package"
                    ))),
                    "entry has no package",
                )
            })?;
            let pptr = format!("/results/{ri}/packages/{pi}");
            let name = required_name(cx, pkg, "name", &format!("{pptr}/package"))?;
            let version = pkg.get("version").and_then(Value::as_str).unwrap_or("");
            let groups: Vec<&Value> = p
                .get("groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .collect();
            for (vi, vuln) in p
                .get("vulnerabilities")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let id = required_id(cx, vuln, "id", &format!("{pptr}/vulnerabilities/{vi}"))?;
                let group_score = groups
                    .iter()
                    .find(|g| {
                        g.get("ids")
                            .and_then(Value::as_array)
                            .is_some_and(|ids| ids.iter().any(|x| x.as_str() == Some(id)))
                    })
                    .and_then(|g| g.get("max_severity"))
                    .and_then(|s| {
                        s.as_str()
                            .and_then(|s| s.parse::<f64>().ok())
                            .or_else(|| s.as_f64())
                    })
                    .and_then(|s| severity::score(Some(s)))
                    .or_else(|| vector_score(vuln));
                let db = vuln
                    .get("database_specific")
                    .and_then(|d| d.get("severity"))
                    .and_then(Value::as_str)
                    .and_then(severity::label);
                let cvss = group_score;
                let (severity, src) = severity::resolve(db, cvss);
                let mut aliases: Vec<String> = vuln
                    .get("aliases")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect();
                aliases.sort();
                let fixed: Vec<String> = vuln
                    .get("affected")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|a| {
                        a.get("package")
                            .and_then(|p| p.get("name"))
                            .and_then(Value::as_str)
                            == Some(name)
                    })
                    .flat_map(|a| {
                        a.get("ranges")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .flat_map(|r| {
                        r.get("events")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                    })
                    .filter_map(|e| e.get("fixed").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect();
                let summary = vuln.get("summary").and_then(Value::as_str).unwrap_or("");
                out.push(SecurityFinding {
                    tool: "osv-scanner".into(),
                    rule: id.to_string(),
                    category: FindingCategory::Vulnerability,
                    severity,
                    severity_source: src,
                    cvss,
                    title: if summary.is_empty() {
                        format!("{id} in {name} {version}")
                    } else {
                        summary.to_string()
                    },
                    message: vuln
                        .get("details")
                        .and_then(Value::as_str)
                        .unwrap_or(summary)
                        .to_string(),
                    location: (!source_path.is_empty())
                        .then(|| Location::new(source_path.clone(), None)),
                    package: Some(AffectedPackage {
                        name: name.to_string(),
                        version: (!version.is_empty()).then(|| version.to_string()),
                        ecosystem: pkg
                            .get("ecosystem")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        purl: None,
                        fixed_versions: fixed,
                    }),
                    cwes: vuln
                        .get("database_specific")
                        .and_then(|d| d.get("cwe_ids"))
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect(),
                    aliases,
                    // The manifest path is part of identity: osv-scanner's
                    // diff treats a moved manifest as a new finding.
                    fingerprint: fingerprint::of(&["osv-scanner", id, &source_path, name, version]),
                    suppressed: false,
                });
            }
        }
    }
    Ok(out)
}
