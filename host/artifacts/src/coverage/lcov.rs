//! LCOV tracefiles (`geninfo`, grcov, c8/nyc, gcovr `--lcov`, cargo-llvm-cov).
//!
//! Quirks handled: the same `SF` under several `TN` (test names) sums its
//! hits; `-` in `BRDA` means "never evaluated" (counts in the total, not as
//! covered); `LF/LH`, `BRF/BRH`, `FNF/FNH` are recomputed from the records and
//! a `lcov-counter-mismatch` warning names the file when the report's own
//! counters disagree. Malformed records are errors with their line number
//! (strict, like `genhtml`; grcov's lenient mode would hide bad data).

use crate::error::{ParseCode, WarningCode};
use crate::model::{BranchCount, CoverageReport, FileCoverage, FunctionCoverage, LineMap};
use crate::{ParseContext, ParseError, Position};
use std::collections::BTreeMap;

/// Whether `text` looks like LCOV: its first record is a known LCOV key.
pub fn sniff(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| {
            ["TN:", "SF:"].iter().any(|k| l.starts_with(k)) && text.contains("end_of_record")
        })
}

/// Every record key this parser knows.
const KEYS: &[&str] = &[
    "TN",
    "VER",
    "SF",
    "DA",
    "BRDA",
    "FN",
    "FNDA",
    "LF",
    "LH",
    "BRF",
    "BRH",
    "FNF",
    "FNH",
    "FNL",
    "FNA",
    "BRDA_EXCEPTION",
    "MCDC",
];

/// One record's data as read, borrowed from the text, until its
/// `end_of_record` makes it a file of the model. Reused from record to
/// record: a tracefile of many small records costs its model, not maps per
/// record. Also what a repeated source's later records merge into.
#[derive(Default)]
struct Scratch<'a> {
    /// `DA` (line, hits).
    lines: Vec<(u32, u64)>,
    /// `BRDA` (line, block, branch, taken; None = never evaluated).
    branches: Vec<(u32, BranchId<'a>, BranchId<'a>, Option<u64>)>,
    /// `FN` (name, line); the first line given for a name counts.
    fn_lines: Vec<(&'a str, u32)>,
    /// `FNDA` (name, hits); hits of a name add up.
    fn_hits: Vec<(&'a str, u64)>,
    counters: Counters,
    zero_lines: u32,
}

/// A `BRDA` block or branch id: almost always a small number, kept as one
/// (the text otherwise, borrowed) so a branch costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum BranchId<'a> {
    Number(u64),
    Text(&'a str),
}

impl<'a> BranchId<'a> {
    fn new(s: &'a str) -> Self {
        // Only canonical numbers: `01` and `1` stay distinct ids.
        let canonical = s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
        match s.parse::<u64>() {
            Ok(n) if canonical => BranchId::Number(n),
            _ => BranchId::Text(s),
        }
    }
}

#[derive(Default)]
struct Counters {
    lf: Option<u64>,
    lh: Option<u64>,
    brf: Option<u64>,
    brh: Option<u64>,
    fnf: Option<u64>,
    fnh: Option<u64>,
}

/// The record being read: its source's name, where its `SF:` is.
struct Open {
    path: String,
    line: u32,
    offset: usize,
}

/// Reads records line by line: the same rules for the first reading and
/// for reading a source's first record again (when the source is named
/// again).
#[derive(Default)]
struct Reader<'a> {
    scratch: Scratch<'a>,
    open: Option<Open>,
    /// A source name may span lines (Firefox's `SF:data:,new function()
    /// {…}`): lines right after `SF:` that are no lcov record continue it.
    in_sf_name: bool,
}

