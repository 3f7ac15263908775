//! Errors on stderr: config errors with their source line (miette), input
//! errors one per line with file and place, each with a stable code.

use crate::error::GateError;
use crate::exit::Exit;

pub fn report(e: GateError) -> Exit {
    let exit = e.exit();
    match e {
        GateError::Config(c) => {
            eprintln!("error[{}]: {}: {}", c.code, c.place, c.message);
            let report = miette::Report::new(ConfigDiag(*c));
            eprintln!("{report:?}");
        }
        GateError::Input(errors) => {
            for err in &errors {
                eprintln!("error[{}]: {err}", err.code());
            }
            eprintln!(
                "error: {} artifact(s) could not be read; nothing was evaluated",
                errors.len()
            );
        }
        GateError::Registry(e) => eprintln!("error[{}]: {e}", e.code()),
        other => eprintln!("error: {other}"),
    }
    exit
}

/// Wrapper so the report owns its diagnostic.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error(transparent)]
#[diagnostic(transparent)]
struct ConfigDiag(crate::config::ConfigError);
