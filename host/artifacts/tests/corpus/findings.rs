//! Corpus tests: security findings. Every file of `corpus/security` either
//! parses as the format its producer wrote, or fails with a documented code.

use crate::{corpus_or_skip, parse};
use gate_artifacts::{Model, Severity, SeveritySource};

/// Files that are not (or not valid) reports of a supported format, and why.
const EXPECTED_FAILURES: &[(&str, &str)] = &[
    // `[]`: an empty array names no producer; `--format gitleaks` reads it.
    ("security/gitleaks/empty.json", "unknown-format"),
    ("security/gitleaks/no-findings.json", "unknown-format"),
    // npm's own error object, not an audit report.
    ("security/npm-audit/npm6-error.json", "npm-audit-error"),
    (
        "security/osv-scanner/defectdojo-no-findings-empty-file.json",
        "empty-file",
    ),
    (
        "security/sarif/edge-cases/codeql-action-results-not-array.sarif",
        "invalid-sarif",
    ),
    (
        "security/sarif/edge-cases/malformed-json-syntax-error.sarif",
        "invalid-json",
    ),
    // `runs: null`: the producer could not run (SARIF §3.13.4).
    (
        "security/sarif/edge-cases/tutorial-no-runs.sarif",
        "sarif-no-runs",
    ),
    // A run without `results`: the tool produced none (§3.14.23), most
    // often because it failed; never a clean report.
    (
        "security/sarif/edge-cases/tutorial-one-run-no-results.sarif",
        "sarif-no-results",
    ),
    (
        "security/sarif/edge-cases/tutorial-catastrophic-execution-error.sarif",
        "sarif-no-results",
    ),
    (
        "security/sarif/edge-cases/tutorial-catastrophic-configuration-error.sarif",
        "sarif-no-results",
    ),
    // codeql-action's tool-name fixture: runs with a tool but no results.
    (
        "security/sarif/codeql-action/tool-names-multi-run.sarif",
        "sarif-no-results",
    ),
    (
        "security/sarif/edge-cases/sarif-v1-comprehensive.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/edge-cases/sarif-v1-minimal.sarif",
        "unsupported-version",
    ),
    // SARIF 2.0.0 drafts: not 2.1.0.
    (
        "security/sarif/sarif-sdk/android-studio.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/pylint-large.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/Comprehensive.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/InlineExternalProperties.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/Minimal.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/RecommendedWithSource.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/RecommendedWithoutSource.sarif",
        "unsupported-version",
    ),
    (
        "security/sarif/sarif-sdk/spec-examples/RuleMetadata.sarif",
        "unsupported-version",
    ),
    // GitLab container-scanning template output is GitLab's format; the
    // "empty legacy report" is the JSON literal `null`.
    (
        "security/trivy/defectdojo-legacy-no-vuln.json",
        "unknown-format",
    ),
    (
        "security/trivy/golden-alpine-310.gitlab-container-scanning.json",
        "unknown-format",
    ),
    // JSON lines, not JSON.
    ("security/other/kubeaudit/kubeaudit.json", "invalid-json"),
];

#[test]
fn security_corpus_walk() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    crate::walk(&corpus.join("security"), &mut files);
    files.sort();
    let mut parsed = 0;
    for rel in &files {
        let expected_failure = EXPECTED_FAILURES
            .iter()
            .find(|(f, _)| f == rel)
            .map(|(_, c)| *c);
        let result = parse(rel);
        let folder = rel.split('/').nth(1).unwrap_or("");
        match (result, expected_failure) {
            (Err(e), Some(code)) => assert_eq!(e.code.as_str(), code, "{rel}: {e}"),
            (Ok(p), Some(code)) => panic!("{rel}: expected {code}, parsed as {}", p.format),
            (Err(e), None) if folder == "other" => {
                assert_eq!(e.code.as_str(), "unknown-format", "{rel}: {e}")
            }
            (Err(e), None) => panic!("{rel}: {e}"),
            (Ok(p), None) => {
                assert!(
                    folder != "other",
                    "{rel}: an unsupported tool's report was detected as {}",
                    p.format
                );
                let want = if rel.ends_with(".sarif") {
                    "sarif"
                } else {
                    folder
                };
                assert_eq!(p.format.as_str(), want, "{rel}");
                assert!(matches!(p.model, Model::Findings(_)), "{rel}");
                parsed += 1;
            }
        }
    }
    assert!(parsed > 100, "{parsed}");
}

fn findings(rel: &str) -> Vec<gate_artifacts::SecurityFinding> {
    match parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}")).model {
        Model::Findings(f) => f.findings,
        other => panic!("{rel}: {other:?}"),
    }
}

