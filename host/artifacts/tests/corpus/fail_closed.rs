//! Fail closed (issue 11): ill-formed or truncated XML, a forced format on
//! another format's document, and artifact content a policy could not be
//! handed are input errors with a place, never a partial or empty model.
//!
//! The tests named after a bug use only our fixtures
//! (`tests/fixtures/formats`, one small document per format) or inline
//! documents, so they run on a fresh clone; the `corpus_` ones repeat the
//! check over the real files of `../shared/corpus`.

use gate_artifacts::{Document, Format, ParseError, ParseOptions, Parsed, Position};
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

/// Our fixture of `format`: `tests/fixtures/formats/<name>.<ext>`.
fn fixture(format: Format) -> (String, Vec<u8>) {
    let dir = fixtures();
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .find(|n| {
            n.rsplit_once('.').map_or(n.as_str(), |(stem, _)| stem) == format.as_str()
                || (format == Format::Dockerfile && n == "Dockerfile")
        })
        .unwrap_or_else(|| panic!("no fixture for {format} in {}", dir.display()));
    let bytes = std::fs::read(dir.join(&name)).unwrap();
    (name, bytes)
}

fn parse(name: &str, bytes: &[u8], format: Option<Format>) -> Result<Parsed, ParseError> {
    gate_artifacts::parse(name, bytes, format, &ParseOptions::default())
}

fn parse_err(name: &str, bytes: &[u8], format: Option<Format>) -> ParseError {
    match parse(name, bytes, format) {
        Ok(p) => panic!("{name} parsed as {} but must be an error: {p:?}", p.format),
        Err(e) => e,
    }
}

fn line_col(e: &ParseError) -> (u32, u32) {
    match e.position {
        Some(Position::LineCol { line, column }) => (line, column),
        ref other => panic!("{e}: expected line:column, got {other:?}"),
    }
}

fn pointer(e: &ParseError) -> &str {
    match &e.position {
        Some(Position::Pointer(p)) => p,
        other => panic!("{e}: expected a json pointer, got {other:?}"),
    }
}

const XML_FORMATS: [Format; 3] = [Format::Cobertura, Format::Jacoco, Format::Clover];

// ------------------------------------------------------------------ item 1

/// The issue's reproducer: the second class cut after its first line.
pub const TRUNCATED_COBERTURA: &str = r#"<?xml version="1.0" ?>
<coverage line-rate="0.5" version="1">
  <packages>
    <package name="p">
      <classes>
        <class name="a" filename="a.py">
          <lines>
            <line number="1" hits="1"/>
            <line number="2" hits="1"/>
          </lines>
        </class>
        <class name="b" filename="b.py">
          <lines>
            <line number="1" hits="0"/>"#;

#[test]
fn truncated_cobertura_is_an_input_error() {
    for forced in [None, Some(Format::Cobertura)] {
        let e = parse_err("cov.xml", TRUNCATED_COBERTURA.as_bytes(), forced);
        assert_eq!(e.code.as_str(), "truncated-xml", "{e}");
        assert_eq!(
            e.message,
            "xml ends with 6 elements still open (the innermost is `<lines>` from 13:11)",
            "{e}"
        );
        // The end of the input, where the document stops short.
        assert_eq!(line_col(&e), (14, 40), "{e}");
    }
    // The same document completed parses, at 50 %.
    let whole = format!(
        "{TRUNCATED_COBERTURA}<line number=\"2\" hits=\"0\"/></lines></class></classes></package></packages></coverage>"
    );
    let p = parse("cov.xml", whole.as_bytes(), None).unwrap();
    let gate_artifacts::Model::Coverage(c) = p.model else {
        panic!("not coverage")
    };
    assert_eq!(c.totals().lines.percent(), Some(50.0));
}

