//! JaCoCo XML (`jacoco:report`, Gradle/Maven, Kotlin, aggregate reports
//! with `<group>`s). The external DTD JaCoCo declares is never fetched
//! (quick-xml resolves no external entities; the DOCTYPE is skipped).
//!
//! Per `<sourcefile>` line (`nr`, `mi`, `ci`, `mb`, `cb`): hits are the
//! covered instructions (`ci`), branches total `mb + cb` with `cb` covered;
//! absent attributes count as 0 (as SonarSource's parser does). Paths are
//! the package path plus the source file name; the same file in several
//! groups (multi-module aggregate reports) merges. Methods (from `<class>`,
//! with their `METHOD` counter) are the functions; a report trimmed to its
//! sourcefiles keeps their `METHOD` counters as function totals
//! (`summary_only`, which never overrides per-line data).
//!
//! Some producers (gcovr's `--jacoco`) write lines with no instruction
//! counts at all: then only the sourcefile's `LINE` counter says what is
//! covered. When it says all or none, the lines get hits 1 or 0; otherwise
//! the file keeps the counter totals (`summary_only`) instead of inventing
//! per-line hits, with a `jacoco-no-line-counts` warning.
//!
//! Structural errors carry SonarSource's messages and its place (the end
//! of the offending start tag).

use super::xml::{Reader, attr, invalid};
use crate::error::{ParseCode, WarningCode};
use crate::model::{Counter, CoverageReport, CoverageTotals, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError};
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;

pub fn sniff(text: &str, root: &str) -> bool {
    root == "report"
        && (text.contains("<sessioninfo")
            || text.contains("<package")
            || text.contains("<counter")
            || text.contains("JACOCO"))
}

/// One `<sourcefile>` element being read.
struct Source {
    path: String,
    file: FileCoverage,
    /// Whether any line carried `mi` or `ci`.
    instructions: bool,
    /// The sourcefile's own LINE, BRANCH and METHOD counters.
    counters: BTreeMap<String, Counter>,
}

fn counter(e: &BytesStart<'_>) -> Option<(String, Counter)> {
    let n = |k: &str| attr(e, k).and_then(|v| v.trim().parse::<u64>().ok());
    let (missed, covered) = (n("missed")?, n("covered")?);
    Some((
        attr(e, "type")?,
        Counter {
            total: missed.saturating_add(covered),
            covered,
        },
    ))
}

