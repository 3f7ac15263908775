//! TAP 13/14 (as node's `--test-reporter=tap` writes it, and the
//! indented subtests of TAP 14).
//!
//! Every test point is a case, except a test point whose YAML block says
//! `type: 'suite'` (node's `describe`), which is a suite of the test points
//! indented under it. A test with subtests is a case, and its subtests are
//! the cases of a suite named after it (node counts both). `# SKIP` is
//! skipped, `# TODO` skipped and todo (whether `ok` or not: a todo test
//! may fail), `not ok` failed, `ok` passed. A suite that is `not ok` with
//! no failing test under it (a failing hook) is an errored case
//! `[suite failed]`. The YAML block gives the duration (`duration_ms`),
//! the test's location (`location: 'file:line:col'`) and the message
//! (`error`, `message`). `Bail out!` is an errored case and a warning.
//!
//! Plans are checked: a plan that disagrees with the test points it
//! covers is `tap-plan-mismatch` at the plan's line; a document without
//! a top-level plan, or with subtests that never got their test point,
//! was cut short (`truncated-tap`).

use super::{Builder, Declared, millis};
use crate::error::{ParseCode, WarningCode};
use crate::model::{TestCase, TestReport, TestStatus, TestSuite};
use crate::{ParseContext, ParseError, Position};

/// Deepest nesting of subtests read (indentation is input-sized; the
/// emitting walk is not).
const MAX_DEPTH: usize = 64;

pub fn sniff(text: &str) -> bool {
    let Some(first) = text
        .lines()
        .map(str::trim_end)
        .find(|l| !l.trim().is_empty())
    else {
        return false;
    };
    let first = first.trim_start();
    first.starts_with("TAP version ")
        || plan(first).is_some()
        || (first.starts_with("ok ") || first == "ok" || first.starts_with("not ok"))
            && text.lines().any(|l| plan(l.trim()).is_some())
}

/// `1..N` (with an optional `# reason`) → N.
fn plan(line: &str) -> Option<u64> {
    let rest = line.strip_prefix("1..")?;
    let digits = rest.split_once('#').map_or(rest, |(a, _)| a).trim();
    digits.parse().ok()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Directive {
    None,
    Skip,
    Todo,
}

#[derive(Default)]
struct Node {
    name: String,
    ok: bool,
    directive: Option<Directive>,
    duration_ms: Option<f64>,
    suite: bool,
    message: Option<String>,
    location: Option<(String, Option<u32>)>,
    children: Vec<usize>,
    /// A `Bail out!`: the run stopped there.
    bail: bool,
}

/// Test points at one depth since their parent's last test point.
struct Group {
    level: usize,
    items: Vec<usize>,
    plan: Option<(u64, u32)>,
}

/// `ok 3 - name # SKIP why` → (ok, name, directive, reason).
fn test_point(line: &str) -> Option<(bool, String, Directive, String)> {
    let (ok, rest) = if let Some(r) = line.strip_prefix("not ok") {
        (false, r)
    } else {
        (true, line.strip_prefix("ok")?)
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("- ").unwrap_or(rest);
    // The directive: the first unescaped `#` followed by SKIP or TODO.
    let mut desc = String::new();
    let mut directive = Directive::None;
    let mut reason = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, n)) = chars.next() {
                    if !matches!(n, '#' | '\\') {
                        desc.push('\\');
                    }
                    desc.push(n);
                }
            }
            '#' => {
                let after = rest
                    .get(i.saturating_add(1)..)
                    .unwrap_or_default()
                    .trim_start();
                let word: String = after.chars().take(4).collect();
                let d = match word.to_ascii_lowercase().as_str() {
                    "skip" => Directive::Skip,
                    "todo" => Directive::Todo,
                    _ => Directive::None,
                };
                if d == Directive::None {
                    desc.push('#');
                    continue;
                }
                directive = d;
                reason = after
                    .get(4..)
                    .unwrap_or_default()
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == ':')
                    .trim()
                    .to_owned();
                break;
            }
            c => desc.push(c),
        }
    }
    Some((ok, desc.trim().to_owned(), directive, reason))
}

/// A YAML scalar as node writes it: `'it''s'`, `"x"` or plain.
fn scalar(v: &str) -> String {
    let v = v.trim();
    if let Some(s) = v.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return s.replace("''", "'");
    }
    if let Some(s) = v.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return s.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    v.to_owned()
}

