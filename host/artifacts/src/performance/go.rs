//! Go benchmarks: the text of `go test -bench` and the `go test -json`
//! stream of the same run.
//!
//! A result line is `BenchmarkName-P  N  value unit [value unit]…`: the
//! `-P` suffix (GOMAXPROCS) becomes the parameter `procs`, each pair one
//! measurement per unit (`ns/op` → `time` in `ns`, `B/op` → `memory` in
//! `B`, `allocs/op` → `allocations`, `MB/s` → `throughput`; a custom
//! `b.ReportMetric` unit is kept as written), grouped by the package of the
//! `pkg:` header. Lines of one benchmark repeated by `-count` are its
//! `samples`, summarised as n, mean, min and max (Go prints no statistics).
//!
//! In `-json` streams (test2json), results are `output` events — in Go
//! 1.19 without a `Test` field, and a line may be split over two events
//! (the name, then the numbers) — so each package's output is joined
//! again and read as text.
//!
//! Fail closed: a run that printed `FAIL` is refused (its numbers are
//! incomplete); every package's output must end with `go test`'s `ok`
//! line (in JSON: the package's `pass` event) and the text must end
//! with a newline, else the file was cut (`truncated-go-bench`); a result line whose numbers do not parse, or a
//! negative or non-finite value, is refused at its line; a file without
//! any result is refused (`-bench` matched nothing).

use super::non_negative;
use crate::error::ParseCode;
use crate::model::performance::{metric, unit};
use crate::{Measurement, Parameter, ParseContext, ParseError, PerformanceReport, Position};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// Lines a sniffer looks at.
const SNIFF_LINES: usize = 64;

fn is_header(line: &str) -> bool {
    line.starts_with("goos: ") || line.starts_with("pkg: ")
}

pub(crate) fn sniff_text(text: &str) -> bool {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .any(|l| is_header(l) || matches!(result(l), Some(Ok(_))))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Event<'a> {
    #[serde(borrow, default)]
    action: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    package: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    test: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    output: Option<Cow<'a, str>>,
}

pub(crate) fn sniff_json(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    fn is_event(l: &str) -> Option<Event<'_>> {
        serde_json::from_str::<Event<'_>>(l)
            .ok()
            .filter(|e| e.action.is_some())
    }
    if lines.next().and_then(is_event).is_none() {
        return false;
    }
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .take(SNIFF_LINES)
        .filter_map(is_event)
        .any(|e| e.output.is_some_and(|o| is_header(&o)))
}

/// A result line's parts: name, iterations and (value, unit) pairs; `None`
/// when the line is not a result, `Some(Err(column))` when it starts like
/// one (name and a count) but its numbers are broken.
type Parsed<'a> = (&'a str, Vec<(&'a str, &'a str, usize)>);

fn result(line: &str) -> Option<Result<Parsed<'_>, (usize, String)>> {
    if !line.starts_with("Benchmark") {
        return None;
    }
    // Fields with their byte offsets.
    let mut fields = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                fields.push((s, line.get(s..i).unwrap_or("")));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    let mut it = fields.into_iter();
    let (_, name) = it.next()?;
    let (_, iterations) = it.next()?;
    if iterations.parse::<u64>().is_err() {
        return None;
    }
    let rest: Vec<(usize, &str)> = it.collect();
    if rest.is_empty() || !rest.len().is_multiple_of(2) {
        let col = rest.last().map_or(line.len(), |(o, _)| *o);
        return Some(Err((
            col,
            format!("`{name}` has an iteration count but not `value unit` pairs"),
        )));
    }
    let pairs = rest
        .chunks(2)
        .filter_map(|c| match c {
            [(o, v), (_, u)] => Some((*v, *u, *o)),
            _ => None,
        })
        .collect();
    Some(Ok((name, pairs)))
}

/// Our metric and unit for a Go unit.
fn metric_unit(u: &str) -> (&str, &str) {
    match u {
        "ns/op" => (metric::TIME, unit::NANOSECONDS),
        "B/op" => (metric::MEMORY, unit::BYTES),
        "allocs/op" => (metric::ALLOCATIONS, unit::ALLOCATIONS),
        "MB/s" => (metric::THROUGHPUT, unit::MEGABYTES_PER_SECOND),
        other => (other, other),
    }
}

