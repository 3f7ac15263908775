//! Policy packs against a real registry (Debian's `docker-registry`, the
//! CNCF distribution) and skopeo: push/pull, interop, `gate check` with an
//! `oci://` policy and `gate.lock`, signatures, and every fault ending in
//! exit code 5 with a clean cache. Missing tools fail under `CI`, else the
//! tests skip with a note.

use crate::registry_server::{Registry, free_port};
use crate::{LCOV_80, Run, TestDir};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// Whether a tool runs; missing fails under CI, else the caller skips.
pub(crate) fn have(tool: &str, probe: &[&str]) -> bool {
    let ok = Command::new(tool)
        .args(probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "{tool} is missing; CI must install it (apt-get install docker-registry skopeo)"
        );
        eprintln!("note: skipping, `{tool}` is not available (set CI to make this a failure)");
    }
    ok
}

impl Registry {
    /// A registry for one test; `None` (skip) only outside CI.
    pub(crate) fn start() -> Option<Registry> {
        if !have("docker-registry", &["--version"]) {
            return None;
        }
        Some(Registry::spawn().expect("docker-registry runs"))
    }

    fn docker(&self, path: &str) -> String {
        format!("docker://{}/{path}", self.host())
    }

    /// The file the registry stores a blob (or manifest) in.
    fn blob_file(&self, digest: &str) -> PathBuf {
        let hex = digest.strip_prefix("sha256:").unwrap();
        self.dir
            .path()
            .join("data/docker/registry/v2/blobs/sha256")
            .join(&hex[..2])
            .join(hex)
            .join("data")
    }
}

/// The example pack (tests/fixtures/packs/example) with the built-in
/// coverage component as both of its policies; `version` changes content.
fn pack_dir(t: &TestDir, name: &str, version: &str) -> PathBuf {
    let fixture = crate::repo().join("tests/fixtures/packs/example/pack.toml");
    let text = std::fs::read_to_string(fixture)
        .unwrap()
        .replace("version = \"1.0.0\"", &format!("version = \"{version}\""));
    let coverage = gate::policies::builtin::get("coverage").unwrap();
    t.write(&format!("{name}/pack.toml"), text);
    t.write(&format!("{name}/coverage.wasm"), coverage);
    t.write(&format!("{name}/strict.wasm"), coverage);
    t.path().join(name)
}

/// Snapshot settings for this module: besides what
/// [`crate::snapshot_settings`] masks, blob sizes (the built-in coverage
/// component's size changes whenever the policy is rebuilt).
fn snapshots(t: &TestDir) -> insta::internals::SettingsBindDropGuard {
    let mut s = crate::snapshot_settings(&[t]);
    s.add_filter(r"\b\d+ bytes\b", "[size] bytes");
    s.add_filter(r"got \d+ of", "got [size] of");
    s.bind_to_scope()
}

fn digest_of(bytes: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{:x}", sha2::Sha256::digest(bytes))
}

fn digest_line(out: &str) -> String {
    let at = out.find("sha256:").expect("a digest in the output");
    out[at..at + 71].to_string()
}

/// Builds and pushes the example pack; returns the manifest digest.
fn push(t: &TestDir, reg: &Registry, repo_tag: &str, version: &str) -> String {
    let dir = pack_dir(t, &format!("pack-{version}"), version);
    let run = t
        .run(&["pack", "push", dir.to_str().unwrap(), &reg.oci(repo_tag)])
        .expect_code(0);
    digest_line(&run.stdout())
}

fn cache_blobs(t: &TestDir) -> Vec<String> {
    let dir = t.cache.join("packs/blobs/sha256");
    std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default()
}

fn manifest(reg: &Registry, repo_tag: &str) -> serde_json::Value {
    let out = Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "--tls-verify=false",
            &reg.docker(repo_tag),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn build_validates_and_writes_an_oci_layout() -> anyhow::Result<()> {
    let t = TestDir::new();
    let dir = pack_dir(&t, "p", "1.0.0");
    let run = t
        .run(&["pack", "build", dir.to_str().unwrap(), "-o", "out.oci"])
        .expect_code(0);
    let digest = digest_line(&run.stdout());
    assert!(t.path().join("out.oci/oci-layout").is_file());
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path().join("out.oci/index.json"))?)?;
    assert_eq!(index["manifests"][0]["digest"], digest.as_str());
    // Inspect reads the layout; the pack metadata is embedded in the component.
    let run = t
        .run(&["pack", "inspect", "out.oci", "--json"])
        .expect_code(0);
    let doc = run.json();
    assert_eq!(doc["name"], "example-gates");
    assert_eq!(
        doc["manifest"]["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(doc["policies"][1]["name"], "strict");
    assert_eq!(
        doc["policies"][1]["metadata"]["policy"]["params"]["min-line"],
        95
    );
    // The CNCF config lists what the components really import and export.
    let layout = t.path().join("out.oci/blobs/sha256");
    let config_digest = doc["manifest"]["config"]["digest"].as_str().unwrap();
    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join(&config_digest[7..]))?)?;
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["component"]["target"], "gate:policy/policy@0.2.0");
    assert_eq!(
        config["component"]["exports"],
        serde_json::json!(["evaluate", "info"])
    );
    let imports: Vec<&str> = config["component"]["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i.as_str().unwrap())
        .collect();
    assert!(imports.contains(&"gate:policy/types@0.2.0"), "{imports:?}");
    assert!(
        imports.iter().any(|i| i.starts_with("wasi:io/streams@")),
        "{imports:?}"
    );
    assert!(imports.iter().all(|i| i.contains(':')), "{imports:?}");
    assert_eq!(
        config["layerDigests"],
        serde_json::json!([doc["policies"][0]["digest"], doc["policies"][1]["digest"]])
    );
    // Same input, same digest.
    let again = t
        .run(&["pack", "build", dir.to_str().unwrap(), "-o", "again.oci"])
        .expect_code(0);
    assert_eq!(digest_line(&again.stdout()), digest);

    // Invalid packs are refused (exit 2) with the reason.
    let _s = snapshots(&t);
    let build = || {
        t.run(&["pack", "build", dir.to_str().unwrap()])
            .expect_code(2)
    };
    t.write(
        "p/pack.toml",
        std::fs::read_to_string(dir.join("pack.toml"))?
            .replace("min-line = 50", "min-line = \"high\""),
    );
    let mut all = build().titled("default params the schema refuses");
    t.write("p/pack.toml", "name = \"x\"\nversion = \"1.0.0\"\nmin-gate-version = \"99.0.0\"\n[[policy]]\nname = \"a\"\ncomponent = \"coverage.wasm\"\n");
    all.push_str(&build().titled("min-gate-version 99.0.0"));
    t.write(
        "p/pack.toml",
        "name = \"x\"\nversion = \"1.0.0\"\n[[policy]]\nname = \"a\"\ncomponent = \"junk.wasm\"\n",
    );
    t.write("p/junk.wasm", b"\0asm\x01\0\0\0");
    all.push_str(&build().titled("an empty core module"));
    insta::assert_snapshot!(all);
    Ok(())
}

