//! One run, start to end: load policies, validate params, read artifacts,
//! evaluate every policy in its own sandbox, build the verdict document.
//!
//! The core, [`evaluate`], is a plan in and a verdict out: it reads policy
//! components and artifacts only through [`Sources`] and prints nothing, so
//! it touches neither the network nor the disk (compiled components are
//! cached only if the [`Runtime`] it is given has a cache). The shell,
//! [`run`], gives it gate's own sources: the embedded built-ins, files and
//! registries (which also record `gate.lock`), with registry notes on
//! stderr.

use crate::config::{ConfigError, ConfigFile};
use crate::error::GateError;
use crate::inputs::rego::{RawDoc, RegoSources};
use crate::inputs::{self, ArtifactSpec, InputError, LoadedArtifact};
use crate::model::{Level, Override, Role, RunContext};
use crate::params::{ParamsProblem, validate as validate_params};
use crate::policies::{Component, PolicyRef, SourceError};
use crate::runtime::bindings::types as wit;
use crate::runtime::{
    CallEnv, CompileCache, Input, Judged, Limits, LoadedPolicy, PolicyErrorKind, PolicyFailure,
    Request, Runtime, Shared, Spilled, convert,
};
use crate::verdict::{
    self, ArtifactEntry, Comparator, LevelFrom, Metric, Outcome, PolicyEntry, VerdictDoc,
};
use gate_artifacts::{ArtifactKind, Model, ParseOptions};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// Where a policy's params came from, for pointing at them in errors.
#[derive(Debug, Clone)]
pub enum ParamsOrigin {
    Config {
        file: Arc<ConfigFile>,
        span: std::ops::Range<usize>,
    },
    Flag,
    Default,
    /// Params gate made for a run of its own (`gate test`'s Rego unit
    /// tests): they may set what the schema marks read-only.
    Host,
}

impl ParamsOrigin {
    /// The origin of the value at `pointer` inside these params: in
    /// gate.toml, that value's own place (not the table around it), so an
    /// error about one value points at it.
    fn at(&self, pointer: &str) -> ParamsOrigin {
        match self {
            ParamsOrigin::Config { file, span } => ParamsOrigin::Config {
                file: Arc::clone(file),
                span: file.value_span(span.clone(), pointer),
            },
            other => other.clone(),
        }
    }
}

/// One policy to run.
#[derive(Debug, Clone)]
pub struct PolicySpec {
    pub reference: PolicyRef,
    /// Where the reference was written, for errors about it.
    pub reference_origin: ParamsOrigin,
    pub name: Option<String>,
    /// The level `gate.toml` gives; `None`: the pack's, else `hard`.
    pub level: Option<Level>,
    /// The params the user gave (a JSON object); they replace a pack's
    /// default params key by key.
    pub params: serde_json::Value,
    pub params_origin: ParamsOrigin,
    /// Whether having no input for it is an error (configured policies) or
    /// just means it does not apply (the default pack without config).
    pub required: bool,
    /// `builtin:rego`'s modules, data and input files (empty otherwise).
    pub rego: RegoSources,
}

/// Everything a run needs. `limits`, `cache` and `registry` are the
/// shell's: they make the runtime and the sources the core is given.
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub overrides: Vec<Override>,
    /// `--fail-on warn`
    pub fail_on_warn: bool,
    pub policies: Vec<PolicySpec>,
    pub artifacts: Vec<ArtifactSpec>,
    pub parse_options: ParseOptions,
    pub limits: Limits,
    pub cache: CompileCache,
    pub context: RunContext,
    /// Changed lines from `--diff`/`--base`; `None` when no diff was given.
    pub changes: Option<Vec<wit::ChangedFile>>,
    /// How `oci://` packs are fetched and verified.
    pub registry: gate_oci::Options,
}

/// Where the core gets what it evaluates: policy components and parsed
/// artifacts. The shell reads files and registries; a test or a server can
/// hand them over from memory.
pub trait Sources {
    /// The component `reference` names.
    fn component(&self, reference: &PolicyRef) -> Result<Component, SourceError>;
    /// Every artifact read and parsed; all errors or all artifacts.
    fn artifacts(
        &self,
        specs: &[ArtifactSpec],
        options: &ParseOptions,
    ) -> Result<Vec<LoadedArtifact>, Vec<InputError>>;
    /// The raw documents of a `builtin:rego` policy: its modules, data and
    /// inputs, and the run's artifacts conftest can read.
    fn rego(
        &self,
        sources: &RegoSources,
        artifacts: &[LoadedArtifact],
    ) -> Result<Vec<RawDoc>, Vec<InputError>> {
        inputs::rego::load(sources, artifacts)
    }
}

