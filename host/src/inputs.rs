//! Reading the artifacts named on the command line or in gate.toml into
//! normalized models. Every artifact is read even after one fails, so the
//! user sees every bad file at once; then the run stops with exit 3 and
//! nothing half-read is evaluated.

use crate::config::Role;
use crate::fsutil::{self, ReadError};
use gate_artifacts::{Format, ParseError, ParseOptions, Parsed};
use sha2::{Digest, Sha256};
use std::path::PathBuf;

pub mod rego;

/// What to read.
#[derive(Debug, Clone)]
pub struct ArtifactSpec {
    /// The path as the user wrote it (shown in reports).
    pub display: String,
    /// Where to read it from.
    pub path: PathBuf,
    pub format: Option<Format>,
    pub role: Role,
}

/// One artifact, read and parsed.
#[derive(Debug, Clone)]
pub struct LoadedArtifact {
    pub spec: ArtifactSpec,
    pub sha256: String,
    pub parsed: Parsed,
}

/// Why an artifact could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum InputError {
    /// Not a regular file, over the input size limit, or unreadable.
    #[error("{path}: {message}")]
    File {
        path: String,
        message: String,
        code: fsutil::ReadCode,
    },
    #[error("{0}")]
    Parse(ParseError),
    /// A `[[metrics]]` query that could not be fetched or replayed.
    #[error("metrics `{name}`: {message} (query: {query})")]
    Fetch {
        name: String,
        query: String,
        message: String,
    },
}

impl InputError {
    /// A file that [`fsutil::read`] refused or could not read.
    pub fn read(path: impl Into<String>, e: &ReadError) -> Self {
        InputError::File {
            path: path.into(),
            message: e.to_string(),
            code: e.code(),
        }
    }

    /// Stable kebab-case code for diagnostics.
    pub fn code(&self) -> &'static str {
        match self {
            InputError::File { code, .. } => code.as_str(),
            InputError::Parse(e) => e.code.as_str(),
            InputError::Fetch { .. } => crate::codes::ErrorCode::MetricsFetch.as_str(),
        }
    }
}

/// Reads and parses every artifact; all errors or all artifacts.
pub fn load_all(
    specs: &[ArtifactSpec],
    options: &ParseOptions,
) -> Result<Vec<LoadedArtifact>, Vec<InputError>> {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for spec in specs {
        match load(spec, options) {
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

/// Artifacts from this size on are hashed on another thread while parsed;
/// below it a thread costs more than it saves.
const PARALLEL_DIGEST_BYTES: usize = 1 << 20;

pub fn load(spec: &ArtifactSpec, options: &ParseOptions) -> Result<LoadedArtifact, InputError> {
    let bytes = fsutil::read(&spec.path).map_err(|e| InputError::read(&spec.display, &e))?;
    let parse = || gate_artifacts::parse(&spec.display, &bytes, spec.format, options);
    let digest = || format!("{:x}", Sha256::digest(&bytes));
    // A big artifact is hashed on a second core while it is parsed (the
    // digest of a 47 MB SARIF is a tenth of its parse, issue 13).
    let (sha256, parsed) = if bytes.len() >= PARALLEL_DIGEST_BYTES {
        std::thread::scope(|s| {
            let hashing = s.spawn(digest);
            let parsed = parse();
            let sha256 = hashing
                .join()
                .unwrap_or_else(|payload| std::panic::resume_unwind(payload));
            (sha256, parsed)
        })
    } else {
        (digest(), parse())
    };
    let parsed = parsed.map_err(InputError::Parse)?;
    Ok(LoadedArtifact {
        spec: spec.clone(),
        sha256,
        parsed,
    })
}

/// The module path of `go.mod` at the repository root, stripped from Go
/// coverprofile paths so they become repository-relative. No `go.mod` is
/// `None`; one that cannot be read (a device, a FIFO, too large) is an
/// input error rather than silently ignored.
pub fn go_module(root: &std::path::Path) -> Result<Option<String>, InputError> {
    let path = root.join("go.mod");
    let text = match fsutil::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(InputError::read(path.display().to_string(), &e)),
    };
    Ok(text
        .lines()
        .find_map(|l| l.trim().strip_prefix("module "))
        .map(|m| m.trim().trim_matches('"').to_string())
        .filter(|m| !m.is_empty()))
}
