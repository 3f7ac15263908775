//! GitLab API responses and webhooks that carry approval data:
//!
//! - `GET …/merge_requests/:iid/approvals` (`approved_by`, `approvals_required`);
//! - `GET …/merge_requests/:iid/approval_state` (`rules` with `approved_by`);
//! - approval rules (`GET …/approval_rules`, one rule or an array);
//! - project approval settings (`GET /projects/:id/approvals`);
//! - a merge request (`GET …/merge_requests/:iid`) and the merge request
//!   webhook (`object_kind: merge_request`, incl. `approved`/`unapproved`);
//! - a deployment (`GET …/deployments/:id`, with `approvals` when the
//!   environment is protected) and the deployment webhook.
//!
//! Counters and flags of the source (`approvals_left`, `approved`) are not
//! trusted: approvers are counted, and disagreement is a warning.

use super::{Kind, Node, Obj, Probe, Reviewers, Unique, root_items, user_login};
use crate::error::{ParseCode, WarningCode};
use crate::{ApprovalRule, ApprovalSet, ParseContext, ParseError, Position, Review, ReviewState};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    MrApprovals,
    ApprovalState,
    Rule,
    Rules,
    ProjectConfig,
    MrWebhook,
    DeploymentWebhook,
    MergeRequest,
    Deployment,
}

fn is_rule<'s>(v: impl Probe<'s>) -> bool {
    v.has("approvals_required")
        && (v.has("eligible_approvers") || v.has("rule_type"))
        && v.is("name", Kind::String)
}

fn shape<'s>(v: impl Probe<'s>) -> Option<Shape> {
    if v.kind() == Kind::Array {
        return v.first().filter(|r| is_rule(*r)).map(|_| Shape::Rules);
    }
    let kind = v.str_of("object_kind");
    let kind = kind.as_deref();
    if kind == Some("merge_request") && v.is("object_attributes", Kind::Object) {
        Some(Shape::MrWebhook)
    } else if kind == Some("deployment") && v.has("deployment_id") {
        Some(Shape::DeploymentWebhook)
    } else if kind.is_some() {
        None
    } else if v.is("approved_by", Kind::Array)
        && (v.has("approvals_required") || v.has("approvals_left"))
    {
        Some(Shape::MrApprovals)
    } else if v.has("approval_rules_overwritten") && v.is("rules", Kind::Array) {
        Some(Shape::ApprovalState)
    } else if is_rule(v) {
        Some(Shape::Rule)
    } else if v.has("approvals_before_merge")
        && (v.has("reset_approvals_on_push")
            || v.has("merge_requests_author_approval")
            || v.has("disable_overriding_approvers_per_merge_request"))
    {
        Some(Shape::ProjectConfig)
    } else if v.has("iid")
        && v.has("source_branch")
        && v.has("target_branch")
        && v.is("author", Kind::Object)
        && (v.has("sha") || v.has("diff_refs"))
    {
        Some(Shape::MergeRequest)
    } else if v.has("iid")
        && v.has("sha")
        && v.is("deployable", Kind::Object)
        && v.is("environment", Kind::Object)
        && v.is("user", Kind::Object)
    {
        Some(Shape::Deployment)
    } else {
        None
    }
}

pub(crate) fn sniff(v: &Value) -> bool {
    shape(v).is_some()
}

#[cfg(test)]
pub(crate) fn sniff_node(v: Node<'_, '_>) -> bool {
    shape(v).is_some()
}

