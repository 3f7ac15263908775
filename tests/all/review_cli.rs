//! Review fixes in the CLI: reports that would replace gate's inputs,
//! policy errors on stderr once, `--base` whatever the git config, and
//! report FIFOs without a reader.

use super::fail_closed_io::run_bounded;
use super::{LCOV_80, Run, TestDir};
use std::process::Command;

const CONFIG: &str = "[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"builtin:coverage\"\n";

fn setup() -> TestDir {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("gate.toml", CONFIG);
    t
}

fn unchanged(t: &TestDir, name: &str, contents: &str) {
    assert_eq!(
        std::fs::read_to_string(t.path().join(name)).unwrap(),
        contents,
        "{name} was replaced"
    );
}

// ---- 1: a report never replaces an input or another report -------------

#[test]
fn report_over_the_config_is_a_usage_error() {
    let t = setup();
    t.run(&["check", "--quiet", "--report", "json=gate.toml"])
        .expect_code(2)
        .expect_stderr(
            "error: --report gate.toml: is the config file (gate.toml) gate reads; a report never replaces an input",
        );
    unchanged(&t, "gate.toml", CONFIG);
    // Through another spelling of the same file, and an explicit --config.
    t.run(&[
        "check",
        "-c",
        "gate.toml",
        "--report",
        "json=./sub/../gate.toml",
    ])
    .expect_code(2)
    .expect_stderr("is the config file (gate.toml)");
    std::fs::create_dir(t.path().join("sub")).unwrap();
    t.run(&[
        "check",
        "-c",
        "gate.toml",
        "--report",
        "json=./sub/../gate.toml",
    ])
    .expect_code(2)
    .expect_stderr("is the config file (gate.toml)");
    unchanged(&t, "gate.toml", CONFIG);
}

#[test]
fn report_over_an_artifact_baseline_diff_or_policy_is_a_usage_error() {
    let t = setup();
    t.run(&["check", "--report", "markdown=lcov.info"])
        .expect_code(2)
        .expect_stderr("--report lcov.info: is an artifact (lcov.info) gate reads");
    unchanged(&t, "lcov.info", LCOV_80);
    // A hard link and a symlink to the artifact are the artifact too.
    std::fs::hard_link(t.path().join("lcov.info"), t.path().join("hard.info")).unwrap();
    std::os::unix::fs::symlink("lcov.info", t.path().join("soft.info")).unwrap();
    for to in ["json=hard.info", "json=soft.info"] {
        t.run(&["check", "--report", to])
            .expect_code(2)
            .expect_stderr("is an artifact (lcov.info) gate reads");
    }
    unchanged(&t, "lcov.info", LCOV_80);
    t.write("base.info", LCOV_80);
    t.run(&[
        "check",
        "--baseline",
        "base.info",
        "--report",
        "json=base.info",
    ])
    .expect_code(2)
    .expect_stderr("--report base.info: is a baseline (base.info) gate reads");
    unchanged(&t, "base.info", LCOV_80);
    let diff = "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -2,0 +3,1 @@\n+x\n";
    t.write("change.diff", diff);
    t.run(&[
        "check",
        "--diff",
        "change.diff",
        "--report",
        "sarif=change.diff",
    ])
    .expect_code(2)
    .expect_stderr("--report change.diff: is the --diff file (change.diff) gate reads");
    unchanged(&t, "change.diff", diff);
    t.write("p.wasm", "not a component");
    t.run(&[
        "eval",
        "--policy",
        "p.wasm",
        "lcov.info",
        "--report",
        "json=p.wasm",
    ])
    .expect_code(2)
    .expect_stderr("--report p.wasm: is a policy component (")
    .expect_stderr("p.wasm) gate reads");
    unchanged(&t, "p.wasm", "not a component");
}

#[test]
fn two_reports_to_the_same_path_are_a_usage_error() {
    let t = setup();
    t.run(&["check", "--report", "json=same", "--report", "sarif=same"])
        .expect_code(2)
        .expect_stderr(
            "error: --report same: the same file as --report same; give each report its own path",
        );
    assert!(!t.path().join("same").exists(), "a report was written");
    t.run(&[
        "check",
        "--report",
        "json=a.json",
        "--report",
        "sarif=./a.json",
    ])
    .expect_code(2)
    .expect_stderr("--report ./a.json: the same file as --report a.json");
    // A character device may take several reports (through a link here,
    // never the device path itself).
    std::os::unix::fs::symlink("/dev/null", t.path().join("null")).unwrap();
    t.run(&["check", "--report", "json=null", "--report", "sarif=null"])
        .expect_code(0);
    t.run(&[
        "check",
        "--report",
        "json=a.json",
        "--report",
        "sarif=b.sarif",
    ])
    .expect_code(0);
}

// ---- 2: a policy's error on stderr once, whatever the format -------------

