//! The JSON IaC documents (JSON CloudFormation templates and Kubernetes
//! manifests; Terraform plans are in [`super::terraform`]) read straight
//! from their text with [`crate::json`]: the fields a parser needs are read
//! into small lenient types, a resource's attributes are its JSON text
//! (minified when the document is pretty-printed), and a `*List`'s items
//! are read one at a time.

use super::kubernetes::Ident;
use crate::error::{ParseCode, WarningCode};
use crate::json::{Map, Obj, Str, checked, each_raw, is_array, is_compact, is_object, minify};
use crate::{
    Attributes, IacReport, IacResource, Location, ParseContext, ParseError, Position,
    document::json_error,
};
use serde_json::value::RawValue;
use std::borrow::Cow;

/// Attributes that are the JSON text of `raw` (an empty object for none or
/// `null`), minified.
pub(crate) fn attributes(
    raw: Option<&RawValue>,
    cx: &ParseContext<'_>,
) -> Result<Attributes, ParseError> {
    match raw.filter(|r| r.get() != "null") {
        None => serialized(&serde_json::Map::new(), cx),
        Some(r) if is_compact(r.get()) => Ok(Attributes::from_raw(r.to_owned())),
        Some(r) => RawValue::from_string(minify(r.get()))
            .map(Attributes::from_raw)
            .map_err(|e| json_error(cx.name, &e)),
    }
}

/// Attributes that are `value` serialized.
pub(crate) fn serialized<T: serde::Serialize + ?Sized>(
    value: &T,
    cx: &ParseContext<'_>,
) -> Result<Attributes, ParseError> {
    serde_json::value::to_raw_value(value)
        .map(Attributes::from_raw)
        .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))
}

// ---------------------------------------------------------------- cloudformation

#[derive(serde::Deserialize, Default)]
struct Template<'a> {
    #[serde(rename = "Resources", default, borrow)]
    resources: Option<&'a RawValue>,
}

#[derive(serde::Deserialize, Default)]
struct TemplateResource<'a> {
    #[serde(rename = "Type", default, borrow)]
    resource_type: Str<'a>,
}

/// A JSON CloudFormation template (see [`super::cloudformation`]):
/// resources sorted by logical id, located by JSON pointer in errors.
pub(crate) fn cloudformation(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<IacReport, ParseError> {
    let Some(template) = checked::<Obj<Template<'_>>>(cx.name, text)?.into_inner() else {
        return Err(cx.error(
            ParseCode::InvalidTemplate,
            Some(Position::Pointer(String::new())),
            "a cloudformation template must be a mapping",
        ));
    };
    let Some(entries) = template.resources.filter(|r| is_object(r)) else {
        return Err(cx.error(
            ParseCode::InvalidTemplate,
            Some(Position::Pointer("/Resources".into())),
            "the template has no `Resources` mapping",
        ));
    };
    let Map { mut entries, .. } = checked::<Map<'_, &RawValue>>(cx.name, entries.get())?;
    // By logical id, as the Value-based parser listed them (keys are unique).
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut resources = Vec::with_capacity(entries.len());
    for (id, entry) in entries {
        if id.starts_with("Fn::ForEach::") {
            cx.warn(
                WarningCode::UnsupportedConstruct,
                format!("`{id}` (Fn::ForEach) is not expanded; its resources are not listed"),
            );
            continue;
        }
        let fields = checked::<Obj<TemplateResource<'_>>>(cx.name, entry.get())?;
        let Some(resource_type) = fields.into_inner().and_then(|f| f.resource_type.0) else {
            return Err(cx.error(
                ParseCode::InvalidTemplate,
                Some(Position::Pointer(format!(
                    "/Resources/{}",
                    super::escape_pointer(&id)
                ))),
                format!("resource `{id}` has no string `Type`"),
            ));
        };
        let id = id.into_owned();
        resources.push(IacResource {
            address: id.clone(),
            resource_type: resource_type.into_owned(),
            provider: "cloudformation".into(),
            name: id,
            namespace: None,
            action: None,
            attributes: attributes(Some(entry), cx)?,
            location: Some(Location::new(cx.name, None)),
        });
    }
    Ok(IacReport { resources })
}

