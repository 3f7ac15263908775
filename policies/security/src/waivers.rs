//! Waivers: which finding a waiver covers, and whether it still counts.

use gate_sdk::glob;
use gate_sdk::waiver::Expiry;
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

    /// Where the waiver stands on day `today` (see [`Expiry`]).
    pub fn expiry(&self, today: i64) -> Expiry {
        Expiry::of(self.expires.as_deref(), today)
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