#[test]
fn push_pull_and_skopeo_interop() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    if !have("skopeo", &["--version"]) {
        return Ok(());
    }
    let t = TestDir::new();
    let digest = push(&t, &reg, "ns/pack:v1", "1.0.0");

    // skopeo lists and reads what gate pushed.
    let tags = Command::new("skopeo")
        .args(["list-tags", "--tls-verify=false", &reg.docker("ns/pack")])
        .output()?;
    assert!(tags.status.success());
    assert!(String::from_utf8_lossy(&tags.stdout).contains("\"v1\""));
    let m = manifest(&reg, "ns/pack:v1");
    assert_eq!(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    assert_eq!(
        m["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    assert_eq!(m["layers"][0]["mediaType"], "application/wasm");
    assert_eq!(
        m["layers"][0]["annotations"]["org.opencontainers.image.title"],
        "coverage.wasm"
    );

    // gate pulls it: the same digest, now in the cache.
    let pulled = t
        .run(&["pack", "pull", &reg.oci("ns/pack:v1")])
        .expect_code(0);
    assert_eq!(digest_line(&pulled.stdout()), digest);
    assert!(cache_blobs(&t).contains(&digest[7..].to_string()));

    // A pack skopeo copied from an OCI layout is pulled by gate.
    let dir = pack_dir(&t, "other", "2.0.0");
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "other.oci"])
        .expect_code(0);
    let copy = Command::new("skopeo")
        .args([
            "copy",
            "--dest-tls-verify=false",
            &format!("oci:{}:2.0.0", t.path().join("other.oci").display()),
            &reg.docker("ns/copied:v2"),
        ])
        .output()?;
    assert!(
        copy.status.success(),
        "{}",
        String::from_utf8_lossy(&copy.stderr)
    );
    let inspect = t
        .run(&["pack", "inspect", &reg.oci("ns/copied:v2"), "--json"])
        .expect_code(0)
        .json();
    assert_eq!(inspect["version"], "2.0.0");
    assert_eq!(inspect["policies"][0]["name"], "coverage");

    // save -> load round trip for air-gapped use, then offline pull.
    t.run(&["pack", "save", &reg.oci("ns/pack:v1"), "-o", "saved.oci"])
        .expect_code(0);
    let other = TestDir::new();
    other
        .run(&[
            "pack",
            "load",
            t.path().join("saved.oci").to_str().unwrap(),
            "oci://air.gapped/ns/pack:v1",
        ])
        .expect_code(0);
    let _s = snapshots(&other);
    let off = other
        .run(&["pack", "pull", "--offline", "oci://air.gapped/ns/pack:v1"])
        .expect_code(0);
    assert_eq!(digest_line(&off.stdout()), digest);
    insta::assert_snapshot!("offline_pull_from_the_cache", off.transcript());
    let missing = other
        .run(&["pack", "pull", "--offline", "oci://air.gapped/ns/nope:v1"])
        .expect_code(5);
    insta::assert_snapshot!("offline_pull_not_in_cache", missing.transcript());
    Ok(())
}

