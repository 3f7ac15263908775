//! Lighthouse's JSON report (`--output=json`): each category's score
//! (0..1) as a `score` measurement in group `category` (parameter `url`:
//! the page), and each audit with
//! a score or a numeric value as an `audit` measurement in group `audit`
//! (`value` in its `numericUnit`: `millisecond` → `ms`, `byte` → `B`,
//! `unitless` → none). Audits with neither (informative, not applicable)
//! are left out. A report with a `runtimeError` is refused: the page was
//! not measured, and its null scores must not read as "nothing to judge".

use super::token;
use crate::error::{ParseCode, WarningCode};
use crate::json::{StrictMap, from_json};
use crate::model::performance::{metric, unit};
use crate::{Measurement, Parameter, ParseContext, ParseError, PerformanceReport, Position};
use serde::Deserialize;
use serde_json::Value;

pub(crate) fn sniff(v: &Value) -> bool {
    v.get("lighthouseVersion").is_some_and(Value::is_string)
        && (v.get("categories").is_some() || v.get("audits").is_some())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    lighthouse_version: String,
    #[serde(default)]
    categories: Option<StrictMap<String, Category>>,
    #[serde(default)]
    audits: Option<StrictMap<String, Audit>>,
    #[serde(default)]
    run_warnings: Option<Vec<Value>>,
    #[serde(default)]
    runtime_error: Option<RuntimeError>,
    #[serde(default)]
    final_displayed_url: Option<String>,
    #[serde(default)]
    final_url: Option<String>,
}

#[derive(Deserialize)]
struct RuntimeError {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[derive(Deserialize)]
struct Category {
    #[serde(default)]
    score: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Audit {
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    numeric_value: Option<f64>,
    #[serde(default)]
    numeric_unit: Option<String>,
    #[serde(default)]
    display_value: Option<String>,
}

/// Our spelling of a Lighthouse `numericUnit`.
fn unit_of(u: Option<&str>) -> String {
    match u {
        Some("millisecond") => unit::MILLISECONDS.into(),
        Some("second") => unit::SECONDS.into(),
        Some("byte") => unit::BYTES.into(),
        Some("unitless") | None => unit::NONE.into(),
        Some(other) => other.into(),
    }
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let r: Report = from_json(cx.name, text, ParseCode::InvalidLighthouse)?;
    if let Some(e) = r.runtime_error {
        return Err(cx.error(
            ParseCode::LighthouseRuntimeError,
            Some(Position::Pointer("/runtimeError".into())),
            format!(
                "lighthouse could not measure the page: {} {}",
                e.code.as_deref().unwrap_or("(no code)"),
                e.message.as_deref().unwrap_or("")
            )
            .trim_end()
            .to_string(),
        ));
    }
    for w in r.run_warnings.unwrap_or_default() {
        let text = match &w {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        cx.warn(WarningCode::LighthouseRunWarning, text);
    }
    let page = r.final_displayed_url.or(r.final_url);
    let mut report = PerformanceReport {
        tool: "lighthouse".into(),
        tool_version: Some(r.lighthouse_version),
        ..PerformanceReport::default()
    };
    let score = |cx: &ParseContext<'_>, s: Option<f64>, ptr: String| match s {
        Some(v) if !(0.0..=1.0).contains(&v) => Err(cx.error(
            ParseCode::InvalidMeasurement,
            Some(Position::Pointer(ptr)),
            format!("score {v} is outside 0..1"),
        )),
        other => Ok(other),
    };
    for (id, c) in r.categories.map(|c| c.0).unwrap_or_default() {
        let mut m = Measurement::new(id, metric::SCORE, unit::SCORE);
        m.group = Some("category".into());
        m.score = score(cx, c.score, format!("/categories/{}/score", token(&m.name)))?;
        m.parameters = page
            .iter()
            .map(|u| Parameter {
                name: "url".into(),
                value: u.clone(),
            })
            .collect();
        report.measurements.push(m);
    }
    for (id, a) in r.audits.map(|a| a.0).unwrap_or_default() {
        if a.score.is_none() && a.numeric_value.is_none() {
            continue;
        }
        let mut m = Measurement::new(id, metric::AUDIT, &unit_of(a.numeric_unit.as_deref()));
        m.group = Some("audit".into());
        m.score = score(cx, a.score, format!("/audits/{}/score", token(&m.name)))?;
        m.value = a.numeric_value;
        m.message = a.display_value;
        report.measurements.push(m);
    }
    Ok(report)
}
