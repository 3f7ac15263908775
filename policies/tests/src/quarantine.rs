//! Quarantine: tests whose failures and flakiness are accepted for a while,
//! with a reason and (usually) an expiry date — the waiver rules of
//! `builtin:security` applied to tests.

use gate_sdk::glob;
use gate_sdk::waiver::Expiry;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Quarantine {
    /// The test id as findings show it (CLASS::NAME or SUITE::NAME), or a glob over ids
    #[schemars(length(min = 1))]
    pub id: String,
    /// Why the test is quarantined (not blank)
    #[schemars(regex(pattern = r"\S"))]
    pub reason: String,
    /// YYYY-MM-DD (a day that exists); from that day on the entry no longer waives
    #[schemars(extend("format" = params::format::DATE))]
    pub expires: Option<String>,
    pub ticket: Option<String>,
}

impl Quarantine {
    /// Whether this entry names the test `id`.
    pub fn covers(&self, id: &str) -> bool {
        self.id == id || (glob::check(&self.id).is_ok() && glob::matches(&self.id, id))
    }

    /// Where this entry's expiry stands on day `today` (the SDK's waiver
    /// rule: a date that does not exist counts as expired).
    pub fn expiry(&self, today: i64) -> Expiry {
        Expiry::of(self.expires.as_deref(), today)
    }

    pub fn describe(&self) -> String {
        match &self.ticket {
            Some(t) => format!("quarantine of `{}` [{t}]", self.id),
            None => format!("quarantine of `{}`", self.id),
        }
    }
}

/// Expired entries (they no longer waive), entries in use that expire
/// soon, and entries that waived nothing.
pub fn findings(entries: &[Quarantine], used: &[bool], today: i64, horizon: i64) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, q) in entries.iter().enumerate() {
        let used = used.get(i).copied().unwrap_or(false);
        let expires = q.expires.as_deref().unwrap_or("");
        let expiry = q.expiry(today);
        match expiry {
            Expiry::Expired => out.push(
                Finding::new(
                    "tests/quarantine-expired",
                    Severity::Medium,
                    format!(
                        "{} expired on {expires}; it no longer waives anything (reason was: {})",
                        q.describe(),
                        q.reason
                    ),
                )
                .resource(q.id.clone())
                .remediation("fix the test or renew the quarantine with a new expiry date"),
            ),
            Expiry::Left(d) if d <= horizon && used => out.push(
                Finding::new(
                    "tests/quarantine-expiring",
                    Severity::Info,
                    format!(
                        "{} expires in {}, on {expires}",
                        q.describe(),
                        gate_codes::wording::count(d, "day", "days")
                    ),
                )
                .resource(q.id.clone()),
            ),
            _ => {}
        }
        if expiry.waives() && !used {
            out.push(
                Finding::new(
                    "tests/quarantine-unused",
                    Severity::Info,
                    format!("{} matched no failing or flaky test", q.describe()),
                )
                .resource(q.id.clone())
                .remediation("remove the quarantine once the test is reliable"),
            );
        }
    }
    out
}
