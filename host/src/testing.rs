//! `gate test`: declarative test cases for policies, run through the same
//! core as `gate check` ([`crate::evaluate::evaluate`]).
//!
//! A test file (`*.test.toml`) names a policy and cases; each case gives
//! params, inputs and context, and what must come out. The semantics are
//! built so that a test cannot pass by accident:
//! - a rule expected to `fail` or `warn` must have fired (an open finding);
//! - a rule the policy's catalog (`info().rules`) does not know is an error
//!   in the test file where the expectation could not fail (`pass`, a count
//!   of 0); elsewhere it must fire like any other (rule ids a policy takes
//!   from the artifact, such as a scanner's, are not in its catalog);
//! - a case without expectations or a file without cases is an error;
//! - a policy error is a failed case unless the case expects that error.
//!
//! Which rules of each policy's catalog fired in some case is reported as
//! rule coverage.
//!
//! `builtin:rego` takes its modules from the test file: `rego`, `data` and
//! `input` globs (relative to the test file) at the top for every case and
//! in a case for that case; `rego-tests` names modules of `test_*` rules,
//! run like `opa test` inside the sandbox (the policy's `mode = "test"`),
//! each reported as a case. For Rego, a "policy" of rule coverage is the
//! set of modules, and its rules are the deny/violation/warn rules of the
//! selected namespaces (`main.deny`), as the policy's `mode = "compile"`
//! lists them; a finding counts for its Rego rule even when its message
//! gives another id.

use crate::error::GateError;
use crate::evaluate::{self, ParamsOrigin, PolicySpec, RunPlan, Sources};
use crate::inputs::rego::{self, RegoSources, SourceFile};
use crate::inputs::{ArtifactSpec, InputError, LoadedArtifact};
use crate::model::{Level, Outcome, Role, RunContext};
use crate::policies::{Component, PolicyRef, SourceError};
use crate::runtime::{CallEnv, CompileCache, Limits, Runtime};
use crate::verdict::{FindingStatus, PolicyEntry, VerdictDoc};
use gate_artifacts::{Format, ParseOptions};
use serde::Deserialize;
use sha2::Digest;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What a test file must be named (so a directory can be searched).
pub const SUFFIX: &str = ".test.toml";

/// "Now" of a case that gives none: fixed, so a test never reads the clock.
const DEFAULT_NOW: &str = "1970-01-01T00:00:00Z";

/// A test file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct FileSpec {
    /// The policy every case runs unless the case names its own.
    policy: Option<String>,
    /// Defaults for every case.
    now: Option<String>,
    /// Params of every case (a case's keys replace these key by key).
    #[serde(default)]
    params: Option<toml::Table>,
    /// `builtin:rego`: module, data and input globs for every case.
    #[serde(default)]
    rego: Vec<String>,
    #[serde(default)]
    data: Vec<String>,
    #[serde(default)]
    input: Vec<String>,
    /// `builtin:rego`: modules whose `test_*` rules run like `opa test`
    /// (with `rego` and `data`); each must define at least one.
    #[serde(default)]
    rego_tests: Vec<String>,
    #[serde(default)]
    case: Vec<CaseSpec>,
}

/// One case as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CaseSpec {
    name: String,
    policy: Option<String>,
    #[serde(default)]
    params: Option<toml::Table>,
    level: Option<Level>,
    now: Option<String>,
    environment: Option<String>,
    branch: Option<String>,
    author: Option<String>,
    /// A unified diff (path relative to the test file).
    diff: Option<String>,
    #[serde(default)]
    artifacts: Vec<ArtifactInput>,
    /// `builtin:rego`: more module, data and input globs for this case.
    #[serde(default)]
    rego: Vec<String>,
    #[serde(default)]
    data: Vec<String>,
    #[serde(default)]
    input: Vec<String>,
    expect: Option<Expect>,
}

