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
use crate::error::{ParseCode, WarningCode};
use crate::json::StrictMap;
use crate::{
    Attributes, Document, IacReport, IacResource, Location, ParseContext, ParseError, Position,
};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

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
    match doc {
        Document::Json(v) => super::json_docs::cloudformation(v.text(), cx),
        Document::Text(text) => {
            let mut stream = yaml::Stream::new(text, yaml::Options { cfn_tags: true }, &record);
            let mut first = None;
            let mut extra = false;
            // Later documents are read (an error in one fails the parse)
            // and dropped.
            while let Some(d) = stream.next_document().map_err(|e| e.into_parse_error(cx))? {
                if d.is_null() {
                    continue;
                }
                match first {
                    None => first = Some(d),
                    Some(_) => extra = true,
                }
            }
            let Some(first) = first else {
                return Err(cx.error(ParseCode::InvalidTemplate, None, "the template is empty"));
            };
            if extra {
                cx.warn(
                    WarningCode::ExtraDocuments,
                    "the yaml stream has more than one document; only the first is the template",
                );
            }
            template(&first.json, first.lines, cx)
        }
    }
}

#[derive(Deserialize)]
struct Root<'a> {
    #[serde(rename = "Resources", borrow, default)]
    resources: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(rename = "Type", borrow, default)]
    resource_type: Option<&'a RawValue>,
}

/// The resources of a YAML template, given as the compact JSON the YAML
/// loader writes; `lines` has the line of each `/Resources/<id>`. (JSON
/// templates are read by `json_docs`.)
fn template(
    json: &str,
    mut line_of: Vec<(String, u32)>,
    cx: &mut ParseContext<'_>,
) -> Result<IacReport, ParseError> {
    let internal = |cx: &ParseContext<'_>, e: serde_json::Error| {
        cx.error(ParseCode::InvalidJson, None, format!("template: {e}"))
    };
    if !json.starts_with('{') {
        return Err(cx.error(
            ParseCode::InvalidTemplate,
            None,
            "a cloudformation template must be a mapping",
        ));
    }
    let root: Root<'_> = serde_json::from_str(json).map_err(|e| internal(cx, e))?;
    let Some(entries) = root.resources.filter(|r| r.get().starts_with('{')) else {
        return Err(cx.error(
            ParseCode::InvalidTemplate,
            None,
            "the template has no `Resources` mapping",
        ));
    };
    let StrictMap(entries) = serde_json::from_str::<StrictMap<String, &RawValue>>(entries.get())
        .map_err(|e| internal(cx, e))?;
    // The line of each logical id, by pointer: sorted (stably: the first
    // one recorded wins) and searched, no second index.
    line_of.sort_by(|a, b| a.0.cmp(&b.0));
    let mut resources = Vec::new();
    for (id, entry) in entries {
        let line = if line_of.is_empty() {
            None
        } else {
            let pointer = format!("/Resources/{}", super::escape_pointer(&id));
            let at = line_of.partition_point(|(p, _)| *p < pointer);
            line_of
                .get(at)
                .filter(|(p, _)| *p == pointer)
                .map(|(_, l)| *l)
        };
        if id.starts_with("Fn::ForEach::") {
            cx.warn(
                WarningCode::UnsupportedConstruct,
                format!("`{id}` (Fn::ForEach) is not expanded; its resources are not listed"),
            );
            continue;
        }
        let resource_type = if entry.get().starts_with('{') {
            let e: Entry<'_> = serde_json::from_str(entry.get()).map_err(|e| internal(cx, e))?;
            e.resource_type
                .filter(|t| t.get().starts_with('"'))
                .and_then(|t| serde_json::from_str::<String>(t.get()).ok())
        } else {
            None
        };
        let Some(resource_type) = resource_type else {
            return Err(cx.error(
                ParseCode::InvalidTemplate,
                line.map(Position::Line),
                format!("resource `{id}` has no string `Type`"),
            ));
        };
        resources.push(IacResource {
            address: id.clone(),
            resource_type,
            provider: "cloudformation".into(),
            name: id,
            namespace: None,
            action: None,
            attributes: Attributes::from_raw(entry.to_owned()),
            location: Some(Location::new(cx.name, line)),
        });
    }
    resources.sort_by_key(|r| r.location.as_ref().and_then(|l| l.line));
    Ok(IacReport { resources })
}
