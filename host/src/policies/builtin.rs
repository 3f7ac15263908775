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

#[cfg(test)]
mod tests {
    /// The default pack's order shows in verdicts and reports; build.rs
    /// keeps each policy's declared `order`, not the directories' order.
    #[test]
    fn builtins_keep_the_default_pack_order() {
        let names: Vec<&str> = super::names().collect();
        assert_eq!(names, ["coverage", "security", "approvals", "iac"]);
    }
}
