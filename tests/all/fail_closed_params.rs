//! Issue 11, items 3, 4 and 11: params that cannot be honoured, selectors
//! and inputs that select nothing. Each is a config error (exit 2,
//! `invalid-params`, with the JSON pointer) or an input error (exit 3) —
//! never a quiet pass, never a policy runtime error (exit 4).

use crate::{LCOV_80, TestDir};
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

/// One SARIF result (level `error`: high) for rule R1 in src/lib.rs.
const SARIF_ONE_HIGH: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scan", "rules": [{"id": "R1"}]}},
 "results": [{"ruleId": "R1", "level": "error", "message": {"text": "bad thing"},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/lib.rs"}, "region": {"startLine": 1}}}]}]}]}"#;

/// Two SARIF results, for a baseline.
const SARIF_TWO: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "scan", "rules": [{"id": "R1"}, {"id": "R2"}]}},
 "results": [{"ruleId": "R1", "level": "error", "message": {"text": "bad thing"},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/lib.rs"}, "region": {"startLine": 1}}}]},
  {"ruleId": "R2", "level": "warning", "message": {"text": "other thing"},
   "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/util.rs"}, "region": {"startLine": 2}}}]}]}]}"#;

/// A change with one valid approval (bob) on the head commit.
const APPROVALS: &str = r#"{"kind": "gate.approvals/v1",
 "change": {"id": "acme/app#7", "author": "alice", "environment": "production", "head_commit": "abc1234"},
 "reviews": [{"reviewer": "bob", "state": "approved", "submitted_at": "2026-11-20T14:03:11Z", "commit": "abc1234"}]}"#;

const DOCKERFILE: &str = "FROM ubuntu:24.04\nUSER app\nHEALTHCHECK CMD true\n";

fn eval(t: &TestDir, policy: &str, params: &str, extra: &[&str]) -> crate::Run {
    let mut args = vec![
        "eval", "--policy", policy, "--params", params, "--format", "json", "--now", NOW,
    ];
    args.extend_from_slice(extra);
    t.run(&args)
}

/// Exit 2 before any evaluation (stdout empty): the run under `title`,
/// for the test's snapshot of `error[invalid-params]` with its JSON pointer.
fn refused_by_host(r: crate::Run, title: &str) -> String {
    r.expect_code(2).titled(title)
}

/// Exit 2 after the policy said `invalid-params`: the verdict records the
/// error, stderr says it once; returns stderr under `title` for the test's
/// snapshot.
fn refused_by_policy(r: crate::Run, title: &str) -> String {
    let r = r.expect_code(2);
    let v = r.json();
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "error", "{p}");
    assert_eq!(p["error"]["kind"], "invalid-params", "{p}");
    assert_eq!(v["exit_code"], 2);
    let m = p["error"]["message"].as_str().unwrap();
    assert_eq!(r.stderr(), format!("error[invalid-params]: {m}\n"));
    format!("=== {title}\n{}", r.stderr())
}

fn waiver(expires: &str) -> String {
    format!(r#"{{"waivers": [{{"id": "R1", "reason": "accepted", "expires": "{expires}"}}]}}"#)
}

#[test]
fn invalid_waiver_date_is_invalid_params_not_a_waiver_forever() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("r.sarif", SARIF_ONE_HIGH);
    // On main both passed the schema and waived the finding forever (exit 0).
    // Each names /waivers/0/expires and says why (no month 13, no day 29 in
    // 2025, …).
    let mut all = String::new();
    for date in [
        "2025-13-01",
        "2025-00-10",
        "2025-02-29",
        "2026-11-31",
        "9999-12-31",
        "2026-12-31T00:00:00Z",
    ] {
        all.push_str(&refused_by_host(
            eval(&t, "builtin:security", &waiver(date), &["r.sarif"]),
            date,
        ));
    }
    insta::assert_snapshot!(all);
    // A real date still waives until it passes.
    let v = eval(&t, "builtin:security", &waiver("2026-12-31"), &["r.sarif"])
        .expect_code(0)
        .json();
    assert_eq!(v["policies"][0]["findings"][0]["status"], "waived");
    eval(&t, "builtin:security", &waiver("2026-11-22"), &["r.sarif"]).expect_code(1);
}

