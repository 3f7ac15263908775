//! The one error type of the crate: a stable kind and a message.

/// Why a pack could not be fetched, stored or verified: a stable kind
/// (its kebab-case code is printed as `error[CODE]`) and a message.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct RegistryError {
    pub kind: ErrorKind,
    pub message: String,
}

/// The kinds of registry errors. Codes are a contract: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Anything without a more specific kind (I/O, encoding, bad requests).
    Registry,
    /// The tag, digest or blob is not in the registry (404).
    NotFound,
    /// The registry refused the credentials, or wants some (401/403).
    Unauthorized,
    /// The registry could not be reached (connection, DNS, timeout).
    Unreachable,
    /// The docker config is unreadable, or a credential helper could not
    /// be run or answered garbage.
    Credentials,
    /// Content does not match its digest or size (tampered or corrupted).
    DigestMismatch,
    /// A download ended early.
    Truncated,
    /// The manifest is not a wasm policy pack.
    NotAPack,
    /// The pack needs a newer gate or another WIT package.
    Incompatible,
    /// Trusted keys are configured and the pack carries no signature.
    Unsigned,
    /// No signature verifies with a trusted key.
    UntrustedSignature,
    /// A key file or key text is unusable.
    InvalidKey,
    /// `--locked`: the reference is not in `gate.lock` or moved.
    Locked,
    /// Offline and the cache does not hold what is needed.
    NotCached,
}

impl ErrorKind {
    /// Every kind, for tests that check the codes are unique and documented.
    pub const ALL: [ErrorKind; 14] = [
        ErrorKind::Registry,
        ErrorKind::NotFound,
        ErrorKind::Unauthorized,
        ErrorKind::Unreachable,
        ErrorKind::Credentials,
        ErrorKind::DigestMismatch,
        ErrorKind::Truncated,
        ErrorKind::NotAPack,
        ErrorKind::Incompatible,
        ErrorKind::Unsigned,
        ErrorKind::UntrustedSignature,
        ErrorKind::InvalidKey,
        ErrorKind::Locked,
        ErrorKind::NotCached,
    ];

    /// The stable kebab-case code (`error[CODE]`).
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Registry => "registry-error",
            ErrorKind::NotFound => "pack-not-found",
            ErrorKind::Unauthorized => "registry-unauthorized",
            ErrorKind::Unreachable => "registry-unreachable",
            ErrorKind::Credentials => "registry-credentials",
            ErrorKind::DigestMismatch => "digest-mismatch",
            ErrorKind::Truncated => "truncated-download",
            ErrorKind::NotAPack => "not-a-pack",
            ErrorKind::Incompatible => "pack-incompatible",
            ErrorKind::Unsigned => "pack-unsigned",
            ErrorKind::UntrustedSignature => "signature-untrusted",
            ErrorKind::InvalidKey => "invalid-key",
            ErrorKind::Locked => "lock-mismatch",
            ErrorKind::NotCached => "not-in-cache",
        }
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
        self.kind.code()
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_and_documented() {
        let readme = include_str!("../../README.md");
        let mut seen = std::collections::BTreeSet::new();
        for k in ErrorKind::ALL {
            let c = k.code();
            assert!(seen.insert(c), "duplicate code {c}");
            assert!(
                c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-'),
                "{c}"
            );
            assert!(
                readme.contains(&format!("| `{c}` |")),
                "{c} is not in the README"
            );
        }
    }
}
