//! `install.sh` against a release layout served on 127.0.0.1 by a real
//! HTTP server (Python's `http.server`): the right asset for the platform,
//! checksums enforced, clear errors, idempotent reinstalls.

use crate::registry_server::{free_port, http_status};
use crate::{TestDir, repo};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const TARGET: &str = "x86_64-unknown-linux-musl";

/// A static file server on a free loopback port, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(root: &Path) -> Server {
        let port = free_port();
        let child = Command::new("python3")
            .args(["-m", "http.server", "--bind", "127.0.0.1"])
            .arg(port.to_string())
            .arg("--directory")
            .arg(root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m http.server");
        let start = Instant::now();
        while http_status(port, "/").is_none() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "http.server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Publishes this build's binary as the release workflow does
/// (`ci/package-release.sh`, `ci/checksums.sh`) under
/// `releases/download/vVERSION/` and `releases/latest/download/`.
fn publish(t: &TestDir, version: &str) {
    let out = t.path().join("assets");
    run_script(&[
        "ci/package-release.sh",
        TARGET,
        env!("CARGO_BIN_EXE_gate"),
        out.to_str().unwrap(),
    ]);
    std::fs::copy(repo().join("install.sh"), out.join("install.sh")).unwrap();
    run_script(&["ci/checksums.sh", out.to_str().unwrap()]);
    for rel in [
        format!("download/v{version}"),
        "latest/download".to_string(),
    ] {
        let dir = t.path().join("releases").join(rel);
        std::fs::create_dir_all(&dir).unwrap();
        for f in std::fs::read_dir(&out).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.join(f.file_name())).unwrap();
        }
    }
}

/// Runs a script of the repository with sh; fails the test when it fails.
fn run_script(args: &[&str]) {
    let out = Command::new("sh")
        .arg(repo().join(args[0]))
        .args(&args[1..])
        .output()
        .unwrap();
    assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
}

