//! The guest boundary (issue 13): 90k findings handed across it both ways.
//! The built-in security policy reads 90k SARIF findings from the host in
//! batches (`security-findings.read`) and emits one verdict finding per
//! finding (`host.emit`), which the host checks and keeps. Parsing is done
//! once, outside the measurement; each iteration is a fresh instance.
//!
//! `cargo bench -p gate --bench boundary`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use gate::runtime::bindings::types as wit;
use gate::runtime::{CallEnv, CompileCache, Input, Limits, Request, Runtime, Shared};
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

const FINDINGS: usize = 90_000;

/// SARIF with `n` results of one rule (our own synthetic content).
fn sarif(n: usize) -> String {
    let mut s = String::from(
        "{\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"scanner\",\"rules\":[{\"id\":\"R1\",\"properties\":{\"security-severity\":\"7.5\"}}]}},\"results\":[",
    );
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        write!(s, "{{\"ruleId\":\"R1\",\"level\":\"error\",\"message\":{{\"text\":\"finding number {i}\"}},\"locations\":[{{\"physicalLocation\":{{\"artifactLocation\":{{\"uri\":\"src/f{}.c\"}},\"region\":{{\"startLine\":{}}}}}}}]}}", i % 500, i % 1000 + 1).unwrap();
    }
    s.push_str("]}]}");
    s
}

fn boundary(c: &mut Criterion) {
    let cache = tempfile::tempdir().unwrap();
    let limits = Limits {
        fuel: 1_000_000_000_000,
        timeout: Duration::from_secs(600),
        max_findings: 10_000_000,
        ..Limits::default()
    };
    let runtime = Runtime::new(limits, CompileCache::at(cache.path())).unwrap();
    let policy = runtime
        .load(gate::policies::builtin::get("security").unwrap())
        .unwrap();
    let parsed = gate_artifacts::parse(
        "r.sarif",
        sarif(FINDINGS).as_bytes(),
        None,
        &Default::default(),
    )
    .unwrap();
    let findings = Shared::Model(Arc::new(parsed.model));
    let request = Request {
        artifacts: vec![Input::Findings {
            meta: wit::ArtifactMeta {
                path: "r.sarif".into(),
                format: "sarif".into(),
                sha256: String::new(),
                role: wit::ArtifactRole::Current,
            },
            findings,
        }],
        params: r#"{"fail-on": "none"}"#.into(),
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
    let (judged, transcript) = runtime.evaluate(&policy, env, request.clone());
    let judged = judged.unwrap();
    assert_eq!(judged.findings.len(), FINDINGS);
    println!(
        "security over {FINDINGS} findings: {} findings out, {} fuel",
        judged.findings.len(),
        transcript.fuel_consumed
    );
    let mut g = c.benchmark_group("boundary");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("security/90k findings in and out", |b| {
        b.iter(|| {
            let (r, _) = runtime.evaluate(&policy, env, request.clone());
            r.unwrap().findings.len()
        })
    });
    g.finish();
}

criterion_group!(benches, boundary);
criterion_main!(benches);
