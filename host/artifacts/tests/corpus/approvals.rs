//! Corpus tests: approvals. Every file of `corpus/approvals` is either an
//! approvals document of a known format (with exact reviewers, states,
//! commits and required counts asserted below) or not detected as one.

use crate::{corpus_or_skip, parse};
use gate_artifacts::{
    ApprovalRule, ApprovalSet, Document, Format, Model, ParseOptions, Parsed, Position, Review,
    ReviewState,
};

/// What each corpus file is. `None`: no approval data, so not detected
/// (`unknown-format`):
/// - octokit fixtures are recordings of whole HTTP exchanges, not responses;
/// - `check_suite`, `code_scanning_alert`, `dependabot_alert`, `merge_group`,
///   `status`, `workflow_run` events name no reviewer, rule or deployment;
/// - GitLab environment, protected branch, external status checks (a check
///   result without its status) and pipeline webhooks carry no approvals.
const EXPECTED: &[(&str, Option<Format>)] = &[
    (
        "approvals/github/octokit-fixtures/branch-protection.normalized-fixture.json",
        None,
    ),
    (
        "approvals/github/octokit-fixtures/create-status.normalized-fixture.json",
        None,
    ),
    (
        "approvals/github/rest-api-recorded/GET-branch-protection-required_pull_request_reviews.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/GET-pulls-31-requested_reviewers.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/GET-pulls-538-reviews.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/GET-repos-environment-dev-with-required-reviewers.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/GET-repos-environment-dev.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/GET-repos-environments.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/POST-pulls-173-reviews-APPROVE.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/rest-api-recorded/PUT-pulls-538-review-dismissals.json",
        Some(Format::GithubReviews),
    ),
    (
        "approvals/github/webhook-pull_request-event.json",
        Some(Format::GithubEvent),
    ),
    ("approvals/github/webhooks/check_suite.completed.json", None),
    (
        "approvals/github/webhooks/code_scanning_alert.created.json",
        None,
    ),
    (
        "approvals/github/webhooks/dependabot_alert.created.json",
        None,
    ),
    (
        "approvals/github/webhooks/deployment.created.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/deployment.gh-pages.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/deployment_review.requested.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/deployment_status.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/merge_group.checks_requested.json",
        None,
    ),
    (
        "approvals/github/webhooks/pull_request.review_requested.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/pull_request_review.dismissed.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/pull_request_review.submitted.json",
        Some(Format::GithubEvent),
    ),
    ("approvals/github/webhooks/status.json", None),
    (
        "approvals/github/webhooks/workflow_job.queued.with-deployment.json",
        Some(Format::GithubEvent),
    ),
    (
        "approvals/github/webhooks/workflow_run.completed.with-pull-requests.json",
        None,
    ),
    (
        "approvals/gitlab/approval-rule.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/deployment-event-webhook.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/deployment.json",
        Some(Format::GitlabApprovals),
    ),
    ("approvals/gitlab/environment.json", None),
    (
        "approvals/gitlab/external-status-check-event.json",
        Some(Format::GitlabApprovals),
    ),
    ("approvals/gitlab/external-status-check-result.json", None),
    ("approvals/gitlab/external-status-checks.json", None),
    (
        "approvals/gitlab/go-gitlab-get-merge-request.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/go-gitlab-webhook-deployment.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/go-gitlab-webhook-merge_request.json",
        Some(Format::GitlabApprovals),
    ),
    ("approvals/gitlab/go-gitlab-webhook-pipeline.json", None),
    (
        "approvals/gitlab/merge-request-event-webhook.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/mr-approval-state.json",
        Some(Format::GitlabApprovals),
    ),
    (
        "approvals/gitlab/mr-approvals.json",
        Some(Format::GitlabApprovals),
    ),
    ("approvals/gitlab/pipeline-event-webhook.json", None),
    (
        "approvals/gitlab/project-approvals-config.json",
        Some(Format::GitlabApprovals),
    ),
    ("approvals/gitlab/protected-branch.json", None),
];

/// Warnings expected on corpus files (all others parse without warnings).
const WARNED: &[(&str, &str)] = &[
    (
        "approvals/gitlab/mr-approvals.json",
        "approvals-counter-mismatch",
    ),
    (
        "approvals/gitlab/mr-approval-state.json",
        "approvals-counter-mismatch",
    ),
];

