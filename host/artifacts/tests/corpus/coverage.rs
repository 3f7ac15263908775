//! Corpus tests: coverage. Totals are asserted against the producers' and
//! peers' own figures (`peers/*/EXPECTED.md`).

use crate::{corpus_or_skip, parse};
use gate_artifacts::{Counter, Model};

fn coverage(rel: &str) -> gate_artifacts::CoverageReport {
    match parse(rel).unwrap_or_else(|e| panic!("{rel}: {e}")).model {
        Model::Coverage(c) => c,
        other => panic!("{rel}: not coverage: {other:?}"),
    }
}

fn lines(rel: &str) -> (u64, u64) {
    let t = coverage(rel).totals().lines;
    (t.total, t.covered)
}

/// Every LCOV and Cobertura file of the corpus parses, or fails with the
/// documented error code.
#[test]
fn lcov_and_cobertura_corpus_walk() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    type Lines = Result<(u64, u64), &'static str>;
    let expect: &[(&str, Lines)] = &[
        ("coverage/lcov/coveralls-test.lcov", Ok((17, 16))),
        ("coverage/lcov/edge-empty-0-bytes.lcov", Err("empty-file")),
        (
            "coverage/lcov/edge-grcov-invalid-DA-record.info",
            Err("invalid-lcov"),
        ),
        (
            "coverage/cobertura/coveralls-cobertura-oneline.xml",
            Err("invalid-xml"),
        ),
        (
            "coverage/cobertura/coveralls-cobertura.xml",
            Err("invalid-xml"),
        ),
        (
            "coverage/cobertura/coveralls-cobertura-empty-lines.xml",
            Ok((0, 0)),
        ),
        (
            "coverage/cobertura/coveralls-cobertura-zero-only.xml",
            Ok((1, 1)),
        ),
        ("coverage/cobertura/coveragepy-gold-x_xml.xml", Ok((3, 2))),
        (
            "coverage/cobertura/coveragepy-gold-y_xml_branch.xml",
            Ok((5, 4)),
        ),
    ];
    for (rel, want) in expect {
        match (parse(rel), want) {
            (Ok(p), Ok((total, covered))) => {
                let Model::Coverage(c) = p.model else {
                    panic!("{rel}")
                };
                let t = c.totals().lines;
                assert_eq!((t.total, t.covered), (*total, *covered), "{rel}");
            }
            (Err(e), Err(code)) => assert_eq!(e.code.as_str(), *code, "{rel}: {e}"),
            (got, _) => panic!("{rel}: unexpected {got:?}"),
        }
    }
}

/// pycobertura's cobertura.xml: 34 statements. pycobertura counts 28 hits
/// because it also counts *partially covered branch lines* (23, 13, 17) as
/// missed statements; the Cobertura report itself agrees with gate: its
/// `<class line-rate>` for BinarySearch.java is 0.9167 = 11/12 (only line 24
/// missed), for LinearSearch.java 0.7143 = 5/7 — we count lines with hits.
#[test]
fn pycobertura_java_sample() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let c = coverage("peers/pycobertura/cobertura.xml");
    let per: Vec<(&str, u64, u64)> = c
        .files
        .iter()
        .map(|f| {
            (
                f.path.as_str(),
                f.line_counter().total,
                f.line_counter().covered,
            )
        })
        .collect();
    assert_eq!(
        per,
        [
            ("Main.java", 15, 15),
            ("search/BinarySearch.java", 12, 11),
            ("search/ISortedArraySearch.java", 0, 0),
            ("search/LinearSearch.java", 7, 5),
        ]
    );
    // Partial lines are branch misses: they show in branch coverage.
    let b = c.totals().branches;
    assert!(b.covered < b.total, "{b:?}");
}

