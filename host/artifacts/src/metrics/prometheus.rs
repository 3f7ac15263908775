//! Prometheus HTTP API responses of `/api/v1/query` and
//! `/api/v1/query_range` (the envelope `{status, data, errorType, error,
//! warnings}`; result types vector, matrix, scalar and string).
//!
//! An error response (`status: "error"` with its `errorType`, as a bad
//! query, a timeout or an execution error produce) is refused with the
//! server's words (`prometheus-error`): it is no data, and a gate must not
//! read it as an empty result. `warnings` (a partial answer, e.g. a remote
//! read that failed) are kept on the report and repeated as parse warnings.
//! Sample values are strings in the API: `"NaN"`, `"+Inf"` and `"-Inf"`
//! are read as such; anything else that is no number is refused with its
//! place. Native histograms (`histogram`/`histograms`) are refused: no
//! policy reads them yet, and dropping them would look like missing data.

use crate::error::{ParseCode, WarningCode};
use crate::json::{StrictMap, from_json};
use crate::model::metrics::{ResultType, Sample, Series};
use crate::{MetricsReport, ParseContext, ParseError, Position};
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, de::Error as _};
use serde_json::Value;
use std::borrow::Cow;

/// A success with `data.resultType`, or an error with `errorType`.
pub(crate) fn sniff(v: &Value) -> bool {
    let status = v.get("status").and_then(Value::as_str);
    match status {
        Some("success") => v
            .get("data")
            .and_then(|d| d.get("resultType"))
            .is_some_and(Value::is_string),
        Some("error") => v.get("errorType").is_some_and(Value::is_string),
        _ => false,
    }
}

/// What the envelope says, before the result is read.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(borrow)]
    status: Cow<'a, str>,
    #[serde(default, rename = "errorType", borrow)]
    error_type: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    error: Option<Cow<'a, str>>,
    #[serde(default)]
    warnings: Option<Vec<String>>,
    #[serde(default, borrow)]
    data: Option<HeadData<'a>>,
}

#[derive(Deserialize)]
struct HeadData<'a> {
    #[serde(rename = "resultType", borrow)]
    result_type: Cow<'a, str>,
}

/// The envelope again, with the result typed.
#[derive(Deserialize)]
struct Body<T> {
    data: Data<T>,
}

#[derive(Deserialize)]
struct Data<T> {
    result: T,
}

#[derive(Deserialize)]
struct Instant {
    metric: StrictMap<String, String>,
    #[serde(default)]
    value: Option<ApiSample>,
    #[serde(default)]
    histogram: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Range {
    metric: StrictMap<String, String>,
    #[serde(default)]
    values: Option<Samples>,
    #[serde(default)]
    histograms: Option<IgnoredAny>,
}

/// A string result: `[time, "text"]`.
#[derive(Deserialize)]
struct Text(#[allow(dead_code)] f64, String);

/// A matrix series' samples, kept compact as they are read.
struct Samples(Vec<Sample>);

impl<'de> Deserialize<'de> for Samples {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Samples;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of [time, \"value\"] samples")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Samples, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<ApiSample>()? {
                    out.push(s.0);
                }
                out.shrink_to_fit();
                Ok(Samples(out))
            }
        }
        d.deserialize_seq(V)
    }
}

/// `[time, "value"]`: the API's sample (time a number of seconds, the value
/// a string so `NaN` and `±Inf` survive JSON).
struct ApiSample(Sample);

impl<'de> Deserialize<'de> for ApiSample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ApiSample;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a sample [time, \"value\"]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ApiSample, A::Error> {
                let time: f64 = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::custom("a sample without its time"))?;
                if !time.is_finite() {
                    return Err(A::Error::custom("a sample's time is not a finite number"));
                }
                let raw: Cow<'de, str> = seq
                    .next_element()?
                    .ok_or_else(|| A::Error::custom("a sample without its value"))?;
                let value = value(&raw).ok_or_else(|| {
                    A::Error::custom(format!("sample value `{raw}` is not a number"))
                })?;
                if seq.next_element::<IgnoredAny>()?.is_some() {
                    return Err(A::Error::custom(
                        "a sample has more than a time and a value",
                    ));
                }
                Ok(ApiSample(Sample { time, value }))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A sample value as Prometheus writes it (Go's `strconv.FormatFloat`):
/// decimal or exponent notation, `NaN`, `+Inf`, `-Inf`. Rust's float
/// parser would also take `inf`, `infinity` and `nan` in any case; the
/// API never writes those, so they are refused as not Prometheus's.
fn value(raw: &str) -> Option<f64> {
    match raw {
        "NaN" => Some(f64::NAN),
        "+Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        _ if raw
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && !matches!(b, b'e' | b'E')) =>
        {
            None
        }
        _ => raw.parse().ok(),
    }
}