/// An input: a path (relative to the test file), or a table with a path or
/// inline text, an optional forced format and role.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ArtifactInput {
    Path(String),
    Table(ArtifactTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ArtifactTable {
    path: Option<String>,
    /// The document itself; `name` is what reports call it.
    text: Option<String>,
    name: Option<String>,
    format: Option<Format>,
    role: Option<Role>,
}

/// What must come out of a case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Expect {
    /// The policy's outcome after its level: pass, warn, fail, skip, error.
    outcome: Option<Outcome>,
    /// Per rule: fail, warn, pass, waived.
    #[serde(default)]
    rules: BTreeMap<String, String>,
    /// Per rule: the exact number of open findings.
    #[serde(default)]
    counts: BTreeMap<String, u64>,
    /// Per metric: the value, within a tolerance (default 1e-9).
    #[serde(default)]
    metrics: BTreeMap<String, MetricExpect>,
    /// The error the case must end in: a policy error kind
    /// (`contract-violation`, `fuel-exhausted`, …) or a run error code
    /// (`invalid-params`, …).
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricExpect {
    value: f64,
    #[serde(default = "default_tolerance")]
    tolerance: f64,
}

fn default_tolerance() -> f64 {
    1e-9
}

/// A problem that makes a whole test run invalid; each has its exit code.
#[derive(Debug, thiserror::Error)]
pub enum TestError {
    /// A test file that is not one (exit 2).
    #[error("{file}: {message}")]
    BadFile {
        /// The test file.
        file: String,
        /// What is wrong, with the place when known.
        message: String,
    },
    /// A fixture that cannot be read or parsed (exit 3).
    #[error("{file}: case `{case}`: {message}")]
    BadFixture {
        /// The test file.
        file: String,
        /// The case.
        case: String,
        /// What is wrong.
        message: String,
    },
    /// A policy that could not run at all (exit 4).
    #[error("{0}")]
    Runtime(String),
}

impl TestError {
    /// The exit code of the contract: 2 test file, 3 fixture, 4 policy.
    pub fn exit(&self) -> crate::exit::Exit {
        match self {
            TestError::BadFile { .. } => crate::exit::Exit::Usage,
            TestError::BadFixture { .. } => crate::exit::Exit::Input,
            TestError::Runtime(_) => crate::exit::Exit::PolicyRuntime,
        }
    }
}

/// One case's result.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseResult {
    /// The test file.
    pub file: String,
    /// The case's name.
    pub name: String,
    /// The policy it ran.
    pub policy: String,
    /// Whether every expectation held.
    pub passed: bool,
    /// Each expectation that did not hold.
    pub failures: Vec<String>,
    /// The policy's outcome (`error` when the run stopped before a verdict).
    pub outcome: Outcome,
}

/// Rule coverage of one policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Coverage {
    /// The policy reference.
    pub policy: String,
    /// Rules in its catalog.
    pub rules: Vec<String>,
    /// Rules that fired (an open or waived finding) in some case.
    pub exercised: Vec<String>,
    /// The catalog could not be known (Rego modules that compiled with no
    /// case's params): nothing is covered, whatever `rules` says.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
}

impl Coverage {
    /// Percent of the catalog exercised (100 for an empty catalog, 0 for
    /// one that could not be known).
    pub fn percent(&self) -> f64 {
        if self.unknown {
            0.0
        } else if self.rules.is_empty() {
            100.0
        } else {
            self.exercised.len() as f64 * 100.0 / self.rules.len() as f64
        }
    }

    /// Catalog rules no case made fire.
    pub fn missing(&self) -> Vec<&str> {
        self.rules
            .iter()
            .filter(|r| !self.exercised.contains(r))
            .map(String::as_str)
            .collect()
    }
}

/// The whole run.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Every case run, in file and case order.
    pub cases: Vec<CaseResult>,
    /// Per policy, in the order first met.
    pub coverage: Vec<Coverage>,
}

/// Options of a run.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only cases whose `file: name` contains this.
    pub filter: Option<String>,
    /// Neither read nor write the compile cache (`--no-cache`).
    pub no_cache: bool,
}

/// The test files under `paths` (files as given; directories searched for
/// `*.test.toml`, skipping hidden directories and `target`), sorted.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, TestError> {
    let mut found = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut found).map_err(|e| TestError::BadFile {
                file: p.display().to_string(),
                message: format!("cannot list: {}", gate_fsutil::lower(&e)),
            })?;
        } else {
            found.push(p.clone());
        }
    }
    found.sort();
    found.dedup();
    if found.is_empty() {
        return Err(TestError::BadFile {
            file: paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            message: format!("no test files (`*{SUFFIX}`) found"),
        });
    }
    Ok(found)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let kind = entry.file_type()?;
        if kind.is_dir() {
            if !name.starts_with('.') && name != "target" {
                walk(&path, out)?;
            }
        } else if name.ends_with(SUFFIX) {
            out.push(path);
        }
    }
    Ok(())
}

