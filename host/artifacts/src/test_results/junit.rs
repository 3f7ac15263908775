//! JUnit XML in its dialects: Ant/Jenkins (`<testsuites>` holding
//! `<testsuite>`s, nested or not), Maven Surefire/Failsafe (with the
//! `flakyFailure`/`flakyError`/`rerunFailure`/`rerunError` elements of its
//! rerun support), pytest `xunit1`/`xunit2`, jest-junit,
//! mocha-junit-reporter, node's `--test-reporter=junit` (test cases
//! directly under `<testsuites>`) and cargo2junit.
//!
//! A case's status comes from its children: `<error>` → errored,
//! `<failure>` → failed, `<skipped>` → skipped (node's `type="todo"` →
//! skipped and todo), none → passed. A passed case with `flaky*` elements
//! failed first and passed on a rerun (flaky); a failing case's `rerun*`
//! elements are its other failed attempts. Output (`system-out`,
//! `system-err`) and properties are not kept. The report's own counters are
//! checked against the cases at the root only (node counts nested suites as
//! tests, so per-suite counters say little).
//!
//! A test case's `file` and `line` are its location. pytest writes its
//! 0-based line numbers there (`item.location`: its console says
//! `test_db.py:13` for `line="12"`); in a pytest report (a suite named
//! `pytest`) they are made 1-based.

use super::{Builder, Declared, seconds_text};
use crate::coverage::xml::{Reader, attr, attr_num, invalid, resolve_ref};
use crate::error::ParseCode;
use crate::model::{TestCase, TestReport, TestStatus, TestSuite};
use crate::{ParseContext, ParseError};
use quick_xml::events::{BytesStart, Event};

pub fn sniff(text: &str) -> bool {
    crate::coverage::xml::root_name(text).is_some_and(|r| r == "testsuites" || r == "testsuite")
}

/// The counters a `<testsuites>` or `<testsuite>` states.
fn declared(e: &BytesStart<'_>) -> Declared {
    Declared {
        tests: attr_num(e, "tests"),
        failed: attr_num(e, "failures"),
        errored: attr_num(e, "errors"),
        skipped: attr_num(e, "skipped").or_else(|| attr_num(e, "skips")),
        passed: None,
    }
}