pub(crate) fn parse(v: &RawValue, cx: &mut ParseContext<'_>) -> Result<ApprovalSet, ParseError> {
    let root = match Kind::of(v) {
        Kind::Object => Some(Obj::new(cx, v, String::new())?),
        _ => None,
    };
    let node = root.as_ref().map_or(Node::Raw(v), Node::Obj);
    let Some(shape) = shape(node) else {
        return Err(cx.error(
            ParseCode::UnsupportedDocument,
            Some(Position::Pointer(String::new())),
            "not a gitlab approvals, approval state, approval rule, merge request or deployment document",
        ));
    };
    let Some(root) = root else {
        // Only an array of rules is not an object.
        let mut set = ApprovalSet::default();
        let mut approved = Approved::default();
        for obj in root_items(cx, v)? {
            add_rule(cx, &obj?, &mut set, &mut approved)?;
        }
        return Ok(set);
    };
    match shape {
        Shape::MrApprovals => mr_approvals(cx, &root),
        Shape::ApprovalState => {
            let mut set = ApprovalSet {
                change_id: change_id(cx, &root)?,
                ..ApprovalSet::default()
            };
            let mut approved = Approved::default();
            for rule in root.objs(cx, "rules")? {
                add_rule(cx, &rule?, &mut set, &mut approved)?;
            }
            Ok(set)
        }
        Shape::Rule | Shape::Rules => {
            let mut set = ApprovalSet::default();
            add_rule(cx, &root, &mut set, &mut Approved::default())?;
            Ok(set)
        }
        Shape::ProjectConfig => Ok(ApprovalSet {
            rules: vec![ApprovalRule {
                name: "project-approvals".to_string(),
                required: root.count(cx, "approvals_before_merge")?.unwrap_or(0),
                eligible: Vec::new(),
            }],
            ..ApprovalSet::default()
        }),
        Shape::MrWebhook => mr_webhook(cx, &root),
        Shape::DeploymentWebhook => deployment_webhook(cx, &root),
        Shape::MergeRequest => merge_request(cx, &root),
        Shape::Deployment => deployment(cx, &root),
    }
}

/// `group/project!iid` from `references.full` or `web_url`, else
/// `<project_id>!<iid>`, else empty.
fn change_id(cx: &ParseContext<'_>, mr: &Obj<'_>) -> Result<String, ParseError> {
    if let Some(refs) = mr.obj(cx, "references")?
        && let Some(full) = refs.text(cx, "full")?
    {
        return Ok(full);
    }
    let iid = mr.id(cx, "iid")?;
    if let Some(url) = mr.str(cx, "web_url")?
        && let Some(path) = project_path_from_url(&url)
        && let Some(iid) = &iid
    {
        return Ok(format!("{path}!{iid}"));
    }
    Ok(match (mr.id(cx, "project_id")?, iid) {
        (Some(p), Some(i)) => format!("{p}!{i}"),
        _ => String::new(),
    })
}

/// `https://host/group/project[/-]/merge_requests/N` → `group/project`.
fn project_path_from_url(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (_host, path) = rest.split_once('/')?;
    let (project, _) = path.split_once("/merge_requests/")?;
    let project = project.strip_suffix("/-").unwrap_or(project);
    (!project.is_empty()).then(|| project.to_string())
}

fn group_name(cx: &ParseContext<'_>, group: &Obj<'_>) -> Result<String, ParseError> {
    for key in ["full_path", "path", "name"] {
        if let Some(name) = group.text(cx, key)? {
            return Ok(name);
        }
    }
    Err(group.missing(cx, "full_path"))
}

fn approved(reviewer: String, submitted_at: Option<String>) -> Review {
    Review {
        reviewer,
        state: ReviewState::Approved,
        submitted_at,
        commit: None,
        teams: Vec::new(),
    }
}

/// The reviewers with an approval in a set, for adding approvals without a
/// search per approver (approval states and rule lists can be long).
#[derive(Default)]
struct Approved(std::collections::HashSet<String>);

/// Adds an approval unless its reviewer already approved. (Approvals are
/// the only reviews of the sets this is used for.)
fn add_approval(set: &mut ApprovalSet, approved: &mut Approved, review: Review) {
    if approved.0.insert(review.reviewer.clone()) {
        set.reviews.push(review);
    }
}

fn mismatch(cx: &mut ParseContext<'_>, ptr: &str, message: String) {
    cx.warn(
        WarningCode::ApprovalsCounterMismatch,
        format!("{ptr}: {message}; the approvers were counted and the source's counter ignored"),
    );
}

