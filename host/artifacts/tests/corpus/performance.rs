//! Performance results of `../shared/corpus/performance` (see its
//! EXPECTED.md): every file is detected as its format and parses to the
//! tool's own figures, exactly as written in the file.

use crate::{corpus_or_skip, parse, walk};
use gate_artifacts::{Format, Measurement, Model, PerformanceReport};

fn report(rel: &str, format: Format) -> PerformanceReport {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(p.format, format, "{rel} detected as");
    match p.model {
        Model::Performance(r) => r,
        other => panic!("{rel}: not a performance model: {other:?}"),
    }
}

/// The one measurement named `name` (with `metric`, in `group` when given).
fn one<'r>(
    r: &'r PerformanceReport,
    name: &str,
    metric: &str,
    group: Option<&str>,
) -> &'r Measurement {
    let found: Vec<&Measurement> = r
        .measurements
        .iter()
        .filter(|m| m.name == name && m.metric == metric)
        .filter(|m| group.is_none() || m.group.as_deref() == group)
        .collect();
    assert_eq!(found.len(), 1, "{name}/{metric}: {found:?}");
    found[0]
}

fn close(got: Option<f64>, want: f64, tolerance: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: absent"));
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: {got} is not {want} ± {tolerance}"
    );
}

#[test]
fn every_performance_file_is_read() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    walk(&corpus.join("performance"), &mut files);
    files.sort();
    let mut read = 0;
    for rel in &files {
        if rel.ends_with(".md") || rel.ends_with(".console.txt") {
            continue;
        }
        let got = parse(rel);
        // Locust's exceptions CSV (header only) is not a format gate reads.
        if rel.ends_with("_exceptions.csv") {
            assert_eq!(got.unwrap_err().code, "unknown-format", "{rel}");
            continue;
        }
        let p = got.unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(p.kind(), gate_artifacts::ArtifactKind::Performance, "{rel}");
        // The model is what a forced parse gives too.
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        let forced = gate_artifacts::parse(
            rel,
            &bytes,
            Some(p.format),
            &gate_artifacts::ParseOptions::default(),
        )
        .unwrap();
        assert_eq!(forced, p, "{rel} forced");
        read += 1;
    }
    assert_eq!(read, 13, "{files:#?}");
}

#[test]
fn hyperfine_json_and_csv() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/hyperfine/hyperfine-1.15.0-compare-two.json",
        Format::Hyperfine,
    );
    assert_eq!(r.measurements.len(), 2);
    let g1 = one(&r, "gzip -1 -c access.log", "time", None);
    assert_eq!(g1.unit, "s");
    // The console's `105.6 ms ± 1.2 ms`, range `103.3 ms … 106.9 ms`, 10 runs.
    close(g1.mean, 0.105563, 5e-7, "gzip -1 mean");
    close(g1.stddev, 0.001151, 5e-7, "gzip -1 stddev");
    close(g1.median, 0.105922, 5e-7, "gzip -1 median");
    close(g1.min, 0.103278, 5e-7, "gzip -1 min");
    close(g1.max, 0.106920, 5e-7, "gzip -1 max");
    close(g1.user, 0.1009, 5e-5, "gzip -1 user");
    close(g1.system, 0.0043, 5e-5, "gzip -1 system");
    assert_eq!((g1.n, g1.samples.len()), (Some(10), 10));
    // Exactly the file's number, not a rounding of it.
    assert_eq!(g1.mean, Some(0.10556275590000001));
    let g6 = one(&r, "gzip -6 -c access.log", "time", None);
    close(g6.mean, 0.171610, 5e-7, "gzip -6 mean");
    close(g6.stddev, 0.003569, 5e-7, "gzip -6 stddev");
    close(g6.median, 0.171142, 5e-7, "gzip -6 median");
    close(g6.min, 0.165927, 5e-7, "gzip -6 min");
    close(g6.max, 0.178181, 5e-7, "gzip -6 max");
    // `1.63 ± 0.04 times faster`.
    close(
        Some(g6.mean.unwrap() / g1.mean.unwrap()),
        1.63,
        0.005,
        "ratio",
    );

    // The CSV export of the same run has the same figures.
    let csv = report(
        "performance/hyperfine/hyperfine-1.15.0-compare-two.csv",
        Format::HyperfineCsv,
    );
    for (a, b) in r.measurements.iter().zip(&csv.measurements) {
        assert_eq!(a.name, b.name);
        assert_eq!(
            (a.mean, a.stddev, a.median, a.user, a.system, a.min, a.max),
            (b.mean, b.stddev, b.median, b.user, b.system, b.min, b.max),
            "{}",
            a.name
        );
    }
    assert_eq!(csv.measurements.len(), 2);
}

