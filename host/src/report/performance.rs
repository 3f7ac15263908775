//! The performance section of the human, Markdown and HTML reports: what a
//! performance policy (`builtin:performance`, or any policy whose catalog
//! has its rules) measured — a budget table (metric, value, limit, pass or
//! fail) and the regressions against the baseline (value, baseline, change,
//! limit, the noise test and its p-value), failures first, then the
//! findings no table row carries (a budget that selects nothing, a missing
//! statistic or baseline). Read from the verdict's metrics and findings
//! only, like every report.
//!
//! The policy names its metrics `budget:NAME:STAT` (the value against the
//! budget's bound), `NAME:STAT`, `baseline:NAME:STAT`, `change:NAME:STAT`
//! (in %, against the change limit) and `p-value:NAME:STAT`; a budget's or
//! regression's finding names the metric it judged in its JSON evidence
//! (`{"metric": "change:NAME:STAT", "noise": "Welch's t-test …"}`).

use crate::verdict::{Comparator, Finding, Metric, PolicyEntry, VerdictDoc};

/// One budget: a statistic of a measurement against its bound.
pub struct Budget<'a> {
    /// The measurement (`name[params]`).
    pub name: &'a str,
    pub statistic: &'a str,
    pub value: f64,
    pub unit: &'a str,
    pub comparator: Comparator,
    pub limit: f64,
    pub failed: bool,
}

impl Budget<'_> {
    /// `<= 110 ms`.
    pub fn limit_text(&self) -> String {
        format!("{} {}", self.comparator, with_unit(self.limit, self.unit))
    }

    pub fn value_text(&self) -> String {
        with_unit(self.value, self.unit)
    }

    pub fn status(&self) -> &'static str {
        if self.failed { "fail" } else { "pass" }
    }
}

/// How a compared statistic came out against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Judged {
    /// Worse beyond the limit and beyond the noise: blocks.
    Regression,
    /// Beyond the limit, inside the noise: noted.
    WithinNoise,
    /// Within the change limit.
    WithinLimit,
}

impl Judged {
    pub fn as_str(self) -> &'static str {
        match self {
            Judged::Regression => "regression",
            Judged::WithinNoise => "within noise",
            Judged::WithinLimit => "within limit",
        }
    }
}

/// One statistic compared with the baseline.
pub struct Regression<'a> {
    pub name: &'a str,
    pub statistic: &'a str,
    pub value: f64,
    pub baseline: Option<f64>,
    pub unit: &'a str,
    /// In percent.
    pub change: f64,
    pub comparator: Option<Comparator>,
    /// The change limit in percent (negative for higher-is-better).
    pub limit: Option<f64>,
    pub p: Option<f64>,
    pub judged: Judged,
    /// The noise test as the policy worded it (Welch's t, df and p, or the
    /// tool's confidence intervals), when the change was beyond the limit.
    pub noise: Option<String>,
}

impl Regression<'_> {
    /// `+15.00%`.
    pub fn change_text(&self) -> String {
        if self.change >= f64::MAX {
            "+inf%".into()
        } else {
            format!("{:+.2}%", self.change)
        }
    }

    /// `<= 10%`.
    pub fn limit_text(&self) -> String {
        match (self.comparator, self.limit) {
            (Some(c), Some(l)) => format!("{c} {}%", num(l)),
            _ => String::new(),
        }
    }

    pub fn value_text(&self) -> String {
        with_unit(self.value, self.unit)
    }

    pub fn baseline_text(&self) -> String {
        self.baseline
            .map(|b| with_unit(b, self.unit))
            .unwrap_or_default()
    }

    /// `p = 0.0123`, or empty.
    pub fn p_text(&self) -> String {
        self.p
            .map(|p| format!("p = {}", num(p)))
            .unwrap_or_default()
    }
}

