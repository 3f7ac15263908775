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
//! - Attributes: `change.after` (for delete: `change.before`), kept as its
//!   JSON text (minified, keys in document order). Values unknown at plan
//!   time (`change.after_unknown` leaves that are `true`) are filled in as
//!   the string `"(known after apply)"`, but only where `after` lacks the
//!   key or has `null` there: a known value is never overwritten. An
//!   `after_unknown` without a `true` leaf leaves `after` as it is.
//! - Provider: the last segment of `provider_name`
//!   (`registry.terraform.io/hashicorp/aws` → `aws`).
//! - No location: plans have no lines; the address is the locator.

use super::json_docs::attributes;
use crate::error::{ParseCode, WarningCode};
use crate::json::{self, Arr, Obj, Slot, Str, checked, each_raw, is_array};
use crate::{Document, IacReport, IacResource, ParseContext, ParseError, PlannedAction, Position};
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// The placeholder for values unknown until apply.
pub const UNKNOWN: &str = "(known after apply)";

// The plan is read straight from its text, never as a whole `Value`:
// `resource_changes` is turned into resources one change at a time while
// the root is read; a resource's attributes are its `after` (or `before`)
// text, merged with `after_unknown` (as it is written out, see [`Merge`])
// only when that has a `true` leaf.

/// The root members the parser reads; `resource_changes` is turned into
/// resources while the root is read.
#[derive(Default)]
struct Plan<'a> {
    changes: Changes,
    planned_values: Slot<&'a RawValue>,
    values: Slot<&'a RawValue>,
}

/// What `resource_changes` was.
#[derive(Default, PartialEq)]
enum Changes {
    #[default]
    Absent,
    Null,
    /// An array, whose changes were read.
    Read,
    Other,
}

/// Reads the root object, streaming `resource_changes` into `resources`.
struct PlanReader<'s, 'c, 'x> {
    resources: &'s mut Vec<IacResource>,
    cx: &'c mut ParseContext<'x>,
    failed: &'s mut Option<ParseError>,
}

impl<'de> Visitor<'de> for PlanReader<'_, '_, '_> {
    type Value = Plan<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut plan = Plan::default();
        while let Some(json::Key(key)) = map.next_key()? {
            match key.as_ref() {
                "resource_changes" => {
                    plan.changes = map.next_value_seed(ChangesReader {
                        resources: &mut *self.resources,
                        cx: &mut *self.cx,
                        failed: &mut *self.failed,
                    })?;
                }
                "planned_values" => plan.planned_values = map.next_value()?,
                "values" => plan.values = map.next_value()?,
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        Ok(plan)
    }
}

struct ChangesReader<'s, 'c, 'x> {
    resources: &'s mut Vec<IacResource>,
    cx: &'c mut ParseContext<'x>,
    failed: &'s mut Option<ParseError>,
}

impl<'de> de::DeserializeSeed<'de> for ChangesReader<'_, '_, '_> {
    type Value = Changes;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Changes, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ChangesReader<'_, '_, '_> {
    type Value = Changes;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Changes, A::Error> {
        let resources = self.resources;
        json::stream(seq, self.cx, self.failed, &mut |i,
                                                      rc: Obj<
            ResourceChange<'de>,
        >,
                                                      cx: &mut ParseContext<
            '_,
        >| {
            resources.push(resource_change(rc, i, cx)?);
            Ok(())
        })?;
        Ok(Changes::Read)
    }
    fn visit_unit<E>(self) -> Result<Changes, E> {
        Ok(Changes::Null)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Changes, A::Error> {
        while map
            .next_entry::<de::IgnoredAny, de::IgnoredAny>()?
            .is_some()
        {}
        Ok(Changes::Other)
    }
    fn visit_str<E>(self, _: &str) -> Result<Changes, E> {
        Ok(Changes::Other)
    }
    fn visit_bool<E>(self, _: bool) -> Result<Changes, E> {
        Ok(Changes::Other)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Changes, E> {
        Ok(Changes::Other)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Changes, E> {
        Ok(Changes::Other)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Changes, E> {
        Ok(Changes::Other)
    }
}

#[derive(serde::Deserialize, Default)]
struct ResourceChange<'a> {
    #[serde(default, borrow)]
    address: Str<'a>,
    #[serde(rename = "type", default, borrow)]
    resource_type: Str<'a>,
    #[serde(default, borrow)]
    name: Str<'a>,
    #[serde(default, borrow)]
    provider_name: Str<'a>,
    #[serde(default, borrow)]
    mode: Str<'a>,
    #[serde(default, borrow)]
    change: Obj<Change<'a>>,
}

#[derive(serde::Deserialize, Default)]
struct Change<'a> {
    #[serde(default, borrow)]
    /// The strings of an array (other items are left out).
    actions: Arr<Str<'a>>,
    #[serde(default, borrow)]
    before: Option<&'a RawValue>,
    #[serde(default, borrow)]
    after: Option<&'a RawValue>,
    #[serde(default, borrow)]
    after_unknown: Option<&'a RawValue>,
}

#[derive(serde::Deserialize, Default)]
struct PlannedValues<'a> {
    #[serde(default, borrow)]
    root_module: Slot<&'a RawValue>,
}

