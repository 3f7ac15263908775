//! OCI image layout directories: what `gate pack build` and `gate pack
//! save` write, `gate pack load` reads, and `skopeo copy oci:DIR` reads too.

use crate::error::{ErrorKind, RegistryError, Result};
use crate::files::{self, write_atomic};
use crate::manifest::{
    ANN_REF_NAME, Descriptor, INDEX, Index, MANIFEST, MAX_BLOB, MAX_MANIFEST, Pack,
    SIGNATURE_ARTIFACT, check_digest, digest_of, verify_blob,
};
use gate_fsutil::{InputLimit, LimitSource, ReadError};
use std::collections::BTreeMap;
use std::path::Path;

/// Writes `dir` as an OCI image layout holding the pack, tagged `tag`.
/// An existing layout there is kept and the tag added or moved.
pub fn write_layout(dir: &Path, pack: &Pack, tag: &str) -> Result<()> {
    let blobs = dir.join("blobs").join("sha256");
    std::fs::create_dir_all(&blobs).map_err(|e| files::io("create", &blobs, e))?;
    write_atomic(
        &dir.join("oci-layout"),
        br#"{"imageLayoutVersion":"1.0.0"}"#,
    )?;
    let mut all: Vec<(String, &[u8])> = pack
        .blobs()
        .into_iter()
        .map(|(d, b)| (d.digest.clone(), b))
        .collect();
    all.push((pack.digest.clone(), pack.manifest_bytes.as_slice()));
    for (digest, bytes) in all {
        let hex = check_digest(&digest)?;
        write_atomic(&blobs.join(hex), bytes)?;
    }
    let mut index = read_index(dir)?.unwrap_or_else(|| Index {
        schema_version: 2,
        media_type: Some(INDEX.into()),
        manifests: Vec::new(),
        annotations: BTreeMap::new(),
    });
    index
        .manifests
        .retain(|m| m.annotations.get(ANN_REF_NAME).map(String::as_str) != Some(tag));
    let mut desc = Descriptor::of(MANIFEST, &pack.manifest_bytes);
    desc.annotations.insert(ANN_REF_NAME.into(), tag.into());
    index.manifests.push(desc);
    write_index(dir, &index)
}

/// `index.json` of a layout; `None` when there is none yet.
fn read_index(dir: &Path) -> Result<Option<Index>> {
    let index_path = dir.join("index.json");
    let limit = InputLimit {
        bytes: MAX_MANIFEST,
        source: LimitSource::Fixed("the limit for an OCI index"),
    };
    let text = match gate_fsutil::read_limited(&index_path, &limit) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(files::read_error(&index_path, &e)),
    };
    serde_json::from_slice(&text).map(Some).map_err(|e| {
        RegistryError::new(format!("{} is not an OCI index: {e}", index_path.display()))
    })
}

fn write_index(dir: &Path, index: &Index) -> Result<()> {
    let text = serde_json::to_vec_pretty(index)
        .map_err(|e| RegistryError::new(format!("cannot write the index: {e}")))?;
    write_atomic(&dir.join("index.json"), &text)
}

/// Adds a referrer of a pack (a manifest whose `subject` is the pack, e.g.
/// a signature) to a layout: its blobs, then its manifest, listed in
/// `index.json` by `artifactType` and without a tag, as the OCI image
/// layout spec lists referrers.
pub(crate) fn write_referrer(
    dir: &Path,
    manifest_bytes: &[u8],
    artifact_type: &str,
    blobs: &[&[u8]],
) -> Result<()> {
    let dir_blobs = dir.join("blobs").join("sha256");
    for b in blobs.iter().copied().chain([manifest_bytes]) {
        let d = digest_of(b);
        write_atomic(&dir_blobs.join(check_digest(&d)?), b)?;
    }
    let mut index = read_index(dir)?
        .ok_or_else(|| RegistryError::new(format!("{}: no index.json to add to", dir.display())))?;
    let mut desc = Descriptor::of(MANIFEST, manifest_bytes);
    desc.artifact_type = Some(artifact_type.into());
    index.manifests.retain(|m| m.digest != desc.digest);
    index.manifests.push(desc);
    write_index(dir, &index)
}

/// The manifests of a layout with this `artifactType`, each verified.
pub(crate) fn read_referrers(dir: &Path, artifact_type: &str) -> Result<Vec<Vec<u8>>> {
    let Some(index) = read_index(dir)? else {
        return Ok(Vec::new());
    };
    index
        .manifests
        .iter()
        .filter(|m| m.artifact_type.as_deref() == Some(artifact_type))
        .map(|m| read_layout_blob(dir, m))
        .collect()
}

