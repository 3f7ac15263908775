//! coverage.py JSON reports (`coverage json`, format 3).
//!
//! `percent_covered` mixes statements and branches when branch coverage is
//! on; gate reports lines (executed + missing statements) and branches
//! (executed + missing arcs, per source line) separately and computes both
//! itself.

use crate::model::{Counter, CoverageReport, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

pub fn sniff(v: &Value) -> bool {
    v.get("meta").and_then(|m| m.get("format")).is_some()
        && v.get("files").is_some_and(Value::is_object)
}

fn nums(v: Option<&Value>) -> impl Iterator<Item = u32> + '_ {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_u64().and_then(|n| u32::try_from(n).ok()))
}

fn arcs(v: Option<&Value>) -> impl Iterator<Item = u32> + '_ {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|a| a.as_array()?.first()?.as_i64())
        .filter_map(|from| u32::try_from(from).ok())
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    if let Some(fmt) = v
        .get("meta")
        .and_then(|m| m.get("format"))
        .and_then(Value::as_u64)
        && fmt != 3
    {
        return Err(cx.error(
            "unsupported-version",
            Some(Position::Pointer("/meta/format".into())),
            format!("coverage.py json format {fmt} is not supported; gate reads format 3"),
        ));
    }
    let Some(map) = v.get("files").and_then(Value::as_object) else {
        return Err(cx.error(
            "invalid-coveragepy",
            Some(Position::Pointer("/files".into())),
            "`files` must be an object",
        ));
    };
    let mut files = Vec::new();
    // Files whose executed/missing lines disagree with coverage.py's own
    // statement counts, and both sums over them.
    let mut differ: Vec<String> = Vec::new();
    let (mut said, mut got) = (Counter::default(), Counter::default());
    for (path, d) in map {
        let mut f = FileCoverage::new(cx.path(path));
        for l in nums(d.get("executed_lines")) {
            f.lines.insert(l, 1);
        }
        for l in nums(d.get("missing_lines")) {
            f.lines.entry(l).or_insert(0);
        }
        // Excluded lines (`# pragma: no cover`) are never coverable.
        for l in nums(d.get("excluded_lines")) {
            f.lines.remove(&l);
        }
        for from in arcs(d.get("executed_branches")) {
            let b = f.branches.entry(from).or_default();
            b.total = b.total.saturating_add(1);
            b.covered = b.covered.saturating_add(1);
        }
        for from in arcs(d.get("missing_branches")) {
            let b = f.branches.entry(from).or_default();
            b.total = b.total.saturating_add(1);
        }
        for (name, func) in d
            .get("functions")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if name.is_empty() {
                continue; // module-level code, not a function
            }
            let first = nums(func.get("executed_lines"))
                .chain(nums(func.get("missing_lines")))
                .min();
            let hit = nums(func.get("executed_lines")).next().is_some();
            f.functions.push(FunctionCoverage {
                name: name.clone(),
                line: first.unwrap_or(0),
                hits: u64::from(hit),
            });
        }
        f.functions.sort();
        // coverage.py's JSON lists no statements; its `executed_lines` can
        // include non-statement lines (docstrings) that its own summary does
        // not count. Say so (once per report) with its figures rather than
        // guess which lines they are.
        let st = f.line_counter();
        let summary = d.get("summary");
        let num = |k: &str| summary.and_then(|s| s.get(k)).and_then(Value::as_u64);
        if let (Some(stmts), Some(covered)) = (num("num_statements"), num("covered_lines"))
            && (stmts, covered) != (st.total, st.covered)
        {
            differ.push(f.path.clone());
            said.add(Counter {
                total: stmts,
                covered,
            });
            got.add(st);
        }
        f.statements = num("num_statements")
            .zip(num("covered_lines"))
            .map(|(total, covered)| Counter { total, covered });
        files.push(f);
    }
    if let Some(first) = differ.first() {
        cx.warn(
            "coveragepy-summary-mismatch",
            format!(
                "in {} file(s) (first: {first}) `executed_lines` include lines coverage.py does not count as statements (docstrings): it counts {} of {} statements there, the lines give {} of {}; line totals use the lines, statement totals coverage.py's counts",
                differ.len(),
                said.covered,
                said.total,
                got.covered,
                got.total
            ),
        );
    }
    Ok(CoverageReport { files })
}