/// pycobertura's diff fixtures: statements and misses per report.
#[test]
fn pycobertura_diff_fixtures() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    assert_eq!(
        lines("peers/pycobertura/dummy.source1_coverage.xml"),
        (12, 5)
    );
    assert_eq!(
        lines("peers/pycobertura/dummy.source2_coverage.xml"),
        (11, 8)
    );
    assert_eq!(
        lines("peers/pycobertura/dummy.zeroexit1_coverage.xml"),
        (7, 4)
    );
    assert_eq!(
        lines("peers/pycobertura/dummy.zeroexit2_coverage.xml"),
        (8, 7)
    );
    let old = coverage("peers/pycobertura/dummy.source1_coverage.xml");
    let file = |c: &gate_artifacts::CoverageReport, p: &str| {
        c.files
            .iter()
            .find(|f| f.path.ends_with(p))
            .map(|f| f.line_counter())
            .unwrap_or_default()
    };
    assert_eq!(
        file(&old, "dummy/dummy4.py"),
        Counter {
            total: 5,
            covered: 0
        }
    );
    let new = coverage("peers/pycobertura/dummy.source2_coverage.xml");
    assert_eq!(
        file(&new, "dummy/dummy2.py"),
        Counter {
            total: 4,
            covered: 3
        }
    );
}

/// gcovr's LCOV: the file's own LF/LH count a line once per function
/// instance and disagree with its DA records; gate counts the records (9
/// and 21 lines, all hit) and names both files in warnings. `DA` records
/// with a checksum field parse; functions sharing a line stay distinct.
#[test]
fn gcovr_lcov_counter_mismatch_is_warned() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let p = parse("coverage/lcov/gcovr-several-functions-on-same-line.lcov").unwrap();
    let Model::Coverage(c) = &p.model else {
        panic!()
    };
    let per: Vec<(u64, u64, usize)> = c
        .files
        .iter()
        .map(|f| {
            (
                f.line_counter().total,
                f.line_counter().covered,
                f.functions.len(),
            )
        })
        .collect();
    assert_eq!(per, [(9, 9, 4), (21, 21, 4)]);
    let t = c.totals();
    assert_eq!((t.branches.total, t.branches.covered), (6, 6));
    assert_eq!((t.functions.total, t.functions.covered), (8, 8));
    let w: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        [
            "tests/several-functions-on-same-line/output/function.hpp: LF says 18, records give 9, LH says 17, records give 9 (totals use the records)",
            "tests/several-functions-on-same-line/output/main.cpp: LF says 25, records give 21, LH says 24, records give 21 (totals use the records)",
        ]
    );
    assert!(p.warnings.iter().all(|w| w.code == "lcov-counter-mismatch"));
}

/// grcov's strict parser fails on `DA:590` (no hit count) at line 479; so
/// does gate (strict, like genhtml: a lenient skip would silently drop a
/// line). Both copies of the fixture.
#[test]
fn lcov_malformed_record_names_its_line() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    for rel in [
        "coverage/lcov/edge-grcov-invalid-DA-record.info",
        "peers/grcov-parsers/invalid_DA_record.info",
    ] {
        let e = parse(rel).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid-lcov", "{rel}");
        assert_eq!(
            e.position,
            Some(gate_artifacts::Position::Line(479)),
            "{rel}"
        );
        assert_eq!(e.message, "`DA:590` has no execution count");
    }
}

/// grcov's parser test (peers/grcov-parsers): Firefox's 2.96 MB tracefile
/// has 603 `SF:` records, including multi-line `data:` source names and
/// `DA:0` records; the first file's first hits are known. `end_of_record`
/// merges none of them (all names differ).
#[test]
fn grcov_firefox_tracefile() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let big = parse("coverage/lcov/grcov-firefox-prova-large.info").unwrap();
    let Model::Coverage(c) = &big.model else {
        panic!()
    };
    // grcov's 603 are records; the same source under several test names
    // (TN) is one file whose hits add up, so there are fewer files (the
    // distinct SF names, counted here independently).
    let sf = std::fs::read_to_string(corpus.join("coverage/lcov/grcov-firefox-prova-large.info"))
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("SF:"))
        .count();
    assert_eq!(sf, 603);
    // 431 distinct `SF:` first lines; two multi-line `data:` sources share
    // their first line but differ in the rest of their name: 432 files.
    let text = std::fs::read_to_string(corpus.join("coverage/lcov/grcov-firefox-prova-large.info"))
        .unwrap();
    let distinct: std::collections::BTreeSet<&str> =
        text.lines().filter(|l| l.starts_with("SF:")).collect();
    assert_eq!((distinct.len(), c.files.len()), (431, 432));
    let first = c
        .files
        .iter()
        .find(|f| f.path == "resource://gre/components/MainProcessSingleton.js")
        .unwrap();
    let head: Vec<(u32, u64)> = first.lines.iter().take(15).map(|(l, h)| (*l, *h)).collect();
    assert_eq!(
        head,
        [
            (7, 1),
            (9, 1),
            (10, 1),
            (12, 2),
            (13, 1),
            (16, 1),
            (17, 1),
            (18, 2),
            (19, 1),
            (21, 1),
            (22, 0),
            (23, 0),
            (24, 0),
            (28, 1),
            (29, 0)
        ]
    );
    // `DA:0` records exist in this file and are reported, not counted.
    assert!(big.warnings.iter().any(|w| w.code == "lcov-line-zero"));
}

