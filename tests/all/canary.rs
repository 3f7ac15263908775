//! `builtin:canary` on the recorded Prometheus responses of
//! `../shared/corpus/metrics`: each scenario gets the decision its README
//! says (a promote, b and c roll back, d never promotes), from instant
//! queries at the end of the window and from the range queries over it.

use crate::{TestDir, corpus_or_skip, metric};
use serde_json::Value;

const NOW: &str = "2026-12-02T01:06:00Z";

/// The error ratio under 5 % and within 2x the baseline; the p95 within
/// 1.5x the baseline (the README's limits).
const LIMITS: &str = r#"{"metrics": [
  {"query": "error-rate-5m-by-track", "max": 0.05, "max-ratio": 2.0},
  {"query": "p95-5m-by-track", "max-ratio": 1.5, "unit": "s"}
]}"#;

fn eval(t: &TestDir, params: &str, files: &[String]) -> (i32, Value) {
    let mut args = vec![
        "eval".to_string(),
        "--policy".into(),
        "builtin:canary".into(),
        "--params".into(),
        params.into(),
        "--format".into(),
        "json".into(),
        "--now".into(),
        NOW.into(),
    ];
    args.extend(files.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = t.run(&args);
    let v = r.json();
    (r.code(), v)
}

fn files(corpus: &std::path::Path, dir: &str, suffix: &str) -> Vec<String> {
    ["error-rate-5m-by-track", "p95-5m-by-track"]
        .iter()
        .map(|q| {
            corpus
                .join(format!("metrics/{dir}/{q}.{suffix}"))
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

fn rules(v: &Value) -> Vec<(String, String)> {
    v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["resource"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn has(v: &Value, rule: &str, query: &str) -> bool {
    rules(v).iter().any(|(r, q)| r == rule && q == query)
}

#[test]
fn instant_queries_at_the_end_decide_as_the_readme_says() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    // a: promote; every metric shows its values.
    let (code, v) = eval(&t, LIMITS, &files(&corpus, "a-healthy", "query.json"));
    assert_eq!(code, 0, "{v}");
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "pass", "{}", p["summary"]);
    assert!(
        p["summary"].as_str().unwrap().starts_with("promote"),
        "{}",
        p["summary"]
    );
    assert!(has(&v, "canary/metric-passed", "error-rate-5m-by-track"));
    assert!((metric(&v, "error-rate-5m-by-track.canary") - 0.005590).abs() < 1e-6);
    assert!((metric(&v, "error-rate-5m-by-track.baseline") - 0.004760).abs() < 1e-6);
    assert!((metric(&v, "p95-5m-by-track.ratio") - 0.9914).abs() < 1e-3);
    let f = &p["findings"][0];
    let e: Value = serde_json::from_str(f["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(e["canary"]["samples"], 1);
    assert_eq!(e["baseline"]["samples"], 1);
    assert_eq!(e["window"]["end"], 1_796_173_560.0);
    assert_eq!(e["bounds"]["max"], 0.05);

    // b: roll back on the error ratio (8 % > 5 %, 17x the baseline).
    let (code, v) = eval(&t, LIMITS, &files(&corpus, "b-errors", "query.json"));
    assert_eq!(code, 1, "{v}");
    let p = &v["policies"][0];
    assert!(
        p["summary"].as_str().unwrap().starts_with("roll back"),
        "{}",
        p["summary"]
    );
    assert!(has(&v, "canary/metric-failed", "error-rate-5m-by-track"));
    assert!(has(&v, "canary/metric-passed", "p95-5m-by-track"));
    let failed = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "canary/metric-failed")
        .unwrap();
    assert_eq!(
        failed["message"],
        "`error-rate-5m-by-track`: canary 0.08076 vs baseline 0.00478 (1 vs 1 samples): canary 0.08076 above max 0.05; ratio 16.89 above max-ratio 2"
    );

    // c: roll back on the p95 (1.63x > 1.5x).
    let (code, v) = eval(&t, LIMITS, &files(&corpus, "c-latency", "query.json"));
    assert_eq!(code, 1, "{v}");
    assert!(has(&v, "canary/metric-failed", "p95-5m-by-track"));
    assert!(has(&v, "canary/metric-passed", "error-rate-5m-by-track"));
    assert!((metric(&v, "p95-5m-by-track.ratio") - 1.632).abs() < 1e-3);

    // d: the canary has no p95 series: never a promotion. Inconclusive by
    // default (a warning, exit 0) ...
    let d = files(&corpus, "d-missing", "query.json");
    let (code, v) = eval(&t, LIMITS, &d);
    assert_eq!(code, 0, "{v}");
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "warn", "{}", p["summary"]);
    assert!(
        p["summary"].as_str().unwrap().starts_with("inconclusive"),
        "{}",
        p["summary"]
    );
    assert!(has(&v, "canary/no-data", "p95-5m-by-track"));
    assert!(has(&v, "canary/inconclusive", ""));
    // ... blocking with `inconclusive = "fail"` ...
    let strict = LIMITS.replacen('{', r#"{"inconclusive": "fail", "#, 1);
    let (code, v) = eval(&t, &strict, &d);
    assert_eq!(code, 1, "{v}");
    // ... and a roll back when the metric is critical.
    let critical = LIMITS.replace(
        r#""max-ratio": 1.5,"#,
        r#""max-ratio": 1.5, "critical": true,"#,
    );
    let (code, v) = eval(&t, &critical, &d);
    assert_eq!(code, 1, "{v}");
    assert!(
        v["policies"][0]["summary"]
            .as_str()
            .unwrap()
            .starts_with("roll back")
    );
}

/// Over the whole window (range queries, 120 steps a side): the
/// Mann-Whitney test and the mean agree with the instant decision.
#[test]
fn range_queries_over_the_window_decide_as_the_readme_says() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let params = r#"{"metrics": [
      {"query": "error-rate-5m-by-track", "max-ratio": 2.0, "aggregate": "max",
       "mann-whitney": {"allowed-increase": 2.0}},
      {"query": "p95-5m-by-track", "max-ratio": 1.5,
       "mann-whitney": {"allowed-increase": 1.2}}
    ]}"#;
    let expect = [
        ("a-healthy", 0, "promote"),
        ("b-errors", 1, "roll back"),
        ("c-latency", 1, "roll back"),
        ("d-missing", 0, "inconclusive"),
    ];
    for (dir, want, decision) in expect {
        let (code, v) = eval(&t, params, &files(&corpus, dir, "query_range.json"));
        let p = &v["policies"][0];
        assert_eq!(code, want, "{dir}: {}", p["summary"]);
        assert!(
            p["summary"].as_str().unwrap().starts_with(decision),
            "{dir}: {}",
            p["summary"]
        );
    }
    let (_, v) = eval(&t, params, &files(&corpus, "c-latency", "query_range.json"));
    let f = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "canary/metric-failed")
        .unwrap()
        .clone();
    let e: Value = serde_json::from_str(f["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(e["canary"]["samples"], 120);
    assert_eq!(e["baseline"]["samples"], 120);
    assert!(
        e["mann-whitney"]["p-value"].as_f64().unwrap() < 1e-10,
        "{e}"
    );
    assert_eq!(e["window"]["start"], 1_796_166_420.0);
    assert_eq!(e["window"]["end"], 1_796_173_560.0);
}

/// A Prometheus error body is no data: an input error (exit 3) naming the
/// server's error, never a pass.
#[test]
fn an_error_response_is_an_input_error() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("metrics/common/error-timeout.query_range.json");
    let (code, _) = {
        let r = t.run(&[
            "eval",
            "--policy",
            "builtin:canary",
            "--params",
            LIMITS,
            file.to_str().unwrap(),
        ]);
        r.expect_stderr("prometheus-error")
            .expect_stderr("query timed out in expression evaluation");
        (r.code(), ())
    };
    assert_eq!(code, 3);
}
