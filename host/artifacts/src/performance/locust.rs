//! Locust's reports: the `--csv` files (`_stats.csv`, `_failures.csv`,
//! `_stats_history.csv`) and the `--json` stats. Response times are in
//! milliseconds.
//!
//! - stats: one `response-time` measurement per row (group: the method;
//!   the `Aggregated` row has none, and must be there: Locust always
//!   writes it last, so its absence means a cut file);
//! - failures: one `failures` measurement per (method, name, error), the
//!   error as `message`;
//! - history: one `response-time` measurement per row, with parameters
//!   `timestamp` and `users` (the first rows' `N/A` percentiles are absent);
//! - JSON: the raw per-endpoint counters; mean, median and percentiles are
//!   computed from the response-time histogram the way Locust computes its
//!   console table, plus an `Aggregated` measurement of all endpoints.
//!
//! The CSV files are Locust's last snapshot, written a moment before the
//! run ends: their counts can be a little below the console's final table.

use super::csv::{self, Header, Reader, Row};
use super::{error_rate, non_negative};
use crate::error::ParseCode;
use crate::json::{Key, from_json};
use crate::model::performance::{metric, unit};
use crate::{
    Measurement, Parameter, ParseContext, ParseError, Percentile, PerformanceReport, Position,
};
use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::Value;

pub(crate) const STATS_HEADER: &str = "Type,Name,Request Count,Failure Count";
pub(crate) const FAILURES_HEADER: &str = "Method,Name,Error,Occurrences";
pub(crate) const HISTORY_HEADER: &str = "Timestamp,User Count,Type,Name";

/// The percentiles Locust reports: (percent, fraction).
const PERCENTILES: [(f64, f64); 11] = [
    (50.0, 0.5),
    (66.0, 0.66),
    (75.0, 0.75),
    (80.0, 0.8),
    (90.0, 0.9),
    (95.0, 0.95),
    (98.0, 0.98),
    (99.0, 0.99),
    (99.9, 0.999),
    (99.99, 0.9999),
    (100.0, 1.0),
];

pub(crate) fn sniff_json(v: &Value) -> bool {
    super::first_item_has(
        v,
        None,
        &["name", "method", "num_requests", "response_times"],
    )
}

fn report() -> PerformanceReport {
    PerformanceReport {
        tool: "locust".into(),
        ..PerformanceReport::default()
    }
}

/// The percentile columns of a header (`50%` … `100%`) and their `p`.
fn percentile_columns(header: &Header) -> Vec<(usize, f64)> {
    header
        .names()
        .filter_map(|(i, n)| {
            let p: f64 = n.strip_suffix('%')?.parse().ok()?;
            (p.is_finite() && (0.0..=100.0).contains(&p)).then_some((i, p))
        })
        .collect()
}

fn percentiles(
    cx: &ParseContext<'_>,
    row: &Row<'_>,
    cols: &[(usize, f64)],
) -> Result<Vec<Percentile>, ParseError> {
    let mut out = Vec::new();
    for (i, p) in cols {
        if let Some(value) = csv::number(cx, row, *i, "a percentile")? {
            out.push(Percentile { p: *p, value });
        }
    }
    Ok(out)
}

/// Locust writes 0 for the times of a name without requests yet: no
/// statistic, not a 0 ms one.
fn without_requests(mut m: Measurement) -> Measurement {
    if m.requests == Some(0) {
        m.median = None;
        m.mean = None;
        m.min = None;
        m.max = None;
        m.percentiles.clear();
    }
    m
}

