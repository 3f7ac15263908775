//! Policy-pack costs: loading a verified pack from the content-addressed
//! cache, checking a signature, and (when Debian's `docker-registry` is on
//! PATH) pulling a pack cold from a loopback registry and a whole
//! `gate check` with an `oci://` policy against a warm cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use gate::registry::{self, Reference, cache::Cache, client::Client, layout, pack, sign};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A pack of all four built-in policies (~the size of a real one).
fn build_pack(dir: &Path) -> layout::Pack {
    let mut toml = String::from("name = \"bench\"\nversion = \"1.0.0\"\n");
    for name in gate::policies::builtin::names() {
        std::fs::write(
            dir.join(format!("{name}.wasm")),
            gate::policies::builtin::get(name).unwrap(),
        )
        .unwrap();
        toml.push_str(&format!(
            "[[policy]]\nname = \"{name}\"\ncomponent = \"{name}.wasm\"\n"
        ));
    }
    std::fs::write(dir.join("pack.toml"), toml).unwrap();
    pack::build(dir).unwrap().0
}

fn size(p: &layout::Pack) -> usize {
    p.layers.iter().map(|(_, b)| b.len()).sum::<usize>() + p.config.len()
}

fn offline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let p = build_pack(dir.path());
    let cache = Cache::at(dir.path().join("cache"));
    cache.store_pack(&p).unwrap();
    let mut g = c.benchmark_group("pack");
    g.throughput(criterion::Throughput::Bytes(size(&p) as u64));
    // Every run reads and re-hashes every blob: the cost of "verified on every read".
    g.bench_function("cache-load-verified", |b| {
        b.iter(|| cache.load_pack(&p.digest).unwrap().unwrap())
    });
    g.finish();

    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let doc = sign::sign_document(&key, &p.digest);
    let public = sign::parse_public_key(&sign::public_key_text(&key), dir.path()).unwrap();
    c.bench_function("pack/signature-verify", |b| {
        b.iter(|| {
            sign::verify_any(
                "bench",
                &p.digest,
                std::slice::from_ref(&doc),
                std::slice::from_ref(&public),
            )
            .unwrap()
        })
    });
}

/// `docker-registry serve` on a free loopback port; killed on drop.
struct Registry {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Option<Registry> {
        let dir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cfg = dir.path().join("config.yml");
        std::fs::write(
            &cfg,
            format!(
                "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n",
                dir.path().join("data").display()
            ),
        )
        .unwrap();
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&cfg)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let reg = Registry {
            child,
            port,
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "docker-registry did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(reg)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn online(c: &mut Criterion) {
    let Some(reg) = Registry::start() else {
        eprintln!("docker-registry is not installed: skipping the registry benches");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = build_pack(dir.path());
    let reference = format!("oci://127.0.0.1:{}/bench/pack:v1", reg.port);
    let r = Reference::parse(&reference).unwrap();
    let client = Client::new(&r, false, true).unwrap();
    // The registry may need a moment after its port opens.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let pushed = p
            .blobs()
            .into_iter()
            .try_for_each(|(_, b)| client.push_blob(&r.repository, b).map(|_| ()));
        if pushed.is_ok() {
            break;
        }
        assert!(Instant::now() < deadline, "{pushed:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    client
        .put_manifest(&r.repository, "v1", &p.manifest_bytes, layout::MANIFEST)
        .unwrap();

    let mut g = c.benchmark_group("registry");
    g.sample_size(20);
    g.throughput(criterion::Throughput::Bytes(size(&p) as u64));
    g.bench_function("pull-cold", |b| {
        b.iter(|| {
            let cold = tempfile::tempdir().unwrap();
            let options = registry::Options {
                cache: Some(Cache::at(cold.path())),
                ..Default::default()
            };
            registry::fetch(&r, &options, &[], None).unwrap()
        })
    });
    g.finish();

    // A whole CI step: `gate check` with an oci:// policy, pack and
    // compiled component cached (the tag is still resolved online).
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("lcov.info"),
        "SF:a.rs\nDA:1,1\nend_of_record\n",
    )
    .unwrap();
    std::fs::write(
        work.path().join("gate.toml"),
        format!(
            "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"{reference}#coverage\"\nparams = {{ min-line = 50 }}\n"
        ),
    )
    .unwrap();
    let check = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_gate"))
            .arg("check")
            .args(extra)
            .current_dir(work.path())
            .env("GATE_CACHE_DIR", work.path().join(".cache"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    check(&[]);
    let mut g = c.benchmark_group("process");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("check-oci/warm-cache", |b| b.iter(|| check(&[])));
    g.bench_function("check-oci/offline", |b| b.iter(|| check(&["--offline"])));
    g.finish();
}

criterion_group!(benches, offline, online);
criterion_main!(benches);
