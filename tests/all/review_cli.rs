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
fn report_over_the_config_is_a_usage_error() -> anyhow::Result<()> {
    let t = setup();
    let _s = t.snapshots();
    let mut all = t
        .run(&["check", "--quiet", "--report", "json=gate.toml"])
        .expect_code(2)
        .titled("check --quiet --report json=gate.toml");
    unchanged(&t, "gate.toml", CONFIG);
    // Through another spelling of the same file, and an explicit --config;
    // without and with `sub` existing.
    let args = [
        "check",
        "-c",
        "gate.toml",
        "--report",
        "json=./sub/../gate.toml",
    ];
    all.push_str(&t.run(&args).expect_code(2).titled("no sub/"));
    std::fs::create_dir(t.path().join("sub"))?;
    all.push_str(&t.run(&args).expect_code(2).titled("with sub/"));
    unchanged(&t, "gate.toml", CONFIG);
    insta::assert_snapshot!(all);
    Ok(())
}

#[test]
fn report_over_an_artifact_baseline_diff_or_policy_is_a_usage_error() -> anyhow::Result<()> {
    let t = setup();
    let _s = t.snapshots();
    let mut all = String::new();
    let mut refused = |args: &[&str]| {
        let r = t.run(args).expect_code(2);
        all.push_str(&r.titled(&args.join(" ")));
    };
    refused(&["check", "--report", "markdown=lcov.info"]);
    unchanged(&t, "lcov.info", LCOV_80);
    // A hard link and a symlink to the artifact are the artifact too.
    std::fs::hard_link(t.path().join("lcov.info"), t.path().join("hard.info"))?;
    std::os::unix::fs::symlink("lcov.info", t.path().join("soft.info"))?;
    refused(&["check", "--report", "json=hard.info"]);
    refused(&["check", "--report", "json=soft.info"]);
    unchanged(&t, "lcov.info", LCOV_80);
    t.write("base.info", LCOV_80);
    refused(&[
        "check",
        "--baseline",
        "base.info",
        "--report",
        "json=base.info",
    ]);
    unchanged(&t, "base.info", LCOV_80);
    let diff = "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -2,0 +3,1 @@\n+x\n";
    t.write("change.diff", diff);
    refused(&[
        "check",
        "--diff",
        "change.diff",
        "--report",
        "sarif=change.diff",
    ]);
    unchanged(&t, "change.diff", diff);
    t.write("p.wasm", "not a component");
    refused(&[
        "eval",
        "--policy",
        "p.wasm",
        "lcov.info",
        "--report",
        "json=p.wasm",
    ]);
    unchanged(&t, "p.wasm", "not a component");
    insta::assert_snapshot!(all);
    Ok(())
}

#[test]
fn two_reports_to_the_same_path_are_a_usage_error() -> anyhow::Result<()> {
    let t = setup();
    let _s = t.snapshots();
    let mut all = t
        .run(&["check", "--report", "json=same", "--report", "sarif=same"])
        .expect_code(2)
        .titled("json=same sarif=same");
    assert!(!t.path().join("same").exists(), "a report was written");
    let r = t
        .run(&[
            "check",
            "--report",
            "json=a.json",
            "--report",
            "sarif=./a.json",
        ])
        .expect_code(2);
    all.push_str(&r.titled("json=a.json sarif=./a.json"));
    insta::assert_snapshot!(all);
    // A character device may take several reports (through a link here,
    // never the device path itself).
    std::os::unix::fs::symlink("/dev/null", t.path().join("null"))?;
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
    Ok(())
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
    let _s = t.snapshots();
    // The human report shows the error in the policy's row; stderr says it
    // once.
    let human = t.run(&["check"]).expect_code(3);
    insta::assert_snapshot!("no_input_human", human.transcript());
    // Every other format: the same stderr, and no `error[` line in the report.
    for args in [
        &["check", "--quiet"][..],
        &["check", "--format", "json"],
        &["check", "--format", "sarif"],
    ] {
        let r = t.run(args).expect_code(3);
        assert_eq!(r.stderr(), human.stderr(), "{args:?}");
        assert!(
            !r.stdout().contains("error[no-input]"),
            "{args:?}:\n{}",
            r.stdout()
        );
    }
    // invalid-params from the policy: its row says so, stderr says it once.
    t.write(
        "a.json",
        r#"{"kind": "gate.approvals/v1",
 "change": {"id": "acme/app#7", "author": "alice", "environment": "production", "head_commit": "abc1234"},
 "reviews": [{"reviewer": "bob", "state": "approved", "submitted_at": "2026-11-20T14:03:11Z", "commit": "abc1234"}]}"#,
    );
    let params = r#"{"freeze-windows": [{"name": "x", "environments": ["staging"], "start": "2027-01-02", "end": "2026-12-20"}]}"#;
    let mut human: Option<Run> = None;
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
        assert!(!r.stdout().contains("error["), "{extra:?}:\n{}", r.stdout());
        match &human {
            // The first run is the human report: its row says
            // `policy failed: invalid-params: --params: …`.
            None => {
                insta::assert_snapshot!("invalid_params_human", r.transcript());
                human = Some(r);
            }
            Some(h) => assert_eq!(r.stderr(), h.stderr(), "{extra:?}"),
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
    assert_eq!(plain, "coverage gate failed: patch 50.00% < 80%");
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
fn report_to_a_fifo_without_a_reader_is_an_output_error_not_a_hang() -> anyhow::Result<()> {
    let t = setup();
    let ok = Command::new("mkfifo")
        .arg(t.path().join("pipe"))
        .status()?
        .success();
    assert!(ok, "mkfifo");
    let mut cmd = t.command();
    cmd.args(["check", "--quiet", "--report", "json=pipe"]);
    let _s = t.snapshots();
    let r: Run = run_bounded(cmd).expect_code(3);
    insta::assert_snapshot!(r.transcript());
    Ok(())
}

#[test]
fn root_that_is_not_an_existing_directory_is_a_usage_error() {
    let t = TestDir::new();
    t.write("lcov.info", "SF:a.rs\nDA:1,1\nend_of_record\n");
    t.write("file", "x");
    // It used to be accepted, leaving every absolute path unmapped.
    let _s = t.snapshots();
    let mut all = t
        .run(&["parse", "lcov.info", "--root", "missing"])
        .expect_code(2)
        .titled("--root missing");
    let r = t
        .run(&["check", "--artifact", "lcov.info", "--root", "file"])
        .expect_code(2);
    all.push_str(&r.titled("--root file"));
    t.write(
        "gate.toml",
        "root = \"missing\"\n[[artifact]]\npath = \"lcov.info\"\n",
    );
    all.push_str(
        &t.run(&["check"])
            .expect_code(2)
            .titled("root = \"missing\""),
    );
    insta::assert_snapshot!(all);
    t.run(&["parse", "lcov.info", "--root", "."]).expect_code(0);
}
