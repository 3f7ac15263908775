//! Stable fingerprints: the same problem gets the same fingerprint across
//! runs and line shifts, so a baseline can tell new findings from old ones.
//!
//! Recipe (hex sha256 over the parts, each followed by a NUL byte):
//!
//! * dependency findings (trivy, grype, npm, cargo-audit, pip-audit, osv):
//!   `tool, advisory id, [manifest or target path], package name, version`;
//! * code findings (SARIF without producer fingerprints, trivy
//!   misconfigurations): `tool, rule, path, normalized message`;
//! * SARIF results with `fingerprints` (else `partialFingerprints`): `tool,
//!   rule, the producer's fingerprints as sorted key=value pairs` — they are
//!   designed for exactly this (CodeQL's `primaryLocationLineHash` hashes the
//!   line's content, not its number);
//! * secrets (gitleaks, trivy): `tool, rule, path, commit` (gitleaks) or
//!   `tool, rule, path, redacted match` (trivy) — never the secret itself.
//!
//! Line and column numbers are never part of a fingerprint. The message is
//! normalized (whitespace collapsed, trimmed). When two findings of one
//! report still share a fingerprint (the same secret rule twice in a file),
//! the second and later get `sha256(fingerprint, "#n")` in report order, so
//! fingerprints are unique within a report.

use crate::model::SecurityFinding;
use sha2::{Digest, Sha256};

pub fn of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    format!("{:x}", h.finalize())
}

/// Whitespace-collapsed, trimmed text: reflowed messages keep their print.
pub fn normalize(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Makes fingerprints unique within one report (see the module docs).
pub fn disambiguate(findings: &mut [SecurityFinding]) {
    // Equal fingerprints found by sorting indexes (8 bytes a finding, no
    // copy of a fingerprint); ties stay in report order, so the n-th
    // occurrence in the report is the n-th of its run.
    let repeats: Vec<(usize, usize)> = {
        let fp = |i: usize| findings.get(i).map_or("", |f| f.fingerprint.as_str());
        let mut order: Vec<usize> = (0..findings.len()).collect();
        order.sort_unstable_by(|&a, &b| fp(a).cmp(fp(b)).then(a.cmp(&b)));
        order
            .chunk_by(|&a, &b| fp(a) == fp(b))
            .flat_map(|run| {
                run.iter()
                    .enumerate()
                    .skip(1)
                    .map(|(k, &i)| (i, k.saturating_add(1)))
            })
            .collect()
    };
    for (i, n) in repeats {
        if let Some(f) = findings.get_mut(i) {
            f.fingerprint = of(&[&f.fingerprint, &format!("#{n}")]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_separated() {
        assert_eq!(of(&["a", "bc"]), of(&["a", "bc"]));
        assert_ne!(of(&["a", "bc"]), of(&["ab", "c"]));
        assert_eq!(
            normalize("  Unused\n  variable   a. "),
            "Unused variable a."
        );
    }

    #[test]
    fn repeats_are_numbered_in_report_order() {
        use crate::model::{FindingCategory, Severity, SeveritySource};
        let finding = |fp: &str| SecurityFinding {
            tool: "t".into(),
            rule: "r".into(),
            category: FindingCategory::Code,
            severity: Severity::Low,
            severity_source: SeveritySource::Tool,
            cvss: None,
            title: String::new(),
            message: String::new(),
            location: None,
            package: None,
            cwes: Vec::new(),
            aliases: Vec::new(),
            fingerprint: fp.into(),
            suppressed: false,
        };
        let mut fs: Vec<SecurityFinding> = ["b", "a", "b", "c", "b", "a"]
            .into_iter()
            .map(finding)
            .collect();
        disambiguate(&mut fs);
        let got: Vec<&str> = fs.iter().map(|f| f.fingerprint.as_str()).collect();
        let (b2, b3, a2) = (of(&["b", "#2"]), of(&["b", "#3"]), of(&["a", "#2"]));
        assert_eq!(got, ["b", "a", b2.as_str(), "c", b3.as_str(), a2.as_str()]);
    }
}
