//! A self-contained HTML report (no network: inline CSS, inline SVG, a few
//! lines of JavaScript for sorting): outcome banner, coverage metrics as a
//! bar chart, findings by severity as a bar chart, the tests, performance
//! and canary sections (when a policy judged those; the latter two charted
//! in inline SVG, see [`super::svg`]), a sortable findings table, and the
//! policies with their digests.
//!
//! The verdict carries coverage per policy condition (line, branch,
//! function, scopes, patch), not per directory, so the coverage chart shows
//! those conditions against their thresholds.

use super::escape::html;
use crate::verdict::{Comparator, FindingStatus, Outcome, VerdictDoc};
use gate_artifacts::Severity;
use std::fmt::Write;

fn color(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "#1a7f37",
        Outcome::Warn => "#9a6700",
        Outcome::Fail => "#cf222e",
        Outcome::Skip => "#57606a",
        Outcome::Error => "#8250df",
    }
}

/// A horizontal bar chart; `bars` are (label, value, max, colour).
fn chart(id: &str, title: &str, bars: &[(String, f64, f64, &str)]) -> String {
    let row = 26.0;
    let height = (bars.len().max(1) as f64) * row + 10.0;
    let mut svg = format!(
        "<figure><figcaption>{}</figcaption><svg id=\"{id}\" class=\"chart\" viewBox=\"0 0 520 {height}\" width=\"520\" height=\"{height}\" role=\"img\">",
        html(title)
    );
    if bars.is_empty() {
        svg.push_str("<text x=\"4\" y=\"20\">nothing to chart</text>");
    }
    for (i, (label, value, max, fill)) in bars.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let w = if *max > 0.0 {
            (value / max).clamp(0.0, 1.0) * 300.0
        } else {
            0.0
        };
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\" class=\"label\">{}</text><rect class=\"bar\" x=\"190\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"18\" fill=\"{fill}\"><title>{}: {value}</title></rect><text x=\"{:.1}\" y=\"{:.1}\">{value}</text>",
            y + 14.0,
            html(label),
            html(label),
            196.0 + w,
            y + 14.0
        );
    }
    svg.push_str("</svg></figure>");
    svg
}

/// The tests sections (see [`super::tests`]): counts, then one table of
/// the failing tests (new before known), the flaky and the disappeared ones.
fn tests_sections(doc: &VerdictDoc) -> String {
    let mut out = String::new();
    for t in super::tests::sections(doc) {
        let _ = write!(
            out,
            "<h2>Tests ({})</h2>\n<p>{}</p>\n",
            html(&t.policy.name),
            html(&t.counts_line())
        );
        let mut rows = String::new();
        let disappeared: Vec<super::tests::Row> = t
            .disappeared
            .iter()
            .map(|f| super::tests::Row {
                state: "disappeared",
                finding: f,
            })
            .collect();
        for r in t.failing.iter().chain(&t.flaky).chain(&disappeared) {
            let _ = writeln!(
                rows,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                r.state,
                html(&r.place()),
                html(r.finding.resource.as_deref().unwrap_or("")),
                if r.finding.blocking { "yes" } else { "" },
                html(&r.finding.message)
            );
        }
        if !rows.is_empty() {
            let _ = write!(
                out,
                "<p>{}</p>\n<table class=\"tests\"><thead><tr><th>state</th><th>where</th><th>test</th><th>blocking</th><th>message</th></tr></thead><tbody>\n{rows}</tbody></table>\n",
                html(&t.failing_line())
            );
        }
    }
    out
}

