//! Grype JSON (`grype -o json`). `Negligible` is low; `Unknown` falls back
//! to the CVSS score, else stays unknown. The CVSS score kept is the
//! vendor's v3 (the matched record, `Primary` first), else NVD's v3 (from
//! `relatedVulnerabilities`), else v2. Related vulnerabilities (the CVE
//! behind a GHSA or distro advisory) become aliases.

use super::cvss::{Scores, Seg};
use super::{fingerprint, required_id, required_name, severity};
use crate::error::ParseCode;
use crate::json::{self, First, Key, Leaf, Lean, Obj, Slot, Stop, Strs, each};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::borrow::Cow;
use std::fmt;

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

/// A CVSS record of a vulnerability (`cvss[]`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Cvss<'a> {
    #[serde(borrow)]
    version: Leaf<'a>,
    #[serde(borrow, rename = "type")]
    kind: Leaf<'a>,
    #[serde(borrow)]
    metrics: Obj<Metrics<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metrics<'a> {
    #[serde(borrow, rename = "baseScore")]
    base_score: Leaf<'a>,
}

/// The matched vulnerability, or a related one.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Vuln<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    namespace: Leaf<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    description: Leaf<'a>,
    #[serde(borrow)]
    cvss: json::Arr<Lean<Cvss<'a>>>,
    /// Older grype's scores: only checked (`invalid-cvss-score`).
    #[serde(borrow, rename = "cvssV2")]
    cvss_v2: Obj<Metrics<'a>>,
    #[serde(borrow, rename = "cvssV3")]
    cvss_v3: Obj<Metrics<'a>>,
    #[serde(borrow)]
    fix: Obj<Fix<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fix<'a> {
    #[serde(borrow)]
    versions: Strs<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Artifact<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    version: Leaf<'a>,
    #[serde(borrow, rename = "type")]
    kind: Leaf<'a>,
    #[serde(borrow)]
    purl: Leaf<'a>,
    #[serde(borrow)]
    locations: First<Obj<PathOf<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PathOf<'a> {
    #[serde(borrow)]
    path: Leaf<'a>,
}

/// One match: read, turned into a finding and dropped.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Match<'a> {
    #[serde(borrow)]
    vulnerability: Slot<Obj<Vuln<'a>>>,
    #[serde(borrow)]
    artifact: Slot<Obj<Artifact<'a>>>,
    #[serde(borrow, rename = "relatedVulnerabilities")]
    related: json::Arr<Lean<Vuln<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Source<'a> {
    #[serde(borrow, rename = "type")]
    kind: Leaf<'a>,
    #[serde(borrow)]
    target: Leaf<'a>,
}

/// The highest base score of one CVSS major version among `list`,
/// preferring the `Primary` entries (the database's own assessment).
fn score_of(list: &[&Cvss<'_>], major: char) -> Option<f64> {
    let of_version = |c: &&&Cvss<'_>| c.version.as_str().is_some_and(|ver| ver.starts_with(major));
    let max = |primary_only: bool| {
        list.iter()
            .filter(of_version)
            .filter(|c| !primary_only || c.kind.as_str() == Some("Primary"))
            .filter_map(|c| severity::score(c.metrics.base_score.as_f64()))
            .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
    };
    max(true).or_else(|| max(false))
}

/// The vendor's v3 score (the matched vulnerability's own record), else
/// NVD's v3 (a related `nvd:*` record), else any related v3, else v2.
fn best_cvss(m: &Match<'_>, vuln: &Vuln<'_>) -> Option<f64> {
    fn list<'v, 'a>(v: &'v Vuln<'a>) -> impl Iterator<Item = &'v Cvss<'a>> {
        v.cvss.iter().filter_map(Lean::get)
    }
    let own: Vec<&Cvss<'_>> = list(vuln).collect();
    let nvd: Vec<&Cvss<'_>> = m
        .related
        .iter()
        .filter_map(Lean::get)
        .filter(|r| r.namespace.as_str().is_some_and(|n| n.starts_with("nvd")))
        .flat_map(|r| list(r))
        .collect();
    let all_related: Vec<&Cvss<'_>> = m
        .related
        .iter()
        .filter_map(Lean::get)
        .flat_map(|r| list(r))
        .collect();
    score_of(&own, '3')
        .or_else(|| score_of(&nvd, '3'))
        .or_else(|| score_of(&all_related, '3'))
        .or_else(|| score_of(&own, '2'))
        .or_else(|| score_of(&all_related, '2'))
}

/// Checks the CVSS scores of a vulnerability record at `base`.
fn check_scores(v: &Vuln<'_>, base: &[Seg], scores: &mut Scores) {
    let at = |tail: &[Seg]| {
        let mut p = base.to_vec();
        p.extend_from_slice(tail);
        p
    };
    for (j, c) in v
        .cvss
        .iter()
        .enumerate()
        .filter_map(|(j, c)| Some((j, c.get()?)))
    {
        scores.check(&c.metrics.base_score, || {
            at(&[
                "cvss".into(),
                j.into(),
                "metrics".into(),
                "baseScore".into(),
            ])
        });
    }
    scores.check(&v.cvss_v2.base_score, || {
        at(&["cvssV2".into(), "baseScore".into()])
    });
    scores.check(&v.cvss_v3.base_score, || {
        at(&["cvssV3".into(), "baseScore".into()])
    });
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut st = State {
        cx,
        scores,
        out: Vec::new(),
        paths: Vec::new(),
        source: Obj::default(),
        matches_seen: false,
    };
    let mut stop: Stop = None;
    json::read(
        name,
        text,
        text,
        ParseCode::InvalidGrype,
        &mut stop,
        |de, stop| serde::Deserializer::deserialize_any(de, Root { st: &mut st, stop }),
    )?;
    if !st.matches_seen {
        return Err(no_matches(name));
    }
    // Directory scans report paths from the scanned directory's root
    // (`/web/package-lock.json` for `grype dir:.`): make them relative to it.
    let dir_scan = st.source.kind.as_str() == Some("directory");
    let target = st.source.target.as_str().unwrap_or(".");
    let cx = st.cx;
    let mut out = st.out;
    for (finding, path) in out.iter_mut().zip(st.paths) {
        let location = path.map(|p| {
            let p = if dir_scan {
                format!(
                    "{}/{}",
                    target.trim_end_matches('/'),
                    p.trim_start_matches('/')
                )
            } else {
                p.into_owned()
            };
            Location::new(cx.path(&p), None)
        });
        let (pkg, version) = finding.package.as_ref().map_or(("", ""), |p| {
            (p.name.as_str(), p.version.as_deref().unwrap_or(""))
        });
        finding.fingerprint = fingerprint::of(&[
            "grype",
            &finding.rule,
            location.as_ref().map_or("", |l| l.path.as_str()),
            pkg,
            version,
        ]);
        finding.location = location;
    }
    Ok(out)
}

fn no_matches(name: &str) -> ParseError {
    ParseError::new(
        name,
        ParseCode::InvalidGrype,
        Some(Position::Pointer("/matches".into())),
        "`matches` must be an array",
    )
}

struct State<'s, 'c, 'a> {
    cx: &'s mut ParseContext<'c>,
    scores: &'s mut Scores,
    out: Vec<SecurityFinding>,
    /// Each finding's location as written: made a path (and part of the
    /// fingerprint) once the report's `source` is known, which grype
    /// writes after the matches.
    paths: Vec<Option<Cow<'a, str>>>,
    source: Obj<Source<'a>>,
    matches_seen: bool,
}

