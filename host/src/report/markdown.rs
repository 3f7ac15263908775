//! A pull request comment: outcome, one row per policy, what changed against
//! the base (new, fixed, waived, waivers expiring soon), coverage figures
//! the tests, performance and canary sections (the canary's metrics as
//! Mermaid charts GitHub draws) and the most severe findings with
//! `file:line`.

use super::escape::md_cell;
use crate::verdict::{Finding, FindingStatus, Outcome, PolicyEntry, VerdictDoc};
use std::fmt::Write;

fn icon(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "✅ pass",
        Outcome::Warn => "⚠️ warn",
        Outcome::Fail => "❌ fail",
        Outcome::Skip => "⏭️ skip",
        Outcome::Error => "💥 error",
    }
}

/// `file:line`, linked to the file at the run's commit when the CI context
/// names the repository (GitHub `blob/SHA/path#Ln`, GitLab `-/blob/...`).
fn place(doc: &VerdictDoc, f: &Finding) -> String {
    match &f.location {
        Some(l) => {
            let text = match l.line {
                Some(n) => format!("`{}:{n}`", l.path),
                None => format!("`{}`", l.path),
            };
            match (&doc.context.repository_url, &doc.context.commit) {
                (Some(repo), Some(sha)) if !l.path.starts_with('/') && !l.path.contains("://") => {
                    let blob = if repo.contains("github") {
                        "blob"
                    } else {
                        "-/blob"
                    };
                    let anchor = l.line.map(|n| format!("#L{n}")).unwrap_or_default();
                    format!(
                        "[{text}]({repo}/{blob}/{sha}/{}{anchor})",
                        l.path.replace(' ', "%20")
                    )
                }
                _ => text,
            }
        }
        None => f
            .resource
            .clone()
            .map(|r| format!("`{r}`"))
            .unwrap_or_default(),
    }
}

/// The rule of a finding: `` `id` ``, linked to the help its policy's
/// catalog gives (an http(s) URI, with the rule's short description as the
/// link title).
fn rule_cell(p: &PolicyEntry, f: &Finding) -> String {
    let code = format!("`{}`", md_cell(&f.rule));
    match p.rule(&f.rule) {
        Some(c) => match c.help_uri.as_deref() {
            Some(uri)
                if (uri.starts_with("https://") || uri.starts_with("http://"))
                    && !uri.contains(|ch: char| ch.is_whitespace() || "()<>\"|".contains(ch)) =>
            {
                format!(
                    "[{code}]({uri} \"{}\")",
                    md_cell(&c.short_description).replace('"', "'")
                )
            }
            _ => code,
        },
        None => code,
    }
}

/// Sections in order; the GitHub step summary drops whole sections from
/// the end to stay under its size limit.
pub fn sections(doc: &VerdictDoc) -> Vec<String> {
    let mut out = Vec::new();
    let mut head = String::new();
    let _ = writeln!(head, "## gate: {}\n", icon(doc.outcome));
    let _ = writeln!(head, "| policy | outcome | summary |\n|---|---|---|");
    for p in &doc.policies {
        let mut summary = md_cell(&p.summary);
        if let Some(o) = &p.overridden {
            summary = format!(
                "**OVERRIDDEN by {}**: {} — {summary}",
                md_cell(&o.by),
                md_cell(&o.reason)
            );
        }
        let _ = writeln!(
            head,
            "| {} | {} | {} |",
            md_cell(&p.name),
            icon(p.outcome),
            summary
        );
    }
    out.push(head);

    let metrics: Vec<String> = doc
        .policies
        .iter()
        .flat_map(|p| p.metrics.iter())
        .filter(|m| m.name.ends_with("coverage") || m.name.ends_with("coverage-delta"))
        .map(|m| {
            let cond = match (m.comparator, m.threshold) {
                (Some(c), Some(t)) => format!(" (must be {c} {t})"),
                _ => String::new(),
            };
            format!(
                "| {} | {}{} |{} |",
                m.name,
                m.value,
                m.unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default(),
                cond
            )
        })
        .collect();
    if !metrics.is_empty() {
        out.push(format!(
            "### Coverage\n\n| metric | value | condition |\n|---|---|---|\n{}\n",
            metrics.join("\n")
        ));
    }

    let all: Vec<&Finding> = doc
        .policies
        .iter()
        .flat_map(|p| p.findings.iter())
        .collect();
    let new = all
        .iter()
        .filter(|f| {
            f.evidence
                .as_deref()
                .is_some_and(|e| e.contains("new since baseline"))
        })
        .count();
    let fixed = all
        .iter()
        .filter(|f| f.status == FindingStatus::Fixed)
        .count();
    let waived = all
        .iter()
        .filter(|f| f.status == FindingStatus::Waived)
        .count();
    let expiring: Vec<&&Finding> = all
        .iter()
        .filter(|f| f.rule == "security/waiver-expiring")
        .collect();
    if new + fixed + waived + expiring.len() > 0 {
        let mut s = format!(
            "### Changes\n\n- new since base: {new}\n- fixed since base: {fixed}\n- waived: {waived}\n"
        );
        for e in expiring {
            let _ = writeln!(s, "- ⏳ {}", md_cell(&e.message));
        }
        out.push(s);
    }

    out.extend(tests_sections(doc));
    out.extend(performance_sections(doc));
    out.extend(canary_sections(doc));

    let mut top: Vec<(&PolicyEntry, &Finding)> = doc
        .policies
        .iter()
        .flat_map(|p| p.findings.iter().map(move |f| (p, f)))
        .filter(|(_, f)| f.status == FindingStatus::Open)
        .collect();
    top.sort_by_key(|(_, f)| std::cmp::Reverse((f.blocking, f.severity)));
    if !top.is_empty() {
        let mut s = String::from(
            "### Top findings\n\n| | severity | rule | where | message |\n|---|---|---|---|---|\n",
        );
        for (p, f) in top.iter().take(20) {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                if f.blocking { "🛑" } else { "" },
                f.severity.as_str(),
                rule_cell(p, f),
                place(doc, f),
                md_cell(&f.message.chars().take(300).collect::<String>())
            );
        }
        if top.len() > 20 {
            let _ = writeln!(s, "\n…and {} more.", top.len() - 20);
        }
        out.push(s);
    }
    out.push(format!(
        "<sub>gate {} · now {} · {}</sub>\n",
        doc.gate_version,
        doc.now,
        doc.policies
            .iter()
            .map(|p| format!("{} {}", p.name, p.digest.get(..19).unwrap_or(&p.digest)))
            .collect::<Vec<_>>()
            .join(" · ")
    ));
    out
}

