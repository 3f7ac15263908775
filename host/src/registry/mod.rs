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

pub mod auth;
pub mod cache;
pub mod client;
pub mod layout;
pub mod lock;
pub mod pack;
pub mod progress;
pub mod reference;
pub mod sign;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

pub use reference::Reference;

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

    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl From<RegistryError> for crate::error::GateError {
    fn from(e: RegistryError) -> Self {
        crate::error::GateError::Registry(e)
    }
}

pub type Result<T> = std::result::Result<T, RegistryError>;

/// How packs are resolved: from flags, `[registry]` and the environment.
/// Part of the run plan, never process-global.
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
    /// The content-addressed pack cache (`None`: no cache dir is known).
    pub cache: Option<cache::Cache>,
}

impl Options {
    /// These options plus the environment: the switches `GATE_OFFLINE=1`
    /// and `GATE_INSECURE_REGISTRY=1` (which never relax verification) and
    /// the cache dir (`GATE_CACHE_DIR`, XDG, `~/.cache`).
    pub fn with_env(mut self) -> Options {
        self.offline |= env_flag("GATE_OFFLINE");
        self.insecure |= env_flag("GATE_INSECURE_REGISTRY");
        if self.cache.is_none() {
            self.cache = cache::Cache::from_env();
        }
        self
    }
}

fn env_flag(name: &str) -> bool {
    std::env::var(name).is_ok_and(|v| !v.is_empty() && v != "0" && v != "false")
}

/// Where a policy from a pack came from, recorded in the verdict.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PackOrigin {
    /// The pack's name and version (manifest annotations).
    pub name: String,
    pub version: String,
    /// The manifest digest the reference resolved to.
    pub digest: String,
    /// The policy selected in the pack.
    pub policy: String,
}

/// A policy component taken from a pack.
#[derive(Debug, Clone)]
pub struct ResolvedPolicy {
    pub bytes: Vec<u8>,
    pub origin: PackOrigin,
}

/// Resolves `oci://` references for one run: each pack is fetched,
/// verified and recorded in the lock file once, however many policies
/// of the run use it.
#[derive(Debug, Default)]
pub struct Resolver {
    options: Options,
    resolved: RefCell<HashMap<String, Rc<layout::Pack>>>,
}

impl Resolver {
    pub fn new(options: Options) -> Resolver {
        Resolver {
            options,
            resolved: RefCell::new(HashMap::new()),
        }
    }

    /// The component of the policy an `oci://` reference names: the pack
    /// is resolved (cache, registry), verified (digests, signatures,
    /// compatibility), recorded in the lock file, and the policy selected
    /// by `#NAME` (else the first).
    pub fn policy(&self, reference: &str) -> Result<ResolvedPolicy> {
        let r = Reference::parse(reference)?;
        let key = r.without_policy();
        let memo = self.resolved.borrow().get(&key).cloned();
        let pack = match memo {
            Some(p) => p,
            None => {
                let pack = Rc::new(resolve_pack(&r, &self.options)?);
                self.resolved.borrow_mut().insert(key, Rc::clone(&pack));
                pack
            }
        };
        let (name, bytes) = pack.select(r.policy.as_deref())?;
        let ann = |k: &str| {
            pack.manifest
                .annotations
                .get(k)
                .cloned()
                .unwrap_or_default()
        };
        Ok(ResolvedPolicy {
            bytes: bytes.to_vec(),
            origin: PackOrigin {
                name: ann(layout::ANN_TITLE),
                version: ann(layout::ANN_VERSION),
                digest: pack.digest.clone(),
                policy: name,
            },
        })
    }
}

