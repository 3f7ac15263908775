//! Peak memory of the whole `gate` process against the target of issue 11:
//! peak RSS at most 4 × the input's size + 64 MB. For each case an input is
//! generated (our own synthetic content, scaled), and the real `gate` binary
//! runs on it as a child: `gate parse FILE` (read and parse only: the
//! artifacts crate's share), `gate eval --policy builtin:… FILE` (parse,
//! lower the model into the guest, evaluate) and `gate check` of the same
//! policy with its fuel, memory, time and findings limits raised (so that
//! a policy that runs out of fuel, or reports more findings than a verdict
//! may hold, under the defaults still shows what it needs). The child's peak RSS comes
//! from GNU time (`/usr/bin/time -f %M`), so nothing runs in this process.
//! The policy's compile cache is warmed first: compiling the component is
//! not what grows with the input. A second table breaks `gate eval` down:
//! this binary, re-run as a child with `--stages FILE POLICY PARAMS`, does its
//! steps in process (read, parse, share the model with the runtime,
//! load the policy, evaluate, read the findings back) and reports its peak
//! RSS after each.
//!
//! `cargo bench -p gate --bench check_memory [-- FILTER]` (release).
//! `GATE_MEMORY_SCALE=0.1` shrinks every input (quick check); `GATE_BIN`
//! runs another `gate` binary instead of this build's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::path::Path;
use std::process::{Command, Stdio};

const MB: f64 = 1024.0 * 1024.0;
const TIME: &str = "/usr/bin/time";

struct Case {
    name: &'static str,
    mb: f64,
    generate: fn(usize) -> String,
    file: &'static str,
    policy: &'static str,
    /// The policy's params, as `--params` JSON and as a gate.toml value
    /// (empty: none).
    params: (&'static str, &'static str),
}

#[path = "inputs.rs"]
mod inputs;
use inputs::{junit, lcov_files, lcov_one_line, prometheus_range, sarif, terraform_plan};

const CASES: &[Case] = &[
    Case {
        name: "lcov (200-line files)",
        mb: 30.0,
        generate: lcov_files,
        file: "lcov.info",
        policy: "builtin:coverage",
        params: ("", ""),
    },
    Case {
        name: "lcov (one-line records)",
        mb: 30.0,
        generate: lcov_one_line,
        file: "lcov.info",
        policy: "builtin:coverage",
        params: ("", ""),
    },
    Case {
        name: "sarif",
        mb: 30.0,
        generate: sarif,
        file: "results.sarif",
        policy: "builtin:security",
        params: ("", ""),
    },
    Case {
        name: "terraform plan",
        mb: 30.0,
        generate: terraform_plan,
        file: "plan.json",
        policy: "builtin:iac",
        params: ("", ""),
    },
    // Issues 16 and 17: a Surefire-like report (one case in ten failing
    // with a stack trace) and a canary's range query over many pods.
    Case {
        name: "junit",
        mb: 50.0,
        generate: junit,
        file: "TEST-bench.xml",
        policy: "builtin:tests",
        params: ("", ""),
    },
    Case {
        name: "prometheus query_range",
        mb: 50.0,
        generate: prometheus_range,
        file: "p95-by-pod.query_range.json",
        policy: "builtin:canary",
        params: (
            r#"{"metrics":[{"query":"p95-by-pod","max-ratio":1.5}]}"#,
            r#"{ metrics = [{ query = "p95-by-pod", max-ratio = 1.5 }] }"#,
        ),
    },
];

/// Runs `gate ARGS` under GNU time: (exit code, peak RSS in bytes).
fn measure(gate: &str, args: &[&str], cache: &Path, rss: &Path) -> (Option<i32>, f64) {
    let status = Command::new(TIME)
        .arg("-f")
        .arg("%M")
        .arg("-o")
        .arg(rss)
        .arg(gate)
        .args(args)
        .env("GATE_CACHE_DIR", cache)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    let kb: f64 = std::fs::read_to_string(rss)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .unwrap_or(0.0);
    (status.code(), kb * 1024.0)
}

