//! `go test -json` (test2json): one JSON event a line.
//!
//! Every test (parents of subtests too) with a final `pass`, `fail` or
//! `skip` event is a case of its package's suite; its output (without the
//! `=== RUN` and `--- FAIL` framing) is its message when it fails or is
//! skipped. A package that fails with no failing test (a panic outside a
//! test, a timeout, `TestMain`) is an errored case `[package failed]`; a
//! package that does not build is an errored case `[build failed]`, from
//! go 1.24's `FailedBuild` or from the plain `FAIL\tpkg [build failed]`
//! line older versions print in the stream. Other plain lines (compiler
//! output) are kept as that message. With the module path (`go.mod`, the
//! `go_module` option) a failing or skipped test's location is where its
//! output says it failed (`cart_test.go:21: …` in the package's directory).
//!
//! A test still running when its package's final event comes (the binary
//! timed out, panicked in another goroutine or exited) is errored. A
//! stream cut short is an error, never a smaller report: a package without
//! its final event (a test that started and never ended in it is named),
//! or a last line that is half a JSON object (`truncated-go-test`). A cut
//! exactly between two packages cannot be told from their end.

use super::{Builder, Declared, first_object_line, seconds};
use crate::error::ParseCode;
use crate::model::{TestCase, TestReport, TestStatus, TestSuite};
use crate::{ParseContext, ParseError, Position};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Whether `text` is detected as test results: a test2json stream that is
/// not a run of benchmarks only (`-run='^$' -bench .`: results in `ns/op`
/// and no test, example or fuzz test), which is a performance report.
pub fn sniff(text: &str) -> bool {
    is_stream(text) && !benchmarks_only(text)
}

fn benchmarks_only(text: &str) -> bool {
    text.contains("ns/op")
        && !["\"Test\":\"Test", "\"Test\":\"Example", "\"Test\":\"Fuzz"]
            .iter()
            .any(|t| text.contains(t))
}

/// Whether `text` is a test2json stream (its first event): what forcing
/// the format asks.
pub fn is_stream(text: &str) -> bool {
    first_object_line(text).is_some_and(|o| {
        o.get("Action").is_some_and(serde_json::Value::is_string)
            && (o.get("Package").is_some_and(serde_json::Value::is_string)
                || o.get("ImportPath")
                    .is_some_and(serde_json::Value::is_string))
    })
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "PascalCase")]
struct Event<'a> {
    #[serde(borrow)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow)]
    package: Option<Cow<'a, str>>,
    #[serde(borrow)]
    import_path: Option<Cow<'a, str>>,
    #[serde(borrow)]
    test: Option<Cow<'a, str>>,
    elapsed: Option<f64>,
    #[serde(borrow)]
    output: Option<Cow<'a, str>>,
    #[serde(borrow)]
    failed_build: Option<Cow<'a, str>>,
}

/// A package seen in the stream.
struct Package {
    suite: u32,
    /// Line of its first event.
    first: u32,
    ended: bool,
    failed_tests: bool,
    /// Its own output (outside tests), for a package failure's message.
    output: String,
    /// Tests started and not ended: name → (line of `run`, output).
    running: HashMap<String, (u32, String)>,
}

/// Appends `s` to `buf` up to the message limit.
fn keep(buf: &mut String, s: &str) {
    if buf.len() <= TestReport::MESSAGE_LIMIT {
        buf.push_str(s);
    }
}

/// The directory of package `pkg` in the repository, given the module path
/// (`go.mod`): the package path without the module's.
fn package_dir<'a>(pkg: &'a str, module: &str) -> Option<&'a str> {
    let m = module.trim().trim_end_matches('/');
    if m.is_empty() {
        return None;
    }
    let rest = pkg.strip_prefix(m)?;
    if rest.is_empty() {
        return Some("");
    }
    rest.strip_prefix('/')
}

/// The first `file.go:LINE: ` a test's output starts a line with (where
/// `t.Error`, `t.Fatal` or `t.Skip` was called, in the package's
/// directory).
fn reported_at(output: &str) -> Option<(&str, u32)> {
    output.lines().find_map(|l| {
        let (file, rest) = l.trim_start().split_once(':')?;
        let (line, _) = rest.split_once(':')?;
        let ok = file.ends_with(".go") && !file.contains(['/', ' ']);
        ok.then_some(())?;
        Some((file, line.parse().ok().filter(|n| *n > 0)?))
    })
}