/// The tests sections (see [`super::tests`]): counts, then a table of the
/// failing tests (new before known), the flaky and the disappeared ones.
fn tests_sections(doc: &VerdictDoc) -> Vec<String> {
    let mut out = Vec::new();
    for t in super::tests::sections(doc) {
        let mut s = format!(
            "### Tests ({})

{}
",
            md_cell(&t.policy.name),
            t.counts_line()
        );
        for (title, rows) in [
            (t.failing_line(), &t.failing),
            (format!("{} flaky", t.flaky.len()), &t.flaky),
        ] {
            if rows.is_empty() {
                continue;
            }
            let _ = write!(
                s,
                "\n**{}**\n\n| | state | where | test | message |\n|---|---|---|---|---|\n",
                md_cell(&title)
            );
            for r in rows.iter().take(super::tests::SHOWN) {
                let _ = writeln!(
                    s,
                    "| {} | {} | {} | {} | {} |",
                    if r.finding.blocking { "🛑" } else { "" },
                    r.state,
                    md_cell(&r.place()),
                    md_cell(r.finding.resource.as_deref().unwrap_or("")),
                    md_cell(&r.finding.message.chars().take(300).collect::<String>())
                );
            }
            if rows.len() > super::tests::SHOWN {
                let _ = writeln!(s, "\n…and {} more.", rows.len() - super::tests::SHOWN);
            }
        }
        if !t.disappeared.is_empty() {
            let _ = write!(s, "\n**{} disappeared**\n\n", t.disappeared.len());
            for f in t.disappeared.iter().take(super::tests::SHOWN) {
                let _ = writeln!(
                    s,
                    "- {}{}",
                    md_cell(f.resource.as_deref().unwrap_or(&f.message)),
                    if f.blocking { " 🛑" } else { "" }
                );
            }
            if t.disappeared.len() > super::tests::SHOWN {
                let _ = writeln!(
                    s,
                    "- …and {} more",
                    t.disappeared.len() - super::tests::SHOWN
                );
            }
        }
        out.push(s);
    }
    out
}

/// The performance sections (see [`super::performance`]): what could not
/// be judged, the budget table and the comparisons with the baseline,
/// failures first.
fn performance_sections(doc: &VerdictDoc) -> Vec<String> {
    let mut out = Vec::new();
    for p in super::performance::sections(doc) {
        let mut s = format!(
            "### Performance ({})\n\n{}\n",
            md_cell(&p.policy.name),
            p.counts_line()
        );
        if !p.problems.is_empty() {
            s.push('\n');
            for f in &p.problems {
                let _ = writeln!(
                    s,
                    "- {}`{}`: {}",
                    if f.blocking { "🛑 " } else { "" },
                    md_cell(&f.rule),
                    md_cell(&f.message)
                );
            }
        }
        if !p.budgets.is_empty() {
            s.push_str(
                "\n**Budgets**\n\n| | metric | value | limit | result |\n|---|---|---|---|---|\n",
            );
            for b in &p.budgets {
                let _ = writeln!(
                    s,
                    "| {} | `{}` {} | {} | {} | {} |",
                    if b.failed { "🛑" } else { "" },
                    md_cell(b.name),
                    md_cell(b.statistic),
                    md_cell(&b.value_text()),
                    md_cell(&b.limit_text()),
                    if b.failed { "❌ fail" } else { "✅ pass" }
                );
            }
        }
        if !p.regressions.is_empty() {
            s.push_str("\n**Against the baseline**\n\n| | metric | value | baseline | change | limit | noise | p | result |\n|---|---|---|---|---|---|---|---|---|\n");
            for r in &p.regressions {
                let bad = r.judged == super::performance::Judged::Regression;
                let _ = writeln!(
                    s,
                    "| {} | `{}` {} | {} | {} | {} | {} | {} | {} | {} |",
                    if bad { "🛑" } else { "" },
                    md_cell(r.name),
                    md_cell(r.statistic),
                    md_cell(&r.value_text()),
                    md_cell(&r.baseline_text()),
                    r.change_text(),
                    md_cell(&r.limit_text()),
                    md_cell(r.noise.as_deref().unwrap_or("")),
                    r.p.map(super::performance::num).unwrap_or_default(),
                    r.judged.as_str()
                );
            }
        }
        out.push(s);
    }
    out
}

