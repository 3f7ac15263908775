//! The sandboxed policy runtime.
//!
//! One [`Runtime`] per process owns the `Engine`, the `Linker` and the epoch
//! ticker. [`Runtime::load`] turns component bytes into a [`LoadedPolicy`]
//! (compiled or taken from the [`cache`], linked once into an `InstancePre`).
//! Every call — `info()` or `evaluate()` — gets a fresh `Store` with its own
//! fuel, deadline, memory limits and WASI context, so nothing leaks between
//! evaluations and a trap can never poison a later one.

// Generated from the WIT (whose comments document it), without Rust docs.
#[allow(missing_docs)]
pub mod bindings;
pub(crate) mod cache;
pub mod convert;
pub(crate) mod engine;
pub(crate) mod limits;
pub mod spill;
pub mod stream;
pub(crate) mod wasi;

pub use crate::model::{LogLine, PolicyErrorKind, PolicyFailure};
use bindings::types as wit;
use bindings::{LogLevel, Policy, PolicyPre};
pub use cache::{CacheOutcome, CompileCache};
pub use limits::Limits;
use limits::{LimitHit, Limiter};
use serde::Serialize;
use sha2::{Digest, Sha256};
pub use spill::Spilled;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::time::Duration;
pub use stream::{Input, Request, Shared};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store, Trap};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

/// Per-store state: WASI, limits and what the policy wrote.
pub struct StoreState {
    wasi: WasiCtx,
    table: ResourceTable,
    limiter: Limiter,
    log: Vec<LogLine>,
    log_bytes: usize,
    output_cap: usize,
    /// The capability a policy tried to reach, if any (see `wasi::DENIED`).
    violation: Option<&'static str>,
    /// The findings emitted so far; `None` outside `evaluate`.
    emitted: Option<Findings>,
    /// How the policy broke the contract in a host call, if it did: the
    /// error its evaluation ends with.
    broken: Option<PolicyFailure>,
    limits: Limits,
}

impl StoreState {
    /// Records a contract violation found in a host call; the error traps
    /// the guest.
    fn break_contract(&mut self, message: String) -> wasmtime::Error {
        let e = wasmtime::Error::msg(message.clone());
        self.broken = Some(PolicyFailure::new(
            PolicyErrorKind::ContractViolation,
            message,
        ));
        e
    }
}

impl WasiView for StoreState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl bindings::gate::policy::types::Host for StoreState {}

impl bindings::gate::policy::host::Host for StoreState {
    fn log(&mut self, level: LogLevel, message: String) -> wasmtime::Result<()> {
        self.log_bytes = self.log_bytes.saturating_add(message.len());
        if self.log_bytes > self.output_cap {
            self.limiter.hit = Some(LimitHit::Output);
            wasmtime::bail!("log limit of {} bytes exceeded", self.output_cap);
        }
        let level = match level {
            LogLevel::Trace => "trace",
            LogLevel::Debug => "debug",
            LogLevel::Info => "info",
            LogLevel::Warn => "warn",
            LogLevel::Error => "error",
        };
        self.log.push(LogLine { level, message });
        Ok(())
    }

    fn emit(&mut self, batch: Vec<wit::Finding>) -> wasmtime::Result<()> {
        let Some(mut findings) = self.emitted.take() else {
            // Only info() runs without a verdict to add to.
            let message = "the policy emitted findings outside evaluate()";
            self.broken = Some(PolicyFailure::new(PolicyErrorKind::Info, message));
            return Err(wasmtime::Error::msg(message));
        };
        let accepted = findings.accept(batch, &self.limits);
        self.emitted = Some(findings);
        accepted.map_err(|m| self.break_contract(m))
    }
}

/// The process-wide runtime.
pub struct Runtime {
    engine: Engine,
    linker: Linker<StoreState>,
    cache: CompileCache,
    limits: Limits,
    _ticker: engine::EpochTicker,
}