/// Whether a test's output line is go test's own framing.
fn framing(line: &str) -> bool {
    let t = line.trim_start();
    [
        "=== RUN",
        "=== PAUSE",
        "=== CONT",
        "=== NAME",
        "--- PASS",
        "--- FAIL",
        "--- SKIP",
    ]
    .iter()
    .any(|p| t.starts_with(p))
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<TestReport, ParseError> {
    let mut b = Builder::default();
    let mut packages: HashMap<String, Package> = HashMap::new();
    // Package names in the order they appeared (errors name the first).
    let mut order: Vec<String> = Vec::new();
    // Build output by import path (go 1.24 `build-output`), and plain lines.
    let mut build: HashMap<String, String> = HashMap::new();
    let mut plain = String::new();
    let total = text.lines().count();
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if !line.starts_with('{') {
            // `FAIL\tpkg [build failed]` (go before 1.24) or build output.
            if let Some(rest) = line.strip_prefix("FAIL")
                && let Some((pkg, why)) = rest.trim().split_once(' ')
                && matches!(why.trim(), "[build failed]" | "[setup failed]")
            {
                let suite = b.suite(TestSuite {
                    name: pkg.trim().to_owned(),
                    ..Default::default()
                });
                let message = b.message(&std::mem::take(&mut plain));
                b.case(TestCase {
                    suite,
                    name: why.trim().to_owned(),
                    status: TestStatus::Errored,
                    message,
                    ..Default::default()
                });
            } else {
                keep(&mut plain, raw);
                keep(&mut plain, "\n");
            }
            continue;
        }
        let ev: Event<'_> = serde_json::from_str(line).map_err(|e| {
            super::event_error(
                cx,
                &e,
                n,
                i.saturating_add(1) == total,
                (ParseCode::TruncatedGoTest, ParseCode::InvalidGoTest),
                "not a go test event",
            )
        })?;
        let Some(action) = ev.action.as_deref() else {
            return Err(cx.error(
                ParseCode::InvalidGoTest,
                Some(Position::Line(n)),
                "event without an `Action`",
            ));
        };
        match action {
            "build-output" => {
                if let (Some(p), Some(o)) = (ev.import_path.as_deref(), ev.output.as_deref()) {
                    keep(build.entry(p.to_owned()).or_default(), o);
                }
                continue;
            }
            "build-fail" => continue,
            _ => {}
        }
        let Some(pkg) = ev.package.as_deref() else {
            return Err(cx.error(
                ParseCode::InvalidGoTest,
                Some(Position::Line(n)),
                format!("`{action}` event without a `Package`"),
            ));
        };
        if !packages.contains_key(pkg) {
            let suite = b.suite(TestSuite {
                name: pkg.to_owned(),
                ..Default::default()
            });
            order.push(pkg.to_owned());
            packages.insert(
                pkg.to_owned(),
                Package {
                    suite,
                    first: n,
                    ended: false,
                    failed_tests: false,
                    output: String::new(),
                    running: HashMap::new(),
                },
            );
        }
        let Some(p) = packages.get_mut(pkg) else {
            continue;
        };
        match (action, ev.test.as_deref()) {
            ("run", Some(t)) => {
                p.running.entry(t.to_owned()).or_insert((n, String::new()));
            }
            ("output", Some(t)) => {
                if let (Some(o), Some((_, buf))) = (ev.output.as_deref(), p.running.get_mut(t))
                    && !framing(o)
                {
                    keep(buf, o);
                }
            }
            ("output", None) => {
                if let Some(o) = ev.output.as_deref() {
                    keep(&mut p.output, o);
                }
            }
            ("pass" | "fail" | "skip", Some(t)) => {
                let output = p.running.remove(t).map(|(_, o)| o).unwrap_or_default();
                let status = match action {
                    "pass" => TestStatus::Passed,
                    "fail" => TestStatus::Failed,
                    _ => TestStatus::Skipped,
                };
                p.failed_tests |= status == TestStatus::Failed;
                let suite = p.suite;
                let (message, location) = if status == TestStatus::Passed {
                    (None, None)
                } else {
                    // With the module path, the place a failure or skip was
                    // reported is a repository path.
                    let at = reported_at(&output).and_then(|(file, line)| {
                        let module = cx.options.go_module.as_deref()?;
                        let dir = package_dir(pkg, module)?;
                        let path = if dir.is_empty() {
                            file.to_owned()
                        } else {
                            format!("{dir}/{file}")
                        };
                        Some(Builder::location(cx, &path, Some(line)))
                    });
                    (b.message(&output), at)
                };
                b.case(TestCase {
                    suite,
                    name: t.to_owned(),
                    status,
                    duration_us: ev.elapsed.and_then(seconds),
                    message,
                    location,
                    ..Default::default()
                });
            }
            ("pass" | "fail" | "skip", None) => {
                p.ended = true;
                let suite = p.suite;
                if let Some(s) = b.suite_mut(suite) {
                    s.duration_us = ev.elapsed.and_then(seconds);
                }
                // Tests still running when their package ended: the binary
                // stopped under them (a timeout, a panic elsewhere, os.Exit).
                let mut unfinished: Vec<(String, (u32, String))> = p.running.drain().collect();
                unfinished.sort_by_key(|(_, (line, _))| *line);
                let stopped = !unfinished.is_empty();
                for (test, (_, output)) in unfinished {
                    let text = [
                        "the test did not finish: its package ended first",
                        output.trim(),
                        p.output.trim(),
                    ]
                    .iter()
                    .filter(|t| !t.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join("\n");
                    let message = b.message(&text);
                    b.case(TestCase {
                        suite,
                        name: test,
                        status: TestStatus::Errored,
                        message,
                        ..Default::default()
                    });
                }
                if action == "fail" && ((!p.failed_tests && !stopped) || ev.failed_build.is_some())
                {
                    let (name, out) = match ev.failed_build.as_deref() {
                        Some(path) => (
                            "[build failed]",
                            build.remove(path).unwrap_or_else(|| p.output.clone()),
                        ),
                        None => ("[package failed]", p.output.clone()),
                    };
                    let message = b.message(&out);
                    b.case(TestCase {
                        suite,
                        name: name.to_owned(),
                        status: TestStatus::Errored,
                        message,
                        ..Default::default()
                    });
                }
            }
            // start, pause, cont, bench: nothing to record.
            _ => {}
        }
    }
    for name in &order {
        let Some(p) = packages.get(name) else {
            continue;
        };
        if let Some((test, (line, _))) = p.running.iter().min_by_key(|(_, (l, _))| *l) {
            return Err(cx.error(
                ParseCode::TruncatedGoTest,
                Some(Position::Line(*line)),
                format!(
                    "the stream ends while test `{test}` of package `{name}` is still running (no pass, fail or skip event)"
                ),
            ));
        }
        if !p.ended {
            return Err(cx.error(
                ParseCode::TruncatedGoTest,
                Some(Position::Line(p.first)),
                format!("the stream ends before package `{name}`'s final pass, fail or skip event"),
            ));
        }
    }
    Ok(b.finish(cx, Declared::default()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::ParseOptions;

    #[test]
    fn failures_are_placed_in_the_package_directory() {
        let text = concat!(
            r#"{"Action":"run","Package":"example.com/shop/cart","Test":"TestAdd"}"#,
            "\n",
            r#"{"Action":"output","Package":"example.com/shop/cart","Test":"TestAdd","Output":"    cart_test.go:21: got 1\n"}"#,
            "\n",
            r#"{"Action":"fail","Package":"example.com/shop/cart","Test":"TestAdd"}"#,
            "\n",
            r#"{"Action":"fail","Package":"example.com/shop/cart"}"#,
            "\n"
        );
        let o = ParseOptions {
            root: None,
            go_module: Some("example.com/shop".into()),
        };
        let mut cx = ParseContext::new("g.json", &o);
        let r = parse(text, &mut cx).unwrap();
        let loc = r.cases[0].location.as_ref().unwrap();
        assert_eq!(
            (loc.path.as_str(), loc.line),
            ("cart/cart_test.go", Some(21))
        );
        assert_eq!(
            r.cases[0].message.as_deref(),
            Some("cart_test.go:21: got 1")
        );
        // Without the module path, no guess.
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("g.json", &o);
        assert_eq!(parse(text, &mut cx).unwrap().cases[0].location, None);
        assert_eq!(
            package_dir("example.com/shop", "example.com/shop"),
            Some("")
        );
        assert_eq!(
            package_dir("example.com/shopping", "example.com/shop"),
            None
        );
    }

    #[test]
    fn a_package_failure_without_a_failing_test_is_an_errored_case() {
        let text = concat!(
            r#"{"Action":"run","Package":"p","Test":"TestA"}"#,
            "\n",
            r#"{"Action":"pass","Package":"p","Test":"TestA"}"#,
            "\n",
            r#"{"Action":"output","Package":"p","Output":"TestMain: cannot connect\n"}"#,
            "\n",
            r#"{"Action":"fail","Package":"p"}"#,
            "\n"
        );
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("g.json", &o);
        let r = parse(text, &mut cx).unwrap();
        assert_eq!(r.cases.len(), 2);
        assert_eq!(r.cases[1].name, "[package failed]");
        assert_eq!(r.cases[1].status, TestStatus::Errored);
        assert_eq!(
            r.cases[1].message.as_deref(),
            Some("TestMain: cannot connect")
        );
    }

    #[test]
    fn a_benchmark_only_run_is_not_detected_as_test_results() {
        let bench = concat!(
            r#"{"Action":"output","Package":"p","Output":"BenchmarkSum-8 \t 1000\t 12 ns/op\n"}"#,
            "\n",
            r#"{"Action":"pass","Package":"p"}"#,
            "\n"
        );
        assert!(is_stream(bench) && !sniff(bench));
        let both = format!(
            "{}\n{bench}",
            r#"{"Action":"run","Package":"p","Test":"TestSum"}"#
        );
        assert!(sniff(&both));
    }
}
