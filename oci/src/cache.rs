//! The content-addressed pack cache: `$GATE_CACHE_DIR/packs`, else
//! `$XDG_CACHE_HOME/gate/packs`, else `$HOME/.cache/gate/packs`.
//!
//! ```text
//! packs/blobs/sha256/<hex>                 manifests, configs, components
//! packs/refs/<registry>/<repository>/<tag> the digest a tag last resolved to
//! packs/signatures/<pack hex>/<hex>        signature documents of a pack
//! ```
//!
//! Every blob is written through a temp file and a rename after its digest
//! was checked, and checked again on every read (a corrupted entry is
//! removed and reported as missing), so concurrent processes only ever see
//! whole, correct files.

use crate::error::{ErrorKind, RegistryError, Result};
use crate::files::write_atomic;
use crate::manifest::{Descriptor, MAX_BLOB, Pack, check_digest, digest_of};
use crate::observe::{Note, Observer};
use crate::reference::Reference;
use gate_fsutil::{InputLimit, LimitSource, ReadError};
use std::path::{Path, PathBuf};

/// A cache entry: a regular file no larger than a pack's largest blob.
fn read_cached(path: &Path) -> std::result::Result<Vec<u8>, ReadError> {
    let limit = InputLimit {
        bytes: MAX_BLOB,
        source: LimitSource::Fixed("the largest blob a pack may have"),
    };
    gate_fsutil::read_limited(path, &limit)
}

/// The content-addressed pack cache in one directory.
#[derive(Debug, Clone)]
pub struct Cache {
    root: PathBuf,
}

impl Cache {
    /// The cache from the environment; `None` when no directory is known.
    pub fn from_env() -> Option<Cache> {
        gate_fsutil::cache_dir().map(|base| Cache::at(base.join("packs")))
    }

    /// The cache in `root` (created on the first write).
    pub fn at(root: impl Into<PathBuf>) -> Cache {
        Cache { root: root.into() }
    }