// ---------------------------------------------------------------- kubernetes

#[derive(serde::Deserialize, Default)]
struct Manifest<'a> {
    #[serde(rename = "apiVersion", default, borrow)]
    api_version: Str<'a>,
    #[serde(default, borrow)]
    kind: Str<'a>,
    #[serde(default, borrow)]
    metadata: Obj<Metadata<'a>>,
    /// Only read at the root (lists).
    #[serde(default, borrow)]
    items: Option<&'a RawValue>,
}

#[derive(serde::Deserialize, Default)]
struct Metadata<'a> {
    #[serde(default, borrow)]
    name: Str<'a>,
    #[serde(rename = "generateName", default, borrow)]
    generate_name: Str<'a>,
    #[serde(default, borrow)]
    namespace: Str<'a>,
}

/// A JSON Kubernetes manifest (see [`super::kubernetes`]): one object, or
/// a `*List` whose items are read one at a time. JSON has no lines and is
/// one document (number 1).
pub(crate) fn kubernetes(text: &str, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let Some(root) = checked::<Obj<Manifest<'_>>>(cx.name, text)?.into_inner() else {
        cx.warn(
            WarningCode::NotAKubernetesObject,
            "document is not a mapping and was skipped",
        );
        return Ok(IacReport::default());
    };
    let (Some(_), Some(kind)) = (root.api_version.as_deref(), root.kind.as_deref()) else {
        cx.warn(
            WarningCode::NotAKubernetesObject,
            "document has no `apiVersion`/`kind` and was skipped",
        );
        return Ok(IacReport::default());
    };
    let mut resources = Vec::new();
    if let Some(items) = root.items.filter(|i| kind.ends_with("List") && is_array(i)) {
        each_raw::<&RawValue, _>(items, cx, |i, item, cx| {
            let fields = checked::<Obj<Manifest<'_>>>(cx.name, item.get())?;
            match fields.into_inner() {
                Some(m) if m.api_version.0.is_some() && m.kind.0.is_some() => {
                    resources.push(manifest_resource(m, item, cx)?);
                }
                _ => cx.warn(
                    WarningCode::NotAKubernetesObject,
                    format!("item {i} of the list has no `apiVersion`/`kind` and was skipped"),
                ),
            }
            Ok(())
        })?;
        return Ok(IacReport { resources });
    }
    let raw = checked::<&RawValue>(cx.name, text)?;
    resources.push(manifest_resource(root, raw, cx)?);
    Ok(IacReport { resources })
}

/// A JSON manifest is document 1 and has no lines.
fn manifest_resource(
    m: Manifest<'_>,
    raw: &RawValue,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let kind = m.kind.0.unwrap_or_default().into_owned();
    let owned = |s: Str<'_>| s.0.map(Cow::into_owned);
    let (name, generate_name, namespace) = match m.metadata.into_inner() {
        Some(meta) => (
            owned(meta.name),
            owned(meta.generate_name),
            owned(meta.namespace),
        ),
        None => (None, None, None),
    };
    let ident = Ident {
        api_version: m.api_version.0.unwrap_or_default().into_owned(),
        name,
        generate_name,
        namespace,
    };
    let attributes = attributes(Some(raw), cx)?;
    Ok(ident.resource(kind, 1, None, attributes, cx))
}

#[cfg(test)]
mod tests {
    use crate::{Document, Format, IacResource, Model, ParseContext, ParseOptions, Position};
    use serde_json::json;

    fn parse(text: &str) -> Result<crate::Parsed, crate::ParseError> {
        crate::parse("t.json", text.as_bytes(), None, &ParseOptions::default())
    }

    fn resources(p: &crate::Parsed) -> &[IacResource] {
        match &p.model {
            Model::Iac(r) => &r.resources,
            other => panic!("not iac: {other:?}"),
        }
    }

    fn codes(p: &crate::Parsed) -> Vec<&str> {
        p.warnings.iter().map(|w| w.code.as_str()).collect()
    }

