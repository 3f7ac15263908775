//! Performance formats: benchmark harnesses (hyperfine, pytest-benchmark,
//! Go `-bench`, criterion), load testers (Locust) and page audits
//! (Lighthouse). One file per tool; this module detects, dispatches and
//! holds what they share: checking numbers and the CSV reader.
//!
//! Conventions of every parser here: numbers are kept exactly as the tool
//! wrote them, in the tool's unit (named in [`crate::model::performance::unit`]);
//! a duration, count or rate that is negative or not finite (`NaN`, `inf`)
//! is refused with its place (`invalid-measurement`), never dropped; what
//! the tool did not report stays absent.

mod criterion;
mod csv;
mod go;
mod hyperfine;
mod lighthouse;
mod locust;
mod pytest_benchmark;

use crate::error::ParseCode;
use crate::{Document, Format, ParseContext, ParseError, PerformanceReport, Position};
use serde_json::Value;

/// Recognises a performance format from content.
pub fn sniff(doc: &Document<'_>) -> Option<Format> {
    use Format::*;
    [
        Hyperfine,
        PytestBenchmark,
        Lighthouse,
        LocustJson,
        Criterion,
        HyperfineCsv,
        LocustStats,
        LocustFailures,
        LocustHistory,
        GoBenchJson,
        GoBench,
    ]
    .into_iter()
    .find(|f| conforms(*f, doc))
}

/// Whether `doc` carries the markers of `format` (see [`Format::markers`]).
pub fn conforms(format: Format, doc: &Document<'_>) -> bool {
    use Format::*;
    match (format, doc) {
        (Hyperfine, Document::Json(j)) => hyperfine::sniff(j.shape()),
        (PytestBenchmark, Document::Json(j)) => pytest_benchmark::sniff(j.shape()),
        (Lighthouse, Document::Json(j)) => lighthouse::sniff(j.shape()),
        (LocustJson, Document::Json(j)) => locust::sniff_json(j.shape()),
        (Criterion, Document::Json(j)) => criterion::sniff(j.shape()),
        (HyperfineCsv, Document::Text(t)) => csv::header_starts(t, hyperfine::CSV_HEADER),
        (LocustStats, Document::Text(t)) => csv::header_starts(t, locust::STATS_HEADER),
        (LocustFailures, Document::Text(t)) => csv::header_starts(t, locust::FAILURES_HEADER),
        (LocustHistory, Document::Text(t)) => csv::header_starts(t, locust::HISTORY_HEADER),
        (GoBenchJson, Document::Text(t)) => go::sniff_json(t),
        (GoBench, Document::Text(t)) => go::sniff_text(t),
        _ => false,
    }
}

/// Parses a performance artifact of a known format.
pub fn parse(
    format: Format,
    doc: &Document<'_>,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    use Format::*;
    if let Document::Json(j) = doc {
        objects_within_budget(cx, j.text())?;
    }
    match (format, doc) {
        (Hyperfine, Document::Json(j)) => hyperfine::parse(j.text(), cx),
        (PytestBenchmark, Document::Json(j)) => pytest_benchmark::parse(j.text(), cx),
        (Lighthouse, Document::Json(j)) => lighthouse::parse(j.text(), cx),
        (LocustJson, Document::Json(j)) => locust::parse_json(j.text(), cx),
        (Criterion, Document::Json(j)) => criterion::parse(j.text(), cx),
        (HyperfineCsv, Document::Text(t)) => hyperfine::parse_csv(t, cx),
        (LocustStats, Document::Text(t)) => locust::parse_stats(t, cx),
        (LocustFailures, Document::Text(t)) => locust::parse_failures(t, cx),
        (LocustHistory, Document::Text(t)) => locust::parse_history(t, cx),
        (GoBenchJson, Document::Text(t)) => go::parse_json(t, cx),
        (GoBench, Document::Text(t)) => go::parse_text(t, cx),
        _ => Err(cx.error(
            ParseCode::UnsupportedFormat,
            None,
            format!("{format} is not supported yet"),
        )),
    }
}

