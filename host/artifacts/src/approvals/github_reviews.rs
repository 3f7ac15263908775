//! GitHub REST API responses about reviews and required reviewers:
//!
//! - `GET /repos/{o}/{r}/pulls/{n}/reviews` — an array of reviews;
//! - one review (`POST …/reviews`, `PUT …/reviews/{id}/dismissals`);
//! - `GET …/pulls/{n}/requested_reviewers` — `{users, teams}`, recorded as
//!   `pending` reviews;
//! - `GET /repos/{o}/{r}/environments[/{name}]` — `required_reviewers`
//!   protection rules become rules named `environment:<name>`;
//! - branch protection (`…/protection` or
//!   `…/protection/required_pull_request_reviews`) — the required approving
//!   review count becomes the rule `branch-protection`.

use super::{Kind, Node, Obj, Probe, Reviewers, Unique, root_items, user_login};
use crate::error::{ParseCode, WarningCode};
use crate::{ApprovalRule, ApprovalSet, ParseContext, ParseError, Position, Review, ReviewState};
use serde_json::Value;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// A review object: `state` plus the user and the PR or commit it belongs to.
pub(crate) fn looks_like_review<'s>(v: impl Probe<'s>) -> bool {
    v.is("state", Kind::String)
        && v.field("user")
            .is_some_and(|u| matches!(u.kind(), Kind::Object | Kind::Null))
        && (v.is("pull_request_url", Kind::String) || (v.has("submitted_at") && v.has("commit_id")))
}

fn is_environment<'s>(v: impl Probe<'s>) -> bool {
    v.is("protection_rules", Kind::Array) && v.is("name", Kind::String)
}

pub(crate) fn sniff(v: &Value) -> bool {
    match v.kind() {
        Kind::Array => v.first().is_some_and(looks_like_review),
        Kind::Object => {
            looks_like_review(v)
                || (v.keys() == 2 && v.is("users", Kind::Array) && v.is("teams", Kind::Array))
                || is_environment(v)
                || (v.is("environments", Kind::Array) && v.has("total_count"))
                || v.is("required_approving_review_count", Kind::Number)
                || (v.is("required_pull_request_reviews", Kind::Object)
                    && (v.has("required_status_checks") || v.has("enforce_admins")))
        }
        _ => false,
    }
}

pub(crate) fn parse(v: &RawValue, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let mut set = ApprovalSet::default();
    if Kind::of(v) == Kind::Array {
        for obj in root_items(cx, v)? {
            add_review(cx, &mut set, &obj?, None)?;
        }
        return Ok(set);
    }
    let root = Obj::new(cx, v, String::new())?;
    if looks_like_review(Node::Obj(&root)) {
        add_review(cx, &mut set, &root, None)?;
    } else if root.has("users") && root.has("teams") {
        requested(cx, &root, &mut set.reviews)?;
    } else if is_environment(Node::Obj(&root)) {
        let name = environment(cx, &root, &mut set.rules)?;
        set.environment = Some(name);
    } else if root.has("environments") {
        let mut names = Vec::new();
        for env in root.objs(cx, "environments")? {
            names.push(environment(cx, &env?, &mut set.rules)?);
        }
        if let [only] = names.as_slice() {
            set.environment = Some(only.clone());
        }
    } else if root.has("required_approving_review_count") {
        branch_protection(cx, &root, &mut set.rules)?;
    } else if let Some(reviews) = root.obj(cx, "required_pull_request_reviews")? {
        branch_protection(cx, &reviews, &mut set.rules)?;
    } else {
        return Err(cx.error(
            ParseCode::UnsupportedDocument,
            Some(Position::Pointer(String::new())),
            "not a github reviews, requested reviewers, environment or branch protection response",
        ));
    }
    Ok(set)
}

/// Adds one review of the reviews API and derives the change id from it.
fn add_review(
    cx: &mut ParseContext<'_>,
    set: &mut ApprovalSet,
    obj: &Obj<'_>,
    commit: Option<&str>,
) -> Result<(), ParseError> {
    let r = review(cx, obj, commit)?;
    if let Some(url) = obj.str(cx, "pull_request_url")? {
        match change_id_from_url(&url) {
            Some(id) if set.change_id.is_empty() => set.change_id = id,
            Some(id) if id != set.change_id => cx.warn(
                WarningCode::SeveralChanges,
                format!(
                    "review at {} belongs to {id}, not {}; reviews of several pull requests were mixed",
                    obj.ptr, set.change_id
                ),
            ),
            _ => {}
        }
    }
    set.reviews.push(r);
    Ok(())
}

/// One GitHub review object (REST or webhook `review`). `fallback_commit` is
/// used when the review carries no `commit_id`.
pub(crate) fn review(
    cx: &mut ParseContext<'_>,
    obj: &Obj<'_>,
    fallback_commit: Option<&str>,
) -> Result<Review, ParseError> {
    let reviewer = match obj.obj(cx, "user")? {
        Some(user) => user_login(cx, &user)?,
        None if obj.has("user") => {
            cx.warn(
                WarningCode::DeletedUser,
                format!(
                    "review at {} has no user (deleted account); recorded as `ghost`",
                    display_ptr(&obj.ptr)
                ),
            );
            "ghost".to_string()
        }
        None => return Err(obj.missing(cx, "user")),
    };
    let raw = obj.req_str(cx, "state")?;
    let state = github_state(&raw).ok_or_else(|| {
        cx.error(
            ParseCode::InvalidState,
            Some(Position::Pointer(obj.ptr("state"))),
            format!(
                "unknown review state `{raw}` (expected approved, changes_requested, commented, dismissed or pending)"
            ),
        )
    })?;
    let commit = obj
        .text(cx, "commit_id")?
        .or_else(|| fallback_commit.map(str::to_string));
    Ok(Review {
        reviewer,
        state,
        submitted_at: obj.time(cx, "submitted_at")?,
        commit,
        teams: Vec::new(),
    })
}

