//! GitHub Actions: workflow-command annotations on stdout, and a Markdown
//! step summary for `$GITHUB_STEP_SUMMARY`.
//!
//! GitHub shows at most 10 error and 10 warning annotations per step and
//! drops the rest silently, so gate emits the 10 most severe of each and
//! says in a plain line how many it left out. Report text is escaped so it
//! can never end a property or start a new command.

use super::escape::{gh_data, gh_property};
use super::markdown;
use crate::verdict::{Finding, FindingStatus, VerdictDoc};
use std::fmt::Write;

/// GitHub's per-step annotation limits.
pub const MAX_PER_KIND: usize = 10;
/// `$GITHUB_STEP_SUMMARY` is limited to 1 MiB per step.
pub const SUMMARY_LIMIT: usize = 1 << 20;

fn command(kind: &str, f: &Finding, policy: &str) -> String {
    let mut props = Vec::new();
    if let Some(l) = &f.location {
        props.push(format!("file={}", gh_property(&l.path)));
        if let Some(n) = l.line {
            props.push(format!("line={n}"));
        }
        if let Some(e) = l.end_line {
            props.push(format!("endLine={e}"));
        }
    }
    props.push(format!(
        "title={}",
        gh_property(&format!("{policy}: {}", f.rule))
    ));
    format!("::{kind} {}::{}", props.join(","), gh_data(&f.message))
}

pub fn render(doc: &VerdictDoc) -> String {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for p in &doc.policies {
        for f in p
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Open)
        {
            if f.blocking {
                errors.push((f, p.name.as_str()));
            } else {
                warnings.push((f, p.name.as_str()));
            }
        }
    }
    errors.sort_by_key(|(f, _)| std::cmp::Reverse(f.severity));
    warnings.sort_by_key(|(f, _)| std::cmp::Reverse(f.severity));
    let mut out = String::new();
    for (f, p) in errors.iter().take(MAX_PER_KIND) {
        let _ = writeln!(out, "{}", command("error", f, p));
    }
    for (f, p) in warnings.iter().take(MAX_PER_KIND) {
        let _ = writeln!(out, "{}", command("warning", f, p));
    }
    for p in doc.policies.iter().filter(|p| p.error.is_some()) {
        let msg = p
            .error
            .as_ref()
            .map(|e| format!("{}: {}", e.kind, e.message))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::error title={}::{}",
            gh_property(&format!("{}: policy error", p.name)),
            gh_data(&msg)
        );
    }
    let left =
        errors.len().saturating_sub(MAX_PER_KIND) + warnings.len().saturating_sub(MAX_PER_KIND);
    if left > 0 {
        let _ = writeln!(
            out,
            "gate: {} not annotated (GitHub shows at most {MAX_PER_KIND} errors and {MAX_PER_KIND} warnings per step); see the step summary",
            gate_codes::wording::count(left, "more finding", "more findings")
        );
    }
    let _ = writeln!(
        out,
        "gate: {} — exit {}",
        doc.outcome.as_str(),
        doc.exit_code
    );
    out
}

/// The step summary: the Markdown report, whole sections dropped from the
/// end until it fits GitHub's limit.
pub fn step_summary(doc: &VerdictDoc) -> String {
    let mut sections = markdown::sections(doc);
    let note = "\n_Some sections were left out to stay within GitHub's step summary limit._\n";
    loop {
        let text = sections.join("\n");
        if text.len() + note.len() <= SUMMARY_LIMIT || sections.len() <= 1 {
            let mut text = text;
            if text.len() > SUMMARY_LIMIT {
                let mut cut = SUMMARY_LIMIT - note.len();
                while !text.is_char_boundary(cut) {
                    cut -= 1;
                }
                text.truncate(cut);
                text.push_str(note);
            }
            return text;
        }
        sections.pop();
        if sections.len() == 1 {
            let mut t = sections.join("\n");
            t.push_str(note);
            if t.len() <= SUMMARY_LIMIT {
                return t;
            }
        }
    }
}
