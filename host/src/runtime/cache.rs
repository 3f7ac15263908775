//! On-disk cache of precompiled components.
//!
//! Compiling a component with Cranelift costs hundreds of milliseconds to
//! seconds; loading a precompiled one costs under a millisecond. Entries are
//! keyed by the component's sha256 and the engine's compatibility hash (which
//! covers wasmtime's version and every codegen-affecting setting). Each entry
//! ends with the sha256 of its own contents: a corrupt, truncated or foreign
//! entry fails the check and is recompiled, never loaded.

use sha2::{Digest, Sha256};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where compiled components live.
#[derive(Debug, Clone)]
pub struct CompileCache {
    dir: Option<PathBuf>,
}

/// How a component was obtained (for benches, tests and `--verbose`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the cache, verified.
    Hit,
    /// Compiled and stored.
    Miss,
    /// An entry existed but failed verification; recompiled and replaced.
    Replaced,
    /// Caching is off.
    Disabled,
}

impl CompileCache {
    /// The cache dir ([`gate_fsutil::cache_dir`], shared with the pack
    /// cache); `None` disables caching.
    pub fn from_env() -> Self {
        CompileCache {
            dir: gate_fsutil::cache_dir(),
        }
    }

    /// A cache in `dir`.
    pub fn at(dir: impl Into<PathBuf>) -> Self {
        CompileCache {
            dir: Some(dir.into()),
        }
    }

    /// No cache: every load compiles.
    pub fn disabled() -> Self {
        CompileCache { dir: None }
    }

    /// The cache's directory, when caching is on.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn entry(&self, engine: &Engine, digest: &str) -> Option<PathBuf> {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        let engine_key = format!("{:016x}", h.finish());
        self.dir.as_ref().map(|d| {
            d.join("components").join(format!(
                "{digest}-{engine_key}-{}.cwasm",
                env!("CARGO_PKG_VERSION")
            ))
        })
    }

    /// Loads `bytes` (whose sha256 is `digest`) as a component, from the
    /// cache when a verified entry exists.
    pub fn load(
        &self,
        engine: &Engine,
        bytes: &[u8],
        digest: &str,
    ) -> wasmtime::Result<(Component, CacheOutcome)> {
        let Some(path) = self.entry(engine, digest) else {
            return Ok((Component::new(engine, bytes)?, CacheOutcome::Disabled));
        };
        let mut outcome = CacheOutcome::Miss;
        // A regular file of the cache's own making: not bound by the input
        // size limit (which is for inputs), only by a sanity cap.
        let limit = crate::fsutil::InputLimit {
            bytes: 4 << 30,
            source: crate::fsutil::LimitSource::Fixed("the compile cache's limit"),
        };
        if let Ok(data) = crate::fsutil::read_limited(&path, &limit) {
            match verified(&data) {
                Some(compiled) => {
                    // SAFETY: `Component::deserialize` requires bytes produced
                    // by `Engine::precompile_component` for a compatible
                    // engine. `verified` checked that `compiled` is exactly the
                    // content this cache wrote (its trailing sha256 matches),
                    // the file name carries the engine's compatibility hash,
                    // and wasmtime itself re-checks the header and engine
                    // settings and returns an error (not UB) on mismatch. The
                    // cache dir has the same trust as the `gate` binary.
                    #[allow(unsafe_code)]
                    let loaded = unsafe { Component::deserialize(engine, compiled) };
                    match loaded {
                        Ok(c) => return Ok((c, CacheOutcome::Hit)),
                        Err(_) => outcome = CacheOutcome::Replaced,
                    }
                }
                None => outcome = CacheOutcome::Replaced,
            }
        }
        let compiled = engine.precompile_component(bytes)?;
        // A cache we cannot write is not an error: the run goes on uncached.
        let _ = store(&path, &compiled);
        // Deserializing what we just compiled avoids compiling twice.
        // SAFETY: `compiled` was produced just now by this engine's
        // `precompile_component`.
        #[allow(unsafe_code)]
        let component = unsafe { Component::deserialize(engine, &compiled) }?;
        Ok((component, outcome))
    }
}

/// The compiled bytes of an entry if its trailing sha256 matches.
fn verified(data: &[u8]) -> Option<&[u8]> {
    let split = data.len().checked_sub(32)?;
    let (compiled, digest) = data.split_at(split);
    (Sha256::digest(compiled).as_slice() == digest).then_some(compiled)
}

/// Writes an entry and its digest atomically (gate's one atomic writer), so
/// concurrent `gate` processes never see a half-written entry.
fn store(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let mut entry = Vec::with_capacity(compiled.len().saturating_add(32));
    entry.extend_from_slice(compiled);
    entry.extend_from_slice(&Sha256::digest(compiled));
    gate_fsutil::write_file(path, &entry)
}

#[cfg(test)]
mod tests {
    use super::verified;
    use sha2::{Digest, Sha256};

    #[test]
    fn verification_rejects_tampered_and_short_entries() {
        let body = b"compiled".to_vec();
        let mut entry = body.clone();
        entry.extend_from_slice(&Sha256::digest(&body));
        assert_eq!(verified(&entry), Some(&body[..]));
        let mut bad = entry.clone();
        bad[0] ^= 1;
        assert_eq!(verified(&bad), None);
        assert_eq!(verified(&entry[..10]), None);
    }
}
