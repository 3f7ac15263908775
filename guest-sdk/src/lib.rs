//! `gate-sdk`: write `gate` policies in Rust.
//!
//! A policy is a `cdylib` crate built for `wasm32-wasip2` that implements
//! [`Policy`] and calls [`export!`]:
//!
//! ```ignore
//! use gate_sdk::*;
//!
//! struct MyPolicy;
//!
//! impl Policy for MyPolicy {
//!     fn info() -> PolicyInfo {
//!         PolicyInfo::new("my-policy", env!("CARGO_PKG_VERSION"), "what it checks")
//!             .consumes(&[ArtifactKind::Coverage])
//!             .params_schema(r#"{"type":"object"}"#)
//!             .rule(RuleInfo::new("my-policy/rule", Severity::High, "what it wants"))
//!     }
//!     fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
//!         Ok(Verdict::pass("nothing to complain about"))
//!     }
//! }
//!
//! gate_sdk::export!(MyPolicy);
//! ```
//!
//! Policy logic is plain Rust over the generated types, so it is unit-tested
//! natively with `cargo test`; only [`log`] needs the host (natively it prints
//! to stderr).
//!
//! [`export!`] wraps the policy: every finding passes through
//! [`fingerprint::Prints`], which fills its `fingerprint` (when the policy
//! left it empty) and makes them unique within the verdict, as the
//! contract requires.
//!
//! Big inputs and big verdicts cross the boundary in batches:
//!
//! - the files of a coverage report, the findings of a security report,
//!   the resources of an IaC document, the cases of a test report and the
//!   measurements of a performance report are [`Stream`]s: `len()`, `iter()`
//!   (fetches batches lazily), `read(start, max)`, `to_vec()`. Iterate them;
//!   keep what you need of each item, not the item.
//! - [`emit`] hands a finding to the host now instead of pushing it onto
//!   the verdict: the SDK sends them in batches of [`emit::BATCH`]. The
//!   verdict's findings are the emitted ones followed by the returned ones.
//!   A unit test of a function that emits wraps its verdict in [`finish`].

pub mod emit;
pub mod fingerprint;
pub mod glob;
mod helpers;
pub use emit::{emit, finish};
pub use helpers::{catalog_problems, rule_ids_in};
pub mod params;
mod request;
pub mod threshold;
pub mod waiver;
pub use request::{
    Artifact, BATCH, CoverageReport, FindingsReport, IacReport, Iter, PerformanceReport, Request,
    Stream, TestReport,
};

/// Generated bindings of the `gate:policy` world (from `wit/`).
#[allow(unsafe_code, clippy::all)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "wit",
        world: "gate:policy/policy",
        pub_export_macro: true,
        export_macro_name: "export",
        default_bindings_module: "::gate_sdk::bindings",
    });
}

pub use bindings::gate::policy::host::LogLevel;
// The contract's types; `Request` and the artifacts with streams are the
// SDK's own (above), which shadow the generated ones.
pub use bindings::gate::policy::types::*;

/// What a policy implements: the two exports of the `policy` world.
pub trait Policy {
    /// Describes the policy (name, version, what it reads, params schema,
    /// rule catalog).
    fn info() -> PolicyInfo;
    /// Judges a request. Fingerprints may be left empty: [`export!`] fills
    /// them (see [`fingerprint`]). Findings may be [`emit`]ted as they are
    /// found rather than returned.
    fn evaluate(request: Request) -> Result<Verdict, PolicyError>;
}

/// Runs a policy's `evaluate` as the exported component does: the
/// findings are finished and the emitted ones flushed (see [`finish`]).
pub fn evaluate<P: Policy>(request: Request) -> Result<Verdict, PolicyError> {
    match P::evaluate(request) {
        Ok(v) => Ok(finish(v)),
        Err(e) => {
            emit::discard();
            Err(e)
        }
    }
}

/// Exports a type implementing [`Policy`] as the component's `policy` world.
#[macro_export]
macro_rules! export {
    ($ty:ident) => {
        #[doc(hidden)]
        pub struct __GateSdkExport;
        impl $crate::bindings::Guest for __GateSdkExport {
            fn info() -> $crate::PolicyInfo {
                <$ty as $crate::Policy>::info()
            }
            fn evaluate(
                request: $crate::bindings::gate::policy::types::Request,
            ) -> ::core::result::Result<$crate::Verdict, $crate::PolicyError> {
                $crate::evaluate::<$ty>($crate::Request::from(request))
            }
        }
        $crate::bindings::export!(__GateSdkExport);
    };
}

/// Writes a line to the policy's log (recorded in the verdict by the host).
pub fn log(level: LogLevel, message: &str) {
    #[cfg(target_arch = "wasm32")]
    bindings::gate::policy::host::log(level, message);
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("[{level:?}] {message}");
}