/// One approval rule (approval state, rules API): the rule, plus its
/// `approved_by` users as approved reviews.
fn add_rule(
    cx: &mut ParseContext<'_>,
    rule: &Obj<'_>,
    set: &mut ApprovalSet,
    approved: &mut Approved,
) -> Result<(), ParseError> {
    let name = rule.req_str(cx, "name")?.into_owned();
    let required = rule.count(cx, "approvals_required")?.unwrap_or(0);
    let mut eligible = Unique::default();
    for key in ["eligible_approvers", "users"] {
        for user in rule.objs(cx, key)? {
            eligible.push(user_login(cx, &user?)?);
        }
    }
    for group in rule.objs(cx, "groups")? {
        eligible.push(group_name(cx, &group?)?);
    }
    let approvers = rule.objs(cx, "approved_by")?;
    let count = approvers.len();
    for user in approvers {
        let user = user?;
        let login = match user.obj(cx, "user")? {
            Some(u) => user_login(cx, &u)?,
            None => user_login(cx, &user)?,
        };
        let at = user.time(cx, "approved_at")?;
        add_approval(set, approved, self::approved(login, at));
    }
    if let Some(flag) = rule.bool(cx, "approved")? {
        let counted = u32::try_from(count).unwrap_or(u32::MAX) >= required;
        if flag != counted {
            mismatch(
                cx,
                &rule.ptr("approved"),
                format!(
                    "rule `{name}` says approved: {flag}, but it has {} of {required} required",
                    gate_codes::wording::count(count, "approver", "approvers")
                ),
            );
        }
    }
    if let Some(left) = rule.count(cx, "approvals_left")? {
        let expected = required.saturating_sub(u32::try_from(count).unwrap_or(u32::MAX));
        if left != expected {
            mismatch(
                cx,
                &rule.ptr("approvals_left"),
                format!(
                    "rule `{name}` says {} left, but {count} of {required} required were given",
                    gate_codes::wording::count(left, "approval", "approvals")
                ),
            );
        }
    }
    set.rules.push(ApprovalRule {
        name,
        required,
        eligible: eligible.into_vec(),
    });
    Ok(())
}

fn mr_approvals(cx: &mut ParseContext<'_>, root: &Obj<'_>) -> Result<ApprovalSet, ParseError> {
    let mut set = ApprovalSet {
        change_id: change_id(cx, root)?,
        author: root.user(cx, "author")?,
        head_commit: root.text(cx, "sha")?,
        created_at: root.time(cx, "created_at")?,
        ..ApprovalSet::default()
    };
    let mut approved = Approved::default();
    for entry in root.objs(cx, "approved_by")? {
        let entry = entry?;
        let login = match entry.obj(cx, "user")? {
            Some(u) => user_login(cx, &u)?,
            None => user_login(cx, &entry)?,
        };
        let at = entry.time(cx, "approved_at")?;
        add_approval(&mut set, &mut approved, self::approved(login, at));
    }
    let count = u32::try_from(set.reviews.len()).unwrap_or(u32::MAX);
    if let Some(required) = root.count(cx, "approvals_required")? {
        let mut eligible = Unique::default();
        for entry in root.objs(cx, "approvers")? {
            let entry = entry?;
            let user = match entry.obj(cx, "user")? {
                Some(u) => u,
                None => entry,
            };
            eligible.push(user_login(cx, &user)?);
        }
        for entry in root.objs(cx, "approver_groups")? {
            let entry = entry?;
            let group = match entry.obj(cx, "group")? {
                Some(g) => g,
                None => entry,
            };
            eligible.push(group_name(cx, &group)?);
        }
        if let Some(left) = root.count(cx, "approvals_left")? {
            let expected = required.saturating_sub(count);
            if left != expected {
                mismatch(
                    cx,
                    &root.ptr("approvals_left"),
                    format!(
                        "{} left, but {count} of {required} required were given",
                        gate_codes::wording::count(left, "approval", "approvals")
                    ),
                );
            }
        }
        if let Some(flag) = root.bool(cx, "approved")?
            && flag != (count >= required)
        {
            mismatch(
                cx,
                &root.ptr("approved"),
                format!("approved: {flag}, but {count} of {required} required were given"),
            );
        }
        set.rules.push(ApprovalRule {
            name: "approvals-required".to_string(),
            required,
            eligible: eligible.into_vec(),
        });
    }
    Ok(set)
}

