//! Istanbul / nyc `coverage-final.json` (one entry per file with
//! `statementMap`/`s`, `fnMap`/`f`, `branchMap`/`b`).
//!
//! Line hits follow istanbul-lib-coverage's `getLineCoverage`: each
//! statement counts on its start line, a line takes the largest count of
//! its statements. Statements are reported too (istanbul's headline figure).

use crate::error::ParseCode;
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

/// One JSON pointer segment, escaped (shared with the IaC parsers).
use crate::iac::escape_pointer as esc;

use crate::json::{self, L, Lenient, Map, Str, skip};
use serde::de::{MapAccess, SeqAccess};
use serde_json::value::RawValue;
use std::borrow::Cow;

fn bad(name: &str, ptr: &str, msg: String) -> ParseError {
    ParseError::new(
        name,
        ParseCode::InvalidIstanbul,
        Some(Position::Pointer(ptr.to_string())),
        msg,
    )
}

/// A location's `start.line` as written.
#[derive(Clone, Copy, Default)]
enum StartLine<'a> {
    /// No `start` object with a `line` (or the location is no object).
    #[default]
    Missing,
    Given(&'a RawValue),
}

impl<'de> Lenient<'de> for StartLine<'de> {
    fn other() -> Self {
        StartLine::Missing
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut line = StartLine::Missing;
        json::each_key(map, |key, map| {
            if key == "start" {
                line = map.next_value::<L<LineKey<'de>>>()?.0.0;
                Ok(())
            } else {
                skip(map)
            }
        })?;
        Ok(line)
    }
}

/// The `start` object of a location: its `line`, as written.
struct LineKey<'a>(StartLine<'a>);

impl<'de> Lenient<'de> for LineKey<'de> {
    fn other() -> Self {
        LineKey(StartLine::Missing)
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut line = StartLine::Missing;
        json::each_key(map, |key, map| {
            if key == "line" {
                line = StartLine::Given(map.next_value()?);
                Ok(())
            } else {
                skip(map)
            }
        })?;
        Ok(LineKey(line))
    }
}

/// A location's start line: `None` without one, an error when it is there
/// but not a positive line number.
fn start_line(loc: StartLine<'_>, ptr: &str, name: &str) -> Result<Option<u32>, ParseError> {
    match loc {
        StartLine::Missing => Ok(None),
        StartLine::Given(l) => line_number(l, &format!("{ptr}/start/line"), name).map(Some),
    }
}

/// A value as an error message shows it: compact JSON, as it was shown
/// when the document was a `serde_json::Value`; a long one is cut (the
/// message is not the place for a whole object).
fn shown(v: &RawValue) -> String {
    const MAX: usize = 200;
    let text = v.get();
    if text.len() > MAX {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end = end.saturating_sub(1);
        }
        return format!("{}…", text.get(..end).unwrap_or_default());
    }
    serde_json::from_str::<serde_json::Value>(text)
        .map_or_else(|_| text.to_string(), |v| v.to_string())
}

fn line_number(l: &RawValue, ptr: &str, name: &str) -> Result<u32, ParseError> {
    // JSON integers have no sign, leading zeros or fraction to trip `parse`.
    l.get()
        .parse::<u32>()
        .ok()
        .filter(|l| *l > 0)
        .ok_or_else(|| {
            bad(
                name,
                ptr,
                format!("line {} is not a positive line number", shown(l)),
            )
        })
}

/// A hit count: a non-negative integer.
fn count(v: &RawValue, ptr: &str, name: &str) -> Result<u64, ParseError> {
    v.get().parse::<u64>().map_err(|_| {
        bad(
            name,
            ptr,
            format!("count {} is not a non-negative integer", shown(v)),
        )
    })
}

/// A `fnMap` entry: its name and where its line may come from.
#[derive(Default)]
struct FnMeta<'a> {
    name: Option<Cow<'a, str>>,
    decl: Option<StartLine<'a>>,
    loc: Option<StartLine<'a>>,
    line: Option<&'a RawValue>,
}

