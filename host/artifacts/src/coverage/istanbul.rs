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
        || v.as_object()
            .is_some_and(|o| !o.is_empty() && o.values().all(|f| file_data(f).is_some()))
}

fn start_line(loc: &Value) -> Option<u32> {
    loc.get("start")?
        .get("line")?
        .as_u64()
        .and_then(|l| u32::try_from(l).ok())
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
    let entries: Vec<(&String, &Value)> = if file_data(v).is_some() {
        single = cx.name.to_string();
        vec![(&single, v)]
    } else {
        map.iter().collect()
    };
    let mut files = Vec::new();
    for (key, entry) in entries {
        let ptr = format!("/{}", key.replace('~', "~0").replace('/', "~1"));
        let d = file_data(entry).ok_or_else(|| {
            ParseError::new(
                cx.name,
                "invalid-istanbul",
                Some(Position::Pointer(ptr.clone())),
                "entry has no statementMap/s",
            )
        })?;
        let path = d.get("path").and_then(Value::as_str).unwrap_or(key);
        let mut f = FileCoverage::new(cx.path(path));
        let counts = |k: &str| d.get(k).and_then(Value::as_object);
        let mut st = Counter::default();
        if let (Some(smap), Some(s)) = (counts("statementMap"), counts("s")) {
            for (id, count) in s {
                let count = count.as_u64().unwrap_or(0);
                st.total = st.total.saturating_add(1);
                if count > 0 {
                    st.covered = st.covered.saturating_add(1);
                }
                if let Some(line) = smap.get(id).and_then(start_line) {
                    let e = f.lines.entry(line).or_insert(0);
                    *e = (*e).max(count);
                }
            }
        }
        f.statements = Some(st);
        if let (Some(fmap), Some(fc)) = (counts("fnMap"), counts("f")) {
            for (id, meta) in fmap {
                let line = meta
                    .get("decl")
                    .and_then(start_line)
                    .or_else(|| meta.get("loc").and_then(start_line))
                    .or_else(|| {
                        meta.get("line")
                            .and_then(Value::as_u64)
                            .and_then(|l| u32::try_from(l).ok())
                    })
                    .unwrap_or(0);
                f.functions.push(FunctionCoverage {
                    name: meta
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("(anonymous)")
                        .to_string(),
                    line,
                    hits: fc.get(id).and_then(Value::as_u64).unwrap_or(0),
                });
            }
            f.functions.sort();
        }
        if let (Some(bmap), Some(bc)) = (counts("branchMap"), counts("b")) {
            for (id, meta) in bmap {
                let line = meta
                    .get("line")
                    .and_then(Value::as_u64)
                    .and_then(|l| u32::try_from(l).ok())
                    .or_else(|| meta.get("loc").and_then(start_line));
                let (Some(line), Some(arms)) = (line, bc.get(id).and_then(Value::as_array)) else {
                    continue;
                };
                let b = f.branches.entry(line).or_default();
                for arm in arms {
                    b.total = b.total.saturating_add(1);
                    if arm.as_u64().unwrap_or(0) > 0 {
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
