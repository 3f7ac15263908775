//! `cargo audit --json`. Advisories carry only a CVSS vector: the score is
//! computed (`cvss.rs`) and banded; an advisory without a vector (or with a
//! v4 one, warned about) is `unknown` with source `none`, never silently
//! low: cargo-audit has no severity label of its own to fall back to.
//! Informational warnings (unmaintained, yanked, unsound) are reported as
//! warnings of the parse, not as findings.

use super::{cvss, fingerprint};
use super::{optional_str, required_id, required_name};
use crate::error::{ParseCode, WarningCode};
use crate::json::{self, Leaf, Map, Obj, Slot, Stop, Strs, each};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;
use serde_json::value::RawValue;

pub fn sniff(v: &Value) -> bool {
    v.get("vulnerabilities")
        .and_then(|x| x.get("list"))
        .is_some()
        && v.get("database").is_some()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RootDoc<'a> {
    #[serde(borrow)]
    vulnerabilities: Obj<Vulnerabilities<'a>>,
    #[serde(borrow)]
    warnings: Map<'a, json::Arr<IgnoredLeaf>>,
}

/// An element only counted.
#[derive(Default)]
struct IgnoredLeaf;

impl<'de> Deserialize<'de> for IgnoredLeaf {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde::de::IgnoredAny::deserialize(d).map(|_| IgnoredLeaf)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vulnerabilities<'a> {
    #[serde(borrow)]
    list: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Item<'a> {
    #[serde(borrow)]
    advisory: Slot<Obj<Advisory<'a>>>,
    #[serde(borrow)]
    package: Obj<super::PackageRef<'a>>,
    #[serde(borrow)]
    versions: Obj<Versions<'a>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Advisory<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    package: Leaf<'a>,
    #[serde(borrow)]
    title: Leaf<'a>,
    #[serde(borrow)]
    description: Leaf<'a>,
    #[serde(borrow)]
    cvss: Leaf<'a>,
    #[serde(borrow)]
    aliases: Strs<'a>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Versions<'a> {
    #[serde(borrow)]
    patched: Strs<'a>,
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let root: Obj<RootDoc<'_>> =
        json::read_root(name, text, ParseCode::InvalidCargoAudit, &mut stop)?;
    let list = root
        .vulnerabilities
        .list
        .get()
        .map(|r| r.get())
        .filter(|t| t.starts_with('['))
        .ok_or_else(|| {
            cx.error(
                ParseCode::InvalidCargoAudit,
                Some(Position::Pointer("/vulnerabilities/list".into())),
                "`vulnerabilities.list` must be an array",
            )
        })?;
    let mut out = Vec::new();
    let mut v4_only: usize = 0;
    json::read(
        name,
        text,
        list,
        ParseCode::InvalidCargoAudit,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<Item<'_>>, _>(stop, |i, item| {
                let adv = item.advisory.get().ok_or_else(|| {
                    cx.error(
                        ParseCode::InvalidCargoAudit,
                        Some(Position::Pointer(format!(
                            "/vulnerabilities/list/{i}/advisory"
                        ))),
                        "entry has no advisory",
                    )
                })?;
                let aptr = || format!("/vulnerabilities/list/{i}/advisory");
                let id = required_id(cx, &adv.id, "id", aptr)?.to_string();
                let pkg = &item.package;
                let pptr = || format!("/vulnerabilities/list/{i}/package");
                let name =
                    match optional_str(cx, &pkg.name, "name", pptr)?.filter(|n| !n.is_empty()) {
                        Some(n) => n,
                        None => required_name(cx, &adv.package, "package", aptr)?,
                    }
                    .to_string();
                let version = optional_str(cx, &pkg.version, "version", pptr)?
                    .unwrap_or("")
                    .to_string();
                let title = optional_str(cx, &adv.title, "title", aptr)?
                    .unwrap_or("")
                    .to_string();
                let description = optional_str(cx, &adv.description, "description", aptr)?
                    .unwrap_or("")
                    .to_string();
                let vector = adv.cvss.str_or_empty();
                let score = cvss::base_score(vector);
                if score.is_none() && vector.starts_with("CVSS:4") {
                    v4_only = v4_only.saturating_add(1);
                }
                let (severity, src) = match score {
                    Some(c) => (Severity::from_cvss(c), SeveritySource::Cvss),
                    None => (Severity::Unknown, SeveritySource::None),
                };
                out.push(SecurityFinding {
                    tool: "cargo-audit".into(),
                    fingerprint: fingerprint::of(&["cargo-audit", &id, &name, &version]),
                    rule: id,
                    category: FindingCategory::Vulnerability,
                    severity,
                    severity_source: src,
                    cvss: score,
                    title,
                    message: description,
                    location: Some(crate::Location::new(cx.path("Cargo.lock"), None)),
                    package: Some(Box::new(AffectedPackage {
                        name,
                        version: (!version.is_empty()).then_some(version),
                        ecosystem: Some("crates.io".into()),
                        purl: None,
                        fixed_versions: item.versions.patched.owned(),
                    })),
                    cwes: Vec::new(),
                    aliases: adv.aliases.owned(),
                    suppressed: false,
                });
                Ok(())
            }))
        },
    )?;
    if v4_only > 0 {
        cx.warn(
            WarningCode::CvssV4Unscored,
            format!("{v4_only} advisory(ies) carry only a CVSS v4 vector, which gate does not score; their severity is unknown"),
        );
    }
    // In key order, as the warnings were always listed.
    let mut kinds: Vec<(&str, usize)> = root
        .warnings
        .entries
        .iter()
        .map(|(k, v)| (k.as_ref(), v.items.len()))
        .collect();
    kinds.sort_by(|a, b| a.0.cmp(b.0));
    for (kind, n) in kinds {
        if n > 0 {
            cx.warn(WarningCode::CargoAuditWarning, format!("cargo-audit reports {n} `{kind}` warning(s); they are not vulnerabilities and are not gated"));
        }
    }
    Ok(out)
}
