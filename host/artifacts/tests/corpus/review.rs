//! Regressions from the hostile review of the parsers: inline fixtures only.

use gate_artifacts::Position;

/// A `--diff` file cut at the end (inside a hunk) was evaluated as the whole
/// change, with only a `diff-hunk-mismatch` warning.
#[test]
fn truncated_diff_file_is_an_input_error() {
    let full = "diff --git a/src/a.rs b/src/a.rs\n--- a/src/a.rs\n+++ b/src/a.rs\n@@ -0,0 +1,2 @@\n+a\n+b\n";
    gate_artifacts::diff::parse_file("full.diff", full).unwrap();
    let cut = &full[..full.len() - 3];
    for (text, missing) in [
        (
            cut,
            "the file ends inside the hunk at line 4: 0 old and 1 new lines its header declares \
             are missing (a cut or incomplete diff?)",
        ),
        (
            "+++ b/a\n@@ -0,0 +1,4294967295 @@\n+a\n",
            "the file ends inside the hunk at line 2: 0 old and 4294967294 new lines its header \
             declares are missing (a cut or incomplete diff?)",
        ),
    ] {
        let e = gate_artifacts::diff::parse_file("cut.diff", text).unwrap_err();
        assert_eq!(e.code.as_str(), "truncated-diff", "{text:?}");
        let line = if text == cut { 4 } else { 2 };
        assert_eq!(e.position, Some(Position::Line(line)));
        assert_eq!(e.message, missing);
    }
    // Diffs gate computes itself (`--base`) keep the lenient reading.
    let (c, w) = gate_artifacts::diff::parse("git diff", cut).unwrap();
    assert_eq!(c[0].lines, vec![1]);
    assert_eq!(w[0].code, "diff-hunk-mismatch");
}

fn parse(name: &str, text: &str) -> Result<gate_artifacts::Parsed, gate_artifacts::ParseError> {
    gate_artifacts::parse(
        name,
        text.as_bytes(),
        None,
        &gate_artifacts::ParseOptions::default(),
    )
}

/// Malformed `condition-coverage` values on branch lines were dropped in
/// silence; a branch line without the attribute (as the coveralls Cobertura
/// fixtures of the corpus write) still has no branch counts.
#[test]
fn cobertura_malformed_condition_coverage_is_an_error() {
    let doc = |cc: &str| {
        format!(
            "<coverage>\n<packages><package><classes><class filename=\"a.py\"><lines>\n<line number=\"2\" hits=\"1\" branch=\"true\"{cc}/>\n</lines></class></classes></package></packages></coverage>\n"
        )
    };
    for bad in [
        "0% (0/x)",
        "garbage",
        "",
        "0%",
        "0% (3/2)",
        "0% (0/18446744073709551616)",
        "x% (1/2)",
    ] {
        let e = parse("c.xml", &doc(&format!(" condition-coverage=\"{bad}\"")))
            .err()
            .unwrap_or_else(|| panic!("{bad:?} accepted"));
        assert_eq!(e.code.as_str(), "invalid-cobertura", "{bad:?}");
        assert_eq!(
            e.position,
            Some(Position::LineCol { line: 3, column: 1 }),
            "{bad:?}"
        );
        assert_eq!(
            e.message,
            format!(
                "line 2 has a malformed `condition-coverage` `{bad}` \
                 (expected `N% (covered/total)` with covered <= total)"
            )
        );
    }
    parse("c.xml", &doc(" condition-coverage=\"50% (1/2)\"")).unwrap();
    parse("c.xml", &doc("")).unwrap();
}