impl<'de> Lenient<'de> for FnMeta<'de> {
    fn other() -> Self {
        FnMeta::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut m = FnMeta::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "name" => m.name = map.next_value::<L<Str<'de>>>()?.0.0,
                "decl" => m.decl = Some(map.next_value::<L<StartLine<'de>>>()?.0),
                "loc" => m.loc = Some(map.next_value::<L<StartLine<'de>>>()?.0),
                "line" => m.line = Some(map.next_value()?),
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// A `branchMap` entry: where its line may come from.
#[derive(Default)]
struct BranchMeta<'a> {
    loc: Option<StartLine<'a>>,
    line: Option<&'a RawValue>,
}

impl<'de> Lenient<'de> for BranchMeta<'de> {
    fn other() -> Self {
        BranchMeta::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut m = BranchMeta::default();
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "loc" => m.loc = Some(map.next_value::<L<StartLine<'de>>>()?.0),
                "line" => m.line = Some(map.next_value()?),
                _ => skip(map)?,
            }
            Ok(())
        })?;
        Ok(m)
    }
}

/// The counts of one branch's arms, added up as they are read; `None` when
/// they are not an array.
struct Arms<'a>(Option<ArmCounts<'a>>);

#[derive(Default)]
struct ArmCounts<'a> {
    total: u32,
    covered: u32,
    /// The first arm that is not a count (its index and text).
    bad: Option<(usize, &'a RawValue)>,
}

impl<'de> Lenient<'de> for Arms<'de> {
    fn other() -> Self {
        Arms(None)
    }
    fn seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Self, A::Error> {
        let mut c = ArmCounts::default();
        let mut i = 0usize;
        while let Some(arm) = seq.next_element::<&'de RawValue>()? {
            c.total = c.total.saturating_add(1);
            // istanbul writes `null` for an arm it never counted (a
            // default-arg branch; istanbul-reports' github-11 fixture): an
            // arm not covered, never a covered one.
            match arm.get() {
                "null" => {}
                n => match n.parse::<u64>() {
                    Ok(hits) if hits > 0 => c.covered = c.covered.saturating_add(1),
                    Ok(_) => {}
                    Err(_) => {
                        if c.bad.is_none() {
                            c.bad = Some((i, arm));
                        }
                    }
                },
            }
            i = i.saturating_add(1);
        }
        Ok(Arms(Some(c)))
    }
}

/// One file's coverage object, as far as gate reads it. A map given as
/// anything but an object is a `Map` whose `is_object` is false (an
/// error later).
#[derive(Default)]
struct FileData<'a> {
    path: Option<Cow<'a, str>>,
    statement_map: Option<Map<'a, L<StartLine<'a>>>>,
    s: Option<Map<'a, &'a RawValue>>,
    fn_map: Option<Map<'a, L<FnMeta<'a>>>>,
    f: Option<Map<'a, &'a RawValue>>,
    branch_map: Option<Map<'a, L<BranchMeta<'a>>>>,
    b: Option<Map<'a, L<Arms<'a>>>>,
}

impl<'de> FileData<'de> {
    /// Reads the value of `key` when it is one of a file's fields.
    fn field<A: MapAccess<'de>>(&mut self, key: &str, map: &mut A) -> Result<(), A::Error> {
        match key {
            "path" => self.path = map.next_value::<L<Str<'de>>>()?.0.0,
            "statementMap" => self.statement_map = Some(map.next_value()?),
            "s" => self.s = Some(map.next_value()?),
            "fnMap" => self.fn_map = Some(map.next_value()?),
            "f" => self.f = Some(map.next_value()?),
            "branchMap" => self.branch_map = Some(map.next_value()?),
            "b" => self.b = Some(map.next_value()?),
            _ => skip(map)?,
        }
        Ok(())
    }
}

impl<'de> Lenient<'de> for FileData<'de> {
    fn other() -> Self {
        FileData::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut d = FileData::default();
        json::each_key(map, |key, map| d.field(&key, map))?;
        Ok(d)
    }
}

/// A file entry: its own fields, or those of its `data` object when it has
/// one (what istanbul's `FileCoverage.toJSON()` writes).
#[derive(Default)]
struct Entry<'a> {
    own: FileData<'a>,
    data: Option<FileData<'a>>,
}

