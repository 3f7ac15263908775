//! `gate check` / `gate eval` end to end on real policies and artifacts.

use crate::{LCOV_80, TestDir};
use anyhow::Context as _;
use sha2::{Digest, Sha256};

const NOW: &str = "2026-11-22T10:00:00Z";

fn config(min_line: f64) -> String {
    format!(
        "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"builtin:coverage\"\nparams = {{ min-line = {min_line}, min-branch = 70 }}\n"
    )
}

#[test]
fn passing_gate_exits_0_with_metrics() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(80.0));
    let r = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(0);
    let v = r.json();
    assert_eq!(v["outcome"], "pass");
    assert_eq!(v["now"], NOW);
    assert_eq!(v["context"]["now_source"], "flag");
    let p = &v["policies"][0];
    assert_eq!(p["name"], "coverage");
    assert_eq!(p["outcome"], "pass");
    // The digest of the component that ran: the embedded built-in.
    let wasm = gate::policies::builtin::get("coverage").context("built-in coverage")?;
    assert_eq!(p["digest"], format!("sha256:{:x}", Sha256::digest(wasm)));
    let line = p["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "line-coverage")
        .unwrap();
    assert_eq!(line["value"], 80.0);
    assert_eq!(line["threshold"], 80.0);
    assert_eq!(line["comparator"], ">=");
    let a = &v["artifacts"][0];
    assert_eq!(a["kind"], "coverage");
    assert_eq!(a["format"], "lcov");
    assert_eq!(a["sha256"], format!("{:x}", Sha256::digest(LCOV_80)));
    Ok(())
}

#[test]
fn failing_gate_exits_1_and_says_why() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(80.5));
    // The human report: FAIL, the finding "line coverage is 80.00% (8 of
    // 10), below the minimum 80.5%", and the exit code.
    let r = t.run(&["check", "--now", NOW]).expect_code(1);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn advisory_level_turns_failure_into_warning() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        config(99.0).replace("use = ", "level = \"advisory\"\nuse = "),
    );
    let v = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(0)
        .json();
    assert_eq!(v["outcome"], "warn");
    assert_eq!(v["policies"][0]["outcome"], "warn");
    assert_eq!(v["policies"][0]["policy_outcome"], "fail");
}

#[test]
fn same_inputs_give_byte_identical_json() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(80.0));
    // First run compiles (cold cache), second loads from cache: same bytes.
    let a = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(0);
    let b = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(0);
    assert_eq!(a.out.stdout, b.out.stdout);
    assert!(a.json()["policies"][0]["fuel_consumed"].as_u64().unwrap() > 0);
}