/// gcov2lcov (peers/gcov2lcov): overlapping blocks — a line is hit when any
/// block covering it ran: main.go LF 7, LH 6; statements 5 of 9 as
/// `go tool cover -func` counts them; the module prefix is stripped.
#[test]
fn gcov2lcov_overlapping_blocks() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let bytes = std::fs::read(corpus.join("peers/gcov2lcov/coverage.out")).unwrap();
    let opts = gate_artifacts::ParseOptions {
        go_module: Some("github.com/jandelgado/gcov2lcov".into()),
        ..Default::default()
    };
    let p = gate_artifacts::parse("coverage.out", &bytes, None, &opts).unwrap();
    assert_eq!(p.format, gate_artifacts::Format::GoCover);
    let Model::Coverage(c) = p.model else {
        panic!()
    };
    let f = c.files.iter().find(|f| f.path == "main.go").unwrap();
    assert_eq!(
        f.line_counter(),
        Counter {
            total: 7,
            covered: 6
        }
    );
    let hit: Vec<u32> = f
        .lines
        .iter()
        .filter(|(_, h)| **h > 0)
        .map(|(l, _)| *l)
        .collect();
    assert_eq!(hit, [45, 46, 47, 48, 49, 58]);
    assert_eq!(
        f.statements,
        Some(Counter {
            total: 9,
            covered: 5
        })
    );
}

/// grcov's Go test: aggregator.go 451 lines / 419 covered, decoder.go 52 / 27.
#[test]
fn grcov_go_profile() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let c = coverage("coverage/go/grcov-go.out");
    let get = |p: &str| c.files.iter().find(|f| f.path == p).unwrap().line_counter();
    assert_eq!(
        get("package/folder/aggregator.go"),
        Counter {
            total: 451,
            covered: 419
        }
    );
    assert_eq!(
        get("package/folder/decoder.go"),
        Counter {
            total: 52,
            covered: 27
        }
    );
}

/// `-coverpkg` profiles repeat blocks: `set` takes the max, `count` sums.
#[test]
fn go_repeated_blocks_are_combined() {
    let opts = gate_artifacts::ParseOptions::default();
    let set = "mode: set\na.go:1.1,2.2 1 0\na.go:1.1,2.2 1 1\na.go:3.1,3.5 2 0\n";
    let p = gate_artifacts::parse("p.out", set.as_bytes(), None, &opts).unwrap();
    let Model::Coverage(c) = p.model else {
        panic!()
    };
    assert_eq!(
        c.files[0].statements,
        Some(Counter {
            total: 3,
            covered: 1
        })
    );
    assert_eq!(c.files[0].lines.get(&1), Some(&1));
    let count = "mode: count\na.go:1.1,2.2 1 2\na.go:1.1,2.2 1 3\n";
    let p = gate_artifacts::parse("p.out", count.as_bytes(), None, &opts).unwrap();
    let Model::Coverage(c) = p.model else {
        panic!()
    };
    assert_eq!(c.files[0].lines.get(&1), Some(&5));
    assert_eq!(
        c.files[0].statements,
        Some(Counter {
            total: 1,
            covered: 1
        })
    );
}

