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

use super::cvss::{Scores, Seg};
use super::{fingerprint, required_id, required_name, severity};
use crate::error::{ParseCode, WarningCode};
use crate::json::{self, Leaf, Lean, Map, Obj, Slot, Stop, Strs, each};
use crate::model::{AffectedPackage, FindingCategory, Location, SecurityFinding};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;
use serde_json::value::RawValue;

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

/// An object report: `Results`, or a cluster's resources. The arrays are
/// kept as text and read in trivy's order once the kind is known.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct RootDoc<'a> {
    #[serde(borrow)]
    cluster_name: Slot<&'a RawValue>,
    #[serde(borrow)]
    results: Slot<&'a RawValue>,
    #[serde(borrow)]
    resources: Slot<&'a RawValue>,
    #[serde(borrow)]
    vulnerabilities: Slot<&'a RawValue>,
    #[serde(borrow)]
    misconfigurations: Slot<&'a RawValue>,
}

/// A cluster resource (`trivy k8s`).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Resource<'a> {
    #[serde(borrow)]
    namespace: Leaf<'a>,
    #[serde(borrow)]
    kind: Leaf<'a>,
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    results: Slot<&'a RawValue>,
}

/// One result (a scan target); its findings kept as text and read in
/// order (vulnerabilities, misconfigurations, secrets) once the target is
/// known.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct ResultDoc<'a> {
    #[serde(borrow)]
    target: Leaf<'a>,
    #[serde(borrow, rename = "Type")]
    kind: Leaf<'a>,
    #[serde(borrow)]
    vulnerabilities: Slot<&'a RawValue>,
    #[serde(borrow)]
    misconfigurations: Slot<&'a RawValue>,
    #[serde(borrow)]
    secrets: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Vuln<'a> {
    #[serde(borrow, rename = "VulnerabilityID")]
    id: Leaf<'a>,
    #[serde(borrow)]
    pkg_name: Leaf<'a>,
    #[serde(borrow)]
    installed_version: Leaf<'a>,
    #[serde(borrow)]
    fixed_version: Leaf<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    severity_source: Leaf<'a>,
    #[serde(borrow)]
    pkg_path: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow)]
    description: Leaf<'a>,
    #[serde(borrow)]
    pkg_identifier: Obj<Purl<'a>>,
    #[serde(borrow, rename = "CweIDs")]
    cwe_ids: Strs<'a>,
    #[serde(borrow, rename = "VendorIDs")]
    vendor_ids: Strs<'a>,
    #[serde(borrow, rename = "CVSS")]
    cvss: Map<'a, Lean<Cvss<'a>>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Purl<'a> {
    #[serde(borrow, rename = "PURL")]
    purl: Leaf<'a>,
}

/// One vendor's scores.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Cvss<'a> {
    #[serde(borrow, rename = "V2Score")]
    v2: Leaf<'a>,
    #[serde(borrow, rename = "V3Score")]
    v3: Leaf<'a>,
    #[serde(borrow, rename = "V40Score")]
    v40: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Misconfig<'a> {
    #[serde(borrow)]
    status: Leaf<'a>,
    #[serde(borrow, rename = "AVDID")]
    avdid: Leaf<'a>,
    #[serde(borrow, rename = "ID")]
    id: Leaf<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow)]
    message: Leaf<'a>,
    #[serde(borrow)]
    cause_metadata: Obj<Cause<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Cause<'a> {
    #[serde(borrow)]
    resource: Leaf<'a>,
    #[serde(borrow)]
    start_line: Leaf<'a>,
    #[serde(borrow)]
    end_line: Leaf<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Secret<'a> {
    #[serde(borrow, rename = "RuleID")]
    rule_id: Leaf<'a>,
    #[serde(borrow)]
    severity: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow, rename = "Match")]
    matched: Leaf<'a>,
    #[serde(borrow)]
    start_line: Leaf<'a>,
    #[serde(borrow)]
    end_line: Leaf<'a>,
}

fn cvss(v: &Vuln<'_>) -> Option<f64> {
    if !v.cvss.is_object {
        return None;
    }
    let map = &v.cvss;
    let score = |src: &str| severity::score(map.get(src)?.get()?.v3.as_f64());
    score(v.severity_source.str_or_empty())
        .or_else(|| score("nvd"))
        .or_else(|| {
            map.entries
                .iter()
                .filter_map(|(_, e)| severity::score(e.get()?.v3.as_f64()))
                .fold(None, |m: Option<f64>, s| Some(m.map_or(s, |m| m.max(s))))
        })
}

