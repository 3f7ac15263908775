//! `builtin:tests` end to end through the real binary: on the real reports
//! of `../shared/corpus/tests` (pytest, Maven Surefire, go test, libtest,
//! jest, mocha, node) and on our own fixtures (`policies/tests/tests`).
//! Expected counts come from `gate parse` of the same files (the parsers
//! are checked against the runners' own totals elsewhere), so these tests
//! check the policy's judgement.

use crate::{TestDir, corpus_or_skip, metric, repo};
use serde_json::Value;

const NOW: &str = "2026-12-02T00:00:00Z";

fn eval(t: &TestDir, params: &str, files: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "eval",
        "--policy",
        "builtin:tests",
        "--params",
        params,
        "--format",
        "json",
        "--now",
        NOW,
    ];
    args.extend_from_slice(files);
    let r = t.run(&args);
    let v = r.json();
    (r.code(), v)
}

fn fixture(name: &str) -> String {
    repo()
        .join("policies/tests/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn findings<'a>(v: &'a Value, rule: &str) -> Vec<&'a Value> {
    v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

#[test]
fn a_failing_real_pytest_run_exits_1_naming_each_test_at_its_file_and_line() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("tests/pytest/pytest-9.2.0-xunit1-logging-all.xml");
    let file = file.to_str().unwrap();
    let r = t
        .run(&["eval", "--policy", "builtin:tests", "--now", NOW, file])
        .expect_code(1);
    let out = r.stdout();
    // pytest writes 0-based lines (38 in the XML is the `def` on line 39).
    assert!(
        out.contains("tests/failed tests/unit/test_journal.py:39 tests.unit.test_journal::test_logs_and_fails failed: AssertionError: assert 250 == 300"),
        "{out}"
    );
    assert!(
        out.contains("tests/errored tests/integration/test_db.py:7 tests.integration.test_db.TestPostgresStore::test_insert_entry errored: failed on setup"),
        "{out}"
    );
    assert!(
        out.contains("blocking: 12 failing tests (at most 0 allowed)"),
        "{out}"
    );

    let (code, v) = eval(&t, "{}", &[file]);
    assert_eq!(code, 1);
    // 9 failed + 3 errors of 37 test ids (the runner's own summary).
    assert_eq!(metric(&v, "tests"), 37.0);
    assert_eq!(metric(&v, "failures"), 12.0);
    let blocking: Vec<&Value> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
        .collect();
    assert_eq!(blocking.len(), 12);
    for f in &blocking {
        assert!(f["location"]["line"].as_u64().is_some(), "{f}");
    }
    // The same failures within max-failures only warn.
    let (code, v) = eval(&t, r#"{"max-failures": 12}"#, &[file]);
    assert_eq!(code, 0, "{}", v["policies"][0]["summary"]);
}

#[test]
fn every_real_runner_report_fails_on_its_own_failures() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    for rel in [
        "tests/maven-surefire/search-index-junit5/TEST-com.example.search.TokenizerTest.xml",
        "tests/go/go1.19.8-test-run-filter.json",
        "tests/go/go1.19.8-test-build-failure.json",
        "tests/cargo/cargo-1.99.1-libtest.json",
        "tests/cargo/cargo2junit-0.1.15.xml",
        "tests/jest/jest-30.5.2-run-a.jest-junit-17.0.0.xml",
        "tests/jest/jest-30.5.2-run-a.ctrf-0.0.11.json",
        "tests/mocha/mocha-10.8.2-junit-reporter-2.2.1.xml",
        "tests/node-test-runner/node-20.20.2-name-pattern.tap",
        "tests/node-test-runner/node-20.20.2-name-pattern.junit.xml",
        "tests/pytest/pytest-9.2.0-xunit2-maxfail3.xml",
    ] {
        let file = corpus.join(rel);
        let file = file.to_str().unwrap();
        let totals = t.run(&["parse", file, "--json"]).expect_code(0).json()["totals"].clone();
        let n = |k: &str| totals[k].as_f64().unwrap();
        let failing = n("failed") + n("errored");
        assert!(failing > 0.0, "{rel}: the corpus runs all have failures");
        let (code, v) = eval(&t, "{}", &[file]);
        assert_eq!(code, 1, "{rel}: {}", v["policies"][0]["summary"]);
        assert_eq!(metric(&v, "tests"), n("tests"), "{rel}");
        assert_eq!(metric(&v, "failures"), failing, "{rel}");
        let named = findings(&v, "tests/failed").len() + findings(&v, "tests/errored").len();
        assert_eq!(named as f64, failing, "{rel}: one finding per failing test");
        // Allowing exactly that many (and the flaky ones) passes.
        let params = format!(r#"{{"max-failures": {failing}, "block-flaky": false}}"#);
        let (code, v) = eval(&t, &params, &[file]);
        assert_eq!(code, 0, "{rel}: {}", v["policies"][0]["summary"]);
    }
    // The parser's counter warnings surface as findings (jest-junit's
    // suite counters disagree with its cases).
    let file = corpus.join("tests/jest/jest-30.5.2-run-a.jest-junit-17.0.0.xml");
    let (_, v) = eval(&t, "{}", &[file.to_str().unwrap()]);
    let warned = findings(&v, "tests/report-warning");
    assert!(
        warned
            .iter()
            .any(|f| f["evidence"] == "warning: tests-counter-mismatch" && f["blocking"] == false),
        "{warned:?}"
    );
}

#[test]
fn a_real_baseline_run_tells_new_failures_from_known_ones() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let current = corpus.join("tests/pytest/pytest-9.2.0-xunit2-default.xml");
    let base = corpus.join("tests/pytest/pytest-9.2.0-xunit2-maxfail3.xml");
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = {:?}\n[[artifact]]\npath = {:?}\nrole = \"baseline\"\n[[policy]]\nuse = \"builtin:tests\"\nparams = {{ new-only = true, max-failures = 9 }}\n",
            current.to_str().unwrap(),
            base.to_str().unwrap()
        ),
    );
    let r = t.run(&["check", "--format", "json", "--now", NOW]);
    let v = r.json();
    // The stopped run failed `test_eventually_consistent_read` and errored
    // the two `TestPostgresStore` tests: 3 known, 9 new of the 12.
    assert_eq!(metric(&v, "new-failures"), 9.0);
    assert_eq!(metric(&v, "known-failures"), 3.0);
    assert_eq!(metric(&v, "disappeared"), 0.0);
    assert_eq!(findings(&v, "tests/known-failure").len(), 3);
    assert_eq!(r.code(), 0, "9 new failures are allowed: {}", v["summary"]);
    // Swapped, the 32 tests the stopped run never reached disappeared.
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = {:?}\n[[artifact]]\npath = {:?}\nrole = \"baseline\"\n[[policy]]\nuse = \"builtin:tests\"\nparams = {{ block-disappeared = true, max-failures = 5 }}\n",
            base.to_str().unwrap(),
            current.to_str().unwrap()
        ),
    );
    let r = t.run(&["check", "--format", "json", "--now", NOW]);
    let v = r.json();
    assert_eq!(metric(&v, "disappeared"), 32.0);
    assert_eq!(r.code(), 1);
    assert!(
        v["policies"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("32 tests disappeared"),
        "{}",
        v["policies"][0]["summary"]
    );
}

