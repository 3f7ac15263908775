//! Grype JSON (`grype -o json`). `Negligible` is low; `Unknown` falls back
//! to the CVSS score, else stays unknown. The CVSS score kept is the
//! vendor's v3 (the matched record, `Primary` first), else NVD's v3 (from
//! `relatedVulnerabilities`), else v2. Related vulnerabilities (the CVE
//! behind a GHSA or distro advisory) become aliases.

use super::{fingerprint, required_id, required_name, severity};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
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

/// The highest base score of one CVSS major version among `list`,
/// preferring the `Primary` entries (the database's own assessment).
fn score_of(list: &[&Value], major: char) -> Option<f64> {
    let of_version = |c: &&&Value| {
        c.get("version")
            .and_then(Value::as_str)
            .is_some_and(|ver| ver.starts_with(major))
    };
    let max = |primary_only: bool| {
        list.iter()
            .filter(of_version)
            .filter(|c| !primary_only || c.get("type").and_then(Value::as_str) == Some("Primary"))
            .filter_map(|c| severity::score(c.get("metrics")?.get("baseScore")?.as_f64()))
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
    };
    max(true).or_else(|| max(false))
}

/// The vendor's v3 score (the matched vulnerability's own record), else
/// NVD's v3 (a related `nvd:*` record), else any related v3, else v2.
fn best_cvss(m: &Value, vuln: &Value) -> Option<f64> {
    fn list(v: &Value) -> impl Iterator<Item = &Value> {
        v.get("cvss")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
    }
    let related: Vec<&Value> = m
        .get("relatedVulnerabilities")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let own: Vec<&Value> = list(vuln).collect();
    let nvd: Vec<&Value> = related
        .iter()
        .filter(|r| {
            r.get("namespace")
                .and_then(Value::as_str)
                .is_some_and(|n| n.starts_with("nvd"))
        })
        .flat_map(|r| list(r))
        .collect();
    let all_related: Vec<&Value> = related.iter().flat_map(|r| list(r)).collect();
    score_of(&own, '3')
        .or_else(|| score_of(&nvd, '3'))
        .or_else(|| score_of(&all_related, '3'))
        .or_else(|| score_of(&own, '2'))
        .or_else(|| score_of(&all_related, '2'))
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
        let id = required_id(cx, vuln, "id", &format!("{ptr}/vulnerability"))?;
        let name = required_name(cx, art, "name", &format!("{ptr}/artifact"))?;
        let version = art.get("version").and_then(Value::as_str).unwrap_or("");
        let cvss = best_cvss(m, vuln);
        let label = vuln.get("severity").and_then(Value::as_str).unwrap_or("");
        let (sev, source) = severity::resolve(severity::label(label), cvss);
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
        let fp = fingerprint::of(&[
            "grype",
            id,
            location.as_ref().map_or("", |l| l.path.as_str()),
            name,
            version,
        ]);
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
            fingerprint: fp,
            suppressed: false,
        });
    }
    Ok(out)
}
