//! `gate`: a WebAssembly policy and quality-gate evaluator for CI.
//!
//! Data flows one way: artifacts ([`inputs`], parsed by `gate-artifacts`)
//! → policies in the sandbox ([`runtime`]) → the verdict ([`verdict`]) →
//! reports ([`report`]) and the exit code ([`exit`]). [`evaluate`] runs that
//! pipeline; [`cli`] is the command line on top.
//!
//! Output never panics: stdout is written only through `cli::output`
//! (`print!`/`println!` panic on a full disk or a closed pipe, hence the
//! lint), and `eprintln!` below replaces std's in this crate so a closed
//! or full stderr is ignored instead of ending the process with a panic.
#![deny(clippy::print_stdout)]

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
pub mod context;
pub mod error;
pub mod evaluate;
pub mod exit;
pub mod inputs;
pub mod params;
pub mod policies;
pub mod registry;
pub mod report;
pub mod runtime;
pub mod verdict;

/// File access (regular files only, bounded reads, atomic writes), shared
/// with `gate-oci`.
pub use gate_fsutil as fsutil;
