//! GitLab merge request approvals: `GET .../merge_requests/:iid/approvals`,
//! `.../approval_state` (rules with their approvers), single approval rules,
//! project approval settings, and merge request / deployment webhooks.
//!
//! GitLab's own counters and flags (`approvals_left`, `approved`) are never
//! trusted: the approvers are recorded as approved reviews and the rules'
//! required counts as rules; when the source's counters disagree with the
//! approvers counted, an `approvals-counter-mismatch` warning says so (the
//! corpus has both kinds of inconsistency).

use super::github::timestamp;
use crate::model::{ApprovalRule, ApprovalSet, Review, ReviewState};
use crate::{ParseContext, ParseError};
use serde_json::Value;

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter().try_fold(v, |v, k| v.get(*k))?.as_str()
}

fn usernames(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|u| {
            s(u, &["user", "username"])
                .or_else(|| s(u, &["username"]))
                .or_else(|| s(u, &["full_path"]))
                .or_else(|| s(u, &["name"]))
        })
        .map(str::to_string)
        .collect()
}

pub fn sniff(v: &Value) -> bool {
    let Some(o) = v.as_object() else { return false };
    o.contains_key("approvals_required")
        && (o.contains_key("approved_by") || o.contains_key("eligible_approvers"))
        || (o.contains_key("approval_rules_overwritten") && o.contains_key("rules"))
        || o.contains_key("approvals_before_merge")
        || matches!(
            o.get("object_kind").and_then(Value::as_str),
            Some("merge_request" | "deployment")
        )
}

fn approved(who: &str, at: Option<String>) -> Review {
    Review {
        reviewer: who.to_string(),
        state: ReviewState::Approved,
        submitted_at: at,
        commit: None,
        teams: Vec::new(),
    }
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let mut set = ApprovalSet::default();
    let project = v
        .get("project_id")
        .and_then(Value::as_u64)
        .map(|p| p.to_string())
        .unwrap_or_default();
    // MR approvals (GET .../approvals)
    if v.get("approved_by").is_some() && v.get("iid").is_some() {
        set.change_id = format!(
            "{project}!{}",
            v.get("iid").and_then(Value::as_u64).unwrap_or(0)
        );
        set.created_at = s(v, &["created_at"]).map(|t| timestamp(t, cx));
        for who in usernames(v.get("approved_by")) {
            set.reviews.push(approved(&who, None));
        }
        let required = v
            .get("approvals_required")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        set.rules.push(ApprovalRule {
            name: "merge request".into(),
            required: u32::try_from(required).unwrap_or(u32::MAX),
            eligible: Vec::new(),
        });
        if let Some(left) = v.get("approvals_left").and_then(Value::as_u64) {
            let counted = set.reviews.len() as u64;
            if required.saturating_sub(counted) != left {
                cx.warn(
                    "approvals-counter-mismatch",
                    format!("approvals_required {required} with {counted} approver(s) leaves {}, but the source says approvals_left {left}; gate counts the approvers", required.saturating_sub(counted)),
                );
            }
        }
    }
    // Approval state / a single rule.
    let rules: Vec<&Value> = match v.get("rules").and_then(Value::as_array) {
        Some(r) => r.iter().collect(),
        None if v.get("rule_type").is_some() => vec![v],
        None => Vec::new(),
    };
    for r in rules {
        let required = r
            .get("approvals_required")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let mut eligible = usernames(r.get("eligible_approvers"));
        if eligible.is_empty() {
            eligible = usernames(r.get("users"));
        }
        eligible.extend(usernames(r.get("groups")));
        let approvers = usernames(r.get("approved_by"));
        for who in &approvers {
            if !set.reviews.iter().any(|x| x.reviewer == *who) {
                set.reviews.push(approved(who, None));
            }
        }
        if let Some(flag) = r.get("approved").and_then(Value::as_bool)
            && flag != (approvers.len() as u64 >= required)
        {
            cx.warn(
                "approvals-counter-mismatch",
                format!(
                    "rule `{}` says approved = {flag} with {} of {required} approvals; gate counts the approvers",
                    s(r, &["name"]).unwrap_or("?"),
                    approvers.len()
                ),
            );
        }
        set.rules.push(ApprovalRule {
            name: s(r, &["name"]).unwrap_or("rule").to_string(),
            required: u32::try_from(required).unwrap_or(u32::MAX),
            eligible,
        });
    }
    // Project settings: the default number of approvals.
    if let Some(n) = v.get("approvals_before_merge").and_then(Value::as_u64) {
        set.change_id = "project approval settings".into();
        set.rules.push(ApprovalRule {
            name: "approvals_before_merge".into(),
            required: u32::try_from(n).unwrap_or(u32::MAX),
            eligible: Vec::new(),
        });
    }
    // Webhooks.
    match v.get("object_kind").and_then(Value::as_str) {
        Some("merge_request") => {
            let a = v.get("object_attributes").cloned().unwrap_or(Value::Null);
            let path = s(v, &["project", "path_with_namespace"]).unwrap_or("");
            set.change_id = format!(
                "{path}!{}",
                a.get("iid").and_then(Value::as_u64).unwrap_or(0)
            );
            set.head_commit = s(&a, &["last_commit", "id"]).map(str::to_string);
            set.created_at = s(&a, &["created_at"]).map(|t| timestamp(t, cx));
            // The webhook names its author by id; the event's user when they opened it.
            if s(&a, &["action"]) == Some("open") {
                set.author = s(v, &["user", "username"]).map(str::to_string);
            }
            if s(&a, &["action"]) == Some("approved") {
                let who = s(v, &["user", "username"]).unwrap_or("");
                set.reviews.push(approved(
                    who,
                    s(&a, &["updated_at"]).map(|t| timestamp(t, cx)),
                ));
            }
        }
        Some("deployment") => {
            set.environment = s(v, &["environment"]).map(str::to_string);
            set.deployer = s(v, &["user", "username"]).map(str::to_string);
            set.head_commit = s(v, &["short_sha"]).map(str::to_string);
            set.change_id = format!(
                "deployment {}",
                v.get("deployment_id").and_then(Value::as_u64).unwrap_or(0)
            );
        }
        _ => {}
    }
    Ok(set)
}
