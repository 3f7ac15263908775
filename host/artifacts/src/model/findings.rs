//! Security findings from any scanner, with severities normalized once.

use super::{Location, Severity};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingCategory {
    Vulnerability,
    Secret,
    Misconfiguration,
    Code,
    Other,
}

/// Where a normalized severity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeveritySource {
    /// Computed from a CVSS score or vector.
    Cvss,
    /// The tool's own severity label.
    Tool,
    /// SARIF `properties.security-severity`.
    SarifSecuritySeverity,
    /// SARIF result `level`.
    SarifLevel,
    /// SARIF rule `defaultConfiguration.level` (or the `warning` default).
    SarifRuleDefault,
    /// The source gave none: severity is `unknown`.
    None,
}

impl SeveritySource {
    pub fn as_str(self) -> &'static str {
        match self {
            SeveritySource::Cvss => "cvss",
            SeveritySource::Tool => "tool",
            SeveritySource::SarifSecuritySeverity => "sarif-security-severity",
            SeveritySource::SarifLevel => "sarif-level",
            SeveritySource::SarifRuleDefault => "sarif-rule-default",
            SeveritySource::None => "none",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default)]
pub struct AffectedPackage {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ecosystem: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    pub fixed_versions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SecurityFinding {
    pub tool: String,
    pub rule: String,
    pub category: FindingCategory,
    pub severity: Severity,
    pub severity_source: SeveritySource,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cvss: Option<f64>,
    pub title: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Boxed: SARIF and secret scanners give none, and inline it would
    /// cost every finding its 120 bytes (issue 11's memory target).
    pub package: Option<Box<AffectedPackage>>,
    pub cwes: Vec<String>,
    pub aliases: Vec<String>,
    /// Stable across runs and line shifts (see `fingerprint` helpers).
    pub fingerprint: String,
    pub suppressed: bool,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FindingsReport {
    pub findings: Vec<SecurityFinding>,
}

impl FindingsReport {
    /// Counts per normalized severity, in `Severity::ALL` order.
    pub fn counts(&self) -> [(Severity, usize); 6] {
        Severity::ALL.map(|s| (s, self.findings.iter().filter(|f| f.severity == s).count()))
    }
}
