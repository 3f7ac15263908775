//! Reading the JSON IaC documents (Terraform plans, JSON CloudFormation
//! templates and Kubernetes manifests) straight from their text, without a
//! `serde_json::Value` of the document: the fields a parser needs are read
//! into small lenient types, a resource's attributes are its JSON text
//! (minified when the document is pretty-printed), and big arrays are
//! walked one element at a time ([`each`]).
//!
//! The lenient types mirror what the Value-based parsers did: a field of the
//! wrong type reads as absent ([`Str`], [`Obj`]), never as a schema error.

use crate::{
    Attributes, IacReport, IacResource, Location, ParseContext, ParseError, Position,
    document::json_error,
};
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A key or string as read: borrowed from the text unless it has escapes.
fn cow_str<'de, D: Deserializer<'de>>(d: D) -> Result<Cow<'de, str>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }
        fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }
    }
    d.deserialize_str(V)
}

/// An object key.
pub(crate) struct Key<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Key<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        cow_str(d).map(Key)
    }
}

/// Drains a sequence or map the caller has no use for.
fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Implements the scalar visits of a lenient visitor: any of them is
/// "not what was wanted", `$none`.
macro_rules! other_scalars {
    ($none:expr) => {
        fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
            Ok($none)
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok($none)
        }
    };
}

/// A string field; any other JSON type (or no field: `#[serde(default)]`)
/// is `None`.
#[derive(Default)]
pub(crate) struct Str<'a>(pub Option<Cow<'a, str>>);

