//! The approvals policy's logic over plain WIT types (tested natively).

use crate::window::FreezeWindow;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// Environment to judge (default: the approval record's, else --environment)
    #[schemars(length(min = 1))]
    pub environment: Option<String>,
    /// Minimum distinct valid approvals per environment; key `default` applies to any other
    #[serde(default)]
    #[schemars(schema_with = "approvals_per_environment")]
    pub min_approvals: BTreeMap<String, u32>,
    /// An approval counts only if it was given on the head commit (stale approvals are reported)
    #[schemars(extend("default" = true))]
    pub require_head_commit: Option<bool>,
    /// Roles whose approval does not count (separation of duties)
    #[serde(default)]
    #[schemars(schema_with = "roles", extend("default" = ROLES))]
    pub cannot_approve: Option<Vec<String>>,
    /// Teams (or users) that must be among the valid approvers
    pub required_teams: Option<RequiredTeams>,
    /// Changes to these environments need an approved change record whose window contains now
    pub change_record: Option<ChangeRecordRule>,
    #[serde(default)]
    pub freeze_windows: Vec<FreezeWindow>,
    /// Emergency override: bypasses the conditions, allowed only with a justification and an approver who is not the author; always reported (outcome warn with an approvals/emergency-override finding), also when nothing needed bypassing
    pub emergency: Option<Emergency>,
}

/// The roles `cannot-approve` names.
const ROLES: [&str; 3] = ["author", "committers", "deployer"];

/// `min-approvals`: a count per environment name.
fn approvals_per_environment(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "propertyNames": {"minLength": 1},
        "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
    })
}

/// `cannot-approve`: a list of roles.
fn roles(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({"type": "array", "items": {"enum": ROLES}})
}

/// Teams (or users) that must be among the valid approvers.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct RequiredTeams {
    #[serde(default)]
    #[schemars(length(min = 1), inner(length(min = 1)))]
    pub any_of: Vec<String>,
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub all_of: Vec<String>,
}

/// Changes to these environments need an approved change record.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ChangeRecordRule {
    #[schemars(inner(length(min = 1)), extend("default" = ["production"]))]
    pub environments: Option<Vec<String>>,
    #[schemars(
        length(min = 1),
        inner(length(min = 1)),
        extend("default" = ["approved", "scheduled", "implement"])
    )]
    pub states: Option<Vec<String>>,
    #[schemars(extend("default" = true))]
    pub require_window: Option<bool>,
}

/// Emergency override.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Emergency {
    #[schemars(regex(pattern = r"\S"))]
    pub justification: String,
    #[schemars(regex(pattern = r"\S"))]
    pub approver: String,
}

/// Several approval documents of one change (e.g. PR reviews plus a change
/// record export) seen as one.
#[derive(Debug, Default)]
struct Change<'a> {
    id: String,
    author: Option<&'a str>,
    environment: Option<&'a str>,
    head: Option<&'a str>,
    committers: Vec<&'a str>,
    deployer: Option<&'a str>,
    reviews: Vec<&'a Review>,
    rules: Vec<&'a ApprovalRule>,
    record: Option<&'a ChangeRecord>,
}

fn merge<'a>(sets: &[&'a ApprovalSet]) -> Change<'a> {
    let mut c = Change::default();
    for s in sets {
        if c.id.is_empty() {
            c.id = s.change_id.clone();
        }
        c.author = c.author.or(s.author.as_deref());
        c.environment = c.environment.or(s.environment.as_deref());
        c.head = c.head.or(s.head_commit.as_deref());
        c.deployer = c.deployer.or(s.deployer.as_deref());
        c.committers.extend(s.committers.iter().map(String::as_str));
        c.reviews.extend(s.reviews.iter());
        c.rules.extend(s.rules.iter());
        c.record = c.record.or(s.change_record.as_ref());
    }
    c
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

struct Outcomes {
    verdict: Verdict,
    failed: Vec<String>,
}