/// Severity quirks: npm `moderate` is medium, grype `Negligible` is low,
/// cargo-audit's vector is scored, pip-audit has none (unknown), SARIF's
/// level alone maps error→high; each records its source.
#[test]
fn severity_normalization_and_sources() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let npm = findings("peers/audit-ci-npm-thresholds/npm-moderate/npm7-output.json");
    assert_eq!(
        (npm[0].severity, npm[0].severity_source),
        (Severity::Medium, SeveritySource::Tool)
    );
    let grype = findings("security/grype/defectdojo-many-vulns-big.json");
    let text =
        std::fs::read_to_string(corpus.join("security/grype/defectdojo-many-vulns-big.json"))
            .unwrap();
    if text.contains("\"Negligible\"") {
        assert!(grype.iter().any(|f| f.severity == Severity::Low));
    }
    assert!(
        grype
            .iter()
            .all(|f| f.severity != Severity::Unknown || f.severity_source == SeveritySource::None)
    );
    let cargo = findings("security/cargo-audit/many_findings_cvss.json");
    let scored: Vec<_> = cargo.iter().filter(|f| f.cvss.is_some()).collect();
    assert_eq!(scored.len(), 4);
    for f in &scored {
        assert_eq!(f.severity_source, SeveritySource::Cvss);
        assert_eq!(f.severity, Severity::from_cvss(f.cvss.unwrap_or(0.0)));
    }
    // RUSTSEC-2026-0047: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N = 7.5, high.
    let aws = cargo
        .iter()
        .find(|f| f.rule == "RUSTSEC-2026-0047")
        .unwrap();
    assert_eq!((aws.cvss, aws.severity), (Some(7.5), Severity::High));
    for f in findings("security/pip-audit/many_vulns.json") {
        assert_eq!(
            (f.severity, f.severity_source),
            (Severity::Unknown, SeveritySource::None)
        );
    }
    // SARIF: suppressions are kept.
    let sup = findings("security/sarif/edge-cases/suppressions-mixed.sarif");
    assert!(sup.iter().any(|f| f.suppressed) && sup.iter().any(|f| !f.suppressed));
    // gitleaks: secrets, never the secret itself.
    for f in findings("security/gitleaks/v8-many.json") {
        assert_eq!(f.category, gate_artifacts::FindingCategory::Secret);
        assert!(!f.message.contains("secretAWSsecret"), "{}", f.message);
    }
}

/// sarif-sdk's validator (peers/sarif-sdk-validate): its golden outputs are
/// SARIF logs themselves; read as findings they give the documented rule
/// ids and counts, `error` results are high, and results without a level
/// take the rule's default (recorded as such).
#[test]
fn sarif_sdk_validator_outputs() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let cases: &[(&str, &str, usize, Option<Severity>)] = &[
        (
            "GH1001.ProvideRequiredLocationProperties_Invalid",
            "GH1001",
            6,
            Some(Severity::High),
        ),
        (
            "GH1005.LocationsMustBeRelativeUrisOrFilePaths_Invalid",
            "GH1005",
            2,
            Some(Severity::High),
        ),
        (
            "JSON1002.DeserializationError",
            "JSON1002",
            1,
            Some(Severity::High),
        ),
        (
            "SARIF1001.RuleIdentifiersMustBeValid_Invalid",
            "SARIF1001",
            5,
            None,
        ),
        ("SARIF1001.RuleIdentifiersMustBeValid_Valid", "", 0, None),
        (
            "SARIF1004.ExpressUriBaseIdsCorrectly_Invalid",
            "SARIF1004",
            29,
            Some(Severity::High),
        ),
        (
            "SARIF1007.RegionPropertiesMustBeConsistent_Invalid",
            "SARIF1007",
            9,
            Some(Severity::High),
        ),
        (
            "SARIF1008.PhysicalLocationPropertiesMustBeConsistent_Invalid",
            "SARIF1008",
            17,
            Some(Severity::High),
        ),
        (
            "SARIF1009.IndexPropertiesMustBeConsistentWithArrays_Invalid",
            "SARIF1009",
            15,
            Some(Severity::High),
        ),
        (
            "SARIF1010.RuleIdMustBeConsistent_Invalid",
            "SARIF1010",
            3,
            Some(Severity::High),
        ),
        (
            "SARIF1011.ReferenceFinalSchema_Invalid",
            "SARIF1011",
            1,
            Some(Severity::High),
        ),
        ("SARIF2004.OptimizeFileSize_Invalid", "SARIF2004", 6, None),
        ("SARIF2008.ProvideSchema_Invalid", "SARIF2008", 1, None),
    ];
    for (file, rule, count, severity) in cases {
        let f = findings(&format!("peers/sarif-sdk-validate/expected/{file}.sarif"));
        assert_eq!(f.len(), *count, "{file}");
        assert!(f.iter().all(|x| x.rule == *rule), "{file}");
        for x in &f {
            match severity {
                Some(s) => assert_eq!(
                    (x.severity, x.severity_source),
                    (*s, SeveritySource::SarifLevel),
                    "{file}"
                ),
                None => assert_eq!(
                    x.severity_source,
                    SeveritySource::SarifRuleDefault,
                    "{file}"
                ),
            }
        }
    }
    // The validator's own inputs: a syntax error is an input error.
    let e = parse("peers/sarif-sdk-validate/inputs/JSON1001.SyntaxError.sarif").unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-json");
}

