//! Every format gate reads, and which family it belongs to.

use crate::model::ArtifactKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A concrete artifact format. Names are stable: they appear in `--format`,
/// in `gate.toml` and in the verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    // coverage
    Lcov,
    Cobertura,
    Jacoco,
    Istanbul,
    IstanbulSummary,
    GoCover,
    Coveragepy,
    Clover,
    // findings
    Sarif,
    Trivy,
    Grype,
    NpmAudit,
    CargoAudit,
    PipAudit,
    OsvScanner,
    Gitleaks,
    // iac
    TerraformPlan,
    Kubernetes,
    Cloudformation,
    Dockerfile,
    // approvals
    GithubReviews,
    GithubEvent,
    GitlabApprovals,
    GateApprovals,
}

impl Format {
    pub const ALL: [Format; 24] = [
        Format::Lcov,
        Format::Cobertura,
        Format::Jacoco,
        Format::Istanbul,
        Format::IstanbulSummary,
        Format::GoCover,
        Format::Coveragepy,
        Format::Clover,
        Format::Sarif,
        Format::Trivy,
        Format::Grype,
        Format::NpmAudit,
        Format::CargoAudit,
        Format::PipAudit,
        Format::OsvScanner,
        Format::Gitleaks,
        Format::TerraformPlan,
        Format::Kubernetes,
        Format::Cloudformation,
        Format::Dockerfile,
        Format::GithubReviews,
        Format::GithubEvent,
        Format::GitlabApprovals,
        Format::GateApprovals,
    ];

    pub fn kind(self) -> ArtifactKind {
        use Format::*;
        match self {
            Lcov | Cobertura | Jacoco | Istanbul | IstanbulSummary | GoCover | Coveragepy
            | Clover => ArtifactKind::Coverage,
            Sarif | Trivy | Grype | NpmAudit | CargoAudit | PipAudit | OsvScanner | Gitleaks => {
                ArtifactKind::Findings
            }
            TerraformPlan | Kubernetes | Cloudformation | Dockerfile => ArtifactKind::Iac,
            GithubReviews | GithubEvent | GitlabApprovals | GateApprovals => {
                ArtifactKind::Approvals
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        use Format::*;
        match self {
            Lcov => "lcov",
            Cobertura => "cobertura",
            Jacoco => "jacoco",
            Istanbul => "istanbul",
            IstanbulSummary => "istanbul-summary",
            GoCover => "go-cover",
            Coveragepy => "coveragepy",
            Clover => "clover",
            Sarif => "sarif",
            Trivy => "trivy",
            Grype => "grype",
            NpmAudit => "npm-audit",
            CargoAudit => "cargo-audit",
            PipAudit => "pip-audit",
            OsvScanner => "osv-scanner",
            Gitleaks => "gitleaks",
            TerraformPlan => "terraform-plan",
            Kubernetes => "kubernetes",
            Cloudformation => "cloudformation",
            Dockerfile => "dockerfile",
            GithubReviews => "github-reviews",
            GithubEvent => "github-event",
            GitlabApprovals => "gitlab-approvals",
            GateApprovals => "gate-approvals",
        }
    }

    /// Whether the format is a JSON document (YAML-capable formats say no).
    pub fn is_json(self) -> bool {
        use Format::*;
        !matches!(
            self,
            Lcov | Cobertura | Jacoco | GoCover | Clover | Kubernetes | Cloudformation | Dockerfile
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown format `{s}` (known: {})", names.join(", "))
            })
    }
}
