//! `gate check` against a real Prometheus (Debian's `prometheus`) on a
//! loopback port, over a TSDB backfilled with `promtool tsdb
//! create-blocks-from openmetrics` from scenarios generated here: each
//! gives the decision its truth says, live and replayed from `--record`;
//! fetch failures are exit 3 with the query and the server's words.
//! Missing tools skip outside CI and fail under it.

use crate::registry::have;
use crate::registry_server::{free_port, http_status};
use crate::{Run, TestDir};
use serde_json::Value;
use std::fmt::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// (scenario, what the canary does, exit code, decision).
const SCENARIOS: &[(&str, i32, &str)] = &[
    ("healthy", 0, "promote"),
    ("errors", 1, "roll back"),
    ("latency", 1, "roll back"),
    ("missing", 0, "inconclusive"),
    ("gap", 0, "inconclusive"),
];

/// Two hours at 15 s, ending at `end`.
const STEPS: i64 = 480;

/// Deterministic noise in -1..1.
fn noise(i: i64, salt: i64) -> f64 {
    ((i * 37 + salt * 101) % 97) as f64 / 48.5 - 1.0
}

/// The OpenMetrics text of every scenario: a gauge of the 5xx ratio and of
/// the p95 latency per track. `errors`: the canary's ratio is 8 % (stable
/// 0.5 %); `latency`: its p95 is 1.6x; `missing`: no canary latency at all;
/// `gap`: the canary stops reporting 20 minutes before the end.
fn openmetrics(end: i64) -> String {
    let mut out = String::new();
    for (family, help) in [
        ("app_error_ratio", "5xx share of requests"),
        ("app_latency_p95_seconds", "p95 request latency"),
    ] {
        writeln!(out, "# HELP {family} {help}\n# TYPE {family} gauge").unwrap();
        for (scenario, _, _) in SCENARIOS {
            for track in ["stable", "canary"] {
                let latency = family == "app_latency_p95_seconds";
                if *scenario == "missing" && track == "canary" && latency {
                    continue;
                }
                for i in 0..=STEPS {
                    let t = end - (STEPS - i) * 15;
                    if *scenario == "gap" && track == "canary" && t > end - 20 * 60 {
                        continue;
                    }
                    let salt = if track == "canary" { 1 } else { 2 };
                    let mut v = if latency {
                        0.150 + 0.004 * noise(i, salt)
                    } else {
                        0.005 + 0.0008 * noise(i, salt)
                    };
                    if track == "canary" && *scenario == "errors" && !latency {
                        v = 0.08 + 0.004 * noise(i, 3);
                    }
                    if track == "canary" && *scenario == "latency" && latency {
                        v *= 1.6;
                    }
                    writeln!(
                        out,
                        "{family}{{scenario=\"{scenario}\",track=\"{track}\"}} {v} {t}"
                    )
                    .unwrap();
                }
            }
        }
    }
    out.push_str("# EOF\n");
    out
}

