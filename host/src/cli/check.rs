//! `gate check`: the CI step.

use super::{CheckArgs, RunArgs, output};
use crate::config::{ConfigError, ConfigFile, Role, toml_to_json};
use crate::context::{self, ContextArgs};
use crate::error::GateError;
use crate::evaluate::{self, ParamsOrigin, PolicySpec, RunPlan};
use crate::exit::Exit;
use crate::fetch;
use crate::fsutil;
use crate::inputs::ArtifactSpec;
use crate::model::Override;
use crate::policies::{PolicyRef, builtin};
use crate::report;
use crate::runtime::bindings::types::ChangedFile;
use crate::runtime::{CompileCache, Limits};
use gate_artifacts::ParseOptions;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::str::FromStr as _;
use std::sync::Arc;
use std::time::Duration;

pub fn run(args: CheckArgs) -> Result<Exit, GateError> {
    let config = match &args.config {
        Some(path) => Some(load_config(path)?),
        None if default_config_exists() => Some(load_config(Path::new("gate.toml"))?),
        None => None,
    };
    let mut plan = base_plan(&args.run)?;
    let mut artifacts = Vec::new();
    let mut queries = Vec::new();
    if let Some(cfg) = &config {
        let cfg = Arc::new(cfg.clone());
        apply_config(&cfg, &mut plan, &mut artifacts)?;
        queries = metrics_queries(&cfg)?;
        if let Some(root) = &cfg.config.root {
            plan.parse_options.go_module =
                crate::inputs::go_module(&cfg.base_dir().join(root.get_ref()))
                    .map_err(|e| GateError::Input(vec![e]))?;
        }
    } else {
        // No config: the embedded default pack, each policy applied where
        // there is input for it.
        for name in builtin::default_pack() {
            plan.policies.push(PolicySpec {
                reference: PolicyRef::Builtin(name.to_string()),
                reference_origin: ParamsOrigin::Default,
                name: None,
                level: None,
                params: serde_json::json!({}),
                params_origin: ParamsOrigin::Default,
                required: false,
                rego: Default::default(),
            });
        }
    }
    for (paths, role) in [
        (&args.artifacts, Role::Current),
        (&args.baselines, Role::Baseline),
    ] {
        for p in paths {
            artifacts.push(ArtifactSpec {
                display: p.display().to_string(),
                path: p.clone(),
                format: None,
                role,
            });
        }
    }
    let rego_inputs = plan.policies.iter().any(|p| !p.rego.inputs.is_empty());
    if let Some(limits) = super::analysis::Limits::from_args(&args) {
        if plan.policies.is_empty() {
            return Err(GateError::Usage(
                "no policies: add [[policy]] use = \"builtin:canary\" to gate.toml".into(),
            ));
        }
        return super::analysis::run(
            limits,
            &args,
            &queries,
            plan,
            artifacts,
            config.as_ref().map(|c| c.path.as_path()),
        );
    }
    // Kept until the run ends when fetched without --record.
    let _scratch = metrics_artifacts(&args, &queries, &plan, &mut artifacts)?;
    if artifacts.is_empty() && !rego_inputs {
        return Err(GateError::Usage(
            "no artifacts: list them in gate.toml ([[artifact]] path = ...) or pass --artifact PATH"
                .into(),
        ));
    }
    if plan.policies.is_empty() {
        return Err(GateError::Usage(
            "no policies: add [[policy]] use = \"builtin:coverage\" to gate.toml".into(),
        ));
    }
    plan.artifacts = artifacts;
    finish(&plan, &args.run, config.as_ref().map(|c| c.path.as_path()))
}

/// Whether `./gate.toml` is there to be read. Anything at that name
/// counts (a directory, a FIFO, a dangling link), so that it is refused
/// when loaded rather than silently running without the config.
pub(super) fn default_config_exists() -> bool {
    std::fs::symlink_metadata("gate.toml").is_ok()
}

/// Loads a config and applies its input size limit before anything else
/// is read.
#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
pub(super) fn load_config(path: &Path) -> Result<ConfigFile, ConfigError> {
    let cfg = ConfigFile::load(path)?;
    if let Some(limit) = cfg.input_limit()? {
        crate::fsutil::limit_from_config(limit);
    }
    Ok(cfg)
}