/// gate's own sources: built-ins, files and registries, artifact files.
struct Local<'a> {
    resolver: gate_oci::Resolver<'a>,
}

impl Sources for Local<'_> {
    fn component(&self, reference: &PolicyRef) -> Result<Component, SourceError> {
        reference.read(&self.resolver)
    }

    fn artifacts(
        &self,
        specs: &[ArtifactSpec],
        options: &ParseOptions,
    ) -> Result<Vec<LoadedArtifact>, Vec<InputError>> {
        inputs::load_all(specs, options)
    }
}

/// Runs the plan: the shell around [`evaluate`], with the runtime the
/// plan's limits and cache make and gate's own sources.
pub fn run(plan: &RunPlan) -> Result<VerdictDoc, GateError> {
    let runtime = Runtime::new(plan.limits.clone(), plan.cache.clone())
        .map_err(|e| GateError::Runtime(format!("cannot start the wasm runtime: {e:#}")))?;
    let stderr = crate::registry::Stderr::new();
    let sources = Local {
        resolver: gate_oci::Resolver::new(plan.registry.clone(), &stderr),
    };
    evaluate(plan, &runtime, &sources)
}

/// Evaluates the plan: the core. Errors are the ones that stop a run
/// before any verdict (config, params, unreadable artifacts); policy
/// failures are in the verdict.
pub fn evaluate(
    plan: &RunPlan,
    runtime: &Runtime,
    sources: &dyn Sources,
) -> Result<VerdictDoc, GateError> {
    let env = CallEnv {
        now: Duration::from_secs(u64::try_from(plan.context.now_ts.as_second()).unwrap_or(0)),
    };
    // 1. Components: read, compile (or cache), info(), params against schema.
    let prepared = prepare_all(plan, runtime, env, sources)?;
    check_overrides(plan, &prepared)?;

    // 2. Artifacts: all read, all errors reported.
    let artifacts = sources
        .artifacts(&plan.artifacts, &plan.parse_options)
        .map_err(GateError::Input)?;
    let orphans = baselines_without_current(&artifacts);
    if !orphans.is_empty() {
        return Err(GateError::Input(orphans));
    }
    // Rego modules, data and input documents, all read before anything is
    // evaluated (their errors are input errors, like the artifacts').
    let mut raws = Vec::new();
    let mut raw_errors = Vec::new();
    for p in &prepared {
        if p.spec.rego.is_empty() && p.pack_rego.is_none() {
            raws.push(Vec::new());
            continue;
        }
        match sources.rego(&p.spec.rego, &artifacts) {
            Ok(docs) => raws.push(match &p.pack_rego {
                // A pack's Rego policy: its embedded modules and data
                // first, then the run's inputs.
                Some(files) => inputs::rego::embedded_docs(files)
                    .into_iter()
                    .chain(docs)
                    .collect(),
                None => docs,
            }),
            Err(e) => {
                raw_errors.extend(e);
                raws.push(Vec::new());
            }
        }
    }
    if !raw_errors.is_empty() {
        return Err(GateError::Input(raw_errors));
    }
    // Shared by every policy: each reads the models in batches, none gets
    // a copy.
    let artifacts: Arc<[LoadedArtifact]> = artifacts.into();

    // 3. Evaluate.
    let evaluated: Vec<(PolicyEntry, Option<Spilled>)> = prepared
        .into_iter()
        .zip(raws)
        .map(|(p, raw)| evaluate_one(runtime, env, plan, p, &artifacts, raw))
        .collect();
    // 4. The findings, read back once the models are gone (issue 11: a big
    // input's models and its verdict's findings are never in memory
    // together). One that cannot be read back stops the run.
    let artifact_entries = artifact_entries(&artifacts);
    drop(artifacts);
    let mut entries = Vec::with_capacity(evaluated.len());
    for (mut entry, findings) in evaluated {
        if let Some(findings) = findings {
            entry.findings = findings.load().map_err(GateError::Output)?;
        }
        entries.push(entry);
    }
    Ok(verdict_doc(plan, artifact_entries, entries))
}

/// The changed lines for policies; diff warnings go to stderr (the diff is
/// not an artifact of the verdict, but a suspicious one must not pass unseen).
pub(crate) fn to_changes(
    (c, warnings): (
        Vec<gate_artifacts::diff::ChangedLines>,
        Vec<gate_artifacts::Warning>,
    ),
) -> Vec<wit::ChangedFile> {
    for w in warnings {
        eprintln!("warning[{}]: {}", w.code, w.message);
    }
    c.into_iter()
        .map(|c| wit::ChangedFile {
            path: c.path,
            lines: c.lines,
        })
        .collect()
}

