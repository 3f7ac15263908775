//! The canary section of the human, Markdown and HTML reports: the
//! decision of a deployment verification (`builtin:canary`, or any policy
//! whose catalog has its rules) — promote, roll back or inconclusive, with
//! its reasons and score — and per metric the canary and baseline values,
//! the change, the bounds, the Mann-Whitney statistic and p-value, the
//! sample and series counts and the window. Read from the verdict only:
//! the policy's summary (`DECISION: reasons`), its metrics and the JSON
//! evidence of its one finding per metric.

use crate::verdict::{Finding, PolicyEntry, VerdictDoc};
use gate_codes::canary::Decision;
use serde_json::Value;

/// One metric as the policy judged it.
pub struct Row<'a> {
    pub query: &'a str,
    /// `failed`, `passed`, `no data`, `partial data`.
    pub state: &'static str,
    pub finding: &'a Finding,
    pub canary: Option<f64>,
    pub baseline: Option<f64>,
    /// The unit the policy's metrics give the values, empty when none.
    pub unit: String,
    pub ratio: Option<f64>,
    pub difference: Option<f64>,
    /// `max 0.05, max-ratio 2, mann-whitney α 0.02 ≤ 1.2x`.
    pub bounds: String,
    /// Mann-Whitney U and p when the metric was tested.
    pub u: Option<f64>,
    pub p: Option<f64>,
    /// Samples and series per side.
    pub canary_samples: u64,
    pub baseline_samples: u64,
    pub canary_series: u64,
    pub baseline_series: u64,
    /// RFC 3339 start and end of the samples, when there were any.
    pub window: Option<(String, String)>,
    pub critical: bool,
}

impl Row<'_> {
    pub fn canary_text(&self) -> String {
        self.canary.map(|v| self.with_unit(v)).unwrap_or_default()
    }

    pub fn baseline_text(&self) -> String {
        self.baseline.map(|v| self.with_unit(v)).unwrap_or_default()
    }

    fn with_unit(&self, v: f64) -> String {
        if self.unit.is_empty() {
            num(v)
        } else {
            format!("{} {}", num(v), self.unit)
        }
    }

    /// `1.2x (+0.001)`.
    pub fn change_text(&self) -> String {
        match (self.ratio, self.difference) {
            (Some(r), Some(d)) => format!(
                "{}x ({}{})",
                num(r),
                if d >= 0.0 { "+" } else { "" },
                num(d)
            ),
            (Some(r), None) => format!("{}x", num(r)),
            _ => String::new(),
        }
    }

    /// `U = 12, p = 0.034`, or empty.
    pub fn test_text(&self) -> String {
        match (self.u, self.p) {
            (Some(u), Some(p)) => format!("U = {}, p = {}", num(u), num(p)),
            (None, Some(p)) => format!("p = {}", num(p)),
            _ => String::new(),
        }
    }

    /// `12 vs 12 (1 vs 1 series)`.
    pub fn samples_text(&self) -> String {
        format!(
            "{} vs {} ({} vs {} series)",
            self.canary_samples, self.baseline_samples, self.canary_series, self.baseline_series
        )
    }

    /// `2026-12-02T00:51:00Z – 2026-12-02T01:06:00Z`, or the instant.
    pub fn window_text(&self) -> String {
        match &self.window {
            Some((a, b)) if a == b => a.clone(),
            Some((a, b)) => format!("{a} – {b}"),
            None => String::new(),
        }
    }

    /// Why the metric came out as it did: the finding's message after the
    /// query.
    pub fn reason(&self) -> &str {
        let m = &*self.finding.message;
        m.strip_prefix(&format!("`{}`: ", self.query)).unwrap_or(m)
    }
}

/// The canary section of one policy.
pub struct Section<'a> {
    pub policy: &'a PolicyEntry,
    /// `promote`, `roll back` or `inconclusive`.
    pub decision: &'static str,
    /// The reasons the policy gives for it.
    pub reasons: &'a str,
    /// Kayenta's score (%), when any metric could be judged.
    pub score: Option<f64>,
    /// Failed metrics first, then no data, partial and passed ones.
    pub rows: Vec<Row<'a>>,
}

impl Section<'_> {
    /// `roll back: critical metric `error-rate` failed (score 50%)`.
    pub fn decision_line(&self) -> String {
        match self.score {
            // The policy's reasons name the score when it decided.
            Some(s) if !self.reasons.contains("score") => {
                format!("{}: {} (score {}%)", self.decision, self.reasons, num(s))
            }
            _ => format!("{}: {}", self.decision, self.reasons),
        }
    }
}

/// The sections of the policies that judged a canary, in verdict order.
pub fn sections(doc: &VerdictDoc) -> Vec<Section<'_>> {
    doc.policies
        .iter()
        .filter(|p| p.rule("canary/metric-failed").is_some() && p.error.is_none())
        .filter_map(section)
        .collect()
}

/// Up to 4 significant digits, as the policy prints numbers.
pub fn num(v: f64) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if v == 0.0 {
        return "0".into();
    }
    if v.abs() < 1e-4 {
        return sci(v);
    }
    let digits = 4 - (v.abs().log10().floor() as i32) - 1;
    let s = format!("{:.*}", digits.clamp(0, 12) as usize, v);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `1.4e-11`: 4 significant digits in scientific notation.
pub fn sci(v: f64) -> String {
    let s = format!("{v:.3e}");
    match s.split_once('e') {
        Some((m, e)) if m.contains('.') => {
            format!("{}e{e}", m.trim_end_matches('0').trim_end_matches('.'))
        }
        _ => s,
    }
}