/// Evaluates a plan, writes the report files and prints the stdout report;
/// shared by `check` and `eval`. `config` is the config file read, which a
/// report must not replace.
pub(super) fn finish(
    plan: &RunPlan,
    run: &RunArgs,
    config: Option<&Path>,
) -> Result<Exit, GateError> {
    check_report_paths(plan, run, config)?;
    let doc = evaluate::run(plan)?;
    finish_doc(plan, &doc, run, config)
}

/// Publishes a verdict: errors on stderr, the report files, the stdout
/// report, the GitHub job summary; its exit code.
pub(super) fn finish_doc(
    plan: &RunPlan,
    doc: &crate::verdict::VerdictDoc,
    run: &RunArgs,
    config: Option<&Path>,
) -> Result<Exit, GateError> {
    check_report_paths(plan, run, config)?;
    // What stopped a policy goes to stderr once, whatever the stdout
    // report (which shows it in the policy's row).
    for p in &doc.policies {
        if let Some(e) = &p.error {
            eprintln!("error[{}]: {}", e.kind, e.message);
        }
    }
    for (format, path) in &run.reports {
        fsutil::write_file_with(path, |out| report::write(doc, *format, false, out)).map_err(
            |e| {
                GateError::Output(format!(
                    "cannot write report {}: {}",
                    path.display(),
                    fsutil::lower(&e)
                ))
            },
        )?;
    }
    if !run.quiet {
        let color = run.format == report::OutputFormat::Human && report::human::use_color();
        output::print_with(|out| report::write(doc, run.format, color, out))?;
    }
    // On GitHub Actions, the github format also writes the job summary.
    let github = run.format == report::OutputFormat::Github
        || run
            .reports
            .iter()
            .any(|(f, _)| *f == report::OutputFormat::Github);
    if let (true, Some(path)) = (github, std::env::var_os("GITHUB_STEP_SUMMARY")) {
        use std::io::Write;
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut f| f.write_all(report::github::step_summary(doc).as_bytes()));
        if let Err(e) = appended {
            eprintln!(
                "warning: cannot append to $GITHUB_STEP_SUMMARY: {}",
                fsutil::lower(&e)
            );
        }
    }
    Ok(doc.exit)
}

/// A `--report` path that would replace one of gate's own inputs (the
/// config, an artifact, a baseline, the `--diff` file, a policy component)
/// or that another `--report` also writes is a usage error, found before
/// anything is evaluated. Character devices (`/dev/stdout`, `/dev/null`)
/// may be written more than once.
fn check_report_paths(
    plan: &RunPlan,
    run: &RunArgs,
    config: Option<&Path>,
) -> Result<(), GateError> {
    let mut inputs: Vec<(&str, &Path, String)> = Vec::new();
    if let Some(c) = config {
        inputs.push(("the config file", c, c.display().to_string()));
    }
    for a in &plan.artifacts {
        let what = match a.role {
            Role::Current => "an artifact",
            Role::Baseline => "a baseline",
        };
        inputs.push((what, &a.path, a.display.clone()));
    }
    if let Some(d) = &run.diff {
        inputs.push(("the --diff file", d, d.display().to_string()));
    }
    for p in &plan.policies {
        if let PolicyRef::File(f) = &p.reference {
            inputs.push(("a policy component", f, f.display().to_string()));
        }
    }
    let inputs: Vec<(&str, String, FileId)> = inputs
        .into_iter()
        .filter_map(|(what, p, shown)| FileId::of(p).map(|id| (what, shown, id)))
        .collect();
    let mut seen: Vec<(&Path, FileId)> = Vec::new();
    for (_, path) in &run.reports {
        let Some(id) = FileId::of(path) else {
            // No current directory: nothing relative can be written either.
            continue;
        };
        if is_char_device(path) {
            continue;
        }
        if let Some((what, input, _)) = inputs.iter().find(|(_, _, i)| i.same(&id)) {
            return Err(GateError::Usage(format!(
                "--report {}: is {what} ({}) gate reads; a report never replaces an input",
                path.display(),
                input
            )));
        }
        if let Some((other, _)) = seen.iter().find(|(_, i)| i.same(&id)) {
            return Err(GateError::Usage(format!(
                "--report {}: the same file as --report {}; give each report its own path",
                path.display(),
                other.display()
            )));
        }
        seen.push((path, id));
    }
    Ok(())
}

/// Where a path leads: the path the kernel would reach (see [`resolve`])
/// and, when it exists, its device and inode (so that hard links are the
/// same file too).
struct FileId {
    path: PathBuf,
    inode: Option<(u64, u64)>,
}