/// Istanbul entries that did not add up were dropped in silence: a
/// statement without a count, a count without a statement, bad lines and
/// counts. The same for `fnMap`/`f` and `branchMap`/`b`.
#[test]
fn istanbul_ill_formed_entries_are_errors() {
    let loc =
        |l: &str| format!(r#"{{"start":{{"line":{l},"column":0}},"end":{{"line":9,"column":1}}}}"#);
    let file = |smap: &str, s: &str, rest: &str| {
        format!(r#"{{"a.js":{{"path":"a.js","statementMap":{{{smap}}},"s":{{{s}}}{rest}}}}}"#)
    };
    let ok_fn = format!(
        r#","fnMap":{{"0":{{"name":"f","decl":{},"loc":{}}}}},"f":{{"0":1}}"#,
        loc("1"),
        loc("1")
    );
    let cases: Vec<(String, &str)> = vec![
        (file(&format!(r#""0":{}"#, loc("1")), "", ""), "/a.js/s"),
        (
            file(&format!(r#""0":{}"#, loc("-1")), r#""0":1"#, ""),
            "/a.js/statementMap/0/start/line",
        ),
        (
            file(&format!(r#""0":{}"#, loc("0")), r#""0":1"#, ""),
            "/a.js/statementMap/0/start/line",
        ),
        (
            file(&format!(r#""0":{}"#, loc("1")), r#""0":"x""#, ""),
            "/a.js/s/0",
        ),
        (
            file(&format!(r#""0":{}"#, loc("1")), r#""0":null"#, ""),
            "/a.js/s/0",
        ),
        (
            file(&format!(r#""0":{}"#, loc("1")), r#""0":-1"#, ""),
            "/a.js/s/0",
        ),
        (
            file(&format!(r#""0":{}"#, loc("1")), r#""0":1.5"#, ""),
            "/a.js/s/0",
        ),
        (
            file(&format!(r#""0":{}"#, loc("1")), r#""0":1,"1":2"#, ""),
            "/a.js/s/1",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                &format!(
                    r#","fnMap":{{"0":{{"name":"f","decl":{}}}}},"f":{{}}"#,
                    loc("1")
                ),
            ),
            "/a.js/f",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                &format!(
                    r#","fnMap":{{"0":{{"name":"f","decl":{}}}}},"f":{{"0":-1}}"#,
                    loc("1")
                ),
            ),
            "/a.js/f/0",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                r#","fnMap":{},"f":{"7":1}"#,
            ),
            "/a.js/f/7",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                &format!(
                    r#","fnMap":{{"0":{{"name":"f","decl":{}}}}},"f":{{"0":1}}"#,
                    loc("0")
                ),
            ),
            "/a.js/fnMap/0/decl/start/line",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                &format!(
                    r#",{},"branchMap":{{"0":{{"loc":{}}}}},"b":{{"0":[1,"x"]}}"#,
                    &ok_fn[1..],
                    loc("1")
                ),
            ),
            "/a.js/b/0/1",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                &format!(r#","branchMap":{{"0":{{"loc":{}}}}},"b":{{}}"#, loc("1")),
            ),
            "/a.js/b",
        ),
        (
            file(
                &format!(r#""0":{}"#, loc("1")),
                r#""0":1"#,
                r#","branchMap":{},"b":{"3":[1]}"#,
            ),
            "/a.js/b/3",
        ),
    ];
    for (doc, pointer) in &cases {
        let e = parse("coverage-final.json", doc)
            .err()
            .unwrap_or_else(|| panic!("accepted: {doc}"));
        assert_eq!(e.code.as_str(), "invalid-istanbul", "{doc}");
        assert_eq!(
            e.position,
            Some(Position::Pointer((*pointer).into())),
            "{doc}: {e}"
        );
    }
    // Well-formed, with functions and branches: accepted.
    let good = file(
        &format!(r#""0":{}"#, loc("1")),
        r#""0":1"#,
        &format!(
            r#"{},"branchMap":{{"0":{{"loc":{}}}}},"b":{{"0":[1,0]}}"#,
            ok_fn,
            loc("1")
        ),
    );
    parse("coverage-final.json", &good).unwrap();
}

/// Two map keys with the same `path` merge (line hits added), they do not
/// overwrite each other.
#[test]
fn istanbul_duplicate_paths_merge_hits() {
    let entry = |n: u32| {
        format!(
            r#"{{"path":"a.js","statementMap":{{"0":{{"start":{{"line":1,"column":0}},"end":{{"line":1,"column":5}}}}}},"s":{{"0":{n}}}}}"#
        )
    };
    let doc = format!(r#"{{"x/a.js":{},"y/a.js":{}}}"#, entry(2), entry(3));
    let p = parse("coverage-final.json", &doc).unwrap();
    let gate_artifacts::Model::Coverage(r) = &p.model else {
        panic!("not coverage")
    };
    assert_eq!(r.files.len(), 1);
    assert_eq!(r.files[0].lines.get(&1), Some(&5));
}

/// `null` in a `b` arm (istanbul-reports' github-11 fixture) is an arm not
/// covered; `null` elsewhere is an error.
#[test]
fn istanbul_null_branch_arm_is_not_covered() {
    let doc = r#"{"a.js":{"path":"a.js","statementMap":{"0":{"start":{"line":1,"column":0},"end":{"line":1,"column":5}}},"s":{"0":1},"branchMap":{"0":{"loc":{"start":{"line":1,"column":0}}}},"b":{"0":[2,null]}}}"#;
    let p = parse("coverage-final.json", doc).unwrap();
    let gate_artifacts::Model::Coverage(r) = &p.model else {
        panic!("not coverage")
    };
    let b = r.files[0].branches.get(&1).unwrap();
    assert_eq!((b.total, b.covered), (2, 1));
}

/// An empty file name and line 0 in a Go coverprofile were accepted.
#[test]
fn go_cover_empty_file_name_and_line_zero_are_errors() {
    for (block, msg) in [
        (":1.1,2.1 1 1", "`:1.1,2.1 1 1` has an empty file name"),
        ("x.go:0.0,0.0 1 1", "bad block `0.0,0.0`"),
        ("x.go:0.1,3.1 1 1", "bad block `0.1,3.1`"),
    ] {
        let e = parse("c.out", &format!("mode: set\nok.go:1.1,2.1 1 1\n{block}\n")).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid-go-cover", "{block}");
        assert_eq!(e.position, Some(Position::Line(3)), "{block}");
        assert_eq!(e.message, msg);
    }
}

/// A record line right after `SF:` was glued into the file name.
#[test]
fn lcov_unknown_record_after_sf_is_not_part_of_the_name() {
    let e = parse("l.info", "TN:\nSF:a.c\nXX:garbage\nend_of_record\n").unwrap_err();
    assert_eq!(e.code.as_str(), "invalid-lcov");
    assert_eq!(e.position, Some(Position::Line(3)));
    assert_eq!(e.message, "unknown lcov record `XX:`");
}

/// In a `--diff` file a hunk whose body disagrees with its header before
/// the end (or has lines beyond it at the end) is `invalid-diff`, no longer
/// a warning; diffs gate computes keep the lenient reading.
#[test]
fn diff_file_hunk_mismatch_is_an_input_error() {
    for (text, line, message) in [
        (
            "+++ b/a\n@@ -1,3 +1,4 @@\n a\n+b\n+++ b/c\n@@ -0,0 +1 @@\n+x\n",
            2,
            "the hunk does not match its header: it ends at line 6 with 2 old and 1 new lines missing",
        ),
        (
            "+++ b/a\n@@ -0,0 +1 @@\n+x\n+y\n",
            2,
            "the hunk does not match its header: it has 0 old and 1 new lines too many",
        ),
    ] {
        let e = gate_artifacts::diff::parse_file("d.diff", text).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid-diff", "{text:?}");
        assert_eq!(e.position, Some(Position::Line(line)), "{text:?}");
        assert_eq!(e.message, message, "{text:?}");
        let (_, w) = gate_artifacts::diff::parse("git diff", text).unwrap();
        assert_eq!(w[0].code, "diff-hunk-mismatch");
    }
}
