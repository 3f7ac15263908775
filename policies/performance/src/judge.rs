//! The performance policy's logic over plain WIT types (tested natively).

use crate::quantity::{Decimal, Dimension, Quantity, Unit, tool_unit};
use crate::stats::{self, Summary};
use gate_sdk::glob;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// Absolute budgets: a statistic of every measurement the pattern selects must stay within `max` or reach `min`
    #[serde(default)]
    pub budget: Vec<Budget>,
    /// Regressions against the baseline report: a change for the worse beyond `max-change` percent that is more than the noise fails
    #[serde(default)]
    pub regression: Vec<Regression>,
    /// Significance level of the one-sided Welch's t-test
    #[schemars(extend("exclusiveMinimum" = 0, "exclusiveMaximum" = 0.5, "default" = 0.05))]
    pub significance: Option<f64>,
    /// Judge measurements of runs that exited non-zero (hyperfine's `--ignore-failure`) instead of failing on them
    #[serde(default)]
    #[schemars(extend("default" = false))]
    pub allow_failed_runs: bool,
}

/// Which measurements an entry selects.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Select {
    /// Glob over measurement names (as `gate parse --json` shows them)
    #[serde(rename = "match")]
    #[schemars(length(min = 1))]
    pub pattern: String,
    /// Glob over the measurement's group (HTTP method, Go package, pytest-benchmark group)
    #[schemars(length(min = 1))]
    pub group: Option<String>,
    /// Only measurements of this metric (time, response-time, memory, allocations, throughput, score, audit)
    #[schemars(length(min = 1))]
    pub metric: Option<String>,
}

/// One budget: a statistic of the selected measurements held to `max` or `min`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Budget {
    #[serde(flatten)]
    pub select: Select,
    /// mean, median, min, max, stddev, value, pNN (p50, p95, p99.9), error-rate, throughput, score, failures, requests
    #[schemars(length(min = 1))]
    pub statistic: String,
    /// A number with its unit: `300 ms`, `1 %`, `200/s`, `0.9`, `64 MB`
    #[schemars(length(min = 1))]
    pub max: Option<String>,
    /// A number with its unit: `300 ms`, `1 %`, `200/s`, `0.9`, `64 MB`
    #[schemars(length(min = 1))]
    pub min: Option<String>,
}

/// One regression check of the selected measurements against the baseline.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Regression {
    #[serde(flatten)]
    pub select: Select,
    /// mean, median, min, max, stddev, value, pNN (p50, p95, p99.9), error-rate, throughput, score, failures, requests
    #[schemars(length(min = 1), extend("default" = "mean"))]
    pub statistic: Option<String>,
    /// Largest change for the worse, in percent of the baseline (up for times, down for throughput and scores)
    #[schemars(range(min = 0))]
    pub max_change: f64,
}

/// Default significance level of Welch's test.
pub const DEFAULT_SIGNIFICANCE: f64 = 0.05;

/// A statistic a measurement may report.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stat {
    Mean,
    Median,
    Min,
    Max,
    Stddev,
    Value,
    Percentile(f64),
    ErrorRate,
    Throughput,
    Score,
    Failures,
    Requests,
}

impl Stat {
    fn parse(s: &str) -> Option<Stat> {
        Some(match s {
            "mean" => Stat::Mean,
            "median" => Stat::Median,
            "min" => Stat::Min,
            "max" => Stat::Max,
            "stddev" => Stat::Stddev,
            "value" => Stat::Value,
            "error-rate" => Stat::ErrorRate,
            "throughput" => Stat::Throughput,
            "score" => Stat::Score,
            "failures" => Stat::Failures,
            "requests" => Stat::Requests,
            p => {
                let v: f64 = p.strip_prefix('p')?.parse().ok()?;
                if !(0.0..=100.0).contains(&v) {
                    return None;
                }
                Stat::Percentile(v)
            }
        })
    }

    /// Whether a higher value is the better one.
    fn higher_is_better(self) -> bool {
        matches!(self, Stat::Throughput | Stat::Score)
    }

    /// The unit of this statistic of `m`; `None` when the tool's unit is
    /// one gate does not know.
    fn unit(self, m: &Measurement) -> Option<Unit> {
        let u = |dimension| {
            Some(Unit {
                dimension,
                exp10: 0,
            })
        };
        match self {
            Stat::ErrorRate | Stat::Score => u(Dimension::Ratio),
            Stat::Throughput => u(Dimension::Rate),
            Stat::Failures | Stat::Requests => u(Dimension::Number),
            _ => tool_unit(&m.unit),
        }
    }