fn parsed(rel: &str) -> gate_artifacts::Parsed {
    parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn parse_str(text: &str) -> Result<gate_artifacts::Parsed, gate_artifacts::ParseError> {
    gate_artifacts::parse(
        "inline.json",
        text.as_bytes(),
        None,
        &gate_artifacts::ParseOptions::default(),
    )
}

fn findings_of(p: &gate_artifacts::Parsed) -> &[gate_artifacts::SecurityFinding] {
    match &p.model {
        Model::Findings(f) => &f.findings,
        other => panic!("{other:?}"),
    }
}

fn codes(p: &gate_artifacts::Parsed) -> Vec<&str> {
    p.warnings.iter().map(|w| w.code.as_str()).collect()
}

/// (rule, package, severity).
type Triple = (String, String, Severity);

/// (rule, package, severity) triples, sorted.
fn triples(f: &[gate_artifacts::SecurityFinding]) -> Vec<Triple> {
    let mut v: Vec<_> = f
        .iter()
        .map(|x| {
            (
                x.rule.clone(),
                x.package
                    .as_ref()
                    .map(|p| p.name.clone())
                    .unwrap_or_default(),
                x.severity,
            )
        })
        .collect();
    v.sort();
    v
}

fn t(rule: &str, pkg: &str, s: Severity) -> Triple {
    (rule.to_string(), pkg.to_string(), s)
}

/// peers/trivy-filters: the same image under trivy's severity filter,
/// ignore list and skip-dirs. Filtering the unfiltered report reproduces the
/// filtered ones, fingerprint for fingerprint; the skip-dirs scan is empty
/// and warned about.
#[test]
fn trivy_filters_peer() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    use Severity::*;
    let all = findings("peers/trivy-filters/alpine-39.json");
    assert_eq!(
        triples(&all),
        vec![
            t("CVE-2019-14697", "musl", Critical),
            t("CVE-2019-14697", "musl-utils", Critical),
            t("CVE-2019-1549", "libcrypto1.1", Medium),
            t("CVE-2019-1549", "libssl1.1", Medium),
            t("CVE-2019-1551", "libcrypto1.1", Medium),
            t("CVE-2019-1551", "libssl1.1", Medium),
        ]
    );
    assert!(
        all.iter()
            .all(|f| f.severity_source == SeveritySource::Tool)
    );
    let fps = |f: &[gate_artifacts::SecurityFinding]| {
        let mut v: Vec<String> = f.iter().map(|x| x.fingerprint.clone()).collect();
        v.sort();
        v
    };
    let high = findings("peers/trivy-filters/alpine-39-high-critical.json");
    let want: Vec<_> = all.iter().filter(|f| f.severity >= High).cloned().collect();
    assert_eq!(fps(&high), fps(&want));
    assert_eq!(triples(&high).len(), 2);
    let ignore = findings("peers/trivy-filters/alpine-39-ignore-cveids.json");
    let want: Vec<_> = all
        .iter()
        .filter(|f| f.rule != "CVE-2019-1549" && f.rule != "CVE-2019-14697")
        .cloned()
        .collect();
    assert_eq!(fps(&ignore), fps(&want));
    assert_eq!(
        triples(&ignore),
        vec![
            t("CVE-2019-1551", "libcrypto1.1", Medium),
            t("CVE-2019-1551", "libssl1.1", Medium),
        ]
    );
    let skip = parsed("peers/trivy-filters/alpine-39-skip.json");
    assert!(findings_of(&skip).is_empty());
    assert_eq!(codes(&skip), vec!["trivy-empty-scan"]);
    let mut ids: Vec<_> = all.iter().map(|f| f.rule.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 3);
}

/// peers/osv-scanner-baseline-diff: "new" findings are the fingerprints of
/// NEW not in OLD. The manifest path is part of identity (a moved go.mod is
/// new), the package version too.
#[test]
fn osv_scanner_baseline_diff_peer() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let load = |n: &str| {
        findings(&format!(
            "peers/osv-scanner-baseline-diff/test-vuln-results-{n}.json"
        ))
    };
    let new_only = |old: &str, new: &str| -> Vec<String> {
        let old = load(old);
        let mut v: Vec<String> = load(new)
            .into_iter()
            .filter(|f| !old.iter().any(|o| o.fingerprint == f.fingerprint))
            .map(|f| {
                let p = f.package.unwrap();
                format!(
                    "{} => {}@{} [{}]",
                    f.location.unwrap().path,
                    p.name,
                    p.version.unwrap(),
                    f.rule
                )
            })
            .collect();
        v.sort();
        v
    };
    let unique_new = |old: &str, new: &str| -> Vec<String> {
        let old: Vec<String> = load(old).into_iter().map(|f| f.rule).collect();
        let mut v: Vec<String> = load(new)
            .into_iter()
            .map(|f| f.rule)
            .filter(|r| !old.contains(r))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    assert!(new_only("a", "a").is_empty());
    assert_eq!(
        new_only("a", "a-1"),
        vec!["/path/to/different-dir/go.mod => github.com/gogo/protobuf@1.3.1 [GO-2021-0053]"]
    );
    assert!(unique_new("a", "a-1").is_empty());
    assert_eq!(
        new_only("a", "b"),
        vec![
            "/path/to/scorecard-check-osv-e2e/go.mod => github.com/gogo/protobuf@1.3.1 [GHSA-c3h9-896r-86jm]"
        ]
    );
    assert_eq!(unique_new("a", "b"), vec!["GHSA-c3h9-896r-86jm"]);
    assert!(new_only("b", "a").is_empty());
    assert_eq!(
        new_only("c", "b"),
        vec![
            "/path/to/scorecard-check-osv-e2e/go.mod => github.com/gogo/protobuf@1.3.1 [GHSA-c3h9-896r-86jm]",
            "/path/to/scorecard-check-osv-e2e/sub-rust-project/Cargo.lock => regex@1.5.1 [GHSA-m5pq-gvj9-9vr8]",
            "/path/to/scorecard-check-osv-e2e/sub-rust-project/Cargo.lock => regex@1.5.1 [RUSTSEC-2022-0013]",
        ]
    );
    assert!(new_only("b", "c").is_empty());
    // d: the replacement package has no vulnerabilities: nothing to fail on.
    assert!(load("d").is_empty());
    assert!(new_only("a", "d").is_empty());
    // GO-2021-0053 and GHSA-c3h9-896r-86jm are aliases of one CVE.
    let b = load("b");
    let go = b.iter().find(|f| f.rule == "GO-2021-0053").unwrap();
    assert_eq!(go.aliases, vec!["CVE-2021-3121", "GHSA-c3h9-896r-86jm"]);
    assert_eq!(
        (go.severity, go.severity_source),
        (Severity::Unknown, SeveritySource::None)
    );
    let ghsa = b.iter().find(|f| f.rule == "GHSA-c3h9-896r-86jm").unwrap();
    assert_eq!(
        (ghsa.severity, ghsa.severity_source, ghsa.cvss),
        (Severity::High, SeveritySource::Tool, Some(8.6))
    );
    assert_eq!(ghsa.cwes, vec!["CWE-129", "CWE-20"]);
    // RUSTSEC has no label: its CVSS v3 vector is scored (7.5, high).
    let rustsec = b.iter().find(|f| f.rule == "RUSTSEC-2022-0013").unwrap();
    assert_eq!(
        (rustsec.severity, rustsec.severity_source, rustsec.cvss),
        (Severity::High, SeveritySource::Cvss, Some(7.5))
    );
}

