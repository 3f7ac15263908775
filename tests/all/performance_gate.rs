//! `builtin:performance` through the real binary: budgets and regressions
//! on the shared corpus's real reports, and on our fixtures
//! (policies/performance/tests/fixtures) for the noise decisions.

use super::{TestDir, corpus_or_skip, metric, repo};
use std::path::Path;

/// A gate.toml with `artifacts` (path, role) and the policy's params (TOML).
fn config(artifacts: &[(&Path, &str)], params: &str) -> String {
    let mut s = String::new();
    for (path, role) in artifacts {
        s.push_str(&format!(
            "[[artifact]]\npath = {:?}\nrole = \"{role}\"\n\n",
            path.display().to_string()
        ));
    }
    s.push_str("[[policy]]\nuse = \"builtin:performance\"\n\n[policy.params]\n");
    s.push_str(params);
    s
}

fn fixture(name: &str) -> std::path::PathBuf {
    repo()
        .join("policies/performance/tests/fixtures")
        .join(name)
}

#[test]
fn corpus_budgets_name_the_metric_value_and_bound() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let locust = corpus.join("performance/locust/locust-2.47.0_stats.csv");
    let lighthouse = corpus.join("performance/lighthouse/lighthouse-12.8.2-desktop-products.json");
    t.write(
        "gate.toml",
        config(
            &[(&locust, "current"), (&lighthouse, "current")],
            r#"budget = [
  { match = "api/*", statistic = "p95", max = "8 ms" },
  { match = "performance", group = "category", statistic = "score", min = "0.9" },
  { match = "seo", statistic = "score", min = "95 %" },
]
"#,
        ),
    );
    let run = t.run(&["check"]).expect_code(1);
    let out = run.stdout();
    // The snapshot of the CSV (taken before the run ended) has p95 10 ms
    // for both API endpoints; Lighthouse scores performance 1, seo 0.9.
    for needle in [
        "`/api/items.json` (GET) p95 is 10 ms, over its budget max 8 ms",
        "`/api/checkout` (POST) p95 is 10 ms, over its budget max 8 ms",
        "`seo[url=http://127.0.0.1:8765/products.html]` (category) score is 90%, under its budget min 95 %",
    ] {
        assert!(out.contains(needle), "`{needle}` not in:\n{out}");
    }
    let json = t.run(&["check", "--format", "json"]).expect_code(1).json();
    assert_eq!(
        metric(
            &json,
            "budget:performance[url=http://127.0.0.1:8765/products.html]:score"
        ),
        1.0
    );
    assert_eq!(metric(&json, "budget:/api/items.json:p95"), 10.0);
}

#[test]
fn corpus_pytest_benchmark_regression_respects_the_noise() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let dir = corpus.join("performance/pytest-benchmark");
    let (now, base) = (
        dir.join("pytest-benchmark-5.3.1-candidate-ok.json"),
        dir.join("pytest-benchmark-5.3.1-baseline.json"),
    );
    t.write(
        "gate.toml",
        config(
            &[(&now, "current"), (&base, "baseline")],
            "regression = [{ match = \"test_*\", max-change = 5 }]\n",
        ),
    );
    // EXPECTED.md: top_n[10] +8.1 % and word_counts_large +5.6 % are the
    // largest mean changes. top_n[10] is noisy (stddev 555 µs on a mean of
    // 954 µs): Welch's p = 0.25, not a regression. word_counts_large moved
    // by 6 standard errors: a regression at 0.05.
    let run = t.run(&["check"]).expect_code(1);
    let out = run.stdout();
    assert!(
        out.contains("performance/regression `test_word_counts_large` mean 0.0130094 s vs baseline 0.0123143 s: +5.64% (limit +5%); Welch's t-test"),
        "{out}"
    );
    assert!(
        out.contains("performance/within-noise `test_top_n[10]` (top_n) mean 0.00103112 s vs baseline 0.000953688 s: +8.12% (limit +5%)"),
        "{out}"
    );
    assert!(out.contains("not a regression"), "{out}");
    let json = t.run(&["check", "--format", "json"]).expect_code(1).json();
    assert_eq!(metric(&json, "change:test_top_n[10]:mean"), 8.12);
    assert!(metric(&json, "p-value:test_top_n[10]:mean") > 0.05);
    assert!(metric(&json, "p-value:test_word_counts_large:mean") < 0.05);
}

#[test]
fn a_budget_breach_exits_1_naming_the_metric_value_and_bound() {
    let t = TestDir::new();
    t.write(
        "gate.toml",
        config(
            &[(&fixture("hyperfine-current.json"), "current")],
            "budget = [{ match = \"parse\", statistic = \"mean\", max = \"110 ms\" }]\n",
        ),
    );
    let run = t.run(&["check"]).expect_code(1);
    assert!(
        run.stdout()
            .contains("`parse` mean is 115 ms, over its budget max 110 ms"),
        "{}",
        run.stdout()
    );
}

#[test]
fn a_noisy_change_passes_and_a_significant_one_fails() {
    let t = TestDir::new();
    let (now, base) = (
        fixture("hyperfine-current.json"),
        fixture("hyperfine-baseline.json"),
    );
    // render: +12 % with p = 0.065 — beyond the limit, inside the noise.
    t.write(
        "gate.toml",
        config(
            &[(&now, "current"), (&base, "baseline")],
            "regression = [{ match = \"render\", max-change = 10 }]\n",
        ),
    );
    let run = t.run(&["check"]).expect_code(0);
    assert!(
        run.stdout().contains("not a regression"),
        "{}",
        run.stdout()
    );
    // parse: +15 % with stddev 1.2 ms: a regression.
    t.write(
        "gate.toml",
        config(
            &[(&now, "current"), (&base, "baseline")],
            "regression = [{ match = \"parse\", max-change = 10 }]\n",
        ),
    );
    let run = t.run(&["check"]).expect_code(1);
    assert!(
        run.stdout()
            .contains("`parse` mean 0.115 s vs baseline 0.1 s: +15.00% (limit +10%)"),
        "{}",
        run.stdout()
    );
}

/// examples/perf-service judges real pytest (JUnit), pytest-benchmark and
/// hyperfine reports (committed, made by its regenerate.sh): its tests gate
/// counts the four tests and its performance gate finds every measurement.
#[test]
fn the_perf_service_example_passes_its_tests_and_performance_gates() {
    let t = TestDir::new();
    let config = repo().join("examples/perf-service/gate.toml");
    let config = config.to_str().unwrap();
    let json = t
        .run(&["check", "--config", config, "--format", "json"])
        .expect_code(0)
        .json();
    let names: Vec<&str> = json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(names, ["tests", "performance"], "{json}");
    assert_eq!(metric(&json, "executed"), 4.0, "{json}");
    let performance = serde_json::json!({ "policies": [json["policies"][1].clone()] });
    // Every budget and regression found its measurements.
    for name in [
        "budget:test_bench_slugify:mean",
        "budget:test_bench_top_words:mean",
        "budget:slugify-cli:max",
        "change:test_bench_slugify:mean",
        "change:test_bench_top_words:mean",
    ] {
        metric(&performance, name);
    }
}