#[test]
fn policy_error_is_printed_once_on_stderr_whatever_the_format() {
    let t = TestDir::new();
    t.write("Dockerfile", "FROM alpine:3.20\nUSER app\n");
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"Dockerfile\"\n[[policy]]\nuse = \"builtin:coverage\"\n",
    );
    let line = "error[no-input]: no artifact of a kind this policy reads (coverage)";
    for args in [
        &["check"][..],
        &["check", "--quiet"],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
    ] {
        let r = t.run(args).expect_code(3);
        assert_eq!(
            r.stderr().matches("error[no-input]").count(),
            1,
            "{args:?}:\n{}",
            r.stderr()
        );
        r.expect_stderr(line);
        assert!(
            !r.stdout().contains("error[no-input]"),
            "{args:?}:\n{}",
            r.stdout()
        );
    }
    // The human report still shows the error in the policy's row.
    let r = t.run(&["check"]);
    assert!(
        r.stdout()
            .contains("no artifact of a kind this policy reads (coverage)"),
        "{}",
        r.stdout()
    );
    // invalid-params from the policy: its row says so, stderr says it once.
    t.write(
        "a.json",
        r#"{"kind": "gate.approvals/v1",
 "change": {"id": "acme/app#7", "author": "alice", "environment": "production", "head_commit": "abc1234"},
 "reviews": [{"reviewer": "bob", "state": "approved", "submitted_at": "2026-11-20T14:03:11Z", "commit": "abc1234"}]}"#,
    );
    let params = r#"{"freeze-windows": [{"name": "x", "environments": ["staging"], "start": "2027-01-02", "end": "2026-12-20"}]}"#;
    for extra in [&[][..], &["--quiet"], &["--format", "json"]] {
        let mut args = vec![
            "eval",
            "--policy",
            "builtin:approvals",
            "--params",
            params,
            "--now",
            "2026-12-01T00:00:00Z",
            "a.json",
        ];
        args.extend_from_slice(extra);
        let r = t.run(&args).expect_code(2);
        let err = r.stderr();
        assert_eq!(err.matches("error[").count(), 1, "{extra:?}:\n{err}");
        r.expect_stderr("error[invalid-params]: --params: params of policy `approvals` rejected by the policy: ");
        assert!(!r.stdout().contains("error["), "{extra:?}:\n{}", r.stdout());
        if extra.is_empty() {
            assert!(
                r.stdout()
                    .contains("policy failed: invalid-params: --params: "),
                "{}",
                r.stdout()
            );
        }
    }
}

// ---- 3: --base whatever the user's git config --------------------------

#[test]
fn base_diff_is_read_whatever_the_git_diff_prefix_config() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("src/lib.rs", "a\nb\n");
    t.git(&["init", "-q"]);
    t.git(&["add", "."]);
    t.git(&["commit", "-q", "-m", "one"]);
    // Lines 3 and 4 of src/lib.rs: one uncovered, one covered.
    t.write("src/lib.rs", "a\nb\nc\nd\n");
    t.git(&["commit", "-q", "-a", "-m", "two"]);
    let params = r#"{"min-patch": 80, "min-changed-lines": 1}"#;
    let summary = |t: &TestDir| {
        let r = t
            .run(&[
                "eval",
                "--policy",
                "builtin:coverage",
                "--params",
                params,
                "--format",
                "json",
                "--base",
                "HEAD~1",
                "lcov.info",
            ])
            .expect_code(1);
        r.json()["policies"][0]["summary"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let plain = summary(&t);
    assert!(plain.contains("patch 50.00% < 80%"), "{plain}");
    for (key, value) in [
        ("diff.dstPrefix", "x/"),
        ("diff.srcPrefix", "y/"),
        ("diff.noprefix", "true"),
        ("diff.mnemonicPrefix", "true"),
        ("diff.relative", "true"),
        ("diff.interHunkContext", "10"),
        ("color.diff", "always"),
        ("core.quotePath", "false"),
    ] {
        // One at a time (diff.noprefix would hide diff.dstPrefix), then all.
        t.git(&["config", key, value]);
        assert_eq!(summary(&t), plain, "with {key} = {value}");
        t.git(&["config", "--unset", key]);
    }
    for (key, value) in [("diff.dstPrefix", "x/"), ("diff.noprefix", "true")] {
        t.git(&["config", key, value]);
    }
    assert_eq!(summary(&t), plain);
}

// ---- 4: a report FIFO without a reader ----------------------------------

#[test]
fn report_to_a_fifo_without_a_reader_is_an_output_error_not_a_hang() {
    let t = setup();
    let ok = Command::new("mkfifo")
        .arg(t.path().join("pipe"))
        .status()
        .unwrap()
        .success();
    assert!(ok, "mkfifo");
    let mut cmd = t.command();
    cmd.args(["check", "--quiet", "--report", "json=pipe"]);
    let r: Run = run_bounded(cmd);
    r.expect_code(3)
        .expect_stderr("error[output-error]: cannot write report pipe: is a fifo with no reader");
}

#[test]
fn root_that_is_not_an_existing_directory_is_a_usage_error() {
    let t = TestDir::new();
    t.write("lcov.info", "SF:a.rs\nDA:1,1\nend_of_record\n");
    t.write("file", "x");
    // It used to be accepted, leaving every absolute path unmapped.
    t.run(&["parse", "lcov.info", "--root", "missing"])
        .expect_code(2)
        .expect_stderr("error: --root missing: no such file or directory");
    t.run(&["check", "--artifact", "lcov.info", "--root", "file"])
        .expect_code(2)
        .expect_stderr("error: --root file: not a directory");
    t.write(
        "gate.toml",
        "root = \"missing\"\n[[artifact]]\npath = \"lcov.info\"\n",
    );
    t.run(&["check"])
        .expect_code(2)
        .expect_stderr("error[config]: gate.toml:1:8: root `missing`: no such file or directory");
    t.run(&["parse", "lcov.info", "--root", "."]).expect_code(0);
}