fn install(t: &TestDir, server: &Server, args: &[&str]) -> Output {
    Command::new("sh")
        .arg(repo().join("install.sh"))
        .args(["--base-url", &format!("{}/releases", server.url())])
        .args(["--dir", t.path().join("bin").to_str().unwrap()])
        .args(args)
        .env("GATE_INSTALL_UNAME_S", "Linux")
        .env("GATE_INSTALL_UNAME_M", "x86_64")
        .env_remove("GATE_VERSION")
        .env_remove("GATE_TARGET")
        .current_dir(t.path())
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn install_sh_installs_a_verified_binary_and_reinstalls_idempotently() {
    let t = TestDir::new();
    publish(&t, "0.1.0");
    let server = Server::start(t.path());
    let out = install(&t, &server, &["--version", "0.1.0"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with(&format!(
            "installed gate {} ({TARGET}) to {}",
            env!("CARGO_PKG_VERSION"),
            t.path().join("bin/gate").display()
        )),
        "{stdout}"
    );
    let installed = t.path().join("bin/gate");
    let v = Command::new(&installed).arg("version").output().unwrap();
    assert!(text(&v.stdout).starts_with(&format!("gate {}\n", env!("CARGO_PKG_VERSION"))));
    // Again, and from `latest`: same binary, no temp file left behind.
    let out = install(&t, &server, &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read(&installed).unwrap(),
        std::fs::read(env!("CARGO_BIN_EXE_gate")).unwrap()
    );
    let names: Vec<_> = std::fs::read_dir(t.path().join("bin"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["gate"]);
}

#[test]
fn install_sh_refuses_a_checksum_mismatch_and_installs_nothing() {
    let t = TestDir::new();
    publish(&t, "0.1.0");
    let sums = t.path().join("releases/download/v0.1.0/SHA256SUMS");
    let text_sums = std::fs::read_to_string(&sums).unwrap();
    // A digest that surely differs: its first digit changed (to `0`, or to
    // `1` when it already is `0`).
    let wrong = if text_sums.starts_with('0') { "1" } else { "0" };
    std::fs::write(&sums, format!("{wrong}{}", &text_sums[1..])).unwrap();
    let server = Server::start(t.path());
    let out = install(&t, &server, &["--version", "0.1.0"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "gate install: error: checksum mismatch for gate-{TARGET}.tar.gz: SHA256SUMS says {wrong}"
        )),
        "{err}"
    );
    assert!(err.trim_end().ends_with("; nothing installed"), "{err}");
    assert!(!t.path().join("bin").exists(), "something was installed");
}

#[test]
fn install_sh_names_the_missing_asset_and_platform() {
    let t = TestDir::new();
    publish(&t, "0.1.0");
    let server = Server::start(t.path());
    // An arm64 Mac: the platform is detected, and its asset is not there.
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .args(["--base-url", &format!("{}/releases", server.url())])
        .args([
            "--dir",
            t.path().join("bin").to_str().unwrap(),
            "--version",
            "v0.1.0",
        ])
        .env("GATE_INSTALL_UNAME_S", "Darwin")
        .env("GATE_INSTALL_UNAME_M", "arm64")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "gate install: error: no release asset gate-aarch64-apple-darwin.tar.gz at {}/releases/download/v0.1.0 (target aarch64-apple-darwin)\n",
            server.url()
        )
    );
    // A version that was never released.
    let out = install(&t, &server, &["--version", "9.9.9"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is version `9.9.9` released?"));
    // A CPU without builds.
    let out = Command::new("sh")
        .arg(repo().join("install.sh"))
        .env("GATE_INSTALL_UNAME_S", "Linux")
        .env("GATE_INSTALL_UNAME_M", "riscv64")
        .output()
        .unwrap();
    assert!(text(&out.stderr).contains("no prebuilt gate for the CPU `riscv64`"));
    assert!(!t.path().join("bin").exists());
}

/// install.sh, the GitLab template and `cargo binstall` find releases
/// where Cargo.toml's `repository` says.
#[test]
fn release_urls_follow_the_repository_field() {
    let manifest = std::fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let repository = manifest
        .lines()
        .find_map(|l| l.strip_prefix("repository = "))
        .unwrap()
        .trim_matches('"');
    let releases = format!("{repository}/releases");
    for file in ["install.sh", "ci/gitlab-ci.yml"] {
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        assert!(
            text.contains(&format!("GATE_RELEASES:-{releases}}}")),
            "{file}"
        );
    }
}

/// With `--verify-key`, SHA256SUMS must be signed by that key (Ed25519,
/// checked with openssl): a good signature installs, another key's or a
/// missing one installs nothing.
#[test]
fn install_sh_checks_the_checksums_signature_when_given_a_key() {
    let t = TestDir::new();
    publish(&t, "0.1.0");
    let openssl = |args: &[&str]| {
        let ok = Command::new("openssl")
            .args(args)
            .current_dir(t.path())
            .output()
            .unwrap()
            .status
            .success();
        assert!(ok, "openssl {args:?}");
    };
    for k in ["release", "other"] {
        openssl(&[
            "genpkey",
            "-algorithm",
            "ed25519",
            "-out",
            &format!("{k}.pem"),
        ]);
        openssl(&[
            "pkey",
            "-in",
            &format!("{k}.pem"),
            "-pubout",
            "-out",
            &format!("{k}.pub"),
        ]);
    }
    let dir = "releases/download/v0.1.0";
    let server = Server::start(t.path());
    let key = t.path().join("release.pub");
    let key = key.to_str().unwrap();

    // No signature published yet.
    let out = install(&t, &server, &["--version", "0.1.0", "--verify-key", key]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("no SHA256SUMS.sig at"),
        "{}",
        text(&out.stderr)
    );
    assert!(!t.path().join("bin").exists());

    // Signed by another key.
    let sign = |pem: &str| {
        openssl(&[
            "pkeyutl",
            "-sign",
            "-inkey",
            pem,
            "-rawin",
            "-in",
            &format!("{dir}/SHA256SUMS"),
            "-out",
            &format!("{dir}/SHA256SUMS.sig"),
        ]);
    };
    sign("other.pem");
    let out = install(&t, &server, &["--version", "0.1.0", "--verify-key", key]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        format!(
            "gate install: error: the signature of SHA256SUMS does not verify with {key}; nothing installed\n"
        )
    );
    assert!(!t.path().join("bin").exists());

    // Signed by the release key.
    sign("release.pem");
    let out = install(&t, &server, &["--version", "0.1.0", "--verify-key", key]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(t.path().join("bin/gate").is_file());
}