/// Runs every case of `files`.
pub fn run(files: &[PathBuf], options: &Options) -> Result<Report, TestError> {
    let cache = if options.no_cache {
        CompileCache::disabled()
    } else {
        CompileCache::from_env()
    };
    let runtime = Runtime::new(Limits::default(), cache)
        .map_err(|e| TestError::Runtime(format!("cannot start the wasm runtime: {e:#}")))?;
    let mut report = Report {
        cases: Vec::new(),
        coverage: Vec::new(),
    };
    // Catalog and fired rules per policy reference, in the order first met.
    // (policy, its rule catalog, rules fired, whether it is Rego modules',
    // the params that selected a Rego catalog's rules).
    #[allow(clippy::type_complexity)]
    let mut catalogs: Vec<(
        String,
        Vec<String>,
        BTreeSet<String>,
        bool,
        Vec<Option<serde_json::Value>>,
    )> = Vec::new();
    for file in files {
        let display = file.display().to_string();
        let spec = read_file(file, &display)?;
        let base = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        if !spec.rego_tests.is_empty() {
            report
                .cases
                .extend(rego_tests(&runtime, &display, &base, &spec, options)?);
        }
        for case in &spec.case {
            if let Some(f) = &options.filter
                && !format!("{display}: {}", case.name).contains(f.as_str())
            {
                continue;
            }
            let policy = case
                .policy
                .as_deref()
                .or(spec.policy.as_deref())
                .ok_or_else(|| TestError::BadFile {
                    file: display.clone(),
                    message: format!(
                        "case `{}` names no policy (and the file gives none)",
                        case.name
                    ),
                })?;
            let reference = PolicyRef::parse(policy, &base);
            let bad = |message: String| TestError::BadFile {
                file: display.clone(),
                message: format!("case `{}`: {message}", case.name),
            };
            let rego = case_rego(&spec, case, &base, policy).map_err(bad)?;
            let params = case_params(&spec, case);
            // A Rego "policy" is its modules (see the module docs).
            let key = if rego.modules.is_empty() {
                reference.to_string()
            } else {
                let names: Vec<&str> = rego.modules.iter().map(|m| m.display.as_str()).collect();
                format!("{reference} ({})", names.join(", "))
            };
            // Which of the modules' rules are judged depends on these.
            let selecting = |p: &serde_json::Value| -> Vec<Option<serde_json::Value>> {
                ["namespaces", "all-namespaces", "rego-version"]
                    .iter()
                    .map(|k| p.get(*k).cloned())
                    .collect()
            };
            match catalogs.iter_mut().find(|c| c.0 == key) {
                None => {
                    let rules = if rego.modules.is_empty() {
                        catalog(&runtime, &reference)?
                    } else {
                        rego_catalog(&runtime, &rego, &params)?
                    };
                    catalogs.push((
                        key.clone(),
                        rules,
                        BTreeSet::new(),
                        !rego.modules.is_empty(),
                        selecting(&params),
                    ));
                }
                // Rego modules always define a rule: none means they did
                // not compile with that case's params (a case expecting
                // the error); another case's params may compile them.
                Some(c) if c.1.is_empty() && !rego.modules.is_empty() => {
                    c.1 = rego_catalog(&runtime, &rego, &params)?;
                    c.4 = selecting(&params);
                }
                Some(_) => {}
            }
            let Some((_, rules, fired, _, selected)) = catalogs.iter_mut().find(|c| c.0 == key)
            else {
                continue;
            };
            // A case that selects other namespaces (or reads the modules as
            // another Rego version) is checked against its own catalog: a
            // rule name of the others is not one it judges.
            let own;
            let rules: &[String] = if !rego.modules.is_empty() && *selected != selecting(&params) {
                own = rego_catalog(&runtime, &rego, &params)?;
                &own
            } else {
                rules
            };
            let result = run_case(
                &runtime,
                &display,
                &base,
                &spec,
                case,
                &reference,
                (params, rego),
                rules,
                fired,
            )?;
            report.cases.push(result);
        }
    }
    report.coverage = catalogs
        .into_iter()
        .map(|(policy, rules, fired, rego, _)| Coverage {
            unknown: rego && rules.is_empty(),
            exercised: rules
                .iter()
                .filter(|r| fired.contains(*r))
                .cloned()
                .collect(),
            policy,
            rules,
        })
        .collect();
    Ok(report)
}