/// The performance sections (see [`super::performance`]): what could not
/// be judged, then the budgets (value against limit) and the comparisons
/// with the baseline (baseline and current value, change against its
/// limit, the noise test), each as a chart and a table, failures first.
fn performance_sections(doc: &VerdictDoc) -> String {
    use super::performance::Judged;
    use super::svg::{Pair, Tone, pairs};
    let mut out = String::new();
    for (i, p) in super::performance::sections(doc).iter().enumerate() {
        let _ = write!(
            out,
            "<h2>Performance ({})</h2>\n<p>{}</p>\n",
            html(&p.policy.name),
            html(&p.counts_line())
        );
        if !p.problems.is_empty() {
            out.push_str("<ul class=\"problems\">\n");
            for f in &p.problems {
                let _ = writeln!(
                    out,
                    "<li>{}<code>{}</code>: {}</li>",
                    if f.blocking {
                        "<strong>blocking</strong> "
                    } else {
                        ""
                    },
                    html(&f.rule),
                    html(&f.message)
                );
            }
            out.push_str("</ul>\n");
        }
        if !p.budgets.is_empty() {
            let bars: Vec<Pair> = p
                .budgets
                .iter()
                .map(|b| Pair {
                    label: format!("{} {}", b.name, b.statistic),
                    baseline: None,
                    current: (b.value, b.value_text()),
                    marker: Some((b.limit, b.limit_text())),
                    tone: if b.failed { Tone::Bad } else { Tone::Good },
                    note: format!("({})", b.limit_text()),
                })
                .collect();
            out.push_str(&pairs(
                &format!("performance-budgets-{i}"),
                "Budgets: value against limit",
                &bars,
            ));
            out.push_str("\n<table class=\"budgets\"><thead><tr><th>metric</th><th>value</th><th>limit</th><th>result</th></tr></thead><tbody>\n");
            for b in &p.budgets {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td style=\"color:{}\">{}</td></tr>",
                    html(b.name),
                    html(b.statistic),
                    html(&b.value_text()),
                    html(&b.limit_text()),
                    if b.failed { "#cf222e" } else { "#1a7f37" },
                    b.status()
                );
            }
            out.push_str("</tbody></table>\n");
        }
        if !p.regressions.is_empty() {
            let bars: Vec<Pair> = p
                .regressions
                .iter()
                .map(|r| Pair {
                    label: format!("{} {}", r.name, r.statistic),
                    baseline: r.baseline.map(|b| (b, r.baseline_text())),
                    current: (r.value, r.value_text()),
                    // Where the change limit puts the value.
                    marker: match (r.baseline, r.limit) {
                        (Some(b), Some(l)) => {
                            Some((b * (1.0 + l / 100.0), format!("change {}", r.limit_text())))
                        }
                        _ => None,
                    },
                    tone: match r.judged {
                        Judged::Regression => Tone::Bad,
                        Judged::WithinNoise => Tone::Note,
                        Judged::WithinLimit => Tone::Good,
                    },
                    note: format!("{} {}", r.change_text(), r.judged.as_str()),
                })
                .collect();
            out.push_str(&pairs(
                &format!("performance-baseline-{i}"),
                "Against the baseline: baseline (grey) and current value, change limit dashed",
                &bars,
            ));
            out.push_str("\n<table class=\"regressions\"><thead><tr><th>metric</th><th>value</th><th>baseline</th><th>change</th><th>limit</th><th>noise</th><th>p</th><th>result</th></tr></thead><tbody>\n");
            for r in &p.regressions {
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"color:{}\">{}</td></tr>",
                    html(r.name),
                    html(r.statistic),
                    html(&r.value_text()),
                    html(&r.baseline_text()),
                    html(&r.change_text()),
                    html(&r.limit_text()),
                    html(r.noise.as_deref().unwrap_or("")),
                    r.p.map(super::performance::num).unwrap_or_default(),
                    match r.judged {
                        Judged::Regression => "#cf222e",
                        Judged::WithinNoise => "#9a6700",
                        Judged::WithinLimit => "#1a7f37",
                    },
                    r.judged.as_str()
                );
            }
            out.push_str("</tbody></table>\n");
        }
    }
    out
}

