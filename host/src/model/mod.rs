//! The data every layer shares: enforcement levels, artifact roles,
//! outcomes, overrides, where a pack came from, how a policy failed, a
//! policy's log lines and the run's context. Plain data: this module uses
//! nothing else of the crate, so the verdict (and every report, which reads
//! only the verdict) depends on data alone.

mod failure;

pub use failure::{PolicyErrorKind, PolicyFailure};
/// Enforcement levels and pack origins are the pack format's too: one
/// definition each, in `gate-oci`.
pub use gate_oci::{Level, PackOrigin};
use serde::{Deserialize, Serialize};

/// What an artifact is to a run: the report under test, or the base
/// branch's to compare with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// The change under test.
    #[default]
    Current,
    /// What the change is compared with.
    Baseline,
}

gate_codes::names! {
    /// A policy's or the run's result, from best to worst.
    #[derive(PartialOrd, Ord)]
    pub enum Outcome {
        Pass = "pass",
        Skip = "skip",
        Warn = "warn",
        Fail = "fail",
        Error = "error",
    }
}

/// `--override POLICY --by WHO --reason TEXT`: lets a failed `soft`
/// policy pass as a warning, recorded in the verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Override {
    /// The policy's name or reference.
    #[serde(skip)]
    pub target: String,
    pub by: String,
    pub reason: String,
}

/// One line of a policy's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// `trace`, `debug`, `info`, `warn` or `error`.
    pub level: &'static str,
    /// The text the policy logged.
    pub message: String,
}

/// "Now" and the CI context of a run, as the verdict records them.
/// Policies never read the real clock: the host decides the instant once
/// (see `context::resolve`) and passes it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunContext {
    /// RFC 3339, UTC, second precision.
    pub now: String,
    /// `flag`, `GATE_NOW`, `SOURCE_DATE_EPOCH` or `system-clock`.
    pub now_source: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// Web URL of the repository (GitHub or GitLab), for links in reports.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository_url: Option<String>,
    #[serde(skip)]
    pub now_ts: jiff::Timestamp,
}