fn read_file(file: &Path, display: &str) -> Result<FileSpec, TestError> {
    let bad = |message: String| TestError::BadFile {
        file: display.to_string(),
        message,
    };
    let text = crate::fsutil::read_to_string(file).map_err(|e| bad(e.to_string()))?;
    let spec: FileSpec = toml::from_str(&text).map_err(|e| {
        let place = e
            .span()
            .map(|s| format!("{}: ", gate_artifacts::line_col(&text, s.start)))
            .unwrap_or_default();
        bad(format!("{place}{}", e.message()))
    })?;
    if spec.case.is_empty() && spec.rego_tests.is_empty() {
        return Err(bad(
            "the file has no `[[case]]` (nor `rego-tests` for builtin:rego)".into(),
        ));
    }
    let mut names = BTreeSet::new();
    for case in &spec.case {
        if !names.insert(case.name.as_str()) {
            return Err(bad(format!("two cases are named `{}`", case.name)));
        }
        let empty = case.expect.as_ref().is_none_or(|e| {
            e.outcome.is_none()
                && e.rules.is_empty()
                && e.counts.is_empty()
                && e.metrics.is_empty()
                && e.error.is_none()
        });
        if empty {
            return Err(bad(format!(
                "case `{}` expects nothing: give `expect.outcome`, `expect.rules`, `expect.counts`, `expect.metrics` or `expect.error`",
                case.name
            )));
        }
    }
    Ok(spec)
}

/// The rule ids of a policy's catalog.
fn catalog(runtime: &Runtime, reference: &PolicyRef) -> Result<Vec<String>, TestError> {
    let component = read_component(reference).map_err(|e| TestError::Runtime(e.to_string()))?;
    let loaded = runtime
        .load_digested(&component.bytes, component.digest_hex())
        .and_then(|p| {
            runtime.info(
                &p,
                CallEnv {
                    now: Duration::ZERO,
                },
            )
        })
        .map_err(|e| TestError::Runtime(format!("{reference}: {}", e.message)))?;
    Ok(loaded.rules.into_iter().map(|r| r.id).collect())
}

/// Built-ins and files; registry packs are pulled with `gate pack pull`
/// first and read from the cache, offline (a test never hits the network).
fn read_component(reference: &PolicyRef) -> Result<Component, SourceError> {
    let stderr = crate::registry::Stderr::new();
    let options = gate_oci::Options {
        offline: true,
        ..gate_oci::Options::default()
    };
    reference.read(&gate_oci::Resolver::new(options, &stderr))
}

/// What a case reads: components as [`read_component`], artifacts from
/// files or inline text.
struct CaseSources<'a> {
    inputs: &'a [(ArtifactSpec, Option<&'a str>)],
}

impl Sources for CaseSources<'_> {
    fn component(&self, reference: &PolicyRef) -> Result<Component, SourceError> {
        read_component(reference)
    }

    fn artifacts(
        &self,
        _specs: &[ArtifactSpec],
        options: &ParseOptions,
    ) -> Result<Vec<LoadedArtifact>, Vec<InputError>> {
        let mut loaded = Vec::new();
        let mut errors = Vec::new();
        for (spec, text) in self.inputs {
            let result = match text {
                None => crate::inputs::load(spec, options),
                Some(t) => gate_artifacts::parse(&spec.display, t.as_bytes(), spec.format, options)
                    .map(|parsed| LoadedArtifact {
                        spec: spec.clone(),
                        sha256: format!("{:x}", sha2::Sha256::digest(t.as_bytes())),
                        parsed,
                    })
                    .map_err(InputError::Parse),
            };
            match result {
                Ok(a) => loaded.push(a),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(loaded)
        } else {
            Err(errors)
        }
    }
}

/// A case's params: the file's, with the case's keys on top (read as
/// gate.toml's params are, so a case means what a config means).
fn case_params(file: &FileSpec, case: &CaseSpec) -> serde_json::Value {
    let table = |t: &Option<toml::Table>| {
        t.as_ref()
            .map(|t| gate_oci::toml_to_json(&toml::Value::Table(t.clone())))
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    };
    let mut params = table(&file.params);
    params.extend(table(&case.params));
    serde_json::Value::Object(params)
}

/// Expands `globs` (relative to the test file) into `out`, once each.
fn expand_into(base: &Path, globs: &[String], out: &mut Vec<SourceFile>) -> Result<(), String> {
    for g in globs {
        for f in rego::expand(base, g).map_err(|m| format!("{m} (relative to the test file)"))? {
            if !out.contains(&f) {
                out.push(f);
            }
        }
    }
    Ok(())
}