#[test]
fn hyperfine_parameter_scan_and_names() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/hyperfine/hyperfine-1.15.0-parameter-scan.json",
        Format::Hyperfine,
    );
    let levels: Vec<&str> = r
        .measurements
        .iter()
        .map(|m| m.parameter("level").unwrap())
        .collect();
    assert_eq!(levels, ["1", "3", "5", "7", "9"]);
    let medians: Vec<f64> = r.measurements.iter().map(|m| m.median.unwrap()).collect();
    for (got, want) in medians
        .iter()
        .zip([0.102785, 0.127410, 0.147982, 0.239185, 0.612004])
    {
        close(Some(*got), want, 5e-7, "median");
    }
    // `109.9 ms ± 11.4 ms` … `627.7 ms ± 36.1 ms`, 5 runs each.
    for (m, (mean, sd)) in r.measurements.iter().zip([
        (0.1099, 0.0114),
        (0.1323, 0.0090),
        (0.1478, 0.0011),
        (0.2401, 0.0030),
        (0.6277, 0.0361),
    ]) {
        close(m.mean, mean, 5e-5, "mean");
        close(m.stddev, sd, 5e-5, "stddev");
        assert_eq!(m.n, Some(5));
    }

    let r = report(
        "performance/hyperfine/hyperfine-1.15.0-tiny-commands-warning.json",
        Format::Hyperfine,
    );
    // `command` holds the `-n` name.
    let grep = one(&r, "grep-count", "time", None);
    close(grep.mean, 0.001378, 5e-7, "grep-count mean");
    close(grep.min, 0.0012, 5e-5, "grep-count min");
    close(grep.max, 0.0016, 5e-5, "grep-count max");
    assert_eq!(grep.n, Some(15));
    let awk = one(&r, "awk-filter", "time", None);
    close(awk.mean, 0.055633, 5e-7, "awk-filter mean");
    close(awk.stddev, 0.0012, 5e-5, "awk-filter stddev");
    // `40.38 ± 3.43 times faster`.
    close(
        Some(awk.mean.unwrap() / grep.mean.unwrap()),
        40.38,
        0.005,
        "ratio",
    );
}

#[test]
fn pytest_benchmark_baseline_and_candidate() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/pytest-benchmark/pytest-benchmark-5.3.1-baseline.json",
        Format::PytestBenchmark,
    );
    assert_eq!(r.tool_version.as_deref(), Some("5.3.1"));
    // 7 tests, 6 benchmarks: `test_not_a_benchmark` is absent.
    assert_eq!(r.measurements.len(), 6);
    assert!(r.measurements.iter().all(|m| m.unit == "s"));
    // The console table in µs: min, max, mean, stddev, median, IQR, OPS, rounds.
    let us = 1e-6;
    for (name, min, max, mean, sd, median, iqr, ops, rounds) in [
        (
            "test_json_roundtrip",
            197.5440,
            238.6122,
            208.0609,
            9.8253,
            203.9470,
            9.4334,
            4806.2843,
            50,
        ),
        (
            "test_word_counts_small",
            198.9780,
            6665.0450,
            241.8051,
            218.4778,
            226.3430,
            8.9947,
            4135.5626,
            2869,
        ),
        (
            "test_word_counts_large",
            11786.2990,
            17784.5740,
            12314.2930,
            685.5341,
            12224.0450,
            323.6470,
            81.2064,
            74,
        ),
        (
            "test_top_n[100]",
            805.4290,
            5962.8990,
            926.9699,
            335.8892,
            893.6630,
            30.2540,
            1078.8,
            1002,
        ),
        (
            "test_top_n[1000]",
            825.3390,
            4644.9350,
            909.1021,
            162.0356,
            896.1320,
            32.6128,
            1100.0,
            865,
        ),
        (
            "test_top_n[10]",
            840.0940,
            11661.5310,
            953.6879,
            555.1068,
            894.4990,
            37.8830,
            1048.6,
            590,
        ),
    ] {
        let m = one(&r, name, "time", None);
        close(m.min, min * us, 5e-11, name);
        close(m.max, max * us, 5e-11, name);
        close(m.mean, mean * us, 5e-11, name);
        close(m.stddev, sd * us, 5e-11, name);
        close(m.median, median * us, 5e-11, name);
        let q = m.percentile(75.0).unwrap() - m.percentile(25.0).unwrap();
        close(Some(q), iqr * us, 5e-11, name);
        // Kops/s in the table for the top_n group: four digits.
        let tol = if ops > 1000.0 && name.starts_with("test_top_n") {
            0.05
        } else {
            5e-5
        };
        close(m.throughput, ops, tol, name);
        assert_eq!(m.n, Some(rounds), "{name}");
    }
    let rt = one(&r, "test_json_roundtrip", "time", None);
    assert_eq!(rt.iterations, Some(5));
    let top = one(&r, "test_top_n[10]", "time", None);
    assert_eq!(top.group.as_deref(), Some("top_n"));
    assert_eq!(top.parameter("n"), Some("10"));
    assert_eq!(one(&r, "test_word_counts_large", "time", None).group, None);

    let c = report(
        "performance/pytest-benchmark/pytest-benchmark-5.3.1-candidate-ok.json",
        Format::PytestBenchmark,
    );
    // NOW means, and the changes the console's comparison printed.
    for (name, mean) in [
        ("test_json_roundtrip", 203.1373),
        ("test_word_counts_small", 238.2791),
        ("test_word_counts_large", 13009.3999),
        ("test_top_n[10]", 1031.1234),
        ("test_top_n[100]", 922.0137),
        ("test_top_n[1000]", 947.1109),
    ] {
        close(one(&c, name, "time", None).mean, mean * us, 5e-11, name);
    }
    let change = |name: &str| {
        one(&c, name, "time", None).mean.unwrap() / one(&r, name, "time", None).mean.unwrap() - 1.0
    };
    close(
        Some(change("test_top_n[10]")),
        0.081,
        0.0005,
        "top_n[10] change",
    );
    close(
        Some(change("test_word_counts_large")),
        0.056,
        0.0005,
        "large change",
    );
}