/// `path:line:col` or `path:line`.
fn location(v: &str) -> (String, Option<u32>) {
    let mut parts = v.rsplitn(3, ':');
    let last = parts.next().unwrap_or_default();
    let mid = parts.next();
    let head = parts.next();
    match (head, mid.map(str::parse::<u32>), last.parse::<u32>()) {
        (Some(path), Some(Ok(line)), Ok(_)) => (path.to_owned(), Some(line)),
        _ => match (mid, last.parse::<u32>()) {
            (Some(_), Ok(line)) => {
                let path = v.rsplit_once(':').map_or(v, |(p, _)| p);
                (path.to_owned(), Some(line))
            }
            _ => (v.to_owned(), None),
        },
    }
}

/// Reads a YAML diagnostic block's lines (keys at `indent`) into `node`.
fn diagnostics(lines: &[&str], indent: usize, node: &mut Node) {
    let mut i = 0;
    let mut message: Option<String> = None;
    while let Some(line) = lines.get(i) {
        i = i.saturating_add(1);
        let own = line.len().saturating_sub(line.trim_start().len());
        if own != indent {
            continue;
        }
        let Some((key, value)) = line.trim().split_once(':') else {
            continue;
        };
        let value = value.trim();
        match key {
            "duration_ms" => node.duration_ms = value.parse().ok(),
            "type" => node.suite = scalar(value) == "suite",
            "location" => node.location = Some(location(&scalar(value))),
            "error" | "message" if message.is_none() || key == "error" => {
                if matches!(value, "|" | "|-" | "|+" | ">" | ">-" | ">+") {
                    let mut text = String::new();
                    while let Some(l) = lines.get(i) {
                        let li = l.len().saturating_sub(l.trim_start().len());
                        if !l.trim().is_empty() && li <= indent {
                            break;
                        }
                        if text.len() <= TestReport::MESSAGE_LIMIT {
                            text.push_str(
                                l.get(indent.saturating_add(2)..).unwrap_or("").trim_end(),
                            );
                            text.push('\n');
                        }
                        i = i.saturating_add(1);
                    }
                    message = Some(text);
                } else {
                    message = Some(scalar(value));
                }
            }
            _ => {}
        }
    }
    node.message = message;
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<TestReport, ParseError> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut declared = Declared::default();
    let mut todo_declared: Option<u64> = None;
    let mut bailed = false;
    // Lines read one at a time (a YAML block is gathered while read).
    let mut lines = text.lines().enumerate();
    let mut count: usize = 0;
    let mut block: Vec<&str> = Vec::new();
    // The last test point and its indentation, for its YAML block.
    let mut last: Option<(usize, usize)> = None;
    while let Some((i, raw)) = lines.next() {
        count = i.saturating_add(1);
        let n = u32::try_from(count).unwrap_or(u32::MAX);
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        let indent = line.len().saturating_sub(trimmed.len());
        if trimmed == "---"
            && let Some((node, at)) = last
            && indent >= at
        {
            block.clear();
            let mut closed = false;
            for (j, l) in lines.by_ref() {
                count = j.saturating_add(1);
                if l.trim() == "..." {
                    closed = true;
                    break;
                }
                block.push(l);
            }
            if !closed {
                return Err(cx.error(
                    ParseCode::TruncatedTap,
                    Some(Position::Line(n)),
                    "a yaml block is not closed with `...`",
                ));
            }
            if let Some(nd) = nodes.get_mut(node) {
                diagnostics(&block, indent, nd);
            }
            last = None;
            continue;
        }
        last = None;
        let level = indent / 4;
        let tap_line = trimmed.starts_with("Bail out!")
            || plan(trimmed).is_some()
            || test_point(trimmed).is_some();
        if tap_line && level > MAX_DEPTH {
            return Err(cx.error(
                ParseCode::InvalidTap,
                Some(Position::Line(n)),
                format!("subtests nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        if let Some(reason) = trimmed.strip_prefix("Bail out!") {
            let reason = reason.trim();
            cx.warn(
                WarningCode::TapBailOut,
                format!("the run bailed out at line {n}: {reason}"),
            );
            let node = nodes.len();
            nodes.push(Node {
                name: format!("Bail out! {reason}").trim().to_owned(),
                ok: false,
                directive: Some(Directive::None),
                bail: true,
                ..Default::default()
            });
            if let Some(g) = group(&mut groups, level) {
                g.items.push(node);
            }
            bailed = true;
            break;
        }
        if let Some(count) = plan(trimmed) {
            if let Some(g) = group(&mut groups, level) {
                if g.plan.is_some() {
                    return Err(cx.error(
                        ParseCode::InvalidTap,
                        Some(Position::Line(n)),
                        "a second plan at this level",
                    ));
                }
                g.plan = Some((count, n));
            }
            continue;
        }
        if let Some((ok, name, directive, reason)) = test_point(trimmed) {
            // Its subtests: the groups indented under it.
            let mut children = Vec::new();
            while let Some(g) = groups.last()
                && g.level > level
            {
                if let Some(g) = groups.pop() {
                    check_plan(cx, &g)?;
                    children.splice(0..0, g.items);
                }
            }
            let node = nodes.len();
            nodes.push(Node {
                name,
                ok,
                directive: Some(directive),
                message: (!reason.is_empty()).then_some(reason),
                children,
                ..Default::default()
            });
            if let Some(g) = group(&mut groups, level) {
                g.items.push(node);
            }
            last = Some((node, indent));
            continue;
        }
        // Trailer counters (node): `# tests 26`, `# pass 9`, …
        if level == 0
            && let Some(rest) = trimmed.strip_prefix("# ")
            && let Some((key, value)) = rest.split_once(' ')
            && let Ok(v) = value.trim().parse::<u64>()
        {
            match key {
                "tests" => declared.tests = Some(v),
                "pass" => declared.passed = Some(v),
                "fail" => declared.failed = Some(v),
                "skipped" => declared.skipped = Some(v),
                "todo" => todo_declared = Some(v),
                _ => {}
            }
        }
        // Anything else (comments, `# Subtest:`, output) is not TAP's.
    }
    // What is left open: the top level, and subtests without a parent
    // (after a bail out, whatever ran, flattened).
    let top = if bailed {
        let items = groups.drain(..).flat_map(|g| g.items).collect();
        Group {
            level: 0,
            items,
            plan: None,
        }
    } else {
        let last = u32::try_from(count).unwrap_or(u32::MAX);
        match groups.pop() {
            Some(g) if g.level == 0 && groups.is_empty() => g,
            Some(_) => {
                return Err(cx.error(
                    ParseCode::TruncatedTap,
                    Some(Position::Line(last)),
                    "the document ends inside a subtest (its parent test point is missing)",
                ));
            }
            None => {
                return Err(cx.error(ParseCode::TruncatedTap, None, "no test points and no plan"));
            }
        }
    };
    if !bailed {
        if top.plan.is_none() {
            return Err(cx.error(
                ParseCode::TruncatedTap,
                Some(Position::Line(u32::try_from(count).unwrap_or(u32::MAX))),
                format!(
                    "no plan (`1..N`): the document may have been cut short after {} test point{}",
                    top.items.len(),
                    if top.items.len() == 1 { "" } else { "s" }
                ),
            ));
        }
        check_plan(cx, &top)?;
    }
    if let (Some(s), Some(t)) = (declared.skipped, todo_declared) {
        declared.skipped = Some(s.saturating_add(t));
    }
    let mut b = Builder::default();
    emit(&mut b, cx, &mut nodes, &top.items);
    Ok(b.finish(cx, declared))
}

/// The open group at `level` (opened if needed).
fn group(groups: &mut Vec<Group>, level: usize) -> Option<&mut Group> {
    if groups.last().is_none_or(|g| g.level != level) {
        groups.push(Group {
            level,
            items: Vec::new(),
            plan: None,
        });
    }
    groups.last_mut()
}

fn check_plan(cx: &ParseContext<'_>, g: &Group) -> Result<(), ParseError> {
    if let Some((count, line)) = g.plan
        && count != g.items.len() as u64
    {
        return Err(cx.error(
            ParseCode::TapPlanMismatch,
            Some(Position::Line(line)),
            format!(
                "the plan says {count} test point{} but {} follow{}",
                if count == 1 { "" } else { "s" },
                g.items.len(),
                if g.items.len() == 1 { "s" } else { "" }
            ),
        ));
    }
    Ok(())
}

/// Whether any test or suite under `node` failed (a failing suite's
/// failure is told by it or under it).
fn any_failed(nodes: &[Node], node: &Node) -> bool {
    let mut stack: Vec<usize> = node.children.clone();
    while let Some(i) = stack.pop() {
        if let Some(n) = nodes.get(i) {
            if !n.ok && n.directive == Some(Directive::None) {
                return true;
            }
            stack.extend(n.children.iter().copied());
        }
    }
    false
}

/// The suites and cases of `items`, in document order (a walk with its own
/// stack: subtests are at most [`MAX_DEPTH`] deep anyway). The nodes'
/// strings move into the model.
fn emit(b: &mut Builder, cx: &mut ParseContext<'_>, nodes: &mut [Node], items: &[usize]) {
    // (node, the suite it goes in); the top level's suite is made when a
    // case needs it.
    let mut root: Option<u32> = None;
    let mut work: Vec<(usize, Option<u32>)> = items.iter().rev().map(|i| (*i, None)).collect();
    while let Some((i, parent)) = work.pop() {
        // A failing suite with nothing failing under it (a hook failed).
        let hook_failed = nodes.get(i).is_some_and(|n| {
            n.suite && !n.ok && n.directive == Some(Directive::None) && !any_failed(nodes, n)
        });
        let Some(node) = nodes.get_mut(i) else {
            continue;
        };
        let duration_us = node.duration_ms.and_then(millis);
        let children = std::mem::take(&mut node.children);
        let mut suite_of_children = |b: &mut Builder, name: String| {
            let s = b.suite(TestSuite {
                name,
                parent,
                file: None,
                duration_us,
            });
            work.extend(children.iter().rev().map(|c| (*c, Some(s))));
            s
        };
        if node.suite {
            let s = suite_of_children(b, std::mem::take(&mut node.name));
            if hook_failed {
                let message = node.message.as_deref().and_then(|m| b.message(m));
                b.case(TestCase {
                    suite: s,
                    name: "[suite failed]".into(),
                    status: TestStatus::Errored,
                    message,
                    ..Default::default()
                });
            }
            continue;
        }
        let suite = match parent {
            Some(s) => s,
            None => *root.get_or_insert_with(|| b.suite(TestSuite::default())),
        };
        let (status, todo) = match (node.directive, node.ok) {
            _ if node.bail => (TestStatus::Errored, false),
            (Some(Directive::Todo), _) => (TestStatus::Skipped, true),
            (Some(Directive::Skip), _) => (TestStatus::Skipped, false),
            (_, true) => (TestStatus::Passed, false),
            (_, false) => (TestStatus::Failed, false),
        };
        let message = match status {
            TestStatus::Passed => None,
            _ => node.message.as_deref().and_then(|m| b.message(m)),
        };
        let location = node
            .location
            .take()
            .map(|(p, l)| Builder::location(cx, &p, l));
        let name = std::mem::take(&mut node.name);
        if !children.is_empty() {
            suite_of_children(b, name.clone());
        }
        b.case(TestCase {
            suite,
            name,
            status,
            duration_us,
            message,
            location,
            todo,
            ..Default::default()
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ParseOptions;

    fn run(text: &str) -> Result<(TestReport, Vec<crate::Warning>), ParseError> {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("t.tap", &o);
        parse(text, &mut cx).map(|r| (r, cx.warnings))
    }

    #[test]
    fn test_points_and_directives() {
        let (ok, name, d, why) = test_point("not ok 12 - a \\# b # TODO not yet").unwrap();
        assert_eq!(
            (ok, name.as_str(), d, why.as_str()),
            (false, "a # b", Directive::Todo, "not yet")
        );
        let (ok, name, d, _) = test_point("ok - no number #skip").unwrap();
        assert_eq!((ok, name.as_str(), d), (true, "no number", Directive::Skip));
        assert!(test_point("okay 1").is_none());
        assert_eq!(location("/a/b.js:12:3"), ("/a/b.js".into(), Some(12)));
        assert_eq!(location("b.js:7"), ("b.js".into(), Some(7)));
        assert_eq!(location("b.js"), ("b.js".into(), None));
    }

    #[test]
    fn a_bail_out_is_an_errored_case_and_a_warning() {
        let (r, w) = run("TAP version 13\n1..3\nok 1 - a\nBail out! database down\n").unwrap();
        assert_eq!(r.totals.passed, 1);
        assert_eq!(r.totals.errored, 1);
        assert_eq!(r.cases[1].name, "Bail out! database down");
        assert_eq!(w[0].code, WarningCode::TapBailOut);
    }

    #[test]
    fn deep_indentation_is_refused_only_for_tap_lines() {
        let deep = " ".repeat(4 * (MAX_DEPTH + 1));
        let text = format!("1..1\n{deep}some output\nok 1 - a\n");
        assert_eq!(run(&text).unwrap().0.totals.tests, 1);
        let text = format!("{deep}ok 1 - a\n1..1\n");
        let e = run(&text).unwrap_err();
        assert_eq!(
            (e.code, e.position),
            (ParseCode::InvalidTap, Some(Position::Line(1)))
        );
    }
}