/// The lines of `text` from byte `from` as `str::lines` cuts them, each with
/// its byte offset.
fn lines_from(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> {
    text.get(from..)
        .unwrap_or_default()
        .split_inclusive('\n')
        .scan(from, |at, raw| {
            let start = *at;
            *at = at.saturating_add(raw.len());
            let line = match raw.strip_suffix('\n') {
                Some(l) => l.strip_suffix('\r').unwrap_or(l),
                None => raw,
            };
            Some((start, line))
        })
}

impl<'a> Reader<'a> {
    /// Reads one line (number `n`, at byte `offset`); returns the record
    /// it ends. `rereading`: the record was read before, its name is known
    /// (and was warned about).
    fn line(
        &mut self,
        n: u32,
        offset: usize,
        raw: &'a str,
        cx: &mut ParseContext<'_>,
        rereading: bool,
    ) -> Result<Option<Open>, ParseError> {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            return Ok(None);
        }
        let bad = |msg: String| cx.error(ParseCode::InvalidLcov, Some(Position::Line(n)), msg);
        if line == "end_of_record" {
            let open = self
                .open
                .take()
                .ok_or_else(|| bad("`end_of_record` without a preceding `SF:`".into()))?;
            return Ok(Some(open));
        }
        // A record key (`DA`, `XX`: upper case, digits, `_`) is never part
        // of a name: an unknown one is an error, not glued to the path.
        let looks_like_record = line.split_once(':').is_some_and(|(k, _)| {
            KEYS.contains(&k)
                || (!k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        });
        if self.in_sf_name && !looks_like_record {
            if let Some(open) = self.open.as_mut() {
                open.path.push('\n');
                open.path.push_str(raw);
            }
            return Ok(None);
        }
        self.in_sf_name = false;
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("`{line}` is not an lcov record")))?;
        match key {
            "TN" | "VER" => {}
            "SF" => {
                if self.open.is_some() {
                    return Err(bad(
                        "`SF:` before the previous record's `end_of_record`".into()
                    ));
                }
                let path = if rereading {
                    String::new()
                } else {
                    cx.path(value)
                };
                self.open = Some(Open {
                    path,
                    line: n,
                    offset,
                });
                self.in_sf_name = true;
            }
            _ => {
                if self.open.is_none() {
                    return Err(bad(format!("`{key}:` outside a source file record")));
                }
                self.scratch.record(key, value).map_err(bad)?;
            }
        }
        Ok(None)
    }
}

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    // A record becomes its file at its `end_of_record`, kept with the
    // offset of its `SF:` line. The later records of a source named again
    // (one record per `TN:` test name) are merged as read, and with the
    // first (read again) at the end: only then can branches add up per id.
    let mut files: Vec<(FileCoverage, usize)> = Vec::new();
    let mut seen = Seen::new(text.len());
    let mut again: BTreeMap<String, Scratch<'_>> = BTreeMap::new();
    let mut reader = Reader::default();
    for (idx, (offset, raw)) in lines_from(text, 0).enumerate() {
        let n = u32::try_from(idx.saturating_add(1)).unwrap_or(u32::MAX);
        if let Some(open) = reader.line(n, offset, raw, cx, false)? {
            reader.scratch.finish();
            reader.scratch.check(&open.path, cx);
            if seen.insert(&open.path) {
                again
                    .entry(open.path)
                    .or_default()
                    .absorb(&mut reader.scratch);
            } else {
                files.push((reader.scratch.take_file(open.path), open.offset));
            }
        }
    }
    if let Some(open) = reader.open {
        return Err(cx.error(
            ParseCode::TruncatedLcov,
            Some(Position::Line(open.line)),
            format!("the record for `{}` has no `end_of_record`", open.path),
        ));
    }
    // Unstable (no buffer of half the files): no path is in `files` twice.
    let by_path = |a: &(FileCoverage, usize), b: &(FileCoverage, usize)| a.0.path.cmp(&b.0.path);
    if !files.is_sorted_by(|a, b| by_path(a, b).is_lt()) {
        files.sort_unstable_by(by_path);
    }
    let mut new = Vec::new();
    for (path, mut later) in again {
        match files.binary_search_by(|f| f.0.path.as_str().cmp(&path)) {
            Ok(i) => {
                if let Some((file, offset)) = files.get_mut(i) {
                    let mut first = reread(text, *offset, cx)?;
                    first.absorb(&mut later);
                    *file = first.take_file(path);
                }
            }
            // Only the filter of seen names thought it was: a new source.
            Err(_) => new.push((later.take_file(path), 0)),
        }
    }
    if !new.is_empty() {
        files.append(&mut new);
        files.sort_unstable_by(by_path);
    }
    Ok(CoverageReport {
        files: files.into_iter().map(|(f, _)| f).collect(),
    })
}