/// The performance section of one policy.
pub struct Section<'a> {
    pub policy: &'a PolicyEntry,
    /// Failed budgets first, then the policy's order.
    pub budgets: Vec<Budget<'a>>,
    /// Regressions first, then within the noise, then within the limit.
    pub regressions: Vec<Regression<'a>>,
    /// Findings no row carries: unmatched selections, missing statistics,
    /// incompatible units, measurements missing from the baseline.
    pub problems: Vec<&'a Finding>,
}

impl Section<'_> {
    /// `2 budgets (1 failed) · 3 compared (1 regression)`.
    pub fn counts_line(&self) -> String {
        use gate_codes::wording::count;
        let failed = self.budgets.iter().filter(|b| b.failed).count();
        let regressed = self
            .regressions
            .iter()
            .filter(|r| r.judged == Judged::Regression)
            .count();
        let mut parts = Vec::new();
        if !self.budgets.is_empty() {
            parts.push(format!(
                "{} ({failed} failed)",
                count(self.budgets.len(), "budget", "budgets")
            ));
        }
        if !self.regressions.is_empty() {
            parts.push(format!(
                "{} with the baseline ({})",
                count(
                    self.regressions.len(),
                    "statistic compared",
                    "statistics compared"
                ),
                count(regressed, "regression", "regressions")
            ));
        }
        if !self.problems.is_empty() {
            parts.push(count(self.problems.len(), "problem", "problems"));
        }
        if parts.is_empty() {
            parts.push("nothing judged".into());
        }
        parts.join(" · ")
    }
}

/// The sections of the policies that judged performance, in verdict order.
pub fn sections(doc: &VerdictDoc) -> Vec<Section<'_>> {
    doc.policies
        .iter()
        .filter(|p| p.rule("performance/budget").is_some() && p.error.is_none())
        .map(section)
        .collect()
}

