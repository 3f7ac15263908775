//! Performance results: benchmark timings, load-test statistics and page
//! scores, one flat list of measurements whatever the tool.
//!
//! Values are the tool's own numbers, exactly as written (no unit is
//! converted, so `0.105563` stays `0.105563`); [`Measurement::unit`] names
//! their unit in one spelling for every tool ([`unit`]), and
//! [`unit::seconds_per`] converts time units for whoever compares across
//! tools. Statistics a tool does not report are absent, never zero.
//! Flat on purpose: every measurement stands alone (name, group,
//! parameters, unit and statistics), so a consumer can take them one by one.

use serde::{Deserialize, Serialize};

/// One performance report.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct PerformanceReport {
    /// The tool that wrote the report (`hyperfine`, `go`, `locust`, …).
    pub tool: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_version: Option<String>,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

/// A `name=value` a measurement was taken with (a hyperfine scan
/// parameter, a pytest parametrization, Go's GOMAXPROCS suffix).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parameter {
    pub name: String,
    pub value: String,
}

/// A confidence interval the tool reports around an estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// 0..1, e.g. 0.95.
    pub level: f64,
    pub lower: f64,
    pub upper: f64,
}

/// The value at a percentile (`p` in 0..=100).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Percentile {
    pub p: f64,
    pub value: f64,
}

/// One named measurement and the statistics the tool reported for it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Measurement {
    /// Benchmark, command, endpoint, audit or category.
    pub name: String,
    /// What the tool groups it under: a pytest-benchmark group, a Go
    /// package, an HTTP method, `category`/`audit` for Lighthouse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<Parameter>,
    /// What is measured: [`metric`].
    pub metric: String,
    /// The unit of every value below except `n`, `requests`, `failures`,
    /// `error_rate`, `throughput` and `score`: [`unit`].
    pub unit: String,
    /// How many samples the statistics are over (runs, rounds, requests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<u64>,
    /// Iterations inside each sample, when the tool says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
    /// A single value (a Lighthouse metric, a count of failures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stddev: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Ascending by `p`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<Percentile>,
    /// The confidence interval of the mean (criterion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<Interval>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_error: Option<f64>,
    /// User and system CPU time per run (hyperfine), in `unit`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<f64>,
    /// The individual samples when the tool lists them (hyperfine's runs,
    /// Go's `-count` lines), in document order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub samples: Vec<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failures: Option<u64>,
    /// `failures / requests`, 0..1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// Operations or requests per second.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub throughput: Option<f64>,
    /// A score in 0..1 (Lighthouse).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// A message the tool attached (a Locust failure's error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// The values of [`Measurement::metric`].
pub mod metric {
    /// Time per operation or run.
    pub const TIME: &str = "time";
    /// An HTTP request's response time (Locust).
    pub const RESPONSE_TIME: &str = "response-time";
    /// Bytes allocated per operation (Go `B/op`).
    pub const MEMORY: &str = "memory";
    /// Allocations per operation (Go `allocs/op`).
    pub const ALLOCATIONS: &str = "allocations";
    /// Bytes processed per second (Go `MB/s`).
    pub const THROUGHPUT: &str = "throughput";
    /// Occurrences of one failure (Locust's failures report).
    pub const FAILURES: &str = "failures";
    /// A Lighthouse category's score.
    pub const SCORE: &str = "score";
    /// A Lighthouse audit (its `value` and `score`).
    pub const AUDIT: &str = "audit";
}

/// The values of [`Measurement::unit`]; a unit gate does not know (a Go
/// `b.ReportMetric` unit, a Lighthouse `numericUnit`) is kept as written.
pub mod unit {
    pub const SECONDS: &str = "s";
    pub const MILLISECONDS: &str = "ms";
    pub const MICROSECONDS: &str = "us";
    pub const NANOSECONDS: &str = "ns";
    pub const BYTES: &str = "B";
    pub const ALLOCATIONS: &str = "allocs";
    /// Megabytes (10^6 bytes) per second.
    pub const MEGABYTES_PER_SECOND: &str = "MB/s";
    pub const COUNT: &str = "count";
    /// A score in 0..1.
    pub const SCORE: &str = "score";
    /// A number without a unit (Lighthouse's `unitless`).
    pub const NONE: &str = "";

    /// Seconds in one `unit` for the time units, `None` for the others.
    pub fn seconds_per(unit: &str) -> Option<f64> {
        match unit {
            SECONDS => Some(1.0),
            MILLISECONDS => Some(1e-3),
            MICROSECONDS => Some(1e-6),
            NANOSECONDS => Some(1e-9),
            _ => None,
        }
    }
}

impl Measurement {
    /// A measurement of `metric` in `unit`, no statistics yet.
    pub fn new(name: impl Into<String>, metric: &str, unit: &str) -> Self {
        Measurement {
            name: name.into(),
            metric: metric.to_string(),
            unit: unit.to_string(),
            ..Measurement::default()
        }
    }

    /// The value of parameter `name`.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.value.as_str())
    }

    /// The value at percentile `p`.
    pub fn percentile(&self, p: f64) -> Option<f64> {
        self.percentiles.iter().find(|x| x.p == p).map(|x| x.value)
    }
}
