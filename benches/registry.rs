//! Policy-pack costs: loading a verified pack from the content-addressed
//! cache, checking a signature, and (when Debian's `docker-registry` is on
//! PATH) pulling a pack cold from a loopback registry and a whole
//! `gate check` with an `oci://` policy against a warm cache.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use gate_oci::{Cache, Embedded, Options, Pack, PublicKey, Reference, SecretKey, Silent};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// A pack of all four built-in policies (~the size of a real one).
fn build_pack(dir: &Path) -> Pack {
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
    gate::registry::build_pack(dir).unwrap().1
}

fn size(p: &Pack) -> usize {
    p.layers.iter().map(|(_, b)| b.len()).sum::<usize>() + p.config.len()
}

fn offline(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let p = build_pack(dir.path());
    let cache = Cache::at(dir.path().join("cache"));
    cache.store_pack(&p, &Silent).unwrap();
    let mut g = c.benchmark_group("pack");
    g.throughput(criterion::Throughput::Bytes(size(&p) as u64));
    // Every run reads and re-hashes every blob: the cost of "verified on every read".
    g.bench_function("cache-load-verified", |b| {
        b.iter(|| cache.load_pack(&p.digest, &Silent).unwrap().unwrap())
    });
    g.finish();

    // Reading a component's pack defaults (one wasmparser pass over it).
    let coverage = gate::policies::builtin::get("coverage").unwrap();
    let mut g = c.benchmark_group("pack");
    g.throughput(criterion::Throughput::Bytes(coverage.len() as u64));
    g.bench_function("read-defaults", |b| {
        b.iter(|| Embedded::of(coverage).unwrap())
    });
    g.finish();

    let key = SecretKey::from_seed([7; 32]);
    let doc = key.sign_document(&p.digest);
    let public = PublicKey::parse(&key.public_key_text(), dir.path()).unwrap();
    c.bench_function("pack/signature-verify", |b| {
        b.iter(|| {
            gate_oci::verify_any(
                "bench",
                &p.digest,
                std::slice::from_ref(&doc),
                std::slice::from_ref(&public),
            )
            .unwrap()
        })
    });
}

// The tests' registry harness; the bench uses only part of it.
#[allow(dead_code)]
#[path = "../tests/support/registry_server.rs"]
mod registry_server;
use registry_server::Registry;

fn online(c: &mut Criterion) {
    let Some(reg) = Registry::spawn() else {
        eprintln!("docker-registry is not installed: skipping the registry benches");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let p = build_pack(dir.path());
    let reference = reg.oci("bench/pack:v1");
    let r = Reference::parse(&reference).unwrap();
    gate_oci::push(&r, &p, false, &Silent).unwrap();

    let mut g = c.benchmark_group("registry");
    g.sample_size(20);
    g.throughput(criterion::Throughput::Bytes(size(&p) as u64));
    // The empty cache dir is made, and removed, outside the timing.
    g.bench_function("pull-cold", |b| {
        b.iter_batched(
            || tempfile::tempdir().unwrap(),
            |cold| {
                let options = Options {
                    cache: Some(Cache::at(cold.path())),
                    ..Default::default()
                };
                gate_oci::fetch(&r, &options, &[], None, &Silent).unwrap();
                cold
            },
            criterion::BatchSize::PerIteration,
        )
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
