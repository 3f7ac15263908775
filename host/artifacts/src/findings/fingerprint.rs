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
use std::fmt::Write as _;

pub fn of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

/// Lowercase hex of a digest (what `{:x}` writes), without the formatter.
fn hex(digest: &[u8]) -> String {
    let mut out = String::with_capacity(digest.len().saturating_mul(2));
    for b in digest {
        for nibble in [b >> 4, b & 0xf] {
            out.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    out
}

/// Whitespace-collapsed, trimmed text: reflowed messages keep their print.
/// Whitespace as `str::split_whitespace` sees it (Unicode `White_Space`).
pub fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let bytes = message.as_bytes();
    // Where the current word began (`None`: between words).
    let mut word: Option<usize> = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Bytes below 0x80 are whole characters; others start one (or
        // continue one, never whitespace).
        let (blank, len) = if b < 0x80 {
            (char::from(b).is_whitespace(), 1)
        } else {
            match message.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => (false, 1),
            }
        };
        match (blank, word) {
            (true, Some(start)) => {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(message.get(start..i).unwrap_or_default());
                word = None;
            }
            (false, None) => word = Some(i),
            _ => {}
        }
        i = i.saturating_add(len);
    }
    if let Some(start) = word {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(message.get(start..).unwrap_or_default());
    }
    out
}

/// Makes fingerprints unique within one report (see the module docs).
pub fn disambiguate(findings: &mut [SecurityFinding]) {
    // Occurrences counted in report order, so the n-th occurrence in the
    // report is numbered n. One hash lookup a finding, no copy of a
    // fingerprint (sorting them compared whole strings many times over).
    let repeats: Vec<(usize, usize)> = {
        let mut seen: std::collections::HashMap<&str, usize> =
            std::collections::HashMap::with_capacity(findings.len());
        findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let n = seen.entry(f.fingerprint.as_str()).or_insert(0);
                *n = n.saturating_add(1);
                (*n > 1).then_some((i, *n))
            })
            .collect()
    };
    let mut tag = String::new();
    for (i, n) in repeats {
        if let Some(f) = findings.get_mut(i) {
            tag.clear();
            let _ = write!(tag, "#{n}");
            f.fingerprint = of(&[&f.fingerprint, &tag]);
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
    fn prints_are_sha256_in_lowercase_hex() {
        let want = format!("{:x}", Sha256::digest(b"a\0bc\0"));
        assert_eq!(of(&["a", "bc"]), want);
        assert_eq!(want.len(), 64);
    }

    #[test]
    fn normalize_splits_as_split_whitespace_does() {
        for text in [
            "",
            "   ",
            "one",
            " a  b\tc\n\r\u{b}\u{c}d ",
            "x\u{a0}y\u{2003}z\u{3000} \u{85}w",
            "caf\u{e9} na\u{ef}ve \u{1f600}  end",
            "\u{200b}zero-width is no whitespace\u{feff}",
        ] {
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalize(text), want, "{text:?}");
        }
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
