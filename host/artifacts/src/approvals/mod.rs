//! Approval formats. One file per format; this module detects, dispatches
//! and holds the small JSON-walking helpers the parsers share.
//!
//! Conventions shared by every approvals parser (see `docs/approvals-format.md`):
//!
//! - timestamps are RFC 3339 UTC with whole seconds (`2024-01-02T03:04:05Z`);
//!   offsets are converted, fractions of a second are truncated;
//! - people are identified by their login / username, kept exactly as the
//!   source spells it (GitHub and GitLab treat them case-insensitively);
//! - a rule's `eligible` list mixes users (login) and teams (GitHub team
//!   slug, GitLab group full path), unprefixed, as policies match them
//!   against a review's `reviewer` and `teams`;
//! - the source's own counters and flags (`approvals_left`, `approved`) are
//!   never trusted: we record who approved and what is required, and warn
//!   with `approvals-counter-mismatch` when the source disagrees with itself.

pub mod gate;
mod github_event;
mod github_reviews;
mod gitlab;

use crate::document::json_error;
use crate::error::ParseCode;
pub(crate) use crate::json::Kind;
use crate::json::{self, First, Key, Map};
use crate::{
    ApprovalSet, Document, Format, ParseContext, ParseError, Position, Review, ReviewState,
};
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use serde_json::{Number, Value};
use std::borrow::Cow;

/// Recognises an approvals format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    let v = doc.shape()?;
    if gate::sniff(v) {
        Some(Format::GateApprovals)
    } else if gitlab::sniff(v) {
        Some(Format::GitlabApprovals)
    } else if github_reviews::sniff(v) {
        Some(Format::GithubReviews)
    } else if github_event::sniff(v) {
        Some(Format::GithubEvent)
    } else {
        None
    }
}

/// Whether `doc` carries the markers of `format` (see
/// [`Format::markers`]): the same tests as [`sniff`], one format at a time.
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    let Some(v) = doc.shape() else { return false };
    match format {
        Format::GateApprovals => gate::sniff(v),
        Format::GitlabApprovals => gitlab::sniff(v),
        Format::GithubReviews => github_reviews::sniff(v),
        // Any webhook payload: the parser names the events it cannot use.
        Format::GithubEvent => github_event::is_webhook(v),
        _ => false,
    }
}

/// Parses an approvals artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<ApprovalSet, ParseError> {
    let Some(json) = doc.as_json() else {
        return Err(cx.error(
            ParseCode::InvalidJson,
            None,
            format!("{format} artifacts are json documents"),
        ));
    };
    // The document's text, read one object or array at a time as the
    // parsers walk into it: never a tree of the whole document.
    let v: &RawValue = serde_json::from_str(json.text()).map_err(|e| json_error(cx.name, &e))?;
    match format {
        Format::GithubReviews => github_reviews::parse(v, cx),
        Format::GithubEvent => github_event::parse(v, cx),
        Format::GitlabApprovals => gitlab::parse(v, cx),
        Format::GateApprovals => gate::parse(v, cx),
        other => Err(cx.error(
            ParseCode::UnsupportedFormat,
            None,
            format!("{other} is not an approvals format"),
        )),
    }
}

// ------------------------------------------------------------------ helpers

/// `base` + `/key`, escaped per RFC 6901.
pub(crate) fn join(base: &str, key: &str) -> String {
    format!("{base}/{}", key.replace('~', "~0").replace('/', "~1"))
}

fn at(ptr: &str) -> Option<Position> {
    Some(Position::Pointer(ptr.to_string()))
}

/// Reads part of the document (already checked whole when it was loaded,
/// so this fails only if that check was bypassed).
fn read<'v, T: serde::Deserialize<'v>>(name: &str, raw: &'v RawValue) -> Result<T, ParseError> {
    json::checked(name, raw.get())
}

