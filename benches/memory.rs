//! Peak memory per parser against the target of issue 11: peak RSS at most
//! 4 × the input's size + 64 MB. For each case an input is generated (our
//! own synthetic content, scaled; no corpus needed), written to a temporary
//! file and parsed by a child process — this binary re-run with
//! `--child FILE` — which reports its own peak RSS (`VmHWM` of
//! `/proc/self/status`, Linux) after reading the file and parsing it. The
//! child's peak therefore includes the input bytes themselves. The child
//! also times the parse (MB/s column: CPU time of one run, 10 ms ticks, a
//! rough figure).
//!
//! `cargo bench -p gate-artifacts --bench memory` (release). Optional
//! filter: `cargo bench -p gate-artifacts --bench memory -- kubernetes`.
//! Issue 13's two inputs are made from corpus files (skipped without it).
//! `GATE_MEMORY_SCALE=0.1` shrinks every input (quick check).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::process::Command;

const MB: f64 = 1024.0 * 1024.0;

/// Peak resident set of this process, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb * 1024)
}

/// CPU time of this thread so far, in seconds (`/proc/thread-self/stat`,
/// clock ticks of 1/100 s): the parse's speed without the wait for a
/// core on a busy machine.
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(')')
        .map_or(Vec::new(), |(_, rest)| rest.split_whitespace().collect());
    // utime and stime: fields 14 and 15, the 12th and 13th after `comm`.
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

/// One case: a name and a generator for about `target` bytes (an empty
/// text: the case needs the corpus, which is not there; it is skipped).
struct Case {
    name: &'static str,
    mb: f64,
    generate: fn(usize) -> String,
    /// Whether the document must parse (false: it must be refused).
    valid: bool,
}

#[path = "inputs.rs"]
mod inputs;
use inputs::*;
// Only its `corpus()`.
#[allow(dead_code)]
#[path = "corpus.rs"]
mod corpus_files;

/// A corpus file, or nothing when the corpus is not there.
fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    std::fs::read(corpus_files::corpus().join(rel)).ok()
}

/// Issue 13's SARIF: the Semgrep log scaled to `target` bytes (48 MB:
/// × 51, 46.8 MB).
fn issue13_sarif(target: usize) -> String {
    corpus_file(SEMGREP_SARIF)
        .map(|src| String::from_utf8(big_sarif(&src, target)).unwrap())
        .unwrap_or_default()
}

/// Issue 13's plan: `tags.json` copied to about `target` bytes (8.48 MB:
/// × 200, as in the issue).
fn issue13_plan(target: usize) -> String {
    let Some(src) = corpus_file(TAGS_PLAN) else {
        return String::new();
    };
    // Size = fixed part + copies × one copy's part.
    let (one, two) = (big_tfplan(&src, 1).len(), big_tfplan(&src, 2).len());
    let per = two.saturating_sub(one).max(1);
    let copies = (target.saturating_sub(one.saturating_sub(per)) as f64 / per as f64)
        .round()
        .max(1.0);
    String::from_utf8(big_tfplan(&src, copies as usize)).unwrap()
}