#[test]
fn now_comes_from_environment_when_no_flag() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(50.0));
    let out = t
        .command()
        .args(["check", "--format", "json"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(v["now"], "2023-11-14T22:13:20Z");
    assert_eq!(v["context"]["now_source"], "SOURCE_DATE_EPOCH");
    Ok(())
}

#[test]
fn unknown_config_key_is_usage_error_with_file_and_line() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"builtin:coverage\"\nparms = {}\n");
    let r = t.run(&["check"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn params_rejected_by_policy_schema_point_at_config_line() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(180.0));
    let r = t.run(&["check"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

/// Regression: a value the params schema refuses was shown at its whole
/// `params` table; the place is the value itself (line:col of the value,
/// and its JSON pointer in the message), in an inline table, in a
/// `[policy.params]` table, for an unexpected key, and in `--params`.
#[test]
fn params_errors_point_at_the_offending_value() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let mut all = String::new();
    for (title, toml) in [
        (
            "a value in an inline table",
            "params = { min-branch = 70, min-line = 180 }\n",
        ),
        (
            "a value in a params table",
            "[policy.params]\nmin-branch = 70\nmin-line = -1\n",
        ),
        (
            "an unexpected key",
            "[policy.params]\nmin-line = 50\n\"not a param\" = { x = 1 }\n",
        ),
    ] {
        t.write(
            "gate.toml",
            format!(
                "[[artifact]]\npath = \"lcov.info\"\n\n[[policy]]\nuse = \"builtin:coverage\"\n{toml}"
            ),
        );
        all.push_str(&t.run(&["check"]).expect_code(2).titled(title));
    }
    // A value the policy itself refuses (its message starts with the
    // value's JSON pointer) is placed the same way.
    t.write(
        "approvals.json",
        std::fs::read(
            crate::repo().join("host/artifacts/tests/fixtures/approvals/gate-approvals.json"),
        )
        .unwrap(),
    );
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"approvals.json\"\n\n[[policy]]\nuse = \"builtin:approvals\"\n\
         [[policy.params.freeze-windows]]\nname = \"x\"\nenvironments = [\"staging\"]\n\
         start = \"2027-01-02\"\nend = \"2026-12-20\"\n",
    );
    all.push_str(
        &t.run(&["check", "--format", "json", "--quiet"])
            .expect_code(2)
            .titled("a value the policy refuses"),
    );
    for (title, params) in [
        ("--params that is not JSON", "{min-line: 1}"),
        ("--params that is not an object", "[1]"),
        ("--params with a refused value", r#"{"min-line": 180}"#),
    ] {
        all.push_str(
            &t.run(&[
                "eval",
                "--policy",
                "builtin:coverage",
                "--params",
                params,
                "lcov.info",
            ])
            .expect_code(2)
            .titled(title),
        );
    }
    insta::assert_snapshot!(all);
}

#[test]
fn unknown_builtin_is_usage_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    let r = t
        .run(&["eval", "--policy", "builtin:nope", "lcov.info"])
        .expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn every_bad_artifact_is_reported_and_nothing_is_evaluated() {
    let t = TestDir::new();
    t.write("empty.info", "");
    t.write("truncated.json", "{\"a\": [1, 2");
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"missing.info\"\n[[artifact]]\npath = \"empty.info\"\n[[artifact]]\npath = \"truncated.json\"\n[[policy]]\nuse = \"builtin:coverage\"\n",
    );
    // Each of the three on stderr with its place, and nothing evaluated
    // (stdout empty).
    let _s = t.snapshots();
    let r = t.run(&["check", "--format", "json"]).expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn configured_policy_without_input_is_an_error_not_a_pass() {
    let t = TestDir::new();
    // An IaC-only input for a coverage policy: nothing to evaluate.
    t.write("Dockerfile", "FROM alpine:3.20\nUSER app\n");
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"Dockerfile\"\n[[policy]]\nuse = \"builtin:coverage\"\n",
    );
    let r = t.run(&["check", "--format", "json"]).expect_code(3);
    let v = r.json();
    assert_eq!(v["outcome"], "error");
    assert_eq!(v["policies"][0]["error"]["kind"], "no-input");
}

#[test]
fn coverage_reports_of_several_files_are_merged_before_evaluation() {
    let t = TestDir::new();
    t.write("a.info", "SF:src/a.rs\nDA:1,1\nDA:2,0\nend_of_record\n");
    t.write("b.info", "SF:src/a.rs\nDA:2,4\nDA:3,0\nend_of_record\n");
    let r = t
        .run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "--params",
            "{\"min-line\": 66}",
            "a.info",
            "b.info",
            "--format",
            "json",
        ])
        .expect_code(0);
    let v = r.json();
    // Union of lines 1..3 with line 2 hit in b: 2 of 3.
    let m = &v["policies"][0]["metrics"];
    let covered = m
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "lines-covered")
        .unwrap();
    let total = m
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "lines-total")
        .unwrap();
    assert_eq!(
        (covered["value"].as_f64(), total["value"].as_f64()),
        (Some(2.0), Some(3.0))
    );
}

#[test]
fn example_from_readme_passes() -> anyhow::Result<()> {
    // The README's first command runs exactly this config.
    let t = TestDir::new();
    let _s = t.snapshots();
    let example = crate::repo().join("examples/service/gate.toml");
    let example = example.to_str().context("repo path is UTF-8")?;
    let r = t
        .run(&["check", "--config", example, "--now", NOW])
        .expect_code(0);
    insta::assert_snapshot!(r.transcript());
    Ok(())
}

#[test]
fn default_pack_runs_without_config() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let v = t
        .run(&["check", "--artifact", "lcov.info", "--format", "json"])
        .expect_code(0)
        .json();
    assert_eq!(v["policies"][0]["ref"], "builtin:coverage");
    assert_eq!(v["policies"][0]["outcome"], "pass");
}

#[test]
fn report_files_are_written_and_quiet_silences_stdout() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", config(90.0));
    let r = t
        .run(&[
            "check",
            "--quiet",
            "--now",
            NOW,
            "--report",
            "json=out/verdict.json",
            "--report",
            "human=summary.txt",
        ])
        .expect_code(1);
    insta::assert_snapshot!("report_files_run", r.transcript());
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(t.path().join("out/verdict.json"))?)?;
    assert_eq!(v["outcome"], "fail");
    let summary = std::fs::read_to_string(t.path().join("summary.txt"))?;
    insta::assert_snapshot!("report_files_summary", summary);
    Ok(())
}

#[test]
fn bad_report_spec_is_usage_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let r = t.run(&["check", "--report", "nonsense"]).expect_code(2);
    insta::assert_snapshot!("bad_report_spec_without_format", r.transcript());
    let r = t.run(&["check", "--report", "pdf=x.pdf"]).expect_code(2);
    insta::assert_snapshot!("bad_report_spec_unknown_format", r.transcript());
}