    fn value(self, m: &Measurement) -> Option<f64> {
        match self {
            Stat::Mean => m.mean,
            Stat::Median => m.median,
            Stat::Min => m.min,
            Stat::Max => m.max,
            Stat::Stddev => m.stddev,
            Stat::Value => m.value,
            Stat::Percentile(p) => m.percentiles.iter().find(|x| x.p == p).map(|x| x.value),
            Stat::ErrorRate => m.error_rate,
            Stat::Throughput => m.throughput,
            Stat::Score => m.score,
            Stat::Failures => m.failures.map(|v| v as f64),
            Stat::Requests => m.requests.map(|v| v as f64),
        }
    }
}

/// A measurement's name as findings and metrics show it: the name and its
/// parameters (`gzip -1[level=1]`) unless the name shows them.
fn id(m: &Measurement) -> String {
    // pytest names a parametrized test with its parameters already.
    if m.parameters.is_empty() || m.name.ends_with(']') {
        return m.name.clone();
    }
    let params: Vec<String> = m
        .parameters
        .iter()
        .map(|p| format!("{}={}", p.name, p.value))
        .collect();
    format!("{}[{}]", m.name, params.join(","))
}

/// [`id`] with the group, for finding text.
fn label(m: &Measurement) -> String {
    match &m.group {
        Some(g) => format!("`{}` ({g})", id(m)),
        None => format!("`{}`", id(m)),
    }
}

fn selects(s: &Select, m: &Measurement) -> bool {
    glob::matches(&s.pattern, &m.name)
        && s.group
            .as_ref()
            .is_none_or(|g| m.group.as_deref().is_some_and(|mg| glob::matches(g, mg)))
        && s.metric.as_ref().is_none_or(|x| *x == m.metric)
}

/// Whether the pattern names one measurement (no glob characters): such a
/// measurement missing from the baseline is a failure, not a note.
fn is_name(pattern: &str) -> bool {
    !pattern.contains(['*', '?', '{'])
}

fn unit_text(u: Unit, tool: &str) -> String {
    match u.dimension {
        Dimension::Ratio => String::new(),
        Dimension::Rate => "/s".into(),
        _ => tool.to_string(),
    }
}

/// `v` printed with up to 6 significant digits, without noise.
fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = 6 - (v.abs().log10().floor() as i32) - 1;
    let s = format!("{:.*}", digits.clamp(0, 12) as usize, v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A warning the host's parser gave about one of the reports judged.
pub struct ReportWarning<'a> {
    /// The report's path.
    pub path: &'a str,
    /// Whether it is the baseline's report.
    pub baseline: bool,
    pub warning: &'a ParseWarning,
}

/// The parsers' warnings become findings: measurements of failed runs time
/// a failure, so they block (unless `allow-failed-runs`); anything else the
/// parser read past (Lighthouse's run warnings) is noted without blocking.
fn report_warnings(j: &mut Judgement, warnings: &[ReportWarning], p: &Params) {
    for w in warnings {
        let side = if w.baseline { "baseline " } else { "" };
        let message = format!("{side}{}: {}", w.path, w.warning.message);
        let evidence = format!("warning: {}", w.warning.code);
        if w.warning.code == "hyperfine-failed-runs" && !p.allow_failed_runs {
            let mut f = Finding::new("performance/failed-runs", Severity::High, message)
                .evidence(evidence)
                .resource(w.path.to_string())
                .remediation("fix the benchmarked command, or set `allow-failed-runs = true` when failing is what it measures");
            f.location = w.warning.location.clone();
            j.fail(format!("{side}runs that failed in {}", w.path), f);
        } else {
            let mut f = Finding::new("performance/report-warning", Severity::Low, message)
                .evidence(evidence)
                .resource(w.path.to_string());
            f.location = w.warning.location.clone();
            j.verdict.findings.push(f.blocking(false));
        }
    }
}

/// A budget's or a regression's finding names the verdict metric it
/// judged (and, for a regression, the noise test's reasoning), so reports
/// pair them without reading the message.
fn about_metric(metric: &str, noise: Option<&str>) -> String {
    let mut e = serde_json::json!({ "metric": metric });
    if let (Some(noise), Some(o)) = (noise, e.as_object_mut()) {
        o.insert("noise".into(), noise.into());
    }
    e.to_string()
}

struct Judgement {
    verdict: Verdict,
    failed: Vec<String>,
    warned: bool,
    checked: usize,
}

