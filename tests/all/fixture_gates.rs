//! The built-in policies on our own small fixtures (one per format, in
//! `host/artifacts/tests/fixtures/`), so every policy path runs on a fresh
//! clone without the third-party corpus: each format through its policy,
//! a baseline, a waiver, a patch-coverage diff, and the repository's config,
//! params and pack fixtures. Expected values are worked out by hand from the
//! fixtures.

use crate::{TestDir, metric, repo};
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

fn fixture(rel: &str) -> String {
    repo()
        .join("host/artifacts/tests/fixtures")
        .join(rel)
        .to_str()
        .unwrap()
        .to_string()
}

/// `gate eval` of one built-in policy: the exit code, and each finding as
/// `rule severity status` (`!` when it blocks), sorted.
fn eval(policy: &str, params: &str, files: &[String]) -> (i32, Vec<String>, Value) {
    let t = TestDir::new();
    let mut args = vec![
        "eval", "--policy", policy, "--params", params, "--format", "json", "--now", NOW,
    ];
    args.extend(files.iter().map(String::as_str));
    let r = t.run(&args);
    let v = r.json();
    let p = &v["policies"][0];
    assert!(p.get("error").is_none(), "policy error: {p}");
    let mut got: Vec<String> = p["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {} {}{}",
                f["rule"].as_str().unwrap_or("?"),
                f["severity"].as_str().unwrap_or("?"),
                f["status"].as_str().unwrap_or("?"),
                if f["blocking"] == true { " !" } else { "" }
            )
        })
        .collect();
    got.sort();
    (r.code(), got, v)
}

#[test]
fn security_gate_on_every_findings_fixture() {
    // fail-on = high: critical and high findings block, the rest are listed.
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "findings/grype.json",
            1,
            &["CVE-2099-0001 high open !", "GHSA-dddd-eeee-ffff low open"],
        ),
        (
            "findings/trivy.json",
            1,
            &["AVD-DS-0002 high open !", "CVE-2099-0002 critical open !"],
        ),
        (
            "findings/npm-audit.json",
            0,
            &["GHSA-1111-2222-3333 medium open"],
        ),
        (
            "findings/cargo-audit.json",
            1,
            &["RUSTSEC-2099-0001 critical open !"],
        ),
        // pip-audit gives no severity: unknown ranks as high by default.
        (
            "findings/pip-audit.json",
            1,
            &["PYSEC-2099-1 unknown open !"],
        ),
        (
            "findings/osv-scanner.json",
            1,
            &["GO-2099-0001 high open !"],
        ),
        (
            "findings/gitleaks.json",
            1,
            &["aws-access-token high open !"],
        ),
        (
            "findings/sarif.json",
            1,
            &["LX001 high open !", "LX002 medium open"],
        ),
    ];
    for (rel, code, expected) in cases {
        let (got_code, got, _) = eval(
            "builtin:security",
            r#"{"fail-on": "high"}"#,
            &[fixture(rel)],
        );
        assert_eq!(got, *expected, "{rel}");
        assert_eq!(got_code, *code, "{rel}");
    }
}

#[test]
fn security_waiver_and_baseline_on_fixtures() -> anyhow::Result<()> {
    let grype = fixture("findings/grype.json");
    // The blocking finding waived (by id and package): the gate passes and
    // the finding stays visible as waived.
    let (code, got, _) = eval(
        "builtin:security",
        r#"{"fail-on": "high", "waivers": [{"id": "CVE-2099-0001", "package": "frob", "reason": "not reachable", "expires": "2099-01-01"}]}"#,
        std::slice::from_ref(&grype),
    );
    assert_eq!(code, 0);
    assert_eq!(
        got,
        ["CVE-2099-0001 high waived", "GHSA-dddd-eeee-ffff low open"]
    );

    // Baseline: the same report with the high finding already there and a
    // new critical one; only the new finding blocks, the old low one is
    // fixed.
    let t = TestDir::new();
    let mut current: Value = serde_json::from_str(&std::fs::read_to_string(&grype)?)?;
    let matches = current["matches"].as_array_mut().unwrap();
    matches.pop();
    let mut new = matches[0].clone();
    new["vulnerability"]["id"] = "CVE-2099-0009".into();
    new["vulnerability"]["severity"] = "Critical".into();
    matches.push(new);
    t.write("current.json", current.to_string());
    t.write(
        "gate.toml",
        format!(
            "[[artifact]]\npath = {grype:?}\nrole = \"baseline\"\n[[artifact]]\npath = \"current.json\"\n[[policy]]\nuse = \"builtin:security\"\nparams = {{ fail-on = \"high\" }}\n"
        ),
    );
    let r = t.run(&["check", "--format", "json", "--now", NOW]);
    let v = r.json();
    assert_eq!(r.code(), 1, "{v}");
    assert_eq!(metric(&v, "new"), 1.0);
    assert_eq!(metric(&v, "fixed"), 1.0);
    let blocking: Vec<&str> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(blocking, ["CVE-2099-0009"]);
    Ok(())
}

