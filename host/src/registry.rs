//! Policy packs in gate. The `gate-oci` crate does the OCI side
//! (references, layouts, the registry client, cache, lock, signatures, the
//! `pack.toml` format); what needs gate itself is here: checking each
//! component in gate's runtime when a pack is built ([`RuntimeCheck`]) and
//! showing the crate's notes and transfers on stderr ([`Stderr`]). Registry
//! errors become `GateError::Registry` (exit code 5) in `error`.

use crate::params::ParamsProblem;
use crate::runtime::{CallEnv, CompileCache, Limits, Runtime};
use gate_oci::{
    BuiltPolicy, ComponentCheck, ComponentInfo, Note, Observer, Pack, PackToml, ParamsRejection,
    RegistryError, RegoPolicy, Transfer,
};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// Checks components for `gate pack build` as a run would load them: in
/// gate's runtime (default limits, no compile cache), `info()` answered,
/// default params validated by gate's params validator.
pub(crate) struct RuntimeCheck {
    runtime: Runtime,
}

impl RuntimeCheck {
    pub fn new() -> Result<RuntimeCheck, RegistryError> {
        let runtime = Runtime::new(Limits::default(), CompileCache::disabled())
            .map_err(|e| RegistryError::new(format!("cannot start the wasm runtime: {e:#}")))?;
        Ok(RuntimeCheck { runtime })
    }
}

impl ComponentCheck for RuntimeCheck {
    fn info(&self, component: &[u8]) -> Result<ComponentInfo, String> {
        // A fixed clock: what a component says about itself must not
        // depend on when the pack was built.
        let env = CallEnv {
            now: Duration::from_secs(0),
        };
        self.runtime
            .load(component)
            .and_then(|loaded| self.runtime.info(&loaded, env))
            .map(|info| ComponentInfo {
                name: info.name,
                version: info.version,
                description: info.description,
                params_schema: info.params_schema,
            })
            .map_err(|e| e.to_string())
    }

    fn check_params(
        &self,
        schema: &str,
        params: &serde_json::Value,
    ) -> Result<(), ParamsRejection> {
        crate::params::validate(schema, params).map_err(|p| match p {
            ParamsProblem::BadSchema(e) => ParamsRejection::BadSchema(e),
            ParamsProblem::Invalid(issues) => {
                ParamsRejection::Invalid(issues.iter().map(ToString::to_string).collect())
            }
        })
    }

    /// The files read, then parsed once by `builtin:rego` itself in the
    /// sandbox (`mode = "compile"`: the same engine and the same errors,
    /// `file:line:col`, as a run).
    fn rego(
        &self,
        dir: &Path,
        rego: &[String],
        data: &[String],
        params: &serde_json::Value,
    ) -> Result<RegoPolicy, String> {
        let component = crate::policies::builtin::embedded("rego")
            .ok_or("this gate has no builtin:rego")?
            .bytes
            .to_vec();
        let files = crate::inputs::rego::pack_files(dir, rego, data)?;
        let compile = compile_rego(&self.runtime, &component, &files, params)?;
        if compile.outcome != crate::runtime::bindings::types::Outcome::Pass {
            return Err(format!(
                "the Rego modules do not compile: {}",
                compile.summary
            ));
        }
        Ok(RegoPolicy { component, files })
    }
}

/// `builtin:rego` in `mode = "compile"` over `files` with `params` (the
/// mode added): parses every module and data document, and lists the
/// conftest rules as info findings. An error is the policy's message.
pub(crate) fn compile_rego(
    runtime: &Runtime,
    component: &[u8],
    files: &gate_oci::RegoFiles,
    params: &serde_json::Value,
) -> Result<crate::runtime::Judged, String> {
    use crate::runtime::bindings::types as wit;
    let env = CallEnv {
        now: Duration::from_secs(0),
    };
    let mut params = params.as_object().cloned().unwrap_or_default();
    params.insert("mode".into(), "compile".into());
    let loaded = runtime.load(component).map_err(|e| e.to_string())?;
    let artifacts = crate::inputs::rego::embedded_docs(files)
        .into_iter()
        .map(crate::runtime::Input::from)
        .collect();
    let request = crate::runtime::Request {
        artifacts,
        params: serde_json::Value::Object(params).to_string(),
        context: wit::Context {
            now: "1970-01-01T00:00:00Z".into(),
            environment: None,
            branch: None,
            commit: None,
            author: None,
            base_ref: None,
        },
        changes: None,
    };
    runtime
        .evaluate(&loaded, env, request)
        .0
        .map_err(|e| e.message)
}

