//! CVSS v3.0/v3.1 base scores from vectors (cargo-audit and others give only
//! the vector). The formula and the "round up" of the v3.1 specification,
//! section 7 and appendix A.

/// The base score of a `CVSS:3.x/...` vector; `None` for anything else
/// (v2, v4, malformed), which callers treat as "no score".
pub fn base_score(vector: &str) -> Option<f64> {
    let (version, metrics) = vector.trim().split_once('/').unwrap_or((vector.trim(), ""));
    if version != "CVSS:3.1" && version != "CVSS:3.0" {
        return None;
    }
    // Every metric is `key:value`; a key given twice counts as its last
    // value. Looked up in the text, not copied into a map.
    let parts = || metrics.split('/').filter_map(|p| p.split_once(':'));
    if !metrics.is_empty() && metrics.split('/').any(|p| !p.contains(':')) {
        return None;
    }
    let m = Metrics(&parts);
    let scope_changed = match m.get("S")? {
        "U" => false,
        "C" => true,
        _ => return None,
    };
    let av = match m.get("AV")? {
        "N" => 0.85,
        "A" => 0.62,
        "L" => 0.55,
        "P" => 0.2,
        _ => return None,
    };
    let ac = match m.get("AC")? {
        "L" => 0.77,
        "H" => 0.44,
        _ => return None,
    };
    let pr = match (m.get("PR")?, scope_changed) {
        ("N", _) => 0.85,
        ("L", false) => 0.62,
        ("L", true) => 0.68,
        ("H", false) => 0.27,
        ("H", true) => 0.5,
        _ => return None,
    };
    let ui = match m.get("UI")? {
        "N" => 0.85,
        "R" => 0.62,
        _ => return None,
    };
    let cia = |k: &str| -> Option<f64> {
        Some(match m.get(k)? {
            "H" => 0.56,
            "L" => 0.22,
            "N" => 0.0,
            _ => return None,
        })
    };
    let (c, i, a) = (cia("C")?, cia("I")?, cia("A")?);
    let iss = 1.0 - (1.0 - c) * (1.0 - i) * (1.0 - a);
    let impact = if scope_changed {
        7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15)
    } else {
        6.42 * iss
    };
    let exploitability = 8.22 * av * ac * pr * ui;
    if impact <= 0.0 {
        return Some(0.0);
    }
    let raw = if scope_changed {
        (1.08 * (impact + exploitability)).min(10.0)
    } else {
        (impact + exploitability).min(10.0)
    };
    Some(round_up(raw))
}

/// A vector's metrics, looked up by key (the last one given wins).
struct Metrics<'f, F>(&'f F);

impl<'v, F, I> Metrics<'_, F>
where
    F: Fn() -> I,
    I: Iterator<Item = (&'v str, &'v str)>,
{
    fn get(&self, key: &str) -> Option<&'v str> {
        (self.0)().filter(|(k, _)| *k == key).last().map(|(_, v)| v)
    }
}

/// CVSS v3.1 Roundup: the smallest number with one decimal that is >= x,
/// computed in integers to avoid floating-point artefacts.
fn round_up(x: f64) -> f64 {
    let int_input = (x * 100_000.0).round() as i64;
    if int_input % 10_000 == 0 {
        int_input as f64 / 100_000.0
    } else {
        // x is a CVSS score (0–10), far from i64's limits.
        ((int_input / 10_000).saturating_add(1)) as f64 / 10.0
    }
}

// ------------------------------------------------------------ score checks

use crate::error::WarningCode;
use crate::json::Leaf;

/// One step of a JSON pointer, kept to order pointers as the old
/// whole-document walk met them: object keys in sorted order, array
/// indexes in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

impl From<&str> for Seg {
    fn from(s: &str) -> Self {
        Seg::Key(s.to_string())
    }
}

impl From<usize> for Seg {
    fn from(i: usize) -> Self {
        Seg::Index(i)
    }
}

/// CVSS scores that are not numbers from 0 to 10, counted while reading
/// (`invalid-cvss-score`, once, with the first pointer in key order, as the
/// whole-document walk this replaces named it). Each parser checks the
/// score fields of its format's shape (trivy `V2Score`/`V3Score`/
/// `V40Score`, grype `baseScore`, npm `cvss.score`, osv-scanner
/// `max_severity`); a score key elsewhere in a report is not looked at.
#[derive(Debug, Default)]
pub(crate) struct Scores {
    count: usize,
    first: Option<Vec<Seg>>,
}

impl Scores {
    /// Checks one score field; `at` builds its pointer (only when bad).
    pub fn check(&mut self, v: &Leaf<'_>, at: impl FnOnce() -> Vec<Seg>) {
        if valid_score(v) {
            return;
        }
        self.count = self.count.saturating_add(1);
        let path = at();
        if self.first.as_ref().is_none_or(|f| path < *f) {
            self.first = Some(path);
        }
    }

    /// The warning, if any score was bad.
    pub fn report(self, cx: &mut crate::ParseContext<'_>) {
        let Some(first) = self.first else { return };
        let ptr = first.iter().fold(String::new(), |p, s| match s {
            Seg::Key(k) => super::pointer(&p, k),
            Seg::Index(i) => format!("{p}/{i}"),
        });
        cx.warn(
            WarningCode::InvalidCvssScore,
            format!(
                "{} not numbers from 0 to 10 and were ignored (first: {ptr})",
                gate_codes::wording::count(self.count, "cvss score is", "cvss scores are")
            ),
        );
    }
}

/// A CVSS score as scanners write it: a number (or numeric string) from 0
/// to 10; null means "none".
fn valid_score(v: &Leaf<'_>) -> bool {
    let n = match v {
        Leaf::Null => return true,
        Leaf::Num(_) => v.as_f64(),
        Leaf::Str(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    n.is_some_and(|n| n.is_finite() && (0.0..=10.0).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::{Scores, base_score};
    use crate::json::{Leaf, Num};

    #[test]
    fn known_vectors() {
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
            Some(9.8)
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"),
            Some(7.5)
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"),
            Some(6.1)
        );
        assert_eq!(
            base_score("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"),
            Some(7.8)
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"),
            Some(10.0)
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:N"),
            Some(0.0)
        );
        assert_eq!(
            base_score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            None
        );
        assert_eq!(base_score("AV:N/AC:L/Au:N/C:P/I:P/A:P"), None);
        // A metric given twice counts as its last value; a part without
        // `:` or a trailing `/` makes the vector malformed.
        assert_eq!(
            base_score(" CVSS:3.1/AV:P/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U "),
            Some(9.8)
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/"),
            None
        );
        assert_eq!(
            base_score("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E"),
            None
        );
        assert_eq!(base_score("CVSS:3.1"), None);
        assert_eq!(base_score("CVSS:3.1/"), None);
    }

    #[test]
    fn scores_keep_the_first_in_key_order() {
        let mut s = Scores::default();
        let bad = Leaf::Num(Num::U(11));
        s.check(&Leaf::Num(Num::F(9.8)), || vec!["a".into()]);
        s.check(&bad, || vec!["m".into(), 10.into(), "z".into()]);
        s.check(&bad, || vec!["m".into(), 9.into(), "z".into()]);
        s.check(&Leaf::Str("high".into()), || vec!["m".into(), 9.into()]);
        assert_eq!(s.count, 3);
        assert_eq!(s.first, Some(vec!["m".into(), 9.into()]));
    }
}
