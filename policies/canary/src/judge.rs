//! The decision: each configured metric is classified (pass, fail, no
//! data, marginal) from the canary's and the baseline's samples, then the
//! run is decided: promote, roll back or inconclusive.
//!
//! Per metric, in this order:
//! 1. the samples of each side are gathered from every result of that
//!    query name (a series' side is the host's when it knows it, else its
//!    labels against `canary-labels` / `baseline-labels`);
//! 2. `NaN`s are removed (`nan-strategy = "remove"`, the default) or
//!    replaced by 0 (`"replace"`), as Kayenta does; `±Inf` stay (a ratio
//!    over a zero denominator is a real answer, and bounds catch it);
//! 3. no canary samples (or no baseline samples when a criterion needs the
//!    baseline) is *no data*: `no-data` decides (`fail`, `inconclusive`,
//!    `ignore`; default the run's `no-data`, `fail` for a critical metric,
//!    `fail` with `must-have-data`);
//! 4. each side's value is `aggregate` of its samples (default `mean`);
//!    absolute bounds (`min`, `max`) hold on the canary value; relative
//!    bounds on `ratio = canary / baseline` (`max-ratio`, `min-ratio`) and
//!    `difference = canary - baseline` (`max-difference`,
//!    `min-difference`); the Mann-Whitney U test (`mann-whitney`) fails
//!    when the samples differ significantly in the worse `direction` and
//!    the effect (mean ratio) is beyond the allowed change.
//!
//! The run: a failing critical metric rolls back at once; otherwise the
//! score is the weighted share of judged metrics that pass (Kayenta's
//! score), below `marginal-score` rolls back, below `pass-score` is
//! inconclusive; any metric without data that is `inconclusive` makes the
//! run inconclusive, and one that is `fail` rolls it back. Inconclusive is
//! a `warn` unless `inconclusive = "fail"`.

use crate::stats;
use gate_codes::canary::Decision;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;
use std::collections::BTreeMap;

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// The metrics to judge, each with at least one criterion
    #[serde(default)]
    #[schemars(length(min = 1))]
    pub metrics: Vec<MetricParams>,
    /// Labels a canary series has (when the host did not fetch the side separately)
    #[serde(default = "canary_labels")]
    #[schemars(extend("minProperties" = 1, "default" = {"track": "canary"}))]
    pub canary_labels: BTreeMap<String, String>,
    /// Labels a baseline series has
    #[serde(default = "baseline_labels")]
    #[schemars(extend("minProperties" = 1, "default" = {"track": "stable"}))]
    pub baseline_labels: BTreeMap<String, String>,
    /// What no data means for metrics that do not say
    #[serde(default)]
    #[schemars(extend("default" = "inconclusive"))]
    pub no_data: Option<NoData>,
    /// Whether an inconclusive analysis blocks
    #[serde(default)]
    #[schemars(extend("default" = "warn"))]
    pub inconclusive: Inconclusive,
    /// Score (weighted % of judged metrics that passed) needed to promote
    #[serde(default = "hundred")]
    #[schemars(range(min = 0, max = 100), extend("default" = 100))]
    pub pass_score: f64,
    /// Below it, roll back; between it and pass-score, inconclusive
    #[serde(default = "hundred")]
    #[schemars(range(min = 0, max = 100), extend("default" = 100))]
    pub marginal_score: f64,
}

fn canary_labels() -> BTreeMap<String, String> {
    BTreeMap::from([("track".to_string(), "canary".to_string())])
}

fn baseline_labels() -> BTreeMap<String, String> {
    BTreeMap::from([("track".to_string(), "stable".to_string())])
}

fn hundred() -> f64 {
    100.0
}