fn merge_request(cx: &mut ParseContext<'_>, mr: &Obj<'_>) -> Result<ApprovalSet, ParseError> {
    let head_commit = match mr.text(cx, "sha")? {
        Some(sha) => Some(sha),
        None => match mr.obj(cx, "diff_refs")? {
            Some(refs) => refs.text(cx, "head_sha")?,
            None => None,
        },
    };
    let mut set = ApprovalSet {
        change_id: change_id(cx, mr)?,
        author: mr.user(cx, "author")?,
        head_commit,
        created_at: mr.time(cx, "created_at")?,
        ..ApprovalSet::default()
    };
    let mut seen = Reviewers::of(&set.reviews);
    for user in mr.objs(cx, "reviewers")? {
        seen.push_pending(&mut set.reviews, user_login(cx, &user?)?, Vec::new());
    }
    if let Some(required) = mr.count(cx, "approvals_before_merge")? {
        set.rules.push(ApprovalRule {
            name: "approvals-before-merge".to_string(),
            required,
            eligible: Vec::new(),
        });
    }
    Ok(set)
}

fn mr_webhook(cx: &mut ParseContext<'_>, root: &Obj<'_>) -> Result<ApprovalSet, ParseError> {
    let attrs = root.req_obj(cx, "object_attributes")?;
    let mut path = match root.obj(cx, "project")? {
        Some(p) => p.text(cx, "path_with_namespace")?,
        None => None,
    };
    if path.is_none()
        && let Some(target) = attrs.obj(cx, "target")?
    {
        path = target.text(cx, "path_with_namespace")?;
    }
    let change_id = match (path, attrs.id(cx, "iid")?) {
        (Some(p), Some(i)) => format!("{p}!{i}"),
        (None, Some(i)) => format!("!{i}"),
        (_, None) => return Err(attrs.missing(cx, "iid")),
    };
    let actor = root.obj(cx, "user")?;
    let actor_login = match &actor {
        Some(u) => Some(user_login(cx, u)?),
        None => None,
    };
    // The webhook names the author by id only; the actor is the author when
    // the ids match.
    let author = match (&actor, attrs.id(cx, "author_id")?) {
        (Some(u), Some(author_id)) if u.id(cx, "id")?.as_deref() == Some(author_id.as_str()) => {
            actor_login.clone()
        }
        _ => None,
    };
    let head_commit = match attrs.obj(cx, "last_commit")? {
        Some(c) => c.text(cx, "id")?,
        None => None,
    };
    let mut set = ApprovalSet {
        change_id,
        author,
        head_commit,
        created_at: attrs.time(cx, "created_at")?,
        ..ApprovalSet::default()
    };
    let state = match attrs.str(cx, "action")?.as_deref() {
        Some("approved" | "approval") => Some(ReviewState::Approved),
        Some("unapproved" | "unapproval") => Some(ReviewState::Dismissed),
        _ => None,
    };
    if let Some(state) = state {
        let reviewer = actor_login.ok_or_else(|| root.missing(cx, "user"))?;
        set.reviews.push(Review {
            reviewer,
            state,
            submitted_at: attrs.time(cx, "updated_at")?,
            commit: set.head_commit.clone(),
            teams: Vec::new(),
        });
    }
    let mut seen = Reviewers::of(&set.reviews);
    for user in root.objs(cx, "reviewers")? {
        seen.push_pending(&mut set.reviews, user_login(cx, &user?)?, Vec::new());
    }
    Ok(set)
}

