//! The coverage policy's logic over plain WIT types (tested natively).

use gate_sdk::glob;
use gate_sdk::threshold;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    /// Minimum line coverage (%) over all included files
    #[schemars(range(min = 0, max = 100))]
    pub min_line: Option<f64>,
    /// Minimum branch coverage (%)
    #[schemars(range(min = 0, max = 100))]
    pub min_branch: Option<f64>,
    /// Minimum function coverage (%)
    #[schemars(range(min = 0, max = 100))]
    pub min_function: Option<f64>,
    /// Minimum line coverage (%) of every single file
    #[schemars(range(min = 0, max = 100))]
    pub min_file_line: Option<f64>,
    /// Only files matching one of these globs count (default: all)
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub include: Vec<String>,
    /// Files matching any of these globs do not count
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub exclude: Vec<String>,
    /// Named parts of the code base with their own thresholds (like Codecov components)
    #[serde(default)]
    pub scopes: Vec<Scope>,
    /// Minimum coverage (%) of the coverable lines the change adds or modifies; needs --diff or --base
    #[schemars(range(min = 0, max = 100))]
    pub min_patch: Option<f64>,
    /// Below this many coverable changed lines the patch condition is skipped
    #[schemars(range(max = 1_000_000), extend("default" = DEFAULT_MIN_CHANGED_LINES))]
    pub min_changed_lines: Option<u64>,
    /// Maximum drop of line coverage vs the baseline report, in percentage points; needs a baseline coverage artifact
    #[schemars(range(min = 0, max = 100))]
    pub max_drop: Option<f64>,
}

/// A named part of the code base with its own thresholds.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Scope {
    #[schemars(length(min = 1))]
    pub name: String,
    #[schemars(inner(length(min = 1)))]
    pub paths: Vec<String>,
    #[schemars(range(min = 0, max = 100))]
    pub min_line: Option<f64>,
    #[schemars(range(min = 0, max = 100))]
    pub min_branch: Option<f64>,
    #[schemars(range(min = 0, max = 100))]
    pub min_function: Option<f64>,
}

/// Default of `min-changed-lines`, as SonarQube's quality gate.
pub const DEFAULT_MIN_CHANGED_LINES: u64 = 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Count {
    total: u64,
    covered: u64,
}