fn group(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

pub(crate) fn parse_stats(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut reader = Reader::new(text);
    let mut row = Row::default();
    let header = Header::read(cx, &mut reader, &mut row)?;
    let col = |name| header.column(cx, name);
    let (kind, name, requests, failures) = (
        col("Type")?,
        col("Name")?,
        col("Request Count")?,
        col("Failure Count")?,
    );
    let (median, mean, min, max, rps) = (
        col("Median Response Time")?,
        col("Average Response Time")?,
        col("Min Response Time")?,
        col("Max Response Time")?,
        col("Requests/s")?,
    );
    let pcols = percentile_columns(&header);
    let mut out = report();
    let mut aggregated = false;
    while reader.next(cx, &mut row)? {
        let mut m = Measurement::new(row.get(name), metric::RESPONSE_TIME, unit::MILLISECONDS);
        m.group = group(row.get(kind));
        aggregated |= m.group.is_none() && m.name == "Aggregated";
        let n = csv::count(cx, &row, requests, "Request Count")?;
        let f = csv::count(cx, &row, failures, "Failure Count")?;
        m.n = Some(n);
        m.requests = Some(n);
        m.failures = Some(f);
        m.error_rate = error_rate(n, f);
        m.median = csv::number(cx, &row, median, "the median")?;
        m.mean = csv::number(cx, &row, mean, "the average")?;
        m.min = csv::number(cx, &row, min, "the minimum")?;
        m.max = csv::number(cx, &row, max, "the maximum")?;
        m.throughput = csv::number(cx, &row, rps, "Requests/s")?;
        m.percentiles = percentiles(cx, &row, &pcols)?;
        out.measurements.push(without_requests(m));
    }
    if !aggregated {
        return Err(cx.error(
            ParseCode::InvalidLocust,
            Some(Position::Line(row.line.max(1))),
            "no `Aggregated` row: locust writes it last, so the file was cut short",
        ));
    }
    Ok(out)
}

pub(crate) fn parse_failures(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut reader = Reader::new(text);
    let mut row = Row::default();
    let header = Header::read(cx, &mut reader, &mut row)?;
    let col = |name| header.column(cx, name);
    let (method, name, error, occurrences) = (
        col("Method")?,
        col("Name")?,
        col("Error")?,
        col("Occurrences")?,
    );
    let mut out = report();
    while reader.next(cx, &mut row)? {
        let mut m = Measurement::new(row.get(name), metric::FAILURES, unit::COUNT);
        m.group = group(row.get(method));
        let n = csv::count(cx, &row, occurrences, "Occurrences")?;
        m.failures = Some(n);
        // Counts of a real run are far below 2^53.
        #[allow(clippy::cast_precision_loss)]
        let v = n as f64;
        m.value = Some(v);
        m.message = Some(row.get(error).to_string());
        out.measurements.push(m);
    }
    Ok(out)
}

pub(crate) fn parse_history(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut reader = Reader::new(text);
    let mut row = Row::default();
    let header = Header::read(cx, &mut reader, &mut row)?;
    let col = |name| header.column(cx, name);
    let (time, users, kind, name, rps) = (
        col("Timestamp")?,
        col("User Count")?,
        col("Type")?,
        col("Name")?,
        col("Requests/s")?,
    );
    let (requests, failures, median, mean, min, max) = (
        col("Total Request Count")?,
        col("Total Failure Count")?,
        col("Total Median Response Time")?,
        col("Total Average Response Time")?,
        col("Total Min Response Time")?,
        col("Total Max Response Time")?,
    );
    let pcols = percentile_columns(&header);
    let mut out = report();
    while reader.next(cx, &mut row)? {
        let mut m = Measurement::new(row.get(name), metric::RESPONSE_TIME, unit::MILLISECONDS);
        m.group = group(row.get(kind));
        let ts = csv::count(cx, &row, time, "Timestamp")?;
        let u = csv::count(cx, &row, users, "User Count")?;
        m.parameters = vec![
            Parameter {
                name: "timestamp".into(),
                value: ts.to_string(),
            },
            Parameter {
                name: "users".into(),
                value: u.to_string(),
            },
        ];
        let n = csv::count(cx, &row, requests, "Total Request Count")?;
        let f = csv::count(cx, &row, failures, "Total Failure Count")?;
        m.n = Some(n);
        m.requests = Some(n);
        m.failures = Some(f);
        m.error_rate = error_rate(n, f);
        m.throughput = csv::number(cx, &row, rps, "Requests/s")?;
        m.median = csv::number(cx, &row, median, "the median")?;
        m.mean = csv::number(cx, &row, mean, "the average")?;
        m.min = csv::number(cx, &row, min, "the minimum")?;
        m.max = csv::number(cx, &row, max, "the maximum")?;
        m.percentiles = percentiles(cx, &row, &pcols)?;
        out.measurements.push(without_requests(m));
    }
    Ok(out)
}

#[derive(Deserialize)]
struct Entry {
    name: String,
    method: String,
    num_requests: u64,
    num_failures: u64,
    total_response_time: f64,
    #[serde(default)]
    min_response_time: Option<f64>,
    max_response_time: f64,
    response_times: Histogram,
    #[serde(default)]
    start_time: Option<f64>,
    #[serde(default)]
    last_request_timestamp: Option<f64>,
}

/// A response-time histogram as written: (rounded ms, count), 16 bytes an
/// entry (no key strings kept). A key that is not a whole number of ms is
/// an error at its pointer.
struct Histogram(Vec<(u64, u64)>);

impl<'de> Deserialize<'de> for Histogram {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(HistogramVisitor)
    }
}

struct HistogramVisitor;

impl<'de> Visitor<'de> for HistogramVisitor {
    type Value = Histogram;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of response times and counts")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Histogram, A::Error> {
        let mut out = Vec::new();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            let time = key.parse::<u64>().ok();
            // The key is checked inside the value, so the error's pointer
            // ends with the key.
            let count = map.next_value_seed(Bucket(time.is_none().then_some(&*key)))?;
            if let Some(t) = time {
                out.push((t, count));
            }
        }
        Ok(Histogram(out))
    }
}

/// A bucket's count; `Some(key)`: the key was not a number of ms.
struct Bucket<'k>(Option<&'k str>);

impl<'de> DeserializeSeed<'de> for Bucket<'_> {
    type Value = u64;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        let count = u64::deserialize(d)?;
        match self.0 {
            Some(k) => Err(serde::de::Error::custom(format_args!(
                "response time bucket `{k}` is not a whole number of milliseconds"
            ))),
            None => Ok(count),
        }
    }
}

