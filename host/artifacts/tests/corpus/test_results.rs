//! Corpus tests: test results (`tests/`). Every report parses to the
//! runner's own totals (`tests/EXPECTED.md`: the console's figures, or the
//! report-level ones where the format cannot carry them), and the
//! semantics EXPECTED.md lists come out right.

use crate::{corpus_or_skip, parse, walk};
use gate_artifacts::{Format, Model, TestReport, TestStatus, TestTotals, WarningCode};

fn report(rel: &str) -> (Format, TestReport, Vec<WarningCode>) {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let warnings = p.warnings.iter().map(|w| w.code).collect();
    match p.model {
        Model::Tests(t) => (p.format, t, warnings),
        other => panic!("{rel}: not test results: {other:?}"),
    }
}

/// (tests, passed, failed, errored, skipped, todo, flaky).
fn counts(t: &TestTotals) -> (u64, u64, u64, u64, u64, u64, u64) {
    (
        t.tests, t.passed, t.failed, t.errored, t.skipped, t.todo, t.flaky,
    )
}

/// Names of the cases with `status`, sorted.
fn named(t: &TestReport, status: TestStatus) -> Vec<String> {
    let mut v: Vec<String> = t
        .cases
        .iter()
        .filter(|c| c.status == status)
        .map(|c| {
            if c.classname.is_empty() {
                c.name.clone()
            } else {
                format!("{}::{}", c.classname, c.name)
            }
        })
        .collect();
    v.sort();
    v
}

type Counts = (u64, u64, u64, u64, u64, u64, u64);

/// Every report of the corpus, its format and the runner's totals.
const EXPECTED: &[(&str, Format, Counts)] = &[
    // pytest: 20 passed + 1 xpassed (one is also the teardown error) = 20
    // plain test cases; skipped 5 = 4 skipped + 1 xfailed.
    (
        "tests/pytest/pytest-9.2.0-xunit2-default.xml",
        Format::Junit,
        (37, 20, 9, 3, 5, 0, 0),
    ),
    (
        "tests/pytest/pytest-9.2.0-xunit1-logging-all.xml",
        Format::Junit,
        (37, 20, 9, 3, 5, 0, 0),
    ),
    (
        "tests/pytest/pytest-9.2.0-xunit2-maxfail3.xml",
        Format::Junit,
        (5, 0, 1, 2, 2, 0, 0),
    ),
    // node: tests 26, pass 9, fail 5, skipped 11, todo 1 (our skipped
    // counts the todo test).
    (
        "tests/node-test-runner/node-20.20.2-name-pattern.junit.xml",
        Format::Junit,
        (26, 9, 5, 0, 12, 1, 0),
    ),
    (
        "tests/node-test-runner/node-20.20.2-name-pattern.tap",
        Format::Tap,
        (26, 9, 5, 0, 12, 1, 0),
    ),
    // jest-junit: 14 passed + the todo test (a plain test case there), 5
    // failed, 1 skipped, and the suite that failed to run, written twice
    // (error and failure) and read as one errored case.
    (
        "tests/jest/jest-30.5.2-run-a.jest-junit-17.0.0.xml",
        Format::Junit,
        (22, 15, 5, 1, 1, 0, 0),
    ),
    // CTRF: tests 21, passed 14, failed 5, pending 1, other 1 (todo); one
    // flaky test passed on its retry.
    (
        "tests/jest/jest-30.5.2-run-a.ctrf-0.0.11.json",
        Format::Ctrf,
        (21, 14, 5, 0, 2, 1, 1),
    ),
    // mocha: 10 passing, 2 pending, 6 failing (the before-all hook is one).
    (
        "tests/mocha/mocha-10.8.2-junit-reporter-2.2.1.xml",
        Format::Junit,
        (18, 10, 6, 0, 2, 0, 0),
    ),
    // go: terminal test events pass 13, fail 3, skip 1.
    (
        "tests/go/go1.19.8-test-run-filter.json",
        Format::GoTestJson,
        (17, 13, 3, 0, 1, 0, 0),
    ),
    // go: TestSum passed; the package that did not build is an error.
    (
        "tests/go/go1.19.8-test-build-failure.json",
        Format::GoTestJson,
        (2, 1, 0, 1, 0, 0, 0),
    ),
    // Surefire: Tests run: 19, Failures: 5, Errors: 1, Skipped: 2.
    (
        "tests/maven-surefire/search-index-junit5/TEST-com.example.search.TokenizerTest.xml",
        Format::Junit,
        (19, 11, 5, 1, 2, 0, 0),
    ),
    // cargo: 5 passed, 4 failed, 1 ignored (both reports of one run).
    (
        "tests/cargo/cargo-1.99.1-libtest.json",
        Format::LibtestJson,
        (10, 5, 4, 0, 1, 0, 0),
    ),
    (
        "tests/cargo/cargo2junit-0.1.15.xml",
        Format::Junit,
        (10, 5, 4, 0, 1, 0, 0),
    ),
];

