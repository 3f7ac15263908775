//! pip-audit JSON: the current `{"dependencies": [...], "fixes": [...]}` and
//! the legacy top-level array. pip-audit gives no severity: findings are
//! `unknown` (source `none`), never silently low; policies decide how to
//! rank unknown.

use super::fingerprint;
use super::{optional_str, required_id, required_name};
use crate::error::ParseCode;
use crate::json::{self, Leaf, Obj, Slot, Stop, Strs, each};
use crate::model::{AffectedPackage, FindingCategory, SecurityFinding, Severity, SeveritySource};
use crate::{ParseContext, ParseError, Position};
use serde::{Deserialize, Deserializer as _};
use serde_json::Value;
use serde_json::value::RawValue;

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

#[derive(Deserialize, Default)]
#[serde(default)]
struct RootDoc<'a> {
    #[serde(borrow)]
    dependencies: Slot<&'a RawValue>,
}

/// One dependency; its vulnerabilities kept as text and read once its
/// name and version are checked.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Dependency<'a> {
    #[serde(borrow)]
    name: Leaf<'a>,
    #[serde(borrow)]
    version: Leaf<'a>,
    #[serde(borrow)]
    vulns: Slot<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Vuln<'a> {
    #[serde(borrow)]
    id: Leaf<'a>,
    #[serde(borrow)]
    fix_versions: Strs<'a>,
    #[serde(borrow)]
    aliases: Strs<'a>,
    #[serde(borrow)]
    description: Leaf<'a>,
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<Vec<SecurityFinding>, ParseError> {
    let name = cx.name;
    let mut stop: Stop = None;
    let is_array = json::starts_array(text);
    let deps = if is_array {
        text
    } else {
        let root: Obj<RootDoc<'_>> =
            json::read_root(name, text, ParseCode::InvalidPipAudit, &mut stop)?;
        root.dependencies
            .get()
            .map(|r| r.get())
            .filter(|t| t.starts_with('['))
            .ok_or_else(|| {
                cx.error(
                    ParseCode::InvalidPipAudit,
                    Some(Position::Pointer("/dependencies".into())),
                    "`dependencies` must be an array",
                )
            })?
    };
    let base = if is_array { "" } else { "/dependencies" };
    let mut out = Vec::new();
    json::read(
        name,
        text,
        deps,
        ParseCode::InvalidPipAudit,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<Dependency<'_>>, _>(stop, |di, d| {
                read_dependency(&d, &|| format!("{base}/{di}"), text, cx, &mut out)
            }))
        },
    )?;
    Ok(out)
}

fn read_dependency(
    d: &Dependency<'_>,
    dptr: &dyn Fn() -> String,
    whole: &str,
    cx: &mut ParseContext<'_>,
    out: &mut Vec<SecurityFinding>,
) -> Result<(), ParseError> {
    let name = required_name(cx, &d.name, "name", dptr)?;
    let version = optional_str(cx, &d.version, "version", dptr)?.unwrap_or("");
    let vulns = match d.vulns.get() {
        None => return Ok(()),
        Some(r) if json::is_null(r) => return Ok(()),
        Some(r) if json::is_array(r) => r.get(),
        Some(other) => {
            let found =
                serde_json::from_str::<Leaf<'_>>(other.get()).map_or("a value", |l| l.type_name());
            return Err(cx.error(
                ParseCode::InvalidField,
                Some(Position::Pointer(format!("{}/vulns", dptr()))),
                format!("`vulns` must be an array, found {found}"),
            ));
        }
    };
    let mut stop: Stop = None;
    json::read(
        cx.name,
        whole,
        vulns,
        ParseCode::InvalidPipAudit,
        &mut stop,
        |de, stop| {
            de.deserialize_any(each::<Obj<Vuln<'_>>, _>(stop, |vi, vuln| {
                let id = required_id(cx, &vuln.id, "id", || format!("{}/vulns/{vi}", dptr()))?;
                out.push(SecurityFinding {
                    tool: "pip-audit".into(),
                    rule: id.to_string(),
                    category: FindingCategory::Vulnerability,
                    severity: Severity::Unknown,
                    severity_source: SeveritySource::None,
                    cvss: None,
                    title: format!("{id} in {name} {version}"),
                    message: vuln.description.str_or_empty().to_string(),
                    location: None,
                    package: Some(Box::new(AffectedPackage {
                        name: name.to_string(),
                        version: (!version.is_empty()).then(|| version.to_string()),
                        ecosystem: Some("PyPI".into()),
                        purl: None,
                        fixed_versions: vuln.fix_versions.owned(),
                    })),
                    cwes: Vec::new(),
                    aliases: vuln.aliases.owned(),
                    fingerprint: fingerprint::of(&["pip-audit", id, name, version]),
                    suppressed: false,
                });
                Ok(())
            }))
        },
    )?;
    Ok(())
}