#[test]
fn our_fixtures_pass_when_all_passed_and_fail_when_nothing_ran() {
    let t = TestDir::new();
    let (code, v) = eval(&t, "{}", &[&fixture("passing.xml")]);
    assert_eq!(code, 0, "{}", v["policies"][0]["summary"]);
    assert_eq!(
        v["policies"][0]["summary"],
        "3 tests: 3 passed, 0 failing, 0 skipped, 0 flaky"
    );
    // An empty report fails on min-tests without any params.
    let (code, v) = eval(&t, "{}", &[&fixture("empty.xml")]);
    assert_eq!(code, 1);
    assert_eq!(
        v["policies"][0]["summary"],
        "blocking: 0 tests executed, at least 1 required"
    );
    assert_eq!(findings(&v, "tests/too-few-tests").len(), 1);
    // Skipped tests are not executed ones.
    let (code, v) = eval(&t, "{}", &[&fixture("all-skipped.tap")]);
    assert_eq!(code, 1);
    assert_eq!(
        v["policies"][0]["summary"],
        "blocking: 0 tests executed, at least 1 required (2 skipped)"
    );
    // The failing fixture names its tests at their file and line.
    let r = t
        .run(&[
            "eval",
            "--policy",
            "builtin:tests",
            "--now",
            NOW,
            &fixture("failing.xml"),
        ])
        .expect_code(1);
    assert!(
        r.stdout().contains("tests/failed tests/cart_test.py:30 checkout.Cart::computes the total failed: expected 30 but was 29"),
        "{}",
        r.stdout()
    );
}

#[test]
fn reports_show_a_tests_section_with_new_failures_before_known_ones() {
    let t = TestDir::new();
    let _s = t.snapshots();
    for name in ["failing.xml", "baseline.xml"] {
        t.write(name, std::fs::read(fixture(name)).unwrap());
    }
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"failing.xml\"\n[[artifact]]\npath = \"baseline.xml\"\nrole = \"baseline\"\n\
         [[policy]]\nuse = \"builtin:tests\"\nparams = { quarantine = [{ id = \"checkout.Cart::retries the payment\", reason = \"sandbox\", expires = \"2027-01-01\" }] }\n",
    );
    let mut all = String::new();
    for format in ["human", "markdown", "html"] {
        let r = t
            .run(&["check", "--format", format, "--now", NOW])
            .expect_code(1);
        let out = r.stdout();
        let heading = match format {
            "human" => "tests (tests): ",
            "markdown" => "### Tests (tests)",
            _ => "<h2>Tests (tests)</h2>",
        };
        let section = &out[out
            .find(heading)
            .unwrap_or_else(|| panic!("{format}: {out}"))..];
        // The errored test is new since the baseline, the failed one known:
        // new first.
        let new = section.find("checkout.Db::connects").unwrap();
        let known = section.find("checkout.Cart::computes the total").unwrap();
        assert!(new < known, "{format}: {section}");
        if format != "html" {
            all.push_str(&r.titled(format));
        }
    }
    // The footer names the policy by its component's short digest, which
    // changes with every rebuild of the policy or the SDK.
    let all = regex::Regex::new(r"sha256:[0-9a-f]{12}\b")
        .unwrap()
        .replace_all(&all, "sha256:[digest]");
    insta::assert_snapshot!(all);
}
