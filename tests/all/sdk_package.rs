//! `gate-sdk` is usable outside this repository: `cargo package` succeeds,
//! the packaged crate carries the WIT its bindings are generated from (the
//! repository's `wit/policy.wit`, byte for byte, not a dangling symlink),
//! and it builds from the packaged sources (cargo's verify step).

use std::process::Command;

#[test]
fn the_sdk_packages_with_its_wit_and_builds_from_the_package() {
    let repo = crate::repo();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| repo.join("target"), std::path::PathBuf::from);

    let listed = Command::new(&cargo)
        .args(["package", "-p", "gate-sdk", "--allow-dirty", "--list"])
        .current_dir(&repo)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&listed.stdout);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let files: Vec<&str> = list.lines().collect();
    for want in ["Cargo.toml", "README.md", "src/lib.rs", "wit/policy.wit"] {
        assert!(files.contains(&want), "{want} is not packaged: {files:?}");
    }
    assert!(files.iter().all(|f| !f.starts_with("target")), "{files:?}");

    // Packages, then builds the unpacked crate (the symlink is a file there).
    let packaged = Command::new(&cargo)
        .args(["package", "-p", "gate-sdk", "--allow-dirty", "--target-dir"])
        .arg(&target)
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(
        packaged.status.success(),
        "{}",
        String::from_utf8_lossy(&packaged.stderr)
    );
    let crate_name = format!("gate-sdk-{}", env!("CARGO_PKG_VERSION"));
    assert!(target.join(format!("package/{crate_name}.crate")).is_file());
    // Verified where cargo builds: the build dir when one is set.
    let build = std::env::var_os("CARGO_BUILD_BUILD_DIR").map_or(target, std::path::PathBuf::from);
    let unpacked = build.join("package").join(crate_name);
    let wit = unpacked.join("wit/policy.wit");
    assert!(
        !wit.is_symlink(),
        "the package holds a symlink, not the WIT"
    );
    assert_eq!(
        std::fs::read_to_string(&wit).unwrap(),
        std::fs::read_to_string(repo.join("wit/policy.wit")).unwrap(),
        "the packaged WIT differs from wit/policy.wit"
    );
}
