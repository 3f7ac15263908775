//! Issue 11, items 5, 6 and 14: numbers inside an artifact never crash the
//! parser (overflow) and never size its work or memory beyond what the
//! input's length allows. Inline fixtures only (no corpus needed).

use gate_artifacts::{
    Counter, CoverageReport, FileCoverage, Format, Model, ParseError, ParseOptions, Parsed,
    Position,
};

fn parse(text: &str, format: Option<Format>) -> Result<Parsed, ParseError> {
    gate_artifacts::parse("input", text.as_bytes(), format, &ParseOptions::default())
}

fn coverage(text: &str) -> CoverageReport {
    match parse(text, None).unwrap().model {
        Model::Coverage(c) => c,
        other => panic!("not coverage: {other:?}"),
    }
}

fn lines(f: &FileCoverage) -> Vec<(u32, u64)> {
    f.lines.iter().map(|(l, h)| (*l, *h)).collect()
}

// ---- item 5: overflow ----

#[test]
fn go_statement_count_of_u64_max_is_an_input_error_not_a_panic() {
    let max = u64::MAX;
    // Two blocks whose statements add up past u64 (one file, then two).
    for text in [
        format!("mode: set\nx.go:1.1,2.1 {max} 1\nx.go:3.1,4.1 1 1\n"),
        format!("mode: set\nx.go:1.1,2.1 {max} 1\ny.go:3.1,4.1 1 0\n"),
    ] {
        let e = parse(&text, None).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position.clone()),
            ("invalid-go-cover", Some(Position::Line(3))),
            "{e}"
        );
        assert_eq!(
            e.message,
            format!("statement count `1` makes the profile's total exceed {max}")
        );
    }
    // One block of u64::MAX statements is a number we can hold.
    let r = coverage(&format!("mode: set\nx.go:1.1,2.1 {max} 1\n"));
    assert_eq!(
        r.totals().statements,
        Some(Counter {
            total: max,
            covered: max
        })
    );
}

#[test]
fn go_hit_counts_past_u64_saturate() {
    // The same block twice (merged profiles): counts add up, saturating.
    let max = u64::MAX;
    let r = coverage(&format!(
        "mode: count\nx.go:1.1,1.9 1 {max}\nx.go:1.1,1.9 1 5\n"
    ));
    assert_eq!(lines(&r.files[0]), [(1, max)]);
    assert_eq!(r.totals().lines.covered, 1);
}

#[test]
fn coverage_totals_past_u64_saturate() {
    // Totals over several files (and merged reports) cannot overflow.
    let file = |path: &str| {
        let mut f = FileCoverage::new(path);
        f.statements = Some(Counter {
            total: u64::MAX,
            covered: u64::MAX,
        });
        f
    };
    let r = CoverageReport {
        files: vec![file("a.go"), file("b.go")],
    };
    assert_eq!(
        r.totals().statements,
        Some(Counter {
            total: u64::MAX,
            covered: u64::MAX
        })
    );
}

#[test]
fn lcov_hits_past_u64_saturate() {
    let max = u64::MAX;
    let r = coverage(&format!(
        "TN:a\nSF:x.c\nDA:1,{max}\nend_of_record\nTN:b\nSF:x.c\nDA:1,{max}\nend_of_record\n"
    ));
    assert_eq!(lines(&r.files[0]), [(1, max)]);
}

#[test]
fn sarif_tool_component_index_of_u64_max_is_no_component() {
    // `index + 1` wrapped (release) to the driver or panicked (debug).
    let log = r#"{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"t","rules":[
        {"id":"R1","defaultConfiguration":{"level":"error"}}]}},
      "results":[{"ruleId":"R1","level":"note","message":{"text":"m"},
        "rule":{"index":0,"toolComponent":{"index":18446744073709551615}}}]}]}"#;
    let parsed = parse(log, None).unwrap();
    let Model::Findings(f) = parsed.model else {
        panic!("not findings")
    };
    assert_eq!(f.findings.len(), 1);
    assert_eq!(f.findings[0].rule, "R1");
    // The rule reference points nowhere: said, not silently the driver's rule.
    let warnings: Vec<(&str, &str)> = parsed
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [(
            "sarif-bad-rule-index",
            "1 result(s) have a rule index outside the rules array; their rule was looked up by id \
             (first: /runs/0/results/0)"
        )]
    );
}