#[test]
fn go_bench_text() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/go-bench/go1.19.8-bench-benchmem-count3.txt",
        Format::GoBench,
    );
    let total: usize = r
        .measurements
        .iter()
        .filter(|m| m.metric == "time")
        .map(|m| m.samples.len())
        .sum();
    assert_eq!(total, 36, "36 result lines");
    let allow = one(&r, "BenchmarkAllow", "time", None);
    assert_eq!(allow.unit, "ns");
    assert_eq!(
        allow.group.as_deref(),
        Some("example.com/gateway/ratelimit")
    );
    assert_eq!(allow.parameter("procs"), Some("2"));
    assert_eq!(allow.samples, [45.75, 44.85, 45.03]);
    assert_eq!(
        (allow.n, allow.min, allow.max),
        (Some(3), Some(44.85), Some(45.75))
    );
    assert_eq!(one(&r, "BenchmarkAllow", "memory", None).samples, [0.0; 3]);
    assert_eq!(
        one(&r, "BenchmarkAllowParallel", "time", None).samples,
        [44.12, 42.79, 47.00]
    );
    let concat = "BenchmarkJoin/concat/n=1000";
    assert_eq!(
        one(&r, concat, "time", None).samples,
        [3330457.0, 3122670.0, 3193790.0]
    );
    let mem = one(&r, concat, "memory", None);
    assert_eq!(mem.unit, "B");
    assert_eq!(mem.samples, [9644108.0, 9644096.0, 9644108.0]);
    assert_eq!(one(&r, concat, "allocations", None).samples, [1998.0; 3]);
    let slug = one(&r, "BenchmarkSlug", "time", None);
    assert_eq!(slug.group.as_deref(), Some("example.com/gateway/textutil"));
    assert_eq!(slug.samples, [596.2, 597.3, 596.0]);
    let mbs = one(&r, "BenchmarkSlug", "throughput", None);
    assert_eq!(mbs.unit, "MB/s");
    assert_eq!(mbs.samples[0], 77.16);
}

#[test]
fn go_bench_json_joins_split_lines() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/go-bench/go1.19.8-bench-benchmem-count2.json",
        Format::GoBenchJson,
    );
    let total: usize = r
        .measurements
        .iter()
        .filter(|m| m.metric == "time")
        .map(|m| m.samples.len())
        .sum();
    assert_eq!(
        total, 20,
        "20 result lines, 5 of them split over two events"
    );
    for (name, a, b) in [
        ("BenchmarkJoin/strings.Join/n=10", 102.9, 104.9),
        ("BenchmarkJoin/Builder/n=10", 205.0, 228.0),
        ("BenchmarkJoin/concat/n=10", 696.5, 738.6),
        ("BenchmarkJoin/strings.Join/n=100", 933.2, 871.5),
        ("BenchmarkJoin/Builder/n=100", 1623.0, 1568.0),
        ("BenchmarkJoin/concat/n=100", 36423.0, 36103.0),
        ("BenchmarkJoin/strings.Join/n=1000", 10120.0, 7773.0),
        ("BenchmarkJoin/Builder/n=1000", 12760.0, 16644.0),
        ("BenchmarkJoin/concat/n=1000", 3291356.0, 3641194.0),
        ("BenchmarkSlug", 608.0, 602.2),
    ] {
        let m = one(&r, name, "time", None);
        assert_eq!(m.samples, [a, b], "{name}");
        assert_eq!(m.group.as_deref(), Some("example.com/gateway/textutil"));
    }
    assert_eq!(
        one(&r, "BenchmarkSlug", "throughput", None).samples,
        [75.66, 76.39]
    );
}