/// A string value, borrowed from the text unless it has escapes.
fn string<'v>(name: &str, raw: &'v RawValue) -> Result<Cow<'v, str>, ParseError> {
    read::<Key<'v>>(name, raw).map(|k| k.0)
}

fn number(name: &str, raw: &RawValue) -> Result<Number, ParseError> {
    read(name, raw)
}

/// The items of an array value.
fn elements<'v>(name: &str, raw: &'v RawValue) -> Result<Vec<&'v RawValue>, ParseError> {
    read(name, raw)
}

/// What the format tests read of a JSON value: implemented by the bounded
/// shape the sniffers see ([`crate::document::JsonDoc::shape`]) and by the
/// document the parsers read ([`Node`]), so both decide alike.
pub(crate) trait Probe<'s>: Copy {
    /// The value of `key` (`null` included) when this is an object.
    fn field(self, key: &str) -> Option<Self>;
    fn kind(self) -> Kind;
    /// The value when it is a string.
    fn string(self) -> Option<Cow<'s, str>>;
    /// The first item when this is an array.
    fn first(self) -> Option<Self>;
    /// How many keys this object has (0 when it is no object).
    fn keys(self) -> usize;

    fn has(self, key: &str) -> bool {
        self.field(key).is_some()
    }
    /// `key` is there and of `kind`.
    fn is(self, key: &str, kind: Kind) -> bool {
        self.field(key).is_some_and(|v| v.kind() == kind)
    }
    fn str_of(self, key: &str) -> Option<Cow<'s, str>> {
        self.field(key).and_then(Probe::string)
    }
}

impl<'s> Probe<'s> for &'s Value {
    fn field(self, key: &str) -> Option<Self> {
        self.get(key)
    }
    fn kind(self) -> Kind {
        Kind::of_value(self)
    }
    fn string(self) -> Option<Cow<'s, str>> {
        self.as_str().map(Cow::Borrowed)
    }
    fn first(self) -> Option<Self> {
        self.as_array()?.first()
    }
    fn keys(self) -> usize {
        self.as_object().map_or(0, serde_json::Map::len)
    }
}

/// A value of the document for the format tests: an object already read,
/// or the text of any value (read when a test looks into it).
#[derive(Clone, Copy)]
pub(crate) enum Node<'o, 'v> {
    Obj(&'o Obj<'v>),
    Raw(&'v RawValue),
}

impl<'v> Probe<'v> for Node<'_, 'v> {
    fn field(self, key: &str) -> Option<Self> {
        match self {
            Node::Obj(o) => o.raw(key).map(Node::Raw),
            Node::Raw(r) if Kind::of(r) == Kind::Object => {
                let m = serde_json::from_str::<Map<'v, &'v RawValue>>(r.get()).ok()?;
                let (_, v) = m.entries.into_iter().find(|(k, _)| k == key)?;
                Some(Node::Raw(v))
            }
            Node::Raw(_) => None,
        }
    }
    fn kind(self) -> Kind {
        match self {
            Node::Obj(_) => Kind::Object,
            Node::Raw(r) => Kind::of(r),
        }
    }
    fn string(self) -> Option<Cow<'v, str>> {
        match self {
            Node::Raw(r) if Kind::of(r) == Kind::String => {
                serde_json::from_str::<Key<'v>>(r.get()).ok().map(|k| k.0)
            }
            _ => None,
        }
    }
    fn first(self) -> Option<Self> {
        match self {
            Node::Raw(r) if Kind::of(r) == Kind::Array => {
                serde_json::from_str::<First<&'v RawValue>>(r.get())
                    .ok()?
                    .0
                    .map(Node::Raw)
            }
            _ => None,
        }
    }
    fn keys(self) -> usize {
        match self {
            Node::Obj(o) => o.map.len(),
            Node::Raw(r) if Kind::of(r) == Kind::Object => {
                serde_json::from_str::<Map<'v, IgnoredAny>>(r.get())
                    .ok()
                    .map_or(0, |m| m.entries.len())
            }
            Node::Raw(_) => 0,
        }
    }
}

