//! Resolving a reference to a verified pack: cache, registry, signatures,
//! compatibility and `gate.lock`; and the two writes to a registry (push,
//! sign).

use crate::cache::Cache;
use crate::client::Client;
use crate::error::{ErrorKind, RegistryError, Result};
use crate::lock::LockFile;
use crate::manifest::{self, Pack};
use crate::observe::{Note, Observer};
use crate::pack::check_compatible;
use crate::reference::Reference;
use crate::sign::{self, PublicKey, SecretKey};
use std::cell::RefCell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::rc::Rc;

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
    pub cache: Option<Cache>,
}

impl Options {
    /// These options plus the environment: the switches `GATE_OFFLINE=1`
    /// and `GATE_INSECURE_REGISTRY=1` (which never relax verification) and
    /// the cache dir (`GATE_CACHE_DIR`, XDG, `~/.cache`).
    pub fn with_env(mut self) -> Options {
        self.offline |= env_flag("GATE_OFFLINE");
        self.insecure |= env_flag("GATE_INSECURE_REGISTRY");
        if self.cache.is_none() {
            self.cache = Cache::from_env();
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
pub struct Resolver<'a> {
    options: Options,
    obs: &'a dyn Observer,
    resolved: RefCell<HashMap<String, Rc<Pack>>>,
}

impl<'a> Resolver<'a> {
    /// A resolver for one run; `obs` hears its notes and transfers.
    pub fn new(options: Options, obs: &'a dyn Observer) -> Resolver<'a> {
        Resolver {
            options,
            obs,
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
                let pack = Rc::new(resolve_pack(&r, &self.options, self.obs)?);
                self.resolved.borrow_mut().insert(key, Rc::clone(&pack));
                pack
            }
        };
        let (name, bytes) = pack.select(r.policy.as_deref())?;
        Ok(ResolvedPolicy {
            bytes: bytes.to_vec(),
            origin: PackOrigin {
                name: pack.name().to_string(),
                version: pack.version().to_string(),
                digest: pack.digest.clone(),
                policy: name,
            },
        })
    }
}

/// Resolves, verifies and caches a whole pack, honouring the lock file.
fn resolve_pack(r: &Reference, options: &Options, obs: &dyn Observer) -> Result<Pack> {
    let keys = sign::load_keys(&options.trusted_keys, &options.key_base)?;
    let lock_path = options.lock_path.clone();
    let mut lock = match &lock_path {
        Some(p) => LockFile::load(p)?,
        None => LockFile::default(),
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
    let pack = fetch(r, options, &keys, pinned, obs)?.pack;
    if let Some(locked) = &locked_digest
        && *locked != pack.digest
    {
        obs.note(Note::LockMoved {
            reference: r.to_string(),
            from: locked.clone(),
            to: pack.digest.clone(),
        });
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
    pub pack: Pack,
    pub signatures: Vec<Vec<u8>>,
}

/// The pack a reference names, from the cache or the registry, verified.
/// `pinned` is the only digest accepted (`--locked`). Only a fully
/// verified pack is written to the cache.
pub fn fetch(
    r: &Reference,
    options: &Options,
    keys: &[PublicKey],
    pinned: Option<&str>,
    obs: &dyn Observer,
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
        let pack = cache.load_pack(&digest, obs)?.ok_or_else(|| {
            RegistryError::of(
                ErrorKind::NotCached,
                format!("{r}: offline mode and {digest} is not (completely) in the cache"),
            )
        })?;
        let signatures = cache.signatures(&pack.digest)?;
        if !keys.is_empty() {
            sign::verify_any(r, &pack.digest, &signatures, keys)?;
        }
        check_compatible(&pack).map_err(|e| e.context(r))?;
        obs.note(Note::OfflineFromCache {
            reference: r.to_string(),
            digest: pack.digest.clone(),
        });
        return Ok(Fetched { pack, signatures });
    }
    let client = Client::new(r, options.insecure, false, obs)?;
    let wanted = r.digest.clone().unwrap_or_else(|| r.tag_or_latest());
    obs.note(Note::Resolving {
        reference: r.to_string(),
    });
    let (manifest_bytes, digest) = client.get_manifest(&r.repository, &wanted)?;
    if let Some(p) = pinned
        && p != digest
    {
        return Err(moved(r, &digest, p));
    }
    let cached = match cache {
        Some(c) => c.load_pack(&digest, obs)?,
        None => None,
    };
    let pack = match cached {
        Some(p) => p,
        None => Pack::from_manifest(manifest_bytes, |d| client.get_blob(&r.repository, d))
            .map_err(|e| e.context(r))?,
    };
    let signatures = match sign::fetch_signatures(&client, r, &pack.digest) {
        Ok(s) => s,
        Err(e) if keys.is_empty() => {
            // Nothing depends on them in this run; a later run with keys
            // fetches them again (or fails closed offline).
            obs.note(Note::SignaturesUnavailable {
                reference: r.to_string(),
                error: e,
            });
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    if !keys.is_empty() {
        sign::verify_any(r, &pack.digest, &signatures, keys)?;
    }
    check_compatible(&pack).map_err(|e| e.context(r))?;
    if let Some(c) = cache {
        c.store_pack(&pack, obs)?;
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

/// Pushes a pack to the registry under the reference's tag (`latest`
/// without one): every blob the registry lacks, then the manifest.
pub fn push(r: &Reference, pack: &Pack, insecure: bool, obs: &dyn Observer) -> Result<()> {
    let client = Client::new(r, insecure, true, obs)?;
    for (d, bytes) in pack.blobs() {
        let pushed = client.push_blob(&r.repository, bytes)?;
        if pushed != d.digest {
            return Err(RegistryError::new(format!(
                "blob {} changed while pushing",
                d.digest
            )));
        }
    }
    client.put_manifest(
        &r.repository,
        &r.tag_or_latest(),
        &pack.manifest_bytes,
        manifest::MANIFEST,
    )
}

/// What signing a pack in a registry did.
#[derive(Debug, Clone)]
pub struct Signed {
    /// The pack's manifest digest (what was signed).
    pub digest: String,
    /// The digest of the signature manifest pushed.
    pub signature: String,
}

/// Signs the pack a reference names and pushes the signature (as a
/// referrer of the pack, and under the `sha256-<hex>.sig` tag).
pub fn sign_pack(
    r: &Reference,
    key: &SecretKey,
    insecure: bool,
    obs: &dyn Observer,
) -> Result<Signed> {
    let client = Client::new(r, insecure, true, obs)?;
    let wanted = r.digest.clone().unwrap_or_else(|| r.tag_or_latest());
    let (bytes, digest) = client.get_manifest(&r.repository, &wanted)?;
    manifest::parse_manifest(&bytes)?;
    let signature = sign::push_signature(&client, r, &digest, bytes.len() as u64, key)?;
    Ok(Signed { digest, signature })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, Notes};
    use crate::observe::Silent;

    /// Options for an offline run on a cache holding the fixture pack
    /// (signed), tagged `oci://127.0.0.1:9/ns/pack:v1`.
    fn offline(dir: &std::path::Path) -> (Options, Pack, Reference) {
        let pack = fixture::pack(dir);
        let cache = Cache::at(dir.join("cache"));
        cache.store_pack(&pack, &Silent).unwrap();
        let key = SecretKey::from_seed([5; 32]);
        cache
            .put_signature(&pack.digest, &key.sign_document(&pack.digest))
            .unwrap();
        let r = Reference::parse("oci://127.0.0.1:9/ns/pack:v1#only").unwrap();
        cache.put_ref(&r, &pack.digest).unwrap();
        let options = Options {
            offline: true,
            cache: Some(cache),
            key_base: dir.to_path_buf(),
            ..Options::default()
        };
        (options, pack, r)
    }

    #[test]
    fn offline_runs_resolve_from_the_cache_and_say_so() {
        let dir = tempfile::tempdir().unwrap();
        let (mut options, pack, r) = offline(dir.path());
        options.trusted_keys = vec![SecretKey::from_seed([5; 32]).public_key_text()];
        options.lock_path = Some(dir.path().join("gate.lock"));
        let notes = Notes::default();
        let resolver = Resolver::new(options, &notes);
        let p = resolver.policy(&r.to_string()).unwrap();
        assert_eq!(p.origin.digest, pack.digest);
        assert_eq!(p.origin.policy, "only");
        assert_eq!(
            (p.origin.name.as_str(), p.origin.version.as_str()),
            ("fixture", "1.0.0")
        );
        // Resolved once per run, however many policies use the pack.
        resolver.policy(&r.to_string()).unwrap();
        assert_eq!(
            notes.taken(),
            [format!(
                "offline: using cached pack oci://127.0.0.1:9/ns/pack:v1#only ({})",
                pack.digest
            )]
        );
        let lock = LockFile::load(&dir.path().join("gate.lock")).unwrap();
        assert_eq!(lock.get(&r.lock_key()), Some(pack.digest.as_str()));
        let e = resolver
            .policy(&format!("{}#other", r.without_policy()))
            .unwrap_err();
        assert_eq!(e.code(), "pack-not-found");
    }

    #[test]
    fn offline_refusals_have_their_codes() {
        let dir = tempfile::tempdir().unwrap();
        let (options, _, r) = offline(dir.path());
        let other = SecretKey::from_seed([6; 32]).public_key_text();
        let keys = sign::load_keys(&[other], dir.path()).unwrap();
        let e = fetch(&r, &options, &keys, None, &Silent).unwrap_err();
        assert_eq!(e.code(), "signature-untrusted");
        // Offline, the locked digest is what is loaded.
        let locked = format!("sha256:{}", "0".repeat(64));
        let e = fetch(&r, &options, &[], Some(&locked), &Silent).unwrap_err();
        assert_eq!(e.code(), "not-in-cache");
        assert!(e.message.contains(&locked), "{e}");
        let unknown = Reference::parse("oci://127.0.0.1:9/ns/pack:v2").unwrap();
        assert_eq!(
            fetch(&unknown, &options, &[], None, &Silent)
                .unwrap_err()
                .code(),
            "not-in-cache"
        );
        let no_cache = Options {
            cache: None,
            ..options.clone()
        };
        assert_eq!(
            fetch(&r, &no_cache, &[], None, &Silent).unwrap_err().code(),
            "not-in-cache"
        );
        let locked = Options {
            locked: true,
            lock_path: Some(dir.path().join("gate.lock")),
            ..options
        };
        let e = Resolver::new(locked, &Silent)
            .policy(&r.to_string())
            .unwrap_err();
        assert_eq!(e.code(), "lock-mismatch");
        assert!(e.message.contains("gate.lock (--locked)"), "{e}");
    }

    #[test]
    fn unreachable_registries_are_reported_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let (mut options, _, r) = offline(dir.path());
        options.offline = false;
        // Port 9 (discard) on loopback: nothing listens in a test sandbox.
        let e = fetch(&r, &options, &[], None, &Silent).unwrap_err();
        assert_eq!(e.code(), "registry-unreachable", "{e}");
    }
}