#[test]
fn locust_csv_snapshot() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/locust/locust-2.47.0_stats.csv",
        Format::LocustStats,
    );
    assert_eq!(r.measurements.len(), 8);
    // The CSV is a snapshot before the end: 1936/492, not the console's 2016/510.
    let agg = one(&r, "Aggregated", "response-time", None);
    assert_eq!(agg.group, None);
    assert_eq!((agg.requests, agg.failures), (Some(1936), Some(492)));
    close(agg.mean, 6.163, 5e-4, "avg");
    close(agg.throughput, 101.72, 5e-3, "req/s");
    assert_eq!(agg.percentile(95.0), Some(10.0));
    assert_eq!(agg.percentile(99.0), Some(15.0));
    close(agg.error_rate, 492.0 / 1936.0, 1e-12, "error rate");
    assert_eq!(agg.unit, "ms");
    let hero = one(&r, "/img/hero.png", "response-time", Some("GET"));
    assert_eq!((hero.requests, hero.failures), (Some(108), Some(14)));
    let checkout = one(&r, "/api/checkout", "response-time", Some("POST"));
    assert_eq!(checkout.error_rate, Some(1.0));

    let f = report(
        "performance/locust/locust-2.47.0_failures.csv",
        Format::LocustFailures,
    );
    assert_eq!(f.measurements.len(), 9);
    let count = |name: &str| -> u64 {
        f.measurements
            .iter()
            .filter(|m| m.name == name)
            .map(|m| m.failures.unwrap())
            .sum()
    };
    assert_eq!(
        (
            count("/api/checkout"),
            count("/missing.html"),
            count("/search?q=[term]"),
            count("/img/hero.png")
        ),
        (102, 250, 126, 14)
    );
    let checkout = one(&f, "/api/checkout", "failures", Some("POST"));
    assert!(
        checkout
            .message
            .as_deref()
            .unwrap()
            .starts_with("HTTPError(\"501 Server Error")
    );

    let h = report(
        "performance/locust/locust-2.47.0_stats_history.csv",
        Format::LocustHistory,
    );
    assert_eq!(h.measurements.len(), 152);
    let first = &h.measurements[0];
    assert!(first.percentiles.is_empty(), "N/A percentiles are absent");
    let last = h.measurements.last().unwrap();
    assert_eq!(last.name, "Aggregated");
    assert_eq!((last.requests, last.failures), (Some(1936), Some(492)));
    assert_eq!(last.parameter("users"), Some("20"));
}

#[test]
fn locust_json_histograms() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report(
        "performance/locust/locust-2.47.0-json-10users.stats.json",
        Format::LocustJson,
    );
    assert_eq!(r.measurements.len(), 8, "7 entries and the aggregate");
    for (method, name, n, f) in [
        ("GET", "/", 313, 0),
        ("GET", "/api/items.json", 105, 0),
        ("GET", "/products.html", 135, 0),
        ("GET", "/missing.html", 92, 92),
        ("GET", "/search?q=[term]", 51, 51),
        ("POST", "/api/checkout", 40, 40),
        ("GET", "/img/hero.png", 54, 0),
    ] {
        let m = one(&r, name, "response-time", Some(method));
        assert_eq!((m.requests, m.failures), (Some(n), Some(f)), "{name}");
    }
    // The console's Aggregated row: `790 183(23.16%) | 7 1 1018 3 | 53.53 12.40`,
    // percentiles 50% 3, 95% 7, 99% 17, 100% 1000.
    let agg = one(&r, "Aggregated", "response-time", None);
    assert_eq!((agg.requests, agg.failures), (Some(790), Some(183)));
    close(agg.error_rate, 0.2316, 5e-5, "error rate");
    // The console prints avg, min and max truncated to whole ms (`%7d`).
    for (got, want) in [(agg.mean, 7.0), (agg.min, 1.0), (agg.max, 1018.0)] {
        assert_eq!(got.unwrap().trunc(), want, "{got:?}");
    }
    assert_eq!(agg.median, Some(3.0));
    assert_eq!(agg.percentile(50.0), Some(3.0));
    assert_eq!(agg.percentile(95.0), Some(7.0));
    assert_eq!(agg.percentile(99.0), Some(17.0));
    assert_eq!(agg.percentile(100.0), Some(1000.0));
    close(agg.throughput, 53.53, 0.3, "req/s");
}