/// istanbul-reports' spec fixtures (peers/istanbul-reports-specs): raw
/// statement/branch/function/line counts behind the golden text reports.
#[test]
fn istanbul_spec_totals() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let cases: &[(&str, [(u64, u64); 4])] = &[
        (
            "istanbul-reports-spec-100-line-100-branch",
            [(50, 50), (39, 39), (8, 8), (46, 46)],
        ),
        (
            "istanbul-reports-spec-100-line-missing-branch",
            [(50, 50), (43, 41), (8, 8), (46, 46)],
        ),
        (
            "istanbul-reports-spec-missing-line-missing-branch",
            [(51, 50), (43, 41), (9, 8), (47, 46)],
        ),
        (
            "istanbul-reports-spec-different-path-files",
            [(0, 0), (0, 0), (0, 0), (0, 0)],
        ),
    ];
    for (name, [st, br, fun, ln]) in cases {
        let c = coverage(&format!("coverage/istanbul/{name}.coverage-final.json"));
        let t = c.totals();
        let pair = |c: Counter| (c.total, c.covered);
        assert_eq!(
            pair(t.statements.unwrap_or_default()),
            *st,
            "{name} statements"
        );
        assert_eq!(pair(t.branches), *br, "{name} branches");
        assert_eq!(pair(t.functions), *fun, "{name} functions");
        assert_eq!(pair(t.lines), *ln, "{name} lines");
    }
    // A single file's coverage object (FileCoverage.toJSON) parses too.
    let c = coverage("coverage/istanbul/istanbul-reports-github-649.json");
    assert_eq!(
        c.totals().lines,
        Counter {
            total: 5,
            covered: 5
        }
    );
}

/// coverage.py JSON (corpus README): `percent_covered` mixes statements and
/// branches — brainsmith 229/(823+274), guardkit (683+140)/(5013+1100). gate
/// reports statements and branches separately and computes the branches
/// from the arcs; the mixed figure is reproduced from them.
#[test]
fn coveragepy_statements_and_branches_are_separate() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    for (rel, stmts, branches, pct) in [
        (
            "coverage/coveragepy/brainsmith-coverage-7.10.7-branch.json",
            Counter {
                total: 823,
                covered: 229,
            },
            Counter {
                total: 274,
                covered: 0,
            },
            20.875,
        ),
        (
            "coverage/coveragepy/guardkit-coverage-7.10.7-branch.json",
            Counter {
                total: 5013,
                covered: 683,
            },
            Counter {
                total: 1100,
                covered: 140,
            },
            13.463,
        ),
    ] {
        let t = coverage(rel).totals();
        assert_eq!(t.statements, Some(stmts), "{rel}");
        assert_eq!(t.branches, branches, "{rel}");
        let mixed = (stmts.covered + branches.covered) as f64 * 100.0
            / (stmts.total + branches.total) as f64;
        assert!((mixed - pct).abs() < 0.001, "{rel}: {mixed}");
    }
}

/// sonar-jacoco (peers/sonar-jacoco): file and line counts of real reports,
/// and the malformed reports it rejects, rejected here too with the same
/// meaning and a line:column.
#[test]
fn sonar_jacoco_reports() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let count = |rel: &str| {
        let c = coverage(rel);
        (c.files.len(), c.totals().lines.total)
    };
    assert_eq!(count("peers/sonar-jacoco/jacoco.xml"), (36, 1321));
    assert_eq!(count("peers/sonar-jacoco/kotlin.xml"), (5, 79));
    let agg = coverage("peers/sonar-jacoco/jacoco-aggregate.xml");
    assert_eq!(agg.files[0].path, "org/example/Library.java");
    let simple = coverage("peers/sonar-jacoco/simple.xml");
    let f = &simple.files[0];
    assert_eq!(f.path, "org/sonarlint/cli/File.java");
    assert_eq!(f.lines.get(&24), Some(&2));
    assert_eq!(
        f.branches.get(&24),
        Some(&gate_artifacts::BranchCount {
            covered: 4,
            total: 7
        })
    );
    let bare = coverage("peers/sonar-jacoco/line_without_mi_ci_mb_cb.xml");
    assert_eq!(bare.files[0].lines.get(&42), Some(&0));
    // Messages and places as SonarSource's parser reports them (the end of
    // the offending start tag).
    for (file, (line, column), message) in [
        (
            "name_missing_in_package",
            (4, 14),
            "couldn't find the attribute 'name' for a 'package'",
        ),
        (
            "name_missing_in_sourcefile",
            (5, 21),
            "couldn't find the attribute 'name' for a sourcefile",
        ),
        (
            "line_not_within_sourcefile",
            (5, 52),
            "expected to find 'line' within a 'sourcefile'",
        ),
        (
            "sourcefile_not_within_package",
            (4, 17),
            "expected to find 'sourcefile' within a 'package'",
        ),
        (
            "invalid_ci_in_line",
            (6, 61),
            "failed to parse integer from the attribute 'ci' for the sourcefile 'File.java'",
        ),
        (
            "invalid_nr_in_line",
            (6, 31),
            "failed to parse integer from the attribute 'nr' for the sourcefile 'File.java'",
        ),
        (
            "nr_missing_in_line",
            (6, 21),
            "couldn't find the attribute 'nr' for the sourcefile 'File.java'",
        ),
    ] {
        let e = parse(&format!("peers/sonar-jacoco/{file}.xml")).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("invalid-jacoco", message),
            "{file}"
        );
        assert_eq!(
            e.position,
            Some(gate_artifacts::Position::LineCol { line, column }),
            "{file}"
        );
    }
}

