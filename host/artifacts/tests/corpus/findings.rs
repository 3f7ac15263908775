//! Corpus tests: security findings. Every file of `corpus/security` either
//! parses as the format its producer wrote, or fails with a documented code.

use crate::{corpus, parse};
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
    (
        "security/sarif/edge-cases/tutorial-no-runs.sarif",
        "unknown-format",
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
    // Trivy's Kubernetes cluster summary, GitLab container-scanning template
    // output and an empty legacy report are other formats.
    (
        "security/trivy/defectdojo-k8s-cluster-scan.json",
        "unknown-format",
    ),
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
    let mut files = Vec::new();
    crate::walk(&corpus().join("security"), &mut files);
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
            (Err(e), Some(code)) => assert_eq!(e.code, code, "{rel}: {e}"),
            (Ok(p), Some(code)) => panic!("{rel}: expected {code}, parsed as {}", p.format),
            (Err(e), None) if folder == "other" => {
                assert_eq!(e.code, "unknown-format", "{rel}: {e}")
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
    let npm = findings("peers/audit-ci-npm-thresholds/npm-moderate/npm7-output.json");
    assert_eq!(
        (npm[0].severity, npm[0].severity_source),
        (Severity::Medium, SeveritySource::Tool)
    );
    let grype = findings("security/grype/defectdojo-many-vulns-big.json");
    let text =
        std::fs::read_to_string(corpus().join("security/grype/defectdojo-many-vulns-big.json"))
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
    assert!(!scored.is_empty());
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
    assert_eq!(e.code, "invalid-json");
}