#[test]
fn every_report_matches_the_runners_totals() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for (rel, format, want) in EXPECTED {
        let (f, t, _) = report(rel);
        assert_eq!(f, *format, "{rel} detected as");
        assert_eq!(counts(&t.totals), *want, "{rel}: totals");
        assert_eq!(t.totals, t.count(), "{rel}");
        // Forcing its format reads it the same.
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        let forced = gate_artifacts::parse(
            rel,
            &bytes,
            Some(*format),
            &gate_artifacts::ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(forced.model, Model::Tests(t), "{rel} forced");
    }
    // Every report of the folder is listed (console logs are no reports).
    let mut files = Vec::new();
    walk(&corpus.join("tests"), &mut files);
    for rel in files {
        let report = [".xml", ".json", ".tap"].iter().any(|e| rel.ends_with(e));
        if report {
            assert!(
                EXPECTED.iter().any(|(r, _, _)| *r == rel),
                "{rel} has no expected totals"
            );
        }
    }
}

#[test]
fn pytest_failures_errors_and_counters() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, t, w) = report("tests/pytest/pytest-9.2.0-xunit2-default.xml");
    // The report's own counters agree with its cases: no warning.
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        named(&t, TestStatus::Errored),
        [
            "tests.integration.test_db.TestPostgresStore::test_insert_entry",
            "tests.integration.test_db.TestPostgresStore::test_query_balance",
            "tests.unit.test_journal::test_writes_to_ledger_file",
        ]
    );
    assert_eq!(named(&t, TestStatus::Failed).len(), 9);
    let teardown = t
        .cases
        .iter()
        .find(|c| c.name == "test_writes_to_ledger_file")
        .unwrap();
    assert!(
        teardown
            .message
            .as_deref()
            .unwrap()
            .starts_with("failed on teardown"),
        "{teardown:?}"
    );
    // The long dict-diff message with `]]>` and `</failure>` inside.
    let long = t
        .cases
        .iter()
        .find(|c| c.name == "test_very_long_failure_message")
        .unwrap();
    assert_eq!(long.status, TestStatus::Failed);
    // Escaped id (xunit2) against the raw one (xunit1).
    assert!(t.cases.iter().any(|c| {
        c.name
            .starts_with("test_parse_amount_rejects_garbage[na\\xefve")
    }));
    let (_, t1, _) = report("tests/pytest/pytest-9.2.0-xunit1-logging-all.xml");
    assert!(
        t1.cases
            .iter()
            .any(|c| c.name == "test_parse_amount_rejects_garbage[naïve & \"quoted\"]")
    );
    // xunit1 gives each test's file and line, counted from 0: the console
    // says `tests/integration/test_db.py:13` of the skip written `line="12"`.
    let c = t1
        .cases
        .iter()
        .find(|c| c.name == "test_export_to_s3")
        .unwrap();
    let loc = c.location.as_ref().unwrap();
    assert_eq!(
        (loc.path.as_str(), loc.line),
        ("tests/integration/test_db.py", Some(13))
    );
}

