//! The verdict document: the one result every report projects. Field order
//! and content are deterministic (no timings, no map iteration order), so
//! the same inputs give byte-identical JSON.

use crate::exit::Exit;
/// Every report reads outcomes and places with the verdict.
pub use crate::model::Outcome;
use crate::model::{
    Level, LogLine, Override, PackOrigin, PolicyErrorKind, PolicyFailure, Role, RunContext,
};
pub use gate_artifacts::Location;
use gate_artifacts::{ArtifactKind, Format, Severity, Warning};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

gate_codes::names! {
    /// What became of a finding (the contract's `finding-status`).
    pub enum FindingStatus {
        /// Reported and counted.
        Open = "open",
        /// Accepted by a waiver in the params.
        Waived = "waived",
        /// Suppressed in the artifact itself (an in-source annotation).
        Suppressed = "suppressed",
        /// In the baseline, gone now.
        Fixed = "fixed",
    }
}

gate_codes::names! {
    /// Where a policy's enforcement level came from, when not from gate.toml.
    pub enum LevelFrom {
        /// The pack's default level.
        Pack = "pack",
    }
}

gate_codes::names! {
    /// How a metric's value is compared with its threshold.
    pub enum Comparator {
        Ge = ">=",
        Gt = ">",
        Le = "<=",
        Lt = "<",
        Eq = "==",
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerdictDoc {
    pub schema_version: u32,
    pub gate_version: &'static str,
    pub outcome: Outcome,
    pub exit_code: u8,
    #[serde(skip)]
    pub exit: Exit,
    pub now: String,
    pub context: RunContext,
    pub artifacts: Vec<ArtifactEntry>,
    pub policies: Vec<PolicyEntry>,
    pub summary: Summary,
}

#[derive(Debug, Clone, Serialize)]
pub struct ArtifactEntry {
    pub path: String,
    pub kind: ArtifactKind,
    pub format: Format,
    pub role: Role,
    pub sha256: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyEntry {
    pub name: String,
    #[serde(rename = "ref")]
    pub reference: String,
    pub version: String,
    pub digest: String,
    /// The registry pack the policy came from (`oci://` references).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pack: Option<PackOrigin>,
    pub level: Level,
    /// `pack` when the level is the pack's default (gate.toml gave none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level_from: Option<LevelFrom>,
    pub outcome: Outcome,
    /// What the policy itself said, before the enforcement level applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_outcome: Option<Outcome>,
    pub summary: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<PolicyFailure>,
    pub findings: Vec<Finding>,
    pub metrics: Vec<Metric>,
    pub fuel_consumed: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub log: Vec<LogLine>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stdout: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub stderr: String,
    /// A `soft` failure overridden with `--override`, loudly recorded.
    #[serde(skip_serializing_if = "Option::is_none", rename = "override")]
    pub overridden: Option<Override>,
    /// The policy's rule catalog (from `info()`), which reports describe
    /// rules from. Not in the JSON verdict (`gate policies --json` shows it).
    #[serde(skip)]
    pub rules: Vec<RuleInfo>,
}

impl PolicyEntry {
    /// The catalog entry of rule `id`, if the policy lists it.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// One rule of a policy's catalog (the contract's `rule-info`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub default_severity: Severity,
    pub short_description: String,
    pub full_description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
    pub status: FindingStatus,
    pub blocking: bool,
    /// Identifies the finding across runs; unique within the policy's
    /// findings (the contract's `fingerprint`).
    pub fingerprint: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparator: Option<Comparator>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub policies: usize,
    pub passed: usize,
    pub warned: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub findings: SeverityCounts,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
    pub unknown: usize,
}

impl SeverityCounts {
    pub fn add(&mut self, s: Severity) {
        match s {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
            Severity::Info => self.info += 1,
            Severity::Unknown => self.unknown += 1,
        }
    }
}

/// Applies the enforcement level to what a policy said.
pub fn enforce(level: Level, outcome: Outcome) -> Outcome {
    match (level, outcome) {
        (Level::Advisory, Outcome::Fail) => Outcome::Warn,
        (_, o) => o,
    }
}

/// Combines policy outcomes into the run's outcome and exit code.
///
/// Any error is an error (a policy that could not judge never passes); a
/// run where every policy skipped evaluated nothing, which is an error too.
pub fn combine(policies: &[PolicyEntry], fail_on_warn: bool) -> (Outcome, Exit, Summary) {
    let mut s = Summary {
        policies: policies.len(),
        ..Summary::default()
    };
    let mut input_problem = false;
    let mut params_problem = false;
    for p in policies {
        match p.outcome {
            Outcome::Pass => s.passed += 1,
            Outcome::Warn => s.warned += 1,
            Outcome::Fail => s.failed += 1,
            Outcome::Skip => s.skipped += 1,
            Outcome::Error => {
                use PolicyErrorKind as K;
                s.errored += 1;
                match p.error.as_ref().map(|e| e.kind) {
                    Some(K::NoInput | K::UnsupportedInput) => input_problem = true,
                    Some(K::InvalidParams) => params_problem = true,
                    _ => {}
                }
            }
        }
        for f in &p.findings {
            if f.status == FindingStatus::Open {
                s.findings.add(f.severity);
            }
        }
    }
    // Precedence follows the exit-code contract: config (params a policy
    // rejected), input problems, then runtime errors, then failures.
    let (outcome, exit) = if params_problem {
        (Outcome::Error, Exit::Usage)
    } else if input_problem {
        (Outcome::Error, Exit::Input)
    } else if s.errored > 0 {
        (Outcome::Error, Exit::PolicyRuntime)
    } else if s.policies == 0 || s.skipped == s.policies {
        (Outcome::Error, Exit::Input)
    } else if s.failed > 0 {
        (Outcome::Fail, Exit::GateFailed)
    } else if s.warned > 0 && fail_on_warn {
        (Outcome::Warn, Exit::GateFailed)
    } else if s.warned > 0 {
        (Outcome::Warn, Exit::Pass)
    } else {
        (Outcome::Pass, Exit::Pass)
    };
    (outcome, exit, s)
}
