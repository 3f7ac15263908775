//! JaCoCo XML (`jacoco:report`, Gradle/Maven, Kotlin, aggregate reports
//! with `<group>`s). The external DTD JaCoCo declares is never fetched.
//!
//! Per `<sourcefile>` line (`nr`, `mi`, `ci`, `mb`, `cb`): hits are the
//! covered instructions (`ci`), branches total `mb + cb` with `cb` covered;
//! absent attributes count as 0. Paths are the package path plus the source
//! file name. Methods (from `<class>`, with their `METHOD` counter) are the
//! functions. Structural errors name the element and the place, as
//! SonarSource's parser does.

use super::xml::{attr, error, invalid};
use crate::model::{CoverageReport, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError};
use quick_xml::events::Event;
use std::collections::BTreeMap;

pub fn sniff(text: &str, root: &str) -> bool {
    root == "report"
        && (text.contains("<sessioninfo")
            || text.contains("<package")
            || text.contains("<counter")
            || text.contains("JACOCO"))
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut r = quick_xml::Reader::from_str(text);
    let mut files: BTreeMap<String, FileCoverage> = BTreeMap::new();
    let mut package: Option<String> = None;
    let mut sourcefile: Option<String> = None;
    // class source file → methods waiting for their METHOD counter
    let mut class_file: Option<String> = None;
    let mut method: Option<(String, u32, u64)> = None;
    loop {
        let pos = r.buffer_position();
        let ev = r
            .read_event()
            .map_err(|e| error(cx, text, r.error_position(), e))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.local_name().as_ref() {
                    b"package" => {
                        let name = attr(e, "name").ok_or_else(|| {
                            invalid(
                                cx,
                                "invalid-jacoco",
                                text,
                                pos,
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
                        if let Some(m) = method.as_mut()
                            && attr(e, "type").as_deref() == Some("METHOD")
                        {
                            m.2 = attr(e, "covered").and_then(|c| c.parse().ok()).unwrap_or(0);
                        }
                    }
                    b"sourcefile" => {
                        let Some(p) = &package else {
                            return Err(invalid(
                                cx,
                                "invalid-jacoco",
                                text,
                                pos,
                                "expected to find 'sourcefile' within a 'package'".into(),
                            ));
                        };
                        let name = attr(e, "name").ok_or_else(|| {
                            invalid(
                                cx,
                                "invalid-jacoco",
                                text,
                                pos,
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
                            sourcefile = Some(path);
                        }
                    }
                    b"line" => {
                        let Some(path) = sourcefile.clone() else {
                            return Err(invalid(
                                cx,
                                "invalid-jacoco",
                                text,
                                pos,
                                "expected to find 'line' within a 'sourcefile'".into(),
                            ));
                        };
                        let name = path.rsplit('/').next().unwrap_or(&path).to_string();
                        let num = |k: &str, required: bool| -> Result<u64, ParseError> {
                            match attr(e, k) {
                                Some(v) => v.trim().parse().map_err(|_| {
                                    invalid(cx, "invalid-jacoco", text, pos, format!("failed to parse integer from the attribute '{k}' for the sourcefile '{name}'"))
                                }),
                                None if required => Err(invalid(cx, "invalid-jacoco", text, pos, format!("couldn't find the attribute '{k}' for the sourcefile '{name}'"))),
                                None => Ok(0),
                            }
                        };
                        let nr = u32::try_from(num("nr", true)?).unwrap_or(u32::MAX);
                        let (ci, mb, cb) =
                            (num("ci", false)?, num("mb", false)?, num("cb", false)?);
                        num("mi", false)?;
                        if let Some(f) = files.get_mut(&path) {
                            let h = f.lines.entry(nr).or_insert(0);
                            *h = h.saturating_add(ci);
                            if mb + cb > 0 {
                                let b = f.branches.entry(nr).or_default();
                                b.total = b.total.max(u32::try_from(mb + cb).unwrap_or(u32::MAX));
                                b.covered = b
                                    .covered
                                    .max(u32::try_from(cb).unwrap_or(u32::MAX))
                                    .min(b.total);
                            }
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"package" => package = None,
                b"sourcefile" => sourcefile = None,
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
            f.path = cx.path(&f.path);
            f.functions.sort();
            f
        })
        .collect();
    Ok(CoverageReport { files })
}