#[test]
fn coverage_gate_on_every_coverage_fixture() {
    // (fixture, covered lines, coverable lines) from the fixture itself.
    let cases: &[(&str, f64, f64)] = &[
        ("coverage/lcov.info", 4.0, 6.0),
        ("coverage/cobertura.xml", 3.0, 5.0),
        ("coverage/jacoco.xml", 2.0, 3.0),
        ("coverage/istanbul.json", 2.0, 3.0),
        ("coverage/go.cover", 6.0, 8.0),
        ("coverage/coveragepy.json", 3.0, 4.0),
        ("coverage/clover.xml", 2.0, 4.0),
    ];
    // coverage-summary.json has counters but no line data, and totals are
    // computed from line data only: the gate cannot judge it and says so
    // (an input error, never a pass).
    let t = TestDir::new();
    let summary = fixture("coverage/istanbul-summary.json");
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:coverage",
        "--params",
        r#"{"min-line": 70}"#,
        "--format",
        "json",
        "--now",
        NOW,
        &summary,
    ]);
    let v = r.json();
    assert_eq!(r.code(), 3, "{v}");
    assert_eq!(
        v["policies"][0]["error"]["kind"], "unsupported-input",
        "{v}"
    );
    assert_eq!(
        v["policies"][0]["error"]["message"],
        "the coverage reports contain no coverable lines: nothing to hold the thresholds to"
    );
    for (rel, covered, total) in cases {
        let pct = covered * 100.0 / total;
        let (code, _, v) = eval("builtin:coverage", r#"{"min-line": 70}"#, &[fixture(rel)]);
        let line = metric(&v, "line-coverage");
        assert!(
            (line - pct).abs() < 0.01,
            "{rel}: line {line}, expected {pct}"
        );
        assert_eq!(code, i32::from(pct < 70.0), "{rel}: {v}");
    }
}

#[test]
fn patch_coverage_from_the_diff_fixture() {
    // The diff changes src/parse.rs lines 2, 3 and 12 (and src/new.rs, not
    // in the report); lcov.info knows lines 3 (hit) and 12 (not hit) of
    // them: patch coverage 1 of 2.
    let t = TestDir::new();
    let diff = repo().join("tests/fixtures/diff/two-files.diff");
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:coverage",
        "--params",
        r#"{"min-patch": 90, "min-changed-lines": 0}"#,
        "--diff",
        diff.to_str().unwrap(),
        "--format",
        "json",
        "--now",
        NOW,
        &fixture("coverage/lcov.info"),
    ]);
    let v = r.json();
    assert_eq!(r.code(), 1, "{v}");
    assert_eq!(metric(&v, "patch-coverage"), 50.0, "{v}");
}

