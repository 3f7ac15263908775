//! `builtin:coverage`: line, branch and function coverage thresholds over the
//! host-merged coverage report.

use gate_sdk::*;
use serde::Deserialize;

const SCHEMA: &str = r#"{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "min-line": {"type": "number", "minimum": 0, "maximum": 100,
      "description": "Minimum line coverage in percent over all files"},
    "min-branch": {"type": "number", "minimum": 0, "maximum": 100,
      "description": "Minimum branch coverage in percent over all files"},
    "min-function": {"type": "number", "minimum": 0, "maximum": 100,
      "description": "Minimum function coverage in percent over all files"}
  }
}"#;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    pub min_line: Option<f64>,
    pub min_branch: Option<f64>,
    pub min_function: Option<f64>,
}

pub struct CoveragePolicy;

impl Policy for CoveragePolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "coverage",
            env!("CARGO_PKG_VERSION"),
            "Fails when line, branch or function coverage is below its threshold",
        )
        .consumes(&[ArtifactKind::Coverage])
        .params_schema(SCHEMA)
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let reports: Vec<&CoverageReport> = request.coverage(ArtifactRole::Current).collect();
        Ok(judge(&reports, &params))
    }
}

gate_sdk::export!(CoveragePolicy);

/// The policy's logic, separate from the bindings so it is tested natively.
pub fn judge(reports: &[&CoverageReport], params: &Params) -> Verdict {
    let mut lines = Counter {
        total: 0,
        covered: 0,
    };
    let mut branches = lines;
    let mut functions = lines;
    for r in reports {
        for (acc, c) in [
            (&mut lines, r.totals.lines),
            (&mut branches, r.totals.branches),
            (&mut functions, r.totals.functions),
        ] {
            acc.total += c.total;
            acc.covered += c.covered;
        }
    }
    if lines.total == 0 {
        return Verdict::skip("the coverage reports contain no coverable lines");
    }

    let mut verdict = Verdict::pass("");
    let conditions = [
        ("line", lines, params.min_line),
        ("branch", branches, params.min_branch),
        ("function", functions, params.min_function),
    ];
    let mut failed = Vec::new();
    let mut checked = 0;
    for (what, counter, threshold) in conditions {
        let name = format!("{what}-coverage");
        let Some(pct) = counter.percent() else {
            if let Some(t) = threshold {
                // A threshold on something the reports do not measure cannot
                // be met silently: say so and fail.
                failed.push(format!("no {what} data"));
                verdict.findings.push(
                    Finding::new(
                        &format!("coverage/{what}-threshold"),
                        Severity::High,
                        format!("min-{what} is {t}% but the reports contain no {what} data"),
                    )
                    .remediation(format!("produce {what} coverage or remove min-{what}")),
                );
            }
            continue;
        };
        let mut metric = Metric::new(&name, round2(pct)).unit("%");
        if let Some(t) = threshold {
            checked += 1;
            metric = metric.condition(Comparator::Ge, t);
            // Compare the exact ratio, not the rounded percentage.
            if pct < t {
                failed.push(format!("{what} {:.2}% < {t}%", pct));
                verdict.findings.push(
                    Finding::new(
                        &format!("coverage/{what}-threshold"),
                        Severity::High,
                        format!(
                            "{what} coverage is {:.2}% ({} of {}), below the minimum {t}%",
                            pct, counter.covered, counter.total
                        ),
                    )
                    .remediation(format!("add tests that exercise uncovered {what}s")),
                );
            }
        }
        verdict.metrics.push(metric);
        verdict
            .metrics
            .push(Metric::new(&format!("{what}s-covered"), counter.covered as f64).unit("count"));
        verdict
            .metrics
            .push(Metric::new(&format!("{what}s-total"), counter.total as f64).unit("count"));
    }
    let line_pct = lines.percent().unwrap_or(0.0);
    if failed.is_empty() {
        verdict.outcome = Outcome::Pass;
        verdict.summary = if checked == 0 {
            format!("line coverage {line_pct:.2}% (no thresholds set)")
        } else {
            format!("line coverage {line_pct:.2}%; all {checked} thresholds met")
        };
    } else {
        verdict.outcome = Outcome::Fail;
        verdict.summary = format!("coverage below threshold: {}", failed.join("; "));
    }
    verdict
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(lines: (u64, u64), branches: (u64, u64)) -> CoverageReport {
        CoverageReport {
            meta: ArtifactMeta {
                path: "lcov.info".into(),
                format: "lcov".into(),
                sha256: String::new(),
                role: ArtifactRole::Current,
            },
            totals: CoverageTotals {
                lines: Counter {
                    total: lines.0,
                    covered: lines.1,
                },
                branches: Counter {
                    total: branches.0,
                    covered: branches.1,
                },
                functions: Counter {
                    total: 0,
                    covered: 0,
                },
                statements: None,
            },
            files: Vec::new(),
        }
    }

    #[test]
    fn passes_at_exact_threshold_and_fails_just_below() {
        let p = Params {
            min_line: Some(80.0),
            ..Params::default()
        };
        let v = judge(&[&report((10, 8), (0, 0))], &p);
        assert_eq!(v.outcome, Outcome::Pass);
        // 7999/10000 rounds to 80.00% but the exact ratio is below 80.
        let v = judge(&[&report((10000, 7999), (0, 0))], &p);
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(v.findings.len(), 1);
        assert_eq!(v.findings[0].rule, "coverage/line-threshold");
    }

    #[test]
    fn reports_add_up_and_branch_threshold_is_separate() {
        let p = Params {
            min_line: Some(50.0),
            min_branch: Some(75.0),
            ..Params::default()
        };
        let a = report((10, 10), (4, 1));
        let b = report((10, 0), (4, 4));
        let v = judge(&[&a, &b], &p);
        // lines 10/20 = 50% ok; branches 5/8 = 62.5% < 75%
        assert_eq!(v.outcome, Outcome::Fail);
        let m = v
            .metrics
            .iter()
            .find(|m| m.name == "branch-coverage")
            .unwrap();
        assert_eq!(m.value, 62.5);
        assert_eq!(m.threshold, Some(75.0));
        assert!(v.summary.contains("branch 62.50% < 75%"), "{}", v.summary);
    }

    #[test]
    fn threshold_without_data_fails_and_empty_report_skips() {
        let p = Params {
            min_branch: Some(10.0),
            ..Params::default()
        };
        let v = judge(&[&report((10, 5), (0, 0))], &p);
        assert_eq!(v.outcome, Outcome::Fail);
        let v = judge(&[&report((0, 0), (0, 0))], &p);
        assert_eq!(v.outcome, Outcome::Skip);
    }

    #[test]
    fn unknown_params_are_rejected() {
        let r: Result<Params, _> = params::parse(r#"{"min-lines": 3}"#);
        assert!(r.is_err());
    }
}
