//! criterion's `estimates.json` (`target/criterion/<group>/<id>/new/`):
//! bootstrap estimates of the mean, median, standard deviation and median
//! absolute deviation, each with a confidence interval, in nanoseconds.
//! The file does not name its benchmark: the name is the artifact's path
//! below `criterion/` without `/new|base|change/estimates.json`
//! (`target/criterion/parse/lcov/new/estimates.json` → `parse/lcov`), or
//! the path itself when it has no such shape. A `change/estimates.json`
//! (relative changes, no unit) is not a timing and is refused.

use super::{non_negative, token};
use crate::error::ParseCode;
use crate::json::from_json;
use crate::model::performance::{metric, unit};
use crate::{Interval, Measurement, ParseContext, ParseError, PerformanceReport, Position};
use serde::Deserialize;
use serde_json::Value;

pub(crate) fn sniff(v: &Value) -> bool {
    ["mean", "median", "std_dev"]
        .iter()
        .all(|k| v.get(k).and_then(|e| e.get("point_estimate")).is_some())
}

#[derive(Deserialize)]
struct Estimates {
    mean: Estimate,
    median: Estimate,
    std_dev: Estimate,
    #[serde(default)]
    median_abs_dev: Option<Estimate>,
    #[serde(default)]
    slope: Option<Estimate>,
}

#[derive(Deserialize)]
struct Estimate {
    confidence_interval: Ci,
    point_estimate: f64,
    standard_error: f64,
}

#[derive(Deserialize)]
struct Ci {
    confidence_level: f64,
    lower_bound: f64,
    upper_bound: f64,
}

/// The benchmark's name from the artifact's path (see the module docs).
fn name_of(path: &str) -> String {
    let p = path.replace('\\', "/");
    let stem = ["/new/estimates.json", "/base/estimates.json"]
        .iter()
        .find_map(|s| p.strip_suffix(s));
    match stem {
        Some(stem) => stem
            .rsplit_once("criterion/")
            .map_or(stem, |(_, name)| name)
            .to_string(),
        None => p,
    }
}

pub(crate) fn parse(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    if cx
        .name
        .replace('\\', "/")
        .ends_with("/change/estimates.json")
    {
        return Err(cx.error(
            ParseCode::InvalidCriterion,
            None,
            "a criterion `change/estimates.json` holds relative changes, not timings: give the `new/estimates.json`",
        ));
    }
    let e: Estimates = from_json(cx.name, text, ParseCode::InvalidCriterion)?;
    let check = |cx: &ParseContext<'_>, key: &str, est: &Estimate| -> Result<(), ParseError> {
        let at = |field: &str| {
            let p = format!("/{}/{field}", token(key));
            move || Position::Pointer(p)
        };
        non_negative(cx, est.point_estimate, key, at("point_estimate"))?;
        non_negative(cx, est.standard_error, key, at("standard_error"))?;
        let ci = &est.confidence_interval;
        non_negative(
            cx,
            ci.lower_bound,
            key,
            at("confidence_interval/lower_bound"),
        )?;
        non_negative(
            cx,
            ci.upper_bound,
            key,
            at("confidence_interval/upper_bound"),
        )?;
        if !(0.0..=1.0).contains(&ci.confidence_level) || ci.lower_bound > ci.upper_bound {
            return Err(cx.error(
                ParseCode::InvalidCriterion,
                Some(at("confidence_interval")()),
                "a confidence interval needs a level in 0..1 and lower <= upper",
            ));
        }
        Ok(())
    };
    check(cx, "mean", &e.mean)?;
    check(cx, "median", &e.median)?;
    check(cx, "std_dev", &e.std_dev)?;
    if let Some(m) = &e.median_abs_dev {
        check(cx, "median_abs_dev", m)?;
    }
    if let Some(s) = &e.slope {
        check(cx, "slope", s)?;
    }
    let mut m = Measurement::new(name_of(cx.name), metric::TIME, unit::NANOSECONDS);
    m.mean = Some(e.mean.point_estimate);
    m.median = Some(e.median.point_estimate);
    m.stddev = Some(e.std_dev.point_estimate);
    m.standard_error = Some(e.mean.standard_error);
    m.interval = Some(Interval {
        level: e.mean.confidence_interval.confidence_level,
        lower: e.mean.confidence_interval.lower_bound,
        upper: e.mean.confidence_interval.upper_bound,
    });
    Ok(PerformanceReport {
        tool: "criterion".into(),
        tool_version: None,
        measurements: vec![m],
    })
}