/// The Rego modules, data and inputs of a case: the file's, then the
/// case's. Only `builtin:rego` takes them.
fn case_rego(
    file: &FileSpec,
    case: &CaseSpec,
    base: &Path,
    policy: &str,
) -> Result<RegoSources, String> {
    let mut out = RegoSources::default();
    expand_into(base, &file.rego, &mut out.modules)?;
    expand_into(base, &case.rego, &mut out.modules)?;
    expand_into(base, &file.data, &mut out.data)?;
    expand_into(base, &case.data, &mut out.data)?;
    expand_into(base, &file.input, &mut out.inputs)?;
    expand_into(base, &case.input, &mut out.inputs)?;
    if !out.is_empty() && policy != "builtin:rego" {
        return Err("`rego`, `data` and `input` are for `policy = \"builtin:rego\"` only".into());
    }
    Ok(out)
}

/// The deny/violation/warn rules of Rego modules (`main.deny`), as
/// `builtin:rego`'s compile mode lists them; none when they do not compile
/// with these params (the cases then report why, and coverage is unknown
/// unless another case's params compile them).
fn rego_catalog(
    runtime: &Runtime,
    sources: &RegoSources,
    params: &serde_json::Value,
) -> Result<Vec<String>, TestError> {
    let component = crate::policies::builtin::embedded("rego")
        .ok_or_else(|| TestError::Runtime("builtin:rego is not in this build".into()))?;
    let files = rego::read_files(sources)
        .map_err(|e| TestError::Runtime(format!("reading the Rego modules: {e}")))?;
    match crate::registry::compile_rego(runtime, component.bytes, &files, params) {
        Ok(judged) => judged
            .findings
            .load()
            .map(|fs| fs.iter().map(|f| f.rule.to_string()).collect())
            .map_err(TestError::Runtime),
        Err(_) => Ok(Vec::new()),
    }
}

/// Runs the `test_*` rules of a file's `rego-tests` modules in the
/// sandbox (`builtin:rego`, `mode = "test"`, with the file's `rego` and
/// `data`): one case per test. A test module without a test, or modules
/// that do not parse, are errors in the test file.
fn rego_tests(
    runtime: &Runtime,
    display: &str,
    base: &Path,
    file: &FileSpec,
    options: &Options,
) -> Result<Vec<CaseResult>, TestError> {
    let bad = |message: String| TestError::BadFile {
        file: display.to_string(),
        message,
    };
    if file.policy.as_deref() != Some("builtin:rego") {
        return Err(bad(
            "`rego-tests` runs Rego unit tests: the file's policy must be `builtin:rego`".into(),
        ));
    }
    let mut tests = Vec::new();
    expand_into(base, &file.rego_tests, &mut tests).map_err(|m| bad(format!("rego-tests: {m}")))?;
    let mut sources = RegoSources::default();
    expand_into(base, &file.rego, &mut sources.modules).map_err(&bad)?;
    expand_into(base, &file.data, &mut sources.data).map_err(&bad)?;
    for t in &tests {
        if !sources.modules.contains(t) {
            sources.modules.push(t.clone());
        }
    }
    let mut params = file
        .params
        .as_ref()
        .map(|t| gate_oci::toml_to_json(&toml::Value::Table(t.clone())))
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    params.insert("mode".into(), "test".into());
    let context = context_at(file.now.as_deref()).map_err(&bad)?;
    let reference = PolicyRef::parse("builtin:rego", base);
    let plan = plan_for(
        &reference,
        serde_json::Value::Object(params),
        ParamsOrigin::Host,
        None,
        sources,
        Vec::new(),
        base,
        context,
        None,
    );
    let doc = match evaluate::evaluate(&plan, runtime, &CaseSources { inputs: &[] }) {
        Ok(doc) => doc,
        Err(GateError::Runtime(m)) => return Err(TestError::Runtime(m)),
        Err(e) => return Err(bad(format!("rego-tests: {e}"))),
    };
    let Some(entry) = doc.policies.first() else {
        return Err(TestError::Runtime(format!(
            "{display}: rego-tests: no verdict"
        )));
    };
    if let Some(e) = &entry.error {
        return Err(if e.kind == crate::model::PolicyErrorKind::InvalidParams {
            // The module's own place, not the params' (there are none
            // in a test file's unit-test run).
            let why = e
                .message
                .split_once("rejected by the policy: ")
                .map_or(e.message.as_str(), |(_, m)| m);
            bad(format!("rego-tests: {why}"))
        } else {
            TestError::Runtime(format!("{display}: rego-tests: {e}"))
        });
    }
    let mut out = Vec::new();
    for f in entry.findings.iter().filter(|f| &*f.rule == "rego/test") {
        let evidence: serde_json::Value = f
            .evidence
            .as_deref()
            .and_then(|e| serde_json::from_str(e).ok())
            .unwrap_or_default();
        let name = evidence
            .get("test")
            .and_then(serde_json::Value::as_str)
            .unwrap_or(&f.message)
            .to_string();
        let place = f
            .location
            .as_ref()
            .map(|l| match l.line {
                Some(line) => format!("{}:{line}", l.path),
                None => l.path.to_string(),
            })
            .unwrap_or_default();
        out.push(CaseResult {
            file: display.to_string(),
            name,
            policy: reference.to_string(),
            passed: !f.blocking,
            failures: if f.blocking {
                vec![format!("{place}: {}", f.message)]
            } else {
                Vec::new()
            },
            outcome: if f.blocking {
                Outcome::Fail
            } else {
                Outcome::Pass
            },
        });
    }
    // A module listed for its tests that has none would test nothing.
    for t in &tests {
        let has = entry.findings.iter().any(|f| {
            &*f.rule == "rego/test" && f.location.as_ref().is_some_and(|l| *l.path == *t.display)
        });
        if !has {
            return Err(bad(format!(
                "rego-tests: {} defines no `test_*` rule, so it tests nothing",
                t.display
            )));
        }
    }
    if let Some(filter) = &options.filter {
        out.retain(|c| format!("{display}: {}", c.name).contains(filter.as_str()));
    }
    Ok(out)
}