/// `BenchmarkX/sub-8` → (`BenchmarkX/sub`, Some("8")).
fn split_procs(name: &str) -> (&str, Option<&str>) {
    match name.rsplit_once('-') {
        Some((base, p)) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
            (base, Some(p))
        }
        _ => (name, None),
    }
}

/// What has been read of one package.
#[derive(Default)]
struct Package {
    /// A result was read after the last trailer.
    open: bool,
    /// The line of the last result (for the truncation error).
    last: u32,
}

/// The measurements being collected, one per (package, name, procs, unit).
struct Collector {
    report: PerformanceReport,
    index: HashMap<(String, String, String, String), usize>,
    /// The most measurements (see [`super::budget`]).
    limit: usize,
}

impl Collector {
    fn new(input_len: usize) -> Self {
        Collector {
            limit: super::budget(input_len),
            report: PerformanceReport {
                tool: "go".into(),
                ..PerformanceReport::default()
            },
            index: HashMap::new(),
        }
    }

    /// Reads one line of a package's output; `pkg` is updated by `pkg:`.
    fn line(
        &mut self,
        cx: &ParseContext<'_>,
        text: &str,
        line: u32,
        pkg: &mut String,
        state: &mut Package,
    ) -> Result<(), ParseError> {
        let t = text.trim_end_matches(['\r', '\n']);
        let at = |col: usize| Position::LineCol {
            line,
            column: u32::try_from(col.saturating_add(1)).unwrap_or(u32::MAX),
        };
        if let Some(p) = t.strip_prefix("pkg: ") {
            *pkg = p.trim().to_string();
            return Ok(());
        }
        if t == "FAIL" || t.starts_with("FAIL\t") || t.starts_with("--- FAIL: ") {
            return Err(cx.error(
                ParseCode::InvalidGoBench,
                Some(Position::Line(line)),
                "the benchmark run failed (`FAIL`): its results are incomplete",
            ));
        }
        // `go test`'s line for the package, after `PASS`: the end of its
        // output (`PASS` alone may be followed by more results).
        if t.starts_with("ok  ") || t.starts_with("ok\t") {
            state.open = false;
            return Ok(());
        }
        let (name, pairs) = match result(t) {
            None => return Ok(()),
            Some(Err((col, msg))) => {
                return Err(cx.error(ParseCode::InvalidGoBench, Some(at(col)), msg));
            }
            Some(Ok(r)) => r,
        };
        state.open = true;
        state.last = line;
        let (base, procs) = split_procs(name);
        for (raw, u, col) in pairs {
            let v: f64 = raw.parse().map_err(|_| {
                cx.error(
                    ParseCode::InvalidGoBench,
                    Some(at(col)),
                    format!("`{raw}` ({u}) is not a number"),
                )
            })?;
            let v = non_negative(cx, v, u, || at(col))?;
            let key = (
                pkg.clone(),
                base.to_string(),
                procs.unwrap_or("").to_string(),
                u.to_string(),
            );
            let i = match self.index.get(&key) {
                Some(i) => *i,
                None => {
                    if self.report.measurements.len() >= self.limit {
                        return Err(super::too_many(cx, Some(at(col)), self.limit));
                    }
                    let (metric, unit) = metric_unit(u);
                    let mut m = Measurement::new(base, metric, unit);
                    m.group = (!pkg.is_empty()).then(|| pkg.clone());
                    if let Some(p) = procs {
                        m.parameters.push(Parameter {
                            name: "procs".into(),
                            value: p.into(),
                        });
                    }
                    let i = self.report.measurements.len();
                    self.report.measurements.push(m);
                    self.index.insert(key, i);
                    i
                }
            };
            if let Some(m) = self.report.measurements.get_mut(i) {
                m.samples.push(v);
            }
        }
        Ok(())
    }

    fn finish(mut self, cx: &ParseContext<'_>) -> Result<PerformanceReport, ParseError> {
        if self.report.measurements.is_empty() {
            return Err(cx.error(
                ParseCode::InvalidGoBench,
                None,
                "no benchmark results (did `-bench` match nothing?)",
            ));
        }
        for m in &mut self.report.measurements {
            let n = m.samples.len();
            m.n = u64::try_from(n).ok();
            let sum: f64 = m.samples.iter().sum();
            // A sample count is far below 2^53.
            #[allow(clippy::cast_precision_loss)]
            let mean = sum / n.max(1) as f64;
            m.mean = mean.is_finite().then_some(mean);
            m.min = m.samples.iter().copied().reduce(f64::min);
            m.max = m.samples.iter().copied().reduce(f64::max);
        }
        Ok(self.report)
    }
}

