//! Findings reports are read in one pass into typed structures, never a
//! whole-document tree. What was implicit in the tree must stay true: the
//! model does not depend on the order of the keys a parser needs out of
//! order (a run's `results` before its rules, grype's `source` after the
//! matches), data maps give findings in key order as they always did, and
//! errors keep their codes and pointers. Inline documents only.

use gate_artifacts::{Model, ParseError, ParseOptions, Parsed, Position, SecurityFinding};

fn parse(doc: &str) -> Result<Parsed, ParseError> {
    gate_artifacts::parse("t.json", doc.as_bytes(), None, &ParseOptions::default())
}

fn findings(doc: &str) -> Vec<SecurityFinding> {
    match parse(doc).unwrap_or_else(|e| panic!("{e}")).model {
        Model::Findings(f) => f.findings,
        other => panic!("{other:?}"),
    }
}

fn err(doc: &str) -> ParseError {
    match parse(doc) {
        Ok(p) => panic!("parsed as {}: {p:?}", p.format),
        Err(e) => e,
    }
}

fn pointer(e: &ParseError) -> &str {
    match &e.position {
        Some(Position::Pointer(p)) => p,
        other => panic!("{e}: {other:?}"),
    }
}

#[test]
fn sarif_results_may_come_before_the_rules_artifacts_and_bases_they_use() {
    let tool = r#""tool": {"driver": {"name": "t", "rules": [{"id": "R1",
        "shortDescription": {"text": "Rule one"}, "properties": {"security-severity": "9.1"}}]}}"#;
    let bases = r#""originalUriBaseIds": {"SRC": {"uri": "src/"}}"#;
    let artifacts = r#""artifacts": [{"location": {"uri": "a.c", "uriBaseId": "SRC"}}]"#;
    let results = r#""results": [{"ruleIndex": 0, "message": {"text": "{0} and {1}",
        "arguments": ["x", {"b": [1, 2]}]}, "locations": [{"physicalLocation":
        {"artifactLocation": {"index": 0}, "region": {"startLine": 3}}}]}]"#;
    let written =
        format!(r#"{{"version": "2.1.0", "runs": [{{{tool}, {bases}, {artifacts}, {results}}}]}}"#);
    let reversed =
        format!(r#"{{"runs": [{{{results}, {artifacts}, {bases}, {tool}}}], "version": "2.1.0"}}"#);
    let a = parse(&written).unwrap();
    let b = parse(&reversed).unwrap();
    assert_eq!(a.model, b.model);
    assert_eq!(a.warnings, b.warnings);
    let f = findings(&reversed);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].title, "Rule one");
    assert_eq!(f[0].cvss, Some(9.1));
    // Non-string arguments are substituted as their JSON text.
    assert_eq!(f[0].message, r#"x and {"b":[1,2]}"#);
    let loc = f[0].location.as_ref().unwrap();
    assert_eq!((loc.path.as_str(), loc.line), ("src/a.c", Some(3)));
}

#[test]
fn sarif_version_is_checked_before_the_runs_wherever_it_is_written() {
    // A run that would be an error: the version still decides first.
    let e = err(
        r#"{"runs": [{"tool": {"driver": {"name": "t"}}, "results": [1]}], "version": "2.0.0"}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("unsupported-version", "/version")
    );
    let e = err(
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "t"}}, "results": [1]}]}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-sarif", "/runs/0/results/0")
    );
    let e = err(
        r#"{"version": "2.1.0", "runs": [{"results": [{"ruleId": "R", "level": [3]}], "tool": {"driver": {"name": "t"}}}]}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-sarif", "/runs/0/results/0/level")
    );
    assert_eq!(
        e.message,
        "unknown level [3]; expected error, warning, note or none"
    );
}

#[test]
fn grype_source_may_come_before_or_after_the_matches() {
    let matches = r#""matches": [{"vulnerability": {"id": "CVE-2024-1", "severity": "High"},
        "artifact": {"name": "lib", "version": "1.0", "type": "npm",
        "locations": [{"path": "/web/package-lock.json"}]}}]"#;
    let source = r#""source": {"type": "directory", "target": "."}"#;
    let descriptor = r#""descriptor": {"name": "grype"}"#;
    let after = findings(&format!("{{{matches}, {source}, {descriptor}}}"));
    let before = findings(&format!("{{{descriptor}, {source}, {matches}}}"));
    assert_eq!(after, before);
    assert_eq!(
        after[0].location.as_ref().map(|l| l.path.as_str()),
        Some("web/package-lock.json")
    );
}

