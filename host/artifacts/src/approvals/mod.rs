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

use crate::{ApprovalSet, Document, Format, ParseContext, ParseError, Position};
use serde_json::{Map, Value};

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
            "invalid-json",
            None,
            format!("{format} artifacts are json documents"),
        ));
    };
    // Not yet read into typed structures: the whole document as a Value.
    let v = &json.value(cx.name)?;
    match format {
        Format::GithubReviews => github_reviews::parse(v, cx),
        Format::GithubEvent => github_event::parse(v, cx),
        Format::GitlabApprovals => gitlab::parse(v, cx),
        Format::GateApprovals => gate::parse(v, cx),
        other => Err(cx.error(
            "unsupported-format",
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

/// A JSON object together with its JSON pointer, for precise errors.
#[derive(Clone)]
pub(crate) struct Obj<'v> {
    pub map: &'v Map<String, Value>,
    pub ptr: String,
}

impl<'v> Obj<'v> {
    /// The value at `ptr` as an object, or an `invalid-field` error.
    pub fn new(cx: &ParseContext<'_>, v: &'v Value, ptr: String) -> Result<Self, ParseError> {
        match v {
            Value::Object(map) => Ok(Self { map, ptr }),
            other => Err(cx.error(
                "invalid-field",
                at(&ptr),
                format!(
                    "expected an object, found {}",
                    crate::document::json_type(other)
                ),
            )),
        }
    }

    /// The document root as an object.
    pub fn root(cx: &ParseContext<'_>, v: &'v Value) -> Result<Self, ParseError> {
        Self::new(cx, v, String::new())
    }

    pub fn ptr(&self, key: &str) -> String {
        join(&self.ptr, key)
    }

    /// The value of `key`; `None` when missing or `null`.
    pub fn get(&self, key: &str) -> Option<&'v Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// An `unknown-field` error for the first key not in `known`.
    pub fn only(&self, cx: &ParseContext<'_>, known: &[&str]) -> Result<(), ParseError> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            None => Ok(()),
            Some(k) => Err(cx.error(
                "unknown-field",
                at(&self.ptr(k)),
                format!(
                    "unknown field `{k}` (expected one of: {})",
                    known.join(", ")
                ),
            )),
        }
    }

    fn invalid(&self, cx: &ParseContext<'_>, key: &str, want: &str, got: &Value) -> ParseError {
        cx.error(
            "invalid-field",
            at(&self.ptr(key)),
            format!(
                "`{key}` must be {want}, found {}",
                crate::document::json_type(got)
            ),
        )
    }

    pub fn missing(&self, cx: &ParseContext<'_>, key: &str) -> ParseError {
        cx.error(
            "missing-field",
            at(&self.ptr(key)),
            format!("missing required field `{key}`"),
        )
    }

    pub fn str(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<&'v str>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(self.invalid(cx, key, "a string", other)),
        }
    }

    pub fn req_str(&self, cx: &ParseContext<'_>, key: &str) -> Result<&'v str, ParseError> {
        self.str(cx, key)?.ok_or_else(|| self.missing(cx, key))
    }

    /// A non-empty string; empty strings count as absent.
    pub fn text(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<String>, ParseError> {
        Ok(self
            .str(cx, key)?
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string))
    }

    pub fn bool(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<bool>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.invalid(cx, key, "a boolean", other)),
        }
    }

    /// A count: a non-negative integer that fits in `u32`.
    pub fn count(&self, cx: &ParseContext<'_>, key: &str) -> Result<Option<u32>, ParseError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => n
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
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::String(s)) if !s.trim().is_empty() => Ok(Some(s.trim().to_string())),
            Some(Value::String(_)) => Ok(None),
            Some(other) => Err(self.invalid(cx, key, "a number or a string", other)),
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

    /// The elements of array `key` with their pointers; empty when missing.
    pub fn items(
        &self,
        cx: &ParseContext<'_>,
        key: &str,
    ) -> Result<Vec<(String, &'v Value)>, ParseError> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                let base = self.ptr(key);
                Ok(items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{base}/{i}"), v))
                    .collect())
            }
            Some(other) => Err(self.invalid(cx, key, "an array", other)),
        }
    }

    /// The elements of array `key`, each required to be an object.
    pub fn objs(&self, cx: &ParseContext<'_>, key: &str) -> Result<Vec<Obj<'v>>, ParseError> {
        self.items(cx, key)?
            .into_iter()
            .map(|(ptr, v)| Obj::new(cx, v, ptr))
            .collect()
    }

    /// The strings of array `key`; empty when missing.
    pub fn strings(&self, cx: &ParseContext<'_>, key: &str) -> Result<Vec<String>, ParseError> {
        self.items(cx, key)?
            .into_iter()
            .map(|(ptr, v)| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(cx.error(
                    "invalid-field",
                    at(&ptr),
                    format!(
                        "expected a string, found {}",
                        crate::document::json_type(other)
                    ),
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
                "invalid-timestamp",
                at(&self.ptr(key)),
                format!("`{key}` is not a valid timestamp: `{shown}`"),
            )
        };
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => normalize_time(s).map(Some).ok_or_else(|| bad(s)),
            Some(Value::Number(n)) => n
                .as_i64()
                .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
                .map(|t| format_time(t.as_second()))
                .and_then(|r| r.map(Some))
                .ok_or_else(|| bad(&n.to_string())),
            Some(other) => Err(self.invalid(cx, key, "a timestamp string", other)),
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

/// The login of a user object: GitHub `login`, else GitLab `username`.
pub(crate) fn user_login(cx: &ParseContext<'_>, user: &Obj<'_>) -> Result<String, ParseError> {
    if let Some(login) = user.text(cx, "login")? {
        return Ok(login);
    }
    if let Some(name) = user.text(cx, "username")? {
        return Ok(name);
    }
    Err(cx.error(
        "missing-field",
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

/// Adds `item` to `list` unless an equal entry is already there.
pub(crate) fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// Object-ness test for sniffers: `v[key]` is an object.
pub(crate) fn is_obj(v: &Value, key: &str) -> bool {
    v.get(key).is_some_and(Value::is_object)
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
}