    fn pointer(e: &crate::ParseError) -> Option<&str> {
        match &e.position {
            Some(Position::Pointer(p)) => Some(p),
            _ => None,
        }
    }

    #[test]
    fn terraform_attributes_are_compact_text_whatever_the_layout() {
        let plan = json!({
            "format_version": "1.2", "terraform_version": "1.7.0",
            "resource_changes": [
                {"address": "a.b", "type": "a", "name": "b", "provider_name": "registry.terraform.io/hashicorp/a",
                 "change": {"actions": ["update"], "before": {}, "after": {"tags": {"k": "v w"}, "n": [1, 2]}, "after_unknown": {"tags": {}}}},
                {"address": "a.c", "type": "a", "name": "c",
                 "change": {"actions": ["create"], "before": null, "after": {"tags": {"k": "v"}}, "after_unknown": {"id": true}}}
            ]
        });
        let compact = parse(&plan.to_string()).unwrap();
        let pretty = parse(&serde_json::to_string_pretty(&plan).unwrap()).unwrap();
        assert_eq!(compact, pretty);
        let rs = resources(&compact);
        assert_eq!(rs[0].attributes.json(), r#"{"n":[1,2],"tags":{"k":"v w"}}"#);
        assert_eq!(
            rs[1].attributes.value(),
            json!({"tags": {"k": "v"}, "id": "(known after apply)"})
        );
    }

    #[test]
    fn terraform_fields_of_the_wrong_type_read_as_absent() {
        let plan = r#"{"format_version":"1.2","terraform_version":"1.7.0","resource_changes":[
            {"address":"a.b","type":"a","name":5,"provider_name":["x"],"mode":{},
             "change":{"actions":["create",7],"after":{"x":1}}}]}"#;
        let p = parse(plan).unwrap();
        let r = &resources(&p)[0];
        assert_eq!((r.name.as_str(), r.provider.as_str()), ("", ""));
        assert_eq!(r.action, Some(crate::PlannedAction::Create));
        assert_eq!(r.attributes.json(), r#"{"x":1}"#);
    }

