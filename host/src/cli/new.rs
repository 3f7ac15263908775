//! `gate new policy NAME`: scaffolds a standalone policy crate (Cargo.toml,
//! a one-rule `src/lib.rs` with typed params and unit tests, `gate test`
//! cases with a fixture, `pack.toml`, README) from the templates in
//! `host/templates/policy/`. Everything is rendered before anything is
//! written, and an existing non-empty directory is never touched.

use crate::error::GateError;
use crate::exit::Exit;
use clap::{Args, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub(crate) enum NewCommand {
    /// Scaffold a policy crate: one rule, params, unit tests, `gate test` cases, pack.toml
    Policy(NewPolicyArgs),
}

#[derive(Debug, Args)]
pub(crate) struct NewPolicyArgs {
    /// The policy's name: lowercase kebab-case (also the crate and the directory name)
    #[arg(value_name = "NAME")]
    pub name: String,
    /// The artifact kind the starting rule judges (Rust policies)
    #[arg(long, value_enum, default_value = "findings")]
    pub kind: Kind,
    /// The policy's language: a Rust crate (a wasm component), or Rego modules run by builtin:rego
    #[arg(long, value_enum, default_value = "rust")]
    pub lang: Lang,
    /// Where to create the crate (default: ./NAME); must not exist or be empty
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// Depend on a local gate-sdk checkout (its directory) instead of the released crate
    #[arg(long, value_name = "PATH")]
    pub sdk_path: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Kind {
    /// Fail on security findings at or above a severity
    Findings,
    /// Require a minimum line coverage
    Coverage,
    /// Require tags on every taggable infrastructure resource
    Iac,
    /// Require a minimum number of approvals
    Approvals,
    /// Fail on failed or errored tests (and on reports with no test)
    Tests,
    /// Hold a named measurement's mean time under a budget
    Performance,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Lang {
    /// A Rust crate built for wasm32-wasip2 with gate-sdk
    Rust,
    /// Rego modules in conftest's conventions, with a gate.toml for builtin:rego
    Rego,
}

/// One file of the scaffold: where it goes and its template.
struct Template {
    path: &'static str,
    text: &'static str,
}

macro_rules! template {
    ($path:expr, $file:literal) => {
        Template {
            path: $path,
            text: include_str!(concat!("../../templates/policy/", $file)),
        }
    };
}

/// The files every kind shares.
const COMMON: &[Template] = &[
    template!("Cargo.toml", "Cargo.toml.tmpl"),
    template!("README.md", "README.md.tmpl"),
    template!("pack.toml", "pack.toml.tmpl"),
    template!(".gitignore", "gitignore.tmpl"),
];

/// The files of a Rego scaffold (no crate: builtin:rego runs the modules).
const REGO: &[Template] = &[
    template!("gate.toml", "rego/gate.toml.tmpl"),
    template!("README.md", "rego/README.md.tmpl"),
    template!("policy/{{crate_name}}.rego", "rego/policy.rego.tmpl"),
    template!("examples/deployment.yaml", "rego/deployment.yaml"),
    template!("tests/{{crate_name}}.test.toml", "rego/test.toml.tmpl"),
    template!(
        "tests/{{crate_name}}_test.rego",
        "rego/policy_test.rego.tmpl"
    ),
    template!("tests/fixtures/kube-system.yaml", "rego/kube-system.yaml"),
];

impl Kind {
    fn files(self) -> [Template; 3] {
        match self {
            Kind::Findings => [
                template!("src/lib.rs", "findings/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "findings/test.toml.tmpl"),
                template!("tests/fixtures/grype.json", "findings/grype.json"),
            ],
            Kind::Coverage => [
                template!("src/lib.rs", "coverage/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "coverage/test.toml.tmpl"),
                template!("tests/fixtures/lcov.info", "coverage/lcov.info"),
            ],
            Kind::Iac => [
                template!("src/lib.rs", "iac/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "iac/test.toml.tmpl"),
                template!("tests/fixtures/plan.json", "iac/plan.json"),
            ],
            Kind::Approvals => [
                template!("src/lib.rs", "approvals/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "approvals/test.toml.tmpl"),
                template!("tests/fixtures/approvals.json", "approvals/approvals.json"),
            ],
            Kind::Tests => [
                template!("src/lib.rs", "tests/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "tests/test.toml.tmpl"),
                template!("tests/fixtures/junit.xml", "tests/junit.xml"),
            ],
            Kind::Performance => [
                template!("src/lib.rs", "performance/lib.rs.tmpl"),
                template!("tests/{{name}}.test.toml", "performance/test.toml.tmpl"),
                template!(
                    "tests/fixtures/hyperfine.json",
                    "performance/hyperfine.json"
                ),
            ],
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Findings => "findings",
            Kind::Coverage => "coverage",
            Kind::Iac => "iac",
            Kind::Approvals => "approvals",
            Kind::Tests => "tests",
            Kind::Performance => "performance",
        }
    }
}

pub fn run(command: NewCommand) -> Result<Exit, GateError> {
    match command {
        NewCommand::Policy(args) => policy(&args),
    }
}

fn policy(args: &NewPolicyArgs) -> Result<Exit, GateError> {
    check_name(&args.name).map_err(GateError::Usage)?;
    let dir = args
        .dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    check_dir(&dir).map_err(GateError::Usage)?;
    let (sdk, sdk_testing) = match &args.sdk_path {
        Some(p) => sdk_path_dependency(p).map_err(GateError::Usage)?,
        None => (
            format!("gate-sdk = \"{}\"", env!("CARGO_PKG_VERSION")),
            format!("gate-sdk-testing = \"{}\"", env!("CARGO_PKG_VERSION")),
        ),
    };
    let vars = [
        ("{{name}}", args.name.clone()),
        ("{{crate_name}}", args.name.replace('-', "_")),
        ("{{type_name}}", type_name(&args.name)),
        ("{{kind}}", args.kind.as_str().to_string()),
        ("{{sdk_dependency}}", sdk),
        ("{{sdk_testing_dependency}}", sdk_testing),
        ("{{gate_version}}", env!("CARGO_PKG_VERSION").to_string()),
    ];
    let kind_files = args.kind.files();
    let templates: Vec<&Template> = match args.lang {
        Lang::Rust => COMMON.iter().chain(kind_files.iter()).collect(),
        Lang::Rego => REGO.iter().collect(),
    };
    let files: Vec<(PathBuf, String)> = templates
        .iter()
        .map(|t| (dir.join(render(t.path, &vars)), render(t.text, &vars)))
        .collect();
    for (path, text) in &files {
        write(path, text)?;
    }
    if args.lang == Lang::Rego {
        crate::cli::output::print(format!(
            "created Rego policy `{name}` in {dir}\n\n  cd {dir}\n  gate check\n  gate test tests\n",
            name = args.name,
            dir = dir.display(),
        ))?;
        return Ok(Exit::Pass);
    }
    crate::cli::output::print(format!(
        "created policy `{name}` ({kind}) in {dir}\n\n  cd {dir}\n  cargo build --release --target wasm32-wasip2\n  gate test tests\n",
        name = args.name,
        kind = args.kind.as_str(),
        dir = dir.display(),
    ))?;
    Ok(Exit::Pass)
}

fn write(path: &Path, text: &str) -> Result<(), GateError> {
    let fail =
        |e: std::io::Error| GateError::Output(format!("cannot write {}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(fail)?;
    }
    std::fs::write(path, text).map_err(fail)
}

fn render(template: &str, vars: &[(&str, String)]) -> String {
    vars.iter()
        .fold(template.to_string(), |text, (key, value)| {
            text.replace(key, value)
        })
}

/// A policy name: lowercase kebab-case starting with a letter (it becomes a
/// crate name, a pack policy name and a rule-id prefix).
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    let ok = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid policy name: use lowercase kebab-case (letters, digits and single dashes, starting with a letter, at most 64 characters), e.g. `no-criticals`"
        ))
    }
}

/// The target directory may be absent or empty; anything else is refused.
pub(crate) fn check_dir(dir: &Path) -> Result<(), String> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => match entries.next() {
            None => Ok(()),
            Some(_) => Err(format!(
                "{} exists and is not empty: nothing was written",
                dir.display()
            )),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("{} cannot be used: {e}", dir.display())),
    }
}

/// `gate-sdk = { path = "…" }` with the checkout's absolute path, and
/// `gate-sdk-testing` from its `testing/` directory (the native tests'
/// fixture loader, see guest-sdk/testing).
fn sdk_path_dependency(path: &Path) -> Result<(String, String), String> {
    let abs =
        std::fs::canonicalize(path).map_err(|e| format!("--sdk-path {}: {e}", path.display()))?;
    if !abs.join("Cargo.toml").is_file() {
        return Err(format!(
            "--sdk-path {}: no Cargo.toml there (give the gate-sdk crate's directory, guest-sdk/ in gate's repository)",
            path.display()
        ));
    }
    let text = abs
        .to_str()
        .ok_or_else(|| format!("--sdk-path {}: not UTF-8", path.display()))?;
    let quoted = |p: String| toml::Value::String(p).to_string();
    Ok((
        format!("gate-sdk = {{ path = {} }}", quoted(text.to_string())),
        format!(
            "gate-sdk-testing = {{ path = {} }}",
            quoted(format!("{text}/testing"))
        ),
    ))
}

/// `no-criticals` → `NoCriticals`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_lowercase_kebab_case() {
        for ok in ["no-criticals", "a", "cov80", "min-2-approvals"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "NoCriticals",
            "no_criticals",
            "-x",
            "x-",
            "a--b",
            "9lives",
            "no criticals",
            "ünï",
            "a/b",
            &"a".repeat(65),
        ] {
            let e = check_name(bad).unwrap_err();
            assert!(e.contains("kebab-case"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_non_empty_dir_is_refused_and_an_empty_or_absent_one_accepted() {
        let tmp = tempfile::tempdir().unwrap();
        assert_eq!(check_dir(&tmp.path().join("absent")), Ok(()));
        assert_eq!(check_dir(tmp.path()), Ok(()));
        std::fs::write(tmp.path().join("keep.txt"), "x").unwrap();
        let e = check_dir(tmp.path()).unwrap_err();
        assert!(e.contains("not empty"), "{e}");
    }

    #[test]
    fn type_names_are_camel_case() {
        assert_eq!(type_name("no-criticals"), "NoCriticals");
        assert_eq!(type_name("cov80"), "Cov80");
    }

    /// Every placeholder a template uses is one the command fills.
    #[test]
    fn every_placeholder_is_known() {
        let known = [
            "{{name}}",
            "{{crate_name}}",
            "{{type_name}}",
            "{{kind}}",
            "{{sdk_dependency}}",
            "{{sdk_testing_dependency}}",
            "{{gate_version}}",
        ];
        for kind in [
            Kind::Findings,
            Kind::Coverage,
            Kind::Iac,
            Kind::Approvals,
            Kind::Tests,
            Kind::Performance,
        ] {
            for t in COMMON.iter().chain(kind.files().iter()).chain(REGO) {
                let mut rest = t.text;
                while let Some(at) = rest.find("{{") {
                    let end = rest[at..].find("}}").map_or(rest.len(), |e| at + e + 2);
                    assert!(
                        known.contains(&&rest[at..end]),
                        "{}: {}",
                        t.path,
                        &rest[at..end]
                    );
                    rest = &rest[end..];
                }
            }
        }
    }
}
