//! Runtime costs: process cold start with and without a warm compile cache,
//! and instantiate + evaluate of the built-in coverage policy in-process.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use gate::runtime::bindings::types as wit;
use gate::runtime::{CallEnv, CompileCache, Input, Limits, Request, Runtime, Shared, convert};
use std::process::Command;
use std::time::Duration;

fn lcov() -> String {
    // ~50 files × 200 lines: a mid-sized service.
    let mut s = String::new();
    for f in 0..50 {
        s.push_str(&format!("SF:src/mod{f}.rs\n"));
        for l in 1..=200 {
            s.push_str(&format!("DA:{l},{}\n", (l * 7 + f) % 5));
        }
        s.push_str("end_of_record\n");
    }
    s
}

fn process(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("lcov.info");
    std::fs::write(&report, lcov()).unwrap();
    let warm = dir.path().join("warm-cache");
    let run = |cache: &std::path::Path| {
        let out = Command::new(env!("CARGO_BIN_EXE_gate"))
            .args(["eval", "--policy", "builtin:coverage", "--format", "json"])
            .arg(&report)
            .env("GATE_CACHE_DIR", cache)
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    run(&warm);
    let mut g = c.benchmark_group("process");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("eval-coverage/warm-cache", |b| b.iter(|| run(&warm)));
    g.bench_function("eval-coverage/cold-cache", |b| {
        b.iter(|| {
            let cold = tempfile::tempdir().unwrap();
            run(cold.path());
        })
    });
    g.finish();
}

fn in_process(c: &mut Criterion) {
    let cache_dir = tempfile::tempdir().unwrap();
    let runtime = Runtime::new(Limits::default(), CompileCache::at(cache_dir.path())).unwrap();
    let bytes = gate::policies::builtin::get("coverage").unwrap();
    let policy = runtime.load(bytes).unwrap();
    let parsed =
        gate_artifacts::parse("lcov.info", lcov().as_bytes(), None, &Default::default()).unwrap();
    let gate_artifacts::Model::Coverage(model) = parsed.model else {
        panic!("not coverage")
    };
    let totals = convert::coverage_totals(&model);
    let files = Shared::Merged(std::sync::Arc::new(model));
    let meta = wit::ArtifactMeta {
        path: "lcov.info".into(),
        format: "lcov".into(),
        sha256: String::new(),
        role: wit::ArtifactRole::Current,
    };
    let request = Request {
        artifacts: vec![Input::Coverage {
            meta,
            totals,
            files,
        }],
        params: r#"{"min-line": 50}"#.into(),
        context: wit::Context {
            now: "2026-01-01T00:00:00Z".into(),
            environment: None,
            branch: None,
            commit: None,
            author: None,
            base_ref: None,
        },
        changes: None,
    };
    let env = CallEnv {
        now: Duration::from_secs(1_767_225_600),
    };
    // The same evaluation without fuel metering, to measure what the
    // deterministic CPU limit costs (epoch interruption stays on in both).
    let unmetered = Runtime::new(
        Limits {
            consume_fuel: false,
            ..Limits::default()
        },
        CompileCache::at(cache_dir.path()),
    )
    .unwrap();
    let unmetered_policy = unmetered.load(bytes).unwrap();
    let mut g = c.benchmark_group("in-process");
    g.bench_function("coverage/instantiate+evaluate (10k lines)", |b| {
        b.iter(|| {
            let (r, _) = runtime.evaluate(&policy, env, request.clone());
            r.unwrap()
        })
    });
    g.bench_function("coverage/instantiate+evaluate (10k lines, no fuel)", |b| {
        b.iter(|| {
            let (r, _) = unmetered.evaluate(&unmetered_policy, env, request.clone());
            r.unwrap()
        })
    });
    g.bench_function("coverage/load-from-warm-cache", |b| {
        b.iter(|| runtime.load(bytes).unwrap())
    });
    g.finish();
}

criterion_group!(benches, in_process, process);
criterion_main!(benches);
