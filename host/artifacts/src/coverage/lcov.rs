//! LCOV tracefiles (`geninfo`, grcov, c8/nyc, gcovr `--lcov`, cargo-llvm-cov).
//!
//! Quirks handled: the same `SF` under several `TN` (test names) sums its
//! hits; `-` in `BRDA` means "never evaluated" (counts in the total, not as
//! covered); `LF/LH`, `BRF/BRH`, `FNF/FNH` are recomputed from the records and
//! a `lcov-counter-mismatch` warning names the file when the report's own
//! counters disagree. Malformed records are errors with their line number
//! (strict, like `genhtml`; grcov's lenient mode would hide bad data).

use crate::model::{CoverageReport, FileCoverage, FunctionCoverage};
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

#[derive(Default)]
struct Record {
    path: String,
    line: u32,
    lines: BTreeMap<u32, u64>,
    /// `DA` records as read; made into `lines` at `end_of_record`.
    da: Vec<(u32, u64)>,
    /// (line, block, branch) → taken (None = never evaluated)
    branches: BTreeMap<(u32, BranchId, BranchId), Option<u64>>,
    fn_lines: BTreeMap<String, u32>,
    fn_hits: BTreeMap<String, u64>,
    counters: Counters,
    zero_lines: u32,
}

/// A `BRDA` block or branch id: almost always a small number, kept as one
/// so a branch costs no allocation (two strings per `BRDA` made branch-heavy
/// tracefiles take ten times their size).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum BranchId {
    Number(u64),
    Text(Box<str>),
}

