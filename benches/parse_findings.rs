//! Parser throughput (parse + normalize, MB/s): security findings. The
//! largest corpus reports (grype 3.8 MB, a 1768-result Semgrep SARIF), issue
//! 13's SARIF (that Semgrep log × 51: 46.8 MB, 90 168 results, made in
//! process by `inputs::big_sarif` as `shared/bench/make_big_sarif.py` makes
//! it) and grype scaled to >= 50 MB.
//!
//! `cargo bench -p gate-artifacts --bench parse_findings [-- FILTER]`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gate_artifacts::{ParseOptions, parse};
use std::hint::black_box;
use std::time::Duration;

#[path = "corpus.rs"]
mod corpus_files;
use corpus_files::read;
#[path = "inputs.rs"]
mod inputs;

fn scaled_grype(target: usize) -> Vec<u8> {
    let mut doc: serde_json::Value =
        serde_json::from_slice(&read("security/grype/defectdojo-many-vulns-big.json")).unwrap();
    let base = doc["matches"].as_array().unwrap().clone();
    let one = serde_json::to_vec(&base).unwrap().len().max(1);
    let copies = target / one + 1;
    let mut all = Vec::with_capacity(base.len() * copies);
    for copy in 0..copies {
        for m in &base {
            let mut m = m.clone();
            let name = m["artifact"]["name"].as_str().unwrap_or("").to_string();
            m["artifact"]["name"] = serde_json::Value::String(format!("{name}-copy{copy}"));
            all.push(m);
        }
    }
    doc["matches"] = serde_json::Value::Array(all);
    serde_json::to_vec(&doc).unwrap()
}

fn bench(c: &mut Criterion) {
    let options = ParseOptions::default();
    let inputs: Vec<(String, Vec<u8>)> = vec![
        (
            "grype 3.8 MB".into(),
            read("security/grype/defectdojo-many-vulns-big.json"),
        ),
        (
            "sarif semgrep 1768 results".into(),
            read("security/sarif/semgrep/semgrep-0.17-owasp-benchmark.sarif"),
        ),
        (
            "sarif semgrep x51 (issue 13)".into(),
            inputs::big_sarif(&read(inputs::SEMGREP_SARIF), 48_000_000),
        ),
        ("grype scaled 50 MB".into(), scaled_grype(50 << 20)),
    ];
    let mut g = c.benchmark_group("parse-findings");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, bytes) in &inputs {
        g.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        let name = format!("{name} ({:.1} MB)", bytes.len() as f64 / 1e6);
        g.bench_function(name.as_str(), |b| {
            b.iter(|| black_box(parse("bench", bytes, None, &options).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
