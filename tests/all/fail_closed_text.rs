//! Fail closed on keys given twice and on control characters in text
//! artifacts. JSON and YAML loaders that keep the last value let a later
//! `"results": []` or `privileged: false` erase what came before, and a NUL
//! after `USER root` made the rule miss it; the gate passed. Inline
//! documents: runs on a fresh clone.

use crate::TestDir;

const SARIF_ONE_ERROR: &str = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"d"}},"results":[{"ruleId":"r","level":"error","message":{"text":"m"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a.py"},"region":{"startLine":1}}}]}]"#;

#[test]
fn duplicate_json_key_erasing_findings_is_an_input_error_not_a_pass() {
    let t = TestDir::new();
    // The report as written: one error, the security gate fails.
    t.write("once.sarif", format!("{SARIF_ONE_ERROR}}}]}}"));
    t.run(&["check", "--artifact", "once.sarif"]).expect_code(1);
    // The same run followed by a second, empty `results`: it used to pass.
    t.write(
        "twice.sarif",
        format!("{SARIF_ONE_ERROR},\"results\":[]}}]}}"),
    );
    let _s = t.snapshots();
    let r = t
        .run(&["check", "--artifact", "twice.sarif"])
        .expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn duplicate_key_in_params_json_is_a_usage_error() {
    let t = TestDir::new();
    t.write("lcov.info", "SF:a.rs\nDA:1,0\nDA:2,1\nend_of_record\n");
    let r = t
        .run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "--params",
            r#"{"min-line":80,"min-line":0}"#,
            "lcov.info",
        ])
        .expect_code(2);
    let _s = t.snapshots();
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn duplicate_yaml_key_hiding_a_privileged_container_is_an_input_error() {
    let t = TestDir::new();
    let pod = |extra: &str| {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: r.example/app:1.0\n      securityContext:\n        privileged: true\n{extra}"
        )
    };
    t.write("once.yaml", pod(""));
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:iac",
        "--format",
        "json",
        "once.yaml",
    ]);
    let v = r.json();
    let rules: Vec<&str> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"iac/k8s-privileged"), "{rules:?}");
    t.write("twice.yaml", pod("        privileged: false\n"));
    let _s = t.snapshots();
    let r = t
        .run(&["eval", "--policy", "builtin:iac", "twice.yaml"])
        .expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn nul_or_escape_in_a_dockerfile_instruction_is_an_input_error_not_a_missed_rule() {
    let t = TestDir::new();
    t.write("clean/Dockerfile", "FROM alpine:3.19\nUSER root\n");
    t.run(&["eval", "--policy", "builtin:iac", "clean/Dockerfile"])
        .expect_code(1);
    let _s = t.snapshots();
    // `control-character` at the NUL (2:10) and at the ESC (2:6).
    let mut all = String::new();
    for (name, text) in [
        ("nul", "FROM alpine:3.19\nUSER root\0\n"),
        ("esc", "FROM alpine:3.19\nUSER \u{1b}[0mroot\n"),
    ] {
        let path = format!("{name}/Dockerfile");
        t.write(&path, text);
        let r = t
            .run(&["eval", "--policy", "builtin:iac", &path])
            .expect_code(3);
        all.push_str(&r.titled(&path));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn sarif_run_without_results_is_an_input_error_not_a_clean_scan() {
    let t = TestDir::new();
    // `results: []` is a scan that found nothing: the gate passes.
    t.write(
        "clean.sarif",
        r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"d"}},"results":[]}]}"#,
    );
    t.run(&["check", "--artifact", "clean.sarif"])
        .expect_code(0);
    // No `results` (or null): the tool produced none; it used to pass.
    let _s = t.snapshots();
    let mut all = String::new();
    for (name, run) in [
        ("absent.sarif", r#"{"tool":{"driver":{"name":"d"}}}"#),
        (
            "null.sarif",
            r#"{"tool":{"driver":{"name":"d"}},"results":null}"#,
        ),
    ] {
        t.write(name, format!(r#"{{"version":"2.1.0","runs":[{run}]}}"#));
        let r = t.run(&["check", "--artifact", name]).expect_code(3);
        all.push_str(&r.titled(name));
    }
    insta::assert_snapshot!(all);
}