#[test]
fn iac_gate_on_every_iac_fixture() {
    // fail-on = high: only the CloudFormation bucket without a public
    // access block blocks; the Dockerfile (pinned base, USER, HEALTHCHECK)
    // is clean.
    let cases: &[(&str, i32, &[&str])] = &[
        (
            "iac/terraform-plan.json",
            0,
            &[
                "iac/aws-s3-access-logging low open",
                "iac/aws-s3-bucket-public-access-block-missing medium open",
                "iac/aws-s3-encryption medium open",
                "iac/aws-s3-versioning medium open",
            ],
        ),
        (
            "iac/kubernetes.yaml",
            0,
            &[
                "iac/k8s-automount-sa-token low open",
                "iac/k8s-capabilities-drop-all low open",
                "iac/k8s-cpu-limits low open",
                "iac/k8s-cpu-requests low open",
                "iac/k8s-image-pull-policy low open",
                "iac/k8s-liveness-probe low open",
                "iac/k8s-memory-limits medium open",
                "iac/k8s-memory-requests low open",
                "iac/k8s-net-raw low open",
                "iac/k8s-readiness-probe low open",
                "iac/k8s-readonly-rootfs medium open",
            ],
        ),
        (
            "iac/cloudformation.yaml",
            1,
            &[
                "iac/aws-s3-access-logging low open",
                "iac/aws-s3-encryption medium open",
                "iac/aws-s3-public-access-block high open !",
            ],
        ),
        ("iac/Dockerfile", 0, &[]),
    ];
    for (rel, code, expected) in cases {
        let (got_code, got, _) = eval("builtin:iac", r#"{"fail-on": "high"}"#, &[fixture(rel)]);
        assert_eq!(got, *expected, "{rel}");
        assert_eq!(got_code, *code, "{rel}");
    }
}

#[test]
fn approvals_gate_on_every_approvals_fixture() {
    let cases: &[(&str, i32)] = &[
        ("approvals/github-reviews.json", 0),
        ("approvals/github-event.json", 1),
        ("approvals/gitlab-approvals.json", 1),
        ("approvals/gate-approvals.json", 0),
    ];
    for (rel, code) in cases {
        let (got_code, _, v) = eval(
            "builtin:approvals",
            r#"{"min-approvals": {"default": 1}}"#,
            &[fixture(rel)],
        );
        assert_eq!(got_code, *code, "{rel}: {}", v["policies"][0]["summary"]);
    }
}

/// `tests/fixtures/config/full.toml`: every section read with its values.
#[test]
fn config_fixture_reads_every_section() {
    let path = repo().join("tests/fixtures/config/full.toml");
    let f = gate::config::ConfigFile::load(&path).unwrap();
    let c = &f.config;
    assert_eq!(c.root.as_ref().map(|r| r.get_ref().as_str()), Some("."));
    assert!(c.registry.offline && !c.registry.insecure);
    assert_eq!(
        c.limits.fuel.as_ref().map(|v| *v.get_ref()),
        Some(1_000_000)
    );
    assert_eq!(
        c.limits.timeout_ms.as_ref().map(|v| *v.get_ref()),
        Some(5000)
    );
    assert_eq!(c.limits.memory_mib.as_ref().map(|v| *v.get_ref()), Some(64));
    assert_eq!(
        c.limits.output_kib.as_ref().map(|v| *v.get_ref()),
        Some(256)
    );
    assert_eq!(
        c.limits.max_findings.as_ref().map(|v| *v.get_ref()),
        Some(1000)
    );
    let artifacts: Vec<(&str, Option<&str>, gate::config::Role)> = c
        .artifacts
        .iter()
        .map(|a| {
            (
                a.path.get_ref().as_str(),
                a.format.as_ref().map(|f| f.get_ref().as_str()),
                a.role,
            )
        })
        .collect();
    assert_eq!(
        artifacts,
        [
            (
                "coverage/lcov.info",
                Some("lcov"),
                gate::config::Role::Current
            ),
            ("baseline/grype.json", None, gate::config::Role::Baseline),
        ]
    );
    let policies: Vec<(&str, Option<gate::config::Level>, Option<String>)> = c
        .policies
        .iter()
        .map(|p| {
            (
                p.uses.get_ref().as_str(),
                p.level,
                p.params.as_ref().map(|t| {
                    gate::config::toml_to_json(&toml::Value::Table(t.get_ref().clone())).to_string()
                }),
            )
        })
        .collect();
    use gate::config::Level::*;
    assert_eq!(
        policies,
        [
            (
                "builtin:coverage",
                Some(Hard),
                Some(r#"{"exclude":["**/generated/**"],"min-line":80}"#.to_string())
            ),
            (
                "oci://registry.example/acme/gates:1.0.0#coverage",
                Some(Soft),
                None
            ),
            (
                "policies/custom.wasm",
                Some(Advisory),
                Some(r#"{"threshold":3}"#.to_string())
            ),
        ]
    );
}

/// `tests/fixtures/params/*.json` are valid params of the built-in policies
/// (they are the fuzz seeds for params validation): `gate check` accepts
/// each, every key used, and evaluates.
#[test]
fn params_fixtures_are_accepted_by_their_policies() -> anyhow::Result<()> {
    // Exit 1 for coverage: the fixture's thresholds are stricter than
    // lcov.info (a judgement, not an error); the others pass.
    for (policy, input, code) in [
        ("coverage", "coverage/lcov.info", 1),
        ("security", "findings/grype.json", 0),
        ("approvals", "approvals/gate-approvals.json", 0),
        ("iac", "iac/Dockerfile", 0),
    ] {
        let json: Value = serde_json::from_str(&std::fs::read_to_string(
            repo().join(format!("tests/fixtures/params/{policy}.json")),
        )?)?;
        let params = toml::Value::try_from(&json)?;
        let t = TestDir::new();
        // max-drop needs a baseline report and min-patch a diff.
        t.write(
            "gate.toml",
            format!(
                "[[artifact]]\npath = {:?}\n[[artifact]]\npath = {:?}\nrole = \"baseline\"\n[[policy]]\nuse = \"builtin:{policy}\"\nparams = {params}\n",
                fixture(input),
                fixture(input),
            ),
        );
        let diff = repo().join("tests/fixtures/diff/two-files.diff");
        let r = t.run(&[
            "check",
            "--format",
            "json",
            "--now",
            NOW,
            "--diff",
            diff.to_str().unwrap(),
        ]);
        assert_eq!(
            r.code(),
            code,
            "{policy}: exit {}\n{}\n{}",
            r.code(),
            r.stderr(),
            r.json()["policies"][0]["summary"]
        );
    }
    Ok(())
}

/// `tests/fixtures/packs/example/pack.toml` reads and checks.
#[test]
fn pack_fixture_reads_and_checks() {
    let dir = repo().join("tests/fixtures/packs/example");
    let p = gate_oci::PackToml::load(&dir).unwrap();
    p.check().unwrap();
    assert_eq!(
        (p.name.as_str(), p.version.as_str()),
        ("example-gates", "1.0.0")
    );
    let names: Vec<&str> = p.policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["coverage", "strict"]);
}