/// A JSON object of the document together with its JSON pointer, for
/// precise errors. Holds the object's keys and the text of their values:
/// what is inside a value is read when a parser asks for it.
#[derive(Clone)]
pub(crate) struct Obj<'v> {
    map: Vec<(Cow<'v, str>, &'v RawValue)>,
    pub ptr: String,
}

impl<'v> Obj<'v> {
    /// The value at `ptr` as an object, or an `invalid-field` error.
    pub fn new(cx: &ParseContext<'_>, v: &'v RawValue, ptr: String) -> Result<Self, ParseError> {
        Self::read(cx.name, v, ptr)
    }

    fn read(name: &str, v: &'v RawValue, ptr: String) -> Result<Self, ParseError> {
        match Kind::of(v) {
            Kind::Object => {
                let m = read::<Map<'v, &'v RawValue>>(name, v)?;
                Ok(Self {
                    map: m.entries,
                    ptr,
                })
            }
            other => Err(ParseError::new(
                name,
                ParseCode::InvalidField,
                at(&ptr),
                format!("expected an object, found {}", other.name()),
            )),
        }
    }

    pub fn ptr(&self, key: &str) -> String {
        join(&self.ptr, key)
    }

    /// The value of `key`, `null` included.
    fn raw(&self, key: &str) -> Option<&'v RawValue> {
        self.map.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// The value of `key`; `None` when missing or `null`.
    pub fn get(&self, key: &str) -> Option<&'v RawValue> {
        self.raw(key).filter(|v| Kind::of(v) != Kind::Null)
    }

    pub fn has(&self, key: &str) -> bool {
        self.raw(key).is_some()
    }

    /// An `unknown-field` error for the first key (in key order) not in
    /// `known`.
    pub fn only(&self, cx: &ParseContext<'_>, known: &[&str]) -> Result<(), ParseError> {
        match self
            .map
            .iter()
            .map(|(k, _)| k)
            .filter(|k| !known.contains(&k.as_ref()))
            .min()
        {
            None => Ok(()),
            Some(k) => Err(cx.error(
                ParseCode::UnknownField,
                at(&self.ptr(k)),
                format!(
                    "unknown field `{k}` (expected one of: {})",
                    known.join(", ")
                ),
            )),
        }
    }

    fn invalid(&self, cx: &ParseContext<'_>, key: &str, want: &str, got: &RawValue) -> ParseError {
        cx.error(
            ParseCode::InvalidField,
            at(&self.ptr(key)),
            format!("`{key}` must be {want}, found {}", Kind::of(got).name()),
        )
    }

    pub fn missing(&self, cx: &ParseContext<'_>, key: &str) -> ParseError {
        cx.error(
            ParseCode::MissingField,
            at(&self.ptr(key)),
            format!("missing required field `{key}`"),
        )
    }

    pub fn str(
        &self,
        cx: &ParseContext<'_>,
        key: &str,
    ) -> Result<Option<Cow<'v, str>>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if Kind::of(v) == Kind::String => string(cx.name, v).map(Some),
            Some(other) => Err(self.invalid(cx, key, "a string", other)),
        }
    }

    pub fn req_str(&self, cx: &ParseContext<'_>, key: &str) -> Result<Cow<'v, str>, ParseError> {
        self.str(cx, key)?.ok_or_else(|| self.missing(cx, key))
    }

    /// A non-empty string; empty strings count as absent.
    pub fn text(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<String>, ParseError> {
        Ok(self
            .str(cx, key)?
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string))
    }

    pub fn bool(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<bool>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if Kind::of(v) == Kind::Bool => Ok(Some(v.get() == "true")),
            Some(other) => Err(self.invalid(cx, key, "a boolean", other)),
        }
    }

    /// A count: a non-negative integer that fits in `u32`.
    pub fn count(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<u32>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) if Kind::of(v) == Kind::Number => number(cx.name, v)?
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| self.invalid(cx, key, "a non-negative integer", v)),
            Some(other) => Err(self.invalid(cx, key, "a non-negative integer", other)),
        }
    }

    /// An identifier given as a number or a string, as text.
    pub fn id(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<String>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => match Kind::of(v) {
                Kind::Number => Ok(Some(number(cx.name, v)?.to_string())),
                Kind::String => {
                    let s = string(cx.name, v)?;
                    let s = s.trim();
                    Ok((!s.is_empty()).then(|| s.to_string()))
                }
                _ => Err(self.invalid(cx, key, "a number or a string", v)),
            },
        }
    }

    pub fn obj(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<Obj<'v>>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => Obj::new(cx, v, self.ptr(key)).map(Some),
        }
    }

    pub fn req_obj(&self, cx: &ParseContext<'_>, key: &str) -> Result<Obj<'v>, ParseError> {
        self.obj(cx, key)?.ok_or_else(|| self.missing(cx, key))
    }

    /// The elements of array `key` and the array's pointer; empty when
    /// missing.
    fn items(
        &self,
        cx: &ParseContext<'_>,
        key: &str,
    ) -> Result<(String, Vec<&'v RawValue>), ParseError> {
        match self.get(key) {
            None => Ok((String::new(), Vec::new())),
            Some(v) if Kind::of(v) == Kind::Array => Ok((self.ptr(key), elements(cx.name, v)?)),
            Some(other) => Err(self.invalid(cx, key, "an array", other)),
        }
    }

    /// The elements of array `key`, each required to be an object (all are
    /// checked first); each is read as the iteration reaches it.
    pub fn objs<'n>(&self, cx: &ParseContext<'n>, key: &str) -> Result<Objs<'n, 'v>, ParseError> {
        let (base, items) = self.items(cx, key)?;
        if let Some((i, v)) = items
            .iter()
            .enumerate()
            .find(|(_, v)| Kind::of(v) != Kind::Object)
        {
            return Err(cx.error(
                ParseCode::InvalidField,
                at(&format!("{base}/{i}")),
                format!("expected an object, found {}", Kind::of(v).name()),
            ));
        }
        Ok(Objs::new(cx.name, base, items))
    }

    /// The strings of array `key`; empty when missing.
    pub fn strings(&self, cx: &ParseContext<'_>, key: &str) -> Result<Vec<String>, ParseError> {
        let (base, items) = self.items(cx, key)?;
        items
            .into_iter()
            .enumerate()
            .map(|(i, v)| match Kind::of(v) {
                Kind::String => string(cx.name, v).map(Cow::into_owned),
                other => Err(cx.error(
                    ParseCode::InvalidField,
                    at(&format!("{base}/{i}")),
                    format!("expected a string, found {}", other.name()),
                )),
            })
            .collect()
    }

    /// A timestamp normalized to RFC 3339 UTC with whole seconds. Accepts
    /// RFC 3339 strings (any offset, optional fraction), GitLab's
    /// `2021-04-28 21:50:00 +0200` / `2023-03-27 00:03:05 UTC`, and Unix
    /// seconds as a number.
    pub fn time(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<String>, ParseError> {
        let bad = |shown: &str| {
            cx.error(
                ParseCode::InvalidTimestamp,
                at(&self.ptr(key)),
                format!("`{key}` is not a valid timestamp: `{shown}`"),
            )
        };
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match Kind::of(v) {
            Kind::String => {
                let s = string(cx.name, v)?;
                if s.trim().is_empty() {
                    return Ok(None);
                }
                normalize_time(&s).map(Some).ok_or_else(|| bad(&s))
            }
            Kind::Number => {
                let n = number(cx.name, v)?;
                n.as_i64()
                    .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
                    .map(|t| format_time(t.as_second()))
                    .and_then(|r| r.map(Some))
                    .ok_or_else(|| bad(&n.to_string()))
            }
            _ => Err(self.invalid(cx, key, "a timestamp string", v)),
        }
    }

    /// The login of the user object at `key` (GitHub `login`, GitLab
    /// `username`); `None` when the field is missing or `null`.
    pub fn user(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<String>, ParseError> {
        match self.obj(cx, key)? {
            None => Ok(None),
            Some(user) => user_login(cx, &user).map(Some),
        }
    }
}

/// The objects of an array, each read when the iteration reaches it (so a
/// long array is never held as objects all at once).
pub(crate) struct Objs<'n, 'v> {
    name: &'n str,
    base: String,
    items: std::iter::Enumerate<std::vec::IntoIter<&'v RawValue>>,
}

impl<'n, 'v> Objs<'n, 'v> {
    /// The items of the array at `base` (each one read as an object: an
    /// `invalid-field` error when it is not one).
    pub(crate) fn new(name: &'n str, base: String, items: Vec<&'v RawValue>) -> Self {
        Self {
            name,
            base,
            items: items.into_iter().enumerate(),
        }
    }
}

impl<'v> Iterator for Objs<'_, 'v> {
    type Item = Result<Obj<'v>, ParseError>;
    fn next(&mut self) -> Option<Self::Item> {
        let (i, v) = self.items.next()?;
        Some(Obj::read(self.name, v, format!("{}/{i}", self.base)))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.items.size_hint()
    }
}