impl FileId {
    fn of(path: &Path) -> Option<FileId> {
        let inode = inode_of(path);
        Some(FileId {
            path: resolve(path)?,
            inode,
        })
    }

    fn same(&self, other: &FileId) -> bool {
        self.path == other.path || (self.inode.is_some() && self.inode == other.inode)
    }
}

/// The device and inode of the file at `path` (links followed).
#[cfg(unix)]
fn inode_of(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn inode_of(_: &Path) -> Option<(u64, u64)> {
    None
}

/// The absolute path `path` leads to: each existing prefix canonicalized
/// (links followed), the rest, which a report write would create, taken
/// lexically (`new/../gate.toml` is `gate.toml`: the directory `new` is
/// created first).
fn resolve(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let mut cur = std::env::current_dir().ok()?;
    for c in path.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => cur = PathBuf::from(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                cur.pop();
            }
            Component::Normal(name) => {
                let next = cur.join(name);
                cur = std::fs::canonicalize(&next).unwrap_or(next);
            }
        }
    }
    Some(cur)
}

/// A character device (followed through links): `/dev/stdout`, `/dev/null`.
fn is_char_device(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata(path).is_ok_and(|m| m.file_type().is_char_device())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        false
    }
}

/// The repository root as given: an existing directory, made absolute. A
/// root that does not exist would leave every path unmapped, silently.
pub(super) fn root_dir(r: &Path) -> Result<PathBuf, String> {
    let abs = std::fs::canonicalize(r).map_err(|e| fsutil::lower(&e))?;
    if abs.is_dir() {
        Ok(abs)
    } else {
        Err("not a directory".into())
    }
}

/// The parts of a plan that come from flags and the environment.
pub(super) fn base_plan(run: &RunArgs) -> Result<RunPlan, GateError> {
    let context = context::resolve(&ContextArgs {
        now: run.now.clone(),
        environment: run.environment.clone(),
    })
    .map_err(GateError::Usage)?;
    let root = match &run.root {
        Some(r) => Some(
            root_dir(r).map_err(|m| GateError::Usage(format!("--root {}: {m}", r.display())))?,
        ),
        None => std::env::current_dir().ok(),
    };
    let go_module = match root.as_deref() {
        Some(r) => crate::inputs::go_module(r).map_err(|e| GateError::Input(vec![e]))?,
        None => None,
    };
    let changes = match (&run.diff, &run.base) {
        (Some(path), _) => Some(crate::evaluate::changes_from_file(path)?),
        (None, Some(base)) => Some(changes_from_git(base)?),
        (None, None) => None,
    };
    let overrides = run
        .overrides
        .iter()
        .map(|target| Override {
            target: target.clone(),
            by: run.by.clone().unwrap_or_default(),
            reason: run.reason.clone().unwrap_or_default(),
        })
        .collect();
    Ok(RunPlan {
        overrides,
        fail_on_warn: run.fail_on == super::FailOn::Warn,
        policies: Vec::new(),
        artifacts: Vec::new(),
        parse_options: ParseOptions {
            go_module,
            root: root.map(|r| std::fs::canonicalize(&r).unwrap_or(r)),
        },
        limits: Limits::default(),
        cache: if run.no_cache {
            CompileCache::disabled()
        } else {
            CompileCache::from_env()
        },
        context,
        changes,
        registry: gate_oci::Options {
            locked: run.locked,
            offline: run.offline,
            key_base: PathBuf::from("."),
            ..Default::default()
        }
        .with_env(),
    })
}

/// `[registry]` of a config: trusted keys (relative to the config file),
/// offline and insecure switches, and `gate.lock` beside the config.
pub(super) fn apply_registry(cfg: &ConfigFile, options: &mut gate_oci::Options) {
    let reg = &cfg.config.registry;
    let base = cfg.base_dir();
    options.insecure |= reg.insecure;
    options.offline |= reg.offline;
    options.trusted_keys = reg
        .trusted_keys
        .iter()
        .map(|k| k.get_ref().clone())
        .collect();
    options.lock_path = Some(base.join("gate.lock"));
    options.key_base = base;
}

