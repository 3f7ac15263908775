//! Coverage: per file line hits, branches and functions, with totals always
//! computed from that data (never copied from a report's summary counters).

mod line_map;

pub use line_map::LineMap;
use serde::{Deserialize, Serialize};

/// Coverage of one file. Lines and branches are keyed by 1-based line number
/// so that merging several reports is a union.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FileCoverage {
    pub path: String,
    /// line → hits.
    pub lines: LineMap<u64>,
    /// line → branch counts on that line.
    pub branches: LineMap<BranchCount>,
    pub functions: Vec<FunctionCoverage>,
    /// Statements (Go blocks, Istanbul statements, Clover `stmt`), when the
    /// format counts them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<Counter>,
    /// Counts from a summary-only format (Istanbul `coverage-summary.json`)
    /// that has no per-line data; used only when `lines` is empty. Boxed:
    /// rare, and inline it would take 80 bytes of every file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_only: Option<Box<CoverageTotals>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BranchCount {
    pub covered: u32,
    pub total: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct FunctionCoverage {
    pub name: String,
    /// First line, 0 when the format has none.
    pub line: u32,
    pub hits: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counter {
    pub total: u64,
    pub covered: u64,
}

impl Counter {
    pub fn add(&mut self, other: Counter) {
        // Totals of several files or reports: a sum past u64 saturates.
        self.total = self.total.saturating_add(other.total);
        self.covered = self.covered.saturating_add(other.covered);
    }

    /// Percentage, `None` when nothing is coverable.
    pub fn percent(&self) -> Option<f64> {
        if self.total == 0 {
            None
        } else {
            Some(self.covered as f64 * 100.0 / self.total as f64)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CoverageTotals {
    pub lines: Counter,
    pub branches: Counter,
    pub functions: Counter,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statements: Option<Counter>,
}

/// A coverage report, files sorted by path.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CoverageReport {
    pub files: Vec<FileCoverage>,
}

impl FileCoverage {
    pub fn new(path: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            ..Self::default()
        }
    }

    pub fn line_counter(&self) -> Counter {
        if let (true, Some(s)) = (self.lines.is_empty(), &self.summary_only) {
            return s.lines;
        }
        Counter {
            total: self.lines.len() as u64,
            covered: self.lines.values().filter(|h| **h > 0).count() as u64,
        }
    }

    pub fn branch_counter(&self) -> Counter {
        if let (true, Some(s)) = (self.branches.is_empty(), &self.summary_only) {
            return s.branches;
        }
        self.branches.values().fold(Counter::default(), |mut c, b| {
            c.total = c.total.saturating_add(u64::from(b.total));
            c.covered = c.covered.saturating_add(u64::from(b.covered));
            c
        })
    }

    pub fn function_counter(&self) -> Counter {
        if let (true, Some(s)) = (self.functions.is_empty(), &self.summary_only) {
            return s.functions;
        }
        Counter {
            total: self.functions.len() as u64,
            covered: self.functions.iter().filter(|f| f.hits > 0).count() as u64,
        }
    }
}

impl CoverageReport {
    /// Totals computed from the per-file data.
    pub fn totals(&self) -> CoverageTotals {
        let mut t = CoverageTotals::default();
        for f in &self.files {
            t.lines.add(f.line_counter());
            t.branches.add(f.branch_counter());
            t.functions.add(f.function_counter());
            if let Some(s) = f.statements {
                t.statements.get_or_insert_with(Counter::default).add(s);
            }
        }
        t
    }

    /// Sorts files by path and merges duplicates (see [`FileCoverage::merge`]).
    /// In place: a second map of every file would double a large report's
    /// memory, and parsers mostly hand the files over sorted already.
    pub fn normalize(&mut self) {
        if self
            .files
            .windows(2)
            .all(|w| matches!(w, [a, b] if a.path < b.path))
        {
            self.compact();
            return;
        }
        // Stable: duplicates merge in the order they came. Their functions
        // are combined once per file at the end: combining at every merge
        // is quadratic in the duplicates (a Cobertura report repeats a file
        // once per class).
        self.files.sort_by(|a, b| a.path.cmp(&b.path));
        let mut merged: Vec<String> = Vec::new();
        self.files.dedup_by(|later, kept| {
            if later.path != kept.path {
                return false;
            }
            if merged.last() != Some(&kept.path) {
                merged.push(kept.path.clone());
            }
            kept.absorb(std::mem::take(later));
            true
        });
        let mut merged = merged.iter().peekable();
        for f in &mut self.files {
            if merged.next_if(|p| **p == f.path).is_some() {
                f.combine_functions();
            }
        }
        self.compact();
    }

    /// Each file's lines and branches in their smallest form (parsers
    /// build them as they come, a tree where they came out of order).
    fn compact(&mut self) {
        for f in &mut self.files {
            f.lines.compact();
            f.branches.compact();
        }
    }

    /// Merges another report into this one (union of files and lines).
    pub fn merge(&mut self, other: CoverageReport) {
        // Into an empty report (the host merges every report into a fresh
        // one) the files move as they are: extending would hold two
        // vectors of them at once.
        if self.files.is_empty() {
            self.files = other.files;
        } else {
            self.files.extend(other.files);
        }
        self.normalize();
    }

    /// Several reports as one: the only one as it is (never copied: a copy
    /// of a big report doubles the peak memory), else all merged into a new
    /// one. Every place that combines reports (the runs' inputs, `gate
    /// parse`) goes through here.
    pub fn merged<'a>(
        reports: impl IntoIterator<Item = &'a CoverageReport>,
    ) -> std::borrow::Cow<'a, CoverageReport> {
        let mut reports = reports.into_iter();
        let Some(first) = reports.next() else {
            return std::borrow::Cow::Owned(CoverageReport::default());
        };
        let Some(second) = reports.next() else {
            return std::borrow::Cow::Borrowed(first);
        };
        let mut m = CoverageReport::default();
        for r in [first, second].into_iter().chain(reports) {
            m.merge(r.clone());
        }
        std::borrow::Cow::Owned(m)
    }
}

