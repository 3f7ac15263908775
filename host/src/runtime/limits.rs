//! Per-evaluation resource limits and the limiter that enforces them while
//! recording which limit a policy hit (so the error names it).

use serde::Serialize;
use std::time::Duration;

/// Limits applied to every evaluation; `[limits]` in gate.toml overrides them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Limits {
    /// Meter fuel at all. Always on for users (the deterministic limit is
    /// the point); off only to measure what metering costs (benches).
    pub consume_fuel: bool,
    /// Deterministic CPU budget (wasmtime fuel): the same policy on the same
    /// input hits it at the same point on any machine.
    pub fuel: u64,
    /// Wall-clock backstop (epoch deadline) for what fuel does not meter
    /// (host calls, pathological compilation-independent stalls).
    pub timeout: Duration,
    /// Maximum size of any one linear memory.
    pub memory_bytes: usize,
    /// Maximum elements of any one table.
    pub table_elements: usize,
    /// Maximum instances, tables and memories a component may create.
    pub instances: usize,
    /// Maximum tables a component may create.
    pub tables: usize,
    /// Maximum linear memories a component may create.
    pub memories: usize,
    /// Maximum wasm stack.
    pub stack_bytes: usize,
    /// Cap on captured stdout, stderr and log (each).
    pub output_bytes: usize,
    /// Contract limits on a verdict: most findings (emitted and returned
    /// together), ...
    pub max_findings: usize,
    /// ... most metrics, ...
    pub max_metrics: usize,
    /// ... and longest text of a finding or the summary.
    pub max_text_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            consume_fuel: true,
            fuel: 5_000_000_000,
            timeout: Duration::from_secs(30),
            memory_bytes: 256 << 20,
            table_elements: 100_000,
            instances: 32,
            tables: 32,
            memories: 8,
            stack_bytes: 1 << 20,
            output_bytes: 1 << 20,
            max_findings: 100_000,
            max_metrics: 10_000,
            max_text_bytes: 64 << 10,
        }
    }
}

/// Which limit an evaluation ran into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitHit {
    Memory { desired: usize },
    Table { desired: usize },
    Output,
}

/// `wasmtime::ResourceLimiter` that fails the grow (a trap, not a `-1` the
/// guest could ignore) and remembers why.
#[derive(Debug)]
pub struct Limiter {
    limits: Limits,
    pub hit: Option<LimitHit>,
}

impl Limiter {
    pub fn new(limits: &Limits) -> Self {
        Limiter {
            limits: limits.clone(),
            hit: None,
        }
    }
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.memory_bytes {
            self.hit = Some(LimitHit::Memory { desired });
            wasmtime::bail!(
                "memory limit exceeded: wanted {} MiB, limit {} MiB",
                desired >> 20,
                self.limits.memory_bytes >> 20
            );
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.limits.table_elements {
            self.hit = Some(LimitHit::Table { desired });
            wasmtime::bail!(
                "table limit exceeded: wanted {desired} elements, limit {}",
                self.limits.table_elements
            );
        }
        Ok(true)
    }

    fn instances(&self) -> usize {
        self.limits.instances
    }

    fn tables(&self) -> usize {
        self.limits.tables
    }

    fn memories(&self) -> usize {
        self.limits.memories
    }
}
