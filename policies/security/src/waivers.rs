//! Waivers: which finding a waiver covers, and whether it still counts.

use gate_sdk::glob;
use gate_sdk::*;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Waiver {
    pub id: String,
    pub package: Option<String>,
    pub path: Option<String>,
    pub rule: Option<String>,
    pub reason: String,
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

pub use gate_sdk::date::day_number;

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