/// Resolves, verifies and caches a whole pack, honouring the lock file.
pub fn resolve_pack(r: &Reference, options: &Options) -> Result<layout::Pack> {
    let keys = sign::load_keys(&options.trusted_keys, &options.key_base)?;
    let lock_path = options.lock_path.clone();
    let mut lock = match &lock_path {
        Some(p) => lock::LockFile::load(p)?,
        None => lock::LockFile::default(),
    };
    let lock_key = r.lock_key();
    let locked_digest = lock.get(&lock_key).map(str::to_string);
    if options.locked && locked_digest.is_none() {
        return Err(RegistryError::of(
            ErrorKind::Locked,
            format!(
                "{r}: not in {} (--locked); run `gate check` without --locked or `gate pack update` to record it",
                lock_path
                    .as_ref()
                    .map_or_else(|| "gate.lock".to_string(), |p| p.display().to_string())
            ),
        ));
    }
    // With --locked the lock's digest is the only acceptable one: checked
    // before anything is downloaded or cached.
    let pinned = locked_digest.as_deref().filter(|_| options.locked);
    let pack = fetch(r, options, &keys, pinned)?.pack;
    if let Some(locked) = &locked_digest
        && *locked != pack.digest
    {
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

/// A verified pack and every signature document found for it (verified
/// against the trusted keys when there are any; kept either way, so an
/// offline run with keys later sees what an online one would).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub pack: layout::Pack,
    pub signatures: Vec<Vec<u8>>,
}

/// The pack a reference names, from the cache or the registry, verified.
/// `pinned` is the only digest accepted (`--locked`). Only a fully
/// verified pack is written to the cache.
pub fn fetch(
    r: &Reference,
    options: &Options,
    keys: &[sign::PublicKey],
    pinned: Option<&str>,
) -> Result<Fetched> {
    let cache = options.cache.as_ref();
    if options.offline {
        let cache = cache.ok_or_else(|| {
            RegistryError::of(ErrorKind::NotCached, format!(
                "{r}: offline mode needs the pack cache, but no cache dir is known (set GATE_CACHE_DIR)"
            ))
        })?;
        let digest = match r.digest.as_deref().or(pinned) {
            Some(d) => d.to_string(),
            None => cache.get_ref(r)?.ok_or_else(|| {
                RegistryError::of(ErrorKind::NotCached, format!(
                    "{r}: offline mode and the pack is not in the cache (pull it with `gate pack pull` first)"
                ))
            })?,
        };
        if let Some(p) = pinned
            && p != digest
        {
            return Err(moved(r, &digest, p));
        }
        let pack = cache.load_pack(&digest)?.ok_or_else(|| {
            RegistryError::of(
                ErrorKind::NotCached,
                format!("{r}: offline mode and {digest} is not (completely) in the cache"),
            )
        })?;
        let signatures = cache.signatures(&pack.digest)?;
        if !keys.is_empty() {
            sign::verify_any(r, &pack.digest, &signatures, keys)?;
        }
        pack::check_compatible(&pack).map_err(|e| e.context(r))?;
        eprintln!("offline: using cached pack {r} ({})", pack.digest);
        return Ok(Fetched { pack, signatures });
    }
    let client = client::Client::new(r, options.insecure, false)?;
    let wanted = r.digest.clone().unwrap_or_else(|| r.tag_or_latest());
    progress::line(|| format!("resolving {r}"));
    let (manifest_bytes, digest) = client.get_manifest(&r.repository, &wanted)?;
    if let Some(p) = pinned
        && p != digest
    {
        return Err(moved(r, &digest, p));
    }
    let cached = match cache {
        Some(c) => c.load_pack(&digest)?,
        None => None,
    };
    let pack = match cached {
        Some(p) => p,
        None => layout::Pack::from_manifest(manifest_bytes, |d| client.get_blob(&r.repository, d))
            .map_err(|e| e.context(r))?,
    };
    let signatures = match sign::fetch_signatures(&client, r, &pack.digest) {
        Ok(s) => s,
        Err(e) if keys.is_empty() => {
            // Nothing depends on them in this run; a later run with keys
            // fetches them again (or fails closed offline).
            eprintln!("warning: {r}: cannot list the pack's signatures: {e}");
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if !keys.is_empty() {
        sign::verify_any(r, &pack.digest, &signatures, keys)?;
    }
    pack::check_compatible(&pack).map_err(|e| e.context(r))?;
    if let Some(c) = cache {
        c.store_pack(&pack)?;
        for s in &signatures {
            c.put_signature(&pack.digest, s)?;
        }
        if r.digest.is_none() {
            c.put_ref(r, &pack.digest)?;
        }
    }
    Ok(Fetched { pack, signatures })
}

fn moved(r: &Reference, now: &str, locked: &str) -> RegistryError {
    RegistryError::of(
        ErrorKind::Locked,
        format!(
            "{r}: now resolves to {now} but gate.lock records {locked} (--locked); run `gate pack update` to accept the new digest"
        ),
    )
}
