//! The container image: `ci/build-image.py` makes an OCI image layout
//! without a daemon; skopeo reads it and pushes it to a real registry on
//! 127.0.0.1, and the image's filesystem, unpacked, runs README command 1.

use crate::registry::have;
use crate::registry_server::Registry;
use crate::{TestDir, repo};
use std::path::Path;
use std::process::Command;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn blob(layout: &Path, digest: &str) -> std::path::PathBuf {
    layout
        .join("blobs/sha256")
        .join(digest.trim_start_matches("sha256:"))
}

#[test]
fn image_layout_runs_the_example_check_and_pushes_with_skopeo() {
    let t = TestDir::new();
    let layout = t.path().join("image");
    let out = Command::new("python3")
        .arg(repo().join("ci/build-image.py"))
        .arg(env!("CARGO_BIN_EXE_gate"))
        .arg("0.1.0")
        .arg(&layout)
        // The debug binary is large; the release image uses level 9.
        .args(["--gzip-level", "1"])
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The layout, read as a runtime would: index -> manifest -> config, layer.
    let index = json(&layout.join("index.json"));
    let manifest = json(&blob(
        &layout,
        index["manifests"][0]["digest"].as_str().unwrap(),
    ));
    let config = json(&blob(
        &layout,
        manifest["config"]["digest"].as_str().unwrap(),
    ));
    assert_eq!(config["config"]["User"], "65532:65532");
    assert_eq!(config["config"]["Entrypoint"][0], "/usr/local/bin/gate");
    assert_eq!(
        config["config"]["Labels"]["org.opencontainers.image.version"],
        "0.1.0"
    );
    assert_eq!(config["created"], "2026-01-01T00:00:00Z");
    let root = t.path().join("rootfs");
    std::fs::create_dir_all(&root).unwrap();
    let layer = blob(&layout, manifest["layers"][0]["digest"].as_str().unwrap());
    let ok = Command::new("tar")
        .arg("-xzf")
        .arg(&layer)
        .arg("-C")
        .arg(&root)
        .status()
        .unwrap()
        .success();
    assert!(ok, "the layer unpacks");
    let passwd = std::fs::read_to_string(root.join("etc/passwd")).unwrap();
    assert!(passwd.contains("gate:x:65532:65532:"), "{passwd}");
    assert!(root.join("etc/ssl/certs/ca-certificates.crt").is_file());
    // README command 1 with the image's binary, from the repository root.
    let run = Command::new(root.join("usr/local/bin/gate"))
        .args(["check", "--config", "examples/service/gate.toml"])
        .current_dir(repo())
        .env("GATE_CACHE_DIR", t.path().join("cache"))
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );

    // skopeo reads the layout and pushes it; the registry serves it back.
    if !have("skopeo", &["--version"]) {
        return;
    }
    let Some(registry) = Registry::start() else {
        return;
    };
    let src = format!("oci:{}:0.1.0", layout.display());
    let dest = format!("docker://{}/gate:0.1.0", registry.host());
    let copy = Command::new("skopeo")
        .args(["copy", "--dest-tls-verify=false", &src, &dest])
        .output()
        .unwrap();
    assert!(
        copy.status.success(),
        "{}",
        String::from_utf8_lossy(&copy.stderr)
    );
    let inspect = Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", &dest])
        .output()
        .unwrap();
    assert!(
        inspect.status.success(),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(v["Labels"]["org.opencontainers.image.title"], "gate");
    assert_eq!(v["Architecture"], "amd64");
    assert_eq!(
        v["Digest"].as_str().unwrap(),
        index["manifests"][0]["digest"].as_str().unwrap(),
        "the registry serves the manifest byte for byte"
    );
}