#[test]
fn lighthouse_scores_and_metrics() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let rel = "performance/lighthouse/lighthouse-12.8.2-desktop-products.json";
    let r = report(rel, Format::Lighthouse);
    assert_eq!(r.tool_version.as_deref(), Some("12.8.2"));
    for (id, score) in [
        ("performance", 1.0),
        ("accessibility", 1.0),
        ("best-practices", 0.96),
        ("seo", 0.9),
    ] {
        let m = one(&r, id, "score", Some("category"));
        assert_eq!(m.score, Some(score), "{id}");
        assert_eq!(
            m.parameter("url"),
            Some("http://127.0.0.1:8765/products.html")
        );
    }
    for (id, ms) in [
        ("first-contentful-paint", 174.4),
        ("largest-contentful-paint", 204.9),
        ("total-blocking-time", 0.0),
        ("speed-index", 174.4),
        ("interactive", 204.9),
    ] {
        let m = one(&r, id, "audit", Some("audit"));
        assert_eq!(m.unit, "ms", "{id}");
        close(m.value, ms, 0.05, id);
    }
    let cls = one(&r, "cumulative-layout-shift", "audit", Some("audit"));
    assert_eq!((cls.unit.as_str(), cls.value), ("", Some(0.0)));
    let fcp = one(&r, "first-contentful-paint", "audit", Some("audit"));
    assert_eq!(fcp.message.as_deref(), Some("0.2\u{a0}s"));
    let low: Vec<&str> = r
        .measurements
        .iter()
        .filter(|m| m.group.as_deref() == Some("audit") && m.score.is_some_and(|s| s < 0.9))
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(low, ["errors-in-console", "meta-description"]);
    assert!(
        parse(rel).unwrap().warnings.is_empty(),
        "runWarnings is empty"
    );
}

// ------------------------------------------------- fail closed (our fixtures)

mod fail_closed {
    use gate_artifacts::{Format, ParseError, ParseOptions, Parsed, Position};
    use std::path::PathBuf;

    fn fixture(rel: &str) -> String {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/performance")
            .join(rel);
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
    }

    fn parse(text: &str, format: Option<Format>) -> Result<Parsed, ParseError> {
        gate_artifacts::parse("perf", text.as_bytes(), format, &ParseOptions::default())
    }

    /// The error of `text` (detected, and forced as `format`: the same).
    fn err(text: &str, format: Format) -> ParseError {
        let forced = match parse(text, Some(format)) {
            Ok(p) => panic!("forced {format}: parsed: {p:?}"),
            Err(e) => e,
        };
        if let Err(detected) = parse(text, None)
            && detected.code != "unknown-format"
        {
            assert_eq!(detected, forced, "detected and forced differ");
        }
        forced
    }

    fn at(line: u32, column: u32) -> Option<Position> {
        Some(Position::LineCol { line, column })
    }

    fn ptr(p: &str) -> Option<Position> {
        Some(Position::Pointer(p.into()))
    }

    /// (fixture, format, whether a cut exactly after a row is a complete,
    /// shorter report — CSV exports without a closing row).
    const FIXTURES: &[(&str, Format, bool)] = &[
        ("hyperfine.json", Format::Hyperfine, false),
        ("hyperfine.csv", Format::HyperfineCsv, true),
        ("pytest-benchmark.json", Format::PytestBenchmark, false),
        ("go-bench.txt", Format::GoBench, false),
        ("go-bench.json", Format::GoBenchJson, false),
        ("locust_stats.csv", Format::LocustStats, false),
        ("locust_failures.csv", Format::LocustFailures, true),
        ("locust_stats_history.csv", Format::LocustHistory, true),
        ("locust.json", Format::LocustJson, false),
        ("lighthouse.json", Format::Lighthouse, false),
        (
            "criterion/parse_lcov/new/estimates.json",
            Format::Criterion,
            false,
        ),
    ];

