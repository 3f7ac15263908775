//! What a policy receives: the contract's request, with the big item lists
//! as [`Stream`]s read in batches from the host (issue 11: memory bounded
//! by the input, never a whole list lowered at once).
//!
//! In a component, a stream reads the host's resource; natively (unit
//! tests) it is a plain list: `Stream::from(vec![...])`.

use crate::bindings::gate::policy::types as wit;
use crate::bindings::gate::policy::types::{
    ApprovalSet, ArtifactMeta, ArtifactRole, ChangedFile, Context, CoverageFile, CoverageTotals,
    IacResource, Measurement, MetricsResult, ParseWarning, RawArtifact, SecurityFinding, TestCase,
    TestSuite, TestTotals,
};
use std::rc::Rc;

/// How many items [`Stream::iter`] asks the host for at a time (the host
/// may return fewer: it caps a batch at 4096 items and about 1 MiB).
pub const BATCH: u32 = 1024;

/// Where a host stream reads from: one of the contract's input resources.
trait Source<T> {
    fn len(&self) -> u32;
    fn read(&self, start: u32, max: u32) -> Vec<T>;
}

macro_rules! source {
    ($resource:ty, $item:ty) => {
        impl Source<$item> for $resource {
            fn len(&self) -> u32 {
                <$resource>::len(self)
            }
            fn read(&self, start: u32, max: u32) -> Vec<$item> {
                <$resource>::read(self, start, max)
            }
        }
    };
}
source!(wit::CoverageFiles, CoverageFile);
source!(wit::SecurityFindings, SecurityFinding);
source!(wit::IacResources, IacResource);
source!(wit::TestCases, TestCase);
source!(wit::Measurements, Measurement);

/// A list the policy reads item by item or in batches, without ever
/// holding all of it: the files of a coverage report, the findings of a
/// security report, the resources of an IaC document, the cases of a test
/// report, the measurements of a performance report.
///
/// ```ignore
/// for finding in report.findings.iter() {   // batches fetched lazily
///     judge(&finding);
/// }
/// let n = report.findings.len();
/// let first = report.findings.read(0, 10);  // at most 10 (fewer at the end)
/// let all = report.findings.to_vec();       // only for small inputs
/// ```
///
/// Iterating twice reads the items twice (cheap for the host; each pass
/// costs the guest only the batch in hand).
pub struct Stream<T> {
    inner: Inner<T>,
}

enum Inner<T> {
    Local(Rc<[T]>),
    Host(Rc<dyn Source<T>>),
}

impl<T> Clone for Stream<T> {
    fn clone(&self) -> Self {
        Stream {
            inner: match &self.inner {
                Inner::Local(v) => Inner::Local(Rc::clone(v)),
                Inner::Host(s) => Inner::Host(Rc::clone(s)),
            },
        }
    }
}

impl<T> std::fmt::Debug for Stream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Stream(len = {})", self.len())
    }
}

impl<T> From<Vec<T>> for Stream<T> {
    /// A stream over a list in memory (tests, or a policy's own data).
    fn from(v: Vec<T>) -> Self {
        Stream {
            inner: Inner::Local(v.into()),
        }
    }
}

impl<T> Default for Stream<T> {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl<T: Clone + 'static> Stream<T> {
    fn host(source: impl Source<T> + 'static) -> Self {
        Stream {
            inner: Inner::Host(Rc::new(source)),
        }
    }
}

impl<T> Stream<T> {
    /// How many items there are.
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Local(v) => v.len(),
            Inner::Host(s) => s.len() as usize,
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Clone> Stream<T> {
    /// Items from `start` on: at most `max`, fewer when the host's batch
    /// cap is reached first; empty at the end. `start` past the end ends
    /// the evaluation with a contract violation (natively: empty).
    pub fn read(&self, start: usize, max: usize) -> Vec<T> {
        match &self.inner {
            Inner::Local(v) => v
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .take(max)
                .cloned()
                .collect(),
            Inner::Host(s) => s.read(
                u32::try_from(start).unwrap_or(u32::MAX),
                u32::try_from(max).unwrap_or(u32::MAX),
            ),
        }
    }

    /// Every item, in order, fetched [`BATCH`] at a time.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter {
            stream: self,
            next: 0,
            batch: Vec::new().into_iter(),
        }
    }

    /// Every item in one list: what a stream exists to avoid, so only for
    /// inputs known to be small.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().collect()
    }
}