fn labels(m: StrictMap<String, String>) -> Vec<(String, String)> {
    let mut l = m.0;
    l.sort();
    l
}

pub(crate) fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<MetricsReport, ParseError> {
    let code = ParseCode::InvalidPrometheus;
    let head: Head = from_json(cx.name, text, code)?;
    if head.status == "error" {
        let kind = head.error_type.as_deref().unwrap_or("unknown");
        let message = head.error.as_deref().unwrap_or("(no message)");
        return Err(cx.error(
            ParseCode::PrometheusError,
            Some(Position::Pointer("/error".into())),
            format!("the server answered an error ({kind}): {message}"),
        ));
    }
    if head.status != "success" {
        return Err(cx.error(
            code,
            Some(Position::Pointer("/status".into())),
            format!(
                "`status` must be \"success\" or \"error\", not {:?}",
                head.status
            ),
        ));
    }
    let Some(data) = head.data else {
        return Err(cx.error(
            ParseCode::MissingField,
            Some(Position::Pointer(String::new())),
            "a successful response without `data`",
        ));
    };
    let server_warnings = head.warnings.unwrap_or_default();
    for w in &server_warnings {
        cx.warn(
            WarningCode::PrometheusWarning,
            format!("the server warned that its answer may be partial: {w}"),
        );
    }
    let (name, side) = super::name_of(cx.name);
    let mut report = MetricsReport {
        name,
        side,
        server_warnings,
        ..MetricsReport::default()
    };
    let histograms = |i: usize, key: &str| {
        cx.error(
            ParseCode::UnsupportedDocument,
            Some(Position::Pointer(format!("/data/result/{i}/{key}"))),
            "native histogram samples are not supported; query a classic histogram (`_bucket`) or a quantile",
        )
    };
    match data.result_type.as_ref() {
        "vector" => {
            report.result_type = ResultType::Vector;
            let body: Body<Vec<Instant>> = from_json(cx.name, text, code)?;
            for (i, s) in body.data.result.into_iter().enumerate() {
                if s.histogram.is_some() {
                    return Err(histograms(i, "histogram"));
                }
                let Some(sample) = s.value else {
                    return Err(cx.error(
                        ParseCode::MissingField,
                        Some(Position::Pointer(format!("/data/result/{i}"))),
                        "a vector sample without `value`",
                    ));
                };
                report.series.push(Series {
                    labels: labels(s.metric),
                    samples: vec![sample.0],
                });
            }
        }
        "matrix" => {
            report.result_type = ResultType::Matrix;
            let body: Body<Vec<Range>> = from_json(cx.name, text, code)?;
            for (i, s) in body.data.result.into_iter().enumerate() {
                if s.histograms.is_some() {
                    return Err(histograms(i, "histograms"));
                }
                let Some(values) = s.values else {
                    return Err(cx.error(
                        ParseCode::MissingField,
                        Some(Position::Pointer(format!("/data/result/{i}"))),
                        "a matrix series without `values`",
                    ));
                };
                report.series.push(Series {
                    labels: labels(s.metric),
                    samples: values.0,
                });
            }
        }
        "scalar" => {
            report.result_type = ResultType::Scalar;
            let body: Body<ApiSample> = from_json(cx.name, text, code)?;
            report.series.push(Series {
                labels: Vec::new(),
                samples: vec![body.data.result.0],
            });
        }
        "string" => {
            report.result_type = ResultType::String;
            let body: Body<Text> = from_json(cx.name, text, code)?;
            report.string = Some(body.data.result.1);
        }
        other => {
            return Err(cx.error(
                code,
                Some(Position::Pointer("/data/resultType".into())),
                format!(
                    "unknown `resultType` {other:?} (expected vector, matrix, scalar or string)"
                ),
            ));
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::value;

    #[test]
    fn values_are_read_as_prometheus_writes_them() {
        assert_eq!(value("0.5"), Some(0.5));
        assert_eq!(value("8.112848998684404e-02"), Some(0.08112848998684404));
        assert_eq!(value("1e+00"), Some(1.0));
        assert_eq!(value("+Inf"), Some(f64::INFINITY));
        assert_eq!(value("-Inf"), Some(f64::NEG_INFINITY));
        assert!(value("NaN").is_some_and(f64::is_nan));
        assert_eq!(value("inf"), None);
        assert_eq!(value("nan"), None);
        assert_eq!(value("abc"), None);
        assert_eq!(value(""), None);
    }
}