fn truncated(cx: &ParseContext<'_>, line: u32, what: &str) -> ParseError {
    cx.error(
        ParseCode::TruncatedGoBench,
        Some(Position::Line(line)),
        format!("{what}: the output was cut short"),
    )
}

pub(crate) fn parse_text(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut c = Collector::new(text.len());
    let mut pkg = String::new();
    let mut state = Package::default();
    for (i, l) in text.lines().enumerate() {
        let line = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
        c.line(cx, l, line, &mut pkg, &mut state)?;
    }
    if state.open {
        return Err(truncated(
            cx,
            state.last,
            "no `ok` line after the last result",
        ));
    }
    // Go ends every line it prints: a last line without its newline is
    // a cut one (perhaps a cut `ok` trailer).
    if !text.ends_with('\n') {
        let last = u32::try_from(text.lines().count()).unwrap_or(u32::MAX);
        return Err(truncated(
            cx,
            last,
            "the last line does not end with a newline",
        ));
    }
    c.finish(cx)
}

/// A package of a `-json` stream: its output line being joined, and
/// whether its final event came.
#[derive(Default)]
struct Stream {
    pkg: String,
    partial: String,
    partial_line: u32,
    state: Package,
    ended: bool,
    first_line: u32,
}

pub(crate) fn parse_json(
    text: &str,
    cx: &mut ParseContext<'_>,
) -> Result<PerformanceReport, ParseError> {
    let mut c = Collector::new(text.len());
    let mut streams: Vec<Stream> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = u32::try_from(i.saturating_add(1)).unwrap_or(u32::MAX);
        if raw.trim().is_empty() {
            continue;
        }
        let e: Event<'_> = serde_json::from_str(raw).map_err(|e| {
            cx.error(
                if e.is_eof() {
                    ParseCode::TruncatedJson
                } else {
                    ParseCode::InvalidJson
                },
                Some(Position::LineCol {
                    line,
                    column: u32::try_from(e.column()).unwrap_or(u32::MAX),
                }),
                "a line of the stream is not a test2json event",
            )
        })?;
        let Some(package) = e.package else { continue };
        let s = match by_name.get(package.as_ref()) {
            Some(s) => *s,
            None => {
                let s = streams.len();
                streams.push(Stream {
                    pkg: package.to_string(),
                    first_line: line,
                    ..Stream::default()
                });
                by_name.insert(package.to_string(), s);
                s
            }
        };
        let Some(st) = streams.get_mut(s) else {
            continue;
        };
        match (e.action.as_deref(), e.test.is_some()) {
            (Some("output"), _) => {
                let mut out = e.output.as_deref().unwrap_or("");
                while let Some((head, rest)) = out.split_once('\n') {
                    if st.partial.is_empty() {
                        st.partial_line = line;
                    }
                    st.partial.push_str(head);
                    let whole = std::mem::take(&mut st.partial);
                    c.line(cx, &whole, st.partial_line, &mut st.pkg, &mut st.state)?;
                    out = rest;
                }
                if !out.is_empty() {
                    if st.partial.is_empty() {
                        st.partial_line = line;
                    }
                    st.partial.push_str(out);
                }
            }
            (Some("fail"), false) => {
                return Err(cx.error(
                    ParseCode::InvalidGoBench,
                    Some(Position::Line(line)),
                    format!("package `{}` failed: its results are incomplete", st.pkg),
                ));
            }
            (Some("pass" | "skip"), false) => st.ended = true,
            _ => {}
        }
    }
    for st in &mut streams {
        if !st.partial.is_empty() {
            let whole = std::mem::take(&mut st.partial);
            c.line(cx, &whole, st.partial_line, &mut st.pkg, &mut st.state)?;
        }
        if !st.ended {
            return Err(truncated(
                cx,
                st.first_line,
                &format!("package `{}` has no final `pass` event", st.pkg),
            ));
        }
        if st.state.open {
            return Err(truncated(
                cx,
                st.state.last,
                "no `ok` line after the last result",
            ));
        }
    }
    c.finish(cx)
}