/// Ends a sourcefile: lines without instruction counts take the file's
/// LINE counter (see the module docs).
fn finish(mut s: Source, cx: &mut ParseContext<'_>) -> FileCoverage {
    if s.instructions || s.file.lines.is_empty() {
        return s.file;
    }
    let Some(line) = s.counters.get("LINE").copied() else {
        return s.file; // Sonar's reading: absent counts are 0.
    };
    if line.covered == 0 || line.covered == line.total {
        let hit = u64::from(line.covered > 0);
        s.file.lines.values_mut().for_each(|h| *h = hit);
        return s.file;
    }
    cx.warn(
        WarningCode::JacocoNoLineCounts,
        format!(
            "{}: lines carry no instruction counts; the file's LINE counter ({} of {}) is used and per-line hits are unknown",
            s.path, line.covered, line.total
        ),
    );
    s.file.lines.clear();
    let get = |k: &str| s.counters.get(k).copied().unwrap_or_default();
    s.file.summary_only = Some(Box::new(CoverageTotals {
        lines: line,
        branches: get("BRANCH"),
        functions: get("METHOD"),
        statements: None,
    }));
    s.file
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut r = Reader::new(cx, text)?;
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    let mut package: Option<String> = None;
    let mut source: Option<Source> = None;
    // class source file → methods waiting for their METHOD counter
    let mut class_file: Option<String> = None;
    let mut method: Option<(String, u32, u64)> = None;
    // path → the sourcefiles' METHOD counters (for reports without classes)
    let mut method_counters: BTreeMap<String, Counter> = BTreeMap::new();
    loop {
        let ev = r.next(cx)?;
        // Sonar (StAX) reports the end of the start tag; so do we.
        let pos = r.position();
        let bad = |cx: &ParseContext<'_>, msg: String| {
            invalid(cx, ParseCode::InvalidJacoco, text, pos, msg)
        };
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"package" => {
                        let name = attr(e, "name").ok_or_else(|| {
                            bad(
                                cx,
                                "couldn't find the attribute 'name' for a 'package'".into(),
                            )
                        })?;
                        if !empty {
                            package = Some(name);
                        }
                    }
                    b"class" => {
                        let src = attr(e, "sourcefilename");
                        class_file = match (&package, src) {
                            (Some(p), Some(s)) if !p.is_empty() => Some(format!("{p}/{s}")),
                            (_, Some(s)) => Some(s),
                            _ => None,
                        };
                    }
                    b"method" if !empty => {
                        let name = attr(e, "name").unwrap_or_default();
                        let line = attr(e, "line").and_then(|l| l.parse().ok()).unwrap_or(0);
                        method = Some((name, line, 0));
                    }
                    b"counter" => {
                        if let Some(m) = method.as_mut() {
                            if attr(e, "type").as_deref() == Some("METHOD") {
                                m.2 = attr(e, "covered").and_then(|c| c.parse().ok()).unwrap_or(0);
                            }
                        } else if let (Some(s), Some((k, c))) = (source.as_mut(), counter(e)) {
                            s.counters.insert(k, c);
                        }
                    }
                    b"sourcefile" => {
                        let Some(p) = &package else {
                            return Err(bad(
                                cx,
                                "expected to find 'sourcefile' within a 'package'".into(),
                            ));
                        };
                        let name = attr(e, "name").ok_or_else(|| {
                            bad(
                                cx,
                                "couldn't find the attribute 'name' for a sourcefile".into(),
                            )
                        })?;
                        let path = if p.is_empty() {
                            name
                        } else {
                            format!("{p}/{name}")
                        };
                        files
                            .entry(path.clone())
                            .or_insert_with(|| FileCoverage::new(path.clone()));
                        if !empty {
                            source = Some(Source {
                                file: FileCoverage::new(path.clone()),
                                path,
                                instructions: false,
                                counters: BTreeMap::new(),
                            });
                        }
                    }
                    b"line" => {
                        let Some(s) = source.as_mut() else {
                            return Err(bad(
                                cx,
                                "expected to find 'line' within a 'sourcefile'".into(),
                            ));
                        };
                        let name = s.path.rsplit('/').next().unwrap_or(&s.path).to_string();
                        let num = |k: &str, required: bool| -> Result<Option<u64>, ParseError> {
                            match attr(e, k) {
                                Some(v) => v.trim().parse().map(Some).map_err(|_| {
                                    bad(cx, format!("failed to parse integer from the attribute '{k}' for the sourcefile '{name}'"))
                                }),
                                None if required => Err(bad(cx, format!("couldn't find the attribute '{k}' for the sourcefile '{name}'"))),
                                None => Ok(None),
                            }
                        };
                        let nr = num("nr", true)?.unwrap_or(0);
                        let nr = u32::try_from(nr).map_err(|_| {
                            bad(
                                cx,
                                format!(
                                    "line number {nr} is out of range for the sourcefile '{name}'"
                                ),
                            )
                        })?;
                        let (mi, ci) = (num("mi", false)?, num("ci", false)?);
                        let (mb, cb) = (
                            num("mb", false)?.unwrap_or(0),
                            num("cb", false)?.unwrap_or(0),
                        );
                        s.instructions |= mi.is_some() || ci.is_some();
                        let h = s.file.lines.entry(nr).or_insert(0);
                        *h = h.saturating_add(ci.unwrap_or(0));
                        if mb.saturating_add(cb) > 0 {
                            let total = u32::try_from(mb.saturating_add(cb)).unwrap_or(u32::MAX);
                            let b = s.file.branches.entry(nr).or_default();
                            b.total = b.total.max(total);
                            b.covered = b
                                .covered
                                .max(u32::try_from(cb).unwrap_or(u32::MAX))
                                .min(b.total);
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"package" => package = None,
                b"sourcefile" => {
                    if let Some(s) = source.take() {
                        if let Some(m) = s.counters.get("METHOD") {
                            method_counters.entry(s.path.clone()).or_default().add(*m);
                        }
                        let f = finish(s, cx);
                        match files.get_mut(&f.path) {
                            Some(existing) => existing.merge(f),
                            None => {
                                files.insert(f.path.clone(), f);
                            }
                        }
                    }
                }
                b"class" => class_file = None,
                b"method" => {
                    if let (Some((name, line, covered)), Some(file)) =
                        (method.take(), class_file.clone())
                    {
                        files
                            .entry(file.clone())
                            .or_insert_with(|| FileCoverage::new(file))
                            .functions
                            .push(FunctionCoverage {
                                name,
                                line,
                                hits: covered,
                            });
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    let files = files
        .into_values()
        .map(|mut f| {
            // Trimmed reports keep sourcefiles but not classes: the METHOD
            // counter is then all there is about functions.
            if let (true, true, Some(m)) = (
                f.functions.is_empty(),
                f.summary_only.is_none(),
                method_counters.get(&f.path).filter(|m| m.total > 0),
            ) {
                f.summary_only = Some(Box::new(CoverageTotals {
                    lines: f.line_counter(),
                    branches: f.branch_counter(),
                    functions: *m,
                    statements: None,
                }));
            }
            f.path = cx.path(&f.path);
            f.functions.sort();
            f
        })
        .collect();
    Ok(CoverageReport { files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;

    fn run(text: &str) -> (CoverageReport, Vec<crate::Warning>) {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("jacoco.xml", &o);
        let r = parse(text, &mut cx).unwrap();
        (r, cx.warnings)
    }

    #[test]
    fn lines_without_instruction_counts_use_the_line_counter() {
        let mixed = r#"<report name="x"><package name=""><sourcefile name="a.cpp"><line nr="1"/><line nr="2" mb="1" cb="1"/><counter type="LINE" missed="1" covered="1"/><counter type="BRANCH" missed="1" covered="1"/><counter type="METHOD" missed="0" covered="3"/></sourcefile></package></report>"#;
        let (r, w) = run(mixed);
        let f = &r.files[0];
        assert!(f.lines.is_empty());
        assert_eq!(
            f.line_counter(),
            Counter {
                total: 2,
                covered: 1
            }
        );
        assert_eq!(
            f.branch_counter(),
            Counter {
                total: 2,
                covered: 1
            }
        );
        assert_eq!(
            f.function_counter(),
            Counter {
                total: 3,
                covered: 3
            }
        );
        assert_eq!(w[0].code, "jacoco-no-line-counts");
        let all = mixed.replace(
            r#"missed="1" covered="1"/><counter type="BRANCH""#,
            r#"missed="0" covered="2"/><counter type="BRANCH""#,
        );
        let (r, w) = run(&all);
        assert_eq!(r.files[0].lines.get(&1), Some(&1));
        assert!(w.is_empty());
    }

    #[test]
    fn groups_merge_the_same_file() {
        let t = r#"<report name="x"><group name="a"><package name="p"><sourcefile name="A.java"><line nr="3" mi="1" ci="0"/></sourcefile></package></group><group name="b"><package name="p"><sourcefile name="A.java"><line nr="3" mi="0" ci="2"/></sourcefile></package></group></report>"#;
        let (r, _) = run(t);
        assert_eq!(r.files.len(), 1);
        assert_eq!(r.files[0].path, "p/A.java");
        assert_eq!(r.files[0].lines.get(&3), Some(&2));
    }
}
