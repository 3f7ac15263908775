//! `builtin:coverage`: coverage thresholds — overall, per file, per named
//! scope, on the lines a change touches (patch coverage) and against the
//! base branch's report (delta). Every condition reports its actual value,
//! threshold and comparator as a metric; ratios are compared exactly.

mod judge;

pub use judge::{Params, Scope, judge};

use gate_sdk::*;

pub struct CoveragePolicy;

impl Policy for CoveragePolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "coverage",
            env!("CARGO_PKG_VERSION"),
            "Coverage thresholds: overall, per file, per scope, patch coverage and delta vs baseline",
        )
        .consumes(&[ArtifactKind::Coverage])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let current: Vec<&CoverageReport> = request.coverage(ArtifactRole::Current).collect();
        let baseline: Vec<&CoverageReport> = request.coverage(ArtifactRole::Baseline).collect();
        judge(&current, &baseline, request.changes.as_deref(), &params)
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
    params::schema::<Params>("builtin:coverage params")
}

/// The rule catalog: every rule id `judge` reports.
pub fn rules() -> Vec<RuleInfo> {
    let threshold = |what: &str| {
        RuleInfo::new(
            &format!("coverage/{what}-threshold"),
            Severity::High,
            &format!("overall {what} coverage must reach `min-{what}`"),
        )
        .full(format!(
            "The {what} coverage of all current reports, merged, must be at least the `min-{what}` param (a percentage). A minimum set on a measure the reports do not contain fails too."
        ))
        .help(format!("add tests that exercise the uncovered {what}s"))
        .tags(["coverage"])
    };
    let scope = |what: &str| {
        RuleInfo::new(
            &format!("coverage/scope-{what}-threshold"),
            Severity::High,
            &format!("a scope's {what} coverage must reach its minimum"),
        )
        .full(format!(
            "The {what} coverage of the files a `scopes` entry selects must be at least that scope's `min-{what}`."
        ))
        .help(format!("add tests for the scope's uncovered {what}s"))
        .tags(["coverage"])
    };
    vec![
        threshold("line"),
        threshold("branch"),
        threshold("function"),
        RuleInfo::new(
            "coverage/file-threshold",
            Severity::Medium,
            "every file's line coverage must reach `min-file`",
        )
        .full("Each covered file's line coverage must be at least the `min-file` param; one finding per file below it.")
        .help("add tests for the file, or exclude it if it is generated")
        .tags(["coverage"]),
        scope("line"),
        scope("branch"),
        scope("function"),
        RuleInfo::new(
            "coverage/scope-empty",
            Severity::High,
            "a scope with a minimum must match covered files",
        )
        .full("A `scopes` entry that sets a minimum but whose path globs select no file of the coverage reports cannot be judged, so it fails.")
        .help("fix the scope's path globs")
        .tags(["coverage", "config"]),
        RuleInfo::new(
            "coverage/delta",
            Severity::High,
            "line coverage must not drop more than `max-drop` against the baseline",
        )
        .full("With a baseline coverage report, the current line coverage may be at most `max-drop` percentage points below the baseline's.")
        .help("add tests for the code the change left uncovered")
        .tags(["coverage", "baseline"]),
        RuleInfo::new(
            "coverage/patch-threshold",
            Severity::High,
            "the changed lines' coverage must reach `min-patch`",
        )
        .full("With a diff, the coverage of the coverable lines the change adds or modifies must be at least the `min-patch` param.")
        .help("add tests that run the changed lines")
        .tags(["coverage", "patch"]),
        RuleInfo::new(
            "coverage/uncovered-changed-line",
            Severity::Low,
            "a changed line is not covered by tests",
        )
        .full("With a diff, each changed coverable line (or range of them) that no test runs is reported where it is.")
        .help("add a test that runs the line")
        .tags(["coverage", "patch"]),
        RuleInfo::new(
            "coverage/unused-glob",
            Severity::Low,
            "an include or exclude glob must match a file",
        )
        .full("An `include` (low) or `exclude` (info) glob that matches no file of the coverage reports is probably a typo.")
        .help("fix the glob or remove it (paths are repository-relative, e.g. src/**)")
        .tags(["coverage", "config"]),
    ]
}

gate_sdk::export!(CoveragePolicy);

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
                &[include_str!("judge.rs")],
                "coverage/",
                &[
                    "coverage/scope-line-threshold",
                    "coverage/scope-branch-threshold",
                    "coverage/scope-function-threshold"
                ]
            ),
            Vec::<String>::new()
        );
    }
}