/// peers/audit-ci-npm-thresholds: npm 6, npm 7 and pnpm outputs of each
/// fixture give the same advisories, packages and severities (npm's
/// `moderate` is medium), which is what audit-ci's thresholds act on.
#[test]
fn audit_ci_npm_thresholds_peer() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    use Severity::*;
    let dir = "peers/audit-ci-npm-thresholds";
    let cases: &[(&str, &[&str], Vec<Triple>)] = &[
        (
            "npm-critical",
            &["npm6", "npm7"],
            vec![t("GHSA-28xh-wpgr-7fm8", "open", Critical)],
        ),
        (
            "npm-high",
            &["npm6", "npm7", "pnpm"],
            vec![t("GHSA-hrpp-h998-j3pp", "qs", High)],
        ),
        (
            "npm-moderate",
            &["npm6", "npm7", "pnpm"],
            vec![t("GHSA-rvg8-pwq2-xj7q", "base64url", Medium)],
        ),
        (
            "npm-low",
            &["npm6", "npm7", "pnpm"],
            vec![t("GHSA-c6rq-rjc2-86v2", "chownr", Low)],
        ),
        ("npm-none", &["npm6", "npm7", "pnpm"], vec![]),
        (
            "npm-skip-dev",
            &["npm6", "npm7"],
            vec![t("GHSA-28xh-wpgr-7fm8", "open", Critical)],
        ),
        (
            "npm-allowlisted-path",
            &["npm7"],
            vec![
                t("GHSA-42xw-2xvc-qx8m", "axios", High),
                t("GHSA-4w2v-q235-vp99", "axios", High),
                t("GHSA-74fj-2j2h-c42q", "follow-redirects", High),
                t("GHSA-cph5-m8f7-6c5x", "axios", High),
                t("GHSA-pw2r-vq6v-hr8c", "follow-redirects", Medium),
            ],
        ),
    ];
    for (fixture, producers, want) in cases {
        for producer in *producers {
            let folder = if *producer == "pnpm" {
                fixture.replace("npm-", "pnpm-")
            } else {
                fixture.to_string()
            };
            let rel = format!("{dir}/{folder}/{producer}-output.json");
            let p = parsed(&rel);
            assert_eq!(p.format, gate_artifacts::Format::NpmAudit, "{rel}");
            let f = findings_of(&p);
            assert_eq!(&triples(f), want, "{rel}");
            assert!(
                f.iter().all(|x| x.severity_source == SeveritySource::Tool),
                "{rel}"
            );
        }
    }
    // The score npm gives (npm 7's `via[].cvss`) is kept.
    let qs = findings(&format!("{dir}/npm-high/npm7-output.json"));
    assert_eq!(qs[0].cvss, Some(7.5));
    assert_eq!(qs[0].cwes, vec!["CWE-1321"]);
    assert_eq!(qs[0].aliases, vec!["npm:1094102"]);
    // npm 6 lists the CVE and the installed version.
    let qs6 = findings(&format!("{dir}/npm-high/npm6-output.json"));
    assert_eq!(qs6[0].aliases, vec!["CVE-2022-24999", "npm:1094102"]);
    assert_eq!(
        qs6[0].package.as_ref().unwrap().version.as_deref(),
        Some("6.10.2")
    );
    // The same advisory in npm 6 and npm 7 output is the same finding.
    assert_eq!(qs[0].fingerprint, qs6[0].fingerprint);
}

