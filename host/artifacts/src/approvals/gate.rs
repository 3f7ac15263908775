//! gate's neutral approvals format (`"kind": "gate.approvals/v1"`), for
//! sources without a parser of their own — e.g. a change record exported
//! from ServiceNow or Jira, an in-house deploy tool. Specified in
//! `docs/approvals-format.md`. Strict: unknown keys are errors, so a typo
//! cannot silently drop an approval.

use super::{Obj, Probe};
use crate::error::{ParseCode, WarningCode};
use crate::{
    ApprovalRule, ApprovalSet, ChangeRecord, ParseContext, ParseError, Position, Review,
    ReviewState,
};
use serde_json::Value;
use serde_json::value::RawValue;

/// The marker (and version) of the format.
pub const KIND: &str = "gate.approvals/v1";

pub(crate) fn sniff(v: &Value) -> bool {
    v.str_of("kind")
        .is_some_and(|k| k.starts_with("gate.approvals/"))
}

pub(crate) fn parse(v: &RawValue, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let root = Obj::new(cx, v, String::new())?;
    root.only(
        cx,
        &[
            "kind",
            "$schema",
            "change",
            "reviews",
            "rules",
            "change_record",
        ],
    )?;
    let kind = root.req_str(cx, "kind")?;
    if kind != KIND {
        return Err(cx.error(
            ParseCode::UnsupportedVersion,
            Some(Position::Pointer(root.ptr("kind"))),
            format!("unsupported kind `{kind}` (this gate reads `{KIND}`)"),
        ));
    }
    let change = root.req_obj(cx, "change")?;
    change.only(
        cx,
        &[
            "id",
            "author",
            "environment",
            "head_commit",
            "created_at",
            "committers",
            "deployer",
        ],
    )?;
    let change_id = required_text(cx, &change, "id")?;
    let mut set = ApprovalSet {
        change_id,
        author: change.text(cx, "author")?,
        environment: change.text(cx, "environment")?,
        head_commit: change.text(cx, "head_commit")?,
        created_at: change.time(cx, "created_at")?,
        committers: change.strings(cx, "committers")?,
        deployer: change.text(cx, "deployer")?,
        ..ApprovalSet::default()
    };
    for r in root.objs(cx, "reviews")? {
        set.reviews.push(review(cx, &r?)?);
    }
    for r in root.objs(cx, "rules")? {
        let r = r?;
        r.only(cx, &["name", "required", "eligible"])?;
        set.rules.push(ApprovalRule {
            name: required_text(cx, &r, "name")?,
            required: r
                .count(cx, "required")?
                .ok_or_else(|| r.missing(cx, "required"))?,
            eligible: r.strings(cx, "eligible")?,
        });
    }
    if let Some(c) = root.obj(cx, "change_record")? {
        set.change_record = Some(change_record(cx, &c)?);
    }
    Ok(set)
}

/// A required, non-empty string.
fn required_text(cx: &ParseContext<'_>, obj: &Obj<'_>, key: &str) -> Result<String, ParseError> {
    obj.req_str(cx, key)?;
    obj.text(cx, key)?.ok_or_else(|| {
        cx.error(
            ParseCode::InvalidField,
            Some(Position::Pointer(obj.ptr(key))),
            format!("`{key}` must not be empty"),
        )
    })
}

fn review(cx: &ParseContext<'_>, r: &Obj<'_>) -> Result<Review, ParseError> {
    r.only(
        cx,
        &["reviewer", "state", "submitted_at", "commit", "teams"],
    )?;
    let raw = r.req_str(cx, "state")?;
    let state = match raw.as_ref() {
        "approved" => ReviewState::Approved,
        "changes-requested" => ReviewState::ChangesRequested,
        "commented" => ReviewState::Commented,
        "dismissed" => ReviewState::Dismissed,
        "pending" => ReviewState::Pending,
        other => {
            return Err(cx.error(
                ParseCode::InvalidState,
                Some(Position::Pointer(r.ptr("state"))),
                format!(
                    "unknown review state `{other}` (expected approved, changes-requested, commented, dismissed or pending)"
                ),
            ));
        }
    };
    Ok(Review {
        reviewer: required_text(cx, r, "reviewer")?,
        state,
        submitted_at: r.time(cx, "submitted_at")?,
        commit: r.text(cx, "commit")?,
        teams: r.strings(cx, "teams")?,
    })
}

fn change_record(cx: &mut ParseContext<'_>, c: &Obj<'_>) -> Result<ChangeRecord, ParseError> {
    c.only(
        cx,
        &[
            "ticket",
            "state",
            "approved",
            "window_start",
            "window_end",
            "risk",
            "conflict",
        ],
    )?;
    let record = ChangeRecord {
        ticket: required_text(cx, c, "ticket")?,
        state: required_text(cx, c, "state")?,
        approved: c
            .bool(cx, "approved")?
            .ok_or_else(|| c.missing(cx, "approved"))?,
        window_start: c.time(cx, "window_start")?,
        window_end: c.time(cx, "window_end")?,
        risk: c.text(cx, "risk")?,
        conflict: c.bool(cx, "conflict")?.unwrap_or(false),
    };
    // Same shape (UTC, whole seconds): text order is time order.
    if let (Some(start), Some(end)) = (&record.window_start, &record.window_end)
        && end < start
    {
        cx.warn(
            WarningCode::ChangeWindowInverted,
            format!(
                "change record {}: window ends ({end}) before it starts ({start})",
                record.ticket
            ),
        );
    }
    Ok(record)
}