#[test]
fn invalid_waiver_date_in_gate_toml_names_the_file_and_line() {
    let t = TestDir::new();
    t.write("r.sarif", SARIF_ONE_HIGH);
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"r.sarif\"\n\n[[policy]]\nuse = \"builtin:security\"\n\n[[policy.params.waivers]]\nid = \"R1\"\nreason = \"accepted\"\nexpires = \"2025-13-01\"\n",
    );
    let _s = t.snapshots();
    let r = t.run(&["check", "--now", NOW]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn approvals_params_that_cannot_be_honoured_are_invalid_params() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("a.json", APPROVALS);
    // On main each of these was exit 4 `policy-reported`.
    let too_many = r#"{"min-approvals": {"default": 9223372036854775807}}"#;
    let mut all = refused_by_host(
        eval(&t, "builtin:approvals", too_many, &["a.json"]),
        too_many,
    );
    let window = |extra: &str| {
        format!(r#"{{"freeze-windows": [{{"name": "w", "days": ["mon"], {extra}}}]}}"#)
    };
    for extra in [
        r#""timezone": "Mars/Olympus""#,
        r#""timezone": "Etc/Unknown""#,
        r#""end": "9999-12-31""#,
        r#""end": "9999-12-31T23:59:59Z""#,
        r#""start": "-999999-01-01""#,
        r#""start": "2026-02-30""#,
        r#""start": "2026-12-20T08:00:00""#,
        r#""from": "29:00""#,
    ] {
        let params = window(extra);
        all.push_str(&refused_by_host(
            eval(&t, "builtin:approvals", &params, &["a.json"]),
            &params,
        ));
    }
    let no_team = r#"{"required-teams": {"any-of": []}}"#;
    all.push_str(&refused_by_host(
        eval(&t, "builtin:approvals", no_team, &["a.json"]),
        no_team,
    ));
    insta::assert_snapshot!(all);
    // What is honourable still works: a zone in the bundled database.
    eval(
        &t,
        "builtin:approvals",
        &window(r#""timezone": "America/New_York""#),
        &["a.json"],
    )
    .expect_code(0);
}

#[test]
fn freeze_window_that_can_never_be_in_force_is_invalid_params() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("a.json", APPROVALS);
    // Checked whatever environment is judged (the first is for staging):
    // an end before the start, a window over midnight, a window with
    // neither dates nor days.
    let mut all = String::new();
    for params in [
        r#"{"freeze-windows": [{"name": "x", "environments": ["staging"], "start": "2027-01-02", "end": "2026-12-20"}]}"#,
        r#"{"freeze-windows": [{"name": "night", "days": ["fri"], "from": "22:00", "to": "06:00"}]}"#,
        r#"{"freeze-windows": [{"name": "empty", "environments": ["production"]}]}"#,
    ] {
        all.push_str(&refused_by_policy(
            eval(&t, "builtin:approvals", params, &["a.json"]),
            params,
        ));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn integer_params_beyond_their_bounds_are_invalid_params() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("r.sarif", SARIF_ONE_HIGH);
    t.write("lcov.info", LCOV_80);
    let mut all = String::new();
    for (policy, params, file) in [
        ("builtin:security", r#"{"max": {"high": 1e12}}"#, "r.sarif"),
        (
            "builtin:security",
            r#"{"expiring-within-days": 18446744073709551615}"#,
            "r.sarif",
        ),
        (
            "builtin:coverage",
            r#"{"min-changed-lines": 1e30}"#,
            "lcov.info",
        ),
        ("builtin:coverage", r#"{"max-drop": 1000}"#, "lcov.info"),
        (
            "builtin:security",
            r#"{"waivers": [{"id": "R1", "reason": "   "}]}"#,
            "r.sarif",
        ),
    ] {
        all.push_str(&refused_by_host(
            eval(&t, policy, params, &[file]),
            &format!("{policy} {params}"),
        ));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn integral_float_for_an_integer_param_is_read_as_the_integer() {
    // TOML writes `5.0` as a float; JSON Schema counts it as an integer, so
    // the policy must read 5 (on main: exit 4, "expected u64").
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"lcov.info\"\n[[policy]]\nuse = \"builtin:coverage\"\nparams = { min-line = 50, min-changed-lines = 5.0 }\n",
    );
    let v = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(0)
        .json();
    assert_eq!(v["policies"][0]["outcome"], "pass", "{}", v["policies"][0]);
}

#[test]
fn iac_rule_selector_that_selects_nothing_is_invalid_params() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("Dockerfile", DOCKERFILE);
    let run = |params: &str| eval(&t, "builtin:iac", params, &["Dockerfile"]);
    // On main: no rule ran and the gate passed. Each names the selector's
    // pointer (/rules/enable/1, /severity/iac~1nope-*, …).
    let mut all = String::new();
    for params in [
        r#"{"rules": {"enable": ["nope-rule"]}}"#,
        r#"{"rules": {"enable": ["iac/docker-user-root", "CKV_NOPE_1"]}}"#,
        r#"{"rules": {"disable": ["iac/docker-nope-*"]}}"#,
        r#"{"skip-rules": ["docker-usr-root"]}"#,
        r#"{"severity": {"iac/nope-*": "low"}}"#,
        r#"{"rules": {"enable": ["iac/required-tags"]}}"#,
        r#"{"rules": {"disable": ["iac/*"]}}"#,
    ] {
        all.push_str(&refused_by_policy(run(params), params));
    }
    insta::assert_snapshot!(all);
    // Real selectors still work: ids, short ids, checkov ids, globs.
    for ok in [
        r#"{"rules": {"enable": ["iac/docker-user-root"]}}"#,
        r#"{"rules": {"enable": ["docker-*"]}, "severity": {"iac/docker-*": "low"}}"#,
    ] {
        let r = run(ok);
        assert!(matches!(r.code(), 0 | 1), "{ok}: {}", r.stderr());
    }
}

#[test]
fn iac_skip_resources_entry_that_skips_nothing_is_a_warning() {
    let t = TestDir::new();
    t.write("Dockerfile", DOCKERFILE);
    let v = eval(
        &t,
        "builtin:iac",
        r#"{"skip-resources": ["module.legacy.*"], "rules": {"enable": ["iac/docker-user-root"]}}"#,
        &["Dockerfile"],
    )
    .expect_code(0)
    .json();
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "warn", "{p}");
    let unused: Vec<(&Value, &Value)> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "iac/skip-resources-unused")
        .map(|f| (&f["severity"], &f["message"]))
        .collect();
    assert_eq!(
        unused,
        [(
            &Value::from("info"),
            &Value::from(
                "skip-resources entry `module.legacy.*` matches no resource of the artifacts"
            )
        )],
        "{p}"
    );
}

#[test]
fn iac_skip_resources_that_skip_every_resource_is_not_a_pass() {
    let t = TestDir::new();
    t.write("Dockerfile", DOCKERFILE);
    // Every resource skipped: it used to pass with "0 of 0 resource(s)".
    for glob in ["**", "*"] {
        let v = eval(
            &t,
            "builtin:iac",
            &format!(r#"{{"skip-resources": ["{glob}"]}}"#),
            &["Dockerfile"],
        )
        .expect_code(3)
        .json();
        let e = &v["policies"][0]["error"];
        assert_eq!(e["kind"], "unsupported-input", "{v}");
        assert_eq!(
            e["message"],
            "skip-resources skipped all 1 resource of the artifacts: nothing was judged"
        );
    }
}

#[test]
fn baseline_without_current_report_is_an_input_error() {
    let t = TestDir::new();
    t.write("base.sarif", SARIF_TWO);
    let _s = t.snapshots();
    // On main: "0 open finding(s), none blocking (0 new, 2 fixed)", exit 0.
    let mut all = t
        .run(&["check", "--baseline", "base.sarif", "--now", NOW])
        .expect_code(3)
        .titled("a findings baseline alone");
    // The same for coverage, and with a current report of another kind.
    t.write("base.info", LCOV_80);
    t.write("r.sarif", SARIF_ONE_HIGH);
    let r = t
        .run(&[
            "check",
            "--artifact",
            "r.sarif",
            "--baseline",
            "base.info",
            "--now",
            NOW,
        ])
        .expect_code(3);
    all.push_str(&r.titled("a coverage baseline with a findings report"));
    insta::assert_snapshot!(all);
    // With its current report, a baseline is compared as before.
    t.run(&[
        "check",
        "--artifact",
        "r.sarif",
        "--baseline",
        "base.sarif",
        "--now",
        NOW,
    ])
    .expect_code(0);
}

#[test]
fn diff_that_is_not_a_unified_diff_is_an_input_error() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let params = r#"{"min-line": 50, "min-patch": 80, "min-changed-lines": 1}"#;
    // On main: min-patch silently skipped, "no thresholds set", exit 0.
    t.write("notes.txt", "release notes\n- fixed things\n");
    let _s = t.snapshots();
    let mut all = eval(
        &t,
        "builtin:coverage",
        params,
        &["--diff", "notes.txt", "lcov.info"],
    )
    .expect_code(3)
    .titled("--diff notes.txt");
    t.write("empty.diff", "");
    let r = eval(
        &t,
        "builtin:coverage",
        params,
        &["--diff", "empty.diff", "lcov.info"],
    )
    .expect_code(3);
    all.push_str(&r.titled("--diff empty.diff"));
    insta::assert_snapshot!(all);
    // A real diff is still read: line 3 of src/lib.rs is uncovered.
    t.write(
        "change.diff",
        "diff --git a/src/lib.rs b/src/lib.rs\n--- a/src/lib.rs\n+++ b/src/lib.rs\n@@ -2,0 +3,2 @@\n+x\n+y\n",
    );
    let v = eval(
        &t,
        "builtin:coverage",
        params,
        &["--diff", "change.diff", "lcov.info"],
    )
    .expect_code(1)
    .json();
    assert_eq!(
        v["policies"][0]["summary"],
        "coverage gate failed: patch 50.00% < 80%"
    );
}

#[test]
fn min_patch_skipped_for_a_diff_without_coverable_changes_says_so() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write(
        "docs.diff",
        "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n@@ -1 +1 @@\n-a\n+b\n",
    );
    let v = eval(
        &t,
        "builtin:coverage",
        r#"{"min-patch": 80}"#,
        &["--diff", "docs.diff", "lcov.info"],
    )
    .expect_code(0)
    .json();
    // Not "no thresholds set": min-patch was set and skipped, and why.
    assert_eq!(
        v["policies"][0]["summary"],
        "line coverage 80.00%; no condition could be checked (skipped: patch coverage: \
         0 coverable changed lines, fewer than min-changed-lines 20; \
         none of the 1 changed file is in the coverage reports)"
    );
}

#[test]
fn min_patch_without_a_diff_is_an_input_error() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    // On main: exit 4 `policy-reported`; a missing input is exit 3.
    let v = eval(
        &t,
        "builtin:coverage",
        r#"{"min-patch": 80}"#,
        &["lcov.info"],
    )
    .expect_code(3)
    .json();
    assert_eq!(
        v["policies"][0]["error"],
        serde_json::json!({
            "kind": "unsupported-input",
            "message": "min-patch needs the change's diff: run gate with --diff FILE or --base REF"
        })
    );
    let v = eval(&t, "builtin:coverage", r#"{"max-drop": 1}"#, &["lcov.info"])
        .expect_code(3)
        .json();
    assert_eq!(
        v["policies"][0]["error"],
        serde_json::json!({
            "kind": "unsupported-input",
            "message": "max-drop needs the base branch's coverage report: add it as an artifact with role = \"baseline\" (or --baseline PATH)"
        })
    );
}

#[test]
fn coverage_globs_that_select_no_file_fail_closed() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    // Every file filtered out with a threshold set: nothing was judged
    // (on main a skip, which a run with other policies passes).
    let v = eval(
        &t,
        "builtin:coverage",
        r#"{"min-line": 80, "include": ["source/**"]}"#,
        &["lcov.info"],
    )
    .expect_code(3)
    .json();
    assert_eq!(
        v["policies"][0]["error"],
        serde_json::json!({
            "kind": "unsupported-input",
            "message": "include/exclude select no file with coverable lines among the 2 files \
                        of the coverage reports: nothing to hold the thresholds to"
        })
    );
    // One include glob of two matches nothing: a warning, with the glob.
    let v = eval(
        &t,
        "builtin:coverage",
        r#"{"min-line": 50, "include": ["src/**", "scr/**"], "exclude": ["vendor/**"]}"#,
        &["lcov.info"],
    )
    .expect_code(0)
    .json();
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "warn", "{p}");
    let unused: Vec<(&Value, &Value)> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "coverage/unused-glob")
        .map(|f| (&f["severity"], &f["message"]))
        .collect();
    // The unused include is low (it may hide a typo), the exclude info.
    assert_eq!(
        unused,
        [
            (
                &Value::from("low"),
                &Value::from("include glob `scr/**` matches no file of the coverage reports")
            ),
            (
                &Value::from("info"),
                &Value::from("exclude glob `vendor/**` matches no file of the coverage reports")
            ),
        ],
        "{p}"
    );
    // A glob that cannot match as written is a config error.
    let _s = t.snapshots();
    let unclosed = r#"{"include": ["src/{a,b"]}"#;
    let mut all = refused_by_policy(
        eval(&t, "builtin:coverage", unclosed, &["lcov.info"]),
        unclosed,
    );
    let empty = r#"{"exclude": [""]}"#;
    all.push_str(&refused_by_host(
        eval(&t, "builtin:coverage", empty, &["lcov.info"]),
        empty,
    ));
    insta::assert_snapshot!(all);
}

