//! libtest's JSON lines (`cargo test -- -Z unstable-options --format json`):
//! one suite per test binary (`cargo test #N`, numbered from 0 like
//! cargo2junit, which names no binaries either), one case per test with a
//! final `ok`, `failed` or `ignored` event. A test path `a::b::t` is the
//! case `t` of classname `a::b`, as cargo2junit writes it, so both reports
//! of one run name their tests alike. The `suite` events' counters are
//! checked against the cases.
//!
//! A stream cut short (a suite or test that started and never ended, half
//! an event on the last line) is `truncated-libtest`. Plain lines (output
//! of tests run with `--nocapture`) are passed over.

use super::{Builder, Declared, first_object_line, seconds};
use crate::error::ParseCode;
use crate::model::{TestCase, TestReport, TestStatus, TestSuite};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

pub fn sniff(text: &str) -> bool {
    first_object_line(text).is_some_and(|o| {
        o.get("type")
            .and_then(serde_json::Value::as_str)
            .is_some_and(|t| matches!(t, "suite" | "test"))
            && o.get("event").is_some_and(serde_json::Value::is_string)
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Event<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Cow<'a, str>>,
    #[serde(borrow)]
    event: Option<Cow<'a, str>>,
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    exec_time: Option<f64>,
    #[serde(borrow)]
    stdout: Option<Cow<'a, str>>,
    #[serde(borrow)]
    message: Option<Cow<'a, str>>,
    test_count: Option<u64>,
    passed: Option<u64>,
    failed: Option<u64>,
    ignored: Option<u64>,
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<TestReport, ParseError> {
    let mut b = Builder::default();
    let mut declared = Declared::default();
    // The suite being read and the line it started on.
    let mut suite: Option<(u32, u32)> = None;
    let mut suites: u32 = 0;
    // Tests started and not ended: name → line.
    let mut running: HashMap<String, u32> = HashMap::new();
    let total = text.lines().count();
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
        let line = raw.trim();
        if !line.starts_with('{') {
            continue;
        }
        let ev: Event<'_> = serde_json::from_str(line).map_err(|e| {
            super::event_error(
                cx,
                &e,
                n,
                i.saturating_add(1) == total,
                (ParseCode::TruncatedLibtest, ParseCode::InvalidLibtest),
                "not a libtest event",
            )
        })?;
        let event = ev.event.as_deref().unwrap_or_default();
        match ev.kind.as_deref() {
            Some("suite") => match event {
                "started" => {
                    if let Some((_, at)) = suite {
                        return Err(cx.error(
                            ParseCode::TruncatedLibtest,
                            Some(Position::Line(at)),
                            "a test binary's run ends without its final suite event",
                        ));
                    }
                    let s = b.suite(TestSuite {
                        name: format!("cargo test #{suites}"),
                        ..Default::default()
                    });
                    suites = suites.saturating_add(1);
                    suite = Some((s, n));
                    declared.add(Declared {
                        tests: Some(ev.test_count.unwrap_or(0)),
                        ..Default::default()
                    });
                }
                "ok" | "failed" => {
                    let Some((s, _)) = suite.take() else {
                        return Err(cx.error(
                            ParseCode::InvalidLibtest,
                            Some(Position::Line(n)),
                            "a suite ends that never started",
                        ));
                    };
                    if let Some((name, at)) = running.iter().min_by_key(|(_, l)| **l) {
                        return Err(cx.error(
                            ParseCode::TruncatedLibtest,
                            Some(Position::Line(*at)),
                            format!("test `{name}` started and never ended"),
                        ));
                    }
                    if let Some(x) = b.suite_mut(s) {
                        x.duration_us = ev.exec_time.and_then(seconds);
                    }
                    declared.add(Declared {
                        passed: ev.passed,
                        failed: ev.failed,
                        skipped: ev.ignored,
                        ..Default::default()
                    });
                }
                _ => {}
            },
            Some("test") => {
                let Some(name) = ev.name.as_deref() else {
                    return Err(cx.error(
                        ParseCode::InvalidLibtest,
                        Some(Position::Line(n)),
                        "test event without a `name`",
                    ));
                };
                let Some((s, _)) = suite else {
                    return Err(cx.error(
                        ParseCode::InvalidLibtest,
                        Some(Position::Line(n)),
                        "test event outside a suite",
                    ));
                };
                let status = match event {
                    "started" => {
                        running.insert(name.to_owned(), n);
                        continue;
                    }
                    "ok" => TestStatus::Passed,
                    "failed" => TestStatus::Failed,
                    "ignored" => TestStatus::Skipped,
                    // `timeout` says a test runs long; it has not ended.
                    _ => continue,
                };
                running.remove(name);
                let (classname, leaf) = name.rsplit_once("::").unwrap_or(("", name));
                let text = match status {
                    TestStatus::Passed => None,
                    _ => ev.message.as_deref().or(ev.stdout.as_deref()),
                };
                let message = text.and_then(|t| b.message(t));
                b.case(TestCase {
                    suite: s,
                    name: leaf.to_owned(),
                    classname: classname.to_owned(),
                    status,
                    duration_us: ev.exec_time.and_then(seconds),
                    message,
                    ..Default::default()
                });
            }
            _ => {}
        }
    }
    if let Some((_, at)) = suite {
        return Err(cx.error(
            ParseCode::TruncatedLibtest,
            Some(Position::Line(at)),
            "the stream ends before the test binary's final suite event",
        ));
    }
    Ok(b.finish(cx, declared))
}