const CASES: &[Case] = &[
    Case {
        name: "lcov (one-line records)",
        mb: 6.7,
        generate: lcov_one_line,
        valid: true,
    },
    Case {
        name: "lcov (one-line, 50 MB)",
        mb: 50.0,
        generate: lcov_one_line,
        valid: true,
    },
    Case {
        name: "lcov (200-line files)",
        mb: 51.0,
        generate: lcov_files,
        valid: true,
    },
    Case {
        name: "go-cover",
        mb: 30.0,
        generate: go_profile,
        valid: true,
    },
    Case {
        name: "go-cover range bomb",
        mb: 0.0,
        generate: go_range_bomb,
        valid: false,
    },
    Case {
        name: "cobertura",
        mb: 30.0,
        generate: cobertura,
        valid: true,
    },
    Case {
        name: "jacoco",
        mb: 30.0,
        generate: jacoco,
        valid: true,
    },
    Case {
        name: "clover",
        mb: 30.0,
        generate: clover,
        valid: true,
    },
    Case {
        name: "istanbul",
        mb: 30.0,
        generate: istanbul,
        valid: true,
    },
    Case {
        name: "istanbul-summary",
        mb: 20.0,
        generate: istanbul_summary,
        valid: true,
    },
    Case {
        name: "coveragepy",
        mb: 30.0,
        generate: coveragepy,
        valid: true,
    },
    Case {
        name: "sarif",
        mb: 30.0,
        generate: sarif,
        valid: true,
    },
    Case {
        name: "sarif semgrep x51 (issue 13)",
        mb: 48e6 / MB,
        generate: issue13_sarif,
        valid: true,
    },
    Case {
        name: "grype",
        mb: 30.0,
        generate: grype,
        valid: true,
    },
    Case {
        name: "trivy",
        mb: 25.0,
        generate: trivy,
        valid: true,
    },
    Case {
        name: "npm-audit",
        mb: 25.0,
        generate: npm_audit,
        valid: true,
    },
    Case {
        name: "osv-scanner",
        mb: 25.0,
        generate: osv_scanner,
        valid: true,
    },
    Case {
        name: "pip-audit",
        mb: 25.0,
        generate: pip_audit,
        valid: true,
    },
    Case {
        name: "cargo-audit",
        mb: 25.0,
        generate: cargo_audit,
        valid: true,
    },
    Case {
        name: "gitleaks",
        mb: 25.0,
        generate: gitleaks,
        valid: true,
    },
    Case {
        name: "kubernetes (configmaps)",
        mb: 20.8,
        generate: kubernetes_yaml,
        valid: true,
    },
    Case {
        name: "kubernetes (deployments)",
        mb: 20.0,
        generate: kubernetes_workloads,
        valid: true,
    },
    Case {
        name: "kubernetes (one List)",
        mb: 20.0,
        generate: kubernetes_list,
        valid: true,
    },
    Case {
        name: "yaml long-string aliases",
        mb: 0.0,
        generate: yaml_long_alias,
        valid: false,
    },
    Case {
        name: "kubernetes json (List)",
        mb: 20.0,
        generate: kubernetes_json_list,
        valid: true,
    },
    Case {
        name: "yaml alias bomb",
        mb: 0.0,
        generate: yaml_alias_bomb,
        valid: false,
    },
    Case {
        name: "cloudformation yaml",
        mb: 20.0,
        generate: cloudformation_yaml,
        valid: true,
    },
    Case {
        name: "cloudformation json",
        mb: 20.0,
        generate: cloudformation_json,
        valid: true,
    },
    Case {
        name: "terraform plan",
        mb: 30.0,
        generate: terraform_plan,
        valid: true,
    },
    Case {
        name: "tags.json x200 (issue 13)",
        mb: 8_477_604.0 / MB,
        generate: issue13_plan,
        valid: true,
    },
    Case {
        name: "dockerfile",
        mb: 20.0,
        generate: dockerfile,
        valid: true,
    },
    Case {
        name: "github reviews",
        mb: 20.0,
        generate: github_reviews,
        valid: true,
    },
    Case {
        name: "github event",
        mb: 20.0,
        generate: github_event,
        valid: true,
    },
    Case {
        name: "gitlab approvals",
        mb: 20.0,
        generate: gitlab_approvals,
        valid: true,
    },
    Case {
        name: "gate approvals",
        mb: 20.0,
        generate: gate_approvals,
        valid: true,
    },
    Case {
        name: "junit (surefire-like)",
        mb: 50.0,
        generate: junit,
        valid: true,
    },
    Case {
        name: "prometheus (query_range)",
        mb: 50.0,
        generate: prometheus_range,
        valid: true,
    },
    Case {
        name: "go-test-json",
        mb: 30.0,
        generate: go_test_json,
        valid: true,
    },
    Case {
        name: "tap (node)",
        mb: 30.0,
        generate: tap,
        valid: true,
    },
    Case {
        name: "ctrf",
        mb: 30.0,
        generate: ctrf,
        valid: true,
    },
    Case {
        name: "libtest-json",
        mb: 30.0,
        generate: libtest_json,
        valid: true,
    },
    Case {
        name: "go-bench (-count, one benchmark)",
        mb: 30.0,
        generate: go_bench_count,
        valid: true,
    },
    Case {
        name: "go-bench (tiny distinct lines)",
        mb: 30.0,
        generate: go_bench_distinct,
        valid: false,
    },
    Case {
        name: "go-bench-json (split results)",
        mb: 30.0,
        generate: go_bench_json,
        valid: true,
    },
    Case {
        name: "hyperfine (60 runs each)",
        mb: 30.0,
        generate: hyperfine_json,
        valid: true,
    },
    Case {
        name: "hyperfine (tiny results)",
        mb: 30.0,
        generate: hyperfine_tiny,
        valid: false,
    },
    Case {
        name: "hyperfine (30 MB of times)",
        mb: 30.0,
        generate: hyperfine_times,
        valid: false,
    },
    Case {
        name: "pytest-benchmark",
        mb: 30.0,
        generate: pytest_benchmark,
        valid: true,
    },
    Case {
        name: "locust-history (35k rows)",
        mb: 5.0,
        generate: locust_history,
        valid: true,
    },
    Case {
        name: "locust-history (30 MB)",
        mb: 30.0,
        generate: locust_history,
        valid: false,
    },
    Case {
        name: "locust-stats (tiny rows)",
        mb: 30.0,
        generate: locust_stats,
        valid: false,
    },
    Case {
        name: "locust-failures (tiny rows)",
        mb: 30.0,
        generate: locust_failures,
        valid: false,
    },
    Case {
        name: "locust-json (300 buckets)",
        mb: 30.0,
        generate: locust_json,
        valid: true,
    },
    Case {
        name: "lighthouse (tiny audits)",
        mb: 30.0,
        generate: lighthouse,
        valid: false,
    },
];

