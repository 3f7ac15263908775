//! Parser throughput (parse + normalize, MB/s): coverage. The largest real
//! corpus files per format and inputs scaled up to >= 50 MB by replicating
//! real content under distinct file names.
//!
//! `cargo bench -p gate-artifacts --bench parse_coverage [-- FILTER]`
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

/// LCOV records repeated with renamed `SF:` lines until `target` bytes.
fn scaled_lcov(target: usize) -> Vec<u8> {
    let base = String::from_utf8(read("coverage/lcov/grcov-firefox-prova-large.info")).unwrap();
    let mut out = String::with_capacity(target + base.len());
    let mut copy = 0;
    while out.len() < target {
        out.push_str(&base.replace("SF:", &format!("SF:copy{copy}/")));
        copy += 1;
    }
    out.into_bytes()
}

/// coverage.py JSON with its files map repeated under new names.
fn scaled_coveragepy(target: usize) -> Vec<u8> {
    let mut doc: serde_json::Value = serde_json::from_slice(&read(
        "coverage/coveragepy/crackerjack-coverage-7.10.4-large.json",
    ))
    .unwrap();
    let files = doc["files"].as_object().unwrap().clone();
    let mut all = serde_json::Map::new();
    let mut copy = 0;
    let mut size = 0;
    while size < target {
        for (k, v) in &files {
            all.insert(format!("copy{copy}/{k}"), v.clone());
        }
        size = serde_json::to_vec(&all).unwrap().len();
        copy += 1;
    }
    doc["files"] = serde_json::Value::Object(all);
    serde_json::to_vec(&doc).unwrap()
}

/// JaCoCo with its packages repeated under renamed package paths.
fn scaled_jacoco(target: usize) -> Vec<u8> {
    let base = String::from_utf8(read("coverage/jacoco/sonar-jacoco-sonarlint-cli.xml")).unwrap();
    let start = base.find("<package").unwrap();
    let end = base.rfind("</package>").unwrap() + "</package>".len();
    let (head, body, tail) = (&base[..start], &base[start..end], &base[end..]);
    let mut out = String::with_capacity(target + base.len());
    out.push_str(head);
    let mut copy = 0;
    while out.len() < target {
        out.push_str(&body.replace("<package name=\"", &format!("<package name=\"copy{copy}/")));
        copy += 1;
    }
    out.push_str(tail);
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let options = ParseOptions::default();
    let inputs: Vec<(String, Vec<u8>)> = vec![
        (
            "lcov firefox 2.96 MB".into(),
            read("coverage/lcov/grcov-firefox-prova-large.info"),
        ),
        (
            "jacoco sonarlint-cli".into(),
            read("coverage/jacoco/sonar-jacoco-sonarlint-cli.xml"),
        ),
        (
            "coveragepy crackerjack 1 MB".into(),
            read("coverage/coveragepy/crackerjack-coverage-7.10.4-large.json"),
        ),
        ("lcov scaled 50 MB".into(), scaled_lcov(50 << 20)),
        ("jacoco scaled 50 MB".into(), scaled_jacoco(50 << 20)),
        (
            "coveragepy scaled 50 MB".into(),
            scaled_coveragepy(50 << 20),
        ),
    ];
    let mut g = c.benchmark_group("parse-coverage");
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
