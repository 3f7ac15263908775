//! The command line contract: help, exit codes, usage errors, `policies`.

use crate::TestDir;
use sha2::{Digest, Sha256};

#[test]
fn help_documents_exit_codes() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let r = t.run(&["--help"]).expect_code(0);
    for line in [
        "0  pass",
        "1  gate failed",
        "2  usage",
        "3  input error",
        "4  policy runtime",
        "5  registry",
    ] {
        assert!(
            r.stdout().contains(line),
            "missing `{line}` in --help:\n{}",
            r.stdout()
        );
    }
    insta::assert_snapshot!(r.transcript());
}

/// The help of every command, whole: a changed flag or text is a reviewed
/// diff.
#[test]
fn help_of_every_command() {
    let t = TestDir::new();
    let _s = t.snapshots();
    for cmd in [
        &["check"][..],
        &["eval"],
        &["parse"],
        &["policies"],
        &["pack"],
        &["pack", "build"],
        &["pack", "push"],
        &["pack", "pull"],
        &["pack", "inspect"],
        &["pack", "update"],
        &["pack", "save"],
        &["pack", "load"],
        &["pack", "keygen"],
        &["pack", "sign"],
        &["pack", "verify"],
        &["test"],
        &["completions"],
        &["man"],
    ] {
        let mut args = cmd.to_vec();
        args.push("--help");
        let r = t.run(&args).expect_code(0);
        insta::assert_snapshot!(format!("help_{}", cmd.join("_")), r.transcript());
    }
}

#[test]
fn unknown_flag_is_usage_error() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let r = t.run(&["check", "--no-such-flag"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn policies_lists_builtin_with_digest_of_embedded_component() {
    let t = TestDir::new();
    let r = t.run(&["policies", "--json"]).expect_code(0);
    let list = r.json();
    let cov = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["ref"] == "builtin:coverage")
        .unwrap();
    assert_eq!(cov["name"], "coverage");
    assert_eq!(cov["consumes"], serde_json::json!(["coverage"]));
    assert!(cov["params_schema"]["properties"]["min-line"].is_object());
    // The rule catalog from info().
    assert_eq!(
        cov["rules"][0],
        serde_json::json!({
            "id": "coverage/line-threshold",
            "default_severity": "high",
            "short_description": "overall line coverage must reach `min-line`",
            "full_description": "The line coverage of all current reports, merged, must be at least the `min-line` param (a percentage). A minimum set on a measure the reports do not contain fails too.",
            "help": "add tests that exercise the uncovered lines",
            "tags": ["coverage"]
        })
    );
    let counts: Vec<(String, usize)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["ref"].as_str().unwrap().to_string(),
                p["rules"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            ("builtin:coverage".to_string(), 12),
            ("builtin:security".to_string(), 3),
            ("builtin:approvals".to_string(), 9),
            ("builtin:iac".to_string(), 87),
            ("builtin:tests".to_string(), 12),
            ("builtin:performance".to_string(), 10),
            ("builtin:rego".to_string(), 4),
            ("builtin:canary".to_string(), 5),
        ]
    );
    // The digest is the sha256 of the component the build embedded.
    let wasm = gate::policies::builtin::get("coverage").unwrap();
    assert_eq!(cov["digest"], format!("sha256:{:x}", Sha256::digest(wasm)));
}

/// The human list, whole (digests masked: they change whenever a policy is
/// rebuilt; the JSON test above checks one against the embedded bytes).
#[test]
fn policies_lists_each_builtin_with_version_and_digest() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let r = t.run(&["policies"]).expect_code(0);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn policies_json_whole() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let r = t.run(&["policies", "--json"]).expect_code(0);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn parse_prints_normalized_coverage_model() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("lcov.info", crate::LCOV_80);
    let r = t.run(&["parse", "lcov.info", "--json"]).expect_code(0);
    let v = r.json();
    assert_eq!(v["kind"], "coverage");
    assert_eq!(v["format"], "lcov");
    assert_eq!(
        v["totals"]["lines"],
        serde_json::json!({"total": 10, "covered": 8})
    );
    assert_eq!(
        v["totals"]["branches"],
        serde_json::json!({"total": 4, "covered": 3})
    );
    assert_eq!(v["files"][0]["path"], "src/lib.rs");
    insta::assert_snapshot!(r.transcript());
    // Without --json: the human summary of the same model.
    let r = t.run(&["parse", "lcov.info"]).expect_code(0);
    insta::assert_snapshot!("parse_human", r.transcript());
}

#[test]
fn parse_of_garbage_is_input_error_naming_the_file() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("broken.json", "{\"runs\": [");
    let r = t.run(&["parse", "broken.json", "--json"]).expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn completions_and_man_page_come_from_the_clap_definitions() {
    let t = TestDir::new();
    let bash = t.run(&["completions", "bash"]).expect_code(0).stdout();
    assert!(
        bash.contains("_gate()") && bash.contains("--artifact"),
        "{bash}"
    );
    // The man page whole (the completion scripts are clap_complete's own).
    let _s = t.snapshots();
    let man = t.run(&["man"]).expect_code(0);
    insta::assert_snapshot!("man_page", man.transcript());
}

