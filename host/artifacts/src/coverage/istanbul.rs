//! Istanbul / nyc `coverage-final.json` (one entry per file with
//! `statementMap`/`s`, `fnMap`/`f`, `branchMap`/`b`).
//!
//! Line hits follow istanbul-lib-coverage's `getLineCoverage`: each
//! statement counts on its start line, a line takes the largest count of
//! its statements. Statements are reported too (istanbul's headline figure).

use crate::model::{Counter, CoverageReport, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn file_data(v: &Value) -> Option<&Value> {
    let d = v.get("data").unwrap_or(v);
    (d.get("statementMap").is_some() && d.get("s").is_some()).then_some(d)
}

/// A coverage map (`{path: fileCoverage}`) or a single file's coverage
/// object (what istanbul's `FileCoverage.toJSON()` writes).
pub fn sniff(v: &Value) -> bool {
    file_data(v).is_some()
        || v.as_object().is_some_and(|o| {
            // The shape keeps the first files (and marks the rest):
            // those must all be file coverage objects.
            !o.is_empty()
                && o.iter()
                    .filter(|(k, _)| k.as_str() != crate::document::SHAPE_MORE)
                    .all(|(_, f)| file_data(f).is_some())
        })
}

/// Escapes a key for a JSON pointer (RFC 6901).
/// One JSON pointer segment, escaped (shared with the IaC parsers).
use crate::iac::escape_pointer as esc;

/// A location's `start.line`: `None` without one, an error when it is
/// there but not a positive line number.
fn start_line(loc: &Value, ptr: &str, name: &str) -> Result<Option<u32>, ParseError> {
    match loc.get("start").and_then(|s| s.get("line")) {
        None => Ok(None),
        Some(l) => line_number(l, &format!("{ptr}/start/line"), name).map(Some),
    }
}

fn line_number(l: &Value, ptr: &str, name: &str) -> Result<u32, ParseError> {
    l.as_u64()
        .and_then(|l| u32::try_from(l).ok())
        .filter(|l| *l > 0)
        .ok_or_else(|| bad(name, ptr, format!("line {l} is not a positive line number")))
}

fn bad(name: &str, ptr: &str, msg: String) -> ParseError {
    ParseError::new(
        name,
        "invalid-istanbul",
        Some(Position::Pointer(ptr.to_string())),
        msg,
    )
}

/// A hit count: a non-negative integer.
fn count(v: &Value, ptr: &str, name: &str) -> Result<u64, ParseError> {
    v.as_u64().ok_or_else(|| {
        bad(
            name,
            ptr,
            format!("count {v} is not a non-negative integer"),
        )
    })
}

/// The object at `d[k]`, `None` when absent, an error when not an object.
fn object<'a>(
    d: &'a Value,
    k: &str,
    ptr: &str,
    name: &str,
) -> Result<Option<&'a serde_json::Map<String, Value>>, ParseError> {
    match d.get(k) {
        None => Ok(None),
        Some(v) => v.as_object().map(Some).ok_or_else(|| {
            bad(
                name,
                &format!("{ptr}/{k}"),
                format!("`{k}` is not an object"),
            )
        }),
    }
}