/// Most measurements a report of `input_len` bytes may hold: one per 512
/// bytes, plus 32,768. A measurement takes a few hundred bytes, more than
/// the shortest text that makes one (a Go line `BenchmarkX 1 1 a 1 b`
/// makes two in 21 bytes), so without a cap the model could outgrow the
/// input many times; real reports stay far below it (a Locust history row
/// is ~150 bytes, a Go result line 50–100 bytes for up to four measurements,
/// and such files with more than 32,768 of them are rare).
pub(crate) fn budget(input_len: usize) -> usize {
    (input_len / 512).saturating_add(32_768)
}

/// The error for a report with more measurements than [`budget`] allows.
pub(crate) fn too_many(cx: &ParseContext<'_>, place: Option<Position>, limit: usize) -> ParseError {
    cx.error(
        ParseCode::TooManyMeasurements,
        place,
        format!(
            "more than {limit} measurements for a file of this size (at most one per 512 bytes beyond 32768): refused rather than read without a bound"
        ),
    )
}

/// A JSON report's objects, counted before it is read, within [`budget`]:
/// each measurement comes from an object, and the typed reading holds
/// them all for a moment.
fn objects_within_budget(cx: &ParseContext<'_>, text: &str) -> Result<(), ParseError> {
    let limit = budget(text.len());
    if crate::json::count_outside_strings(text, b'{') > limit {
        return Err(too_many(cx, None, limit));
    }
    Ok(())
}

/// A JSON pointer token (RFC 6901).
pub(crate) fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Whether `v[key]` is an array whose first item is an object with all of
/// `keys` (the shape keeps an array's first items).
fn first_item_has(v: &Value, key: Option<&str>, keys: &[&str]) -> bool {
    let arr = match key {
        Some(k) => v.get(k),
        None => Some(v),
    };
    arr.and_then(Value::as_array)
        .and_then(|a| a.first())
        .is_some_and(|item| keys.iter().all(|k| item.get(k).is_some()))
}

/// A number that must be finite and not negative (a duration, a count,
/// a rate): `invalid-measurement` at `place` otherwise.
pub(crate) fn non_negative(
    cx: &ParseContext<'_>,
    v: f64,
    what: &str,
    place: impl FnOnce() -> Position,
) -> Result<f64, ParseError> {
    if !v.is_finite() {
        return Err(cx.error(
            ParseCode::InvalidMeasurement,
            Some(place()),
            format!("{what} is not a finite number"),
        ));
    }
    if v < 0.0 {
        return Err(cx.error(
            ParseCode::InvalidMeasurement,
            Some(place()),
            format!("{what} is negative ({v})"),
        ));
    }
    Ok(v)
}

/// [`non_negative`] for an optional value.
pub(crate) fn opt_non_negative(
    cx: &ParseContext<'_>,
    v: Option<f64>,
    what: &str,
    place: impl FnOnce() -> Position,
) -> Result<Option<f64>, ParseError> {
    v.map(|v| non_negative(cx, v, what, place)).transpose()
}

/// `failures / requests` (absent without requests).
pub(crate) fn error_rate(requests: u64, failures: u64) -> Option<f64> {
    // Counts of a real run are far below 2^53: the ratio is exact enough.
    #[allow(clippy::cast_precision_loss)]
    (requests > 0).then(|| failures as f64 / requests as f64)
}

/// A JSON scalar parameter as text: strings as they are, other values as
/// compact JSON (`10`, `true`).
fn param_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A benchmark's parameters object (hyperfine's `parameters`,
/// pytest-benchmark's `params`), in the report's order.
pub(crate) fn parameters(
    map: Option<crate::json::StrictMap<String, Value>>,
) -> Vec<crate::model::Parameter> {
    map.map(|p| p.0)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, v)| crate::model::Parameter {
            name,
            value: param_text(&v),
        })
        .collect()
}