#[derive(serde::Deserialize, Default)]
struct Module<'a> {
    #[serde(default, borrow)]
    resources: Option<&'a RawValue>,
    #[serde(default, borrow)]
    child_modules: Option<&'a RawValue>,
}

#[derive(serde::Deserialize, Default)]
struct PlannedResource<'a> {
    #[serde(default, borrow)]
    address: Str<'a>,
    #[serde(rename = "type", default, borrow)]
    resource_type: Str<'a>,
    #[serde(default, borrow)]
    name: Str<'a>,
    #[serde(default, borrow)]
    provider_name: Str<'a>,
    #[serde(default, borrow)]
    mode: Str<'a>,
    #[serde(default, borrow)]
    values: Option<&'a RawValue>,
}

pub fn parse(doc: &Document<'_>, cx: &mut ParseContext<'_>) -> Result<IacReport, ParseError> {
    let Some(text) = doc
        .as_json()
        .map(|j| j.text())
        .filter(|t| json::starts_object(t))
    else {
        return Err(cx.error(
            ParseCode::InvalidPlan,
            None,
            "a terraform plan must be a json object (use `terraform show -json`)",
        ));
    };
    let mut resources = Vec::new();
    let mut failed = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let read_plan = de.deserialize_map(PlanReader {
        resources: &mut resources,
        cx,
        failed: &mut failed,
    });
    let plan = json::finish(cx.name, read_plan, failed)?;
    match plan.changes {
        Changes::Read => {}
        Changes::Other => {
            return Err(cx.error(
                ParseCode::InvalidPlan,
                Some(Position::Pointer("/resource_changes".into())),
                "`resource_changes` must be an array",
            ));
        }
        Changes::Null | Changes::Absent => match plan.planned_values {
            Slot::Absent => {
                let what = if matches!(plan.values, Slot::Absent) {
                    "the plan has neither `resource_changes` nor `planned_values`"
                } else {
                    "this looks like terraform state (it has `values`), not a plan"
                };
                return Err(cx.error(
                    ParseCode::InvalidPlan,
                    Some(Position::Pointer(String::new())),
                    what,
                ));
            }
            Slot::Here(pv) if json::is_null(pv) => {}
            Slot::Here(pv) => {
                let root = checked::<Obj<PlannedValues<'_>>>(cx.name, pv.get())?
                    .into_inner()
                    .and_then(|p| p.root_module.value());
                if let Some(module) = root {
                    planned_module(module, "/planned_values/root_module", &mut resources, cx)?;
                }
            }
        },
    }
    Ok(IacReport { resources })
}

/// A required string; `at` (the object's pointer) is only built for the
/// error.
fn str_field(
    value: Str<'_>,
    key: &str,
    at: impl FnOnce() -> String,
    cx: &ParseContext<'_>,
) -> Result<String, ParseError> {
    value.0.map(Cow::into_owned).ok_or_else(|| {
        cx.error(
            ParseCode::InvalidPlan,
            Some(Position::Pointer(format!("{}/{key}", at()))),
            format!("missing string `{key}`"),
        )
    })
}

/// What a resource change and a planned resource both say of their
/// resource, read the same way for both.
struct Head {
    address: String,
    resource_type: String,
    provider: String,
    name: String,
    /// `mode: data`: a data source, only ever read.
    data: bool,
}