#[test]
fn check_runs_an_oci_policy_and_locks_its_digest() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    let d1 = push(&t, &reg, "ns/pack:stable", "1.0.0");
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{}\"\nparams = {{ min-line = 75 }}\n\n[[policy]]\nuse = \"{}#strict\"\nname = \"strict\"\nlevel = \"advisory\"\nparams = {{ min-line = 95 }}\n",
            reg.oci("ns/pack:stable"),
            reg.oci("ns/pack:stable")
        ),
    );
    let run = t.run(&["check", "--format", "json"]).expect_code(0);
    let doc = run.json();
    assert_eq!(doc["policies"][0]["name"], "coverage");
    assert_eq!(doc["policies"][0]["outcome"], "pass");
    assert_eq!(doc["policies"][1]["name"], "strict");
    assert_eq!(doc["policies"][1]["outcome"], "warn");
    let lock = std::fs::read_to_string(t.path().join("gate.lock"))?;
    assert!(lock.contains(&d1), "{lock}");
    assert!(lock.contains(&reg.oci("ns/pack:stable")), "{lock}");

    // Locked and unchanged: runs.
    t.run(&["check", "--locked", "--format", "json"])
        .expect_code(0);

    // The tag moves: --locked refuses (exit 5); without it the lock follows.
    let d2 = push(&t, &reg, "ns/pack:stable", "1.0.1");
    assert_ne!(d1, d2);
    let _s = snapshots(&t);
    let refused = t.run(&["check", "--locked"]).expect_code(5);
    // Names the digest the tag moved to (masked in the snapshot).
    refused.expect_stderr(&d2);
    insta::assert_snapshot!("locked_tag_moved", refused.transcript());
    assert!(std::fs::read_to_string(t.path().join("gate.lock"))?.contains(&d1));
    t.run(&["check", "--format", "json"]).expect_code(0);
    assert!(std::fs::read_to_string(t.path().join("gate.lock"))?.contains(&d2));
    t.run(&["check", "--locked", "--format", "json"])
        .expect_code(0);

    // `gate pack update` re-resolves and rewrites the lock.
    push(&t, &reg, "ns/pack:stable", "1.0.2");
    let up = t.run(&["pack", "update"]).expect_code(0);
    insta::assert_snapshot!("pack_update", up.transcript());
    t.run(&["check", "--locked", "--format", "json"])
        .expect_code(0);

    // Offline uses the cache (and says so).
    let off = t
        .run(&["check", "--offline", "--format", "json"])
        .expect_code(0);
    insta::assert_snapshot!("offline_check_stderr", off.stderr());

    // A refused --locked run leaves the cache's idea of the tag alone, and
    // downloads nothing of the moved pack.
    let d3 = digest_line(&std::fs::read_to_string(t.path().join("gate.lock"))?);
    let tag_ref = t
        .cache
        .join(format!("packs/refs/127.0.0.1_{}/ns/pack/stable", reg.port));
    let d4 = push(&t, &reg, "ns/pack:stable", "1.0.3");
    let before = cache_blobs(&t);
    t.run(&["check", "--locked"]).expect_code(5);
    assert_eq!(cache_blobs(&t), before, "nothing of {d4} was cached");
    assert_eq!(std::fs::read_to_string(&tag_ref)?.trim(), d3);
    // Once the cache knows the new digest, an offline locked run still
    // loads the locked one.
    t.run(&["pack", "pull", &reg.oci("ns/pack:stable")])
        .expect_code(0);
    assert_eq!(std::fs::read_to_string(&tag_ref)?.trim(), d4);
    let off = t
        .run(&["check", "--offline", "--locked", "--format", "json"])
        .expect_code(0);
    assert_eq!(off.json()["policies"][0]["pack"]["digest"], d3.as_str());
    assert!(std::fs::read_to_string(t.path().join("gate.lock"))?.contains(&d3));

    // Commands that write to the registry refuse offline mode.
    let dir = pack_dir(&t, "offline-push", "9.9.9");
    let refused = t
        .command()
        .env("GATE_OFFLINE", "1")
        .args([
            "pack",
            "push",
            dir.to_str().unwrap(),
            &reg.oci("ns/pack:nope"),
        ])
        .output()?;
    let refused = Run { out: refused }.expect_code(2);
    insta::assert_snapshot!("offline_push_refused", refused.transcript());
    Ok(())
}

#[test]
fn signatures_are_required_once_keys_are_trusted() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    push(&t, &reg, "ns/signed:v1", "1.0.0");
    t.run(&["pack", "keygen", "alice.key"]).expect_code(0);
    t.run(&["pack", "keygen", "mallory.key"]).expect_code(0);
    t.write("lcov.info", LCOV_80);
    let config = |key: &str| {
        format!(
            "[registry]\ntrusted-keys = [\"{key}\"]\n\n[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{}\"\n",
            reg.oci("ns/signed:v1")
        )
    };
    // A base64 key inline works as well as a path.
    let alice_pub = std::fs::read_to_string(t.path().join("alice.key.pub"))?;
    t.write("gate.toml", config(alice_pub.trim()));

    let _s = snapshots(&t);
    let mut settings = insta::Settings::clone_current();
    // The key is new on every run.
    settings.add_filter(&regex::escape(alice_pub.trim()), "[alice.key.pub]");
    let _k = settings.bind_to_scope();
    let unsigned = t.run(&["check"]).expect_code(5);
    insta::assert_snapshot!("unsigned", unsigned.transcript());
    assert!(
        cache_blobs(&t).is_empty(),
        "nothing cached: {:?}",
        cache_blobs(&t)
    );

    t.run(&[
        "pack",
        "sign",
        &reg.oci("ns/signed:v1"),
        "--key",
        "mallory.key",
    ])
    .expect_code(0);
    let wrong = t.run(&["check"]).expect_code(5);
    insta::assert_snapshot!("signed_by_an_untrusted_key", wrong.transcript());
    assert!(
        cache_blobs(&t).is_empty(),
        "a pack signed by an untrusted key is not cached: {:?}",
        cache_blobs(&t)
    );

    t.run(&[
        "pack",
        "sign",
        &reg.oci("ns/signed:v1"),
        "--key",
        "alice.key",
    ])
    .expect_code(0);
    t.write("gate.toml", config("alice.key.pub"));
    t.run(&["check", "--format", "json"]).expect_code(0);
    t.run(&[
        "pack",
        "verify",
        &reg.oci("ns/signed:v1"),
        "--key",
        "alice.key.pub",
    ])
    .expect_code(0);
    // Mallory's signature was not dropped by Alice's (the fallback tag
    // carries both); a key that signed nothing still fails.
    t.run(&[
        "pack",
        "verify",
        &reg.oci("ns/signed:v1"),
        "--key",
        "mallory.key.pub",
    ])
    .expect_code(0);
    t.run(&["pack", "keygen", "eve.key"]).expect_code(0);
    let eve = t
        .run(&[
            "pack",
            "verify",
            &reg.oci("ns/signed:v1"),
            "--key",
            "eve.key.pub",
        ])
        .expect_code(5);
    insta::assert_snapshot!("verify_with_a_key_that_signed_nothing", eve.transcript());
    // Offline, the cached signature is verified again.
    t.run(&["check", "--offline", "--format", "json"])
        .expect_code(0);
    Ok(())
}