impl<'de> Lenient<'de> for Entry<'de> {
    fn other() -> Self {
        Entry::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut e = Entry::default();
        json::each_key(map, |key, map| {
            if key == "data" {
                e.data = Some(map.next_value::<L<FileData<'de>>>()?.0);
                Ok(())
            } else {
                e.own.field(&key, map)
            }
        })?;
        Ok(e)
    }
}

/// Which keys the root object has: whether it is one file's coverage
/// object rather than a map of files.
#[derive(Default)]
struct RootKeys {
    object: bool,
    statement_map: bool,
    s: bool,
    /// `data` given, and whether it has both maps.
    data: Option<bool>,
}

impl RootKeys {
    fn is_file(&self) -> bool {
        self.data.unwrap_or(self.statement_map && self.s)
    }
}

impl<'de> Lenient<'de> for RootKeys {
    fn other() -> Self {
        RootKeys::default()
    }
    fn map<A: MapAccess<'de>>(map: A) -> Result<Self, A::Error> {
        let mut k = RootKeys {
            object: true,
            ..RootKeys::default()
        };
        json::each_key(map, |key, map| {
            match key.as_ref() {
                "statementMap" => k.statement_map = true,
                "s" => k.s = true,
                "data" => {
                    let data = map.next_value::<L<RootKeys>>()?.0;
                    k.data = Some(data.statement_map && data.s);
                    return Ok(());
                }
                _ => {}
            }
            skip(map)
        })?;
        Ok(k)
    }
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    let name = cx.name;
    let root = json::finish(name, serde_json::from_str::<L<RootKeys>>(text), None)?.0;
    if !root.object {
        return Err(cx.error(
            ParseCode::InvalidIstanbul,
            Some(Position::Pointer(String::new())),
            "expected an object of files",
        ));
    }
    if root.is_file() {
        // One file's data at the root (not a map of files).
        let entry = json::finish(name, serde_json::from_str::<L<Entry<'_>>>(text), None)?.0;
        let (mut f, path) = file(cx, String::new(), entry)?;
        f.path = cx.path(path.as_deref().unwrap_or(name));
        return Ok(CoverageReport { files: vec![f] });
    }
    super::read_file_map(text, cx, None, |cx, key, entry: Entry<'_>| {
        file(cx, format!("/{}", esc(key)), entry)
    })
}

/// An object's entries, in document order.
type Slice<'e, T> = &'e [(Cow<'e, str>, T)];

/// A map that must be an object when given.
fn object<'e, T>(
    m: &'e Option<Map<'_, T>>,
    k: &str,
    ptr: &str,
    name: &str,
) -> Result<Option<Slice<'e, T>>, ParseError> {
    match m {
        None => Ok(None),
        Some(m) if m.is_object => Ok(Some(m.entries.as_slice())),
        Some(_) => Err(bad(
            name,
            &format!("{ptr}/{k}"),
            format!("`{k}` is not an object"),
        )),
    }
}

/// Each entry of `map` with its count in `counts` (by id). Every id of
/// `counts` must have an entry in `map`: the first that has none is
/// `Err(id)`. Ids usually come in the same order in both: then no lookup
/// table is built.
fn pair<'e, A, B>(
    map: &'e [(Cow<'e, str>, A)],
    counts: &'e [(Cow<'e, str>, B)],
) -> Result<Vec<Option<&'e B>>, &'e str> {
    if map.len() == counts.len() && map.iter().zip(counts).all(|((a, _), (b, _))| a == b) {
        return Ok(counts.iter().map(|(_, c)| Some(c)).collect());
    }
    let ids: std::collections::HashSet<&str> = map.iter().map(|(id, _)| id.as_ref()).collect();
    if let Some((id, _)) = counts.iter().find(|(id, _)| !ids.contains(id.as_ref())) {
        return Err(id);
    }
    let by_id: std::collections::HashMap<&str, &B> =
        counts.iter().map(|(id, c)| (id.as_ref(), c)).collect();
    Ok(map
        .iter()
        .map(|(id, _)| by_id.get(id.as_ref()).copied())
        .collect())
}

fn orphan(name: &str, ptr: &str, map_key: &str, id: &str) -> ParseError {
    bad(
        name,
        &format!("{ptr}/{}", esc(id)),
        format!("count `{id}` has no `{map_key}` entry"),
    )
}

