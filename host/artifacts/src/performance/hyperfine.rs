//! hyperfine's `--export-json` and `--export-csv`: one result per command,
//! times in seconds. `command` is the `-n` name when one was given;
//! `--parameter-scan` values are the result's `parameters` (strings).
//! Runs that exited non-zero (only possible with `-i`) are kept but warned
//! about: their timings measure a failure.

use super::csv::{self, Header, Reader, Row};
use super::{non_negative, opt_non_negative, parameters, token};
use crate::error::{ParseCode, WarningCode};
use crate::json::{StrictMap, from_json};
use crate::model::performance::{metric, unit};
use crate::{Measurement, Parameter, ParseContext, ParseError, PerformanceReport, Position};
use serde::Deserialize;
use serde_json::Value;

/// The columns hyperfine's CSV starts with (then `parameter_NAME` ones).
pub(crate) const CSV_HEADER: &str = "command,mean,stddev,median,user,system,min,max";

pub(crate) fn sniff(v: &Value) -> bool {
    super::first_item_has(v, Some("results"), &["command", "mean"])
}

#[derive(Deserialize)]
struct Export<'a> {
    #[serde(borrow)]
    results: Vec<Run<'a>>,
}

#[derive(Deserialize)]
struct Run<'a> {
    command: String,
    mean: f64,
    #[serde(default)]
    stddev: Option<f64>,
    #[serde(default)]
    median: Option<f64>,
    #[serde(default)]
    user: Option<f64>,
    #[serde(default)]
    system: Option<f64>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    /// Kept as text and read with a bound (see [`samples`]).
    #[serde(default, borrow)]
    times: Option<&'a serde_json::value::RawValue>,
    #[serde(default)]
    exit_codes: Option<Vec<Option<i64>>>,
    #[serde(default)]
    parameters: Option<StrictMap<String, Value>>,
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let export: Export = from_json(cx.name, text, ParseCode::InvalidHyperfine)?;
    let mut report = PerformanceReport {
        tool: "hyperfine".into(),
        ..PerformanceReport::default()
    };
    for (i, run) in export.results.into_iter().enumerate() {
        let at = |key: &str| {
            let p = format!("/results/{i}/{}", token(key));
            move || Position::Pointer(p)
        };
        let mut m = Measurement::new(run.command, metric::TIME, unit::SECONDS);
        m.mean = Some(non_negative(cx, run.mean, "mean", at("mean"))?);
        m.stddev = opt_non_negative(cx, run.stddev, "stddev", at("stddev"))?;
        m.median = opt_non_negative(cx, run.median, "median", at("median"))?;
        m.user = opt_non_negative(cx, run.user, "user", at("user"))?;
        m.system = opt_non_negative(cx, run.system, "system", at("system"))?;
        m.min = opt_non_negative(cx, run.min, "min", at("min"))?;
        m.max = opt_non_negative(cx, run.max, "max", at("max"))?;
        let times = match run.times {
            Some(raw) => samples(cx, raw.get(), text.len(), i)?,
            None => Vec::new(),
        };
        for (j, t) in times.iter().enumerate() {
            non_negative(cx, *t, "a run's time", || {
                Position::Pointer(format!("/results/{i}/times/{j}"))
            })?;
        }
        if !times.is_empty() {
            m.n = u64::try_from(times.len()).ok();
        }
        m.samples = times;
        let failed = run
            .exit_codes
            .unwrap_or_default()
            .iter()
            .filter(|c| **c != Some(0))
            .count();
        if failed > 0 {
            cx.warn(
                WarningCode::HyperfineFailedRuns,
                format!(
                    "`{}`: {} exited non-zero; their times measure a failure",
                    m.name,
                    gate_codes::wording::count(failed, "run", "runs")
                ),
            );
        }
        m.parameters = parameters(run.parameters);
        report.measurements.push(m);
    }
    Ok(report)
}

/// A run's `times` (a JSON array of numbers, or null), at most one per 8
/// bytes of the input beyond 32,768: a list of `0,` would otherwise take
/// four times its text, and more while it grows.
fn samples(
    cx: &ParseContext<'_>,
    raw: &str,
    input_len: usize,
    i: usize,
) -> Result<Vec<f64>, ParseError> {
    use serde::de::{Deserializer as _, SeqAccess, Visitor};
    struct Times(usize);
    impl<'de> Visitor<'de> for Times {
        type Value = Option<Vec<f64>>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an array of numbers")
        }
        fn visit_unit<E>(self) -> Result<Self::Value, E> {
            Ok(Some(Vec::new()))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(t) = seq.next_element::<f64>()? {
                if out.len() >= self.0 {
                    // Read to the end (without keeping it) to refuse it whole.
                    while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                    return Ok(None);
                }
                out.push(t);
            }
            Ok(Some(out))
        }
    }
    let limit = (input_len / 8).saturating_add(32_768);
    let at = || Position::Pointer(format!("/results/{i}/times"));
    let mut de = serde_json::Deserializer::from_str(raw);
    match de.deserialize_any(Times(limit)) {
        Ok(Some(t)) => Ok(t),
        Ok(None) => Err(super::too_many(cx, Some(at()), limit)),
        Err(e) => Err(cx.error(
            ParseCode::InvalidHyperfine,
            Some(at()),
            format!("`times` must be an array of numbers: {e}"),
        )),
    }
}

pub(crate) fn parse_csv(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut reader = Reader::new(text);
    let mut row = Row::default();
    let header = Header::read(cx, &mut reader, &mut row)?;
    let col = |name| header.column(cx, name);
    let (command, mean, stddev, median, user, system, min, max) = (
        col("command")?,
        col("mean")?,
        col("stddev")?,
        col("median")?,
        col("user")?,
        col("system")?,
        col("min")?,
        col("max")?,
    );
    let params: Vec<(usize, String)> = header
        .names()
        .filter_map(|(i, n)| n.strip_prefix("parameter_").map(|p| (i, p.to_string())))
        .collect();
    let mut report = PerformanceReport {
        tool: "hyperfine".into(),
        ..PerformanceReport::default()
    };
    while reader.next(cx, &mut row)? {
        let mut m = Measurement::new(row.get(command), metric::TIME, unit::SECONDS);
        m.mean = Some(csv::number(cx, &row, mean, "mean")?.ok_or_else(|| {
            cx.error(
                ParseCode::InvalidHyperfine,
                Some(row.place(mean)),
                "a command without a mean",
            )
        })?);
        m.stddev = csv::number(cx, &row, stddev, "stddev")?;
        m.median = csv::number(cx, &row, median, "median")?;
        m.user = csv::number(cx, &row, user, "user")?;
        m.system = csv::number(cx, &row, system, "system")?;
        m.min = csv::number(cx, &row, min, "min")?;
        m.max = csv::number(cx, &row, max, "max")?;
        m.parameters = params
            .iter()
            .map(|(i, name)| Parameter {
                name: name.clone(),
                value: row.get(*i).to_string(),
            })
            .collect();
        report.measurements.push(m);
    }
    Ok(report)
}