// ---- item 6: work bounded by the input, not by numbers in it ----

#[test]
fn go_block_spanning_four_billion_lines_is_refused() {
    let e = parse("mode: set\nx.go:1.1,4294967295.1 1 1\n", None).unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position.clone()),
        ("coverage-too-large", Some(Position::Line(2))),
        "{e}"
    );
    // Many blocks that each stay under the cap but together exceed it.
    let mut text = String::from("mode: count\n");
    for i in 0..8 {
        text.push_str(&format!("f{i}.go:1.1,300000.1 1 1\n"));
    }
    let e = parse(&text, None).unwrap_err();
    assert_eq!(e.code.as_str(), "coverage-too-large");
}

#[test]
fn go_large_real_blocks_still_expand() {
    // A 200 000-line block in a tiny profile is within the fixed allowance.
    let r = coverage("mode: set\nx.go:1.1,200000.1 1 1\n");
    assert_eq!(r.totals().lines.total, 200_000);
    // Blocks at the very end of the u32 line range end the sweep cleanly.
    let r = coverage("mode: set\nx.go:4294967290.1,4294967295.1 1 1\n");
    assert_eq!(
        r.files[0].lines.keys().copied().collect::<Vec<_>>(),
        (4_294_967_290u32..=u32::MAX).collect::<Vec<_>>()
    );
}

#[test]
fn go_overlapping_blocks_take_the_largest_count_per_line() {
    let r = coverage(
        "mode: count\nx.go:1.1,3.2 1 0\nx.go:2.1,5.2 1 7\nx.go:4.1,4.9 1 9\nx.go:10.1,12.2 1 1\nx.go:11.1,11.9 1 0\nx.go:12.1,20.1 1 0\n",
    );
    assert_eq!(
        lines(&r.files[0]),
        [
            (1, 0),
            (2, 7),
            (3, 7),
            (4, 9),
            (5, 7),
            (10, 1),
            (11, 1),
            (12, 1),
            (13, 0),
            (14, 0),
            (15, 0),
            (16, 0),
            (17, 0),
            (18, 0),
            (19, 0),
            (20, 0)
        ]
    );
    assert_eq!(
        r.files[0].statements,
        Some(Counter {
            total: 6,
            covered: 3
        })
    );
}

// ---- item 14: memory bounded by the input ----

