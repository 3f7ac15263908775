//! Kubernetes manifests: YAML streams (`---`-separated documents, `helm
//! template` output, `kubectl get -o yaml` lists) and JSON objects.
//!
//! - Every document that is a mapping with `apiVersion` and `kind` is one
//!   resource; `kind: List` (or any `*List` kind with an `items` array)
//!   contributes its items instead. Empty documents (only comments, as helm
//!   renders for disabled templates) are skipped silently; documents without
//!   `apiVersion`/`kind` (e.g. the status header of `helm install --dry-run`)
//!   are skipped with a `not-a-kubernetes-object` warning.
//! - Address `Kind/namespace/name`, or `Kind/name` when the manifest sets no
//!   namespace (the namespace stays empty: gate does not guess `default`).
//!   Name is `metadata.name`, else `metadata.generateName`; an object with
//!   neither is addressed `Kind/#N` (N = its 1-based document number).
//! - Provider = `apiVersion`, resource type = `kind`.
//! - Attributes = the whole object. For YAML input, the start lines of the
//!   pod-spec containers (`containers`, `initContainers`,
//!   `ephemeralContainers`) are added under the top-level key `"__lines"`, a
//!   map from JSON pointer (e.g. `/spec/template/spec/containers/0`) to line.
//!   [`pod_spec`] finds the pod spec of every workload kind.
//! - Location: the artifact and the line where the object starts (its first
//!   key). JSON manifests carry no line.
//! - A stream that is not valid YAML (e.g. `helm template --debug` output
//!   with a render error appended) fails with `invalid-yaml` and line:col.

use super::yaml::{self, Seg, YamlDocument};
use crate::{Document, IacReport, IacResource, Location, ParseContext, ParseError};
use serde_json::{Map, Value};

/// Where each workload kind keeps its pod spec.
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &["spec"],
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job"
        | "DeploymentConfig" => &["spec", "template", "spec"],
        "PodTemplate" => &["template", "spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => return None,
    })
}

/// The pod spec of a workload resource (Pod, Deployment, StatefulSet,
/// DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, PodTemplate,
/// OpenShift DeploymentConfig), if it has one.
pub fn pod_spec(resource: &IacResource) -> Option<Value> {
    let path = pod_spec_path(&resource.resource_type)?;
    let attributes = resource.attributes.value();
    path.iter()
        .try_fold(&attributes, |v, key| v.get(*key))
        .filter(|v| v.is_object())
        .cloned()
}

/// Whether a YAML text has top-level `apiVersion:` and `kind:` keys.
pub fn looks_like_yaml_manifest(text: &str) -> bool {
    let mut api = false;
    let mut kind = false;
    for line in text.lines() {
        if line.starts_with("apiVersion:") {
            api = true;
        } else if line.starts_with("kind:") {
            kind = true;
        }
        if api && kind {
            return true;
        }
    }
    false
}

const CONTAINER_KEYS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

fn record(path: &[Seg]) -> bool {
    // List items: /items/N
    if let [Seg::Key(k), Seg::Index(_)] = path {
        return k == "items";
    }
    match path {
        [.., Seg::Key(k), Seg::Index(_)] if path.len() <= 9 => CONTAINER_KEYS.contains(&k.as_str()),
        _ => false,
    }
}

