//! The exit-code contract. Documented in `gate --help` and the README; never
//! renumber.

/// How a `gate` process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Exit {
    /// Every policy passed (warnings allowed).
    Pass = 0,
    /// At least one policy failed the gate.
    GateFailed = 1,
    /// Bad command line or configuration (including params a policy's schema
    /// or the policy itself rejects).
    Usage = 2,
    /// An artifact is missing, unreadable or unparseable, or nothing could be evaluated.
    Input = 3,
    /// A policy trapped, timed out, hit a limit or broke the contract.
    PolicyRuntime = 4,
    /// A policy pack could not be fetched or verified from a registry.
    Registry = 5,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e.code())
    }
}

/// The text `gate --help` shows after the commands.
pub(crate) const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  pass (warnings allowed)
  1  gate failed: at least one policy failed
  2  usage or configuration error (including params rejected by a policy's schema or by the policy)
  3  input error: artifact missing, unreadable or unparseable, input a policy cannot judge, or nothing to evaluate
  4  policy runtime error: trap, panic, fuel or deadline exhausted, limit hit, contract broken
  5  registry error: a policy pack could not be fetched or verified";