/// SARIF rule resolution, severity precedence, uri bases, suppressions and
/// several runs, on one hand-written log.
#[test]
fn sarif_resolution_and_precedence() {
    let log = r#"{
      "version": "2.1.0",
      "runs": [
        {
          "tool": {
            "driver": {
              "name": "Scanner",
              "rules": [
                {"id": "R0", "defaultConfiguration": {"level": "error"},
                 "properties": {"tags": ["external/cwe/cwe-079", "security"]}},
                {"id": "R1", "properties": {"security-severity": "9.1"},
                 "messageStrings": {"m": {"text": "{0} flows to {1}"}}}
              ]
            },
            "extensions": [
              {"name": "pack", "rules": [{"id": "X0", "defaultConfiguration": {"level": "note"}}]}
            ]
          },
          "originalUriBaseIds": {
            "REPO": {"uri": "file:///work/repo/"},
            "SRC": {"uri": "src/", "uriBaseId": "REPO"}
          },
          "artifacts": [{"location": {"uri": "lib/a.py", "uriBaseId": "SRC"}}],
          "results": [
            {"ruleIndex": 0, "message": {"text": "no level: rule default"},
             "locations": [{"physicalLocation": {"artifactLocation": {"uri": "app.js", "uriBaseId": "SRC"}, "region": {"startLine": 3}}}]},
            {"ruleId": "R1", "level": "note", "message": {"id": "m", "arguments": ["input", "sink"]},
             "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}]},
            {"rule": {"index": 0, "toolComponent": {"index": 0}}, "message": {"text": "extension rule"}},
            {"ruleId": "R0", "level": "warning", "properties": {"security-severity": "3.0"}, "message": {"text": "result score"},
             "taxa": [{"id": "89", "toolComponent": {"name": "CWE"}}]},
            {"ruleId": "NEW", "message": {"text": "no rule object"}, "suppressions": [{"kind": "inSource"}]},
            {"ruleId": "R0", "level": "none", "message": {"text": "rejected"}, "suppressions": [{"kind": "external", "status": "rejected"}]},
            {"ruleId": "R0", "kind": "pass", "message": {"text": "a pass"}},
            {"ruleId": "R0", "baselineState": "absent", "message": {"text": "fixed"}},
            {"ruleId": "R0", "ruleIndex": 7, "message": {"text": "bad index"}}
          ]
        },
        {"tool": {"driver": {"name": "Other"}}, "results": [{"ruleId": "B", "level": "error", "message": {"text": "second run"}}]},
        {"results": [{"ruleId": "C", "message": {"text": "no tool"}}]}
      ]
    }"#;
    let opts = gate_artifacts::ParseOptions {
        root: Some("/work/repo".into()),
        ..Default::default()
    };
    let p = gate_artifacts::parse("t.sarif", log.as_bytes(), None, &opts).unwrap();
    let f = findings_of(&p);
    let row = |i: usize| {
        let x = &f[i];
        (
            x.tool.as_str(),
            x.rule.as_str(),
            x.severity,
            x.severity_source,
            x.location.as_ref().map(|l| l.path.as_str()),
            x.suppressed,
        )
    };
    use Severity::*;
    use SeveritySource::{SarifLevel, SarifRuleDefault, SarifSecuritySeverity};
    assert_eq!(f.len(), 10);
    assert_eq!(
        row(0),
        (
            "Scanner",
            "R0",
            High,
            SarifRuleDefault,
            Some("src/app.js"),
            false
        )
    );
    assert_eq!(f[0].cwes, vec!["CWE-79"]);
    assert_eq!(f[0].location.as_ref().unwrap().line, Some(3));
    // The rule's security-severity outranks the result's level.
    assert_eq!(
        row(1),
        (
            "Scanner",
            "R1",
            Critical,
            SarifSecuritySeverity,
            Some("src/lib/a.py"),
            false
        )
    );
    assert_eq!(f[1].cvss, Some(9.1));
    assert_eq!(f[1].message, "input flows to sink");
    // rule.toolComponent.index 0 is the first extension.
    assert_eq!(
        row(2),
        ("Scanner", "X0", Low, SarifRuleDefault, None, false)
    );
    // The result's own security-severity outranks its rule and level.
    assert_eq!(row(3).2, Low);
    assert_eq!((row(3).3, f[3].cvss), (SarifSecuritySeverity, Some(3.0)));
    assert_eq!(f[3].cwes, vec!["CWE-79", "CWE-89"]);
    // No rule object, no level: the spec default `warning`.
    assert_eq!(
        row(4),
        ("Scanner", "NEW", Medium, SarifRuleDefault, None, true)
    );
    assert_eq!(row(5), ("Scanner", "R0", Info, SarifLevel, None, false));
    // kind `pass`: level defaults to `none`, not the rule's `error`.
    assert_eq!(row(6).2, Info);
    // `absent` (baseline) is skipped; a bad index falls back to the id.
    assert_eq!(
        row(7),
        ("Scanner", "R0", High, SarifRuleDefault, None, false)
    );
    assert_eq!(row(8), ("Other", "B", High, SarifLevel, None, false));
    assert_eq!(
        row(9),
        ("unknown", "C", Medium, SarifRuleDefault, None, false)
    );
    let w = |code: &str| {
        p.warnings
            .iter()
            .find(|w| w.code == code)
            .unwrap_or_else(|| panic!("{code}: {:?}", p.warnings))
            .message
            .clone()
    };
    assert!(w("sarif-bad-rule-index").contains("/runs/0/results/8"));
    assert!(w("sarif-absent-results").contains("/runs/0/results/7"));
    assert!(w("sarif-no-tool").contains("/runs/2"));
    // Fingerprints: unique, and free of line numbers.
    let shifted = log.replace("\"startLine\": 3", "\"startLine\": 30");
    let q = gate_artifacts::parse("t.sarif", shifted.as_bytes(), None, &opts).unwrap();
    assert_eq!(findings_of(&q)[0].location.as_ref().unwrap().line, Some(30));
    assert_eq!(findings_of(&q)[0].fingerprint, f[0].fingerprint);
}

