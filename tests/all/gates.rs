//! Gating semantics end to end: patch coverage from a diff or from git,
//! enforcement levels, overrides and --fail-on.

use crate::{LCOV_80, TestDir};

const NOW: &str = "2026-11-22T10:00:00Z";

/// src/lib.rs lines 3 (uncovered) and 4 (covered) changed, plus a
/// non-coverable line 9; src/util.rs line 3 (uncovered).
const DIFF: &str = "\
diff --git a/src/lib.rs b/src/lib.rs
--- a/src/lib.rs
+++ b/src/lib.rs
@@ -2,1 +2,3 @@
 keep
+changed three
+changed four
@@ -8,0 +9 @@
+// comment
diff --git a/src/util.rs b/src/util.rs
--- a/src/util.rs
+++ b/src/util.rs
@@ -3 +3 @@
-old
+new
";

fn setup(params: &str, level: &str) -> TestDir {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("change.diff", DIFF);
    t.write(
        "gate.toml",
        format!("[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"builtin:coverage\"\nlevel = \"{level}\"\nparams = {{ {params} }}\n"),
    );
    t
}

#[test]
fn patch_coverage_from_diff_file_reports_uncovered_changed_lines() {
    let t = setup("min-patch = 50, min-changed-lines = 1", "hard");
    let r = t
        .run(&[
            "check",
            "--diff",
            "change.diff",
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .expect_code(1);
    let v = r.json();
    let p = &v["policies"][0];
    let m = |n: &str| {
        p["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == n)
            .unwrap()
            .clone()
    };
    // Coverable changed lines: lib.rs 3 (0 hits), 4 (1 hit); util.rs 3 (0 hits).
    assert_eq!(m("changed-coverable-lines")["value"], 3.0);
    assert_eq!(m("patch-coverage")["value"], 33.33);
    let uncovered: Vec<String> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "coverage/uncovered-changed-line")
        .map(|f| {
            format!(
                "{}:{}",
                f["location"]["path"].as_str().unwrap(),
                f["location"]["line"]
            )
        })
        .collect();
    assert_eq!(uncovered, ["src/lib.rs:3", "src/util.rs:3"]);
}

#[test]
fn patch_coverage_without_a_diff_is_an_error_not_a_pass() {
    let t = setup("min-patch = 50", "hard");
    // A missing input: exit 3 (`unsupported-input`), not a policy runtime error.
    let r = t.run(&["check", "--format", "json"]).expect_code(3);
    assert_eq!(
        r.json()["policies"][0]["error"],
        serde_json::json!({
            "kind": "unsupported-input",
            "message": "min-patch needs the change's diff: run gate with --diff FILE or --base REF"
        })
    );
}

#[test]
fn patch_coverage_from_git_base() {
    let t = setup("min-patch = 60, min-changed-lines = 1", "hard");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args([
                "-c",
                "user.email=t@example.com",
                "-c",
                "user.name=t",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(t.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let lines = |n: usize| (1..=n).map(|i| format!("line {i}\n")).collect::<String>();
    t.write("src/lib.rs", lines(5));
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "src/lib.rs"]);
    git(&["commit", "-q", "-m", "base"]);
    // Change lines 3 and 4 of src/lib.rs: one uncovered, one covered = 50%.
    t.write("src/lib.rs", "line 1\nline 2\nthree!\nfour!\nline 5\n");
    git(&["commit", "-q", "-am", "change"]);
    let v = t
        .run(&[
            "check", "--base", "HEAD~1", "--format", "json", "--now", NOW,
        ])
        .expect_code(1)
        .json();
    let m = v["policies"][0]["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "patch-coverage")
        .unwrap()
        .clone();
    assert_eq!(m["value"], 50.0);
    assert_eq!(m["threshold"], 60.0);
}

#[test]
fn soft_failure_can_be_overridden_and_is_recorded() {
    let t = setup("min-line = 95", "soft");
    t.run(&["check", "--now", NOW]).expect_code(1);
    let r = t
        .run(&[
            "check",
            "--now",
            NOW,
            "--format",
            "json",
            "--override",
            "coverage",
            "--by",
            "alice",
            "--reason",
            "hotfix for INC-7",
        ])
        .expect_code(0);
    let v = r.json();
    assert_eq!(v["outcome"], "warn");
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "warn");
    assert_eq!(p["policy_outcome"], "fail");
    assert_eq!(
        p["override"],
        serde_json::json!({"by": "alice", "reason": "hotfix for INC-7"})
    );
    // The human report says who overrode it and why.
    let _s = t.snapshots();
    let human = t
        .run(&[
            "check",
            "--now",
            NOW,
            "--override",
            "coverage",
            "--by",
            "alice",
            "--reason",
            "hotfix for INC-7",
        ])
        .expect_code(0);
    insta::assert_snapshot!(human.transcript());
}

#[test]
fn hard_failure_cannot_be_overridden() {
    let t = setup("min-line = 95", "hard");
    let _s = t.snapshots();
    let mut all = String::new();
    for policy in ["coverage", "nope"] {
        let r = t
            .run(&[
                "check",
                "--override",
                policy,
                "--by",
                "alice",
                "--reason",
                "x",
            ])
            .expect_code(2);
        all.push_str(&r.titled(&format!("--override {policy}")));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn fail_on_warn_fails_advisory_failures() {
    let t = setup("min-line = 95", "advisory");
    t.run(&["check", "--now", NOW]).expect_code(0);
    let v = t
        .run(&[
            "check",
            "--now",
            NOW,
            "--fail-on",
            "warn",
            "--format",
            "json",
        ])
        .expect_code(1)
        .json();
    assert_eq!(v["outcome"], "warn");
    assert_eq!(v["exit_code"], 1);
}
