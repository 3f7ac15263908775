//! GitLab Code Quality JSON: one issue per open finding, with GitLab's
//! required fields (`description`, `check_name`, `fingerprint`, `severity`,
//! `location.path`, `location.lines.begin`). Waived, suppressed and fixed
//! findings are left out (GitLab would show them as new issues).
//!
//! `fingerprint` is `sha256(policy name, NUL, the finding's fingerprint)`:
//! the finding's own fingerprint is unique within its policy and stable
//! across runs; the policy name keeps two policies apart in GitLab's one list.

use crate::verdict::{FindingStatus, VerdictDoc};
use gate_artifacts::Severity;
use serde_json::json;
use sha2::{Digest, Sha256};

fn severity(s: Severity, blocking: bool) -> &'static str {
    match (s, blocking) {
        (Severity::Critical, _) => "blocker",
        (Severity::High | Severity::Unknown, _) => "critical",
        (_, true) => "critical",
        (Severity::Medium, _) => "major",
        (Severity::Low, _) => "minor",
        (Severity::Info, _) => "info",
    }
}

pub fn render(doc: &VerdictDoc) -> String {
    let fallback = doc
        .artifacts
        .first()
        .map(|a| a.path.clone())
        .unwrap_or_else(|| "gate.toml".into());
    let mut issues = Vec::new();
    for p in &doc.policies {
        for f in p
            .findings
            .iter()
            .filter(|f| f.status == FindingStatus::Open)
        {
            let (path, line) = match &f.location {
                Some(l) => (l.path.to_string(), l.line.unwrap_or(1)),
                None => (fallback.clone(), 1),
            };
            let fp = Sha256::digest(format!("{}\0{}", p.name, f.fingerprint).as_bytes());
            issues.push(json!({
                "type": "issue",
                "description": format!("{}: {}", f.rule, f.message),
                "check_name": format!("{}/{}", p.name, f.rule),
                "fingerprint": format!("{:x}", fp),
                "severity": severity(f.severity, f.blocking),
                "location": {"path": path, "lines": {"begin": line.max(1)}},
            }));
        }
    }
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
