//! How a policy can fail. Every kind makes the policy's outcome `error`,
//! never `pass`.

use serde::Serialize;
use std::fmt;

/// Stable kebab-case names appear in the JSON verdict and in docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyErrorKind {
    /// The bytes are not a valid component or do not implement our world.
    InvalidComponent,
    /// Instantiation failed (missing imports, start trap).
    Instantiate,
    /// `info()` trapped or returned nonsense.
    Info,
    /// The deterministic CPU budget ran out.
    FuelExhausted,
    /// The wall-clock deadline passed.
    DeadlineExceeded,
    /// A memory or table grew past its limit.
    MemoryLimit,
    /// The wasm stack overflowed (runaway recursion).
    StackOverflow,
    /// stdout, stderr or the log went past its cap.
    OutputLimit,
    /// The policy tried to reach a capability it is not granted
    /// (filesystem, network, name lookup).
    SandboxViolation,
    /// The policy panicked (Rust) — the message is in `message`.
    Panic,
    /// Any other trap (unreachable, out-of-bounds access...).
    Trap,
    /// The verdict broke the contract (bad enum value, absurd sizes, NaN).
    ContractViolation,
    /// The policy returned `policy-error::internal` itself.
    PolicyReported,
    /// Params do not match the policy's schema, or the policy returned
    /// `policy-error::invalid-params` (a config error: exit 2).
    InvalidParams,
    /// The policy returned `policy-error::unsupported-input`: the artifacts
    /// (or the diff) cannot be judged as configured (an input error: exit 3).
    UnsupportedInput,
    /// No artifact of a kind the policy consumes was given.
    NoInput,
}

impl PolicyErrorKind {
    /// The stable kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyErrorKind::InvalidComponent => "invalid-component",
            PolicyErrorKind::Instantiate => "instantiate",
            PolicyErrorKind::Info => "info",
            PolicyErrorKind::FuelExhausted => "fuel-exhausted",
            PolicyErrorKind::DeadlineExceeded => "deadline-exceeded",
            PolicyErrorKind::MemoryLimit => "memory-limit",
            PolicyErrorKind::StackOverflow => "stack-overflow",
            PolicyErrorKind::OutputLimit => "output-limit",
            PolicyErrorKind::SandboxViolation => "sandbox-violation",
            PolicyErrorKind::Panic => "panic",
            PolicyErrorKind::Trap => "trap",
            PolicyErrorKind::ContractViolation => "contract-violation",
            PolicyErrorKind::PolicyReported => "policy-reported",
            PolicyErrorKind::InvalidParams => "invalid-params",
            PolicyErrorKind::UnsupportedInput => "unsupported-input",
            PolicyErrorKind::NoInput => "no-input",
        }
    }
}

impl fmt::Display for PolicyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failed evaluation (or `info()` call).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct PolicyFailure {
    /// What kind of failure (its stable name is in the verdict).
    pub kind: PolicyErrorKind,
    /// What happened, for people.
    pub message: String,
}

impl PolicyFailure {
    /// A failure of `kind`.
    pub fn new(kind: PolicyErrorKind, message: impl Into<String>) -> Self {
        PolicyFailure {
            kind,
            message: message.into(),
        }
    }
}
