//! osv-scanner `--format json`: `results[].packages[].vulnerabilities[]`.
//! One finding per vulnerability entry (osv-scanner's own CI diff compares
//! by ID), with the OSV aliases kept so waivers match any of them. Severity:
//! the database's label (`database_specific.severity`, GHSA's), else the
//! score (the group's `max_severity`, else the base score computed from the
//! entry's CVSS v3 vector) banded, else unknown — never guessed. GHSA's
//! `cwe_ids` become CWEs.

use super::cvss::Scores;
use super::{cvss, fingerprint, required_id, required_name, severity};
use crate::error::ParseCode;
use crate::json::{self, Arr, Leaf, Lean, Obj, Slot, Stop, Strs, each};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;
use serde_json::value::RawValue;

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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RootDoc<'a> {
    #[serde(borrow)]
    results: Slot<&'a RawValue>,
}

/// One scanned source; its packages kept as text and read once the
/// source's path is known.
#[derive(Deserialize, Default)]
#[serde(default)]
struct SourceResult<'a> {
    #[serde(borrow)]
    source: Obj<SourceOf<'a>>,
    #[serde(borrow)]
    packages: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SourceOf<'a> {
    #[serde(borrow)]
    path: Leaf<'a>,
}

/// One package; its vulnerabilities kept as text and read once its
/// `package` and `groups` (written after them) are known.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Package<'a> {
    #[serde(borrow)]
    package: Slot<Obj<super::PackageRef<'a>>>,
    #[serde(borrow)]
    vulnerabilities: Slot<&'a RawValue>,
    #[serde(borrow)]
    groups: Arr<Lean<Group<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Group<'a> {
    #[serde(borrow)]
    ids: Arr<Leaf<'a>>,
    #[serde(borrow)]
    max_severity: Slot<Leaf<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vuln<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    summary: Leaf<'a>,
    #[serde(borrow)]
    details: Leaf<'a>,
    #[serde(borrow)]
    aliases: Strs<'a>,
    #[serde(borrow)]
    severity: Arr<Lean<SeverityOf<'a>>>,
    #[serde(borrow)]
    affected: Arr<Lean<Affected<'a>>>,
    #[serde(borrow)]
    database_specific: Obj<DatabaseSpecific<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SeverityOf<'a> {
    #[serde(borrow)]
    score: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Affected<'a> {
    #[serde(borrow)]
    package: Obj<super::PackageRef<'a>>,
    #[serde(borrow)]
    ranges: Arr<Lean<Range<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Range<'a> {
    #[serde(borrow)]
    events: Arr<Lean<Event<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event<'a> {
    #[serde(borrow)]
    fixed: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DatabaseSpecific<'a> {
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    cwe_ids: Strs<'a>,
}

/// The highest base score computable from the entry's `CVSS_V3` vectors
/// (v4 vectors have no base-score formula here: skipped).
fn vector_score(vuln: &Vuln<'_>) -> Option<f64> {
    vuln.severity
        .iter()
        .filter_map(Lean::get)
        .filter_map(|s| s.score.as_str())
        .filter_map(cvss::base_score)
        .filter_map(|s| severity::score(Some(s)))
        .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
}