/// corpus/security/sarif/edge-cases and the spec's odd logs.
#[test]
fn sarif_edge_cases() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let e = |rel: &str| parse(rel).unwrap_err();
    let v1 = e("security/sarif/edge-cases/sarif-v1-minimal.sarif");
    assert_eq!(v1.code, "unsupported-version");
    assert_eq!(
        v1.position,
        Some(gate_artifacts::Position::Pointer("/version".into()))
    );
    assert_eq!(
        v1.message,
        "sarif version 1.0.0 is not supported; gate reads sarif 2.1.0"
    );
    let no_runs = e("security/sarif/edge-cases/tutorial-no-runs.sarif");
    assert_eq!(
        no_runs.position,
        Some(gate_artifacts::Position::Pointer("/runs".into()))
    );
    let not_array = e("security/sarif/edge-cases/codeql-action-results-not-array.sarif");
    assert_eq!(
        not_array.position,
        Some(gate_artifacts::Position::Pointer("/runs/0/results".into()))
    );
    let syntax = e("security/sarif/edge-cases/malformed-json-syntax-error.sarif");
    assert!(matches!(
        syntax.position,
        Some(gate_artifacts::Position::LineCol { line: 3, .. })
    ));
    // `runs: []` is no analysis at all: zero findings, said so.
    let empty = parsed("security/sarif/edge-cases/tutorial-empty-runs.sarif");
    assert!(findings_of(&empty).is_empty());
    assert_eq!(codes(&empty), vec!["sarif-empty-runs"]);
    // Catastrophic failures leave no results: an input error with the run's
    // pointer, never a silent clean report.
    for rel in [
        "security/sarif/edge-cases/tutorial-catastrophic-execution-error.sarif",
        "security/sarif/edge-cases/tutorial-catastrophic-configuration-error.sarif",
    ] {
        let e = parse(rel).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position.clone()),
            (
                "sarif-no-results",
                Some(gate_artifacts::Position::Pointer("/runs/0".into()))
            ),
            "{rel}: {e}"
        );
    }
    // Out-of-range indexes: warned once per run with the first pointer.
    let oor = parsed("security/sarif/edge-cases/index-out-of-range.sarif");
    let w: Vec<_> = oor
        .warnings
        .iter()
        .filter(|w| w.code == "sarif-bad-rule-index")
        .collect();
    assert_eq!(w.len(), 1);
    assert_eq!(
        w[0].message,
        "3 result(s) have a rule index outside the rules array; their rule was looked up by id \
         (first: /runs/0/results/0)"
    );
    assert_eq!(findings_of(&oor).len(), 3);
    // Suppressions: external/inSource without status suppress; `[]` does not.
    let sup: Vec<bool> = findings("security/sarif/edge-cases/suppressions-mixed.sarif")
        .iter()
        .map(|f| f.suppressed)
        .collect();
    assert_eq!(sup, vec![true, true, true, false, false]);
    // The tutorial baseline: the `absent` result is gone from the code.
    let base = parsed("security/sarif/sarif-tutorials/Baseline.sarif");
    assert_eq!(findings_of(&base).len(), 3);
    assert_eq!(codes(&base), ["sarif-absent-results"]);
    // Black Duck's nested (non-string) fingerprints still give distinct prints.
    let bd = parsed("security/sarif/edge-cases/blackduck-nested-fingerprints.sarif");
    assert_eq!(codes(&bd), ["sarif-bad-fingerprint"]);
    let f = findings_of(&bd);
    assert_eq!(f[0].aliases, vec!["CVE-2020-11022"]);
    assert_eq!(
        f[0].category,
        gate_artifacts::FindingCategory::Vulnerability
    );
    // Many runs; two runs without results.
    assert!(
        findings("security/sarif/edge-cases/spec-appendix-k1-two-runs-no-results.sarif").is_empty()
    );
    let lgtm = findings("security/sarif/codeql/lgtm-export-defectdojo-2-runs.sarif");
    assert_eq!(lgtm.len(), 510);
    // A run without `tool`: read, tool `unknown`, warned.
    let checkov = parsed("security/sarif/checkov/checkov-openapi-results.sarif");
    assert!(findings_of(&checkov).iter().all(|f| f.tool == "unknown"));
    assert_eq!(
        codes(&checkov),
        vec!["sarif-no-tool", "sarif-bad-rule-index"]
    );
    // 80 results without a rule: one warning, not 80.
    let semmle = parsed("security/sarif/sarif-sdk/semmle-ql-results.sarif");
    assert_eq!(codes(&semmle), vec!["sarif-no-rule"]);
    assert!(semmle.warnings[0].message.starts_with("80 result(s)"));
}

/// Real SARIF severities: CodeQL results without a level take their rule's
/// default; grype/trivy `security-severity` bands outrank the level.
#[test]
fn sarif_real_severities() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    use Severity::*;
    use SeveritySource::{SarifRuleDefault, SarifSecuritySeverity};
    let count = |f: &[gate_artifacts::SecurityFinding], s: Severity, src: SeveritySource| {
        f.iter()
            .filter(|x| x.severity == s && x.severity_source == src)
            .count()
    };
    let codeql = findings("security/sarif/codeql/codeql-2.5.4-output.sarif");
    assert_eq!(codeql.len(), 72);
    assert_eq!(count(&codeql, Low, SarifRuleDefault), 57);
    assert_eq!(count(&codeql, High, SarifRuleDefault), 11);
    assert_eq!(count(&codeql, Medium, SarifRuleDefault), 4);
    let grype = findings("security/sarif/grype/grype-0.34.7-cxf.sarif");
    assert_eq!(grype.len(), 22);
    for (s, n) in [(Critical, 1), (High, 11), (Medium, 4), (Low, 6)] {
        assert_eq!(count(&grype, s, SarifSecuritySeverity), n, "{s:?}");
    }
    assert!(
        grype
            .iter()
            .all(|f| f.category == gate_artifacts::FindingCategory::Vulnerability)
    );
    let trivy = findings("security/sarif/trivy/trivy-alpine-310.sarif");
    assert_eq!(count(&trivy, Medium, SarifSecuritySeverity), 4);
    assert!(trivy.iter().all(|f| f.cvss == Some(5.3)));
    let leaks = findings("security/sarif/gitleaks/gitleaks-7.4.0.sarif");
    assert!(
        leaks
            .iter()
            .all(|f| f.category == gate_artifacts::FindingCategory::Secret)
    );
    for f in &leaks {
        assert!(!f.message.contains("AKIA"), "{}", f.message);
    }
    // CWE tags in every spelling end up as CWE-n.
    for rel in [
        "security/sarif/codeql/lgtm-export-defectdojo-2-runs.sarif",
        "security/sarif/semgrep/semgrep-oss-1.69.sarif",
    ] {
        let f = findings(rel);
        assert!(f.iter().any(|x| !x.cwes.is_empty()), "{rel}");
        for c in f.iter().flat_map(|x| &x.cwes) {
            assert!(
                c.strip_prefix("CWE-")
                    .is_some_and(|n| n.parse::<u32>().is_ok()),
                "{rel}: {c}"
            );
        }
    }
}

