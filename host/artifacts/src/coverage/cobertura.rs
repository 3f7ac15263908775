//! Cobertura XML (coverage.py `xml`, gcovr `--cobertura`, scoverage, luacov,
//! coverlet, Istanbul's cobertura reporter).
//!
//! Lines are the `<line>`s of each `<class>` (the copies under `<methods>`
//! are only used for function coverage); `condition-coverage="50% (1/2)"`
//! gives branches; several classes of one file merge. Filenames are
//! resolved against every `<source>` root, in order of preference: a root
//! under which the file exists in the checkout (`root` option), else an
//! absolute root inside the repository root, else the filename stays as
//! written (relative: coverage.py and gcovr write it relative to a root).
//! The report's own `line-rate` is never trusted; a disagreement is warned.

use super::xml::{Reader, attr, attr_num, invalid, resolve_ref};
use crate::ParseContext;
use crate::ParseError;
use crate::error::{ParseCode, WarningCode};
use crate::model::{CoverageReport, FileCoverage, FunctionCoverage};
use crate::paths;
use quick_xml::events::Event;
use std::path::Path;

pub fn sniff(text: &str, root: &str) -> bool {
    root == "coverage"
        && !text.contains("<project")
        && (text.contains("<packages") || text.contains("line-rate") || text.contains("<sources"))
}

struct Method {
    name: String,
    first: Option<u32>,
    hit: bool,
}

/// `50% (1/2)` → (1, 2).
fn condition(s: &str) -> Option<(u32, u32)> {
    let (pct, rest) = s.split_once('(')?;
    pct.trim().strip_suffix('%')?.trim().parse::<f64>().ok()?;
    let (inner, tail) = rest.split_once(')')?;
    if !tail.trim().is_empty() {
        return None;
    }
    let (a, b) = inner.split_once('/')?;
    let (covered, total): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (covered <= total).then_some((covered, total))
}