impl Outcomes {
    fn fail(&mut self, reason: String, finding: Finding) {
        self.failed.push(reason);
        self.verdict.findings.push(finding.blocking(true));
    }
}

/// What the schema cannot say about the params, checked before judging.
pub fn validate(p: &Params) -> Result<(), PolicyError> {
    for (i, w) in p.freeze_windows.iter().enumerate() {
        w.check(&format!("/freeze-windows/{i}"))?;
    }
    Ok(())
}

pub fn judge(sets: &[&ApprovalSet], cx: &Context, p: &Params) -> Result<Verdict, PolicyError> {
    validate(p)?;
    let c = merge(sets);
    let env: Option<String> = p
        .environment
        .clone()
        .or_else(|| c.environment.map(str::to_string))
        .or_else(|| cx.environment.clone());
    let now: jiff::Timestamp = cx
        .now
        .parse()
        .map_err(|e| PolicyError::UnsupportedInput(format!("context.now `{}`: {e}", cx.now)))?;
    let mut o = Outcomes {
        verdict: Verdict::pass(""),
        failed: Vec::new(),
    };
    let subject = if c.id.is_empty() {
        "the change".to_string()
    } else {
        c.id.clone()
    };

    // Latest review per reviewer (document order breaks timestamp ties);
    // comments and pending reviews do not change a reviewer's standing.
    let mut latest: BTreeMap<String, &Review> = BTreeMap::new();
    let mut ordered: Vec<(usize, &&Review)> = c.reviews.iter().enumerate().collect();
    ordered.sort_by(|(ia, a), (ib, b)| a.submitted_at.cmp(&b.submitted_at).then(ia.cmp(ib)));
    for (_, r) in ordered {
        if matches!(r.state, ReviewState::Commented | ReviewState::Pending) {
            continue;
        }
        latest.insert(r.reviewer.to_ascii_lowercase(), r);
    }

    let roles = p
        .cannot_approve
        .clone()
        .unwrap_or_else(|| vec!["author".into(), "committers".into(), "deployer".into()]);
    let barred = |who: &str| -> Option<&'static str> {
        if roles.iter().any(|r| r == "author") && c.author.is_some_and(|a| same(a, who)) {
            return Some("the author");
        }
        if roles.iter().any(|r| r == "committers") && c.committers.iter().any(|a| same(a, who)) {
            return Some("a committer");
        }
        if roles.iter().any(|r| r == "deployer") && c.deployer.is_some_and(|a| same(a, who)) {
            return Some("the deployer");
        }
        None
    };
    let require_head = p.require_head_commit.unwrap_or(true);
    let mut valid: Vec<&Review> = Vec::new();
    for r in latest.values() {
        if r.state != ReviewState::Approved {
            continue;
        }
        if let Some(role) = barred(&r.reviewer) {
            o.verdict.findings.push(
                Finding::new(
                    "approvals/self-approval",
                    Severity::Medium,
                    format!(
                        "{} approved {subject} but is {role}; the approval does not count",
                        r.reviewer
                    ),
                )
                .resource(subject.clone()),
            );
            continue;
        }
        if require_head
            && let (Some(head), Some(commit)) = (c.head, r.commit.as_deref())
            && !commit.eq_ignore_ascii_case(head)
        {
            o.verdict.findings.push(
                Finding::new(
                    "approvals/stale-approval",
                    Severity::Low,
                    format!(
                        "{} approved commit {} but the head is {}; the approval does not count",
                        r.reviewer,
                        short(commit),
                        short(head)
                    ),
                )
                .resource(subject.clone())
                .remediation("ask for a re-review of the head commit"),
            );
            continue;
        }
        valid.push(r);
    }
    let approvers: Vec<&str> = valid.iter().map(|r| r.reviewer.as_str()).collect();

    // Minimum approvals for the environment.
    let key = env.as_deref().unwrap_or("default");
    let required = p
        .min_approvals
        .iter()
        .find(|(k, _)| same(k, key))
        .or_else(|| p.min_approvals.get_key_value("default"))
        .map(|(_, n)| *n);
    if let Some(n) = required {
        o.verdict.metrics.push(
            Metric::new("approvals", approvers.len() as f64)
                .unit("count")
                .condition(Comparator::Ge, f64::from(n)),
        );
        if (approvers.len() as u32) < n {
            o.fail(
                format!("{} of {n} required approvals", approvers.len()),
                Finding::new(
                    "approvals/min-approvals",
                    Severity::High,
                    format!(
                        "{subject} has {} ({}), {n} required for {}",
                        gate_codes::wording::count(
                            approvers.len(),
                            "valid approval",
                            "valid approvals"
                        ),
                        list(&approvers),
                        env.as_deref().unwrap_or("any environment")
                    ),
                )
                .resource(subject.clone()),
            );
        }
    } else {
        o.verdict
            .metrics
            .push(Metric::new("approvals", approvers.len() as f64).unit("count"));
    }

    // Rules the source states (GitLab approval rules, environment reviewers).
    for rule in &c.rules {
        if rule.required == 0 {
            continue;
        }
        let got = valid
            .iter()
            .filter(|r| {
                rule.eligible.is_empty()
                    || rule
                        .eligible
                        .iter()
                        .any(|e| same(e, &r.reviewer) || r.teams.iter().any(|t| same(t, e)))
            })
            .count() as u32;
        if got < rule.required {
            o.fail(
                format!("rule {}: {got} of {}", rule.name, rule.required),
                Finding::new(
                    "approvals/rule",
                    Severity::High,
                    format!(
                        "approval rule `{}` needs {} from eligible reviewers, has {got}",
                        rule.name,
                        gate_codes::wording::count(rule.required, "approval", "approvals")
                    ),
                )
                .resource(subject.clone()),
            );
        }
    }

    // Required teams.
    if let Some(t) = &p.required_teams {
        let has = |team: &str| {
            valid
                .iter()
                .any(|r| same(&r.reviewer, team) || r.teams.iter().any(|x| same(x, team)))
        };
        if !t.any_of.is_empty() && !t.any_of.iter().any(|x| has(x)) {
            o.fail(
                "no approval from a required team".into(),
                Finding::new(
                    "approvals/required-team",
                    Severity::High,
                    format!(
                        "{subject} needs an approval from one of: {}",
                        t.any_of.join(", ")
                    ),
                )
                .resource(subject.clone()),
            );
        }
        let missing: Vec<&str> = t
            .all_of
            .iter()
            .filter(|x| !has(x))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            o.fail(
                format!("missing approval from {}", missing.join(", ")),
                Finding::new(
                    "approvals/required-team",
                    Severity::High,
                    format!(
                        "{subject} needs approvals from all of: {}; missing {}",
                        t.all_of.join(", "),
                        missing.join(", ")
                    ),
                )
                .resource(subject.clone()),
            );
        }
    }

    // Change record.
    if let Some(rule) = &p.change_record {
        let envs = rule
            .environments
            .clone()
            .unwrap_or_else(|| vec!["production".into()]);
        if env
            .as_deref()
            .is_some_and(|e| envs.iter().any(|x| same(x, e)))
        {
            change_record(&mut o, &c, rule, now, &subject);
        }
    }

    // Freeze windows.
    for w in &p.freeze_windows {
        if !w.applies_to(env.as_deref()) {
            continue;
        }
        let inside = w.contains(now).map_err(PolicyError::InvalidParams)?;
        if inside {
            o.fail(
                format!("freeze window {}", w.name),
                Finding::new(
                    "approvals/freeze-window",
                    Severity::High,
                    format!(
                        "deployments to {} are frozen now ({}) by freeze window `{}`",
                        env.as_deref().unwrap_or("any environment"),
                        cx.now,
                        w.name
                    ),
                )
                .resource(subject.clone()),
            );
        }
    }

    // Emergency override: only with a justification and an approver who is
    // not the author; always reported, never silent — also when every
    // condition held, so the use of the emergency procedure stays visible.
    if let Some(e) = &p.emergency {
        let author = c.author.unwrap_or("");
        if e.justification.trim().is_empty()
            || e.approver.trim().is_empty()
            || same(&e.approver, author)
        {
            o.fail(
                "invalid emergency override".into(),
                Finding::new("approvals/emergency-invalid", Severity::Critical, "an emergency override needs a justification and an approver who is not the author")
                    .resource(subject.clone()),
            );
        } else {
            let bypassed = std::mem::take(&mut o.failed);
            let bypassed = if bypassed.is_empty() {
                "nothing (every condition held)".to_string()
            } else {
                bypassed.join("; ")
            };
            for f in o.verdict.findings.iter_mut().filter(|f| f.blocking) {
                f.blocking = false;
                f.status = FindingStatus::Waived;
            }
            o.verdict.findings.push(
                Finding::new(
                    "approvals/emergency-override",
                    Severity::Critical,
                    format!(
                        "EMERGENCY OVERRIDE by {} — bypassed: {}",
                        e.approver, bypassed
                    ),
                )
                .evidence(format!("justification: {}", e.justification))
                .resource(subject.clone()),
            );
            o.verdict.outcome = Outcome::Warn;
            o.verdict.summary =
                format!("EMERGENCY OVERRIDE by {}: {}", e.approver, e.justification);
            return Ok(o.verdict);
        }
    }

    if o.failed.is_empty() {
        o.verdict.summary = format!(
            "{subject}: {} ({})",
            gate_codes::wording::count(approvers.len(), "valid approval", "valid approvals"),
            list(&approvers)
        );
    } else {
        o.verdict.outcome = Outcome::Fail;
        o.verdict.summary = format!("{subject}: {}", o.failed.join("; "));
    }
    Ok(o.verdict)
}