impl<'a> Str<'a> {
    pub fn as_deref(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Some(Cow::Owned(v.to_owned()))))
            }
            other_scalars!(Str(None));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Str(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                drain_map(map).map(|()| Str(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// An object read as `T`; any other JSON type is `None`.
pub(crate) struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            other_scalars!(Obj(None));
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                drain_seq(seq).map(|()| Obj(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A field that may be absent (`#[serde(default)]`), `null`, or a value
/// (`Option<&RawValue>` cannot tell the first two apart).
#[derive(Default, Clone, Copy)]
pub(crate) enum Slot<'a> {
    #[default]
    Absent,
    Null,
    Value(&'a RawValue),
}

impl<'a> Slot<'a> {
    /// The value, unless absent or null.
    pub fn value(self) -> Option<&'a RawValue> {
        match self {
            Slot::Value(v) => Some(v),
            Slot::Absent | Slot::Null => None,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Slot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = <&RawValue>::deserialize(d)?;
        Ok(if raw.get() == "null" {
            Slot::Null
        } else {
            Slot::Value(raw)
        })
    }
}

/// The JSON type a raw value has, from its first byte.
pub(crate) fn is_object(raw: &RawValue) -> bool {
    raw.get().starts_with('{')
}

pub(crate) fn is_array(raw: &RawValue) -> bool {
    raw.get().starts_with('[')
}

/// The first non-blank character of a document.
pub(crate) fn starts_object(text: &str) -> bool {
    text.trim_start().starts_with('{')
}

/// An object's entries in document order (keys are unique: duplicate keys
/// were refused when the document was loaded).
pub(crate) struct Entries<'a>(pub Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for Entries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(32);
                while let Some(Key(k)) = map.next_key()? {
                    out.push((k, map.next_value::<&RawValue>()?));
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Reads `raw` (from an already-checked document) as `T`; a failure can only
/// be a bug, reported as an `invalid-json` error.
pub(crate) fn read<'a, T: Deserialize<'a>>(
    text: &'a str,
    cx: &ParseContext<'_>,
) -> Result<T, ParseError> {
    serde_json::from_str(text).map_err(|e| json_error(cx.name, &e))
}

/// Calls `f` with each element of the array `raw` and its index, reading
/// one element at a time (the array is never held as a whole). Stops at the
/// first error `f` returns.
pub(crate) fn each<'a, T, F>(
    raw: &'a RawValue,
    cx: &mut ParseContext<'_>,
    mut f: F,
) -> Result<(), ParseError>
where
    T: Deserialize<'a>,
    F: FnMut(usize, T, &mut ParseContext<'_>) -> Result<(), ParseError>,
{
    struct Seq<'s, 'c, 'x, F, T> {
        f: &'s mut F,
        cx: &'c mut ParseContext<'x>,
        failed: &'s mut Option<ParseError>,
        item: std::marker::PhantomData<T>,
    }
    impl<'de, F, T> Visitor<'de> for Seq<'_, '_, '_, F, T>
    where
        T: Deserialize<'de>,
        F: FnMut(usize, T, &mut ParseContext<'_>) -> Result<(), ParseError>,
    {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
            stream(seq, self.cx, self.failed, self.f)
        }
    }
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_str(raw.get());
    let name = cx.name;
    let result = de.deserialize_seq(Seq {
        f: &mut f,
        cx,
        failed: &mut failed,
        item: std::marker::PhantomData,
    });
    settle(name, failed, result)
}

/// The loop of [`each`], for a visitor that is already in the array: `f`'s
/// error is kept in `failed` and stops the reading with a placeholder serde
/// error (see [`settle`]).
pub(crate) fn stream<'de, A, T, F>(
    mut seq: A,
    cx: &mut ParseContext<'_>,
    failed: &mut Option<ParseError>,
    f: &mut F,
) -> Result<(), A::Error>
where
    A: SeqAccess<'de>,
    T: Deserialize<'de>,
    F: FnMut(usize, T, &mut ParseContext<'_>) -> Result<(), ParseError>,
{
    let mut i = 0usize;
    while let Some(item) = seq.next_element::<T>()? {
        if let Err(e) = f(i, item, cx) {
            *failed = Some(e);
            return Err(de::Error::custom("stopped"));
        }
        i = i.saturating_add(1);
    }
    Ok(())
}

/// The outcome of a read that may have been stopped by [`stream`].
pub(crate) fn settle<T>(
    name: &str,
    failed: Option<ParseError>,
    result: Result<T, serde_json::Error>,
) -> Result<T, ParseError> {
    match (failed, result) {
        (Some(e), _) => Err(e),
        (None, Err(e)) => Err(json_error(name, &e)),
        (None, Ok(v)) => Ok(v),
    }
}

fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\r' | b'\t')
}

/// Whether JSON text has no whitespace outside its strings.
pub(crate) fn is_compact(json: &str) -> bool {
    let mut in_string = false;
    let mut escaped = false;
    for b in json.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_blank(b) {
            return false;
        }
    }
    true
}

/// JSON text without the whitespace outside its strings.
pub(crate) fn minify(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    let mut start = 0;
    for (i, b) in json.bytes().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if b == b'"' {
            in_string = true;
        } else if is_blank(b) {
            // whitespace is ASCII: `start..i` are char boundaries
            out.push_str(json.get(start..i).unwrap_or_default());
            start = i.saturating_add(1);
        }
    }
    out.push_str(json.get(start..).unwrap_or_default());
    out
}

/// A raw value serialized compactly (as is when the text already is).
pub(crate) struct Compact<'a>(pub &'a RawValue);

impl serde::Serialize for Compact<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if is_compact(self.0.get()) {
            return self.0.serialize(s);
        }
        RawValue::from_string(minify(self.0.get()))
            .map_err(serde::ser::Error::custom)?
            .serialize(s)
    }
}

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
        .map_err(|e| cx.error("invalid-json", None, format!("attributes: {e}")))
}

// ---------------------------------------------------------------- cloudformation

