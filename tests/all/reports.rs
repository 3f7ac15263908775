//! Every report format, projected from one real verdict, checked by what
//! consumes it: SARIF against the official 2.1.0 schema and GitHub's rules,
//! JUnit by a real parser (Python's junitparser), GitLab Code Quality's
//! required fields, GitHub workflow-command escaping with hostile text.

use crate::{LCOV_80, TestDir};
use serde_json::Value;

const NOW: &str = "2026-11-22T10:00:00Z";

/// A SARIF input whose texts try to break every output format.
const HOSTILE_SARIF: &str = r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "evil",
  "rules": [{"id": "EVIL-1", "shortDescription": {"text": "100% bad\r\n::error file=x::pwned, a:b <b>&amp;</b> ünïcödé | pipe"},
             "properties": {"security-severity": "9.8"}}]}},
  "results": [{"ruleId": "EVIL-1", "message": {"text": "m"}, "locations": [{"physicalLocation":
     {"artifactLocation": {"uri": "src/a,b:c.rs"}, "region": {"startLine": 7}}}]},
   {"ruleId": "EVIL-1", "level": "note", "message": {"text": "second"}, "locations": [{"physicalLocation":
     {"artifactLocation": {"uri": "src/ok.rs"}, "region": {"startLine": 1}}}]}]}]}"#;

fn setup() -> TestDir {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.write("evil.sarif", HOSTILE_SARIF);
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"lcov.info\"\n[[artifact]]\npath = \"evil.sarif\"\n\
         [[policy]]\nuse = \"builtin:coverage\"\nparams = { min-line = 90 }\n\
         [[policy]]\nuse = \"builtin:security\"\n",
    );
    t
}

fn report(t: &TestDir, format: &str) -> String {
    let r = t.run(&["check", "--now", NOW, "--format", format]);
    assert_eq!(r.code(), 1, "{}", r.stderr());
    r.stdout()
}

#[test]
fn sarif_validates_against_the_official_schema_and_github_rules() -> anyhow::Result<()> {
    let t = setup();
    let sarif: Value = serde_json::from_str(&report(&t, "sarif"))?;
    let schema: Value = serde_json::from_slice(&std::fs::read(
        crate::repo().join("schemas/sarif-schema-2.1.0.json"),
    )?)?;
    let validator = jsonschema::validator_for(&schema)?;
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let runs = sarif["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2, "one run per policy");
    let ids: Vec<&str> = runs
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["gate/coverage/", "gate/security/"]);
    for run in runs {
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        for r in run["results"].as_array().unwrap() {
            // ruleIndex points at the rule with the same id.
            let idx = r["ruleIndex"].as_u64().unwrap() as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            let loc = &r["locations"][0]["physicalLocation"];
            let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
            assert!(
                !uri.starts_with('/') && !uri.contains("://"),
                "repo-relative: {uri}"
            );
            assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1);
            assert!(r["partialFingerprints"]["primaryLocationLineHash"].is_string());
        }
    }
    let sec = &runs[1];
    let rule = &sec["tool"]["driver"]["rules"][0];
    // The input's 9.8 is critical, which GitHub's bands read back from
    // the representative score 9.5 (a string).
    assert_eq!(rule["properties"]["security-severity"], "9.5", "{rule}");
    assert_eq!(
        sec["results"][0]["level"], "error",
        "a blocking finding is an error"
    );
    Ok(())
}

#[test]
fn junit_parses_with_junitparser() {
    let t = setup();
    let xml = report(&t, "junit");
    let path = t.write("report.xml", &xml);
    // Well-formed for a Rust XML reader too.
    let mut r = quick_xml::Reader::from_str(&xml);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}\n{xml}"),
        }
    }
    let script = r#"
import sys
from junitparser import JUnitXml, Failure, Skipped, Error
xml = JUnitXml.fromfile(sys.argv[1])
suites = list(xml)
print(len(suites))
for s in suites:
    cases = list(s)
    fails = sum(1 for c in cases for r in c.result if isinstance(r, Failure))
    print(s.name, len(cases), fails, s.failures)