pub fn parse(doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let docs = match doc {
        Document::Json(v) => return super::json::kubernetes(v.text(), cx),
        Document::Text(text) => yaml::load_all(text, yaml::Options::default(), &record)
            .map_err(|e| e.into_parse_error(cx))?,
    };
    let json = matches!(doc, Document::Json(_));
    let mut resources = Vec::new();
    for (n, d) in docs.into_iter().enumerate() {
        let number = n.saturating_add(1);
        let YamlDocument { value, line, lines } = d;
        let at = if json {
            String::new()
        } else {
            format!(" (document {number}, line {line})")
        };
        let mut obj = match value {
            Value::Null => continue,
            Value::Object(o) => o,
            _ => {
                cx.warn(
                    "not-a-kubernetes-object",
                    format!("document{at} is not a mapping and was skipped"),
                );
                continue;
            }
        };
        let (Some(_), Some(kind)) = (
            obj.get("apiVersion").and_then(Value::as_str),
            obj.get("kind").and_then(Value::as_str).map(str::to_string),
        ) else {
            cx.warn(
                "not-a-kubernetes-object",
                format!("document{at} has no `apiVersion`/`kind` and was skipped"),
            );
            continue;
        };
        let line = (!json).then_some(line);
        if kind.ends_with("List") && obj.get("items").is_some_and(Value::is_array) {
            let Some(Value::Array(items)) = obj.remove("items") else {
                continue;
            };
            // The recorded lines, sorted out per item in one pass (looking
            // them up per item would be quadratic in a long list).
            let mut item_lines: Vec<Option<u32>> = vec![None; items.len()];
            let mut item_subs: Vec<Vec<(String, u32)>> = vec![Vec::new(); items.len()];
            for (p, l) in &lines {
                let Some(rest) = p.strip_prefix("/items/") else {
                    continue;
                };
                let (index, sub) = match rest.split_once('/') {
                    Some((index, sub)) => (index, Some(sub)),
                    None => (rest, None),
                };
                let Ok(index) = index.parse::<usize>() else {
                    continue;
                };
                match sub {
                    None => {
                        if let Some(slot) = item_lines.get_mut(index) {
                            slot.get_or_insert(*l);
                        }
                    }
                    Some(sub) => {
                        if let Some(subs) = item_subs.get_mut(index) {
                            subs.push((format!("/{sub}"), *l));
                        }
                    }
                }
            }
            for (i, ((item, own_line), sub)) in
                items.into_iter().zip(item_lines).zip(item_subs).enumerate()
            {
                let item_line = if json { None } else { own_line.or(line) };
                match item {
                    Value::Object(o)
                        if o.get("apiVersion").is_some_and(Value::is_string)
                            && o.get("kind").is_some_and(Value::is_string) =>
                    {
                        resources.push(resource(o, item_line, &sub, number, cx)?);
                    }
                    _ => cx.warn(
                        "not-a-kubernetes-object",
                        format!(
                            "item {i} of the list{at} has no `apiVersion`/`kind` and was skipped"
                        ),
                    ),
                }
            }
            continue;
        }
        resources.push(resource(obj, line, &lines, number, cx)?);
    }
    Ok(IacReport { resources })
}

fn resource(
    mut obj: Map<String, Value>,
    line: Option<u32>,
    lines: &[(String, u32)],
    number: usize,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let text = |o: &Map<String, Value>, key: &str| -> Option<String> {
        o.get(key).and_then(Value::as_str).map(str::to_string)
    };
    let api_version = text(&obj, "apiVersion").unwrap_or_default();
    let kind = text(&obj, "kind").unwrap_or_default();
    let meta = obj.get("metadata").and_then(Value::as_object);
    let name = meta.and_then(|m| {
        text(m, "name")
            .filter(|s| !s.is_empty())
            .or_else(|| text(m, "generateName"))
    });
    let namespace = meta
        .and_then(|m| text(m, "namespace"))
        .filter(|s| !s.is_empty());
    let (name, address) = match (&name, &namespace) {
        (Some(n), Some(ns)) => (n.clone(), format!("{kind}/{ns}/{n}")),
        (Some(n), None) => (n.clone(), format!("{kind}/{n}")),
        (None, _) => {
            cx.warn(
                "missing-name",
                format!("a {kind} in document {number} has no metadata.name"),
            );
            (String::new(), format!("{kind}/#{number}"))
        }
    };
    let container_lines: Map<String, Value> = lines
        .iter()
        .filter(|(p, _)| {
            // only pod-spec containers of this kind
            pod_spec_path(&kind).is_some_and(|path| {
                let mut prefix = String::new();
                for seg in path {
                    prefix.push('/');
                    prefix.push_str(seg);
                }
                p.strip_prefix(&prefix).is_some_and(|rest| {
                    CONTAINER_KEYS.iter().any(|k| {
                        rest.strip_prefix('/')
                            .and_then(|r| r.strip_prefix(k))
                            .is_some_and(|r| r.starts_with('/'))
                    })
                })
            })
        })
        .map(|(p, l)| (p.clone(), Value::from(*l)))
        .collect();
    if !container_lines.is_empty() {
        obj.insert("__lines".into(), Value::Object(container_lines));
    }
    Ok(IacResource {
        address,
        resource_type: kind,
        provider: api_version,
        name,
        namespace,
        action: None,
        attributes: super::attributes(&Value::Object(obj), cx)?,
        location: Some(Location::new(cx.name, line)),
    })
}