/// The plan of one case (or of a file's Rego unit tests).
#[allow(clippy::too_many_arguments)]
fn plan_for(
    reference: &PolicyRef,
    params: serde_json::Value,
    params_origin: ParamsOrigin,
    level: Option<Level>,
    rego: RegoSources,
    artifacts: Vec<ArtifactSpec>,
    base: &Path,
    context: RunContext,
    changes: Option<Vec<crate::runtime::bindings::types::ChangedFile>>,
) -> RunPlan {
    RunPlan {
        overrides: Vec::new(),
        fail_on_warn: false,
        policies: vec![PolicySpec {
            reference: reference.clone(),
            reference_origin: ParamsOrigin::Default,
            name: None,
            level,
            params,
            params_origin,
            required: true,
            rego,
        }],
        artifacts,
        parse_options: ParseOptions {
            go_module: None,
            root: Some(base.to_path_buf()),
        },
        limits: Limits::default(),
        cache: CompileCache::disabled(),
        context,
        changes,
        registry: gate_oci::Options::default(),
    }
}

#[allow(clippy::too_many_arguments)]
fn run_case(
    runtime: &Runtime,
    display: &str,
    base: &Path,
    file: &FileSpec,
    case: &CaseSpec,
    reference: &PolicyRef,
    (params, rego): (serde_json::Value, RegoSources),
    catalog: &[String],
    fired: &mut BTreeSet<String>,
) -> Result<CaseResult, TestError> {
    let bad = |message: String| TestError::BadFile {
        file: display.to_string(),
        message: format!("case `{}`: {message}", case.name),
    };
    let fixture = |message: String| TestError::BadFixture {
        file: display.to_string(),
        case: case.name.clone(),
        message,
    };
    let none = Expect::default();
    let expect = case.expect.as_ref().unwrap_or(&none);
    validate_expect(expect, catalog).map_err(&bad)?;

    let inputs = case_inputs(case, base).map_err(&bad)?;
    let level = case.level;
    let context = context(case, file).map_err(&bad)?;
    let changes = match &case.diff {
        Some(d) => {
            Some(evaluate::changes_from_file(&base.join(d)).map_err(|e| fixture(e.to_string()))?)
        }
        None => None,
    };
    let plan = plan_for(
        reference,
        params,
        ParamsOrigin::Default,
        level,
        rego,
        inputs.iter().map(|(s, _)| s.clone()).collect(),
        base,
        context,
        changes,
    );
    let sources = CaseSources { inputs: &inputs };
    let mut result = CaseResult {
        file: display.to_string(),
        name: case.name.clone(),
        policy: reference.to_string(),
        passed: false,
        failures: Vec::new(),
        outcome: Outcome::Error,
    };
    match evaluate::evaluate(&plan, runtime, &sources) {
        Ok(doc) => judge(
            expect,
            &doc,
            fired,
            &mut result.failures,
            &mut result.outcome,
        ),
        Err(e) => {
            let code = run_error_code(&e);
            match (&expect.error, &e) {
                (Some(want), _) if *want == code => {}
                (_, GateError::Input(errors)) => {
                    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
                    return Err(fixture(text.join("; ")));
                }
                (_, GateError::Runtime(m)) => return Err(TestError::Runtime(m.clone())),
                (Some(want), _) => result
                    .failures
                    .push(format!("expected error `{want}`, got `{code}`: {e}")),
                (None, _) => return Err(bad(e.to_string())),
            }
        }
    }
    result.passed = result.failures.is_empty();
    Ok(result)
}

