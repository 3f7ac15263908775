//! Where policy components come from: the embedded built-ins, files, or
//! policy packs in an OCI registry (`gate-oci`).

pub mod builtin;

use gate_oci::{PackOrigin, Resolver};

use std::borrow::Cow;
use std::path::PathBuf;

/// A reference to a policy component as users write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyRef {
    /// `builtin:NAME`
    Builtin(String),
    /// A path to a `.wasm` component.
    File(PathBuf),
    /// `oci://HOST/NS/PACK[:TAG][@sha256:HEX][#POLICY]`: the policy named
    /// `POLICY` in a pack from an OCI registry, else the pack's first policy.
    Oci(String),
}

impl PolicyRef {
    /// Reads a reference as written; a relative path is relative to
    /// `base` (the config file's directory, or the current one).
    pub fn parse(s: &str, base: &std::path::Path) -> PolicyRef {
        if let Some(name) = s.strip_prefix("builtin:") {
            PolicyRef::Builtin(name.to_string())
        } else if s.starts_with("oci://") {
            PolicyRef::Oci(s.to_string())
        } else {
            let p = PathBuf::from(s);
            PolicyRef::File(if p.is_absolute() { p } else { base.join(p) })
        }
    }

    /// The component's bytes, and the pack it came from for `oci://`
    /// references (resolved through the run's `resolver`).
    pub(crate) fn read(&self, resolver: &Resolver<'_>) -> Result<Component, SourceError> {
        match self {
            PolicyRef::Builtin(name) => builtin::embedded(name)
                .map(|b| Component {
                    bytes: Cow::Borrowed(b.bytes),
                    builtin_digest: Some(b.digest),
                    pack: None,
                })
                .ok_or_else(|| SourceError::UnknownBuiltin(name.clone())),
            PolicyRef::File(path) => crate::fsutil::read(path)
                .map(|bytes| Component {
                    bytes: Cow::Owned(bytes),
                    builtin_digest: None,
                    pack: None,
                })
                .map_err(|e| SourceError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                }),
            PolicyRef::Oci(r) => resolver
                .policy(r)
                .map(|p| Component {
                    bytes: Cow::Owned(p.bytes),
                    builtin_digest: None,
                    pack: Some(p.origin),
                })
                .map_err(SourceError::Registry),
        }
    }
}

/// A policy component as read, before it is compiled.
#[derive(Debug, Clone)]
pub(crate) struct Component {
    /// Borrowed from the binary for built-ins: no copy per run.
    pub bytes: Cow<'static, [u8]>,
    /// Set for built-ins only: their build-time sha256 (lowercase hex), so
    /// they are not hashed per run. It also marks them as built by cargo,
    /// which is why `prepare` does not look for a `gate-pack` section.
    pub builtin_digest: Option<&'static str>,
    /// Set when the component came from a registry pack.
    pub pack: Option<PackOrigin>,
}

/// Lowercase hex sha256 of component bytes: the cache key and, prefixed
/// with `sha256:`, the digest reports show.
pub fn component_digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    format!("{:x}", Sha256::digest(bytes))
}

impl Component {
    /// Embedded in the binary.
    pub fn is_builtin(&self) -> bool {
        self.builtin_digest.is_some()
    }

    /// Lowercase hex sha256 of the bytes: the cache key and verdict digest.
    pub fn digest_hex(&self) -> String {
        match self.builtin_digest {
            Some(d) => d.to_string(),
            None => component_digest(&self.bytes),
        }
    }
}

impl std::fmt::Display for PolicyRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PolicyRef::Builtin(n) => write!(f, "builtin:{n}"),
            PolicyRef::File(p) => write!(f, "{}", p.display()),
            PolicyRef::Oci(r) => f.write_str(r),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum SourceError {
    #[error("no built-in policy `{0}`")]
    UnknownBuiltin(String),
    #[error("policy component {path}: {message}")]
    Io { path: String, message: String },
    /// A pack could not be fetched or verified (exit code 5).
    #[error(transparent)]
    Registry(gate_oci::RegistryError),
}