    /// Every fixture cut at every byte is an error, forced or detected (a Go
    /// output cut after `PASS` lacks its `ok` line) —
    /// except, for the CSV exports that have no closing row, a cut right
    /// after a row (a shorter report, as indistinguishable as a shorter run).
    #[test]
    fn every_fixture_cut_anywhere_is_an_error() {
        for (rel, format, rows) in FIXTURES {
            let text = fixture(rel);
            let complete = text.trim_end().len();
            for cut in (1..complete).filter(|c| text.is_char_boundary(*c)) {
                let part = &text[..cut];
                let row_end = part.ends_with('\n');
                for forced in [None, Some(*format)] {
                    if let Ok(p) = parse(part, forced) {
                        assert!(
                            *rows && row_end,
                            "{rel} cut at byte {cut} (forced {forced:?}) parsed as {}",
                            p.format
                        );
                        assert_eq!(p.format, *format);
                    }
                }
            }
        }
    }

    #[test]
    fn truncated_json_names_the_place() {
        let text = fixture("hyperfine.json");
        let cut = &text[..text.find("\"median\": 0.008").unwrap()];
        let e = err(cut, Format::Hyperfine);
        assert_eq!(e.code, "truncated-json", "{e}");
        // The end of the input, where the document stops short.
        assert_eq!(e.position, at(20, 6), "{e}");
    }

    #[test]
    fn truncated_csv_names_the_row() {
        let text = fixture("locust_stats.csv");
        // Cut inside the last row: no final newline.
        let cut = &text[..text.len() - 10];
        let e = err(cut, Format::LocustStats);
        assert_eq!(e.code, "truncated-csv", "{e}");
        assert_eq!(e.position, Some(Position::Line(4)), "{e}");
        // Cut after a whole row: the `Aggregated` row Locust writes last is missing.
        let rows: Vec<&str> = text.split_inclusive('\n').collect();
        let e = err(&rows[..3].concat(), Format::LocustStats);
        assert_eq!(e.code, "invalid-locust", "{e}");
        // A quoted field still open at the end.
        let text = fixture("locust_failures.csv");
        let cut = &text[..text.find("Bad Gateway").unwrap()];
        let e = err(cut, Format::LocustFailures);
        assert_eq!(e.code, "truncated-csv", "{e}");
        assert_eq!(e.position, at(2, 16), "{e}");
        // A short row in the middle.
        let short =
            "command,mean,stddev,median,user,system,min,max\na,1,,1,1,1,1\nb,1,,1,1,1,1,1\n";
        let e = err(short, Format::HyperfineCsv);
        assert_eq!(e.code, "invalid-csv", "{e}");
        assert_eq!(e.position, Some(Position::Line(2)), "{e}");
        assert_eq!(e.message, "row has 7 fields, the header has 8");
    }

    #[test]
    fn a_csv_without_a_column_is_refused_at_its_header() {
        let text = fixture("hyperfine.csv").replacen(",median", "", 1);
        // Still a hyperfine CSV? Its header no longer starts like one.
        let e = err(&text, Format::HyperfineCsv);
        assert_eq!(e.code, "format-mismatch", "{e}");
        let text = fixture("locust_stats.csv").replacen(",Requests/s", ",Reqs", 1);
        let e = err(&text, Format::LocustStats);
        assert_eq!(e.code, "missing-field", "{e}");
        assert_eq!(e.position, Some(Position::Line(1)), "{e}");
        assert_eq!(e.message, "the header has no `Requests/s` column");
        let text = fixture("locust_stats_history.csv").replacen("Total Failure Count", "Fails", 1);
        let e = err(&text, Format::LocustHistory);
        assert_eq!(e.code, "missing-field", "{e}");
    }

    #[test]
    fn a_forced_format_that_does_not_match_is_refused() {
        for (rel, actual, _) in FIXTURES {
            let text = fixture(rel);
            for (_, forced, _) in FIXTURES.iter().filter(|(_, f, _)| f != actual) {
                let e = parse(&text, Some(*forced)).unwrap_err();
                assert_eq!(e.code, "format-mismatch", "{forced} on {rel}: {e}");
                let json_doc = actual.is_json() && forced.is_json();
                let place = if json_doc { ptr("") } else { at(1, 1) };
                assert_eq!(e.position, place, "{forced} on {rel}: {e}");
                assert!(
                    e.message
                        .starts_with(&format!("this is not a {forced} document: ")),
                    "{e}"
                );
            }
        }
    }

