//! Hostile policies are contained: each attack ends as its own error kind,
//! exit code 4, the host alive, and a good policy in the same run reports
//! normally. Nothing from the host (files, env, network, clock) leaks.

use crate::{LCOV_80, Run, TestDir, components};

const NOW: &str = "2026-11-22T10:00:00Z";

/// Runs the hostile policy with `attack` next to the good coverage policy.
fn attack(attack: &str, limits: &str, extra_params: &str) -> (Run, serde_json::Value) {
    let t = TestDir::new();
    let hostile = components::get().hostile.display().to_string();
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        format!(
            "[limits]\n{limits}\n\n[[artifact]]\npath = \"lcov.info\"\n\n\
             [[policy]]\nuse = {hostile:?}\nparams = {{ attack = \"{attack}\"{extra_params} }}\n\n\
             [[policy]]\nuse = \"builtin:coverage\"\nparams = {{ min-line = 50 }}\n"
        ),
    );
    let run = t
        .command()
        .args(["check", "--format", "json", "--now", NOW])
        .env("GATE_TEST_CANARY", "canary-s3cr3t-value")
        .output()
        .unwrap();
    let run = Run { out: run };
    let v = run.json();
    (run, v)
}

/// Asserts the hostile policy errored with `kind` and the good one passed;
/// returns the hostile policy's error message for the test's snapshot.
fn contained(v: &serde_json::Value, kind: &str) -> String {
    let hostile = &v["policies"][0];
    assert_eq!(hostile["outcome"], "error", "{hostile:#}");
    assert_eq!(hostile["error"]["kind"], kind, "{hostile:#}");
    let good = &v["policies"][1];
    assert_eq!(good["name"], "coverage");
    assert_eq!(
        good["outcome"], "pass",
        "good policy must still report: {good:#}"
    );
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["exit_code"], 4);
    // Never anything stolen in the verdict.
    let text = v.to_string();
    assert!(!text.contains("canary-s3cr3t-value"));
    assert!(!text.contains("root:x:0:0"));
    hostile["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn benign_hostile_build_passes() {
    let (r, v) = attack("none", "", "");
    let r = r.expect_code(0);
    assert_eq!(v["policies"][0]["outcome"], "pass", "{}", r.stdout());
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    let (r, v) = attack("infinite-loop", "fuel = 50_000_000", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "fuel-exhausted"));
    assert_eq!(v["policies"][0]["fuel_consumed"], 50_000_000);
}

#[test]
fn infinite_loop_hits_wall_clock_deadline_when_fuel_is_plenty() {
    let (r, v) = attack(
        "infinite-loop",
        "fuel = 1_000_000_000_000_000\ntimeout-ms = 300",
        "",
    );
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "deadline-exceeded"));
}

#[test]
fn memory_bomb_hits_memory_limit() {
    let (r, v) = attack("memory-bomb", "memory-mib = 32", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "memory-limit"));
}

#[test]
fn deep_recursion_overflows_stack() {
    let (r, v) = attack("deep-recursion", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "stack-overflow"));
}

#[test]
fn reading_etc_passwd_finds_no_filesystem() {
    let (r, v) = attack("read-passwd", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "sandbox-violation"));
}

#[test]
fn listing_root_finds_no_filesystem() {
    let (r, v) = attack("list-root", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "sandbox-violation"));
}

#[test]
fn socket_to_loopback_is_denied_and_never_connects() -> anyhow::Result<()> {
    let _s = crate::snapshot_settings(&[]).bind_to_scope();
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let (r, v) = attack("socket", "", &format!(", addr = \"{addr}\""));
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "sandbox-violation"));
    assert!(
        listener.accept().is_err(),
        "the policy reached the listener"
    );
    Ok(())
}

#[test]
fn environment_is_empty() {
    let (r, v) = attack("env", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "panic"));
}

#[test]
fn flooding_stdout_hits_output_limit() {
    let (r, v) = attack("flood-stdout", "output-kib = 64", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "output-limit"));
    assert!(v["policies"][0]["stdout"].as_str().unwrap().len() <= 64 * 1024);
}

