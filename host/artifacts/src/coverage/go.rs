//! Go coverprofiles (`go test -coverprofile`, modes `set`, `count`,
//! `atomic`).
//!
//! A block is `file:startLine.startCol,endLine.endCol numStmts count`.
//! Profiles merged with `-coverpkg` repeat blocks: identical blocks are
//! combined (max for `set`, sum for `count`/`atomic`). Go counts statements,
//! so each file gets statement totals — the percentage `go tool cover -func`
//! prints — and lines: every line of a block, hit when any block covering
//! it ran (gcov2lcov's semantics). The module path from `go.mod` is stripped
//! so paths are repository-relative.

use crate::error::ParseCode;
use crate::model::{Counter, CoverageReport, FileCoverage, LineMap};
use crate::{ParseContext, ParseError, Position};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BinaryHeap};

pub fn sniff(text: &str) -> bool {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.trim_start().starts_with("mode: "))
}

type Block = (u32, u32, u32, u32);

/// `file` relative to the module `m` (`github.com/x/y` or with a final
/// `/`), only on a path boundary: `github.com/x/yz/a.go` is not in
/// `github.com/x/y`.
fn strip_module<'a>(file: &'a str, m: &str) -> Option<&'a str> {
    let m = m.trim().trim_end_matches('/');
    if m.is_empty() {
        return None;
    }
    file.strip_prefix(m)?.strip_prefix('/')
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let mode = match lines.next() {
        Some((_, l)) => l.trim().strip_prefix("mode: ").unwrap_or("").trim(),
        None => return Err(cx.error(ParseCode::EmptyFile, None, "file is empty")),
    };
    if !matches!(mode, "set" | "count" | "atomic") {
        return Err(cx.error(
            ParseCode::InvalidGoCover,
            Some(Position::Line(1)),
            format!("unknown mode `{mode}`"),
        ));
    }
    let set = mode == "set";
    // file → block → (statements, count, profile line); file names borrow
    // the text so a block costs no allocation of its own.
    let mut blocks: BTreeMap<&str, BTreeMap<Block, (u64, u64, u32)>> = BTreeMap::new();
    // Statements of all distinct blocks: a sum past u64 means the counts are
    // not real, so it is an input error rather than a saturated total.
    let mut statements: u64 = 0;
    for (idx, raw) in lines {
        let n = u32::try_from(idx.saturating_add(1)).unwrap_or(u32::MAX);
        let line = raw.trim();
        let bad = |m: String| {
            ParseError::new(
                cx.name,
                ParseCode::InvalidGoCover,
                Some(Position::Line(n)),
                m,
            )
        };
        if line.starts_with("mode: ") {
            // Concatenated profiles repeat the header.
            continue;
        }
        let (file, rest) = line
            .rsplit_once(':')
            .ok_or_else(|| bad(format!("`{line}` is not file:block stmts count")))?;
        if file.trim().is_empty() {
            return Err(bad(format!("`{line}` has an empty file name")));
        }
        let mut parts = rest.split_whitespace();
        let (range, stmts, count) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(r), Some(s), Some(c), None) => (r, s, c),
            _ => return Err(bad(format!("`{line}` is not file:block stmts count"))),
        };
        let pos = |s: &str| -> Option<(u32, u32)> {
            let (l, c) = s.split_once('.')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        };
        let (a, b) = range
            .split_once(',')
            .ok_or_else(|| bad(format!("bad block `{range}`")))?;
        let ((sl, sc), (el, ec)) = match (pos(a), pos(b)) {
            // Lines are 1-based: a block at line 0 is not a real block.
            (Some(x), Some(y)) if x.0 >= 1 && x.0 <= y.0 => (x, y),
            _ => return Err(bad(format!("bad block `{range}`"))),
        };
        let stmts: u64 = stmts
            .parse()
            .map_err(|_| bad(format!("bad statement count `{stmts}`")))?;
        let count: u64 = count
            .parse()
            .map_err(|_| bad(format!("bad hit count `{count}`")))?;
        match blocks.entry(file).or_default().entry((sl, sc, el, ec)) {
            Entry::Vacant(v) => {
                statements = statements.checked_add(stmts).ok_or_else(|| {
                    bad(format!(
                        "statement count `{stmts}` makes the profile's total exceed {}",
                        u64::MAX
                    ))
                })?;
                v.insert((stmts, count, n));
            }
            // A repeated block (merged `-coverpkg` profiles): its hits
            // combine; a count past u64 saturates (it still reads as "ran").
            Entry::Occupied(mut o) => {
                let e = o.get_mut();
                e.1 = if set {
                    e.1.max(count)
                } else {
                    e.1.saturating_add(count)
                };
            }
        }
    }
    let module = cx.options.go_module.clone();
    let mut budget = super::line_budget(text.len());
    let mut files = Vec::new();
    for (file, blocks) in blocks {
        let rel = module
            .as_deref()
            .and_then(|m| strip_module(file, m))
            .unwrap_or(file);
        let mut f = FileCoverage::new(cx.path(rel));
        let mut st = Counter::default();
        let mut spans = Vec::new();
        for ((sl, _, el, _), (stmts, count, at)) in blocks {
            // Bounded by `statements`, which did not overflow.
            st.total = st.total.saturating_add(stmts);
            if count > 0 {
                st.covered = st.covered.saturating_add(stmts);
            }
            spans.push((sl, el, count, at));
        }
        f.lines = line_hits(spans, &mut budget).map_err(|at| {
            cx.error(
                ParseCode::CoverageTooLarge,
                Some(Position::Line(at)),
                format!(
                    "the blocks cover more lines than {} profile can describe (at most {} in all)",
                    gate_codes::wording::a(&format!("{}-byte", text.len())),
                    super::line_budget(text.len())
                ),
            )
        })?;
        f.statements = Some(st);
        files.push(f);
    }
    Ok(CoverageReport { files })
}