/// Fingerprints ignore line numbers (moved code is the same finding) and
/// are unique within every report of the corpus.
#[test]
fn fingerprints_stable_and_unique() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    // Shift every line-ish number in a report by 10 and compare.
    fn shift(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(o) => {
                for (k, x) in o.iter_mut() {
                    let key = k.to_ascii_lowercase();
                    if key.contains("line") && x.is_u64() {
                        *x = (x.as_u64().unwrap() + 10).into();
                    } else {
                        shift(x);
                    }
                }
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(shift),
            _ => {}
        }
    }
    for rel in [
        "security/gitleaks/v8-many.json",
        "security/gitleaks/v7.5.0.json",
        "security/sarif/semgrep/semgrep-oss-1.69.sarif",
        "security/sarif/sarif-sdk/cppcheck.sarif",
        "security/trivy/golden-helm-misconfig.json",
        "security/trivy/defectdojo-misconfig-and-secrets.json",
    ] {
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        let mut v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        shift(&mut v);
        let moved = parse_str(&v.to_string()).unwrap();
        let before = findings(rel);
        let after = findings_of(&moved);
        assert_eq!(before.len(), after.len(), "{rel}");
        let lines_moved = before.iter().zip(after).any(|(a, b)| {
            a.location.as_ref().and_then(|l| l.line) != b.location.as_ref().and_then(|l| l.line)
        });
        assert!(lines_moved, "{rel}: the test moved nothing");
        for (a, b) in before.iter().zip(after) {
            assert_eq!(a.fingerprint, b.fingerprint, "{rel}: {}", a.rule);
        }
    }
    // Unique within each report.
    let mut files = Vec::new();
    crate::walk(&corpus.join("security"), &mut files);
    for rel in files {
        if let Ok(p) = parse(&rel)
            && let Model::Findings(r) = &p.model
        {
            let mut fps: Vec<&str> = r.findings.iter().map(|f| f.fingerprint.as_str()).collect();
            let n = fps.len();
            fps.sort_unstable();
            fps.dedup();
            assert_eq!(fps.len(), n, "{rel}");
            assert!(
                r.findings.iter().all(|f| f.fingerprint.len() == 64),
                "{rel}"
            );
        }
    }
    // SARIF producers' partialFingerprints win over path and message.
    let rel = "security/sarif/codeql-action/fingerprinting-expected.sarif";
    let text = std::fs::read_to_string(corpus.join(rel)).unwrap();
    let reworded = parse_str(&text.replace("Unused variable a.", "Variable a is unused.")).unwrap();
    assert_eq!(
        findings(rel)[0].fingerprint,
        findings_of(&reworded)[0].fingerprint
    );
    // A dependency finding is the package, not where the report was made.
    let a = findings("security/trivy/golden-alpine-39.json");
    let b = findings("peers/trivy-filters/alpine-39.json");
    assert_eq!(
        a.iter().map(|f| &f.fingerprint).collect::<Vec<_>>(),
        b.iter().map(|f| &f.fingerprint).collect::<Vec<_>>()
    );
}

/// Aliases: trivy VendorIDs, grype related vulnerabilities, npm CVEs, OSV
/// and cargo-audit aliases; never the finding's own id.
#[test]
fn aliases_and_cwes() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let k8s = findings("security/trivy/defectdojo-k8s-cluster-scan.json");
    let apt = k8s.iter().find(|f| f.rule == "CVE-2020-27350").unwrap();
    assert_eq!(apt.aliases, vec!["DSA-4808-1"]);
    assert_eq!(apt.cwes, vec!["CWE-190"]);
    assert_eq!((apt.cvss, apt.severity), (Some(5.7), Severity::Medium));
    let grype = findings("security/grype/defectdojo-check-all-fields.json");
    let django = grype
        .iter()
        .find(|f| f.rule == "GHSA-v6rh-hp5x-86rv")
        .unwrap();
    assert_eq!(django.aliases, vec!["CVE-2021-44420"]);
    let npm = findings("security/npm-audit/npm6-multiple-cwes.json");
    assert!(npm.iter().any(|f| f.cwes.len() > 1));
    assert!(
        npm.iter()
            .any(|f| f.aliases.iter().any(|a| a.starts_with("CVE-")))
    );
    let osv = findings("security/osv-scanner/defectdojo-many-findings.json");
    let g = osv
        .iter()
        .find(|f| f.rule == "GHSA-25mq-v84q-4j7r")
        .unwrap();
    assert_eq!(g.aliases, vec!["CVE-2022-31090"]);
    let cargo = findings("security/cargo-audit/many_findings_cvss.json");
    let aws = cargo
        .iter()
        .find(|f| f.rule == "RUSTSEC-2026-0047")
        .unwrap();
    assert_eq!(
        aws.aliases,
        vec![
            "CVE-2026-3338",
            "GHSA-hfpc-8r3f-gw53",
            "GHSA-jchq-39cv-q4wj"
        ]
    );
    let pip = findings("security/pip-audit/many_vulns.json");
    assert!(pip.iter().all(|f| !f.aliases.contains(&f.rule)));
    let mut files = Vec::new();
    crate::walk(&corpus.join("security"), &mut files);
    for rel in files {
        if let Ok(p) = parse(&rel)
            && let Model::Findings(r) = &p.model
        {
            for f in &r.findings {
                assert!(!f.aliases.contains(&f.rule), "{rel}: {}", f.rule);
                for c in &f.cwes {
                    assert!(
                        c.strip_prefix("CWE-")
                            .is_some_and(|n| n.parse::<u32>().is_ok()),
                        "{rel}: {c}"
                    );
                }
            }
        }
    }
}

