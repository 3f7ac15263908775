//! ed25519 signatures of packs.
//!
//! A signature signs the pack's manifest digest (the payload is
//! `gate-pack-signature-v1\n<digest>\n`). It is stored as an OCI artifact
//! whose `subject` is the pack, so registries with the referrers API list
//! it; it is also tagged `sha256-<hex>.sig` (the tag-schema fallback) for
//! registries without that API. Keys are 32-byte ed25519 keys in base64
//! (a secret key file holds the seed; a public key is a file or the base64
//! text itself).

use crate::client::Client;
use crate::error::{ErrorKind, RegistryError, Result};
use crate::layout;
use crate::manifest::{self, Descriptor, Manifest, Pack, SIGNATURE_ARTIFACT};
use crate::reference::Reference;
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::{OsRng, RngCore as _};
use std::collections::BTreeMap;
use std::path::Path;

const PAYLOAD_PREFIX: &str = "gate-pack-signature-v1\n";

/// A trusted public key and where it came from (for messages).
#[derive(Debug, Clone)]
pub struct PublicKey {
    key: VerifyingKey,
    origin: String,
}

impl PublicKey {
    /// A public key from a path (relative to `base`) or base64 text.
    pub fn parse(spec: &str, base: &Path) -> Result<PublicKey> {
        parse_public_key(spec, base)
    }

    /// Where the key came from: its file, or `key BASE64`.
    pub fn origin(&self) -> &str {
        &self.origin
    }
}

/// An ed25519 secret key (its 32-byte seed). No `Debug`: it is a secret.
pub struct SecretKey(SigningKey);

impl SecretKey {
    /// A new key from the operating system's random generator.
    pub fn generate() -> Result<SecretKey> {
        let mut seed = [0u8; 32];
        OsRng.try_fill_bytes(&mut seed).map_err(|e| {
            RegistryError::of(ErrorKind::InvalidKey, format!("cannot generate a key: {e}"))
        })?;
        Ok(SecretKey(SigningKey::from_bytes(&seed)))
    }

    /// A secret key file: the base64 32-byte seed.
    pub fn load(path: &Path) -> Result<SecretKey> {
        let text = gate_fsutil::read_to_string(path).map_err(|e| {
            RegistryError::of(
                ErrorKind::InvalidKey,
                format!("key {}: {e}", path.display()),
            )
        })?;
        Ok(SecretKey(SigningKey::from_bytes(&decode32(
            &text,
            &format!("secret key {}", path.display()),
        )?)))
    }

    /// A key from its seed (tests, benches).
    pub fn from_seed(seed: [u8; 32]) -> SecretKey {
        SecretKey(SigningKey::from_bytes(&seed))
    }

    /// The text of a secret key file: the base64 seed.
    pub fn to_base64(&self) -> String {
        b64().encode(self.0.to_bytes())
    }

    /// The base64 public key.
    pub fn public_key_text(&self) -> String {
        b64().encode(self.0.verifying_key().to_bytes())
    }

    /// The signature document (a JSON blob) for a pack digest.
    pub fn sign_document(&self, digest: &str) -> Vec<u8> {
        let sig = self.0.sign(&payload(digest));
        let doc = serde_json::json!({
            "digest": digest,
            "public-key": self.public_key_text(),
            "signature": b64().encode(sig.to_bytes()),
        });
        doc.to_string().into_bytes()
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

fn decode32(text: &str, what: &str) -> Result<[u8; 32]> {
    let bytes = b64().decode(text.trim()).map_err(|e| {
        RegistryError::of(ErrorKind::InvalidKey, format!("{what} is not base64: {e}"))
    })?;
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
        RegistryError::of(
            ErrorKind::InvalidKey,
            format!("{what} is not a 32-byte ed25519 key"),
        )
    })
}

/// A public key from a path (relative to `base`) or base64 text.
fn parse_public_key(spec: &str, base: &Path) -> Result<PublicKey> {
    let path = base.join(spec);
    let (text, origin) = if path.is_file() {
        let t = gate_fsutil::read_to_string(&path).map_err(|e| {
            RegistryError::of(
                ErrorKind::InvalidKey,
                format!("key {}: {e}", path.display()),
            )
        })?;
        (t, path.display().to_string())
    } else {
        (spec.to_string(), format!("key {}", spec.trim()))
    };
    let raw = decode32(&text, &format!("public key {origin}"))?;
    let key = VerifyingKey::from_bytes(&raw).map_err(|e| {
        RegistryError::of(
            ErrorKind::InvalidKey,
            format!("public key {origin} is invalid: {e}"),
        )
    })?;
    Ok(PublicKey { key, origin })
}

/// Every key of a list of paths (relative to `base`) or base64 texts.
pub fn load_keys(specs: &[String], base: &Path) -> Result<Vec<PublicKey>> {
    specs.iter().map(|s| parse_public_key(s, base)).collect()
}

