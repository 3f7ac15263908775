//! `cargo audit --json`. Advisories carry only a CVSS vector: the score is
//! computed (`cvss.rs`) and banded; an advisory without a vector (or with a
//! v4 one, warned about) is `unknown` with source `none`, never silently
//! low: cargo-audit has no severity label of its own to fall back to.
//! Informational warnings (unmaintained, yanked, unsound) are reported as
//! warnings of the parse, not as findings.

use super::{cvss, fingerprint};
use super::{optional_str, required_id, required_name};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    v.get("vulnerabilities")
        .and_then(|x| x.get("list"))
        .is_some()
        && v.get("database").is_some()
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let list = v
        .get("vulnerabilities")
        .and_then(|x| x.get("list"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            cx.error(
                "invalid-cargo-audit",
                Some(Position::Pointer("/vulnerabilities/list".into())),
                "`vulnerabilities.list` must be an array",
            )
        })?;
    let mut out = Vec::new();
    let mut v4_only: usize = 0;
    for (i, item) in list.iter().enumerate() {
        let adv = item.get("advisory").ok_or_else(|| {
            cx.error(
                "invalid-cargo-audit",
                Some(Position::Pointer(format!(
                    "/vulnerabilities/list/{i}/advisory"
                ))),
                "entry has no advisory",
            )
        })?;
        let base = format!("/vulnerabilities/list/{i}");
        let aptr = format!("{base}/advisory");
        let id = required_id(cx, adv, "id", &aptr)?.to_string();
        let pkg = item.get("package").unwrap_or(&Value::Null);
        let pptr = format!("{base}/package");
        let name = match optional_str(cx, pkg, "name", &pptr)?.filter(|n| !n.is_empty()) {
            Some(n) => n,
            None => required_name(cx, adv, "package", &aptr)?,
        }
        .to_string();
        let version = optional_str(cx, pkg, "version", &pptr)?
            .unwrap_or("")
            .to_string();
        let title = optional_str(cx, adv, "title", &aptr)?
            .unwrap_or("")
            .to_string();
        let description = optional_str(cx, adv, "description", &aptr)?
            .unwrap_or("")
            .to_string();
        let vector = adv.get("cvss").and_then(Value::as_str).unwrap_or("");
        let score = cvss::base_score(vector);
        if score.is_none() && vector.starts_with("CVSS:4") {
            v4_only = v4_only.saturating_add(1);
        }
        let (severity, src) = match score {
            Some(c) => (Severity::from_cvss(c), SeveritySource::Cvss),
            None => (Severity::Unknown, SeveritySource::None),
        };
        let strings = |x: Option<&Value>| -> Vec<String> {
            x.and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
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
            package: Some(AffectedPackage {
                name,
                version: (!version.is_empty()).then_some(version),
                ecosystem: Some("crates.io".into()),
                purl: None,
                fixed_versions: strings(item.get("versions").and_then(|x| x.get("patched"))),
            }),
            cwes: Vec::new(),
            aliases: strings(adv.get("aliases")),
            suppressed: false,
        });
    }
    if v4_only > 0 {
        cx.warn(
            "cvss-v4-unscored",
            format!("{v4_only} advisory(ies) carry only a CVSS v4 vector, which gate does not score; their severity is unknown"),
        );
    }
    for (kind, entries) in v
        .get("warnings")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let n = entries.as_array().map_or(0, Vec::len);
        if n > 0 {
            cx.warn("cargo-audit-warning", format!("cargo-audit reports {n} `{kind}` warning(s); they are not vulnerabilities and are not gated"));
        }
    }
    Ok(out)
}