/// The stable code of an error that stopped a case before a verdict.
fn run_error_code(e: &GateError) -> String {
    match e {
        GateError::Config(c) => c.code.to_string(),
        GateError::Usage(_) => "usage".into(),
        GateError::Input(_) => "input".into(),
        GateError::Registry(r) => r.code().to_string(),
        GateError::Runtime(_) => "runtime".into(),
        GateError::Output(_) => "output".into(),
    }
}

/// Expectations that cannot be checked are errors in the test file.
fn validate_expect(expect: &Expect, catalog: &[String]) -> Result<(), String> {
    for (rule, status) in &expect.rules {
        if !matches!(status.as_str(), "fail" | "warn" | "pass" | "waived") {
            return Err(format!(
                "rule `{rule}`: unknown status `{status}` (fail, warn, pass, waived)"
            ));
        }
    }
    // A rule outside the catalog (a typo, or a rule id the policy takes
    // from the artifact, like a scanner's) is only accepted where the
    // expectation needs it to fire: expecting it to pass could never fail.
    let known = |rule: &str| catalog.iter().any(|r| r == rule);
    let vacuous = expect
        .rules
        .iter()
        .filter(|(_, status)| status.as_str() == "pass")
        .map(|(rule, _)| rule)
        .chain(
            expect
                .counts
                .iter()
                .filter(|(_, n)| **n == 0)
                .map(|(rule, _)| rule),
        );
    for rule in vacuous {
        if !known(rule) {
            return Err(format!(
                "rule `{rule}` is not in the policy's catalog ({}), so expecting it not to fire cannot fail",
                catalog.join(", ")
            ));
        }
    }
    Ok(())
}

fn case_inputs<'a>(
    case: &'a CaseSpec,
    base: &Path,
) -> Result<Vec<(ArtifactSpec, Option<&'a str>)>, String> {
    let mut out = Vec::new();
    for (i, input) in case.artifacts.iter().enumerate() {
        let (path, text, name, format, role) = match input {
            ArtifactInput::Path(p) => (Some(p.as_str()), None, None, None, None),
            ArtifactInput::Table(t) => (
                t.path.as_deref(),
                t.text.as_deref(),
                t.name.as_deref(),
                t.format,
                t.role,
            ),
        };
        let role = role.unwrap_or(Role::Current);
        let (display, full) = match (path, text) {
            (Some(p), None) => (p.to_string(), base.join(p)),
            (None, Some(_)) => {
                let n = name
                    .ok_or_else(|| format!("artifact {}: inline `text` needs a `name`", i + 1))?;
                (n.to_string(), base.join(n))
            }
            _ => {
                return Err(format!(
                    "artifact {}: give exactly one of `path` and `text`",
                    i + 1
                ));
            }
        };
        out.push((
            ArtifactSpec {
                display,
                path: full,
                format,
                role,
            },
            text,
        ));
    }
    Ok(out)
}

fn context(case: &CaseSpec, file: &FileSpec) -> Result<RunContext, String> {
    let mut c = context_at(case.now.as_deref().or(file.now.as_deref()))?;
    c.environment = case.environment.clone();
    c.branch = case.branch.clone();
    c.author = case.author.clone();
    Ok(c)
}

