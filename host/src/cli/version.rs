//! `gate version` and `gate --version`: what this binary is, for bug
//! reports and for scripts that pin or check an install.

use super::output::print;
use crate::error::GateError;
use crate::exit::Exit;

/// `gate --version`: the version line, then the build's details.
pub(super) const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("GATE_BUILD_COMMIT"),
    "\ndate: ",
    env!("GATE_BUILD_DATE"),
    "\ntarget: ",
    env!("GATE_BUILD_TARGET"),
    "\nwit: ",
    env!("GATE_BUILD_WIT"),
);

pub fn run(json: bool) -> Result<Exit, GateError> {
    let text = if json {
        let v = serde_json::json!({
            "version": env!("CARGO_PKG_VERSION"),
            "commit": env!("GATE_BUILD_COMMIT"),
            "date": env!("GATE_BUILD_DATE"),
            "target": env!("GATE_BUILD_TARGET"),
            "wit": env!("GATE_BUILD_WIT"),
        });
        format!("{v:#}\n")
    } else {
        format!("gate {LONG}\n")
    };
    print(text).map(|()| Exit::Pass)
}
