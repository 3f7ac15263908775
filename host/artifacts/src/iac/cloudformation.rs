//! AWS CloudFormation (and SAM) templates, JSON or YAML.
//!
//! - YAML short intrinsic tags (`!Ref X`, `!GetAtt a.b`, `!Sub`, `!Join`,
//!   `!If`, `!Equals`, ...) become their long JSON forms (`{"Ref": "X"}`,
//!   `{"Fn::GetAtt": ["a", "b"]}`, `{"Fn::Sub": ...}`), so JSON and YAML
//!   templates look the same to policies.
//! - Every entry of `Resources` is one resource: address and name = the
//!   logical id, type = `Type`, provider `cloudformation`. Attributes = the
//!   whole entry (`Type`, `Properties`, `Metadata` — where `checkov:skip` /
//!   `cfn_nag` suppressions live —, `Condition`, `DependsOn`, ...), so
//!   policies see everything the template says about the resource.
//! - Location: the line of the logical id key (YAML); JSON templates carry
//!   no line. YAML resources are listed in document order, JSON ones sorted
//!   by logical id.
//! - `Fn::ForEach::*` entries (language extensions) are skipped with a
//!   warning; an entry without a string `Type` is an error.

use super::yaml::{self, Seg};
use crate::{Document, IacReport, IacResource, Location, ParseContext, ParseError, Position};
use serde_json::Value;

fn has_resource_types(resources: &Value) -> bool {
    resources.as_object().is_some_and(|m| {
        !m.is_empty()
            && m.values().any(|r| {
                r.get("Type")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.contains("::"))
            })
    })
}

/// A JSON CloudFormation template.
pub fn looks_like_template(value: &Value) -> bool {
    let Some(obj) = value.as_object() else {
        return false;
    };
    obj.contains_key("AWSTemplateFormatVersion")
        || obj.get("Resources").is_some_and(has_resource_types)
}

/// A YAML CloudFormation template: an `AWSTemplateFormatVersion:` key (at
/// any indentation: some templates indent the whole document), or `Resources:` at column 0 and an indented `Type: AWS::...`/`Custom::`.
pub fn looks_like_yaml_template(text: &str) -> bool {
    let mut resources = false;
    let mut typed = false;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("AWSTemplateFormatVersion:")
            || trimmed.starts_with("\"AWSTemplateFormatVersion\":")
        {
            return true;
        }
        if line.starts_with("Resources:") {
            resources = true;
        }
        if trimmed.len() < line.len()
            && let Some(rest) = trimmed.strip_prefix("Type:")
        {
            let t = rest.trim().trim_matches(['\'', '"']);
            if ["AWS::", "Custom::", "Alexa::"]
                .iter()
                .any(|p| t.starts_with(p))
            {
                typed = true;
            }
        }
        if resources && typed {
            return true;
        }
    }
    false
}

fn record(path: &[Seg]) -> bool {
    matches!(path, [Seg::Key(k), Seg::Key(_)] if k == "Resources")
}

pub fn parse(doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let (template, lines) = match doc {
        Document::Json(v) => return super::json::cloudformation(v.text(), cx),
        Document::Text(text) => {
            let docs = yaml::load_all(text, yaml::Options { cfn_tags: true }, &record)
                .map_err(|e| e.into_parse_error(cx))?;
            let mut docs = docs.into_iter().filter(|d| !d.value.is_null());
            let Some(first) = docs.next() else {
                return Err(cx.error("invalid-template", None, "the template is empty"));
            };
            if docs.next().is_some() {
                cx.warn(
                    "extra-documents",
                    "the yaml stream has more than one document; only the first is the template",
                );
            }
            (first.value, Some(first.lines))
        }
    };
    let position = |key: &str, line: Option<u32>| -> Option<Position> {
        match (&lines, line) {
            (Some(_), Some(l)) => Some(Position::Line(l)),
            (Some(_), None) => None,
            (None, _) => Some(Position::Pointer(format!(
                "/Resources/{}",
                super::escape_pointer(key)
            ))),
        }
    };
    let Some(root) = template.as_object() else {
        return Err(cx.error(
            "invalid-template",
            (lines.is_none()).then(|| Position::Pointer(String::new())),
            "a cloudformation template must be a mapping",
        ));
    };
    let Some(entries) = root.get("Resources").and_then(Value::as_object) else {
        return Err(cx.error(
            "invalid-template",
            (lines.is_none()).then(|| Position::Pointer("/Resources".into())),
            "the template has no `Resources` mapping",
        ));
    };
    let line_of = |id: &str| -> Option<u32> {
        let pointer = format!("/Resources/{}", super::escape_pointer(id));
        lines
            .as_ref()
            .and_then(|ls| ls.iter().find(|(p, _)| *p == pointer).map(|(_, l)| *l))
    };
    let mut resources = Vec::new();
    for (id, entry) in entries {
        let line = line_of(id);
        if id.starts_with("Fn::ForEach::") {
            cx.warn(
                "unsupported-construct",
                format!("`{id}` (Fn::ForEach) is not expanded; its resources are not listed"),
            );
            continue;
        }
        let Some(resource_type) = entry.get("Type").and_then(Value::as_str) else {
            return Err(cx.error(
                "invalid-template",
                position(id, line),
                format!("resource `{id}` has no string `Type`"),
            ));
        };
        resources.push(IacResource {
            address: id.clone(),
            resource_type: resource_type.to_string(),
            provider: "cloudformation".into(),
            name: id.clone(),
            namespace: None,
            action: None,
            attributes: super::attributes(entry, cx)?,
            location: Some(Location::new(cx.name, line)),
        });
    }
    if lines.is_some() {
        resources.sort_by_key(|r| r.location.as_ref().and_then(|l| l.line));
    }
    Ok(IacReport { resources })
}