/// php-code-coverage (peers/php-code-coverage-formats): one run in Clover,
/// OpenClover and Cobertura gives the same statements (8/5) and methods
/// (4/3). Two figures differ on purpose: the path-coverage conditionals
/// (7/3) exist only in the reports' summary counters, with no per-line
/// data, and gate never copies summary counters; `*_ignored-lines.xml`'s
/// Cobertura root claims 1/1 lines while its classes hold no `<line>`.
#[test]
fn php_code_coverage_cross_format() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    for f in [
        "Clover_BankAccount-line",
        "OpenClover_BankAccount-line",
        "Cobertura_BankAccount-line",
        "Clover_BankAccount-path",
        "Cobertura_BankAccount-path",
    ] {
        let t = coverage(&format!("peers/php-code-coverage-formats/{f}.xml")).totals();
        assert_eq!(
            t.lines,
            Counter {
                total: 8,
                covered: 5
            },
            "{f}"
        );
        assert_eq!(
            t.functions,
            Counter {
                total: 4,
                covered: 3
            },
            "{f}"
        );
        assert_eq!(
            t.branches,
            Counter::default(),
            "{f}: no per-line branch data"
        );
    }
    let t = coverage("peers/php-code-coverage-formats/Cobertura_ignored-lines.xml").totals();
    assert_eq!(t.lines, Counter::default());
}

/// gcovr's one run in several formats (peers/gcovr-cross-format). gcovr's
/// authoritative totals count a line once per template instance (30 lines
/// for virtual-classes, 19 for const-functions); its own LCOV merges
/// instances per line, and so does gate wherever per-line data exists:
/// LCOV, Cobertura and Clover agree on 24 lines / 23 covered and 17 / 17
/// (a line is covered when any instance ran). The per-instance figures are
/// kept where the format carries them: Clover statements (one per `stmt`
/// element) and JaCoCo, whose gcovr lines have no instruction counts, so
/// its LINE counters are used. Branches agree in every format that has
/// them; functions agree between LCOV (FNDA) and JaCoCo (METHOD).
#[test]
fn gcovr_cross_format_totals() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    type Pair = (u64, u64);
    // case, per-line lines, per-instance lines, branches, functions
    let cases: [(&str, Pair, Pair, Pair, Pair); 2] = [
        ("virtual-classes", (24, 23), (30, 23), (36, 18), (7, 7)),
        ("const-functions", (17, 17), (19, 17), (4, 2), (5, 5)),
    ];
    let pair = |c: Counter| (c.total, c.covered);
    for (case, per_line, per_instance, branches, functions) in cases {
        let dir = format!("peers/gcovr-cross-format/{case}");
        let load = |f: &str| {
            let p = parse(&format!("{dir}/{f}")).unwrap();
            let Model::Coverage(c) = p.model else {
                panic!()
            };
            (c.totals(), p.warnings)
        };
        let (lcov, lcov_w) = load("coverage.lcov");
        let (cob, cob_w) = load("cobertura.xml");
        let (clover, _) = load("clover.xml");
        let (jacoco, jacoco_w) = load("jacoco.xml");
        for (name, t) in [("lcov", lcov), ("cobertura", cob), ("clover", clover)] {
            assert_eq!(pair(t.lines), per_line, "{case} {name} lines");
        }
        assert_eq!(pair(jacoco.lines), per_instance, "{case} jacoco lines");
        assert_eq!(clover.statements.map(pair), Some(per_instance), "{case}");
        for (name, t) in [("lcov", lcov), ("cobertura", cob), ("jacoco", jacoco)] {
            assert_eq!(pair(t.branches), branches, "{case} {name} branches");
        }
        assert_eq!(pair(lcov.functions), functions, "{case} lcov functions");
        assert_eq!(pair(jacoco.functions), functions, "{case} jacoco functions");
        // gcovr's Clover has no conditionals nor methods.
        assert_eq!(pair(clover.branches), (0, 0));
        // The summary counters that disagree with the data are named.
        assert!(lcov_w.iter().any(|w| w.code == "lcov-counter-mismatch"));
        assert!(cob_w.iter().any(|w| w.code == "cobertura-rate-mismatch"));
        assert!(jacoco_w.iter().any(|w| w.code == "jacoco-no-line-counts"));
    }
    // The corpus copies of the same run agree with the peer copies.
    for f in ["cobertura", "clover", "jacoco"] {
        assert_eq!(
            coverage(&format!("coverage/{f}/gcovr-virtual-classes.xml")).totals(),
            coverage(&format!("peers/gcovr-cross-format/virtual-classes/{f}.xml")).totals(),
            "{f}"
        );
    }
    assert_eq!(
        coverage("coverage/clover/gcovr-const-functions.xml").totals(),
        coverage("peers/gcovr-cross-format/const-functions/clover.xml").totals()
    );
}

