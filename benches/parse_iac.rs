//! Parser throughput: iac. Real corpus files (Argo CD install YAML, a
//! CloudFormation template, a Dockerfile, a Terraform plan) and Terraform
//! plans scaled up from `iac/terraform-plan/checkov/tags.json` to ~10 000
//! resource changes (~8 MB) and to >= 50 MB.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use gate_artifacts::{ParseOptions, parse};
use serde_json::Value;
use std::hint::black_box;
use std::time::Duration;

#[path = "corpus.rs"]
mod corpus_files;
use corpus_files::read;

/// `tags.json` with its resource changes copied until there are at least
/// `target` of them, each copy under a distinct module address.
fn scaled_plan(target: usize) -> Vec<u8> {
    let mut plan: Value =
        serde_json::from_slice(&read("iac/terraform-plan/checkov/tags.json")).unwrap();
    let base = plan["resource_changes"].as_array().unwrap().clone();
    let mut changes = Vec::with_capacity(target + base.len());
    let mut copy = 0;
    while changes.len() < target {
        for rc in &base {
            let mut rc = rc.clone();
            let address = rc["address"].as_str().unwrap().to_string();
            rc["address"] = Value::String(format!("module.copy{copy}.{address}"));
            rc["module_address"] = Value::String(format!("module.copy{copy}"));
            changes.push(rc);
        }
        copy += 1;
    }
    plan["resource_changes"] = Value::Array(changes);
    serde_json::to_vec(&plan).unwrap()
}

fn bench(c: &mut Criterion) {
    let options = ParseOptions::default();
    let mut inputs: Vec<(String, Vec<u8>)> = [
        "iac/kubernetes/argo-cd/install.yaml",
        "peers/cfn-lint-snapshots/templates/nist_vpc_management.yaml",
        "iac/cloudformation/cfn-lint-quickstart-vpc.json",
        "iac/dockerfile/argo-cd.Dockerfile",
        "iac/terraform-plan/checkov/modules_edges.json",
    ]
    .into_iter()
    .map(|rel| (rel.to_string(), read(rel)))
    .collect();
    inputs.push(("scaled-plan-10k".into(), scaled_plan(10_000)));
    let mut big = 60_000;
    let mut huge = scaled_plan(big);
    while huge.len() < 50 * 1024 * 1024 {
        big += 10_000;
        huge = scaled_plan(big);
    }
    inputs.push((format!("scaled-plan-{}k", big / 1000), huge));

    let mut group = c.benchmark_group("parse_iac");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, bytes) in &inputs {
        // sanity: every input parses
        parse(name, bytes, None, &options).unwrap_or_else(|e| panic!("{e}"));
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        let id = name.rsplit('/').next().unwrap_or(name);
        group.bench_function(format!("{id} ({:.1} MB)", bytes.len() as f64 / 1e6), |b| {
            b.iter(|| parse(black_box(name), black_box(bytes), None, &options).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
