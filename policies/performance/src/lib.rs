//! `builtin:performance`: absolute budgets per metric selected by name
//! patterns, and regressions against a baseline report that respect the
//! measurements' own noise (Welch's t-test, or the tool's confidence
//! intervals). Budgets compare exactly in decimal; every check reports its
//! value, baseline, change and threshold as metrics.

mod judge;
mod quantity;
mod stats;

pub use judge::{Budget, DEFAULT_SIGNIFICANCE, Params, Regression, ReportWarning, Select, judge};

use gate_sdk::*;

pub struct PerformancePolicy;

impl Policy for PerformancePolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "performance",
            env!("CARGO_PKG_VERSION"),
            "Performance budgets per metric and noise-aware regressions against a baseline",
        )
        .consumes(&[ArtifactKind::Performance])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let reports: Vec<_> = request.performance(ArtifactRole::Current).collect();
        let base_reports: Vec<_> = request.performance(ArtifactRole::Baseline).collect();
        let current: Vec<Measurement> =
            reports.iter().flat_map(|r| r.measurements.iter()).collect();
        let baseline: Option<Vec<Measurement>> = (!base_reports.is_empty()).then(|| {
            base_reports
                .iter()
                .flat_map(|r| r.measurements.iter())
                .collect()
        });
        let warnings: Vec<ReportWarning> = reports
            .iter()
            .map(|r| (r, false))
            .chain(base_reports.iter().map(|r| (r, true)))
            .flat_map(|(r, baseline)| {
                r.warnings.iter().map(move |w| ReportWarning {
                    path: &r.meta.path,
                    baseline,
                    warning: w,
                })
            })
            .collect();
        judge(&current, baseline.as_deref(), &warnings, &params)
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
    params::schema::<Params>("builtin:performance params")
}

/// The rule catalog: every rule id `judge` reports.
pub fn rules() -> Vec<RuleInfo> {
    let rule = |id: &str, severity, short: &str, full: &str, help: &str, tag: &str| {
        RuleInfo::new(id, severity, short)
            .full(full)
            .help(help)
            .tags(["performance", tag])
    };
    vec![
        rule(
            "performance/budget",
            Severity::High,
            "a statistic must stay within its budget",
            "Each `budget` entry holds one statistic (p95, mean, error-rate, throughput, score...) of every measurement its pattern selects to `max` or `min`. Units convert exactly (`300 ms` = `0.3 s`); the value and bound are compared as the decimals the tool and the user wrote.",
            "make it faster, or raise the budget in a reviewed change",
            "budget",
        ),
        rule(
            "performance/budget-unmatched",
            Severity::High,
            "a budget must select a measurement",
            "A budget whose pattern (with `group` and `metric`) selects no measurement of the current reports, or only measurements of another unit, cannot be held and fails: a renamed or skipped benchmark must not pass silently.",
            "fix the pattern (names as `gate parse --json` shows them), or make the benchmark run",
            "config",
        ),
        rule(
            "performance/missing-statistic",
            Severity::High,
            "a selected measurement must report the statistic",
            "A measurement a budget or regression selects that does not report the statistic (hyperfine has no p95), or reports it in a unit gate does not know, cannot be judged and fails.",
            "choose a statistic the tool reports, or narrow the selection with `metric` or `group`",
            "config",
        ),
        rule(
            "performance/incompatible-unit",
            Severity::High,
            "a bound must be in the statistic's unit",
            "A budget with an explicit `metric` whose bound is of another kind than the statistic (a time against an error rate) cannot be compared and fails.",
            "write the bound in the statistic's unit (a time for times, % for error rates, /s for throughput)",
            "config",
        ),
        rule(
            "performance/regression",
            Severity::High,
            "a statistic must not get worse than `max-change` beyond the noise",
            "Against the baseline report, a change for the worse (up for times, down for throughput and scores) beyond `max-change` percent is a regression when it is more than the noise: Welch's one-sided t-test on the means at the `significance` level when mean, stddev and n (or samples) exist; non-overlapping confidence intervals when the tool reports them (criterion); the limit alone when the reports give no spread.",
            "find what made it slower (profile both versions), or accept the new baseline in a reviewed change",
            "baseline",
        ),
        rule(
            "performance/within-noise",
            Severity::Info,
            "a change beyond the limit that is inside the noise is noted",
            "A change beyond `max-change` that the test does not find significant (or whose confidence intervals overlap) is not a regression; it is reported with its figures so the verdict explains itself.",
            "more runs narrow the noise if the change is real",
            "baseline",
        ),
        rule(
            "performance/missing-baseline",
            Severity::Low,
            "a measurement must be in the baseline to be compared",
            "A current measurement a regression selects that the baseline report lacks has no change to judge: noted (low) when a glob selected it, a failure (high) when the pattern names it.",
            "run the benchmark on the base branch too (a new benchmark passes once it has a baseline)",
            "baseline",
        ),
        rule(
            "performance/failed-runs",
            Severity::High,
            "measured runs must have succeeded",
            "A report whose tool says runs exited non-zero (hyperfine's exit codes) times a failure, not the work: it fails unless `allow-failed-runs` says failing is what the benchmark measures.",
            "fix the benchmarked command, or set `allow-failed-runs = true`",
            "report",
        ),
        rule(
            "performance/report-warning",
            Severity::Low,
            "the report has something the parser read past",
            "Warnings of the parser about a current or baseline report (Lighthouse's run warnings: the page loaded slowly, the run was throttled) are noted so a verdict on a suspicious run says so.",
            "look at the tool's warning; rerun when the run was disturbed",
            "report",
        ),
        rule(
            "performance/regression-unmatched",
            Severity::High,
            "a regression entry must select a measurement",
            "A `regression` entry whose pattern selects no measurement of the current reports cannot be judged and fails.",
            "fix the pattern (names as `gate parse --json` shows them), or make the benchmark run",
            "config",
        ),
    ]
}

gate_sdk::export!(PerformancePolicy);

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
            catalog_problems(&rules(), &[include_str!("judge.rs")], "performance/", &[]),
            Vec::<String>::new()
        );
    }
}
