//! `builtin:approvals`: deployment and merge approvals — minimum approvals
//! per environment on the head commit, separation of duties, required teams,
//! change records, freeze windows and a loudly reported emergency override.

mod judge;
mod window;

pub use judge::{Params, judge};

use gate_sdk::*;

pub struct ApprovalsPolicy;

impl Policy for ApprovalsPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "approvals",
            env!("CARGO_PKG_VERSION"),
            "Approvals: per-environment minimums, separation of duties, teams, change records, freeze windows",
        )
        .consumes(&[ArtifactKind::Approvals])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let sets: Vec<&ApprovalSet> = request.approvals().collect();
        judge(&sets, &request.context, &params)
    }
}

/// The rule catalog: every rule id `judge` reports.
pub fn rules() -> Vec<RuleInfo> {
    let rule = |id: &str, severity: Severity, short: &str, full: &str, help: &str| {
        RuleInfo::new(id, severity, short)
            .full(full)
            .help(help)
            .tags(["approvals"])
    };
    vec![
        rule(
            "approvals/min-approvals",
            Severity::High,
            "a change needs the minimum number of valid approvals",
            "The change (or deployment) must have at least the approvals its environment requires; approvals by the author, committers or deployer, stale ones and dismissed ones do not count.",
            "get the missing approvals from eligible reviewers",
        ),
        rule(
            "approvals/self-approval",
            Severity::Medium,
            "an approval by the author, a committer or the deployer does not count",
            "Separation of duties: whoever wrote, committed or deploys the change cannot approve it.",
            "ask a reviewer who did not take part in the change",
        ),
        rule(
            "approvals/stale-approval",
            Severity::Low,
            "an approval of an older commit does not count",
            "An approval given on another commit than the change's head does not count when stale approvals are dismissed.",
            "ask the reviewer to approve the current head",
        ),
        rule(
            "approvals/rule",
            Severity::High,
            "an approval rule stated by the source must be satisfied",
            "Approval rules the source states (GitLab approval rules, required reviewers of a GitHub environment) need their number of approvals from eligible reviewers.",
            "get the approvals the rule asks for",
        ),
        rule(
            "approvals/required-team",
            Severity::High,
            "a change needs an approval from a required team",
            "For the paths or environment a `required-teams` entry names, an approval by a member of one of its teams is needed.",
            "ask a member of one of the required teams to review",
        ),
        rule(
            "approvals/freeze-window",
            Severity::High,
            "no deployment during a freeze window",
            "A deployment to an environment inside one of its freeze windows is refused unless an emergency override applies.",
            "deploy after the freeze window or use the emergency procedure",
        ),
        rule(
            "approvals/change-record",
            Severity::High,
            "a change needs an approved change record in its window",
            "Environments that require a change record need one that is approved, in an allowed state, without conflict, and whose window contains now.",
            "link an approved change record whose window covers the deployment",
        ),
        rule(
            "approvals/emergency-override",
            Severity::Critical,
            "an emergency override was used",
            "A valid emergency override (justification and an approver who is not the author) bypasses the other rules and is always reported loudly, also when nothing needed bypassing.",
            "review the change after the fact as the emergency procedure requires",
        ),
        rule(
            "approvals/emergency-invalid",
            Severity::Critical,
            "an emergency override needs a justification and an independent approver",
            "An emergency override without a justification, or approved by the author, bypasses nothing.",
            "give a justification and have someone other than the author approve the override",
        ),
    ]
}

/// The params' JSON Schema as `info()` reports it: `src/params.schema.json`,
/// which a test keeps equal to [`params_schema`]. Shipped as text, so the
/// component neither carries the derivation nor runs it on every load.
pub const PARAMS_SCHEMA: &str = include_str!("params.schema.json");

/// The params' JSON Schema, derived from [`Params`] (written out as
/// `src/params.schema.json` with `GATE_WRITE_SCHEMAS=1`, for review, for
/// the fuzz driver and for [`PARAMS_SCHEMA`]).
pub fn params_schema() -> String {
    params::schema::<Params>("builtin:approvals params")
}

gate_sdk::export!(ApprovalsPolicy);

#[cfg(test)]
mod tests {
    use super::*;

    /// `src/params.schema.json` is the schema derived from `Params`.
    #[test]
    fn the_written_schema_is_the_derived_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/params.schema.json");
        if let Err(e) = params::check_written(&path, &params_schema()) {
            panic!("{e}");
        }
    }

    /// The catalog lists every rule the source reports, once, described.
    #[test]
    fn the_catalog_lists_every_rule_once() {
        assert_eq!(
            catalog_problems(
                &rules(),
                &[include_str!("judge.rs"), include_str!("window.rs")],
                "approvals/",
                &[]
            ),
            Vec::<String>::new()
        );
    }
}
