//! Normalized models (gate-artifacts) → the WIT types a policy receives,
//! and what a policy returns → the verdict document's types. One-to-one;
//! the only transformation is IaC attributes to JSON text.

use super::bindings::types as wit;
use gate_artifacts as m;

/// A model severity as the contract's.
pub fn severity(s: m::Severity) -> wit::Severity {
    match s {
        m::Severity::Unknown => wit::Severity::Unknown,
        m::Severity::Info => wit::Severity::Info,
        m::Severity::Low => wit::Severity::Low,
        m::Severity::Medium => wit::Severity::Medium,
        m::Severity::High => wit::Severity::High,
        m::Severity::Critical => wit::Severity::Critical,
    }
}

/// A contract severity as the model's.
pub fn severity_back(s: wit::Severity) -> m::Severity {
    match s {
        wit::Severity::Unknown => m::Severity::Unknown,
        wit::Severity::Info => m::Severity::Info,
        wit::Severity::Low => m::Severity::Low,
        wit::Severity::Medium => m::Severity::Medium,
        wit::Severity::High => m::Severity::High,
        wit::Severity::Critical => m::Severity::Critical,
    }
}

/// The contract's kind of a model kind.
pub fn kind(k: m::ArtifactKind) -> wit::ArtifactKind {
    match k {
        m::ArtifactKind::Coverage => wit::ArtifactKind::Coverage,
        m::ArtifactKind::Findings => wit::ArtifactKind::Findings,
        m::ArtifactKind::Iac => wit::ArtifactKind::Iac,
        m::ArtifactKind::Approvals => wit::ArtifactKind::Approvals,
        m::ArtifactKind::Tests => wit::ArtifactKind::Tests,
        m::ArtifactKind::Performance => wit::ArtifactKind::Performance,
        m::ArtifactKind::Raw => wit::ArtifactKind::Raw,
        m::ArtifactKind::Metrics => wit::ArtifactKind::Metrics,
    }
}

/// A contract artifact kind as the model's.
pub fn kind_back(k: wit::ArtifactKind) -> m::ArtifactKind {
    match k {
        wit::ArtifactKind::Coverage => m::ArtifactKind::Coverage,
        wit::ArtifactKind::Findings => m::ArtifactKind::Findings,
        wit::ArtifactKind::Iac => m::ArtifactKind::Iac,
        wit::ArtifactKind::Approvals => m::ArtifactKind::Approvals,
        wit::ArtifactKind::Tests => m::ArtifactKind::Tests,
        wit::ArtifactKind::Performance => m::ArtifactKind::Performance,
        wit::ArtifactKind::Raw => m::ArtifactKind::Raw,
        wit::ArtifactKind::Metrics => m::ArtifactKind::Metrics,
    }
}

/// A catalog entry of `info()`.
pub fn rule_info(r: &wit::RuleInfo) -> crate::verdict::RuleInfo {
    crate::verdict::RuleInfo {
        id: r.id.clone(),
        default_severity: severity_back(r.default_severity),
        short_description: r.short_description.clone(),
        full_description: r.full_description.clone(),
        help: r.help.clone(),
        help_uri: r.help_uri.clone(),
        tags: r.tags.clone(),
    }
}

fn location(l: &m::Location) -> wit::Location {
    wit::Location {
        path: l.path.clone(),
        line: l.line,
        end_line: l.end_line,
        column: l.column,
    }
}

fn counter(c: m::Counter) -> wit::Counter {
    wit::Counter {
        total: c.total,
        covered: c.covered,
    }
}

/// Totals of a coverage report, computed from its files.
pub fn coverage_totals(r: &m::CoverageReport) -> wit::CoverageTotals {
    let t = r.totals();
    wit::CoverageTotals {
        lines: counter(t.lines),
        branches: counter(t.branches),
        functions: counter(t.functions),
        statements: t.statements.map(counter),
    }
}

/// Text bytes a location adds to a batch.
fn location_bytes(l: Option<&m::Location>) -> usize {
    l.map_or(0, |l| l.path.len().saturating_add(16))
}

