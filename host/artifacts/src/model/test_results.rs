//! Test results: suites and cases in a flat layout (cases point at their
//! suite by index, suites at their parent), so a report can be handed out
//! item by item. Totals are always computed from the cases, never copied
//! from a report's own counters.

use super::Location;
use serde::{Deserialize, Serialize};

/// How a test ended. Ordered by how bad it is, for merging the attempts of
/// one test: `Passed < Skipped < Failed < Errored`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum TestStatus {
    #[default]
    Passed,
    Skipped,
    /// An assertion did not hold.
    Failed,
    /// The test could not run to its end: an exception outside an
    /// assertion, a failing fixture or hook, a package that did not build.
    Errored,
}

impl TestStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TestStatus::Passed => "passed",
            TestStatus::Skipped => "skipped",
            TestStatus::Failed => "failed",
            TestStatus::Errored => "errored",
        }
    }
}

/// A suite (JUnit `<testsuite>`, a Go package, a libtest binary, a TAP
/// subtest block, a CTRF `suite`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestSuite {
    pub name: String,
    /// Index of the enclosing suite in [`TestReport::suites`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// As the report gives it, in microseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_us: Option<u64>,
}

/// One test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestCase {
    /// Index of its suite in [`TestReport::suites`].
    pub suite: u32,
    pub name: String,
    /// JUnit `classname` (the module or class; mocha-junit-reporter puts
    /// the test's own title there), empty when the report has none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub classname: String,
    pub status: TestStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_us: Option<u64>,
    /// The failure, error or skip message (cut to
    /// [`TestReport::MESSAGE_LIMIT`] bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The test's file and line when the report gives them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Attempts after the first (reruns of a failing test).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub retries: u32,
    /// Failed at least once and then passed on a retry.
    #[serde(default, skip_serializing_if = "is_false")]
    pub flaky: bool,
    /// A skipped test marked to do (TAP `# TODO`, node `todo`, CTRF
    /// `todo`): not run on purpose, not a skip of a test that exists.
    #[serde(default, skip_serializing_if = "is_false")]
    pub todo: bool,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// Counts over the cases. `skipped` includes `todo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestTotals {
    pub tests: u64,
    pub passed: u64,
    pub failed: u64,
    pub errored: u64,
    pub skipped: u64,
    pub todo: u64,
    pub flaky: u64,
    /// Sum of the cases' durations, in microseconds.
    pub duration_us: u64,
}

/// A test report: suites and cases in document order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct TestReport {
    pub suites: Vec<TestSuite>,
    pub cases: Vec<TestCase>,
    /// Always [`TestReport::count`] of the cases.
    pub totals: TestTotals,
}

impl TestReport {
    /// Bytes kept of a message: failure output can be megabytes, the
    /// first lines say what failed.
    pub const MESSAGE_LIMIT: usize = 4096;

    /// The totals of the cases.
    pub fn count(&self) -> TestTotals {
        let mut t = TestTotals::default();
        for c in &self.cases {
            t.tests = t.tests.saturating_add(1);
            let n = match c.status {
                TestStatus::Passed => &mut t.passed,
                TestStatus::Failed => &mut t.failed,
                TestStatus::Errored => &mut t.errored,
                TestStatus::Skipped => &mut t.skipped,
            };
            *n = n.saturating_add(1);
            if c.todo {
                t.todo = t.todo.saturating_add(1);
            }
            if c.flaky {
                t.flaky = t.flaky.saturating_add(1);
            }
            t.duration_us = t.duration_us.saturating_add(c.duration_us.unwrap_or(0));
        }
        t
    }

    /// The suites from the outermost to this one, by name.
    pub fn suite_path(&self, suite: u32) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = Some(suite);
        // A parent always comes before its children: at most one step per suite.
        let mut steps = self.suites.len();
        while let (Some(i), true) = (at, steps > 0) {
            let Some(s) = self.suites.get(i as usize) else {
                break;
            };
            out.push(s.name.as_str());
            at = s.parent.filter(|p| *p < i);
            steps = steps.saturating_sub(1);
        }
        out.reverse();
        out
    }
}
