//! The one wasmtime `Engine` of the process and its epoch ticker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use wasmtime::{Config, Engine, OptLevel};

/// How often the epoch advances; deadlines are counted in these ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Engine configuration. Anything that changes generated code must be here
/// (and so in `Engine::precompile_compatibility_hash`), since the compile
/// cache is keyed by it.
pub fn config(stack_bytes: usize, consume_fuel: bool) -> Config {
    let mut c = Config::new();
    c.wasm_component_model(true)
        .consume_fuel(consume_fuel)
        .epoch_interruption(true)
        .max_wasm_stack(stack_bytes)
        .cranelift_opt_level(OptLevel::Speed)
        // Fail closed: a policy must not see host SIMD differences.
        .cranelift_nan_canonicalization(true);
    c
}

/// A thread that bumps the engine's epoch every [`EPOCH_TICK`] until dropped.
///
/// The thread sleeps by parking, so dropping the ticker wakes it at once:
/// a short `gate check` does not wait out a tick at exit.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl EpochTicker {
    pub fn start(engine: &Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let weak = engine.weak();
        let handle = std::thread::Builder::new()
            .name("gate-epoch".into())
            .spawn(move || {
                let mut next = Instant::now() + EPOCH_TICK;
                while !flag.load(Ordering::Acquire) {
                    // Spurious wake-ups and early unparks only shorten a
                    // park; the deadline keeps the tick period.
                    let now = Instant::now();
                    if now < next {
                        std::thread::park_timeout(next - now);
                        continue;
                    }
                    next += EPOCH_TICK;
                    match weak.upgrade() {
                        Some(engine) => engine.increment_epoch(),
                        None => break,
                    }
                }
            })?;
        Ok(EpochTicker {
            stop,
            handle: Some(handle),
        })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            h.thread().unpark();
            let _ = h.join();
        }
    }
}
