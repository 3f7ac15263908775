//! `gate.lock`: the digest each pack reference resolved to. Written next to
//! `gate.toml` by `gate check` (and `gate pack update`); with `--locked`,
//! a reference missing from it, or a tag that now points to another digest,
//! is an error instead of an update.

use crate::error::{RegistryError, Result};
use crate::files::write_atomic;
use crate::manifest::check_digest;
use serde::{Deserialize, Serialize};
use std::path::Path;

const HEADER: &str = "# gate.lock: the pack digests `gate check` resolved. Generated; commit it.\n# `gate pack update` re-resolves every entry.\n";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockFile {
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default, rename = "pack")]
    pub packs: Vec<LockEntry>,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// The reference as written in gate.toml, without `#policy`.
    pub reference: String,
    pub digest: String,
}

impl LockFile {
    /// The lock file at `path`; empty when there is none.
    pub fn load(path: &Path) -> Result<LockFile> {
        let text = match gate_fsutil::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.is_not_found() => return Ok(LockFile::default()),
            Err(e) => return Err(RegistryError::new(format!("{}: {e}", path.display()))),
        };
        let lock: LockFile = toml::from_str(&text).map_err(|e| {
            RegistryError::new(format!(
                "{} is not a valid lock file: {}",
                path.display(),
                e.message().trim_end()
            ))
        })?;
        if lock.version != 1 {
            return Err(RegistryError::new(format!(
                "{}: unsupported lock file version {}",
                path.display(),
                lock.version
            )));
        }
        for p in &lock.packs {
            check_digest(&p.digest)
                .map_err(|e| RegistryError::new(format!("{}: {e}", path.display())))?;
        }
        Ok(lock)
    }

    pub fn get(&self, reference: &str) -> Option<&str> {
        self.packs
            .iter()
            .find(|p| p.reference == reference)
            .map(|p| p.digest.as_str())
    }

    /// Records a digest; returns whether anything changed.
    pub fn set(&mut self, reference: &str, digest: &str) -> bool {
        match self.packs.iter_mut().find(|p| p.reference == reference) {
            Some(p) if p.digest == digest => false,
            Some(p) => {
                p.digest = digest.to_string();
                true
            }
            None => {
                self.packs.push(LockEntry {
                    reference: reference.to_string(),
                    digest: digest.to_string(),
                });
                self.packs.sort_by(|a, b| a.reference.cmp(&b.reference));
                true
            }
        }
    }

    /// Keeps only the entries whose reference `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&str) -> bool) {
        self.packs.retain(|e| keep(&e.reference));
    }

    /// Writes the file atomically. Concurrent writers each write a whole
    /// file (last one wins).
    pub fn save(&self, path: &Path) -> Result<()> {
        let mut lock = self.clone();
        lock.version = 1;
        let body = toml::to_string(&lock)
            .map_err(|e| RegistryError::new(format!("cannot encode the lock file: {e}")))?;
        write_atomic(path, format!("{HEADER}{body}").as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("gate.lock");
        let mut l = LockFile::load(&p).unwrap();
        let d = format!("sha256:{}", "a".repeat(64));
        assert!(l.set("oci://h/a/b:1", &d));
        assert!(!l.set("oci://h/a/b:1", &d));
        l.save(&p).unwrap();
        let back = LockFile::load(&p).unwrap();
        assert_eq!(back.get("oci://h/a/b:1"), Some(d.as_str()));
    }
}