#[test]
fn approvals_corpus_walk() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    crate::walk(&corpus.join("approvals"), &mut files);
    files.sort();
    let mut listed: Vec<&str> = EXPECTED.iter().map(|(p, _)| *p).collect();
    listed.sort_unstable();
    assert_eq!(files, listed, "corpus/approvals changed: update EXPECTED");
    for (rel, want) in EXPECTED {
        match (parse(rel), want) {
            (Ok(p), Some(f)) => {
                assert_eq!(p.format, *f, "{rel}");
                assert!(matches!(p.model, Model::Approvals(_)), "{rel}");
                let codes: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
                let expected: Vec<&str> = WARNED
                    .iter()
                    .filter(|(p, _)| p == rel)
                    .map(|(_, c)| *c)
                    .collect();
                assert_eq!(codes, expected, "{rel}: {:?}", p.warnings);
            }
            (Err(e), None) => assert_eq!(e.code.as_str(), "unknown-format", "{rel}: {e}"),
            (Ok(p), None) => panic!("{rel} should not be detected, parsed as {}", p.format),
            (Err(e), Some(f)) => panic!("{rel} should parse as {f}: {e}"),
        }
    }
}

fn set(rel: &str) -> (Parsed, ApprovalSet) {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let Model::Approvals(s) = p.model.clone() else {
        panic!("{rel} is not approvals")
    };
    (p, s)
}

fn review(who: &str, state: ReviewState, at: Option<&str>, commit: Option<&str>) -> Review {
    Review {
        reviewer: who.into(),
        state,
        submitted_at: at.map(String::from),
        commit: commit.map(String::from),
        teams: Vec::new(),
    }
}

fn pending(who: &str) -> Review {
    review(who, ReviewState::Pending, None, None)
}

fn rule(name: &str, required: u32, eligible: &[&str]) -> ApprovalRule {
    ApprovalRule {
        name: name.into(),
        required,
        eligible: eligible.iter().map(|e| e.to_string()).collect(),
    }
}

use ReviewState::{Approved, ChangesRequested, Commented, Dismissed};

// ------------------------------------------------------------ GitHub REST

#[test]
fn github_pull_request_reviews_list() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, s) = set("approvals/github/rest-api-recorded/GET-pulls-538-reviews.json");
    assert_eq!(p.format, Format::GithubReviews);
    assert_eq!(s.change_id, "PyGithub/PyGithub#538");
    let old = Some("7a0fcb27b7cd6c346fc3f76216ccb6e0f4ca3bcc");
    let new = Some("2f0e4e55fe87e38d26efc9aa1346f56abfbd6c52");
    assert_eq!(
        s.reviews,
        vec![
            review("jzelinskie", Approved, Some("2017-03-22T19:06:59Z"), old),
            review("electrofelix", Commented, Some("2018-03-16T14:23:47Z"), new),
            review("sfdye", Commented, Some("2018-03-20T14:03:38Z"), new),
            review("sfdye", Commented, Some("2018-03-20T14:15:45Z"), new),
            review("sfdye", Commented, Some("2018-03-20T14:21:07Z"), new),
        ]
    );
    assert!(s.rules.is_empty() && s.author.is_none() && s.head_commit.is_none());
}

#[test]
fn github_single_review_responses() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set("approvals/github/rest-api-recorded/POST-pulls-173-reviews-APPROVE.json");
    assert_eq!(s.change_id, "coleslaw-org/coleslaw#173");
    assert_eq!(
        s.reviews,
        vec![review(
            "Ferada",
            Approved,
            Some("2019-07-15T16:42:30Z"),
            Some("8492120a51c13d713c8a9121f079de2220190ce5")
        )]
    );
    let (_, s) = set("approvals/github/rest-api-recorded/PUT-pulls-538-review-dismissals.json");
    assert_eq!(s.change_id, "PyGithub/PyGithub#538");
    assert_eq!(
        s.reviews,
        vec![review(
            "jzelinskie",
            Dismissed,
            Some("2017-03-22T19:06:59Z"),
            Some("7a0fcb27b7cd6c346fc3f76216ccb6e0f4ca3bcc")
        )]
    );
}

