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
    hex_into(&mut out, digest);
    out
}

fn hex_into(out: &mut String, digest: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 64];
    for (pair, b) in buf.chunks_exact_mut(2).zip(digest) {
        for (slot, nibble) in pair.iter_mut().zip([b >> 4, b & 0xf]) {
            *slot = DIGITS.get(usize::from(nibble)).copied().unwrap_or(b'0');
        }
    }
    let len = digest.len().saturating_mul(2).min(buf.len());
    // ASCII digits: always UTF-8
    out.push_str(std::str::from_utf8(buf.get(..len).unwrap_or_default()).unwrap_or_default());
}

/// [`of`] with a last part that is `message` [`normalize`]d, hashed as it
/// is read (no normalized copy).
pub fn of_message(parts: &[&str], message: &str) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    normalized(message, |piece| h.update(piece.as_bytes()));
    h.update([0u8]);
    hex(&h.finalize())
}

/// Whitespace-collapsed, trimmed text: reflowed messages keep their print.
/// Whitespace as `str::split_whitespace` sees it (Unicode `White_Space`).
pub fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    normalized(message, |piece| out.push_str(piece));
    out
}

/// Hands [`normalize`]d `message` to `emit` in pieces: the longest slices
/// of it that are normalized already (words with single spaces between),
/// and the single spaces that replace other gaps.
fn normalized(message: &str, mut emit: impl FnMut(&str)) {
    let bytes = message.as_bytes();
    // The slice being gathered starts here; the last word ended there.
    let mut run: Option<usize> = None;
    let mut word_end = 0;
    // Whether the gap before the next word is exactly one ` `.
    let mut gap: Option<bool> = None;
    let mut i = 0;
    loop {
        if gap.is_none() && run.is_some() {
            // Inside a word: eight bytes at a time past printable ASCII.
            i = skip_printable(bytes, i);
            word_end = i;
        }
        let Some(&b) = bytes.get(i) else { break };
        // Bytes below 0x80 are whole characters; others start one.
        let (blank, len) = if b < 0x80 {
            (char::from(b).is_whitespace(), 1)
        } else {
            match message.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => (false, 1),
            }
        };
        if blank {
            gap = Some(gap.is_none() && b == b' ');
        } else {
            match (run, gap.take()) {
                (None, _) => run = Some(i),
                (Some(_), Some(true) | None) => {}
                (Some(start), Some(false)) => {
                    emit(message.get(start..word_end).unwrap_or_default());
                    emit(" ");
                    run = Some(i);
                }
            }
            word_end = i.saturating_add(len);
        }
        i = i.saturating_add(len);
    }
    if let Some(start) = run {
        emit(message.get(start..word_end).unwrap_or_default());
    }
}

/// Past the 8-byte chunks from `i` that hold only printable ASCII other
/// than a space (no whitespace, no start of a wider character).
fn skip_printable(bytes: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = bytes.get(i..i.saturating_add(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        // Any byte below 0x21 (exact as a yes/no), or with its high bit.
        let low = v.wrapping_sub(LO.wrapping_mul(0x21)) & !v & HI;
        if low | (v & HI) != 0 {
            break;
        }
        i = i.saturating_add(8);
    }
    i
}

/// A fingerprint as a hash key: hashed by its first 16 bytes (sha256 hex
/// already spreads evenly, and the map's hasher is keyed), compared whole.
#[derive(PartialEq, Eq)]
struct Print<'a>(&'a str);

impl std::hash::Hash for Print<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write(self.0.as_bytes().get(..16).unwrap_or(self.0.as_bytes()));
    }
}

/// Makes fingerprints unique within one report (see the module docs).
pub fn disambiguate(findings: &mut [SecurityFinding]) {
    // Occurrences counted in report order, so the n-th occurrence in the
    // report is numbered n. One hash lookup a finding, no copy of a
    // fingerprint (sorting them compared whole strings many times over).
    let repeats: Vec<(usize, usize)> = {
        let mut seen: std::collections::HashMap<Print<'_>, usize> =
            std::collections::HashMap::with_capacity(findings.len());
        findings
            .iter()
            .enumerate()
            .filter_map(|(i, f)| {
                let n = seen.entry(Print(&f.fingerprint)).or_insert(0);
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
            // `of(&[fingerprint, tag])`, written over the old one.
            let mut h = Sha256::new();
            for p in [f.fingerprint.as_str(), &tag] {
                h.update(p.as_bytes());
                h.update([0u8]);
            }
            f.fingerprint.clear();
            hex_into(&mut f.fingerprint, &h.finalize());
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
            "a \u{a0}b  c\u{1c}d\ne f ",
            " \u{2028}",
        ] {
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalize(text), want, "{text:?}");
            assert_eq!(of_message(&["t", "r"], text), of(&["t", "r", &want]));
        }
    }

    #[test]
    fn normalize_agrees_on_generated_text() {
        let pieces = [
            "abcdefghijkl",
            " ",
            "  ",
            "\n",
            "\t ",
            "é",
            "\u{a0}",
            "\u{2003}",
            "x",
            "\u{1c}",
            "0123456789",
            "\u{7f}",
            "😀",
            "\r\n",
        ];
        let mut state = 7u64;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..(state % 40) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            let want = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(normalize(&text), want, "{text:?}");
            assert_eq!(of_message(&["t"], &text), of(&["t", &want]));
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
