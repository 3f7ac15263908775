//! Istanbul `coverage-summary.json` (the `json-summary` reporter): per-file
//! totals only, no line data. Those counts are all there is, so they are
//! kept as the file's `summary_only` counts (patch coverage cannot use such
//! a report: it has no lines). `"pct": "Unknown"` (a total of 0) is fine:
//! percentages are never read, only `total` and `covered`.

use crate::model::{Counter, CoverageReport, CoverageTotals, FileCoverage};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

fn is_summary(v: &Value) -> bool {
    ["lines", "statements"]
        .iter()
        .all(|k| v.get(k).and_then(|c| c.get("total")).is_some())
}

pub fn sniff(v: &Value) -> bool {
    v.get("total").is_some_and(is_summary)
}

pub fn parse(v: &Value, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let Some(map) = v.as_object() else {
        return Err(cx.error(
            "invalid-istanbul-summary",
            Some(Position::Pointer(String::new())),
            "expected an object",
        ));
    };
    let mut files = Vec::new();
    for (key, entry) in map.iter().filter(|(k, _)| k.as_str() != "total") {
        let counter = |k: &str| -> Result<Counter, ParseError> {
            let c = entry.get(k);
            let n = |f: &str| c.and_then(|c| c.get(f)).and_then(Value::as_u64);
            match (n("total"), n("covered")) {
                (Some(total), Some(covered)) if covered <= total => Ok(Counter { total, covered }),
                (None, None) => Ok(Counter::default()),
                _ => Err(ParseError::new(
                    cx.name,
                    "invalid-istanbul-summary",
                    Some(Position::Pointer(format!(
                        "/{}/{k}",
                        key.replace('~', "~0").replace('/', "~1")
                    ))),
                    format!("`{k}` needs numeric total and covered (covered <= total)"),
                )),
            }
        };
        let totals = CoverageTotals {
            lines: counter("lines")?,
            branches: counter("branches")?,
            functions: counter("functions")?,
            statements: Some(counter("statements")?),
        };
        let mut f = FileCoverage::new(cx.path(key));
        f.statements = totals.statements;
        f.summary_only = Some(Box::new(totals));
        files.push(f);
    }
    Ok(CoverageReport { files })
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
}