    /// The cache directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn blob_path(&self, digest: &str) -> Result<PathBuf> {
        let hex = check_digest(digest)?;
        Ok(self.root.join("blobs").join("sha256").join(hex))
    }

    /// A blob, verified; `None` when missing or corrupted (then removed).
    pub(crate) fn get_blob(&self, digest: &str, obs: &dyn Observer) -> Result<Option<Vec<u8>>> {
        let path = self.blob_path(digest)?;
        let bytes = match read_cached(&path) {
            Ok(b) => b,
            Err(_) => return Ok(None),
        };
        if digest_of(&bytes) != digest {
            obs.note(Note::CorruptBlobRemoved {
                digest: digest.to_string(),
                cache: self.root.clone(),
            });
            let _ = std::fs::remove_file(&path);
            return Ok(None);
        }
        Ok(Some(bytes))
    }

    /// Stores a blob after checking its digest.
    fn put_blob(&self, digest: &str, bytes: &[u8], obs: &dyn Observer) -> Result<()> {
        let actual = digest_of(bytes);
        if actual != digest {
            return Err(RegistryError::of(
                ErrorKind::DigestMismatch,
                format!("refusing to cache {digest}: the content is {actual}"),
            ));
        }
        if self.get_blob(digest, obs)?.is_some() {
            return Ok(());
        }
        write_atomic(&self.blob_path(digest)?, bytes)
    }

    /// Stores a verified pack: blobs first, the manifest last, so a
    /// manifest in the cache always has its blobs.
    pub fn store_pack(&self, pack: &Pack, obs: &dyn Observer) -> Result<()> {
        for (d, b) in pack.blobs() {
            self.put_blob(&d.digest, b, obs)?;
        }
        self.put_blob(&pack.digest, &pack.manifest_bytes, obs)
    }

    /// A whole pack from the cache, verified; `None` when anything is missing.
    pub fn load_pack(&self, digest: &str, obs: &dyn Observer) -> Result<Option<Pack>> {
        let Some(manifest) = self.get_blob(digest, obs)? else {
            return Ok(None);
        };
        let mut missing = false;
        let pack = Pack::from_manifest(manifest, |d: &Descriptor| {
            match self.get_blob(&d.digest, obs)? {
                Some(b) => Ok(b),
                None => {
                    missing = true;
                    Err(RegistryError::new("missing"))
                }
            }
        });
        match pack {
            Ok(p) => Ok(Some(p)),
            Err(_) if missing => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn ref_path(&self, r: &Reference) -> PathBuf {
        let registry: String = r
            .registry
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let mut p = self.root.join("refs").join(registry);
        for part in r.repository.split('/') {
            p.push(part);
        }
        p.join(r.tag_or_latest())
    }

    /// The digest the tag last resolved to.
    pub(crate) fn get_ref(&self, r: &Reference) -> Result<Option<String>> {
        match read_cached(&self.ref_path(r)) {
            Ok(s) => {
                let d = String::from_utf8_lossy(&s).trim().to_string();
                check_digest(&d)?;
                Ok(Some(d))
            }
            Err(_) => Ok(None),
        }
    }

    /// Records the digest a tag resolved to.
    pub fn put_ref(&self, r: &Reference, digest: &str) -> Result<()> {
        check_digest(digest)?;
        write_atomic(&self.ref_path(r), format!("{digest}\n").as_bytes())
    }

    fn signature_dir(&self, pack_digest: &str) -> Result<PathBuf> {
        Ok(self
            .root
            .join("signatures")
            .join(check_digest(pack_digest)?))
    }

    /// Stores a signature document of a pack.
    pub fn put_signature(&self, pack_digest: &str, doc: &[u8]) -> Result<()> {
        let d = digest_of(doc);
        let hex = check_digest(&d)?;
        write_atomic(&self.signature_dir(pack_digest)?.join(hex), doc)
    }

    /// The signature documents stored for a pack (each digest-checked).
    pub(crate) fn signatures(&self, pack_digest: &str) -> Result<Vec<Vec<u8>>> {
        let dir = self.signature_dir(pack_digest)?;
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Ok(bytes) = read_cached(&e.path())
                && digest_of(&bytes) == format!("sha256:{name}")
            {
                out.push(bytes);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::{self, Notes};
    use crate::observe::Silent;

    #[test]
    fn packs_round_trip_and_corrupt_entries_are_removed_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let pack = fixture::pack(dir.path());
        let cache = Cache::at(dir.path().join("cache"));
        assert!(cache.load_pack(&pack.digest, &Silent).unwrap().is_none());
        cache.store_pack(&pack, &Silent).unwrap();
        let back = cache.load_pack(&pack.digest, &Silent).unwrap().unwrap();
        assert_eq!(back.manifest_bytes, pack.manifest_bytes);

        let (desc, _) = pack.layers.first().unwrap();
        let path = cache.blob_path(&desc.digest).unwrap();
        std::fs::write(&path, b"garbage").unwrap();
        let notes = Notes::default();
        assert!(cache.load_pack(&pack.digest, &notes).unwrap().is_none());
        assert_eq!(
            notes.taken(),
            [format!(
                "warning: cached blob {} is corrupted; removed it from {}",
                desc.digest,
                cache.root().display()
            )]
        );
        assert!(!path.exists());
        // Storing again repairs it.
        cache.store_pack(&pack, &Silent).unwrap();
        assert!(cache.load_pack(&pack.digest, &Silent).unwrap().is_some());
    }

    #[test]
    fn refs_and_signatures() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path());
        let r = Reference::parse("oci://[::1]:5000/ns/pack:v1").unwrap();
        let d = format!("sha256:{}", "a".repeat(64));
        assert_eq!(cache.get_ref(&r).unwrap(), None);
        cache.put_ref(&r, &d).unwrap();
        assert_eq!(cache.get_ref(&r).unwrap(), Some(d.clone()));
        assert!(dir.path().join("refs/___1__5000/ns/pack/v1").is_file());
        assert!(cache.put_ref(&r, "sha256:short").is_err());
        cache.put_signature(&d, b"doc").unwrap();
        assert_eq!(cache.signatures(&d).unwrap(), [b"doc".to_vec()]);
        let refused = cache.put_blob(&d, b"not a", &Silent).unwrap_err();
        assert_eq!(refused.code(), "digest-mismatch");
    }
}