/// Which source names were seen, nearly: a Bloom filter of one bit per
/// input byte (an eighth of the input, where a set of the names would cost
/// as much as the files). A name seen before always counts as seen; a new
/// one rarely does, and is then merged as a repeated source with no first
/// record, which gives the same file.
struct Seen {
    bits: Vec<u64>,
}

impl Seen {
    fn new(input_len: usize) -> Self {
        // Zeroed memory: pages no name hashes to are never touched.
        Self {
            bits: vec![0; (input_len / 64).saturating_add(1)],
        }
    }

    /// Marks `name`; whether it was marked already (or nearly certainly).
    fn insert(&mut self, name: &str) -> bool {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let h = BuildHasherDefault::<DefaultHasher>::default().hash_one(name);
        let len = u64::try_from(self.bits.len()).unwrap_or(u64::MAX);
        let mut was = true;
        // Two bits from the two halves of one hash.
        for bit in [h, h.rotate_left(32)] {
            let word = bit.checked_div(64).and_then(|w| w.checked_rem(len));
            let mask = 1u64.rotate_left((bit % 64) as u32);
            if let Some(w) = word.and_then(|w| self.bits.get_mut(usize::try_from(w).ok()?)) {
                was &= *w & mask != 0;
                *w |= mask;
            }
        }
        was
    }
}

/// One record, read again from its `SF:` line at `offset` (its warnings
/// were given at the first reading).
fn reread<'a>(
    text: &'a str,
    offset: usize,
    cx: &mut ParseContext<'_>,
) -> Result<Scratch<'a>, ParseError> {
    let mut reader = Reader::default();
    for (at, raw) in lines_from(text, offset) {
        if reader.line(0, at, raw, cx, true)?.is_some() {
            break;
        }
    }
    reader.scratch.finish();
    Ok(reader.scratch)
}

/// Adds hits: `None` (never evaluated) only stays when both are `None`.
fn add_taken(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, b) => a.or(b),
    }
}

impl<'a> Scratch<'a> {
    /// Sorts the record's data and merges what it gives twice: a line's
    /// hits and a branch's taken add up, a function's first line counts and
    /// its hits add up.
    fn finish(&mut self) {
        self.lines.sort_unstable_by_key(|(line, _)| *line);
        self.lines.dedup_by(|later, kept| {
            if later.0 != kept.0 {
                return false;
            }
            kept.1 = kept.1.saturating_add(later.1);
            true
        });
        self.branches
            .sort_unstable_by(|a, b| (a.0, a.1, a.2).cmp(&(b.0, b.1, b.2)));
        self.branches.dedup_by(|later, kept| {
            if (later.0, later.1, later.2) != (kept.0, kept.1, kept.2) {
                return false;
            }
            kept.3 = add_taken(kept.3, later.3);
            true
        });
        // Stable: of a name's lines the first given stays first.
        self.fn_lines.sort_by_key(|(name, _)| *name);
        self.fn_lines.dedup_by_key(|(name, _)| *name);
        self.fn_hits.sort_unstable_by_key(|(name, _)| *name);
        self.fn_hits.dedup_by(|later, kept| {
            if later.0 != kept.0 {
                return false;
            }
            kept.1 = kept.1.saturating_add(later.1);
            true
        });
    }