    #[test]
    fn terraform_errors_point_at_the_change() {
        let head = r#"{"format_version":"1.2","terraform_version":"1.7.0","resource_changes":"#;
        for (changes, at) in [
            (
                r#"[{"address":"a.b","type":"a","change":5}]"#,
                "/resource_changes/0/change",
            ),
            (
                r#"[{"address":"a.b","type":"a","change":{"actions":[]}},"x"]"#,
                "/resource_changes/1",
            ),
            (
                r#"[{"address":"a.b","type":1,"change":{}}]"#,
                "/resource_changes/0/type",
            ),
            (
                r#"[{"address":"a~/b","type":"a","change":{"actions":"create"}}]"#,
                "/resource_changes/0/change/actions",
            ),
            (r#"{}"#, "/resource_changes"),
        ] {
            let e = parse(&format!("{head}{changes}}}")).unwrap_err();
            assert_eq!(
                (e.code.as_str(), pointer(&e)),
                ("invalid-plan", Some(at)),
                "{changes}"
            );
        }
        // a key given twice inside the attributes: refused when loaded
        let e = parse(&format!(
            r#"{head}[{{"address":"a.b","type":"a","change":{{"actions":["create"],"after":{{"k":1,"k":2}}}}}}]}}"#
        ))
        .unwrap_err();
        assert_eq!(e.code.as_str(), "invalid-json");
    }

    #[test]
    fn terraform_planned_values_fallback() {
        let plan = r#"{"format_version":"1.2","terraform_version":"1.7.0","resource_changes":null,"planned_values":{"root_module":{
            "child_modules":[{"resources":[{"address":"module.m.x.y","type":"x","values":null}]},7,null],
            "resources":[{"address":"x.a","type":"x","mode":"data","provider_name":"registry.terraform.io/hashicorp/x","values":{"v":"w"}}]}}}"#;
        let p = parse(plan).unwrap();
        let rs = resources(&p);
        let addresses: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["x.a", "module.m.x.y"]);
        assert_eq!(rs[0].action, Some(crate::PlannedAction::Read));
        assert_eq!(rs[0].provider, "x");
        assert_eq!(rs[1].attributes.json(), "{}");
        let p =
            parse(r#"{"format_version":"1.2","terraform_version":"1.7.0","planned_values":null}"#)
                .unwrap();
        assert!(resources(&p).is_empty());
        let e = parse(r#"{"format_version":"1.2","terraform_version":"1.7.0","planned_values":{"root_module":{"resources":[5]}}}"#)
            .unwrap_err();
        assert_eq!(
            pointer(&e),
            Some("/planned_values/root_module/resources/0/address")
        );
    }

    #[test]
    fn cloudformation_json_resources_by_logical_id() {
        let template = r#"{"AWSTemplateFormatVersion": "2010-09-09", "Resources": {
            "Zed": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "b-${AWS::Region}"}}},
            "Fn::ForEach::Things": ["X", ["a"], {"R${X}": {"Type": "AWS::SNS::Topic"}}],
            "alpha": {"Type": "AWS::SNS::Topic"},
            "Beta": {"Type": "Custom::Thing", "DependsOn": ["alpha"]}}}"#;
        let p = parse(template).unwrap();
        assert_eq!(p.format, Format::Cloudformation);
        let rs = resources(&p);
        let ids: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(ids, ["Beta", "Zed", "alpha"]);
        assert_eq!(codes(&p), ["unsupported-construct"]);
        assert_eq!(
            rs[0].attributes.json(),
            r#"{"Type":"Custom::Thing","DependsOn":["alpha"]}"#
        );
        assert!(
            rs.iter()
                .all(|r| r.location.as_ref().is_some_and(|l| l.line.is_none()))
        );

        let e = parse(r#"{"AWSTemplateFormatVersion":"x","Resources":{"a/b~c":{"Type":5}}}"#)
            .unwrap_err();
        assert_eq!(
            (e.code.as_str(), pointer(&e)),
            ("invalid-template", Some("/Resources/a~1b~0c"))
        );
        let e = parse(r#"{"AWSTemplateFormatVersion":"x","Resources":[]}"#).unwrap_err();
        assert_eq!(
            (e.code.as_str(), pointer(&e)),
            ("invalid-template", Some("/Resources"))
        );
    }

    #[test]
    fn kubernetes_json_list_items_are_resources() {
        let list = r#"{"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "ns"}, "data": {"k": "v w"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "", "generateName": "gen-"}},
            {"apiVersion": "v1", "kind": "Secret", "metadata": {"namespace": ""}},
            {"kind": "NoApi"},
            5]}"#;
        let p = parse(list).unwrap();
        assert_eq!(p.format, Format::Kubernetes);
        let rs = resources(&p);
        let addresses: Vec<_> = rs.iter().map(|r| r.address.as_str()).collect();
        assert_eq!(addresses, ["ConfigMap/ns/a", "ConfigMap/gen-", "Secret/#1"]);
        assert_eq!(rs[0].namespace.as_deref(), Some("ns"));
        assert_eq!(rs[2].namespace, None);
        assert_eq!(
            rs[0].attributes.json(),
            r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"ns"},"data":{"k":"v w"}}"#
        );
        assert_eq!(
            codes(&p),
            [
                "missing-name",
                "not-a-kubernetes-object",
                "not-a-kubernetes-object"
            ]
        );
        // a list whose items are not an array is itself the resource
        let p = parse(r#"{"apiVersion":"v1","kind":"PodList","items":{},"metadata":{"name":"x"}}"#)
            .unwrap();
        assert_eq!(resources(&p)[0].address, "PodList/x");
    }

    #[test]
    fn kubernetes_json_root_that_is_not_an_object_is_skipped() {
        let options = ParseOptions::default();
        for text in ["[1, 2]", r#"{"kind": "Pod"}"#] {
            let doc = Document::load("t.json", text, None).unwrap();
            let mut cx = ParseContext::new("t.json", &options);
            let report = crate::iac::parse(Format::Kubernetes, &doc, &mut cx).unwrap();
            assert!(report.resources.is_empty());
            assert_eq!(cx.warnings[0].code, "not-a-kubernetes-object");
        }
    }
}