#[derive(serde::Deserialize)]
struct Template<'a> {
    #[serde(rename = "Resources", default, borrow)]
    resources: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
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
    let Obj(Some(template)) = read::<Obj<Template<'_>>>(text, cx)? else {
        return Err(cx.error(
            "invalid-template",
            Some(Position::Pointer(String::new())),
            "a cloudformation template must be a mapping",
        ));
    };
    let Some(entries) = template.resources.filter(|r| is_object(r)) else {
        return Err(cx.error(
            "invalid-template",
            Some(Position::Pointer("/Resources".into())),
            "the template has no `Resources` mapping",
        ));
    };
    let Entries(mut entries) = read::<Entries<'_>>(entries.get(), cx)?;
    // By logical id, as the Value-based parser listed them (keys are unique).
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut resources = Vec::with_capacity(entries.len());
    for (id, entry) in entries {
        if id.starts_with("Fn::ForEach::") {
            cx.warn(
                "unsupported-construct",
                format!("`{id}` (Fn::ForEach) is not expanded; its resources are not listed"),
            );
            continue;
        }
        let fields = read::<Obj<TemplateResource<'_>>>(entry.get(), cx)?;
        let Some(resource_type) = fields.0.and_then(|f| f.resource_type.0) else {
            return Err(cx.error(
                "invalid-template",
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

#[derive(serde::Deserialize)]
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

#[derive(serde::Deserialize)]
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
    let Obj(Some(root)) = read::<Obj<Manifest<'_>>>(text, cx)? else {
        cx.warn(
            "not-a-kubernetes-object",
            "document is not a mapping and was skipped",
        );
        return Ok(IacReport::default());
    };
    let (Some(_), Some(kind)) = (root.api_version.as_deref(), root.kind.as_deref()) else {
        cx.warn(
            "not-a-kubernetes-object",
            "document has no `apiVersion`/`kind` and was skipped",
        );
        return Ok(IacReport::default());
    };
    let mut resources = Vec::new();
    if let Some(items) = root.items.filter(|i| kind.ends_with("List") && is_array(i)) {
        each::<&RawValue, _>(items, cx, |i, item, cx| {
            let fields = read::<Obj<Manifest<'_>>>(item.get(), cx)?;
            match fields.0 {
                Some(m) if m.api_version.0.is_some() && m.kind.0.is_some() => {
                    resources.push(manifest_resource(m, item, cx)?);
                }
                _ => cx.warn(
                    "not-a-kubernetes-object",
                    format!("item {i} of the list has no `apiVersion`/`kind` and was skipped"),
                ),
            }
            Ok(())
        })?;
        return Ok(IacReport { resources });
    }
    let raw = read::<&RawValue>(text, cx)?;
    resources.push(manifest_resource(root, raw, cx)?);
    Ok(IacReport { resources })
}

fn manifest_resource(
    m: Manifest<'_>,
    raw: &RawValue,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let kind = m.kind.0.unwrap_or_default().into_owned();
    let meta = m.metadata.0;
    let name = meta.as_ref().and_then(|m| {
        m.name
            .as_deref()
            .filter(|s| !s.is_empty())
            .or(m.generate_name.as_deref())
            .map(str::to_owned)
    });
    let namespace = meta
        .as_ref()
        .and_then(|m| m.namespace.as_deref())
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
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
                "missing-name",
                format!("a {kind} in document 1 has no metadata.name"),
            );
            (String::new(), format!("{kind}/#1"))
        }
    };
    Ok(IacResource {
        address,
        resource_type: kind,
        provider: m.api_version.0.unwrap_or_default().into_owned(),
        name,
        namespace,
        action: None,
        attributes: attributes(Some(raw), cx)?,
        location: Some(Location::new(cx.name, None)),
    })
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
    fn minify_keeps_strings_and_drops_blanks() {
        let pretty = "{\n  \"a b\": [ 1, \"x \\\" y\" ],\n\t\"c\" : { }\r\n}";
        assert!(!super::is_compact(pretty));
        let compact = super::minify(pretty);
        assert_eq!(compact, r#"{"a b":[1,"x \" y"],"c":{}}"#);
        assert!(super::is_compact(&compact));
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
                (e.code, pointer(&e)),
                ("invalid-plan", Some(at)),
                "{changes}"
            );
        }
        // a key given twice inside the attributes: refused when loaded
        let e = parse(&format!(
            r#"{head}[{{"address":"a.b","type":"a","change":{{"actions":["create"],"after":{{"k":1,"k":2}}}}}}]}}"#
        ))
        .unwrap_err();
        assert_eq!(e.code, "invalid-json");
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
            (e.code, pointer(&e)),
            ("invalid-template", Some("/Resources/a~1b~0c"))
        );
        let e = parse(r#"{"AWSTemplateFormatVersion":"x","Resources":[]}"#).unwrap_err();
        assert_eq!(
            (e.code, pointer(&e)),
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
