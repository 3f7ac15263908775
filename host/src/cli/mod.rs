//! The command line: argument definitions and dispatch. Each command lives
//! in its own file; all of them end in an [`Exit`].

mod analysis;
mod check;
mod diagnostics;
mod eval;
mod new;
pub(crate) mod output;
mod pack;
mod parse;
mod policies;
mod test;
mod version;

use crate::exit::{EXIT_CODES_HELP, Exit};
use crate::report::OutputFormat;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "gate",
    version,
    long_version = version::LONG,
    about = "Evaluate CI artifacts with sandboxed WebAssembly policies",
    after_help = EXIT_CODES_HELP
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run the configured policies (gate.toml) on the pipeline's artifacts
    #[command(after_help = EXIT_CODES_HELP)]
    Check(CheckArgs),
    /// Run one policy ad hoc on some artifacts
    #[command(after_help = EXIT_CODES_HELP)]
    Eval(EvalArgs),
    /// Print the normalized model the policies would see
    Parse(ParseArgs),
    /// List the available policies with version and digest
    Policies(PoliciesArgs),
    /// Run a policy's declarative test cases (`*.test.toml`) and report rule coverage
    #[command(after_help = test::EXIT_HELP)]
    Test(test::TestArgs),
    /// Scaffold a new policy crate (`gate new policy NAME --kind findings`)
    #[command(subcommand)]
    New(new::NewCommand),
    /// Build, push, pull, inspect, sign and verify policy packs (OCI registries)
    #[command(after_help = EXIT_CODES_HELP)]
    Pack(pack::PackArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell to print completions for
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Print the version, commit, build date, target and WIT contract version
    Version {
        /// As JSON, for scripts
        #[arg(long)]
        json: bool,
    },
}

/// Options every evaluating command shares.
#[derive(Debug, Args, Clone)]
pub(crate) struct RunArgs {
    /// Output format on stdout
    #[arg(long, value_enum, default_value = "human")]
    pub format: OutputFormat,
    /// The instant policies see as "now" (RFC 3339); default: $GATE_NOW,
    /// $SOURCE_DATE_EPOCH, else the system clock. Recorded in the verdict.
    #[arg(long)]
    pub now: Option<String>,
    /// Deployment environment (e.g. production); default: $GATE_ENVIRONMENT
    #[arg(long)]
    pub environment: Option<String>,
    /// Repository root for making artifact paths repo-relative
    #[arg(long)]
    pub root: Option<PathBuf>,
    /// Do not read or write the compiled-component cache
    #[arg(long)]
    pub no_cache: bool,
    /// A unified diff of the change under test (for patch coverage)
    #[arg(long, value_name = "FILE", conflicts_with = "base")]
    pub diff: Option<PathBuf>,
    /// Compute the diff with git against this base ref (`git diff REF...HEAD`)
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Override a failed `soft` policy (name or ref); needs --by and --reason
    #[arg(long = "override", value_name = "POLICY", requires_all = ["by", "reason"])]
    pub overrides: Vec<String>,
    /// Who overrides (recorded in the verdict)
    #[arg(long, value_name = "WHO")]
    pub by: Option<String>,
    /// Why (recorded in the verdict)
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// Fail the gate on warnings too
    #[arg(long, value_enum, default_value = "fail")]
    pub fail_on: FailOn,
    /// Also write a report to a file, e.g. `sarif=gate.sarif` (repeatable)
    #[arg(long = "report", value_name = "FORMAT=PATH", value_parser = parse_report)]
    pub reports: Vec<(OutputFormat, PathBuf)>,
    /// Print nothing on stdout (reports still go to files; exit code unchanged)
    #[arg(long, short)]
    pub quiet: bool,
    /// Refuse to run when an oci:// pack is not in gate.lock or its tag now
    /// resolves to another digest
    #[arg(long)]
    pub locked: bool,
    /// Use only the pack cache for oci:// policies, never the network
    #[arg(long)]
    pub offline: bool,
}