    /// Every function name, sorted, each with its line and hits (0 when
    /// the record has no `FN`, or no `FNDA`, for it).
    fn functions(&self) -> impl Iterator<Item = (&'a str, u32, u64)> + '_ {
        let mut lines = self.fn_lines.iter().peekable();
        let mut hits = self.fn_hits.iter().peekable();
        std::iter::from_fn(move || {
            let name = match (lines.peek(), hits.peek()) {
                (Some(l), Some(h)) => l.0.min(h.0),
                (Some(l), None) => l.0,
                (None, Some(h)) => h.0,
                (None, None) => return None,
            };
            let line = lines.next_if(|l| l.0 == name).map_or(0, |l| l.1);
            let hits = hits.next_if(|h| h.0 == name).map_or(0, |h| h.1);
            Some((name, line, hits))
        })
    }

    /// Adds the (finished) record `later` to this one (finished): a
    /// line's hits and a branch's taken add up, a function's first line
    /// (this record's, if it has one) counts. Leaves `later` empty.
    fn absorb(&mut self, later: &mut Scratch<'a>) {
        self.lines.append(&mut later.lines);
        self.branches.append(&mut later.branches);
        self.fn_lines.append(&mut later.fn_lines);
        self.fn_hits.append(&mut later.fn_hits);
        later.clear();
        self.finish();
    }

    fn clear(&mut self) {
        self.lines.clear();
        self.branches.clear();
        self.fn_lines.clear();
        self.fn_hits.clear();
        self.counters = Counters::default();
        self.zero_lines = 0;
    }

    /// The record (finished) as the model's file: branches per line (each
    /// `BRDA` id is one branch; `-` counts in the total, never as covered).
    /// Leaves the scratch empty for the next record.
    fn take_file(&mut self, path: String) -> FileCoverage {
        let mut f = FileCoverage::new(path);
        f.lines = LineMap::from_sorted(self.lines.as_slice().to_vec());
        let mut branches: Vec<(u32, BranchCount)> = Vec::new();
        for (line, _, _, taken) in &self.branches {
            if branches.last().is_none_or(|(l, _)| l != line) {
                branches.push((*line, BranchCount::default()));
            }
            if let Some((_, b)) = branches.last_mut() {
                b.total = b.total.saturating_add(1);
                if taken.is_some_and(|t| t > 0) {
                    b.covered = b.covered.saturating_add(1);
                }
            }
        }
        f.branches = LineMap::from_sorted(branches);
        f.functions = self
            .functions()
            .map(|(name, line, hits)| FunctionCoverage {
                name: name.to_string(),
                line,
                hits,
            })
            .collect();
        self.clear();
        f
    }

    fn record(&mut self, key: &str, value: &'a str) -> Result<(), String> {
        match key {
            "DA" => {
                let mut it = value.split(',');
                let line: u32 = num(it.next().unwrap_or(""), "line number")?;
                let h = hits(
                    it.next()
                        .ok_or_else(|| format!("`DA:{value}` has no execution count"))?,
                )?;
                if line == 0 {
                    // Seen in real reports (Firefox via grcov): a record with
                    // no line to attach it to. Ignored, and counted for a
                    // warning.
                    self.zero_lines = self.zero_lines.saturating_add(1);
                    return Ok(());
                }
                // The same line twice in one record (several TN sections)
                // sums.
                self.lines.push((line, h));
            }
            "BRDA" => {
                let mut parts = value.splitn(4, ',');
                let (Some(line), Some(block), Some(branch), Some(taken)) =
                    (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(format!("`BRDA:{value}` needs line,block,branch,taken"));
                };
                let line: u32 = num(line, "line number")?;
                let taken = if taken.trim() == "-" {
                    None
                } else {
                    Some(hits(taken)?)
                };
                self.branches
                    .push((line, BranchId::new(block), BranchId::new(branch), taken));
            }
            "FN" => {
                // FN:<line>,<name> or, in lcov 2.x, FN:<line>,<end line>,<name>.
                // Names may contain commas (C++ signatures).
                let (line, rest) = value
                    .split_once(',')
                    .ok_or_else(|| format!("`FN:{value}` has no function name"))?;
                let line: u32 = num(line, "function line")?;
                let name = match rest.split_once(',') {
                    Some((end, name)) if end.trim().parse::<u32>().is_ok() => name,
                    _ => rest,
                };
                if name.trim().is_empty() {
                    return Err(format!("`FN:{value}` has no function name"));
                }
                self.fn_lines.push((name, line));
            }
            "FNDA" => {
                let (h, name) = value
                    .split_once(',')
                    .ok_or_else(|| format!("`FNDA:{value}` needs count,name"))?;
                self.fn_hits.push((name, hits(h)?));
            }
            "LF" => self.counters.lf = Some(num(value, "LF")?),
            "LH" => self.counters.lh = Some(num(value, "LH")?),
            "BRF" => self.counters.brf = Some(num(value, "BRF")?),
            "BRH" => self.counters.brh = Some(num(value, "BRH")?),
            "FNF" => self.counters.fnf = Some(num(value, "FNF")?),
            "FNH" => self.counters.fnh = Some(num(value, "FNH")?),
            // Function-level records of lcov 2.x and checksums carry nothing
            // we model.
            "FNL" | "FNA" | "BRDA_EXCEPTION" | "MCDC" => {}
            other => return Err(format!("unknown lcov record `{other}:`")),
        }
        Ok(())
    }

    /// Warns about `DA:0` records and about the record's own counters when
    /// they disagree with its records (which are what gate counts).
    fn check(&self, path: &str, cx: &mut ParseContext<'_>) {
        if self.zero_lines > 0 {
            cx.warn(
                WarningCode::LcovLineZero,
                format!(
                    "{path}: {} `DA:0,...` record(s) ignored (there is no line 0)",
                    self.zero_lines
                ),
            );
        }
        let count = |it: &mut dyn Iterator<Item = bool>| {
            it.fold((0u64, 0u64), |(t, c), hit| {
                (t.saturating_add(1), c.saturating_add(u64::from(hit)))
            })
        };
        let (lf, lh) = count(&mut self.lines.iter().map(|(_, h)| *h > 0));
        let (brf, brh) = count(
            &mut self
                .branches
                .iter()
                .map(|(_, _, _, t)| t.is_some_and(|t| t > 0)),
        );
        let (fnf, fnh) = count(&mut self.functions().map(|(_, _, h)| h > 0));
        let checks = [
            ("LF", self.counters.lf, lf),
            ("LH", self.counters.lh, lh),
            ("BRF", self.counters.brf, brf),
            ("BRH", self.counters.brh, brh),
            ("FNF", self.counters.fnf, fnf),
            ("FNH", self.counters.fnh, fnh),
        ];
        let wrong: Vec<String> = checks
            .iter()
            .filter_map(|(k, said, actual)| {
                said.filter(|s| s != actual)
                    .map(|s| format!("{k} says {s}, records give {actual}"))
            })
            .collect();
        if !wrong.is_empty() {
            cx.warn(
                WarningCode::LcovCounterMismatch,
                format!("{path}: {} (totals use the records)", wrong.join(", ")),
            );
        }
    }
}

fn num<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what} `{s}` is not a non-negative integer"))
}

