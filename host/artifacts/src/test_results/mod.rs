//! Test results: JUnit XML (its dialects), `go test -json`, TAP, CTRF and
//! libtest JSON. One file per format; this module detects, dispatches and
//! holds the [`Builder`] every parser fills, which merges the attempts of
//! one test, cuts long messages and computes the totals.

pub mod ctrf;
pub mod go_test;
pub mod junit;
pub mod libtest;
pub mod tap;

use crate::error::{ParseCode, WarningCode};
use crate::model::{Location, TestCase, TestReport, TestStatus, TestSuite};
use crate::{Document, Format, ParseContext, ParseError};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Recognises a test-result format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    match doc {
        Document::Text(t) if t.trim_start().starts_with('<') => {
            junit::sniff(t).then_some(Format::Junit)
        }
        Document::Text(t) => json_lines(t).or_else(|| tap::sniff(t).then_some(Format::Tap)),
        Document::Json(v) => ctrf::sniff(v.shape()).then_some(Format::Ctrf),
    }
}

/// Whether `doc` carries the markers of `format`: the tests of [`sniff`].
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    match (format, doc) {
        (Format::Junit, Document::Text(t)) => t.trim_start().starts_with('<') && junit::sniff(t),
        (Format::GoTestJson, Document::Text(t)) => go_test::is_stream(t),
        (Format::LibtestJson, Document::Text(t)) => libtest::sniff(t),
        (Format::Tap, Document::Text(t)) => tap::sniff(t),
        (Format::Ctrf, Document::Json(v)) => ctrf::sniff(v.shape()),
        _ => false,
    }
}

/// The JSON-lines formats (`go test -json`, libtest): detected from the
/// text before it is loaded, since a stream of JSON values is no JSON
/// document.
pub fn json_lines(text: &str) -> Option<Format> {
    if go_test::sniff(text) {
        Some(Format::GoTestJson)
    } else if libtest::sniff(text) {
        Some(Format::LibtestJson)
    } else {
        None
    }
}

/// Longest first line the JSON-lines sniffers read: events are short; a
/// long line is some other document (a minified report).
const SNIFF_LINE: usize = 64 * 1024;

/// Whether `text` starts like a stream of JSON lines of a test runner
/// (detected or not): never to be read as one JSON document.
pub fn is_json_lines(text: &str) -> bool {
    go_test::is_stream(text) || libtest::sniff(text)
}

/// The first JSON object line among the first lines of `text` (streams may
/// start with plain output, as `go test -json` does for a build failure),
/// when it is a complete JSON object on its own.
/// The error for a JSON-lines event (`go test -json`, libtest) that does
/// not parse: at its line and column; `truncated` when the stream's last
/// line ends inside the event, `invalid` otherwise.
pub(crate) fn event_error(
    cx: &ParseContext<'_>,
    e: &serde_json::Error,
    line: u32,
    last: bool,
    (truncated, invalid): (ParseCode, ParseCode),
    what: &str,
) -> ParseError {
    let (code, what) = if e.is_eof() && last {
        (truncated, "the stream ends inside an event")
    } else {
        (invalid, what)
    };
    cx.error(
        code,
        Some(crate::error::Position::LineCol {
            line,
            column: u32::try_from(e.column()).unwrap_or(u32::MAX),
        }),
        format!("{what}: {}", e.to_string().to_lowercase()),
    )
}