/// The metric name the policy gives a query's values (`p95.canary`):
/// the query's name in lowercase, other characters as `-`.
fn metric_base(query: &str) -> String {
    query
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn instant(v: Option<&Value>) -> Option<String> {
    let ms = (v?.as_f64()? * 1000.0).round() as i64;
    jiff::Timestamp::from_millisecond(ms)
        .ok()
        .map(|t| t.to_string())
}

fn section(p: &PolicyEntry) -> Option<Section<'_>> {
    let (decision, reasons) = [
        Decision::Promote,
        Decision::RollBack,
        Decision::Inconclusive,
    ]
    .into_iter()
    .find_map(|d| {
        p.summary
            .strip_prefix(d.as_str())
            .and_then(|r| r.strip_prefix(": "))
            .map(|r| (d.as_str(), r))
    })?;
    let mut rows: Vec<Row> = p
        .findings
        .iter()
        .filter_map(|f| {
            let state = match &*f.rule {
                "canary/metric-failed" => "failed",
                "canary/no-data" => "no data",
                "canary/partial-data" => "partial data",
                "canary/metric-passed" => "passed",
                _ => return None,
            };
            let e: Value = f
                .evidence
                .as_deref()
                .and_then(|e| serde_json::from_str(e).ok())
                .unwrap_or(Value::Null);
            let query = f.resource.as_deref()?;
            let base = metric_base(query);
            let unit = p
                .metrics
                .iter()
                .find(|m| {
                    m.name == format!("{base}.canary") || m.name == format!("{base}.baseline")
                })
                .and_then(|m| m.unit.clone())
                .unwrap_or_default();
            let n = |at: &str| e.pointer(at).and_then(Value::as_u64).unwrap_or(0);
            let mut bounds: Vec<String> = Vec::new();
            if let Some(b) = e.pointer("/bounds").and_then(Value::as_object) {
                for key in [
                    "min",
                    "max",
                    "min-ratio",
                    "max-ratio",
                    "min-difference",
                    "max-difference",
                ] {
                    if let Some(v) = b.get(key).and_then(Value::as_f64) {
                        bounds.push(format!("{key} {}", num(v)));
                    }
                }
                if let Some(mw) = b.get("mann-whitney") {
                    let mut s = String::from("Mann-Whitney");
                    if let Some(a) = mw.pointer("/alpha").and_then(Value::as_f64) {
                        s.push_str(&format!(" α {}", num(a)));
                    }
                    match e.pointer("/direction").and_then(Value::as_str) {
                        Some("higher-is-better") => {
                            if let Some(d) = mw.pointer("/allowed-decrease").and_then(Value::as_f64)
                            {
                                s.push_str(&format!(", effect ≥ {}x", num(d)));
                            }
                        }
                        Some("lower-is-better") => {
                            if let Some(i) = mw.pointer("/allowed-increase").and_then(Value::as_f64)
                            {
                                s.push_str(&format!(", effect ≤ {}x", num(i)));
                            }
                        }
                        _ => {
                            if let (Some(d), Some(i)) = (
                                mw.pointer("/allowed-decrease").and_then(Value::as_f64),
                                mw.pointer("/allowed-increase").and_then(Value::as_f64),
                            ) {
                                s.push_str(&format!(", effect {}x–{}x", num(d), num(i)));
                            }
                        }
                    }
                    bounds.push(s);
                }
            }
            let window = match (
                instant(e.pointer("/window/start")),
                instant(e.pointer("/window/end")),
            ) {
                (Some(a), Some(b)) => Some((a, b)),
                _ => None,
            };
            Some(Row {
                query,
                state,
                finding: f,
                canary: e.pointer("/canary/value").and_then(Value::as_f64),
                baseline: e.pointer("/baseline/value").and_then(Value::as_f64),
                unit,
                ratio: e.pointer("/change/ratio").and_then(Value::as_f64),
                difference: e.pointer("/change/difference").and_then(Value::as_f64),
                bounds: bounds.join(", "),
                u: e.pointer("/mann-whitney/u").and_then(Value::as_f64),
                p: e.pointer("/mann-whitney/p-value").and_then(Value::as_f64),
                canary_samples: n("/canary/samples"),
                baseline_samples: n("/baseline/samples"),
                canary_series: n("/canary/series"),
                baseline_series: n("/baseline/series"),
                window,
                critical: e
                    .pointer("/critical")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        })
        .collect();
    let rank = |s: &str| match s {
        "failed" => 0,
        "no data" => 1,
        "partial data" => 2,
        _ => 3,
    };
    // Stable: the policy's (params') order within a rank.
    rows.sort_by_key(|r| (rank(r.state), !r.finding.blocking));
    Some(Section {
        policy: p,
        decision,
        reasons,
        score: p
            .metrics
            .iter()
            .find(|m| m.name == "canary-score")
            .map(|m| m.value),
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_instants_read_as_the_policy_writes_them() {
        assert_eq!(num(0.00612), "0.00612");
        assert_eq!(num(1.63245), "1.632");
        assert_eq!(num(f64::INFINITY), "+Inf");
        assert_eq!(num(-0.00001439), "-1.439e-5");
        assert_eq!(num(1.4e-11), "1.4e-11");
        assert_eq!(metric_base("p95 Latency"), "p95-latency");
        assert_eq!(
            instant(Some(&serde_json::json!(1796173560.0))).as_deref(),
            Some("2026-12-02T01:06:00Z")
        );
    }
}