fn deployment_webhook(
    cx: &mut ParseContext<'_>,
    root: &Obj<'_>,
) -> Result<ApprovalSet, ParseError> {
    let path = match root.obj(cx, "project")? {
        Some(p) => p.text(cx, "path_with_namespace")?,
        None => None,
    };
    let id = root
        .id(cx, "deployment_id")?
        .ok_or_else(|| root.missing(cx, "deployment_id"))?;
    let short = root.text(cx, "short_sha")?;
    // The full sha is only in `commit_url`; take it when it extends `short_sha`.
    let url = root.str(cx, "commit_url")?;
    let full = url
        .as_deref()
        .and_then(|u| u.rsplit('/').next())
        .filter(|s| s.len() >= 7 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .filter(|s| short.as_deref().is_none_or(|short| s.starts_with(short)))
        .map(str::to_string);
    Ok(ApprovalSet {
        change_id: match path {
            Some(p) => format!("{p}/deployments/{id}"),
            None => format!("deployments/{id}"),
        },
        environment: root.text(cx, "environment")?,
        head_commit: full.or(short),
        deployer: root.user(cx, "user")?,
        ..ApprovalSet::default()
    })
}

fn deployment(cx: &mut ParseContext<'_>, dep: &Obj<'_>) -> Result<ApprovalSet, ParseError> {
    let id = dep.id(cx, "id")?.ok_or_else(|| dep.missing(cx, "id"))?;
    let environment = match dep.obj(cx, "environment")? {
        Some(env) => env.text(cx, "name")?,
        None => None,
    };
    let head_commit = dep.text(cx, "sha")?;
    let mut set = ApprovalSet {
        change_id: format!("deployments/{id}"),
        environment,
        head_commit: head_commit.clone(),
        created_at: dep.time(cx, "created_at")?,
        deployer: dep.user(cx, "user")?,
        ..ApprovalSet::default()
    };
    // Protected environments: `approvals` [{user, status, created_at}].
    for approval in dep.objs(cx, "approvals")? {
        let approval = approval?;
        let user = approval.req_obj(cx, "user")?;
        let raw = approval.req_str(cx, "status")?;
        let state = match raw.as_ref() {
            "approved" => ReviewState::Approved,
            "rejected" => ReviewState::ChangesRequested,
            other => {
                return Err(cx.error(
                    ParseCode::InvalidState,
                    Some(Position::Pointer(approval.ptr("status"))),
                    format!("unknown deployment approval status `{other}` (expected approved or rejected)"),
                ));
            }
        };
        set.reviews.push(Review {
            reviewer: user_login(cx, &user)?,
            state,
            submitted_at: approval.time(cx, "created_at")?,
            commit: head_commit.clone(),
            teams: Vec::new(),
        });
    }
    if let Some(summary) = dep.obj(cx, "approval_summary")? {
        for rule in summary.objs(cx, "rules")? {
            let rule = rule?;
            let name = match rule.text(cx, "access_level_description")? {
                Some(n) => n,
                None => match (rule.id(cx, "group_id")?, rule.id(cx, "user_id")?) {
                    (Some(g), _) => format!("group:{g}"),
                    (None, Some(u)) => format!("user:{u}"),
                    (None, None) => "deployment-approval".to_string(),
                },
            };
            set.rules.push(ApprovalRule {
                name,
                required: rule.count(cx, "required_approvals")?.unwrap_or(0),
                eligible: Vec::new(),
            });
        }
    }
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_paths() {
        assert_eq!(
            project_path_from_url("https://gitlab.com/gitlab-org/gitlab-ee/merge_requests/14656")
                .as_deref(),
            Some("gitlab-org/gitlab-ee")
        );
        assert_eq!(
            project_path_from_url("http://localhost:3001/my-group/my-project/-/merge_requests/19")
                .as_deref(),
            Some("my-group/my-project")
        );
        assert_eq!(
            project_path_from_url("https://gitlab.com/merge_requests/1"),
            None
        );
    }
}