/// JaCoCo's own counters: for every real report, the report-level LINE,
/// BRANCH and METHOD counters equal what gate computes from the lines
/// (covered = a line with covered instructions) and methods.
#[test]
fn jacoco_totals_equal_the_report_counters() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    for rel in [
        "coverage/jacoco/sonar-jacoco-sonarlint-cli.xml",
        "coverage/jacoco/sonar-jacoco-kotlin.xml",
        "coverage/jacoco/grcov-basic-report.xml",
        "coverage/jacoco/grcov-inner-classes.xml",
        "coverage/jacoco/gcovr-virtual-classes.xml",
        "peers/jacoco-report-action/report.xml",
        "peers/sonar-jacoco/jacoco-aggregate.xml",
    ] {
        let text = std::fs::read_to_string(corpus.join(rel)).unwrap();
        let tail_at = text
            .rfind("</package>")
            .max(text.rfind("</group>"))
            .unwrap();
        let tail = text.get(tail_at..).unwrap();
        let counter = |kind: &str| -> (u64, u64) {
            let at = tail
                .find(&format!("<counter type=\"{kind}\""))
                .unwrap_or_else(|| panic!("{rel}: no {kind}"));
            let el = tail.get(at..).unwrap().split('>').next().unwrap();
            let num = |k: &str| -> u64 {
                let v = el.split(&format!("{k}=\"")).nth(1).unwrap();
                v.split('"').next().unwrap().parse().unwrap()
            };
            (num("missed") + num("covered"), num("covered"))
        };
        let t = coverage(rel).totals();
        assert_eq!(
            (t.lines.total, t.lines.covered),
            counter("LINE"),
            "{rel} lines"
        );
        assert_eq!(
            (t.functions.total, t.functions.covered),
            counter("METHOD"),
            "{rel} methods"
        );
        if tail.contains("type=\"BRANCH\"") {
            assert_eq!(
                (t.branches.total, t.branches.covered),
                counter("BRANCH"),
                "{rel} branches"
            );
        } else {
            assert_eq!(t.branches.total, 0, "{rel}");
        }
    }
}

/// Madrapps/jacoco-report (peers/jacoco-report-action): report-level
/// counters of report.xml (LINE 12/27, BRANCH 2/6, METHOD 10/22); an empty
/// report has nothing; the three modules of multi_module (no counters of
/// their own) merge into one report whose totals are their sum.
#[test]
fn jacoco_report_action_line_counters() {
    let Some(_corpus) = corpus_or_skip() else {
        return;
    };
    let t = coverage("peers/jacoco-report-action/report.xml").totals();
    let pair = |c: Counter| (c.total, c.covered);
    assert_eq!(
        [pair(t.lines), pair(t.branches), pair(t.functions)],
        [(27, 12), (6, 2), (22, 10)]
    );
    assert_eq!(lines("peers/jacoco-report-action/empty-report.xml"), (0, 0));
    assert!(
        coverage("peers/jacoco-report-action/empty-report.xml")
            .files
            .is_empty()
    );
    let mut merged = gate_artifacts::CoverageReport::default();
    let mut sum = (0, 0);
    for m in ["appCoverage", "mathCoverage", "textCoverage"] {
        let c = coverage(&format!("peers/jacoco-report-action/multi_module/{m}.xml"));
        let l = c.totals().lines;
        sum = (sum.0 + l.total, sum.1 + l.covered);
        merged.merge(c);
    }
    assert_eq!(sum, (35, 10));
    assert_eq!(pair(merged.totals().lines), sum);
    assert_eq!(merged.files.len(), 9);
    // Gradle aggregate reports: `<group>`s are read through.
    let agg = coverage("peers/jacoco-report-action/aggregate-report.xml");
    assert_eq!((agg.files.len(), pair(agg.totals().lines)), (7, (28, 10)));
}

