//! The one severity vocabulary. Every format maps its labels here, so
//! `moderate` (npm, GHSA) is medium and `negligible` (grype) is low in every
//! parser, and a score without a label is banded the same way everywhere.

use crate::model::{Severity, SeveritySource};

/// A tool's severity label, case-insensitive. `unknown`, `none`, `""` and
/// anything unrecognised give `None`: the caller falls back to a score or
/// records `unknown`, never guesses.
pub fn label(s: &str) -> Option<Severity> {
    Some(match s.trim().to_ascii_lowercase().as_str() {
        "critical" => Severity::Critical,
        "high" | "important" => Severity::High,
        "medium" | "moderate" => Severity::Medium,
        "low" | "negligible" | "minor" => Severity::Low,
        "info" | "informational" => Severity::Info,
        _ => return None,
    })
}

/// The tool's label wins (source `tool`); else the CVSS score's band
/// (source `cvss`); else `unknown` (source `none`).
pub fn resolve(label: Option<Severity>, cvss: Option<f64>) -> (Severity, SeveritySource) {
    match (label, cvss) {
        (Some(s), _) => (s, SeveritySource::Tool),
        (None, Some(c)) => (Severity::from_cvss(c), SeveritySource::Cvss),
        (None, None) => (Severity::Unknown, SeveritySource::None),
    }
}

/// A score in the CVSS range, else `None` (tools write `0` for "no score").
pub fn score(x: Option<f64>) -> Option<f64> {
    x.filter(|s| s.is_finite() && *s > 0.0 && *s <= 10.0)
}

/// Whether `s` is what [`cwe`] writes (`CWE-` and a `u32` without leading
/// zeros), which [`cwe`] maps to itself.
pub fn is_canonical_cwe(s: &str) -> bool {
    s.strip_prefix("CWE-").is_some_and(|d| {
        !d.is_empty()
            && d.bytes().all(|b| b.is_ascii_digit())
            && (d == "0" || !d.starts_with('0'))
            && d.parse::<u32>().is_ok()
    })
}

/// `external/cwe/cwe-079`, `CWE-79`, `cwe:79`, `79` → `CWE-79`.
pub fn cwe(tag: &str) -> Option<String> {
    // Bytes, ASCII case ignored: no lowercase copy of every tag.
    let t = tag.trim().as_bytes();
    let after = t
        .windows(3)
        .rposition(|w| w.eq_ignore_ascii_case(b"cwe"))
        .map(|idx| idx.saturating_add(3));
    let rest = match after {
        Some(idx) => t.get(idx..)?,
        None if t.iter().all(u8::is_ascii_digit) => t,
        None => return None,
    };
    // The first run of digits (UTF-8 continuation bytes are no digits).
    let start = rest.iter().position(u8::is_ascii_digit)?;
    let digits = rest.get(start..)?;
    let end = digits
        .iter()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    let n: u32 = std::str::from_utf8(digits.get(..end)?).ok()?.parse().ok()?;
    Some(format!("CWE-{n}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_cwes() {
        assert_eq!(label("moderate"), Some(Severity::Medium));
        assert_eq!(label("Negligible"), Some(Severity::Low));
        assert_eq!(label("UNKNOWN"), None);
        assert_eq!(label(""), None);
        assert_eq!(cwe("external/cwe/cwe-079").as_deref(), Some("CWE-79"));
        assert_eq!(cwe("CWE-1321").as_deref(), Some("CWE-1321"));
        assert_eq!(cwe("cwe:22").as_deref(), Some("CWE-22"));
        assert_eq!(cwe("security"), None);
        assert_eq!(cwe("CWE-noinfo"), None);
        assert_eq!(cwe("cwe"), None);
        assert_eq!(cwe(" 79 ").as_deref(), Some("CWE-79"));
        assert_eq!(cwe(""), None);
        assert_eq!(cwe("CWE-79 cwe-80").as_deref(), Some("CWE-80"));
        assert_eq!(cwe("Cwé-1 CwE:é22x").as_deref(), Some("CWE-22"));
        assert_eq!(cwe("cwe-99999999999"), None);
        for s in ["CWE-79", "CWE-0", "CWE-4294967295"] {
            assert!(is_canonical_cwe(s));
            assert_eq!(cwe(s).as_deref(), Some(s));
        }
        for s in [
            "CWE-079",
            "CWE-",
            "cwe-79",
            " CWE-79",
            "CWE-4294967296",
            "CWE-7a",
        ] {
            assert!(!is_canonical_cwe(s), "{s}");
        }
        assert_eq!(
            resolve(None, Some(9.1)),
            (Severity::Critical, SeveritySource::Cvss)
        );
        assert_eq!(
            resolve(None, None),
            (Severity::Unknown, SeveritySource::None)
        );
        assert_eq!(score(Some(0.0)), None);
    }
}
