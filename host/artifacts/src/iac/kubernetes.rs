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

use super::yaml::{self, Seg};
use crate::error::{ParseCode, WarningCode};
use crate::json;
use crate::{Attributes, Document, IacReport, IacResource, Location, ParseContext, ParseError};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// Where each workload kind keeps its pod spec: the table the iac policy
/// reads too (`gate-kubernetes`).
pub fn pod_spec_path(kind: &str) -> Option<&'static [&'static str]> {
    gate_kubernetes::pod_paths(kind).map(|p| p.spec)
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
    let mut resources = Vec::new();
    match doc {
        Document::Json(v) => return super::json_docs::kubernetes(v.text(), cx),
        Document::Text(text) => {
            // One document at a time: each becomes its resources and is
            // dropped before the next is read.
            let mut stream = yaml::Stream::new(text, yaml::Options::default(), &record);
            let mut number: usize = 0;
            while let Some(d) = stream.next_document().map_err(|e| e.into_parse_error(cx))? {
                number = number.saturating_add(1);
                document(&d.json, d.line, &d.lines, number, cx, &mut resources)?;
            }
        }
    }
    Ok(IacReport { resources })
}

/// The top-level fields a document is sorted out by.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "apiVersion", borrow, default)]
    api_version: Option<&'a RawValue>,
    #[serde(borrow, default)]
    kind: Option<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
    #[serde(borrow, default)]
    items: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Metadata<'a> {
    #[serde(borrow, default)]
    name: Option<&'a RawValue>,
    #[serde(rename = "generateName", borrow, default)]
    generate_name: Option<&'a RawValue>,
    #[serde(borrow, default)]
    namespace: Option<&'a RawValue>,
}

/// A JSON string's text; `None` for anything else.
fn string(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(json::raw_str).map(Cow::into_owned)
}

fn head<'a>(json: &'a str, cx: &ParseContext<'_>) -> Result<Head<'a>, ParseError> {
    serde_json::from_str(json)
        .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("manifest: {e}")))
}

/// One document (compact JSON with sorted keys, as the YAML loader writes
/// it): its resource, the resources of a list, or nothing with a warning.
/// (JSON manifests are read by `json_docs`.)
fn document(
    json: &str,
    line: u32,
    lines: &[(String, u32)],
    number: usize,
    cx: &mut ParseContext<'_>,
    resources: &mut Vec<IacResource>,
) -> Result<(), ParseError> {
    let at = format!(" (document {number}, line {line})");
    if json == "null" {
        return Ok(());
    }
    if !json.starts_with('{') {
        cx.warn(
            WarningCode::NotAKubernetesObject,
            format!("document{at} is not a mapping and was skipped"),
        );
        return Ok(());
    }
    let h = head(json, cx)?;
    let (Some(_), Some(kind)) = (string(h.api_version), string(h.kind)) else {
        cx.warn(
            WarningCode::NotAKubernetesObject,
            format!("document{at} has no `apiVersion`/`kind` and was skipped"),
        );
        return Ok(());
    };
    let items = h.items.filter(|i| json::is_array(i));
    let Some(items) = items.filter(|_| kind.ends_with("List")) else {
        resources.push(resource(json, line, lines, number, cx)?);
        return Ok(());
    };
    let items: Vec<&RawValue> = serde_json::from_str(items.get())
        .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("manifest: {e}")))?;
    // The recorded lines by item: (index, pointer below the item, line),
    // grouped by item (stable: document order within one), then walked
    // along the items once (looking them up per item would be quadratic in
    // a long list).
    let mut by_item: Vec<(usize, &str, u32)> = lines
        .iter()
        .filter_map(|(p, l)| {
            let rest = p.strip_prefix("/items/")?;
            let (index, sub) = match rest.find('/') {
                Some(k) => (rest.get(..k)?, rest.get(k..)?),
                None => (rest, ""),
            };
            Some((index.parse::<usize>().ok()?, sub, *l))
        })
        .collect();
    by_item.sort_by_key(|(index, _, _)| *index);
    let mut cursor = 0;
    for (i, item) in items.into_iter().enumerate() {
        while by_item.get(cursor).is_some_and(|(k, _, _)| *k < i) {
            cursor = cursor.saturating_add(1);
        }
        let from = cursor;
        while by_item.get(cursor).is_some_and(|(k, _, _)| *k == i) {
            cursor = cursor.saturating_add(1);
        }
        let group = by_item.get(from..cursor).unwrap_or_default();
        let own_line = group
            .iter()
            .find(|(_, sub, _)| sub.is_empty())
            .map(|(_, _, l)| *l);
        let subs: Vec<(&str, u32)> = group
            .iter()
            .filter(|(_, sub, _)| !sub.is_empty())
            .map(|(_, sub, l)| (*sub, *l))
            .collect();
        let item_line = own_line.unwrap_or(line);
        let item = item.get();
        let is_object = item.starts_with('{') && {
            let h = head(item, cx)?;
            string(h.api_version).is_some() && string(h.kind).is_some()
        };
        if is_object {
            resources.push(resource(item, item_line, &subs, number, cx)?);
        } else {
            cx.warn(
                WarningCode::NotAKubernetesObject,
                format!("item {i} of the list{at} has no `apiVersion`/`kind` and was skipped"),
            );
        }
    }
    Ok(())
}