fn parse_report(s: &str) -> Result<(OutputFormat, PathBuf), String> {
    let (format, path) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not FORMAT=PATH"))?;
    let format = <OutputFormat as clap::ValueEnum>::from_str(format, true)?;
    if path.is_empty() {
        return Err(format!("`{s}` has an empty path"));
    }
    Ok((format, PathBuf::from(path)))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FailOn {
    /// Only failures fail the gate
    Fail,
    /// Warnings fail the gate too
    Warn,
}

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// Config file (default: ./gate.toml when present)
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// An artifact to read (repeatable); adds to those in the config
    #[arg(long = "artifact", short = 'a', value_name = "PATH")]
    pub artifacts: Vec<PathBuf>,
    /// A baseline artifact (e.g. the base branch's coverage), repeatable
    #[arg(long = "baseline", value_name = "PATH")]
    pub baselines: Vec<PathBuf>,
    /// Save every `[[metrics]]` response fetched in DIR (replay it with --replay DIR)
    #[arg(long, value_name = "DIR", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Read the `[[metrics]]` responses recorded in DIR instead of querying the server
    #[arg(long, value_name = "DIR")]
    pub replay: Option<PathBuf>,
    /// Analysis loop: query `[[metrics]]` again every DURATION (30s, 1m) until a decision
    #[arg(long, value_name = "DURATION", value_parser = crate::fetch::duration)]
    pub interval: Option<std::time::Duration>,
    /// Analysis loop: promote when this much time passed within the limits (default 15m)
    #[arg(long, value_name = "DURATION", value_parser = crate::fetch::duration, requires = "interval")]
    pub max_duration: Option<std::time::Duration>,
    /// Analysis loop: failed rounds tolerated (default 0; unlimited with only --consecutive-failure-limit)
    #[arg(long, value_name = "N", requires = "interval")]
    pub failure_limit: Option<u32>,
    /// Analysis loop: failed rounds in a row tolerated
    #[arg(long, value_name = "N", requires = "interval")]
    pub consecutive_failure_limit: Option<u32>,
    /// Analysis loop: promote after N passing rounds in a row
    #[arg(long, value_name = "N", requires = "interval", value_parser = clap::value_parser!(u32).range(1..))]
    pub consecutive_success_limit: Option<u32>,
    /// Analysis loop: inconclusive rounds tolerated (default 0)
    #[arg(long, value_name = "N", requires = "interval")]
    pub inconclusive_limit: Option<u32>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub(crate) struct EvalArgs {
    /// `builtin:NAME`, a path to a .wasm policy component, or oci://…
    #[arg(long)]
    pub policy: String,
    /// A config whose `[registry]` (trusted keys, offline, insecure) and
    /// gate.lock apply to an oci:// policy (default: ./gate.toml when present)
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// The policy's params as a JSON object
    #[arg(long)]
    pub params: Option<String>,
    /// Artifacts to evaluate
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// Artifacts to parse (several coverage reports are merged)
    #[arg(required = true, value_name = "ARTIFACT")]
    pub artifacts: Vec<PathBuf>,
    /// Force the artifact format instead of detecting it from content
    #[arg(long)]
    pub format: Option<String>,
    /// Print the model as JSON
    #[arg(long)]
    pub json: bool,
    /// Repository root for making artifact paths repo-relative
    #[arg(long)]
    pub root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct PoliciesArgs {
    /// Print as JSON, including each policy's params schema
    #[arg(long)]
    pub json: bool,
}

/// Runs the `gate` command line on the process's arguments and returns
/// how the process ends.
pub fn main() -> Exit {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            if e.use_stderr() {
                let _ = e.print();
                return Exit::Usage;
            }
            // --help and --version print to stdout, which can fail too.
            let text = e.render();
            let text = if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                text.ansi().to_string()
            } else {
                text.to_string()
            };
            return match output::print(text) {
                Ok(()) => Exit::Pass,
                Err(e) => diagnostics::report(e),
            };
        }
    };
    if let Err(e) = crate::fsutil::limit_from_env() {
        return diagnostics::report(crate::error::GateError::Usage(e));
    }
    let result = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Eval(a) => eval::run(a),
        Command::New(c) => new::run(c),
        Command::Pack(a) => pack::run(a),
        Command::Parse(a) => parse::run(a),
        Command::Policies(a) => policies::run(a),
        Command::Test(a) => test::run(a),
        Command::Version { json } => version::run(json),
        Command::Completions { shell } => {
            // Generated into memory: clap_complete panics on a write error.
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut cmd, "gate", &mut out);
            output::print(out).map(|()| Exit::Pass)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut out = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut out) {
                Ok(()) => output::print(out).map(|()| Exit::Pass),
                Err(e) => Err(crate::error::GateError::Usage(format!(
                    "cannot render the man page: {e}"
                ))),
            }
        }
    };
    match result {
        Ok(exit) => exit,
        Err(e) => diagnostics::report(e),
    }
}

#[cfg(test)]
mod tests {
    /// Regression: `gate pack` subcommands had arguments (`<REFERENCE>`,
    /// `--insecure`) with no help text. Every argument and flag of every
    /// command, however deep, says what it is.
    #[test]
    fn every_arg_of_every_command_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                let id = arg.get_id().as_str();
                // clap's own --help/--version carry clap's help.
                if id == "help" || id == "version" {
                    continue;
                }
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    missing.push(format!("{path} {id}"));
                }
            }
            for sub in cmd.get_subcommands() {
                walk(sub, &format!("{path} {}", sub.get_name()), missing);
            }
        }
        let mut cmd = <super::Cli as clap::CommandFactory>::command();
        cmd.build();
        let mut missing = Vec::new();
        walk(&cmd, "gate", &mut missing);
        assert_eq!(missing, Vec::<String>::new(), "arguments without help");
        // The walk reaches the nested commands it guards.
        assert!(
            cmd.find_subcommand("pack")
                .and_then(|p| p.find_subcommand("verify"))
                .is_some_and(|v| v.get_arguments().any(|a| a.get_id() == "insecure"))
        );
    }
}
