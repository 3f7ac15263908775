//! Policy packs from OCI registries.
//!
//! A *pack* is an OCI artifact in the CNCF wasm layout ([`layout`]): one
//! `application/wasm` layer per policy component, the pack's metadata in
//! the manifest annotations and in a `gate-pack` custom section of every
//! component ([`pack`]). Packs are built from a `pack.toml`, pushed and
//! pulled with a small registry client ([`client`]), kept in a
//! content-addressed cache ([`cache`]), pinned in `gate.lock` ([`lock`]) and
//! signed with ed25519 ([`sign`]).
//!
//! A policy reference `oci://HOST/NS/PACK:TAG[@sha256:HEX][#POLICY]` selects
//! the policy named `POLICY` in the pack, or the pack's first policy.
//! Every failure here is a [`RegistryError`] (exit code 5), and nothing that
//! failed verification is ever written to the cache.

pub mod cache;
pub mod client;
pub mod layout;
pub mod lock;
pub mod pack;
pub mod reference;
pub mod sign;

use std::collections::HashMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

pub use reference::Reference;

/// Why a pack could not be fetched, stored or verified.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct RegistryError(pub String);

impl RegistryError {
    pub fn new(message: impl Into<String>) -> Self {
        RegistryError(message.into())
    }
}

impl From<RegistryError> for crate::error::GateError {
    fn from(e: RegistryError) -> Self {
        crate::error::GateError::Registry(e.0)
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;

/// How packs are resolved in this process: from flags and `[registry]`.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Plain HTTP to any registry (loopback hosts always use plain HTTP).
    pub insecure: bool,
    /// Only the cache; never the network.
    pub offline: bool,
    /// Refuse to run when a tag resolves to another digest than `gate.lock` records.
    pub locked: bool,
    /// Trusted ed25519 public keys: paths or base64. Once there is one,
    /// every pack must carry a signature by one of them.
    pub trusted_keys: Vec<String>,
    /// Where relative key paths are resolved.
    pub key_base: PathBuf,
    /// The lock file to record resolved digests in (`None`: do not record).
    pub lock_path: Option<PathBuf>,
}

static OPTIONS: Mutex<Option<Options>> = Mutex::new(None);
static RESOLVED: Mutex<Option<HashMap<String, Arc<layout::Pack>>>> = Mutex::new(None);

/// Sets the options for every pack resolved later in this process.
pub fn configure(options: Options) {
    if let Ok(mut o) = OPTIONS.lock() {
        *o = Some(options);
    }
}

/// The options in force: configured ones, else the environment
/// (`GATE_OFFLINE=1`, `GATE_INSECURE_REGISTRY=1`).
pub fn options() -> Options {
    let configured = OPTIONS.lock().ok().and_then(|o| o.clone());
    let mut o = configured.unwrap_or_default();
    o.offline |= env_flag("GATE_OFFLINE");
    o.insecure |= env_flag("GATE_INSECURE_REGISTRY");
    o
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Progress lines go to stderr only when it is a terminal.
pub(crate) fn progress(message: impl FnOnce() -> String) {
    if std::io::stderr().is_terminal() {
        eprintln!("{}", message());
    }
}

/// The component bytes of the policy an `oci://` reference names: the pack
/// is resolved (cache, registry), verified (digests, signatures), recorded
/// in the lock file, and the policy selected by `#NAME` (else the first).
pub fn resolve_policy(reference: &str) -> Result<Vec<u8>> {
    let r = Reference::parse(reference)?;
    let options = options();
    let key = r.without_policy();
    let memo = RESOLVED
        .lock()
        .ok()
        .and_then(|m| m.as_ref().and_then(|m| m.get(&key).cloned()));
    let pack = match memo {
        Some(p) => p,
        None => {
            let pack = Arc::new(resolve_pack(&r, &options)?);
            if let Ok(mut m) = RESOLVED.lock() {
                m.get_or_insert_with(HashMap::new)
                    .insert(key, Arc::clone(&pack));
            }
            pack
        }
    };
    let (_, bytes) = pack.select(r.policy.as_deref())?;
    Ok(bytes.to_vec())
}

/// Resolves, verifies and caches a whole pack, honouring the lock file.
pub fn resolve_pack(r: &Reference, options: &Options) -> Result<layout::Pack> {
    let keys = sign::load_keys(&options.trusted_keys, &options.key_base)?;
    let cache = cache::Cache::from_env();
    let lock_path = options.lock_path.clone();
    let mut lock = match &lock_path {
        Some(p) => lock::LockFile::load(p)?,
        None => lock::LockFile::default(),
    };
    let lock_key = r.lock_key();
    let locked_digest = lock.get(&lock_key).map(str::to_string);
    if options.locked && locked_digest.is_none() {
        return Err(RegistryError::new(format!(
            "{r}: not in {} (--locked); run `gate check` without --locked or `gate pack update` to record it",
            lock_path
                .as_ref()
                .map_or_else(|| "gate.lock".to_string(), |p| p.display().to_string())
        )));
    }
    let pack = fetch(r, options, cache.as_ref(), &keys)?;
    if let Some(locked) = &locked_digest
        && *locked != pack.digest
    {
        if options.locked {
            return Err(RegistryError::new(format!(
                "{r}: now resolves to {} but gate.lock records {locked} (--locked); run `gate pack update` to accept the new digest",
                pack.digest
            )));
        }
        eprintln!(
            "note: {r} moved from {locked} to {}; gate.lock updated",
            pack.digest
        );
    }
    if let Some(p) = &lock_path
        && !options.locked
        && lock.set(&lock_key, &pack.digest)
    {
        lock.save(p)?;
    }
    Ok(pack)
}

/// The pack a reference names, from the cache or the registry, verified.
/// Only a fully verified pack is written to the cache.
pub fn fetch(
    r: &Reference,
    options: &Options,
    cache: Option<&cache::Cache>,
    keys: &[sign::PublicKey],
) -> Result<layout::Pack> {
    if options.offline {
        let cache = cache.ok_or_else(|| {
            RegistryError::new(format!(
                "{r}: offline mode needs the pack cache, but no cache dir is known (set GATE_CACHE_DIR)"
            ))
        })?;
        let digest = match &r.digest {
            Some(d) => d.clone(),
            None => cache.get_ref(r)?.ok_or_else(|| {
                RegistryError::new(format!(
                    "{r}: offline mode and the pack is not in the cache (pull it with `gate pack pull` first)"
                ))
            })?,
        };
        let pack = cache.load_pack(&digest)?.ok_or_else(|| {
            RegistryError::new(format!(
                "{r}: offline mode and {digest} is not (completely) in the cache"
            ))
        })?;
        if !keys.is_empty() {
            let sigs = cache.signatures(&pack.digest)?;
            sign::verify_any(r, &pack.digest, &sigs, keys)?;
        }
        eprintln!("offline: using cached pack {r} ({})", pack.digest);
        return Ok(pack);
    }
    let client = client::Client::new(r, options.insecure, false)?;
    let wanted = r.digest.clone().unwrap_or_else(|| r.tag_or_latest());
    progress(|| format!("resolving {r}"));
    let (manifest_bytes, digest) = client.get_manifest(&r.repository, &wanted)?;
    let cached = match cache {
        Some(c) => c.load_pack(&digest)?,
        None => None,
    };
    let pack = match cached {
        Some(p) => p,
        None => layout::Pack::from_manifest(manifest_bytes, |d| client.get_blob(&r.repository, d))
            .map_err(|e| RegistryError::new(format!("{r}: {e}")))?,
    };
    let mut sigs = Vec::new();
    if !keys.is_empty() {
        sigs = sign::fetch_signatures(&client, r, &pack.digest)?;
        sign::verify_any(r, &pack.digest, &sigs, keys)?;
    }
    if let Some(c) = cache {
        c.store_pack(&pack)?;
        for s in &sigs {
            c.put_signature(&pack.digest, s)?;
        }
        if r.digest.is_none() {
            c.put_ref(r, &pack.digest)?;
        }
    }
    Ok(pack)
}
