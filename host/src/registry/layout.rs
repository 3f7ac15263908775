//! The OCI side of a pack: media types, manifests, the verified in-memory
//! [`Pack`], and OCI image layout directories (what `gate pack build` writes
//! and `skopeo copy oci:DIR` reads).
//!
//! Packs follow the CNCF wasm OCI artifact layout (config
//! `application/vnd.wasm.config.v0+json`, layers `application/wasm`).
//! Kubewarden's legacy layout (config `application/vnd.wasm.config.v1+json`,
//! layer `application/vnd.wasm.content.layer.v1+wasm`) is read too.

use super::{ErrorKind, RegistryError, Result};
use crate::fsutil::{self, InputLimit, LimitSource, ReadError};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;

pub const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
pub const WASM_LAYER: &str = "application/wasm";
pub const KUBEWARDEN_CONFIG: &str = "application/vnd.wasm.config.v1+json";
pub const KUBEWARDEN_LAYER: &str = "application/vnd.wasm.content.layer.v1+wasm";
pub const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";

pub const ANN_TITLE: &str = "org.opencontainers.image.title";
pub const ANN_VERSION: &str = "org.opencontainers.image.version";
pub const ANN_DESCRIPTION: &str = "org.opencontainers.image.description";
pub const ANN_CREATED: &str = "org.opencontainers.image.created";
pub const ANN_REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const ANN_POLICY: &str = "dev.gate.policy.name";
pub const ANN_LEVEL: &str = "dev.gate.policy.level";
pub const ANN_MIN_GATE: &str = "dev.gate.pack.min-gate-version";
pub const ANN_WIT: &str = "dev.gate.pack.wit";

/// Largest manifest we read.
pub const MAX_MANIFEST: u64 = 4 << 20;
/// Largest blob (component, config, signature) we read.
pub const MAX_BLOB: u64 = 256 << 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