impl Head {
    /// `address` and `type` are required (an error at `at()`).
    fn read(
        fields: [Str<'_>; 5],
        at: impl Fn() -> String,
        cx: &ParseContext<'_>,
    ) -> Result<Head, ParseError> {
        let [address, resource_type, name, provider_name, mode] = fields;
        Ok(Head {
            address: str_field(address, "address", &at, cx)?,
            resource_type: str_field(resource_type, "type", &at, cx)?,
            provider: provider_name
                .as_deref()
                .map(short_provider)
                .unwrap_or_default(),
            name: name.0.map(Cow::into_owned).unwrap_or_default(),
            data: mode.as_deref() == Some("data"),
        })
    }

    fn resource(self, action: Option<PlannedAction>, attributes: crate::Attributes) -> IacResource {
        IacResource {
            address: self.address,
            resource_type: self.resource_type,
            provider: self.provider,
            name: self.name,
            namespace: None,
            action,
            attributes,
            location: None,
        }
    }
}

/// `registry.terraform.io/hashicorp/aws` → `aws`; `provider.aws` → `aws`.
pub fn short_provider(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    let last = last.strip_prefix("provider.").unwrap_or(last);
    // `provider["registry.terraform.io/hashicorp/aws"]` forms
    last.trim_matches(|c| c == '"' || c == ']').to_string()
}

fn resource_change(
    rc: Obj<ResourceChange<'_>>,
    i: usize,
    cx: &mut ParseContext<'_>,
) -> Result<IacResource, ParseError> {
    let at = || format!("/resource_changes/{i}");
    let Some(rc) = rc.into_inner() else {
        return Err(cx.error(
            ParseCode::InvalidPlan,
            Some(Position::Pointer(at())),
            "a resource change must be an object",
        ));
    };
    let head = Head::read(
        [
            rc.address,
            rc.resource_type,
            rc.name,
            rc.provider_name,
            rc.mode,
        ],
        at,
        cx,
    )?;
    let (address, data) = (&head.address, head.data);
    let Some(change) = rc.change.into_inner() else {
        return Err(cx.error(
            ParseCode::InvalidPlan,
            Some(Position::Pointer(format!("{}/change", at()))),
            "missing object `change`",
        ));
    };
    if !change.actions.is_array {
        return Err(cx.error(
            ParseCode::InvalidPlan,
            Some(Position::Pointer(format!("{}/change/actions", at()))),
            "missing array `change.actions`",
        ));
    }
    let actions: Vec<Cow<'_, str>> = change
        .actions
        .items
        .into_iter()
        .filter_map(|s| s.0)
        .collect();
    let nth = |n: usize| actions.get(n).map(AsRef::as_ref);
    let action = match (nth(0), nth(1), nth(2)) {
        _ if data => Some(PlannedAction::Read),
        (Some("create"), None, _) => Some(PlannedAction::Create),
        (Some("update"), None, _) => Some(PlannedAction::Update),
        (Some("delete"), None, _) => Some(PlannedAction::Delete),
        (Some("delete"), Some("create"), None) | (Some("create"), Some("delete"), None) => {
            Some(PlannedAction::Replace)
        }
        (Some("read"), None, _) => Some(PlannedAction::Read),
        (Some("no-op"), None, _) => Some(PlannedAction::NoOp),
        _ => {
            cx.warn(
                WarningCode::UnknownAction,
                format!(
                    "{address}: unknown plan action `{}`; the action is left empty",
                    actions.join(",")
                ),
            );
            None
        }
    };
    let attributes = if action == Some(PlannedAction::Delete) {
        attributes(change.before, cx)?
    } else {
        after_attributes(change.after, change.after_unknown, cx)?
    };
    Ok(head.resource(action, attributes))
}

/// `after` with [`UNKNOWN`] filled in where `after_unknown` says a value is
/// unknown and `after` has none (missing or null); `{}` for nothing.
fn after_attributes(
    after: Option<&RawValue>,
    unknown: Option<&RawValue>,
    cx: &ParseContext<'_>,
) -> Result<crate::Attributes, ParseError> {
    // Without a `true` leaf there is nothing to fill in: the text is kept.
    let Some(unknown) = unknown.filter(|u| has_true(u.get())) else {
        return attributes(after, cx);
    };
    let unknown = checked::<Unknown<'_>>(cx.name, unknown.get())?;
    let after = after.and_then(non_null);
    if after.is_none() && !unknown.fills_null() {
        return attributes(None, cx);
    }
    let mut out = String::with_capacity(after.map_or(64, |a| a.get().len()));
    // The text was checked when loaded: it always splits.
    merge_into(&mut out, after.map(RawValue::get), &unknown)
        .ok_or_else(|| cx.error(ParseCode::InvalidJson, None, "attributes: not json"))?;
    RawValue::from_string(out)
        .map(crate::Attributes::from_raw)
        .map_err(|e| cx.error(ParseCode::InvalidJson, None, format!("attributes: {e}")))
}

fn non_null(raw: &RawValue) -> Option<&RawValue> {
    (raw.get() != "null").then_some(raw)
}

/// A value's text, unless it is `null`.
fn text_non_null(text: &str) -> Option<&str> {
    (text != "null").then_some(text)
}

/// Whether JSON text has a `true` outside its strings (the only token
/// outside strings that starts with `t`).
fn has_true(json: &str) -> bool {
    crate::json::has_outside_strings(json, b't')
}

/// `after_unknown` as a tree, keeping only what can change a value: object
/// entries that are not `false` (sorted by key for lookups), array items
/// that fill in something (with their index; the array's length is kept
/// for padding). A list of many known values (`[false, false, ...]`) thus
/// costs nothing.
#[derive(Debug)]
enum Unknown<'a> {
    True,
    False,
    /// Any other scalar (unknown-marking is by booleans only).
    Other,
    Object(Vec<(Cow<'a, str>, Unknown<'a>)>),
    Array {
        len: usize,
        items: Vec<(usize, Unknown<'a>)>,
    },
}

impl<'a> Unknown<'a> {
    fn has_true(&self) -> bool {
        match self {
            Unknown::True => true,
            Unknown::Object(m) => m.iter().any(|(_, v)| v.has_true()),
            Unknown::Array { items, .. } => items.iter().any(|(_, v)| v.has_true()),
            Unknown::False | Unknown::Other => false,
        }
    }

