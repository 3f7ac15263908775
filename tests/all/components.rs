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
}

fn build(features: &[&str], out_name: &str) -> PathBuf {
    let target_tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let target = target_tmp.parent().unwrap().to_path_buf();
    let wasm_dir = target.join("wasm-test-components");
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
        Components {
            hostile,
            hostile_info,
        }
    })
}
