//! Normalized models (gate-artifacts) → the WIT types a policy receives.
//! One-to-one; the only transformation is IaC attributes to JSON text.

use super::bindings::types as wit;
use gate_artifacts as m;

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

/// The contract's kind; `None` for a kind the parsers read but the
/// contract cannot carry yet (test results: no policy can consume them).
/// The WIT kind of a model kind; `None` for a kind the contract has no
/// type for yet (performance: parsed, never handed to a policy).
pub fn kind(k: m::ArtifactKind) -> Option<wit::ArtifactKind> {
    Some(match k {
        m::ArtifactKind::Coverage => wit::ArtifactKind::Coverage,
        m::ArtifactKind::Findings => wit::ArtifactKind::Findings,
        m::ArtifactKind::Iac => wit::ArtifactKind::Iac,
        m::ArtifactKind::Approvals => wit::ArtifactKind::Approvals,
        m::ArtifactKind::Raw => wit::ArtifactKind::Raw,
        m::ArtifactKind::Tests => return None,
        m::ArtifactKind::Performance => return None,
    })
}

pub fn kind_back(k: wit::ArtifactKind) -> m::ArtifactKind {
    match k {
        wit::ArtifactKind::Coverage => m::ArtifactKind::Coverage,
        wit::ArtifactKind::Findings => m::ArtifactKind::Findings,
        wit::ArtifactKind::Iac => m::ArtifactKind::Iac,
        wit::ArtifactKind::Approvals => m::ArtifactKind::Approvals,
        wit::ArtifactKind::Raw => m::ArtifactKind::Raw,
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

pub fn coverage(meta: wit::ArtifactMeta, r: &m::CoverageReport) -> wit::CoverageReport {
    let t = r.totals();
    wit::CoverageReport {
        meta,
        totals: wit::CoverageTotals {
            lines: counter(t.lines),
            branches: counter(t.branches),
            functions: counter(t.functions),
            statements: t.statements.map(counter),
        },
        files: r
            .files
            .iter()
            .map(|f| wit::CoverageFile {
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
            })
            .collect(),
    }
}

pub fn findings(meta: wit::ArtifactMeta, r: &m::FindingsReport) -> wit::FindingsReport {
    wit::FindingsReport {
        meta,
        findings: r
            .findings
            .iter()
            .map(|f| wit::SecurityFinding {
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
            })
            .collect(),
    }
}

pub fn iac(meta: wit::ArtifactMeta, r: &m::IacReport) -> wit::IacReport {
    wit::IacReport {
        meta,
        resources: r
            .resources
            .iter()
            .map(|res| wit::IacResource {
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
                attributes: res.attributes.json().to_owned(),
                location: res.location.as_ref().map(location),
            })
            .collect(),
    }
}

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
