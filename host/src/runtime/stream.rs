//! The guest boundary in batches (issues 11 and 13): artifact item lists
//! go in as resources the policy reads a batch at a time, findings come
//! out through `host.emit` a batch at a time.
//!
//! A run's models are shared by every policy ([`Shared`] holds an `Arc`);
//! a `read` converts only the items of its batch into the contract's types,
//! so neither the host nor the guest ever holds a whole list twice. Every
//! misuse a guest can attempt — a handle it does not own, a `start` past the
//! end — is an error that ends its evaluation, never a host panic; a guest
//! that reads forever pays fuel for every batch it receives (the canonical
//! ABI allocates it in the guest) and meets the deadline.

use super::StoreState;
use super::bindings::types as wit;
use super::convert;
use crate::inputs::LoadedArtifact;
use gate_artifacts as m;
use std::sync::Arc;
use wasmtime::component::{Resource, ResourceTable};

/// Most items one `read` returns, whatever `max` the policy asks for.
pub const MAX_BATCH_ITEMS: u32 = 4096;

/// About how much text one `read` returns: a batch ends with the item that
/// reaches it (so a batch always makes progress).
pub const MAX_BATCH_BYTES: usize = 1 << 20;

/// A parsed model every policy of a run reads; cloning shares it.
#[derive(Debug, Clone)]
pub enum Shared {
    /// Artifact `index` of the run's artifacts.
    Loaded {
        /// The run's artifacts.
        all: Arc<[LoadedArtifact]>,
        /// Which one.
        index: usize,
    },
    /// Several coverage reports of one role, merged by the host.
    Merged(Arc<m::CoverageReport>),
    /// A model on its own (benches, callers without a run).
    Model(Arc<m::Model>),
}

impl Shared {
    fn model(&self) -> Option<&m::Model> {
        match self {
            Shared::Loaded { all, index } => all.get(*index).map(|a| &a.parsed.model),
            Shared::Merged(_) => None,
            Shared::Model(model) => Some(model),
        }
    }

    /// The coverage files, or none when the model is not coverage.
    pub fn coverage_files(&self) -> &[m::FileCoverage] {
        match (self, self.model()) {
            (Shared::Merged(c), _) => &c.files,
            (_, Some(m::Model::Coverage(c))) => &c.files,
            _ => &[],
        }
    }

    /// The security findings, or none when the model is not findings.
    pub fn security_findings(&self) -> &[m::SecurityFinding] {
        match self.model() {
            Some(m::Model::Findings(f)) => &f.findings,
            _ => &[],
        }
    }

    /// The IaC resources, or none when the model is not IaC.
    pub fn iac_resources(&self) -> &[m::IacResource] {
        match self.model() {
            Some(m::Model::Iac(r)) => &r.resources,
            _ => &[],
        }
    }

    /// The test cases, or none when the model is not test results.
    pub fn test_cases(&self) -> &[m::TestCase] {
        match self.model() {
            Some(m::Model::Tests(t)) => &t.cases,
            _ => &[],
        }
    }

    /// The measurements, or none when the model is not performance.
    pub fn measurements(&self) -> &[m::Measurement] {
        match self.model() {
            Some(m::Model::Performance(p)) => &p.measurements,
            _ => &[],
        }
    }
}

/// The host side of `coverage-files`.
#[derive(Debug)]
pub struct CoverageFiles(Shared);
/// The host side of `security-findings`.
#[derive(Debug)]
pub struct SecurityFindings(Shared);
/// The host side of `iac-resources`.
#[derive(Debug)]
pub struct IacResources(Shared);
/// The host side of `test-cases`.
#[derive(Debug)]
pub struct TestCases(Shared);
/// The host side of `measurements`.
#[derive(Debug)]
pub struct Measurements(Shared);

/// One input artifact before it is handed to a policy: the item lists stay
/// in the shared model until the policy reads them.
#[derive(Debug, Clone)]
pub enum Input {
    /// A coverage report (merged per role by the host).
    Coverage {
        /// Facts about the file(s).
        meta: wit::ArtifactMeta,
        /// Totals over every file.
        totals: wit::CoverageTotals,
        /// The report's files.
        files: Shared,
    },
    /// A security report.
    Findings {
        /// Facts about the file.
        meta: wit::ArtifactMeta,
        /// The report's findings.
        findings: Shared,
    },
    /// An IaC document.
    Iac {
        /// Facts about the file.
        meta: wit::ArtifactMeta,
        /// The document's resources.
        resources: Shared,
    },
    /// An approval set: small, passed whole.
    Approvals(Box<wit::ApprovalSet>),
    /// A test report.
    Tests {
        /// Facts about the file.
        meta: wit::ArtifactMeta,
        /// Totals over every case.
        totals: wit::TestTotals,
        /// The report's suites (few: passed whole).
        suites: Vec<wit::TestSuite>,
        /// The report's cases.
        cases: Shared,
        /// The parser's warnings.
        warnings: Vec<wit::ParseWarning>,
    },
    /// A performance report.
    Performance {
        /// Facts about the file.
        meta: wit::ArtifactMeta,
        /// The tool that wrote it.
        tool: String,
        /// Its version, when the report says.
        tool_version: Option<String>,
        /// The report's measurements.
        measurements: Shared,
        /// The parser's warnings.
        warnings: Vec<wit::ParseWarning>,
    },
    /// Bytes the host hands over as they are, with their media type (Rego
    /// modules, data and input documents for `builtin:rego`).
    Raw(Box<wit::RawArtifact>),
    /// A metrics query's result: bounded by its response, passed whole.
    Metrics(Box<wit::MetricsResult>),
}

