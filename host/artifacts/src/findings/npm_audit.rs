//! `npm audit --json`: npm 6 (`advisories` map) and npm 7+
//! (`auditReportVersion: 2`, `vulnerabilities` map). npm's `moderate` is
//! medium. One finding per advisory and affected package; npm 7's `via`
//! entries that only name another package (transitive effects) are the same
//! advisory seen from a dependent and are not repeated. The advisory's
//! CVSS score (or its vector's computed score) fills `cvss`; the severity
//! is npm's label (source `tool`). The advisory's GHSA id is the rule; the
//! npm advisory number (`npm:1094102`) and CVEs are aliases. pnpm's
//! `pnpm audit --json` has npm 6's shape and is read the same way.

use super::cvss::Scores;
use super::{check_id, cvss, fingerprint, pointer, severity};
use crate::error::ParseCode;
use crate::json::{self, Arr, Boxed, Leaf, Lean, Obj, Slot, Stop, StrOrStrs, Strs, entries};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    (o.get("auditReportVersion").is_some() && o.get("vulnerabilities").is_some_and(Value::is_object))
        || (o.get("advisories").is_some_and(Value::is_object) && o.contains_key("metadata"))
        // npm 6's error output: recognised so it fails with a clear message.
        || (o.len() <= 2 && o.get("error").and_then(|e| e.get("code")).is_some() && o.get("error").and_then(|e| e.get("summary")).is_some())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RootDoc<'a> {
    #[serde(borrow)]
    error: Slot<Obj<NpmError<'a>>>,
    #[serde(borrow)]
    vulnerabilities: Slot<&'a RawValue>,
    #[serde(borrow)]
    advisories: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NpmError<'a> {
    #[serde(borrow)]
    code: Leaf<'a>,
    #[serde(borrow)]
    summary: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Cvss<'a> {
    #[serde(borrow)]
    score: Leaf<'a>,
    #[serde(borrow, rename = "vectorString")]
    vector: Leaf<'a>,
}

/// `{"score": 7.5, "vectorString": "CVSS:3.1/..."}`: the score, else the
/// vector's computed base score; `0` with no vector means "none given".
fn score(c: &Obj<Cvss<'_>>) -> Option<f64> {
    severity::score(c.score.as_f64()).or_else(|| {
        c.vector
            .as_str()
            .and_then(cvss::base_score)
            .and_then(|s| severity::score(Some(s)))
    })
}

/// npm 7: one package's entry.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Entry<'a> {
    #[serde(borrow)]
    via: Arr<Boxed<Via<'a>>>,
    #[serde(borrow, rename = "fixAvailable")]
    fix: Obj<super::PackageRef<'a>>,
}

/// npm 7: an advisory behind a package (a `via` object).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Via<'a> {
    #[serde(borrow)]
    url: Leaf<'a>,
    #[serde(borrow)]
    source: Leaf<'a>,
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow)]
    cwe: Strs<'a>,
    #[serde(borrow)]
    cvss: Obj<Cvss<'a>>,
}

/// npm 6: an advisory.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Advisory<'a> {
    #[serde(borrow)]
    module_name: Leaf<'a>,
    #[serde(borrow)]
    url: Leaf<'a>,
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    github_advisory_id: Leaf<'a>,
    #[serde(borrow)]
    findings: Arr<Lean<Found<'a>>>,
    #[serde(borrow)]
    patched_versions: Leaf<'a>,
    #[serde(borrow)]
    cwe: StrOrStrs<'a>,
    #[serde(borrow)]
    cves: Strs<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow)]
    cvss: Obj<Cvss<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Found<'a> {
    #[serde(borrow)]
    version: Leaf<'a>,
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
        package: Some(Box::new(AffectedPackage {
            name: name.to_string(),
            version,
            ecosystem: Some("npm".into()),
            purl: None,
            fixed_versions: fixed,
        })),
        cwes,
        aliases,
        suppressed: false,
    }
}

/// Findings read from a map (`vulnerabilities` or `advisories`), put in
/// key order at the end; the error of the first entry in key order wins,
/// as it did when the map was read sorted.
#[derive(Default)]
struct Keyed<'a> {
    out: Vec<SecurityFinding>,
    chunks: Vec<(Cow<'a, str>, usize)>,
    error: Option<(Cow<'a, str>, ParseError)>,
}

impl<'a> Keyed<'a> {
    fn entry(
        &mut self,
        key: Cow<'a, str>,
        read: impl FnOnce(&mut Vec<SecurityFinding>) -> Result<(), ParseError>,
    ) {
        let start = self.out.len();
        match read(&mut self.out) {
            Ok(()) => self.chunks.push((key, start)),
            Err(e) => {
                self.out.truncate(start);
                if self.error.as_ref().is_none_or(|(k, _)| key < *k) {
                    self.error = Some((key, e));
                }
            }
        }
    }

    fn finish(mut self) -> Result<Vec<SecurityFinding>, ParseError> {
        if let Some((_, e)) = self.error {
            return Err(e);
        }
        json::sort_chunks(&mut self.out, &self.chunks);
        Ok(self.out)
    }
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let root: Obj<RootDoc<'_>> =
        json::read_root(name, text, ParseCode::InvalidNpmAudit, &mut stop)?;
    if let Some(e) = root.error.get() {
        let code = e.code.as_str().unwrap_or("?");
        let summary = e.summary.str_or_empty();
        return Err(cx.error(
            ParseCode::NpmAuditError,
            Some(Position::Pointer("/error".into())),
            format!(
                "this is npm's error output, not an audit report: {code}: {}",
                summary.lines().next().unwrap_or("")
            )
            .to_lowercase(),
        ));
    }
    let vulns = object(&root.vulnerabilities);
    let advisories = object(&root.advisories);
    let mut found = Vec::new();
    if let Some(t) = vulns {
        found = read_vulnerabilities(text, t, cx, scores)?;
    }
    if let Some(t) = advisories {
        // With npm 7's map present, npm 6's is only checked for scores.
        let read = read_advisories(text, t, cx, scores, vulns.is_none())?;
        if vulns.is_none() {
            found = read;
        }
    }
    Ok(found)
}

/// The text of a field that holds an object.
fn object<'a>(s: &Slot<&'a RawValue>) -> Option<&'a str> {
    s.get().map(|r| r.get()).filter(|t| t.starts_with('{'))
}

