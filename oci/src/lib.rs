//! `gate-oci`: gate's policy packs, everything that does not need the wasm
//! runtime.
//!
//! A *pack* is an OCI artifact in the CNCF wasm layout: one
//! `application/wasm` layer per policy component, the pack's metadata in
//! the manifest annotations and in a `gate-pack` custom section of every
//! component. Packs are built from a `pack.toml` ([`PackToml`], [`build`]),
//! pushed ([`push`]) and resolved ([`Resolver`], [`fetch`]) with a small
//! registry client that takes Docker's credentials, kept in a
//! content-addressed [`Cache`], pinned in `gate.lock` ([`LockFile`]) and
//! signed with ed25519 ([`SecretKey`], [`sign_pack`], [`verify_any`]). OCI
//! image layout directories carry packs to air-gapped hosts
//! ([`write_layout`], [`read_layout`]).
//!
//! A policy reference `oci://HOST/NS/PACK:TAG[@sha256:HEX][#POLICY]`
//! ([`Reference`]) selects the policy named `POLICY` in the pack, or the
//! pack's first policy. Every failure is a [`RegistryError`] with a stable
//! code, and nothing that failed verification is ever written to the cache.
//!
//! The crate never prints: notes, warnings and transfer progress go to the
//! caller's [`Observer`]. What needs gate's runtime (checking that each
//! component loads and answers `info()`) is the caller's [`ComponentCheck`].
//!
//! Modules, each using only those above it (checked by `tests/layers.rs`):
//!
//! ```text
//! error      RegistryError, ErrorKind
//! files      file access through gate-fsutil
//! observe    Observer, Note, Transfer
//! manifest   media types, annotations, digests, Descriptor/Manifest, Pack
//! reference  oci:// references
//! auth       Docker's config and credential helpers
//! client     the OCI distribution API
//! layout     OCI image layout directories
//! cache      the content-addressed pack cache
//! lock       gate.lock
//! sign       ed25519 keys and signature documents
//! pack       pack.toml, the gate-pack section, building, compatibility
//! resolve    Options, Resolver, fetch, push, sign_pack
//! ```

mod auth;
mod cache;
mod client;
mod error;
mod files;
#[cfg(test)]
mod fixture;
mod layout;
mod lock;
mod manifest;
mod observe;
mod pack;
mod reference;
mod resolve;
mod sign;

pub use cache::Cache;
pub use error::{ErrorKind, RegistryError, Result};
pub use layout::{read_layout, write_layout};
pub use lock::{LockEntry, LockFile};
pub use manifest::{Descriptor, Manifest, Pack, digest_of};
pub use observe::{Note, Observer, Silent, Transfer};
pub use pack::{
    BuiltPolicy, ComponentCheck, ComponentInfo, Embedded, EmbeddedPolicy, Level, PackToml,
    ParamsRejection, PolicyEntry, RegoFile, RegoFiles, RegoPolicy, build, check_compatible,
    embed_metadata, embedded_json, toml_to_json,
};
pub use reference::Reference;
pub use resolve::{
    Fetched, Options, PackOrigin, ResolvedPolicy, Resolver, Signed, fetch, push, sign_pack,
};
pub use sign::{PublicKey, SecretKey, load_keys, load_signatures, save_signatures, verify_any};
