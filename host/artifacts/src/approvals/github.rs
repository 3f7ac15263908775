//! GitHub: the pull request reviews REST API (`GET .../pulls/N/reviews`, or
//! one review object) and webhook / Actions event payloads (`pull_request`,
//! `pull_request_review`, `deployment_review`, `deployment`).
//!
//! Reviewer identity is the login as GitHub spells it (policies compare
//! case-insensitively, as GitHub does). Timestamps become RFC 3339 UTC with
//! second precision.

use crate::model::{ApprovalRule, ApprovalSet, Review, ReviewState};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn is_review(v: &Value) -> bool {
    s(v, &["user", "login"]).is_some()
        && s(v, &["state"]).is_some()
        && (v.get("submitted_at").is_some() || v.get("commit_id").is_some())
}

pub fn sniff_reviews(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.first().is_some_and(is_review),
        Value::Object(_) => is_review(v) && v.get("pull_request_url").is_some(),
        _ => false,
    }
}

pub fn sniff_event(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.contains_key("action")
        && (o.contains_key("pull_request")
            || o.contains_key("deployment")
            || (o.contains_key("environment") && o.contains_key("reviewers")))
}

/// RFC 3339 UTC, second precision; unparseable stays as given (warned).
pub fn timestamp(raw: &str, cx: &mut ParseContext<'_>) -> String {
    match raw.parse::<jiff::Timestamp>() {
        Ok(t) => jiff::Timestamp::from_second(t.as_second())
            .unwrap_or(t)
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
        Err(_) => {
            cx.warn(
                "bad-timestamp",
                format!("`{raw}` is not an RFC 3339 timestamp; kept as is"),
            );
            raw.to_string()
        }
    }
}

fn state(raw: &str) -> Option<ReviewState> {
    Some(match raw.to_ascii_uppercase().as_str() {
        "APPROVED" | "APPROVE" => ReviewState::Approved,
        "CHANGES_REQUESTED" | "REQUEST_CHANGES" => ReviewState::ChangesRequested,
        "COMMENTED" | "COMMENT" => ReviewState::Commented,
        "DISMISSED" => ReviewState::Dismissed,
        "PENDING" => ReviewState::Pending,
        _ => return None,
    })
}

fn review(v: &Value, ptr: &str, cx: &mut ParseContext<'_>) -> Result<Review, ParseError> {
    let name = cx.name;
    let bad = |k: &str, m: String| {
        ParseError::new(
            name,
            "invalid-github-review",
            Some(Position::Pointer(format!("{ptr}/{k}"))),
            m,
        )
    };
    let reviewer =
        s(v, &["user", "login"]).ok_or_else(|| bad("user", "review has no user.login".into()))?;
    let raw = s(v, &["state"]).ok_or_else(|| bad("state", "review has no state".into()))?;
    let state = state(raw).ok_or_else(|| bad("state", format!("unknown review state `{raw}`")))?;
    Ok(Review {
        reviewer: reviewer.to_string(),
        state,
        submitted_at: s(v, &["submitted_at"]).map(|t| timestamp(t, cx)),
        commit: s(v, &["commit_id"]).map(str::to_string),
        teams: Vec::new(),
    })
}

/// `https://api.github.com/repos/o/r/pulls/42` → `o/r#42`.
fn change_id(url: &str) -> Option<String> {
    let rest = url.split("/repos/").nth(1)?;
    let mut parts = rest.split('/');
    let (owner, repo, kind, number) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    (kind == "pulls").then(|| format!("{owner}/{repo}#{number}"))
}

pub fn parse_reviews(v: &Value, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let list: Vec<(&Value, String)> = match v {
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, r)| (r, format!("/{i}")))
            .collect(),
        other => vec![(other, String::new())],
    };
    let mut set = ApprovalSet::default();
    for (r, ptr) in list {
        set.reviews.push(review(r, &ptr, cx)?);
        if set.change_id.is_empty()
            && let Some(id) = s(r, &["pull_request_url"]).and_then(change_id)
        {
            set.change_id = id;
        }
    }
    Ok(set)
}

pub fn parse_event(v: &Value, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let mut set = ApprovalSet::default();
    let repo = s(v, &["repository", "full_name"]).unwrap_or("");
    if let Some(pr) = v.get("pull_request") {
        let number = pr
            .get("number")
            .and_then(Value::as_u64)
            .map(|n| n.to_string())
            .unwrap_or_default();
        set.change_id = format!("{repo}#{number}");
        set.author = s(pr, &["user", "login"]).map(str::to_string);
        set.head_commit = s(pr, &["head", "sha"]).map(str::to_string);
        set.created_at = s(pr, &["created_at"]).map(|t| timestamp(t, cx));
        for (i, r) in pr
            .get("requested_teams")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if let Some(team) = s(r, &["slug"]).or_else(|| s(r, &["name"])) {
                set.rules.push(ApprovalRule {
                    name: format!("requested-team-{i}"),
                    required: 0,
                    eligible: vec![team.to_string()],
                });
            }
        }
    }
    if let Some(r) = v.get("review") {
        set.reviews.push(review(r, "/review", cx)?);
    }
    if let Some(d) = v.get("deployment") {
        set.environment = s(d, &["environment"]).map(str::to_string);
        set.deployer = s(d, &["creator", "login"]).map(str::to_string);
        set.head_commit = set
            .head_commit
            .or_else(|| s(d, &["sha"]).map(str::to_string));
        set.created_at = set
            .created_at
            .or_else(|| s(d, &["created_at"]).map(|t| timestamp(t, cx)));
        if set.change_id.is_empty() {
            let id = d.get("id").and_then(Value::as_u64).unwrap_or(0);
            set.change_id = format!("{repo} deployment {id}");
        }
    }
    // deployment_review: the environment's required reviewers are a rule.
    if let Some(env) = v.get("environment").and_then(Value::as_str) {
        set.environment = Some(env.to_string());
        set.deployer = s(v, &["requestor", "login"])
            .map(str::to_string)
            .or(set.deployer);
        set.head_commit = set
            .head_commit
            .or_else(|| s(v, &["workflow_run", "head_sha"]).map(str::to_string));
        let eligible: Vec<String> = v
            .get("reviewers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| {
                s(r, &["reviewer", "login"])
                    .or_else(|| s(r, &["reviewer", "slug"]))
                    .or_else(|| s(r, &["reviewer", "name"]))
            })
            .map(str::to_string)
            .collect();
        if !eligible.is_empty() {
            set.rules.push(ApprovalRule {
                name: format!("environment {env} required reviewers"),
                required: 1,
                eligible,
            });
        }
        if set.change_id.is_empty() {
            let run = v
                .get("workflow_run")
                .and_then(|w| w.get("id"))
                .and_then(Value::as_u64)
                .unwrap_or(0);
            set.change_id = format!("{repo} run {run}");
        }
    }
    if set.reviews.is_empty()
        && set.rules.is_empty()
        && set.author.is_none()
        && set.environment.is_none()
    {
        cx.warn(
            "no-approval-data",
            "the event carries no approval-relevant data",
        );
    }
    Ok(set)
}