fn one() -> f64 {
    1.0
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MetricParams {
    /// The query's name: the [[metrics]] entry's name, or the response file's name before `.query`
    #[schemars(length(min = 1))]
    pub query: String,
    /// Which change is a regression (for the Mann-Whitney test)
    #[serde(default)]
    #[schemars(extend("default" = "lower-is-better"))]
    pub direction: Direction,
    /// How a side's samples make its value
    #[serde(default)]
    #[schemars(extend("default" = "mean"))]
    pub aggregate: Aggregate,
    /// Absolute lower bound of the canary value
    pub min: Option<f64>,
    /// Absolute upper bound of the canary value
    pub max: Option<f64>,
    /// Largest canary / baseline allowed
    #[schemars(extend("exclusiveMinimum" = 0))]
    pub max_ratio: Option<f64>,
    /// Smallest canary / baseline allowed
    #[schemars(range(min = 0))]
    pub min_ratio: Option<f64>,
    /// Largest canary - baseline allowed
    pub max_difference: Option<f64>,
    /// Smallest canary - baseline allowed
    pub min_difference: Option<f64>,
    /// Compare the samples with the Mann-Whitney U test (Kayenta's NetflixACAJudge)
    pub mann_whitney: Option<MannWhitneyParams>,
    /// A failure rolls back at once; no data fails
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub critical: bool,
    /// No data fails (Kayenta's mustHaveData)
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub must_have_data: bool,
    /// What no data means for this metric (default: the run's `no-data`; fail for critical metrics)
    pub no_data: Option<NoData>,
    /// NaN samples are dropped, or replaced by 0
    #[serde(default)]
    #[schemars(extend("default" = "remove"))]
    pub nan_strategy: NanStrategy,
    /// The metric's weight in the score
    #[serde(default = "one")]
    #[schemars(extend("exclusiveMinimum" = 0, "default" = 1))]
    pub weight: f64,
    /// Unit shown with the values (e.g. s, %), in messages and metrics
    #[schemars(length(min = 1))]
    pub unit: Option<String>,
    /// Remove outliers from each side before judging (Kayenta's IQR detector); absent keeps every sample
    pub outliers: Option<OutlierParams>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct OutlierParams {
    /// `remove` drops the samples outside the fences
    pub strategy: OutlierStrategy,
    /// Tukey's factor: fences at Q1 - factor*IQR and Q3 + factor*IQR (Kayenta uses 3)
    #[serde(default = "three")]
    #[schemars(extend("exclusiveMinimum" = 0, "default" = 3.0))]
    pub factor: f64,
    /// Widen the fences to at least the 1st and 99th percentiles, so small samples keep every value (Kayenta)
    #[serde(default = "yes")]
    #[schemars(extend("default" = true))]
    pub reduce_sensitivity: bool,
}

fn three() -> f64 {
    3.0
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum OutlierStrategy {
    Keep,
    Remove,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct MannWhitneyParams {
    /// Significant when p < 1 - confidence (Kayenta's judge uses 0.98)
    #[serde(default = "confidence")]
    #[schemars(extend("exclusiveMinimum" = 0, "exclusiveMaximum" = 1, "default" = 0.98))]
    pub confidence: f64,
    /// Mean ratio (canary / baseline) an increase must reach to fail
    #[serde(default = "one")]
    #[schemars(range(min = 0), extend("default" = 1.0))]
    pub allowed_increase: f64,
    /// Mean ratio (canary / baseline) a decrease must fall to to fail
    #[serde(default = "one")]
    #[schemars(range(min = 0), extend("default" = 1.0))]
    pub allowed_decrease: f64,
    /// Fewer samples on a side: no test (no data)
    #[serde(default = "min_samples")]
    #[schemars(range(min = 2, max = 1_000_000), extend("default" = 3))]
    pub min_samples: u32,
}

fn confidence() -> f64 {
    0.98
}

fn min_samples() -> u32 {
    3
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Errors, latency: only an increase is a regression.
    #[default]
    LowerIsBetter,
    /// Throughput, success rate: only a decrease is.
    HigherIsBetter,
    /// Either change is.
    Both,
}

impl Direction {
    fn worse_up(self) -> bool {
        matches!(self, Direction::LowerIsBetter | Direction::Both)
    }
    fn worse_down(self) -> bool {
        matches!(self, Direction::HigherIsBetter | Direction::Both)
    }
    fn as_str(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower-is-better",
            Direction::HigherIsBetter => "higher-is-better",
            Direction::Both => "both",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Aggregate {
    #[default]
    Mean,
    Last,
    Max,
    Min,
    Median,
    P95,
    P99,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NoData {
    Fail,
    Inconclusive,
    Ignore,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NanStrategy {
    #[default]
    Remove,
    Replace,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Inconclusive {
    /// Inconclusive is a warning (the pipeline decides; `--fail-on warn`
    /// or `level` make it block).
    #[default]
    Warn,
    /// Inconclusive blocks like a roll back.
    Fail,
}

/// One side's samples of a metric, in time order per series.
#[derive(Debug, Default)]
struct Side {
    /// (time, value) of every sample of every series of the side.
    samples: Vec<(f64, f64)>,
    series: usize,
    nans: usize,
    /// Samples removed as outliers.
    outliers: usize,
}

impl Side {
    /// Drops the samples outside the side's own outlier fences (each side
    /// against itself, as Kayenta does).
    fn remove_outliers(&mut self, o: &OutlierParams) {
        if o.strategy == OutlierStrategy::Keep {
            return;
        }
        let Some((lo, hi)) = stats::outlier_fences(&self.values(), o.factor, o.reduce_sensitivity)
        else {
            return;
        };
        let before = self.samples.len();
        // A fence that is NaN (infinite values in the quartiles) removes
        // nothing: `x > NaN` is false.
        self.samples.retain(|s| !(s.1 > hi || s.1 < lo));
        self.outliers = before - self.samples.len();
    }

    fn values(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.1).collect()
    }

    fn value(&self, how: Aggregate) -> Option<f64> {
        let v = self.values();
        match how {
            Aggregate::Mean => stats::mean(&v),
            Aggregate::Last => self
                .samples
                .iter()
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|s| s.1),
            Aggregate::Max => v.iter().copied().max_by(f64::total_cmp),
            Aggregate::Min => v.iter().copied().min_by(f64::total_cmp),
            Aggregate::Median => stats::quantile(&v, 0.5),
            Aggregate::P95 => stats::quantile(&v, 0.95),
            Aggregate::P99 => stats::quantile(&v, 0.99),
        }
    }
}

/// How one metric came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Pass,
    Fail,
    /// No data, counted as `no-data` says.
    NoData(NoData),
    /// Passed, but on a partial answer (the server warned).
    Partial,
}

fn matches(labels: &[(String, String)], want: &BTreeMap<String, String>) -> bool {
    !want.is_empty()
        && want
            .iter()
            .all(|(k, v)| labels.iter().any(|(lk, lv)| lk == k && lv == v))
}

/// A number for a message: up to 4 significant digits, `NaN`/`+Inf` as
/// Prometheus writes them.
fn num(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else if v == 0.0 {
        "0".into()
    } else {
        let digits = 4 - 1 - v.abs().log10().floor() as i32;
        let p = digits.clamp(0, 12) as usize;
        let s = format!("{v:.p$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}

/// Sets `key` of the evidence object.
fn put(evidence: &mut serde_json::Value, key: &str, value: serde_json::Value) {
    if let Some(o) = evidence.as_object_mut() {
        o.insert(key.to_string(), value);
    }
}

/// `v` above `max`; a `NaN` value is never within a bound.
fn over(v: f64, max: f64) -> bool {
    matches!(
        v.partial_cmp(&max),
        None | Some(std::cmp::Ordering::Greater)
    )
}

/// `v` below `min`; a `NaN` value is never within a bound.
fn under(v: f64, min: f64) -> bool {
    matches!(v.partial_cmp(&min), None | Some(std::cmp::Ordering::Less))
}

/// A finite number as JSON, else its Prometheus spelling.
fn jnum(v: f64) -> serde_json::Value {
    if v.is_finite() {
        json!(v)
    } else {
        json!(num(v))
    }
}

/// A metric name fit for the verdict (kebab-case from the query name).
fn metric_name(query: &str, what: &str) -> String {
    let base: String = query
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    format!("{base}.{what}")
}

pub fn judge(metrics: &[&MetricsResult], p: &Params) -> Result<Verdict, PolicyError> {
    if p.metrics.is_empty() {
        return Err(params::invalid(
            "/metrics",
            "no `metrics` to judge: list each query with its criteria (query, max, max-ratio, mann-whitney…)",
        ));
    }
    if p.marginal_score > p.pass_score {
        return Err(params::invalid(
            "/marginal-score",
            "`marginal-score` must not be above `pass-score`",
        ));
    }
    for m in metrics {
        if m.result_type == "string" {
            return Err(PolicyError::UnsupportedInput(format!(
                "{}: a string result has no samples to judge",
                m.meta.path
            )));
        }
    }
    let mut findings = Vec::new();
    let mut out_metrics = Vec::new();
    let mut classes: Vec<(Class, &MetricParams)> = Vec::new();
    for (i, mp) in p.metrics.iter().enumerate() {
        if let Some(o) = &mp.outliers
            && !(o.factor.is_finite() && o.factor > 0.0)
        {
            return Err(params::invalid(
                &format!("/metrics/{i}/outliers/factor"),
                "the outlier factor must be a number above 0",
            ));
        }
        if !has_criterion(mp) {
            return Err(params::invalid(
                &format!("/metrics/{i}"),
                format!(
                    "metric `{}` has no criterion (min, max, max-ratio, min-ratio, max-difference, min-difference or mann-whitney)",
                    mp.query
                ),
            ));
        }
        let (class, finding, ms) = judge_metric(metrics, mp, p);
        findings.push(finding);
        out_metrics.extend(ms);
        classes.push((class, mp));
    }
    let (outcome, summary, score) = decide(&classes, p);
    if let Some(score) = score {
        out_metrics.push(
            Metric::new("canary-score", score)
                .unit("%")
                .condition(Comparator::Ge, p.pass_score),
        );
    }
    if outcome == Decision::Inconclusive {
        findings.push(
            Finding::new(
                "canary/inconclusive",
                Severity::Medium,
                format!("no decision: {summary}"),
            )
            .blocking(p.inconclusive == Inconclusive::Fail)
            .remediation("let the analysis run longer, fix the missing metric, or decide by hand; `inconclusive = \"fail\"` makes this block"),
        );
    }
    let gate_outcome = match outcome {
        Decision::Promote => Outcome::Pass,
        Decision::RollBack => Outcome::Fail,
        Decision::Inconclusive if p.inconclusive == Inconclusive::Fail => Outcome::Fail,
        Decision::Inconclusive => Outcome::Warn,
    };
    let mut v = Verdict::new(gate_outcome, format!("{}: {summary}", outcome.as_str()));
    v.findings = findings;
    v.metrics = out_metrics;
    Ok(v)
}

fn has_criterion(m: &MetricParams) -> bool {
    m.min.is_some()
        || m.max.is_some()
        || m.max_ratio.is_some()
        || m.min_ratio.is_some()
        || m.max_difference.is_some()
        || m.min_difference.is_some()
        || m.mann_whitney.is_some()
}

fn decide(classes: &[(Class, &MetricParams)], p: &Params) -> (Decision, String, Option<f64>) {
    let names = |pred: &dyn Fn(Class, &MetricParams) -> bool| -> Vec<String> {
        classes
            .iter()
            .filter(|(c, m)| pred(*c, m))
            .map(|(_, m)| format!("`{}`", m.query))
            .collect()
    };
    let critical = names(&|c, m| m.critical && c == Class::Fail);
    if !critical.is_empty() {
        return (
            Decision::RollBack,
            format!("critical metric {} failed", critical.join(", ")),
            None,
        );
    }
    let no_data_fail = names(&|c, _| c == Class::NoData(NoData::Fail));
    if !no_data_fail.is_empty() {
        return (
            Decision::RollBack,
            format!("no data for {} (no-data = fail)", no_data_fail.join(", ")),
            None,
        );
    }
    // Kayenta's score over the metrics judged (passes, failures).
    let (mut passed, mut total) = (0.0, 0.0);
    for (c, m) in classes {
        match c {
            Class::Pass | Class::Partial => {
                passed += m.weight;
                total += m.weight;
            }
            Class::Fail => total += m.weight,
            Class::NoData(_) => {}
        }
    }
    let failed = names(&|c, _| c == Class::Fail);
    let inconclusive = names(&|c, _| c == Class::NoData(NoData::Inconclusive));
    let partial = names(&|c, _| c == Class::Partial);
    let judged = classes
        .iter()
        .filter(|(c, _)| !matches!(c, Class::NoData(_)))
        .count();
    let score = (total > 0.0).then(|| passed * 100.0 / total);
    let Some(s) = score else {
        return (
            Decision::Inconclusive,
            "no metric could be judged (no data)".into(),
            None,
        );
    };
    let of = format!(
        "{} of {} passed",
        gate_codes::wording::count(judged - failed.len(), "metric", "metrics"),
        judged
    );
    if s < p.marginal_score {
        return (
            Decision::RollBack,
            format!(
                "{} failed; score {} below {} ({of})",
                failed.join(", "),
                num(s),
                num(p.marginal_score)
            ),
            score,
        );
    }
    if s < p.pass_score {
        return (
            Decision::Inconclusive,
            format!(
                "marginal: score {} below {} ({of}; failed {})",
                num(s),
                num(p.pass_score),
                failed.join(", ")
            ),
            score,
        );
    }
    if !inconclusive.is_empty() {
        return (
            Decision::Inconclusive,
            format!("no data for {} ({of})", inconclusive.join(", ")),
            score,
        );
    }
    if !partial.is_empty() {
        return (
            Decision::Inconclusive,
            format!(
                "the server's answer for {} may be partial ({of})",
                partial.join(", ")
            ),
            score,
        );
    }
    (Decision::Promote, of, score)
}

/// Gathers, classifies and reports one metric.
fn judge_metric(
    results: &[&MetricsResult],
    mp: &MetricParams,
    p: &Params,
) -> (Class, Finding, Vec<Metric>) {
    let mut canary = Side::default();
    let mut baseline = Side::default();
    let mut warnings: Vec<String> = Vec::new();
    let mut found = 0usize;
    for r in results.iter().filter(|r| r.name == mp.query) {
        found += 1;
        warnings.extend(r.server_warnings.iter().cloned());
        for s in &r.series {
            let side = match s.side {
                Some(MetricSide::Canary) => Some(&mut canary),
                Some(MetricSide::Baseline) => Some(&mut baseline),
                None if matches(&s.labels, &p.canary_labels) => Some(&mut canary),
                None if matches(&s.labels, &p.baseline_labels) => Some(&mut baseline),
                None => None,
            };
            let Some(side) = side else { continue };
            side.series += 1;
            for x in &s.samples {
                if x.value.is_nan() {
                    side.nans += 1;
                    if mp.nan_strategy == NanStrategy::Replace {
                        side.samples.push((x.time, 0.0));
                    }
                } else {
                    side.samples.push((x.time, x.value));
                }
            }
        }
    }
    if let Some(o) = &mp.outliers {
        canary.remove_outliers(o);
        baseline.remove_outliers(o);
    }
    let window = {
        let times = canary.samples.iter().chain(&baseline.samples).map(|s| s.0);
        let start = times.clone().min_by(f64::total_cmp);
        let end = times.max_by(f64::total_cmp);
        json!({"start": start, "end": end})
    };
    let needs_baseline = mp.max_ratio.is_some()
        || mp.min_ratio.is_some()
        || mp.max_difference.is_some()
        || mp.min_difference.is_some()
        || mp.mann_whitney.is_some();
    let cv = canary.value(mp.aggregate);
    let bv = baseline.value(mp.aggregate);
    let mut evidence = json!({
        "query": mp.query,
        "direction": mp.direction.as_str(),
        "aggregate": format!("{:?}", mp.aggregate).to_lowercase(),
        "canary": {"value": cv.map(jnum), "samples": canary.samples.len(), "series": canary.series, "nan": canary.nans, "outliers": canary.outliers},
        "baseline": {"value": bv.map(jnum), "samples": baseline.samples.len(), "series": baseline.series, "nan": baseline.nans, "outliers": baseline.outliers},
        "window": window,
        "critical": mp.critical,
    });
    let mut out = Vec::new();
    let unit = mp.unit.as_deref();
    let with_unit = |m: Metric| match unit {
        Some(u) => m.unit(u),
        None => m,
    };
    // No data.
    let missing = if found == 0 {
        Some(format!(
            "no result named `{}` among the metrics artifacts",
            mp.query
        ))
    } else if canary.samples.is_empty() {
        Some(format!(
            "no canary samples ({} canary series{})",
            canary.series,
            if canary.nans > 0 {
                format!(", {} NaN removed", canary.nans)
            } else {
                String::new()
            }
        ))
    } else if needs_baseline && baseline.samples.is_empty() {
        Some(format!(
            "no baseline samples ({} baseline series)",
            baseline.series
        ))
    } else {
        None
    };
    let mw_few = mp.mann_whitney.as_ref().and_then(|mw| {
        let few = canary.samples.len() < mw.min_samples as usize
            || baseline.samples.len() < mw.min_samples as usize;
        few.then(|| {
            format!(
                "too few samples for the Mann-Whitney test ({} canary, {} baseline; at least {} each)",
                canary.samples.len(),
                baseline.samples.len(),
                mw.min_samples
            )
        })
    });
    if let Some(why) = missing.or(mw_few) {
        let mode = if mp.must_have_data {
            NoData::Fail
        } else {
            mp.no_data.unwrap_or(if mp.critical {
                NoData::Fail
            } else {
                p.no_data.unwrap_or(NoData::Inconclusive)
            })
        };
        put(
            &mut evidence,
            "no-data",
            json!(match mode {
                NoData::Fail => "fail",
                NoData::Inconclusive => "inconclusive",
                NoData::Ignore => "ignore",
            }),
        );
        let f = Finding::new(
            "canary/no-data",
            if mode == NoData::Fail { Severity::High } else { Severity::Medium },
            format!("`{}`: {why}", mp.query),
        )
        .resource(mp.query.clone())
        .evidence(evidence.to_string())
        .blocking(mode == NoData::Fail)
        .remediation("check the query and the labels that tell canary from baseline; a canary that exports nothing is not healthy");
        let f = if mode == NoData::Ignore {
            f.status(FindingStatus::Suppressed)
        } else {
            f
        };
        return (Class::NoData(mode), f, out);
    }
    let (Some(cv), bv) = (cv, bv) else {
        // Unreachable: samples exist, so a value does.
        return (
            Class::NoData(NoData::Inconclusive),
            Finding::new(
                "canary/no-data",
                Severity::Medium,
                format!("`{}`: no value", mp.query),
            ),
            out,
        );
    };
    let mut broken: Vec<String> = Vec::new();
    let mut bounds = serde_json::Map::new();
    if let Some(max) = mp.max {
        bounds.insert("max".into(), json!(max));
        if over(cv, max) {
            broken.push(format!("canary {} above max {}", num(cv), num(max)));
        }
    }
    if let Some(min) = mp.min {
        bounds.insert("min".into(), json!(min));
        if under(cv, min) {
            broken.push(format!("canary {} below min {}", num(cv), num(min)));
        }
    }
    let mut change = serde_json::Map::new();
    if let Some(bv) = bv {
        // 0/0 is no change; x/0 an infinite one.
        let ratio = if bv == 0.0 && cv == 0.0 { 1.0 } else { cv / bv };
        let diff = cv - bv;
        change.insert("ratio".into(), jnum(ratio));
        change.insert("difference".into(), jnum(diff));
        if ratio.is_finite() {
            let mut m = Metric::new(&metric_name(&mp.query, "ratio"), ratio).unit("x");
            if let Some(max) = mp.max_ratio {
                m = m.condition(Comparator::Le, max);
            } else if let Some(min) = mp.min_ratio {
                m = m.condition(Comparator::Ge, min);
            }
            out.push(m);
        }
        if let Some(max) = mp.max_ratio {
            bounds.insert("max-ratio".into(), json!(max));
            if over(ratio, max) {
                broken.push(format!("ratio {} above max-ratio {}", num(ratio), num(max)));
            }
        }
        if let Some(min) = mp.min_ratio {
            bounds.insert("min-ratio".into(), json!(min));
            if under(ratio, min) {
                broken.push(format!("ratio {} below min-ratio {}", num(ratio), num(min)));
            }
        }
        if let Some(max) = mp.max_difference {
            bounds.insert("max-difference".into(), json!(max));
            if over(diff, max) {
                broken.push(format!(
                    "difference {} above max-difference {}",
                    num(diff),
                    num(max)
                ));
            }
        }
        if let Some(min) = mp.min_difference {
            bounds.insert("min-difference".into(), json!(min));
            if under(diff, min) {
                broken.push(format!(
                    "difference {} below min-difference {}",
                    num(diff),
                    num(min)
                ));
            }
        }
        if bv.is_finite() {
            out.push(with_unit(Metric::new(
                &metric_name(&mp.query, "baseline"),
                bv,
            )));
        }
    }
    if cv.is_finite() {
        let mut m = with_unit(Metric::new(&metric_name(&mp.query, "canary"), cv));
        if let Some(max) = mp.max {
            m = m.condition(Comparator::Le, max);
        } else if let Some(min) = mp.min {
            m = m.condition(Comparator::Ge, min);
        }
        out.insert(0, m);
    }
    if let Some(mw) = &mp.mann_whitney {
        let (c, b) = (canary.values(), baseline.values());
        let alpha = 1.0 - mw.confidence;
        let effect = match (stats::mean(&c), stats::mean(&b)) {
            (Some(c), Some(b)) if c != 0.0 && b != 0.0 => Some(c / b),
            _ => None,
        };
        match stats::mann_whitney(&c, &b) {
            Some(t) => {
                let higher = t.cles > 0.5;
                let significant = t.p_value < alpha;
                let beyond = |up: bool| match effect {
                    // Kayenta: without an effect size, significance decides.
                    None => true,
                    Some(e) if up => e >= mw.allowed_increase,
                    Some(e) => e <= mw.allowed_decrease,
                };
                bounds.insert(
                    "mann-whitney".into(),
                    json!({"alpha": alpha, "allowed-increase": mw.allowed_increase, "allowed-decrease": mw.allowed_decrease}),
                );
                put(
                    &mut evidence,
                    "mann-whitney",
                    json!({
                        "u": t.u, "p-value": t.p_value, "cles": t.cles,
                        "effect-size": effect.map(jnum),
                    }),
                );
                out.push(
                    Metric::new(&metric_name(&mp.query, "p-value"), t.p_value)
                        .condition(Comparator::Ge, alpha),
                );
                if significant && higher && mp.direction.worse_up() && beyond(true) {
                    broken.push(format!(
                        "canary significantly higher (Mann-Whitney p = {}, mean ratio {})",
                        num(t.p_value),
                        effect.map_or("n/a".into(), num)
                    ));
                }
                if significant && !higher && mp.direction.worse_down() && beyond(false) {
                    broken.push(format!(
                        "canary significantly lower (Mann-Whitney p = {}, mean ratio {})",
                        num(t.p_value),
                        effect.map_or("n/a".into(), num)
                    ));
                }
            }
            // Every value tied: identical samples, no shift (Kayenta passes).
            None => {
                put(
                    &mut evidence,
                    "mann-whitney",
                    json!({"p-value": 1.0, "note": "every value tied"}),
                );
            }
        }
    }
    put(&mut evidence, "change", serde_json::Value::Object(change));
    put(&mut evidence, "bounds", serde_json::Value::Object(bounds));
    let removed = if canary.outliers + baseline.outliers > 0 {
        format!(
            "; outliers removed: {} canary, {} baseline",
            canary.outliers, baseline.outliers
        )
    } else {
        String::new()
    };
    let values = match bv {
        Some(bv) => format!(
            "canary {} vs baseline {} ({} vs {} samples{removed})",
            num(cv),
            num(bv),
            canary.samples.len(),
            baseline.samples.len()
        ),
        None => format!(
            "canary {} ({} samples{removed})",
            num(cv),
            canary.samples.len()
        ),
    };
    if !broken.is_empty() {
        let f = Finding::new(
            "canary/metric-failed",
            if mp.critical {
                Severity::Critical
            } else {
                Severity::High
            },
            format!("`{}`: {values}: {}", mp.query, broken.join("; ")),
        )
        .resource(mp.query.clone())
        .evidence(evidence.to_string())
        .blocking(true)
        .remediation("roll back the canary and look at what changed");
        return (Class::Fail, f, out);
    }
    if !warnings.is_empty() {
        put(&mut evidence, "server-warnings", json!(warnings));
        let f = Finding::new(
            "canary/partial-data",
            Severity::Medium,
            format!(
                "`{}`: {values}, within bounds, but the server warned its answer may be partial: {}",
                mp.query,
                warnings.join("; ")
            ),
        )
        .resource(mp.query.clone())
        .evidence(evidence.to_string())
        .blocking(false);
        return (Class::Partial, f, out);
    }
    let f = Finding::new(
        "canary/metric-passed",
        Severity::Info,
        format!("`{}`: {values}: within bounds", mp.query),
    )
    .resource(mp.query.clone())
    .evidence(evidence.to_string())
    .blocking(false);
    (Class::Pass, f, out)
}
