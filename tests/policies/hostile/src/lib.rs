//! A deliberately malicious policy for the sandbox tests. `params.attack`
//! picks the attack. When an attack that should be denied *succeeds*, the
//! policy returns a `pass` verdict carrying the loot, so a broken sandbox
//! shows up as a leak and a wrong exit code; when it is denied, the policy
//! gives up with a trap, as real malware would crash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, unsafe_code)]

use gate_sdk::*;

pub struct Hostile;

fn loot(what: &str, data: String) -> Result<Verdict, PolicyError> {
    let mut v = Verdict::pass(format!("stole {what}"));
    v.findings.push(Finding::new("loot", Severity::Info, data));
    Ok(v)
}

impl Policy for Hostile {
    fn info() -> PolicyInfo {
        if cfg!(feature = "trap-in-info") {
            panic!("hostile: trapping inside info()");
        }
        PolicyInfo::new("hostile", "0.0.0", early_emit("attacks the host")).consumes(&[
            ArtifactKind::Coverage,
            ArtifactKind::Findings,
            ArtifactKind::Iac,
            ArtifactKind::Approvals,
        ])
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: serde_json::Value = serde_json::from_str(&request.params).unwrap();
        let attack = params["attack"].as_str().unwrap_or("none").to_string();
        match attack.as_str() {
            "none" => Ok(Verdict::pass("benign")),
            "infinite-loop" => {
                let mut x: u64 = 0;
                loop {
                    x = std::hint::black_box(x.wrapping_add(1));
                }
            }
            "memory-bomb" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 64 << 20]);
                    std::hint::black_box(&hoard);
                }
            }
            "deep-recursion" => {
                fn down(n: u64) -> u64 {
                    // Never true in practice: the stack runs out first.
                    if std::hint::black_box(n) == u64::MAX {
                        return n;
                    }
                    std::hint::black_box(down(n + 1)) + 1
                }
                Ok(Verdict::pass(format!("{}", down(0))))
            }
            "read-passwd" => match std::fs::read_to_string("/etc/passwd") {
                Ok(s) => loot("/etc/passwd", s),
                Err(e) => panic!("hostile: cannot read /etc/passwd: {e}"),
            },
            "list-root" => match std::fs::read_dir("/") {
                Ok(d) => loot("/", format!("{:?}", d.count())),
                Err(e) => panic!("hostile: cannot list /: {e}"),
            },
            "socket" => {
                let addr = params["addr"].as_str().unwrap_or("127.0.0.1:9").to_string();
                match std::net::TcpStream::connect(&addr) {
                    Ok(_) => loot("a socket", format!("connected to {addr}")),
                    Err(e) => panic!("hostile: cannot connect to {addr}: {e}"),
                }
            }
            "env" => {
                let vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
                if vars.is_empty() {
                    panic!("hostile: no environment visible");
                }
                loot("the environment", vars.join("\n"))
            }
            "clock" => {
                // Reports what the guest sees as "now"; not an attack, a probe.
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();

                let mut v = Verdict::pass(format!("now={now}"));
                v.metrics.push(Metric::new("unix-seconds", now as f64));
                v.metrics.push(Metric::new("random", random_u64() as f64));
                Ok(v)
            }
            "flood-stdout" => loop {
                println!("{}", "A".repeat(1024));
            },
            "flood-stderr" => loop {
                eprintln!("{}", "B".repeat(1024));
            },
            "flood-log" => loop {
                log(LogLevel::Info, &"C".repeat(1024));
            },
            "bad-verdict" => {
                let mut v = Verdict::pass("");
                v.findings
                    .push(Finding::new("", Severity::High, "x".repeat(2 << 20)));
                Ok(v)
            }
            "too-many-findings" => {
                let mut v = Verdict::pass("lots");
                // Own fingerprints: the SDK then only checks them, and the
                // host's limit is what this attack meets (not the fuel).
                for i in 0..200_000 {
                    v.findings.push(
                        Finding::new("spam", Severity::Low, format!("finding {i}"))
                            .fingerprint(i.to_string()),
                    );
                }
                Ok(v)
            }
            "nan-metric" => {
                let mut v = Verdict::pass("nan");
                v.metrics.push(Metric::new("coverage", f64::NAN));
                Ok(v)
            }
            "stateful" => {
                // Counts how often evaluate ran in this instance: a fresh
                // store per evaluation must always report 1.
                static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
                let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
                let mut v = Verdict::pass(format!("call {n}"));
                v.metrics.push(Metric::new("calls", n as f64));
                Ok(v)
            }
            "policy-error" => Err(PolicyError::Internal("hostile: giving up politely".into())),
            // The batched boundary (streams in, findings out).
            "forged-handle" => {
                use gate_sdk::bindings::gate::policy::types::CoverageFiles;
                // A handle the host never gave this instance.
                let forged = unsafe { CoverageFiles::from_handle(4242) };
                loot("a forged stream", format!("{} files", forged.len()))
            }
            "stale-handle" => {
                use gate_sdk::bindings::gate::policy::types::CoverageFiles;
                // Drops the request's first resource (handle 1, which the
                // SDK's stream still holds) and reads through it after.
                drop(unsafe { CoverageFiles::from_handle(1) });
                let files = &first_coverage(&request).files;
                loot("a dropped stream", format!("{} files", files.len()))
            }
            "read-past-end" => {
                let files = &first_coverage(&request).files;
                let got = files.read(files.len() + 1, 10);
                loot("a read past the end", format!("{} files", got.len()))
            }
            "drain-forever" => {
                // Re-reads the same stream until the fuel runs out.
                let files = &first_coverage(&request).files;
                let mut n: u64 = 0;
                loop {
                    n = n.wrapping_add(
                        std::hint::black_box(files.read(0, u32::MAX as usize)).len() as u64,
                    );
                    std::hint::black_box(n);
                }
            }
            "emit-flood" => {
                // Unique fingerprints: only the host's cumulative limit stops it.
                for i in 0..200_000u32 {
                    emit(
                        Finding::new("spam", Severity::Low, format!("finding {i}"))
                            .fingerprint(i.to_string()),
                    );
                }
                Ok(Verdict::pass("flooded"))
            }
            "emit-bytes" => {
                // Small batches of big findings, straight to the host: each
                // batch is fine, together they exceed the guest's memory.
                let text = "x".repeat(60 << 10);
                for i in 0..100_000u32 {
                    let f = Finding::new("big", Severity::Low, text.clone())
                        .remediation(text.clone())
                        .evidence(text.clone())
                        .fingerprint(i.to_string());
                    gate_sdk::bindings::gate::policy::host::emit(&[f]);
                }
                Ok(Verdict::pass("flooded"))
            }
            "emit-duplicate" => {
                // The same fingerprint in two batches (the SDK would have
                // disambiguated it; the raw import does not).
                let f = Finding::new("dup", Severity::Low, "twice").fingerprint("same");
                gate_sdk::bindings::gate::policy::host::emit(std::slice::from_ref(&f));
                gate_sdk::bindings::gate::policy::host::emit(&[f]);
                Ok(Verdict::pass("duplicated"))
            }
            "emit-then-repeat" => {
                // An emitted fingerprint again in the returned verdict.
                let f = Finding::new("dup", Severity::Low, "twice").fingerprint("same");
                gate_sdk::bindings::gate::policy::host::emit(std::slice::from_ref(&f));
                let mut v = Verdict::pass("repeated");
                v.findings.push(f);
                Ok(v)
            }
            other => Err(PolicyError::InvalidParams(format!(
                "unknown attack {other}"
            ))),
        }
    }
}

/// With `emit-in-info`, emits a finding from info(), when no verdict is
/// being made (the host must refuse it); `text` either way. A function
/// of its own so the lines of info() (in the panic snapshots) stay put.
fn early_emit(text: &str) -> &str {
    if cfg!(feature = "emit-in-info") {
        let f = Finding::new("early", Severity::Low, "before any evaluation").fingerprint("e");
        gate_sdk::bindings::gate::policy::host::emit(&[f]);
    }
    text
}

/// The first coverage report of the request (the sandbox tests give one).
fn first_coverage(request: &Request) -> &CoverageReport {
    request
        .artifacts
        .iter()
        .find_map(|a| match a {
            Artifact::Coverage(c) => Some(c),
            _ => None,
        })
        .expect("hostile: no coverage artifact")
}

/// 64 bits from the guest's randomness: std seeds `RandomState` from WASI's
/// random source, which the host seeds per policy.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u8(0);
    h.finish()
}

gate_sdk::export!(Hostile);
