//! gate's neutral approvals format (`"kind": "gate.approvals/v1"`), for
//! sources without a parser of their own — e.g. a change record exported
//! from a change-management tool. Documented in `docs/approvals-format.md`.
//! Unknown keys are errors, so a typo cannot silently drop an approval.

use super::github::timestamp;
use crate::model::{ApprovalRule, ApprovalSet, ChangeRecord, Review, ReviewState};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use serde_json::Value;

pub const KIND: &str = "gate.approvals/v1";

pub fn sniff(v: &Value) -> bool {
    v.get("kind").and_then(Value::as_str) == Some(KIND)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    #[allow(dead_code)]
    kind: String,
    change: Change,
    #[serde(default)]
    reviews: Vec<NReview>,
    #[serde(default)]
    rules: Vec<ApprovalRule>,
    change_record: Option<ChangeRecord>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Change {
    id: String,
    author: Option<String>,
    environment: Option<String>,
    head_commit: Option<String>,
    created_at: Option<String>,
    #[serde(default)]
    committers: Vec<String>,
    deployer: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NReview {
    reviewer: String,
    state: ReviewState,
    submitted_at: Option<String>,
    commit: Option<String>,
    #[serde(default)]
    teams: Vec<String>,
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let doc: Doc = serde_json::from_value(v.clone()).map_err(|e| {
        cx.error(
            "invalid-gate-approvals",
            Some(Position::Pointer(String::new())),
            format!("not a valid {KIND} document: {e}"),
        )
    })?;
    let mut record = doc.change_record;
    if let Some(r) = record.as_mut() {
        r.window_start = r.window_start.take().map(|t| timestamp(&t, cx));
        r.window_end = r.window_end.take().map(|t| timestamp(&t, cx));
    }
    let reviews = doc
        .reviews
        .into_iter()
        .map(|r| Review {
            reviewer: r.reviewer,
            state: r.state,
            submitted_at: r.submitted_at.map(|t| timestamp(&t, cx)),
            commit: r.commit,
            teams: r.teams,
        })
        .collect();
    Ok(ApprovalSet {
        change_id: doc.change.id,
        author: doc.change.author,
        environment: doc.change.environment,
        head_commit: doc.change.head_commit,
        created_at: doc.change.created_at.map(|t| timestamp(&t, cx)),
        committers: doc.change.committers,
        deployer: doc.change.deployer,
        reviews,
        rules: doc.rules,
        change_record: record,
    })
}
