//! `builtin:tests`: every test passed, enough of them ran, nothing got worse
//! than the baseline run (new failures, disappeared tests, slower suites),
//! and flaky tests are reported unless quarantined with a reason and an
//! expiry date.

mod judge;
mod quarantine;

pub use judge::{Params, judge};
pub use quarantine::Quarantine;

use gate_sdk::*;

pub struct TestsPolicy;

impl Policy for TestsPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "tests",
            env!("CARGO_PKG_VERSION"),
            "Test results: failures, skips, a minimum test count, new failures and disappeared tests against a baseline, suite slowdowns, flaky tests and their quarantine",
        )
        .consumes(&[ArtifactKind::Tests])
        .params_schema(PARAMS_SCHEMA)
        .rules(rules())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let current: Vec<&TestReport> = request.tests(ArtifactRole::Current).collect();
        let baseline: Vec<&TestReport> = request.tests(ArtifactRole::Baseline).collect();
        judge(&current, &baseline, &request.context.now, &params)
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
    params::schema::<Params>("builtin:tests params")
}

/// The rule catalog.
pub fn rules() -> Vec<RuleInfo> {
    vec![
        RuleInfo::new("tests/failed", Severity::High, "a test failed")
            .full("A test's assertion did not hold. Failures and errors block unless there are at most `max-failures` of them (0 by default); with a baseline and `new-only`, only failures new since the baseline count.")
            .help("fix the test or the code it tests; a known flaky test can be quarantined with a reason and an expiry date")
            .tags(["tests"]),
        RuleInfo::new("tests/errored", Severity::High, "a test could not run to its end")
            .full("A test ended in an error outside its assertions: an exception, a failing fixture or hook, a package that did not build. Counted with the failures against `max-failures`.")
            .help("fix what kept the test from running (the message says what)")
            .tags(["tests"]),
        RuleInfo::new("tests/known-failure", Severity::Medium, "a test that already failed on the baseline fails again")
            .full("With a baseline report, a test failing (or erroring) in both runs is a known failure. It counts against `max-failures` like a new one, unless `new-only` is set: then it is reported only.")
            .help("fix the test; known failures hide new ones of the same test")
            .tags(["tests", "baseline"]),
        RuleInfo::new("tests/flaky", Severity::Medium, "a test passed only after a retry")
            .full("A test that failed and then passed on a retry is flaky. A newly flaky test blocks unless `block-flaky` is false; one flaky on the baseline too is reported only; a quarantined one is waived.")
            .help("make the test deterministic, or quarantine it with a reason and an expiry date")
            .tags(["tests", "flaky"]),
        RuleInfo::new("tests/too-few-tests", Severity::High, "fewer tests ran than `min-tests`")
            .full("A run that executed fewer tests than `min-tests` (1 by default: a run that executed nothing never passes) fails: a test step that silently ran a subset, or none, must not look green. Skipped tests do not count as executed.")
            .help("check that the test step found and ran the tests (filters, paths, a crashed runner)")
            .tags(["tests"]),
        RuleInfo::new("tests/too-many-skipped", Severity::Medium, "more tests were skipped than `max-skipped-percent` allows")
            .full("The share of skipped tests (to-do tests not counted) is above `max-skipped-percent`.")
            .help("run the skipped tests or remove them")
            .tags(["tests"]),
        RuleInfo::new("tests/disappeared", Severity::Medium, "a test of the baseline run is gone")
            .full("A test in the baseline report is not in the current reports: deleted, renamed or no longer run. Blocks with `block-disappeared`.")
            .help("if the test was removed on purpose, refresh the baseline; otherwise find out why it no longer runs")
            .tags(["tests", "baseline"]),
        RuleInfo::new("tests/suite-slower", Severity::Medium, "a suite got slower than the baseline allows")
            .full("A suite's duration grew by more than `max-suite-slowdown-percent` against the same suite of the baseline report (suites shorter than `min-suite-duration-ms` in the current run are not judged: their timing is noise).")
            .help("find the slow tests of the suite (the report's durations) or raise the limit")
            .tags(["tests", "baseline", "performance"]),
        RuleInfo::new("tests/report-warning", Severity::Low, "the test report has something suspicious")
            .full("The host's parser read past something suspicious in the report: counters the test cases disagree with (the cases are counted), merged duplicate cases, cut messages, a bail-out.")
            .help("check the test runner's output and reporter configuration")
            .tags(["tests"]),
        RuleInfo::new("tests/quarantine-expired", Severity::Medium, "a quarantine has expired")
            .full("A quarantine entry whose `expires` date has passed no longer waives anything; the test's failures and flakiness count again.")
            .help("fix the test or renew the quarantine with a new expiry date")
            .tags(["tests", "quarantine"]),
        RuleInfo::new("tests/quarantine-expiring", Severity::Info, "a quarantine in use expires soon")
            .full("A quarantine that still waives a test expires within `expiring-within-days` (14 by default).")
            .help("fix the test before the quarantine expires, or renew it")
            .tags(["tests", "quarantine"]),
        RuleInfo::new("tests/quarantine-unused", Severity::Info, "a quarantine matches no failing or flaky test")
            .full("A quarantine entry that waived nothing in this run: the test passed cleanly, or the id matches no test.")
            .help("remove the quarantine once the test is reliable")
            .tags(["tests", "quarantine"]),
    ]
}

gate_sdk::export!(TestsPolicy);

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
                &[include_str!("judge.rs"), include_str!("quarantine.rs")],
                "tests/",
                &[]
            ),
            Vec::<String>::new()
        );
    }
}
