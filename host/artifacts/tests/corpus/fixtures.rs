//! Our own small fixtures (`tests/fixtures/`), one per format: these run on a
//! fresh clone without the third-party corpus. Each is detected as its
//! format, parses the same when the format is forced, and yields exactly the
//! model in its `.expected.json` (values checked by hand against the
//! fixture). `GATE_BLESS=1` rewrites the expected files; review the diff.

use gate_artifacts::{Format, ParseOptions, Parsed};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

/// (fixture below `tests/fixtures/`, the format it is written in).
const FIXTURES: &[(&str, Format)] = &[
    ("coverage/lcov.info", Format::Lcov),
    ("coverage/cobertura.xml", Format::Cobertura),
    ("coverage/jacoco.xml", Format::Jacoco),
    ("coverage/istanbul.json", Format::Istanbul),
    ("coverage/istanbul-summary.json", Format::IstanbulSummary),
    ("coverage/go.cover", Format::GoCover),
    ("coverage/coveragepy.json", Format::Coveragepy),
    ("coverage/clover.xml", Format::Clover),
    ("findings/sarif.json", Format::Sarif),
    ("findings/trivy.json", Format::Trivy),
    ("findings/grype.json", Format::Grype),
    ("findings/npm-audit.json", Format::NpmAudit),
    ("findings/cargo-audit.json", Format::CargoAudit),
    ("findings/pip-audit.json", Format::PipAudit),
    ("findings/osv-scanner.json", Format::OsvScanner),
    ("findings/gitleaks.json", Format::Gitleaks),
    ("iac/terraform-plan.json", Format::TerraformPlan),
    ("iac/kubernetes.yaml", Format::Kubernetes),
    ("iac/cloudformation.yaml", Format::Cloudformation),
    ("iac/Dockerfile", Format::Dockerfile),
    ("approvals/github-reviews.json", Format::GithubReviews),
    ("approvals/github-event.json", Format::GithubEvent),
    ("approvals/gitlab-approvals.json", Format::GitlabApprovals),
    ("approvals/gate-approvals.json", Format::GateApprovals),
    ("tests/junit.xml", Format::Junit),
    ("tests/go-test.json", Format::GoTestJson),
    ("tests/tap.tap", Format::Tap),
    ("tests/ctrf.json", Format::Ctrf),
    ("tests/libtest.json", Format::LibtestJson),
    ("performance/hyperfine.json", Format::Hyperfine),
    ("performance/hyperfine.csv", Format::HyperfineCsv),
    ("performance/pytest-benchmark.json", Format::PytestBenchmark),
    ("performance/go-bench.txt", Format::GoBench),
    ("performance/go-bench.json", Format::GoBenchJson),
    ("performance/locust_stats.csv", Format::LocustStats),
    ("performance/locust_failures.csv", Format::LocustFailures),
    (
        "performance/locust_stats_history.csv",
        Format::LocustHistory,
    ),
    ("performance/locust.json", Format::LocustJson),
    ("performance/lighthouse.json", Format::Lighthouse),
    (
        "performance/criterion/parse_lcov/new/estimates.json",
        Format::Criterion,
    ),
    ("metrics/ratio.query_range.json", Format::Prometheus),
];

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn parse(rel: &str, format: Option<Format>) -> Parsed {
    let bytes = std::fs::read(dir().join(rel)).unwrap();
    gate_artifacts::parse(rel, &bytes, format, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn as_json(p: &Parsed) -> Value {
    json!({
        "format": p.format,
        "model": p.model,
        "warnings": p.warnings,
    })
}

#[test]
fn every_format_has_a_fixture() {
    for f in Format::ALL {
        assert!(FIXTURES.iter().any(|(_, g)| *g == f), "no fixture for {f}");
    }
}

#[test]
fn fixtures_parse_to_their_expected_models() {
    let bless = std::env::var_os("GATE_BLESS").is_some();
    for (rel, format) in FIXTURES {
        let detected = parse(rel, None);
        assert_eq!(detected.format, *format, "{rel} detected as");
        assert_eq!(parse(rel, Some(*format)), detected, "{rel} forced");
        let got = as_json(&detected);
        let expected_path = dir().join(format!("{rel}.expected.json"));
        if bless {
            let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
            std::fs::write(&expected_path, text).unwrap();
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|e| panic!("{}: {e}", expected_path.display())),
        )
        .unwrap();
        assert_eq!(
            got, expected,
            "{rel}: model differs from {rel}.expected.json"
        );
    }
}

/// `tests/fixtures/diff/two-files.diff` (the repository's, shared with the
/// fuzz seeds): added and modified lines per new path; a rename is keyed by
/// its new name, a deleted file and pure deletions add nothing.
#[test]
fn diff_fixture_changed_lines() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/diff/two-files.diff");
    let text = std::fs::read_to_string(path).unwrap();
    let (files, warnings) = gate_artifacts::diff::parse("two-files.diff", &text).unwrap();
    let got: Vec<(&str, &[u32])> = files
        .iter()
        .map(|f| (f.path.as_str(), f.lines.as_slice()))
        .collect();
    assert_eq!(
        got,
        [
            ("src/new.rs", &[3, 4][..]),
            ("src/parse.rs", &[2, 3, 12][..])
        ]
    );
    assert_eq!(warnings, []);
}
