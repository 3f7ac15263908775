//! Stable fingerprints: the same problem gets the same fingerprint across
//! runs and line shifts, so a baseline can tell new findings from old ones.
//!
//! Recipe: sha256 over the tool, the rule and what the finding is *about* —
//! the package name and version for dependency findings, else the path and
//! the message — joined with NUL bytes. Line numbers are deliberately left
//! out. SARIF producers' own `partialFingerprints`/`fingerprints` win when
//! present (they are designed for exactly this).

use sha2::{Digest, Sha256};

pub fn of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    format!("{:x}", h.finalize())
}