/// A results array to read: its text, its JSON pointer (as a string and
/// as steps) and the resource prefix (k8s) that is part of identity.
struct Group<'a> {
    results: &'a str,
    ptr: String,
    steps: Vec<Seg>,
    prefix: String,
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let mut groups: Vec<Group<'_>> = Vec::new();
    if json::starts_array(text) {
        groups.push(Group {
            results: text,
            ptr: String::new(),
            steps: Vec::new(),
            prefix: String::new(),
        });
    } else {
        let root: Obj<RootDoc<'_>> =
            json::read_root(name, text, ParseCode::InvalidTrivy, &mut stop)?;
        if matches!(root.cluster_name, Slot::Here(_)) {
            for (key, raw) in [
                ("Resources", &root.resources),
                ("Vulnerabilities", &root.vulnerabilities),
                ("Misconfigurations", &root.misconfigurations),
            ] {
                let Some(raw) = raw.get() else { continue };
                json::read(
                    name,
                    text,
                    raw.get(),
                    ParseCode::InvalidTrivy,
                    &mut stop,
                    |de, stop| {
                        de.deserialize_any(each::<Obj<Resource<'_>>, _>(stop, |i, res| {
                            let ptr = format!("/{key}/{i}/Results");
                            let results = match res.results.get() {
                                None => "[]",
                                Some(r) if json::is_null(r) => "[]",
                                Some(r) if json::is_array(r) => r.get(),
                                Some(_) => {
                                    return Err(cx.error(
                                        ParseCode::InvalidTrivy,
                                        Some(Position::Pointer(ptr)),
                                        "`Results` must be an array",
                                    ));
                                }
                            };
                            let prefix = format!(
                                "{}/{}/{}",
                                res.namespace.str_or_empty(),
                                res.kind.str_or_empty(),
                                res.name.str_or_empty()
                            );
                            groups.push(Group {
                                results,
                                ptr,
                                steps: vec![key.into(), i.into(), "Results".into()],
                                prefix,
                            });
                            Ok(())
                        }))
                    },
                )?;
            }
        } else {
            match root.results.get() {
                Some(r) if json::is_array(r) => groups.push(Group {
                    results: r.get(),
                    ptr: "/Results".into(),
                    steps: vec!["Results".into()],
                    prefix: String::new(),
                }),
                None => {}
                Some(r) if json::is_null(r) => {}
                Some(_) => {
                    return Err(cx.error(
                        ParseCode::InvalidTrivy,
                        Some(Position::Pointer("/Results".into())),
                        "`Results` must be an array",
                    ));
                }
            }
        }
    }
    if groups.iter().all(|g| {
        g.results
            .trim_start()
            .strip_prefix('[')
            .is_some_and(|r| r.trim_start().starts_with(']'))
    }) {
        cx.warn(
            WarningCode::TrivyEmptyScan,
            "the trivy report has no results: no OS or packages were detected, which is not evidence of a clean artifact",
        );
    }
    let mut out = Vec::new();
    for g in &groups {
        json::read(
            name,
            text,
            g.results,
            ParseCode::InvalidTrivy,
            &mut stop,
            |de, stop| {
                de.deserialize_any(each::<Obj<ResultDoc<'_>>, _>(stop, |i, r| {
                    let rptr = || format!("{}/{i}", g.ptr);
                    if !r.is_object {
                        return Err(cx.error(
                            ParseCode::InvalidTrivy,
                            Some(Position::Pointer(rptr())),
                            "a result must be an object",
                        ));
                    }
                    let mut steps = g.steps.clone();
                    steps.push(i.into());
                    read_result(&r, &rptr, &steps, &g.prefix, text, cx, scores, &mut out)
                }))
            },
        )?;
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn read_result(
    r: &ResultDoc<'_>,
    rptr: &dyn Fn() -> String,
    steps: &[Seg],
    prefix: &str,
    whole: &str,
    cx: &mut ParseContext<'_>,
    scores: &mut Scores,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let name = cx.name;
    let target = r.target.str_or_empty();
    let target_path = cx.path(target);
    // The resource (k8s) and target are part of identity.
    let scope = if prefix.is_empty() {
        target.to_string()
    } else {
        format!("{prefix}:{target}")
    };
    let mut stop: Stop = None;
    if let Some(raw) = r.vulnerabilities.get() {
        json::read(
            name,
            whole,
            raw.get(),
            ParseCode::InvalidTrivy,
            &mut stop,
            |de, stop| {
                de.deserialize_any(each::<Obj<Vuln<'_>>, _>(stop, |vi, vuln| {
                    let vptr = || format!("{}/Vulnerabilities/{vi}", rptr());
                    let id = required_id(cx, &vuln.id, "VulnerabilityID", vptr)?;
                    let pkg = required_name(cx, &vuln.pkg_name, "PkgName", vptr)?;
                    for (vendor, c) in vuln
                        .cvss
                        .entries
                        .iter()
                        .filter_map(|(k, c)| Some((k, c.get()?)))
                    {
                        for (key, v) in
                            [("V2Score", &c.v2), ("V3Score", &c.v3), ("V40Score", &c.v40)]
                        {
                            scores.check(v, || {
                                let mut p = steps.to_vec();
                                p.extend([
                                    "Vulnerabilities".into(),
                                    vi.into(),
                                    "CVSS".into(),
                                    vendor.as_ref().into(),
                                    key.into(),
                                ]);
                                p
                            });
                        }
                    }
                    let version = vuln.installed_version.str_or_empty();
                    let score = cvss(&vuln);
                    let (sev, src) =
                        severity::resolve(severity::label(vuln.severity.str_or_empty()), score);
                    let fixed: Vec<String> = vuln
                        .fixed_version
                        .str_or_empty()
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect();
                    let path = vuln
                        .pkg_path
                        .as_str()
                        .map(|p| cx.path(p))
                        .unwrap_or_else(|| target_path.clone());
                    out.push(SecurityFinding {
                        tool: "trivy".into(),
                        rule: id.to_string(),
                        category: FindingCategory::Vulnerability,
                        severity: sev,
                        severity_source: src,
                        cvss: score,
                        title: vuln.title.str_or_empty().to_string(),
                        message: vuln.description.str_or_empty().to_string(),
                        location: Some(Location::new(path, None)),
                        package: Some(Box::new(AffectedPackage {
                            name: pkg.to_string(),
                            version: (!version.is_empty()).then(|| version.to_string()),
                            ecosystem: r.kind.as_str().map(str::to_string),
                            purl: vuln.pkg_identifier.purl.as_str().map(str::to_string),
                            fixed_versions: fixed,
                        })),
                        cwes: vuln.cwe_ids.owned(),
                        aliases: vuln.vendor_ids.owned(),
                        fingerprint: fingerprint::of(&["trivy", id, &scope, pkg, version]),
                        suppressed: false,
                    });
                    Ok(())
                }))
            },
        )?;
    }
    if let Some(raw) = r.misconfigurations.get() {
        json::read(
            name,
            whole,
            raw.get(),
            ParseCode::InvalidTrivy,
            &mut stop,
            |de, stop| {
                de.deserialize_any(each::<Obj<Misconfig<'_>>, _>(stop, |mi, m| {
                    if m.status.str_or_empty() == "PASS" {
                        return Ok(());
                    }
                    let mptr = || format!("{}/Misconfigurations/{mi}", rptr());
                    let id = if m.avdid.str_or_empty().is_empty() {
                        required_id(cx, &m.id, "ID", mptr)?
                    } else {
                        required_id(cx, &m.avdid, "AVDID", mptr)?
                    };
                    let (sev, src) =
                        severity::resolve(severity::label(m.severity.str_or_empty()), None);
                    let cause = &m.cause_metadata;
                    let message = m.message.str_or_empty().to_string();
                    let resource = cause.resource.str_or_empty();
                    out.push(SecurityFinding {
                        tool: "trivy".into(),
                        rule: id.to_string(),
                        category: FindingCategory::Misconfiguration,
                        severity: sev,
                        severity_source: src,
                        cvss: None,
                        title: m.title.str_or_empty().to_string(),
                        location: Some(Location {
                            path: target_path.clone(),
                            line: cause.start_line.line(),
                            end_line: cause.end_line.line(),
                            column: None,
                        }),
                        fingerprint: fingerprint::of_message(
                            &["trivy", id, &scope, resource],
                            &message,
                        ),
                        message,
                        package: None,
                        cwes: Vec::new(),
                        aliases: [m.id.str_or_empty()]
                            .into_iter()
                            .filter(|a| !a.is_empty())
                            .map(str::to_string)
                            .collect(),
                        suppressed: false,
                    });
                    Ok(())
                }))
            },
        )?;
    }
    if let Some(raw) = r.secrets.get() {
        json::read(
            name,
            whole,
            raw.get(),
            ParseCode::InvalidTrivy,
            &mut stop,
            |de, stop| {
                de.deserialize_any(each::<Obj<Secret<'_>>, _>(stop, |si, s| {
                    let id = required_id(cx, &s.rule_id, "RuleID", || {
                        format!("{}/Secrets/{si}", rptr())
                    })?;
                    let (sev, src) =
                        severity::resolve(severity::label(s.severity.str_or_empty()), None);
                    // Trivy masks the secret in `Match` with `*`; an unmasked match is
                    // never used, not even hashed.
                    let m = s.matched.str_or_empty();
                    let redacted = if m.contains('*') { m.trim() } else { "" };
                    let title = s.title.str_or_empty();
                    out.push(SecurityFinding {
                        tool: "trivy".into(),
                        rule: id.to_string(),
                        category: FindingCategory::Secret,
                        severity: sev,
                        severity_source: src,
                        cvss: None,
                        title: title.to_string(),
                        message: format!("{title} found in {target}"),
                        location: Some(Location {
                            path: target_path.clone(),
                            line: s.start_line.line(),
                            end_line: s.end_line.line(),
                            column: None,
                        }),
                        package: None,
                        cwes: vec!["CWE-798".into()],
                        aliases: Vec::new(),
                        fingerprint: fingerprint::of(&["trivy", id, &scope, redacted]),
                        suppressed: false,
                    });
                    Ok(())
                }))
            },
        )?;
    }
    Ok(())
}
