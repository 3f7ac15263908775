//! `builtin:coverage`: coverage thresholds — overall, per file, per named
//! scope, on the lines a change touches (patch coverage) and against the
//! base branch's report (delta). Every condition reports its actual value,
//! threshold and comparator as a metric; ratios are compared exactly.

mod judge;

pub use judge::{Params, Scope, judge};

use gate_sdk::*;

const SCHEMA: &str = include_str!("params.schema.json");

pub struct CoveragePolicy;

impl Policy for CoveragePolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "coverage",
            env!("CARGO_PKG_VERSION"),
            "Coverage thresholds: overall, per file, per scope, patch coverage and delta vs baseline",
        )
        .consumes(&[ArtifactKind::Coverage])
        .params_schema(SCHEMA)
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let current: Vec<&CoverageReport> = request.coverage(ArtifactRole::Current).collect();
        let baseline: Vec<&CoverageReport> = request.coverage(ArtifactRole::Baseline).collect();
        judge(&current, &baseline, request.changes.as_deref(), &params)
    }
}

gate_sdk::export!(CoveragePolicy);