/// Ill-formed variants of a valid document, each with what must be said.
fn mutants(text: &str) -> Vec<(&'static str, String)> {
    let root_end = text.rfind("</").unwrap();
    // The root's start tag: the first `<` that opens no comment, processing
    // instruction or doctype (comments may mention tags).
    let mut root_start = 0;
    loop {
        let at = root_start + text[root_start..].find('<').unwrap();
        let rest = &text[at..];
        if rest.starts_with("<!--") {
            root_start = at + rest.find("-->").unwrap() + 3;
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            root_start = at + rest.find('>').unwrap() + 1;
        } else {
            root_start = at;
            break;
        }
    }
    let root_close = text[root_start..].find('>').unwrap() + root_start;
    let first_attr = root_start
        + text[root_start..]
            .find(" name=\"")
            .or_else(|| text[root_start..].find(" filename=\""))
            .unwrap();
    vec![
        ("nul byte", text.replacen('>', ">\0", 3)),
        ("control character", text.replacen('>', ">\u{1b}", 3)),
        ("u+ffff", text.replacen('>', ">\u{ffff}", 3)),
        (
            "duplicate attribute",
            format!("{} name=\"x\"{}", &text[..first_attr], &text[first_attr..]),
        ),
        (
            "undefined entity in an attribute",
            format!(
                "{} name=\"&nope;\"{}",
                &text[..root_close],
                &text[root_close..]
            ),
        ),
        (
            "undefined entity in text",
            format!("{}&nope;{}", &text[..=root_close], &text[root_close + 1..]),
        ),
        (
            "character reference to esc",
            format!("{}&#27;{}", &text[..=root_close], &text[root_close + 1..]),
        ),
        (
            "character reference to nul in an attribute",
            format!("{} zz=\"&#0;\"{}", &text[..root_close], &text[root_close..]),
        ),
        (
            "unquoted attribute",
            format!("{} zz=1{}", &text[..root_close], &text[root_close..]),
        ),
        (
            "mismatched end tag",
            format!("{}</nope>{}", &text[..=root_close], &text[root_close + 1..]),
        ),
        ("unmatched end tag", format!("{}</nope>", text.trim_end())),
        ("a second root", format!("{}<coverage/>", text.trim_end())),
        ("text after the root", format!("{}junk", text.trim_end())),
        (
            "text before the root",
            format!("{}junk{}", &text[..root_start], &text[root_start..]),
        ),
        ("root never closed", text[..root_end].to_string()),
        (
            "no root",
            text[..root_start].to_string() + "<!-- nothing -->",
        ),
    ]
}

#[test]
fn ill_formed_xml_is_an_input_error_in_every_xml_format() {
    for format in XML_FORMATS {
        let (name, bytes) = fixture(format);
        let text = String::from_utf8(bytes).unwrap();
        parse(&name, text.as_bytes(), Some(format)).unwrap();
        for (what, mutant) in mutants(&text) {
            for forced in [None, Some(format)] {
                let e = match parse(&name, mutant.as_bytes(), forced) {
                    Ok(_) => panic!("{format}: {what} (forced {forced:?}) was accepted"),
                    Err(e) => e,
                };
                if forced.is_some() {
                    assert!(
                        [
                            "invalid-xml",
                            "truncated-xml",
                            "format-mismatch",
                            "control-character"
                        ]
                        .contains(&e.code.as_str()),
                        "{format}: {what}: {e}"
                    );
                    if e.code != "format-mismatch" {
                        line_col(&e);
                    }
                }
            }
        }
    }
}