impl From<crate::inputs::rego::RawDoc> for Input {
    /// A Rego module, data or input document as the policy receives it: a
    /// current `raw` artifact.
    fn from(doc: crate::inputs::rego::RawDoc) -> Self {
        Input::Raw(Box::new(wit::RawArtifact {
            meta: wit::ArtifactMeta {
                path: doc.display,
                format: doc.format,
                sha256: doc.sha256,
                role: wit::ArtifactRole::Current,
            },
            media_type: doc.media_type,
            bytes: doc.bytes,
        }))
    }
}

/// Everything one evaluation gets, before it is lowered into a store.
#[derive(Debug, Clone)]
pub struct Request {
    /// The artifacts of the kinds the policy reads.
    pub artifacts: Vec<Input>,
    /// The policy's params as JSON text (already validated).
    pub params: String,
    /// Facts about the run.
    pub context: wit::Context,
    /// The changed lines, when a diff was given.
    pub changes: Option<Vec<wit::ChangedFile>>,
}

impl Request {
    /// The contract's request, its item lists as resources of `table`.
    pub(super) fn lower(self, table: &mut ResourceTable) -> wasmtime::Result<wit::Request> {
        let mut artifacts = Vec::with_capacity(self.artifacts.len());
        for a in self.artifacts {
            artifacts.push(match a {
                Input::Coverage {
                    meta,
                    totals,
                    files,
                } => wit::Artifact::Coverage(wit::CoverageReport {
                    meta,
                    totals,
                    files: table.push(CoverageFiles(files))?,
                }),
                Input::Findings { meta, findings } => {
                    wit::Artifact::Findings(wit::FindingsReport {
                        meta,
                        findings: table.push(SecurityFindings(findings))?,
                    })
                }
                Input::Iac { meta, resources } => wit::Artifact::Iac(wit::IacReport {
                    meta,
                    resources: table.push(IacResources(resources))?,
                }),
                Input::Approvals(a) => wit::Artifact::Approvals(*a),
                Input::Tests {
                    meta,
                    totals,
                    suites,
                    cases,
                    warnings,
                } => wit::Artifact::Tests(wit::TestReport {
                    meta,
                    totals,
                    suites,
                    cases: table.push(TestCases(cases))?,
                    warnings,
                }),
                Input::Performance {
                    meta,
                    tool,
                    tool_version,
                    measurements,
                    warnings,
                } => wit::Artifact::Performance(wit::PerformanceReport {
                    meta,
                    tool,
                    tool_version,
                    measurements: table.push(Measurements(measurements))?,
                    warnings,
                }),
                Input::Raw(r) => wit::Artifact::Raw(*r),
                Input::Metrics(m) => wit::Artifact::Metrics(*m),
            });
        }
        Ok(wit::Request {
            artifacts,
            params: self.params,
            context: self.context,
            changes: self.changes,
        })
    }
}

/// `len` as the contract's `u32` (an input has far fewer items; saturating
/// keeps a policy from ever reading past what exists).
fn len32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

/// The batch of `items` from `start`: at most `max` (capped at
/// [`MAX_BATCH_ITEMS`]) and about [`MAX_BATCH_BYTES`] of text, each item
/// converted as it is taken. `start` past the end is the policy's error.
fn batch<T, W>(
    what: &str,
    items: &[T],
    start: u32,
    max: u32,
    convert: impl Fn(&T) -> (W, usize),
) -> Result<Vec<W>, String> {
    let start_at = usize::try_from(start).unwrap_or(usize::MAX);
    let Some(rest) = items.get(start_at..) else {
        return Err(format!(
            "the policy read {what} from index {start}, past the end ({} items)",
            items.len()
        ));
    };
    let max = usize::try_from(max.min(MAX_BATCH_ITEMS)).unwrap_or(0);
    let mut out = Vec::with_capacity(max.min(rest.len()));
    let mut bytes = 0usize;
    for item in rest.iter().take(max) {
        if bytes >= MAX_BATCH_BYTES {
            break;
        }
        let (w, size) = convert(item);
        bytes = bytes.saturating_add(size);
        out.push(w);
    }
    Ok(out)
}