/// The resource of one object (compact JSON with sorted keys, a string
/// `apiVersion` and `kind`).
fn resource<P: AsRef<str>>(
    json: &str,
    line: u32,
    lines: &[(P, u32)],
    number: usize,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let h = head(json, cx)?;
    let api_version = string(h.api_version).unwrap_or_default();
    let kind = string(h.kind).unwrap_or_default();
    let meta = h
        .metadata
        .filter(|m| m.get().starts_with('{'))
        .map(|m| serde_json::from_str::<Metadata<'_>>(m.get()))
        .transpose()
        .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("manifest: {e}")))?;
    let ident = Ident {
        api_version,
        name: meta.as_ref().and_then(|m| string(m.name)),
        generate_name: meta.as_ref().and_then(|m| string(m.generate_name)),
        namespace: meta.as_ref().and_then(|m| string(m.namespace)),
    };
    let container_lines: BTreeMap<&str, u32> = lines
        .iter()
        .map(|(p, l)| (p.as_ref(), *l))
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
        .collect();
    let attributes = if container_lines.is_empty() {
        RawValue::from_string(json.to_string())
    } else {
        // `__lines` joins the object's keys in their sorted place.
        let lines_json = serde_json::to_string(&container_lines)
            .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))?;
        let lines_raw = RawValue::from_string(lines_json)
            .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))?;
        let mut obj: BTreeMap<String, &RawValue> = serde_json::from_str(json)
            .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))?;
        obj.insert("__lines".into(), &*lines_raw);
        serde_json::to_string(&obj).and_then(RawValue::from_string)
    }
    .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))?;
    Ok(ident.resource(
        kind,
        number,
        Some(line),
        Attributes::from_raw(attributes),
        cx,
    ))
}

/// What a manifest's address is made of, however it was read (YAML
/// documents and JSON manifests have their own readers); string fields,
/// anything else reads as absent.
pub(super) struct Ident {
    pub api_version: String,
    /// `metadata.name`, `metadata.generateName`, `metadata.namespace`.
    pub name: Option<String>,
    pub generate_name: Option<String>,
    pub namespace: Option<String>,
}

impl Ident {
    /// The resource of the object of `kind` in document `number`: named
    /// `metadata.name`, else `generateName`, else addressed `Kind/#N` with a
    /// `missing-name` warning; an empty namespace is none.
    pub(super) fn resource(
        self,
        kind: String,
        number: usize,
        line: Option<u32>,
        attributes: Attributes,
        cx: &mut ParseContext<'_>,
    ) -> IacResource {
        let name = self.name.filter(|s| !s.is_empty()).or(self.generate_name);
        let namespace = self.namespace.filter(|s| !s.is_empty());
        let (name, address) = match (name, &namespace) {
            (Some(n), Some(ns)) => {
                let address = format!("{kind}/{ns}/{n}");
                (n, address)
            }
            (Some(n), None) => {
                let address = format!("{kind}/{n}");
                (n, address)
            }
            (None, _) => {
                cx.warn(
                    WarningCode::MissingName,
                    format!(
                        "{} in document {number} has no metadata.name",
                        gate_codes::wording::a(&kind)
                    ),
                );
                (String::new(), format!("{kind}/#{number}"))
            }
        };
        IacResource {
            address,
            resource_type: kind,
            provider: self.api_version,
            name,
            namespace,
            action: None,
            attributes,
            location: Some(Location::new(cx.name, line)),
        }
    }
}