fn display_ptr(ptr: &str) -> &str {
    if ptr.is_empty() { "/" } else { ptr }
}

/// GitHub review states, REST (`APPROVED`) or webhook (`approved`) spelling.
pub(crate) fn github_state(raw: &str) -> Option<ReviewState> {
    match raw.to_ascii_lowercase().as_str() {
        "approved" => Some(ReviewState::Approved),
        "changes_requested" => Some(ReviewState::ChangesRequested),
        "commented" => Some(ReviewState::Commented),
        "dismissed" => Some(ReviewState::Dismissed),
        "pending" => Some(ReviewState::Pending),
        _ => None,
    }
}

/// `https://api.github.com/repos/O/R/pulls/N` or `https://github.com/O/R/pull/N`
/// → `O/R#N`.
pub(crate) fn change_id_from_url(url: &str) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['#', '?']).next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let parts: &[&str] = parts.as_slice();
    // host, [repos,] owner, repo, pulls|pull, number
    let tail = match parts {
        [_, "repos", rest @ ..] => rest,
        [_, rest @ ..] => rest,
        [] => return None,
    };
    match tail {
        [owner, repo, "pulls" | "pull", number, ..]
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) =>
        {
            Some(format!("{owner}/{repo}#{number}"))
        }
        _ => None,
    }
}

/// A team object's slug (else its name).
pub(crate) fn team_name(cx: &ParseContext<'_>, team: &Obj<'_>) -> Result<String, ParseError> {
    let slug = match team.text(cx, "slug")? {
        Some(slug) => slug,
        None => team
            .text(cx, "name")?
            .ok_or_else(|| team.missing(cx, "slug"))?,
    };
    Ok(slug)
}

/// Requested reviewers (`{users, teams}`) as pending reviews; a requested
/// team is a pending review by `team:<slug>` with `teams: [<slug>]`.
pub(crate) fn requested(
    cx: &ParseContext<'_>,
    obj: &Obj<'_>,
    reviews: &mut Vec<Review>,
) -> Result<(), ParseError> {
    let mut seen = Reviewers::of(reviews);
    for user in obj.objs(cx, "users")? {
        seen.push_pending(reviews, user_login(cx, &user?)?, Vec::new());
    }
    for team in obj.objs(cx, "teams")? {
        let slug = team_name(cx, &team?)?;
        seen.push_pending(reviews, format!("team:{slug}"), vec![slug]);
    }
    Ok(())
}

/// The eligible reviewers of a `reviewers` list of `{type, reviewer}`
/// entries (environment protection rules, `deployment_review` events).
pub(crate) fn reviewer_entries(
    cx: &ParseContext<'_>,
    obj: &Obj<'_>,
    key: &str,
) -> Result<Vec<String>, ParseError> {
    let mut eligible = Unique::default();
    for entry in obj.objs(cx, key)? {
        let entry = entry?;
        let kind = entry.str(cx, "type")?.unwrap_or(Cow::Borrowed("User"));
        let Some(who) = entry.obj(cx, "reviewer")? else {
            // A reviewer that no longer exists: nothing to name.
            continue;
        };
        let name = if kind.eq_ignore_ascii_case("team") {
            team_name(cx, &who)?
        } else {
            user_login(cx, &who)?
        };
        eligible.push(name);
    }
    Ok(eligible.into_vec())
}

/// One environment: its `required_reviewers` rules; returns its name.
fn environment(
    cx: &ParseContext<'_>,
    env: &Obj<'_>,
    rules: &mut Vec<ApprovalRule>,
) -> Result<String, ParseError> {
    let name = env.req_str(cx, "name")?.into_owned();
    for rule in env.objs(cx, "protection_rules")? {
        let rule = rule?;
        if rule.str(cx, "type")?.as_deref() != Some("required_reviewers") {
            continue;
        }
        let eligible = reviewer_entries(cx, &rule, "reviewers")?;
        // GitHub: any one of the required reviewers approves the deployment.
        rules.push(ApprovalRule {
            name: format!("environment:{name}"),
            required: u32::from(!eligible.is_empty()),
            eligible,
        });
    }
    Ok(name)
}

fn branch_protection(
    cx: &ParseContext<'_>,
    obj: &Obj<'_>,
    rules: &mut Vec<ApprovalRule>,
) -> Result<(), ParseError> {
    let required = obj
        .count(cx, "required_approving_review_count")?
        .unwrap_or(0);
    rules.push(ApprovalRule {
        name: "branch-protection".to_string(),
        required,
        eligible: Vec::new(),
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_ids_from_urls() {
        assert_eq!(
            change_id_from_url("https://api.github.com/repos/PyGithub/PyGithub/pulls/538")
                .as_deref(),
            Some("PyGithub/PyGithub#538")
        );
        assert_eq!(
            change_id_from_url("https://github.com/o/r/pull/7#pullrequestreview-1").as_deref(),
            Some("o/r#7")
        );
        assert_eq!(change_id_from_url("https://github.com/o/r/issues/7"), None);
        assert_eq!(change_id_from_url(""), None);
    }
}
