//! Errors that end a command, each with its exit code.

use crate::config::ConfigError;
use crate::exit::Exit;
use crate::inputs::InputError;

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),
    #[error("{0}")]
    Usage(String),
    #[error("{} could not be read", gate_codes::wording::count(.0.len(), "artifact", "artifacts"))]
    Input(Vec<InputError>),
    #[error(transparent)]
    Registry(gate_oci::RegistryError),
    #[error("{0}")]
    Runtime(String),
    /// Stdout or a report file could not be written (a closed pipe on
    /// stdout is not an error: see `cli::output`).
    #[error("{0}")]
    Output(String),
}

impl GateError {
    pub fn exit(&self) -> Exit {
        match self {
            GateError::Config(_) | GateError::Usage(_) => Exit::Usage,
            GateError::Input(_) | GateError::Output(_) => Exit::Input,
            GateError::Registry(_) => Exit::Registry,
            GateError::Runtime(_) => Exit::PolicyRuntime,
        }
    }
}

impl From<ConfigError> for GateError {
    fn from(e: ConfigError) -> Self {
        GateError::Config(Box::new(e))
    }
}

impl From<gate_oci::RegistryError> for GateError {
    fn from(e: gate_oci::RegistryError) -> Self {
        GateError::Registry(e)
    }
}