/// Sorts a histogram by time and adds up the counts of equal times.
fn merged(mut h: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    h.sort_unstable_by_key(|(t, _)| *t);
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(h.len());
    for (t, c) in h {
        match out.last_mut() {
            Some((lt, lc)) if *lt == t => *lc = lc.saturating_add(c),
            _ => out.push((t, c)),
        }
    }
    out
}

/// Locust's percentile of a histogram (rounded response time → count) of
/// `n` requests: the smallest time with at most `n × (1 − p)` requests
/// above it (`calculate_response_time_percentile`).
fn percentile(hist: &[(u64, u64)], n: u64, p: f64) -> Option<u64> {
    if n == 0 {
        return None;
    }
    // n ≤ the input's size: exact in f64; the product is floored as Locust does.
    #[allow(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss
    )]
    let wanted = (n as f64 * p) as u64;
    let mut seen: u64 = 0;
    for (time, count) in hist.iter().rev() {
        seen = seen.saturating_add(*count);
        if n.saturating_sub(seen) <= wanted {
            return Some(*time);
        }
    }
    Some(0)
}

/// The statistics of one endpoint (or all of them) from its counters.
#[allow(clippy::too_many_arguments)]
fn from_hist(
    name: String,
    method: Option<String>,
    n: u64,
    failures: u64,
    total: f64,
    min: Option<f64>,
    max: f64,
    hist: &[(u64, u64)],
) -> Measurement {
    let mut m = Measurement::new(name, metric::RESPONSE_TIME, unit::MILLISECONDS);
    m.group = method;
    m.n = Some(n);
    m.requests = Some(n);
    m.failures = Some(failures);
    m.error_rate = error_rate(n, failures);
    if n > 0 {
        #[allow(clippy::cast_precision_loss)]
        let mean = total / n as f64;
        m.mean = Some(mean);
        m.min = min;
        m.max = Some(max);
    }
    #[allow(clippy::cast_precision_loss)]
    let as_f = |v: u64| v as f64;
    m.median = percentile(hist, n, 0.5).map(as_f);
    m.percentiles = PERCENTILES
        .iter()
        .filter_map(|(p, f)| {
            percentile(hist, n, *f).map(|v| Percentile {
                p: *p,
                value: as_f(v),
            })
        })
        .collect();
    m
}

pub(crate) fn parse_json(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let entries: Vec<Entry> = from_json(cx.name, text, ParseCode::InvalidLocust)?;
    let mut out = report();
    let mut all: Vec<(u64, u64)> = Vec::new();
    let mut all_merged = 0usize;
    let (mut n_all, mut f_all, mut total_all) = (0u64, 0u64, 0.0f64);
    let (mut min_all, mut max_all): (Option<f64>, f64) = (None, 0.0);
    let (mut start, mut last): (Option<f64>, Option<f64>) = (None, None);
    for (i, e) in entries.into_iter().enumerate() {
        let at = |key: &str| {
            let p = format!("/{i}/{key}");
            move || Position::Pointer(p)
        };
        let total = non_negative(
            cx,
            e.total_response_time,
            "total_response_time",
            at("total_response_time"),
        )?;
        let max = non_negative(
            cx,
            e.max_response_time,
            "max_response_time",
            at("max_response_time"),
        )?;
        let min = super::opt_non_negative(
            cx,
            e.min_response_time,
            "min_response_time",
            at("min_response_time"),
        )?;
        let hist = merged(e.response_times.0);
        all.extend_from_slice(&hist);
        // Endpoints share buckets: merged now and then, the aggregate
        // stays near the number of distinct times.
        if all.len() > all_merged.saturating_mul(2).max(4096) {
            all = merged(all);
            all_merged = all.len();
        }
        n_all = n_all.saturating_add(e.num_requests);
        f_all = f_all.saturating_add(e.num_failures);
        total_all += total;
        if let Some(m) = min {
            min_all = Some(min_all.map_or(m, |x| x.min(m)));
        }
        max_all = max_all.max(max);
        if let Some(s) = e.start_time {
            start = Some(start.map_or(s, |x| x.min(s)));
        }
        if let Some(l) = e.last_request_timestamp {
            last = Some(last.map_or(l, |x| x.max(l)));
        }
        out.measurements.push(from_hist(
            e.name,
            Some(e.method),
            e.num_requests,
            e.num_failures,
            total,
            min,
            max,
            &hist,
        ));
    }
    if out.measurements.is_empty() {
        return Ok(out);
    }
    let mut agg = from_hist(
        "Aggregated".into(),
        None,
        n_all,
        f_all,
        total_all,
        min_all,
        max_all,
        &merged(all),
    );
    // Locust's total rate: every request over the run's span.
    if let (Some(s), Some(l)) = (start, last)
        && l > s
    {
        #[allow(clippy::cast_precision_loss)]
        let rate = n_all as f64 / (l - s);
        agg.throughput = Some(rate);
    }
    out.measurements.push(agg);
    Ok(out)
}