/// Pulls into a fresh cache and expects exit 5 and a clean cache; returns
/// the run under `title` for the caller's snapshot.
fn pull_fails(reg_ref: &str, title: &str) -> String {
    let t = TestDir::new();
    let run = t.run(&["pack", "pull", reg_ref]).expect_code(5);
    assert_eq!(cache_blobs(&t), Vec::<String>::new(), "cache not clean");
    // The caller's snapshot masks ports and digests; this dir is masked here.
    run.titled(title)
        .replace(&t.path().display().to_string(), "[pull dir]")
}

#[test]
fn registry_faults_are_exit_5_and_leave_the_cache_clean() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    let _s = snapshots(&t);

    // 404 tag.
    push(&t, &reg, "ns/pack:v1", "1.0.0");
    let mut all = pull_fails(
        &reg.oci("ns/pack:nope"),
        "a tag the repository does not have",
    );

    // Tampered layer: same size, other bytes.
    let d = push(&t, &reg, "ns/tamper:v1", "4.0.0");
    let m = manifest(&reg, "ns/tamper:v1");
    let layer = m["layers"][0]["digest"].as_str().unwrap().to_string();
    let file = reg.blob_file(&layer);
    let mut bytes = std::fs::read(&file)?;
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    std::fs::write(&file, &bytes)?;
    all.push_str(&pull_fails(&reg.oci("ns/tamper:v1"), "a tampered layer"));

    // A blob longer than its descriptor.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"trailing bytes");
    std::fs::write(&file, &longer)?;
    all.push_str(&pull_fails(
        &reg.oci("ns/tamper:v1"),
        "a blob longer than its descriptor",
    ));

    // Truncated blob.
    std::fs::write(&file, &bytes[..mid])?;
    all.push_str(&pull_fails(&reg.oci("ns/tamper:v1"), "a truncated blob"));

    // Manifest digest mismatch: the stored manifest no longer matches its digest.
    let d2 = push(&t, &reg, "ns/badmanifest:v1", "3.0.0");
    let mfile = reg.blob_file(&d2);
    let text = std::fs::read_to_string(&mfile)?;
    std::fs::write(&mfile, text.replace("3.0.0", "6.6.6"))?;
    all.push_str(&pull_fails(
        &reg.oci("ns/badmanifest:v1"),
        "a manifest that does not match its digest",
    ));
    // A digest the repository does not have.
    all.push_str(&pull_fails(
        &format!("{}@{d}", reg.oci("ns/pack:v1")),
        "a digest the repository does not have",
    ));

    // Registry down.
    all.push_str(&pull_fails(
        &format!("oci://127.0.0.1:{}/ns/pack:v1", free_port()),
        "the registry is down",
    ));
    insta::assert_snapshot!(all);
    Ok(())
}

/// A fake registry that answers every request with a canned response.
fn fake_registry(response: &'static str) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(16) {
            let Ok(mut s) = s else { return };
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ = s.write_all(response.as_bytes());
        }
    });
    port
}

/// Regression: a manifest asked for by digest was named `repo:sha256:…`
/// in errors; a digest is `repo@sha256:…` everywhere it is shown. And a
/// refused connection shows its plain cause, not `(os error 111)`.
#[test]
fn digest_references_are_named_with_at_and_os_errors_plainly() -> anyhow::Result<()> {
    let port = fake_registry(
        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 60\r\nConnection: close\r\n\r\n{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"unknown\"}]}",
    );
    let t = TestDir::new();
    let _s = snapshots(&t);
    let digest = format!("sha256:{}", "a".repeat(64));
    let mut all = String::new();
    for (title, reference) in [
        (
            "a digest the registry does not have",
            format!("oci://127.0.0.1:{port}/ns/pack@{digest}"),
        ),
        (
            "a tag and a digest",
            format!("oci://127.0.0.1:{port}/ns/pack:v1@{digest}"),
        ),
        (
            "the registry is down",
            format!("oci://127.0.0.1:{}/ns/pack:v1", free_port()),
        ),
    ] {
        let out = t
            .command()
            .env("DOCKER_CONFIG", t.path().join("no-docker"))
            .args(["pack", "pull", &reference])
            .output()?;
        all.push_str(&Run { out }.expect_code(5).titled(title));
    }
    assert!(
        !all.contains(":sha256:") && !all.contains("os error"),
        "{all}"
    );
    insta::assert_snapshot!(all);
    Ok(())
}

#[test]
fn unauthorized_without_credentials_is_exit_5() -> anyhow::Result<()> {
    let port = fake_registry(
        "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"registry\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    let t = TestDir::new();
    let _s = snapshots(&t);
    let out = t
        .command()
        .env("DOCKER_CONFIG", t.path().join("no-docker"))
        .args([
            "pack",
            "pull",
            &format!("oci://127.0.0.1:{port}/ns/pack:v1"),
        ])
        .output()?;
    let run = Run { out }.expect_code(5);
    insta::assert_snapshot!(run.transcript());
    assert_eq!(cache_blobs(&t), Vec::<String>::new());
    Ok(())
}

#[test]
fn basic_credentials_come_from_the_docker_config() -> anyhow::Result<()> {
    // The fake answers 401 to requests without the right header, and a
    // manifest that is not a pack otherwise: reaching that error proves the
    // credentials were sent.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(8) {
            let Ok(mut s) = s else { return };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_lowercase();
            let resp = if req.contains("authorization: basic dxnlcjpwyxnz") {
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"
            } else {
                "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"r\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            };
            let _ = s.write_all(resp.as_bytes());
        }
    });
    let t = TestDir::new();
    let _s = snapshots(&t);
    t.write(
        "docker/config.json",
        format!("{{\"auths\":{{\"127.0.0.1:{port}\":{{\"auth\":\"dXNlcjpwYXNz\"}}}}}}"),
    );
    let out = t
        .command()
        .env("DOCKER_CONFIG", t.path().join("docker"))
        .args([
            "pack",
            "pull",
            &format!("oci://127.0.0.1:{port}/ns/pack:v1"),
        ])
        .output()?;
    // Past auth: the fake's `{}` is not a pack manifest.
    let run = Run { out }.expect_code(5);
    insta::assert_snapshot!(run.transcript());
    Ok(())
}

