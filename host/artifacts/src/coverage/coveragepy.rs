//! coverage.py JSON reports (`coverage json`, format 3).
//!
//! `percent_covered` mixes statements and branches when branch coverage is
//! on; gate reports lines (executed + missing statements) and branches
//! (executed + missing arcs, per source line) separately and computes both
//! itself.

use crate::error::{ParseCode, WarningCode};
use crate::model::{Counter, CoverageReport, FileCoverage, FunctionCoverage};
use crate::{ParseContext, ParseError, Position};
use serde_json::Value;

use super::KeyedPaths;
use crate::json::{self, Key, L, Lenient, Lines, U64, skip};
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

pub fn sniff(v: &Value) -> bool {
    v.get("meta").and_then(|m| m.get("format")).is_some()
        && v.get("files").is_some_and(Value::is_object)
}

/// The first line of every arc (`[from, to]`) of an array that is a line
/// number; anything else reads as nothing.
#[derive(Default)]
struct Arcs(Vec<u32>);

impl<'de> Lenient<'de> for Arcs {
    fn other() -> Self {
        Arcs::default()
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(L(ArcFrom(from))) = seq.next_element()? {
            out.extend(from);
        }
        Ok(Arcs(out))
    }
}

/// An arc's first item when it is a line number.
struct ArcFrom(Option<u32>);

impl<'de> Lenient<'de> for ArcFrom {
    fn other() -> Self {
        ArcFrom(None)
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let first = seq.next_element::<L<U64>>()?.and_then(|L(U64(n))| n);
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(ArcFrom(first.and_then(|n| u32::try_from(n).ok())))
    }
}

/// A list of lines reduced to what a function needs: the first line, and
/// whether there is any.
#[derive(Default, Clone, Copy)]
struct LineSpan(Option<u32>);

impl<'de> Lenient<'de> for LineSpan {
    fn other() -> Self {
        LineSpan(None)
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut min: Option<u32> = None;
        while let Some(L(U64(n))) = seq.next_element()? {
            if let Some(n) = n.and_then(|n| u32::try_from(n).ok()) {
                min = Some(min.map_or(n, |m| m.min(n)));
            }
        }
        Ok(LineSpan(min))
    }
}

/// One entry of `functions`.
#[derive(Default)]
struct Function {
    executed: LineSpan,
    missing: LineSpan,
}

impl<'de> Lenient<'de> for Function {
    fn other() -> Self {
        Function::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut f = Function::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "executed_lines" => f.executed = map.next_value::<L<LineSpan>>()?.0,
                "missing_lines" => f.missing = map.next_value::<L<LineSpan>>()?.0,
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(f)
    }
}

/// `functions`: the model's functions (module-level code, the empty name,
/// is not a function).
#[derive(Default)]
struct Functions(Vec<FunctionCoverage>);

impl<'de> Lenient<'de> for Functions {
    fn other() -> Self {
        Functions::default()
    }
    fn map<A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let mut out = Vec::new();
        while let Some(Key(name)) = map.next_key()? {
            let L(func) = map.next_value::<L<Function>>()?;
            if name.is_empty() {
                continue;
            }
            let first = match (func.executed.0, func.missing.0) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            out.push(FunctionCoverage {
                name: name.into_owned(),
                line: first.unwrap_or(0),
                hits: u64::from(func.executed.0.is_some()),
            });
        }
        Ok(Functions(out))
    }
}

/// A file's `summary`: coverage.py's own statement counts.
#[derive(Default)]
struct Summary {
    num_statements: Option<u64>,
    covered_lines: Option<u64>,
}

impl<'de> Lenient<'de> for Summary {
    fn other() -> Self {
        Summary::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut s = Summary::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "num_statements" => s.num_statements = map.next_value::<L<U64>>()?.0.0,
                "covered_lines" => s.covered_lines = map.next_value::<L<U64>>()?.0.0,
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(s)
    }
}

