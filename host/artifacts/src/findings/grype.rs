//! Grype JSON (`grype -o json`). `Negligible` is low, `Unknown` stays
//! unknown; the CVSS score is the highest v3 base score given (v2 only when
//! no v3 exists); related vulnerabilities become aliases.

use super::fingerprint;
use crate::model::{
    AffectedPackage, FindingCategory, Location, SecurityFinding, Severity, SeveritySource,
};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    let matches = o.get("matches").and_then(Value::as_array);
    matches.is_some()
        && (o
            .get("descriptor")
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
            == Some("grype")
            || matches
                .and_then(|m| m.first())
                .is_some_and(|m| m.get("vulnerability").is_some() && m.get("artifact").is_some()))
}

fn severity(label: &str) -> Option<Severity> {
    Some(match label.to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" => Severity::High,
        "medium" => Severity::Medium,
        "low" | "negligible" => Severity::Low,
        "unknown" | "" => return None,
        _ => return None,
    })
}

/// Package type → OSV-style ecosystem name.
fn ecosystem(t: &str) -> Option<String> {
    Some(
        match t {
            "npm" => "npm",
            "python" => "PyPI",
            "go-module" => "Go",
            "rust-crate" => "crates.io",
            "java-archive" => "Maven",
            "gem" => "RubyGems",
            "deb" => "Debian",
            "apk" => "Alpine",
            "rpm" => "RPM",
            "dotnet" => "NuGet",
            "php-composer" => "Packagist",
            "" => return None,
            other => other,
        }
        .to_string(),
    )
}

fn best_cvss(v: &Value) -> Option<f64> {
    let list = v.get("cvss")?.as_array()?;
    let score = |want3: bool| {
        list.iter()
            .filter(|c| {
                c.get("version")
                    .and_then(Value::as_str)
                    .is_some_and(|ver| ver.starts_with('3') == want3)
            })
            .filter_map(|c| c.get("metrics")?.get("baseScore")?.as_f64())
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
    };
    score(true).or_else(|| score(false))
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let matches = v.get("matches").and_then(Value::as_array).ok_or_else(|| {
        cx.error(
            "invalid-grype",
            Some(Position::Pointer("/matches".into())),
            "`matches` must be an array",
        )
    })?;
    // Directory scans report paths from the scanned directory's root
    // (`/web/package-lock.json` for `grype dir:.`): make them relative to it.
    let dir_scan = v
        .get("source")
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        == Some("directory");
    let target = v
        .get("source")
        .and_then(|s| s.get("target"))
        .and_then(Value::as_str)
        .unwrap_or(".");
    let mut out = Vec::with_capacity(matches.len());
    for (i, m) in matches.iter().enumerate() {
        let ptr = format!("/matches/{i}");
        let name = cx.name;
        let bad = |what: &str| {
            ParseError::new(
                name,
                "invalid-grype",
                Some(Position::Pointer(format!("{ptr}/{what}"))),
                format!("match has no {what}"),
            )
        };
        let vuln = m.get("vulnerability").ok_or_else(|| bad("vulnerability"))?;
        let art = m.get("artifact").ok_or_else(|| bad("artifact"))?;
        let id = vuln
            .get("id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("vulnerability/id"))?;
        let name = art
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("artifact/name"))?;
        let version = art.get("version").and_then(Value::as_str).unwrap_or("");
        let cvss = best_cvss(vuln);
        let label = vuln.get("severity").and_then(Value::as_str).unwrap_or("");
        let (sev, source) = match (severity(label), cvss) {
            (Some(s), _) => (s, SeveritySource::Tool),
            (None, Some(score)) => (Severity::from_cvss(score), SeveritySource::Cvss),
            (None, None) => (Severity::Unknown, SeveritySource::None),
        };
        let mut aliases: Vec<String> = m
            .get("relatedVulnerabilities")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("id").and_then(Value::as_str))
            .filter(|a| *a != id)
            .map(str::to_string)
            .collect();
        aliases.sort();
        aliases.dedup();
        let fixed: Vec<String> = vuln
            .get("fix")
            .and_then(|f| f.get("versions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        let location = art
            .get("locations")
            .and_then(Value::as_array)
            .and_then(|l| l.first())
            .and_then(|l| l.get("path"))
            .and_then(Value::as_str)
            .map(|p| {
                let p = if dir_scan {
                    format!(
                        "{}/{}",
                        target.trim_end_matches('/'),
                        p.trim_start_matches('/')
                    )
                } else {
                    p.to_string()
                };
                Location::new(cx.path(&p), None)
            });
        let purl = art
            .get("purl")
            .and_then(Value::as_str)
            .filter(|p| !p.is_empty())
            .map(str::to_string);
        let description = vuln
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        out.push(SecurityFinding {
            tool: "grype".into(),
            rule: id.to_string(),
            category: FindingCategory::Vulnerability,
            severity: sev,
            severity_source: source,
            cvss,
            title: format!("{id} in {name} {version}"),
            message: description,
            location,
            package: Some(AffectedPackage {
                name: name.to_string(),
                version: (!version.is_empty()).then(|| version.to_string()),
                ecosystem: art.get("type").and_then(Value::as_str).and_then(ecosystem),
                purl,
                fixed_versions: fixed,
            }),
            cwes: Vec::new(),
            aliases,
            fingerprint: fingerprint::of(&["grype", id, name, version]),
            suppressed: false,
        });
    }
    Ok(out)
}
