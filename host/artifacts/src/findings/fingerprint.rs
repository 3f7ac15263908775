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
use std::collections::HashMap;

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
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(findings.len());
    for f in findings.iter_mut() {
        let n = seen.entry(f.fingerprint.clone()).or_insert(0);
        *n = n.saturating_add(1);
        if *n > 1 {
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
}
