//! `terraform show -json` plans (format_version 0.1 to 1.2).
//!
//! - Resources come from `resource_changes` (module resources included: their
//!   address is `module.a.aws_s3_bucket.b`). A plan without `resource_changes`
//!   (no changes, or an old/partial export) falls back to `planned_values`
//!   (root module and child modules, recursively) with no action, except
//!   data sources which are `read`. A JSON with neither (e.g. a state file,
//!   which has `values`) is an error.
//! - Action from `change.actions`: `create`, `update`, `delete`,
//!   `delete,create`/`create,delete` → replace, `read`, `no-op`. `mode: data`
//!   is always `read`. Other actions (e.g. `forget`) leave the action empty
//!   with an `unknown-action` warning.
//! - Attributes: `change.after` (for delete: `change.before`). Values unknown
//!   at plan time (`change.after_unknown` leaves that are `true`) are filled
//!   in as the string `"(known after apply)"`, but only where `after` lacks
//!   the key or has `null` there: a known value is never overwritten.
//! - Provider: the last segment of `provider_name`
//!   (`registry.terraform.io/hashicorp/aws` → `aws`).
//! - No location: plans have no lines; the address is the locator.

use crate::{Document, IacReport, IacResource, ParseContext, ParseError, PlannedAction, Position};
use serde_json::{Map, Value};

/// The placeholder for values unknown until apply.
pub const UNKNOWN: &str = "(known after apply)";

pub fn parse(doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let full = match doc.as_json() {
        Some(j) => Some(j.value(cx.name)?),
        None => None,
    };
    let Some(root) = full.as_ref().and_then(Value::as_object) else {
        return Err(cx.error(
            "invalid-plan",
            None,
            "a terraform plan must be a json object (use `terraform show -json`)",
        ));
    };
    let mut resources = Vec::new();
    match root.get("resource_changes") {
        Some(Value::Array(changes)) => {
            for (i, rc) in changes.iter().enumerate() {
                resources.push(resource_change(rc, i, cx)?);
            }
        }
        Some(Value::Null) | None => match root.get("planned_values") {
            Some(pv) => {
                if let Some(module) = pv.get("root_module") {
                    planned_module(module, "/planned_values/root_module", &mut resources, cx)?;
                }
            }
            None => {
                let what = if root.contains_key("values") {
                    "this looks like terraform state (it has `values`), not a plan"
                } else {
                    "the plan has neither `resource_changes` nor `planned_values`"
                };
                return Err(cx.error("invalid-plan", Some(Position::Pointer(String::new())), what));
            }
        },
        Some(_) => {
            return Err(cx.error(
                "invalid-plan",
                Some(Position::Pointer("/resource_changes".into())),
                "`resource_changes` must be an array",
            ));
        }
    }
    Ok(IacReport { resources })
}

fn str_field<'v>(
    obj: &'v Value,
    key: &str,
    at: &str,
    cx: &ParseContext<'_>,
) -> Result<&'v str, ParseError> {
    obj.get(key).and_then(Value::as_str).ok_or_else(|| {
        cx.error(
            "invalid-plan",
            Some(Position::Pointer(format!("{at}/{key}"))),
            format!("missing string `{key}`"),
        )
    })
}

/// `registry.terraform.io/hashicorp/aws` → `aws`; `provider.aws` → `aws`.
pub fn short_provider(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    let last = last.strip_prefix("provider.").unwrap_or(last);
    // `provider["registry.terraform.io/hashicorp/aws"]` forms
    last.trim_matches(|c| c == '"' || c == ']').to_string()
}

fn resource_change(
    rc: &Value,
    i: usize,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let at = format!("/resource_changes/{i}");
    if !rc.is_object() {
        return Err(cx.error(
            "invalid-plan",
            Some(Position::Pointer(at)),
            "a resource change must be an object",
        ));
    }
    let address = str_field(rc, "address", &at, cx)?.to_string();
    let resource_type = str_field(rc, "type", &at, cx)?.to_string();
    let name = rc
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let provider = rc
        .get("provider_name")
        .and_then(Value::as_str)
        .map(short_provider)
        .unwrap_or_default();
    let data = rc.get("mode").and_then(Value::as_str) == Some("data");
    let Some(change) = rc.get("change").filter(|c| c.is_object()) else {
        return Err(cx.error(
            "invalid-plan",
            Some(Position::Pointer(format!("{at}/change"))),
            "missing object `change`",
        ));
    };
    let actions: Vec<&str> = match change.get("actions") {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => {
            return Err(cx.error(
                "invalid-plan",
                Some(Position::Pointer(format!("{at}/change/actions"))),
                "missing array `change.actions`",
            ));
        }
    };
    let action = match actions.as_slice() {
        _ if data => Some(PlannedAction::Read),
        ["create"] => Some(PlannedAction::Create),
        ["update"] => Some(PlannedAction::Update),
        ["delete"] => Some(PlannedAction::Delete),
        ["delete", "create"] | ["create", "delete"] => Some(PlannedAction::Replace),
        ["read"] => Some(PlannedAction::Read),
        ["no-op"] => Some(PlannedAction::NoOp),
        other => {
            cx.warn(
                "unknown-action",
                format!(
                    "{address}: unknown plan action `{}`; the action is left empty",
                    other.join(",")
                ),
            );
            None
        }
    };
    let mut attributes = if action == Some(PlannedAction::Delete) {
        change.get("before").cloned().unwrap_or(Value::Null)
    } else {
        change.get("after").cloned().unwrap_or(Value::Null)
    };
    if action != Some(PlannedAction::Delete)
        && let Some(unknown) = change.get("after_unknown")
    {
        merge_unknown(&mut attributes, unknown, 0);
    }
    if attributes.is_null() {
        attributes = Value::Object(Map::new());
    }
    Ok(IacResource {
        address,
        resource_type,
        provider,
        name,
        namespace: None,
        action,
        attributes: super::attributes(&attributes, cx)?,
        location: None,
    })
}