fn read_vulnerabilities(
    whole: &str,
    t: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut keyed = Keyed::default();
    let mut stop: Stop = None;
    json::read(
        name,
        whole,
        t,
        ParseCode::InvalidNpmAudit,
        &mut stop,
        |de, stop| {
            de.deserialize_any(entries::<Obj<Entry<'_>>, _>(stop, |pkg, entry| {
                for (j, via) in entry
                    .via
                    .iter()
                    .enumerate()
                    .filter_map(|(j, v)| Some((j, v.get()?)))
                {
                    scores.check(&via.cvss.score, || {
                        vec![
                            "vulnerabilities".into(),
                            pkg.as_ref().into(),
                            "via".into(),
                            j.into(),
                            "cvss".into(),
                            "score".into(),
                        ]
                    });
                }
                let fixed: Vec<String> = match &entry.fix {
                    f if f.is_object && f.name.as_str() == Some(pkg.as_ref()) => f
                        .version
                        .as_str()
                        .map(|s| vec![s.to_string()])
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let key = pkg.clone();
                keyed.entry(key, |out| {
                    for (j, adv) in entry.via.iter().enumerate() {
                        let Some(adv) = adv.get() else { continue };
                        let url = adv.url.str_or_empty();
                        let source = adv.source.as_u64();
                        let id = ghsa(url)
                            .or_else(|| source.map(|s| format!("npm:{s}")))
                            .unwrap_or_else(|| format!("npm-advisory:{pkg}"));
                        check_id(cx, &id, || {
                            format!("{}/via/{j}", pointer("/vulnerabilities", &pkg))
                        })?;
                        let name = adv.name.as_str().unwrap_or(&pkg);
                        out.push(finding(
                            id,
                            source,
                            score(&adv.cvss),
                            name,
                            None,
                            adv.severity.str_or_empty(),
                            adv.title.str_or_empty(),
                            adv.cwe.owned(),
                            Vec::new(),
                            fixed.clone(),
                        ));
                    }
                    Ok(())
                });
                Ok(())
            }))
        },
    )?;
    keyed.finish()
}

fn read_advisories(
    whole: &str,
    t: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
    emit: bool,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut keyed = Keyed::default();
    let mut stop: Stop = None;
    json::read(
        name,
        whole,
        t,
        ParseCode::InvalidNpmAudit,
        &mut stop,
        |de, stop| {
            de.deserialize_any(entries::<Obj<Advisory<'_>>, _>(stop, |key, a| {
                scores.check(&a.cvss.score, || {
                    vec![
                        "advisories".into(),
                        key.as_ref().into(),
                        "cvss".into(),
                        "score".into(),
                    ]
                });
                if emit {
                    keyed.entry(key.clone(), |out| read_advisory(&key, &a, cx, out));
                }
                Ok(())
            }))
        },
    )?;
    keyed.finish()
}

fn read_advisory(
    key: &str,
    a: &Advisory<'_>,
    cx: &ParseContext<'_>,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let name = a.module_name.as_str().ok_or_else(|| {
        cx.error(
            ParseCode::InvalidNpmAudit,
            Some(Position::Pointer(format!("/advisories/{key}/module_name"))),
            "advisory has no module_name",
        )
    })?;
    let url = a.url.str_or_empty();
    let source = a.id.as_u64();
    let id = a
        .github_advisory_id
        .as_str()
        .map(str::to_string)
        .or_else(|| ghsa(url))
        .unwrap_or_else(|| format!("npm:{key}"));
    check_id(cx, &id, || pointer("/advisories", key))?;
    let versions: Vec<String> = a
        .findings
        .iter()
        .filter_map(Lean::get)
        .filter_map(|f| f.version.as_str())
        .map(str::to_string)
        .collect();
    let patched = a
        .patched_versions
        .as_str()
        .filter(|p| *p != "<0.0.0")
        .map(|p| vec![p.to_string()])
        .unwrap_or_default();
    // npm 6 writes `"cwe": "CWE-79"` or a JSON-encoded list
    // (`"[\"CWE-400\"]"`); npm 7 a real list.
    let cwes = match &a.cwe {
        StrOrStrs::One(s) if s.trim_start().starts_with('[') => {
            serde_json::from_str::<Vec<String>>(s).unwrap_or_else(|_| vec![s.to_string()])
        }
        StrOrStrs::One(s) => vec![s.to_string()],
        StrOrStrs::Many(v) => v.iter().map(|s| s.to_string()).collect(),
        StrOrStrs::None => Vec::new(),
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
            score(&a.cvss),
            name,
            (!ver.is_empty()).then_some(ver),
            a.severity.str_or_empty(),
            a.title.str_or_empty(),
            cwes.clone(),
            a.cves.owned(),
            patched.clone(),
        ));
    }
    Ok(())
}