/// One file of `files`, as far as gate reads it.
#[derive(Default)]
struct FileData {
    executed: Lines,
    missing: Lines,
    excluded: Lines,
    executed_branches: Arcs,
    missing_branches: Arcs,
    functions: Functions,
    summary: Summary,
}

impl<'de> Lenient<'de> for FileData {
    fn other() -> Self {
        FileData::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut d = FileData::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "executed_lines" => d.executed = map.next_value::<L<_>>()?.0,
                "missing_lines" => d.missing = map.next_value::<L<_>>()?.0,
                "excluded_lines" => d.excluded = map.next_value::<L<_>>()?.0,
                "executed_branches" => d.executed_branches = map.next_value::<L<_>>()?.0,
                "missing_branches" => d.missing_branches = map.next_value::<L<_>>()?.0,
                "functions" => d.functions = map.next_value::<L<_>>()?.0,
                "summary" => d.summary = map.next_value::<L<_>>()?.0,
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(d)
    }
}

/// What the report as a whole says, besides its files.
#[derive(Default)]
struct Report<'de> {
    format: Option<u64>,
    /// `files` was an object.
    files: bool,
    /// Files whose executed/missing lines disagree with coverage.py's own
    /// statement counts: how many, the first (by key, with its index), and
    /// both sums over them.
    differ: usize,
    first_differ: Option<(Cow<'de, str>, usize)>,
    said: Counter,
    got: Counter,
}

/// The whole document: `meta.format` and the files, each turned into the
/// model as soon as it is read.
struct Root<'c, 'x, 'de> {
    cx: &'c ParseContext<'x>,
    files: &'c mut Vec<FileCoverage>,
    paths: &'c mut KeyedPaths<'de>,
    stop: &'c mut Option<ParseError>,
}

impl<'de> DeserializeSeed<'de> for Root<'_, '_, 'de> {
    type Value = Report<'de>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Report<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_, '_, 'de> {
    type Value = Report<'de>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a coverage.py report")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Report<'de>, A::Error> {
        let mut report = Report::default();
        while let Some(Key(key)) = map.next_key()? {
            match key.as_ref() {
                "meta" => report.format = map.next_value::<L<Meta>>()?.0.0,
                "files" => {
                    map.next_value_seed(Files {
                        cx: self.cx,
                        files: &mut *self.files,
                        paths: &mut *self.paths,
                        stop: &mut *self.stop,
                        report: &mut report,
                    })?;
                }
                _ => skip(&mut map)?,
            }
        }
        Ok(report)
    }
    // Not an object: no `files` (an error).
    json::other_values!('de, Report::default());
}

/// `meta`: its `format`.
struct Meta(Option<u64>);

impl<'de> Lenient<'de> for Meta {
    fn other() -> Self {
        Meta(None)
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut format = None;
        json::each_key(map, |key, map| {
            if key == "format" {
                format = map.next_value::<L<U64>>()?.0.0;
                Ok(())
            } else {
                skip(map)
            }
        })?;
        Ok(Meta(format))
    }
}

/// `files`: istanbul's map of files ([`super::FileMap`]), each file's
/// disagreement with coverage.py's counts summed up on the way; anything
/// but an object leaves `report.files` unset (an error).
struct Files<'c, 'x, 'r, 'de> {
    cx: &'c ParseContext<'x>,
    files: &'c mut Vec<FileCoverage>,
    paths: &'c mut KeyedPaths<'de>,
    stop: &'c mut Option<ParseError>,
    report: &'r mut Report<'de>,
}