fn change_record(
    o: &mut Outcomes,
    c: &Change<'_>,
    rule: &ChangeRecordRule,
    now: jiff::Timestamp,
    subject: &str,
) {
    let Some(rec) = c.record else {
        o.fail(
            "no change record".into(),
            Finding::new(
                "approvals/change-record",
                Severity::High,
                format!("{subject} needs a change record for this environment and none was given"),
            )
            .resource(subject.to_string()),
        );
        return;
    };
    let states = rule
        .states
        .clone()
        .unwrap_or_else(|| vec!["approved".into(), "scheduled".into(), "implement".into()]);
    let mut problems = Vec::new();
    if !states.iter().any(|s| same(s, &rec.state)) {
        problems.push(format!(
            "state `{}` is not one of {}",
            rec.state,
            states.join(", ")
        ));
    }
    if !rec.approved {
        problems.push("it is not approved".to_string());
    }
    if rec.conflict {
        problems.push("it has a scheduling conflict".to_string());
    }
    if rule.require_window.unwrap_or(true) {
        let parse =
            |s: &Option<String>| s.as_deref().and_then(|t| t.parse::<jiff::Timestamp>().ok());
        match (parse(&rec.window_start), parse(&rec.window_end)) {
            (Some(a), Some(b)) if a <= now && now < b => {}
            (Some(_), Some(_)) => problems.push(format!(
                "now is outside its planned window {} – {}",
                rec.window_start.as_deref().unwrap_or(""),
                rec.window_end.as_deref().unwrap_or("")
            )),
            _ => problems.push("it has no planned window".to_string()),
        }
    }
    if !problems.is_empty() {
        o.fail(
            format!("change record {}", rec.ticket),
            Finding::new(
                "approvals/change-record",
                Severity::High,
                format!("change record {}: {}", rec.ticket, problems.join("; ")),
            )
            .resource(rec.ticket.clone()),
        );
    }
}

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