/// Changed lines from a unified diff file (`--diff`).
pub(crate) fn changes_from_file(
    path: &std::path::Path,
) -> Result<Vec<wit::ChangedFile>, GateError> {
    let display = path.display().to_string();
    let text = crate::fsutil::read_to_string(path)
        .map_err(|e| GateError::Input(vec![crate::inputs::InputError::read(&display, &e)]))?;
    gate_artifacts::diff::parse_file(&display, &text)
        .map(to_changes)
        .map_err(|e| GateError::Input(vec![crate::inputs::InputError::Parse(e)]))
}

/// A policy ready to evaluate.
struct Prepared {
    spec: PolicySpec,
    /// The component and its info, or why it could not be loaded.
    loaded: Result<(LoadedPolicy, wit::PolicyInfo), PolicyFailure>,
    digest: String,
    /// The level in force: `gate.toml`'s, else the pack's, else `hard`.
    level: Level,
    /// Whether `level` is the pack's default.
    level_from_pack: bool,
    /// The params the policy gets: the pack's defaults under the user's.
    params: serde_json::Value,
    pack: Option<gate_oci::PackOrigin>,
    /// A pack's Rego policy: the modules and data its layer embeds.
    pack_rego: Option<gate_oci::RegoFiles>,
}

/// Every policy of the plan prepared, in order. A registry error stops at
/// once (exit code 5); otherwise the first config error (a source that
/// does not exist, params the schema refuses) stops the run once every
/// policy has been looked at.
#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
fn prepare_all(
    plan: &RunPlan,
    runtime: &Runtime,
    env: CallEnv,
    sources: &dyn Sources,
) -> Result<Vec<Prepared>, GateError> {
    // Components are read in order (a registry may print progress), then
    // prepared side by side: on an empty compile cache each is a Cranelift
    // compile, whose serial parts (validation, linking, the ELF image) one
    // policy cannot spread over the cores (issue 13, cold start).
    let mut steps: Vec<Result<(&PolicySpec, Component), ConfigError>> = Vec::new();
    for spec in &plan.policies {
        steps.push(match sources.component(&spec.reference) {
            Ok(c) => Ok((spec, c)),
            Err(SourceError::Registry(e)) => return Err(GateError::Registry(e)),
            Err(e) => Err(source_error(spec, &e)),
        });
    }
    // At most one policy a core at a time (each compile holds its own
    // code and Cranelift's state); one policy, the common `gate eval`, is
    // prepared on this thread.
    let width = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut results: Vec<Result<Prepared, ConfigError>> = Vec::with_capacity(steps.len());
    let mut steps = steps.into_iter().peekable();
    while steps.peek().is_some() {
        let wave: Vec<_> = steps.by_ref().take(width).collect();
        let threads = wave.len() > 1;
        std::thread::scope(|scope| {
            let pending: Vec<Pending<'_, _>> = wave
                .into_iter()
                .map(|step| match step {
                    Ok((spec, component)) if threads => {
                        Pending::Thread(scope.spawn(move || prepare(runtime, env, spec, component)))
                    }
                    Ok((spec, component)) => Pending::Done(prepare(runtime, env, spec, component)),
                    Err(e) => Pending::Done(Err(e)),
                })
                .collect();
            for p in pending {
                results.push(match p {
                    Pending::Done(r) => r,
                    // A panic while preparing is a bug: it goes on
                    // unwinding here, as it would have without threads.
                    Pending::Thread(h) => h
                        .join()
                        .unwrap_or_else(|payload| std::panic::resume_unwind(payload)),
                });
            }
        });
    }
    let mut prepared = Vec::new();
    let mut config_errors = Vec::new();
    for r in results {
        match r {
            Ok(p) => prepared.push(p),
            Err(e) => config_errors.push(e),
        }
    }
    match config_errors.into_iter().next() {
        Some(first) => Err(first.into()),
        None => Ok(prepared),
    }
}

/// A policy being prepared: done, or on its own thread.
enum Pending<'s, T> {
    Done(T),
    Thread(std::thread::ScopedJoinHandle<'s, T>),
}

