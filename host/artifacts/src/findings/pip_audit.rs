//! pip-audit JSON: the current `{"dependencies": [...], "fixes": [...]}` and
//! the legacy top-level array. pip-audit gives no severity: findings are
//! `unknown` (source `none`), never silently low; policies decide how to
//! rank unknown.

use super::fingerprint;
use super::{optional_str, required_id, required_name};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn is_dep(v: &Value) -> bool {
    v.get("name").is_some()
        && v.get("version").is_some()
        && v.get("vulns").is_some_and(Value::is_array)
}

pub fn sniff(v: &Value) -> bool {
    match v {
        Value::Object(o) => {
            o.get("dependencies")
                .and_then(Value::as_array)
                .is_some_and(|d| d.first().is_none_or(is_dep))
                && o.len() <= 2
        }
        Value::Array(a) => a.first().is_some_and(is_dep),
        _ => false,
    }
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<Vec<SecurityFinding>, ParseError> {
    let deps: &[Value] = match v {
        Value::Array(a) => a,
        _ => v
            .get("dependencies")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .ok_or_else(|| {
                cx.error(
                    "invalid-pip-audit",
                    Some(Position::Pointer("/dependencies".into())),
                    "`dependencies` must be an array",
                )
            })?,
    };
    let base = if v.is_array() { "" } else { "/dependencies" };
    let mut out = Vec::new();
    for (di, d) in deps.iter().enumerate() {
        let dptr = format!("{base}/{di}");
        let name = required_name(cx, d, "name", &dptr)?;
        let version = optional_str(cx, d, "version", &dptr)?.unwrap_or("");
        let vulns = match d.get("vulns") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(a)) => a.as_slice(),
            Some(other) => {
                return Err(cx.error(
                    "invalid-field",
                    Some(Position::Pointer(format!("{dptr}/vulns"))),
                    format!(
                        "`vulns` must be an array, found {}",
                        crate::document::json_type(other)
                    ),
                ));
            }
        };
        for (vi, vuln) in vulns.iter().enumerate() {
            let id = required_id(cx, vuln, "id", &format!("{dptr}/vulns/{vi}"))?;
            let list = |k: &str| -> Vec<String> {
                vuln.get(k)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            };
            let desc = vuln
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            out.push(SecurityFinding {
                tool: "pip-audit".into(),
                rule: id.to_string(),
                category: FindingCategory::Vulnerability,
                severity: Severity::Unknown,
                severity_source: SeveritySource::None,
                cvss: None,
                title: format!("{id} in {name} {version}"),
                message: desc,
                location: None,
                package: Some(AffectedPackage {
                    name: name.to_string(),
                    version: (!version.is_empty()).then(|| version.to_string()),
                    ecosystem: Some("PyPI".into()),
                    purl: None,
                    fixed_versions: list("fix_versions"),
                }),
                cwes: Vec::new(),
                aliases: list("aliases"),
                fingerprint: fingerprint::of(&["pip-audit", id, name, version]),
                suppressed: false,
            });
        }
    }
    Ok(out)
}