/// Every id of `counts` must have an entry in `map` (and the other way
/// round, checked by the caller as it walks the map).
fn no_orphans(
    map: &serde_json::Map<String, Value>,
    counts: &serde_json::Map<String, Value>,
    ptr: &str,
    map_key: &str,
    name: &str,
) -> Result<(), ParseError> {
    match counts.keys().find(|id| !map.contains_key(*id)) {
        Some(id) => Err(bad(
            name,
            &format!("{ptr}/{}", esc(id)),
            format!("count `{id}` has no `{map_key}` entry"),
        )),
        None => Ok(()),
    }
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let Some(map) = v.as_object() else {
        return Err(cx.error(
            "invalid-istanbul",
            Some(Position::Pointer(String::new())),
            "expected an object of files",
        ));
    };
    let single;
    // One file's data at the root (not a map of files): checked once.
    let is_single = file_data(v).is_some();
    let entries: Vec<(&String, &Value)> = if is_single {
        single = cx.name.to_string();
        vec![(&single, v)]
    } else {
        map.iter().collect()
    };
    let name = cx.name;
    let mut files = Vec::new();
    for (key, entry) in entries {
        let mut ptr = if is_single {
            String::new()
        } else {
            format!("/{}", esc(key))
        };
        let d = file_data(entry)
            .ok_or_else(|| bad(name, &ptr, "entry has no statementMap/s".into()))?;
        if entry.get("data").is_some() {
            ptr.push_str("/data");
        }
        let path = d.get("path").and_then(Value::as_str).unwrap_or(key);
        let mut f = FileCoverage::new(cx.path(path));
        let mut st = Counter::default();
        if let (Some(smap), Some(s)) = (
            object(d, "statementMap", &ptr, name)?,
            object(d, "s", &ptr, name)?,
        ) {
            no_orphans(smap, s, &format!("{ptr}/s"), "statementMap", name)?;
            for (id, loc) in smap {
                let lp = format!("{ptr}/statementMap/{}", esc(id));
                let line = start_line(loc, &lp, name)?
                    .ok_or_else(|| bad(name, &lp, format!("statement `{id}` has no start line")))?;
                let cp = format!("{ptr}/s/{}", esc(id));
                let count = count(
                    s.get(id).ok_or_else(|| {
                        bad(
                            name,
                            &format!("{ptr}/s"),
                            format!("statement `{id}` has no count in `s`"),
                        )
                    })?,
                    &cp,
                    name,
                )?;
                st.total = st.total.saturating_add(1);
                if count > 0 {
                    st.covered = st.covered.saturating_add(1);
                }
                let e = f.lines.entry(line).or_insert(0);
                *e = (*e).max(count);
            }
        }
        f.statements = Some(st);
        let (fmap, fc) = (object(d, "fnMap", &ptr, name)?, object(d, "f", &ptr, name)?);
        if fmap.is_some() != fc.is_some() {
            return Err(bad(name, &ptr, "`fnMap` and `f` must come together".into()));
        }
        if let (Some(fmap), Some(fc)) = (fmap, fc) {
            no_orphans(fmap, fc, &format!("{ptr}/f"), "fnMap", name)?;
            for (id, meta) in fmap {
                let mp = format!("{ptr}/fnMap/{}", esc(id));
                let line = match (meta.get("decl"), meta.get("loc"), meta.get("line")) {
                    (Some(decl), _, _) => start_line(decl, &format!("{mp}/decl"), name)?,
                    (None, Some(loc), _) => start_line(loc, &format!("{mp}/loc"), name)?,
                    (None, None, Some(l)) => Some(line_number(l, &format!("{mp}/line"), name)?),
                    (None, None, None) => None,
                }
                .unwrap_or(0);
                let hits = count(
                    fc.get(id).ok_or_else(|| {
                        bad(
                            name,
                            &format!("{ptr}/f"),
                            format!("function `{id}` has no count in `f`"),
                        )
                    })?,
                    &format!("{ptr}/f/{}", esc(id)),
                    name,
                )?;
                f.functions.push(FunctionCoverage {
                    name: meta
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("(anonymous)")
                        .to_string(),
                    line,
                    hits,
                });
            }
            f.functions.sort();
        }
        let (bmap, bc) = (
            object(d, "branchMap", &ptr, name)?,
            object(d, "b", &ptr, name)?,
        );
        if bmap.is_some() != bc.is_some() {
            return Err(bad(
                name,
                &ptr,
                "`branchMap` and `b` must come together".into(),
            ));
        }
        if let (Some(bmap), Some(bc)) = (bmap, bc) {
            no_orphans(bmap, bc, &format!("{ptr}/b"), "branchMap", name)?;
            for (id, meta) in bmap {
                let mp = format!("{ptr}/branchMap/{}", esc(id));
                let line = match meta.get("line") {
                    Some(l) => Some(line_number(l, &format!("{mp}/line"), name)?),
                    None => match meta.get("loc") {
                        Some(loc) => start_line(loc, &format!("{mp}/loc"), name)?,
                        None => None,
                    },
                }
                .ok_or_else(|| bad(name, &mp, format!("branch `{id}` has no line")))?;
                let bp = format!("{ptr}/b/{}", esc(id));
                let arms = bc
                    .get(id)
                    .ok_or_else(|| {
                        bad(
                            name,
                            &format!("{ptr}/b"),
                            format!("branch `{id}` has no counts in `b`"),
                        )
                    })?
                    .as_array()
                    .ok_or_else(|| {
                        bad(
                            name,
                            &bp,
                            format!("the counts of branch `{id}` are not an array"),
                        )
                    })?;
                let b = f.branches.entry(line).or_default();
                for (i, arm) in arms.iter().enumerate() {
                    b.total = b.total.saturating_add(1);
                    // istanbul writes `null` for an arm it never counted (a
                    // default-arg branch; istanbul-reports' github-11
                    // fixture): an arm not covered, never a covered one.
                    if arm.is_null() {
                        continue;
                    }
                    if count(arm, &format!("{bp}/{i}"), name)? > 0 {
                        b.covered = b.covered.saturating_add(1);
                    }
                }
            }
        }
        files.push(f);
    }
    Ok(CoverageReport { files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;

    #[test]
    fn a_line_takes_the_largest_count_of_the_statements_starting_on_it() {
        let loc = |l: u32| serde_json::json!({"start": {"line": l, "column": 0}, "end": {"line": l + 3, "column": 1}});
        let v = serde_json::json!({"/r/a.js": {
            "path": "/r/a.js",
            "statementMap": {"0": loc(1), "1": loc(1), "2": loc(2)},
            "s": {"0": 0, "1": 4, "2": 0},
            "fnMap": {"0": {"name": "f", "decl": loc(1), "loc": loc(1)}},
            "f": {"0": 4},
            "branchMap": {"0": {"type": "if", "loc": loc(2), "locations": [loc(2), loc(3)]}},
            "b": {"0": [1, 0]}
        }});
        let o = ParseOptions {
            root: Some("/r".into()),
            go_module: None,
        };
        let mut cx = ParseContext::new("coverage-final.json", &o);
        let r = parse(&v, &mut cx).unwrap();
        let f = &r.files[0];
        assert_eq!(f.path, "a.js");
        let lines: Vec<(u32, u64)> = f.lines.iter().map(|(l, h)| (*l, *h)).collect();
        // Lines 3 and 4 (inside statement 0's range) are not lines of their own.
        assert_eq!(lines, [(1, 4), (2, 0)]);
        assert_eq!(
            f.statements,
            Some(Counter {
                total: 3,
                covered: 1
            })
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
                total: 1,
                covered: 1
            }
        );
    }
}