impl Descriptor {
    pub fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
        Descriptor {
            media_type: media_type.to_string(),
            digest: digest_of(bytes),
            size: bytes.len() as u64,
            artifact_type: None,
            annotations: BTreeMap::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub artifact_type: Option<String>,
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Index {
    pub schema_version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// `sha256:<hex>` of some bytes.
pub fn digest_of(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// Checks a digest's form and returns its hex part.
pub fn check_digest(d: &str) -> Result<&str> {
    match d.strip_prefix("sha256:") {
        Some(hex)
            if hex.len() == 64
                && hex
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) =>
        {
            Ok(hex)
        }
        _ => Err(RegistryError::new(format!(
            "`{d}` is not a sha256 digest (sha256:<64 lowercase hex>)"
        ))),
    }
}

/// Checks bytes against a descriptor: size first (a short read is a
/// truncated download), then the digest.
pub fn verify_blob(desc: &Descriptor, bytes: &[u8]) -> Result<()> {
    check_digest(&desc.digest)?;
    let len = bytes.len() as u64;
    if len < desc.size {
        return Err(RegistryError::of(
            ErrorKind::Truncated,
            format!(
                "blob {} is truncated: got {len} of {} bytes",
                desc.digest, desc.size
            ),
        ));
    }
    if len > desc.size {
        return Err(RegistryError::of(
            ErrorKind::DigestMismatch,
            format!(
                "blob {} is larger than its descriptor says ({len} > {} bytes)",
                desc.digest, desc.size
            ),
        ));
    }
    let actual = digest_of(bytes);
    if actual != desc.digest {
        return Err(RegistryError::of(
            ErrorKind::DigestMismatch,
            format!(
                "blob digest mismatch: expected {}, content is {actual} (tampered or corrupted)",
                desc.digest
            ),
        ));
    }
    Ok(())
}

/// A pack with every byte verified against its manifest.
#[derive(Debug, Clone)]
pub struct Pack {
    /// The manifest digest.
    pub digest: String,
    pub manifest_bytes: Vec<u8>,
    pub manifest: Manifest,
    pub config: Vec<u8>,
    /// Wasm layers in manifest order, with their descriptors.
    pub layers: Vec<(Descriptor, Vec<u8>)>,
}

impl Pack {
    /// Parses and checks a manifest, then fetches and verifies each blob.
    pub fn from_manifest(
        manifest_bytes: Vec<u8>,
        mut blob: impl FnMut(&Descriptor) -> Result<Vec<u8>>,
    ) -> Result<Pack> {
        let manifest = parse_manifest(&manifest_bytes)?;
        if manifest.config.size > MAX_BLOB {
            return Err(RegistryError::new("the pack config is too large"));
        }
        let config = blob(&manifest.config)?;
        verify_blob(&manifest.config, &config)?;
        let mut layers = Vec::new();
        for l in manifest
            .layers
            .iter()
            .filter(|l| is_wasm_layer(&l.media_type))
        {
            if l.size > MAX_BLOB {
                return Err(RegistryError::new(format!(
                    "layer {} is too large ({} bytes)",
                    l.digest, l.size
                )));
            }
            let bytes = blob(l)?;
            verify_blob(l, &bytes)?;
            layers.push((l.clone(), bytes));
        }
        Ok(Pack {
            digest: digest_of(&manifest_bytes),
            manifest_bytes,
            manifest,
            config,
            layers,
        })
    }

    /// The policies of the pack: name and component bytes.
    pub fn policies(&self) -> Vec<(String, &[u8])> {
        self.layers
            .iter()
            .enumerate()
            .map(|(i, (d, bytes))| (policy_name(d, i), bytes.as_slice()))
            .collect()
    }

    /// The policy named `name`, else the first one.
    pub fn select(&self, name: Option<&str>) -> Result<(String, &[u8])> {
        let policies = self.policies();
        let names = || {
            policies
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        match name {
            Some(n) => policies
                .iter()
                .find(|(p, _)| p == n)
                .map(|(p, b)| (p.clone(), *b))
                .ok_or_else(|| {
                    RegistryError::of(
                        ErrorKind::NotFound,
                        format!(
                            "pack {} has no policy `{n}` (it has: {})",
                            self.digest,
                            names()
                        ),
                    )
                }),
            None => policies
                .first()
                .map(|(p, b)| (p.clone(), *b))
                .ok_or_else(|| {
                    RegistryError::of(
                        ErrorKind::NotFound,
                        format!("pack {} has no policy", self.digest),
                    )
                }),
        }
    }

    /// Every blob of the pack (config, layers), with descriptors.
    pub fn blobs(&self) -> Vec<(&Descriptor, &[u8])> {
        let mut out = vec![(&self.manifest.config, self.config.as_slice())];
        for (d, b) in &self.layers {
            out.push((d, b.as_slice()));
        }
        out
    }
}

fn policy_name(d: &Descriptor, i: usize) -> String {
    if let Some(n) = d.annotations.get(ANN_POLICY) {
        return n.clone();
    }
    if let Some(t) = d.annotations.get(ANN_TITLE) {
        return t.strip_suffix(".wasm").unwrap_or(t).to_string();
    }
    format!("policy-{}", i + 1)
}

pub fn is_wasm_layer(media_type: &str) -> bool {
    media_type == WASM_LAYER || media_type == KUBEWARDEN_LAYER
}

/// Parses a manifest and checks that it is a wasm pack.
pub fn parse_manifest(bytes: &[u8]) -> Result<Manifest> {
    let m: Manifest = serde_json::from_slice(bytes).map_err(|e| {
        RegistryError::of(
            ErrorKind::NotAPack,
            format!("the manifest is not an OCI image manifest: {e}"),
        )
    })?;
    if m.schema_version != 2 {
        return Err(RegistryError::of(
            ErrorKind::NotAPack,
            format!("unsupported manifest schemaVersion {}", m.schema_version),
        ));
    }
    if let Some(mt) = &m.media_type
        && mt != MANIFEST
        && mt != DOCKER_MANIFEST
    {
        return Err(RegistryError::of(
            ErrorKind::NotAPack,
            format!("not a policy pack: the manifest media type is {mt}"),
        ));
    }
    if m.config.media_type != WASM_CONFIG && m.config.media_type != KUBEWARDEN_CONFIG {
        return Err(RegistryError::of(
            ErrorKind::NotAPack,
            format!(
                "not a wasm policy pack: config media type {} (expected {WASM_CONFIG})",
                m.config.media_type
            ),
        ));
    }
    if !m.layers.iter().any(|l| is_wasm_layer(&l.media_type)) {
        return Err(RegistryError::of(
            ErrorKind::NotAPack,
            format!("not a wasm policy pack: no {WASM_LAYER} layer"),
        ));
    }
    for d in std::iter::once(&m.config).chain(&m.layers) {
        check_digest(&d.digest)?;
    }
    Ok(m)
}

// ---- OCI image layout directories -------------------------------------

fn io(what: &str, path: &Path, e: std::io::Error) -> RegistryError {
    RegistryError::new(format!(
        "cannot {what} {}: {}",
        path.display(),
        e.to_string().to_lowercase()
    ))
}

fn read_error(path: &Path, e: &ReadError) -> RegistryError {
    RegistryError::new(format!("{}: {e}", path.display()))
}

/// Writes `dir` as an OCI image layout holding the pack, tagged `tag`.
/// An existing layout there is kept and the tag added or moved.
pub fn write_layout(dir: &Path, pack: &Pack, tag: &str) -> Result<()> {
    let blobs = dir.join("blobs").join("sha256");
    std::fs::create_dir_all(&blobs).map_err(|e| io("create", &blobs, e))?;
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
    let text = match fsutil::read_limited(&index_path, &limit) {
        Ok(t) => t,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(read_error(&index_path, &e)),
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
pub fn write_referrer(
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
pub fn read_referrers(dir: &Path, artifact_type: &str) -> Result<Vec<Vec<u8>>> {
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
pub fn read_layout_blob(dir: &Path, d: &Descriptor) -> Result<Vec<u8>> {
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
    let bytes = match fsutil::read_limited(&p, &limit) {
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
        Err(e) => return Err(read_error(&p, &e)),
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
        .filter(|m| m.artifact_type.as_deref() != Some(super::sign::SIGNATURE_ARTIFACT))
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

/// Writes a file atomically ([`fsutil::write_file`]: temp file, fsync,
/// rename; mode from the umask).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    fsutil::write_file(path, bytes).map_err(|e| io("write", path, e))
}