impl Judgement {
    fn fail(&mut self, short: String, finding: Finding) {
        self.failed.push(short);
        self.verdict.findings.push(finding.blocking(true));
    }
}

/// What the schema cannot say: globs, statistics and bounds as written.
fn validate(p: &Params) -> Result<Vec<(Stat, Quantity, bool)>, PolicyError> {
    if p.budget.is_empty() && p.regression.is_empty() {
        return Err(PolicyError::InvalidParams(
            "/: set at least one `budget` or `regression`: with neither there is nothing to judge"
                .into(),
        ));
    }
    if let Some(a) = p.significance
        && !(a > 0.0 && a < 0.5)
    {
        return Err(params::invalid(
            "/significance",
            format!("{a} is not a significance level between 0 and 0.5"),
        ));
    }
    let check = |key: &str, i: usize, s: &Select| -> Result<(), PolicyError> {
        glob::check(&s.pattern).map_err(|e| params::invalid(&format!("/{key}/{i}/match"), e))?;
        if let Some(g) = &s.group {
            glob::check(g).map_err(|e| params::invalid(&format!("/{key}/{i}/group"), e))?;
        }
        Ok(())
    };
    let stat = |key: &str, i: usize, s: &str| {
        Stat::parse(s).ok_or_else(|| {
            params::invalid(
                &format!("/{key}/{i}/statistic"),
                format!("unknown statistic `{s}` (mean, median, min, max, stddev, value, p50..p99.9, error-rate, throughput, score, failures, requests)"),
            )
        })
    };
    let mut budgets = Vec::new();
    for (i, b) in p.budget.iter().enumerate() {
        check("budget", i, &b.select)?;
        let st = stat("budget", i, &b.statistic)?;
        let (key, text, is_max) = match (&b.max, &b.min) {
            (Some(m), None) => ("max", m, true),
            (None, Some(m)) => ("min", m, false),
            _ => {
                return Err(params::invalid(
                    &format!("/budget/{i}"),
                    "a budget sets exactly one of `max` and `min` (write two budgets for both)",
                ));
            }
        };
        let q =
            Quantity::parse(text).map_err(|e| params::invalid(&format!("/budget/{i}/{key}"), e))?;
        budgets.push((st, q, is_max));
    }
    for (i, r) in p.regression.iter().enumerate() {
        check("regression", i, &r.select)?;
        stat("regression", i, r.statistic.as_deref().unwrap_or("mean"))?;
        if !(r.max_change.is_finite() && r.max_change >= 0.0) {
            return Err(params::invalid(
                &format!("/regression/{i}/max-change"),
                "a change limit is a percentage of at least 0",
            ));
        }
    }
    Ok(budgets)
}

/// Judges the current reports against the budgets and the baseline.
pub fn judge(
    current: &[Measurement],
    baseline: Option<&[Measurement]>,
    warnings: &[ReportWarning],
    p: &Params,
) -> Result<Verdict, PolicyError> {
    let budgets = validate(p)?;
    if !p.regression.is_empty() && baseline.is_none() {
        return Err(PolicyError::UnsupportedInput(
            "`regression` needs the baseline's performance report: add it as an artifact with role = \"baseline\" (or --baseline PATH)".into(),
        ));
    }
    let mut j = Judgement {
        verdict: Verdict::pass(""),
        failed: Vec::new(),
        warned: false,
        checked: 0,
    };
    for (i, (b, (stat, bound, is_max))) in p.budget.iter().zip(&budgets).enumerate() {
        budget(&mut j, i, b, *stat, bound, *is_max, current);
    }
    let alpha = p.significance.unwrap_or(DEFAULT_SIGNIFICANCE);
    for r in &p.regression {
        regression(&mut j, r, alpha, current, baseline.unwrap_or(&[]));
    }
    report_warnings(&mut j, warnings, p);
    let v = &mut j.verdict;
    let checks = gate_codes::wording::count(j.checked, "check", "checks");
    if j.failed.is_empty() {
        v.outcome = if j.warned {
            Outcome::Warn
        } else {
            Outcome::Pass
        };
        v.summary = format!("performance within budget: {checks} held");
        if j.warned {
            v.summary.push_str(" (see the notes)");
        }
    } else {
        v.outcome = Outcome::Fail;
        v.summary = format!("performance gate failed: {}", j.failed.join("; "));
    }
    Ok(j.verdict)
}

/// How a selector's statistic reads on one measurement.
enum Reading {
    /// The value and its unit.
    Value(f64, Unit),
    /// The measurement does not report the statistic.
    Missing,
    /// Its unit is one gate does not know.
    UnknownUnit,
}