/// The canary sections (see [`super::canary`]): the decision and its
/// reasons, a chart of the canary against the baseline per metric (the
/// absolute maximum dashed) and a table of the figures behind it.
fn canary_sections(doc: &VerdictDoc) -> String {
    use super::canary::num;
    use super::svg::{Pair, Tone, pairs};
    let mut out = String::new();
    for (i, c) in super::canary::sections(doc).iter().enumerate() {
        let _ = write!(
            out,
            "<h2>Canary ({}): {}</h2>\n<p>{}</p>\n",
            html(&c.policy.name),
            c.decision,
            html(&c.decision_line())
        );
        let bars: Vec<Pair> = c
            .rows
            .iter()
            .filter_map(|r| {
                let max = r
                    .finding
                    .evidence
                    .as_deref()
                    .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
                    .and_then(|e| e.pointer("/bounds/max").and_then(serde_json::Value::as_f64));
                Some(Pair {
                    label: r.query.to_string(),
                    baseline: r.baseline.map(|b| (b, r.baseline_text())),
                    current: (r.canary?, r.canary_text()),
                    marker: max.map(|m| (m, format!("max {}", num(m)))),
                    tone: match r.state {
                        "failed" => Tone::Bad,
                        "passed" => Tone::Good,
                        _ => Tone::Note,
                    },
                    note: format!("{} {}", r.change_text(), r.state),
                })
            })
            .collect();
        out.push_str(&pairs(
            &format!("canary-{i}"),
            "Canary (coloured) against baseline (grey) per metric, absolute maximum dashed",
            &bars,
        ));
        out.push_str("\n<table class=\"canary\"><thead><tr><th>metric</th><th>canary</th><th>baseline</th><th>change</th><th>bounds</th><th>test</th><th>samples</th><th>window</th><th>result</th></tr></thead><tbody>\n");
        for r in &c.rows {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td style=\"color:{}\">{}: {}</td></tr>",
                html(r.query),
                if r.critical { " (critical)" } else { "" },
                html(&r.canary_text()),
                html(&r.baseline_text()),
                html(&r.change_text()),
                html(&r.bounds),
                html(&r.test_text()),
                html(&r.samples_text()),
                html(&r.window_text()),
                match r.state {
                    "failed" => "#cf222e",
                    "passed" => "#1a7f37",
                    _ => "#9a6700",
                },
                r.state,
                html(r.reason())
            );
        }
        out.push_str("</tbody></table>\n");
    }
    out
}