/// istanbul-reports' spec fixtures (peers/istanbul-reports-specs) that
/// exist only inside the `*.spec.json` files: their `map` is a
/// coverage-final.json. Raw counts from EXPECTED.md.
#[test]
fn istanbul_spec_maps() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    // spec, statements, branches, functions, lines (total, covered)
    let cases: &[(&str, [(u64, u64); 4])] = &[
        ("missing-decl", [(50, 50), (43, 41), (8, 8), (46, 46)]),
        ("coalescence", [(20, 6), (0, 0), (0, 0), (18, 6)]),
        ("maxcols", [(20, 8), (0, 0), (0, 0), (20, 8)]),
        ("empty-file", [(0, 0), (0, 0), (0, 0), (0, 0)]),
        (
            "100-line-missing-branch",
            [(50, 50), (43, 41), (8, 8), (46, 46)],
        ),
    ];
    for (name, [st, br, fun, ln]) in cases {
        let rel = format!("peers/istanbul-reports-specs/{name}.spec.json");
        let spec: serde_json::Value =
            serde_json::from_slice(&std::fs::read(corpus.join(&rel)).unwrap()).unwrap();
        let map = serde_json::to_vec(&spec["map"]).unwrap();
        let p = gate_artifacts::parse(&rel, &map, None, &Default::default()).unwrap();
        assert_eq!(p.format, gate_artifacts::Format::Istanbul, "{name}");
        let Model::Coverage(c) = p.model else {
            panic!()
        };
        let t = c.totals();
        let pair = |c: Counter| (c.total, c.covered);
        assert_eq!(
            pair(t.statements.unwrap_or_default()),
            *st,
            "{name} statements"
        );
        assert_eq!(pair(t.branches), *br, "{name} branches");
        assert_eq!(pair(t.functions), *fun, "{name} functions");
        assert_eq!(pair(t.lines), *ln, "{name} lines");
    }
}

/// Every coverage file of the corpus parses, or fails with the documented
/// code (the two coveralls Cobertura fixtures are not well-formed XML, as
/// the corpus README says; the empty files are empty).
#[test]
fn coverage_corpus_walk() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut files = Vec::new();
    crate::walk(&corpus.join("coverage"), &mut files);
    let failures = [
        (
            "coverage/cobertura/coveralls-cobertura-oneline.xml",
            "invalid-xml",
        ),
        ("coverage/cobertura/coveralls-cobertura.xml", "invalid-xml"),
        ("coverage/clover/edge-empty-0-bytes.xml", "empty-file"),
        ("coverage/lcov/edge-empty-0-bytes.lcov", "empty-file"),
        (
            "coverage/lcov/edge-grcov-invalid-DA-record.info",
            "invalid-lcov",
        ),
    ];
    let mut parsed = 0;
    for rel in &files {
        if rel.starts_with("coverage/other/") {
            // gcov text, SimpleCov and Coveralls JSON: not supported formats.
            let e = parse(rel).expect_err("an unsupported format");
            assert_eq!(e.code, "unknown-format", "{rel}: {e}");
            continue;
        }
        match (parse(rel), failures.iter().find(|(f, _)| f == rel)) {
            (Ok(p), None) => {
                let folder = rel.split('/').nth(1).unwrap_or("");
                let want = match folder {
                    "go" => "go-cover",
                    other => other,
                };
                assert!(p.format.as_str().starts_with(want), "{rel}: {}", p.format);
                parsed += 1;
            }
            (Err(e), Some((_, code))) => assert_eq!(e.code.as_str(), *code, "{rel}: {e}"),
            (r, _) => panic!("{rel}: {r:?}"),
        }
    }
    assert_eq!(parsed, 42);
}