/// What a policy judged: its verdict with the findings checked against the
/// contract and moved into the verdict document's type (emitted batches
/// first, then the returned list).
#[derive(Debug)]
pub struct Judged {
    /// The policy's own outcome.
    pub outcome: wit::Outcome,
    /// One line a person reads first.
    pub summary: String,
    /// Every finding, in the order the policy gave them, kept out of the
    /// way until the models are gone ([`Spilled::load`] reads them back).
    pub findings: Spilled,
    /// The policy's measurements.
    pub metrics: Vec<wit::Metric>,
}

/// The findings of one verdict as they cross the boundary: each batch is
/// checked (limits apply to all batches together, fingerprints are unique
/// across them) and moved into the verdict document's type.
#[derive(Debug, Default)]
pub(crate) struct Findings {
    /// Every finding so far, in order, encoded and past a few MB in a
    /// temporary file (measured, issue 11: held as the verdict's findings
    /// they were the peak of `gate check` on big inputs, alongside the
    /// models and the guest's memory).
    list: spill::Spilled,
    /// Text bytes of the findings so far (bounded like the guest's memory:
    /// a policy cannot hand over more in batches than it could at once).
    bytes: usize,
    /// Fingerprint hash → where the first finding with it is in `list`;
    /// the fingerprints themselves are only in `list`.
    prints: HashMap<u64, u64>,
    /// Fingerprints whose hash an earlier, different one already had.
    collided: HashSet<String>,
    hasher: std::collections::hash_map::RandomState,
}

impl Findings {
    /// How many findings so far.
    fn len(&self) -> usize {
        self.list.len()
    }

    /// Checks `batch` against the contract and appends it.
    fn accept(&mut self, batch: Vec<wit::Finding>, limits: &Limits) -> Result<(), String> {
        let total = self.len().saturating_add(batch.len());
        if total > limits.max_findings {
            return Err(format!(
                "verdict has {total} findings, more than the limit of {}",
                limits.max_findings
            ));
        }
        for f in batch {
            let i = self.list.len();
            check_ids(i, &f)?;
            let fp = f.fingerprint.as_str();
            let hash = self.hasher.hash_one(fp);
            let repeated = match self.prints.get(&hash) {
                None => false,
                Some(&at) => {
                    self.list.fingerprint_is(at, fp) || !self.collided.insert(fp.to_string())
                }
            };
            if repeated {
                return Err(format!(
                    "finding {i} ({}) repeats the fingerprint `{fp}` of an earlier finding; fingerprints must be unique within a verdict",
                    f.rule
                ));
            }
            check_texts(i, &f, limits)?;
            self.bytes = self.bytes.saturating_add(finding_bytes(&f));
            if self.bytes > limits.memory_bytes {
                return Err(format!(
                    "the verdict's findings hold more than {} MiB of text, the policy's memory limit",
                    limits.memory_bytes >> 20
                ));
            }
            let at = self.list.push(&f);
            self.prints.entry(hash).or_insert(at);
        }
        Ok(())
    }

    /// Every finding, in order (read back by [`spill::Spilled::load`]).
    fn into_list(self) -> spill::Spilled {
        self.list
    }
}

/// Text bytes of a finding (what the host keeps of it).
fn finding_bytes(f: &wit::Finding) -> usize {
    let location = f.location.as_ref().map_or(0, |l| l.path.len());
    [
        f.rule.len(),
        f.message.len(),
        location,
        f.resource.as_ref().map_or(0, String::len),
        f.aliases
            .iter()
            .map(String::len)
            .fold(0usize, usize::saturating_add),
        f.remediation.as_ref().map_or(0, String::len),
        f.evidence.as_ref().map_or(0, String::len),
        f.fingerprint.len(),
    ]
    .into_iter()
    .fold(0usize, usize::saturating_add)
}

/// A compiled, linked policy component.
pub struct LoadedPolicy {
    pre: PolicyPre<StoreState>,
    /// Lowercase hex sha256 of the component bytes.
    pub digest: String,
    /// Whether the compiled code came from the cache.
    pub cache: CacheOutcome,
}

