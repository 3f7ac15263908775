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

/// Exit 2 before any evaluation, `error[invalid-params]`, naming `pointer`
/// and saying `says`.
fn refused_by_host(r: crate::Run, pointer: &str, says: &str) {
    let r = r.expect_code(2);
    r.expect_stderr("error[invalid-params]")
        .expect_stderr(&format!("{pointer}: "))
        .expect_stderr(says);
}

/// Exit 2 after the policy said `invalid-params`, the message starting
/// with `pointer`.
fn refused_by_policy(r: crate::Run, pointer: &str, says: &str) -> Value {
    let r = r.expect_code(2);
    let v = r.json();
    let p = &v["policies"][0];
    assert_eq!(p["outcome"], "error", "{p}");
    assert_eq!(p["error"]["kind"], "invalid-params", "{p}");
    let m = p["error"]["message"].as_str().unwrap();
    assert!(
        m.starts_with("--params: params of policy `"),
        "names where the params were written: {m}"
    );
    assert!(
        m.contains(&format!(" rejected by the policy: {pointer}: ")),
        "{m}"
    );
    assert!(m.contains(says), "{m}");
    assert_eq!(v["exit_code"], 2);
    v
}

fn waiver(expires: &str) -> String {
    format!(r#"{{"waivers": [{{"id": "R1", "reason": "accepted", "expires": "{expires}"}}]}}"#)
}

#[test]
fn invalid_waiver_date_is_invalid_params_not_a_waiver_forever() {
    let t = TestDir::new();
    t.write("r.sarif", SARIF_ONE_HIGH);
    // On main both passed the schema and waived the finding forever (exit 0).
    for (date, says) in [
        ("2025-13-01", "there is no month 13"),
        ("2025-00-10", "there is no month 0"),
        ("2025-02-29", "has no day 29"),
        ("2026-11-31", "has no day 31"),
        ("9999-12-31", "year 9999 is out of range"),
        ("2026-12-31T00:00:00Z", "is not a date"),
    ] {
        refused_by_host(
            eval(&t, "builtin:security", &waiver(date), &["r.sarif"]),
            "/waivers/0/expires",
            says,
        );
    }
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
    t.run(&["check", "--now", NOW])
        .expect_code(2)
        .expect_stderr("error[invalid-params]: gate.toml:")
        .expect_stderr("/waivers/0/expires: `2025-13-01` is not a date");
}

#[test]
fn approvals_params_that_cannot_be_honoured_are_invalid_params() {
    let t = TestDir::new();
    t.write("a.json", APPROVALS);
    // On main each of these was exit 4 `policy-reported`.
    refused_by_host(
        eval(
            &t,
            "builtin:approvals",
            r#"{"min-approvals": {"default": 9223372036854775807}}"#,
            &["a.json"],
        ),
        "/min-approvals/default",
        "is greater than the maximum",
    );
    let window = |extra: &str| {
        format!(r#"{{"freeze-windows": [{{"name": "w", "days": ["mon"], {extra}}}]}}"#)
    };
    for (extra, pointer, says) in [
        (
            r#""timezone": "Mars/Olympus""#,
            "/freeze-windows/0/timezone",
            "is not a time zone of the IANA database",
        ),
        (
            r#""timezone": "Etc/Unknown""#,
            "/freeze-windows/0/timezone",
            "is not a time zone",
        ),
        (
            r#""end": "9999-12-31""#,
            "/freeze-windows/0/end",
            "year 9999 is out of range",
        ),
        (
            r#""end": "9999-12-31T23:59:59Z""#,
            "/freeze-windows/0/end",
            "year 9999 is out of range",
        ),
        (
            r#""start": "-999999-01-01""#,
            "/freeze-windows/0/start",
            "is not a date",
        ),
        (
            r#""start": "2026-02-30""#,
            "/freeze-windows/0/start",
            "has no day 30",
        ),
        (
            r#""start": "2026-12-20T08:00:00""#,
            "/freeze-windows/0/start",
            "not an RFC 3339 date-time",
        ),
        (
            r#""from": "29:00""#,
            "/freeze-windows/0/from",
            "does not match",
        ),
    ] {
        refused_by_host(
            eval(&t, "builtin:approvals", &window(extra), &["a.json"]),
            pointer,
            says,
        );
    }
    refused_by_host(
        eval(
            &t,
            "builtin:approvals",
            r#"{"required-teams": {"any-of": []}}"#,
            &["a.json"],
        ),
        "/required-teams/any-of",
        "",
    );
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
    t.write("a.json", APPROVALS);
    // Checked whatever environment is judged: this one is for staging.
    refused_by_policy(
        eval(
            &t,
            "builtin:approvals",
            r#"{"freeze-windows": [{"name": "x", "environments": ["staging"], "start": "2027-01-02", "end": "2026-12-20"}]}"#,
            &["a.json"],
        ),
        "/freeze-windows/0/end",
        "would never be in force",
    );
    refused_by_policy(
        eval(
            &t,
            "builtin:approvals",
            r#"{"freeze-windows": [{"name": "night", "days": ["fri"], "from": "22:00", "to": "06:00"}]}"#,
            &["a.json"],
        ),
        "/freeze-windows/0/to",
        "split a window over midnight into two",
    );
    refused_by_policy(
        eval(
            &t,
            "builtin:approvals",
            r#"{"freeze-windows": [{"name": "empty", "environments": ["production"]}]}"#,
            &["a.json"],
        ),
        "/freeze-windows/0",
        "neither start/end nor days/from/to",
    );
}

#[test]
fn integer_params_beyond_their_bounds_are_invalid_params() {
    let t = TestDir::new();
    t.write("r.sarif", SARIF_ONE_HIGH);
    t.write("lcov.info", LCOV_80);
    refused_by_host(
        eval(
            &t,
            "builtin:security",
            r#"{"max": {"high": 1e12}}"#,
            &["r.sarif"],
        ),
        "/max/high",
        "maximum",
    );
    refused_by_host(
        eval(
            &t,
            "builtin:security",
            r#"{"expiring-within-days": 18446744073709551615}"#,
            &["r.sarif"],
        ),
        "/expiring-within-days",
        "maximum",
    );
    refused_by_host(
        eval(
            &t,
            "builtin:coverage",
            r#"{"min-changed-lines": 1e30}"#,
            &["lcov.info"],
        ),
        "/min-changed-lines",
        "maximum",
    );
    refused_by_host(
        eval(
            &t,
            "builtin:coverage",
            r#"{"max-drop": 1000}"#,
            &["lcov.info"],
        ),
        "/max-drop",
        "maximum",
    );
    refused_by_host(
        eval(
            &t,
            "builtin:security",
            r#"{"waivers": [{"id": "R1", "reason": "   "}]}"#,
            &["r.sarif"],
        ),
        "/waivers/0/reason",
        "",
    );
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
    t.write("Dockerfile", DOCKERFILE);
    let run = |params: &str| eval(&t, "builtin:iac", params, &["Dockerfile"]);
    // On main: no rule ran and the gate passed.
    refused_by_policy(
        run(r#"{"rules": {"enable": ["nope-rule"]}}"#),
        "/rules/enable/0",
        "`nope-rule` selects no rule",
    );
    refused_by_policy(
        run(r#"{"rules": {"enable": ["iac/docker-user-root", "CKV_NOPE_1"]}}"#),
        "/rules/enable/1",
        "selects no rule",
    );
    refused_by_policy(
        run(r#"{"rules": {"disable": ["iac/docker-nope-*"]}}"#),
        "/rules/disable/0",
        "selects no rule",
    );
    refused_by_policy(
        run(r#"{"skip-rules": ["docker-usr-root"]}"#),
        "/skip-rules/0",
        "selects no rule",
    );
    refused_by_policy(
        run(r#"{"severity": {"iac/nope-*": "low"}}"#),
        "/severity/iac~1nope-*",
        "selects no rule",
    );
    refused_by_policy(
        run(r#"{"rules": {"enable": ["iac/required-tags"]}}"#),
        "/rules/enable/0",
        "off without `required-tags`",
    );
    refused_by_policy(
        run(r#"{"rules": {"disable": ["iac/*"]}}"#),
        "/rules",
        "leave no rule to run",
    );
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
    assert!(
        p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "iac/skip-resources-unused"
                && f["message"].as_str().unwrap().contains("module.legacy.*")),
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
            "skip-resources skipped all 1 resource(s) of the artifacts: nothing was judged"
        );
    }
}

#[test]
fn baseline_without_current_report_is_an_input_error() {
    let t = TestDir::new();
    t.write("base.sarif", SARIF_TWO);
    // On main: "0 open finding(s), none blocking (0 new, 2 fixed)", exit 0.
    t.run(&["check", "--baseline", "base.sarif", "--now", NOW])
        .expect_code(3)
        .expect_stderr("error[baseline-without-current]: base.sarif:")
        .expect_stderr("needs a current findings report");
    // The same for coverage, and with a current report of another kind.
    t.write("base.info", LCOV_80);
    t.write("r.sarif", SARIF_ONE_HIGH);
    t.run(&[
        "check",
        "--artifact",
        "r.sarif",
        "--baseline",
        "base.info",
        "--now",
        NOW,
    ])
    .expect_code(3)
    .expect_stderr("error[baseline-without-current]: base.info:")
    .expect_stderr("needs a current coverage report");
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
    eval(
        &t,
        "builtin:coverage",
        params,
        &["--diff", "notes.txt", "lcov.info"],
    )
    .expect_code(3)
    .expect_stderr("error[not-a-diff]: notes.txt:1:")
    .expect_stderr("not a unified diff");
    t.write("empty.diff", "");
    eval(
        &t,
        "builtin:coverage",
        params,
        &["--diff", "empty.diff", "lcov.info"],
    )
    .expect_code(3)
    .expect_stderr("error[empty-diff]: empty.diff:");
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
    assert!(
        v["policies"][0]["summary"]
            .as_str()
            .unwrap()
            .contains("patch 50.00% < 80%"),
        "{}",
        v["policies"][0]["summary"]
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
    let s = v["policies"][0]["summary"].as_str().unwrap();
    assert!(!s.contains("no thresholds set"), "{s}");
    assert!(s.contains("no condition could be checked"), "{s}");
    assert!(
        s.contains("none of the 1 changed file(s) is in the coverage reports"),
        "{s}"
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
    let e = &v["policies"][0]["error"];
    assert_eq!(e["kind"], "unsupported-input", "{e}");
    assert!(e["message"].as_str().unwrap().contains("--diff"), "{e}");
    let v = eval(&t, "builtin:coverage", r#"{"max-drop": 1}"#, &["lcov.info"])
        .expect_code(3)
        .json();
    assert_eq!(v["policies"][0]["error"]["kind"], "unsupported-input");
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
    let e = &v["policies"][0]["error"];
    assert_eq!(e["kind"], "unsupported-input", "{e}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("include/exclude select no file"),
        "{e}"
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
    let unused: Vec<&Value> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "coverage/unused-glob")
        .collect();
    assert_eq!(unused.len(), 2, "{p}");
    assert!(unused[0]["message"].as_str().unwrap().contains("`scr/**`"));
    assert_eq!(unused[1]["severity"], "info");
    // A glob that cannot match as written is a config error.
    refused_by_policy(
        eval(
            &t,
            "builtin:coverage",
            r#"{"include": ["src/{a,b"]}"#,
            &["lcov.info"],
        ),
        "/include/0",
        "never closed",
    );
    refused_by_host(
        eval(
            &t,
            "builtin:coverage",
            r#"{"exclude": [""]}"#,
            &["lcov.info"],
        ),
        "/exclude/0",
        "",
    );
}

#[test]
fn waiver_path_glob_that_cannot_match_is_invalid_params() {
    let t = TestDir::new();
    t.write("r.sarif", SARIF_ONE_HIGH);
    refused_by_policy(
        eval(
            &t,
            "builtin:security",
            r#"{"waivers": [{"id": "R1", "reason": "ok", "path": "src/{a,{b,c}}"}]}"#,
            &["r.sarif"],
        ),
        "/waivers/0/path",
        "cannot be nested",
    );
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
    let m = e["message"].as_str().unwrap();
    assert!(
        m.starts_with("gate.toml:6:10: params of policy `iac` rejected by the policy: /rules/enable/0: `nope-rule` selects no rule"),
        "{m}"
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
    t.run(&["pack", "build", "p", "-o", "p.oci"])
        .expect_code(2)
        .expect_stderr("/waivers/0/expires: `2025-13-01` is not a date: there is no month 13");
    t.write("p/pack.toml", pack("2026-12-31"));
    t.run(&["pack", "build", "p", "-o", "p.oci"]).expect_code(0);
}

#[test]
fn freeze_window_with_empty_days_or_environments_is_invalid_params_not_always() {
    let t = TestDir::new();
    t.write("a.json", APPROVALS);
    // An empty list used to mean "every day" / "every environment".
    for (window, pointer) in [
        (
            r#"{"name": "w", "days": [], "from": "00:00", "to": "24:00"}"#,
            "/freeze-windows/0/days",
        ),
        (
            r#"{"name": "w", "environments": [], "start": "2026-11-01", "end": "2026-12-01"}"#,
            "/freeze-windows/0/environments",
        ),
    ] {
        eval(
            &t,
            "builtin:approvals",
            &format!(r#"{{"freeze-windows": [{window}]}}"#),
            &["a.json"],
        )
        .expect_code(2)
        .expect_stderr("error[invalid-params]: --params:")
        .expect_stderr(&format!("{pointer}: [] has less than 1 item"));
    }
}