#[test]
fn github_requested_reviewers_are_pending() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set("approvals/github/rest-api-recorded/GET-pulls-31-requested_reviewers.json");
    let mut team = pending("team:pygithub-owners");
    team.teams = vec!["pygithub-owners".into()];
    assert_eq!(s.reviews, vec![pending("sfdye"), team]);
    assert_eq!(
        s.change_id, "",
        "the response does not name its pull request"
    );
}

#[test]
fn github_environment_required_reviewers_are_rules() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set(
        "approvals/github/rest-api-recorded/GET-repos-environment-dev-with-required-reviewers.json",
    );
    assert_eq!(s.environment.as_deref(), Some("dev"));
    // A user and a team; any one of them approves (wait timer and branch
    // policy are not approval rules).
    assert_eq!(
        s.rules,
        vec![rule("environment:dev", 1, &["alson", "justice-league"])]
    );
    assert!(s.reviews.is_empty());
    for rel in [
        "approvals/github/rest-api-recorded/GET-repos-environment-dev.json",
        "approvals/github/rest-api-recorded/GET-repos-environments.json",
    ] {
        let (_, s) = set(rel);
        assert_eq!(s.environment.as_deref(), Some("dev"), "{rel}");
        assert_eq!(
            s.rules,
            vec![rule("environment:dev", 1, &["alson"])],
            "{rel}"
        );
    }
}

#[test]
fn github_branch_protection_required_review_count() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set(
        "approvals/github/rest-api-recorded/GET-branch-protection-required_pull_request_reviews.json",
    );
    assert_eq!(s.rules, vec![rule("branch-protection", 3, &[])]);
    assert_eq!(s.change_id, "");
}

// ---------------------------------------------------------- GitHub events

const HEAD: &str = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

#[test]
fn github_pull_request_events() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    for rel in [
        "approvals/github/webhook-pull_request-event.json",
        "approvals/github/webhooks/pull_request.review_requested.json",
        "approvals/github/webhooks/pull_request_review.submitted.json",
        "approvals/github/webhooks/pull_request_review.dismissed.json",
    ] {
        let (_, s) = set(rel);
        assert_eq!(s.change_id, "Codertocat/Hello-World#2", "{rel}");
        assert_eq!(s.author.as_deref(), Some("Codertocat"), "{rel}");
        assert_eq!(s.head_commit.as_deref(), Some(HEAD), "{rel}");
        assert_eq!(
            s.created_at.as_deref(),
            Some("2019-05-15T15:20:33Z"),
            "{rel}"
        );
        assert_eq!(s.environment, None, "{rel}");
        assert!(s.rules.is_empty(), "{rel}");
    }
    let (_, s) = set("approvals/github/webhook-pull_request-event.json");
    assert!(s.reviews.is_empty());
    let (_, s) = set("approvals/github/webhooks/pull_request.review_requested.json");
    assert_eq!(s.reviews, vec![pending("octocat")]);
    // The author commenting on their own PR; octocat is still requested.
    let at = Some("2019-05-15T15:20:38Z");
    let (_, s) = set("approvals/github/webhooks/pull_request_review.submitted.json");
    assert_eq!(
        s.reviews,
        vec![
            review("Codertocat", Commented, at, Some(HEAD)),
            pending("octocat")
        ]
    );
    let (_, s) = set("approvals/github/webhooks/pull_request_review.dismissed.json");
    assert_eq!(
        s.reviews,
        vec![
            review("Codertocat", Dismissed, at, Some(HEAD)),
            pending("octocat")
        ]
    );
}