#[test]
fn go_profile_paths_are_made_relative_with_go_mod() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("go.mod", "module github.com/acme/svc\n\ngo 1.22\n");
    t.write("c.out", "mode: set\ngithub.com/acme/svc/internal/a.go:3.1,5.2 2 1\ngithub.com/acme/svc/internal/a.go:6.1,7.2 1 0\n");
    let r = t.run(&["parse", "c.out", "--json"]).expect_code(0);
    let v = r.json();
    assert_eq!(v["format"], "go-cover");
    assert_eq!(v["files"][0]["path"], "internal/a.go");
    // go tool cover -func: 2 of 3 statements.
    assert_eq!(
        v["totals"]["statements"],
        serde_json::json!({"total": 3, "covered": 2})
    );
    insta::assert_snapshot!(r.transcript());
}

/// `gate parse` of the fixture of every format (host/artifacts/tests/fixtures),
/// the summary line and the JSON model whole: a change in a reader shows as
/// a reviewed diff of what the policies see.
#[test]
fn parse_of_every_format_fixture() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    let dir = crate::repo().join("host/artifacts/tests/fixtures");
    let run = |args: &[&str]| -> anyhow::Result<crate::Run> {
        let out = t.command().current_dir(&dir).args(args).output()?;
        Ok(crate::Run { out }.expect_code(0))
    };
    let mut summaries = String::new();
    for rel in [
        "coverage/lcov.info",
        "coverage/cobertura.xml",
        "coverage/jacoco.xml",
        "coverage/istanbul.json",
        "coverage/istanbul-summary.json",
        "coverage/go.cover",
        "coverage/coveragepy.json",
        "coverage/clover.xml",
        "findings/sarif.json",
        "findings/trivy.json",
        "findings/grype.json",
        "findings/npm-audit.json",
        "findings/cargo-audit.json",
        "findings/pip-audit.json",
        "findings/osv-scanner.json",
        "findings/gitleaks.json",
        "iac/terraform-plan.json",
        "iac/kubernetes.yaml",
        "iac/cloudformation.yaml",
        "iac/Dockerfile",
        "approvals/github-reviews.json",
        "approvals/github-event.json",
        "approvals/gitlab-approvals.json",
        "approvals/gate-approvals.json",
        "tests/junit.xml",
        "tests/go-test.json",
        "tests/tap.tap",
        "tests/ctrf.json",
        "tests/libtest.json",
    ] {
        summaries.push_str(&run(&["parse", rel])?.transcript());
        let name = rel.replace(['/', '.', '-'], "_");
        insta::assert_snapshot!(
            format!("parse_json_{name}"),
            run(&["parse", rel, "--json"])?.transcript()
        );
    }
    insta::assert_snapshot!("parse_summaries", summaries);
    Ok(())
}

/// `gate parse` of the performance fixtures (host/artifacts/tests/fixtures/
/// performance): the summary line and the JSON model whole, as for the
/// other families (kept apart from `parse_of_every_format_fixture`).
#[test]
fn parse_of_every_performance_fixture() -> anyhow::Result<()> {
    let t = TestDir::new();
    let _s = t.snapshots();
    let dir = crate::repo().join("host/artifacts/tests/fixtures/performance");
    let run = |args: &[&str]| -> anyhow::Result<crate::Run> {
        let out = t.command().current_dir(&dir).args(args).output()?;
        Ok(crate::Run { out }.expect_code(0))
    };
    let mut summaries = String::new();
    for rel in [
        "hyperfine.json",
        "hyperfine.csv",
        "pytest-benchmark.json",
        "go-bench.txt",
        "go-bench.json",
        "locust_stats.csv",
        "locust_failures.csv",
        "locust_stats_history.csv",
        "locust.json",
        "lighthouse.json",
        "criterion/parse_lcov/new/estimates.json",
    ] {
        summaries.push_str(&run(&["parse", rel])?.transcript());
        let name = rel.replace(['/', '.', '-'], "_");
        insta::assert_snapshot!(
            format!("parse_json_performance_{name}"),
            run(&["parse", rel, "--json"])?.transcript()
        );
    }
    insta::assert_snapshot!("parse_summaries_performance", summaries);
    Ok(())
}

/// A performance report crosses the policy contract (issue 16): a policy
/// that does not read the kind gets no input from it (`gate eval` of one
/// is an input error, exit 3), and `gate parse` reads it.
#[test]
fn a_performance_report_reaches_only_policies_that_read_performance() {
    let t = TestDir::new();
    let fixture = crate::repo().join("host/artifacts/tests/fixtures/performance/hyperfine.json");
    t.write("bench.json", std::fs::read(fixture).unwrap());
    let r = t
        .run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "bench.json",
            "--format",
            "json",
        ])
        .expect_code(3);
    assert!(
        r.stdout()
            .contains("no artifact of a kind this policy reads (coverage)"),
        "{}",
        r.stdout()
    );
    // `gate parse` reads it.
    let v = t
        .run(&["parse", "bench.json", "--json"])
        .expect_code(0)
        .json();
    assert_eq!(v["kind"], "performance");
    assert_eq!(v["measurements"][0]["mean"], 0.012562);
}