impl ExactSizeIterator for Objs<'_, '_> {}

/// The items of a root array, each read as an object when reached.
pub(crate) fn root_items<'n, 'v>(
    cx: &ParseContext<'n>,
    v: &'v RawValue,
) -> Result<Objs<'n, 'v>, ParseError> {
    Ok(Objs::new(cx.name, String::new(), elements(cx.name, v)?))
}

/// The login of a user object: GitHub `login`, else GitLab `username`.
pub(crate) fn user_login(cx: &ParseContext<'_>, user: &Obj<'_>) -> Result<String, ParseError> {
    if let Some(login) = user.text(cx, "login")? {
        return Ok(login);
    }
    if let Some(name) = user.text(cx, "username")? {
        return Ok(name);
    }
    Err(cx.error(
        ParseCode::MissingField,
        at(&user.ptr("login")),
        "user has neither `login` nor `username`",
    ))
}

/// Normalizes a timestamp string to `YYYY-MM-DDTHH:MM:SSZ` (UTC, whole
/// seconds, truncated). `None` when it is not a timestamp with an offset.
pub fn normalize_time(raw: &str) -> Option<String> {
    let s = raw.trim();
    let parsed = s.parse::<jiff::Timestamp>().ok().or_else(|| {
        // GitLab webhooks: `2023-03-27 00:03:05 UTC`, `2021-04-28 21:50:00 +0200`.
        let s = s
            .strip_suffix(" UTC")
            .map(|t| format!("{t} +0000"))
            .unwrap_or_else(|| s.to_string());
        jiff::fmt::strtime::parse("%Y-%m-%d %H:%M:%S %z", &s)
            .ok()?
            .to_timestamp()
            .ok()
    })?;
    format_time(parsed.as_second())
}

