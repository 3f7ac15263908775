//! The built-in policies, compiled to wasm32-wasip2 by `build.rs` and
//! embedded in the binary.

include!(concat!(env!("OUT_DIR"), "/builtin_policies.rs"));

/// The component bytes of `builtin:NAME`.
pub fn get(name: &str) -> Option<&'static [u8]> {
    BUILTIN_COMPONENTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, bytes)| *bytes)
}

/// Names of all built-in policies, in a stable order.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTIN_COMPONENTS.iter().map(|(n, _)| *n)
}