/// Execution counts may be written as floats by some producers (`1.0`) or
/// be negative from broken gcov runs; accept the former, reject the latter.
fn hits(s: &str) -> Result<u64, String> {
    let s = s.trim();
    if let Ok(v) = s.parse::<u64>() {
        return Ok(v);
    }
    match s.parse::<f64>() {
        Ok(f) if f >= 0.0 && f.is_finite() => Ok(f as u64),
        _ => Err(format!(
            "execution count `{s}` is not a non-negative number"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;

    fn run(text: &str) -> (Result<CoverageReport, ParseError>, Vec<crate::Warning>) {
        let o = ParseOptions::default();
        let mut cx = ParseContext::new("t.info", &o);
        let r = parse(text, &mut cx);
        (r, cx.warnings)
    }

    #[test]
    fn test_names_sum_and_dash_is_never_evaluated() {
        let t = "TN:a\nSF:x.c\nDA:1,1\nDA:2,0\nBRDA:1,0,0,-\nBRDA:1,0,1,2\nend_of_record\nTN:b\nSF:x.c\nDA:2,3\nend_of_record\n";
        let (r, w) = run(t);
        let mut r = r.unwrap();
        r.normalize();
        let f = &r.files[0];
        assert_eq!(f.lines.get(&2), Some(&3));
        assert_eq!(f.line_counter().covered, 2);
        assert_eq!(
            f.branches.get(&1),
            Some(&BranchCount {
                covered: 1,
                total: 2
            })
        );
        assert!(w.is_empty());
    }

    #[test]
    fn a_branch_taken_under_any_test_name_is_covered() {
        let t = "TN:a\nSF:x.c\nBRDA:1,0,0,1\nBRDA:1,0,1,0\nBRDA:2,0,0,-\nend_of_record\nTN:b\nSF:x.c\nBRDA:1,0,0,0\nBRDA:1,0,1,1\nBRDA:2,0,0,0\nend_of_record\n";
        let r = run(t).0.unwrap();
        assert_eq!(r.files.len(), 1);
        let f = &r.files[0];
        assert_eq!(
            f.branches.get(&1),
            Some(&BranchCount {
                covered: 2,
                total: 2
            })
        );
        assert_eq!(
            f.branches.get(&2),
            Some(&BranchCount {
                covered: 0,
                total: 1
            })
        );
    }

    #[test]
    fn a_repeated_source_merges_with_its_first_record() {
        // Out of order, three test names, a name spanning lines; each
        // record's counters are checked on their own.
        let t = "TN:a\nSF:z.c\nFN:3,f\nFNDA:1,f\nDA:3,1\nend_of_record\n\
                 SF:data:,x\n y\nDA:1,1\nBRDA:1,0,0,1\nend_of_record\n\
                 TN:b\nSF:a.c\nDA:9,0\nend_of_record\n\
                 SF:z.c\nFN:7,f\nFN:8,g\nFNDA:2,f\nDA:1,1\nDA:3,2\nLF:1\nend_of_record\n\
                 SF:data:,x\n y\nBRDA:1,0,0,0\nBRDA:1,0,1,1\nend_of_record\n\
                 TN:c\nSF:z.c\nDA:3,4\nend_of_record\n";
        let (r, w) = run(t);
        let r = r.unwrap();
        let paths: Vec<&str> = r.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["a.c", "data:,x\n y", "z.c"]);
        let x = &r.files[1];
        assert_eq!(x.lines.iter().collect::<Vec<_>>(), [(&1, &1)]);
        assert_eq!(
            x.branches.get(&1),
            Some(&BranchCount {
                covered: 2,
                total: 2
            })
        );
        let z = &r.files[2];
        assert_eq!(z.lines.iter().collect::<Vec<_>>(), [(&1, &1), (&3, &7)]);
        let fns: Vec<(&str, u32, u64)> = z
            .functions
            .iter()
            .map(|f| (f.name.as_str(), f.line, f.hits))
            .collect();
        assert_eq!(fns, [("f", 3, 3), ("g", 8, 0)]);
        assert_eq!(w.len(), 1);
        assert!(w[0].message.starts_with("z.c: LF says 1, records give 2"));
    }

    #[test]
    fn counters_are_recomputed_with_a_warning() {
        let (r, w) = run("SF:x.c\nDA:1,1\nDA:2,1\nLF:19\nLH:17\nend_of_record\n");
        assert_eq!(r.unwrap().totals().lines.total, 2);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.contains("LF says 19, records give 2"),
            "{}",
            w[0].message
        );
    }

    #[test]
    fn malformed_records_name_the_line() {
        let (r, _) = run("SF:x.c\nDA:1\nend_of_record\n");
        let e = r.unwrap_err();
        assert_eq!(
            (e.code.as_str(), e.position),
            ("invalid-lcov", Some(Position::Line(2)))
        );
        let (r, _) = run("SF:x.c\nDA:1,1\n");
        assert_eq!(r.unwrap_err().code, "truncated-lcov");
    }
}