fn payload(digest: &str) -> Vec<u8> {
    format!("{PAYLOAD_PREFIX}{digest}\n").into_bytes()
}

/// Whether a signature document signs `digest` with `key`.
fn verifies(doc: &[u8], digest: &str, key: &VerifyingKey) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(doc) else {
        return false;
    };
    if v.get("digest").and_then(|d| d.as_str()) != Some(digest) {
        return false;
    }
    let Some(sig) = v
        .get("signature")
        .and_then(|s| s.as_str())
        .and_then(|s| b64().decode(s).ok())
        .and_then(|b| <[u8; 64]>::try_from(b.as_slice()).ok())
    else {
        return false;
    };
    key.verify(&payload(digest), &Signature::from_bytes(&sig))
        .is_ok()
}

/// Succeeds when some document is a valid signature by a trusted key.
/// `what` names the pack in messages (a reference or a layout dir).
pub fn verify_any(
    what: impl std::fmt::Display,
    digest: &str,
    docs: &[Vec<u8>],
    keys: &[PublicKey],
) -> Result<()> {
    if docs.is_empty() {
        return Err(RegistryError::of(
            ErrorKind::Unsigned,
            format!(
                "{what} ({digest}) is not signed, and trusted keys are configured: every pack must be signed by one of them"
            ),
        ));
    }
    for k in keys {
        if docs.iter().any(|d| verifies(d, digest, &k.key)) {
            return Ok(());
        }
    }
    Err(RegistryError::of(
        ErrorKind::UntrustedSignature,
        format!(
            "{what} ({digest}): no signature verifies with a trusted key ({} checked against {})",
            gate_codes::wording::count(docs.len(), "signature", "signatures"),
            keys.iter()
                .map(|k| k.origin.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ))
}

/// The fallback tag of a pack's signature.
fn signature_tag(digest: &str) -> Result<String> {
    Ok(format!("sha256-{}.sig", manifest::check_digest(digest)?))
}

/// Every signature document the registry holds for a pack: referrers
/// first, then the fallback tag.
pub(crate) fn fetch_signatures(
    client: &Client<'_>,
    r: &Reference,
    digest: &str,
) -> Result<Vec<Vec<u8>>> {
    let mut manifests = Vec::new();
    if let Some(index) = client.referrers(&r.repository, digest)? {
        for d in index.manifests {
            if d.artifact_type.as_deref() == Some(SIGNATURE_ARTIFACT) {
                manifests.push(d.digest);
            }
        }
    }
    let tag = signature_tag(digest)?;
    if manifests.is_empty() && client.has_manifest(&r.repository, &tag)? {
        manifests.push(tag);
    }
    let mut docs = Vec::new();
    for m in manifests {
        let (bytes, _) = client.get_manifest(&r.repository, &m)?;
        docs.extend(documents_of(&bytes, digest, |l| {
            client.get_blob(&r.repository, l)
        })?);
    }
    Ok(docs)
}

/// The config blob of a signature manifest (the OCI empty descriptor).
const EMPTY: &[u8] = b"{}";

/// The OCI manifest carrying a signature document as a referrer of the
/// pack (its `subject`).
fn signature_manifest(
    docs: &[&[u8]],
    pack_digest: &str,
    pack_manifest_size: u64,
) -> Result<Vec<u8>> {
    let public_keys: Vec<String> = docs
        .iter()
        .filter_map(|d| {
            serde_json::from_slice::<serde_json::Value>(d)
                .ok()
                .and_then(|v| v.get("public-key")?.as_str().map(str::to_string))
        })
        .collect();
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(manifest::MANIFEST.into()),
        artifact_type: Some(SIGNATURE_ARTIFACT.into()),
        config: Descriptor::of(manifest::EMPTY_CONFIG, EMPTY),
        layers: docs
            .iter()
            .map(|d| Descriptor::of(SIGNATURE_ARTIFACT, d))
            .collect(),
        subject: Some(Descriptor {
            media_type: manifest::MANIFEST.into(),
            digest: pack_digest.into(),
            size: pack_manifest_size,
            artifact_type: None,
            annotations: BTreeMap::new(),
        }),
        annotations: BTreeMap::from([(
            "dev.gate.signature.public-key".to_string(),
            public_keys.join(","),
        )]),
    };
    serde_json::to_vec(&manifest)
        .map_err(|e| RegistryError::new(format!("cannot encode the signature: {e}")))
}

/// The signature documents a signature manifest carries for `pack_digest`
/// (none when it is about another pack); `blob` reads its layers.
fn documents_of(
    manifest_bytes: &[u8],
    pack_digest: &str,
    mut blob: impl FnMut(&Descriptor) -> Result<Vec<u8>>,
) -> Result<Vec<Vec<u8>>> {
    let Ok(manifest) = serde_json::from_slice::<Manifest>(manifest_bytes) else {
        return Ok(Vec::new());
    };
    if manifest.subject.as_ref().map(|s| s.digest.as_str()) != Some(pack_digest) {
        return Ok(Vec::new());
    }
    manifest
        .layers
        .iter()
        .filter(|l| l.media_type == SIGNATURE_ARTIFACT && l.size <= MAX_DOCUMENT)
        .map(&mut blob)
        .collect()
}

/// Largest signature document read.
const MAX_DOCUMENT: u64 = 64 << 10;

/// Signs a pack and pushes the signature (referrer + fallback tag).
pub(crate) fn push_signature(
    client: &Client<'_>,
    r: &Reference,
    pack_digest: &str,
    pack_manifest_size: u64,
    key: &SecretKey,
) -> Result<String> {
    let doc = key.sign_document(pack_digest);
    client.push_blob(&r.repository, EMPTY)?;
    client.push_blob(&r.repository, &doc)?;
    // The fallback tag names one manifest: it carries every signature of
    // the pack, so a second key (or a rotation) does not drop the first.
    let tag = signature_tag(pack_digest)?;
    let mut docs = Vec::new();
    if client.has_manifest(&r.repository, &tag)? {
        let (existing, _) = client.get_manifest(&r.repository, &tag)?;
        docs = documents_of(&existing, pack_digest, |l| {
            client.get_blob(&r.repository, l)
        })?;
    }
    docs.retain(|d| *d != doc);
    docs.push(doc);
    let refs: Vec<&[u8]> = docs.iter().map(Vec::as_slice).collect();
    let bytes = signature_manifest(&refs, pack_digest, pack_manifest_size)?;
    client.put_manifest(&r.repository, &tag, &bytes, manifest::MANIFEST)?;
    Ok(manifest::digest_of(&bytes))
}

/// Writes a pack's signature documents into an OCI image layout (as
/// referrers), so `gate pack load` on an air-gapped host keeps them.
pub fn save_signatures(dir: &Path, pack: &Pack, docs: &[Vec<u8>]) -> Result<()> {
    for doc in docs {
        let manifest = signature_manifest(&[doc], &pack.digest, pack.manifest_bytes.len() as u64)?;
        layout::write_referrer(dir, &manifest, SIGNATURE_ARTIFACT, &[EMPTY, doc])?;
    }
    Ok(())
}

/// The signature documents an OCI image layout holds for a pack.
pub fn load_signatures(dir: &Path, pack_digest: &str) -> Result<Vec<Vec<u8>>> {
    let mut docs = Vec::new();
    for m in layout::read_referrers(dir, SIGNATURE_ARTIFACT)? {
        docs.extend(documents_of(&m, pack_digest, |d| {
            layout::read_layout_blob(dir, d)
        })?);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_and_verifies() {
        let key = SecretKey::from_seed([7; 32]);
        let other = SecretKey::from_seed([8; 32]);
        let d = format!("sha256:{}", "b".repeat(64));
        let doc = key.sign_document(&d);
        assert!(verifies(&doc, &d, &key.0.verifying_key()));
        assert!(!verifies(&doc, &d, &other.0.verifying_key()));
        assert!(!verifies(
            &doc,
            &format!("sha256:{}", "c".repeat(64)),
            &key.0.verifying_key()
        ));
        let base = Path::new("/nonexistent");
        let trusted = PublicKey::parse(&key.public_key_text(), base).unwrap();
        let untrusted = PublicKey::parse(&other.public_key_text(), base).unwrap();
        verify_any(
            "p",
            &d,
            std::slice::from_ref(&doc),
            std::slice::from_ref(&trusted),
        )
        .unwrap();
        let e = verify_any("p", &d, std::slice::from_ref(&doc), &[untrusted]).unwrap_err();
        assert_eq!(e.code(), "signature-untrusted");
        assert_eq!(
            verify_any("p", &d, &[], &[trusted]).unwrap_err().code(),
            "pack-unsigned"
        );
    }

    #[test]
    fn generated_keys_round_trip_through_their_file_text() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::generate().unwrap();
        let other = SecretKey::generate().unwrap();
        assert_ne!(key.to_base64(), other.to_base64());
        let p = dir.path().join("k");
        std::fs::write(&p, format!("{}\n", key.to_base64())).unwrap();
        assert_eq!(
            SecretKey::load(&p).unwrap().public_key_text(),
            key.public_key_text()
        );
        std::fs::write(&p, "c2hvcnQ=\n").unwrap();
        assert_eq!(
            SecretKey::load(&p).err().map(|e| e.code()),
            Some("invalid-key")
        );
    }
}