#[test]
fn bearer_tokens_are_fetched_from_the_realm() -> anyhow::Result<()> {
    // One fake serves both: /token hands out a token (checking the basic
    // credentials and the scope), /v2/... wants it.
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(8) {
            let Ok(mut s) = s else { return };
            let mut buf = [0u8; 8192];
            let n = s.read(&mut buf).unwrap_or(0);
            let req = String::from_utf8_lossy(&buf[..n]).to_lowercase();
            let resp = if req.starts_with("get /token?") {
                if req.contains("scope=repository%3ans%2fpack%3apull")
                    && req.contains("authorization: basic dxnlcjpwyxnz")
                {
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{\"token\":\"t0k3n\"}".to_string()
                } else {
                    "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_string()
                }
            } else if req.contains("authorization: bearer t0k3n") {
                {
                    let body = r#"{"errors":[{"code":"MANIFEST_UNKNOWN","message":"nope"}]}"#;
                    format!(
                        "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
            } else {
                format!(
                    "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"fake\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                )
            };
            let _ = s.write_all(resp.as_bytes());
        }
    });
    let t = TestDir::new();
    let _s = snapshots(&t);
    t.write(
        "docker/config.json",
        format!("{{\"auths\":{{\"http://127.0.0.1:{port}/v2/\":{{\"username\":\"user\",\"password\":\"pass\"}}}}}}"),
    );
    let out = t
        .command()
        .env("DOCKER_CONFIG", t.path().join("docker"))
        .args([
            "pack",
            "pull",
            &format!("oci://127.0.0.1:{port}/ns/pack:v1"),
        ])
        .output()?;
    // The token got us past auth to the registry's own answer
    // (`manifest_unknown`).
    let run = Run { out }.expect_code(5);
    insta::assert_snapshot!(run.transcript());
    Ok(())
}

/// Copies a built layout with Kubewarden's legacy media types.
fn kubewarden_layout(src: &std::path::Path, dst: &std::path::Path) {
    std::fs::create_dir_all(dst.join("blobs/sha256")).unwrap();
    for e in std::fs::read_dir(src.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dst.join("blobs/sha256").join(e.file_name())).unwrap();
    }
    for f in ["oci-layout", "index.json"] {
        std::fs::copy(src.join(f), dst.join(f)).unwrap();
    }
    edit_layout_manifest(dst, |m| {
        m["config"]["mediaType"] = "application/vnd.wasm.config.v1+json".into();
        for l in m["layers"].as_array_mut().unwrap() {
            l["mediaType"] = "application/vnd.wasm.content.layer.v1+wasm".into();
            l.as_object_mut().unwrap().remove("annotations");
        }
    });
}

#[test]
fn kubewarden_legacy_packs_are_read() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    if !have("skopeo", &["--version"]) {
        return Ok(());
    }
    let t = TestDir::new();
    let dir = pack_dir(&t, "p", "1.0.0");
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "new.oci"])
        .expect_code(0);
    kubewarden_layout(&t.path().join("new.oci"), &t.path().join("legacy.oci"));
    let copy = Command::new("skopeo")
        .args([
            "copy",
            "--dest-tls-verify=false",
            &format!("oci:{}:1.0.0", t.path().join("legacy.oci").display()),
            &reg.docker("kw/policy:v1"),
        ])
        .output()?;
    assert!(
        copy.status.success(),
        "{}",
        String::from_utf8_lossy(&copy.stderr)
    );
    t.write("lcov.info", LCOV_80);
    let run = t
        .run(&[
            "eval",
            "--policy",
            &reg.oci("kw/policy:v1"),
            "--params",
            "{\"min-line\": 75}",
            "lcov.info",
            "--format",
            "json",
        ])
        .expect_code(0);
    assert_eq!(run.json()["policies"][0]["name"], "coverage");
    Ok(())
}

#[test]
fn concurrent_pulls_share_one_cache() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    let digest = push(&t, &reg, "ns/pack:v1", "1.0.0");
    let children: Vec<_> = (0..4)
        .map(|_| {
            t.command()
                .args(["pack", "pull", &reg.oci("ns/pack:v1")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output()?;
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(digest_line(&String::from_utf8_lossy(&out.stdout)), digest);
    }
    // No temp files left behind; every entry is whole.
    let blobs = cache_blobs(&t);
    assert_eq!(blobs.len(), 4, "manifest, config, two layers: {blobs:?}");
    let dir = t.cache.join("packs/blobs/sha256");
    for b in blobs {
        let bytes = std::fs::read(dir.join(&b))?;
        use sha2::Digest;
        assert_eq!(format!("{:x}", sha2::Sha256::digest(&bytes)), b);
    }
    Ok(())
}

/// The verdict entry of the policy named `name`.
fn policy<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name} in {doc}"))
}

fn metric(entry: &serde_json::Value, name: &str) -> serde_json::Value {
    entry["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no metric {name} in {entry}"))
}

