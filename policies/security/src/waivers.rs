//! Waivers: which finding a waiver covers, and whether it still counts.

use gate_sdk::glob;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Waiver {
    /// Rule id or alias (CVE, GHSA, ...)
    #[schemars(length(min = 1))]
    pub id: String,
    /// Only this package (name or name@version)
    #[schemars(length(min = 1))]
    pub package: Option<String>,
    /// Only findings whose path matches this glob
    #[schemars(length(min = 1))]
    pub path: Option<String>,
    /// Only findings of this tool rule id
    #[schemars(length(min = 1))]
    pub rule: Option<String>,
    /// Why the finding is accepted (not blank)
    #[schemars(regex(pattern = r"\S"))]
    pub reason: String,
    /// YYYY-MM-DD (a day that exists); from that day on the waiver no longer waives
    #[schemars(extend("format" = params::format::DATE))]
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` prefix (civil calendar);
/// `None` unless that day exists (no month 13, no February 30).
pub fn day_number(date: &str) -> Option<i64> {
    let mut it = date.get(..10)?.split('-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: i64 = it.next()?.parse().ok()?;
    let d: i64 = it.next()?.parse().ok()?;
    let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

impl Waiver {
    /// Whether this waiver's id and scope cover the finding.
    pub fn covers(&self, f: &SecurityFinding) -> bool {
        let id = self.id.to_ascii_lowercase();
        let id_match = f.rule.to_ascii_lowercase() == id
            || f.aliases.iter().any(|a| a.to_ascii_lowercase() == id);
        if !id_match {
            return false;
        }
        if let Some(pkg) = &self.package {
            let Some(p) = &f.package else { return false };
            let full = format!("{}@{}", p.name, p.version.as_deref().unwrap_or(""));
            if *pkg != p.name && *pkg != full {
                return false;
            }
        }
        if let Some(pattern) = &self.path {
            match &f.location {
                Some(l) if glob::matches(pattern, &l.path) => {}
                _ => return false,
            }
        }
        if let Some(rule) = &self.rule
            && !rule.eq_ignore_ascii_case(&f.rule)
        {
            return false;
        }
        true
    }

    /// Days left until `expires` (negative or zero: expired), `None` if it never expires.
    pub fn days_left(&self, today: i64) -> Option<i64> {
        self.expires
            .as_deref()
            .and_then(day_number)
            .map(|d| d - today)
    }

    pub fn describe(&self) -> String {
        let mut s = format!("waiver {}", self.id);
        if let Some(p) = &self.package {
            s.push_str(&format!(" (package {p})"));
        }
        if let Some(p) = &self.path {
            s.push_str(&format!(" (path {p})"));
        }
        if let Some(t) = &self.ticket {
            s.push_str(&format!(" [{t}]"));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::day_number;

    #[test]
    fn civil_days() {
        assert_eq!(day_number("1970-01-01"), Some(0));
        assert_eq!(day_number("2000-03-01"), Some(11017));
        assert_eq!(day_number("2026-11-22T10:00:00Z"), Some(20779));
        assert_eq!(day_number("2026-13-01"), None);
        assert_eq!(day_number("2025-00-10"), None);
        assert_eq!(day_number("2025-02-29"), None);
        assert_eq!(day_number("2024-02-29"), Some(19782));
        assert_eq!(day_number("2025-04-31"), None);
    }
}
