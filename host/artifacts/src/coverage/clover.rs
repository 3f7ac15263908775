//! Clover XML (PHPUnit, OpenClover, gcovr `--clover`).
//!
//! `<file>` holds `<line num type="stmt|cond|method" count truecount
//! falsecount>`: statements and conditionals are lines (a conditional's two
//! outcomes are its branches), methods are functions. Duplicate entries for
//! one line (gcovr writes one per template instance) merge into the line
//! (covered when any instance ran, hits the largest); statements count every
//! `stmt` element, as Clover's own `statements` metric does. `<testproject>`
//! (the tests' own coverage) is skipped.

use super::xml::{Reader, attr, attr_num, invalid};
use crate::error::ParseCode;
use crate::model::{Counter, CoverageReport, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError};
use quick_xml::events::Event;

pub fn sniff(text: &str, root: &str) -> bool {
    root == "coverage" && text.contains("<project")
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut r = Reader::new(cx, text)?;
    let mut files: Vec<FileCoverage> = Vec::new();
    let mut current: Option<FileCoverage> = None;
    // statements of the current file, one per `stmt` element
    let mut stmts = Counter::default();
    let mut in_test_project = false;
    loop {
        let ev = r.next(cx)?;
        let pos = r.event_start();
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    // Test code's own coverage: not the product's.
                    b"testproject" if !empty => in_test_project = true,
                    b"file" if !in_test_project => {
                        let path =
                            attr(e, "path").or_else(|| attr(e, "name")).ok_or_else(|| {
                                invalid(
                                    cx,
                                    ParseCode::InvalidClover,
                                    text,
                                    pos,
                                    "`<file>` has neither path nor name".into(),
                                )
                            })?;
                        let mut f = FileCoverage::new(cx.path(&path));
                        stmts = Counter::default();
                        if empty {
                            f.statements = Some(stmts);
                            files.push(f);
                        } else {
                            current = Some(f);
                        }
                    }
                    b"line" => {
                        let Some(f) = current.as_mut() else { continue };
                        let num: u32 = attr_num(e, "num").ok_or_else(|| {
                            invalid(
                                cx,
                                ParseCode::InvalidClover,
                                text,
                                pos,
                                "`<line>` has no numeric `num`".into(),
                            )
                        })?;
                        let count: u64 = attr_num(e, "count").unwrap_or(0);
                        match attr(e, "type").as_deref() {
                            Some("method") => f.functions.push(FunctionCoverage {
                                name: attr(e, "name").unwrap_or_else(|| format!("line {num}")),
                                line: num,
                                hits: count,
                            }),
                            Some("cond") => {
                                let t: u64 = attr_num(e, "truecount").unwrap_or(0);
                                let fl: u64 = attr_num(e, "falsecount").unwrap_or(0);
                                let b = f.branches.entry(num).or_default();
                                b.total = b.total.max(2);
                                b.covered = b
                                    .covered
                                    .max(u32::from(t > 0).saturating_add(u32::from(fl > 0)));
                                let h = f.lines.entry(num).or_insert(0);
                                *h = (*h).max(count.max(t.saturating_add(fl)));
                            }
                            _ => {
                                stmts.total = stmts.total.saturating_add(1);
                                stmts.covered = stmts.covered.saturating_add(u64::from(count > 0));
                                let h = f.lines.entry(num).or_insert(0);
                                *h = (*h).max(count);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"testproject" => in_test_project = false,
                b"file" => {
                    if let Some(mut f) = current.take() {
                        f.statements = Some(stmts);
                        f.functions.sort();
                        files.push(f);
                    }
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(CoverageReport { files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;
    use crate::model::BranchCount;

    #[test]
    fn conds_methods_duplicates_and_test_projects() {
        let t = r#"<coverage><project><file name="a.php"><line num="3" type="method" name="f" count="2"/><line num="4" type="cond" truecount="1" falsecount="0" count="1"/><line num="5" type="stmt" count="0"/><line num="5" type="stmt" count="2"/></file></project><testproject><file name="t.php"><line num="1" type="stmt" count="1"/></file></testproject></coverage>"#;
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("clover.xml", &o);
        let r = parse(t, &mut cx).unwrap();
        assert_eq!(r.files.len(), 1);
        let f = &r.files[0];
        let lines: Vec<(u32, u64)> = f.lines.iter().map(|(l, h)| (*l, *h)).collect();
        assert_eq!(lines, [(4, 1), (5, 2)]);
        assert_eq!(
            f.branches.get(&4),
            Some(&BranchCount {
                covered: 1,
                total: 2
            })
        );
        assert_eq!(
            f.function_counter(),
            Counter {
                total: 1,
                covered: 1
            }
        );
        assert_eq!(
            f.statements,
            Some(Counter {
                total: 2,
                covered: 1
            })
        );
    }
}
