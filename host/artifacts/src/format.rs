//! Every format gate reads, and which family it belongs to.

use crate::model::ArtifactKind;

gate_codes::names! {
    /// A concrete artifact format. Names are stable: they appear in
    /// `--format`, in `gate.toml` and in the verdict.
    #[derive(PartialOrd, Ord)]
    pub enum Format {
        // coverage
        Lcov = "lcov",
        Cobertura = "cobertura",
        Jacoco = "jacoco",
        Istanbul = "istanbul",
        IstanbulSummary = "istanbul-summary",
        GoCover = "go-cover",
        Coveragepy = "coveragepy",
        Clover = "clover",
        // findings
        Sarif = "sarif",
        Trivy = "trivy",
        Grype = "grype",
        NpmAudit = "npm-audit",
        CargoAudit = "cargo-audit",
        PipAudit = "pip-audit",
        OsvScanner = "osv-scanner",
        Gitleaks = "gitleaks",
        // iac
        TerraformPlan = "terraform-plan",
        Kubernetes = "kubernetes",
        Cloudformation = "cloudformation",
        Dockerfile = "dockerfile",
        // approvals
        GithubReviews = "github-reviews",
        GithubEvent = "github-event",
        GitlabApprovals = "gitlab-approvals",
        GateApprovals = "gate-approvals",
        // tests
        Junit = "junit",
        GoTestJson = "go-test-json",
        Tap = "tap",
        Ctrf = "ctrf",
        LibtestJson = "libtest-json",
        // performance
        Hyperfine = "hyperfine",
        HyperfineCsv = "hyperfine-csv",
        PytestBenchmark = "pytest-benchmark",
        GoBench = "go-bench",
        GoBenchJson = "go-bench-json",
        LocustStats = "locust-stats",
        LocustFailures = "locust-failures",
        LocustHistory = "locust-history",
        LocustJson = "locust-json",
        Lighthouse = "lighthouse",
        Criterion = "criterion",
        // metrics
        Prometheus = "prometheus",
    }
}