impl Count {
    fn add(&mut self, o: Count) {
        self.total += o.total;
        self.covered += o.covered;
    }
    fn percent(self) -> Option<f64> {
        threshold::percent(self.covered, self.total)
    }
    /// `covered/total < threshold%`, exactly (no rounding of the ratio).
    fn below(self, threshold: f64) -> bool {
        threshold::below_percent(self.covered, self.total, threshold)
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Totals {
    lines: Count,
    branches: Count,
    functions: Count,
}

impl Totals {
    fn add_file(&mut self, f: &CoverageFile) {
        self.lines.add(file_lines(f));
        for b in &f.branches {
            self.branches.add(Count {
                total: u64::from(b.total),
                covered: u64::from(b.covered),
            });
        }
        self.functions.add(Count {
            total: f.functions.len() as u64,
            covered: f.functions.iter().filter(|x| x.hits > 0).count() as u64,
        });
    }
}

fn file_lines(f: &CoverageFile) -> Count {
    Count {
        total: f.lines.len() as u64,
        covered: f.lines.iter().filter(|l| l.hits > 0).count() as u64,
    }
}

fn included(path: &str, p: &Params) -> bool {
    (p.include.is_empty() || p.include.iter().any(|g| glob::matches(g, path)))
        && !p.exclude.iter().any(|g| glob::matches(g, path))
}

impl Totals {
    fn add(&mut self, o: Totals) {
        self.lines.add(o.lines);
        self.branches.add(o.branches);
        self.functions.add(o.functions);
    }
}

/// The reports of one role read once: their files are a stream, and
/// nothing is kept per file unless a condition needs it.
#[derive(Debug, Default)]
struct Summary {
    /// Totals over the files that pass include/exclude.
    totals: Totals,
    /// Line counts per included file, by path; only with `min-file-line`.
    /// (The host merges the reports of a role into one, so a path comes
    /// once; adding guards against several reports all the same.)
    per_file: BTreeMap<String, Count>,
    /// Totals per `scopes` entry, in order.
    scopes: Vec<Totals>,
    /// Included files the diff changes: hits per line, summed over reports.
    changed: BTreeMap<String, BTreeMap<u32, u64>>,
    /// Files in the reports, and how many of them are included.
    in_reports: usize,
    included: usize,
    /// Per `include` and `exclude` glob: whether it matches any file.
    include_used: Vec<bool>,
    exclude_used: Vec<bool>,
}

fn summarize(
    reports: &[&CoverageReport],
    p: &Params,
    scopes: &[Scope],
    changes: Option<&[ChangedFile]>,
) -> Summary {
    let changed: std::collections::BTreeSet<&str> = changes
        .unwrap_or(&[])
        .iter()
        .filter(|c| !c.lines.is_empty())
        .map(|c| c.path.as_str())
        .collect();
    let mut s = Summary {
        scopes: vec![Totals::default(); scopes.len()],
        include_used: vec![false; p.include.len()],
        exclude_used: vec![false; p.exclude.len()],
        ..Summary::default()
    };
    for f in reports.iter().flat_map(|r| r.files.iter()) {
        s.in_reports += 1;
        for (g, used) in p.include.iter().zip(&mut s.include_used) {
            *used = *used || glob::matches(g, &f.path);
        }
        for (g, used) in p.exclude.iter().zip(&mut s.exclude_used) {
            *used = *used || glob::matches(g, &f.path);
        }
        if !included(&f.path, p) {
            continue;
        }
        s.included += 1;
        let mut t = Totals::default();
        t.add_file(&f);
        s.totals.add(t);
        for (scope, st) in scopes.iter().zip(&mut s.scopes) {
            if scope.paths.iter().any(|g| glob::matches(g, &f.path)) {
                st.add(t);
            }
        }
        if p.min_file_line.is_some() {
            s.per_file.entry(f.path.clone()).or_default().add(t.lines);
        }
        if changed.contains(f.path.as_str()) {
            let hits = s.changed.entry(f.path.clone()).or_default();
            for l in &f.lines {
                *hits.entry(l.line).or_default() += l.hits;
            }
        }
    }
    s
}

struct Judgement {
    verdict: Verdict,
    failed: Vec<String>,
    skipped: Vec<String>,
    checked: usize,
}

impl Judgement {
    /// Records `value` held to `>= threshold` (if any) as a metric, and a
    /// blocking finding when it fails.
    fn condition(
        &mut self,
        metric: &str,
        what: &str,
        count: Count,
        threshold: Option<f64>,
        rule: &str,
    ) {
        let Some(pct) = count.percent() else {
            if let Some(t) = threshold {
                // A threshold on something the reports do not measure cannot
                // be met: say so and fail rather than pass silently.
                self.failed.push(format!("no {what} data"));
                self.verdict.findings.push(
                    Finding::new(rule, Severity::High, format!("a minimum of {t}% {what} coverage is set but the reports contain no {what} data"))
                        .remediation(format!("produce {what} coverage or remove the threshold"))
                        .blocking(true),
                );
            }
            return;
        };
        let mut m = Metric::new(metric, round2(pct)).unit("%");
        if let Some(t) = threshold {
            self.checked += 1;
            m = m.condition(Comparator::Ge, t);
            if count.below(t) {
                self.failed.push(format!("{what} {pct:.2}% < {t}%"));
                self.verdict.findings.push(
                    Finding::new(
                        rule,
                        Severity::High,
                        format!(
                            "{what} coverage is {pct:.2}% ({} of {}), below the minimum {t}%",
                            count.covered, count.total
                        ),
                    )
                    .remediation(format!("add tests that exercise the uncovered {what}s"))
                    .blocking(true),
                );
            }
        }
        self.verdict.metrics.push(m);
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// What the schema cannot say: every glob can match as written, and scope
/// names are distinct (they name metrics).
pub fn validate(p: &Params) -> Result<(), PolicyError> {
    glob::check_all("/include", &p.include)?;
    glob::check_all("/exclude", &p.exclude)?;
    for (s, scope) in p.scopes.iter().enumerate() {
        glob::check_all(&format!("/scopes/{s}/paths"), &scope.paths)?;
        if scope.paths.is_empty() {
            return Err(params::invalid(
                &format!("/scopes/{s}/paths"),
                format!(
                    "scope `{}` has no path globs, so it selects nothing",
                    scope.name
                ),
            ));
        }
        if p.scopes.iter().take(s).any(|o| o.name == scope.name) {
            return Err(params::invalid(
                &format!("/scopes/{s}/name"),
                format!("scope name `{}` is used twice", scope.name),
            ));
        }
    }
    Ok(())
}

/// Whether any condition is configured (a policy with none only reports).
fn has_conditions(p: &Params) -> bool {
    p.min_line.is_some()
        || p.min_branch.is_some()
        || p.min_function.is_some()
        || p.min_file_line.is_some()
        || p.min_patch.is_some()
        || p.max_drop.is_some()
        || p.scopes
            .iter()
            .any(|s| s.min_line.is_some() || s.min_branch.is_some() || s.min_function.is_some())
}

/// Include and exclude globs that match no file of the reports: a typo in
/// `include` quietly narrows what is judged, so it is a warning; an unused
/// `exclude` cannot make the gate pass on anything, so it is only noted.
fn unused_globs(s: &Summary, p: &Params) -> Vec<Finding> {
    let mut out = Vec::new();
    for (key, globs, used, severity) in [
        ("include", &p.include, &s.include_used, Severity::Low),
        ("exclude", &p.exclude, &s.exclude_used, Severity::Info),
    ] {
        for (g, used) in globs.iter().zip(used) {
            if !used {
                out.push(
                    Finding::new(
                        "coverage/unused-glob",
                        severity,
                        format!("{key} glob `{g}` matches no file of the coverage reports"),
                    )
                    .remediation(format!(
                        "fix the glob or remove it from `{key}` (paths are repository-relative, e.g. src/**)"
                    )),
                );
            }
        }
    }
    out
}

/// Judges the current reports (and the baseline, and the changed lines).
pub fn judge(
    current: &[&CoverageReport],
    baseline: &[&CoverageReport],
    changes: Option<&[ChangedFile]>,
    p: &Params,
) -> Result<Verdict, PolicyError> {
    validate(p)?;
    if p.max_drop.is_some() && baseline.is_empty() {
        return Err(PolicyError::UnsupportedInput(
            "max-drop needs the base branch's coverage report: add it as an artifact with role = \"baseline\" (or --baseline PATH)".into(),
        ));
    }
    if p.min_patch.is_some() && changes.is_none() {
        return Err(PolicyError::UnsupportedInput(
            "min-patch needs the change's diff: run gate with --diff FILE or --base REF".into(),
        ));
    }
    let cur = summarize(current, p, &p.scopes, changes);
    let totals = cur.totals;
    let mut j = Judgement {
        verdict: Verdict::pass(""),
        failed: Vec::new(),
        skipped: Vec::new(),
        checked: 0,
    };
    if totals.lines.total == 0 {
        let in_reports = cur.in_reports;
        let filtered = cur.included < in_reports;
        let why = if filtered {
            format!(
                "include/exclude select no file with coverable lines among the {} of the coverage reports",
                gate_codes::wording::count(in_reports, "file", "files")
            )
        } else {
            "the coverage reports contain no coverable lines".to_string()
        };
        // With a threshold set, judging nothing must not read as a pass
        // (a skipped policy does not fail a run that has others).
        if has_conditions(p) {
            return Err(PolicyError::UnsupportedInput(format!(
                "{why}: nothing to hold the thresholds to"
            )));
        }
        return Ok(Verdict::skip(format!("{why} in the included files")));
    }

    j.condition(
        "line-coverage",
        "line",
        totals.lines,
        p.min_line,
        "coverage/line-threshold",
    );
    j.condition(
        "branch-coverage",
        "branch",
        totals.branches,
        p.min_branch,
        "coverage/branch-threshold",
    );
    j.condition(
        "function-coverage",
        "function",
        totals.functions,
        p.min_function,
        "coverage/function-threshold",
    );
    for (name, c) in [
        ("lines", totals.lines),
        ("branches", totals.branches),
        ("functions", totals.functions),
    ] {
        j.verdict
            .metrics
            .push(Metric::new(&format!("{name}-covered"), c.covered as f64).unit("count"));
        j.verdict
            .metrics
            .push(Metric::new(&format!("{name}-total"), c.total as f64).unit("count"));
    }

    // Per-file minimum.
    if let Some(t) = p.min_file_line {
        j.checked += 1;
        let mut below = 0;
        for (path, &c) in &cur.per_file {
            if c.total > 0 && c.below(t) {
                below += 1;
                let pct = c.percent().unwrap_or(0.0);
                j.verdict.findings.push(
                    Finding::new("coverage/file-threshold", Severity::Medium, format!("{path}: line coverage {pct:.2}% ({} of {}) is below the per-file minimum {t}%", c.covered, c.total))
                        .at(path, None)
                        .blocking(true),
                );
            }
        }
        j.verdict.metrics.push(
            Metric::new("files-below-minimum", below as f64)
                .unit("count")
                .condition(Comparator::Le, 0.0),
        );
        if below > 0 {
            j.failed.push(format!(
                "{} below {t}%",
                gate_codes::wording::count(below, "file", "files")
            ));
        }
    }

    // Named scopes.
    for (scope, &t) in p.scopes.iter().zip(&cur.scopes) {
        let key = |what: &str| format!("scope:{}:{what}-coverage", scope.name);
        let rule = |what: &str| format!("coverage/scope-{what}-threshold");
        if t.lines.total == 0 {
            if scope
                .min_line
                .or(scope.min_branch)
                .or(scope.min_function)
                .is_some()
            {
                j.failed
                    .push(format!("scope {} matches no covered file", scope.name));
                j.verdict.findings.push(
                    Finding::new(
                        "coverage/scope-empty",
                        Severity::High,
                        format!(
                            "scope `{}` ({}) matches no file of the coverage reports",
                            scope.name,
                            scope.paths.join(", ")
                        ),
                    )
                    .remediation("fix the scope's path globs")
                    .blocking(true),
                );
            }
            continue;
        }
        let (failed_before, findings_before) = (j.failed.len(), j.verdict.findings.len());
        j.condition(&key("line"), "line", t.lines, scope.min_line, &rule("line"));
        j.condition(
            &key("branch"),
            "branch",
            t.branches,
            scope.min_branch,
            &rule("branch"),
        );
        j.condition(
            &key("function"),
            "function",
            t.functions,
            scope.min_function,
            &rule("function"),
        );
        // Whatever the three conditions added belongs to this scope.
        for f in j.failed.iter_mut().skip(failed_before) {
            *f = format!("scope {}: {f}", scope.name);
        }
        for finding in j.verdict.findings.iter_mut().skip(findings_before) {
            finding.resource = Some(format!("scope:{}", scope.name));
        }
    }

    // Delta vs baseline, on exact ratios.
    if let Some(max_drop) = p.max_drop {
        let base = summarize(baseline, p, &[], None).totals.lines;
        let cur = totals.lines;
        match base.percent() {
            None => j
                .skipped
                .push("delta: the baseline report has no coverable lines".into()),
            Some(base_pct) => {
                j.checked += 1;
                let cur_pct = cur.percent().unwrap_or(0.0);
                // drop = base - cur in pp; compare c0/t0 - c1/t1 > max/100 exactly
                // in integers scaled by t0*t1.
                let lhs = (i128::from(base.covered) * i128::from(cur.total)
                    - i128::from(cur.covered) * i128::from(base.total))
                    * 100;
                let rhs = max_drop * base.total as f64 * cur.total as f64;
                let delta = cur_pct - base_pct;
                j.verdict.metrics.push(
                    Metric::new("line-coverage-delta", round2(delta))
                        .unit("pp")
                        .condition(Comparator::Ge, -max_drop),
                );
                j.verdict
                    .metrics
                    .push(Metric::new("baseline-line-coverage", round2(base_pct)).unit("%"));
                if lhs as f64 > rhs {
                    j.failed.push(format!(
                        "line coverage dropped {:.2} pp (max {max_drop})",
                        -delta
                    ));
                    j.verdict.findings.push(
                        Finding::new("coverage/delta", Severity::High, format!("line coverage dropped from {base_pct:.2}% to {cur_pct:.2}% ({:.2} pp), more than the allowed {max_drop} pp", -delta))
                            .remediation("cover the new code or the code whose tests were removed")
                            .blocking(true),
                    );
                }
            }
        }
    }

    // Patch coverage over the changed lines the reports consider coverable.
    if let Some(changes) = changes {
        patch(&mut j, &cur.changed, changes, p);
    }

    let unused = unused_globs(&cur, p);
    let warn = unused.iter().any(|f| f.severity != Severity::Info);
    j.verdict.findings.extend(unused);

    let line_pct = totals.lines.percent().unwrap_or(0.0);
    let v = &mut j.verdict;
    if j.failed.is_empty() {
        v.outcome = if warn { Outcome::Warn } else { Outcome::Pass };
        v.summary = match j.checked {
            0 if has_conditions(p) => {
                format!("line coverage {line_pct:.2}%; no condition could be checked")
            }
            0 => format!("line coverage {line_pct:.2}% (no thresholds set)"),
            n => format!("line coverage {line_pct:.2}%; all {n} conditions met"),
        };
        if warn {
            v.summary
                .push_str("; an include glob matches no file of the reports");
        }
    } else {
        v.outcome = Outcome::Fail;
        v.summary = format!("coverage gate failed: {}", j.failed.join("; "));
    }
    if !j.skipped.is_empty() {
        v.summary = format!("{} (skipped: {})", v.summary, j.skipped.join("; "));
    }
    Ok(j.verdict)
}

fn patch(
    j: &mut Judgement,
    files: &BTreeMap<String, BTreeMap<u32, u64>>,
    changes: &[ChangedFile],
    p: &Params,
) {
    let mut count = Count::default();
    let mut uncovered: Vec<(String, Vec<u32>)> = Vec::new();
    let (mut changed_files, mut in_reports) = (0usize, 0usize);
    for change in changes {
        if !included(&change.path, p) || change.lines.is_empty() {
            continue;
        }
        changed_files += 1;
        let Some(hits) = files.get(change.path.as_str()) else {
            continue;
        };
        in_reports += 1;
        let mut missing = Vec::new();
        for line in &change.lines {
            if let Some(h) = hits.get(line) {
                count.total += 1;
                if *h > 0 {
                    count.covered += 1;
                } else {
                    missing.push(*line);
                }
            }
        }
        if !missing.is_empty() {
            uncovered.push((change.path.clone(), missing));
        }
    }
    let min_lines = p.min_changed_lines.unwrap_or(DEFAULT_MIN_CHANGED_LINES);
    j.verdict
        .metrics
        .push(Metric::new("changed-coverable-lines", count.total as f64).unit("count"));
    let mut failing = false;
    match (p.min_patch, count.percent()) {
        (Some(t), _) if count.total < min_lines => {
            let absent = if changed_files > 0 && in_reports == 0 {
                format!(
                    "; none of the {} is in the coverage reports",
                    gate_codes::wording::count(changed_files, "changed file", "changed files")
                )
            } else if changed_files == 0 {
                "; the diff changes no line of an included file".to_string()
            } else {
                String::new()
            };
            j.skipped.push(format!(
                "patch coverage: {}, fewer than min-changed-lines {min_lines}{absent}",
                gate_codes::wording::count(
                    count.total,
                    "coverable changed line",
                    "coverable changed lines"
                )
            ));
            if let Some(pct) = count.percent() {
                j.verdict
                    .metrics
                    .push(Metric::new("patch-coverage", round2(pct)).unit("%"));
            }
            let _ = t;
        }
        (Some(t), Some(pct)) => {
            j.checked += 1;
            j.verdict.metrics.push(
                Metric::new("patch-coverage", round2(pct))
                    .unit("%")
                    .condition(Comparator::Ge, t),
            );
            if count.below(t) {
                failing = true;
                j.failed.push(format!("patch {pct:.2}% < {t}%"));
                j.verdict.findings.push(
                    Finding::new("coverage/patch-threshold", Severity::High, format!("patch coverage is {pct:.2}% ({} of {} changed lines), below the minimum {t}%", count.covered, count.total))
                        .remediation("add tests for the changed lines listed as uncovered")
                        .blocking(true),
                );
            }
        }
        (_, Some(pct)) => j
            .verdict
            .metrics
            .push(Metric::new("patch-coverage", round2(pct)).unit("%")),
        (_, None) => {}
    }
    // Uncovered changed lines as findings (ranges), so annotations land on the diff.
    for (path, lines) in uncovered {
        for (start, end) in ranges(&lines) {
            let what = if start == end {
                format!("line {start}")
            } else {
                format!("lines {start}-{end}")
            };
            let mut f = Finding::new(
                "coverage/uncovered-changed-line",
                Severity::Low,
                format!("changed {what} of {path} not covered by tests"),
            )
            .at(&path, Some(start))
            .blocking(failing);
            if let Some(loc) = f.location.as_mut() {
                loc.end_line = Some(end);
            }
            j.verdict.findings.push(f);
        }
    }
}

/// Consecutive runs of sorted line numbers.
fn ranges(lines: &[u32]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for &l in lines {
        match out.last_mut() {
            Some((_, end)) if end.checked_add(1) == Some(l) => *end = l,
            _ => out.push((l, l)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, lines: &[(u32, u64)], branches: &[(u32, u32, u32)]) -> CoverageFile {
        CoverageFile {
            path: path.into(),
            lines: lines
                .iter()
                .map(|(line, hits)| LineHit {
                    line: *line,
                    hits: *hits,
                })
                .collect(),
            branches: branches
                .iter()
                .map(|(line, covered, total)| BranchLine {
                    line: *line,
                    covered: *covered,
                    total: *total,
                })
                .collect(),
            functions: Vec::new(),
        }
    }

    fn report(files: Vec<CoverageFile>, role: ArtifactRole) -> CoverageReport {
        CoverageReport {
            meta: ArtifactMeta {
                path: "r".into(),
                format: "lcov".into(),
                sha256: String::new(),
                role,
            },
            totals: CoverageTotals {
                lines: Counter {
                    total: 0,
                    covered: 0,
                },
                branches: Counter {
                    total: 0,
                    covered: 0,
                },
                functions: Counter {
                    total: 0,
                    covered: 0,
                },
                statements: None,
            },
            files: files.into(),
        }
    }

    fn lines(n: u32, covered: u32) -> Vec<(u32, u64)> {
        (1..=n).map(|l| (l, u64::from(l <= covered))).collect()
    }

    fn params(json: &str) -> Params {
        params::parse(json).unwrap()
    }

    fn metric<'a>(v: &'a Verdict, name: &str) -> &'a Metric {
        v.metrics
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("no metric {name}"))
    }

    #[test]
    fn exact_ratio_not_rounded_percentage() {
        let r = report(
            vec![file("a.rs", &lines(10000, 7999), &[])],
            ArtifactRole::Current,
        );
        let v = judge(&[&r], &[], None, &params(r#"{"min-line": 80}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(metric(&v, "line-coverage").value, 79.99);
        let r = report(
            vec![file("a.rs", &lines(10, 8), &[])],
            ArtifactRole::Current,
        );
        let v = judge(&[&r], &[], None, &params(r#"{"min-line": 80}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
        let m = metric(&v, "line-coverage");
        assert_eq!(
            (m.value, m.threshold, m.comparator),
            (80.0, Some(80.0), Some(Comparator::Ge))
        );
    }

    #[test]
    fn branch_threshold_and_missing_branch_data() {
        let r = report(
            vec![file("a.rs", &lines(4, 4), &[(1, 1, 2), (2, 2, 2)])],
            ArtifactRole::Current,
        );
        let v = judge(&[&r], &[], None, &params(r#"{"min-branch": 80}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(metric(&v, "branch-coverage").value, 75.0);
        let r = report(vec![file("a.rs", &lines(4, 4), &[])], ArtifactRole::Current);
        let v = judge(&[&r], &[], None, &params(r#"{"min-branch": 10}"#)).unwrap();
        assert_eq!(
            v.outcome,
            Outcome::Fail,
            "a threshold without data never passes"
        );
    }

    #[test]
    fn include_exclude_per_file_and_scopes() {
        let r = report(
            vec![
                file("src/core/a.rs", &lines(10, 9), &[]),
                file("src/ui/b.rs", &lines(10, 3), &[]),
                file("generated/c.rs", &lines(10, 0), &[]),
            ],
            ArtifactRole::Current,
        );
        let p = params(
            r#"{"exclude": ["generated/**"], "min-line": 60, "min-file-line": 50,
            "scopes": [{"name": "core", "paths": ["src/core/**"], "min-line": 90},
                       {"name": "ui", "paths": ["src/ui/**"], "min-line": 40}]}"#,
        );
        let v = judge(&[&r], &[], None, &p).unwrap();
        // 12/20 = 60% overall passes; ui file 30% < 50% per file; ui scope 30% < 40%.
        assert_eq!(metric(&v, "line-coverage").value, 60.0);
        assert_eq!(metric(&v, "scope:core:line-coverage").value, 90.0);
        assert_eq!(v.outcome, Outcome::Fail);
        let rules: Vec<&str> = v.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(
            rules,
            ["coverage/file-threshold", "coverage/scope-line-threshold"]
        );
        assert_eq!(v.findings[0].location.as_ref().unwrap().path, "src/ui/b.rs");
        assert_eq!(v.findings[1].resource.as_deref(), Some("scope:ui"));
        assert!(
            v.summary.contains("scope ui: line 30.00% < 40%"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn patch_coverage_counts_only_coverable_changed_lines() {
        let r = report(
            vec![file(
                "a.rs",
                &[(1, 1), (2, 0), (3, 0), (4, 5), (10, 1)],
                &[],
            )],
            ArtifactRole::Current,
        );
        // Lines 5..9 changed but not coverable (comments); 1..4 coverable.
        let changes = vec![
            ChangedFile {
                path: "a.rs".into(),
                lines: (1..=9).collect(),
            },
            ChangedFile {
                path: "README.md".into(),
                lines: vec![1],
            },
        ];
        let v = judge(
            &[&r],
            &[],
            Some(&changes),
            &params(r#"{"min-patch": 75, "min-changed-lines": 1}"#),
        )
        .unwrap();
        assert_eq!(metric(&v, "changed-coverable-lines").value, 4.0);
        assert_eq!(metric(&v, "patch-coverage").value, 50.0);
        assert_eq!(v.outcome, Outcome::Fail);
        let unc: Vec<_> = v
            .findings
            .iter()
            .filter(|f| f.rule == "coverage/uncovered-changed-line")
            .collect();
        assert_eq!(unc.len(), 1);
        let loc = unc[0].location.as_ref().unwrap();
        assert_eq!((loc.line, loc.end_line), (Some(2), Some(3)));
        assert!(unc[0].blocking);
    }

    #[test]
    fn patch_below_min_changed_lines_is_skipped_and_says_so() {
        let r = report(
            vec![file("a.rs", &lines(10, 1), &[])],
            ArtifactRole::Current,
        );
        let changes = vec![ChangedFile {
            path: "a.rs".into(),
            lines: vec![2, 3],
        }];
        let v = judge(&[&r], &[], Some(&changes), &params(r#"{"min-patch": 90}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
        assert!(
            v.summary.contains("fewer than min-changed-lines 20"),
            "{}",
            v.summary
        );
    }

    #[test]
    fn patch_without_diff_is_an_error_not_a_pass() {
        let r = report(
            vec![file("a.rs", &lines(10, 10), &[])],
            ArtifactRole::Current,
        );
        assert!(judge(&[&r], &[], None, &params(r#"{"min-patch": 80}"#)).is_err());
        assert!(judge(&[&r], &[], None, &params(r#"{"max-drop": 1}"#)).is_err());
    }

    #[test]
    fn delta_against_baseline_uses_exact_ratios() {
        let base = report(
            vec![file("a.rs", &lines(3, 2), &[])],
            ArtifactRole::Baseline,
        ); // 66.666..%
        let cur = report(
            vec![file("a.rs", &lines(100, 66), &[])],
            ArtifactRole::Current,
        ); // 66%
        // drop = 0.6667 pp: fails max-drop 0.66 but passes 0.67
        let v = judge(&[&cur], &[&base], None, &params(r#"{"max-drop": 0.66}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(metric(&v, "line-coverage-delta").value, -0.67);
        let v = judge(&[&cur], &[&base], None, &params(r#"{"max-drop": 0.67}"#)).unwrap();
        assert_eq!(v.outcome, Outcome::Pass);
    }

    #[test]
    fn empty_reports_skip() {
        let r = report(vec![], ArtifactRole::Current);
        assert_eq!(
            judge(&[&r], &[], None, &Params::default()).unwrap().outcome,
            Outcome::Skip
        );
    }
}
