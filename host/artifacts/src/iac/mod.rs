//! IaC formats: Terraform plans (`terraform show -json`), Kubernetes
//! manifests (YAML or JSON), CloudFormation templates (JSON or YAML) and
//! Dockerfiles. One file per format; this module detects and dispatches.
//!
//! Detection is by content only:
//! - Terraform plan: a JSON object with a string `format_version` and one of
//!   `terraform_version`, `planned_values`, `resource_changes`.
//! - CloudFormation: `AWSTemplateFormatVersion`, or a `Resources` map whose
//!   entries have a `Type` like `AWS::S3::Bucket` / `Custom::Thing`.
//! - Kubernetes: a document with top-level `apiVersion` and `kind` (for YAML:
//!   both keys at column 0 somewhere in the stream).
//! - Dockerfile: the first instruction is `FROM`, or `ARG` followed later by
//!   `FROM`, and the whole file reads as a Dockerfile.
//!
//! Raw HCL (`*.tf`) is not supported and is not detected.

pub mod cloudformation;
pub mod dockerfile;
mod json_docs;
pub mod kubernetes;
pub mod terraform;
pub mod yaml;

use crate::error::ParseCode;
use crate::{Document, Format, IacReport, ParseContext, ParseError};
use serde_json::Value;

/// Recognises an IaC format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    match doc {
        Document::Json(json) => sniff_json(json.shape()),
        Document::Text(text) => sniff_text(text),
    }
}

fn sniff_json(value: &Value) -> Option<Format> {
    let obj = value.as_object()?;
    if obj.get("format_version").is_some_and(Value::is_string)
        && (obj.contains_key("terraform_version")
            || obj.contains_key("planned_values")
            || obj.contains_key("resource_changes"))
    {
        return Some(Format::TerraformPlan);
    }
    if cloudformation::looks_like_template(value) {
        return Some(Format::Cloudformation);
    }
    if obj.get("apiVersion").is_some_and(Value::is_string)
        && obj.get("kind").is_some_and(Value::is_string)
    {
        return Some(Format::Kubernetes);
    }
    None
}

fn sniff_text(text: &str) -> Option<Format> {
    if cloudformation::looks_like_yaml_template(text) {
        return Some(Format::Cloudformation);
    }
    if kubernetes::looks_like_yaml_manifest(text) {
        return Some(Format::Kubernetes);
    }
    if dockerfile::looks_like_dockerfile(text) {
        return Some(Format::Dockerfile);
    }
    None
}

/// Whether `doc` carries the markers of `format` (see
/// [`Format::markers`]): the same tests as [`sniff`], one format at a time.
/// A JSON manifest or template forced as `kubernetes`/`cloudformation` is
/// loaded as text (those formats are YAML too), so it is tested as JSON here.
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    let json_text;
    let value = match doc {
        Document::Json(v) => Some(v.shape()),
        Document::Text(t) if t.trim_start().starts_with(['{', '[']) => {
            json_text = crate::document::json_shape(t).ok();
            json_text.as_ref()
        }
        Document::Text(_) => None,
    };
    let text = doc.as_text();
    match format {
        Format::TerraformPlan => {
            value.is_some_and(|v| sniff_json(v) == Some(Format::TerraformPlan))
        }
        Format::Cloudformation => {
            value.is_some_and(cloudformation::looks_like_template)
                || text.is_some_and(cloudformation::looks_like_yaml_template)
        }
        Format::Kubernetes => {
            value.is_some_and(|v| {
                v.get("apiVersion").is_some_and(Value::is_string)
                    && v.get("kind").is_some_and(Value::is_string)
            }) || text.is_some_and(kubernetes::looks_like_yaml_manifest)
        }
        Format::Dockerfile => text.is_some_and(dockerfile::starts_with_instruction),
        _ => false,
    }
}

/// Parses an IaC artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<IacReport, ParseError> {
    match format {
        Format::TerraformPlan => terraform::parse(doc, cx),
        Format::Kubernetes => kubernetes::parse(doc, cx),
        Format::Cloudformation => cloudformation::parse(doc, cx),
        Format::Dockerfile => dockerfile::parse(doc, cx),
        other => Err(cx.error(
            ParseCode::UnsupportedFormat,
            None,
            format!("{other} is not an iac format"),
        )),
    }
}

/// A JSON pointer segment, escaped (RFC 6901).
pub(crate) fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}
