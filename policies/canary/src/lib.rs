//! `builtin:canary`: deployment verification (canary, blue-green) from
//! metrics query results. Each configured metric is judged against
//! absolute bounds, bounds relative to the baseline and a Mann-Whitney U
//! test; the run's verdict is promote (pass), roll back (fail) or
//! inconclusive (warn, or fail with `inconclusive = "fail"`). Every
//! metric's finding carries the values behind it: canary and baseline
//! values, change, bounds, test statistic and p-value, sample counts and
//! window. How the decision is made: `judge.rs`.

mod judge;
mod stats;

pub use judge::{Params, judge};

use gate_sdk::*;

pub struct CanaryPolicy;

impl Policy for CanaryPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "canary",
            env!("CARGO_PKG_VERSION"),
            "Canary / blue-green verification from metrics: promote, roll back or inconclusive",
        )
        .consumes(&[ArtifactKind::Metrics])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let metrics: Vec<&MetricsResult> = request.metrics().collect();
        judge(&metrics, &params)
    }
}

/// The params' JSON Schema as `info()` reports it: `src/params.schema.json`,
/// which a test keeps equal to [`params_schema`]. Shipped as text, so the
/// component neither carries the derivation nor runs it on every load.
pub const PARAMS_SCHEMA: &str = include_str!("params.schema.json");

/// The params' JSON Schema, derived from [`Params`] (written out as
/// `src/params.schema.json` with `GATE_WRITE_SCHEMAS=1`, for review, for
/// the fuzz driver and for [`PARAMS_SCHEMA`]).
pub fn params_schema() -> String {
    params::schema::<Params>("builtin:canary params")
}

/// The rule catalog: every rule id `judge` reports.
pub fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new(
            "canary/metric-failed",
            Severity::High,
            "a metric of the canary broke its bounds",
        )
        .full("The canary's value is outside `min`/`max`, its ratio or difference to the baseline outside `max-ratio`/`min-ratio`/`max-difference`/`min-difference`, or the Mann-Whitney U test finds it significantly worse than the baseline beyond the allowed effect. A critical metric rolls back at once; others count against the score.")
        .help("roll back, then compare the canary's and the baseline's values in the finding's evidence")
        .tags(["canary", "deployment"]),
        RuleInfo::new(
            "canary/no-data",
            Severity::Medium,
            "a metric has no data for the canary or the baseline",
        )
        .full("No result of the query, no canary series (or no baseline series when a criterion compares with it), only NaN samples, or too few samples for the Mann-Whitney test. Never a pass: `no-data` decides whether it fails, makes the run inconclusive (the default) or is ignored; critical metrics and `must-have-data` fail.")
        .help("check the query and the labels telling canary from baseline (`canary-labels`, `baseline-labels`)")
        .tags(["canary", "deployment"]),
        RuleInfo::new(
            "canary/partial-data",
            Severity::Medium,
            "a metric passed on an answer the server warned may be partial",
        )
        .full("The metrics server returned warnings with the result (e.g. a remote read failed): the metric is within its bounds on the data returned, but that data may be incomplete, so the run is inconclusive rather than promoted.")
        .help("fix the server's storage or remote read, then run the analysis again")
        .tags(["canary", "deployment"]),
        RuleInfo::new(
            "canary/metric-passed",
            Severity::Info,
            "a metric of the canary is within its bounds",
        )
        .full("Reported for every metric that passed, with its canary and baseline values, change, bounds, test statistic and p-value, sample counts and window, so a promotion shows what it rests on.")
        .help("nothing to do")
        .tags(["canary", "deployment"]),
        RuleInfo::new(
            "canary/inconclusive",
            Severity::Medium,
            "the analysis reached no decision",
        )
        .full("No metric failed enough to roll back, but the canary cannot be promoted either: a metric had no data (`no-data = \"inconclusive\"`), the server's answer was partial, or the score fell between `marginal-score` and `pass-score`. A warning unless `inconclusive = \"fail\"`.")
        .help("let the analysis run longer or fix the missing data; set `inconclusive = \"fail\"` (or run with `--fail-on warn`) to make it block")
        .tags(["canary", "deployment"]),
    ]
}

gate_sdk::export!(CanaryPolicy);

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
            catalog_problems(&rules(), &[include_str!("judge.rs")], "canary/", &[]),
            Vec::<String>::new()
        );
    }
}
