//! Native tests of a policy on real artifacts: files are read by the same
//! parsers `gate` uses (`gate-artifacts`) and handed to the policy as the
//! `gate-sdk` types it receives in a component, so a unit test judges what
//! `gate check` would, with `cargo test` on the host target.
//!
//! ```ignore
//! use gate_sdk_testing::Fixture;
//!
//! let request = Fixture::new()
//!     .artifact("tests/fixtures/grype.json")
//!     .params(r#"{"fail-on": "high"}"#)
//!     .request()
//!     .unwrap();
//! let verdict = gate_sdk::evaluate::<MyPolicy>(request).unwrap();
//! ```
//!
//! Errors are strings naming the file and the place (what `gate` reports),
//! for a test to `unwrap` or assert on.

use gate_artifacts as m;
use gate_sdk::{
    AffectedPackage, ApprovalRule, ApprovalSet, ArtifactMeta, ArtifactRole, BranchLine,
    ChangeRecord, ChangedFile, Context, Counter, CoverageFile, CoverageReport, CoverageTotals,
    FindingCategory, FindingsReport, FunctionCoverage, IacReport, IacResource, LineHit, Location,
    PlannedAction, Request, Review, ReviewState, SecurityFinding, Severity,
};
use std::path::{Path, PathBuf};

/// The `context.now` of a fixture unless [`Fixture::now`] sets another.
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// The inputs of one evaluation, read from files (see the crate docs).
#[derive(Debug, Clone, Default)]
pub struct Fixture {
    artifacts: Vec<(PathBuf, Option<String>, ArtifactRole)>,
    params: Option<String>,
    diff: Option<PathBuf>,
    context: Option<Context>,
}

impl Fixture {
    pub fn new() -> Self {
        Self::default()
    }

    /// A current artifact, its format detected from its content as `gate`
    /// does.
    pub fn artifact(mut self, path: impl AsRef<Path>) -> Self {
        self.artifacts
            .push((path.as_ref().to_path_buf(), None, ArtifactRole::Current));
        self
    }

    /// A current artifact of a forced format (`gate --format`), e.g. `sarif`.
    pub fn artifact_as(mut self, path: impl AsRef<Path>, format: &str) -> Self {
        self.artifacts.push((
            path.as_ref().to_path_buf(),
            Some(format.to_string()),
            ArtifactRole::Current,
        ));
        self
    }

    /// A baseline artifact (the base branch's report).
    pub fn baseline(mut self, path: impl AsRef<Path>) -> Self {
        self.artifacts
            .push((path.as_ref().to_path_buf(), None, ArtifactRole::Baseline));
        self
    }

    /// The params as JSON text (default `{}`). Not validated against the
    /// schema here: `gate test` cases exercise the host's validation.
    pub fn params(mut self, json: &str) -> Self {
        self.params = Some(json.to_string());
        self
    }

    /// A unified diff file: the request's `changes`.
    pub fn diff(mut self, path: impl AsRef<Path>) -> Self {
        self.diff = Some(path.as_ref().to_path_buf());
        self
    }

    /// `context.now` (RFC 3339); the rest of the context stays empty.
    pub fn now(mut self, now: &str) -> Self {
        let mut cx = self.context.take().unwrap_or_else(|| context(NOW));
        cx.now = now.to_string();
        self.context = Some(cx);
        self
    }

    /// The whole context.
    pub fn context(mut self, context: Context) -> Self {
        self.context = Some(context);
        self
    }

    /// The request a policy receives for these inputs.
    pub fn request(&self) -> Result<Request, String> {
        let mut artifacts = Vec::new();
        for (path, format, role) in &self.artifacts {
            artifacts.push(load(path, format.as_deref(), *role)?);
        }
        let changes = match &self.diff {
            None => None,
            Some(path) => {
                let text = read_text(path)?;
                let (files, _) =
                    m::diff::parse_file(&name(path), &text).map_err(|e| e.to_string())?;
                Some(
                    files
                        .into_iter()
                        .map(|f| ChangedFile {
                            path: f.path,
                            lines: f.lines,
                        })
                        .collect(),
                )
            }
        };
        Ok(Request {
            artifacts,
            params: self.params.clone().unwrap_or_else(|| "{}".into()),
            context: self.context.clone().unwrap_or_else(|| context(NOW)),
            changes,
        })
    }
}

/// A context with only `now`.
pub fn context(now: &str) -> Context {
    Context {
        now: now.to_string(),
        environment: None,
        branch: None,
        commit: None,
        author: None,
        base_ref: None,
    }
}