impl BranchId {
    fn new(s: &str) -> Self {
        // Only canonical numbers: `01` and `1` stay distinct ids.
        match s.parse::<u64>() {
            Ok(n) if n.to_string() == s => BranchId::Number(n),
            _ => BranchId::Text(s.into()),
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

pub fn parse(text: &str, cx: &mut ParseContext<'_>) -> Result<CoverageReport, ParseError> {
    // Records of the same source (one per `TN:` test name) merge here, per
    // branch, so a branch taken in any test counts once as covered.
    let mut files: BTreeMap<String, Record> = BTreeMap::new();
    let mut rec: Option<Record> = None;
    // A source name may span lines (Firefox's `SF:data:,new function() {…}`):
    // lines right after `SF:` that are no lcov record continue the name.
    let mut in_sf_name = false;
    for (idx, raw) in text.lines().enumerate() {
        let n = u32::try_from(idx.saturating_add(1)).unwrap_or(u32::MAX);
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |msg: String| cx.error("invalid-lcov", Some(Position::Line(n)), msg);
        if line == "end_of_record" {
            let mut r = rec
                .take()
                .ok_or_else(|| bad("`end_of_record` without a preceding `SF:`".into()))?;
            r.finish_lines();
            check(&r, cx);
            match files.get_mut(&r.path) {
                Some(acc) => acc.absorb(r),
                None => {
                    files.insert(r.path.clone(), r);
                }
            }
            continue;
        }
        // A record key (`DA`, `XX`: upper case, digits, `_`) is never part
        // of a name: an unknown one is an error, not glued to the path.
        let looks_like_record = line.split_once(':').is_some_and(|(k, _)| {
            KEYS.contains(&k)
                || (!k.is_empty()
                    && k.bytes()
                        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'))
        });
        if in_sf_name && !looks_like_record {
            if let Some(r) = rec.as_mut() {
                r.path.push('\n');
                r.path.push_str(raw);
            }
            continue;
        }
        in_sf_name = false;
        let (key, value) = line
            .split_once(':')
            .ok_or_else(|| bad(format!("`{line}` is not an lcov record")))?;
        match key {
            "TN" | "VER" => {}
            "SF" => {
                if rec.is_some() {
                    return Err(bad(
                        "`SF:` before the previous record's `end_of_record`".into()
                    ));
                }
                rec = Some(Record {
                    path: cx.path(value),
                    line: n,
                    ..Record::default()
                });
                in_sf_name = true;
            }
            _ => {
                let r = rec
                    .as_mut()
                    .ok_or_else(|| bad(format!("`{key}:` outside a source file record")))?;
                record(r, key, value).map_err(bad)?;
            }
        }
    }
    if let Some(r) = rec {
        return Err(cx.error(
            "truncated-lcov",
            Some(Position::Line(r.line)),
            format!("the record for `{}` has no `end_of_record`", r.path),
        ));
    }
    Ok(CoverageReport {
        files: files.into_values().map(into_file).collect(),
    })
}

/// Adds hits: `None` (never evaluated) only stays when both are `None`.
fn add_taken(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, b) => a.or(b),
    }
}

impl Record {
    /// Turns the `DA` records into the line map. Built from a sorted list,
    /// the map's nodes are full (inserting line by line leaves them about
    /// half empty, and lines are most of a tracefile's model).
    fn finish_lines(&mut self) {
        let mut da = std::mem::take(&mut self.da);
        da.sort_by_key(|(line, _)| *line);
        da.dedup_by(|later, kept| {
            if later.0 != kept.0 {
                return false;
            }
            kept.1 = kept.1.saturating_add(later.1);
            true
        });
        self.lines = da.into_iter().collect();
    }

    /// Folds another record of the same source into this one.
    fn absorb(&mut self, other: Record) {
        for (line, h) in other.lines {
            let e = self.lines.entry(line).or_insert(0);
            *e = e.saturating_add(h);
        }
        for (k, taken) in other.branches {
            let e = self.branches.entry(k).or_insert(None);
            *e = add_taken(*e, taken);
        }
        for (name, line) in other.fn_lines {
            self.fn_lines.entry(name).or_insert(line);
        }
        for (name, h) in other.fn_hits {
            let e = self.fn_hits.entry(name).or_insert(0);
            *e = e.saturating_add(h);
        }
    }

    fn function_names(&self) -> Vec<&String> {
        let mut names: Vec<&String> = self.fn_lines.keys().chain(self.fn_hits.keys()).collect();
        names.sort();
        names.dedup();
        names
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

fn record(r: &mut Record, key: &str, value: &str) -> Result<(), String> {
    match key {
        "DA" => {
            let mut it = value.split(',');
            let line: u32 = num(it.next().unwrap_or(""), "line number")?;
            let h = hits(
                it.next()
                    .ok_or_else(|| format!("`DA:{value}` has no execution count"))?,
            )?;
            if line == 0 {
                // Seen in real reports (Firefox via grcov): a record with no
                // line to attach it to. Ignored, and counted for a warning.
                r.zero_lines = r.zero_lines.saturating_add(1);
                return Ok(());
            }
            // The same line twice in one record (several TN sections) sums.
            r.da.push((line, h));
        }
        "BRDA" => {
            let parts: Vec<&str> = value.splitn(4, ',').collect();
            let [line, block, branch, taken] = parts.as_slice() else {
                return Err(format!("`BRDA:{value}` needs line,block,branch,taken"));
            };
            let line: u32 = num(line, "line number")?;
            let taken = if taken.trim() == "-" {
                None
            } else {
                Some(hits(taken)?)
            };
            let e = r
                .branches
                .entry((line, BranchId::new(block), BranchId::new(branch)))
                .or_insert(None);
            *e = add_taken(*e, taken);
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
            r.fn_lines.entry(name.to_string()).or_insert(line);
        }
        "FNDA" => {
            let (h, name) = value
                .split_once(',')
                .ok_or_else(|| format!("`FNDA:{value}` needs count,name"))?;
            let e = r.fn_hits.entry(name.to_string()).or_insert(0);
            *e = e.saturating_add(hits(h)?);
        }
        "LF" => r.counters.lf = Some(num(value, "LF")?),
        "LH" => r.counters.lh = Some(num(value, "LH")?),
        "BRF" => r.counters.brf = Some(num(value, "BRF")?),
        "BRH" => r.counters.brh = Some(num(value, "BRH")?),
        "FNF" => r.counters.fnf = Some(num(value, "FNF")?),
        "FNH" => r.counters.fnh = Some(num(value, "FNH")?),
        // Function-level records of lcov 2.x and checksums carry nothing we model.
        "FNL" | "FNA" | "BRDA_EXCEPTION" | "MCDC" => {}
        other => return Err(format!("unknown lcov record `{other}:`")),
    }
    Ok(())
}

/// Warns about `DA:0` records and about the record's own counters when
/// they disagree with its records (which are what gate counts).
fn check(r: &Record, cx: &mut ParseContext<'_>) {
    if r.zero_lines > 0 {
        cx.warn(
            "lcov-line-zero",
            format!(
                "{}: {} `DA:0,...` record(s) ignored (there is no line 0)",
                r.path, r.zero_lines
            ),
        );
    }
    let count = |it: &mut dyn Iterator<Item = bool>| {
        it.fold((0u64, 0u64), |(t, c), hit| {
            (t.saturating_add(1), c.saturating_add(u64::from(hit)))
        })
    };
    let (lf, lh) = count(&mut r.lines.values().map(|h| *h > 0));
    let (brf, brh) = count(&mut r.branches.values().map(|t| t.is_some_and(|t| t > 0)));
    let (fnf, fnh) = count(
        &mut r
            .function_names()
            .into_iter()
            .map(|n| r.fn_hits.get(n).is_some_and(|h| *h > 0)),
    );
    let checks = [
        ("LF", r.counters.lf, lf),
        ("LH", r.counters.lh, lh),
        ("BRF", r.counters.brf, brf),
        ("BRH", r.counters.brh, brh),
        ("FNF", r.counters.fnf, fnf),
        ("FNH", r.counters.fnh, fnh),
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
            "lcov-counter-mismatch",
            format!("{}: {} (totals use the records)", r.path, wrong.join(", ")),
        );
    }
}

/// A merged record as the model's file: branches per line (each BRDA is
/// one branch; `-` counts in the total, never as covered).
fn into_file(r: Record) -> FileCoverage {
    let functions = r
        .function_names()
        .into_iter()
        .map(|name| FunctionCoverage {
            name: name.clone(),
            line: r.fn_lines.get(name).copied().unwrap_or(0),
            hits: r.fn_hits.get(name).copied().unwrap_or(0),
        })
        .collect();
    let mut f = FileCoverage::new(r.path);
    f.lines = r.lines;
    f.functions = functions;
    for ((line, _, _), taken) in &r.branches {
        let b = f.branches.entry(*line).or_default();
        b.total = b.total.saturating_add(1);
        if taken.is_some_and(|t| t > 0) {
            b.covered = b.covered.saturating_add(1);
        }
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ParseOptions;
    use crate::model::BranchCount;

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
            (e.code, e.position),
            ("invalid-lcov", Some(Position::Line(2)))
        );
        let (r, _) = run("SF:x.c\nDA:1,1\n");
        assert_eq!(r.unwrap_err().code, "truncated-lcov");
    }
}