impl wit::HostCoverageFiles for StoreState {
    fn len(&mut self, s: Resource<CoverageFiles>) -> wasmtime::Result<u32> {
        Ok(len32(self.table.get(&s)?.0.coverage_files().len()))
    }

    fn read(
        &mut self,
        s: Resource<CoverageFiles>,
        start: u32,
        max: u32,
    ) -> wasmtime::Result<Vec<wit::CoverageFile>> {
        let items = self.table.get(&s)?.0.coverage_files();
        batch("coverage files", items, start, max, convert::coverage_file)
            .map_err(|m| self.break_contract(m))
    }

    fn drop(&mut self, s: Resource<CoverageFiles>) -> wasmtime::Result<()> {
        self.table.delete(s)?;
        Ok(())
    }
}

impl wit::HostSecurityFindings for StoreState {
    fn len(&mut self, s: Resource<SecurityFindings>) -> wasmtime::Result<u32> {
        Ok(len32(self.table.get(&s)?.0.security_findings().len()))
    }

    fn read(
        &mut self,
        s: Resource<SecurityFindings>,
        start: u32,
        max: u32,
    ) -> wasmtime::Result<Vec<wit::SecurityFinding>> {
        let items = self.table.get(&s)?.0.security_findings();
        batch(
            "security findings",
            items,
            start,
            max,
            convert::security_finding,
        )
        .map_err(|m| self.break_contract(m))
    }

    fn drop(&mut self, s: Resource<SecurityFindings>) -> wasmtime::Result<()> {
        self.table.delete(s)?;
        Ok(())
    }
}

impl wit::HostIacResources for StoreState {
    fn len(&mut self, s: Resource<IacResources>) -> wasmtime::Result<u32> {
        Ok(len32(self.table.get(&s)?.0.iac_resources().len()))
    }

    fn read(
        &mut self,
        s: Resource<IacResources>,
        start: u32,
        max: u32,
    ) -> wasmtime::Result<Vec<wit::IacResource>> {
        let items = self.table.get(&s)?.0.iac_resources();
        batch("IaC resources", items, start, max, convert::iac_resource)
            .map_err(|m| self.break_contract(m))
    }

    fn drop(&mut self, s: Resource<IacResources>) -> wasmtime::Result<()> {
        self.table.delete(s)?;
        Ok(())
    }
}

impl wit::HostTestCases for StoreState {
    fn len(&mut self, s: Resource<TestCases>) -> wasmtime::Result<u32> {
        Ok(len32(self.table.get(&s)?.0.test_cases().len()))
    }

    fn read(
        &mut self,
        s: Resource<TestCases>,
        start: u32,
        max: u32,
    ) -> wasmtime::Result<Vec<wit::TestCase>> {
        let items = self.table.get(&s)?.0.test_cases();
        batch("test cases", items, start, max, convert::test_case)
            .map_err(|m| self.break_contract(m))
    }

    fn drop(&mut self, s: Resource<TestCases>) -> wasmtime::Result<()> {
        self.table.delete(s)?;
        Ok(())
    }
}

impl wit::HostMeasurements for StoreState {
    fn len(&mut self, s: Resource<Measurements>) -> wasmtime::Result<u32> {
        Ok(len32(self.table.get(&s)?.0.measurements().len()))
    }

    fn read(
        &mut self,
        s: Resource<Measurements>,
        start: u32,
        max: u32,
    ) -> wasmtime::Result<Vec<wit::Measurement>> {
        let items = self.table.get(&s)?.0.measurements();
        batch("measurements", items, start, max, convert::measurement)
            .map_err(|m| self.break_contract(m))
    }

    fn drop(&mut self, s: Resource<Measurements>) -> wasmtime::Result<()> {
        self.table.delete(s)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weigh(n: &u32) -> (u32, usize) {
        (*n, 1000)
    }

    #[test]
    fn a_batch_is_capped_by_items_and_text_and_never_reads_past_the_end() {
        let items: Vec<u32> = (0..10_000).collect();
        let got = |start, max| batch("items", &items, start, max, |n| (*n, 1)).map(|v| v.len());
        assert_eq!(got(0, 10).ok(), Some(10));
        assert_eq!(got(0, u32::MAX).ok(), Some(MAX_BATCH_ITEMS as usize));
        assert_eq!(got(9_990, 100).ok(), Some(10));
        assert_eq!(got(10_000, 100).ok(), Some(0));
        assert_eq!(got(5, 0).ok(), Some(0));
        let past = batch("items", &items, 10_001, 1, |n| (*n, 1)).err();
        assert_eq!(
            past.as_deref(),
            Some("the policy read items from index 10001, past the end (10000 items)")
        );
        // 1000 bytes an item: the batch ends with the item that reaches 1 MiB.
        let heavy = batch("items", &items, 0, 4096, weigh).map(|v| v.len());
        assert_eq!(heavy.ok(), Some(MAX_BATCH_BYTES.div_ceil(1000)));
    }
}