#[test]
fn npm_findings_come_in_key_order_whatever_the_document_order() {
    let via = |pkg: &str, n: u32| {
        format!(
            r#""{pkg}": {{"name": "{pkg}", "severity": "high", "via": [{{"source": {n}, "name": "{pkg}",
               "title": "t", "url": "https://github.com/advisories/GHSA-{n}{n}{n}{n}-2222-3333", "severity": "high"}}],
               "fixAvailable": true}}"#
        )
    };
    let doc = format!(
        r#"{{"auditReportVersion": 2, "vulnerabilities": {{{}, {}, {}}}, "metadata": {{}}}}"#,
        via("zeta", 1),
        via("alpha", 2),
        via("mid", 3)
    );
    let names: Vec<String> = findings(&doc)
        .iter()
        .map(|f| f.package.as_ref().unwrap().name.clone())
        .collect();
    assert_eq!(names, ["alpha", "mid", "zeta"]);
    // npm 6: advisory ids are keys, ordered as strings.
    let adv = |id: u32| {
        format!(
            r#""{id}": {{"id": {id}, "module_name": "m{id}", "severity": "low", "title": "t",
               "url": "https://npmjs.com/advisories/{id}", "findings": [{{"version": "1.0.0"}}]}}"#
        )
    };
    let doc = format!(
        r#"{{"advisories": {{{}, {}}}, "metadata": {{}}}}"#,
        adv(118),
        adv(1002)
    );
    let rules: Vec<String> = findings(&doc).iter().map(|f| f.rule.clone()).collect();
    assert_eq!(rules, ["npm:1002", "npm:118"]);
}

#[test]
fn npm_reports_the_error_of_the_first_package_by_key() {
    let bad = |pkg: &str| format!(r#""{pkg}": {{"via": [{{"title": "t"}}]}}"#);
    let doc = format!(
        r#"{{"auditReportVersion": 2, "vulnerabilities": {{{}, {}}}}}"#,
        bad("z\\u0007"),
        bad("a\\u0007")
    );
    let e = err(&doc);
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-field", "/vulnerabilities/a\u{7}/via/0")
    );
}

#[test]
fn a_key_given_twice_in_a_data_map_is_refused() {
    let e = err(
        r#"{"auditReportVersion": 2, "vulnerabilities": {"a": {"via": []}, "a": {"via": []}}}"#,
    );
    assert_eq!(e.code.as_str(), "invalid-json", "{e}");
    assert_eq!(e.message, "duplicate key `a` in an object");
    assert!(matches!(e.position, Some(Position::LineCol { .. })), "{e}");
}

#[test]
fn trivy_cluster_findings_keep_trivys_order_whatever_the_document_order() {
    let doc = r#"{"ClusterName": "c",
      "Misconfigurations": [{"Namespace": "n", "Kind": "Pod", "Name": "p", "Results": [{"Target": "t",
        "Class": "config", "Misconfigurations": [{"ID": "KSV001", "AVDID": "AVD-KSV-0001",
        "Status": "FAIL", "Severity": "HIGH", "Title": "x", "Message": "m"}]}]}],
      "Vulnerabilities": [{"Namespace": "n", "Kind": "Deployment", "Name": "d", "Results": [{
        "Vulnerabilities": [{"VulnerabilityID": "CVE-2024-1", "PkgName": "p", "InstalledVersion": "1"}],
        "Target": "img", "Type": "debian"}]}]}"#;
    let f = findings(doc);
    let rules: Vec<&str> = f.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["CVE-2024-1", "AVD-KSV-0001"]);
    assert_eq!(
        f[0].package.as_ref().unwrap().ecosystem.as_deref(),
        Some("debian")
    );
    let e = err(r#"{"ClusterName": "c", "Resources": [{"Results": {}}]}"#);
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-trivy", "/Resources/0/Results")
    );
}

#[test]
fn the_first_bad_cvss_score_is_named_in_key_order() {
    let doc = r#"{"SchemaVersion": 2, "Results": [{"Target": "t", "Type": "npm",
      "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1",
        "CVSS": {"redhat": {"V3Score": 12}, "nvd": {"V2Score": "high", "V3Score": 7.5}}}]}]}"#;
    let p = parse(doc).unwrap();
    let w: Vec<&str> = p.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(w, ["invalid-cvss-score"]);
    let m = &p.warnings[0].message;
    assert!(m.starts_with("2 cvss scores are"), "{m}");
    assert!(
        m.ends_with("(first: /Results/0/Vulnerabilities/0/CVSS/nvd/V2Score)"),
        "{m}"
    );
}

#[test]
fn type_errors_keep_their_codes_and_pointers() {
    let e = err(
        r#"{"dependencies": [{"name": "o", "version": "1", "vulns": []}, {"name": "p", "version": "1", "vulns": "none"}]}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-field", "/dependencies/1/vulns")
    );
    assert!(e.message.ends_with("found a string"), "{e}");
    let e = err(
        r#"{"matches": [{"vulnerability": {"id": 7}, "artifact": {"name": "p"}}], "descriptor": {"name": "grype"}}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-field", "/matches/0/vulnerability/id")
    );
    let e = err(r#"{"matches": [{"artifact": {"name": "p"}}], "descriptor": {"name": "grype"}}"#);
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-grype", "/matches/0/vulnerability")
    );
    let e = err(
        r#"{"results": [{"source": {"path": "go.mod"}, "packages": [{"vulnerabilities": [{"id": "GO-1"}], "groups": []}]}]}"#,
    );
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-osv", "/results/0/packages/0/package")
    );
}