"#;
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    if !out.status.success()
        && String::from_utf8_lossy(&out.stderr).contains("No module named 'junitparser'")
    {
        assert!(
            std::env::var_os("CI").is_none(),
            "junitparser must be installed in CI"
        );
        eprintln!("note: junitparser missing; skipping the consumer check outside CI");
        return;
    }
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "2");
    assert_eq!(lines[1], "coverage 1 1 1", "{text}");
    assert!(lines[2].starts_with("security 1 1 1"), "{text}");
}

#[test]
fn gitlab_code_quality_has_the_required_fields() -> anyhow::Result<()> {
    let t = setup();
    let issues: Value = serde_json::from_str(&report(&t, "gitlab"))?;
    let issues = issues.as_array().unwrap();
    // The coverage finding and the two EVIL-1 results.
    assert_eq!(issues.len(), 3, "{issues:#?}");
    for i in issues {
        assert!(i["description"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(i["check_name"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(i["fingerprint"].as_str().is_some_and(|s| s.len() == 64));
        assert!(
            ["info", "minor", "major", "critical", "blocker"]
                .contains(&i["severity"].as_str().unwrap())
        );
        assert!(
            i["location"]["path"]
                .as_str()
                .is_some_and(|p| !p.starts_with('/'))
        );
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() >= 1);
    }
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), issues.len(), "fingerprints are unique");
    Ok(())
}

#[test]
fn github_annotations_escape_hostile_text_and_respect_limits() {
    let t = setup();
    let out = report(&t, "github");
    for line in out.lines() {
        if line.starts_with("::") {
            assert!(
                line.starts_with("::error ") || line.starts_with("::warning "),
                "{line}"
            );
            // The injected command never starts a line of its own.
            assert!(!line.starts_with("::error file=x::pwned"));
        }
    }
    assert!(
        out.contains("100%25 bad%0D%0A::error file=x::pwned"),
        "{out}"
    );
    assert!(out.contains("file=src/a%2Cb%3Ac.rs,line=7"), "{out}");
    // More than ten blocking findings: only ten annotations, and it says so.
    let t = TestDir::new();
    let mut results = String::new();
    for i in 0..15 {
        if i > 0 {
            results.push(',');
        }
        results.push_str(&format!(
            r#"{{"ruleId": "R{i}", "level": "error", "message": {{"text": "m{i}"}}}}"#
        ));
    }
    t.write("many.sarif", format!(r#"{{"version": "2.1.0", "runs": [{{"tool": {{"driver": {{"name": "x"}}}}, "results": [{results}]}}]}}"#));
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:security",
        "many.sarif",
        "--format",
        "github",
    ]);
    let out = r.stdout();
    assert_eq!(
        out.lines().filter(|l| l.starts_with("::error ")).count(),
        10,
        "{out}"
    );
    assert!(out.contains("gate: 5 more findings not annotated"), "{out}");
}

#[test]
fn markdown_summary_and_report_files() -> anyhow::Result<()> {
    let t = setup();
    let r = t.run(&[
        "check",
        "--now",
        NOW,
        "--quiet",
        "--report",
        "markdown=out/summary.md",
        "--report",
        "sarif=out/gate.sarif",
    ]);
    assert_eq!(r.code(), 1);
    let md = std::fs::read_to_string(t.path().join("out/summary.md"))?;
    assert!(md.starts_with("## gate: ❌ fail"), "{md}");
    assert!(md.contains("| coverage | ❌ fail |"), "{md}");
    assert!(md.contains("`src/a,b:c.rs:7`"), "{md}");
    // Pipes and newlines cannot break the table.
    assert!(
        md.lines()
            .filter(|l| l.starts_with("| "))
            .all(|l| !l.contains("\r")),
        "{md}"
    );
    assert!(
        serde_json::from_str::<Value>(&std::fs::read_to_string(t.path().join("out/gate.sarif"))?)
            .is_ok()
    );
    Ok(())
}

#[test]
fn every_format_is_byte_identical_for_the_same_inputs() {
    let t = setup();
    for f in [
        "human", "json", "sarif", "junit", "gitlab", "github", "markdown",
    ] {
        assert_eq!(report(&t, f), report(&t, f), "{f}");
    }
}

#[test]
fn github_step_summary_is_appended_when_set() -> anyhow::Result<()> {
    let t = setup();
    let summary = t.write("summary.md", "previous step\n");
    let out = t
        .command()
        .args(["check", "--now", NOW, "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()?;
    assert_eq!(out.status.code(), Some(1));
    let text = std::fs::read_to_string(&summary)?;
    assert!(
        text.starts_with("previous step\n## gate: ❌ fail"),
        "{text}"
    );
    Ok(())
}

/// The HTML report renders in headless Chromium with no console errors and
/// its charts have content.
#[test]
fn html_report_renders_in_headless_chromium() -> anyhow::Result<()> {
    let t = setup();
    let html = report(&t, "html");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained: no network"
    );
    let Some(dom) = render_in_chromium(&t, &html)? else {
        return Ok(());
    };
    assert!(
        dom.contains("id=\"coverage-chart\"") && dom.contains("id=\"severity-chart\""),
        "{dom}"
    );
    let bars: Vec<f64> = dom
        .split("<rect class=\"bar\"")
        .skip(1)
        .filter_map(|r| r.split("width=\"").nth(1)?.split('"').next()?.parse().ok())
        .collect();
    // Line, branch and function coverage (80, 75, 100 % of 300 px), then
    // the findings by severity: 2 critical, 1 high, none below.
    assert_eq!(
        bars,
        [240.0, 225.0, 300.0, 300.0, 150.0, 0.0, 0.0, 0.0, 0.0],
        "{dom}"
    );
    assert!(
        dom.contains("<td><code>EVIL-1</code></td>"),
        "findings table rendered"
    );
    Ok(())
}

/// The DOM headless Chromium makes of `html` (written into `t`), asserting
/// it logged no console error; `None` (with a note) when Chromium is not
/// installed outside CI.
pub fn render_in_chromium(t: &TestDir, html: &str) -> anyhow::Result<Option<String>> {
    let page = t.write("report.html", html);
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|c| {
            std::process::Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        });
    let Some(chromium) = chromium else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium must be installed in CI"
        );
        eprintln!("note: chromium missing; skipping the rendering check outside CI");
        return Ok(None);
    };
    let profile = tempfile::tempdir()?;
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout).into_owned();
    let log = String::from_utf8_lossy(&out.stderr);
    let console_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains(":CONSOLE") && (l.contains("Error") || l.contains("Uncaught")))
        .collect();
    assert!(console_errors.is_empty(), "{console_errors:#?}");
    Ok(Some(dom))
}

