//! Corpus tests: approvals. Every file of `corpus/approvals` is either an
//! approvals document of a known format or not detected as one.

use crate::{corpus, parse};
use gate_artifacts::{Format, Model, ReviewState};

/// Documents without approval data: detected as no approvals format.
const NOT_APPROVALS: &[&str] = &[
    "approvals/github/octokit-fixtures/branch-protection.normalized-fixture.json",
    "approvals/github/octokit-fixtures/create-status.normalized-fixture.json",
    "approvals/github/rest-api-recorded/GET-branch-protection-required_pull_request_reviews.json",
    "approvals/github/rest-api-recorded/GET-pulls-31-requested_reviewers.json",
    "approvals/github/rest-api-recorded/GET-repos-environment-dev-with-required-reviewers.json",
    "approvals/github/rest-api-recorded/GET-repos-environment-dev.json",
    "approvals/github/rest-api-recorded/GET-repos-environments.json",
    "approvals/github/webhooks/check_suite.completed.json",
    "approvals/github/webhooks/code_scanning_alert.created.json",
    "approvals/github/webhooks/dependabot_alert.created.json",
    "approvals/github/webhooks/merge_group.checks_requested.json",
    "approvals/github/webhooks/status.json",
    "approvals/github/webhooks/workflow_run.completed.with-pull-requests.json",
    "approvals/gitlab/deployment.json",
    "approvals/gitlab/environment.json",
    "approvals/gitlab/external-status-check-result.json",
    "approvals/gitlab/external-status-checks.json",
    "approvals/gitlab/go-gitlab-webhook-pipeline.json",
    "approvals/gitlab/pipeline-event-webhook.json",
    "approvals/gitlab/protected-branch.json",
];

#[test]
fn approvals_corpus_walk() {
    let mut files = Vec::new();
    crate::walk(&corpus().join("approvals"), &mut files);
    let mut parsed = 0;
    for rel in &files {
        match parse(rel) {
            Ok(p) => {
                assert!(
                    !NOT_APPROVALS.contains(&rel.as_str()),
                    "{rel} parsed as {}",
                    p.format
                );
                let want = if rel.contains("/gitlab/") {
                    "gitlab"
                } else {
                    "github"
                };
                assert!(p.format.as_str().starts_with(want), "{rel}: {}", p.format);
                parsed += 1;
            }
            Err(e) => {
                assert!(NOT_APPROVALS.contains(&rel.as_str()), "{rel}: {e}");
                assert_eq!(e.code, "unknown-format", "{rel}");
            }
        }
    }
    assert_eq!(parsed + NOT_APPROVALS.len(), files.len());
}

fn set(rel: &str) -> (gate_artifacts::Parsed, gate_artifacts::ApprovalSet) {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let Model::Approvals(s) = p.model.clone() else {
        panic!("{rel}")
    };
    (p, s)
}

#[test]
fn github_reviews_and_events() {
    let (p, s) = set("approvals/github/rest-api-recorded/GET-pulls-538-reviews.json");
    assert_eq!(p.format, Format::GithubReviews);
    assert_eq!(s.reviews.len(), 5);
    assert_eq!(
        (s.reviews[0].reviewer.as_str(), s.reviews[0].state),
        ("jzelinskie", ReviewState::Approved)
    );
    assert_eq!(
        s.reviews[0].submitted_at.as_deref(),
        Some("2017-03-22T19:06:59Z")
    );
    assert!(
        s.reviews[0]
            .commit
            .as_deref()
            .unwrap()
            .starts_with("7a0fcb2")
    );
    let (_, e) = set("approvals/github/webhooks/pull_request_review.submitted.json");
    assert_eq!(
        e.head_commit.as_deref(),
        Some("ec26c3e57ca3a959ca5aad62de7213c562f8c821")
    );
    assert_eq!(e.author.as_deref(), Some("Codertocat"));
    let (_, d) = set("approvals/github/webhooks/deployment_review.requested.json");
    assert!(d.environment.is_some());
    assert!(!d.rules.is_empty(), "environment reviewers become a rule");
}

/// The corpus README's GitLab inconsistencies: `approvals_required: 2`,
/// `approvals_left: 1` with two approvers; a rule `approved: true` with one
/// of two approvals. Counters are not trusted; both are warned about.
#[test]
fn gitlab_counters_are_not_trusted() {
    let (p, s) = set("approvals/gitlab/mr-approvals.json");
    assert_eq!(s.reviews.len(), 2);
    assert_eq!(s.rules[0].required, 2);
    assert!(
        p.warnings
            .iter()
            .any(|w| w.code == "approvals-counter-mismatch")
    );
    let (p, s) = set("approvals/gitlab/mr-approval-state.json");
    assert!(s.rules.iter().any(|r| r.required == 2));
    assert!(
        p.warnings
            .iter()
            .any(|w| w.message.contains("says approved = true with 1 of 2"))
    );
}

#[test]
fn neutral_format_example_parses() {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/approvals/change-record.json"),
    )
    .unwrap();
    let p = gate_artifacts::parse("change-record.json", &bytes, None, &Default::default()).unwrap();
    assert_eq!(p.format, Format::GateApprovals);
    let Model::Approvals(s) = p.model else {
        panic!()
    };
    assert_eq!(
        s.created_at.as_deref(),
        Some("2026-11-20T08:12:00Z"),
        "offsets are normalized to UTC"
    );
    assert_eq!(
        s.change_record.as_ref().map(|c| c.ticket.as_str()),
        Some("CHG0042917")
    );
    // A typo is an error, not a silently dropped field.
    let bad = String::from_utf8(bytes)
        .unwrap()
        .replace("\"reviewer\": \"bob\"", "\"reviewr\": \"bob\"");
    let e = gate_artifacts::parse("x.json", bad.as_bytes(), None, &Default::default()).unwrap_err();
    assert_eq!(e.code, "invalid-gate-approvals");
}