/// The `rego`, `data` and `input` globs of a `[[policy]]`, expanded: only
/// `builtin:rego` takes them, and a glob that matches no file is an error
/// at its place.
#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
fn rego_sources(
    cfg: &ConfigFile,
    p: &crate::config::PolicyConfig,
    base: &Path,
) -> Result<crate::inputs::rego::RegoSources, ConfigError> {
    let mut out = crate::inputs::rego::RegoSources::default();
    let keys = [
        (&p.rego, &mut out.modules),
        (&p.data, &mut out.data),
        (&p.input, &mut out.inputs),
    ];
    for (globs, files) in keys {
        if let Some(g) = globs.first()
            && p.uses.get_ref() != "builtin:rego"
        {
            return Err(cfg.error(
                g.span(),
                "`rego`, `data` and `input` are for `use = \"builtin:rego\"` only".to_string(),
                None,
            ));
        }
        for g in globs {
            let found = crate::inputs::rego::expand(base, g.get_ref()).map_err(|m| {
                cfg.error(g.span(), m, Some("paths are relative to this file".into()))
            })?;
            for f in found {
                if !files.contains(&f) {
                    files.push(f);
                }
            }
        }
    }
    Ok(out)
}

#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
fn apply_config(
    cfg: &Arc<ConfigFile>,
    plan: &mut RunPlan,
    artifacts: &mut Vec<ArtifactSpec>,
) -> Result<(), ConfigError> {
    let base = cfg.base_dir();
    let c = &cfg.config;
    apply_registry(cfg, &mut plan.registry);
    if let Some(root) = &c.root {
        // Its go.mod is read by the caller (an input error, not a config one).
        let r = base.join(root.get_ref());
        plan.parse_options.root = Some(root_dir(&r).map_err(|m| {
            cfg.error(root.span(), format!("root `{}`: {m}", root.get_ref()), None)
        })?);
    }
    let l = &c.limits;
    let value = |v: &Option<toml::Spanned<u64>>| v.as_ref().map(|v| *v.get_ref());
    if let Some(f) = value(&l.fuel) {
        plan.limits.fuel = f;
    }
    if let Some(t) = value(&l.timeout_ms) {
        plan.limits.timeout = Duration::from_millis(t);
    }
    if let Some(m) = value(&l.memory_mib) {
        plan.limits.memory_bytes = usize::try_from(m.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    }
    if let Some(o) = value(&l.output_kib) {
        plan.limits.output_bytes = usize::try_from(o.saturating_mul(1 << 10)).unwrap_or(usize::MAX);
    }
    if let Some(n) = value(&l.max_findings) {
        plan.limits.max_findings = usize::try_from(n).unwrap_or(usize::MAX);
    }
    for a in &c.artifacts {
        let format = match &a.format {
            Some(f) => Some(f.get_ref().parse().map_err(|e: String| {
                cfg.error(f.span(), e, Some("see `gate parse --help`".into()))
            })?),
            None => None,
        };
        let path = PathBuf::from(a.path.get_ref());
        artifacts.push(ArtifactSpec {
            display: a.path.get_ref().clone(),
            path: if path.is_absolute() {
                path
            } else {
                base.join(path)
            },
            format,
            role: a.role,
        });
    }
    for p in &c.policies {
        let reference = PolicyRef::parse(p.uses.get_ref(), &base);
        let (params, params_origin) = match &p.params {
            Some(t) => (
                toml_to_json(&toml::Value::Table(t.get_ref().clone())),
                ParamsOrigin::Config {
                    file: Arc::clone(cfg),
                    span: t.span(),
                },
            ),
            None => (
                serde_json::json!({}),
                ParamsOrigin::Config {
                    file: Arc::clone(cfg),
                    span: p.uses.span(),
                },
            ),
        };
        plan.policies.push(PolicySpec {
            reference,
            reference_origin: ParamsOrigin::Config {
                file: Arc::clone(cfg),
                span: p.uses.span(),
            },
            name: p.name.as_ref().map(|n| n.get_ref().clone()),
            level: p.level,
            params,
            params_origin,
            required: true,
            rego: rego_sources(cfg, p, &base)?,
        });
    }
    Ok(())
}

/// The `[[metrics]]` entries, checked: names unique, both selectors or
/// neither (and `{{selector}}` in the query exactly when they are given),
/// durations that parse.
#[allow(clippy::result_large_err)] // cold path, see config::ConfigError
fn metrics_queries(cfg: &ConfigFile) -> Result<Vec<fetch::Query>, ConfigError> {
    let mut out: Vec<fetch::Query> = Vec::new();
    for m in &cfg.config.metrics {
        let name = m.name.get_ref();
        let bad_name = name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
        if bad_name {
            return Err(cfg.error(
                m.name.span(),
                format!("metrics name `{name}` must be letters, digits, `-` and `_`"),
                None,
            ));
        }
        if out.iter().any(|q| &q.name == name) {
            return Err(cfg.error(
                m.name.span(),
                format!("a second `[[metrics]]` named `{name}`"),
                None,
            ));
        }
        let url = m.url.get_ref();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(cfg.error(
                m.url.span(),
                format!("url `{url}` must start with http:// or https://"),
                None,
            ));
        }
        let has_placeholder = m.query.get_ref().contains(fetch::SELECTOR);
        let sides = match (&m.canary, &m.baseline) {
            (Some(c), Some(b)) => Some((c.get_ref().clone(), b.get_ref().clone())),
            (None, None) => None,
            (Some(s), None) | (None, Some(s)) => {
                return Err(cfg.error(
                    s.span(),
                    "give both `canary` and `baseline` selectors, or neither",
                    None,
                ));
            }
        };
        if sides.is_some() != has_placeholder {
            return Err(cfg.error(
                m.query.span(),
                if has_placeholder {
                    "the query has `{{selector}}` but no `canary` and `baseline` selectors fill it"
                } else {
                    "with `canary` and `baseline` selectors the query needs `{{selector}}` where they go"
                },
                Some("e.g. query = 'sum(rate(http_requests_total{status=~\"5..\",{{selector}}}[5m]))'".into()),
            ));
        }
        let dur = |v: &Option<toml::Spanned<String>>, default: u64| match v {
            Some(s) => fetch::duration(s.get_ref()).map_err(|e| cfg.error(s.span(), e, None)),
            None => Ok(Duration::from_secs(default)),
        };
        let range = match &m.window {
            Some(w) => {
                let (window, step) = (dur(&m.window, 0)?, dur(&m.step, 60)?);
                if window.is_zero() || step.is_zero() {
                    return Err(cfg.error(
                        w.span(),
                        "the window and the step must not be zero",
                        None,
                    ));
                }
                Some((window, step))
            }
            None => {
                if let Some(s) = &m.step {
                    return Err(cfg.error(s.span(), "`step` needs a `window`", None));
                }
                None
            }
        };
        let auth = match (&m.bearer_token_env, &m.basic_auth) {
            (Some(t), None) => fetch::Auth::BearerEnv(t.get_ref().clone()),
            (None, Some(b)) => fetch::Auth::Basic {
                username: b.username.clone(),
                password_env: b.password_env.clone(),
            },
            (None, None) => fetch::Auth::None,
            (Some(t), Some(_)) => {
                return Err(cfg.error(
                    t.span(),
                    "give `bearer-token-env` or `basic-auth`, not both",
                    None,
                ));
            }
        };
        out.push(fetch::Query {
            name: name.clone(),
            url: url.clone(),
            query: m.query.get_ref().clone(),
            sides,
            range,
            timeout: dur(&m.timeout, 30)?,
            auth,
        });
    }
    Ok(out)
}