/// The published JSON Schema of the verdict validates real documents: a
/// failing run with findings, an override, and a run with a policy error.
#[test]
fn json_verdict_matches_its_published_schema() -> anyhow::Result<()> {
    let schema: Value = serde_json::from_slice(&std::fs::read(
        crate::repo().join("schemas/verdict.schema.json"),
    )?)?;
    let validator = jsonschema::validator_for(&schema)?;
    let t = setup();
    let mut docs = vec![serde_json::from_str::<Value>(&report(&t, "json")).unwrap()];
    let example = crate::repo().join("examples/service/gate.toml");
    docs.push(
        t.run(&[
            "check",
            "--config",
            example.to_str().unwrap(),
            "--format",
            "json",
            "--now",
            NOW,
        ])
        .json(),
    );
    t.write("bad.wasm", b"\0asm\x01\0\0\0");
    docs.push(
        t.run(&[
            "eval",
            "--policy",
            "bad.wasm",
            "lcov.info",
            "--format",
            "json",
        ])
        .json(),
    );
    for d in &docs {
        let errors: Vec<String> = validator
            .iter_errors(d)
            .map(|e| format!("{}: {e}", e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    assert_eq!(docs[2]["policies"][0]["error"]["kind"], "invalid-component");
    Ok(())
}

/// Golden snapshots of every format for one fixed verdict (hostile text
/// included). Component digests and fuel change whenever a built-in policy
/// is rebuilt, so they are masked.
#[test]
fn snapshots_of_every_format() {
    let t = setup();
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"sha256:[0-9a-f]{64}", "sha256:[digest]");
    settings.add_filter(r"sha256:[0-9a-f]{12}", "sha256:[digest]");
    settings.add_filter(r#""fuel_consumed": \d+"#, r#""fuel_consumed": [fuel]"#);
    settings.add_filter(
        r#""semanticVersion": "[^"]+""#,
        r#""semanticVersion": "[version]""#,
    );
    settings.add_filter(r"gate \d+\.\d+\.\d+", "gate [version]");
    settings.add_filter(
        r#""gate_version": "[^"]+""#,
        r#""gate_version": "[version]""#,
    );
    settings.bind(|| {
        for f in [
            "human", "json", "sarif", "junit", "gitlab", "github", "markdown", "html",
        ] {
            insta::assert_snapshot!(format!("report_{f}"), report(&t, f));
        }
    });
}

#[test]
fn markdown_links_findings_to_the_commit_on_github() -> anyhow::Result<()> {
    let t = setup();
    let out = t
        .command()
        .args(["check", "--now", NOW, "--format", "markdown"])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "acme/orders")
        .env("GITHUB_SHA", "0123abc")
        .output()?;
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.contains("[`src/ok.rs:1`](https://github.com/acme/orders/blob/0123abc/src/ok.rs#L1)"),
        "{md}"
    );
    Ok(())
}

/// A real Semgrep OSS 1.69 SARIF (corpus, see its PROVENANCE.md): 77
/// results, where one rule fires several times in one file with the same
/// message (48 distinct rule/path/message triples). GitLab's widget merges
/// issues that share a fingerprint, so every result must keep its own.
#[test]
fn gitlab_fingerprints_stay_unique_when_a_rule_repeats_in_one_file() -> anyhow::Result<()> {
    let Some(corpus) = crate::corpus_or_skip() else {
        return Ok(());
    };
    let t = TestDir::new();
    let file = corpus.join("security/sarif/semgrep/semgrep-oss-1.69.sarif");
    let file = file.to_str().unwrap();
    let run = |format: &str| {
        t.run(&[
            "eval",
            "--policy",
            "builtin:security",
            file,
            "--now",
            NOW,
            "--format",
            format,
        ])
        .expect_code(1)
        .stdout()
    };
    let issues: Value = serde_json::from_str(&run("gitlab"))?;
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), 77);
    let prints: std::collections::BTreeSet<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(prints.len(), 77, "one GitLab issue per result");
    let triples: std::collections::BTreeSet<String> = issues
        .iter()
        .map(|i| {
            format!(
                "{}|{}|{}",
                i["check_name"], i["location"]["path"], i["description"]
            )
        })
        .collect();
    assert_eq!(triples.len(), 48, "the corpus file still repeats rules");

    // The verdict carries the fingerprints of the artifact findings judged
    // (what `gate parse` shows), each once.
    let v: Value = serde_json::from_str(&run("json"))?;
    let mut in_verdict: Vec<String> = v["policies"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    let parsed = t.run(&["parse", file, "--json"]).expect_code(0).json();
    let mut in_artifact: Vec<String> = parsed["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fingerprint"].as_str().unwrap().to_string())
        .collect();
    in_verdict.sort();
    in_artifact.sort();
    assert_eq!(in_verdict, in_artifact);

    // SARIF's partialFingerprints are the verdict's.
    let sarif: Value = serde_json::from_str(&run("sarif"))?;
    let mut in_sarif: Vec<String> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let h = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .unwrap();
            h.strip_suffix(":1").unwrap().to_string()
        })
        .collect();
    in_sarif.sort();
    assert_eq!(in_sarif, in_verdict);
    Ok(())
}

/// Grype's SARIF for a directory scan (corpus, see its PROVENANCE.md) names
/// files by absolute paths outside any repository: gate's SARIF gives them
/// as absolute `file://` URIs (GitHub cannot map a bare `/some/path`), with
/// no `uriBaseId`.
#[test]
fn sarif_paths_outside_the_repository_are_file_uris() -> anyhow::Result<()> {
    let Some(corpus) = crate::corpus_or_skip() else {
        return Ok(());
    };
    let t = TestDir::new();
    let file = corpus.join("security/sarif/grype/grype-golden-directory.sarif");
    let out = t
        .run(&[
            "eval",
            "--policy",
            "builtin:security",
            file.to_str().unwrap(),
            "--now",
            NOW,
            "--format",
            "sarif",
        ])
        .stdout();
    let sarif: Value = serde_json::from_str(&out)?;
    let mut locations: Vec<Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"].clone())
        .collect();
    locations.sort_by_key(|l| l.to_string());
    locations.dedup();
    assert_eq!(
        locations,
        [
            serde_json::json!({"uri": "file:///some/path/somefile-1.txt"}),
            serde_json::json!({"uri": "file:///some/path/somefile-2.txt"}),
        ]
    );
    Ok(())
}