/// Reads, checks and builds the pack in `dir` (its `pack.toml` first,
/// then each component in gate's runtime).
pub fn build_pack(dir: &Path) -> Result<(PackToml, Pack, Vec<BuiltPolicy>), RegistryError> {
    let toml = PackToml::load(dir)?;
    toml.check()?;
    let check = RuntimeCheck::new()?;
    let (pack, built) = gate_oci::build(dir, &toml, &check)?;
    Ok((toml, pack, built))
}

/// Whether progress is shown in this process: only when stderr is a
/// terminal (and `TERM` is not `dumb`), so CI logs and pipes stay quiet.
fn progress_enabled() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Shows `gate-oci`'s notes and warnings on stderr, and its status lines
/// and transfers (as progress bars) only when stderr is a terminal.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stderr {
    progress: bool,
}

impl Stderr {
    pub fn new() -> Stderr {
        Stderr {
            progress: progress_enabled(),
        }
    }
}

impl Default for Stderr {
    fn default() -> Self {
        Stderr::new()
    }
}

impl Observer for Stderr {
    fn note(&self, note: Note) {
        if note.is_status() && !self.progress {
            return;
        }
        eprintln!("{note}");
    }

    fn transfer(&self, label: &str, total: u64) -> Box<dyn Transfer> {
        Box::new(Bar {
            label: label.to_string(),
            total,
            done: 0,
            enabled: self.progress,
            drawn: None,
        })
    }
}

/// Bar width in cells.
const WIDTH: usize = 24;
/// Redraw at most this often; a bar is always drawn complete at the end.
const EVERY: Duration = Duration::from_millis(80);

/// One transfer's progress bar.
struct Bar {
    label: String,
    total: u64,
    done: u64,
    enabled: bool,
    drawn: Option<Instant>,
}

impl Bar {
    fn draw(&mut self, end: &str) {
        self.drawn = Some(Instant::now());
        let mut err = std::io::stderr().lock();
        // A failed write to the terminal only loses the bar.
        let _ = write!(
            err,
            "\r\x1b[2K{}{end}",
            render(&self.label, self.done, self.total)
        );
        let _ = err.flush();
    }
}

impl Transfer for Bar {
    fn advance(&mut self, n: u64) {
        self.done = self.done.saturating_add(n);
        if self.enabled && self.drawn.is_none_or(|t| t.elapsed() >= EVERY) {
            self.draw("");
        }
    }

    fn finish(mut self: Box<Self>) {
        if self.enabled {
            self.draw("\n");
        }
    }
}

/// `LABEL [#######>        ]  45%  1.2/2.6 MiB`
fn render(label: &str, done: u64, total: u64) -> String {
    let fraction = if total == 0 {
        1.0
    } else {
        (done.min(total) as f64) / (total as f64)
    };
    let filled = ((fraction * WIDTH as f64).floor() as usize).min(WIDTH);
    let mut bar = "#".repeat(filled);
    if filled < WIDTH {
        bar.push('>');
        bar.push_str(&" ".repeat(WIDTH - filled - 1));
    }
    format!(
        "{label} [{bar}] {:>3}%  {}/{}",
        (fraction * 100.0).floor() as u64,
        size(done),
        size(total)
    )
}

fn size(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f >= KIB * KIB {
        format!("{:.1} MiB", f / (KIB * KIB))
    } else if f >= KIB {
        format!("{:.1} KiB", f / KIB)
    } else {
        format!("{n} B")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_bars() {
        assert_eq!(
            render("x", 0, 2048),
            "x [>                       ]   0%  0 B/2.0 KiB"
        );
        assert_eq!(
            render("x", 1024, 2048),
            "x [############>           ]  50%  1.0 KiB/2.0 KiB"
        );
        assert_eq!(
            render("x", 3 << 20, 3 << 20),
            "x [########################] 100%  3.0 MiB/3.0 MiB"
        );
        // Empty blobs are complete at once.
        assert!(render("x", 0, 0).contains("100%"));
    }
}