impl<'de> DeserializeSeed<'de> for Files<'_, '_, '_, 'de> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Files<'_, '_, '_, 'de> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("an object of files")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let r = &mut *self.report;
        r.files = true;
        let mut index = self.files.len();
        super::FileMap {
            cx: self.cx,
            skip: None,
            file: |_: &ParseContext<'_>, path: &str, d: FileData| {
                let (f, differ) = file(d);
                if let Some((said, got)) = differ {
                    r.differ = r.differ.saturating_add(1);
                    r.said.add(said);
                    r.got.add(got);
                    // The first by key, as the files were listed before.
                    if r.first_differ
                        .as_ref()
                        .is_none_or(|(k, _)| path < k.as_ref())
                    {
                        r.first_differ = Some((Cow::Owned(path.to_owned()), index));
                    }
                }
                index = index.saturating_add(1);
                Ok((f, None))
            },
            files: self.files,
            paths: self.paths,
            stop: self.stop,
            entry: std::marker::PhantomData,
        }
        .visit_map(map)
    }
    // Anything but an object: not a map of files (an error).
    json::other_values!('de, ());
}

/// One file as the model (without its path, set later: see
/// [`KeyedPaths`]), and — when its lines disagree with coverage.py's own
/// statement counts — both counts (coverage.py's, the lines').
fn file(d: FileData) -> (FileCoverage, Option<(Counter, Counter)>) {
    let mut f = FileCoverage::default();
    // Excluded lines (`# pragma: no cover`) are never coverable.
    let mut excluded = d.excluded.0;
    excluded.sort_unstable();
    let coverable = |l: &u32| excluded.binary_search(l).is_err();
    // A line both missing and executed is executed: `collect` keeps the
    // last of equal lines, and sorts stably. Built at once, the map's
    // nodes are full (inserted one by one, half of each is left empty).
    let missing = d.missing.0.into_iter().map(|l| (l, 0));
    let executed = d.executed.0.into_iter().map(|l| (l, 1));
    f.lines = missing
        .chain(executed)
        .filter(|(l, _)| coverable(l))
        .collect();
    for &from in &d.executed_branches.0 {
        let b = f.branches.entry(from).or_default();
        b.total = b.total.saturating_add(1);
        b.covered = b.covered.saturating_add(1);
    }
    for &from in &d.missing_branches.0 {
        let b = f.branches.entry(from).or_default();
        b.total = b.total.saturating_add(1);
    }
    f.functions = d.functions.0;
    f.functions.sort();
    // coverage.py's JSON lists no statements; its `executed_lines` can
    // include non-statement lines (docstrings) that its own summary does
    // not count. Say so (once per report) with its figures rather than
    // guess which lines they are.
    let st = f.line_counter();
    let mut differ = None;
    if let (Some(stmts), Some(covered)) = (d.summary.num_statements, d.summary.covered_lines)
        && (stmts, covered) != (st.total, st.covered)
    {
        differ = Some((
            Counter {
                total: stmts,
                covered,
            },
            st,
        ));
    }
    f.statements = d
        .summary
        .num_statements
        .zip(d.summary.covered_lines)
        .map(|(total, covered)| Counter { total, covered });
    (f, differ)
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let mut files = Vec::new();
    let mut paths = KeyedPaths::default();
    let mut stop = None;
    let out = json::read_seed(
        text,
        Root {
            cx,
            files: &mut files,
            paths: &mut paths,
            stop: &mut stop,
        },
    );
    let report = json::finish(cx.name, out, stop)?;
    if let Some(fmt) = report.format
        && fmt != 3
    {
        return Err(cx.error(
            ParseCode::UnsupportedVersion,
            Some(Position::Pointer("/meta/format".into())),
            format!("coverage.py json format {fmt} is not supported; gate reads format 3"),
        ));
    }
    if !report.files {
        return Err(cx.error(
            ParseCode::InvalidCoveragepy,
            Some(Position::Pointer("/files".into())),
            "`files` must be an object",
        ));
    }
    paths.apply(cx, &mut files);
    if let Some((_, first)) = &report.first_differ {
        let first = files.get(*first).map_or("", |f| f.path.as_str());
        cx.warn(
            WarningCode::CoveragepySummaryMismatch,
            format!(
                "in {} (first: {first}) `executed_lines` include lines coverage.py does not count as statements (docstrings): it counts {} of {} statements there, the lines give {} of {}; line totals use the lines, statement totals coverage.py's counts",
                gate_codes::wording::count(report.differ, "file", "files"),
                report.said.covered,
                report.said.total,
                report.got.covered,
                report.got.total
            ),
        );
    }
    Ok(CoverageReport { files })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: &str) -> Result<crate::Parsed, ParseError> {
        let o = crate::ParseOptions::default();
        crate::parse(
            "c.json",
            doc.as_bytes(),
            Some(crate::Format::Coveragepy),
            &o,
        )
    }

    fn files(p: &crate::Parsed) -> &[FileCoverage] {
        match &p.model {
            crate::Model::Coverage(c) => &c.files,
            _ => unreachable!("coverage.py is coverage"),
        }
    }

    #[test]
    fn fields_of_the_wrong_type_read_as_absent() {
        let doc = r#"{"meta":{"format":3},"files":{"a.py":{"executed_lines":"1","missing_lines":[2,-3,"4",5.0,4294967296,6],"excluded_lines":[6],"executed_branches":[[2,3],7,[-1,2],["x"]],"missing_branches":{},"functions":{"":{"executed_lines":[2]},"f":{"executed_lines":[9,8],"missing_lines":[7]},"g":3},"summary":{"num_statements":"2","covered_lines":0}},"b.py":4}}"#;
        let p = run(doc).unwrap();
        let f = &files(&p)[0];
        assert_eq!(
            f.lines.iter().map(|(l, h)| (*l, *h)).collect::<Vec<_>>(),
            [(2, 0)]
        );
        assert_eq!(f.branches.keys().copied().collect::<Vec<_>>(), [2]);
        assert_eq!(
            f.functions,
            [
                FunctionCoverage {
                    name: "f".into(),
                    line: 7,
                    hits: 1
                },
                FunctionCoverage {
                    name: "g".into(),
                    line: 0,
                    hits: 0
                },
            ]
        );
        assert_eq!(f.statements, None);
        assert_eq!(files(&p)[1].path, "b.py");
    }

    #[test]
    fn executed_wins_over_missing_and_excluded_over_both() {
        let doc = r#"{"meta":{"format":3},"files":{"a.py":{"missing_lines":[1,2,3],"executed_lines":[3,1,4],"excluded_lines":[4]}}}"#;
        let p = run(doc).unwrap();
        let lines: Vec<(u32, u64)> = files(&p)[0].lines.iter().map(|(l, h)| (*l, *h)).collect();
        assert_eq!(lines, [(1, 1), (2, 0), (3, 1)]);
    }

    #[test]
    fn version_and_files_errors() {
        // The version is checked first, wherever `meta` is.
        let o = crate::ParseOptions::default();
        let mut cx = crate::ParseContext::new("c.json", &o);
        let e = parse(r#"{"files":5,"meta":{"format":2}}"#, &mut cx).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position),
            (
                "unsupported-version",
                Some(Position::Pointer("/meta/format".into()))
            )
        );
        let e = parse(r#"{"meta":{"format":3},"files":[]}"#, &mut cx).unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position),
            (
                "invalid-coveragepy",
                Some(Position::Pointer("/files".into()))
            )
        );
    }

    #[test]
    fn the_summary_mismatch_names_the_first_file_by_key() {
        let file = r#"{"executed_lines":[1,2],"missing_lines":[],"summary":{"num_statements":1,"covered_lines":1}}"#;
        let doc = format!(
            r#"{{"meta":{{"format":3}},"files":{{"z.py":{file},"b.py":{file},"ok.py":{{"executed_lines":[1]}}}}}}"#
        );
        let p = run(&doc).unwrap();
        assert_eq!(p.warnings.len(), 1);
        assert!(
            p.warnings[0]
                .message
                .starts_with("in 2 files (first: b.py)"),
            "{}",
            p.warnings[0].message
        );
        assert!(
            p.warnings[0]
                .message
                .contains("it counts 2 of 2 statements there, the lines give 4 of 4"),
            "{}",
            p.warnings[0].message
        );
    }
}