    #[test]
    fn nan_infinite_and_negative_values_are_refused_with_their_place() {
        // CSV: `NaN` where a time is due.
        let text = fixture("hyperfine.csv").replacen(",0.012562,", ",NaN,", 1);
        let e = err(&text, Format::HyperfineCsv);
        assert_eq!(e.code, "invalid-measurement", "{e}");
        assert_eq!(e.position, at(2, 21), "{e}");
        assert_eq!(e.message, "mean is not a finite number");
        let text = fixture("locust_stats.csv").replacen(",12.5,", ",-12.5,", 1);
        let e = err(&text, Format::LocustStats);
        assert_eq!(e.code, "invalid-measurement", "{e}");
        assert_eq!(e.message, "the average is negative (-12.5)");
        let text = fixture("locust_stats.csv").replacen(",12.5,", ",inf,", 1);
        assert_eq!(err(&text, Format::LocustStats).code, "invalid-measurement");
        // Go: a value that is no number, and a NaN one.
        let text = fixture("go-bench.txt").replacen("1042 ns/op", "NaN ns/op", 1);
        let e = err(&text, Format::GoBench);
        assert_eq!(e.code, "invalid-measurement", "{e}");
        assert_eq!(e.position, at(5, 41), "{e}");
        let text = fixture("go-bench.txt").replacen("1042 ns/op", "1O42 ns/op", 1);
        let e = err(&text, Format::GoBench);
        assert_eq!(e.code, "invalid-go-bench", "{e}");
        assert_eq!(e.message, "`1O42` (ns/op) is not a number");
        let text = fixture("go-bench.txt").replacen("1042 ns/op", "-1042 ns/op", 1);
        assert_eq!(err(&text, Format::GoBench).code, "invalid-measurement");
        // JSON: Python writes `NaN`, which is not JSON.
        let text =
            fixture("pytest-benchmark.json").replacen("\"stddev\": 0.0004", "\"stddev\": NaN", 1);
        let e = err(&text, Format::PytestBenchmark);
        assert_eq!(e.code, "invalid-json", "{e}");
        assert_eq!(line_of(&e), 30, "{e}");
        // A negative duration in JSON, at its pointer.
        let text = fixture("hyperfine.json").replacen("\"min\": 0.008", "\"min\": -0.008", 1);
        let e = err(&text, Format::Hyperfine);
        assert_eq!(e.code, "invalid-measurement", "{e}");
        assert_eq!(e.position, ptr("/results/1/min"), "{e}");
        let text = fixture("hyperfine.json").replacen("0.0125, 0.01314", "0.0125, -0.01314", 1);
        let e = err(&text, Format::Hyperfine);
        assert_eq!(e.position, ptr("/results/0/times/2"), "{e}");
        let text =
            fixture("pytest-benchmark.json").replacen("\"mean\": 0.0125", "\"mean\": -0.0125", 1);
        let e = err(&text, Format::PytestBenchmark);
        assert_eq!(e.position, ptr("/benchmarks/1/stats/mean"), "{e}");
        let text = fixture("criterion/parse_lcov/new/estimates.json").replacen(
            "\"lower_bound\":301.1",
            "\"lower_bound\":-301.1",
            1,
        );
        let e = err(&text, Format::Criterion);
        assert_eq!(
            e.position,
            ptr("/median_abs_dev/confidence_interval/lower_bound"),
            "{e}"
        );
        let text = fixture("lighthouse.json").replacen("\"score\": 0.91", "\"score\": 91", 1);
        let e = err(&text, Format::Lighthouse);
        assert_eq!(e.code, "invalid-measurement", "{e}");
        assert_eq!(e.position, ptr("/categories/performance/score"), "{e}");
    }

    fn line_of(e: &ParseError) -> u32 {
        match e.position {
            Some(Position::LineCol { line, .. }) => line,
            ref other => panic!("{e}: {other:?}"),
        }
    }

    #[test]
    fn wrong_types_are_refused_at_their_pointer() {
        let text = fixture("hyperfine.json").replacen("\"mean\": 0.008", "\"mean\": \"fast\"", 1);
        let e = err(&text, Format::Hyperfine);
        assert_eq!(e.code, "invalid-hyperfine", "{e}");
        assert_eq!(e.position, ptr("/results/1/mean"), "{e}");
        let text = fixture("locust.json").replacen("\"110\": 1", "\"slow\": 1", 1);
        let e = err(&text, Format::LocustJson);
        assert_eq!(e.code, "invalid-locust", "{e}");
        assert_eq!(e.position, ptr("/1/response_times/slow"), "{e}");
        let text = fixture("pytest-benchmark.json").replacen("\"rounds\": 20,", "", 1);
        let e = err(&text, Format::PytestBenchmark);
        assert_eq!(e.code, "invalid-pytest-benchmark", "{e}");
        assert_eq!(e.position, ptr("/benchmarks/1/stats"), "{e}");
    }