#[test]
fn github_deployment_events() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let sha = Some("f95f852bd8fca8fcc58a9a2d6c842781e32a215e");
    for (rel, env, deployer, created) in [
        (
            "approvals/github/webhooks/deployment.created.json",
            "production",
            "Codertocat",
            "2019-05-15T15:20:53Z",
        ),
        (
            "approvals/github/webhooks/deployment_status.json",
            "production",
            "Codertocat",
            "2019-05-15T15:20:53Z",
        ),
        (
            "approvals/github/webhooks/deployment.gh-pages.json",
            "github-pages",
            "github-pages[bot]",
            "2022-01-03T01:28:30Z",
        ),
    ] {
        let (_, s) = set(rel);
        assert_eq!(
            s.change_id, "Codertocat/Hello-World/deployments/145988746",
            "{rel}"
        );
        assert_eq!(s.environment.as_deref(), Some(env), "{rel}");
        assert_eq!(s.deployer.as_deref(), Some(deployer), "{rel}");
        assert_eq!(s.head_commit.as_deref(), sha, "{rel}");
        assert_eq!(s.created_at.as_deref(), Some(created), "{rel}");
        assert!(
            s.reviews.is_empty() && s.rules.is_empty() && s.author.is_none(),
            "{rel}"
        );
    }
    let (_, s) = set("approvals/github/webhooks/workflow_job.queued.with-deployment.json");
    assert_eq!(
        s.change_id,
        "lineville/elastic-machines-testing/deployments/875096709"
    );
    assert_eq!(s.environment.as_deref(), Some("Test"));
    assert_eq!(s.deployer.as_deref(), Some("lineville"));
    assert_eq!(
        s.head_commit.as_deref(),
        Some("16c5286e8d9a0629956a28938386b36608707a71")
    );
}

#[test]
fn github_deployment_review_requested() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, s) = set("approvals/github/webhooks/deployment_review.requested.json");
    assert_eq!(p.format, Format::GithubEvent);
    assert_eq!(
        s.change_id,
        "terraform-test-github/sample-app/actions/runs/5453085689"
    );
    assert_eq!(s.environment.as_deref(), Some("TST"));
    assert_eq!(s.deployer.as_deref(), Some("ilmax"));
    assert_eq!(
        s.head_commit.as_deref(),
        Some("5275a45b7e99c7fd7265b790392c10a74101a67a")
    );
    assert_eq!(s.created_at.as_deref(), Some("2023-07-04T09:28:10Z"));
    assert_eq!(s.rules, vec![rule("environment:TST", 1, &["admins"])]);
    assert!(s.reviews.is_empty(), "requested, not yet approved");
}

/// The corpus has only `requested`; `approved` / `rejected` are the same
/// payload with `approver` (the schema of octokit/webhooks).
#[test]
fn github_deployment_review_decisions() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("approvals/github/webhooks/deployment_review.requested.json"),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let requestor = v["requestor"].take();
    v.as_object_mut().unwrap().remove("requestor");
    v["approver"] = serde_json::json!({"login": "octocat", "id": 1});
    v["comment"] = "ship it".into();
    let head = Some("5275a45b7e99c7fd7265b790392c10a74101a67a");
    for (action, state) in [("approved", Approved), ("rejected", ChangesRequested)] {
        v["action"] = action.into();
        let p = parse_bytes(&v.to_string(), None).unwrap();
        assert_eq!(p.format, Format::GithubEvent);
        let Model::Approvals(s) = p.model else {
            panic!()
        };
        assert_eq!(s.reviews, vec![review("octocat", state, None, head)]);
        // Without a requestor, the run's triggering actor deployed.
        assert_eq!(s.deployer.as_deref(), requestor["login"].as_str());
    }
    v.as_object_mut().unwrap().remove("approver");
    v["action"] = "approved".into();
    let e = parse_bytes(&v.to_string(), Some(Format::GithubEvent)).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("missing-field", Some(ptr("/approver")))
    );
}

#[test]
fn github_events_without_approval_data_are_refused_when_forced() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for rel in [
        "approvals/github/webhooks/merge_group.checks_requested.json",
        "approvals/github/webhooks/workflow_run.completed.with-pull-requests.json",
        "approvals/github/webhooks/status.json",
    ] {
        let text = std::fs::read_to_string(corpus.join(rel)).unwrap();
        let e = parse_bytes(&text, Some(Format::GithubEvent)).unwrap_err();
        assert_eq!(e.code.as_str(), "unsupported-event", "{rel}");
    }
}

// ----------------------------------------------------------------- GitLab