/// What one evaluation produced besides the verdict.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Transcript {
    /// Fuel the call used (0 when fuel is not metered).
    pub fuel_consumed: u64,
    /// What the policy wrote with `host.log`.
    pub log: Vec<LogLine>,
    /// The guest's stdout, captured (capped).
    pub stdout: String,
    /// The guest's stderr, captured (capped; a panic message lands here).
    pub stderr: String,
}

/// Facts about the run a call needs.
#[derive(Debug, Clone, Copy)]
pub struct CallEnv {
    /// "now" since the Unix epoch (the guest's wall clock).
    pub now: Duration,
}

impl Runtime {
    /// The engine, the linker with gate's imports (and the denied WASI
    /// capabilities), and the epoch ticker behind the deadlines.
    pub fn new(limits: Limits, cache: CompileCache) -> wasmtime::Result<Self> {
        let engine = Engine::new(&engine::config(limits.stack_bytes, limits.consume_fuel))?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Policy::add_to_linker::<_, HasSelf<StoreState>>(&mut linker, |s| s)?;
        wasi::deny_capabilities(&mut linker, |s: &mut StoreState, what| {
            s.violation = Some(what);
        })?;
        let ticker = engine::EpochTicker::start(&engine).map_err(wasmtime::Error::from)?;
        Ok(Runtime {
            engine,
            linker,
            cache,
            limits,
            _ticker: ticker,
        })
    }

    /// The limits every call runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Compiles (or loads from cache) and links a component.
    pub fn load(&self, bytes: &[u8]) -> Result<LoadedPolicy, PolicyFailure> {
        self.load_digested(bytes, component_digest(bytes))
    }

    /// Like [`Runtime::load`] when the caller already hashed the bytes
    /// (the verdict reports the digest even when loading fails).
    pub fn load_digested(
        &self,
        bytes: &[u8],
        digest: String,
    ) -> Result<LoadedPolicy, PolicyFailure> {
        let invalid = |e: wasmtime::Error| {
            PolicyFailure::new(PolicyErrorKind::InvalidComponent, format!("{e:#}"))
        };
        let (component, cache) = self
            .cache
            .load(&self.engine, bytes, &digest)
            .map_err(invalid)?;
        self.link(component, digest, cache)
    }

    fn link(
        &self,
        component: Component,
        digest: String,
        cache: CacheOutcome,
    ) -> Result<LoadedPolicy, PolicyFailure> {
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(PolicyPre::new)
            .map_err(|e| {
                let message = match other_wit_version(&self.engine, &component) {
                    Some(name) => format!(
                        "component was built against `{name}`, but this gate implements gate:policy@{WIT_VERSION}: rebuild the policy against gate:policy@{WIT_VERSION} (gate-sdk 0.2)"
                    ),
                    None => format!(
                        "component does not fit the gate:policy world or the sandbox: {e:#}"
                    ),
                };
                PolicyFailure::new(PolicyErrorKind::InvalidComponent, message)
            })?;
        Ok(LoadedPolicy { pre, digest, cache })
    }

    fn store(
        &self,
        env: CallEnv,
        seed: u64,
    ) -> Result<(Store<StoreState>, wasi::Captured), PolicyFailure> {
        let (wasi, captured) = wasi::context(env.now, seed, self.limits.output_bytes);
        let state = StoreState {
            wasi,
            table: ResourceTable::new(),
            limiter: Limiter::new(&self.limits),
            log: Vec::new(),
            log_bytes: 0,
            output_cap: self.limits.output_bytes,
            violation: None,
            emitted: None,
            broken: None,
            limits: self.limits.clone(),
        };
        let mut store = Store::new(&self.engine, state);
        store.limiter(|s| &mut s.limiter);
        if self.limits.consume_fuel {
            store
                .set_fuel(self.limits.fuel)
                .map_err(|e| PolicyFailure::new(PolicyErrorKind::Instantiate, e.to_string()))?;
        }
        let ticks = self.limits.timeout.as_millis() / engine::EPOCH_TICK.as_millis().max(1);
        store.set_epoch_deadline(u64::try_from(ticks).unwrap_or(u64::MAX).max(1));
        store.epoch_deadline_trap();
        Ok((store, captured))
    }

