//! `builtin:security`: fail on security findings at or above a severity,
//! report everything, gate only on what is new against the baseline, and
//! honour waivers with reasons and expiry dates.

mod judge;
mod waivers;

pub use judge::{Params, judge};
pub use waivers::Waiver;

use gate_sdk::*;

const SCHEMA: &str = include_str!("params.schema.json");

pub struct SecurityPolicy;

impl Policy for SecurityPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "security",
            env!("CARGO_PKG_VERSION"),
            "Security findings: severity, CVSS and count thresholds, new-vs-baseline gating, waivers",
        )
        .consumes(&[ArtifactKind::Findings])
        .params_schema(SCHEMA)
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let current: Vec<&FindingsReport> = request.findings(ArtifactRole::Current).collect();
        let baseline: Vec<&FindingsReport> = request.findings(ArtifactRole::Baseline).collect();
        judge(&current, &baseline, &request.context.now, &params)
    }
}

gate_sdk::export!(SecurityPolicy);