#[test]
fn node_junit_and_tap_name_the_same_failures() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, junit, w) = report("tests/node-test-runner/node-20.20.2-name-pattern.junit.xml");
    // Its testsuite counters count nested describe blocks as tests.
    assert!(w.contains(&WarningCode::TestsCounterMismatch), "{w:?}");
    let (_, tap, w) = report("tests/node-test-runner/node-20.20.2-name-pattern.tap");
    // The TAP trailer's counters agree.
    assert!(!w.contains(&WarningCode::TestsCounterMismatch), "{w:?}");
    let failing = |t: &TestReport| -> Vec<String> {
        let mut v: Vec<String> = t
            .cases
            .iter()
            .filter(|c| c.status == TestStatus::Failed)
            .map(|c| {
                let mut path = t.suite_path(c.suite).join(" › ");
                path.push_str(" › ");
                path.push_str(&c.name);
                path.trim_start_matches(" › ").to_owned()
            })
            .collect();
        v.sort();
        v
    };
    let want = [
        "Cart › add() › rejects fractional quantity (expects TypeError)",
        "Cart › totals › coupons › FIVEOFF never produces a negative total",
        "Cart › totals › coupons › unknown coupon throws a helpful error",
        "slugify — unicode & \"special\" <chars> › slugify(\"Ünïcödé Straße\") → unicode-strasse",
        "slugify — unicode & \"special\" <chars> › slugify(\"日本語のタイトル\") → ri-ben-yu",
    ];
    assert_eq!(failing(&tap), want);
    // node 20's junit reporter escapes quotes twice: the names keep `&quot;`.
    let junit_want: Vec<String> = want.iter().map(|s| s.replace('"', "&quot;")).collect();
    assert_eq!(failing(&junit), junit_want);
    // TAP gives each test's place.
    let c = tap
        .cases
        .iter()
        .find(|c| c.name == "FIVEOFF never produces a negative total")
        .unwrap();
    let loc = c.location.as_ref().unwrap();
    assert_eq!(loc.line, Some(40));
    assert!(loc.path.ends_with("test/unit/cart.test.js"), "{loc:?}");
    assert_eq!(
        c.message.as_deref(),
        Some("total went negative: -200 cents")
    );
}

#[test]
fn jest_reports_of_one_run() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, ctrf, w) = report("tests/jest/jest-30.5.2-run-a.ctrf-0.0.11.json");
    // Its summary agrees; only the machine's absolute paths are warned.
    assert!(w.iter().all(|w| *w == WarningCode::UnmappedPath), "{w:?}");
    let flaky: Vec<_> = ctrf.cases.iter().filter(|c| c.flaky).collect();
    assert_eq!(flaky.len(), 1);
    assert_eq!(flaky[0].retries, 1);
    assert!(
        flaky[0]
            .name
            .ends_with("flaky: reservation visible after replication")
    );
    let retried: Vec<_> = ctrf
        .cases
        .iter()
        .filter(|c| c.status == TestStatus::Failed && c.retries == 2)
        .collect();
    assert_eq!(retried.len(), 2);
    let (_, junit, w) = report("tests/jest/jest-30.5.2-run-a.jest-junit-17.0.0.xml");
    // The broken suite written twice, and counters that disagree.
    assert!(w.contains(&WarningCode::DuplicateTestCase), "{w:?}");
    assert!(w.contains(&WarningCode::TestsCounterMismatch), "{w:?}");
    assert_eq!(
        named(&junit, TestStatus::Errored),
        ["Test suite failed to run::__tests__/api/broken-import.test.js"]
    );
    let c = junit
        .cases
        .iter()
        .find(|c| c.name == "reserves stock")
        .unwrap();
    assert_eq!(
        c.location.as_ref().map(|l| l.path.as_str()),
        Some("__tests__/api/inventory.test.js")
    );
}