    /// Calls `info()` in a fresh store.
    pub fn info(
        &self,
        policy: &LoadedPolicy,
        env: CallEnv,
    ) -> Result<wit::PolicyInfo, PolicyFailure> {
        let (mut store, captured) = self.store(env, seed(&policy.digest))?;
        let instance = policy
            .pre
            .instantiate(&mut store)
            .map_err(|e| classify(&store, &captured, e, PolicyErrorKind::Instantiate))?;
        let info = instance
            .call_info(&mut store)
            .map_err(|e| classify(&store, &captured, e, PolicyErrorKind::Info))?;
        if info.name.is_empty() || info.name.len() > 128 {
            return Err(PolicyFailure::new(
                PolicyErrorKind::Info,
                "info() returned an empty or over-long name",
            ));
        }
        check_catalog(&info, &self.limits)?;
        Ok(info)
    }

    /// Calls `evaluate()` in a fresh store: the request's item lists become
    /// resources the policy reads in batches, the findings it emits are
    /// checked as they arrive, and the verdict is checked against the
    /// contract before it is returned.
    pub fn evaluate(
        &self,
        policy: &LoadedPolicy,
        env: CallEnv,
        request: Request,
    ) -> (Result<Judged, PolicyFailure>, Transcript) {
        let (mut store, captured) = match self.store(env, seed(&policy.digest)) {
            Ok(s) => s,
            Err(e) => return (Err(e), Transcript::default()),
        };
        store.data_mut().emitted = Some(Findings::default());
        let result = policy
            .pre
            .instantiate(&mut store)
            .map_err(|e| classify(&store, &captured, e, PolicyErrorKind::Instantiate))
            .and_then(|instance| {
                let state = store.data_mut();
                let request = request.lower(&mut state.table).map_err(|e| {
                    PolicyFailure::new(PolicyErrorKind::Instantiate, format!("{e:#}"))
                })?;
                instance
                    .call_evaluate(&mut store, &request)
                    .map_err(|e| classify(&store, &captured, e, PolicyErrorKind::Trap))
            })
            .and_then(|r| {
                // What the policy says is wrong decides the exit code: its
                // params (2), its input (3), or itself (4).
                r.map_err(|e| match e {
                    wit::PolicyError::InvalidParams(m) => {
                        PolicyFailure::new(PolicyErrorKind::InvalidParams, m)
                    }
                    wit::PolicyError::UnsupportedInput(m) => {
                        PolicyFailure::new(PolicyErrorKind::UnsupportedInput, m)
                    }
                    wit::PolicyError::Internal(m) => PolicyFailure::new(
                        PolicyErrorKind::PolicyReported,
                        format!("internal error: {m}"),
                    ),
                })
            })
            .and_then(|v| {
                let emitted = store.data_mut().emitted.take().unwrap_or_default();
                check_contract(v, emitted, &self.limits)
            });
        let fuel_consumed = match store.get_fuel() {
            Ok(left) if self.limits.consume_fuel => self.limits.fuel.saturating_sub(left),
            _ => 0,
        };
        let transcript = Transcript {
            fuel_consumed,
            log: std::mem::take(&mut store.data_mut().log),
            stdout: String::from_utf8_lossy(&captured.stdout.contents()).into_owned(),
            stderr: String::from_utf8_lossy(&captured.stderr.contents()).into_owned(),
        };
        (result, transcript)
    }
}

/// The version of the `gate:policy` WIT package this host implements.
pub const WIT_VERSION: &str = "0.2.0";

