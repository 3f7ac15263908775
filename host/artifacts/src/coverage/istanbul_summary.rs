//! Istanbul `coverage-summary.json` (the `json-summary` reporter): per-file
//! totals only, no line data. Those counts are all there is, so they are
//! kept as the file's `summary_only` counts (patch coverage cannot use such
//! a report: it has no lines). `"pct": "Unknown"` (a total of 0) is fine:
//! percentages are never read, only `total` and `covered`.

use crate::error::ParseCode;
use crate::model::{Counter, CoverageReport, CoverageTotals, FileCoverage};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

use crate::json::{self, L, Lenient, U64, skip};
use serde::de::MapAccess;

fn is_summary(v: &Value) -> bool {
    ["lines", "statements"]
        .iter()
        .all(|k| v.get(k).and_then(|c| c.get("total")).is_some())
}

pub fn sniff(v: &Value) -> bool {
    v.get("total").is_some_and(is_summary)
}

/// One counter (`{"total": N, "covered": M}`) as written; anything but
/// non-negative integers reads as absent.
#[derive(Default, Clone, Copy)]
struct Pair {
    total: Option<u64>,
    covered: Option<u64>,
}

impl<'de> Lenient<'de> for Pair {
    fn other() -> Self {
        Pair::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut p = Pair::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "total" => p.total = map.next_value::<L<U64>>()?.0.0,
                "covered" => p.covered = map.next_value::<L<U64>>()?.0.0,
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(p)
    }
}

/// One file's summary.
#[derive(Default)]
struct Summary {
    lines: Pair,
    branches: Pair,
    functions: Pair,
    statements: Pair,
}

impl<'de> Lenient<'de> for Summary {
    fn other() -> Self {
        Summary::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut s = Summary::default();
        json::each_key(map, |key, map| {
            let slot = match key.as_ref() {
                "lines" => &mut s.lines,
                "branches" => &mut s.branches,
                "functions" => &mut s.functions,
                "statements" => &mut s.statements,
                _ => return skip(map),
            };
            *slot = map.next_value::<L<Pair>>()?.0;
            Ok(())
        })?;
        Ok(s)
    }
}

/// One file as the model, without its path (set later, see [`super::KeyedPaths`]).
fn file(cx: &ParseContext<'_>, key: &str, s: &Summary) -> Result<FileCoverage, ParseError> {
    let counter = |k: &str, c: Pair| -> Result<Counter, ParseError> {
        match (c.total, c.covered) {
            (Some(total), Some(covered)) if covered <= total => Ok(Counter { total, covered }),
            (None, None) => Ok(Counter::default()),
            _ => Err(ParseError::new(
                cx.name,
                ParseCode::InvalidIstanbulSummary,
                Some(Position::Pointer(format!(
                    "/{}/{k}",
                    key.replace('~', "~0").replace('/', "~1")
                ))),
                format!("`{k}` needs numeric total and covered (covered <= total)"),
            )),
        }
    };
    let totals = CoverageTotals {
        lines: counter("lines", s.lines)?,
        branches: counter("branches", s.branches)?,
        functions: counter("functions", s.functions)?,
        statements: Some(counter("statements", s.statements)?),
    };
    Ok(FileCoverage {
        statements: totals.statements,
        summary_only: Some(Box::new(totals)),
        ..FileCoverage::default()
    })
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    // The document is well-formed JSON: it is an object when it starts as one.
    if !json::starts_object(text) {
        return Err(cx.error(
            ParseCode::InvalidIstanbulSummary,
            Some(Position::Pointer(String::new())),
            "expected an object",
        ));
    }
    super::read_file_map(text, cx, Some("total"), |cx, key, summary: Summary| {
        Ok((file(cx, key, &summary)?, None))
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn unknown_pct_and_totals() {
        let doc = r#"{
          "total": {"lines": {"total": 3, "covered": 2, "skipped": 0, "pct": 66.66},
                    "statements": {"total": 3, "covered": 2, "skipped": 0, "pct": 66.66},
                    "functions": {"total": 0, "covered": 0, "skipped": 0, "pct": "Unknown"},
                    "branches": {"total": 0, "covered": 0, "skipped": 0, "pct": "Unknown"}},
          "/repo/src/a.js": {"lines": {"total": 3, "covered": 2, "skipped": 0, "pct": 66.66},
                    "statements": {"total": 3, "covered": 2, "skipped": 0, "pct": 66.66},
                    "functions": {"total": 0, "covered": 0, "skipped": 0, "pct": "Unknown"},
                    "branches": {"total": 0, "covered": 0, "skipped": 0, "pct": "Unknown"}}
        }"#;
        let o = crate::ParseOptions {
            root: Some("/repo".into()),
            go_module: None,
        };
        let p = crate::parse("coverage-summary.json", doc.as_bytes(), None, &o).unwrap();
        assert_eq!(p.format, crate::Format::IstanbulSummary);
        let crate::Model::Coverage(c) = p.model else {
            panic!()
        };
        assert_eq!(c.files[0].path, "src/a.js");
        let t = c.totals();
        assert_eq!(
            (t.lines.total, t.lines.covered, t.functions.total),
            (3, 2, 0)
        );
    }

    #[test]
    fn counters_are_checked_and_wrong_entries_read_as_empty() {
        let o = crate::ParseOptions::default();
        let run = |doc: &str| {
            crate::parse(
                "s.json",
                doc.as_bytes(),
                Some(crate::Format::IstanbulSummary),
                &o,
            )
        };
        let total =
            r#""total":{"lines":{"total":1,"covered":1},"statements":{"total":1,"covered":1}}"#;
        let e = run(&format!(r#"{{{total},"a/b.js":{{"lines":{{"total":1,"covered":1}},"branches":{{"total":1,"covered":2}}}}}}"#)).unwrap_err();
        assert_eq!(e.code, "invalid-istanbul-summary");
        assert_eq!(
            e.position,
            Some(crate::Position::Pointer("/a~1b.js/branches".into()))
        );
        let e = run(&format!(
            r#"{{{total},"a.js":{{"lines":{{"total":"1","covered":1}}}}}}"#
        ))
        .unwrap_err();
        assert_eq!(
            e.position,
            Some(crate::Position::Pointer("/a.js/lines".into()))
        );
        let p = run(&format!(
            r#"{{"a.js":7,{total},"b.js":{{"lines":[],"functions":{{"total":2,"covered":1}}}}}}"#
        ))
        .unwrap();
        let crate::Model::Coverage(c) = p.model else {
            panic!()
        };
        assert_eq!(c.files.len(), 2);
        assert_eq!(
            c.files[0].summary_only,
            Some(Box::new(crate::CoverageTotals {
                statements: Some(crate::Counter::default()),
                ..Default::default()
            }))
        );
        assert_eq!(
            c.files[1].summary_only.as_ref().unwrap().functions,
            crate::Counter {
                total: 2,
                covered: 1
            }
        );
    }
}