#[test]
fn mocha_counts_the_failing_hook_once() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, t, w) = report("tests/mocha/mocha-10.8.2-junit-reporter-2.2.1.xml");
    // `tests="19"` against 18 test cases.
    assert!(w.contains(&WarningCode::TestsCounterMismatch), "{w:?}");
    assert!(t.cases.iter().any(|c| c.status == TestStatus::Failed
        && c.classname == "\"before all\" hook for \"totals match\""));
    let mut pending: Vec<&str> = t
        .cases
        .iter()
        .filter(|c| c.status == TestStatus::Skipped)
        .map(|c| c.classname.as_str())
        .collect();
    pending.sort();
    assert_eq!(
        pending,
        [
            "cancelled is terminal",
            "refunded → paid (chargeback reversal)"
        ]
    );
}

#[test]
fn go_subtests_skips_and_build_failures() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, t, _) = report("tests/go/go1.19.8-test-run-filter.json");
    assert_eq!(
        named(&t, TestStatus::Failed),
        [
            "TestNestedLevels",
            "TestNestedLevels/level1",
            "TestNestedLevels/level1/level2b"
        ]
    );
    assert_eq!(
        named(&t, TestStatus::Skipped),
        ["TestConcurrentClients/partner_\"acme\""]
    );
    // Leaves only (tests no other test's name extends): pass 10, fail 1, skip 1.
    let leaves: Vec<_> = t
        .cases
        .iter()
        .filter(|c| {
            !t.cases
                .iter()
                .any(|o| o.suite == c.suite && o.name.starts_with(&format!("{}/", c.name)))
        })
        .collect();
    let by = |s| leaves.iter().filter(|c| c.status == s).count();
    assert_eq!(
        (
            by(TestStatus::Passed),
            by(TestStatus::Failed),
            by(TestStatus::Skipped)
        ),
        (10, 1, 1)
    );
    assert!(
        t.cases
            .iter()
            .any(|c| c.name == "TestConcurrentClients/web_<chrome_&_firefox>")
    );
    // `migrate` ran no test: a suite without cases.
    assert!(
        t.suites
            .iter()
            .any(|s| s.name == "example.com/gateway/migrate")
    );
    let (_, t, _) = report("tests/go/go1.19.8-test-build-failure.json");
    let broken = t
        .cases
        .iter()
        .find(|c| c.status == TestStatus::Errored)
        .unwrap();
    assert_eq!(broken.name, "[build failed]");
    assert_eq!(
        t.suites[broken.suite as usize].name,
        "example.com/orders/api"
    );
}

#[test]
fn surefire_nested_classes_and_skips() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, t, w) = report(
        "tests/maven-surefire/search-index-junit5/TEST-com.example.search.TokenizerTest.xml",
    );
    assert!(w.is_empty(), "{w:?}");
    assert_eq!(
        named(&t, TestStatus::Errored),
        ["com.example.search.TokenizerTest$StopWords$WithCustomList::nullListThrows"]
    );
    assert_eq!(
        named(&t, TestStatus::Skipped),
        [
            "com.example.search.TokenizerTest$StopWords$WithCustomList::customListApplied",
            "com.example.search.TokenizerTest$StopWords::removesGermanStopWords",
        ]
    );
    assert!(
        named(&t, TestStatus::Failed)
            .contains(&"com.example.search.TokenizerTest::counts{String, int}[5]".to_owned())
    );
}

#[test]
fn cargo_libtest_and_cargo2junit_name_tests_alike() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let (_, json, w) = report("tests/cargo/cargo-1.99.1-libtest.json");
    assert!(w.is_empty(), "{w:?}");
    let (_, xml, _) = report("tests/cargo/cargo2junit-0.1.15.xml");
    let failed = named(&json, TestStatus::Failed);
    assert_eq!(
        failed,
        [
            "integration_unwrap_error",
            "tests::huge_numbers_panic",
            "tests::nested::deep_module_test_fails",
            "tests::prerelease_sorts_before_release",
        ]
    );
    assert_eq!(named(&xml, TestStatus::Failed), failed);
    let ignored = json
        .cases
        .iter()
        .find(|c| c.status == TestStatus::Skipped)
        .unwrap();
    assert_eq!(
        ignored.message.as_deref(),
        Some("build metadata (+sha) not supported yet")
    );
}