/// The context of a run at `now` (default: [`DEFAULT_NOW`]).
fn context_at(now: Option<&str>) -> Result<RunContext, String> {
    let now = now.unwrap_or(DEFAULT_NOW);
    let now_ts: jiff::Timestamp = now
        .parse()
        .map_err(|e| format!("now `{now}` is not an RFC 3339 instant: {e}"))?;
    Ok(RunContext {
        now: now_ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        now_source: "test",
        environment: None,
        branch: None,
        commit: None,
        author: None,
        base_ref: None,
        repository_url: None,
        now_ts,
    })
}

/// Compares a verdict with the expectations; records the rules that fired.
fn judge(
    expect: &Expect,
    doc: &VerdictDoc,
    fired: &mut BTreeSet<String>,
    failures: &mut Vec<String>,
    outcome: &mut Outcome,
) {
    let Some(entry) = doc.policies.first() else {
        failures.push("the run produced no policy verdict".into());
        return;
    };
    *outcome = entry.outcome;
    for f in &entry.findings {
        if matches!(f.status, FindingStatus::Open | FindingStatus::Waived) {
            fired.insert(f.rule.to_string());
            if let Some(r) = rego_rule(entry, f) {
                fired.insert(r);
            }
        }
    }
    match (&expect.error, &entry.error) {
        (Some(want), Some(got)) if got.kind.as_str() == want => return,
        (Some(want), Some(got)) => {
            failures.push(format!(
                "expected error `{want}`, got `{}`: {}",
                got.kind.as_str(),
                got.message
            ));
            return;
        }
        (Some(want), None) => {
            failures.push(format!(
                "expected error `{want}`, but the policy ran ({})",
                entry.outcome.as_str()
            ));
        }
        (None, Some(got)) => {
            // A policy error is never a pass unless expected.
            failures.push(format!(
                "the policy failed with `{}`: {}",
                got.kind.as_str(),
                got.message
            ));
            return;
        }
        (None, None) => {}
    }
    if let Some(want) = expect.outcome
        && entry.outcome != want
    {
        failures.push(format!(
            "expected outcome `{}`, got `{}`",
            want.as_str(),
            entry.outcome.as_str()
        ));
    }
    for (rule, want) in &expect.rules {
        let got = rule_status(entry, rule);
        if got != want {
            failures.push(format!("rule `{rule}`: expected `{want}`, got `{got}`"));
        }
    }
    for (rule, want) in &expect.counts {
        let got = entry
            .findings
            .iter()
            .filter(|f| f.rule == *rule && f.status == FindingStatus::Open)
            .count() as u64;
        if got != *want {
            failures.push(format!(
                "rule `{rule}`: expected {}, got {got}",
                gate_codes::wording::count(*want, "open finding", "open findings")
            ));
        }
    }
    for (name, want) in &expect.metrics {
        match entry.metrics.iter().find(|m| m.name == *name) {
            None => failures.push(format!("metric `{name}`: not reported")),
            Some(m) if (m.value - want.value).abs() > want.tolerance => failures.push(format!(
                "metric `{name}`: expected {} ± {}, got {}",
                want.value, want.tolerance, m.value
            )),
            Some(_) => {}
        }
    }
}

/// The Rego rule (`main.deny`) a `builtin:rego` finding came from, when
/// its message named another id (`data.main.deny` is in its evidence).
fn rego_rule(entry: &PolicyEntry, f: &crate::verdict::Finding) -> Option<String> {
    if entry.name != "rego" {
        return None;
    }
    let evidence: serde_json::Value = serde_json::from_str(f.evidence.as_deref()?).ok()?;
    evidence
        .get("query")?
        .as_str()?
        .strip_prefix("data.")
        .map(str::to_string)
}

/// A rule's status in a verdict: `fail` (an open blocking finding), `warn`
/// (open, none blocking), `waived` (only waived or suppressed findings), or
/// `pass` (no open finding).
fn rule_status(entry: &PolicyEntry, rule: &str) -> &'static str {
    let mut open = false;
    let mut blocking = false;
    let mut waived = false;
    for f in entry
        .findings
        .iter()
        .filter(|f| *f.rule == *rule || rego_rule(entry, f).is_some_and(|r| r == rule))
    {
        match f.status {
            FindingStatus::Open => {
                open = true;
                blocking |= f.blocking;
            }
            FindingStatus::Waived | FindingStatus::Suppressed => waived = true,
            FindingStatus::Fixed => {}
        }
    }
    match (open, blocking, waived) {
        (true, true, _) => "fail",
        (true, false, _) => "warn",
        (false, _, true) => "waived",
        _ => "pass",
    }
}
