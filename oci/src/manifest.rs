//! The OCI side of a pack: media types, annotations, digests, manifests
//! and the verified in-memory [`Pack`].
//!
//! Packs follow the CNCF wasm OCI artifact layout (config
//! `application/vnd.wasm.config.v0+json`, layers `application/wasm`).
//! Kubewarden's legacy layout (config `application/vnd.wasm.config.v1+json`,
//! layer `application/vnd.wasm.content.layer.v1+wasm`) is read too.

use crate::error::{ErrorKind, RegistryError, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub(crate) const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub(crate) const INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub(crate) const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub(crate) const WASM_CONFIG: &str = "application/vnd.wasm.config.v0+json";
pub(crate) const WASM_LAYER: &str = "application/wasm";
pub(crate) const KUBEWARDEN_CONFIG: &str = "application/vnd.wasm.config.v1+json";
pub(crate) const KUBEWARDEN_LAYER: &str = "application/vnd.wasm.content.layer.v1+wasm";
pub(crate) const EMPTY_CONFIG: &str = "application/vnd.oci.empty.v1+json";
/// The artifact type (and layer media type) of gate's signature documents.
pub(crate) const SIGNATURE_ARTIFACT: &str = "application/vnd.dev.gate.signature.v1+json";

pub(crate) const ANN_TITLE: &str = "org.opencontainers.image.title";
pub(crate) const ANN_VERSION: &str = "org.opencontainers.image.version";
pub(crate) const ANN_DESCRIPTION: &str = "org.opencontainers.image.description";
pub(crate) const ANN_CREATED: &str = "org.opencontainers.image.created";
pub(crate) const ANN_REF_NAME: &str = "org.opencontainers.image.ref.name";
pub(crate) const ANN_POLICY: &str = "dev.gate.policy.name";
pub(crate) const ANN_LEVEL: &str = "dev.gate.policy.level";
pub(crate) const ANN_MIN_GATE: &str = "dev.gate.pack.min-gate-version";
pub(crate) const ANN_WIT: &str = "dev.gate.pack.wit";

/// Largest manifest we read.
pub(crate) const MAX_MANIFEST: u64 = 4 << 20;
/// Largest blob (component, config, signature) we read.
pub(crate) const MAX_BLOB: u64 = 256 << 20;

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
    pub(crate) fn of(media_type: &str, bytes: &[u8]) -> Descriptor {
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
pub(crate) struct Index {
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
pub(crate) fn check_digest(d: &str) -> Result<&str> {
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
pub(crate) fn verify_blob(desc: &Descriptor, bytes: &[u8]) -> Result<()> {
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
    pub(crate) fn from_manifest(
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

    /// A manifest annotation, empty when it is not set.
    pub fn annotation(&self, key: &str) -> &str {
        self.manifest
            .annotations
            .get(key)
            .map_or("", String::as_str)
    }

    /// The pack's name (`org.opencontainers.image.title`).
    pub fn name(&self) -> &str {
        self.annotation(ANN_TITLE)
    }

    /// The pack's version (`org.opencontainers.image.version`).
    pub fn version(&self) -> &str {
        self.annotation(ANN_VERSION)
    }

    /// The pack's description (`org.opencontainers.image.description`).
    pub fn description(&self) -> &str {
        self.annotation(ANN_DESCRIPTION)
    }

    /// Every blob of the pack (config, layers), with descriptors.
    pub(crate) fn blobs(&self) -> Vec<(&Descriptor, &[u8])> {
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

pub(crate) fn is_wasm_layer(media_type: &str) -> bool {
    media_type == WASM_LAYER || media_type == KUBEWARDEN_LAYER
}

/// Parses a manifest and checks that it is a wasm pack.
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<Manifest> {
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