fn invalid(cx: &ParseContext<'_>, ptr: String, msg: &str) -> ParseError {
    cx.error(ParseCode::InvalidOsv, Some(Position::Pointer(ptr)), msg)
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let root: Obj<RootDoc<'_>> = json::read_root(name, text, ParseCode::InvalidOsv, &mut stop)?;
    let results = root
        .results
        .get()
        .map(|r| r.get())
        .filter(|t| t.starts_with('['))
        .ok_or_else(|| invalid(cx, "/results".into(), "`results` must be an array"))?;
    let mut out = Vec::new();
    json::read(
        name,
        text,
        results,
        ParseCode::InvalidOsv,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<SourceResult<'_>>, _>(stop, |ri, result| {
                let source = result.source.path.str_or_empty();
                let source_path = cx.path(source);
                let Some(packages) = result.packages.get() else {
                    return Ok(());
                };
                let mut stop: Stop = None;
                json::read(
                    name,
                    text,
                    packages.get(),
                    ParseCode::InvalidOsv,
                    &mut stop,
                    |de, stop| {
                        de.deserialize_any(each::<Obj<Package<'_>>, _>(stop, |pi, p| {
                            read_package(&p, ri, pi, &source_path, text, cx, scores, &mut out)
                        }))
                    },
                )?;
                Ok(())
            }))
        },
    )?;
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn read_package(
    p: &Package<'_>,
    ri: usize,
    pi: usize,
    source_path: &str,
    whole: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let pptr = || format!("/results/{ri}/packages/{pi}");
    let pkg = p
        .package
        .get()
        .ok_or_else(|| invalid(cx, format!("{}/package", pptr()), "entry has no package"))?;
    let name = required_name(cx, &pkg.name, "name", || format!("{}/package", pptr()))?;
    let version = pkg.version.str_or_empty();
    for (gi, g) in p
        .groups
        .iter()
        .enumerate()
        .filter_map(|(gi, g)| Some((gi, g.get()?)))
    {
        if let Slot::Here(s) = &g.max_severity {
            scores.check(s, || {
                vec![
                    "results".into(),
                    ri.into(),
                    "packages".into(),
                    pi.into(),
                    "groups".into(),
                    gi.into(),
                    "max_severity".into(),
                ]
            });
        }
    }
    let Some(vulns) = p.vulnerabilities.get() else {
        return Ok(());
    };
    let mut stop: Stop = None;
    json::read(
        cx.name,
        whole,
        vulns.get(),
        ParseCode::InvalidOsv,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<Vuln<'_>>, _>(stop, |vi, vuln| {
                let id = required_id(cx, &vuln.id, "id", || {
                    format!("{}/vulnerabilities/{vi}", pptr())
                })?;
                let group_score = p
                    .groups
                    .iter()
                    .filter_map(Lean::get)
                    .find(|g| g.ids.iter().any(|x| x.as_str() == Some(id)))
                    .and_then(|g| g.max_severity.get())
                    .and_then(|s| {
                        s.as_str()
                            .and_then(|s| s.parse::<f64>().ok())
                            .or_else(|| s.as_f64())
                    })
                    .and_then(|s| severity::score(Some(s)))
                    .or_else(|| vector_score(&vuln));
                let db = vuln
                    .database_specific
                    .severity
                    .as_str()
                    .and_then(severity::label);
                let cvss = group_score;
                let (severity, src) = severity::resolve(db, cvss);
                let mut aliases = vuln.aliases.owned();
                aliases.sort();
                let fixed: Vec<String> = vuln
                    .affected
                    .iter()
                    .filter_map(Lean::get)
                    .filter(|a| a.package.name.as_str() == Some(name))
                    .flat_map(|a| a.ranges.iter().filter_map(Lean::get))
                    .flat_map(|r| r.events.iter().filter_map(Lean::get))
                    .filter_map(|e| e.fixed.as_str())
                    .map(str::to_string)
                    .collect();
                let summary = vuln.summary.str_or_empty();
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
                    message: vuln.details.as_str().unwrap_or(summary).to_string(),
                    location: (!source_path.is_empty())
                        .then(|| Location::new(source_path.to_string(), None)),
                    package: Some(Box::new(AffectedPackage {
                        name: name.to_string(),
                        version: (!version.is_empty()).then(|| version.to_string()),
                        ecosystem: pkg.ecosystem.as_str().map(str::to_string),
                        purl: None,
                        fixed_versions: fixed,
                    })),
                    cwes: vuln.database_specific.cwe_ids.owned(),
                    aliases,
                    // The manifest path is part of identity: osv-scanner's
                    // diff treats a moved manifest as a new finding.
                    fingerprint: fingerprint::of(&["osv-scanner", id, source_path, name, version]),
                    suppressed: false,
                });
                Ok(())
            }))
        },
    )?;
    Ok(())
}