pub fn render(doc: &VerdictDoc) -> String {
    let mut coverage = Vec::new();
    for p in &doc.policies {
        for m in p
            .metrics
            .iter()
            .filter(|m| m.name.ends_with("coverage") && m.unit.as_deref() == Some("%"))
        {
            let fill = match (m.threshold, m.comparator) {
                (Some(t), Some(Comparator::Ge)) if m.value < t => "#cf222e",
                _ => "#1a7f37",
            };
            coverage.push((m.name.clone(), m.value, 100.0, fill));
        }
    }
    let all: Vec<_> = doc
        .policies
        .iter()
        .flat_map(|p| p.findings.iter().map(move |f| (p, f)))
        .collect();
    let max = Severity::ALL
        .iter()
        .map(|s| all.iter().filter(|(_, f)| f.severity == *s).count())
        .max()
        .unwrap_or(0) as f64;
    let severities: Vec<(String, f64, f64, &str)> = Severity::ALL
        .iter()
        .map(|s| {
            let n = all
                .iter()
                .filter(|(_, f)| f.severity == *s && f.status == FindingStatus::Open)
                .count() as f64;
            let fill = match s {
                Severity::Critical => "#8b0000",
                Severity::High => "#cf222e",
                Severity::Medium => "#bc4c00",
                Severity::Low => "#9a6700",
                Severity::Info => "#0969da",
                Severity::Unknown => "#57606a",
            };
            (s.as_str().to_string(), n, max.max(1.0), fill)
        })
        .collect();
    let mut rows = String::new();
    for (p, f) in &all {
        let place = f.location.as_ref().map(|l| match l.line {
            Some(n) => format!("{}:{n}", l.path),
            None => l.path.to_string(),
        });
        let rank = match f.severity {
            Severity::Critical => 5,
            Severity::High => 4,
            Severity::Medium => 3,
            Severity::Low => 2,
            Severity::Info => 1,
            Severity::Unknown => 0,
        };
        // The rule as the policy's catalog describes it: its short
        // description on hover, a link to its help when it has one.
        let rule = match p.rule(&f.rule) {
            Some(c) => {
                let code = format!(
                    "<code title=\"{}\">{}</code>",
                    html(&c.short_description),
                    html(&f.rule)
                );
                match &c.help_uri {
                    Some(uri) if uri.starts_with("https://") || uri.starts_with("http://") => {
                        format!("<a href=\"{}\">{code}</a>", html(uri))
                    }
                    _ => code,
                }
            }
            None => format!("<code>{}</code>", html(&f.rule)),
        };
        let _ = writeln!(
            rows,
            "<tr><td>{}</td><td data-sort=\"{rank}\">{}</td><td>{rule}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            html(&p.name),
            f.severity.as_str(),
            html(
                &place
                    .or_else(|| f.resource.as_deref().map(str::to_string))
                    .unwrap_or_default()
            ),
            f.status,
            if f.blocking { "yes" } else { "" },
            html(&f.message)
        );
    }
    let mut policies = String::new();
    for p in &doc.policies {
        let _ = writeln!(
            policies,
            "<tr><td>{}</td><td style=\"color:{}\">{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            html(&p.name),
            color(p.outcome),
            p.outcome.as_str(),
            html(&p.reference),
            html(&p.digest),
            html(&p.summary)
        );
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>gate: {outcome}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1f2328}}
.banner{{padding:18px 24px;color:#fff;background:{bg}}} .banner h1{{margin:0;font-size:22px}}
main{{padding:16px 24px}} table{{border-collapse:collapse;width:100%;margin:8px 0 24px}}
th,td{{border-bottom:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}}
th{{cursor:pointer;background:#f6f8fa}} .charts{{display:flex;flex-wrap:wrap;gap:24px}}
figure{{margin:0}} figcaption{{font-weight:600;margin-bottom:4px}} .label{{font-size:12px}}
</style></head><body>
<div class="banner"><h1>gate: {outcome}</h1><div>{summary} · now {now} · gate {version}</div></div>
<main>
<div class="charts">{coverage_chart}{severity_chart}</div>
{tests}{performance}{canary}<h2>Findings</h2>
<table id="findings"><thead><tr><th>policy</th><th>severity</th><th>rule</th><th>where</th><th>status</th><th>blocking</th><th>message</th></tr></thead>
<tbody>
{rows}</tbody></table>
<h2>Policies</h2>
<table><thead><tr><th>policy</th><th>outcome</th><th>ref</th><th>digest</th><th>summary</th></tr></thead><tbody>
{policies}</tbody></table>
</main>
<script>
document.querySelectorAll('#findings th').forEach(function (th, col) {{
  th.addEventListener('click', function () {{
    var body = document.querySelector('#findings tbody');
    var rows = Array.prototype.slice.call(body.rows);
    var dir = th.dataset.dir === 'asc' ? -1 : 1; th.dataset.dir = dir === 1 ? 'asc' : 'desc';
    rows.sort(function (a, b) {{
      var x = a.cells[col].dataset.sort || a.cells[col].textContent;
      var y = b.cells[col].dataset.sort || b.cells[col].textContent;
      return (isNaN(x) || isNaN(y) ? x.localeCompare(y) : x - y) * dir;
    }});
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }});
}});
</script></body></html>
"#,
        outcome = doc.outcome.as_str(),
        bg = color(doc.outcome),
        summary = html(&format!(
            "{} · {} passed · {} failed · {} errored",
            gate_codes::wording::count(doc.summary.policies, "policy", "policies"),
            doc.summary.passed,
            doc.summary.failed,
            doc.summary.errored
        )),
        now = html(&doc.now),
        version = doc.gate_version,
        coverage_chart = chart("coverage-chart", "Coverage", &coverage),
        tests = tests_sections(doc),
        performance = performance_sections(doc),
        canary = canary_sections(doc),
        severity_chart = chart("severity-chart", "Open findings by severity", &severities),
    )
}