/// Line hits of one file from its blocks `(first, last, count, profile
/// line)`, sorted by first line: every line of a block, with the largest
/// count of the blocks covering it. A sweep over the blocks, so the work is
/// the blocks plus the lines produced, never the lines a block claims to
/// span beyond `budget` (lines left for the whole profile); `Err` is the
/// profile line of the block that went over it.
fn line_hits(spans: Vec<(u32, u32, u64, u32)>, budget: &mut usize) -> Result<LineMap<u64>, u32> {
    // Lines come out in order: collected first, the map is built with full
    // nodes (inserting one by one leaves them about half empty).
    let mut out = Vec::new();
    let mut pending = spans.into_iter().peekable();
    // Open blocks, largest count on top: (count, last line, profile line).
    let mut open: BinaryHeap<(u64, u32, u32)> = BinaryHeap::new();
    let mut line: u32 = 0;
    loop {
        while open.peek().is_some_and(|top| top.1 < line) {
            open.pop();
        }
        if open.is_empty() {
            match pending.peek() {
                Some(next) => line = line.max(next.0),
                None => break,
            }
        }
        while let Some((_, last, count, at)) = pending.next_if(|s| s.0 <= line) {
            open.push((count, last, at));
        }
        while open.peek().is_some_and(|top| top.1 < line) {
            open.pop();
        }
        let Some(&(count, _, at)) = open.peek() else {
            continue;
        };
        *budget = budget.checked_sub(1).ok_or(at)?;
        out.push((line, count));
        match line.checked_add(1) {
            Some(next) => line = next,
            None => break,
        }
    }
    Ok(out.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;

    fn run(text: &str, module: Option<&str>) -> CoverageReport {
        let o = ParseOptions {
            root: None,
            go_module: module.map(str::to_string),
        };
        let mut cx = ParseContext::new("cover.out", &o);
        parse(text, &mut cx).unwrap()
    }

    #[test]
    fn module_prefix_is_stripped_on_a_path_boundary() {
        let t = "mode: set\ngithub.com/x/y/a.go:1.1,1.5 1 1\ngithub.com/x/yz/b.go:1.1,1.5 1 0\n";
        for m in ["github.com/x/y", "github.com/x/y/"] {
            let paths: Vec<String> = run(t, Some(m)).files.into_iter().map(|f| f.path).collect();
            assert_eq!(paths, ["a.go", "github.com/x/yz/b.go"]);
        }
    }

    #[test]
    fn statements_weight_the_percentage_and_lines_take_the_max() {
        // Two overlapping blocks on line 2: one ran, one did not.
        let r = run("mode: count\na.go:1.1,2.10 3 0\na.go:2.10,4.2 1 7\n", None);
        let f = &r.files[0];
        assert_eq!(
            f.statements,
            Some(Counter {
                total: 4,
                covered: 1
            })
        );
        let lines: Vec<(u32, u64)> = f.lines.iter().map(|(l, h)| (*l, *h)).collect();
        assert_eq!(lines, [(1, 0), (2, 7), (3, 7), (4, 7)]);
    }

    #[test]
    fn malformed_blocks_name_the_line() {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("cover.out", &o);
        let e = parse("mode: set\na.go:1.1,2.2 1\n", &mut cx).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position),
            ("invalid-go-cover", Some(Position::Line(2)))
        );
        let e = parse("mode: nope\n", &mut cx).unwrap_err();
        assert_eq!(e.code.as_str(), "invalid-go-cover");
    }
}