/// The report's root: `matches` streamed, `source` kept.
struct Root<'r, 's, 'c, 'a> {
    st: &'r mut State<'s, 'c, 'a>,
    stop: &'r mut Stop,
}

impl<'de: 'a, 'a> Visitor<'de> for Root<'_, '_, '_, 'a> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a grype report")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let name = self.st.cx.name;
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "matches" => {
                    let st = &mut *self.st;
                    let (cx, scores) = (&mut *st.cx, &mut *st.scores);
                    let (out, paths) = (&mut st.out, &mut st.paths);
                    let is_array = map.next_value_seed(each::<Obj<Match<'de>>, _>(
                        &mut *self.stop,
                        |i, m| {
                            let (finding, path) = read_match(&m, i, cx, scores)?;
                            out.push(finding);
                            paths.push(path);
                            Ok(())
                        },
                    ))?;
                    if !is_array {
                        return Err(json::stop(self.stop, no_matches(name)));
                    }
                    self.st.matches_seen = true;
                }
                "source" => self.st.source = map.next_value()?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
    // Not an object.
    json::other_values!('de, ());
}

fn read_match<'a>(
    m: &Match<'a>,
    i: usize,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<(SecurityFinding, Option<Cow<'a, str>>), ParseError> {
    let name = cx.name;
    let bad = |what: &str| {
        ParseError::new(
            name,
            ParseCode::InvalidGrype,
            Some(Position::Pointer(format!("/matches/{i}/{what}"))),
            format!("match has no {what}"),
        )
    };
    let vuln = m.vulnerability.get().ok_or_else(|| bad("vulnerability"))?;
    let art = m.artifact.get().ok_or_else(|| bad("artifact"))?;
    let id = required_id(cx, &vuln.id, "id", || format!("/matches/{i}/vulnerability"))?;
    let name = required_name(cx, &art.name, "name", || format!("/matches/{i}/artifact"))?;
    let base: [Seg; 2] = ["matches".into(), i.into()];
    check_scores(
        vuln,
        &[base[0].clone(), base[1].clone(), "vulnerability".into()],
        scores,
    );
    for (j, r) in m
        .related
        .iter()
        .enumerate()
        .filter_map(|(j, r)| Some((j, r.get()?)))
    {
        check_scores(
            r,
            &[
                base[0].clone(),
                base[1].clone(),
                "relatedVulnerabilities".into(),
                j.into(),
            ],
            scores,
        );
    }
    let version = art.version.str_or_empty();
    let cvss = best_cvss(m, vuln);
    let (sev, source) = severity::resolve(severity::label(vuln.severity.str_or_empty()), cvss);
    let mut aliases: Vec<String> = m
        .related
        .iter()
        .filter_map(Lean::get)
        .filter_map(|r| r.id.as_str())
        .filter(|a| *a != id)
        .map(str::to_string)
        .collect();
    aliases.sort();
    aliases.dedup();
    let path = art.locations.0.as_ref().and_then(|l| match &l.path {
        Leaf::Str(p) => Some(p.clone()),
        _ => None,
    });
    let purl = art
        .purl
        .as_str()
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    Ok((
        SecurityFinding {
            tool: "grype".into(),
            rule: id.to_string(),
            category: FindingCategory::Vulnerability,
            severity: sev,
            severity_source: source,
            cvss,
            title: format!("{id} in {name} {version}"),
            message: vuln.description.str_or_empty().to_string(),
            location: None,
            package: Some(Box::new(AffectedPackage {
                name: name.to_string(),
                version: (!version.is_empty()).then(|| version.to_string()),
                ecosystem: art.kind.as_str().and_then(ecosystem),
                purl,
                fixed_versions: vuln.fix.versions.owned(),
            })),
            cwes: Vec::new(),
            aliases,
            fingerprint: String::new(),
            suppressed: false,
        },
        path,
    ))
}
