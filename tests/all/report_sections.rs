//! The performance and canary sections of the human, Markdown and HTML
//! reports through the real binary: on examples/perf-service's real
//! reports, on the performance policy's fixtures (a budget breach, a
//! regression, a change inside the noise, a budget that selects nothing)
//! and on a canary scenario generated here (Prometheus range responses: a
//! latency regression, a healthy error rate, a metric without canary
//! series). Each section is snapshotted in every format; the HTML sections
//! must be well-formed XML, render in headless Chromium and be the same
//! bytes run after run.

use crate::reports::render_in_chromium;
use crate::{TestDir, repo};
use std::fmt::Write;

const NOW: &str = "2026-12-02T01:06:00Z";
/// NOW in seconds since the epoch: the end of the canary window.
const END: i64 = 1_796_173_560;

/// The section of `out` from `start` up to the first of `ends` after it.
fn section<'a>(out: &'a str, start: &str, ends: &[&str]) -> &'a str {
    let from = out
        .find(start)
        .unwrap_or_else(|| panic!("`{start}` not in:\n{out}"));
    let rest = &out[from + start.len()..];
    let to = ends
        .iter()
        .filter_map(|e| rest.find(e))
        .min()
        .unwrap_or(rest.len());
    &out[from..from + start.len() + to]
}

/// The section `heading` (`Performance`, `Canary`) of each format, titled,
/// for one snapshot; the HTML one checked to be well-formed.
fn sections(t: &TestDir, args: &[&str], code: i32, heading: &str) -> String {
    let mut all = String::new();
    for format in ["human", "markdown", "html"] {
        let mut a = args.to_vec();
        a.extend(["--format", format, "--now", NOW]);
        let out = t.run(&a).expect_code(code).stdout();
        let s = match format {
            "human" => section(&out, &format!("{} (", heading.to_lowercase()), &["\n\n"]),
            "markdown" => section(&out, &format!("### {heading} ("), &["\n### ", "\n<sub>"]),
            _ => {
                let s = section(&out, &format!("<h2>{heading} ("), &["<h2>"]);
                well_formed(s);
                s
            }
        };
        let _ = write!(all, "==== {format}\n{}\n", s.trim_end());
    }
    all
}

/// Every tag of `fragment` closes in order (the sections are written as
/// XHTML fragments so this can be checked).
fn well_formed(fragment: &str) {
    let doc = format!("<div>{fragment}</div>");
    let mut r = quick_xml::Reader::from_str(&doc);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at {}: {e}\n{doc}", r.buffer_position()),
        }
    }
}

fn fixture(name: &str) -> String {
    repo()
        .join("policies/performance/tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// hyperfine on our fixtures: `parse` 115 ms against a 110 ms budget and
/// +15 % beyond the noise (a regression), `render` +12 % inside it, and a
/// budget whose benchmark did not run.
fn performance_dir() -> TestDir {
    let t = TestDir::new();
    t.write(
        "gate.toml",
        format!(
            r#"[[artifact]]
path = {:?}
[[artifact]]
path = {:?}
role = "baseline"

[[policy]]
use = "builtin:performance"

[policy.params]
budget = [
  {{ match = "render", statistic = "mean", max = "1 s" }},
  {{ match = "parse", statistic = "mean", max = "110 ms" }},
  {{ match = "startup", statistic = "mean", max = "50 ms" }},
]
regression = [{{ match = "*", max-change = 10 }}]
"#,
            fixture("hyperfine-current.json"),
            fixture("hyperfine-baseline.json")
        ),
    );
    t
}

#[test]
fn performance_sections_show_budgets_and_regressions_failures_first() {
    let t = performance_dir();
    let _s = t.snapshots();
    let all = sections(&t, &["check"], 1, "Performance");
    // Failures first: the breached budget before the held one, the
    // regression before the change inside the noise.
    let human = section(&all, "==== human", &["==== markdown"]);
    assert!(
        human.find("FAIL parse mean") < human.find("PASS render mean"),
        "{human}"
    );
    assert!(
        human.find("regression   parse") < human.find("within noise render"),
        "{human}"
    );
    insta::assert_snapshot!(all);
}

#[test]
fn the_perf_service_example_has_a_performance_section() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let config = repo().join("examples/perf-service/gate.toml");
    let all = sections(
        &t,
        &["check", "--config", config.to_str().unwrap()],
        0,
        "Performance",
    );
    insta::assert_snapshot!(all);
}

#[test]
fn html_performance_and_canary_charts_render_and_are_deterministic() -> anyhow::Result<()> {
    let t = performance_dir();
    let args = ["check", "--format", "html", "--now", NOW];
    let html = t.run(&args).expect_code(1).stdout();
    assert_eq!(html, t.run(&args).expect_code(1).stdout(), "same bytes");
    let c = canary_dir();
    let canary_args = canary_args(&c, "html");
    let canary_args: Vec<&str> = canary_args.iter().map(String::as_str).collect();
    let canary = c.run(&canary_args).expect_code(1).stdout();
    assert_eq!(
        canary,
        c.run(&canary_args).expect_code(1).stdout(),
        "same bytes"
    );
    for page in [&html, &canary] {
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "self-contained: no network"
        );
    }
    let Some(dom) = render_in_chromium(&t, &html)? else {
        return Ok(());
    };
    // parse (115 ms of 115 × 1.15) and render's bars; the limit marker.
    for id in ["performance-budgets-0", "performance-baseline-0"] {
        assert!(dom.contains(&format!("id=\"{id}\"")), "{dom}");
    }
    assert!(
        dom.contains("width=\"260.9\" height=\"14\" fill=\"#cf222e\""),
        "{dom}"
    );
    assert!(dom.contains("<line class=\"limit\""), "{dom}");
    let Some(dom) = render_in_chromium(&c, &canary)? else {
        return Ok(());
    };
    assert!(dom.contains("id=\"canary-0\""), "{dom}");
    assert_eq!(dom.matches("<rect class=\"current\"").count(), 2, "{dom}");
    Ok(())
}

