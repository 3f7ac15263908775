//! Test-only policy components, built once per test run for wasm32-wasip2
//! (never embedded in the shipped binary).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub struct Components {
    /// The hostile policy (`params.attack` picks the attack).
    pub hostile: PathBuf,
    /// The hostile policy built to trap inside `info()`.
    pub hostile_info: PathBuf,
    /// The hostile policy built to emit findings from `info()`.
    pub hostile_emit_info: PathBuf,
}

fn build(features: &[&str], out_name: &str) -> PathBuf {
    // CARGO_TARGET_TMPDIR lives in the build dir, which checkouts may
    // share (build.build-dir): one directory per checkout, so two test runs
    // of different sources never copy over each other's component.
    let checkout = {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        crate::repo().hash(&mut h);
        format!("{:016x}", h.finish())
    };
    let target_tmp =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("components-{checkout}"));
    std::fs::create_dir_all(&target_tmp).unwrap();
    let wasm_dir = target_tmp.join("wasm-test-components");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(crate::repo())
        .args([
            "build",
            "-p",
            "gate-test-hostile",
            "--target",
            "wasm32-wasip2",
            "--profile",
            "policy",
        ])
        .arg("--target-dir")
        .arg(&wasm_dir)
        // Intermediate artifacts too: a shared build dir keys a path crate
        // by its path inside the workspace, so another checkout's gate-sdk
        // (another WIT) would pass for this one's.
        .arg("--config")
        .arg(format!(
            "build.build-dir={:?}",
            wasm_dir.display().to_string()
        ))
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    if !features.is_empty() {
        cmd.arg("--features").arg(features.join(","));
    }
    let status = cmd
        .status()
        .expect("running cargo to build test components");
    assert!(status.success(), "building gate-test-hostile failed");
    let built = wasm_dir.join("wasm32-wasip2/policy/gate_test_hostile.wasm");
    let dest = target_tmp.join(out_name);
    std::fs::copy(&built, &dest).unwrap();
    dest
}

pub fn get() -> &'static Components {
    static C: OnceLock<Components> = OnceLock::new();
    C.get_or_init(|| {
        let hostile = build(&[], "hostile.wasm");
        let hostile_info = build(&["trap-in-info"], "hostile-info.wasm");
        let hostile_emit_info = build(&["emit-in-info"], "hostile-emit-info.wasm");
        Components {
            hostile,
            hostile_info,
            hostile_emit_info,
        }
    })
}
