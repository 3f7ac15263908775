//! Agreement with peer tools on the shared corpus. Each case runs the real
//! `gate` binary and compares with the peer's own documented results.

use crate::{TestDir, corpus_or_skip};
use serde_json::Value;

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
    // The next three diffs end before their last hunk does (trimmed
    // fixtures): gate refuses them as `truncated-diff`, and is compared with
    // diff-cover on copies whose last hunk header matches the body.
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

/// `diff` with its last `@@` header's counts recounted from the body.
fn recount_last_hunk(diff: &str) -> String {
    let lines: Vec<&str> = diff.lines().collect();
    let at = lines.iter().rposition(|l| l.starts_with("@@ ")).unwrap();
    let (mut old, mut new) = (0, 0);
    for l in &lines[at + 1..] {
        match l.as_bytes().first() {
            Some(b'+') => new += 1,
            Some(b'-') => old += 1,
            Some(b'\\') => {}
            _ => {
                old += 1;
                new += 1;
            }
        }
    }
    let parts: Vec<&str> = lines[at].split(' ').collect();
    let start = |s: &str| s.split(',').next().unwrap().to_string();
    let header = format!("@@ {},{old} {},{new} @@", start(parts[1]), start(parts[2]));
    let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    out[at] = header;
    out.join("\n") + "\n"
}

#[test]
fn diff_cover_patch_coverage_agrees_on_lcov_inputs() -> anyhow::Result<()> {
    let Some(corpus) = corpus_or_skip() else {
        return Ok(());
    };
    let dir = corpus.join("peers/diff-cover");
    // The corpus may be anywhere (GATE_CORPUS): masked before the checkout.
    let mut corpus_filter = insta::Settings::clone_current();
    corpus_filter.add_filter(&regex::escape(&dir.to_string_lossy()), "[diff-cover]");
    let _c = corpus_filter.bind_to_scope();
    let _s = crate::snapshot_settings(&[]).bind_to_scope();
    let mut truncated = String::new();
    for (report, diff, peer_lines, lines, missing) in DIFF_COVER_LCOV {
        let t = TestDir::new();
        let trimmed = [
            "git_diff_typescript.txt",
            "git_diff_cpp_functions.txt",
            "git_diff_typescript_branches.txt",
        ]
        .contains(diff);
        let diff_file = if trimmed {
            // A `--diff` that ends inside a hunk is an input error (it may
            // be a cut file); the agreement is checked on the same diff with
            // its last hunk header recounted to match the body.
            let raw = dir.join(diff);
            let r = t
                .run(&[
                    "eval",
                    "--policy",
                    "builtin:coverage",
                    "--diff",
                    raw.to_str().unwrap(),
                    dir.join(report).to_str().unwrap(),
                ])
                .expect_code(3);
            truncated.push_str(&r.titled(diff));
            t.write(diff, recount_last_hunk(&std::fs::read_to_string(&raw)?))
        } else {
            dir.join(diff)
        };
        let r = t.run(&[
            "eval",
            "--policy",
            "builtin:coverage",
            "--params",
            r#"{"min-patch": 90, "min-changed-lines": 1}"#,
            "--diff",
            diff_file.to_str().unwrap(),
            dir.join(report).to_str().unwrap(),
            "--format",
            "json",
            "--now",
            "2026-01-01T00:00:00Z",
        ]);
        let v = r.json();
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
    // Each trimmed diff is `truncated-diff` at its last hunk.
    insta::assert_snapshot!("truncated_diff_cover_diffs", truncated);
    Ok(())
}

#[test]
fn diff_cover_deletions_only_have_no_coverable_lines() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/diff-cover");
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
    assert_eq!(
        v["policies"][0]["summary"],
        "line coverage 50.00%; no condition could be checked (skipped: patch coverage: \
         0 coverable changed lines, fewer than min-changed-lines 20; \
         the diff changes no line of an included file)"
    );
}