    /// Whether merging this into a missing or null value gives a value.
    /// Also: whether it changes anything at all (an object of only `false`
    /// or an array without a `true` leaf leaves a value as it is).
    fn fills_null(&self) -> bool {
        match self {
            Unknown::True => true,
            // `false` entries were left out
            Unknown::Object(m) => !m.is_empty(),
            Unknown::Array { items, .. } => items.iter().any(|(_, v)| v.has_true()),
            Unknown::False | Unknown::Other => false,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Unknown<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Unknown<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(if v { Unknown::True } else { Unknown::False })
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Unknown::Other)
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Unknown::Other)
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Unknown::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Unknown::Other)
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Unknown::Other)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut len = 0usize;
                let mut items = Vec::new();
                while let Some(v) = seq.next_element::<Unknown<'de>>()? {
                    // An item that fills nothing in leaves its slot as it is.
                    if v.fills_null() {
                        items.push((len, v));
                    }
                    len = len.saturating_add(1);
                }
                Ok(Unknown::Array { len, items })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(8);
                while let Some(json::Key(k)) = map.next_key()? {
                    let v = map.next_value::<Unknown<'de>>()?;
                    // the merge skips `false` entries
                    if !matches!(v, Unknown::False) {
                        out.push((k, v));
                    }
                }
                // keys are unique (duplicates were refused at load)
                out.sort_unstable_by(|a: &(Cow<'_, str>, _), b| a.0.cmp(&b.0));
                Ok(Unknown::Object(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// `after` (`None`: missing or null) merged with `unknown`, written as
/// compact JSON text onto `out` (what serializing the merged value gives,
/// without building it). The rules (those of the original Value-based
/// merge):
/// - `true` over a missing/null value gives [`UNKNOWN`]; a value is kept;
/// - an object whose entries are all `false`, or an array without a `true`
///   leaf, leaves the value as it is;
/// - otherwise a missing/null value becomes `{}`/`[]`; in an object, each
///   entry not `false` is merged into the value's entry, which is dropped
///   if it stays null; in an array, the value is padded with nulls to the
///   length of `unknown` and merged item by item;
/// - anything else leaves the value as it is.
fn merge_into(out: &mut String, after: Option<&str>, unknown: &Unknown<'_>) -> Option<()> {
    let keep = |out: &mut String| match after {
        Some(after) => json::minify_into(out, after),
        None => out.push_str("null"),
    };
    if !unknown.fills_null() {
        keep(out);
        return Some(());
    }
    match (unknown, after) {
        (Unknown::True, None) => json::quote_into(out, &Cow::Borrowed(UNKNOWN)),
        (Unknown::Object(m), None) => {
            let mut sep = Sep::new(out, '{');
            for (k, u) in m.iter().filter(|(_, u)| u.fills_null()) {
                let out = sep.next_key(k);
                merge_into(out, None, u)?;
            }
            sep.end('}');
        }
        (Unknown::Object(m), Some(after)) if after.starts_with('{') => {
            let entries = json::members(after)?;
            let mut merged = vec![false; m.len()];
            let mut sep = Sep::new(out, '{');
            for (k, v) in &entries {
                let k = k.as_ref()?;
                let found = m.binary_search_by(|(mk, _)| mk.as_ref().cmp(k.as_ref()));
                let unknown = found.ok().and_then(|at| {
                    *merged.get_mut(at)? = true;
                    m.get(at).map(|(_, u)| u)
                });
                match (unknown, text_non_null(v)) {
                    (None, _) => json::minify_into(sep.next_key(k), v),
                    // a null that nothing fills in is dropped
                    (Some(u), None) if !u.fills_null() => {}
                    (Some(u), after) => merge_into(sep.next_key(k), after, u)?,
                }
            }
            for ((k, u), _) in m
                .iter()
                .zip(&merged)
                .filter(|((_, u), done)| !**done && u.fills_null())
            {
                merge_into(sep.next_key(k), None, u)?;
            }
            sep.end('}');
        }
        (Unknown::Array { len, items: u }, None) => {
            let mut sep = Sep::new(out, '[');
            let mut u = u.iter().peekable();
            for i in 0..*len {
                let out = sep.next();
                match u.next_if(|(at, _)| *at == i) {
                    Some((_, u)) => merge_into(out, None, u)?,
                    None => out.push_str("null"),
                }
            }
            sep.end(']');
        }
        (Unknown::Array { len, items: u }, Some(after)) if after.starts_with('[') => {
            let items = json::members(after)?;
            let total = items.len().max(*len);
            let mut sep = Sep::new(out, '[');
            let mut u = u.iter().peekable();
            for i in 0..total {
                let item = items.get(i).map(|(_, v)| *v);
                let out = sep.next();
                match (u.next_if(|(at, _)| *at == i), item) {
                    (Some((_, u)), item) => merge_into(out, item.and_then(text_non_null), u)?,
                    (None, Some(item)) => json::minify_into(out, item),
                    // padding up to the length of `after_unknown`
                    (None, None) => out.push_str("null"),
                }
            }
            sep.end(']');
        }
        _ => keep(out),
    }
    Some(())
}

/// Writes an object's or array's separators: the opening bracket, then a
/// comma before every member but the first.
struct Sep<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> Sep<'o> {
    fn new(out: &'o mut String, open: char) -> Self {
        out.push(open);
        Sep { out, first: true }
    }

    /// Where the next array item goes.
    fn next(&mut self) -> &mut String {
        if !std::mem::take(&mut self.first) {
            self.out.push(',');
        }
        self.out
    }

    /// Where the value of the next object member goes, after its key.
    // Whether the key is borrowed from the text matters (see `quote_into`).
    #[allow(clippy::ptr_arg)]
    fn next_key(&mut self, key: &Cow<'_, str>) -> &mut String {
        let out = self.next();
        json::quote_into(out, key);
        out.push(':');
        out
    }

    fn end(self, close: char) {
        self.out.push(close);
    }
}

fn planned_module(
    module: &RawValue,
    at: &str,
    out: &mut Vec<IacResource>,
    cx: &mut ParseContext<'_>,
) -> Result<(), ParseError> {
    let Some(module) = checked::<Obj<Module<'_>>>(cx.name, module.get())?.into_inner() else {
        return Ok(());
    };
    if let Some(resources) = module.resources.filter(|r| is_array(r)) {
        each_raw::<Obj<PlannedResource<'_>>, _>(resources, cx, |i, r, cx| {
            let rat = || format!("{at}/resources/{i}");
            let Some(r) = r.into_inner() else {
                return Err(cx.error(
                    ParseCode::InvalidPlan,
                    Some(Position::Pointer(format!("{}/address", rat()))),
                    "missing string `address`",
                ));
            };
            let head = Head::read(
                [r.address, r.resource_type, r.name, r.provider_name, r.mode],
                rat,
                cx,
            )?;
            let action = head.data.then_some(PlannedAction::Read);
            out.push(head.resource(action, attributes(r.values, cx)?));
            Ok(())
        })?;
    }
    if let Some(children) = module.child_modules.filter(|c| is_array(c)) {
        let children = checked::<Vec<&RawValue>>(cx.name, children.get())?;
        for (i, child) in children.into_iter().enumerate() {
            planned_module(child, &format!("{at}/child_modules/{i}"), out, cx)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, Value, json};

    /// The Value-based merge this parser used to run on every resource: the
    /// reference [`Merge`] must agree with.
    fn merge_reference(after: &mut Value, unknown: &Value) {
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
                        merge_reference(slot, uv);
                        if slot.is_null() {
                            a.remove(k);
                        }
                    }
                }
            }
            Value::Array(u) => {
                if !u.iter().any(reference_has_unknown) {
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
                        merge_reference(&mut a[i], uv);
                    }
                }
            }
            _ => {}
        }
    }

    fn reference_has_unknown(v: &Value) -> bool {
        match v {
            Value::Bool(b) => *b,
            Value::Array(a) => a.iter().any(reference_has_unknown),
            Value::Object(o) => o.values().any(reference_has_unknown),
            _ => false,
        }
    }

    /// The attributes of a create with this `after` and `after_unknown`.
    fn merged(after: &Value, unknown: &Value) -> Value {
        let options = crate::ParseOptions::default();
        let cx = ParseContext::new("plan.json", &options);
        let after = serde_json::to_string_pretty(after).unwrap();
        let unknown = serde_json::to_string(unknown).unwrap();
        let after: &RawValue = serde_json::from_str(&after).unwrap();
        let unknown: &RawValue = serde_json::from_str(&unknown).unwrap();
        let attributes = after_attributes(Some(after), Some(unknown), &cx).unwrap();
        assert!(json::is_compact(attributes.json()), "{}", attributes.json());
        attributes.value()
    }

    #[test]
    fn unknown_values_fill_only_missing_keys() {
        let after = json!({"a": 1, "b": null, "list": [{"x": 1}]});
        let unknown = json!({"a": true, "b": true, "c": true, "d": false, "list": [{"y": true}], "e": [true]});
        assert_eq!(
            merged(&after, &unknown),
            json!({"a": 1, "b": UNKNOWN, "c": UNKNOWN, "list": [{"x": 1, "y": UNKNOWN}], "e": [UNKNOWN]})
        );
    }

    #[test]
    fn merge_agrees_with_the_value_merge() {
        let afters = [
            json!(null),
            json!({}),
            json!([]),
            json!("s"),
            json!({"a": 1, "b": null, "c": {"d": null, "e": [1, null]}, "l": [null, {"x": "a b"}], "n": null}),
            json!({"a": {"b": {}}, "l": [1], "k\"ey": " spaced \" string "}),
            json!([null, {"a": null}, [1, 2]]),
        ];
        let unknowns = [
            json!(true),
            json!(false),
            json!({}),
            json!({"a": true}),
            json!({"a": false, "b": {}, "n": [], "z": true}),
            json!({"b": 3, "n": "x", "t": true}),
            json!({"c": {"d": true, "e": [false, true, true]}, "l": [false, {"y": true}, true]}),
            json!({"a": {"b": {"c": true}}, "new": {"q": {}}, "k\"ey": true}),
            json!({"new": {"q": {"r": false}, "s": true}, "l": [true, false, false]}),
            json!([true, {"a": true, "b": {}}, [false, false, true]]),
            json!([false, {"a": {}}]),
            json!({"c": {"d": {}, "e": []}, "n": {"x": 1}, "q": true}),
            json!([{"a": false}, {"b": {}}, [false], true]),
            json!({"l": [false, {"x": {}}, false, {"y": true}], "c": {"e": [false]}, "t": true}),
        ];
        for after in &afters {
            for unknown in &unknowns {
                let mut want = after.clone();
                merge_reference(&mut want, unknown);
                if want.is_null() {
                    want = json!({});
                }
                // Only `after_unknown` with a `true` leaf is merged; without
                // one the `after` text is kept (terraform writes no entry
                // for a null or false, so then nothing could change).
                if !reference_has_unknown(unknown) {
                    want = if after.is_null() {
                        json!({})
                    } else {
                        after.clone()
                    };
                }
                assert_eq!(
                    merged(after, unknown),
                    want,
                    "after {after} unknown {unknown}"
                );
            }
        }
    }

    #[test]
    fn true_is_found_outside_strings_only() {
        assert!(has_true(r#"{"a":true}"#));
        assert!(has_true(r#"[false, true]"#));
        assert!(!has_true(r#"{"true":false,"t\"true":[false]}"#));
        assert!(!has_true(r#"{}"#));
    }

    #[test]
    fn provider_short_names() {
        assert_eq!(short_provider("registry.terraform.io/hashicorp/aws"), "aws");
        assert_eq!(short_provider("aws"), "aws");
        assert_eq!(short_provider("provider.google"), "google");
    }
}
