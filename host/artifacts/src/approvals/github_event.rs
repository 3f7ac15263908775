//! GitHub webhook / Actions event payloads (`$GITHUB_EVENT_PATH`) that carry
//! approval data:
//!
//! - `pull_request`, `pull_request_review` (and other events with a top-level
//!   `pull_request`): change `owner/repo#N`, author, head commit, the
//!   submitted/dismissed review, requested reviewers as `pending` reviews;
//! - `deployment_review` (`requested` / `approved` / `rejected`): change
//!   `owner/repo/actions/runs/<id>`, environment, the environment's required
//!   reviewers as a rule, the approver's decision as a review;
//! - `deployment`, `deployment_status`, `workflow_job` with a `deployment`,
//!   `deployment_protection_rule`: change `owner/repo/deployments/<id>`,
//!   environment, deployer, commit — and no reviews.
//!
//! Other events (`push`, `merge_group`, `workflow_run`, `check_suite`,
//! `status`, alerts) carry no approval data: they are not detected, and
//! forcing this format on them is an `unsupported-event` error.

use super::github_reviews::{review, reviewer_entries, team_name};
use super::{Kind, Node, Obj, Probe, Reviewers, user_login};
use crate::error::ParseCode;
use crate::{ApprovalRule, ApprovalSet, ParseContext, ParseError, Position, Review, ReviewState};
use serde_json::Value;
use serde_json::value::RawValue;

fn is_pull_request<'s>(v: impl Probe<'s>) -> bool {
    v.field("pull_request")
        .is_some_and(|pr| pr.is("head", Kind::Object) && pr.is("user", Kind::Object))
}

fn is_deployment_review<'s>(v: impl Probe<'s>) -> bool {
    v.is("environment", Kind::String)
        && v.is("workflow_run", Kind::Object)
        && (v.is("reviewers", Kind::Array)
            || v.is("approver", Kind::Object)
            || v.is("requestor", Kind::Object))
}

fn is_deployment<'s>(v: impl Probe<'s>) -> bool {
    v.field("deployment")
        .is_some_and(|d| d.has("sha") && d.has("environment"))
}

/// A GitHub webhook payload of any event: repository events carry both
/// `sender` and `repository`; others an `action` and one of them.
pub(crate) fn is_webhook(v: &Value) -> bool {
    (v.is("sender", Kind::Object) && v.is("repository", Kind::Object))
        || (v.is("action", Kind::String) && (v.has("sender") || v.has("repository")))
}

pub(crate) fn sniff(v: &Value) -> bool {
    is_webhook(v) && (is_pull_request(v) || is_deployment_review(v) || is_deployment(v))
}

pub(crate) fn parse(v: &RawValue, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let root = Obj::new(cx, v, String::new())?;
    let repo = match root.obj(cx, "repository")? {
        Some(r) => r.text(cx, "full_name")?,
        None => None,
    };
    if root.get("pull_request").is_some() {
        pull_request(cx, &root, repo)
    } else if is_deployment_review(Node::Obj(&root)) {
        deployment_review(cx, &root, repo)
    } else if root.has("deployment") {
        deployment(cx, &root, repo)
    } else {
        Err(cx.error(
            ParseCode::UnsupportedEvent,
            Some(Position::Pointer(String::new())),
            "github event carries no approval data (no pull request, review or deployment)",
        ))
    }
}