#[test]
fn flooding_stderr_hits_output_limit() {
    let (r, v) = attack("flood-stderr", "output-kib = 64", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "output-limit"));
}

#[test]
fn flooding_the_log_hits_output_limit() {
    let (r, v) = attack("flood-log", "output-kib = 64", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "output-limit"));
}

#[test]
fn broken_verdict_is_contract_violation() {
    let (r, v) = attack("bad-verdict", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "contract-violation"));
}

#[test]
fn absurd_number_of_findings_is_contract_violation() {
    let (r, v) = attack("too-many-findings", "max-findings = 1000", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "contract-violation"));
}

// The batched boundary: input streams and emitted findings.

#[test]
fn a_forged_stream_handle_is_a_contract_violation_not_a_host_panic() {
    let (r, v) = attack("forged-handle", "", "");
    r.expect_code(4);
    // wasmtime refuses it before the host sees it.
    let message = contained(&v, "contract-violation");
    assert!(message.ends_with("unknown handle index 4242"), "{message}");
}

#[test]
fn a_dropped_stream_handle_is_a_contract_violation_when_used_again() {
    let (r, v) = attack("stale-handle", "", "");
    r.expect_code(4);
    // The drop went through (the policy owned the handle); the use after it
    // did not.
    let message = contained(&v, "contract-violation");
    assert!(message.ends_with("unknown handle index 1"), "{message}");
}

#[test]
fn reading_a_stream_past_its_end_is_a_contract_violation() {
    let (r, v) = attack("read-past-end", "", "");
    r.expect_code(4);
    assert_eq!(
        contained(&v, "contract-violation"),
        "the policy read coverage files from index 3, past the end (2 items)"
    );
}

#[test]
fn draining_a_stream_forever_runs_out_of_fuel() {
    let (r, v) = attack("drain-forever", "fuel = 50_000_000", "");
    r.expect_code(4);
    assert_eq!(
        contained(&v, "fuel-exhausted"),
        "the policy ran out of fuel (CPU budget)"
    );
    assert_eq!(v["policies"][0]["fuel_consumed"], 50_000_000);
}

#[test]
fn a_flood_of_emitted_findings_meets_the_findings_limit() {
    let (r, v) = attack("emit-flood", "max-findings = 1000", "");
    r.expect_code(4);
    // The first batch (1024) over the limit is refused whole.
    assert_eq!(
        contained(&v, "contract-violation"),
        "verdict has 1024 findings, more than the limit of 1000"
    );
}

#[test]
fn emitted_text_is_bounded_by_the_policys_memory_limit() {
    let (r, v) = attack("emit-bytes", "memory-mib = 32", "");
    r.expect_code(4);
    assert_eq!(
        contained(&v, "contract-violation"),
        "the verdict's findings hold more than 32 MiB of text, the policy's memory limit"
    );
}

#[test]
fn fingerprints_are_unique_across_emitted_batches_and_the_returned_list() {
    let repeat = "finding 1 (dup) repeats the fingerprint `same` of an earlier finding; fingerprints must be unique within a verdict";
    for attack_name in ["emit-duplicate", "emit-then-repeat"] {
        let (r, v) = attack(attack_name, "", "");
        r.expect_code(4);
        assert_eq!(contained(&v, "contract-violation"), repeat, "{attack_name}");
    }
}

#[test]
fn nan_metric_is_contract_violation() {
    let (r, v) = attack("nan-metric", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "contract-violation"));
}

#[test]
fn policy_reported_error_is_an_error() {
    let (r, v) = attack("policy-error", "", "");
    r.expect_code(4);
    insta::assert_snapshot!(contained(&v, "policy-reported"));
}

#[test]
fn trap_inside_info_is_its_own_kind() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let info = components::get().hostile_info.display().to_string();
    t.write(
        "gate.toml",
        format!("[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = {info:?}\n[[policy]]\nuse = \"builtin:coverage\"\n"),
    );
    let r = t.run(&["check", "--format", "json"]).expect_code(4);
    let v = r.json();
    assert_eq!(v["policies"][0]["error"]["kind"], "info");
    insta::assert_snapshot!(
        v["policies"][0]["error"]["message"]
            .as_str()
            .unwrap_or_default()
    );
    assert_eq!(v["policies"][1]["outcome"], "pass");
}