/// A blob of a layout, checked against its descriptor.
pub(crate) fn read_layout_blob(dir: &Path, d: &Descriptor) -> Result<Vec<u8>> {
    let hex = check_digest(&d.digest)?;
    let p = dir.join("blobs").join("sha256").join(hex);
    if d.size > MAX_BLOB {
        return Err(RegistryError::new(format!(
            "blob {} is too large ({} bytes)",
            d.digest, d.size
        )));
    }
    // One byte more than the descriptor says is enough to tell a blob
    // that is too large (verify_blob reports it).
    let limit = InputLimit {
        bytes: d.size.saturating_add(1),
        source: LimitSource::Fixed("one byte more than its descriptor's size"),
    };
    let bytes = match gate_fsutil::read_limited(&p, &limit) {
        Ok(b) => b,
        Err(ReadError::TooLarge(l)) if l.source == limit.source => {
            return Err(RegistryError::of(
                ErrorKind::DigestMismatch,
                format!(
                    "blob {} is larger than its descriptor says ({} bytes)",
                    d.digest, d.size
                ),
            ));
        }
        Err(e) => return Err(files::read_error(&p, &e)),
    };
    verify_blob(d, &bytes)?;
    Ok(bytes)
}

/// Reads the pack tagged `tag` (or the only one) from an OCI image layout.
/// Signatures listed in the index are not candidates.
pub fn read_layout(dir: &Path, tag: Option<&str>) -> Result<Pack> {
    let index = read_index(dir)?.ok_or_else(|| {
        RegistryError::new(format!(
            "{}: not an OCI image layout (no index.json)",
            dir.display()
        ))
    })?;
    let packs: Vec<&Descriptor> = index
        .manifests
        .iter()
        .filter(|m| m.artifact_type.as_deref() != Some(SIGNATURE_ARTIFACT))
        .collect();
    let desc = match tag {
        Some(t) => packs
            .iter()
            .copied()
            .find(|m| m.annotations.get(ANN_REF_NAME).map(String::as_str) == Some(t)),
        None if packs.len() == 1 => packs.first().copied(),
        None => {
            return Err(RegistryError::new(format!(
                "{} holds {} manifests; name one with DIR:TAG",
                dir.display(),
                packs.len()
            )));
        }
    }
    .ok_or_else(|| {
        RegistryError::new(format!(
            "{}: no manifest tagged `{}`",
            dir.display(),
            tag.unwrap_or_default()
        ))
    })?;
    let manifest = read_layout_blob(dir, desc)?;
    Pack::from_manifest(manifest, |d| read_layout_blob(dir, d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture;
    use crate::sign::{SecretKey, load_signatures, save_signatures};

    #[test]
    fn layouts_round_trip_with_their_signatures() {
        let src = tempfile::tempdir().unwrap();
        let pack = fixture::pack(src.path());
        let out = tempfile::tempdir().unwrap();
        let dir = out.path().join("p.oci");
        write_layout(&dir, &pack, "1.0.0").unwrap();
        let key = SecretKey::from_seed([3; 32]);
        let doc = key.sign_document(&pack.digest);
        save_signatures(&dir, &pack, std::slice::from_ref(&doc)).unwrap();
        // The signature is listed in the index but is not a candidate pack.
        let back = read_layout(&dir, None).unwrap();
        assert_eq!(back.digest, pack.digest);
        assert_eq!(
            read_layout(&dir, Some("1.0.0")).unwrap().digest,
            pack.digest
        );
        let e = read_layout(&dir, Some("2.0.0")).unwrap_err();
        assert!(e.message.ends_with("no manifest tagged `2.0.0`"), "{e}");
        assert_eq!(load_signatures(&dir, &pack.digest).unwrap(), vec![doc]);
    }

    #[test]
    fn tampered_layout_blobs_are_refused() {
        let src = tempfile::tempdir().unwrap();
        let pack = fixture::pack(src.path());
        let dir = src.path().join("p.oci");
        write_layout(&dir, &pack, "v1").unwrap();
        let (desc, bytes) = pack.layers.first().unwrap();
        let path = dir
            .join("blobs/sha256")
            .join(check_digest(&desc.digest).unwrap());
        let mut evil = bytes.clone();
        if let Some(b) = evil.last_mut() {
            *b ^= 1;
        }
        std::fs::write(&path, &evil).unwrap();
        assert_eq!(
            read_layout(&dir, None).unwrap_err().code(),
            "digest-mismatch"
        );
        evil.push(0);
        std::fs::write(&path, &evil).unwrap();
        assert_eq!(
            read_layout(&dir, None).unwrap_err().code(),
            "digest-mismatch"
        );
        std::fs::write(&path, &bytes[..1]).unwrap();
        assert_eq!(
            read_layout(&dir, None).unwrap_err().code(),
            "truncated-download"
        );
    }
}