fn name(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// One artifact file as a policy receives it: parsed by gate's parsers,
/// converted to the SDK's types.
pub fn load(
    path: &Path,
    format: Option<&str>,
    role: ArtifactRole,
) -> Result<gate_sdk::Artifact, String> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let forced = match format {
        Some(f) => Some(f.parse::<m::Format>().map_err(|e| format!("{f}: {e}"))?),
        None => None,
    };
    let name = name(path);
    let parsed =
        m::parse(&name, &bytes, forced, &m::ParseOptions::default()).map_err(|e| e.to_string())?;
    let meta = ArtifactMeta {
        path: name,
        format: parsed.format.to_string(),
        sha256: format!("{:x}", sha2::Sha256::digest(&bytes)),
        role,
    };
    Ok(match parsed.model {
        m::Model::Coverage(r) => gate_sdk::Artifact::Coverage(CoverageReport {
            meta,
            totals: totals(&r),
            files: r.files.iter().map(coverage_file).collect::<Vec<_>>().into(),
        }),
        m::Model::Findings(r) => gate_sdk::Artifact::Findings(FindingsReport {
            meta,
            findings: r
                .findings
                .iter()
                .map(security_finding)
                .collect::<Vec<_>>()
                .into(),
        }),
        m::Model::Iac(r) => gate_sdk::Artifact::Iac(IacReport {
            meta,
            resources: r
                .resources
                .iter()
                .map(iac_resource)
                .collect::<Vec<_>>()
                .into(),
        }),
        m::Model::Approvals(a) => gate_sdk::Artifact::Approvals(approvals(meta, &a)),
        // Their contract types hold resources only a component host can
        // serve; native fixtures for them are not written yet.
        m::Model::Tests(_) | m::Model::Performance(_) | m::Model::Metrics(_) => {
            return Err(format!(
                "{}: gate-sdk-testing loads coverage, findings, iac and approvals artifacts, not {}",
                meta.path, meta.format
            ));
        }
    })
}

fn severity(s: m::Severity) -> Severity {
    match s {
        m::Severity::Unknown => Severity::Unknown,
        m::Severity::Info => Severity::Info,
        m::Severity::Low => Severity::Low,
        m::Severity::Medium => Severity::Medium,
        m::Severity::High => Severity::High,
        m::Severity::Critical => Severity::Critical,
    }
}

fn location(l: &m::Location) -> Location {
    Location {
        path: l.path.clone(),
        line: l.line,
        end_line: l.end_line,
        column: l.column,
    }
}

fn counter(c: m::Counter) -> Counter {
    Counter {
        total: c.total,
        covered: c.covered,
    }
}

fn totals(r: &m::CoverageReport) -> CoverageTotals {
    let t = r.totals();
    CoverageTotals {
        lines: counter(t.lines),
        branches: counter(t.branches),
        functions: counter(t.functions),
        statements: t.statements.map(counter),
    }
}

fn coverage_file(f: &m::FileCoverage) -> CoverageFile {
    CoverageFile {
        path: f.path.clone(),
        lines: f
            .lines
            .iter()
            .map(|(line, hits)| LineHit {
                line: *line,
                hits: *hits,
            })
            .collect(),
        branches: f
            .branches
            .iter()
            .map(|(line, b)| BranchLine {
                line: *line,
                covered: b.covered,
                total: b.total,
            })
            .collect(),
        functions: f
            .functions
            .iter()
            .map(|fun| FunctionCoverage {
                name: fun.name.clone(),
                line: fun.line,
                hits: fun.hits,
            })
            .collect(),
    }
}

fn security_finding(f: &m::SecurityFinding) -> SecurityFinding {
    SecurityFinding {
        tool: f.tool.clone(),
        rule: f.rule.clone(),
        category: match f.category {
            m::FindingCategory::Vulnerability => FindingCategory::Vulnerability,
            m::FindingCategory::Secret => FindingCategory::Secret,
            m::FindingCategory::Misconfiguration => FindingCategory::Misconfiguration,
            m::FindingCategory::Code => FindingCategory::Code,
            m::FindingCategory::Other => FindingCategory::Other,
        },
        severity: severity(f.severity),
        severity_source: f.severity_source.as_str().to_string(),
        cvss: f.cvss,
        title: f.title.clone(),
        message: f.message.clone(),
        location: f.location.as_ref().map(location),
        package: f.package.as_ref().map(|p| AffectedPackage {
            name: p.name.clone(),
            version: p.version.clone(),
            ecosystem: p.ecosystem.clone(),
            purl: p.purl.clone(),
            fixed_versions: p.fixed_versions.clone(),
        }),
        cwes: f.cwes.clone(),
        aliases: f.aliases.clone(),
        fingerprint: f.fingerprint.clone(),
        suppressed: f.suppressed,
    }
}

