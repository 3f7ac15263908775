//! The WASI surface a policy sees: nothing from the host machine.
//!
//! No preopened directories, no environment, no arguments, no network (TCP,
//! UDP and name lookup are denied), stdin empty, stdout/stderr captured into
//! size-capped buffers. Clocks are virtual: the wall clock shows the run's
//! "now" and the monotonic clock advances deterministically, so a policy
//! cannot observe the real time. Randomness comes from a seeded generator.

use rand::SeedableRng;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxBuilder};

/// The run's "now" as the guest's wall clock; it does not advance.
struct FrozenWallClock(Duration);

impl HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

/// A monotonic clock that ticks one microsecond per reading, so timing
/// loops terminate and measure nothing real.
#[derive(Default)]
struct TickingMonotonicClock(AtomicU64);

impl HostMonotonicClock for TickingMonotonicClock {
    fn resolution(&self) -> u64 {
        1_000
    }
    fn now(&self) -> u64 {
        self.0.fetch_add(1_000, Ordering::Relaxed)
    }
}

/// Captured output of one evaluation.
#[derive(Clone)]
pub struct Captured {
    pub stdout: MemoryOutputPipe,
    pub stderr: MemoryOutputPipe,
}

/// Builds the sandboxed WASI context for one evaluation.
///
/// `now` is the run's instant since the Unix epoch; `seed` makes randomness
/// reproducible per policy.
pub fn context(now: Duration, seed: u64, output_cap: usize) -> (WasiCtx, Captured) {
    let captured = Captured {
        stdout: MemoryOutputPipe::new(output_cap),
        stderr: MemoryOutputPipe::new(output_cap),
    };
    let mut b = WasiCtxBuilder::new();
    b.stdout(captured.stdout.clone())
        .stderr(captured.stderr.clone())
        .wall_clock(FrozenWallClock(now))
        .monotonic_clock(TickingMonotonicClock::default())
        .secure_random(rand::rngs::StdRng::seed_from_u64(seed))
        .insecure_random(rand::rngs::StdRng::seed_from_u64(
            seed ^ 0x9e37_79b9_7f4a_7c15,
        ))
        .insecure_random_seed(u128::from(seed))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .socket_addr_check(|_, _| Box::pin(async { false }));
    (b.build(), captured)
}

/// WASI functions that are the entry points to capabilities a policy is never
/// granted, and what they would reach. Rust std (through wasi-libc) calls
/// `get-directories` before any path-based file access and the socket
/// constructors before any network use.
const DENIED: &[(&str, &str, &str)] = &[
    (
        "wasi:filesystem/preopens@0.2.12",
        "get-directories",
        "the filesystem",
    ),
    (
        "wasi:sockets/tcp-create-socket@0.2.12",
        "create-tcp-socket",
        "the network (TCP)",
    ),
    (
        "wasi:sockets/udp-create-socket@0.2.12",
        "create-udp-socket",
        "the network (UDP)",
    ),
    (
        "wasi:sockets/ip-name-lookup@0.2.12",
        "resolve-addresses",
        "name lookup",
    ),
];

/// Replaces the entry points in [`DENIED`] with functions that record the
/// attempt and trap. The plain WASI implementation would merely return
/// "not found"/"access denied", which a malicious policy could probe quietly;
/// trapping makes the attempt visible as a `sandbox-violation` error.
pub fn deny_capabilities<T: 'static>(
    linker: &mut wasmtime::component::Linker<T>,
    record: fn(&mut T, &'static str),
) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    for (interface, func, what) in DENIED {
        let mut instance = linker.instance(interface)?;
        instance.func_new(func, move |mut store, _ty, _params, _results| {
            record(store.data_mut(), what);
            wasmtime::bail!(
                "sandbox violation: the policy tried to use {what}, which is not granted"
            )
        })?;
    }
    linker.allow_shadowing(false);
    Ok(())
}