#[test]
fn waiver_path_glob_that_cannot_match_is_invalid_params() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("r.sarif", SARIF_ONE_HIGH);
    let params = r#"{"waivers": [{"id": "R1", "reason": "ok", "path": "src/{a,{b,c}}"}]}"#;
    let refused = refused_by_policy(eval(&t, "builtin:security", params, &["r.sarif"]), params);
    insta::assert_snapshot!(refused);
}

#[test]
fn params_a_policy_rejects_in_gate_toml_name_the_file_and_line() {
    let t = TestDir::new();
    t.write("Dockerfile", DOCKERFILE);
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"Dockerfile\"\n\n[[policy]]\nuse = \"builtin:iac\"\nparams = { rules = { enable = [\"nope-rule\"] } }\n",
    );
    let v = t
        .run(&["check", "--format", "json", "--now", NOW])
        .expect_code(2)
        .json();
    let e = &v["policies"][0]["error"];
    assert_eq!(e["kind"], "invalid-params", "{e}");
    // The place is the refused value in gate.toml, not --params or its table.
    assert_eq!(
        e["message"],
        "gate.toml:6:32: params of policy `iac` rejected by the policy: /rules/enable/0: \
         `nope-rule` selects no rule; selectors are rule ids (iac/aws-s3-versioning), ids \
         without iac/ (k8s-privileged), checkov ids (CKV_AWS_21) or globs (iac/k8s-*); the \
         catalogue is docs/iac-rules.md"
    );
}