/// The first `gate:policy/...@VERSION` a component imports or exports
/// whose version is not [`WIT_VERSION`]'s `major.minor` (a component built
/// against another contract, e.g. 0.1).
fn other_wit_version(engine: &Engine, component: &Component) -> Option<String> {
    let ty = component.component_type();
    let names: Vec<String> = ty
        .imports(engine)
        .map(|(n, _)| n.to_string())
        .chain(ty.exports(engine).map(|(n, _)| n.to_string()))
        .collect();
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    names.into_iter().find(|n| {
        n.strip_prefix("gate:policy/")
            .and_then(|rest| rest.rsplit_once('@'))
            .is_some_and(|(_, v)| minor(v) != minor(WIT_VERSION))
    })
}

pub use crate::policies::component_digest;

/// A deterministic per-policy seed for the guest's randomness.
fn seed(digest: &str) -> u64 {
    let d = Sha256::digest(digest.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(d.get(..8).unwrap_or(&[0; 8]));
    u64::from_le_bytes(b)
}

/// Names what went wrong in a failed call, most specific cause first.
fn classify(
    store: &Store<StoreState>,
    captured: &wasi::Captured,
    err: wasmtime::Error,
    fallback: PolicyErrorKind,
) -> PolicyFailure {
    if let Some(broken) = &store.data().broken {
        return broken.clone();
    }
    let cap = store.data().output_cap;
    let flooded =
        captured.stdout.contents().len() >= cap || captured.stderr.contents().len() >= cap;
    if let Some(what) = store.data().violation {
        return PolicyFailure::new(
            PolicyErrorKind::SandboxViolation,
            format!("the policy tried to use {what}, which is not granted"),
        );
    }
    match store.data().limiter.hit {
        Some(LimitHit::Memory { .. }) | Some(LimitHit::Table { .. }) => {
            return PolicyFailure::new(PolicyErrorKind::MemoryLimit, root_message(&err));
        }
        Some(LimitHit::Output) => {
            return PolicyFailure::new(PolicyErrorKind::OutputLimit, root_message(&err));
        }
        None => {}
    }
    if flooded {
        return PolicyFailure::new(
            PolicyErrorKind::OutputLimit,
            format!("stdout/stderr exceeded {cap} bytes"),
        );
    }
    if let Some(trap) = err.downcast_ref::<Trap>() {
        let kind = match trap {
            // Whatever went wrong inside info(), the policy cannot describe
            // itself: that is its own kind.
            _ if fallback == PolicyErrorKind::Info
                && !matches!(trap, Trap::OutOfFuel | Trap::Interrupt) =>
            {
                PolicyErrorKind::Info
            }
            Trap::OutOfFuel => PolicyErrorKind::FuelExhausted,
            Trap::Interrupt => PolicyErrorKind::DeadlineExceeded,
            Trap::StackOverflow => PolicyErrorKind::StackOverflow,
            Trap::UnreachableCodeReached if panic_message(captured).is_some() => {
                PolicyErrorKind::Panic
            }
            _ => {
                if fallback == PolicyErrorKind::Info {
                    PolicyErrorKind::Info
                } else {
                    PolicyErrorKind::Trap
                }
            }
        };
        let mut message = match kind {
            PolicyErrorKind::FuelExhausted => "the policy ran out of fuel (CPU budget)".to_string(),
            PolicyErrorKind::DeadlineExceeded => {
                "the policy exceeded its wall-clock deadline".to_string()
            }
            PolicyErrorKind::StackOverflow => "the policy overflowed its stack".to_string(),
            _ => format!("{trap}"),
        };
        if let Some(p) = panic_message(captured) {
            message = format!("{message}: {p}");
        }
        return PolicyFailure::new(kind, message);
    }
    // Not a trap: the host rejected a value crossing the boundary (bad enum
    // discriminant, invalid UTF-8, out-of-bounds list) or instantiation failed.
    let kind = match fallback {
        PolicyErrorKind::Trap => PolicyErrorKind::ContractViolation,
        other => other,
    };
    PolicyFailure::new(kind, format!("{err:#}"))
}

fn root_message(err: &wasmtime::Error) -> String {
    err.chain()
        .find(|e| e.to_string().contains("limit"))
        .map(|e| e.to_string())
        .unwrap_or_else(|| err.to_string())
}

/// The message of a Rust panic, as the guest's panic hook printed it.
fn panic_message(captured: &wasi::Captured) -> Option<String> {
    let stderr = captured.stderr.contents();
    let text = String::from_utf8_lossy(&stderr);
    let start = text.find("panicked at")?;
    let rest = text.get(start..)?;
    let mut lines = rest.lines();
    let head = lines.next()?.trim_end_matches(':');
    let msg = lines.next().unwrap_or("").trim();
    Some(format!("{head}: {msg}").chars().take(2048).collect())
}

/// Most rules a catalog may list.
const MAX_RULES: usize = 10_000;

/// Rejects a rule catalog reports could not use: too many rules, empty,
/// over-long or repeated ids, over-long texts.
fn check_catalog(info: &wit::PolicyInfo, limits: &Limits) -> Result<(), PolicyFailure> {
    let bad = |m: String| Err(PolicyFailure::new(PolicyErrorKind::Info, m));
    if info.rules.len() > MAX_RULES {
        return bad(format!(
            "info() lists {} rules, more than the limit of {MAX_RULES}",
            info.rules.len()
        ));
    }
    let mut ids = std::collections::HashSet::with_capacity(info.rules.len());
    for (i, r) in info.rules.iter().enumerate() {
        if r.id.trim().is_empty() || r.id.len() > 256 || r.id.chars().any(char::is_control) {
            return bad(format!(
                "rule {i} of info() has an empty, over-long or control-character id"
            ));
        }
        if !ids.insert(r.id.as_str()) {
            return bad(format!("info() lists rule `{}` twice", r.id));
        }
        let texts = [
            Some(&r.short_description),
            Some(&r.full_description),
            r.help.as_ref(),
            r.help_uri.as_ref(),
        ];
        if texts
            .into_iter()
            .flatten()
            .any(|t| t.len() > limits.max_text_bytes)
            || r.tags.len() > 64
            || r.tags.iter().any(|t| t.len() > 256)
        {
            return bad(format!(
                "rule `{}` of info() has a text longer than {} bytes or too many tags",
                r.id, limits.max_text_bytes
            ));
        }
    }
    Ok(())
}

/// Rejects verdicts that break the contract: absurd sizes, empty ids,
/// non-finite metrics. A broken verdict is an error, never a pass. The
/// returned findings follow the `emitted` ones and are checked with them.
fn check_contract(
    v: wit::Verdict,
    mut emitted: Findings,
    limits: &Limits,
) -> Result<Judged, PolicyFailure> {
    let bad = |m: String| Err(PolicyFailure::new(PolicyErrorKind::ContractViolation, m));
    let total = emitted.len().saturating_add(v.findings.len());
    if total > limits.max_findings {
        return bad(format!(
            "verdict has {total} findings, more than the limit of {}",
            limits.max_findings
        ));
    }
    if v.metrics.len() > limits.max_metrics {
        return bad(format!(
            "verdict has {} metrics, more than the limit of {}",
            v.metrics.len(),
            limits.max_metrics
        ));
    }
    if v.summary.len() > limits.max_text_bytes {
        return bad("verdict summary is too long".into());
    }
    if let Err(m) = emitted.accept(v.findings, limits) {
        return bad(m);
    }
    for (i, m) in v.metrics.iter().enumerate() {
        if m.name.trim().is_empty() || m.name.len() > 256 {
            return bad(format!("metric {i} has an empty or over-long name"));
        }
        if !m.value.is_finite() || m.threshold.is_some_and(|t| !t.is_finite()) {
            return bad(format!("metric {i} ({}) is not a finite number", m.name));
        }
    }
    Ok(Judged {
        outcome: v.outcome,
        summary: v.summary,
        findings: emitted.into_list(),
        metrics: v.metrics,
    })
}

/// The id checks of one finding (number `i` of the verdict).
fn check_ids(i: usize, f: &wit::Finding) -> Result<(), String> {
    if f.rule.trim().is_empty() || f.rule.len() > 256 || f.rule.chars().any(char::is_control) {
        return Err(format!(
            "finding {i} has an empty, over-long or control-character rule id"
        ));
    }
    let fp = f.fingerprint.as_str();
    if fp.trim().is_empty() || fp.len() > 256 || fp.chars().any(char::is_control) {
        return Err(format!(
            "finding {i} ({}) has an empty, over-long or control-character fingerprint",
            f.rule
        ));
    }
    Ok(())
}

/// The size checks of one finding (number `i` of the verdict).
fn check_texts(i: usize, f: &wit::Finding, limits: &Limits) -> Result<(), String> {
    let texts = [
        Some(&f.message),
        f.remediation.as_ref(),
        f.evidence.as_ref(),
    ];
    if texts
        .into_iter()
        .flatten()
        .any(|t| t.len() > limits.max_text_bytes)
    {
        return Err(format!(
            "finding {i} ({}) has a text longer than {} bytes",
            f.rule, limits.max_text_bytes
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(fingerprint: &str) -> wit::Finding {
        wit::Finding {
            rule: "r".into(),
            severity: wit::Severity::Low,
            message: "m".into(),
            location: None,
            resource: None,
            aliases: vec![],
            remediation: None,
            evidence: None,
            status: wit::FindingStatus::Open,
            blocking: false,
            fingerprint: fingerprint.into(),
        }
    }

    fn verdict(prints: &[&str]) -> wit::Verdict {
        wit::Verdict {
            outcome: wit::Outcome::Pass,
            summary: String::new(),
            findings: prints.iter().map(|p| finding(p)).collect(),
            metrics: vec![],
        }
    }

    fn violation(prints: &[&str]) -> Option<String> {
        check_contract(verdict(prints), Findings::default(), &Limits::default())
            .err()
            .map(|e| format!("{}: {}", e.kind, e.message))
    }

    #[test]
    fn fingerprints_must_be_present_and_unique() {
        assert_eq!(violation(&["a", "b"]), None);
        assert_eq!(
            violation(&["a", " "]).as_deref(),
            Some(
                "contract-violation: finding 1 (r) has an empty, over-long or control-character fingerprint"
            )
        );
        assert_eq!(
            violation(&["a", "b", "a"]).as_deref(),
            Some(
                "contract-violation: finding 2 (r) repeats the fingerprint `a` of an earlier finding; fingerprints must be unique within a verdict"
            )
        );
    }

    fn info(ids: &[&str]) -> wit::PolicyInfo {
        wit::PolicyInfo {
            name: "p".into(),
            version: "1".into(),
            description: String::new(),
            consumes: vec![],
            params_schema: "{}".into(),
            rules: ids
                .iter()
                .map(|id| wit::RuleInfo {
                    id: id.to_string(),
                    default_severity: wit::Severity::Low,
                    short_description: "s".into(),
                    full_description: "f".into(),
                    help: None,
                    help_uri: None,
                    tags: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn catalog_ids_must_be_present_and_unique() {
        let check = |ids: &[&str]| {
            check_catalog(&info(ids), &Limits::default())
                .err()
                .map(|e| format!("{}: {}", e.kind, e.message))
        };
        assert_eq!(check(&["a", "b"]), None);
        assert_eq!(
            check(&["a", ""]).as_deref(),
            Some("info: rule 1 of info() has an empty, over-long or control-character id")
        );
        assert_eq!(
            check(&["a", "b", "a"]).as_deref(),
            Some("info: info() lists rule `a` twice")
        );
    }
}