/// The `[[metrics]]` responses as artifacts: replayed from `--replay DIR`,
/// or fetched now and saved in `--record DIR` (else a scratch directory,
/// returned so it lives until the run ends).
fn metrics_artifacts(
    args: &CheckArgs,
    queries: &[fetch::Query],
    plan: &RunPlan,
    artifacts: &mut Vec<ArtifactSpec>,
) -> Result<Option<Scratch>, GateError> {
    if queries.is_empty() {
        if args.record.is_some() || args.replay.is_some() {
            return Err(GateError::Usage(
                "--record and --replay need `[[metrics]]` entries in gate.toml".into(),
            ));
        }
        return Ok(None);
    }
    if let Some(dir) = &args.replay {
        artifacts.extend(fetch::replay(queries, dir).map_err(GateError::Input)?);
        return Ok(None);
    }
    let (all, scratch) = with_metrics(queries, plan, args.record.as_deref(), artifacts)?;
    *artifacts = all;
    Ok(scratch)
}

/// `fixed` and the answers of `queries` fetched at the plan's now, saved
/// in `record` (else a scratch directory, returned so it lives as long as
/// the answers are read).
pub(super) fn with_metrics(
    queries: &[fetch::Query],
    plan: &RunPlan,
    record: Option<&Path>,
    fixed: &[ArtifactSpec],
) -> Result<(Vec<ArtifactSpec>, Option<Scratch>), GateError> {
    let now = jiff::Timestamp::from_str(&plan.context.now)
        .map_err(|e| GateError::Usage(format!("now `{}`: {e}", plan.context.now)))?
        .as_second();
    let (dir, scratch) = match record {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .map_err(|e| GateError::Output(format!("cannot create {}: {e}", dir.display())))?;
            (dir.to_path_buf(), None)
        }
        None => {
            let dir = fetch::scratch_dir().map_err(|e| {
                GateError::Output(format!("cannot create a scratch directory: {e}"))
            })?;
            (dir.clone(), Some(Scratch(dir)))
        }
    };
    let mut all = fixed.to_vec();
    all.extend(fetch::fetch(queries, now, &dir).map_err(GateError::Input)?);
    Ok((all, scratch))
}

