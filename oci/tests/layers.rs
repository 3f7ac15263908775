//! The crate's modules form layers: each uses only the modules listed
//! before it in the crate doc's table (so there are no module cycles).
//! Read from the source by the checker the workspace's crates share.

#![allow(clippy::unwrap_used, clippy::panic)]

#[path = "../../tests/support/layers.rs"]
mod layers;

#[test]
fn modules_only_use_the_layers_below_them() {
    let modules = layers::assert_layers(std::path::Path::new(env!("CARGO_MANIFEST_DIR")));
    assert!(modules.len() >= 10, "{modules:?}");
}