impl FileCoverage {
    /// Merges another record of the same file: hits add up (two test runs of
    /// the same line), branch coverage takes the best of both per line
    /// (covered branches cannot be double counted), functions merge by name.
    pub fn merge(&mut self, other: FileCoverage) {
        self.absorb(other);
        self.combine_functions();
    }

    /// [`FileCoverage::merge`] but for the functions, which are only
    /// appended (see [`FileCoverage::combine_functions`]).
    fn absorb(&mut self, other: FileCoverage) {
        for (line, hits) in other.lines {
            let e = self.lines.entry(line).or_insert(0);
            *e = e.saturating_add(hits);
        }
        for (line, b) in other.branches {
            let e = self.branches.entry(line).or_default();
            e.total = e.total.max(b.total);
            e.covered = e.covered.max(b.covered).min(e.total);
        }
        self.functions.extend(other.functions);
        if self.summary_only.is_none() {
            self.summary_only = other.summary_only;
        }
        match (&mut self.statements, other.statements) {
            (Some(a), Some(b)) => {
                a.total = a.total.max(b.total);
                a.covered = a.covered.max(b.covered).min(a.total);
            }
            (None, Some(b)) => self.statements = Some(b),
            _ => {}
        }
    }

    /// Functions with the same name and line become one, hits added; the
    /// list ends sorted. One sort, however many records were merged.
    fn combine_functions(&mut self) {
        self.functions
            .sort_by(|a, b| (&a.name, a.line).cmp(&(&b.name, b.line)));
        self.functions.dedup_by(|later, kept| {
            if later.name != kept.name || later.line != kept.line {
                return false;
            }
            kept.hits = kept.hits.saturating_add(later.hits);
            true
        });
        self.functions.sort();
    }
}