fn list(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(who: &str, state: ReviewState, at: &str, commit: &str, teams: &[&str]) -> Review {
        Review {
            reviewer: who.into(),
            state,
            submitted_at: Some(at.into()),
            commit: Some(commit.into()),
            teams: teams.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn set(reviews: Vec<Review>) -> ApprovalSet {
        ApprovalSet {
            meta: ArtifactMeta {
                path: "a.json".into(),
                format: "github-reviews".into(),
                sha256: String::new(),
                role: ArtifactRole::Current,
            },
            change_id: "o/r#7".into(),
            author: Some("alice".into()),
            environment: Some("production".into()),
            head_commit: Some("head1234567".into()),
            created_at: None,
            committers: vec!["carol".into()],
            deployer: Some("dave".into()),
            reviews,
            rules: vec![],
            change_record: None,
        }
    }

    fn cx(now: &str) -> Context {
        Context {
            now: now.into(),
            environment: None,
            branch: None,
            commit: None,
            author: None,
            base_ref: None,
        }
    }

    fn p(json: &str) -> Params {
        params::parse(json).unwrap()
    }

    const NOW: &str = "2026-11-23T10:00:00Z"; // a Monday

    #[test]
    fn latest_review_per_reviewer_on_head_counts() {
        let s = set(vec![
            review(
                "bob",
                ReviewState::Approved,
                "2026-11-20T10:00:00Z",
                "head1234567",
                &[],
            ),
            review(
                "erin",
                ReviewState::Approved,
                "2026-11-20T10:00:00Z",
                "head1234567",
                &[],
            ),
            // erin later requests changes: her approval no longer stands
            review(
                "erin",
                ReviewState::ChangesRequested,
                "2026-11-21T10:00:00Z",
                "head1234567",
                &[],
            ),
            // frank approved an old commit: stale, reported, not counted
            review(
                "frank",
                ReviewState::Approved,
                "2026-11-21T10:00:00Z",
                "old0000000",
                &[],
            ),
            // bob commenting later keeps his approval
            review(
                "bob",
                ReviewState::Commented,
                "2026-11-22T10:00:00Z",
                "head1234567",
                &[],
            ),
        ]);
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"min-approvals": {"production": 2, "default": 1}}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.summary.contains("1 of 2 required approvals"),
            "{}",
            v.summary
        );
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "approvals/stale-approval" && f.message.contains("frank"))
        );
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"min-approvals": {"staging": 2, "default": 1}, "environment": "staging"}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"min-approvals": {"default": 1}, "environment": "dev"}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.summary);
    }

    #[test]
    fn separation_of_duties() {
        let s = set(vec![
            review(
                "alice",
                ReviewState::Approved,
                "2026-11-20T10:00:00Z",
                "head1234567",
                &[],
            ),
            review(
                "carol",
                ReviewState::Approved,
                "2026-11-20T10:00:00Z",
                "head1234567",
                &[],
            ),
            review(
                "dave",
                ReviewState::Approved,
                "2026-11-20T10:00:00Z",
                "head1234567",
                &[],
            ),
        ]);
        let v = judge(&[&s], &cx(NOW), &p(r#"{"min-approvals": {"default": 1}}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(
            v.findings
                .iter()
                .filter(|f| f.rule == "approvals/self-approval")
                .count(),
            3
        );
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"min-approvals": {"default": 2}, "cannot-approve": ["author"]}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Pass, "{}", v.summary);
    }

    #[test]
    fn required_teams_any_and_all() {
        let s = set(vec![review(
            "bob",
            ReviewState::Approved,
            "2026-11-20T10:00:00Z",
            "head1234567",
            &["sre"],
        )]);
        let ok = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"required-teams": {"any-of": ["security", "sre"]}}"#),
        )
        .unwrap();
        assert_eq!(ok.outcome, Outcome::Pass);
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(r#"{"required-teams": {"all-of": ["sre", "security"]}}"#),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.summary.contains("missing approval from security"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn change_record_and_freeze_window() {
        let mut s = set(vec![review(
            "bob",
            ReviewState::Approved,
            "2026-11-20T10:00:00Z",
            "head1234567",
            &[],
        )]);
        let rule = r#"{"change-record": {}}"#;
        let v = judge(&[&s], &cx(NOW), &p(rule)).unwrap();
        assert_eq!(
            v.outcome,
            Outcome::Fail,
            "production without a change record"
        );
        s.change_record = Some(ChangeRecord {
            ticket: "CHG0042".into(),
            state: "Scheduled".into(),
            approved: true,
            window_start: Some("2026-11-23T09:00:00Z".into()),
            window_end: Some("2026-11-23T11:00:00Z".into()),
            risk: Some("low".into()),
            conflict: false,
        });
        assert_eq!(
            judge(&[&s], &cx(NOW), &p(rule)).unwrap().outcome,
            Outcome::Pass
        );
        let late = judge(&[&s], &cx("2026-11-23T11:00:00Z"), &p(rule)).unwrap();
        assert_eq!(late.outcome, Outcome::Fail);
        assert!(
            late.findings
                .iter()
                .any(|f| f.message.contains("outside its planned window"))
        );
        // Monday 10:00 UTC = 11:00 Berlin: inside a Monday 09:00–12:00 freeze.
        let freeze = r#"{"freeze-windows": [{"name": "monday-standup", "days": ["mon"], "from": "09:00", "to": "12:00", "timezone": "Europe/Berlin", "environments": ["production"]}]}"#;
        let v = judge(&[&s], &cx(NOW), &p(freeze)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert!(
            v.findings
                .iter()
                .any(|f| f.rule == "approvals/freeze-window")
        );
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(&freeze.replace("production\"]", "staging\"]")),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
    }

    #[test]
    fn emergency_override_is_loud_and_needs_another_approver() {
        let s = set(vec![]);
        let base = r#"{"min-approvals": {"default": 2}, "emergency": {"justification": "outage INC-7", "approver": "APPROVER"}}"#;
        let v = judge(&[&s], &cx(NOW), &p(&base.replace("APPROVER", "alice"))).unwrap();
        assert_eq!(
            v.outcome,
            Outcome::Fail,
            "the author cannot approve their own emergency"
        );
        let v = judge(
            &[&s],
            &cx(NOW),
            &p(&base.replace("APPROVER", "oncall-lead")),
        )
        .unwrap();
        assert_eq!(v.outcome, Outcome::Warn);
        assert!(
            v.summary.starts_with("EMERGENCY OVERRIDE by oncall-lead"),
            "{}",
            v.summary
        );
        let e = v
            .findings
            .iter()
            .find(|f| f.rule == "approvals/emergency-override")
            .unwrap();
        assert_eq!(e.severity, Severity::Critical);
        assert!(e.message.contains("0 of 2 required approvals"));
    }

    /// An override is visible even when it bypassed nothing: using the
    /// emergency procedure is itself what reviewers must see.
    #[test]
    fn emergency_override_is_reported_when_nothing_failed() {
        let s = set(vec![review(
            "bob",
            ReviewState::Approved,
            "2025-12-31T10:00:00Z",
            "head1234567",
            &[],
        )]);
        let e = r#""emergency": {"justification": "outage", "approver": "oncall-lead"}"#;
        for params in [
            format!("{{{e}}}"),
            format!(r#"{{"min-approvals": {{"default": 1}}, {e}}}"#),
        ] {
            let v = judge(&[&s], &cx(NOW), &p(&params)).unwrap();
            assert_eq!(v.outcome, Outcome::Warn, "{params}");
            let found: Vec<_> = v
                .findings
                .iter()
                .filter(|f| f.rule == "approvals/emergency-override")
                .collect();
            assert_eq!(found.len(), 1, "{params}");
            assert_eq!(found[0].severity, Severity::Critical);
            assert!(
                found[0].message.contains("bypassed: nothing"),
                "{}",
                found[0].message
            );
            assert_eq!(found[0].evidence.as_deref(), Some("justification: outage"));
            assert!(v.summary.starts_with("EMERGENCY OVERRIDE by oncall-lead"));
            assert!(v.findings.iter().all(|f| !f.blocking), "{params}");
        }
    }
}