fn read(stat: Stat, m: &Measurement) -> Reading {
    let Some(unit) = stat.unit(m) else {
        return Reading::UnknownUnit;
    };
    // Samples stand in for a mean a tool did not compute.
    let value = stat.value(m).or_else(|| {
        (stat == Stat::Mean)
            .then(|| Summary::of(&m.samples).map(|s| s.mean))
            .flatten()
    });
    match value {
        Some(v) => Reading::Value(v, unit),
        None => Reading::Missing,
    }
}

fn missing_statistic(j: &mut Judgement, m: &Measurement, statistic: &str, why: &str) {
    j.fail(
        format!("{} has no {statistic}", id(m)),
        Finding::new(
            "performance/missing-statistic",
            Severity::High,
            format!(
                "{} does not report {statistic}{why}: it cannot be judged",
                label(m)
            ),
        )
        .resource(id(m))
        .remediation(
            "choose a statistic the tool reports, or narrow the selection with `metric` or `group`",
        ),
    );
}

#[allow(clippy::too_many_arguments)]
fn budget(
    j: &mut Judgement,
    i: usize,
    b: &Budget,
    stat: Stat,
    bound: &Quantity,
    is_max: bool,
    current: &[Measurement],
) {
    let (word, cmp, sym) = if is_max {
        ("max", Comparator::Le, "<=")
    } else {
        ("min", Comparator::Ge, ">=")
    };
    let mut selected = 0usize;
    let mut other_units = 0usize;
    for m in current.iter().filter(|m| selects(&b.select, m)) {
        let (v, unit) = match read(stat, m) {
            Reading::Value(v, u) => (v, u),
            Reading::UnknownUnit if b.select.metric.is_none() => {
                other_units += 1;
                continue;
            }
            Reading::UnknownUnit => {
                selected += 1;
                missing_statistic(
                    j,
                    m,
                    &b.statistic,
                    &format!(" in a unit gate knows (`{}`)", m.unit),
                );
                continue;
            }
            Reading::Missing => {
                // Another measurement of the same name (a Go benchmark's
                // memory next to its time) is passed over by the bound's unit.
                if b.select.metric.is_none()
                    && stat.unit(m).is_some_and(|u| bound.in_unit(u).is_none())
                {
                    other_units += 1;
                    continue;
                }
                selected += 1;
                missing_statistic(j, m, &b.statistic, "");
                continue;
            }
        };
        let Some(limit) = bound.in_unit(unit) else {
            if b.select.metric.is_none() {
                other_units += 1;
                continue;
            }
            selected += 1;
            j.fail(
                format!("{} {}: `{}` is not {}", id(m), b.statistic, bound.text, unit.dimension.name()),
                Finding::new(
                    "performance/incompatible-unit",
                    Severity::High,
                    format!(
                        "budget {word} `{}` cannot hold {} {}: it is {}, the statistic is {}",
                        bound.text,
                        label(m),
                        b.statistic,
                        bound.unit.dimension.name(),
                        unit.dimension.name()
                    ),
                )
                .resource(id(m))
                .remediation("write the bound in the statistic's unit (a time for times, % for error rates, /s for throughput)"),
            );
            continue;
        };
        selected += 1;
        j.checked += 1;
        let Some(value) = Decimal::of(v) else {
            missing_statistic(j, m, &b.statistic, " as a non-negative number");
            continue;
        };
        // Value in the bound's unit, for people; the decision is exact.
        let shown = value.scaled(unit.exp10 - bound.unit.exp10).to_f64();
        let threshold = bound.number.to_f64();
        let unit_shown = if bound.unit_text.is_empty() {
            unit_text(unit, &m.unit)
        } else {
            bound.unit_text.clone()
        };
        let metric_name = format!("budget:{}:{}", id(m), b.statistic);
        let metric = Metric::new(&metric_name, shown);
        let metric = if unit_shown.is_empty() {
            metric
        } else {
            metric.unit(&unit_shown)
        };
        j.verdict.metrics.push(metric.condition(cmp, threshold));
        let breached = if is_max { value > limit } else { value < limit };
        if breached {
            let sp = if unit_shown.is_empty() || unit_shown == "%" || unit_shown.starts_with('/') {
                ""
            } else {
                " "
            };
            j.fail(
                format!(
                    "{} {} {}{sp}{unit_shown} (budget {sym} {})",
                    id(m),
                    b.statistic,
                    num(shown),
                    bound.text
                ),
                Finding::new(
                    "performance/budget",
                    Severity::High,
                    format!(
                        "{} {} is {}{sp}{unit_shown}, over its budget {word} {} (budget {} `{}`)",
                        label(m),
                        b.statistic,
                        num(shown),
                        bound.text,
                        i + 1,
                        b.select.pattern
                    )
                    .replace("over its budget min", "under its budget min"),
                )
                .evidence(about_metric(&metric_name, None))
                .resource(id(m))
                .remediation("make it faster, or raise the budget in a reviewed change"),
            );
        }
    }
    if selected == 0 {
        let why = if other_units > 0 {
            format!(
                " (it matches {} of another unit)",
                gate_codes::wording::count(other_units, "measurement", "measurements")
            )
        } else {
            String::new()
        };
        j.fail(
            format!("budget `{}` selects nothing", b.select.pattern),
            Finding::new(
                "performance/budget-unmatched",
                Severity::High,
                format!(
                    "budget {} (`{}` {} {word} {}) selects no measurement of the current reports{why}",
                    i + 1,
                    b.select.pattern,
                    b.statistic,
                    bound.text
                ),
            )
            .resource(format!("budget:{}", b.select.pattern))
            .remediation("fix the pattern (names as `gate parse --json` shows them), or make the benchmark run"),
        );
    }
}