fn pull_request(
    cx: &mut ParseContext<'_>,
    root: &Obj<'_>,
    repo: Option<String>,
) -> Result<ApprovalSet, ParseError> {
    let pr = root.req_obj(cx, "pull_request")?;
    let head = pr.req_obj(cx, "head")?;
    let repo = match repo {
        Some(r) => Some(r),
        None => match pr.obj(cx, "base")? {
            Some(base) => match base.obj(cx, "repo")? {
                Some(r) => r.text(cx, "full_name")?,
                None => None,
            },
            None => None,
        },
    };
    let number = match pr.id(cx, "number")? {
        Some(n) => Some(n),
        None => root.id(cx, "number")?,
    };
    let change_id = match (repo, number) {
        (Some(repo), Some(n)) => format!("{repo}#{n}"),
        _ => pr
            .str(cx, "url")?
            .as_deref()
            .and_then(super::github_reviews::change_id_from_url)
            .unwrap_or_default(),
    };
    let head_commit = head.text(cx, "sha")?;
    let mut set = ApprovalSet {
        change_id,
        author: pr.user(cx, "user")?,
        head_commit,
        created_at: pr.time(cx, "created_at")?,
        ..ApprovalSet::default()
    };
    if let Some(r) = root.obj(cx, "review")? {
        set.reviews.push(review(cx, &r, None)?);
    }
    let mut seen = Reviewers::of(&set.reviews);
    for user in pr.objs(cx, "requested_reviewers")? {
        let user = user?;
        // GitHub lists teams separately, but be lenient with team objects here.
        if user.has("slug") && !user.has("login") {
            let slug = team_name(cx, &user)?;
            seen.push_pending(&mut set.reviews, format!("team:{slug}"), vec![slug]);
        } else {
            seen.push_pending(&mut set.reviews, user_login(cx, &user)?, Vec::new());
        }
    }
    let teams = pr.objs(cx, "requested_teams")?;
    let team = root.obj(cx, "requested_team")?;
    for team in teams.chain(team.map(Ok)) {
        let slug = team_name(cx, &team?)?;
        seen.push_pending(&mut set.reviews, format!("team:{slug}"), vec![slug]);
    }
    if let Some(user) = root.user(cx, "requested_reviewer")? {
        seen.push_pending(&mut set.reviews, user, Vec::new());
    }
    Ok(set)
}

fn deployment_review(
    cx: &mut ParseContext<'_>,
    root: &Obj<'_>,
    repo: Option<String>,
) -> Result<ApprovalSet, ParseError> {
    let environment = root.req_str(cx, "environment")?.into_owned();
    let run = root.req_obj(cx, "workflow_run")?;
    let change_id = match (repo, run.id(cx, "id")?) {
        (Some(repo), Some(id)) => format!("{repo}/actions/runs/{id}"),
        (None, Some(id)) => format!("actions/runs/{id}"),
        (_, None) => return Err(run.missing(cx, "id")),
    };
    let head_commit = run.text(cx, "head_sha")?;
    let deployer = match root.user(cx, "requestor")? {
        Some(u) => Some(u),
        None => match run.user(cx, "triggering_actor")? {
            Some(u) => Some(u),
            None => run.user(cx, "actor")?,
        },
    };
    let mut set = ApprovalSet {
        change_id,
        environment: Some(environment.clone()),
        created_at: run.time(cx, "created_at")?,
        deployer,
        ..ApprovalSet::default()
    };
    let eligible = reviewer_entries(cx, root, "reviewers")?;
    if !eligible.is_empty() {
        // Any one of an environment's required reviewers may approve.
        set.rules.push(ApprovalRule {
            name: format!("environment:{environment}"),
            required: 1,
            eligible,
        });
    }
    let action = root.req_str(cx, "action")?;
    let decision = match action.as_ref() {
        "approved" => Some(ReviewState::Approved),
        "rejected" => Some(ReviewState::ChangesRequested),
        _ => None,
    };
    if let Some(state) = decision {
        let approver = root
            .user(cx, "approver")?
            .ok_or_else(|| root.missing(cx, "approver"))?;
        set.reviews.push(Review {
            reviewer: approver,
            state,
            submitted_at: None,
            commit: head_commit.clone(),
            teams: Vec::new(),
        });
    }
    set.head_commit = head_commit;
    Ok(set)
}

fn deployment(
    cx: &mut ParseContext<'_>,
    root: &Obj<'_>,
    repo: Option<String>,
) -> Result<ApprovalSet, ParseError> {
    let dep = root.req_obj(cx, "deployment")?;
    let change_id = match (repo, dep.id(cx, "id")?) {
        (Some(repo), Some(id)) => format!("{repo}/deployments/{id}"),
        (None, Some(id)) => format!("deployments/{id}"),
        (_, None) => return Err(dep.missing(cx, "id")),
    };
    Ok(ApprovalSet {
        change_id,
        environment: dep.text(cx, "environment")?,
        head_commit: dep.text(cx, "sha")?,
        created_at: dep.time(cx, "created_at")?,
        deployer: dep.user(cx, "creator")?,
        ..ApprovalSet::default()
    })
}
