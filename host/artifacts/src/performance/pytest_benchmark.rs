//! pytest-benchmark's `--benchmark-json` (and its saved runs): one entry
//! per benchmark with `stats` in seconds. `q1`/`q3` become the 25th and
//! 75th percentiles, `ops` the throughput, `rounds` the sample count; the
//! raw `data` is not kept (the statistics summarise it).

use super::{non_negative, opt_non_negative, parameters};
use crate::error::ParseCode;
use crate::json::{StrictMap, from_json};
use crate::model::performance::{metric, unit};
use crate::{Measurement, ParseContext, ParseError, Percentile, PerformanceReport, Position};
use serde::Deserialize;
use serde_json::Value;

pub(crate) fn sniff(v: &Value) -> bool {
    v.get("machine_info").is_some() && v.get("benchmarks").is_some_and(Value::is_array)
}

#[derive(Deserialize)]
struct Export {
    benchmarks: Vec<Bench>,
    #[serde(default)]
    version: Option<String>,
}

#[derive(Deserialize)]
struct Bench {
    name: String,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    params: Option<StrictMap<String, Value>>,
    stats: Stats,
}

#[derive(Deserialize)]
struct Stats {
    min: f64,
    max: f64,
    mean: f64,
    #[serde(default)]
    stddev: Option<f64>,
    rounds: u64,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    q1: Option<f64>,
    #[serde(default)]
    q3: Option<f64>,
    #[serde(default)]
    ops: Option<f64>,
    #[serde(default)]
    iterations: Option<u64>,
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let export: Export = from_json(cx.name, text, ParseCode::InvalidPytestBenchmark)?;
    let mut report = PerformanceReport {
        tool: "pytest-benchmark".into(),
        tool_version: export.version,
        ..PerformanceReport::default()
    };
    for (i, b) in export.benchmarks.into_iter().enumerate() {
        let at = |key: &str| {
            let p = format!("/benchmarks/{i}/stats/{key}");
            move || Position::Pointer(p)
        };
        let s = b.stats;
        let mut m = Measurement::new(b.name, metric::TIME, unit::SECONDS);
        m.group = b.group;
        m.parameters = parameters(b.params);
        m.n = Some(s.rounds);
        m.iterations = s.iterations;
        m.min = Some(non_negative(cx, s.min, "min", at("min"))?);
        m.max = Some(non_negative(cx, s.max, "max", at("max"))?);
        m.mean = Some(non_negative(cx, s.mean, "mean", at("mean"))?);
        m.stddev = opt_non_negative(cx, s.stddev, "stddev", at("stddev"))?;
        m.median = opt_non_negative(cx, s.median, "median", at("median"))?;
        m.throughput = opt_non_negative(cx, s.ops, "ops", at("ops"))?;
        let q1 = opt_non_negative(cx, s.q1, "q1", at("q1"))?;
        let q3 = opt_non_negative(cx, s.q3, "q3", at("q3"))?;
        m.percentiles = [(25.0, q1), (75.0, q3)]
            .into_iter()
            .filter_map(|(p, v)| v.map(|value| Percentile { p, value }))
            .collect();
        report.measurements.push(m);
    }
    Ok(report)
}