/// Deterministic noise in -1..1.
fn noise(i: i64, salt: i64) -> f64 {
    ((i * 37 + salt * 101) % 97) as f64 / 48.5 - 1.0
}

/// A Prometheus `query_range` response: one series per (track, values).
fn matrix(series: &[(&str, Vec<f64>)]) -> String {
    let step = 30;
    let result: Vec<String> = series
        .iter()
        .map(|(track, values)| {
            let n = values.len() as i64;
            let points: Vec<String> = values
                .iter()
                .enumerate()
                .map(|(i, v)| format!("[{},\"{v}\"]", END - (n - 1 - i as i64) * step))
                .collect();
            format!(
                "{{\"metric\":{{\"track\":\"{track}\"}},\"values\":[{}]}}",
                points.join(",")
            )
        })
        .collect();
    format!(
        "{{\"status\":\"success\",\"data\":{{\"resultType\":\"matrix\",\"result\":[{}]}}}}",
        result.join(",")
    )
}

/// A canary whose p95 latency is 1.6x the stable track's (31 samples each
/// over 15 minutes), whose error rate is as the stable one's, and whose
/// CPU query returned only the stable series.
fn canary_dir() -> TestDir {
    let t = TestDir::new();
    let series = |base: f64, spread: f64, salt: i64, factor: f64| -> Vec<f64> {
        (0..31)
            .map(|i| ((base + spread * noise(i, salt)) * factor * 1e6).round() / 1e6)
            .collect()
    };
    t.write(
        "p95.query_range.json",
        matrix(&[
            ("stable", series(0.150, 0.004, 2, 1.0)),
            ("canary", series(0.150, 0.004, 1, 1.6)),
        ]),
    );
    t.write(
        "error-rate.query_range.json",
        matrix(&[
            ("stable", series(0.005, 0.0008, 2, 1.0)),
            ("canary", series(0.005, 0.0008, 1, 1.0)),
        ]),
    );
    t.write(
        "cpu.query_range.json",
        matrix(&[("stable", series(0.4, 0.05, 2, 1.0))]),
    );
    t
}

fn canary_args(t: &TestDir, format: &str) -> Vec<String> {
    let params = r#"{"metrics": [
      {"query": "error-rate", "max": 0.05, "max-ratio": 2, "critical": true},
      {"query": "p95", "max-ratio": 1.5, "mann-whitney": {"allowed-increase": 1.2}, "unit": "s"},
      {"query": "cpu", "max-ratio": 1.3}
    ]}"#;
    let mut a: Vec<String> = [
        "eval",
        "--policy",
        "builtin:canary",
        "--params",
        params,
        "--format",
        format,
        "--now",
        NOW,
    ]
    .map(String::from)
    .to_vec();
    for f in ["error-rate", "p95", "cpu"] {
        a.push(
            t.path()
                .join(format!("{f}.query_range.json"))
                .to_string_lossy()
                .into_owned(),
        );
    }
    a
}

#[test]
fn canary_sections_show_the_decision_and_every_metric_figure() {
    let t = canary_dir();
    let _s = t.snapshots();
    let mut all = String::new();
    for format in ["human", "markdown", "html"] {
        let args = canary_args(&t, format);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = t.run(&args).expect_code(1).stdout();
        let s = match format {
            "human" => section(&out, "canary (", &["\n\n"]),
            "markdown" => section(&out, "### Canary (", &["\n### ", "\n<sub>"]),
            _ => {
                let s = section(&out, "<h2>Canary (", &["<h2>"]);
                well_formed(s);
                s
            }
        };
        // The failed metric first, then the one without data, then the
        // passed one (in the table: the HTML chart before it has only the
        // metrics with a canary value).
        let rows = &s[s.find("<table").unwrap_or(0)..];
        let (p95, cpu, errors) = (rows.find("p95"), rows.find("cpu"), rows.find("error-rate"));
        assert!(p95 < cpu && cpu < errors, "{format}: {s}");
        let _ = write!(all, "==== {format}\n{}\n", s.trim_end());
    }
    assert!(all.contains("roll back"), "{all}");
    assert!(all.contains("```mermaid\nxychart-beta"), "{all}");
    insta::assert_snapshot!(all);
}

/// Regression (review): a report whose runs failed blocks the policy, and
/// the performance section says so next to a budget that holds (it listed
/// the budget alone, every row PASS, under a failing policy).
#[test]
fn regression_failed_runs_show_in_the_performance_section() {
    let t = TestDir::new();
    let fixtures = repo().join("policies/performance/tests/fixtures");
    let failed = fixtures.join("hyperfine-failed.json");
    let all = sections(
        &t,
        &[
            "eval",
            "--policy",
            "builtin:performance",
            "--params",
            r#"{"budget":[{"match":"parse","statistic":"mean","max":"1 s"}]}"#,
            failed.to_str().unwrap(),
        ],
        1,
        "Performance",
    );
    for format in ["==== human", "==== markdown", "==== html"] {
        let s = section(&all, format, &["==== "]);
        assert!(s.contains("performance/failed-runs"), "{s}");
        assert!(s.contains("exited non-zero"), "{s}");
    }
}