fn format_time(secs: i64) -> Option<String> {
    let t = jiff::Timestamp::from_second(secs).ok()?;
    Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// A list of names without repeats, in the order first given. Keeps an
/// index of them: lists can be long (every requested reviewer of a change,
/// every eligible approver of a rule), and a search per name would make
/// adding them quadratic.
#[derive(Default)]
pub(crate) struct Unique {
    list: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl Unique {
    /// Adds `item` unless it is already there.
    pub(crate) fn push(&mut self, item: String) {
        if !self.seen.contains(&item) {
            self.seen.insert(item.clone());
            self.list.push(item);
        }
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.list
    }
}

/// The reviewers of `reviews` that already have a review, for adding
/// pending reviews without a search per reviewer.
pub(crate) struct Reviewers(std::collections::HashSet<String>);

impl Reviewers {
    pub(crate) fn of(reviews: &[Review]) -> Self {
        Reviewers(reviews.iter().map(|r| r.reviewer.clone()).collect())
    }

    /// Adds a pending review for `reviewer` unless they already have a
    /// review.
    pub(crate) fn push_pending(
        &mut self,
        reviews: &mut Vec<Review>,
        reviewer: String,
        teams: Vec<String>,
    ) {
        if self.0.contains(&reviewer) {
            return;
        }
        self.0.insert(reviewer.clone());
        reviews.push(Review {
            reviewer,
            state: ReviewState::Pending,
            submitted_at: None,
            commit: None,
            teams,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_normalize_to_utc_seconds() {
        let cases = [
            ("2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"),
            ("2016-06-08T18:56:42.987Z", "2016-06-08T18:56:42Z"),
            ("2012-01-03T23:36:29+02:00", "2012-01-03T21:36:29Z"),
            ("2021-04-28 21:50:00 +0200", "2021-04-28T19:50:00Z"),
            ("2023-03-27 00:03:05 UTC", "2023-03-27T00:03:05Z"),
            ("2024-01-02t03:04:05z", "2024-01-02T03:04:05Z"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_time(raw).as_deref(), Some(want), "{raw}");
        }
        for bad in [
            "2024-01-02",
            "2024-01-02T03:04:05",
            "yesterday",
            "",
            "2024-13-01T00:00:00Z",
        ] {
            assert_eq!(normalize_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn pointers_are_escaped() {
        assert_eq!(join("/a", "b/c~d"), "/a/b~1c~0d");
    }

    fn run(doc: &str, format: Format) -> Result<crate::Parsed, ParseError> {
        let o = crate::ParseOptions::default();
        crate::parse("a.json", doc.as_bytes(), Some(format), &o)
    }

    fn set(doc: &str, format: Format) -> ApprovalSet {
        match run(doc, format).unwrap().model {
            crate::Model::Approvals(s) => s,
            _ => unreachable!("approvals"),
        }
    }

    fn error(doc: &str, format: Format) -> (&'static str, Option<Position>) {
        let e = run(doc, format).unwrap_err();
        (e.code.as_str(), e.position)
    }

    #[test]
    fn escaped_strings_and_numbers_read_as_before() {
        let s = set(
            r#"{"kind":"gate.approvals\/v1","change":{"id":"a\/b#\u0031","created_at":1700000000},"reviews":[{"reviewer":"b\u006fb","state":"approved","teams":["t\"1"]}]}"#,
            Format::GateApprovals,
        );
        assert_eq!(s.change_id, "a/b#1");
        assert_eq!(s.created_at.as_deref(), Some("2023-11-14T22:13:20Z"));
        assert_eq!(
            (
                s.reviews[0].reviewer.as_str(),
                s.reviews[0].teams[0].as_str()
            ),
            ("bob", "t\"1")
        );
        // Ids given as numbers read as serde_json prints them.
        let s = set(
            r#"{"action":"created","deployment":{"id":1.50,"sha":"abc","environment":"prod"},"repository":{"full_name":"o/r"},"sender":{"login":"x"}}"#,
            Format::GithubEvent,
        );
        assert_eq!(s.change_id, "o/r/deployments/1.5");
    }

    #[test]
    fn the_first_unknown_field_in_key_order_is_named() {
        let doc = r#"{"zz":1,"kind":"gate.approvals/v1","change":{"id":"x"},"aa":2}"#;
        assert_eq!(
            error(doc, Format::GateApprovals),
            ("unknown-field", at("/aa"))
        );
    }

    #[test]
    fn every_item_of_a_list_is_checked_to_be_an_object_before_any_is_read() {
        let doc = r#"{"users":[{"login":"a"},{"id":1},5],"teams":[]}"#;
        assert_eq!(
            error(doc, Format::GithubReviews),
            ("invalid-field", at("/users/2"))
        );
        let doc = r#"{"users":[{"login":"a"},{"id":1}],"teams":[]}"#;
        assert_eq!(
            error(doc, Format::GithubReviews),
            ("missing-field", at("/users/1/login"))
        );
        // At the root, items are read in turn (as before).
        let doc = r#"[{"state":"APPROVED","user":{"id":1},"pull_request_url":"u"},5]"#;
        assert_eq!(
            error(doc, Format::GithubReviews),
            ("missing-field", at("/0/user/login"))
        );
    }

    #[test]
    fn long_lists_keep_the_first_of_each_name_in_order() {
        let mut users: Vec<String> = (0..3000)
            .map(|i| format!(r#"{{"login":"u{}"}}"#, i % 1000))
            .collect();
        users.push(r#"{"slug":"sre"}"#.into());
        let doc = format!(
            r#"{{"action":"review_requested","pull_request":{{"head":{{"sha":"s"}},"user":{{"login":"a"}},"requested_reviewers":[{}],"requested_teams":[{{"slug":"sre"}}]}},"sender":{{}},"repository":{{}}}}"#,
            users.join(",")
        );
        let s = set(&doc, Format::GithubEvent);
        let names: Vec<&str> = s.reviews.iter().map(|r| r.reviewer.as_str()).collect();
        assert_eq!(names.len(), 1001);
        assert_eq!(
            (names[0], names[999], names[1000]),
            ("u0", "u999", "team:sre")
        );
        let rules = r#"[{"name":"r","approvals_required":1,"eligible_approvers":[{"username":"a"},{"username":"b"},{"username":"a"}],"approved_by":[{"username":"b"}]},{"name":"s","approvals_required":1,"rule_type":"x","approved_by":[{"username":"b"},{"username":"c"}]}]"#;
        let s = set(rules, Format::GitlabApprovals);
        assert_eq!(s.rules[0].eligible, ["a", "b"]);
        let approvers: Vec<&str> = s.reviews.iter().map(|r| r.reviewer.as_str()).collect();
        assert_eq!(approvers, ["b", "c"]);
    }

    /// The sniffers read the document's shape, the parsers the document:
    /// the same tests, so they decide alike.
    #[test]
    fn format_tests_agree_on_the_shape_and_the_document() {
        let docs = [
            r#"{"approved_by":[],"approvals_left":1}"#,
            r#"{"approval_rules_overwritten":false,"rules":[]}"#,
            r#"[{"name":"r","approvals_required":1,"rule_type":"x"}]"#,
            r#"{"object_kind":"merge_request","object_attributes":{}}"#,
            r#"{"object_kind":"push","object_attributes":{}}"#,
            r#"{"iid":1,"sha":"s","deployable":{},"environment":{},"user":{}}"#,
            r#"{"approvals_before_merge":1,"reset_approvals_on_push":null}"#,
            r#"{"name":"r","approvals_required":null,"eligible_approvers":[]}"#,
        ];
        for doc in docs {
            let value: Value = serde_json::from_str(doc).unwrap();
            let raw: &RawValue = serde_json::from_str(doc).unwrap();
            let o = crate::ParseOptions::default();
            let cx = ParseContext::new("a.json", &o);
            let obj =
                (Kind::of(raw) == Kind::Object).then(|| Obj::new(&cx, raw, String::new()).unwrap());
            let node = obj.as_ref().map_or(Node::Raw(raw), Node::Obj);
            assert_eq!(gitlab::sniff(&value), gitlab::sniff_node(node), "{doc}");
            assert_eq!(
                gitlab::sniff(&value),
                gitlab::sniff_node(Node::Raw(raw)),
                "{doc}"
            );
        }
    }
}
