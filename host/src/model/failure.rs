//! How a policy can fail. Every kind makes the policy's outcome `error`,
//! never `pass`.

use serde::Serialize;

gate_codes::names! {
    /// How a policy failed. The stable kebab-case names appear in the JSON
    /// verdict, as `error[CODE]` and in the docs: never rename one.
    pub enum PolicyErrorKind {
        /// The bytes are not a valid component or do not implement our world.
        InvalidComponent = "invalid-component",
        /// Instantiation failed (missing imports, start trap).
        Instantiate = "instantiate",
        /// `info()` trapped or returned nonsense.
        Info = "info",
        /// The deterministic CPU budget ran out.
        FuelExhausted = "fuel-exhausted",
        /// The wall-clock deadline passed.
        DeadlineExceeded = "deadline-exceeded",
        /// A memory or table grew past its limit.
        MemoryLimit = "memory-limit",
        /// The wasm stack overflowed (runaway recursion).
        StackOverflow = "stack-overflow",
        /// stdout, stderr or the log went past its cap.
        OutputLimit = "output-limit",
        /// The policy tried to reach a capability it is not granted
        /// (filesystem, network, name lookup).
        SandboxViolation = "sandbox-violation",
        /// The policy panicked (Rust) — the message is in `message`.
        Panic = "panic",
        /// Any other trap (unreachable, out-of-bounds access...).
        Trap = "trap",
        /// The verdict broke the contract (bad enum value, absurd sizes, NaN).
        ContractViolation = "contract-violation",
        /// The policy returned `policy-error::internal` itself.
        PolicyReported = "policy-reported",
        /// Params do not match the policy's schema, or the policy returned
        /// `policy-error::invalid-params` (a config error: exit 2).
        InvalidParams = "invalid-params",
        /// The policy returned `policy-error::unsupported-input`: the artifacts
        /// (or the diff) cannot be judged as configured (an input error: exit 3).
        UnsupportedInput = "unsupported-input",
        /// No artifact of a kind the policy consumes was given.
        NoInput = "no-input",
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
