//! The normalized models every parser produces. They mirror the types of
//! `wit/policy.wit` (the host converts them one-to-one) but are idiomatic Rust
//! and serialize to the stable JSON printed by `gate parse --json`.

pub mod approvals;
pub mod coverage;
pub mod findings;
pub mod iac;
pub mod metrics;
pub mod performance;
pub mod test_results;

use crate::error::WarningCode;
use serde::{Deserialize, Serialize};

pub use approvals::*;
pub use coverage::*;
pub use findings::*;
pub use iac::*;
pub use metrics::{MetricsReport, ResultType, Sample, Series, Side};
pub use performance::{Interval, Measurement, Parameter, Percentile, PerformanceReport};
pub use test_results::*;

/// A place in an artifact or in the repository.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct Location {
    /// Repository-relative with `/` separators when it could be mapped.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
}

impl Location {
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Self {
            path: path.into(),
            line,
            end_line: None,
            column: None,
        }
    }
}

/// Normalized severity. Ordered: `Unknown < Info < ... < Critical`; policies
/// decide how to rank `Unknown` (it is never silently `Low`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    #[default]
    Unknown,
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 6] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
        Severity::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// The CVSS v3 qualitative band of a base score.
    pub fn from_cvss(score: f64) -> Severity {
        if score >= 9.0 {
            Severity::Critical
        } else if score >= 7.0 {
            Severity::High
        } else if score >= 4.0 {
            Severity::Medium
        } else if score > 0.0 {
            Severity::Low
        } else {
            Severity::Info
        }
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "unknown" => Ok(Severity::Unknown),
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!("unknown severity `{other}`")),
        }
    }
}

gate_codes::names! {
    /// Which family an artifact belongs to.
    #[derive(PartialOrd, Ord)]
    pub enum ArtifactKind {
        Coverage = "coverage",
        Findings = "findings",
        Iac = "iac",
        Approvals = "approvals",
        Tests = "tests",
        Performance = "performance",
        Metrics = "metrics",
        Raw = "raw",
    }
}

/// Something suspicious found while parsing that did not stop it: a counter
/// that disagrees with the data, a path that could not be mapped.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Warning {
    /// Stable kebab-case code, e.g. `lcov-counter-mismatch`, `unmapped-path`.
    pub code: WarningCode,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            location: None,
        }
    }
}