/// The corpus README's GitLab inconsistencies: `approvals_required: 2`,
/// `approvals_left: 1` with two approvers; a rule `approved: true` with one
/// of two approvals. Counters are not trusted: the approvers are recorded,
/// the required counts kept, and the disagreement warned about.
#[test]
fn gitlab_counters_are_not_trusted() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (p, s) = set("approvals/gitlab/mr-approvals.json");
    assert_eq!(s.change_id, "1!5", "project id when the path is unknown");
    assert_eq!(
        s.created_at.as_deref(),
        Some("2016-06-08T00:19:52Z"),
        "fraction truncated"
    );
    assert_eq!(
        s.reviews,
        vec![
            review("root", Approved, None, None),
            review("ryley", Approved, None, None)
        ]
    );
    assert_eq!(s.rules, vec![rule("approvals-required", 2, &[])]);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(
        p.warnings[0].message,
        "/approvals_left: 1 approval left, but 2 of 2 required were given; \
         the approvers were counted and the source's counter ignored"
    );

    let (p, s) = set("approvals/gitlab/mr-approval-state.json");
    assert_eq!(s.reviews, vec![review("jdoe", Approved, None, None)]);
    assert_eq!(s.rules, vec![rule("Ruby", 2, &["jdoe"])]);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(
        p.warnings[0].message,
        "/rules/0/approved: rule `Ruby` says approved: true, but it has 1 approver of 2 \
         required; the approvers were counted and the source's counter ignored"
    );
}

#[test]
fn gitlab_rules_and_settings() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set("approvals/gitlab/approval-rule.json");
    // eligible_approvers (groups already expanded) plus the group itself.
    assert_eq!(
        s.rules,
        vec![rule("security", 1, &["jdoe", "group_member_1", "group1"])]
    );
    assert!(s.reviews.is_empty());
    let (_, s) = set("approvals/gitlab/project-approvals-config.json");
    assert_eq!(s.rules, vec![rule("project-approvals", 2, &[])]);
    assert_eq!(s.change_id, "");
}

#[test]
fn gitlab_merge_requests() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, s) = set("approvals/gitlab/go-gitlab-get-merge-request.json");
    assert_eq!(s.change_id, "gitlab-org/gitlab-ee!14656");
    assert_eq!(s.author.as_deref(), Some("alexkalderimis"));
    assert_eq!(
        s.head_commit.as_deref(),
        Some("8e0b45049b6253b8984cde9241830d2851168142")
    );
    assert_eq!(s.created_at.as_deref(), Some("2019-07-11T22:34:43Z"));
    assert_eq!(s.reviews, vec![pending("tkuah")]);
    assert_eq!(s.rules, vec![rule("approvals-before-merge", 1, &[])]);

    for rel in [
        "approvals/gitlab/merge-request-event-webhook.json",
        "approvals/gitlab/go-gitlab-webhook-merge_request.json",
    ] {
        let (_, s) = set(rel);
        assert_eq!(s.change_id, "gitlabhq/gitlab-test!1", "{rel}");
        assert_eq!(
            s.author, None,
            "{rel}: the author (id 51) is not the event's user"
        );
        assert_eq!(
            s.head_commit.as_deref(),
            Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7"),
            "{rel}"
        );
        assert_eq!(
            s.created_at.as_deref(),
            Some("2013-12-03T17:23:34Z"),
            "{rel}"
        );
        assert_eq!(s.reviews, vec![pending("user1")], "{rel}");
    }
    let (_, s) = set("approvals/gitlab/external-status-check-event.json");
    assert_eq!(s.change_id, "a_group/a_project!20");
    assert_eq!(
        s.author.as_deref(),
        Some("jsmith"),
        "the event's user is the author (id 37)"
    );
    assert_eq!(
        s.head_commit.as_deref(),
        Some("93bcabc3d474e18a8c744139be0d2dea45ebb3a3")
    );
    assert!(s.reviews.is_empty() && s.rules.is_empty());
}

