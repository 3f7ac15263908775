//! The one error type of the crate: a stable kind and a message.

/// Why a pack could not be fetched, stored or verified: a stable kind
/// (its kebab-case code is printed as `error[CODE]`) and a message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct RegistryError {
    pub kind: ErrorKind,
    pub message: String,
}

gate_codes::names! {
    /// The kinds of registry errors; each one's text is its stable code
    /// (`error[CODE]`). Codes are a contract: never rename one.
    pub enum ErrorKind {
        /// Anything without a more specific kind (I/O, encoding, bad requests).
        Registry = "registry-error",
        /// The tag, digest or blob is not in the registry (404).
        NotFound = "pack-not-found",
        /// The registry refused the credentials, or wants some (401/403).
        Unauthorized = "registry-unauthorized",
        /// The registry could not be reached (connection, DNS, timeout).
        Unreachable = "registry-unreachable",
        /// The docker config is unreadable, or a credential helper could not
        /// be run or answered garbage.
        Credentials = "registry-credentials",
        /// Content does not match its digest or size (tampered or corrupted).
        DigestMismatch = "digest-mismatch",
        /// A download ended early.
        Truncated = "truncated-download",
        /// The manifest is not a wasm policy pack.
        NotAPack = "not-a-pack",
        /// The pack needs a newer gate or another WIT package.
        Incompatible = "pack-incompatible",
        /// Trusted keys are configured and the pack carries no signature.
        Unsigned = "pack-unsigned",
        /// No signature verifies with a trusted key.
        UntrustedSignature = "signature-untrusted",
        /// A key file or key text is unusable.
        InvalidKey = "invalid-key",
        /// `--locked`: the reference is not in `gate.lock` or moved.
        Locked = "lock-mismatch",
        /// Offline and the cache does not hold what is needed.
        NotCached = "not-in-cache",
    }
}

impl RegistryError {
    /// An error of the generic kind.
    pub fn new(message: impl Into<String>) -> Self {
        Self::of(ErrorKind::Registry, message)
    }

    pub fn of(kind: ErrorKind, message: impl Into<String>) -> Self {
        RegistryError {
            kind,
            message: message.into(),
        }
    }

    /// The same error, its message prefixed with what it is about.
    pub fn context(self, what: impl std::fmt::Display) -> Self {
        RegistryError {
            kind: self.kind,
            message: format!("{what}: {}", self.message),
        }
    }

    /// The stable code of the error's kind.
    pub fn code(&self) -> &'static str {
        self.kind.as_str()
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;