fn iac_resource(r: &m::IacResource) -> IacResource {
    IacResource {
        address: r.address.clone(),
        resource_type: r.resource_type.clone(),
        provider: r.provider.clone(),
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        action: r.action.map(|a| match a {
            m::PlannedAction::Create => PlannedAction::Create,
            m::PlannedAction::Update => PlannedAction::Update,
            m::PlannedAction::Delete => PlannedAction::Delete,
            m::PlannedAction::Replace => PlannedAction::Replace,
            m::PlannedAction::Read => PlannedAction::Read,
            m::PlannedAction::NoOp => PlannedAction::NoOp,
        }),
        attributes: r.attributes.json().to_owned(),
        location: r.location.as_ref().map(location),
    }
}

fn approvals(meta: ArtifactMeta, a: &m::ApprovalSet) -> ApprovalSet {
    ApprovalSet {
        meta,
        change_id: a.change_id.clone(),
        author: a.author.clone(),
        environment: a.environment.clone(),
        head_commit: a.head_commit.clone(),
        created_at: a.created_at.clone(),
        committers: a.committers.clone(),
        deployer: a.deployer.clone(),
        reviews: a
            .reviews
            .iter()
            .map(|r| Review {
                reviewer: r.reviewer.clone(),
                state: match r.state {
                    m::ReviewState::Approved => ReviewState::Approved,
                    m::ReviewState::ChangesRequested => ReviewState::ChangesRequested,
                    m::ReviewState::Commented => ReviewState::Commented,
                    m::ReviewState::Dismissed => ReviewState::Dismissed,
                    m::ReviewState::Pending => ReviewState::Pending,
                },
                submitted_at: r.submitted_at.clone(),
                commit: r.commit.clone(),
                teams: r.teams.clone(),
            })
            .collect(),
        rules: a
            .rules
            .iter()
            .map(|r| ApprovalRule {
                name: r.name.clone(),
                required: r.required,
                eligible: r.eligible.clone(),
            })
            .collect(),
        change_record: a.change_record.as_ref().map(|c| ChangeRecord {
            ticket: c.ticket.clone(),
            state: c.state.clone(),
            approved: c.approved,
            window_start: c.window_start.clone(),
            window_end: c.window_end.clone(),
            risk: c.risk.clone(),
            conflict: c.conflict,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    #[test]
    fn a_real_report_arrives_as_the_policy_sees_it() {
        let request = Fixture::new()
            .artifact(fixture("policies/security/tests/fixtures/grype.json"))
            .baseline(fixture(
                "policies/security/tests/fixtures/grype-baseline.json",
            ))
            .params(r#"{"fail-on": "high"}"#)
            .request()
            .unwrap();
        assert_eq!(request.artifacts.len(), 2);
        let current: Vec<_> = request.findings(ArtifactRole::Current).collect();
        assert_eq!(current.len(), 1);
        assert_eq!(current[0].meta.format, "grype");
        assert_eq!(current[0].meta.sha256.len(), 64);
        let findings = current[0].findings.to_vec();
        assert!(!findings.is_empty());
        assert!(findings.iter().all(|f| !f.fingerprint.is_empty()));
        assert_eq!(request.findings(ArtifactRole::Baseline).count(), 1);
        assert_eq!(request.params, r#"{"fail-on": "high"}"#);
        assert_eq!(request.context.now, NOW);
    }

    #[test]
    fn coverage_with_a_diff_and_bad_files_say_where() {
        let request = Fixture::new()
            .artifact(fixture("policies/coverage/tests/fixtures/lcov.info"))
            .diff(fixture("policies/coverage/tests/fixtures/change.diff"))
            .now("2026-06-01T00:00:00Z")
            .request()
            .unwrap();
        let report = request.coverage(ArtifactRole::Current).next().unwrap();
        assert_eq!(report.meta.format, "lcov");
        assert!(report.totals.lines.total > 0);
        assert!(request.changes.as_ref().is_some_and(|c| !c.is_empty()));
        assert_eq!(request.context.now, "2026-06-01T00:00:00Z");

        let missing = Fixture::new()
            .artifact("no/such.json")
            .request()
            .unwrap_err();
        assert!(missing.starts_with("no/such.json: "), "{missing}");
        let forced = Fixture::new()
            .artifact_as(
                fixture("policies/coverage/tests/fixtures/lcov.info"),
                "sarif",
            )
            .request()
            .unwrap_err();
        assert!(forced.contains("lcov.info"), "{forced}");
    }
}