/// The child: read, parse, report `ok|refused <peak bytes> <parse CPU
/// seconds>` on stdout.
fn child(path: &str) {
    let bytes = std::fs::read(path).unwrap();
    let start = cpu_secs();
    let result =
        gate_artifacts::parse(path, &bytes, None, &gate_artifacts::ParseOptions::default());
    let secs = cpu_secs() - start;
    let outcome = match &result {
        Ok(_) => "ok".to_string(),
        Err(e) => format!("refused:{}", e.code),
    };
    std::hint::black_box(&result);
    println!("{outcome} {} {secs}", peak_rss());
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(&args[i + 1]);
        return;
    }
    // `cargo bench` passes `--bench`; anything else is a name filter.
    let filter: Vec<&String> = args
        .iter()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scale: f64 = std::env::var("GATE_MEMORY_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let exe = std::env::current_exe().unwrap();
    let dir = std::env::temp_dir().join(format!("gate-memory-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    println!(
        "{:<28} {:>9} {:>13} {:>10} {:>7} {:>9}  {:<28} target (≤ 4 × input + 64 MB)",
        "format", "input MB", "peak RSS MB", "target MB", "ratio", "CPU MB/s", "outcome"
    );
    let mut failed = 0;
    for case in CASES {
        if !filter.is_empty() && !filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let text = (case.generate)((case.mb * scale * MB) as usize);
        if text.is_empty() && case.valid {
            println!("{:<28} skipped: no corpus (GATE_CORPUS)", case.name);
            continue;
        }
        let file = dir.join("input");
        std::fs::write(&file, text.as_bytes()).unwrap();
        let size = text.len() as f64;
        drop(text);
        let out = Command::new(&exe)
            .arg("--child")
            .arg(&file)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<&str> = stdout.split_whitespace().collect();
        let (outcome, peak, secs) = match fields.as_slice() {
            [o, p, t] if out.status.success() => (
                (*o).to_string(),
                p.parse::<f64>().unwrap_or(0.0),
                t.parse::<f64>().unwrap_or(0.0),
            ),
            _ => (format!("crashed ({})", out.status), 0.0, 0.0),
        };
        let expected = if case.valid {
            outcome == "ok"
        } else {
            outcome.starts_with("refused")
        };
        let target = 4.0 * size + 64.0 * MB;
        let met = expected && peak > 0.0 && peak <= target;
        if !met {
            failed += 1;
        }
        println!(
            "{:<28} {:>9.2} {:>13.1} {:>10.1} {:>7.1} {:>9.0}  {:<28} {}",
            case.name,
            size / MB,
            peak / MB,
            target / MB,
            if size > 0.0 { peak / size } else { 0.0 },
            if secs > 0.0 { size / MB / secs } else { 0.0 },
            outcome,
            if met { "OK" } else { "OVER" }
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{failed} case(s) over target or with the wrong outcome");
    // A regression fails the bench run, not only a line of its table.
    if failed > 0 {
        std::process::exit(1);
    }
}