    #[test]
    fn go_runs_that_failed_or_were_cut_are_refused() {
        let text = fixture("go-bench.txt");
        // Cut after a result: no `PASS`/`ok` trailer.
        let cut = &text[..text.find("PASS").unwrap()];
        let e = err(cut, Format::GoBench);
        assert_eq!(e.code, "truncated-go-bench", "{e}");
        assert_eq!(e.position, Some(Position::Line(7)), "{e}");
        let failed = text.replace(
            "PASS\nok  \texample.org/shop/cart\t3.104s",
            "FAIL\nFAIL\texample.org/shop/cart\t3.104s",
        );
        let e = err(&failed, Format::GoBench);
        assert_eq!(e.code, "invalid-go-bench", "{e}");
        assert_eq!(e.position, Some(Position::Line(8)), "{e}");
        // A count but no `value unit` pairs.
        let broken = text.replacen("1050 ns/op\t     128 B/op\t       2 allocs/op", "1050", 1);
        let e = err(&broken, Format::GoBench);
        assert_eq!(e.code, "invalid-go-bench", "{e}");
        // Nothing matched `-bench`.
        let none = "goos: linux\npkg: x\nPASS\nok  \tx\t0.1s\n";
        assert_eq!(err(none, Format::GoBench).code, "invalid-go-bench");

        let json = fixture("go-bench.json");
        let lines: Vec<&str> = json.split_inclusive('\n').collect();
        // Without the package's final `pass` event.
        let e = err(&lines[..lines.len() - 1].concat(), Format::GoBenchJson);
        assert_eq!(e.code, "truncated-go-bench", "{e}");
        assert_eq!(e.position, Some(Position::Line(1)), "{e}");
        // Cut inside an event.
        let cut = &json[..json.find("\"Elapsed\"").unwrap()];
        let e = err(cut, Format::GoBenchJson);
        assert_eq!(e.code, "truncated-json", "{e}");
        assert_eq!(line_of(&e), 11, "{e}");
        // The package failed.
        let failed = json.replace("\"Action\":\"pass\"", "\"Action\":\"fail\"");
        let e = err(&failed, Format::GoBenchJson);
        assert_eq!(e.code, "invalid-go-bench", "{e}");
        assert_eq!(e.position, Some(Position::Line(11)), "{e}");
    }

    #[test]
    fn lighthouse_runtime_errors_are_refused() {
        let text = fixture("lighthouse.json").replacen(
            "\"runWarnings\"",
            "\"runtimeError\": {\"code\": \"NO_FCP\", \"message\": \"The page did not paint any content.\"},\n  \"runWarnings\"",
            1,
        );
        let e = err(&text, Format::Lighthouse);
        assert_eq!(e.code, "lighthouse-runtime-error", "{e}");
        assert_eq!(e.position, ptr("/runtimeError"), "{e}");
        assert_eq!(
            e.message,
            "lighthouse could not measure the page: NO_FCP The page did not paint any content."
        );
    }

    /// More measurements than the input's size allows (one per 512 bytes
    /// beyond 32,768) are refused at the line that exceeds the budget.
    #[test]
    fn more_measurements_than_the_budget_are_refused() {
        let mut text = String::from("pkg: p\n");
        for i in 0..17_000 {
            text.push_str(&format!("Benchmark{i} 1 1 a 1 b\n"));
        }
        text.push_str("PASS\nok  \tp\t1.0s\n");
        let e = err(&text, Format::GoBench);
        assert_eq!(e.code, "too-many-measurements", "{e}");
        let limit = text.len() / 512 + 32_768;
        // Two measurements a line: the line of measurement `limit + 1`.
        let line = u32::try_from(limit / 2 + 2).unwrap();
        assert_eq!(line_of(&e), line, "{e}");
        // JSON: counted before reading.
        let mut json = String::from("{\"results\":[");
        for i in 0..40_000 {
            json.push_str(&format!(
                "{}{{\"command\":\"c{i}\",\"mean\":1}}",
                if i > 0 { "," } else { "" }
            ));
        }
        json.push_str("]}");
        assert_eq!(err(&json, Format::Hyperfine).code, "too-many-measurements");
    }

    /// Work and memory follow the input, not the numbers in it: a Go file
    /// of a million tiny result lines of one benchmark (a huge `-count`)
    /// reads in one pass into one measurement per unit.
    #[test]
    fn go_bench_with_a_huge_count_stays_linear() {
        let mut text = String::from("pkg: p\n");
        for _ in 0..200_000 {
            text.push_str("BenchmarkA-2 1 1 ns/op\n");
        }
        text.push_str("PASS\nok  \tp\t9.1s\n");
        let p = parse(&text, None).unwrap();
        let gate_artifacts::Model::Performance(r) = p.model else {
            panic!("not performance")
        };
        assert_eq!(r.measurements.len(), 1);
        assert_eq!(r.measurements[0].n, Some(200_000));
    }
}