/// A `<class filename>` as a repository path, given the report's
/// `<source>` roots (see the module docs).
fn resolve(filename: &str, sources: &[String], cx: &mut ParseContext<'_>) -> String {
    let absolute = |p: &str| p.starts_with('/') || p.as_bytes().get(1) == Some(&b':');
    if absolute(filename) || sources.is_empty() {
        return cx.path(filename);
    }
    if let Some(root) = cx.options.root.clone() {
        let join = |s: &str| format!("{}/{filename}", s.trim_end_matches(['/', '\\']));
        // 1. A root under which the file exists in the checkout.
        for s in sources {
            let candidate = join(s);
            let on_disk = if absolute(&candidate) {
                Path::new(&candidate).to_path_buf()
            } else {
                root.join(&candidate)
            };
            if on_disk.is_file() {
                return cx.path(&candidate);
            }
        }
        // 2. An absolute root inside the repository (the report was made in
        //    this checkout, maybe before files moved).
        for s in sources.iter().filter(|s| absolute(s)) {
            let (p, mapped) = paths::normalize(&join(s), Some(&root));
            if mapped {
                return cx.path(&p);
            }
        }
    }
    // 3. The filename as written, relative.
    cx.path(filename)
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut r = Reader::new(cx, text)?;
    let mut files: Vec<FileCoverage> = Vec::new();
    let mut sources: Vec<String> = Vec::new();
    // The `<source>` being read: its text and entity references, joined.
    let mut source: Option<String> = None;
    let mut current: Option<FileCoverage> = None;
    let mut method: Option<Method> = None;
    let mut in_methods = false;
    let mut declared_rate: Option<f64> = None;
    let mut saw_root = false;
    loop {
        let ev = r.next(cx)?;
        let pos = r.event_start();
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"coverage" => {
                        saw_root = true;
                        declared_rate = attr_num(e, "line-rate");
                    }
                    b"source" if !empty => source = Some(String::new()),
                    b"class" => {
                        let filename = attr(e, "filename").ok_or_else(|| {
                            invalid(
                                cx,
                                ParseCode::InvalidCobertura,
                                text,
                                pos,
                                "`<class>` has no filename".into(),
                            )
                        })?;
                        let path = resolve(&filename, &sources, cx);
                        let f = FileCoverage::new(path);
                        if empty {
                            files.push(f);
                        } else {
                            current = Some(f);
                        }
                    }
                    b"methods" if !empty => in_methods = true,
                    b"method" if in_methods => {
                        let m = Method {
                            name: attr(e, "name").unwrap_or_default(),
                            first: None,
                            hit: false,
                        };
                        if empty {
                            if let Some(f) = current.as_mut() {
                                f.functions.push(FunctionCoverage {
                                    name: m.name,
                                    line: 0,
                                    hits: 0,
                                });
                            }
                        } else {
                            method = Some(m);
                        }
                    }
                    b"line" => {
                        let number: u32 = attr_num(e, "number").ok_or_else(|| {
                            invalid(
                                cx,
                                ParseCode::InvalidCobertura,
                                text,
                                pos,
                                "`<line>` has no numeric `number`".into(),
                            )
                        })?;
                        let hits: u64 = attr(e, "hits")
                            .and_then(|h| {
                                h.trim().parse::<u64>().ok().or_else(|| {
                                    h.trim()
                                        .parse::<f64>()
                                        .ok()
                                        .filter(|f| *f >= 0.0)
                                        .map(|f| f as u64)
                                })
                            })
                            .ok_or_else(|| {
                                invalid(
                                    cx,
                                    ParseCode::InvalidCobertura,
                                    text,
                                    pos,
                                    format!("line {number} has no numeric `hits`"),
                                )
                            })?;
                        if let Some(m) = method.as_mut() {
                            m.first = Some(m.first.map_or(number, |f| f.min(number)));
                            m.hit |= hits > 0;
                        } else if !in_methods && let Some(f) = current.as_mut() {
                            let e2 = f.lines.entry(number).or_insert(0);
                            *e2 = e2.saturating_add(hits);
                            // A branch line without `condition-coverage`
                            // (as some producers write) has no branch counts;
                            // one that is there must read `N% (covered/total)`.
                            if attr(e, "branch").as_deref() == Some("true")
                                && let Some(cc) = attr(e, "condition-coverage")
                            {
                                let (covered, total) = condition(&cc).ok_or_else(|| {
                                    invalid(
                                        cx,
                                        ParseCode::InvalidCobertura,
                                        text,
                                        pos,
                                        format!(
                                            "line {number} has a malformed `condition-coverage` `{cc}` (expected `N% (covered/total)` with covered <= total)"
                                        ),
                                    )
                                })?;
                                let b = f.branches.entry(number).or_default();
                                b.total = b.total.max(total);
                                b.covered = b.covered.max(covered).min(b.total);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(s) = source.as_mut() {
                    s.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::GeneralRef(g) => {
                if let Some(s) = source.as_mut() {
                    s.push_str(&resolve_ref(&g));
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"source" => {
                    if let Some(s) = source.take().map(|s| s.trim().to_string())
                        && !s.is_empty()
                    {
                        sources.push(s);
                    }
                }
                b"methods" => in_methods = false,
                b"method" => {
                    if let (Some(m), Some(f)) = (method.take(), current.as_mut()) {
                        f.functions.push(FunctionCoverage {
                            name: m.name,
                            line: m.first.unwrap_or(0),
                            hits: u64::from(m.hit),
                        });
                    }
                }
                b"class" => {
                    if let Some(f) = current.take() {
                        files.push(f);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    if !saw_root {
        return Err(cx.error(
            ParseCode::InvalidCobertura,
            None,
            "no `<coverage>` root element",
        ));
    }
    let mut report = CoverageReport { files };
    report.normalize();
    if let (Some(rate), Some(pct)) = (declared_rate, report.totals().lines.percent())
        && (rate * 100.0 - pct).abs() > 0.01
    {
        cx.warn(
            WarningCode::CoberturaRateMismatch,
            format!("the report's line-rate {rate} disagrees with its lines ({:.4}); totals use the lines", pct / 100.0),
        );
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;
    use crate::model::BranchCount;

    fn run(text: &str, root: Option<&Path>) -> (CoverageReport, Vec<crate::Warning>) {
        let o = ParseOptions {
            root: root.map(Path::to_path_buf),
            go_module: None,
        };
        let mut cx = ParseContext::new("cobertura.xml", &o);
        let r = parse(text, &mut cx).unwrap();
        (r, cx.warnings)
    }

    fn doc(sources: &[&str]) -> String {
        let s: String = sources
            .iter()
            .map(|s| format!("<source>{s}</source>"))
            .collect();
        format!(
            r#"<coverage line-rate="0.9"><sources>{s}</sources><packages><package name="p"><classes><class name="a" filename="pkg/a.py"><lines><line number="1" hits="3"/><line number="2" hits="0" branch="true" condition-coverage="50% (1/2)"/></lines></class></classes></package></packages></coverage>"#
        )
    }

    #[test]
    fn source_roots_prefer_the_repository() {
        // Not on disk: the absolute root inside the repository wins.
        let (r, w) = run(
            &doc(&["/elsewhere/lib", "/repo/src"]),
            Some(Path::new("/repo")),
        );
        assert_eq!(r.files[0].path, "src/pkg/a.py");
        assert!(w.iter().any(|w| w.code == "cobertura-rate-mismatch"));
        // No root option: the filename as written.
        let (r, _) = run(&doc(&["/elsewhere/lib", "/repo/src"]), None);
        assert_eq!(r.files[0].path, "pkg/a.py");
        // On disk under a relative root.
        let dir = std::env::temp_dir().join(format!("gate-cobertura-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("lib/pkg")).unwrap();
        std::fs::write(dir.join("lib/pkg/a.py"), "").unwrap();
        let (r, _) = run(&doc(&["/elsewhere/src", "lib"]), Some(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(r.files[0].path, "lib/pkg/a.py");
        let f = &r.files[0];
        assert_eq!(
            f.branches.get(&2),
            Some(&BranchCount {
                covered: 1,
                total: 2
            })
        );
        assert_eq!(f.line_counter().covered, 1);
    }

    #[test]
    fn condition_coverage() {
        assert_eq!(condition("50% (1/2)"), Some((1, 2)));
        assert_eq!(condition("100%"), None);
    }
}