// ------------------------------------------------------------ fail closed
// Our fixtures (`tests/fixtures/tests/`), cut or broken: input errors with
// their code and place, never a smaller report.

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/tests")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fails(name: &str, text: &str, format: Option<Format>) -> gate_artifacts::ParseError {
    match gate_artifacts::parse(
        name,
        text.as_bytes(),
        format,
        &gate_artifacts::ParseOptions::default(),
    ) {
        Ok(p) => panic!("{name} parsed as {}: {:?}", p.format, p.model),
        Err(e) => e,
    }
}

fn place(e: &gate_artifacts::ParseError) -> String {
    e.position
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default()
}

#[test]
fn truncated_junit_is_an_error_at_its_end() {
    let text = fixture("junit.xml");
    // Cut before the root's end tag, and inside a test case.
    let cut = &text[..text.rfind("</testsuites>").unwrap()];
    let e = fails("junit.xml", cut, None);
    assert_eq!(e.code.as_str(), "truncated-xml", "{e}");
    assert_eq!(place(&e), "38:1");
    assert!(e.message.contains("`<testsuites>`"), "{e}");
    let cut = &text[..text.find("<rerunFailure").unwrap()];
    let e = fails("junit.xml", cut, Some(Format::Junit));
    assert_eq!(e.code.as_str(), "truncated-xml", "{e}");
    assert!(e.message.contains("`<testcase>` from 16:5"), "{e}");
    // A test case without a name.
    let e = fails(
        "j.xml",
        "<testsuite name=\"s\">\n  <testcase classname=\"c\"/>\n</testsuite>",
        None,
    );
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("invalid-junit", "2:3".into())
    );
    // A test case inside a test case.
    let e = fails(
        "j.xml",
        "<testsuite><testcase name=\"a\"><testcase name=\"b\"/></testcase></testsuite>",
        None,
    );
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("invalid-junit", "1:31".into())
    );
}

#[test]
fn truncated_or_broken_ctrf_is_an_error() {
    let text = fixture("ctrf.json");
    let cut = text.trim_end().trim_end_matches('}');
    let e = fails("ctrf.json", cut, None);
    assert_eq!(e.code.as_str(), "truncated-json", "{e}");
    let bad = text.replacen("\"status\": \"failed\"", "\"status\": \"broken\"", 1);
    let e = fails("ctrf.json", &bad, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("invalid-ctrf", "/results/tests/2/status".into())
    );
    let bad = text.replacen("\"name\": \"vat\"", "\"name\": 3", 1);
    let e = fails("ctrf.json", &bad, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("invalid-ctrf", "/results/tests/3/name".into())
    );
}

#[test]
fn a_cut_go_test_stream_is_an_error() {
    let text = fixture("go-test.json");
    let lines: Vec<&str> = text.lines().collect();
    // Without the `tax` package's final event: the place is the `run` of
    // the test it was still running.
    let cut = lines[..lines.len() - 4].join("\n");
    let e = fails("go.json", &cut, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("truncated-go-test", "23".into())
    );
    assert!(
        e.message
            .contains("`TestSlowRate` of package `example.com/shop/tax`"),
        "{e}"
    );
    // While a test runs: the place is its `run` event.
    let cut = lines[..10].join("\n");
    let e = fails("go.json", &cut, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("truncated-go-test", "5".into())
    );
    assert!(e.message.contains("`TestAdd`"), "{e}");
    // Half an event on the last line.
    let last = lines.last().unwrap();
    let cut = format!("{}\n{}", lines[..lines.len() - 1].join("\n"), &last[..40]);
    let e = fails("go.json", &cut, Some(Format::GoTestJson));
    assert_eq!(e.code.as_str(), "truncated-go-test", "{e}");
    assert!(place(&e).starts_with(&format!("{}:", lines.len())), "{e}");
    // A broken event inside the stream.
    let bad = text.replacen("\"Action\":\"skip\"", "\"Action\":7", 1);
    let e = fails("go.json", &bad, None);
    assert_eq!(e.code.as_str(), "invalid-go-test", "{e}");
    assert!(place(&e).starts_with("18:"), "{e}");
}