pub(crate) fn first_object_line(text: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    // Compiler output before the first event is a few lines per package.
    let line = text
        .lines()
        .take(1024)
        .map(str::trim)
        .find(|l| l.starts_with('{'))?;
    if line.len() > SNIFF_LINE {
        return None;
    }
    match serde_json::from_str(line) {
        Ok(serde_json::Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// Parses a test-result artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<TestReport, ParseError> {
    match (format, doc) {
        (Format::Junit, Document::Text(t)) => junit::parse(t, cx),
        (Format::GoTestJson, Document::Text(t)) => go_test::parse(t, cx),
        (Format::LibtestJson, Document::Text(t)) => libtest::parse(t, cx),
        (Format::Tap, Document::Text(t)) => tap::parse(t, cx),
        (Format::Ctrf, Document::Json(v)) => ctrf::parse(v.text(), cx),
        _ => Err(cx.error(
            ParseCode::UnsupportedFormat,
            None,
            format!("{format} is not supported yet"),
        )),
    }
}

/// A duration in seconds as text (`"0.001"`, `"1,234.5"`) in microseconds.
pub(crate) fn seconds_text(s: &str) -> Option<u64> {
    let s = s.trim();
    let v: f64 = if s.contains(',') {
        s.replace(',', "").parse().ok()?
    } else {
        s.parse().ok()?
    };
    seconds(v)
}

/// A duration in seconds in microseconds; `None` when negative or not a number.
pub(crate) fn seconds(v: f64) -> Option<u64> {
    // `as` saturates: a huge value is u64::MAX, never a wrap.
    (v.is_finite() && v >= 0.0).then(|| (v * 1e6).round() as u64)
}

/// A duration in milliseconds in microseconds.
pub(crate) fn millis(v: f64) -> Option<u64> {
    (v.is_finite() && v >= 0.0).then(|| (v * 1e3).round() as u64)
}

/// Counters a report states about itself (checked, never used).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Declared {
    pub tests: Option<u64>,
    pub failed: Option<u64>,
    pub errored: Option<u64>,
    pub skipped: Option<u64>,
    pub passed: Option<u64>,
}

impl Declared {
    fn is_empty(&self) -> bool {
        self.tests.is_none()
            && self.failed.is_none()
            && self.errored.is_none()
            && self.skipped.is_none()
            && self.passed.is_none()
    }

    /// Adds `other`'s counters to these (a sum of suites).
    pub fn add(&mut self, other: Declared) {
        let add = |a: &mut Option<u64>, b: Option<u64>| {
            if let Some(b) = b {
                *a = Some(a.unwrap_or(0).saturating_add(b));
            }
        };
        add(&mut self.tests, other.tests);
        add(&mut self.failed, other.failed);
        add(&mut self.errored, other.errored);
        add(&mut self.skipped, other.skipped);
        add(&mut self.passed, other.passed);
    }
}

/// Builds a [`TestReport`]: suites and cases in document order.
#[derive(Default)]
pub(crate) struct Builder {
    report: TestReport,
    /// (suite, hash of classname and name) → the case's index.
    seen: HashMap<(u32, u64), u32>,
    cut: usize,
    duplicates: usize,
    first_duplicate: Option<String>,
}

fn identity(classname: &str, name: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    classname.hash(&mut h);
    name.hash(&mut h);
    h.finish()
}

impl Builder {
    /// Adds a suite and returns its index.
    pub fn suite(&mut self, suite: TestSuite) -> u32 {
        let i = u32::try_from(self.report.suites.len()).unwrap_or(u32::MAX);
        self.report.suites.push(suite);
        i
    }

    pub fn suites(&self) -> &[TestSuite] {
        &self.report.suites
    }

    pub fn suite_mut(&mut self, i: u32) -> Option<&mut TestSuite> {
        self.report.suites.get_mut(i as usize)
    }

    /// `s` cut to [`TestReport::MESSAGE_LIMIT`] bytes (at a character
    /// boundary), trimmed; `None` when empty.
    pub fn message(&mut self, s: &str) -> Option<String> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if s.len() <= TestReport::MESSAGE_LIMIT {
            return Some(s.to_owned());
        }
        self.cut = self.cut.saturating_add(1);
        let mut end = TestReport::MESSAGE_LIMIT;
        while !s.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        Some(format!("{}…", s.get(..end).unwrap_or_default()))
    }

    /// A location from a path and line found in the report.
    pub fn location(cx: &mut ParseContext<'_>, path: &str, line: Option<u32>) -> Location {
        Location::new(cx.path(path), line)
    }

    /// Adds a case. A case with the classname and name of one already in
    /// the same suite is another attempt of that test (a rerun, or a
    /// reporter that writes a failure twice): they are merged into one
    /// case, passed and flaky when an attempt passed and another did not,
    /// else with the worst outcome.
    pub fn case(&mut self, case: TestCase) {
        let key = (case.suite, identity(&case.classname, &case.name));
        if let Some(&i) = self.seen.get(&key)
            && let Some(old) = self.report.cases.get_mut(i as usize)
            && old.classname == case.classname
            && old.name == case.name
        {
            let passed = [old.status, case.status].contains(&TestStatus::Passed);
            let bad = [old.status, case.status]
                .iter()
                .any(|s| matches!(s, TestStatus::Failed | TestStatus::Errored));
            if passed && bad {
                old.status = TestStatus::Passed;
                old.flaky = true;
            } else if case.status > old.status {
                old.status = case.status;
                old.message = case.message.or(old.message.take());
            }
            old.flaky |= case.flaky;
            old.retries = old.retries.saturating_add(1).saturating_add(case.retries);
            old.duration_us = match (old.duration_us, case.duration_us) {
                (Some(a), Some(b)) => Some(a.saturating_add(b)),
                (a, b) => a.or(b),
            };
            self.duplicates = self.duplicates.saturating_add(1);
            if self.first_duplicate.is_none() {
                self.first_duplicate = Some(case.name);
            }
            return;
        }
        let i = u32::try_from(self.report.cases.len()).unwrap_or(u32::MAX);
        self.seen.entry(key).or_insert(i);
        self.report.cases.push(case);
    }

    /// The report with its totals; warns about cut messages, merged
    /// attempts and counters the report states that its cases disagree with.
    pub fn finish(mut self, cx: &mut ParseContext<'_>, declared: Declared) -> TestReport {
        self.report.totals = self.report.count();
        if self.duplicates > 0 {
            cx.warn(
                WarningCode::DuplicateTestCase,
                format!(
                    "{} test case{} repeat{} a test of the same suite (first: `{}`); each test's attempts were merged into one case",
                    self.duplicates,
                    if self.duplicates == 1 { "" } else { "s" },
                    if self.duplicates == 1 { "s" } else { "" },
                    self.first_duplicate.as_deref().unwrap_or_default()
                ),
            );
        }
        if self.cut > 0 {
            cx.warn(
                WarningCode::TextTruncated,
                format!(
                    "{} message{} cut to {} bytes",
                    self.cut,
                    if self.cut == 1 { " was" } else { "s were" },
                    TestReport::MESSAGE_LIMIT
                ),
            );
        }
        if !declared.is_empty() {
            let t = self.report.totals;
            let mut off = Vec::new();
            for (what, said, got) in [
                ("tests", declared.tests, t.tests),
                ("passed", declared.passed, t.passed),
                ("failures", declared.failed, t.failed),
                ("errors", declared.errored, t.errored),
                ("skipped", declared.skipped, t.skipped),
            ] {
                if let Some(said) = said
                    && said != got
                {
                    off.push(format!("{what} {said} (cases: {got})"));
                }
            }
            if !off.is_empty() {
                cx.warn(
                    WarningCode::TestsCounterMismatch,
                    format!(
                        "the report's own counters disagree with its test cases: {}; totals use the cases",
                        off.join(", ")
                    ),
                );
            }
        }
        self.seen = HashMap::new();
        self.report
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ParseOptions;

    fn case(name: &str, status: TestStatus) -> TestCase {
        TestCase {
            name: name.into(),
            status,
            ..Default::default()
        }
    }

    #[test]
    fn attempts_of_one_test_merge() {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("t", &o);
        let mut b = Builder::default();
        b.suite(TestSuite::default());
        b.case(case("a", TestStatus::Failed));
        b.case(case("a", TestStatus::Passed));
        b.case(case("b", TestStatus::Errored));
        b.case(case("b", TestStatus::Failed));
        b.case(case("c", TestStatus::Passed));
        let r = b.finish(&mut cx, Declared::default());
        assert_eq!(r.cases.len(), 3);
        assert_eq!(r.cases[0].status, TestStatus::Passed);
        assert!(r.cases[0].flaky);
        assert_eq!(r.cases[0].retries, 1);
        assert_eq!(r.cases[1].status, TestStatus::Errored);
        assert!(!r.cases[1].flaky);
        assert_eq!(r.totals.flaky, 1);
        assert_eq!(cx.warnings[0].code, WarningCode::DuplicateTestCase);
    }

    #[test]
    fn durations() {
        assert_eq!(seconds_text("0.000324345"), Some(324));
        assert_eq!(seconds_text("1,234.5"), Some(1_234_500_000));
        assert_eq!(seconds_text("-1"), None);
        assert_eq!(seconds_text("NaN"), None);
        assert_eq!(seconds(1e300), Some(u64::MAX));
        assert_eq!(millis(7.0), Some(7000));
    }
}