/// The canary sections (see [`super::canary`]): the decision and its
/// reasons, a table of the metrics (failed first), and per metric a
/// Mermaid bar chart of the canary against the baseline with its absolute
/// bound — GitHub and GitLab draw them in comments and step summaries.
fn canary_sections(doc: &VerdictDoc) -> Vec<String> {
    use super::canary::num;
    let mut out = Vec::new();
    for c in super::canary::sections(doc) {
        let icon = match c.decision {
            "promote" => "✅",
            "roll back" => "❌",
            _ => "⚠️",
        };
        let mut s = format!(
            "### Canary ({}): {icon} {}\n\n{}\n\n| | metric | canary | baseline | change | bounds | test | samples | window | result |\n|---|---|---|---|---|---|---|---|---|---|\n",
            md_cell(&c.policy.name),
            c.decision,
            md_cell(&c.decision_line())
        );
        for r in &c.rows {
            let _ = writeln!(
                s,
                "| {} | `{}`{} | {} | {} | {} | {} | {} | {} | {} | {}: {} |",
                if r.finding.blocking { "🛑" } else { "" },
                md_cell(r.query),
                if r.critical { " (critical)" } else { "" },
                md_cell(&r.canary_text()),
                md_cell(&r.baseline_text()),
                md_cell(&r.change_text()),
                md_cell(&r.bounds),
                md_cell(&r.test_text()),
                md_cell(&r.samples_text()),
                md_cell(&r.window_text()),
                r.state,
                md_cell(r.reason())
            );
        }
        for r in &c.rows {
            let Some(cv) = r.canary.filter(|v| v.is_finite()) else {
                continue;
            };
            let bv = r.baseline.filter(|v| v.is_finite());
            let (names, values) = match bv {
                Some(bv) => (
                    "\"baseline\", \"canary\"",
                    format!("{}, {}", num(bv), num(cv)),
                ),
                None => ("\"canary\"", num(cv)),
            };
            let max = r
                .finding
                .evidence
                .as_deref()
                .and_then(|e| serde_json::from_str::<serde_json::Value>(e).ok())
                .and_then(|e| e.pointer("/bounds/max").and_then(serde_json::Value::as_f64))
                .filter(|v| v.is_finite());
            let top = [Some(cv), bv, max]
                .into_iter()
                .flatten()
                .fold(0.0f64, f64::max);
            let title = format!(
                "{}{}: {}",
                r.query,
                if r.unit.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", r.unit)
                },
                r.state
            )
            .replace('"', "'");
            let _ = write!(
                s,
                "\n```mermaid\nxychart-beta\n    title \"{title}\"\n    x-axis [{names}]\n"
            );
            if [Some(cv), bv, max].into_iter().flatten().all(|v| v >= 0.0) && top > 0.0 {
                let label = if r.unit.is_empty() {
                    String::new()
                } else {
                    format!("\"{}\" ", r.unit.replace('"', "'"))
                };
                let _ = writeln!(s, "    y-axis {label}0 --> {}", num(top * 1.2));
            }
            let _ = writeln!(s, "    bar [{values}]");
            if let Some(m) = max {
                let line = if bv.is_some() {
                    format!("{}, {}", num(m), num(m))
                } else {
                    num(m)
                };
                let _ = writeln!(s, "    line [{line}]");
            }
            s.push_str("```\n");
        }
        out.push(s);
    }
    out
}

pub fn render(doc: &VerdictDoc) -> String {
    sections(doc).join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verdict::RuleInfo;
    use gate_artifacts::Severity;

    #[test]
    fn a_rule_links_to_the_help_its_catalog_gives() {
        let mut d = crate::report::sarif::tests::doc(2);
        d.policies[0].rules = vec![RuleInfo {
            id: "R0".into(),
            default_severity: Severity::High,
            short_description: "no \"bad\" | things".into(),
            full_description: "full".into(),
            help: None,
            help_uri: Some("https://example.invalid/R0".into()),
            tags: vec![],
        }];
        let md = render(&d);
        assert!(
            md.contains(
                "| 🛑 | critical | [`R0`](https://example.invalid/R0 \"no 'bad' \\| things\") | "
            ),
            "{md}"
        );
        // R1 has no catalog entry: plain code.
        assert!(md.contains("| low | `R1` | "), "{md}");
    }
}
