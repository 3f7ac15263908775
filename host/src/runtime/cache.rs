//! On-disk cache of precompiled components.
//!
//! Compiling a component with Cranelift costs hundreds of milliseconds to
//! seconds; loading a precompiled one costs about a millisecond, because the
//! entry is mapped (`Component::deserialize_file`), not read and copied.
//! Entries are keyed by the component's sha256 and the engine's compatibility
//! hash (which covers wasmtime's version and every codegen-affecting
//! setting), and written atomically, so no reader sees a torn entry. Each
//! entry ends with a trailer (a magic, the length and a CRC-32 of the
//! compiled bytes): a truncated, corrupted or foreign entry fails the check
//! and is recompiled, never loaded. The checksum guards against accidents,
//! not attackers — whoever can write the cache dir could write a valid
//! trailer too, so the dir has the trust of the `gate` binary itself.
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom};
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
        match verify_entry(&path) {
            Ok(true) => {
                // SAFETY: `Component::deserialize_file` requires a file
                // produced by `Engine::precompile_component` for a
                // compatible engine, not modified while mapped. The trailer
                // check just proved the file is exactly what this cache
                // wrote (length and CRC-32 of the compiled bytes); its name
                // carries the engine's compatibility hash, and wasmtime
                // re-checks the header and engine settings, returning an
                // error (not UB) on mismatch. Entries are only ever replaced
                // by rename, never rewritten in place, so a mapped entry
                // does not change under us; the cache dir has the trust of
                // the `gate` binary (see the module doc).
                #[allow(unsafe_code)]
                let loaded = unsafe { Component::deserialize_file(engine, &path) };
                match loaded {
                    Ok(c) => return Ok((c, CacheOutcome::Hit)),
                    Err(_) => outcome = CacheOutcome::Replaced,
                }
            }
            Ok(false) => outcome = CacheOutcome::Replaced,
            Err(_) => {}
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

/// Marks the end of an entry of this layout.
const MAGIC: [u8; 8] = *b"gatecc01";
/// Magic, then the compiled length (u64 LE), then its CRC-32 (u32 LE).
const TRAILER: usize = 8 + 8 + 4;

/// The trailer for `compiled`.
fn trailer(compiled: &[u8]) -> [u8; TRAILER] {
    let mut t = [0u8; TRAILER];
    t[..8].copy_from_slice(&MAGIC);
    t[8..16].copy_from_slice(&(compiled.len() as u64).to_le_bytes());
    t[16..].copy_from_slice(&crc32fast::hash(compiled).to_le_bytes());
    t
}

/// Whether the entry at `path` is a regular file whose trailer matches its
/// contents; `Err` when there is no readable entry at all. The checksum is
/// taken over a mapping of the file ([`crc_mapped`]): no copy of the entry
/// is made.
fn verify_entry(path: &Path) -> std::io::Result<bool> {
    // A regular file only, never waiting on a FIFO.
    let (mut file, len) = gate_fsutil::open_regular(path).map_err(|e| match e {
        gate_fsutil::ReadError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    })?;
    let Some(body) = len.checked_sub(TRAILER as u64) else {
        return Ok(false);
    };
    file.seek(SeekFrom::Start(body))?;
    let mut t = [0u8; TRAILER];
    file.read_exact(&mut t)?;
    if t[..8] != MAGIC || t[8..16] != body.to_le_bytes() {
        return Ok(false);
    }
    Ok(crc_mapped(&file, body)?.to_le_bytes() == t[16..])
}

/// The CRC-32 of the first `len` bytes of `file`, read through a private
/// read-only mapping. Reading the entries of a warm run's three policies
/// (6 MB) through `read` copied every byte once more and was the biggest
/// single cost of a warm `gate check` after the exec itself; mapped, the
/// page-cache pages are only mapped in.
fn crc_mapped(file: &std::fs::File, len: u64) -> std::io::Result<u32> {
    use std::os::fd::AsRawFd;
    let len = usize::try_from(len).map_err(std::io::Error::other)?;
    if len == 0 {
        return Ok(crc32fast::hash(&[]));
    }
    // SAFETY: mapping `len` bytes from offset 0 of an open regular file,
    // read-only and private, at an address the kernel chooses, touches no
    // existing memory. `len` is at most the file's length as just read, and
    // entries are only ever replaced by rename, never truncated in place,
    // so the mapped pages stay backed by the file while mapped (the same
    // ground `Component::deserialize_file` maps the entry on, module docs).
    #[allow(unsafe_code)]
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE,
            file.as_raw_fd(),
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `ptr` is a successful read-only mapping of `len` bytes (above),
    // valid until the `munmap` below, and nothing writes to it.
    #[allow(unsafe_code)]
    let bytes = unsafe { std::slice::from_raw_parts(ptr.cast::<u8>().cast_const(), len) };
    let crc = crc32fast::hash(bytes);
    // SAFETY: unmaps exactly the mapping made above; `bytes` is not used
    // after this.
    #[allow(unsafe_code)]
    unsafe {
        libc::munmap(ptr, len);
    }
    Ok(crc)
}

/// Writes an entry and its trailer atomically (gate's one atomic writer),
/// so concurrent `gate` processes never see a half-written entry.
fn store(path: &Path, compiled: &[u8]) -> std::io::Result<()> {
    let mut entry = Vec::with_capacity(compiled.len().saturating_add(TRAILER));
    entry.extend_from_slice(compiled);
    entry.extend_from_slice(&trailer(compiled));
    gate_fsutil::write_file(path, &entry)
}

#[cfg(test)]
mod tests {
    use super::{TRAILER, store, verify_entry};

    #[test]
    fn verification_rejects_tampered_short_and_foreign_entries() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("e.cwasm");
        let body = vec![7u8; 600 << 10];
        store(&path, &body)?;
        assert!(verify_entry(&path)?);
        let good = std::fs::read(&path)?;
        let mut bad = good.clone();
        bad[300 << 10] ^= 1;
        std::fs::write(&path, &bad)?;
        assert!(!verify_entry(&path)?, "a flipped bit");
        std::fs::write(&path, &good[..good.len() - 1])?;
        assert!(!verify_entry(&path)?, "a truncated entry");
        std::fs::write(&path, &good[..TRAILER - 1])?;
        assert!(!verify_entry(&path)?, "shorter than a trailer");
        std::fs::write(&path, &body)?;
        assert!(!verify_entry(&path)?, "no trailer (an older layout)");
        assert!(verify_entry(&dir.path().join("missing")).is_err());
        Ok(())
    }
}
