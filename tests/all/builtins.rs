//! The built-in gates end to end through the real binary on real corpus
//! artifacts. Expected figures are computed from `gate parse` of the same
//! files (the parsers are tested against producers' figures elsewhere), so
//! these tests check the policies' judgement, not the parsers again.

use crate::{TestDir, corpus_or_skip, metric};
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

fn eval(t: &TestDir, policy: &str, params: &str, files: &[&str]) -> (i32, Value) {
    let mut args = vec![
        "eval", "--policy", policy, "--params", params, "--format", "json", "--now", NOW,
    ];
    args.extend_from_slice(files);
    let r = t.run(&args);
    let v = r.json();
    (r.code(), v)
}

fn parse(t: &TestDir, file: &str) -> Value {
    t.run(&["parse", file, "--json"]).expect_code(0).json()
}

#[test]
fn security_gate_on_a_large_real_grype_report() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("security/grype/defectdojo-many-vulns-big.json");
    let file = file.to_str().unwrap();
    let model = parse(&t, file);
    assert_eq!(
        model["counts"],
        serde_json::json!({"critical": 0, "high": 32, "medium": 613, "low": 788, "info": 0, "unknown": 76})
    );

    // Report everything, fail on a subset: every finding appears, only
    // high ones block with fail-on = high and unknown ranked low.
    let (code, v) = eval(
        &t,
        "builtin:security",
        r#"{"fail-on": "high", "unknown-as": "low"}"#,
        &[file],
    );
    assert_eq!(code, 1);
    let p = &v["policies"][0];
    let findings = p["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 32 + 613 + 788 + 76, "every finding appears");
    let blocking: Vec<&Value> = findings.iter().filter(|f| f["blocking"] == true).collect();
    assert!(
        blocking
            .iter()
            .all(|f| f["severity"] == "high" || f["severity"] == "critical")
    );
    assert_eq!(blocking.len(), 32);
    assert_eq!(metric(&v, "blocking"), 32.0);
    assert_eq!(metric(&v, "open-high"), 32.0, "duplicates count once");
    // unknown defaults to high: the unknown-severity findings block too.
    let (_, v2) = eval(&t, "builtin:security", r#"{"fail-on": "high"}"#, &[file]);
    assert_eq!(metric(&v2, "open-unknown"), 76.0);
    assert_eq!(metric(&v2, "blocking"), 32.0 + 76.0);

    // Nothing blocks with fail-on none and generous maximums.
    let (code, v) = eval(
        &t,
        "builtin:security",
        r#"{"fail-on": "none", "max": {"high": 100000}}"#,
        &[file],
    );
    assert_eq!(code, 0, "{}", v["policies"][0]["summary"]);
    // ...but a max of zero highs fails and says how many there are.
    let (code, v) = eval(
        &t,
        "builtin:security",
        r#"{"fail-on": "none", "max": {"high": 0}}"#,
        &[file],
    );
    assert_eq!(code, 1);
    assert_eq!(metric(&v, "max-high"), 32.0);
    assert_eq!(
        v["policies"][0]["summary"],
        "blocking findings: 32 high findings, at most 0 allowed"
    );
}

#[test]
fn security_baseline_gates_only_new_findings() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let base = corpus.join("security/grype/defectdojo-many-vulns4.json");
    let cur = corpus.join("security/grype/defectdojo-with-epss.json");
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = {:?}\nrole = \"baseline\"\n[[artifact]]\npath = {:?}\n[[policy]]\nuse = \"builtin:security\"\nparams = {{ fail-on = \"low\" }}\n",
            base.to_str().unwrap(),
            cur.to_str().unwrap()
        ),
    );
    let v = t.run(&["check", "--format", "json", "--now", NOW]).json();
    // Expected new/fixed from the fingerprints gate parse reports.
    let prints = |f: &std::path::Path| -> std::collections::BTreeSet<String> {
        parse(&t, f.to_str().unwrap())["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    let (b, c) = (prints(&base), prints(&cur));
    let new = c.difference(&b).count();
    let fixed = b.difference(&c).count();
    assert_eq!(metric(&v, "new") as usize, new);
    assert_eq!(metric(&v, "fixed") as usize, fixed);
    let p = &v["policies"][0];
    let fixed_findings = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["status"] == "fixed")
        .count();
    assert_eq!(fixed_findings, fixed);
    // Only new findings may block.
    for f in p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
    {
        assert!(
            f["evidence"]
                .as_str()
                .unwrap()
                .contains("new since baseline"),
            "{f}"
        );
    }
}

