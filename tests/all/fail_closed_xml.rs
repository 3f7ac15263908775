//! Fail closed (issue 11) through the real binary: a truncated or
//! ill-formed XML report, a forced format on another format's document and
//! artifact content no policy may be handed are exit 3 with the place,
//! never evaluated. Inline documents only: runs on a fresh clone.

use crate::TestDir;

const COMPLETE_HEAD: &str = r#"<?xml version="1.0" ?>
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

const COMPLETE_TAIL: &str = r#"
            <line number="2" hits="0"/>
          </lines>
        </class>
      </classes>
    </package>
  </packages>
</coverage>
"#;

fn eval_coverage(t: &TestDir, file: &str) -> crate::Run {
    t.run(&[
        "eval",
        "--policy",
        "builtin:coverage",
        "--params",
        r#"{"min-line":80}"#,
        file,
    ])
}

#[test]
fn truncated_cobertura_fails_the_coverage_gate_with_exit_3() {
    let t = TestDir::new();
    // The whole report is 50 %: the gate fails (exit 1).
    t.write("whole.xml", format!("{COMPLETE_HEAD}{COMPLETE_TAIL}"));
    eval_coverage(&t, "whole.xml").expect_code(1);
    // Cut inside the second class it used to pass at 100 %.
    t.write("cut.xml", COMPLETE_HEAD);
    // `truncated-xml` at the end (14:40), nothing evaluated (stdout empty).
    let _s = t.snapshots();
    let r = eval_coverage(&t, "cut.xml").expect_code(3);
    insta::assert_snapshot!(r.transcript());
}

#[test]
fn ill_formed_xml_reports_are_exit_3_with_line_and_column() {
    let t = TestDir::new();
    let _s = t.snapshots();
    let whole = format!("{COMPLETE_HEAD}{COMPLETE_TAIL}");
    // `control-character` at 3:13, `invalid-xml` at the second `name` (4:23)
    // and at the unknown entity (3:13).
    let mut all = String::new();
    for (name, doc) in [
        ("nul.xml", whole.replacen("<packages>", "<packages>\0", 1)),
        (
            "dup.xml",
            whole.replacen(r#"<package name="p">"#, r#"<package name="p" name="q">"#, 1),
        ),
        (
            "entity.xml",
            whole.replacen("<packages>", "<packages>&nope;", 1),
        ),
    ] {
        t.write(name, doc);
        all.push_str(&eval_coverage(&t, name).expect_code(3).titled(name));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn forced_format_on_another_formats_report_is_exit_3() {
    let t = TestDir::new();
    t.write(
        "grype.json",
        r#"{"matches": [{"vulnerability": {"id": "CVE-2024-1", "severity": "High"}, "artifact": {"name": "a", "version": "1"}}], "descriptor": {"name": "grype"}}"#,
    );
    let _s = t.snapshots();
    let r = t
        .run(&["parse", "grype.json", "--format", "trivy"])
        .expect_code(3);
    insta::assert_snapshot!("forced_format_flag", r.transcript());
    t.write(
        "gate.toml",
        "[[artifact]]\npath = \"grype.json\"\nformat = \"npm-audit\"\n[[policy]]\nuse = \"builtin:security\"\n",
    );
    let r = t.run(&["check"]).expect_code(3);
    insta::assert_snapshot!("forced_format_config", r.transcript());
    // Forcing the right format still works.
    t.run(&["parse", "grype.json", "--format", "grype"])
        .expect_code(0);
}

#[test]
fn bad_finding_ids_are_input_errors_not_contract_violations() {
    let t = TestDir::new();
    t.write(
        "pip.json",
        r#"{"dependencies": [{"name": "requests", "version": "2.0.0", "vulns": [{"fix_versions": []}]}], "fixes": []}"#,
    );
    t.write(
        "sarif.json",
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [{"ruleId": "a\u001bb", "level": "error", "message": {"text": "m"}}]}]}"#,
    );
    // Each at its JSON pointer: /dependencies/0/vulns/0/id (missing) and
    // /runs/0/results/0/ruleId (a control character).
    let _s = t.snapshots();
    let mut all = String::new();
    for file in ["pip.json", "sarif.json"] {
        let r = t
            .run(&["eval", "--policy", "builtin:security", file])
            .expect_code(3);
        all.push_str(&r.titled(file));
    }
    insta::assert_snapshot!(all);
}