/// audit-ci (peers/audit-ci-npm-thresholds/EXPECTED.md): npm 6 and npm 7
/// reports judged by severity level and allowlists, against the same
/// expectations. audit-ci's "level X enabled" is our `fail-on = X` (X and
/// above fail); its allowlist is our waivers.
#[test]
fn audit_ci_thresholds_and_allowlists_agree() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/audit-ci-npm-thresholds");
    // (fixture, params, expected exit, advisories that must block)
    let cases: &[(&str, &str, i32, &[&str])] = &[
        (
            "npm-critical",
            r#"{"fail-on": "critical"}"#,
            1,
            &["GHSA-28xh-wpgr-7fm8"],
        ),
        ("npm-critical", r#"{"fail-on": "none"}"#, 0, &[]),
        (
            "npm-high",
            r#"{"fail-on": "high"}"#,
            1,
            &["GHSA-hrpp-h998-j3pp"],
        ),
        (
            "npm-moderate",
            r#"{"fail-on": "medium"}"#,
            1,
            &["GHSA-rvg8-pwq2-xj7q"],
        ),
        ("npm-moderate", r#"{"fail-on": "high"}"#, 0, &[]),
        (
            "npm-moderate",
            r#"{"fail-on": "medium", "waivers": [{"id": "GHSA-rvg8-pwq2-xj7q", "reason": "r", "expires": "2099-01-01"}]}"#,
            0,
            &[],
        ),
        (
            "npm-moderate",
            r#"{"fail-on": "medium", "waivers": [{"id": "GHSA-rvg8-pwq2-xj7q", "reason": "r", "expires": "2020-01-01"}]}"#,
            1,
            &["GHSA-rvg8-pwq2-xj7q"],
        ),
        (
            "npm-moderate",
            r#"{"fail-on": "medium", "waivers": [{"id": "GHSA-cff4-rrq6-h78w", "reason": "r"}]}"#,
            1,
            &["GHSA-rvg8-pwq2-xj7q"],
        ),
        (
            "npm-low",
            r#"{"fail-on": "low"}"#,
            1,
            &["GHSA-c6rq-rjc2-86v2"],
        ),
        ("npm-none", r#"{"fail-on": "low"}"#, 0, &[]),
    ];
    let mut agreed = 0;
    for (fixture, params, exit, blocking) in cases {
        for report in ["npm6-output.json", "npm7-output.json"] {
            let file = dir.join(fixture).join(report);
            if !file.exists() {
                continue;
            }
            let t = TestDir::new();
            let r = t.run(&[
                "eval",
                "--policy",
                "builtin:security",
                "--params",
                params,
                "--format",
                "json",
                "--now",
                "2026-11-22T10:00:00Z",
                file.to_str().unwrap(),
            ]);
            let v = r.json();
            assert_eq!(
                r.code(),
                *exit,
                "{fixture}/{report} with {params}: {}",
                v["policies"][0]["summary"]
            );
            let mut got: Vec<String> = v["policies"][0]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["blocking"] == true)
                .map(|f| f["rule"].as_str().unwrap().to_string())
                .collect();
            got.dedup();
            assert_eq!(got, *blocking, "{fixture}/{report} with {params}");
            let rules: Vec<&str> = v["policies"][0]["findings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["rule"].as_str().unwrap())
                .collect();
            if params.contains("2020-01-01") {
                assert!(rules.contains(&"security/waiver-expired"), "{rules:?}");
            }
            if params.contains("GHSA-cff4") {
                assert!(
                    rules.contains(&"security/waiver-unused"),
                    "audit-ci: allowlistedAdvisoriesNotFound"
                );
            }
            agreed += 1;
        }
    }
    // 10 cases × both report versions.
    assert_eq!(agreed, 20, "only {agreed} case runs");
}

/// audit-ci's allowlist by path (`GHSA-…|axios`): waivers scoped to a
/// package leave the other packages' findings failing, as audit-ci reports.
/// audit-ci's `skip-dev` needs package.json's devDependencies, which npm's
/// report does not carry: gate has no such switch, so `npm-skip-dev` fails
/// here where audit-ci passes (a documented disagreement, checked below).
#[test]
fn audit_ci_path_allowlist_and_skip_dev() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/audit-ci-npm-thresholds");
    let t = TestDir::new();
    let axios = [
        "GHSA-42xw-2xvc-qx8m",
        "GHSA-4w2v-q235-vp99",
        "GHSA-cph5-m8f7-6c5x",
    ]
    .map(|id| format!(r#"{{"id": "{id}", "package": "axios", "reason": "r"}}"#))
    .join(",");
    let params = format!(r#"{{"fail-on": "medium", "waivers": [{axios}]}}"#);
    let file = dir.join("npm-allowlisted-path/npm7-output.json");
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:security",
        "--params",
        &params,
        "--format",
        "json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(r.code(), 1);
    let v = r.json();
    let findings = v["policies"][0]["findings"].as_array().unwrap();
    let with_status = |status: &str| -> Vec<(&str, &str)> {
        findings
            .iter()
            .filter(|f| f["status"] == status)
            .map(|f| (f["rule"].as_str().unwrap(), f["resource"].as_str().unwrap()))
            .collect()
    };
    // The three axios advisories are waived; follow-redirects' stay open.
    assert_eq!(
        with_status("waived"),
        [
            ("GHSA-cph5-m8f7-6c5x", "axios"),
            ("GHSA-4w2v-q235-vp99", "axios"),
            ("GHSA-42xw-2xvc-qx8m", "axios"),
        ]
    );
    let blocking_high: Vec<&str> = findings
        .iter()
        .filter(|f| f["blocking"] == true && f["severity"] == "high")
        .map(|f| f["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        blocking_high,
        ["follow-redirects"],
        "audit-ci: failedLevelsFound [high]"
    );

    let skip = dir.join("npm-skip-dev/npm7-output.json");
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:security",
        "--params",
        r#"{"fail-on": "critical"}"#,
        skip.to_str().unwrap(),
    ]);
    assert_eq!(
        r.code(),
        1,
        "disagreement with audit-ci --skip-dev is documented above"
    );
}

/// osv-scanner's CI diff (peers/osv-scanner-baseline-diff/EXPECTED.md):
/// which (manifest, package, vulnerability) entries are new against the
/// baseline. Our `new since baseline` findings must be exactly those.
#[test]
fn osv_scanner_baseline_diff_agrees() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/osv-scanner-baseline-diff");
    let file = |x: &str| {
        dir.join(format!("test-vuln-results-{x}.json"))
            .to_str()
            .unwrap()
            .to_string()
    };
    // (old, new, expected new entries as (manifest path suffix, package, id))
    type NewEntries = &'static [(&'static str, &'static str, &'static str)];
    let cases: &[(&str, &str, NewEntries)] = &[
        ("a", "a", &[]),
        (
            "a",
            "a-1",
            &[(
                "different-dir/go.mod",
                "github.com/gogo/protobuf",
                "GO-2021-0053",
            )],
        ),
        (
            "a",
            "b",
            &[(
                "scorecard-check-osv-e2e/go.mod",
                "github.com/gogo/protobuf",
                "GHSA-c3h9-896r-86jm",
            )],
        ),
        ("b", "a", &[]),
        (
            "c",
            "b",
            &[
                ("go.mod", "github.com/gogo/protobuf", "GHSA-c3h9-896r-86jm"),
                (
                    "sub-rust-project/Cargo.lock",
                    "regex",
                    "GHSA-m5pq-gvj9-9vr8",
                ),
                ("sub-rust-project/Cargo.lock", "regex", "RUSTSEC-2022-0013"),
            ],
        ),
        ("b", "c", &[]),
        ("a", "d", &[]),
    ];
    for (old, new, expected) in cases {
        let t = TestDir::new();
        t.write(
            "gate.toml",
            format!(
                "[[artifact]]\npath = {:?}\nrole = \"baseline\"\n[[artifact]]\npath = {:?}\n[[policy]]\nuse = \"builtin:security\"\nparams = {{ fail-on = \"info\", unknown-as = \"high\" }}\n",
                file(old),
                file(new)
            ),
        );
        let r = t.run(&["check", "--format", "json", "--now", "2026-11-22T10:00:00Z"]);
        let v = r.json();
        let mut got: Vec<(String, String, String)> = v["policies"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["evidence"]
                    .as_str()
                    .is_some_and(|e| e.contains("new since baseline"))
            })
            .map(|f| {
                let pkg = f["resource"].as_str().unwrap();
                let name = pkg.rsplit_once('@').map_or(pkg, |(n, _)| n);
                (
                    f["location"]["path"].as_str().unwrap().to_string(),
                    name.to_string(),
                    f["rule"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        got.sort();
        let mut want: Vec<&(&str, &str, &str)> = expected.iter().collect();
        want.sort_by_key(|e| (e.1, e.2));
        got.sort_by(|a, b| (&a.1, &a.2).cmp(&(&b.1, &b.2)));
        assert_eq!(got.len(), want.len(), "{old} -> {new}: {got:?}");
        for ((path, name, id), (suffix, wname, wid)) in got.iter().zip(want) {
            assert!(path.ends_with(suffix), "{old} -> {new}: {path} vs {suffix}");
            assert_eq!(
                (name.as_str(), id.as_str()),
                (*wname, *wid),
                "{old} -> {new}"
            );
        }
        // The gate fails exactly when something is new (every entry here has a severity).
        assert_eq!(
            r.code(),
            if expected.is_empty() { 0 } else { 1 },
            "{old} -> {new}: {}",
            v["policies"][0]["summary"]
        );
    }
}

/// trivy's own filters (peers/trivy-filters/EXPECTED.md): judging the
/// unfiltered report with gate reproduces trivy's filtered reports —
/// `--severity HIGH,CRITICAL` is `fail-on = "high"` (the blocking set), the
/// `.trivyignore` is waivers (the open set).
#[test]
fn trivy_filters_are_reproduced_by_thresholds_and_waivers() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/trivy-filters");
    let t = TestDir::new();
    let pairs = |path: &std::path::Path,
                 filter: &dyn Fn(&Value) -> bool,
                 params: &str|
     -> Vec<(String, String)> {
        let v = t
            .run(&[
                "eval",
                "--policy",
                "builtin:security",
                "--params",
                params,
                "--format",
                "json",
                "--now",
                "2026-11-22T10:00:00Z",
                path.to_str().unwrap(),
            ])
            .json();
        let mut out: Vec<(String, String)> = v["policies"][0]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| filter(f))
            .map(|f| {
                (
                    f["rule"].as_str().unwrap().to_string(),
                    f["resource"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let all = |_: &Value| true;
    let full = dir.join("alpine-39.json");
    let blocking = pairs(&full, &|f| f["blocking"] == true, r#"{"fail-on": "high"}"#);
    assert_eq!(
        blocking,
        pairs(&dir.join("alpine-39-high-critical.json"), &all, "{}")
    );
    assert_eq!(blocking.len(), 2);
    let waivers = r#"{"fail-on": "none", "waivers": [{"id": "CVE-2019-1549", "reason": "trivyignore"}, {"id": "CVE-2019-14697", "reason": "trivyignore"}]}"#;
    let open = pairs(&full, &|f| f["status"] == "open", waivers);
    assert_eq!(
        open,
        pairs(&dir.join("alpine-39-ignore-cveids.json"), &all, "{}")
    );
    assert_eq!(open.len(), 2);
    // --skip-dirs /etc hid the OS: an empty report passes, but never silently.
    let r = t.run(&[
        "eval",
        "--policy",
        "builtin:security",
        "--format",
        "json",
        dir.join("alpine-39-skip.json").to_str().unwrap(),
    ]);
    let v = r.json();
    assert_eq!(v["artifacts"][0]["warnings"][0]["code"], "trivy-empty-scan");
}

/// diff-cover's Cobertura inputs: the same 50 % as the LCOV case, and two
/// reports merged before the patch is judged (line 2 covered in one of them).
#[test]
fn diff_cover_patch_coverage_agrees_on_cobertura_inputs() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let dir = corpus.join("peers/diff-cover");
    let cases: &[(&[&str], &str, u64, &[u32])] = &[
        (&["coverage.xml"], "git_diff_add.txt", 10, &[2, 4, 6, 8, 10]),
        (&["coverage.xml"], "git_diff_changed.txt", 1, &[]),
        (
            &["coverage1.xml", "coverage2.xml"],
            "git_diff_mult.txt",
            10,
            &[4, 6, 8, 10],
        ),
        (
            &["unicode_coverage.xml"],
            "git_diff_unicode.txt",
            10,
            &[2, 4, 6, 8, 10],
        ),
    ];
    for (reports, diff, lines, missing) in cases {
        let t = TestDir::new();
        let mut args = vec![
            "eval".to_string(),
            "--policy".into(),
            "builtin:coverage".into(),
            "--params".into(),
            r#"{"min-patch": 90, "min-changed-lines": 1}"#.into(),
            "--diff".into(),
            dir.join(diff).to_str().unwrap().to_string(),
            "--format".into(),
            "json".into(),
        ];
        args.extend(
            reports
                .iter()
                .map(|r| dir.join(r).to_str().unwrap().to_string()),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = t.run(&args);
        let v = r.json();
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
            "{reports:?}: {p:#}"
        );
        let mut got: Vec<u32> = Vec::new();
        for f in p["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "coverage/uncovered-changed-line")
        {
            got.extend(
                f["location"]["line"].as_u64().unwrap() as u32
                    ..=f["location"]["end_line"].as_u64().unwrap() as u32,
            );
        }
        assert_eq!(got, *missing, "{reports:?}");
    }
}