fn key(m: &Measurement) -> (&str, Option<&str>, &str, Vec<(&str, &str)>) {
    (
        m.name.as_str(),
        m.group.as_deref(),
        m.metric.as_str(),
        m.parameters
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect(),
    )
}

/// The sample behind a mean: the tool's mean, stddev and n, or its samples.
fn summary(m: &Measurement) -> Option<Summary> {
    match (m.mean, m.stddev, m.n) {
        (Some(mean), Some(stddev), Some(n)) => Some(Summary { mean, stddev, n }),
        _ => Summary::of(&m.samples),
    }
}

fn regression(
    j: &mut Judgement,
    r: &Regression,
    alpha: f64,
    current: &[Measurement],
    baseline: &[Measurement],
) {
    let statistic = r.statistic.as_deref().unwrap_or("mean");
    let Some(stat) = Stat::parse(statistic) else {
        return;
    };
    let limit = r.max_change;
    let mut selected = 0usize;
    for m in current.iter().filter(|m| selects(&r.select, m)) {
        selected += 1;
        let Some(base) = baseline.iter().find(|b| key(b) == key(m)) else {
            let text = format!(
                "{} is not in the baseline report, so it has no change to judge",
                label(m)
            );
            let f = Finding::new("performance/missing-baseline", Severity::Low, text)
                .resource(id(m))
                .remediation("run the benchmark on the base branch too (a new benchmark passes once it has a baseline)");
            if is_name(&r.select.pattern) {
                let mut f = f;
                f.severity = Severity::High;
                j.fail(format!("{} has no baseline", id(m)), f);
            } else {
                j.warned = true;
                j.verdict.findings.push(f);
            }
            continue;
        };
        let (cur, base_v, unit) = match (read(stat, m), read(stat, base)) {
            (Reading::Value(c, cu), Reading::Value(b, bu)) if cu.dimension == bu.dimension => {
                (c, b * 10f64.powi(bu.exp10 - cu.exp10), cu)
            }
            (Reading::Value(..), _) => {
                missing_statistic(j, base, statistic, " in the baseline report");
                continue;
            }
            _ => {
                missing_statistic(j, m, statistic, "");
                continue;
            }
        };
        j.checked += 1;
        let shown_unit = unit_text(unit, &m.unit);
        let name = format!("{}:{statistic}", id(m));
        let with_unit = |metric: Metric| {
            if shown_unit.is_empty() {
                metric
            } else {
                metric.unit(&shown_unit)
            }
        };
        j.verdict.metrics.push(with_unit(Metric::new(&name, cur)));
        j.verdict
            .metrics
            .push(with_unit(Metric::new(&format!("baseline:{name}"), base_v)));
        let change = if base_v > 0.0 {
            (cur - base_v) / base_v * 100.0
        } else if cur > 0.0 {
            f64::INFINITY
        } else {
            0.0
        };
        let better_up = stat.higher_is_better();
        let worse = if better_up { -change } else { change };
        let condition = if better_up {
            (Comparator::Ge, -limit)
        } else {
            (Comparator::Le, limit)
        };
        j.verdict.metrics.push(
            Metric::new(
                &format!("change:{name}"),
                if change.is_finite() {
                    (change * 100.0).round() / 100.0
                } else {
                    f64::MAX
                },
            )
            .unit("%")
            .condition(condition.0, condition.1),
        );
        let u = if shown_unit.is_empty() || shown_unit.starts_with('/') {
            shown_unit.clone()
        } else {
            format!(" {shown_unit}")
        };
        let sign = if better_up { "-" } else { "+" };
        let facts = format!(
            "{} {statistic} {}{u} vs baseline {}{u}: {:+.2}% (limit {sign}{}%)",
            label(m),
            num(cur),
            num(base_v),
            change,
            num(limit)
        );
        if worse <= limit {
            continue;
        }
        // Beyond the limit: is the change more than the noise?
        let noise = noise(stat, m, base, better_up, alpha);
        if let Some(p) = noise.p {
            j.verdict
                .metrics
                .push(Metric::new(&format!("p-value:{name}"), p));
        }
        if noise.significant {
            j.fail(
                format!("{} {statistic} {:+.2}% (limit {sign}{}%)", id(m), change, num(limit)),
                Finding::new(
                    "performance/regression",
                    Severity::High,
                    format!("{facts}; {}: a regression", noise.why),
                )
                .evidence(about_metric(&format!("change:{name}"), Some(&noise.why)))
                .resource(id(m))
                .remediation("find what made it slower (profile both versions), or accept the new baseline in a reviewed change"),
            );
        } else {
            j.verdict.findings.push(
                Finding::new(
                    "performance/within-noise",
                    Severity::Info,
                    format!("{facts}; {}: not a regression", noise.why),
                )
                .evidence(about_metric(&format!("change:{name}"), Some(&noise.why)))
                .resource(id(m))
                .remediation("more runs narrow the noise if the change is real"),
            );
        }
    }
    if selected == 0 {
        j.fail(
            format!("regression `{}` selects nothing", r.select.pattern),
            Finding::new(
                "performance/regression-unmatched",
                Severity::High,
                format!(
                    "regression `{}` ({statistic}, max change {}%) selects no measurement of the current reports",
                    r.select.pattern,
                    num(limit)
                ),
            )
            .resource(format!("regression:{}", r.select.pattern))
            .remediation("fix the pattern (names as `gate parse --json` shows them), or make the benchmark run"),
        );
    }
}