impl<'a, T: Clone> IntoIterator for &'a Stream<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// The items of a [`Stream`], owned, one batch in memory at a time.
pub struct Iter<'a, T> {
    stream: &'a Stream<T>,
    next: usize,
    batch: std::vec::IntoIter<T>,
}

impl<T: Clone> Iterator for Iter<'_, T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        if let Some(item) = self.batch.next() {
            return Some(item);
        }
        match &self.stream.inner {
            Inner::Local(v) => {
                let item = v.get(self.next).cloned();
                self.next += 1;
                item
            }
            Inner::Host(_) => {
                let batch = self.stream.read(self.next, BATCH as usize);
                self.next += batch.len();
                self.batch = batch.into_iter();
                self.batch.next()
            }
        }
    }
}

/// A normalized coverage report; its files are read in batches.
#[derive(Debug, Clone)]
pub struct CoverageReport {
    pub meta: ArtifactMeta,
    pub totals: CoverageTotals,
    pub files: Stream<CoverageFile>,
}

/// A normalized security report; its findings are read in batches.
#[derive(Debug, Clone)]
pub struct FindingsReport {
    pub meta: ArtifactMeta,
    pub findings: Stream<SecurityFinding>,
}

/// A normalized infrastructure-as-code document; its resources are read in
/// batches.
#[derive(Debug, Clone)]
pub struct IacReport {
    pub meta: ArtifactMeta,
    pub resources: Stream<IacResource>,
}

/// A normalized test report; its cases are read in batches.
#[derive(Debug, Clone)]
pub struct TestReport {
    pub meta: ArtifactMeta,
    /// Computed by the host from the cases.
    pub totals: TestTotals,
    /// In document order; a parent comes before its children.
    pub suites: Vec<TestSuite>,
    pub cases: Stream<TestCase>,
    /// What the host's parser noticed and read past (counter mismatches).
    pub warnings: Vec<ParseWarning>,
}

impl TestReport {
    /// The names of the suites from the outermost to `suite` (a case's
    /// `suite`); empty for an index that is not a suite.
    pub fn suite_path(&self, suite: u32) -> Vec<&str> {
        let mut out = Vec::new();
        let mut at = Some(suite);
        // A parent always comes before its child: at most one step per suite.
        let mut steps = self.suites.len();
        while let (Some(i), true) = (at, steps > 0) {
            let Some(s) = self.suites.get(i as usize) else {
                break;
            };
            out.push(s.name.as_str());
            at = s.parent.filter(|p| *p < i);
            steps -= 1;
        }
        out.reverse();
        out
    }
}

/// A normalized performance report; its measurements are read in batches.
#[derive(Debug, Clone)]
pub struct PerformanceReport {
    pub meta: ArtifactMeta,
    /// The tool that wrote it (`hyperfine`, `go`, `locust`...).
    pub tool: String,
    pub tool_version: Option<String>,
    pub measurements: Stream<Measurement>,
    /// What the host's parser noticed and read past.
    pub warnings: Vec<ParseWarning>,
}

/// One input artifact, typed by family (as the contract's `artifact`,
/// whose variants are as unequal: kept unboxed so policies match on it
/// the same way).
#[derive(Debug, Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Artifact {
    Coverage(CoverageReport),
    Findings(FindingsReport),
    Iac(IacReport),
    Approvals(ApprovalSet),
    Tests(TestReport),
    Performance(PerformanceReport),
    Raw(RawArtifact),
    /// A metrics query's result (issue 17).
    Metrics(MetricsResult),
}

/// Everything one evaluation gets (the contract's `request`).
#[derive(Debug, Clone)]
pub struct Request {
    pub artifacts: Vec<Artifact>,
    /// The policy's params as JSON text, already validated by the host.
    pub params: String,
    pub context: Context,
    /// The changed lines, when the host was given a diff.
    pub changes: Option<Vec<ChangedFile>>,
}