#[test]
fn pack_defaults_apply_when_gate_toml_gives_none() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    // example-gates: `coverage` is hard with min-line 50, `strict` soft with min-line 95.
    let digest = push(&t, &reg, "ns/defaults:v1", "1.0.0");
    t.write("lcov.info", LCOV_80);
    let config = |extra: &str| {
        t.write(
            "gate.toml",
            format!(
                "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{0}#coverage\"\nname = \"coverage\"\n\n[[policy]]\nuse = \"{0}#strict\"\nname = \"strict\"\n{extra}",
                reg.oci("ns/defaults:v1")
            ),
        );
    };

    // Nothing in gate.toml: the pack's level and params are in force.
    config("");
    let run = t.run(&["check", "--format", "json"]).expect_code(1);
    let doc = run.json();
    let strict = policy(&doc, "strict");
    assert_eq!(strict["level"], "soft");
    assert_eq!(strict["level_from"], "pack");
    assert_eq!(strict["outcome"], "fail");
    assert_eq!(metric(strict, "line-coverage")["threshold"], 95.0);
    assert_eq!(metric(strict, "function-coverage")["threshold"], 10.0);
    assert_eq!(strict["pack"]["name"], "example-gates");
    assert_eq!(strict["pack"]["version"], "1.0.0");
    assert_eq!(strict["pack"]["digest"], digest.as_str());
    assert_eq!(strict["pack"]["policy"], "strict");
    // The published verdict schema knows `pack`.
    let schema: serde_json::Value = serde_json::from_slice(&std::fs::read(
        crate::repo().join("schemas/verdict.schema.json"),
    )?)?;
    let validator = jsonschema::validator_for(&schema)?;
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let coverage = policy(&doc, "coverage");
    assert_eq!(coverage["level"], "hard");
    assert_eq!(coverage["outcome"], "pass");
    assert_eq!(metric(coverage, "line-coverage")["threshold"], 50.0);

    // The pack made `strict` soft, so it can be overridden.
    let over = t
        .run(&[
            "check",
            "--format",
            "json",
            "--override",
            "strict",
            "--by",
            "lead",
            "--reason",
            "hotfix",
        ])
        .expect_code(0);
    assert_eq!(policy(&over.json(), "strict")["outcome"], "warn");

    // gate.toml params replace the pack's key by key; its level wins.
    config("params = { min-line = 75 }\n");
    let doc = t.run(&["check", "--format", "json"]).expect_code(0).json();
    assert_eq!(
        metric(policy(&doc, "strict"), "line-coverage")["threshold"],
        75.0
    );
    // ... and the keys it does not give keep the pack's value.
    assert_eq!(
        metric(policy(&doc, "strict"), "function-coverage")["threshold"],
        10.0
    );
    assert_eq!(policy(&doc, "strict")["level"], "soft");
    config("level = \"advisory\"\n");
    let doc = t.run(&["check", "--format", "json"]).expect_code(0).json();
    assert_eq!(policy(&doc, "strict")["level"], "advisory");
    assert!(policy(&doc, "strict").get("level_from").is_none());
    assert_eq!(policy(&doc, "strict")["outcome"], "warn");
    assert_eq!(
        metric(policy(&doc, "strict"), "line-coverage")["threshold"],
        95.0
    );
    // A hard policy from gate.toml cannot be overridden even if the pack says soft.
    config("level = \"hard\"\n");
    let refused = t
        .run(&[
            "check",
            "--override",
            "strict",
            "--by",
            "lead",
            "--reason",
            "hotfix",
        ])
        .expect_code(2);
    let _s = snapshots(&t);
    insta::assert_snapshot!("override_of_a_hard_policy", refused.transcript());

    // A policy the pack does not have.
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{}#nope\"\n",
            reg.oci("ns/defaults:v1")
        ),
    );
    let nope = t.run(&["check"]).expect_code(5);
    insta::assert_snapshot!("a_policy_the_pack_does_not_have", nope.transcript());

    // The defaults live in the component, so a layer used as a file keeps them.
    let dir = pack_dir(&t, "local", "1.0.0");
    t.run(&["pack", "build", dir.to_str().unwrap(), "-o", "local.oci"])
        .expect_code(0);
    let layout = t.path().join("local.oci");
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json"))?)?;
    let m = index["manifests"][0]["digest"].as_str().unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("blobs/sha256").join(&m[7..]))?)?;
    let strict_layer = manifest["layers"][1]["digest"].as_str().unwrap();
    let file = layout.join("blobs/sha256").join(&strict_layer[7..]);
    let eval = t
        .run(&[
            "eval",
            "--policy",
            file.to_str().unwrap(),
            "lcov.info",
            "--format",
            "json",
        ])
        .expect_code(1);
    let doc = eval.json();
    assert_eq!(doc["policies"][0]["level"], "soft");
    assert_eq!(
        metric(&doc["policies"][0], "line-coverage")["threshold"],
        95.0
    );
    assert!(
        doc["policies"][0].get("pack").is_none(),
        "a file is not a registry pack"
    );
    Ok(())
}

/// Rewrites the manifest of a layout with `edit`, keeping blobs and tag.
fn edit_layout_manifest(dir: &std::path::Path, edit: impl FnOnce(&mut serde_json::Value)) {
    use sha2::{Digest, Sha256};
    let index_path = dir.join("index.json");
    let mut index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&index_path).unwrap()).unwrap();
    let old = index["manifests"][0]["digest"]
        .as_str()
        .unwrap()
        .to_string();
    let blobs = dir.join("blobs/sha256");
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(blobs.join(&old[7..])).unwrap()).unwrap();
    edit(&mut m);
    let bytes = serde_json::to_vec(&m).unwrap();
    let hex = format!("{:x}", Sha256::digest(&bytes));
    std::fs::write(blobs.join(&hex), &bytes).unwrap();
    index["manifests"][0]["digest"] = format!("sha256:{hex}").into();
    index["manifests"][0]["size"] = bytes.len().into();
    std::fs::write(&index_path, index.to_string()).unwrap();
}