impl Format {
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
            Junit | GoTestJson | Tap | Ctrf | LibtestJson => ArtifactKind::Tests,
            Hyperfine | HyperfineCsv | PytestBenchmark | GoBench | GoBenchJson | LocustStats
            | LocustFailures | LocustHistory | LocustJson | Lighthouse | Criterion => {
                ArtifactKind::Performance
            }
            Prometheus => ArtifactKind::Metrics,
        }
    }

    /// What a document of this format must show to be read as one, even when
    /// the format is forced: the markers its sniffer looks for (said in the
    /// error when they are missing).
    pub fn markers(self) -> &'static str {
        use Format::*;
        match self {
            Lcov => {
                "expected an lcov tracefile: first record `TN:` or `SF:` and an `end_of_record`"
            }
            Cobertura => {
                "expected a `<coverage>` root with `<packages>`, `<sources>` or `line-rate` (and no clover `<project>`)"
            }
            Jacoco => "expected a `<report>` root with `<sessioninfo>`, `<package>` or `<counter>`",
            Clover => "expected a `<coverage>` root with a `<project>`",
            Istanbul => "expected a coverage map whose files have `statementMap` and `s`",
            IstanbulSummary => "expected a `total` object with `lines` and `statements` counters",
            GoCover => "expected a go coverprofile starting with `mode: `",
            Coveragepy => "expected `meta.format` and a `files` object",
            Sarif => "expected a `$schema` naming sarif, or `version` 1.x/2.x with `runs`",
            Trivy => {
                "expected `SchemaVersion` with `Results` or `ArtifactName`, a `ClusterName` report, or an array of results with `Target`"
            }
            Grype => {
                "expected a `matches` array and `descriptor.name` \"grype\" (or matches with `vulnerability` and `artifact`)"
            }
            NpmAudit => {
                "expected `auditReportVersion` with a `vulnerabilities` object, or npm 6 `advisories` with `metadata`"
            }
            CargoAudit => "expected `database` and `vulnerabilities.list`",
            PipAudit => {
                "expected a `dependencies` array of packages with `name`, `version` and `vulns`"
            }
            OsvScanner => "expected `results` whose entries have `packages` and `source`",
            Gitleaks => {
                "expected an array of leaks with `RuleID` and `File` (v8) or `rule` and `offender` (v7)"
            }
            TerraformPlan => {
                "expected a string `format_version` with `terraform_version`, `planned_values` or `resource_changes`"
            }
            Kubernetes => "expected top-level `apiVersion` and `kind`",
            Cloudformation => {
                "expected `AWSTemplateFormatVersion` or `Resources` with typed entries (`AWS::…`)"
            }
            Dockerfile => {
                "expected the first line to be a dockerfile instruction (`FROM`, `ARG`, …)"
            }
            GithubReviews => {
                "expected pull request reviews (`state`, `user`, `pull_request_url` or `submitted_at` and `commit_id`), a requested-reviewers object, environments or branch protection"
            }
            GithubEvent => {
                "expected a github webhook payload (`sender` and `repository`, or `action` and one of them)"
            }
            GitlabApprovals => {
                "expected a gitlab merge request approvals, approval state, approval rule(s), project approval settings, merge request, deployment or webhook document"
            }
            GateApprovals => "expected `kind` \"gate.approvals/…\"",
            Junit => "expected a `<testsuites>` or `<testsuite>` root",
            GoTestJson => {
                "expected `go test -json` events: json lines with `Action` and `Package` (or `ImportPath`)"
            }
            Tap => "expected `TAP version 13`/`14`, a plan `1..N` or `ok`/`not ok` test points",
            Ctrf => "expected `results` with `tool` and `tests` (ctrf)",
            LibtestJson => {
                "expected libtest json lines: `type` \"suite\" or \"test\" with an `event`"
            }
            Hyperfine => "expected a `results` array of runs with `command` and `mean`",
            HyperfineCsv => {
                "expected a csv header starting `command,mean,stddev,median,user,system,min,max`"
            }
            PytestBenchmark => "expected `machine_info` and a `benchmarks` array",
            GoBench => {
                "expected go benchmark output: a `goos:`/`pkg:` header or a `BenchmarkName-N  iterations  value unit` line"
            }
            GoBenchJson => {
                "expected a `go test -json` stream (one event per line) whose output has a `goos:`/`pkg:` benchmark header"
            }
            LocustStats => "expected a csv header starting `Type,Name,Request Count,Failure Count`",
            LocustFailures => "expected a csv header starting `Method,Name,Error,Occurrences`",
            LocustHistory => "expected a csv header starting `Timestamp,User Count,Type,Name`",
            LocustJson => {
                "expected an array of request stats with `name`, `method`, `num_requests` and `response_times`"
            }
            Lighthouse => "expected `lighthouseVersion` with `categories` or `audits`",
            Criterion => {
                "expected criterion estimates: `mean`, `median` and `std_dev` with `point_estimate`"
            }
            Prometheus => {
                "expected a prometheus query response: `status` \"success\" with `data.resultType`, or \"error\" with `errorType`"
            }
        }
    }

    /// Whether `v`, which carries no format's markers, is a complete empty
    /// report of this format, so forcing the format is the way to read it:
    /// `[]` (a clean scan, a pull request without reviews) or, for gitleaks,
    /// the `null` it writes when it finds nothing.
    pub fn is_empty_report(self, v: &serde_json::Value) -> bool {
        use Format::*;
        match v {
            serde_json::Value::Array(a) if a.is_empty() => {
                matches!(
                    self,
                    Gitleaks | GithubReviews | PipAudit | Trivy | LocustJson
                )
            }
            serde_json::Value::Null => self == Gitleaks,
            _ => false,
        }
    }

    /// Whether the format is a JSON document (YAML-capable formats say no).
    pub fn is_json(self) -> bool {
        use Format::*;
        !matches!(
            self,
            Lcov | Cobertura
                | Jacoco
                | GoCover
                | Clover
                | Kubernetes
                | Cloudformation
                | Dockerfile
                | Junit
                | GoTestJson
                | Tap
                | LibtestJson
                | HyperfineCsv
                | GoBench
                | GoBenchJson
                | LocustStats
                | LocustFailures
                | LocustHistory
        )
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::from_name(s)
            .ok_or_else(|| format!("unknown format `{s}` (known: {})", Format::NAMES.join(", ")))
    }
}