/// An `approved` merge request webhook: the event's user approved.
#[test]
fn gitlab_merge_request_webhook_approval() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let text =
        std::fs::read_to_string(corpus.join("approvals/gitlab/merge-request-event-webhook.json"))
            .unwrap();
    let head = Some("da1560886d4f094c3e6c9ef40349f7d38b5d27d7");
    for (action, state) in [("approved", Approved), ("unapproved", Dismissed)] {
        let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
        v["object_attributes"]["action"] = action.into();
        v["object_attributes"]["updated_at"] = "2013-12-04 10:00:00 +0100".into();
        let Model::Approvals(s) = parse_bytes(&v.to_string(), None).unwrap().model else {
            panic!()
        };
        assert_eq!(
            s.reviews,
            vec![
                review("root", state, Some("2013-12-04T09:00:00Z"), head),
                pending("user1")
            ]
        );
    }
}

#[test]
fn gitlab_deployments() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let sha = "279484c09fbe69ededfced8c1bb6e6d24616b468";
    for (rel, deployer) in [
        ("approvals/gitlab/deployment-event-webhook.json", "root"),
        (
            "approvals/gitlab/go-gitlab-webhook-deployment.json",
            "user1",
        ),
    ] {
        let (_, s) = set(rel);
        assert_eq!(
            s.change_id, "root/test-deployment-webhooks/deployments/15",
            "{rel}"
        );
        assert_eq!(s.environment.as_deref(), Some("staging"), "{rel}");
        assert_eq!(s.deployer.as_deref(), Some(deployer), "{rel}");
        assert_eq!(
            s.head_commit.as_deref(),
            Some(sha),
            "{rel}: full sha from commit_url"
        );
        assert!(s.reviews.is_empty(), "{rel}");
    }
    let (_, s) = set("approvals/gitlab/deployment.json");
    assert_eq!(s.change_id, "deployments/42");
    assert_eq!(s.environment.as_deref(), Some("production"));
    assert_eq!(s.deployer.as_deref(), Some("root"));
    assert_eq!(
        s.head_commit.as_deref(),
        Some("a91957a858320c0e17f3a0eca7cfacbff50ea29a")
    );
    assert_eq!(s.created_at.as_deref(), Some("2016-08-11T11:32:35Z"));
    assert!(s.reviews.is_empty());
}

/// A protected environment's deployment with `approvals` (GitLab docs shape).
#[test]
fn gitlab_deployment_approvals() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let text = std::fs::read_to_string(corpus.join("approvals/gitlab/deployment.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["approvals"] = serde_json::json!([
        {"user": {"username": "alice"}, "status": "approved", "created_at": "2022-02-24T20:22:30.097Z"},
        {"user": {"username": "bob"}, "status": "rejected", "created_at": "2022-02-24T21:00:00+01:00"}
    ]);
    v["approval_summary"] = serde_json::json!({"rules": [
        {"user_id": null, "group_id": 33, "access_level": null, "access_level_description": "qa-group", "required_approvals": 2}
    ]});
    let Model::Approvals(s) = parse_bytes(&v.to_string(), None).unwrap().model else {
        panic!()
    };
    let sha = Some("a91957a858320c0e17f3a0eca7cfacbff50ea29a");
    assert_eq!(
        s.reviews,
        vec![
            review("alice", Approved, Some("2022-02-24T20:22:30Z"), sha),
            review("bob", ChangesRequested, Some("2022-02-24T20:00:00Z"), sha),
        ]
    );
    assert_eq!(s.rules, vec![rule("qa-group", 2, &[])]);
    v["approvals"][1]["status"] = "maybe".into();
    let e = parse_bytes(&v.to_string(), None).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("invalid-state", Some(ptr("/approvals/1/status")))
    );
}

// ------------------------------------------------------- neutral format

fn example() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/approvals/change-record.json"),
    )
    .unwrap()
}