/// One coverage file, with about how many bytes it adds to a batch.
pub fn coverage_file(f: &m::FileCoverage) -> (wit::CoverageFile, usize) {
    let bytes = f
        .path
        .len()
        .saturating_add(f.lines.len().saturating_mul(12))
        .saturating_add(f.branches.len().saturating_mul(12))
        .saturating_add(
            f.functions
                .iter()
                .map(|fun| fun.name.len().saturating_add(12))
                .fold(0usize, usize::saturating_add),
        );
    let file = wit::CoverageFile {
        path: f.path.clone(),
        lines: f
            .lines
            .iter()
            .map(|(line, hits)| wit::LineHit {
                line: *line,
                hits: *hits,
            })
            .collect(),
        branches: f
            .branches
            .iter()
            .map(|(line, b)| wit::BranchLine {
                line: *line,
                covered: b.covered,
                total: b.total,
            })
            .collect(),
        functions: f
            .functions
            .iter()
            .map(|fun| wit::FunctionCoverage {
                name: fun.name.clone(),
                line: fun.line,
                hits: fun.hits,
            })
            .collect(),
    };
    (file, bytes)
}

/// One security finding, with about how many bytes it adds to a batch.
pub fn security_finding(f: &m::SecurityFinding) -> (wit::SecurityFinding, usize) {
    let strings = |v: &[String]| {
        v.iter()
            .map(String::len)
            .fold(0usize, usize::saturating_add)
    };
    let package_bytes = f.package.as_ref().map_or(0, |p| {
        [&p.version, &p.ecosystem, &p.purl]
            .into_iter()
            .flatten()
            .map(String::len)
            .fold(p.name.len(), usize::saturating_add)
            .saturating_add(strings(&p.fixed_versions))
    });
    let bytes = [
        f.tool.len(),
        f.rule.len(),
        f.title.len(),
        f.message.len(),
        f.fingerprint.len(),
        location_bytes(f.location.as_ref()),
        package_bytes,
        strings(&f.cwes),
        strings(&f.aliases),
    ]
    .into_iter()
    .fold(0usize, usize::saturating_add);
    let finding = wit::SecurityFinding {
        tool: f.tool.clone(),
        rule: f.rule.clone(),
        category: match f.category {
            m::FindingCategory::Vulnerability => wit::FindingCategory::Vulnerability,
            m::FindingCategory::Secret => wit::FindingCategory::Secret,
            m::FindingCategory::Misconfiguration => wit::FindingCategory::Misconfiguration,
            m::FindingCategory::Code => wit::FindingCategory::Code,
            m::FindingCategory::Other => wit::FindingCategory::Other,
        },
        severity: severity(f.severity),
        severity_source: f.severity_source.as_str().to_string(),
        cvss: f.cvss,
        title: f.title.clone(),
        message: f.message.clone(),
        location: f.location.as_ref().map(location),
        package: f.package.as_ref().map(|p| wit::AffectedPackage {
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
    };
    (finding, bytes)
}

/// One IaC resource, with about how many bytes it adds to a batch.
pub fn iac_resource(res: &m::IacResource) -> (wit::IacResource, usize) {
    let attributes = res.attributes.json();
    let bytes = [
        res.address.len(),
        res.resource_type.len(),
        res.provider.len(),
        res.name.len(),
        res.namespace.as_ref().map_or(0, String::len),
        attributes.len(),
        location_bytes(res.location.as_ref()),
    ]
    .into_iter()
    .fold(0usize, usize::saturating_add);
    let resource = wit::IacResource {
        address: res.address.clone(),
        resource_type: res.resource_type.clone(),
        provider: res.provider.clone(),
        name: res.name.clone(),
        namespace: res.namespace.clone(),
        action: res.action.map(|a| match a {
            m::PlannedAction::Create => wit::PlannedAction::Create,
            m::PlannedAction::Update => wit::PlannedAction::Update,
            m::PlannedAction::Delete => wit::PlannedAction::Delete,
            m::PlannedAction::Replace => wit::PlannedAction::Replace,
            m::PlannedAction::Read => wit::PlannedAction::Read,
            m::PlannedAction::NoOp => wit::PlannedAction::NoOp,
        }),
        attributes: attributes.to_owned(),
        location: res.location.as_ref().map(location),
    };
    (resource, bytes)
}

/// A metrics query's result. The side of a series is the host's when it
/// knows it: the query was fetched for one side, or the artifact's role
/// is `baseline`; otherwise the policy tells the sides by their labels.
pub fn metrics(meta: wit::ArtifactMeta, r: &m::MetricsReport) -> wit::MetricsResult {
    let side = match (r.side, meta.role) {
        (Some(m::Side::Canary), _) => Some(wit::MetricSide::Canary),
        (Some(m::Side::Baseline), _) | (None, wit::ArtifactRole::Baseline) => {
            Some(wit::MetricSide::Baseline)
        }
        (None, wit::ArtifactRole::Current) => None,
    };
    wit::MetricsResult {
        meta,
        name: r.name.clone(),
        query: r.query.clone(),
        result_type: r.result_type.as_str().to_string(),
        series: r
            .series
            .iter()
            .map(|s| wit::MetricSeries {
                labels: s.labels.clone(),
                side,
                samples: s
                    .samples
                    .iter()
                    .map(|p| wit::MetricSample {
                        time: p.time,
                        value: p.value,
                    })
                    .collect(),
            })
            .collect(),
        server_warnings: r.server_warnings.clone(),
    }
}

/// An approval set, whole (it is small).
pub fn approvals(meta: wit::ArtifactMeta, a: &m::ApprovalSet) -> wit::ApprovalSet {
    wit::ApprovalSet {
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
            .map(|r| wit::Review {
                reviewer: r.reviewer.clone(),
                state: match r.state {
                    m::ReviewState::Approved => wit::ReviewState::Approved,
                    m::ReviewState::ChangesRequested => wit::ReviewState::ChangesRequested,
                    m::ReviewState::Commented => wit::ReviewState::Commented,
                    m::ReviewState::Dismissed => wit::ReviewState::Dismissed,
                    m::ReviewState::Pending => wit::ReviewState::Pending,
                },
                submitted_at: r.submitted_at.clone(),
                commit: r.commit.clone(),
                teams: r.teams.clone(),
            })
            .collect(),
        rules: a
            .rules
            .iter()
            .map(|r| wit::ApprovalRule {
                name: r.name.clone(),
                required: r.required,
                eligible: r.eligible.clone(),
            })
            .collect(),
        change_record: a.change_record.as_ref().map(|c| wit::ChangeRecord {
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

/// A parser's warnings about an artifact (test and performance reports
/// hand them to the policy, which may surface them as findings).
pub fn warnings(w: &[m::Warning]) -> Vec<wit::ParseWarning> {
    w.iter()
        .map(|w| wit::ParseWarning {
            code: w.code.as_str().to_string(),
            message: w.message.clone(),
            location: w.location.as_ref().map(location),
        })
        .collect()
}

/// Totals of a test report, computed from its cases.
pub fn test_totals(r: &m::TestReport) -> wit::TestTotals {
    let t = r.count();
    wit::TestTotals {
        tests: t.tests,
        passed: t.passed,
        failed: t.failed,
        errored: t.errored,
        skipped: t.skipped,
        todo: t.todo,
        flaky: t.flaky,
        duration_us: t.duration_us,
    }
}

/// The suites of a test report, whole (a report has far fewer suites than
/// cases; the cases are read in batches).
pub fn test_suites(r: &m::TestReport) -> Vec<wit::TestSuite> {
    r.suites
        .iter()
        .map(|s| wit::TestSuite {
            name: s.name.clone(),
            parent: s.parent,
            file: s.file.clone(),
            duration_us: s.duration_us,
        })
        .collect()
}

/// One test case, with about how many bytes it adds to a batch.
pub fn test_case(c: &m::TestCase) -> (wit::TestCase, usize) {
    let bytes = [
        c.name.len(),
        c.classname.len(),
        c.message.as_ref().map_or(0, String::len),
        location_bytes(c.location.as_ref()),
        32,
    ]
    .into_iter()
    .fold(0usize, usize::saturating_add);
    let case = wit::TestCase {
        suite: c.suite,
        name: c.name.clone(),
        classname: c.classname.clone(),
        status: match c.status {
            m::TestStatus::Passed => wit::TestStatus::Passed,
            m::TestStatus::Skipped => wit::TestStatus::Skipped,
            m::TestStatus::Failed => wit::TestStatus::Failed,
            m::TestStatus::Errored => wit::TestStatus::Errored,
        },
        duration_us: c.duration_us,
        message: c.message.clone(),
        location: c.location.as_ref().map(location),
        retries: c.retries,
        flaky: c.flaky,
        todo: c.todo,
    };
    (case, bytes)
}

/// One performance measurement, with about how many bytes it adds to a
/// batch.
pub fn measurement(x: &m::Measurement) -> (wit::Measurement, usize) {
    let bytes = [
        x.name.len(),
        x.group.as_ref().map_or(0, String::len),
        x.parameters
            .iter()
            .map(|p| p.name.len().saturating_add(p.value.len()))
            .fold(0usize, usize::saturating_add),
        x.metric.len(),
        x.unit.len(),
        x.percentiles.len().saturating_mul(16),
        x.samples.len().saturating_mul(8),
        x.message.as_ref().map_or(0, String::len),
        // The fixed statistics.
        160,
    ]
    .into_iter()
    .fold(0usize, usize::saturating_add);
    let out = wit::Measurement {
        name: x.name.clone(),
        group: x.group.clone(),
        parameters: x
            .parameters
            .iter()
            .map(|p| wit::MeasurementParameter {
                name: p.name.clone(),
                value: p.value.clone(),
            })
            .collect(),
        metric: x.metric.clone(),
        unit: x.unit.clone(),
        n: x.n,
        iterations: x.iterations,
        value: x.value,
        mean: x.mean,
        median: x.median,
        stddev: x.stddev,
        min: x.min,
        max: x.max,
        percentiles: x
            .percentiles
            .iter()
            .map(|p| wit::Percentile {
                p: p.p,
                value: p.value,
            })
            .collect(),
        interval: x.interval.map(|i| wit::ConfidenceInterval {
            level: i.level,
            lower: i.lower,
            upper: i.upper,
        }),
        standard_error: x.standard_error,
        user: x.user,
        system: x.system,
        samples: x.samples.clone(),
        requests: x.requests,
        failures: x.failures,
        error_rate: x.error_rate,
        throughput: x.throughput,
        score: x.score,
        message: x.message.clone(),
    };
    (out, bytes)
}

/// A finding of a verdict, moved into the verdict document's compact
/// form: its repeated texts shared through `texts`.
pub fn finding(f: wit::Finding, texts: &mut crate::verdict::Interner) -> crate::verdict::Finding {
    use crate::verdict::{FindingStatus, Fingerprint, Location};
    crate::verdict::Finding {
        rule: texts.get(f.rule),
        severity: severity_back(f.severity),
        message: f.message.into_boxed_str(),
        location: f.location.map(|l| Location {
            path: texts.get(l.path),
            line: l.line,
            end_line: l.end_line,
            column: l.column,
        }),
        resource: f.resource.map(|r| texts.get(r)),
        aliases: texts.aliases(f.aliases),
        remediation: f.remediation.map(|r| texts.get(r)),
        evidence: f.evidence.map(String::into_boxed_str),
        status: match f.status {
            wit::FindingStatus::Open => FindingStatus::Open,
            wit::FindingStatus::Waived => FindingStatus::Waived,
            wit::FindingStatus::Suppressed => FindingStatus::Suppressed,
            wit::FindingStatus::Fixed => FindingStatus::Fixed,
        },
        blocking: f.blocking,
        fingerprint: Fingerprint::new(f.fingerprint),
    }
}
