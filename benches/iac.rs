//! `builtin:iac` at scale: the real checkov `tags.json` plan replicated to
//! 10 000 resource changes (~8 MB, distinct addresses), evaluated by the
//! whole `gate eval` process (parse + policy) with a warm compile cache.
//! For reference, checkov 3.3.30 takes about 22 s and 837 MB on this input.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{Criterion, criterion_group, criterion_main};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const RESOURCES: usize = 10_000;

fn corpus() -> PathBuf {
    std::env::var_os("GATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"))
}

/// The scaled plan: copies of every resource change under `module.copyN`.
fn scaled_plan() -> String {
    let text =
        std::fs::read_to_string(corpus().join("iac/terraform-plan/checkov/tags.json")).unwrap();
    let plan: Value = serde_json::from_str(&text).unwrap();
    let changes = plan["resource_changes"].as_array().unwrap();
    let mut out = Vec::with_capacity(RESOURCES);
    'copies: for i in 0.. {
        for c in changes {
            if out.len() == RESOURCES {
                break 'copies;
            }
            let mut c = c.clone();
            let address = format!("module.copy{i}.{}", c["address"].as_str().unwrap());
            c["address"] = Value::String(address);
            c["module_address"] = Value::String(format!("module.copy{i}"));
            out.push(c);
        }
    }
    let scaled = json!({
        "format_version": plan["format_version"],
        "terraform_version": plan["terraform_version"],
        "resource_changes": out,
    });
    // One resource change per line: compact, yet not a single 8 MB line.
    let mut s = serde_json::to_string(&scaled).unwrap();
    s = s.replace("},{\"address\"", "},\n{\"address\"");
    s
}

fn process(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, scaled_plan()).unwrap();
    let cache = dir.path().join("cache");
    let run = || {
        let out = Command::new(env!("CARGO_BIN_EXE_gate"))
            .args(["eval", "--policy", "builtin:iac", "--format", "json"])
            .arg(&plan)
            .env("GATE_CACHE_DIR", &cache)
            .output()
            .unwrap();
        // The plan has open high findings: exit 1 (gate failed), never an error.
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run();
    let mut g = c.benchmark_group("iac");
    g.sample_size(10).measurement_time(Duration::from_secs(20));
    g.bench_function("eval-10k-plan-resources/process", |b| b.iter(run));
    g.finish();
}

criterion_group!(benches, process);
criterion_main!(benches);