#[test]
fn neutral_format_example_parses() {
    let p = parse_bytes(&example(), None).unwrap();
    assert_eq!(p.format, Format::GateApprovals);
    assert!(p.warnings.is_empty());
    let Model::Approvals(s) = p.model else {
        panic!()
    };
    let head = "9f2c1e0b7d4a5c6e8f1a2b3c4d5e6f708192a3b4";
    assert_eq!(s.change_id, "acme/orders release 2026.11.3");
    assert_eq!(s.author.as_deref(), Some("alice"));
    assert_eq!(s.environment.as_deref(), Some("production"));
    assert_eq!(s.head_commit.as_deref(), Some(head));
    assert_eq!(
        s.created_at.as_deref(),
        Some("2026-11-20T08:12:00Z"),
        "offsets become UTC"
    );
    assert_eq!(s.committers, vec!["alice", "carol"]);
    assert_eq!(s.deployer.as_deref(), Some("deploy-bot"));
    let mut bob = review("bob", Approved, Some("2026-11-20T14:03:11Z"), Some(head));
    bob.teams = vec!["sre".into()];
    let mut erin = review("erin", Approved, Some("2026-11-20T16:45:30Z"), Some(head));
    erin.teams = vec!["security".into()];
    assert_eq!(s.reviews, vec![bob, erin]);
    assert_eq!(
        s.rules,
        vec![rule(
            "production change advisory board",
            2,
            &["sre", "security"]
        )]
    );
    let c = s.change_record.unwrap();
    assert_eq!(
        (c.ticket.as_str(), c.state.as_str(), c.approved),
        ("CHG0042917", "scheduled", true)
    );
    assert_eq!(c.window_start.as_deref(), Some("2026-11-22T09:00:00Z"));
    assert_eq!(c.window_end.as_deref(), Some("2026-11-22T12:00:00Z"));
    assert_eq!((c.risk.as_deref(), c.conflict), (Some("moderate"), false));
}

#[test]
fn neutral_format_errors_point_at_the_field() {
    let cases = [
        // A typo is an error, not a silently dropped field.
        (
            "\"reviewer\": \"bob\"",
            "\"reviewr\": \"bob\"",
            "unknown-field",
            "/reviews/0/reviewr",
        ),
        (
            "\"state\": \"approved\", \"submitted_at\": \"2026-11-20T14:03:11Z\"",
            "\"state\": \"APPROVED\", \"submitted_at\": \"2026-11-20T14:03:11Z\"",
            "invalid-state",
            "/reviews/0/state",
        ),
        (
            "\"2026-11-20T16:45:30Z\"",
            "\"tomorrow\"",
            "invalid-timestamp",
            "/reviews/1/submitted_at",
        ),
        (
            "\"required\": 2",
            "\"required\": -1",
            "invalid-field",
            "/rules/0/required",
        ),
        (
            "\"approved\": true",
            "\"approved\": \"yes\"",
            "invalid-field",
            "/change_record/approved",
        ),
        (
            "\"gate.approvals/v1\"",
            "\"gate.approvals/v2\"",
            "unsupported-version",
            "/kind",
        ),
        (
            "\"id\": \"acme/orders release 2026.11.3\"",
            "\"id\": \"\"",
            "invalid-field",
            "/change/id",
        ),
        (
            "\"ticket\": \"CHG0042917\",",
            "",
            "missing-field",
            "/change_record/ticket",
        ),
        (
            "\"committers\": [\"alice\", \"carol\"]",
            "\"committers\": [\"alice\", 7]",
            "invalid-field",
            "/change/committers/1",
        ),
    ];
    let text = example();
    for (from, to, code, pointer) in cases {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let e = parse_bytes(&bad, None).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position.clone()),
            (code, Some(ptr(pointer))),
            "{to}: {e}"
        );
        assert!(
            !e.message.ends_with('.') && !e.message.starts_with(char::is_uppercase),
            "{e}"
        );
    }
    let inverted = text.replace("\"2026-11-22T12:00:00Z\"", "\"2026-11-22T08:00:00Z\"");
    let p = parse_bytes(&inverted, None).unwrap();
    assert_eq!(p.warnings[0].code, "change-window-inverted");
    let minimal = r#"{"kind": "gate.approvals/v1", "change": {"id": "x"}}"#;
    let Model::Approvals(s) = parse_bytes(minimal, None).unwrap().model else {
        panic!()
    };
    assert_eq!(
        s,
        ApprovalSet {
            change_id: "x".into(),
            ..ApprovalSet::default()
        }
    );
}

// ----------------------------------------------------------- robustness

fn ptr(p: &str) -> Position {
    Position::Pointer(p.into())
}

fn parse_bytes(text: &str, format: Option<Format>) -> Result<Parsed, gate_artifacts::ParseError> {
    gate_artifacts::parse(
        "test.json",
        text.as_bytes(),
        format,
        &ParseOptions::default(),
    )
}