#[test]
fn packs_for_a_newer_gate_are_refused_at_pull() {
    let Some(reg) = Registry::start() else { return };
    let t = TestDir::new();
    let _s = snapshots(&t);
    let mut all = String::new();
    for (repo, annotation, value) in [
        ("ns/future:v1", "dev.gate.pack.min-gate-version", "99.0.0"),
        // A WIT package this gate does not implement.
        ("ns/wit:v1", "dev.gate.pack.wit", "gate:policy@0.1.0"),
    ] {
        let name = repo.replace(['/', ':'], "-");
        let dir = pack_dir(&t, &name, "1.0.0");
        let layout = t.path().join(format!("{name}.oci"));
        t.run(&[
            "pack",
            "build",
            dir.to_str().unwrap(),
            "-o",
            layout.to_str().unwrap(),
        ])
        .expect_code(0);
        edit_layout_manifest(&layout, |m| m["annotations"][annotation] = value.into());
        t.run(&["pack", "push", layout.to_str().unwrap(), &reg.oci(repo)])
            .expect_code(0);
        all.push_str(&pull_fails(
            &reg.oci(repo),
            &format!("{annotation} = {value}"),
        ));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn signatures_travel_with_save_and_load() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    let signed = push(&t, &reg, "ns/airgap:signed", "1.0.0");
    push(&t, &reg, "ns/airgap:unsigned", "1.0.1");
    t.run(&["pack", "keygen", "alice.key"]).expect_code(0);
    t.run(&["pack", "keygen", "mallory.key"]).expect_code(0);
    t.run(&[
        "pack",
        "sign",
        &reg.oci("ns/airgap:signed"),
        "--key",
        "alice.key",
    ])
    .expect_code(0);
    let saved = t
        .run(&[
            "pack",
            "save",
            &reg.oci("ns/airgap:signed"),
            "-o",
            "signed.oci",
        ])
        .expect_code(0);
    let _s = snapshots(&t);
    insta::assert_snapshot!("save_signed", saved.transcript());
    t.run(&[
        "pack",
        "save",
        &reg.oci("ns/airgap:unsigned"),
        "-o",
        "unsigned.oci",
    ])
    .expect_code(0);
    // skopeo still reads the pack in a layout that carries signatures.
    if have("skopeo", &["--version"]) {
        let inspect = Command::new("skopeo")
            .args([
                "inspect",
                "--raw",
                &format!("oci:{}:signed", t.path().join("signed.oci").display()),
            ])
            .output()?;
        assert!(
            inspect.status.success(),
            "{}",
            String::from_utf8_lossy(&inspect.stderr)
        );
        assert_eq!(
            digest_of(&inspect.stdout),
            signed,
            "skopeo sees the pack manifest"
        );
    }

    // The air-gapped host: its registry is unreachable, only the layouts arrive.
    let air = TestDir::new();
    for f in ["alice.key.pub", "mallory.key.pub"] {
        std::fs::copy(t.path().join(f), air.path().join(f))?;
    }
    let layout = |name: &str| t.path().join(name).to_str().unwrap().to_string();
    air.run(&[
        "pack",
        "verify",
        &layout("signed.oci"),
        "--key",
        "alice.key.pub",
    ])
    .expect_code(0);
    let wrong = air
        .run(&[
            "pack",
            "verify",
            &layout("signed.oci"),
            "--key",
            "mallory.key.pub",
        ])
        .expect_code(5);
    insta::assert_snapshot!("verify_layout_with_the_wrong_key", wrong.transcript());
    let loaded = air
        .run(&[
            "pack",
            "load",
            &layout("signed.oci"),
            "oci://mirror.internal/ns/airgap:signed",
        ])
        .expect_code(0);
    insta::assert_snapshot!("load_signed", loaded.transcript());
    air.run(&[
        "pack",
        "load",
        &layout("unsigned.oci"),
        "oci://mirror.internal/ns/airgap:unsigned",
    ])
    .expect_code(0);
    air.write("lcov.info", LCOV_80);
    let config = |tag: &str, key: &str| {
        air.write(
            "gate.toml",
            format!(
                "[registry]\noffline = true\ntrusted-keys = [\"{key}\"]\n\n[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"oci://mirror.internal/ns/airgap:{tag}\"\nparams = {{ min-line = 75 }}\n"
            ),
        );
    };
    config("signed", "alice.key.pub");
    let ok = air.run(&["check", "--format", "json"]).expect_code(0);
    assert_eq!(ok.json()["policies"][0]["pack"]["digest"], signed.as_str());
    config("signed", "mallory.key.pub");
    let wrong = air.run(&["check"]).expect_code(5);
    insta::assert_snapshot!("check_offline_with_the_wrong_key", wrong.transcript());
    config("unsigned", "alice.key.pub");
    let unsigned = air.run(&["check"]).expect_code(5);
    insta::assert_snapshot!("check_offline_unsigned", unsigned.transcript());
    Ok(())
}

/// Runs `gate ARGS` under `script`, which gives it a terminal.
fn on_a_tty(t: &TestDir, args: &[&str]) -> (i32, String) {
    let mut cmd = String::from(env!("CARGO_BIN_EXE_gate"));
    for a in args {
        cmd.push(' ');
        cmd.push_str(a);
    }
    let out = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(t.path())
        .env("GATE_CACHE_DIR", &t.cache)
        .env("TERM", "xterm")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn progress_bars_only_on_a_terminal() {
    let Some(reg) = Registry::start() else { return };
    if !have("script", &["--version"]) {
        return;
    }
    let t = TestDir::new();
    let dir = pack_dir(&t, "p", "1.0.0");
    let (code, screen) = on_a_tty(
        &t,
        &["pack", "push", dir.to_str().unwrap(), &reg.oci("ns/bar:v1")],
    );
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("pushing sha256:"), "{screen}");
    assert!(screen.contains("100%"), "{screen}");
    let (code, screen) = on_a_tty(&t, &["pack", "pull", &reg.oci("ns/bar:v1")]);
    assert_eq!(code, 0, "{screen}");
    assert!(screen.contains("pulling sha256:"), "{screen}");
    assert!(screen.contains("] 100%"), "{screen}");

    // Not a terminal (CI logs, pipes): nothing but the result.
    let quiet = TestDir::new();
    let run = quiet
        .run(&["pack", "pull", &reg.oci("ns/bar:v1")])
        .expect_code(0);
    assert_eq!(run.stderr(), "", "no progress");
    let dir = pack_dir(&quiet, "p", "1.0.1");
    let run = quiet
        .run(&["pack", "push", dir.to_str().unwrap(), &reg.oci("ns/bar:v2")])
        .expect_code(0);
    assert!(run.stderr().is_empty(), "{}", run.stderr());
}

/// A loopback proxy in front of `upstream` that adds the OCI referrers API
/// (which Debian's distribution 2.8 lacks): `GET /v2/REPO/referrers/DIGEST`
/// answers an index listing `referrer` (digest, size) as a gate signature;
/// everything else is forwarded as is. Returns the proxy's port.
fn referrers_proxy(upstream: u16, referrer: (String, u64)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for s in listener.incoming().take(64) {
            let Ok(mut s) = s else { return };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let text = String::from_utf8_lossy(&head).into_owned();
            let path = text.split_whitespace().nth(1).unwrap_or("").to_string();
            if path.contains("/referrers/") {
                let body = serde_json::json!({
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.oci.image.index.v1+json",
                    "manifests": [{
                        "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "digest": referrer.0,
                        "size": referrer.1,
                        "artifactType": "application/vnd.dev.gate.signature.v1+json"
                    }]
                })
                .to_string();
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                continue;
            }
            // Forward with `Connection: close`, so the answer ends at EOF.
            let Ok(mut up) = TcpStream::connect(("127.0.0.1", upstream)) else {
                return;
            };
            let head = text.replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n");
            let _ = up.write_all(head.as_bytes());
            let mut answer = Vec::new();
            let _ = up.read_to_end(&mut answer);
            let _ = s.write_all(&answer);
        }
    });
    port
}

