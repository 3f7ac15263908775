//! Prometheus responses of `../shared/corpus/metrics` (see its README and
//! `index.json`, which says each file's endpoint and HTTP status): every
//! query response is read as `prometheus`, every error body is refused
//! with the server's `errorType`, and the values are the README's. Our own
//! fixtures (`tests/fixtures/metrics/`) cover the same cases on a fresh
//! clone.

use crate::{corpus_or_skip, parse};
use gate_artifacts::{Format, MetricsReport, Model, ParseOptions, ResultType, Series, WarningCode};
use serde_json::Value;

fn report(rel: &str) -> MetricsReport {
    let p = parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(p.format, Format::Prometheus, "{rel} detected as");
    match p.model {
        Model::Metrics(r) => r,
        other => panic!("{rel}: not a metrics model: {other:?}"),
    }
}

fn track<'r>(r: &'r MetricsReport, track: &str) -> &'r Series {
    let found: Vec<&Series> = r
        .series
        .iter()
        .filter(|s| s.label("track") == Some(track))
        .collect();
    assert_eq!(found.len(), 1, "{track}: {found:?}");
    found[0]
}

/// The value at END of the one series with `track`.
fn at_end(r: &MetricsReport, t: &str) -> f64 {
    let s = track(r, t);
    assert_eq!(s.samples.len(), 1, "{t}");
    assert_eq!(s.samples[0].time, 1_796_173_560.0);
    s.samples[0].value
}

fn close(got: f64, want: f64, what: &str) {
    assert!((got - want).abs() < 5e-5, "{what}: {got} is not {want}");
}

#[test]
fn every_query_response_is_read_and_every_error_refused() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(corpus.join("metrics/index.json")).unwrap())
            .unwrap();
    let (mut read, mut refused, mut other) = (0, 0, 0);
    for row in index.as_array().unwrap() {
        let rel = format!("metrics/{}", row["file"].as_str().unwrap());
        let endpoint = row["endpoint"].as_str().unwrap();
        let status = row["http_status"].as_u64().unwrap();
        let got = parse(&rel);
        if !endpoint.starts_with("/api/v1/query") {
            // Labels, series, rules, alerts, build info: not query results.
            assert_eq!(got.unwrap_err().code, "unknown-format", "{rel}");
            other += 1;
            continue;
        }
        if status == 200 {
            let p = got.unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert_eq!(p.format, Format::Prometheus, "{rel}");
            let bytes = std::fs::read(corpus.join(&rel)).unwrap();
            let forced =
                gate_artifacts::parse(&rel, &bytes, Some(p.format), &ParseOptions::default())
                    .unwrap();
            assert_eq!(format!("{forced:?}"), format!("{p:?}"), "{rel} forced");
            read += 1;
        } else {
            let e = got.unwrap_err();
            assert_eq!(e.code, "prometheus-error", "{rel}: {e}");
            let body: Value =
                serde_json::from_slice(&std::fs::read(corpus.join(&rel)).unwrap()).unwrap();
            let kind = body["errorType"].as_str().unwrap();
            assert!(e.message.contains(&format!("({kind})")), "{rel}: {e}");
            assert!(
                e.message.contains(body["error"].as_str().unwrap()),
                "{rel}: {e}"
            );
            refused += 1;
        }
    }
    assert_eq!((read, refused, other), (98, 8, 15));
}