#[test]
fn emitting_findings_outside_evaluate_is_refused_as_an_info_failure() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let early = components::get().hostile_emit_info.display().to_string();
    t.write(
        "gate.toml",
        format!("[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = {early:?}\n[[policy]]\nuse = \"builtin:coverage\"\n"),
    );
    let r = t.run(&["check", "--format", "json"]).expect_code(4);
    let v = r.json();
    assert_eq!(v["policies"][0]["error"]["kind"], "info");
    assert_eq!(
        v["policies"][0]["error"]["message"],
        "the policy emitted findings outside evaluate()"
    );
    assert_eq!(v["policies"][1]["outcome"], "pass");
}

#[test]
fn guest_clock_shows_the_runs_now_and_randomness_is_seeded() {
    let (r1, v1) = attack("clock", "", "");
    let (_, v2) = attack("clock", "", "");
    r1.expect_code(0);
    let m = |v: &serde_json::Value, name: &str| {
        v["policies"][0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == name)
            .unwrap()["value"]
            .as_f64()
            .unwrap()
    };
    // 2026-11-22T10:00:00Z
    assert_eq!(m(&v1, "unix-seconds"), 1_795_341_600.0);
    assert_eq!(m(&v1, "random"), m(&v2, "random"));
}

#[test]
fn every_evaluation_gets_a_fresh_instance() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let hostile = components::get().hostile.display().to_string();
    let mut cfg = String::from("[[artifact]]\npath = \"lcov.info\"\n");
    for _ in 0..3 {
        cfg.push_str(&format!(
            "[[policy]]\nuse = {hostile:?}\nparams = {{ attack = \"stateful\" }}\n"
        ));
    }
    t.write("gate.toml", cfg);
    let v = t.run(&["check", "--format", "json"]).expect_code(0).json();
    for p in v["policies"].as_array().unwrap() {
        assert_eq!(
            p["metrics"][0]["value"], 1.0,
            "state leaked between evaluations: {p:#}"
        );
    }
}

#[test]
fn not_a_component_is_an_error_not_a_pass() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("evil.wasm", b"\0asm\x01\0\0\0garbage");
    let r = t
        .run(&[
            "eval",
            "--policy",
            "evil.wasm",
            "lcov.info",
            "--format",
            "json",
        ])
        .expect_code(4);
    assert_eq!(
        r.json()["policies"][0]["error"]["kind"],
        "invalid-component"
    );
}

/// A component importing `gate:policy/host@0.1.0` (an empty instance, which
/// is all the check looks at), as a 0.1-era policy does.
fn wit_0_1_component() -> Vec<u8> {
    use wasm_encoder::{
        Component, ComponentImportSection, ComponentTypeRef, ComponentTypeSection, InstanceType,
    };
    let mut c = Component::new();
    let mut types = ComponentTypeSection::new();
    types.instance(&InstanceType::new());
    c.section(&types);
    let mut imports = ComponentImportSection::new();
    imports.import("gate:policy/host@0.1.0", ComponentTypeRef::Instance(0));
    c.section(&imports);
    c.finish()
}

#[test]
fn a_component_built_against_wit_0_1_is_refused_with_a_rebuild_hint() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("old.wasm", wit_0_1_component());
    let v = t
        .run(&[
            "eval",
            "--policy",
            "old.wasm",
            "lcov.info",
            "--format",
            "json",
        ])
        .expect_code(4)
        .json();
    let error = &v["policies"][0]["error"];
    assert_eq!(error["kind"], "invalid-component");
    assert_eq!(
        error["message"],
        "component was built against `gate:policy/host@0.1.0`, but this gate implements gate:policy@0.2.0: rebuild the policy against gate:policy@0.2.0 (gate-sdk 0.2)"
    );
}