/// A Prometheus serving `data`, killed on drop.
struct Prometheus {
    child: Child,
    port: u16,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(t: &TestDir, end: i64) -> Prometheus {
    let input = t.write("input.om.txt", openmetrics(end));
    let data = t.path().join("data");
    let out = Command::new("promtool")
        .args(["tsdb", "create-blocks-from", "openmetrics"])
        .arg(&input)
        .arg(&data)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "promtool: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let config = t.write("prometheus.yml", "global:\n  scrape_interval: 1m\n");
    let port = free_port();
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!("--storage.tsdb.path={}", data.display()))
        .arg(format!("--web.listen-address=127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let p = Prometheus { child, port };
    let deadline = Instant::now() + Duration::from_secs(60);
    while http_status(port, "/-/ready") != Some(200) {
        assert!(Instant::now() < deadline, "prometheus did not become ready");
        std::thread::sleep(Duration::from_millis(100));
    }
    p
}

/// gate.toml for one scenario against `url`.
fn config(url: &str, scenario: &str) -> String {
    format!(
        r#"
[[metrics]]
name = "error-rate"
url = "{url}"
query = 'avg_over_time(app_error_ratio{{scenario="{scenario}",{{{{selector}}}}}}[5m])'
canary = 'track="canary"'
baseline = 'track="stable"'

[[metrics]]
name = "p95"
url = "{url}"
query = 'avg_over_time(app_latency_p95_seconds{{scenario="{scenario}",{{{{selector}}}}}}[5m])'
canary = 'track="canary"'
baseline = 'track="stable"'

[[metrics]]
name = "p95-window"
url = "{url}"
query = 'app_latency_p95_seconds{{scenario="{scenario}",{{{{selector}}}}}}'
canary = 'track="canary"'
baseline = 'track="stable"'
window = "30m"
step = "60s"

[[policy]]
use = "builtin:canary"
params = {{ metrics = [
  {{ query = "error-rate", max = 0.05, max-ratio = 2.0 }},
  {{ query = "p95", max-ratio = 1.5, unit = "s" }},
  {{ query = "p95-window", mann-whitney = {{ allowed-increase = 1.2 }} }},
] }}
"#
    )
}

fn check(t: &TestDir, now: &str, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--now", now, "--format", "json"];
    args.extend_from_slice(extra);
    t.run(&args)
}

fn summary(v: &Value) -> String {
    v["policies"][0]["summary"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn live_and_replayed_decisions_follow_each_scenario() {
    if !have("prometheus", &["--version"]) || !have("promtool", &["--version"]) {
        return;
    }
    let t = TestDir::new();
    // A whole minute, two hours of data before it (well inside retention).
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let end = wall - wall % 60 - 3600;
    let now = jiff::Timestamp::from_second(end).unwrap().to_string();
    let prom = start(&t, end);
    let url = format!("http://127.0.0.1:{}", prom.port);
    for (scenario, code, decision) in SCENARIOS {
        let dir = TestDir::new();
        dir.write("gate.toml", config(&url, scenario));
        let live = check(&dir, &now, &["--record", "rec"]);
        let v = live.json();
        assert_eq!(live.code(), *code, "{scenario} live: {}", summary(&v));
        assert!(
            summary(&v).starts_with(decision),
            "{scenario} live: {}",
            summary(&v)
        );
        // Every response was recorded, one per side and query.
        for q in ["error-rate", "p95"] {
            for side in ["canary", "baseline"] {
                assert!(
                    dir.path()
                        .join(format!("rec/{q}.{side}.query.json"))
                        .is_file(),
                    "{scenario}: {q} {side}"
                );
            }
        }
        assert!(
            dir.path()
                .join("rec/p95-window.canary.query_range.json")
                .is_file()
        );
        // Replayed (no server needed), the same decision and the same values.
        let replay = check(&dir, &now, &["--replay", "rec"]);
        let r = replay.json();
        assert_eq!(replay.code(), *code, "{scenario} replay: {}", summary(&r));
        assert_eq!(summary(&r), summary(&v), "{scenario}");
        assert_eq!(
            r["policies"][0]["metrics"], v["policies"][0]["metrics"],
            "{scenario}"
        );
    }
    // The window's samples reached the Mann-Whitney test: 31 a side.
    let dir = TestDir::new();
    dir.write("gate.toml", config(&url, "latency"));
    let v = check(&dir, &now, &[]).json();
    let f = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["resource"] == "p95-window")
        .unwrap()
        .clone();
    assert_eq!(f["rule"], "canary/metric-failed", "{f}");
    let e: Value = serde_json::from_str(f["evidence"].as_str().unwrap()).unwrap();
    assert_eq!(e["canary"]["samples"], 31, "{e}");
    assert_eq!(e["baseline"]["samples"], 31, "{e}");

    // The analysis loop stops at the right round (a fixed --now: every
    // round sees the same answers, so the counts decide).
    let looped = |scenario: &str, limits: &[&str]| {
        let dir = TestDir::new();
        dir.write("gate.toml", config(&url, scenario));
        let mut args = vec!["--interval", "1s", "--max-duration", "10m", "--quiet"];
        args.extend_from_slice(limits);
        let r = check(&dir, &now, &args);
        let rounds = r
            .stderr()
            .lines()
            .filter(|l| l.starts_with("round "))
            .count();
        (r.code(), rounds, r.stderr())
    };
    let (code, rounds, err) = looped("healthy", &["--consecutive-success-limit", "3"]);
    assert_eq!((code, rounds), (0, 3), "{err}");
    assert!(err.lines().nth(2).unwrap().ends_with("promote"), "{err}");
    let (code, rounds, err) = looped("errors", &["--failure-limit", "1"]);
    assert_eq!((code, rounds), (1, 2), "{err}");
    assert!(
        err.contains("failures 2/1 · inconclusive 0/0 · roll back"),
        "{err}"
    );
    // A violated failure limit wins over the success limit.
    let (code, rounds, err) = looped("errors", &["--consecutive-success-limit", "1"]);
    assert_eq!((code, rounds), (1, 1), "{err}");
    let (code, rounds, err) = looped("missing", &["--inconclusive-limit", "1"]);
    assert_eq!((code, rounds), (0, 2), "{err}");
    assert!(err.contains("inconclusive 2/1 · inconclusive"), "{err}");
    // SIGTERM ends it with the verdict so far: inconclusive, exit 1.
    let dir = TestDir::new();
    dir.write("gate.toml", config(&url, "healthy"));
    let child = dir
        .command()
        .args(["check", "--now", &now, "--interval", "1s", "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id().to_string();
    let mut child = child;
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut first = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut first).unwrap();
    assert!(first.starts_with("round 1 "), "{first}");
    let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    assert_eq!(status.code(), Some(1), "{rest}");
    assert!(rest.contains("interrupted after"), "{rest}");
    assert!(rest.contains("the canary is not promoted"), "{rest}");

    // Bad PromQL: exit 3 with the query and the server's words.
    let bad = TestDir::new();
    bad.write(
        "gate.toml",
        format!(
            "[[metrics]]\nname = \"broken\"\nurl = \"{url}\"\nquery = 'sum(rate(x[5m])'\n\n[[policy]]\nuse = \"builtin:canary\"\nparams = {{ metrics = [{{ query = \"broken\", max = 1 }}] }}\n"
        ),
    );
    check(&bad, &now, &[])
        .expect_code(3)
        .expect_stderr(
            "error[metrics-fetch]: metrics `broken`: the server answered HTTP 400: bad_data:",
        )
        .expect_stderr("(query: sum(rate(x[5m]))");
    drop(prom);
    // The server gone: unreachable is exit 3 too, never a pass.
    let dir = TestDir::new();
    dir.write("gate.toml", config(&url, "healthy"));
    check(&dir, &now, &[])
        .expect_code(3)
        .expect_stderr("error[metrics-fetch]: metrics `error-rate`: cannot query");
    // A recording without a response is refused.
    check(&dir, &now, &["--replay", "nothing"])
        .expect_code(3)
        .expect_stderr("no recorded response");
}
