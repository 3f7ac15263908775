//! Agreement with peer tools on the shared corpus. Each case runs the real
//! `gate` binary and compares with the peer's own documented results.

use crate::{TestDir, corpus};

/// diff-cover's expectations (peers/diff-cover/EXPECTED.md) for the LCOV
/// inputs: (report, diff, diff-cover's changed lines, ours, uncovered lines).
///
/// Two cases differ in the line count, not in the result: diff-cover's LCOV
/// reader also counts each `FN:` (function start) line as a coverable line,
/// so it sees 20 and 3 lines where the `DA:` records (and the report's own
/// `LF:`) give 16 and 2; gate counts only `DA:` lines, as genhtml does. The
/// uncovered lines and the percentage (100 %) agree.
const DIFF_COVER_LCOV: &[(&str, &str, u64, u64, &[u32])] = &[
    ("lcov.info", "git_diff_add.txt", 10, 10, &[2, 4, 6, 8, 10]),
    (
        "real_python_coverage.lcov",
        "git_diff_python.txt",
        22,
        22,
        &[],
    ),
    ("real_cpp_coverage.lcov", "git_diff_cpp.txt", 28, 28, &[12]),
    // The next three diffs disagree with their own hunk headers (trimmed
    // fixtures); like diff-cover we read the bodies, and warn.
    (
        "real_typescript_coverage.lcov",
        "git_diff_typescript.txt",
        20,
        16,
        &[],
    ),
    (
        "cpp_functions_coverage.lcov",
        "git_diff_cpp_functions.txt",
        13,
        13,
        &[12],
    ),
    (
        "typescript_branches_coverage.lcov",
        "git_diff_typescript_branches.txt",
        3,
        2,
        &[],
    ),
];

#[test]
fn diff_cover_patch_coverage_agrees_on_lcov_inputs() {
    let dir = corpus().join("peers/diff-cover");
    for (report, diff, peer_lines, lines, missing) in DIFF_COVER_LCOV {
        let t = TestDir::new();
        let r = t.run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "--params",
            r#"{"min-patch": 90, "min-changed-lines": 1}"#,
            "--diff",
            dir.join(diff).to_str().unwrap(),
            dir.join(report).to_str().unwrap(),
            "--format",
            "json",
            "--now",
            "2026-01-01T00:00:00Z",
        ]);
        let v = r.json();
        if [
            "git_diff_typescript.txt",
            "git_diff_cpp_functions.txt",
            "git_diff_typescript_branches.txt",
        ]
        .contains(diff)
        {
            assert!(
                r.stderr().contains("warning[diff-hunk-mismatch]"),
                "{diff}: {}",
                r.stderr()
            );
        }
        let p = &v["policies"][0];
        let metric = |n: &str| {
            p["metrics"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["name"] == n)
                .map(|m| m["value"].as_f64().unwrap())
        };
        assert_eq!(
            metric("changed-coverable-lines"),
            Some(*lines as f64),
            "{report}: {p:#}"
        );
        // The percentage diff-cover reports, from its own line count.
        let expected_pct = (*peer_lines - missing.len() as u64) as f64 * 100.0 / *peer_lines as f64;
        assert_eq!(
            metric("patch-coverage"),
            Some((expected_pct * 100.0).round() / 100.0),
            "{report}"
        );
        let mut got: Vec<u32> = Vec::new();
        for f in p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "coverage/uncovered-changed-line")
        {
            let start = f["location"]["line"].as_u64().unwrap() as u32;
            let end = f["location"]["end_line"].as_u64().unwrap() as u32;
            got.extend(start..=end);
        }
        assert_eq!(got, *missing, "{report}: uncovered changed lines");
        // diff-cover --fail-under=90: fails below 90 %, like our min-patch 90.
        let expected_exit = if expected_pct < 90.0 { 1 } else { 0 };
        assert_eq!(r.code(), expected_exit, "{report}");
    }
}

#[test]
fn diff_cover_deletions_only_have_no_coverable_lines() {
    let dir = corpus().join("peers/diff-cover");
    let t = TestDir::new();
    let v = t
        .run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "--params",
            r#"{"min-patch": 90}"#,
            "--diff",
            dir.join("git_diff_delete.txt").to_str().unwrap(),
            dir.join("lcov.info").to_str().unwrap(),
            "--format",
            "json",
        ])
        .expect_code(0)
        .json();
    let p = &v["policies"][0];
    assert!(
        p["summary"]
            .as_str()
            .unwrap()
            .contains("0 coverable changed line(s)"),
        "{p:#}"
    );
}