impl From<wit::Request> for Request {
    fn from(r: wit::Request) -> Self {
        Request {
            artifacts: r
                .artifacts
                .into_iter()
                .map(|a| match a {
                    wit::Artifact::Coverage(c) => Artifact::Coverage(CoverageReport {
                        meta: c.meta,
                        totals: c.totals,
                        files: Stream::host(c.files),
                    }),
                    wit::Artifact::Findings(f) => Artifact::Findings(FindingsReport {
                        meta: f.meta,
                        findings: Stream::host(f.findings),
                    }),
                    wit::Artifact::Iac(i) => Artifact::Iac(IacReport {
                        meta: i.meta,
                        resources: Stream::host(i.resources),
                    }),
                    wit::Artifact::Approvals(a) => Artifact::Approvals(a),
                    wit::Artifact::Tests(t) => Artifact::Tests(TestReport {
                        meta: t.meta,
                        totals: t.totals,
                        suites: t.suites,
                        cases: Stream::host(t.cases),
                        warnings: t.warnings,
                    }),
                    wit::Artifact::Performance(p) => Artifact::Performance(PerformanceReport {
                        meta: p.meta,
                        tool: p.tool,
                        tool_version: p.tool_version,
                        measurements: Stream::host(p.measurements),
                        warnings: p.warnings,
                    }),
                    wit::Artifact::Raw(r) => Artifact::Raw(r),
                    wit::Artifact::Metrics(m) => Artifact::Metrics(m),
                })
                .collect(),
            params: r.params,
            context: r.context,
            changes: r.changes,
        }
    }
}

impl Request {
    /// Coverage reports of the given role.
    pub fn coverage(&self, role: ArtifactRole) -> impl Iterator<Item = &CoverageReport> {
        self.artifacts.iter().filter_map(move |a| match a {
            Artifact::Coverage(c) if c.meta.role == role => Some(c),
            _ => None,
        })
    }

    /// Findings reports of the given role.
    pub fn findings(&self, role: ArtifactRole) -> impl Iterator<Item = &FindingsReport> {
        self.artifacts.iter().filter_map(move |a| match a {
            Artifact::Findings(f) if f.meta.role == role => Some(f),
            _ => None,
        })
    }

    /// IaC documents (all roles).
    pub fn iac(&self) -> impl Iterator<Item = &IacReport> {
        self.artifacts.iter().filter_map(|a| match a {
            Artifact::Iac(r) => Some(r),
            _ => None,
        })
    }

    /// Test reports of the given role.
    pub fn tests(&self, role: ArtifactRole) -> impl Iterator<Item = &TestReport> {
        self.artifacts.iter().filter_map(move |a| match a {
            Artifact::Tests(t) if t.meta.role == role => Some(t),
            _ => None,
        })
    }

    /// Performance reports of the given role.
    pub fn performance(&self, role: ArtifactRole) -> impl Iterator<Item = &PerformanceReport> {
        self.artifacts.iter().filter_map(move |a| match a {
            Artifact::Performance(p) if p.meta.role == role => Some(p),
            _ => None,
        })
    }

    /// Metrics query results (all roles), in the order given.
    pub fn metrics(&self) -> impl Iterator<Item = &MetricsResult> {
        self.artifacts.iter().filter_map(|a| match a {
            Artifact::Metrics(m) => Some(m),
            _ => None,
        })
    }

    /// Approval sets (all roles).
    pub fn approvals(&self) -> impl Iterator<Item = &ApprovalSet> {
        self.artifacts.iter().filter_map(|a| match a {
            Artifact::Approvals(r) => Some(r),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A host source that counts its reads and caps batches at 3.
    struct Counted(std::cell::Cell<u32>, Vec<u32>);
    impl Source<u32> for Counted {
        fn len(&self) -> u32 {
            self.1.len() as u32
        }
        fn read(&self, start: u32, max: u32) -> Vec<u32> {
            self.0.set(self.0.get() + 1);
            let s = start as usize;
            self.1
                .iter()
                .skip(s)
                .take(max.min(3) as usize)
                .copied()
                .collect()
        }
    }

    #[test]
    fn iter_reads_every_item_in_batches_and_stops_at_the_end() {
        let source = Rc::new(Counted(Default::default(), (0..10).collect()));
        let stream = Stream {
            inner: Inner::Host(source.clone()),
        };
        assert_eq!(stream.len(), 10);
        assert_eq!(stream.to_vec(), (0..10).collect::<Vec<_>>());
        // 4 batches of at most 3, then the empty one that ends it.
        assert_eq!(source.0.get(), 5);
        assert_eq!(stream.read(8, 100), vec![8, 9]);
    }

    #[test]
    fn a_local_stream_is_its_list() {
        let s: Stream<u32> = vec![1, 2, 3].into();
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![1, 2, 3]);
        assert_eq!(s.read(1, 5), vec![2, 3]);
        assert_eq!(s.read(7, 5), Vec::<u32>::new());
        assert!(Stream::<u32>::default().is_empty());
    }
}