/// A policy reference that names nothing gate can read.
fn source_error(spec: &PolicySpec, e: &SourceError) -> ConfigError {
    origin_error(
        &spec.reference_origin,
        "--policy",
        e.to_string(),
        Some(format!(
            "built-in policies: {}",
            crate::policies::builtin::names()
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

/// One policy made ready: its digest, the pack's defaults under the user's
/// level and params, and its component loaded with its `info()` (or why it
/// could not be). Params its schema refuses are a config error; a schema
/// that is not one makes the policy fail to load.
#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
fn prepare(
    runtime: &Runtime,
    env: CallEnv,
    spec: &PolicySpec,
    component: Component,
) -> Result<Prepared, ConfigError> {
    let hex = component.digest_hex();
    let builtin = component.is_builtin();
    let bytes = component.bytes;
    let digest = format!("sha256:{hex}");
    // A built-in is built by cargo, never by `gate pack build`, so it has
    // no `gate-pack` section (a test holds them to it): not scanned per run.
    let defaults = if builtin {
        Ok(None)
    } else {
        pack_defaults(&bytes)
    };
    let pack_level = defaults
        .as_ref()
        .ok()
        .and_then(|d| d.as_ref())
        .and_then(|d| d.level)
        .filter(|_| spec.level.is_none());
    let level = spec.level.or(pack_level).unwrap_or_default();
    let mut params = match &defaults {
        Ok(d) => merge_params(d.as_ref().and_then(|d| d.params.as_ref()), &spec.params),
        Err(_) => spec.params.clone(),
    };
    crate::params::normalize_numbers(&mut params);
    let pack_rego = defaults
        .as_ref()
        .ok()
        .and_then(|d| d.as_ref())
        .and_then(|d| d.rego.clone());
    let mut loaded = defaults.and_then(|_| {
        runtime
            .load_digested(&bytes, hex)
            .and_then(|p| runtime.info(&p, env).map(|info| (p, info)))
    });
    if let Ok((_, info)) = &loaded {
        let checked = if matches!(spec.params_origin, ParamsOrigin::Host) {
            crate::params::validate_host_set(&info.params_schema, &params)
        } else {
            validate_params(&info.params_schema, &params)
        };
        match checked {
            Ok(()) => {}
            Err(ParamsProblem::Invalid(issues)) => {
                let msgs: Vec<String> = issues.iter().map(ToString::to_string).collect();
                let pointer = issues.first().map_or("", |i| i.pointer.as_str());
                return Err(origin_error(
                    &spec.params_origin.at(pointer),
                    "--params",
                    format!(
                        "params of policy `{}` do not match its schema: {}",
                        info.name,
                        msgs.join("; ")
                    ),
                    Some(format!(
                        "see `gate policies --json` for the params schema of `{}`",
                        info.name
                    )),
                )
                .with_code(crate::model::PolicyErrorKind::InvalidParams.as_str()));
            }
            Err(ParamsProblem::BadSchema(msg)) => {
                loaded = Err(PolicyFailure::new(
                    PolicyErrorKind::Info,
                    format!("the policy's params schema is not a valid JSON Schema: {msg}"),
                ));
            }
        }
    }
    Ok(Prepared {
        spec: spec.clone(),
        loaded,
        digest,
        level,
        level_from_pack: pack_level.is_some(),
        params,
        pack: component.pack,
        pack_rego,
    })
}

/// The pack defaults embedded in a component, or why they cannot be read.
fn pack_defaults(bytes: &[u8]) -> Result<Option<gate_oci::EmbeddedPolicy>, PolicyFailure> {
    gate_oci::Embedded::of(bytes)
        .map(|e| e.map(|e| e.policy))
        .map_err(|e| PolicyFailure::new(PolicyErrorKind::InvalidComponent, e.to_string()))
}

/// The pack's default params with the user's on top: a key the user gives
/// replaces the pack's value for that key whole (tables are not merged
/// deeper, so a user can always replace a default list or table).
fn merge_params(
    defaults: Option<&serde_json::Map<String, serde_json::Value>>,
    user: &serde_json::Value,
) -> serde_json::Value {
    let mut merged = defaults.cloned().unwrap_or_default();
    if let Some(u) = user.as_object() {
        for (k, v) in u {
            merged.insert(k.clone(), v.clone());
        }
    }
    serde_json::Value::Object(merged)
}

fn origin_error(
    origin: &ParamsOrigin,
    what: &str,
    message: String,
    help: Option<String>,
) -> ConfigError {
    match origin {
        ParamsOrigin::Config { file, span } => file.error(span.clone(), message, help),
        ParamsOrigin::Flag => ConfigError::plain(what, message),
        ParamsOrigin::Default | ParamsOrigin::Host => ConfigError::plain(what, message),
    }
}

/// A baseline is only ever compared with a current report of its kind:
/// without one, nothing is evaluated, and a findings baseline would read
/// as "everything fixed".
fn baselines_without_current(artifacts: &[LoadedArtifact]) -> Vec<InputError> {
    artifacts
        .iter()
        .filter(|a| a.spec.role == Role::Baseline)
        .filter(|b| {
            !artifacts
                .iter()
                .any(|a| a.spec.role == Role::Current && a.parsed.kind() == b.parsed.kind())
        })
        .map(|b| {
            let kind = b.parsed.kind().as_str();
            InputError::Parse(gate_artifacts::ParseError::new(
                b.spec.display.clone(),
                gate_artifacts::ParseCode::BaselineWithoutCurrent,
                None,
                format!(
                    "a baseline {kind} report needs a current {kind} report to be compared with, and none was given (add it with --artifact or role = \"current\")"
                ),
            ))
        })
        .collect()
}

/// The verdict document of a run: the policies' entries, the artifacts
/// read, and the outcome and exit code they combine into.
/// What the verdict says of each artifact.
fn artifact_entries(artifacts: &[LoadedArtifact]) -> Vec<ArtifactEntry> {
    artifacts
        .iter()
        .map(|a| ArtifactEntry {
            path: a.spec.display.clone(),
            kind: a.parsed.kind(),
            format: a.parsed.format,
            role: a.spec.role,
            sha256: a.sha256.clone(),
            warnings: a.parsed.warnings.clone(),
        })
        .collect()
}

fn verdict_doc(
    plan: &RunPlan,
    artifacts: Vec<ArtifactEntry>,
    policies: Vec<PolicyEntry>,
) -> VerdictDoc {
    let (outcome, exit, summary) = verdict::combine(&policies, plan.fail_on_warn);
    VerdictDoc {
        schema_version: verdict::SCHEMA_VERSION,
        gate_version: env!("CARGO_PKG_VERSION"),
        outcome,
        exit_code: exit.code(),
        exit,
        now: plan.context.now.clone(),
        context: plan.context.clone(),
        artifacts,
        policies,
        summary,
    }
}

/// Evaluates one prepared policy on the artifacts of the kinds it reads;
/// whatever happens is in the entry, but for its findings, which come
/// apart, to be read back later (see `evaluate`).
fn evaluate_one(
    runtime: &Runtime,
    env: CallEnv,
    plan: &RunPlan,
    p: Prepared,
    artifacts: &Arc<[LoadedArtifact]>,
    raw: Vec<RawDoc>,
) -> (PolicyEntry, Option<Spilled>) {
    let mut entry = entry(&p);
    let (loaded, info) = match p.loaded {
        Ok(x) => x,
        Err(e) => {
            entry.summary = format!("policy could not be loaded: {e}");
            entry.error = Some(e);
            return (entry, None);
        }
    };
    if p.spec.name.is_none() {
        entry.name = info.name.clone();
    }
    entry.version = info.version.clone();
    entry.rules = info.rules.iter().map(convert::rule_info).collect();

    let consumes: Vec<ArtifactKind> = info
        .consumes
        .iter()
        .map(|k| convert::kind_back(*k))
        .collect();
    let mut request_artifacts = build_artifacts(artifacts, &consumes);
    if consumes.contains(&ArtifactKind::Raw) {
        request_artifacts.extend(raw.into_iter().map(Input::from));
    }
    if request_artifacts.is_empty() {
        no_input(&mut entry, &consumes, p.spec.required);
        return (entry, None);
    }
    let request = Request {
        artifacts: request_artifacts,
        params: p.params.to_string(),
        context: wit_context(&plan.context),
        changes: plan.changes.clone(),
    };
    let (result, transcript) = runtime.evaluate(&loaded, env, request);
    entry.fuel_consumed = transcript.fuel_consumed;
    entry.log = transcript.log;
    entry.stdout = transcript.stdout;
    entry.stderr = transcript.stderr;
    match result {
        Ok(v) => {
            let findings = judged(&mut entry, v, p.level, &plan.overrides);
            (entry, Some(findings))
        }
        Err(e) => {
            failed(&mut entry, e, &p.spec.params_origin, &info.name);
            (entry, None)
        }
    }
}

/// The entry of a policy before it is evaluated: an error until it says
/// otherwise.
fn entry(p: &Prepared) -> PolicyEntry {
    let reference = p.spec.reference.to_string();
    PolicyEntry {
        name: p.spec.name.clone().unwrap_or_else(|| reference.clone()),
        reference,
        version: String::new(),
        digest: p.digest.clone(),
        pack: p.pack.clone(),
        level: p.level,
        level_from: p.level_from_pack.then_some(LevelFrom::Pack),
        outcome: Outcome::Error,
        policy_outcome: None,
        summary: String::new(),
        error: None,
        findings: Vec::new(),
        metrics: Vec::new(),
        fuel_consumed: 0,
        log: Vec::new(),
        stdout: String::new(),
        stderr: String::new(),
        overridden: None,
        rules: Vec::new(),
    }
}

/// No artifact of a kind the policy reads: an error for a configured
/// policy, "not applicable" for one of the default pack.
fn no_input(entry: &mut PolicyEntry, consumes: &[ArtifactKind], required: bool) {
    let kinds: Vec<&str> = consumes.iter().map(|k| k.as_str()).collect();
    let msg = format!(
        "no artifact of a kind this policy reads ({})",
        kinds.join(", ")
    );
    if required {
        entry.summary = msg.clone();
        entry.error = Some(PolicyFailure::new(PolicyErrorKind::NoInput, msg));
    } else {
        entry.outcome = Outcome::Skip;
        entry.summary = format!("not applicable: {msg}");
    }
}

/// The run's context as the contract passes it to a policy.
fn wit_context(c: &RunContext) -> wit::Context {
    wit::Context {
        now: c.now.clone(),
        environment: c.environment.clone(),
        branch: c.branch.clone(),
        commit: c.commit.clone(),
        author: c.author.clone(),
        base_ref: c.base_ref.clone(),
    }
}

/// What a policy said, with its level (and an `--override` of a failed
/// `soft` policy) applied; its findings are returned, to be read back.
fn judged(entry: &mut PolicyEntry, v: Judged, level: Level, overrides: &[Override]) -> Spilled {
    let said = match v.outcome {
        wit::Outcome::Pass => Outcome::Pass,
        wit::Outcome::Warn => Outcome::Warn,
        wit::Outcome::Fail => Outcome::Fail,
        wit::Outcome::Skip => Outcome::Skip,
    };
    entry.outcome = verdict::enforce(level, said);
    if entry.outcome == Outcome::Fail
        && level == Level::Soft
        && let Some(o) = overrides.iter().find(|o| targets(o, entry))
    {
        entry.outcome = Outcome::Warn;
        entry.overridden = Some(o.clone());
    }
    if entry.outcome != said {
        entry.policy_outcome = Some(said);
    }
    entry.summary = v.summary;
    entry.metrics = v.metrics.into_iter().map(metric).collect();
    v.findings
}

/// A policy that failed to judge. Params the policy refused are a config
/// error: the message says where they were written, as for a schema
/// violation.
fn failed(entry: &mut PolicyEntry, mut e: PolicyFailure, params_origin: &ParamsOrigin, name: &str) {
    if e.kind == PolicyErrorKind::InvalidParams {
        // A policy names the value it refuses by its JSON pointer first
        // (`/waivers/0/path: …`): the place is that value.
        let pointer = Some(e.message.as_str())
            .filter(|m| m.starts_with('/'))
            .and_then(|m| m.split_once(": "))
            .map_or("", |(p, _)| p);
        let place = origin_error(&params_origin.at(pointer), "--params", String::new(), None).place;
        e.message = format!(
            "{place}: params of policy `{name}` rejected by the policy: {}",
            e.message
        );
    }
    entry.summary = format!("policy failed: {e}");
    entry.error = Some(e);
}

/// The artifacts a policy gets: coverage reports merged per role (one
/// concept, one place: the host merges, policies never re-implement it),
/// everything else one by one. Item lists stay in the shared models; the
/// policy reads them in batches.
fn build_artifacts(artifacts: &Arc<[LoadedArtifact]>, consumes: &[ArtifactKind]) -> Vec<Input> {
    let mut out = Vec::new();
    for role in [Role::Current, Role::Baseline] {
        let cov: Vec<(usize, &LoadedArtifact)> = artifacts
            .iter()
            .enumerate()
            .filter(|(_, a)| a.spec.role == role && matches!(a.parsed.model, Model::Coverage(_)))
            .collect();
        if consumes.contains(&ArtifactKind::Coverage) && !cov.is_empty() {
            // One report is already normalized: shared as it is, never
            // copied (a copy of a big report doubled gate's peak memory).
            let (files, totals) = match cov.as_slice() {
                [(index, one)] => match &one.parsed.model {
                    Model::Coverage(c) => (
                        Shared::Loaded {
                            all: Arc::clone(artifacts),
                            index: *index,
                        },
                        convert::coverage_totals(c),
                    ),
                    _ => continue,
                },
                _ => {
                    let m =
                        gate_artifacts::CoverageReport::merged(cov.iter().filter_map(|(_, a)| {
                            match &a.parsed.model {
                                Model::Coverage(c) => Some(c),
                                _ => None,
                            }
                        }))
                        .into_owned();
                    let totals = convert::coverage_totals(&m);
                    (Shared::Merged(Arc::new(m)), totals)
                }
            };
            let parts: Vec<&LoadedArtifact> = cov.iter().map(|(_, a)| *a).collect();
            out.push(Input::Coverage {
                meta: merged_meta(&parts, role),
                totals,
                files,
            });
        }
    }
    for (index, a) in artifacts.iter().enumerate() {
        let meta = meta(a);
        let kind = a.parsed.kind();
        if !consumes.contains(&kind) {
            continue;
        }
        let shared = || Shared::Loaded {
            all: Arc::clone(artifacts),
            index,
        };
        match &a.parsed.model {
            Model::Coverage(_) => {}
            Model::Findings(_) => out.push(Input::Findings {
                meta,
                findings: shared(),
            }),
            Model::Iac(_) => out.push(Input::Iac {
                meta,
                resources: shared(),
            }),
            Model::Approvals(s) => {
                out.push(Input::Approvals(Box::new(convert::approvals(meta, s))))
            }
            Model::Tests(t) => out.push(Input::Tests {
                meta,
                totals: convert::test_totals(t),
                suites: convert::test_suites(t),
                cases: shared(),
                warnings: convert::warnings(&a.parsed.warnings),
            }),
            Model::Performance(p) => out.push(Input::Performance {
                meta,
                tool: p.tool.clone(),
                tool_version: p.tool_version.clone(),
                measurements: shared(),
                warnings: convert::warnings(&a.parsed.warnings),
            }),
            Model::Metrics(r) => out.push(Input::Metrics(Box::new(convert::metrics(meta, r)))),
        }
    }
    out
}

fn role(r: Role) -> wit::ArtifactRole {
    match r {
        Role::Current => wit::ArtifactRole::Current,
        Role::Baseline => wit::ArtifactRole::Baseline,
    }
}

fn meta(a: &LoadedArtifact) -> wit::ArtifactMeta {
    wit::ArtifactMeta {
        path: a.spec.display.clone(),
        format: a.parsed.format.as_str().to_string(),
        sha256: a.sha256.clone(),
        role: role(a.spec.role),
    }
}

fn merged_meta(parts: &[&LoadedArtifact], r: Role) -> wit::ArtifactMeta {
    if let [one] = parts {
        return meta(one);
    }
    let mut formats: Vec<&str> = parts.iter().map(|a| a.parsed.format.as_str()).collect();
    formats.dedup();
    let mut h = Sha256::new();
    for a in parts {
        h.update(a.sha256.as_bytes());
        h.update(b"\n");
    }
    wit::ArtifactMeta {
        path: parts
            .iter()
            .map(|a| a.spec.display.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        format: formats.join("+"),
        sha256: format!("{:x}", h.finalize()),
        role: role(r),
    }
}

fn metric(m: wit::Metric) -> Metric {
    Metric {
        name: m.name,
        value: m.value,
        unit: m.unit,
        threshold: m.threshold,
        comparator: m.comparator.map(|c| match c {
            wit::Comparator::Ge => Comparator::Ge,
            wit::Comparator::Gt => Comparator::Gt,
            wit::Comparator::Le => Comparator::Le,
            wit::Comparator::Lt => Comparator::Lt,
            wit::Comparator::Eq => Comparator::Eq,
        }),
    }
}

fn targets(o: &Override, entry: &PolicyEntry) -> bool {
    o.target == entry.name || o.target == entry.reference
}

/// Every `--override` must name a configured `soft` policy: overriding a
/// `hard` one, or a typo, is a usage error rather than silently ignored.
fn check_overrides(plan: &RunPlan, prepared: &[Prepared]) -> Result<(), GateError> {
    for o in &plan.overrides {
        let found = prepared.iter().find(|p| {
            let reference = p.spec.reference.to_string();
            let info_name = p.loaded.as_ref().ok().map(|(_, i)| i.name.as_str());
            p.spec.name.as_deref() == Some(o.target.as_str())
                || reference == o.target
                || (p.spec.name.is_none() && info_name == Some(o.target.as_str()))
        });
        match found {
            None => {
                return Err(GateError::Usage(format!(
                    "--override {}: no such policy in this run",
                    o.target
                )));
            }
            Some(p) if p.level != Level::Soft => {
                return Err(GateError::Usage(
                    format!(
                        "--override {}: only `soft` policies can be overridden (this one is {:?})",
                        o.target, p.level
                    )
                    .to_lowercase(),
                ));
            }
            Some(_) if o.by.trim().is_empty() || o.reason.trim().is_empty() => {
                return Err(GateError::Usage(
                    "--override needs a non-empty --by and --reason".into(),
                ));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::{Path, PathBuf};

    /// Sources held in memory: one component and one LCOV text, served
    /// under paths that do not exist, so anything read from the disk
    /// instead would fail the run.
    struct Memory {
        component: &'static [u8],
        lcov: &'static str,
    }

    const NOWHERE: &str = "/nonexistent/gate-core-test";

    impl Sources for Memory {
        fn component(&self, reference: &PolicyRef) -> Result<Component, SourceError> {
            match reference {
                PolicyRef::File(p) if p.starts_with(NOWHERE) => Ok(Component {
                    bytes: self.component.into(),
                    builtin_digest: None,
                    pack: None,
                }),
                other => Err(SourceError::Io {
                    path: other.to_string(),
                    message: "not in memory".into(),
                }),
            }
        }

        fn artifacts(
            &self,
            specs: &[ArtifactSpec],
            options: &ParseOptions,
        ) -> Result<Vec<LoadedArtifact>, Vec<InputError>> {
            specs
                .iter()
                .map(|spec| {
                    gate_artifacts::parse(&spec.display, self.lcov.as_bytes(), spec.format, options)
                        .map(|parsed| LoadedArtifact {
                            spec: spec.clone(),
                            sha256: String::new(),
                            parsed,
                        })
                        .map_err(|e| vec![InputError::Parse(e)])
                })
                .collect()
        }
    }

    fn plan(params: serde_json::Value) -> RunPlan {
        let now = "2026-01-01T00:00:00Z";
        RunPlan {
            overrides: Vec::new(),
            fail_on_warn: false,
            policies: vec![PolicySpec {
                reference: PolicyRef::File(Path::new(NOWHERE).join("coverage.wasm")),
                reference_origin: ParamsOrigin::Flag,
                name: None,
                level: None,
                params,
                params_origin: ParamsOrigin::Flag,
                required: true,
                rego: RegoSources::default(),
            }],
            artifacts: vec![ArtifactSpec {
                display: "lcov.info".into(),
                path: PathBuf::from(NOWHERE).join("lcov.info"),
                format: None,
                role: Role::Current,
            }],
            parse_options: ParseOptions::default(),
            limits: Limits::default(),
            cache: CompileCache::disabled(),
            context: RunContext {
                now: now.into(),
                now_source: "flag",
                environment: None,
                branch: None,
                commit: None,
                author: None,
                base_ref: None,
                repository_url: None,
                now_ts: now.parse().unwrap(),
            },
            changes: None,
            registry: gate_oci::Options::default(),
        }
    }

    #[test]
    fn the_core_judges_what_its_sources_give_it() {
        let runtime = Runtime::new(Limits::default(), CompileCache::disabled()).unwrap();
        let sources = Memory {
            component: crate::policies::builtin::get("coverage").unwrap(),
            // Two lines, one of them run: 50 % line coverage.
            lcov: "SF:src/a.rs\nDA:1,1\nDA:2,0\nend_of_record\n",
        };
        let passed = evaluate(&plan(json!({"min-line": 50})), &runtime, &sources).unwrap();
        assert_eq!((passed.outcome, passed.exit_code), (Outcome::Pass, 0));
        let failed = evaluate(&plan(json!({"min-line": 80})), &runtime, &sources).unwrap();
        assert_eq!((failed.outcome, failed.exit_code), (Outcome::Fail, 1));
        let policy = &failed.policies[0];
        assert_eq!(
            (policy.name.as_str(), policy.error.as_ref()),
            ("coverage", None)
        );
        assert_eq!(failed.artifacts[0].path, "lcov.info");
        // Params are still checked against the schema, before any artifact.
        let refused = evaluate(&plan(json!({"min-line": "most"})), &runtime, &sources);
        assert!(
            matches!(&refused, Err(GateError::Config(c)) if c.code == "invalid-params"),
            "{refused:?}"
        );
    }

    #[test]
    fn user_params_replace_pack_defaults_key_by_key() {
        let defaults = json!({"min-line": 95, "min-function": 10, "max": {"critical": 0}});
        let merged = merge_params(
            defaults.as_object(),
            &json!({"min-line": 75, "max": {"high": 2}}),
        );
        // Given keys win whole (the table is not merged deeper); the rest stay.
        assert_eq!(
            merged,
            json!({"min-line": 75, "min-function": 10, "max": {"high": 2}})
        );
        assert_eq!(merge_params(None, &json!({"a": 1})), json!({"a": 1}));
        assert_eq!(merge_params(defaults.as_object(), &json!({})), defaults);
    }
}
