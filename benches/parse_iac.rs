//! Parser throughput (parse + normalize, MB/s): iac. Real corpus files
//! (Argo CD install YAML, a CloudFormation template, a Dockerfile, a
//! Terraform plan), issue 13's plan (`iac/terraform-plan/checkov/tags.json`
//! × 200: 8.5 MB, 11 000 resource changes, made in process by
//! `inputs::big_tfplan` as `shared/bench/make_big_tfplan.py` makes it) and
//! the same plan × 1200 (~51 MB).
//!
//! `cargo bench -p gate-artifacts --bench parse_iac [-- FILTER]`
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

fn bench(c: &mut Criterion) {
    let options = ParseOptions::default();
    let mut cases: Vec<(String, Vec<u8>)> = [
        "iac/kubernetes/argo-cd/install.yaml",
        "peers/cfn-lint-snapshots/templates/nist_vpc_management.yaml",
        "iac/cloudformation/cfn-lint-quickstart-vpc.json",
        "iac/dockerfile/argo-cd.Dockerfile",
        "iac/terraform-plan/checkov/modules_edges.json",
    ]
    .into_iter()
    .map(|rel| (rel.to_string(), read(rel)))
    .collect();
    let tags = read(inputs::TAGS_PLAN);
    cases.push((
        "tags.json x200 (issue 13)".into(),
        inputs::big_tfplan(&tags, 200),
    ));
    cases.push(("tags.json x1200".into(), inputs::big_tfplan(&tags, 1200)));

    let mut group = c.benchmark_group("parse_iac");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, bytes) in &cases {
        // sanity: every input parses
        parse(name, bytes, None, &options).unwrap_or_else(|e| panic!("{e}"));
        group.throughput(Throughput::BytesDecimal(bytes.len() as u64));
        let id = name.rsplit('/').next().unwrap_or(name);
        group.bench_function(format!("{id} ({:.1} MB)", bytes.len() as f64 / 1e6), |b| {
            b.iter(|| parse(black_box(name), black_box(bytes), None, &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
