//! The tests section of the human, Markdown and HTML reports: what a test
//! results policy (`builtin:tests`, or any policy whose catalog has its
//! rules) found — failing tests first (new, then known, then quarantined),
//! then flaky and disappeared ones. Read from the verdict's findings and
//! metrics only, like every report.

use crate::verdict::{Finding, FindingStatus, PolicyEntry, VerdictDoc};

/// How many tests of each list a report shows before "…and N more".
pub const SHOWN: usize = 20;

/// One test in a list: how it stands and its finding.
pub struct Row<'a> {
    /// `new`, `known` or `failing` (no baseline) for failures; `flaky`,
    /// `known flaky` for flaky tests; `quarantined` for waived ones.
    pub state: &'static str,
    pub finding: &'a Finding,
}

impl Row<'_> {
    /// `path:line` or `path` of the test, empty when the report had none.
    pub fn place(&self) -> String {
        self.finding
            .location
            .as_ref()
            .map(|l| match l.line {
                Some(n) => format!("{}:{n}", l.path),
                None => l.path.to_string(),
            })
            .unwrap_or_default()
    }
}

/// The tests section of one policy.
pub struct Section<'a> {
    pub policy: &'a PolicyEntry,
    /// `tests`, `passed`, `failed`, `errored`, `skipped`, `flaky` as the
    /// policy's metrics give them.
    pub counts: Vec<(&'static str, f64)>,
    pub failing: Vec<Row<'a>>,
    pub flaky: Vec<Row<'a>>,
    pub disappeared: Vec<&'a Finding>,
}

impl Section<'_> {
    /// `37 tests · 20 passed · 9 failed · …` from the metrics.
    pub fn counts_line(&self) -> String {
        self.counts
            .iter()
            .map(|(name, v)| format!("{v} {name}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// `12 failing: 9 new, 3 known`.
    pub fn failing_line(&self) -> String {
        let mut by: Vec<(&str, usize)> = Vec::new();
        for r in &self.failing {
            match by.iter_mut().find(|(s, _)| *s == r.state) {
                Some((_, n)) => *n += 1,
                None => by.push((r.state, 1)),
            }
        }
        let parts: Vec<String> = by.iter().map(|(s, n)| format!("{n} {s}")).collect();
        format!("{} failing: {}", self.failing.len(), parts.join(", "))
    }
}

/// The sections of the policies that judged test results, in verdict order.
pub fn sections(doc: &VerdictDoc) -> Vec<Section<'_>> {
    doc.policies
        .iter()
        .filter(|p| p.rule("tests/failed").is_some() && p.error.is_none())
        .map(section)
        .collect()
}

fn section(p: &PolicyEntry) -> Section<'_> {
    let counts = ["tests", "passed", "failed", "errored", "skipped", "flaky"]
        .into_iter()
        .filter_map(|name| {
            p.metrics
                .iter()
                .find(|m| m.name == name)
                .map(|m| (name, m.value))
        })
        .collect();
    let waived = |f: &Finding| f.status == FindingStatus::Waived;
    let mut failing: Vec<Row> = p
        .findings
        .iter()
        .filter_map(|f| {
            let state = match &*f.rule {
                _ if waived(f) => "quarantined",
                "tests/known-failure" => "known",
                "tests/failed" | "tests/errored"
                    if f.evidence
                        .as_deref()
                        .is_some_and(|e| e.contains("new since baseline")) =>
                {
                    "new"
                }
                "tests/failed" | "tests/errored" => "failing",
                _ => return None,
            };
            matches!(
                &*f.rule,
                "tests/failed" | "tests/errored" | "tests/known-failure"
            )
            .then_some(Row { state, finding: f })
        })
        .collect();
    let rank = |s: &str| match s {
        "new" | "failing" => 0,
        "known" => 1,
        _ => 2,
    };
    // Stable: the policy's order within a rank, blocking ones first.
    failing.sort_by_key(|r| (rank(r.state), !r.finding.blocking));
    let mut flaky: Vec<Row> = p
        .findings
        .iter()
        .filter(|f| f.rule == "tests/flaky")
        .map(|f| Row {
            state: if waived(f) {
                "quarantined"
            } else if f.message.contains("(on the baseline too)") {
                "known flaky"
            } else {
                "flaky"
            },
            finding: f,
        })
        .collect();
    flaky.sort_by_key(|r| (r.state == "quarantined", !r.finding.blocking));
    Section {
        policy: p,
        counts,
        failing,
        flaky,
        disappeared: p
            .findings
            .iter()
            .filter(|f| f.rule == "tests/disappeared")
            .collect(),
    }
}