/// Trivy: vulnerabilities, failed misconfigurations and secrets (redacted),
/// the legacy array and the k8s cluster report.
#[test]
fn trivy_categories_and_shapes() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    use gate_artifacts::FindingCategory::*;
    let f = findings("security/trivy/defectdojo-misconfig-and-secrets.json");
    let cats: Vec<_> = f.iter().map(|x| x.category).collect();
    assert_eq!(
        cats,
        vec![
            Vulnerability,
            Vulnerability,
            Misconfiguration,
            Secret,
            Secret
        ]
    );
    let ds002 = &f[2];
    assert_eq!(
        (ds002.rule.as_str(), ds002.severity),
        ("DS002", Severity::High)
    );
    let secret = &f[3];
    assert_eq!(
        secret.message,
        "GitHub Personal Access Token found in Dockerfile"
    );
    assert_eq!(secret.location.as_ref().unwrap().line, Some(24));
    assert_eq!(secret.severity, Severity::Critical);
    // Only failed checks are findings.
    let helm = findings("security/trivy/golden-helm-misconfig.json");
    assert_eq!(helm.len(), 18);
    assert!(helm.iter().all(|x| x.category == Misconfiguration));
    let legacy = parsed("security/trivy/defectdojo-legacy-many-vulns.json");
    assert_eq!(legacy.format, gate_artifacts::Format::Trivy);
    assert_eq!(findings_of(&legacy).len(), 93);
    let k8s = findings("security/trivy/defectdojo-k8s-cluster-scan.json");
    assert_eq!(k8s.len(), 20);
    // The same CVE in two workloads' images is two findings.
    assert_eq!(k8s.iter().filter(|x| x.rule == "CVE-2020-27350").count(), 2);
    // Severity UNKNOWN falls back to the CVSS score, else stays unknown.
    let many = findings("security/trivy/defectdojo-legacy-many-vulns.json");
    assert!(
        many.iter()
            .all(|x| x.severity != Severity::Unknown || x.severity_source == SeveritySource::None)
    );
}

/// Empty reports are zero findings; empty files and npm's error object are
/// clear errors.
#[test]
fn empty_reports_and_error_outputs() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for rel in [
        "security/cargo-audit/no_findings.json",
        "security/pip-audit/empty.json",
        "security/pip-audit/zero_vulns.json",
        "security/pip-audit/zero_vulns_legacy.json",
        "security/grype/golden-json-empty.json",
        "security/grype/defectdojo-no-vuln.json",
        "security/osv-scanner/osv-scanner-results-empty.json",
        "security/npm-audit/npm6-no-vuln.json",
        "security/npm-audit/npm7-no-vuln.json",
        "security/trivy/defectdojo-schema2-no-vuln.json",
        "security/sarif/edge-cases/tutorial-one-run-empty-results.sarif",
    ] {
        assert!(findings(rel).is_empty(), "{rel}");
    }
    // `[]` names no producer; forced, it is an empty gitleaks report.
    for rel in [
        "security/gitleaks/empty.json",
        "security/gitleaks/no-findings.json",
    ] {
        let bytes = std::fs::read(corpus.join(rel)).unwrap();
        let p = gate_artifacts::parse(
            rel,
            &bytes,
            Some(gate_artifacts::Format::Gitleaks),
            &Default::default(),
        )
        .unwrap();
        assert!(findings_of(&p).is_empty(), "{rel}");
    }
    let e = parse("security/osv-scanner/defectdojo-no-findings-empty-file.json").unwrap_err();
    assert_eq!(e.code.as_str(), "empty-file");
    let e = parse("security/npm-audit/npm6-error.json").unwrap_err();
    assert_eq!(e.code.as_str(), "npm-audit-error");
    assert!(
        e.message
            .starts_with("this is npm's error output, not an audit report: enoaudit")
    );
    assert_eq!(
        e.position,
        Some(gate_artifacts::Position::Pointer("/error".into()))
    );
    // A forced format on a report of another tool fails with a position.
    let bytes = std::fs::read(corpus.join("security/pip-audit/many_vulns.json")).unwrap();
    let e = gate_artifacts::parse(
        "x.json",
        &bytes,
        Some(gate_artifacts::Format::Grype),
        &Default::default(),
    )
    .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position),
        (
            "format-mismatch",
            Some(gate_artifacts::Position::Pointer(String::new()))
        )
    );
    // cargo-audit: a v4-only vector leaves the severity unknown, warned.
    let p = parsed("security/cargo-audit/many_findings_cvss.json");
    assert_eq!(codes(&p), vec!["cvss-v4-unscored"]);
    let gitleaks = findings("security/gitleaks/v7-data-many.json");
    for f in &gitleaks {
        assert!(
            !f.message
                .contains("c77e01c1e89682e4d4b94a059a7fd2b37ab326ed")
        );
        assert!(!f.message.contains("38c47f19e349153fa963bb3b3212fe8e"));
        assert_eq!(f.location.as_ref().unwrap().path, ".bashrc");
    }
    let v8 = findings("security/gitleaks/template_jsonextra.json");
    assert_eq!(v8[0].rule, "test-rule");
    assert!(!v8[0].message.contains("a secret") && !v8[0].message.contains("line containing"));
    assert_eq!(v8[0].location.as_ref().unwrap().line, Some(1));
}

/// Findings detection claims no file of another family, and none of the
/// security tools we do not read (`corpus/security/other`).
#[test]
fn sniff_claims_only_security_reports() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let ours = [
        "peers/sarif-sdk-validate",
        "peers/trivy-filters",
        "peers/osv-scanner-baseline-diff",
        "peers/audit-ci-npm-thresholds",
    ];
    let mut files = Vec::new();
    for dir in ["coverage", "iac", "approvals", "peers", "security/other"] {
        crate::walk(&corpus.join(dir), &mut files);
    }
    let mut checked = 0;
    for rel in files {
        if ours.iter().any(|o| rel.starts_with(o)) {
            continue;
        }
        let bytes = std::fs::read(corpus.join(&rel)).unwrap();
        let Ok(text) = gate_artifacts::document::decode(&rel, &bytes) else {
            continue;
        };
        let Ok(doc) = gate_artifacts::Document::load(&rel, &text, None) else {
            continue;
        };
        if doc.as_json().is_some() {
            checked += 1;
        }
        assert_eq!(gate_artifacts::findings::sniff(&doc), None, "{rel}");
    }
    assert!(checked > 50, "{checked}");
}