struct Noise {
    significant: bool,
    p: Option<f64>,
    why: String,
}

/// Whether a change beyond the limit is more than the measurements' own
/// noise: Welch's t-test on the means (mean, stddev and n, or samples);
/// the tool's confidence intervals when it gives them (criterion);
/// otherwise nothing tells noise from change and the limit decides.
fn noise(stat: Stat, cur: &Measurement, base: &Measurement, better_up: bool, alpha: f64) -> Noise {
    if stat == Stat::Mean {
        if let (Some(c), Some(b)) = (cur.interval, base.interval) {
            let apart = if better_up {
                c.upper < b.lower
            } else {
                c.lower > b.upper
            };
            let level = format!("{}%", num(c.level.min(b.level) * 100.0));
            return Noise {
                significant: apart,
                p: None,
                why: format!(
                    "the tool's {level} confidence intervals are [{}, {}] now and [{}, {}] on the baseline, {}",
                    num(c.lower),
                    num(c.upper),
                    num(b.lower),
                    num(b.upper),
                    if apart { "apart" } else { "overlapping" }
                ),
            };
        }
        if let (Some(c), Some(b)) = (summary(cur), summary(base)) {
            let (hi, lo) = if better_up { (b, c) } else { (c, b) };
            if let Some(w) = stats::welch(hi, lo) {
                let significant = w.p < alpha;
                return Noise {
                    significant,
                    p: Some(w.p),
                    why: format!(
                        "Welch's t-test (stddev {} n {} now, {} n {} before): t = {:.2}, df = {:.1}, one-sided p {} {} {}",
                        num(c.stddev),
                        c.n,
                        num(b.stddev),
                        b.n,
                        w.t,
                        w.df,
                        // Below this the tail is beyond what doubles resolve.
                        if w.p < 1e-12 {
                            "< 1e-12".to_string()
                        } else {
                            format!("= {}", num(w.p))
                        },
                        if significant { "<" } else { ">=" },
                        num(alpha)
                    ),
                };
            }
        }
    }
    Noise {
        significant: true,
        p: None,
        why: "the reports give no spread for this statistic, so the limit alone decides".into(),
    }
}