#[test]
fn pack_default_params_with_an_invalid_date_do_not_build() {
    // A run would refuse these defaults; so must `gate pack build`, with the
    // same message (on main the pack built, and waived forever).
    let t = TestDir::new();
    let security = gate::policies::builtin::get("security").unwrap();
    t.write("p/security.wasm", security);
    let pack = |expires: &str| {
        format!(
            "name = \"p\"\nversion = \"1.0.0\"\n\n[[policy]]\nname = \"security\"\ncomponent = \"security.wasm\"\nparams = {{ waivers = [{{ id = \"R1\", reason = \"accepted\", expires = \"{expires}\" }}] }}\n"
        )
    };
    t.write("p/pack.toml", pack("2025-13-01"));
    let _s = t.snapshots();
    let r = t.run(&["pack", "build", "p", "-o", "p.oci"]).expect_code(2);
    insta::assert_snapshot!(r.transcript());
    t.write("p/pack.toml", pack("2026-12-31"));
    t.run(&["pack", "build", "p", "-o", "p.oci"]).expect_code(0);
}

#[test]
fn freeze_window_with_empty_days_or_environments_is_invalid_params_not_always() {
    let t = TestDir::new();
    let _s = t.snapshots();
    t.write("a.json", APPROVALS);
    // An empty list used to mean "every day" / "every environment".
    let mut all = String::new();
    for window in [
        r#"{"name": "w", "days": [], "from": "00:00", "to": "24:00"}"#,
        r#"{"name": "w", "environments": [], "start": "2026-11-01", "end": "2026-12-01"}"#,
    ] {
        let params = format!(r#"{{"freeze-windows": [{window}]}}"#);
        all.push_str(&refused_by_host(
            eval(&t, "builtin:approvals", &params, &["a.json"]),
            &params,
        ));
    }
    insta::assert_snapshot!(all);
}