/// The test case being read.
struct Open {
    case: TestCase,
    error: bool,
    failure: bool,
    skipped: bool,
    flaky: u32,
    reruns: u32,
    /// The result element whose text is being collected (no `message`).
    collecting: Option<String>,
    /// Depth of elements inside the test case.
    depth: usize,
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<TestReport, ParseError> {
    let mut r = Reader::new(cx, text)?;
    let mut b = Builder::default();
    // Open suites (indices); the root `<testsuites>` is none of them.
    let mut stack: Vec<u32> = Vec::new();
    // The suite of test cases written directly under `<testsuites>`.
    let mut loose: Option<u32> = None;
    let mut root_name = String::new();
    let mut root_declared = Declared::default();
    let mut top_declared = Declared::default();
    let mut root_seen = false;
    let mut root_is_suites = false;
    let mut open: Option<Open> = None;
    // pytest's reports count lines from 0.
    let mut zero_based = false;
    loop {
        let ev = r.next(cx)?;
        let pos = r.event_start();
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                let local = e.local_name();
                let tag = local.as_ref();
                if let Some(o) = open.as_mut() {
                    if !empty {
                        o.depth = o.depth.saturating_add(1);
                    }
                    // Only the case's own children say how it ended.
                    let own = if empty { o.depth == 0 } else { o.depth == 1 };
                    if !own {
                        continue;
                    }
                    match tag {
                        b"testcase" | b"testsuite" | b"testsuites" => {
                            return Err(invalid(
                                cx,
                                ParseCode::InvalidJunit,
                                text,
                                pos,
                                format!(
                                    "`<{}>` inside a `<testcase>`",
                                    String::from_utf8_lossy(tag)
                                ),
                            ));
                        }
                        b"failure" | b"error" | b"skipped" => {
                            match tag {
                                b"failure" => o.failure = true,
                                b"error" => o.error = true,
                                _ => {
                                    o.skipped = true;
                                    o.case.todo |= attr(e, "type").as_deref() == Some("todo");
                                }
                            }
                            let message = attr(e, "message").filter(|m| !m.trim().is_empty());
                            // The first result element's message is the case's.
                            let first = o.case.message.is_none();
                            match message {
                                Some(m) if first => {
                                    o.case.message = b.message(&m);
                                }
                                None if first && !empty => o.collecting = Some(String::new()),
                                _ => {}
                            }
                        }
                        b"flakyFailure" | b"flakyError" => o.flaky = o.flaky.saturating_add(1),
                        b"rerunFailure" | b"rerunError" => o.reruns = o.reruns.saturating_add(1),
                        _ => {}
                    }
                    continue;
                }
                match tag {
                    b"testsuites" | b"testsuite" if !root_seen => {
                        root_seen = true;
                        zero_based |= is_pytest(e);
                        root_is_suites = tag == b"testsuites";
                        root_declared = declared(e);
                        if root_is_suites {
                            root_name = attr(e, "name").unwrap_or_default();
                        } else {
                            let i = b.suite(suite(e, None, cx));
                            if !empty {
                                stack.push(i);
                            }
                        }
                    }
                    b"testsuites" | b"testsuite" => {
                        zero_based |= is_pytest(e);
                        if stack.is_empty() && tag == b"testsuite" {
                            top_declared.add(declared(e));
                        }
                        let i = b.suite(suite(e, stack.last().copied(), cx));
                        if !empty {
                            stack.push(i);
                        }
                    }
                    b"testcase" if root_seen => {
                        let suite = match stack.last() {
                            Some(s) => *s,
                            None => *loose.get_or_insert_with(|| {
                                b.suite(TestSuite {
                                    name: root_name.clone(),
                                    ..Default::default()
                                })
                            }),
                        };
                        let Some(name) = attr(e, "name") else {
                            return Err(invalid(
                                cx,
                                ParseCode::InvalidJunit,
                                text,
                                pos,
                                "`<testcase>` has no `name`".into(),
                            ));
                        };
                        let file = attr(e, "file").filter(|f| !f.is_empty());
                        let line = attr_num::<u32>(e, "line")
                            .map(|l| if zero_based { l.saturating_add(1) } else { l })
                            .filter(|l| *l > 0);
                        let location = match file {
                            Some(f) => Some(Builder::location(cx, &f, line)),
                            None => b
                                .suites()
                                .get(suite as usize)
                                .and_then(|s| s.file.clone())
                                .map(|f| crate::model::Location::new(f, None)),
                        };
                        let case = TestCase {
                            suite,
                            name,
                            classname: attr(e, "classname").unwrap_or_default(),
                            duration_us: attr(e, "time").and_then(|t| seconds_text(&t)),
                            location,
                            ..Default::default()
                        };
                        let o = Open {
                            case,
                            error: false,
                            failure: false,
                            skipped: false,
                            flaky: 0,
                            reruns: 0,
                            collecting: None,
                            depth: 0,
                        };
                        if empty {
                            close(&mut b, o);
                        } else {
                            open = Some(o);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(s) = open.as_mut().and_then(|o| o.collecting.as_mut())
                    && s.len() <= TestReport::MESSAGE_LIMIT
                {
                    s.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::CData(t) => {
                if let Some(s) = open.as_mut().and_then(|o| o.collecting.as_mut())
                    && s.len() <= TestReport::MESSAGE_LIMIT
                {
                    s.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(g) => {
                if let Some(s) = open.as_mut().and_then(|o| o.collecting.as_mut())
                    && s.len() <= TestReport::MESSAGE_LIMIT
                {
                    s.push_str(&resolve_ref(&g));
                }
            }
            Event::End(e) => {
                if let Some(o) = open.as_mut() {
                    if o.depth == 0 {
                        // The test case's own end tag.
                        if let Some(o) = open.take() {
                            close(&mut b, o);
                        }
                        continue;
                    }
                    if o.depth == 1
                        && let Some(s) = o.collecting.take()
                    {
                        o.case.message = b.message(&s);
                    }
                    o.depth = o.depth.saturating_sub(1);
                    continue;
                }
                if matches!(e.local_name().as_ref(), b"testsuite" | b"testsuites") {
                    stack.pop();
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !root_seen {
        return Err(cx.error(
            ParseCode::InvalidJunit,
            None,
            "no `<testsuites>` or `<testsuite>` root element",
        ));
    }
    // The root's own counters, else (a bare `<testsuites>`) its suites'.
    let declared = if !root_is_suites || root_declared.tests.is_some() {
        root_declared
    } else {
        top_declared
    };
    Ok(b.finish(cx, declared))
}

/// Whether a suite is pytest's (`<testsuite name="pytest">`).
fn is_pytest(e: &BytesStart<'_>) -> bool {
    e.local_name().as_ref() == b"testsuite" && attr(e, "name").as_deref() == Some("pytest")
}

/// A `<testsuite>` as a suite of the model.
fn suite(e: &BytesStart<'_>, parent: Option<u32>, cx: &mut ParseContext<'_>) -> TestSuite {
    TestSuite {
        name: attr(e, "name").unwrap_or_default(),
        parent,
        file: attr(e, "file")
            .filter(|f| !f.is_empty())
            .map(|f| cx.path(&f)),
        duration_us: attr(e, "time").and_then(|t| seconds_text(&t)),
    }
}

/// Ends a test case: its status from its children.
fn close(b: &mut Builder, mut o: Open) {
    o.case.status = if o.error {
        TestStatus::Errored
    } else if o.failure {
        TestStatus::Failed
    } else if o.skipped {
        TestStatus::Skipped
    } else {
        TestStatus::Passed
    };
    if o.case.status != TestStatus::Skipped {
        o.case.todo = false;
    }
    if o.case.status == TestStatus::Passed && o.flaky > 0 {
        o.case.flaky = true;
        o.case.retries = o.flaky;
    } else if matches!(o.case.status, TestStatus::Failed | TestStatus::Errored) {
        o.case.retries = o.reruns;
    }
    b.case(o.case);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ParseOptions;

    fn run(text: &str) -> TestReport {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("j.xml", &o);
        parse(text, &mut cx).unwrap()
    }

    #[test]
    fn pytest_lines_count_from_zero() {
        let case = r#"<testcase classname="t" name="a" file="t.py" line="0"/>"#;
        let r = run(&format!(
            r#"<testsuites name="pytest tests"><testsuite name="pytest">{case}</testsuite></testsuites>"#
        ));
        assert_eq!(r.cases[0].location.as_ref().unwrap().line, Some(1));
        let r = run(&format!(r#"<testsuite name="other">{case}</testsuite>"#));
        assert_eq!(r.cases[0].location.as_ref().unwrap().line, None);
    }
}