/// The run's context resolved again (the loop's rounds each get a now).
pub(super) fn context_now(run: &RunArgs) -> Result<crate::model::RunContext, GateError> {
    context::resolve(&ContextArgs {
        now: run.now.clone(),
        environment: run.environment.clone(),
    })
    .map_err(GateError::Usage)
}

/// A directory removed when dropped.
pub(super) struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Changed lines between the merge base of `base` and HEAD (`--base`).
fn changes_from_git(base: &str) -> Result<Vec<ChangedFile>, GateError> {
    check_base_ref(base)?;
    // `--end-of-options` (git >= 2.24) makes git read the revision as a
    // revision even if it looks like an option, and `--` ends the
    // revisions; no external diff or textconv program runs. The format is
    // fixed whatever the user's git config says (diff.noprefix,
    // diff.srcPrefix/dstPrefix, diff.relative, diff.renames,
    // diff.interHunkContext,    // core.quotePath, color): gate must read the paths it expects.
    let mut child = std::process::Command::new("git")
        .args([
            "-c",
            "core.quotePath=true",
            "diff",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            "--no-relative",
            "--find-renames",
            "--inter-hunk-context=0",
            "--unified=0",
            "--end-of-options",
        ])
        .arg(format!("{base}...HEAD"))
        .arg("--")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GateError::Usage(format!("--base needs git: {}", fsutil::lower(&e))))?;
    let what = format!("git diff {base}...HEAD");
    // stderr is drained on a thread (keeping its start for the message) so
    // git never blocks on it; stdout is read up to the input size limit,
    // like any other input.
    let stderr = child.stderr.take().map(|mut e| {
        std::thread::spawn(move || {
            let mut kept = Vec::new();
            let _ = (&mut e).take(64 << 10).read_to_end(&mut kept);
            let _ = std::io::copy(&mut e, &mut std::io::sink());
            kept
        })
    });
    let limit = fsutil::input_limit();
    let mut stdout = Vec::new();
    let read = match child.stdout.take() {
        Some(out) => out
            .take(limit.bytes.saturating_add(1))
            .read_to_end(&mut stdout)
            .map(|_| ()),
        None => Ok(()),
    };
    let too_large = u64::try_from(stdout.len()).unwrap_or(u64::MAX) > limit.bytes;
    if too_large || read.is_err() {
        let _ = child.kill();
    }
    let status = child.wait();
    let stderr = stderr.and_then(|t| t.join().ok()).unwrap_or_default();
    if too_large {
        let e = fsutil::ReadError::TooLarge(limit);
        return Err(GateError::Input(vec![crate::inputs::InputError::read(
            &what, &e,
        )]));
    }
    let failed = |why: String| GateError::Usage(format!("{what} failed: {why}"));
    read.map_err(|e| failed(fsutil::lower(&e)))?;
    if !status.map_err(|e| failed(fsutil::lower(&e)))?.success() {
        return Err(failed(String::from_utf8_lossy(&stderr).trim().to_string()));
    }
    let text = String::from_utf8_lossy(&stdout);
    gate_artifacts::diff::parse(&what, &text)
        .map(crate::evaluate::to_changes)
        .map_err(|e| GateError::Input(vec![crate::inputs::InputError::Parse(e)]))
}

/// `--base` is handed to git: a value that git could take for an option
/// (`--base=--output=FILE` would make `git diff` write a file) is a usage
/// error, as is one git could never accept as a ref.
fn check_base_ref(base: &str) -> Result<(), GateError> {
    let why = if base.trim().is_empty() {
        Some("is empty")
    } else if base.starts_with('-') {
        Some("starts with `-`, so git would take it for an option")
    } else if base.chars().any(char::is_control) {
        Some("contains a control character")
    } else {
        None
    };
    match why {
        Some(why) => Err(GateError::Usage(format!(
            "--base {base:?} {why}; give a branch, tag or commit"
        ))),
        None => Ok(()),
    }
}