/// Peak and current resident set of this process, in bytes.
fn rss() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(0.0, |kb| kb * 1024.0)
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// The child of the breakdown: the steps of `gate eval` one by one, in
/// process, printing `step peak current` (bytes) after each. The steps
/// mirror `evaluate::build_artifacts` for one artifact: a single coverage
/// report is converted as it is (several would be merged into a copy).
fn stages(path: &str, policy: &str, params: &str) {
    use gate::runtime::bindings::types as wit;
    use gate::runtime::{CallEnv, CompileCache, Input, Limits, Request, Runtime, Shared, convert};
    let report = |step: &str| {
        let (peak, now) = rss();
        println!("{step} {peak} {now}");
    };
    report("start");
    let bytes = std::fs::read(path).unwrap();
    report("read");
    let parsed = gate_artifacts::parse(path, &bytes, None, &Default::default()).unwrap();
    report("parse");
    let meta = wit::ArtifactMeta {
        path: path.into(),
        format: parsed.format.to_string(),
        sha256: String::new(),
        role: wit::ArtifactRole::Current,
    };
    // What `evaluate::build_artifacts` does: the model is shared, its items
    // converted only when the policy reads them.
    let totals = match &parsed.model {
        gate_artifacts::Model::Coverage(c) => Some(convert::coverage_totals(c)),
        _ => None,
    };
    let kind = parsed.kind();
    // Test totals and suites, and a metrics result, are passed whole.
    let tests = match &parsed.model {
        gate_artifacts::Model::Tests(t) => Some((convert::test_totals(t), convert::test_suites(t))),
        _ => None,
    };
    let metrics = match &parsed.model {
        gate_artifacts::Model::Metrics(r) => Some(convert::metrics(meta.clone(), r)),
        _ => None,
    };
    let shared = Shared::Model(std::sync::Arc::new(parsed.model));
    let artifact = match (kind, totals) {
        (gate_artifacts::ArtifactKind::Tests, _) => {
            let (totals, suites) = tests.unwrap();
            Input::Tests {
                meta,
                totals,
                suites,
                cases: shared,
                warnings: vec![],
            }
        }
        (gate_artifacts::ArtifactKind::Metrics, _) => Input::Metrics(Box::new(metrics.unwrap())),
        (gate_artifacts::ArtifactKind::Coverage, Some(totals)) => Input::Coverage {
            meta,
            totals,
            files: shared,
        },
        (gate_artifacts::ArtifactKind::Findings, _) => Input::Findings {
            meta,
            findings: shared,
        },
        (gate_artifacts::ArtifactKind::Iac, _) => Input::Iac {
            meta,
            resources: shared,
        },
        _ => panic!("not a model this bench knows"),
    };
    report("share the model");
    let cache = std::env::var("GATE_CACHE_DIR").unwrap();
    let limits = Limits {
        fuel: 1_000_000_000_000,
        timeout: std::time::Duration::from_secs(600),
        memory_bytes: 4 << 30,
        max_findings: 10_000_000,
        ..Limits::default()
    };
    let runtime = Runtime::new(limits, CompileCache::at(std::path::Path::new(&cache))).unwrap();
    let name = policy.trim_start_matches("builtin:");
    let loaded = runtime
        .load(gate::policies::builtin::get(name).unwrap())
        .unwrap();
    report("load policy");
    let request = Request {
        artifacts: vec![artifact],
        params: if params.is_empty() { "{}" } else { params }.into(),
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
        now: std::time::Duration::from_secs(1_767_225_600),
    };
    let (verdict, _) = runtime.evaluate(&loaded, env, request);
    std::hint::black_box(&verdict);
    report(if verdict.is_ok() {
        "evaluate"
    } else {
        "evaluate (failed)"
    });
    // The findings waited encoded (past a few MB in a temporary file);
    // the model is gone with the request, as in `evaluate::evaluate`.
    if let Ok(judged) = verdict {
        let findings = judged.findings.load().unwrap();
        std::hint::black_box(&findings);
        report("read back findings");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--stages") {
        stages(&args[i + 1], &args[i + 2], &args[i + 3]);
        return;
    }
    // `GATE_BIN` measures another build (e.g. a baseline) the same way.
    let gate = std::env::var("GATE_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_gate").into());
    let gate = gate.as_str();
    let gnu = Command::new(TIME)
        .args(["-f", "%M", "true"])
        .stderr(Stdio::piped())
        .output()
        .is_ok_and(|o| o.status.success() && !o.stderr.is_empty());
    if !gnu {
        println!("{TIME} (GNU time) is needed to read a child's peak RSS; skipped");
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
    let dir = std::env::temp_dir().join(format!("gate-check-memory-{}", std::process::id()));
    let cache = dir.join("cache");
    std::fs::create_dir_all(&cache).unwrap();
    let rss = dir.join("rss");
    println!(
        "{:<24} {:<18} {:>9} {:>13} {:>10} {:>7}  {:<5} target (≤ 4 × input + 64 MB)",
        "input", "gate …", "input MB", "peak RSS MB", "target MB", "ratio", "exit"
    );
    let mut failed = 0;
    for case in CASES {
        if !filter.is_empty() && !filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let file = dir.join(case.file);
        // Warm the compile cache on a small input of the same kind.
        std::fs::write(&file, (case.generate)(64 << 10)).unwrap();
        let path = file.to_str().unwrap();
        let (json_params, toml_params) = case.params;
        let mut eval = vec!["eval", "--policy", case.policy];
        if !json_params.is_empty() {
            eval.extend(["--params", json_params]);
        }
        eval.push(path);
        measure(gate, &eval, &cache, &rss);

        let text = (case.generate)((case.mb * scale * MB) as usize);
        std::fs::write(&file, text.as_bytes()).unwrap();
        let size = text.len() as f64;
        drop(text);
        // `eval` runs under the default limits, where a big input may run
        // the policy out of fuel or past the findings a verdict may hold
        // (exit 4); `check` runs the same policy with limits raised.
        let config = dir.join("gate.toml");
        std::fs::write(
            &config,
            format!(
                "[[artifact]]\npath = \"{}\"\n\n[[policy]]\nuse = \"{}\"\nlevel = \"hard\"\n{}\n\
                 [limits]\nfuel = 1000000000000\nmemory-mib = 4096\ntimeout-ms = 600000\nmax-findings = 10000000\n",
                case.file,
                case.policy,
                if toml_params.is_empty() {
                    String::new()
                } else {
                    format!("params = {toml_params}\n")
                }
            ),
        )
        .unwrap();
        let config = config.to_str().unwrap();
        let runs: [(&str, Vec<&str>); 3] = [
            ("parse", vec!["parse", path]),
            ("eval", eval.clone()),
            ("check (no limits)", vec!["check", "--config", config]),
        ];
        for (command, args) in runs {
            let (code, peak) = measure(gate, &args, &cache, &rss);
            let target = 4.0 * size + 64.0 * MB;
            let met = peak > 0.0 && peak <= target;
            if !met {
                failed += 1;
            }
            println!(
                "{:<24} {:<18} {:>9.2} {:>13.1} {:>10.1} {:>7.1}  {:<5} {}",
                case.name,
                command,
                size / MB,
                peak / MB,
                target / MB,
                peak / size,
                code.map_or("-".into(), |c| c.to_string()),
                if met { "OK" } else { "OVER" }
            );
        }
    }
    println!("{failed} run(s) over target");
    println!();
    println!("Where `gate eval` memory goes (in process, the same steps; peak after each step):");
    println!(
        "{:<24} {:<18} {:>13} {:>13} {:>13}",
        "input", "step", "peak MB", "+ peak MB", "current MB"
    );
    let exe = std::env::current_exe().unwrap();
    for case in CASES {
        if !filter.is_empty() && !filter.iter().any(|f| case.name.contains(f.as_str())) {
            continue;
        }
        let file = dir.join(case.file);
        std::fs::write(&file, (case.generate)((case.mb * scale * MB) as usize)).unwrap();
        let out = Command::new(&exe)
            .arg("--stages")
            .arg(&file)
            .arg(case.policy)
            .arg(case.params.0)
            .env("GATE_CACHE_DIR", &cache)
            .output()
            .unwrap();
        let mut last = 0.0;
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            let parts: Vec<&str> = line.rsplitn(3, ' ').collect();
            let [now, peak, step] = parts[..] else {
                continue;
            };
            let (peak, now): (f64, f64) = (peak.parse().unwrap(), now.parse().unwrap());
            println!(
                "{:<24} {:<18} {:>13.1} {:>13.1} {:>13.1}",
                case.name,
                step,
                peak / MB,
                (peak - last) / MB,
                now / MB
            );
            last = peak;
        }
        if !out.status.success() {
            println!("{:<24} crashed ({})", case.name, out.status);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    // A regression fails the bench run, not only a line of its table.
    if failed > 0 {
        std::process::exit(1);
    }
}