#[test]
fn ill_formed_xml_errors_say_what_and_where() {
    let doc =
        r#"<coverage line-rate="1"><packages><package name="p" name="q"/></packages></coverage>"#;
    let e = parse_err("c.xml", doc.as_bytes(), Some(Format::Cobertura));
    assert_eq!(
        (e.code.as_str(), line_col(&e)),
        ("invalid-xml", (1, 53)),
        "{e}"
    );
    assert_eq!(e.message, "not well-formed xml: duplicate attribute", "{e}");
    let doc = "<coverage line-rate=\"1\">\n<packages>&nope;</packages></coverage>";
    let e = parse_err("c.xml", doc.as_bytes(), Some(Format::Cobertura));
    assert_eq!(
        (e.code.as_str(), line_col(&e)),
        ("invalid-xml", (2, 11)),
        "{e}"
    );
    assert_eq!(
        e.message, "not well-formed xml: undefined or illegal entity `&nope;`",
        "{e}"
    );
    // A NUL is refused before XML is read, as in every text format.
    let doc = "<coverage line-rate=\"1\">\n<packages>\0</packages></coverage>";
    let e = parse_err("c.xml", doc.as_bytes(), Some(Format::Cobertura));
    assert_eq!(
        (e.code.as_str(), line_col(&e)),
        ("control-character", (2, 11)),
        "{e}"
    );
    let doc = "<coverage line-rate=\"1\"><packages></package></coverage>";
    let e = parse_err("c.xml", doc.as_bytes(), Some(Format::Cobertura));
    assert_eq!(e.code.as_str(), "invalid-xml", "{e}");
    assert!(e.message.starts_with("not well-formed xml"), "{e}");
}

/// Truncations of `text` must be errors: at every `step`-th byte, after
/// every tag in the last `tail` bytes (a document cut between elements is
/// the one that looks complete) and at each of its last 64 bytes. Cuts
/// that only drop trailing whitespace are skipped. `detect` also tries
/// each cut without forcing the format.
fn assert_truncations_fail(
    name: &str,
    text: &str,
    format: Format,
    step: usize,
    tail: usize,
    detect: bool,
) {
    let complete = text.trim_end().len();
    let mut cuts: Vec<usize> = (1..complete).step_by(step.max(1)).collect();
    let tail_start = complete.saturating_sub(tail);
    cuts.extend(
        text[..complete]
            .match_indices('>')
            .map(|(i, _)| i + 1)
            .filter(|i| *i >= tail_start && *i < complete),
    );
    cuts.extend(complete.saturating_sub(64)..complete);
    cuts.sort_unstable();
    cuts.dedup();
    let modes: &[Option<Format>] = if detect {
        &[None, Some(format)]
    } else {
        &[Some(format)]
    };
    for cut in cuts.into_iter().filter(|c| text.is_char_boundary(*c)) {
        let part = &text.as_bytes()[..cut];
        for forced in modes {
            if let Ok(p) = parse(name, part, *forced) {
                panic!(
                    "{name} cut at byte {cut} of {} (forced {forced:?}) parsed as {}",
                    text.len(),
                    p.format
                );
            }
        }
    }
}

#[test]
fn truncated_xml_fixtures_are_input_errors_at_every_offset() {
    for format in XML_FORMATS {
        let (name, bytes) = fixture(format);
        let text = String::from_utf8(bytes).unwrap();
        assert_truncations_fail(&name, &text, format, 1, 0, true);
    }
}

#[test]
fn corpus_xml_truncated_anywhere_is_an_input_error() {
    let Some(root) = crate::corpus_or_skip() else {
        return;
    };
    for (dir, format) in [
        ("coverage/cobertura", Format::Cobertura),
        ("coverage/jacoco", Format::Jacoco),
        ("coverage/clover", Format::Clover),
    ] {
        let mut files = Vec::new();
        crate::walk(&root.join(dir), &mut files);
        files.sort();
        let mut checked = 0;
        for rel in files {
            let bytes = std::fs::read(root.join(&rel)).unwrap();
            // Only documents that parse whole (the corpus also holds
            // deliberately broken ones).
            if parse(&rel, &bytes, Some(format)).is_err() {
                continue;
            }
            let text = String::from_utf8_lossy(&bytes).into_owned();
            // 50 cuts spread over the file, and after every tag of its end.
            assert_truncations_fail(&rel, &text, format, text.len() / 50, 2000, false);
            for (what, mutant) in mutants(&text) {
                if let Ok(p) = parse(&rel, mutant.as_bytes(), Some(format)) {
                    panic!("{rel}: {what} was accepted as {}", p.format);
                }
            }
            checked += 1;
        }
        assert!(checked > 0, "no parseable {format} file in the corpus");
    }
}

