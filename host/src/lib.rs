//! `gate`: a WebAssembly policy and quality-gate evaluator for CI.
//!
//! Data flows one way: artifacts (`inputs`, parsed by `gate-artifacts`)
//! → policies in the sandbox ([`runtime`]) → the verdict (`verdict`) →
//! reports (`report`) and the exit code ([`exit`]). `evaluate` runs that
//! pipeline; [`cli`] is the command line on top.
//!
//! Modules, bottom layer first; each uses only those above it in this
//! table, so the layers only point down and no two modules use each other
//! (checked by `tests/all/layers.rs`):
//!
//! ```text
//! codes      the diagnostic codes of the host itself (`config`, `output-error`); a test checks every crate's codes are unique and documented
//! exit       the exit-code contract
//! model      data every layer shares: levels, roles, outcomes, overrides, pack origins, policy failures, the run context
//! verdict    the verdict document, and how policy outcomes combine into the run's
//! report     the verdict as text, JSON, SARIF, JUnit, GitLab, GitHub, Markdown, HTML
//! params     params validation: a policy's JSON Schema with formats asserted
//! config     gate.toml, with the place of every error
//! context    "now" and the CI context, from the flags and the environment
//! inputs     reading and parsing the artifacts
//! fetch      `[[metrics]]`: Prometheus queries the host runs, recorded and replayed as artifacts
//! policies   where policy components come from: built-ins, files, registries
//! runtime    the wasm sandbox: compiling (cached), limits, calls, WIT conversions, the boundary in batches (input streams, emitted findings)
//! registry   packs in gate: components checked in the runtime, notes on stderr
//! error      errors that end a command, each with its exit code
//! evaluate   one run: the core (a plan in, a verdict out) and its shell (files, registries)
//! testing    `gate test`: declarative test cases for policies, run through the core
//! cli        the command line: arguments, commands, stdout and stderr
//! ```
//!
//! The library's public API is what the `gate` binary, the integration
//! tests, the benches and the fuzz targets use; everything else is
//! crate-private.
//!
//! Output never panics: stdout is written only through `cli::output`
//! (`print!`/`println!` panic on a full disk or a closed pipe, hence the
//! lint), and `eprintln!` below replaces std's in this crate so a closed
//! or full stderr is ignored instead of ending the process with a panic.
#![deny(clippy::print_stdout)]
// Every public item is documented (what the public API is: see above).
#![warn(missing_docs)]

/// std's `eprintln!` without the panic when stderr cannot be written: there
/// is nowhere left to report that, and the exit code still tells.
macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub mod cli;
pub mod codes;
pub mod config;
pub(crate) mod context;
pub(crate) mod error;
pub(crate) mod evaluate;
pub mod exit;
pub(crate) mod fetch;
pub(crate) mod inputs;
pub(crate) mod model;
pub mod params;
pub mod policies;
pub mod registry;
pub(crate) mod report;
pub mod runtime;
pub mod testing;
pub(crate) mod verdict;

/// File access (regular files only, bounded reads, atomic writes), shared
/// with `gate-oci`.
pub(crate) use gate_fsutil as fsutil;
