//! `gate`: a WebAssembly policy and quality-gate evaluator for CI.
//!
//! Data flows one way: artifacts ([`inputs`], parsed by `gate-artifacts`)
//! → policies in the sandbox ([`runtime`]) → the verdict ([`verdict`]) →
//! reports ([`report`]) and the exit code ([`exit`]). [`evaluate`] runs that
//! pipeline; [`cli`] is the command line on top.

pub mod cli;
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