/// `v` with up to 6 significant digits, as the policy prints numbers;
/// tiny ones (a p-value) in scientific notation.
pub fn num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    if v.abs() < 1e-4 {
        return super::canary::sci(v);
    }
    let digits = 6 - (v.abs().log10().floor() as i32) - 1;
    let s = format!("{:.*}", digits.clamp(0, 12) as usize, v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `115 ms`, `0.5%`, `210/s`, `0.9`; a time in the unit that reads best
/// (`1.15818 us`, not `0.00000115818 s`).
pub fn with_unit(v: f64, unit: &str) -> String {
    const TIME: [(&str, f64); 4] = [("s", 1e9), ("ms", 1e6), ("us", 1e3), ("ns", 1.0)];
    let (v, unit) = match TIME.iter().find(|(u, _)| *u == unit) {
        Some((_, per)) if v != 0.0 && v.is_finite() => {
            let ns = v * per;
            TIME.iter()
                .find(|(_, p)| ns.abs() >= *p)
                .map_or((ns, "ns"), |(u, p)| (ns / p, *u))
        }
        _ => (v, unit),
    };
    if unit.is_empty() || unit == "%" || unit.starts_with('/') {
        format!("{}{unit}", num(v))
    } else {
        format!("{} {unit}", num(v))
    }
}

/// The finding's evidence, when it is a JSON object naming the metric it
/// judged (`{"metric": "budget:NAME:STAT"}`, with `noise` for a regression).
fn evidence(f: &Finding) -> Option<serde_json::Map<String, serde_json::Value>> {
    match serde_json::from_str(f.evidence.as_deref()?) {
        Ok(serde_json::Value::Object(o)) => Some(o),
        _ => None,
    }
}

/// Whether the metric holds its condition (no condition: it holds).
fn holds(m: &Metric) -> bool {
    match (m.comparator, m.threshold) {
        (Some(c), Some(t)) => match c {
            Comparator::Ge => m.value >= t,
            Comparator::Gt => m.value > t,
            Comparator::Le => m.value <= t,
            Comparator::Lt => m.value < t,
            Comparator::Eq => m.value == t,
        },
        _ => true,
    }
}

fn section(p: &PolicyEntry) -> Section<'_> {
    let findings = || p.findings.iter();
    // Each lookup once (a glob budget over a big report makes thousands of
    // metrics and findings): metrics by name, and the judging findings by
    // the metric their evidence names.
    let by_name: std::collections::HashMap<&str, &Metric> =
        p.metrics.iter().map(|m| (m.name.as_str(), m)).collect();
    let metric = |name: &str| by_name.get(name).copied();
    let mut judging: std::collections::HashMap<String, &Finding> = std::collections::HashMap::new();
    for f in findings().filter(|f| {
        matches!(
            &*f.rule,
            "performance/budget" | "performance/regression" | "performance/within-noise"
        )
    }) {
        if let Some(m) = evidence(f).and_then(|e| e.get("metric")?.as_str().map(str::to_string)) {
            judging.entry(m).or_insert(f);
        }
    }
    let judged_by = |metric: &str, rules: &[&str]| {
        judging
            .get(metric)
            .copied()
            .filter(|f| rules.contains(&&*f.rule))
    };
    let mut budgets: Vec<Budget> = p
        .metrics
        .iter()
        .filter_map(|m| {
            let (name, statistic) = m.name.strip_prefix("budget:")?.rsplit_once(':')?;
            let (comparator, limit) = (m.comparator?, m.threshold?);
            // The policy decides in exact decimals; its finding says so
            // when the doubles shown are too close to tell.
            let failed = !holds(m) || judged_by(&m.name, &["performance/budget"]).is_some();
            Some(Budget {
                name,
                statistic,
                value: m.value,
                unit: m.unit.as_deref().unwrap_or(""),
                comparator,
                limit,
                failed,
            })
        })
        .collect();
    budgets.sort_by_key(|b| !b.failed);
    let mut regressions: Vec<Regression> = p
        .metrics
        .iter()
        .filter_map(|m| {
            let full = m.name.strip_prefix("change:")?;
            let (name, statistic) = full.rsplit_once(':')?;
            let current = metric(full)?;
            let finding = judged_by(
                &m.name,
                &["performance/regression", "performance/within-noise"],
            );
            let judged = match finding {
                Some(f) if f.rule == "performance/regression" => Judged::Regression,
                Some(_) => Judged::WithinNoise,
                None if holds(m) => Judged::WithinLimit,
                // Beyond the limit without the policy's word on the noise.
                None => Judged::Regression,
            };
            let noise = finding
                .and_then(evidence)
                .and_then(|e| e.get("noise")?.as_str().map(str::to_string));
            Some(Regression {
                name,
                statistic,
                value: current.value,
                baseline: metric(&format!("baseline:{full}")).map(|b| b.value),
                unit: current.unit.as_deref().unwrap_or(""),
                change: m.value,
                comparator: m.comparator,
                limit: m.threshold,
                p: metric(&format!("p-value:{full}")).map(|v| v.value),
                judged,
                noise,
            })
        })
        .collect();
    regressions.sort_by_key(|r| r.judged);
    let problems = findings()
        .filter(|f| {
            matches!(
                &*f.rule,
                "performance/budget-unmatched"
                    | "performance/missing-statistic"
                    | "performance/incompatible-unit"
                    | "performance/regression-unmatched"
                    | "performance/missing-baseline"
                    | "performance/failed-runs"
                    | "performance/report-warning"
            )
        })
        .collect();
    Section {
        policy: p,
        budgets,
        regressions,
        problems,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_the_policy_writes_them() {
        assert_eq!(num(0.115), "0.115");
        assert_eq!(num(115.0), "115");
        assert_eq!(num(1.0 / 3.0), "0.333333");
        assert_eq!(with_unit(115.0, "ms"), "115 ms");
        assert_eq!(with_unit(0.5, "%"), "0.5%");
        assert_eq!(with_unit(210.0, "/s"), "210/s");
        assert_eq!(with_unit(0.00000115818, "s"), "1.15818 us");
        assert_eq!(with_unit(1500.0, "ms"), "1.5 s");
        assert_eq!(num(1.4e-11), "1.4e-11");
    }
}