#[test]
fn end_of_window_values_are_the_readmes() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    // (scenario, 5xx ratio [5m] stable, canary, p95 [5m] stable, canary)
    let table = [
        ("a-healthy", 0.00476, 0.00559, 0.1501, Some(0.1488)),
        ("b-errors", 0.00478, 0.08076, 0.1499, Some(0.1469)),
        ("c-latency", 0.00547, 0.00524, 0.1488, Some(0.2429)),
        ("d-missing", 0.00441, 0.00415, 0.1481, None),
    ];
    for (dir, err_s, err_c, p95_s, p95_c) in table {
        let e = report(&format!("metrics/{dir}/error-rate-5m-by-track.query.json"));
        assert_eq!(e.result_type, ResultType::Vector);
        assert_eq!(e.name, "error-rate-5m-by-track");
        close(at_end(&e, "stable"), err_s, dir);
        close(at_end(&e, "canary"), err_c, dir);
        let p = report(&format!("metrics/{dir}/p95-5m-by-track.query.json"));
        close(at_end(&p, "stable"), p95_s, dir);
        match p95_c {
            Some(v) => close(at_end(&p, "canary"), v, dir),
            None => assert!(p.series.iter().all(|s| s.label("track") != Some("canary"))),
        }
    }
    let b1 = report("metrics/b-errors/error-rate-1m-by-track.query.json");
    close(at_end(&b1, "canary"), 0.08054, "b [1m]");
}

#[test]
fn range_queries_have_every_step() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let c = report("metrics/c-latency/p95-5m-by-track.query_range.json");
    assert_eq!(c.result_type, ResultType::Matrix);
    for t in ["stable", "canary"] {
        let s = track(&c, t);
        assert_eq!(s.samples.len(), 120, "{t}");
        assert_eq!(s.samples[0].time, 1_796_166_420.0);
        assert_eq!(s.samples[119].time, 1_796_173_560.0);
    }
    let ratios: Vec<f64> = track(&c, "canary")
        .samples
        .iter()
        .zip(&track(&c, "stable").samples)
        .map(|(c, s)| c.value / s.value)
        .collect();
    let (lo, hi) = ratios
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), r| (l.min(*r), h.max(*r)));
    assert!(
        (1.566..1.568).contains(&lo) && (1.656..1.658).contains(&hi),
        "{lo}..{hi}"
    );
    // d: the canary has no p95 series over the whole window.
    let d = report("metrics/d-missing/p95-ratio-canary-vs-stable-5m.query_range.json");
    assert_eq!(d.result_type, ResultType::Matrix);
    assert!(d.series.is_empty());
    // The old canary pod ends and a new one starts (series churn).
    let up = report("metrics/d-missing/samples-per-series-2h.query.json");
    let mut counts: Vec<f64> = up.series.iter().map(|s| s.samples[0].value).collect();
    counts.sort_by(f64::total_cmp);
    // Three stable pods, the old canary pod, the new one.
    assert_eq!(counts, [141.0, 280.0, 481.0, 481.0, 481.0]);
}

#[test]
fn nan_and_infinities_are_values() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let r = report("metrics/a-healthy/nan-inf-503-ratio-canary-vs-stable-1m.query_range.json");
    assert_eq!(r.series.len(), 1);
    let v: Vec<f64> = r.series[0].samples.iter().map(|s| s.value).collect();
    assert_eq!(v.len(), 120);
    assert_eq!(v.iter().filter(|x| x.is_nan()).count(), 17);
    assert_eq!(v.iter().filter(|x| **x == f64::INFINITY).count(), 11);
    assert_eq!(v.iter().filter(|x| **x == 0.0).count(), 64);
    assert_eq!(v.iter().filter(|x| x.is_finite() && **x != 0.0).count(), 28);
    let nan = report("metrics/a-healthy/nan-inf-503-ratio-canary-vs-stable-1m.query.at-nan.json");
    assert!(nan.series[0].samples[0].value.is_nan());
    let inf = report("metrics/a-healthy/nan-inf-503-ratio-canary-vs-stable-1m.query.at-inf.json");
    assert_eq!(inf.series[0].samples[0].value, f64::INFINITY);
}