/// Ten anchors, each a list of ten aliases of the previous one.
fn alias_ladder(levels: usize) -> String {
    let mut text =
        String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..levels {
        let p = i - 1;
        text.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    text
}

#[test]
fn yaml_alias_bomb_is_refused_within_a_budget_sized_by_the_input() {
    // The 556-byte bomb of the issue: refused.
    let e = parse(&alias_ladder(10), None).unwrap_err();
    assert_eq!(e.code.as_str(), "yaml-too-large");
    assert!(matches!(e.position, Some(Position::LineCol { .. })), "{e}");
    // A million values from 500 bytes was accepted under the old fixed
    // budget of five million; the budget now follows the input's size.
    let e = parse(&alias_ladder(6), None).unwrap_err();
    assert_eq!(e.code.as_str(), "yaml-too-large");
    // Ordinary anchors and merge keys still load.
    let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndefaults: &d {a: 1, b: [1, 2]}\ndata:\n  <<: *d\n  c: *d\n";
    parse(ok, None).unwrap();
}

#[test]
fn yaml_nested_anchors_copying_a_large_node_are_refused() {
    // Every anchor copies its node: 200 nested anchors around 20 000
    // scalars would copy the scalars 200 times without any alias.
    let leaf = vec!["x"; 20_000].join(", ");
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\ndata: ");
    for i in 0..200 {
        text.push_str(&format!("&n{i} ["));
    }
    text.push_str(&leaf);
    text.push_str(&"]".repeat(200));
    text.push('\n');
    let e = parse(&text, None).unwrap_err();
    assert_eq!(e.code.as_str(), "yaml-too-large");
}

#[test]
fn kubernetes_list_items_keep_their_lines() {
    // Lines of list items are sorted out per item in one pass.
    let text = "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: a}\n  - apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: b}\n    spec:\n      template:\n        spec:\n          containers:\n            - name: c1\n              image: x\n            - name: c2\n              image: y\n  - apiVersion: v1\n    kind: Pod\n    metadata: {name: c}\n    spec:\n      containers:\n        - name: p\n          image: z\n";
    let Model::Iac(r) = parse(text, None).unwrap().model else {
        panic!("not iac")
    };
    let found: Vec<(String, Option<u32>)> = r
        .resources
        .iter()
        .map(|r| (r.address.clone(), r.location.as_ref().and_then(|l| l.line)))
        .collect();
    assert_eq!(
        found,
        [
            ("ConfigMap/a".to_string(), Some(4)),
            ("Deployment/b".to_string(), Some(7)),
            ("Pod/c".to_string(), Some(18))
        ]
    );
    assert_eq!(
        r.resources[1].attributes.value()["__lines"],
        serde_json::json!({"/spec/template/spec/containers/0": 14, "/spec/template/spec/containers/1": 16})
    );
    assert_eq!(
        r.resources[2].attributes.value()["__lines"],
        serde_json::json!({"/spec/containers/0": 23})
    );
    assert!(r.resources[0].attributes.value().get("__lines").is_none());
}

#[test]
fn yaml_long_string_aliased_many_times_is_refused() {
    // 20 000 aliases of a 100 kB string: few values, 2 GB of copies.
    let mut text = format!(
        "apiVersion: v1\nkind: ConfigMap\ns: &s {}\nlist: [",
        "x".repeat(100_000)
    );
    text.push_str(&vec!["*s"; 20_000].join(", "));
    text.push_str("]\n");
    let e = parse(&text, None).unwrap_err();
    assert_eq!(e.code.as_str(), "yaml-too-large");
}

fn iac(text: &str, format: Option<Format>) -> Vec<gate_artifacts::IacResource> {
    match parse(text, format).unwrap().model {
        Model::Iac(r) => r.resources,
        other => panic!("not iac: {other:?}"),
    }
}

#[test]
fn yaml_attributes_are_compact_json_with_sorted_keys() {
    // The text policies receive is what serde_json writes for the value:
    // keys sorted (`__lines` in its place), no spaces, its escapes.
    let text = "kind: Pod\napiVersion: v1\nmetadata: {name: p, labels: {z: \"1\", a: \"t\\tab\"}}\nspec:\n  containers:\n    - name: c\n      image: x\n";
    let rs = iac(text, None);
    assert_eq!(
        rs[0].attributes.json(),
        r#"{"__lines":{"/spec/containers/0":6},"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"a":"t\tab","z":"1"},"name":"p"},"spec":{"containers":[{"image":"x","name":"c"}]}}"#
    );
    let text = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n    Properties: {Name: !Sub 'x-${A}', Arn: !GetAtt R.Arn}\n";
    let rs = iac(text, Some(Format::Cloudformation));
    assert_eq!(
        rs[0].attributes.json(),
        r#"{"Properties":{"Arn":{"Fn::GetAtt":["R","Arn"]},"Name":{"Fn::Sub":"x-${A}"}},"Type":"AWS::S3::Bucket"}"#
    );
}

#[test]
fn cloudformation_many_resources_keep_their_lines_in_document_order() {
    // Ids in reverse order of their names: listed as written, each with
    // the line of its key (found without a scan per resource).
    let mut text = String::from("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n");
    let n = 5_000;
    for i in (0..n).rev() {
        text.push_str(&format!("  R{i:05}:\n    Type: AWS::S3::Bucket\n"));
    }
    let rs = iac(&text, None);
    assert_eq!(rs.len(), n);
    for (k, r) in rs.iter().enumerate() {
        assert_eq!(r.address, format!("R{:05}", n - 1 - k));
        assert_eq!(
            r.location.as_ref().and_then(|l| l.line),
            Some(3 + 2 * k as u32)
        );
    }
}

#[test]
fn dockerfile_attributes_are_written_as_compact_json() {
    let text = "ARG V=3\nFROM alpine:${V} AS base\nRUN --mount=type=cache,target=/c echo \"a b\"\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\"]\n";
    let rs = iac(text, None);
    assert_eq!(
        rs[0].attributes.json(),
        r#"{"from":{"digest":null,"image":"alpine","line":2,"platform":null,"raw":"alpine:${V}","stage":null,"tag":"3"},"global_args":[{"args":["V=3"],"end_line":1,"instruction":"ARG","json":false,"line":1,"value":"V=3"}],"index":0,"instructions":[{"args":["echo","a b"],"end_line":3,"flags":{"mount":"type=cache,target=/c"},"instruction":"RUN","json":false,"line":3,"value":"echo \"a b\""},{"args":["CMD","curl","-f"],"end_line":4,"flags":{"interval":"5s"},"instruction":"HEALTHCHECK","json":true,"line":4,"value":"CMD [\"curl\", \"-f\"]"}]}"#
    );
}

#[test]
fn dockerfile_read_one_instruction_at_a_time_keeps_which_error_wins() {
    // A broken instruction later in the file is the error, not the stage
    // rule an earlier instruction broke (the whole file is read first).
    let e = parse(
        "RUN x\nFROM a\nRUN <<EOF\nnever closed\n",
        Some(Format::Dockerfile),
    )
    .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.position, e.message.as_str()),
        (
            "invalid-dockerfile",
            Some(Position::Line(3)),
            "heredoc `EOF` is not terminated"
        )
    );
    let e = parse("RUN x\nFROM a\n", Some(Format::Dockerfile)).unwrap_err();
    assert_eq!(e.position, Some(Position::Line(1)));
}

