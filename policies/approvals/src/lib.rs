//! `builtin:approvals`: deployment and merge approvals — minimum approvals
//! per environment on the head commit, separation of duties, required teams,
//! change records, freeze windows and a loudly reported emergency override.

mod judge;
mod window;

pub use judge::{Params, judge};

use gate_sdk::*;

const SCHEMA: &str = include_str!("params.schema.json");

pub struct ApprovalsPolicy;

impl Policy for ApprovalsPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "approvals",
            env!("CARGO_PKG_VERSION"),
            "Approvals: per-environment minimums, separation of duties, teams, change records, freeze windows",
        )
        .consumes(&[ArtifactKind::Approvals])
        .params_schema(SCHEMA)
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let sets: Vec<&ApprovalSet> = request.approvals().collect();
        judge(&sets, &request.context, &params)
    }
}

gate_sdk::export!(ApprovalsPolicy);
