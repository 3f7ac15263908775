//! The human report: grouped by policy, then a one-line summary.

use crate::verdict::{Outcome, VerdictDoc};
use std::fmt::Write;

fn mark(o: Outcome) -> &'static str {
    match o {
        Outcome::Pass => "PASS ",
        Outcome::Warn => "WARN ",
        Outcome::Fail => "FAIL ",
        Outcome::Skip => "SKIP ",
        Outcome::Error => "ERROR",
    }
}

pub fn render(doc: &VerdictDoc) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "gate {} · now {} ({}) · {} artifact(s)",
        doc.gate_version,
        doc.now,
        doc.context.now_source,
        doc.artifacts.len()
    );
    for a in &doc.artifacts {
        let _ = writeln!(out, "  {} [{} {}]", a.path, a.kind, a.format);
        for w in &a.warnings {
            let _ = writeln!(out, "    warning[{}]: {}", w.code, w.message);
        }
    }
    for p in &doc.policies {
        let _ = writeln!(out);
        let level = match p.policy_outcome {
            Some(said) => {
                format!(" (policy said {}, level {:?})", said.as_str(), p.level).to_lowercase()
            }
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{} {} {}{}{}",
            mark(p.outcome),
            p.name,
            if p.version.is_empty() {
                String::new()
            } else {
                format!("{} ", p.version)
            },
            p.reference,
            level
        );
        if !p.summary.is_empty() {
            let _ = writeln!(out, "      {}", p.summary);
        }
        if let Some(o) = &p.overridden {
            let _ = writeln!(out, "      OVERRIDDEN by {}: {}", o.by, o.reason);
        }
        if let Some(e) = &p.error {
            let _ = writeln!(out, "      error[{}]: {}", e.kind, e.message);
        }
        for m in &p.metrics {
            let cond = match (m.comparator, m.threshold) {
                (Some(c), Some(t)) => format!(" (must be {c} {t})"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "      {} = {}{}{}",
                m.name,
                m.value,
                m.unit
                    .as_deref()
                    .map(|u| format!(" {u}"))
                    .unwrap_or_default(),
                cond
            );
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
            let status = if f.status == "open" {
                String::new()
            } else {
                format!(" [{}]", f.status)
            };
            let _ = writeln!(
                out,
                "      {:<8} {}{}{} {}",
                f.severity.as_str(),
                f.rule,
                place,
                status,
                f.message
            );
        }
    }
    let s = &doc.summary;
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{}: {} policies · {} passed · {} warned · {} failed · {} errored · {} skipped · exit {}",
        doc.outcome.as_str(),
        s.policies,
        s.passed,
        s.warned,
        s.failed,
        s.errored,
        s.skipped,
        doc.exit_code
    );
    out
}