#[test]
fn github_review_errors_point_at_the_field() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let text = std::fs::read_to_string(
        corpus.join("approvals/github/rest-api-recorded/GET-pulls-538-reviews.json"),
    )
    .unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v[3]["state"] = "LGTM".into();
    let e = parse_bytes(&v.to_string(), None).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("invalid-state", Some(ptr("/3/state")))
    );
    assert_eq!(
        e.message,
        "unknown review state `LGTM` (expected approved, changes_requested, commented, dismissed or pending)"
    );
    v[3]["state"] = "APPROVED".into();
    v[2]["submitted_at"] = "2018-03-20".into();
    let e = parse_bytes(&v.to_string(), None).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("invalid-timestamp", Some(ptr("/2/submitted_at")))
    );
    v[2]["submitted_at"] = "2018-03-20T15:03:38+01:00".into();
    v[1]["user"] = serde_json::json!({"id": 5});
    let e = parse_bytes(&v.to_string(), None).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        ("missing-field", Some(ptr("/1/user/login")))
    );
    // A deleted account (`user: null`) is GitHub's ghost, with a warning.
    v[1]["user"] = serde_json::Value::Null;
    let p = parse_bytes(&v.to_string(), Some(Format::GithubReviews)).unwrap();
    let Model::Approvals(s) = p.model else {
        panic!()
    };
    assert_eq!(s.reviews[1].reviewer, "ghost");
    assert_eq!(
        s.reviews[2].submitted_at.as_deref(),
        Some("2018-03-20T14:03:38Z")
    );
    assert_eq!(p.warnings[0].code, "deleted-user");
    // An empty list is not detected, but is an empty set when forced.
    assert_eq!(parse_bytes("[]", None).unwrap_err().code, "unknown-format");
    let Model::Approvals(s) = parse_bytes("[]", Some(Format::GithubReviews))
        .unwrap()
        .model
    else {
        panic!()
    };
    assert_eq!(s, ApprovalSet::default());
}

/// Every approvals corpus file forced into every approvals format either
/// parses or fails cleanly (no panic); so do a few hostile documents.
#[test]
fn forced_formats_never_panic() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let formats = [
        Format::GithubReviews,
        Format::GithubEvent,
        Format::GitlabApprovals,
        Format::GateApprovals,
    ];
    let mut docs: Vec<String> = EXPECTED
        .iter()
        .map(|(rel, _)| std::fs::read_to_string(corpus.join(rel)).unwrap())
        .collect();
    docs.extend(
        [
            "null",
            "1",
            "\"x\"",
            "{}",
            "[]",
            "[1]",
            "[null]",
            "{\"kind\": 1}",
            "{\"action\": \"x\", \"pull_request\": {\"head\": 1, \"user\": {}}, \"sender\": {}}",
            "{\"approved_by\": [{}], \"approvals_required\": 1e99}",
            "{\"approval_rules_overwritten\": 1, \"rules\": [[]]}",
            "{\"object_kind\": \"merge_request\", \"object_attributes\": {\"iid\": []}}",
            "{\"object_kind\": \"deployment\", \"deployment_id\": {}, \"commit_url\": \"/é\"}",
            "{\"kind\": \"gate.approvals/v1\", \"change\": {\"id\": \"x\", \"created_at\": 1e300}}",
        ]
        .map(String::from),
    );
    for doc in &docs {
        for f in formats {
            let _ = parse_bytes(doc, Some(f));
        }
        let _ = parse_bytes(doc, None);
    }
}

/// The approvals sniffer never claims the other families' JSON (they are
/// sniffed first anyway, but ours must be specific on its own).
#[test]
fn approvals_sniffer_ignores_other_families() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    for family in ["security", "coverage", "iac", "peers"] {
        crate::walk(&corpus.join(family), &mut files);
    }
    let mut checked = 0;
    for rel in files.iter().filter(|f| f.ends_with(".json")) {
        let Ok(text) = std::fs::read_to_string(corpus.join(rel)) else {
            continue;
        };
        let Ok(doc) = Document::load(rel, &text, None) else {
            continue;
        };
        assert_eq!(gate_artifacts::approvals::sniff(&doc), None, "{rel}");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} json files checked");
}