#[test]
fn security_severity_from_sarif_security_severity() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("security/sarif/trivy/trivy-alpine-310.sarif");
    let model = parse(&t, file.to_str().unwrap());
    let sources: std::collections::BTreeSet<&str> = model["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity_source"].as_str().unwrap())
        .collect();
    assert!(sources.contains("sarif-security-severity"), "{sources:?}");
    // Trivy rates these CVEs 5.3 (security-severity) with level `warning`:
    // medium, from the score.
    assert_eq!(model["counts"]["medium"], 4, "{}", model["counts"]);
    let (code, v) = eval(
        &t,
        "builtin:security",
        r#"{"fail-on": "high"}"#,
        &[file.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert_eq!(metric(&v, "blocking"), 0.0);
    let (code, v) = eval(
        &t,
        "builtin:security",
        r#"{"fail-on": "medium"}"#,
        &[file.to_str().unwrap()],
    );
    assert_eq!(code, 1);
    assert_eq!(metric(&v, "blocking"), 4.0);
    assert_eq!(metric(&v, "open-medium"), 4.0);
}

#[test]
fn approvals_gate_on_real_github_reviews() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("approvals/github/rest-api-recorded/GET-pulls-538-reviews.json");
    let file = file.to_str().unwrap();
    // One APPROVED review (jzelinskie) among later comments: comments do not
    // remove it, and they do not count as approvals.
    let (code, v) = eval(
        &t,
        "builtin:approvals",
        r#"{"min-approvals": {"default": 1}}"#,
        &[file],
    );
    assert_eq!(code, 0, "{}", v["policies"][0]["summary"]);
    assert_eq!(metric(&v, "approvals"), 1.0);
    assert_eq!(
        v["policies"][0]["summary"],
        "PyGithub/PyGithub#538: 1 valid approval (jzelinskie)"
    );
    let (code, v) = eval(
        &t,
        "builtin:approvals",
        r#"{"min-approvals": {"default": 2}}"#,
        &[file],
    );
    assert_eq!(code, 1);
    assert_eq!(
        v["policies"][0]["summary"],
        "PyGithub/PyGithub#538: 1 of 2 required approvals"
    );
}

#[test]
fn approvals_freeze_window_is_replayable_with_now() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let t = TestDir::new();
    let file = corpus.join("approvals/github/rest-api-recorded/GET-pulls-538-reviews.json");
    let params = r#"{"freeze-windows": [{"name": "year-end", "start": "2026-12-20", "end": "2027-01-04", "timezone": "Europe/Berlin"}]}"#;
    let run = |now: &str| {
        t.run(&[
            "eval",
            "--policy",
            "builtin:approvals",
            "--params",
            params,
            "--format",
            "json",
            "--now",
            now,
            file.to_str().unwrap(),
        ])
    };
    assert_eq!(run("2026-12-24T09:00:00Z").code(), 1);
    assert_eq!(run("2027-01-04T09:00:00Z").code(), 0);
    let v = run("2026-12-24T09:00:00Z").json();
    assert_eq!(v["now"], "2026-12-24T09:00:00Z");
}

#[test]
fn example_service_uses_all_three_gates() {
    let t = TestDir::new();
    let example = crate::repo().join("examples/service/gate.toml");
    let v = t
        .run(&[
            "check",
            "--config",
            example.to_str().unwrap(),
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .expect_code(0)
        .json();
    let names: Vec<&str> = v["policies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["coverage", "security", "approvals"]);
    assert!(
        v["policies"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["outcome"] == "pass")
    );
    // The waived finding stays visible as waived.
    let sec = &v["policies"][1];
    assert!(
        sec["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["status"] == "waived" && f["rule"] == "GHSA-35jh-r3h4-6jhm")
    );
}

#[test]
fn approvals_change_record_window_from_the_neutral_format() {
    let t = TestDir::new();
    let file = crate::repo().join("examples/approvals/change-record.json");
    let file = file.to_str().unwrap();
    let params = r#"{"min-approvals": {"production": 2}, "change-record": {}, "required-teams": {"all-of": ["sre", "security"]}}"#;
    let run = |now: &str| {
        t.run(&[
            "eval",
            "--policy",
            "builtin:approvals",
            "--params",
            params,
            "--format",
            "json",
            "--now",
            now,
            file,
        ])
    };
    // Inside the ticket's 09:00–12:00 window: pass.
    let r = run("2026-11-22T10:00:00Z");
    assert_eq!(r.code(), 0, "{}", r.json()["policies"][0]["summary"]);
    // After it: the change record blocks.
    let v = run("2026-11-22T12:30:00Z").json();
    assert_eq!(v["exit_code"], 1);
    let f = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "approvals/change-record")
        .unwrap()
        .clone();
    assert_eq!(
        f["message"],
        "change record CHG0042917: now is outside its planned window \
         2026-11-22T09:00:00Z – 2026-11-22T12:00:00Z",
        "{f}"
    );
    assert_eq!(f["blocking"], true, "{f}");
}