// ------------------------------------------------------------------ item 2

/// Pairs where forcing one format on the other's fixture is accepted, with
/// why. None today: every format's markers exclude every other fixture.
const COMPATIBLE: &[(Format, Format, &str)] = &[(
    Format::GoTestJson,
    Format::GoBenchJson,
    "a `go test -json` benchmark run is a test2json stream: read as test results it is what it \
     is, a package that ran no test (0 tests, never a pass of tests that did not run)",
)];

#[test]
fn forcing_the_right_format_parses_every_fixture() {
    for format in Format::ALL {
        let (name, bytes) = fixture(format);
        let detected = parse(&name, &bytes, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            detected.format, format,
            "{name} is detected as another format"
        );
        let forced = parse(&name, &bytes, Some(format)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(forced, detected, "{name}");
    }
}

#[test]
fn forcing_a_format_on_another_formats_document_is_an_input_error() {
    // The issue's examples first: trivy or npm-audit forced on a grype
    // report read it as empty; gitleaks turned github reviews into leaks.
    let (_, grype) = fixture(Format::Grype);
    for forced in [Format::Trivy, Format::NpmAudit] {
        let e = parse_err("grype.json", &grype, Some(forced));
        assert_eq!(e.code.as_str(), "format-mismatch");
        assert!(
            e.message.starts_with(&format!(
                "this is not {} report: expected",
                gate_codes::wording::a(forced.as_str())
            )),
            "{e}"
        );
    }
    let (_, reviews) = fixture(Format::GithubReviews);
    let e = parse_err("reviews.json", &reviews, Some(Format::Gitleaks));
    assert_eq!(e.code.as_str(), "format-mismatch", "{e}");

    let mut accepted = Vec::new();
    for actual in Format::ALL {
        let (name, bytes) = fixture(actual);
        for forced in Format::ALL.into_iter().filter(|f| *f != actual) {
            match parse(&name, &bytes, Some(forced)) {
                Ok(_) => accepted.push((forced, actual)),
                Err(e) => assert_eq!(
                    e.code.as_str(),
                    "format-mismatch",
                    "{forced} on {name}: {e}"
                ),
            }
        }
    }
    let expected: Vec<(Format, Format)> = COMPATIBLE.iter().map(|(a, b, _)| (*a, *b)).collect();
    assert_eq!(
        accepted, expected,
        "forced format accepted (forced, actual)"
    );
}

#[test]
fn an_empty_report_is_only_accepted_by_formats_whose_empty_report_it_is() {
    for format in Format::ALL {
        for doc in ["[]", "null"] {
            let v: serde_json::Value = serde_json::from_str(doc).unwrap();
            let r = parse("empty.json", doc.as_bytes(), Some(format));
            assert_eq!(
                r.is_ok(),
                format.is_empty_report(&v),
                "{format} on {doc}: {r:?}"
            );
            if let Err(e) = r {
                assert_eq!(e.code.as_str(), "format-mismatch", "{format} on {doc}: {e}");
            }
        }
    }
    // Detection never guesses a format for them.
    assert_eq!(parse_err("empty.json", b"[]", None).code, "unknown-format");
    assert_eq!(
        parse_err("empty.json", b"null", None).code,
        "unknown-format"
    );
}

/// The same matrix over every corpus document that is detected: forcing
/// any other format is refused. Uses [`gate_artifacts::conforms`], the check
/// `parse` applies, on the document loaded as each format loads it.
#[test]
fn corpus_documents_forced_as_another_format_are_refused() {
    let Some(root) = crate::corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    for family in ["coverage", "security", "iac", "approvals"] {
        crate::walk(&root.join(family), &mut files);
    }
    files.sort();
    let (mut checked, mut accepted) = (0, Vec::new());
    for rel in files {
        let bytes = std::fs::read(root.join(&rel)).unwrap();
        let Ok(text) = gate_artifacts::document::decode(&rel, &bytes) else {
            continue;
        };
        let Ok(doc) = Document::load(&rel, &text, None) else {
            continue;
        };
        let Some(actual) = gate_artifacts::detect(&doc) else {
            continue;
        };
        checked += 1;
        let as_json = Document::load(&rel, &text, Some(Format::Sarif)).ok();
        let as_text = Document::load(&rel, &text, Some(Format::Lcov)).ok();
        let own = if actual.is_json() { &as_json } else { &as_text };
        assert!(
            own.as_ref()
                .is_some_and(|d| gate_artifacts::conforms(actual, d)),
            "{rel}: detected as {actual} but refused when {actual} is forced"
        );
        for forced in Format::ALL.into_iter().filter(|f| *f != actual) {
            let loaded = if forced.is_json() { &as_json } else { &as_text };
            let json_ok = !forced.is_json() || text.trim_start().starts_with(['{', '[']);
            if json_ok
                && loaded
                    .as_ref()
                    .is_some_and(|d| gate_artifacts::conforms(forced, d))
                && !COMPATIBLE
                    .iter()
                    .any(|(f, a, _)| (*f, *a) == (forced, actual))
            {
                accepted.push(format!("{forced} on {rel} ({actual})"));
            }
        }
    }
    assert!(checked > 100, "only {checked} corpus documents detected");
    assert!(
        accepted.is_empty(),
        "forced formats accepted:\n{}",
        accepted.join("\n")
    );
}

// ------------------------------------------------------------------ item 10

fn findings_err(format: Format, doc: &str) -> ParseError {
    parse_err("report.json", doc.as_bytes(), Some(format))
}

#[test]
fn pip_audit_vulnerability_without_id_is_an_input_error() {
    let doc = r#"{"dependencies": [{"name": "requests", "version": "2.0.0", "vulns": [{"fix_versions": [], "description": "d"}]}], "fixes": []}"#;
    let e = findings_err(Format::PipAudit, doc);
    assert_eq!(e.code.as_str(), "missing-field", "{e}");
    assert_eq!(pointer(&e), "/dependencies/0/vulns/0/id");
    // Detected the same way.
    let d = parse_err("report.json", doc.as_bytes(), None);
    assert_eq!(d, e);
}

#[test]
fn cargo_audit_object_id_is_an_input_error() {
    let (_, bytes) = fixture(Format::CargoAudit);
    let doc = String::from_utf8(bytes)
        .unwrap()
        .replace(r#""id": "RUSTSEC-2024-0001""#, r#""id": {}"#);
    let e = findings_err(Format::CargoAudit, &doc);
    assert_eq!(e.code.as_str(), "invalid-field", "{e}");
    assert_eq!(pointer(&e), "/vulnerabilities/list/0/advisory/id");
    assert_eq!(e.message, "`id` must be a string, found an object", "{e}");
}

#[test]
fn sarif_rule_id_with_an_escape_character_is_an_input_error() {
    let (_, bytes) = fixture(Format::Sarif);
    let text = String::from_utf8(bytes).unwrap();
    let doc = text.replacen(
        r#""ruleId": "demo/rule""#,
        r#""ruleId": "demo\u001b[31m""#,
        1,
    );
    let e = findings_err(Format::Sarif, &doc);
    assert_eq!(e.code.as_str(), "invalid-field", "{e}");
    assert_eq!(pointer(&e), "/runs/0/results/0/ruleId");
    assert_eq!(
        e.message, "identifier contains control character u+001b",
        "{e}"
    );
    // The rule's own id, reached by index, is checked too.
    let doc = text.replacen(r#""ruleId": "demo/rule", "#, "", 1).replacen(
        r#""id": "demo/rule""#,
        r#""id": "demo\nrule""#,
        1,
    );
    let e = findings_err(Format::Sarif, &doc);
    assert_eq!(pointer(&e), "/runs/0/results/0/ruleIndex", "{e}");
    // Empty and over-long ids.
    let doc = text.replacen(r#""ruleId": "demo/rule""#, r#""ruleId": "  ""#, 1);
    assert_eq!(
        findings_err(Format::Sarif, &doc).message,
        "identifier is empty"
    );
    let long = "r".repeat(300);
    let doc = text.replacen(
        r#""ruleId": "demo/rule""#,
        &format!(r#""ruleId": "{long}""#),
        1,
    );
    assert_eq!(
        findings_err(Format::Sarif, &doc).message,
        "identifier is 300 bytes long, more than 256"
    );
    let doc = text.replacen(r#""ruleId": "demo/rule""#, r#""ruleId": 7"#, 1);
    assert_eq!(findings_err(Format::Sarif, &doc).code, "invalid-field");
}

/// The same class in every other findings format: a missing, mistyped or
/// control-character id is an input error at its pointer.
#[test]
fn findings_ids_are_required_and_clean_in_every_format() {
    let cases: [(Format, &str, &str, &str); 9] = [
        (
            Format::Trivy,
            r#""VulnerabilityID": "CVE-2024-0001""#,
            r#""VulnerabilityID": null"#,
            "/Results/0/Vulnerabilities/0/VulnerabilityID",
        ),
        (
            Format::Trivy,
            r#""PkgName": "left-pad""#,
            r#""PkgName": "left\u0007pad""#,
            "/Results/0/Vulnerabilities/0/PkgName",
        ),
        (
            Format::Grype,
            r#""id": "CVE-2024-0002""#,
            r#""id": 12"#,
            "/matches/0/vulnerability/id",
        ),
        (
            Format::Grype,
            r#""name": "lodash""#,
            r#""name": "lo\u0000dash""#,
            "/matches/0/artifact/name",
        ),
        (
            Format::OsvScanner,
            r#""id": "GHSA-aaaa-bbbb-cccc""#,
            r#""idx": "GHSA-aaaa-bbbb-cccc""#,
            "/results/0/packages/0/vulnerabilities/0/id",
        ),
        (
            Format::Gitleaks,
            r#""RuleID": "generic-api-key""#,
            r#""RuleID": """#,
            "/0/RuleID",
        ),
        (
            Format::PipAudit,
            r#""name": "requests""#,
            r#""name": ["requests"]"#,
            "/dependencies/0/name",
        ),
        (
            Format::CargoAudit,
            r#""id": "RUSTSEC-2024-0001""#,
            r#""id": "RUSTSEC\t1""#,
            "/vulnerabilities/list/0/advisory/id",
        ),
        (
            Format::NpmAudit,
            r#""url": "https://github.com/advisories/GHSA-xvch-5gv4-984h""#,
            r#""url": "https://github.com/advisories/GHSA-x\u001bh""#,
            "/vulnerabilities/minimist/via/0",
        ),
    ];
    for (format, from, to, at) in cases {
        let (_, bytes) = fixture(format);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains(from), "{format}: fixture lacks {from}");
        let e = findings_err(format, &text.replacen(from, to, 1));
        assert!(
            ["missing-field", "invalid-field"].contains(&e.code.as_str()),
            "{format}: {e}"
        );
        assert_eq!(pointer(&e), at, "{format}: {e}");
    }
    // gitleaks: an element that is not a leak is an error, not a blank leak.
    let (_, bytes) = fixture(Format::Gitleaks);
    let text = String::from_utf8(bytes).unwrap();
    let doc = format!(
        "{}, {{\"state\": \"APPROVED\"}}]",
        text.trim_end().trim_end_matches(']')
    );
    let e = findings_err(Format::Gitleaks, &doc);
    assert_eq!(
        (e.code.as_str(), pointer(&e)),
        ("invalid-gitleaks", "/1"),
        "{e}"
    );
}

/// A policy's finding text may not exceed 64 KiB: over-long titles and
/// messages are cut (warned), never handed on to become a contract
/// violation; ids are not cut (above: they are refused).
#[test]
fn over_long_finding_texts_are_cut_not_contract_violations() {
    let (_, bytes) = fixture(Format::Sarif);
    let long = "é".repeat(60_000);
    let doc = String::from_utf8(bytes)
        .unwrap()
        .replacen("bad thing", &long, 1);
    let p = parse("s.json", doc.as_bytes(), None).unwrap();
    assert_eq!(warnings(&p), ["text-truncated"]);
    let gate_artifacts::Model::Findings(f) = &p.model else {
        panic!()
    };
    let m = &f.findings[0].message;
    assert!(m.len() <= 16 << 10 && m.ends_with('…'), "{}", m.len());
}

// ------------------------------------------------------------------ item 4

fn warnings(p: &Parsed) -> Vec<&str> {
    p.warnings.iter().map(|w| w.code.as_str()).collect()
}

#[test]
fn sarif_security_severity_that_is_not_a_score_is_warned_and_falls_back_to_level() {
    let (_, bytes) = fixture(Format::Sarif);
    let text = String::from_utf8(bytes).unwrap();
    let ok = parse("s.json", text.as_bytes(), None).unwrap();
    assert!(warnings(&ok).is_empty(), "{:?}", ok.warnings);
    for bad in [
        r#""high""#,
        r#""11""#,
        r#""NaN""#,
        "-1",
        r#""""#,
        "true",
        "10.5",
    ] {
        let doc = text.replace(
            r#""security-severity": "7.5""#,
            &format!(r#""security-severity": {bad}"#),
        );
        let p = parse("s.json", doc.as_bytes(), None).unwrap();
        assert_eq!(warnings(&p), ["invalid-security-severity"], "{bad}");
        let w = &p.warnings[0].message;
        assert!(w.contains("/runs/0/results/0"), "{w}");
        let gate_artifacts::Model::Findings(f) = &p.model else {
            panic!()
        };
        assert_eq!(
            f.findings[0].severity,
            gate_artifacts::Severity::High,
            "{bad}"
        );
        assert_eq!(
            f.findings[0].severity_source,
            gate_artifacts::SeveritySource::SarifLevel,
            "{bad}"
        );
    }
}

#[test]
fn cvss_scores_out_of_range_are_warned_in_other_formats() {
    let trivy = r#"{"SchemaVersion": 2, "ArtifactName": "x", "Results": [{"Target": "t", "Type": "npm",
      "Vulnerabilities": [{"VulnerabilityID": "CVE-1", "PkgName": "p", "InstalledVersion": "1",
        "CVSS": {"nvd": {"V3Score": 11}}, "SeveritySource": "nvd"}]}]}"#;
    let p = parse("t.json", trivy.as_bytes(), None).unwrap();
    assert_eq!(warnings(&p), ["invalid-cvss-score"]);
    assert!(
        p.warnings[0]
            .message
            .contains("/Results/0/Vulnerabilities/0/CVSS/nvd/V3Score"),
        "{}",
        p.warnings[0].message
    );
    let (_, bytes) = fixture(Format::NpmAudit);
    let npm = String::from_utf8(bytes).unwrap().replacen(
        r#""range": "<0.2.1"}"#,
        r#""range": "<0.2.1", "cvss": {"score": -3, "vectorString": null}}"#,
        1,
    );
    let p = parse("n.json", npm.as_bytes(), None).unwrap();
    assert_eq!(warnings(&p), ["invalid-cvss-score"]);
    // Every fixture's own scores are in range.
    for format in Format::ALL
        .into_iter()
        .filter(|f| f.kind() == gate_artifacts::ArtifactKind::Findings)
    {
        let (name, bytes) = fixture(format);
        let p = parse(&name, &bytes, None).unwrap();
        assert!(!warnings(&p).contains(&"invalid-cvss-score"), "{name}");
    }
}