#[test]
fn a_cut_libtest_stream_is_an_error() {
    let text = fixture("libtest.json");
    let lines: Vec<&str> = text.lines().collect();
    let cut = lines[..lines.len() - 1].join("\n");
    let e = fails("l.json", &cut, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("truncated-libtest", "12".into())
    );
    let cut = lines[..9].join("\n");
    let e = fails("l.json", &cut, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("truncated-libtest", "1".into())
    );
}

#[test]
fn tap_plans_are_checked() {
    let text = fixture("tap.tap");
    // The top-level plan disagrees with the test points.
    let bad = text.replacen("\n1..4\n", "\n1..5\n", 1);
    let e = fails("t.tap", &bad, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("tap-plan-mismatch", "41".into())
    );
    // A subtest's plan.
    let bad = text.replacen("    1..4\n", "    1..3\n", 1);
    let e = fails("t.tap", &bad, None);
    assert_eq!(
        (e.code.as_str(), place(&e)),
        ("tap-plan-mismatch", "19".into())
    );
    assert_eq!(e.message, "the plan says 3 test points but 4 follow");
    // Cut before the plan: no plan.
    let cut = &text[..text.find("\n1..4\n").unwrap()];
    let e = fails("t.tap", cut, None);
    assert_eq!(e.code.as_str(), "truncated-tap", "{e}");
    // Cut inside a subtest (its parent test point never came).
    let cut = &text[..text.find("not ok 1 - cart").unwrap()];
    let e = fails("t.tap", cut, Some(Format::Tap));
    assert_eq!(e.code.as_str(), "truncated-tap", "{e}");
    // An unclosed yaml block.
    let cut = &text[..text.find("      error: |-").unwrap()];
    let e = fails("t.tap", cut, None);
    assert_eq!((e.code.as_str(), place(&e)), ("truncated-tap", "10".into()));
}

#[test]
fn a_forced_test_format_needs_its_markers() {
    for (fixture_name, forced) in [
        ("junit.xml", Format::Tap),
        ("tap.tap", Format::Junit),
        ("go-test.json", Format::LibtestJson),
        ("libtest.json", Format::GoTestJson),
        ("ctrf.json", Format::GoTestJson),
        ("go-test.json", Format::Ctrf),
        ("libtest.json", Format::Sarif),
    ] {
        let text = fixture(fixture_name);
        let e = fails(fixture_name, &text, Some(forced));
        assert_eq!(
            e.code.as_str(),
            "format-mismatch",
            "{forced} on {fixture_name}: {e}"
        );
        assert_eq!(place(&e), "1:1", "{forced} on {fixture_name}: {e}");
        // (JSON lines start like JSON: the markers are what is missing.)
        let why = if forced.is_json() && !text.starts_with('{') {
            "it is not json"
        } else {
            "expected"
        };
        assert!(
            e.message
                .starts_with(&format!("this is not a {forced} report: {why}")),
            "{e}"
        );
    }
    // A coverage report is no test report, and no format is guessed for an
    // empty `<testsuites/>`-less document.
    let e = fails(
        "c.xml",
        "<coverage line-rate=\"1\"><packages/></coverage>",
        Some(Format::Junit),
    );
    assert_eq!(e.code.as_str(), "format-mismatch");
}

#[test]
fn an_empty_junit_report_has_no_tests() {
    // A run that executed nothing is a report with zero tests (a policy's
    // `min-tests` judges it), not an error and not a pass by omission.
    let p = gate_artifacts::parse(
        "e.xml",
        b"<testsuites/>",
        None,
        &gate_artifacts::ParseOptions::default(),
    )
    .unwrap();
    let Model::Tests(t) = p.model else { panic!() };
    assert_eq!(t.totals.tests, 0);
}