#[test]
fn scalars_strings_empties_and_warnings() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let s = report("metrics/common/scalar-error-ratio-a.query.json");
    assert_eq!(s.result_type, ResultType::Scalar);
    assert_eq!(s.series.len(), 1);
    assert!(s.series[0].labels.is_empty());
    close(s.series[0].samples[0].value, 0.004927, "scalar");
    let sr = report("metrics/common/scalar-error-ratio-a.query_range.json");
    assert_eq!(sr.result_type, ResultType::Matrix);
    assert!(sr.series[0].labels.is_empty());
    let nan = report("metrics/common/scalar-nan-multiple-series.query.json");
    assert!(nan.series[0].samples[0].value.is_nan());
    let st = report("metrics/common/string.query.json");
    assert_eq!(st.result_type, ResultType::String);
    assert_eq!(st.string.as_deref(), Some("canary"));
    assert!(st.series.is_empty());
    assert!(
        report("metrics/common/empty-vector.query.json")
            .series
            .is_empty()
    );
    assert!(
        report("metrics/common/empty-matrix.query_range.json")
            .series
            .is_empty()
    );
    for rel in [
        "metrics/common/warnings-remote-read.empty.query.json",
        "metrics/common/warnings-remote-read.error-rate-1m-by-track-b.query.json",
        "metrics/common/warnings-remote-read.p95-5m-by-track-c.query_range.json",
    ] {
        let p = parse(rel).unwrap();
        assert_eq!(p.warnings.len(), 1, "{rel}");
        assert_eq!(p.warnings[0].code, WarningCode::PrometheusWarning);
        assert!(
            p.warnings[0].message.contains("connection refused"),
            "{rel}"
        );
        let Model::Metrics(m) = p.model else { panic!() };
        assert_eq!(m.server_warnings.len(), 1);
    }
    let b = report("metrics/common/warnings-remote-read.error-rate-1m-by-track-b.query.json");
    close(at_end(&b, "canary"), 0.08054, "warned b");
}

/// Our own fixtures: every result type, the specials, the refusals.
#[test]
fn own_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/metrics");
    let read = |name: &str| {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        gate_artifacts::parse(name, &bytes, None, &ParseOptions::default())
    };
    let Model::Metrics(v) = read("error-rate.query.json").unwrap().model else {
        panic!()
    };
    assert_eq!(v.name, "error-rate");
    assert_eq!(at_end_fixture(&v, "canary"), 0.021);
    let Model::Metrics(s) = read("scalar.query.json").unwrap().model else {
        panic!()
    };
    assert_eq!(s.series[0].samples[0].time, 1_700_000_000.25);
    assert_eq!(s.series[0].samples[0].value, 42.0);
    let e = read("bad-query.query.json").unwrap_err();
    assert_eq!(e.code, "prometheus-error");
    assert_eq!(
        e.to_string(),
        "bad-query.query.json:/error: the server answered an error (bad_data): invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"
    );
    let bad = |text: &str| {
        gate_artifacts::parse(
            "x.json",
            text.as_bytes(),
            Some(Format::Prometheus),
            &ParseOptions::default(),
        )
        .unwrap_err()
    };
    let e = bad(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"inf"]}]}}"#,
    );
    assert_eq!(e.code, "invalid-prometheus");
    assert!(e.to_string().contains("/data/result/0/value"), "{e}");
    assert!(e.message.contains("`inf` is not a number"), "{e}");
    let e = bad(
        r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"histograms":[]}]}}"#,
    );
    assert_eq!(e.code, "unsupported-document");
    let e = bad(r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}"#);
    assert_eq!(e.code, "missing-field");
    let e = bad(
        r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"1","a":"2"},"value":[1,"1"]}]}}"#,
    );
    assert_eq!(e.code, "invalid-json", "{e}");
    let e = bad(r#"{"status":"error","errorType":"timeout"}"#);
    assert_eq!(e.code, "prometheus-error");
    // Labels come sorted; a series without samples stays (no data is data).
    let Model::Metrics(r) = read("ratio.query_range.json").unwrap().model else {
        panic!()
    };
    assert_eq!(r.series[0].labels[0].0, "__name__");
    assert!(r.series[1].samples.is_empty());
}

fn at_end_fixture(r: &MetricsReport, t: &str) -> f64 {
    track(r, t).samples[0].value
}