/// One file entry (at `ptr`) as the model, without its path; and the path
/// it gives (`None`: its key in the map of files is its path).
fn file<'a>(
    cx: &ParseContext<'_>,
    mut ptr: String,
    entry: Entry<'a>,
) -> Result<(FileCoverage, Option<Cow<'a, str>>), ParseError> {
    let name = cx.name;
    let has_data = entry.data.is_some();
    let d = entry.data.unwrap_or(entry.own);
    if d.statement_map.is_none() || d.s.is_none() {
        return Err(bad(name, &ptr, "entry has no statementMap/s".into()));
    }
    if has_data {
        ptr.push_str("/data");
    }
    let mut f = FileCoverage::default();
    let mut st = Counter::default();
    if let (Some(smap), Some(s)) = (
        object(&d.statement_map, "statementMap", &ptr, name)?,
        object(&d.s, "s", &ptr, name)?,
    ) {
        let counts =
            pair(smap, s).map_err(|id| orphan(name, &format!("{ptr}/s"), "statementMap", id))?;
        for ((id, L(loc)), c) in smap.iter().zip(counts) {
            let lp = format!("{ptr}/statementMap/{}", esc(id));
            let line = start_line(*loc, &lp, name)?
                .ok_or_else(|| bad(name, &lp, format!("statement `{id}` has no start line")))?;
            let c = c.ok_or_else(|| {
                bad(
                    name,
                    &format!("{ptr}/s"),
                    format!("statement `{id}` has no count in `s`"),
                )
            })?;
            let count = count(c, &format!("{ptr}/s/{}", esc(id)), name)?;
            st.total = st.total.saturating_add(1);
            if count > 0 {
                st.covered = st.covered.saturating_add(1);
            }
            let e = f.lines.entry(line).or_insert(0);
            *e = (*e).max(count);
        }
    }
    f.statements = Some(st);
    let (fmap, fc) = (
        object(&d.fn_map, "fnMap", &ptr, name)?,
        object(&d.f, "f", &ptr, name)?,
    );
    if fmap.is_some() != fc.is_some() {
        return Err(bad(name, &ptr, "`fnMap` and `f` must come together".into()));
    }
    if let (Some(fmap), Some(fc)) = (fmap, fc) {
        let counts = pair(fmap, fc).map_err(|id| orphan(name, &format!("{ptr}/f"), "fnMap", id))?;
        for ((id, L(meta)), c) in fmap.iter().zip(counts) {
            let mp = format!("{ptr}/fnMap/{}", esc(id));
            let line = match (meta.decl, meta.loc, meta.line) {
                (Some(decl), _, _) => start_line(decl, &format!("{mp}/decl"), name)?,
                (None, Some(loc), _) => start_line(loc, &format!("{mp}/loc"), name)?,
                (None, None, Some(l)) => Some(line_number(l, &format!("{mp}/line"), name)?),
                (None, None, None) => None,
            }
            .unwrap_or(0);
            let c = c.ok_or_else(|| {
                bad(
                    name,
                    &format!("{ptr}/f"),
                    format!("function `{id}` has no count in `f`"),
                )
            })?;
            let hits = count(c, &format!("{ptr}/f/{}", esc(id)), name)?;
            f.functions.push(FunctionCoverage {
                name: meta.name.as_deref().unwrap_or("(anonymous)").to_string(),
                line,
                hits,
            });
        }
        f.functions.sort();
    }
    let (bmap, bc) = (
        object(&d.branch_map, "branchMap", &ptr, name)?,
        object(&d.b, "b", &ptr, name)?,
    );
    if bmap.is_some() != bc.is_some() {
        return Err(bad(
            name,
            &ptr,
            "`branchMap` and `b` must come together".into(),
        ));
    }
    if let (Some(bmap), Some(bc)) = (bmap, bc) {
        let counts =
            pair(bmap, bc).map_err(|id| orphan(name, &format!("{ptr}/b"), "branchMap", id))?;
        for ((id, L(meta)), arms) in bmap.iter().zip(counts) {
            let mp = format!("{ptr}/branchMap/{}", esc(id));
            let line = match (meta.line, meta.loc) {
                (Some(l), _) => Some(line_number(l, &format!("{mp}/line"), name)?),
                (None, Some(loc)) => start_line(loc, &format!("{mp}/loc"), name)?,
                (None, None) => None,
            }
            .ok_or_else(|| bad(name, &mp, format!("branch `{id}` has no line")))?;
            let bp = format!("{ptr}/b/{}", esc(id));
            let L(Arms(arms)) = arms.ok_or_else(|| {
                bad(
                    name,
                    &format!("{ptr}/b"),
                    format!("branch `{id}` has no counts in `b`"),
                )
            })?;
            let arms = arms.as_ref().ok_or_else(|| {
                bad(
                    name,
                    &bp,
                    format!("the counts of branch `{id}` are not an array"),
                )
            })?;
            if let Some((i, arm)) = arms.bad {
                return Err(bad(
                    name,
                    &format!("{bp}/{i}"),
                    format!("count {} is not a non-negative integer", shown(arm)),
                ));
            }
            let b = f.branches.entry(line).or_default();
            b.total = b.total.saturating_add(arms.total);
            b.covered = b.covered.saturating_add(arms.covered);
        }
    }
    Ok((f, d.path))
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
        let r = parse(&v.to_string(), &mut cx).unwrap();
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

    /// The parser itself: some of these documents would not pass the
    /// format's markers test in `crate::parse`.
    fn run(doc: &str) -> Result<CoverageReport, ParseError> {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("c.json", &o);
        crate::Document::load("c.json", doc, None)?;
        parse(doc, &mut cx)
    }

    fn pointer(doc: &str) -> (String, String) {
        let e = run(doc).unwrap_err();
        let Some(Position::Pointer(p)) = e.position else {
            panic!("{e}")
        };
        (e.code.to_string(), p)
    }

    const LOC: &str = r#"{"start":{"line":3,"column":0},"end":{"line":3,"column":9}}"#;

    #[test]
    fn a_file_wrapped_in_data_and_a_single_file_at_the_root() {
        let wrapped = format!(
            r#"{{"a.js":{{"data":{{"path":"a.js","statementMap":{{"0":{LOC}}},"s":{{"0":2}}}}}}}}"#
        );
        assert_eq!(run(&wrapped).unwrap().files[0].lines.get(&3), Some(&2));
        let single = format!(r#"{{"path":"b.js","statementMap":{{"0":{LOC}}},"s":{{"0":0}}}}"#);
        let r = run(&single).unwrap();
        assert_eq!(
            (r.files[0].path.as_str(), r.files[0].lines.get(&3)),
            ("b.js", Some(&0))
        );
        // The `data` object decides: the entry's own maps are not read.
        let bad_data = format!(
            r#"{{"a.js":{{"data":{{"path":"a.js","s":{{}}}},"statementMap":{{"0":{LOC}}},"s":{{"0":1}}}}}}"#
        );
        assert_eq!(
            pointer(&bad_data),
            ("invalid-istanbul".into(), "/a.js".into())
        );
        let in_data =
            format!(r#"{{"a.js":{{"data":{{"statementMap":{{"0":{LOC}}},"s":{{"0":"x"}}}}}}}}"#);
        assert_eq!(pointer(&in_data).1, "/a.js/data/s/0");
    }

    #[test]
    // One shape for every case, whether it uses LOC or not.
    #[allow(clippy::useless_format)]
    fn ill_typed_maps_and_entries_point_at_themselves() {
        let cases = [
            (
                format!(r#"{{"a.js":{{"statementMap":null,"s":{{}}}}}}"#),
                "/a.js/statementMap",
            ),
            (
                format!(r#"{{"a.js":{{"statementMap":{{}},"s":[]}}}}"#),
                "/a.js/s",
            ),
            (
                format!(r#"{{"ok.js":{{"statementMap":{{}},"s":{{}}}},"a.js":7}}"#),
                "/a.js",
            ),
            (
                format!(r#"{{"a/b~c.js":{{"statementMap":{{"0":{LOC}}},"s":{{"1":1}}}}}}"#),
                "/a~1b~0c.js/s/1",
            ),
            (
                format!(r#"{{"a.js":{{"statementMap":{{"0":{{"start":7}}}},"s":{{"0":1}}}}}}"#),
                "/a.js/statementMap/0",
            ),
            (
                format!(
                    r#"{{"a.js":{{"statementMap":{{"0":{{"start":{{"line":"3"}}}}}},"s":{{"0":1}}}}}}"#
                ),
                "/a.js/statementMap/0/start/line",
            ),
            (
                format!(r#"{{"a.js":{{"statementMap":{{}},"s":{{}},"fnMap":{{}}}}}}"#),
                "/a.js",
            ),
            (
                format!(
                    r#"{{"a.js":{{"statementMap":{{}},"s":{{}},"fnMap":{{"0":{{"line":0}}}},"f":{{"0":1}}}}}}"#
                ),
                "/a.js/fnMap/0/line",
            ),
            (
                format!(
                    r#"{{"a.js":{{"statementMap":{{}},"s":{{}},"branchMap":{{"0":{{}}}},"b":{{"0":[]}}}}}}"#
                ),
                "/a.js/branchMap/0",
            ),
            (
                format!(
                    r#"{{"a.js":{{"statementMap":{{}},"s":{{}},"branchMap":{{"0":{{"line":2}}}},"b":{{"0":{{}}}}}}}}"#
                ),
                "/a.js/b/0",
            ),
        ];
        for (doc, want) in cases {
            assert_eq!(
                pointer(&doc),
                ("invalid-istanbul".into(), want.into()),
                "{doc}"
            );
        }
    }

    #[test]
    fn lenient_parts_stay_lenient() {
        // A function without a usable line or name, a branch whose line
        // comes from `line`, ids in another order in the counts.
        let doc = format!(
            r#"{{"a.js":{{"statementMap":{{"0":{LOC},"1":{LOC}}},"s":{{"1":0,"0":5}},"fnMap":{{"0":7,"1":{{"name":3,"decl":null}}}},"f":{{"1":0,"0":1}},"branchMap":{{"0":{{"line":4}}}},"b":{{"0":[0,null,2]}}}}}}"#
        );
        let r = run(&doc).unwrap();
        let f = &r.files[0];
        assert_eq!(f.lines.get(&3), Some(&5));
        assert_eq!(
            f.functions,
            [
                FunctionCoverage {
                    name: "(anonymous)".into(),
                    line: 0,
                    hits: 0
                },
                FunctionCoverage {
                    name: "(anonymous)".into(),
                    line: 0,
                    hits: 1
                },
            ]
        );
        let b = f.branches.get(&4).unwrap();
        assert_eq!((b.total, b.covered), (3, 1));
    }

    #[test]
    fn a_file_given_twice_is_refused() {
        let e = run(r#"{"a.js":{"statementMap":{},"s":{}},"a.js":{"statementMap":{},"s":{}}}"#)
            .unwrap_err();
        assert_eq!(e.code, "invalid-json");
    }

    #[test]
    fn paths_are_warned_about_in_key_order() {
        let file = |p: &str| format!(r#""{p}":{{"path":"{p}","statementMap":{{}},"s":{{}}}}"#);
        let doc = format!("{{{},{}}}", file("/x/b.js"), file("/x/a.js"));
        let o = ParseOptions::default();
        let p = crate::parse("c.json", doc.as_bytes(), None, &o).unwrap();
        let warned: Vec<&str> = p.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(
            warned[0].contains("/x/a.js") && warned[1].contains("/x/b.js"),
            "{warned:?}"
        );
    }

    #[test]
    fn bad_values_are_shown_compact_and_cut() {
        let big = format!("[{}]", vec!["1"; 500].join(", "));
        for (v, shown) in [
            (
                "{\"a\": 1}".to_string(),
                "count {\"a\":1} is not".to_string(),
            ),
            (big.clone(), format!("count {}… is not", &big[..200])),
        ] {
            let doc = format!(r#"{{"a.js":{{"statementMap":{{"0":{LOC}}},"s":{{"0":{v}}}}}}}"#);
            let e = run(&doc).unwrap_err();
            assert!(e.message.starts_with(&shown), "{}", e.message);
        }
    }
}