#[test]
fn coverage_normalize_sorts_and_merges_in_place() {
    // Normalizing no longer builds a second map of every file; the result
    // is the same: sorted by path, duplicates merged in input order.
    let file = |path: &str, line: u32, hits: u64| {
        let mut f = FileCoverage::new(path);
        f.lines.insert(line, hits);
        f
    };
    let mut r = CoverageReport {
        files: vec![
            file("b.rs", 1, 1),
            file("a.rs", 1, 0),
            file("b.rs", 1, 2),
            file("b.rs", 2, 0),
            file("a.rs", 3, 4),
        ],
    };
    r.normalize();
    let got: Vec<(&str, Vec<(u32, u64)>)> = r
        .files
        .iter()
        .map(|f| (f.path.as_str(), lines(f)))
        .collect();
    assert_eq!(
        got,
        [
            ("a.rs", vec![(1, 0), (3, 4)]),
            ("b.rs", vec![(1, 3), (2, 0)])
        ]
    );
}

#[test]
fn lcov_branch_ids_stay_distinct_as_written() {
    // Numeric ids are stored as numbers; `01` and `1` remain two branches,
    // and a named id merges across test names like a numeric one.
    let r = coverage(
        "TN:a\nSF:x.c\nBRDA:1,0,01,1\nBRDA:1,0,1,0\nBRDA:2,b,then,0\nend_of_record\nTN:b\nSF:x.c\nBRDA:2,b,then,3\nend_of_record\n",
    );
    let b: Vec<(u32, u32, u32)> = r.files[0]
        .branches
        .iter()
        .map(|(l, b)| (*l, b.covered, b.total))
        .collect();
    assert_eq!(b, [(1, 1, 2), (2, 1, 1)]);
}

#[test]
fn cobertura_file_repeated_in_many_classes_merges_without_quadratic_work() {
    // One file, 20 000 classes (inner classes each repeat the filename),
    // each with one method: merging used to compare every function with
    // every other. The result: one file, every method once.
    let mut text = String::from("<coverage><packages><package name=\"p\"><classes>");
    for i in 0..20_000 {
        text.push_str(&format!(
            "<class name=\"C{i}\" filename=\"a.py\"><methods><method name=\"m{i}\" signature=\"\"><lines><line number=\"{n}\" hits=\"{h}\"/></lines></method></methods><lines><line number=\"{n}\" hits=\"{h}\"/></lines></class>",
            n = i + 1,
            h = i % 2
        ));
    }
    // The same method twice (two classes, same name and line): one
    // function, hits added.
    text.push_str("<class name=\"D\" filename=\"a.py\"><methods><method name=\"m1\" signature=\"\"><lines><line number=\"2\" hits=\"4\"/></lines></method></methods><lines/></class>");
    text.push_str("</classes></package></packages></coverage>");
    let r = coverage(&text);
    assert_eq!(r.files.len(), 1);
    let f = &r.files[0];
    assert_eq!(f.functions.len(), 20_000);
    assert_eq!(f.lines.len(), 20_000);
    let m1 = f.functions.iter().find(|g| g.name == "m1").unwrap();
    // Cobertura method hits are 0 or 1 (whether a line of it ran).
    assert_eq!((m1.line, m1.hits), (2, 2));
}
