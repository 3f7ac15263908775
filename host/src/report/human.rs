//! The human report: grouped by policy, then the tests, performance and
//! canary sections (when a policy judged those), then a one-line summary.

use super::tests::SHOWN;
use crate::verdict::{FindingStatus, Outcome, VerdictDoc};
use gate_codes::wording::count;
use std::io::Write;

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS ",
        Outcome::Warn => "WARN ",
        Outcome::Fail => "FAIL ",
        Outcome::Skip => "SKIP ",
        Outcome::Error => "ERROR",
    }
}

/// Whether stdout should get colors: a terminal, and `NO_COLOR` unset.
pub fn use_color() -> bool {
    use std::io::IsTerminal;
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

fn paint(o: Outcome, text: &str, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match o {
        Outcome::Pass => "32",
        Outcome::Warn => "33",
        Outcome::Fail => "31",
        Outcome::Skip => "90",
        Outcome::Error => "35",
    };
    format!("\x1b[1;{code}m{text}\x1b[0m")
}

/// Writes the report to `out` line by line, with ANSI colors on the
/// outcomes when `color` is set.
pub fn write(doc: &VerdictDoc, color: bool, out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(
        out,
        "gate {} · now {} ({}) · {}",
        doc.gate_version,
        doc.now,
        doc.context.now_source,
        count(doc.artifacts.len(), "artifact", "artifacts")
    )?;
    for a in &doc.artifacts {
        writeln!(out, "  {} [{} {}]", a.path, a.kind, a.format)?;
        for w in &a.warnings {
            writeln!(out, "    warning[{}]: {}", w.code, w.message)?;
        }
    }
    for p in &doc.policies {
        writeln!(out)?;
        let level = match p.policy_outcome {
            Some(said) => {
                format!(" (policy said {}, level {:?})", said.as_str(), p.level).to_lowercase()
            }
            None => String::new(),
        };
        writeln!(
            out,
            "{} {} {}{}{}",
            paint(p.outcome, mark(p.outcome), color),
            p.name,
            if p.version.is_empty() {
                String::new()
            } else {
                format!("{} ", p.version)
            },
            p.reference,
            level
        )?;
        if !p.summary.is_empty() {
            writeln!(out, "      {}", p.summary)?;
        }
        if let Some(o) = &p.overridden {
            writeln!(out, "      OVERRIDDEN by {}: {}", o.by, o.reason)?;
        }
        for m in &p.metrics {
            let cond = match (m.comparator, m.threshold) {
                (Some(c), Some(t)) => format!(" (must be {c} {t})"),
                _ => String::new(),
            };
            writeln!(
                out,
                "      {} = {}{}{}",
                m.name,
                m.value,
                m.unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default(),
                cond
            )?;
        }
        for f in &p.findings {
            let place = f
                .location
                .as_ref()
                .map(|l| match l.line {
                    Some(line) => format!(" {}:{line}", l.path),
                    None => format!(" {}", l.path),
                })
                .unwrap_or_default();
            let status = if f.status == FindingStatus::Open {
                String::new()
            } else {
                format!(" [{}]", f.status)
            };
            writeln!(
                out,
                "      {:<8} {}{}{} {}",
                f.severity.as_str(),
                f.rule,
                place,
                status,
                f.message
            )?;
        }
    }
    tests_section(out, doc)?;
    performance_section(out, doc)?;
    canary_section(out, doc)?;
    let s = &doc.summary;
    writeln!(out)?;
    writeln!(
        out,
        "{}: {} · {} passed · {} warned · {} failed · {} errored · {} skipped · exit {}",
        paint(doc.outcome, doc.outcome.as_str(), color),
        count(s.policies, "policy", "policies"),
        s.passed,
        s.warned,
        s.failed,
        s.errored,
        s.skipped,
        doc.exit_code
    )
}

/// The tests section (see [`super::tests`]): counts, then the failing,
/// flaky and disappeared tests, each list at most [`SHOWN`] long.
fn tests_section(out: &mut dyn Write, doc: &VerdictDoc) -> std::io::Result<()> {
    for t in super::tests::sections(doc) {
        writeln!(out)?;
        writeln!(out, "tests ({}): {}", t.policy.name, t.counts_line())?;
        let lists = [
            (t.failing_line(), &t.failing),
            (format!("{} flaky", t.flaky.len()), &t.flaky),
        ];
        for (title, rows) in lists {
            if rows.is_empty() {
                continue;
            }
            writeln!(out, "  {title}")?;
            for r in rows.iter().take(SHOWN) {
                let place = r.place();
                writeln!(
                    out,
                    "    {:<11} {}{}{}",
                    r.state,
                    place,
                    if place.is_empty() { "" } else { " " },
                    r.finding.resource.as_deref().unwrap_or(&r.finding.message)
                )?;
            }
            more(out, rows.len())?;
        }
        if !t.disappeared.is_empty() {
            writeln!(out, "  {} disappeared", t.disappeared.len())?;
            for f in t.disappeared.iter().take(SHOWN) {
                writeln!(out, "    {}", f.resource.as_deref().unwrap_or(&f.message))?;
            }
            more(out, t.disappeared.len())?;
        }
    }
    Ok(())
}

/// The performance section (see [`super::performance`]): problems, the
/// budgets and the comparisons with the baseline, failures first.
fn performance_section(out: &mut dyn Write, doc: &VerdictDoc) -> std::io::Result<()> {
    for s in super::performance::sections(doc) {
        writeln!(out)?;
        writeln!(out, "performance ({}): {}", s.policy.name, s.counts_line())?;
        for f in &s.problems {
            writeln!(
                out,
                "  {:<4} {} {}",
                if f.blocking { "FAIL" } else { "note" },
                f.rule,
                f.message
            )?;
        }
        if !s.budgets.is_empty() {
            writeln!(out, "  budgets")?;
            let rows: Vec<[String; 4]> = s
                .budgets
                .iter()
                .map(|b| {
                    [
                        b.status().to_uppercase(),
                        format!("{} {}", b.name, b.statistic),
                        b.value_text(),
                        b.limit_text(),
                    ]
                })
                .collect();
            table(out, &rows)?;
        }
        if !s.regressions.is_empty() {
            writeln!(out, "  against the baseline")?;
            let rows: Vec<[String; 7]> = s
                .regressions
                .iter()
                .map(|r| {
                    [
                        r.judged.as_str().to_string(),
                        format!("{} {}", r.name, r.statistic),
                        r.value_text(),
                        format!("baseline {}", r.baseline_text()),
                        r.change_text(),
                        format!("limit {}", r.limit_text()),
                        r.p_text(),
                    ]
                })
                .collect();
            table(out, &rows)?;
            for r in s.regressions.iter().filter(|r| r.noise.is_some()) {
                writeln!(
                    out,
                    "    {} {}: {}",
                    r.name,
                    r.statistic,
                    r.noise.as_deref().unwrap_or_default()
                )?;
            }
        }
    }
    Ok(())
}

/// The canary section (see [`super::canary`]): the decision with its
/// reasons, then per metric the values, change, bounds, test and samples.
fn canary_section(out: &mut dyn Write, doc: &VerdictDoc) -> std::io::Result<()> {
    for s in super::canary::sections(doc) {
        writeln!(out)?;
        writeln!(out, "canary ({}): {}", s.policy.name, s.decision_line())?;
        for r in &s.rows {
            writeln!(
                out,
                "  {:<12} {}{}",
                r.state,
                r.query,
                if r.critical { " (critical)" } else { "" }
            )?;
            let facts: Vec<String> = [
                ("canary", r.canary_text()),
                ("baseline", r.baseline_text()),
                ("change", r.change_text()),
                ("bounds", r.bounds.clone()),
                ("test", r.test_text()),
                ("samples", r.samples_text()),
                ("window", r.window_text()),
            ]
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
            writeln!(out, "    {}", facts.join(" · "))?;
            writeln!(out, "    {}", r.reason())?;
        }
    }
    Ok(())
}

/// Rows as aligned columns (by characters), indented four spaces.
fn table<const N: usize>(out: &mut dyn Write, rows: &[[String; N]]) -> std::io::Result<()> {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let mut line = String::from("   ");
        for (w, cell) in widths.iter().zip(row) {
            line.push(' ');
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', w - cell.chars().count()));
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn more(out: &mut dyn Write, len: usize) -> std::io::Result<()> {
    if len > SHOWN {
        writeln!(out, "    …and {} more", len - SHOWN)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn colors_only_when_asked() {
        assert_eq!(
            super::paint(crate::verdict::Outcome::Fail, "FAIL", false),
            "FAIL"
        );
        assert_eq!(
            super::paint(crate::verdict::Outcome::Fail, "FAIL", true),
            "\x1b[1;31mFAIL\x1b[0m"
        );
    }
}