#[test]
fn signatures_are_found_through_the_referrers_api() -> anyhow::Result<()> {
    let Some(reg) = Registry::start() else {
        return Ok(());
    };
    let t = TestDir::new();
    let digest = push(&t, &reg, "ns/ref:v1", "1.0.0");
    t.run(&["pack", "keygen", "alice.key"]).expect_code(0);
    let signed = t
        .run(&["pack", "sign", &reg.oci("ns/ref:v1"), "--key", "alice.key"])
        .expect_code(0);
    let sig = signed
        .stdout()
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .to_string();
    assert!(sig.starts_with("sha256:"), "{}", signed.stdout());
    let sig_size = std::fs::metadata(reg.blob_file(&sig))?.len();

    // Drop the fallback tag from the registry's storage: the signature
    // manifest is still there, but only the referrers API can find it.
    let tag = format!("sha256-{}.sig", &digest[7..]);
    std::fs::remove_dir_all(
        reg.dir
            .path()
            .join("data/docker/registry/v2/repositories/ns/ref/_manifests/tags")
            .join(&tag),
    )?;
    let direct = t
        .run(&[
            "pack",
            "verify",
            &reg.oci("ns/ref:v1"),
            "--key",
            "alice.key.pub",
        ])
        .expect_code(5);
    let _s = snapshots(&t);
    insta::assert_snapshot!("without_the_fallback_tag", direct.transcript());

    let proxy = referrers_proxy(reg.port, (sig, sig_size));
    let via = format!("oci://127.0.0.1:{proxy}/ns/ref:v1");
    let ok = t
        .run(&["pack", "verify", &via, "--key", "alice.key.pub"])
        .expect_code(0);
    // The pack's digest (masked in the snapshot).
    assert!(ok.stdout().contains(&digest), "{}", ok.stdout());
    insta::assert_snapshot!("through_the_referrers_api", ok.transcript());
    // And a run that trusts the key pulls through it.
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        format!(
            "[registry]\ntrusted-keys = [\"alice.key.pub\"]\n\n[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{via}\"\nparams = {{ min-line = 75 }}\n"
        ),
    );
    t.run(&["check", "--format", "json"]).expect_code(0);

    // The proxy lists the same signature for every pack: for another pack
    // its subject does not match, so that pack is unsigned.
    let other = push(&t, &reg, "ns/ref:v2", "2.0.0");
    let unsigned = t
        .run(&[
            "pack",
            "verify",
            &format!("oci://127.0.0.1:{proxy}/ns/ref:v2"),
            "--key",
            "alice.key.pub",
        ])
        .expect_code(5);
    // Names the other pack's digest (masked in the snapshot).
    unsigned.expect_stderr(&other);
    insta::assert_snapshot!("another_pack_listing_the_signature", unsigned.transcript());
    Ok(())
}

#[test]
fn unreadable_or_incompatible_pack_metadata_in_a_file_is_a_policy_error() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let coverage = gate::policies::builtin::get("coverage").unwrap();
    let cases: [(&str, &[u8]); 2] = [
        ("garbled.wasm", b"{not json"),
        (
            "future.wasm",
            br#"{"pack":"p","pack-version":"1.0.0","min-gate-version":"99.0.0","policy":{"name":"c","level":"advisory","params":{}}}"#,
        ),
    ];
    let _s = snapshots(&t);
    let mut messages = String::new();
    for (name, metadata) in cases {
        t.write(name, gate_oci::embed_metadata(coverage, metadata)?);
        let run = t
            .run(&[
                "eval",
                "--policy",
                name,
                "lcov.info",
                "--params",
                "{\"min-line\": 10}",
                "--format",
                "json",
            ])
            .expect_code(4);
        let doc = run.json();
        let entry = &doc["policies"][0];
        assert_eq!(entry["outcome"], "error", "{doc}");
        assert_eq!(entry["error"]["kind"], "invalid-component", "{doc}");
        let message = entry["error"]["message"].as_str().unwrap();
        messages.push_str(&format!("{name}: {message}\n"));
        // The error on stderr is the verdict's message.
        assert_eq!(
            run.stderr(),
            format!("error[invalid-component]: {message}\n")
        );
    }
    insta::assert_snapshot!(messages);
    Ok(())
}