/// Fills `after` with [`UNKNOWN`] where `after_unknown` says a value is
/// unknown and `after` has no value (missing or null).
pub fn merge_unknown(after: &mut Value, unknown: &Value, depth: usize) {
    if depth > 256 {
        return;
    }
    match unknown {
        Value::Bool(true) if after.is_null() => {
            *after = Value::String(UNKNOWN.to_string());
        }
        Value::Object(u) => {
            if u.values().all(|v| v == &Value::Bool(false)) {
                return;
            }
            if after.is_null() {
                *after = Value::Object(Map::new());
            }
            if let Value::Object(a) = after {
                for (k, uv) in u {
                    if uv == &Value::Bool(false) {
                        continue;
                    }
                    let slot = a.entry(k.clone()).or_insert(Value::Null);
                    merge_unknown(slot, uv, depth.saturating_add(1));
                    if slot.is_null() {
                        a.remove(k);
                    }
                }
            }
        }
        Value::Array(u) => {
            if !u.iter().any(has_unknown) {
                return;
            }
            if after.is_null() {
                *after = Value::Array(Vec::new());
            }
            if let Value::Array(a) = after {
                for (i, uv) in u.iter().enumerate() {
                    while a.len() <= i {
                        a.push(Value::Null);
                    }
                    if let Some(slot) = a.get_mut(i) {
                        merge_unknown(slot, uv, depth.saturating_add(1));
                    }
                }
            }
        }
        _ => {}
    }
}

fn has_unknown(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Array(a) => a.iter().any(has_unknown),
        Value::Object(o) => o.values().any(has_unknown),
        _ => false,
    }
}

fn planned_module(
    module: &Value,
    at: &str,
    out: &mut Vec<IacResource>,
    cx: &mut ParseContext<'_>,
) -> Result<(), ParseError> {
    if let Some(Value::Array(resources)) = module.get("resources") {
        for (i, r) in resources.iter().enumerate() {
            let rat = format!("{at}/resources/{i}");
            let address = str_field(r, "address", &rat, cx)?.to_string();
            let resource_type = str_field(r, "type", &rat, cx)?.to_string();
            let data = r.get("mode").and_then(Value::as_str) == Some("data");
            out.push(IacResource {
                address,
                resource_type,
                provider: r
                    .get("provider_name")
                    .and_then(Value::as_str)
                    .map(short_provider)
                    .unwrap_or_default(),
                name: r
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                namespace: None,
                action: data.then_some(PlannedAction::Read),
                attributes: super::attributes(
                    &r.get("values")
                        .cloned()
                        .filter(|v| !v.is_null())
                        .unwrap_or_else(|| Value::Object(Map::new())),
                    cx,
                )?,
                location: None,
            });
        }
    }
    if let Some(Value::Array(children)) = module.get("child_modules") {
        for (i, child) in children.iter().enumerate() {
            planned_module(child, &format!("{at}/child_modules/{i}"), out, cx)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unknown_values_fill_only_missing_keys() {
        let mut after = json!({"a": 1, "b": null, "list": [{"x": 1}]});
        let unknown = json!({"a": true, "b": true, "c": true, "d": false, "list": [{"y": true}], "e": [true]});
        merge_unknown(&mut after, &unknown, 0);
        assert_eq!(
            after,
            json!({"a": 1, "b": UNKNOWN, "c": UNKNOWN, "list": [{"x": 1, "y": UNKNOWN}], "e": [UNKNOWN]})
        );
    }

    #[test]
    fn provider_short_names() {
        assert_eq!(short_provider("registry.terraform.io/hashicorp/aws"), "aws");
        assert_eq!(short_provider("aws"), "aws");
        assert_eq!(short_provider("provider.google"), "google");
    }
}
