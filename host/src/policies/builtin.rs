//! The built-in policies, compiled to wasm32-wasip2 by `build.rs` and
//! embedded in the binary.

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// An embedded built-in policy component.
#[derive(Debug, Clone, Copy)]
pub struct Embedded {
    /// The component, as built for `wasm32-wasip2`.
    pub bytes: &'static [u8],
    /// Lowercase hex sha256 of `bytes`, computed by `build.rs`.
    pub digest: &'static str,
}

/// The component bytes of `builtin:NAME`.
pub fn get(name: &str) -> Option<&'static [u8]> {
    embedded(name).map(|e| e.bytes)
}

/// The component of `builtin:NAME` with its digest.
pub fn embedded(name: &str) -> Option<Embedded> {
    BUILTIN_COMPONENTS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, bytes, digest)| Embedded { bytes, digest })
}

/// The built-ins of the default pack (run without configuration), in
/// their order.
pub fn default_pack() -> impl Iterator<Item = &'static str> {
    DEFAULT_PACK.iter().copied()
}

/// Names of all built-in policies, in a stable order.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTIN_COMPONENTS.iter().map(|(n, _, _)| *n)
}

#[cfg(test)]
mod tests {
    /// The default pack's order shows in verdicts and reports; build.rs
    /// keeps each policy's declared `order`, not the directories' order.
    #[test]
    fn builtins_keep_the_default_pack_order() {
        let names: Vec<&str> = super::names().collect();
        assert_eq!(
            names,
            [
                "coverage",
                "security",
                "approvals",
                "iac",
                "tests",
                "performance",
                "rego",
                "canary"
            ]
        );
        let pack: Vec<&str> = super::default_pack().collect();
        assert_eq!(
            pack,
            [
                "coverage",
                "security",
                "approvals",
                "iac",
                "tests",
                "performance",
                "canary"
            ]
        );
    }

    /// `evaluate::prepare` skips the `gate-pack` section scan for
    /// built-ins: none may carry one.
    #[test]
    fn builtins_carry_no_pack_section() {
        for name in super::names() {
            let e = super::embedded(name).unwrap();
            assert!(gate_oci::Embedded::of(e.bytes).unwrap().is_none(), "{name}");
        }
    }

    /// The build-time digest is what the cache and verdicts key on, so it
    /// must be the bytes' own.
    #[test]
    fn embedded_digests_are_the_bytes_sha256() {
        for name in super::names() {
            let e = super::embedded(name).unwrap();
            assert_eq!(
                e.digest,
                crate::policies::component_digest(e.bytes),
                "{name}"
            );
        }
    }
}
