//! Finding fingerprints: what identifies a finding across runs.
//!
//! The contract wants every finding of a verdict to carry a non-empty
//! `fingerprint`, unique within the verdict. A policy that judges an artifact
//! finding copies that finding's fingerprint (the host computed it, stable
//! across runs and line shifts); for its own findings it may leave the field
//! empty and [`finish`] computes one:
//!
//! `sha256("gate-finding", rule, path, normalized message, resource)` — each
//! part followed by a NUL byte, lowercase hex; the path is the location's
//! (empty without one), the resource empty without one. Line and column are
//! never part of it. The message is normalized by [`normalize`]: whitespace
//! collapsed and every number replaced by `#`, so "line coverage 71.3% is
//! below 80%" keeps its fingerprint when the numbers move.
//!
//! Then, in verdict order, the second and later findings that share a
//! fingerprint get `sha256(fingerprint, "#n")` (n = 2, 3, ...): the same
//! rule firing twice on one file with the same message stays two findings.

use crate::bindings::gate::policy::types::{Finding, Verdict};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// Lowercase hex sha256 over `parts`, each followed by a NUL byte.
pub fn of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    format!("{:x}", h.finalize())
}

/// Whitespace collapsed and trimmed; every run of digits (with the `.` or
/// `,` between them) replaced by `#`.
pub fn normalize(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('#');
                in_number = true;
            }
            continue;
        }
        if in_number && matches!(c, '.' | ',') && chars.peek().is_some_and(char::is_ascii_digit) {
            continue;
        }
        in_number = false;
        out.push(c);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint computed for a finding that has none (see the module docs).
pub fn compute(f: &Finding) -> String {
    let path = f.location.as_ref().map_or("", |l| l.path.as_str());
    of(&[
        "gate-finding",
        &f.rule,
        path,
        &normalize(&f.message),
        f.resource.as_deref().unwrap_or(""),
    ])
}

/// Fills empty fingerprints and makes them unique within the verdict (see
/// the module docs). Idempotent: a finished verdict comes back unchanged.
pub fn finish(mut v: Verdict) -> Verdict {
    let mut prints = Prints::default();
    for f in &mut v.findings {
        prints.finish(f);
    }
    v
}

/// A fingerprint as 128 bits, for sets of many fingerprints: a set of keys
/// takes a fraction of the memory of a set of strings (a verdict of 100k
/// findings otherwise holds every fingerprint twice). Deterministic; two
/// different fingerprints share a key with negligible probability.
pub type Key = (u64, u64);

/// The [`Key`] of a fingerprint.
pub fn key(fingerprint: &str) -> Key {
    use std::hash::{Hash, Hasher};
    #[allow(deprecated)] // SipHash with fixed keys: deterministic across runs
    let half = |salt: u8| {
        let mut h = std::hash::SipHasher::new_with_keys(0x6761_7465, u64::from(salt));
        fingerprint.hash(&mut h);
        h.finish()
    };
    (half(1), half(2))
}

/// The fingerprints of a verdict so far, for finishing its findings one at
/// a time (findings emitted in batches and the returned ones share one).
#[derive(Debug, Default)]
pub struct Prints {
    seen: HashSet<Key>,
    /// The last `n` used per repeated fingerprint: linear, however many repeats.
    repeats: HashMap<String, u32>,
}

impl Prints {
    /// Fills `f`'s fingerprint when empty and makes it unique among the
    /// findings finished before it.
    pub fn finish(&mut self, f: &mut Finding) {
        if f.fingerprint.trim().is_empty() {
            f.fingerprint = compute(f);
        }
        if self.seen.insert(key(&f.fingerprint)) {
            return;
        }
        let base = std::mem::take(&mut f.fingerprint);
        let n = self.repeats.entry(base.clone()).or_insert(1);
        loop {
            *n = n.saturating_add(1);
            let candidate = of(&[&base, &format!("#{n}")]);
            if self.seen.insert(key(&candidate)) {
                f.fingerprint = candidate;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::gate::policy::types::Severity;

    #[test]
    fn numbers_and_whitespace_do_not_change_the_message() {
        assert_eq!(
            normalize("  line coverage 71.35% is\n below 80%,  1,024 lines "),
            "line coverage #% is below #%, # lines"
        );
        assert_eq!(normalize("v1.2 and 3."), "v# and #.");
    }

    #[test]
    fn recipe_is_rule_path_message_resource() {
        let f = Finding::new("r", Severity::Low, "m  1").at("a.tf", Some(3));
        assert_eq!(compute(&f), of(&["gate-finding", "r", "a.tf", "m #", ""]));
        // The line is not part of it.
        let g = Finding::new("r", Severity::Low, "m 2").at("a.tf", Some(9));
        assert_eq!(compute(&f), compute(&g));
        assert_ne!(compute(&f), compute(&g.resource("x")));
    }

    #[test]
    fn finish_fills_keeps_and_disambiguates_in_order() {
        let mut v = Verdict::pass("");
        let a = Finding::new("r", Severity::Low, "same").at("a", Some(1));
        let first = compute(&a);
        v.findings.push(a.clone());
        v.findings.push(a.clone());
        v.findings.push(a);
        v.findings
            .push(Finding::new("s", Severity::Low, "given").fingerprint("fp-1"));
        v.findings
            .push(Finding::new("s", Severity::Low, "given").fingerprint("fp-1"));
        let prints: Vec<String> = finish(v)
            .findings
            .into_iter()
            .map(|f| f.fingerprint)
            .collect();
        assert_eq!(
            prints,
            [
                first.clone(),
                of(&[&first, "#2"]),
                of(&[&first, "#3"]),
                "fp-1".to_string(),
                of(&["fp-1", "#2"]),
            ]
        );
    }

    #[test]
    fn finish_is_idempotent() {
        let mut v = Verdict::pass("");
        for _ in 0..3 {
            v.findings.push(Finding::new("r", Severity::Low, "x"));
        }
        let prints = |v: &Verdict| -> Vec<String> {
            v.findings.iter().map(|f| f.fingerprint.clone()).collect()
        };
        let once = finish(v);
        let twice = finish(once.clone());
        assert_eq!(prints(&once), prints(&twice));
    }
}
