//! The one error type of the parsers: which file, where in it, what is wrong.

use std::fmt;

gate_codes::names! {
    /// Why an artifact could not be read: the stable code printed as
    /// `error[CODE]` (the README's table of the parsers' error codes).
    /// Codes are a contract: never rename one.
    pub enum ParseCode {
        EmptyFile = "empty-file",
        InvalidEncoding = "invalid-encoding",
        ControlCharacter = "control-character",
        InvalidJson = "invalid-json",
        TruncatedJson = "truncated-json",
        InvalidXml = "invalid-xml",
        TruncatedXml = "truncated-xml",
        InvalidYaml = "invalid-yaml",
        YamlTooDeep = "yaml-too-deep",
        YamlTooLarge = "yaml-too-large",
        UnknownFormat = "unknown-format",
        FormatMismatch = "format-mismatch",
        UnsupportedFormat = "unsupported-format",
        UnsupportedVersion = "unsupported-version",
        UnsupportedDocument = "unsupported-document",
        UnsupportedEvent = "unsupported-event",
        MissingField = "missing-field",
        InvalidField = "invalid-field",
        InvalidLcov = "invalid-lcov",
        InvalidCobertura = "invalid-cobertura",
        InvalidJacoco = "invalid-jacoco",
        InvalidClover = "invalid-clover",
        InvalidIstanbul = "invalid-istanbul",
        InvalidIstanbulSummary = "invalid-istanbul-summary",
        InvalidGoCover = "invalid-go-cover",
        InvalidCoveragepy = "invalid-coveragepy",
        InvalidSarif = "invalid-sarif",
        InvalidTrivy = "invalid-trivy",
        InvalidGrype = "invalid-grype",
        InvalidNpmAudit = "invalid-npm-audit",
        InvalidCargoAudit = "invalid-cargo-audit",
        InvalidPipAudit = "invalid-pip-audit",
        InvalidOsv = "invalid-osv",
        InvalidGitleaks = "invalid-gitleaks",
        InvalidPlan = "invalid-plan",
        InvalidTemplate = "invalid-template",
        InvalidDockerfile = "invalid-dockerfile",
        TruncatedLcov = "truncated-lcov",
        CoverageTooLarge = "coverage-too-large",
        SarifNoRuns = "sarif-no-runs",
        SarifNoResults = "sarif-no-results",
        NpmAuditError = "npm-audit-error",
        InvalidTimestamp = "invalid-timestamp",
        InvalidState = "invalid-state",
        UnknownField = "unknown-field",
        NotADiff = "not-a-diff",
        EmptyDiff = "empty-diff",
        InvalidDiff = "invalid-diff",
        TruncatedDiff = "truncated-diff",
        BaselineWithoutCurrent = "baseline-without-current",
        InvalidJunit = "invalid-junit",
        InvalidGoTest = "invalid-go-test",
        TruncatedGoTest = "truncated-go-test",
        InvalidTap = "invalid-tap",
        TruncatedTap = "truncated-tap",
        TapPlanMismatch = "tap-plan-mismatch",
        InvalidCtrf = "invalid-ctrf",
        InvalidLibtest = "invalid-libtest",
        TruncatedLibtest = "truncated-libtest",
        // performance
        InvalidHyperfine = "invalid-hyperfine",
        InvalidPytestBenchmark = "invalid-pytest-benchmark",
        InvalidGoBench = "invalid-go-bench",
        TruncatedGoBench = "truncated-go-bench",
        InvalidLocust = "invalid-locust",
        InvalidLighthouse = "invalid-lighthouse",
        LighthouseRuntimeError = "lighthouse-runtime-error",
        InvalidCriterion = "invalid-criterion",
        InvalidCsv = "invalid-csv",
        TruncatedCsv = "truncated-csv",
        InvalidMeasurement = "invalid-measurement",
        TooManyMeasurements = "too-many-measurements",
        // metrics
        InvalidPrometheus = "invalid-prometheus",
        PrometheusError = "prometheus-error",
    }
}

gate_codes::names! {
    /// A parse warning's stable code (`warning[CODE]`, the verdict's
    /// `artifacts[].warnings[].code`). Codes are a contract: never rename one.
    #[derive(PartialOrd, Ord)]
    pub enum WarningCode {
        UnmappedPath = "unmapped-path",
        TextTruncated = "text-truncated",
        InvalidSecuritySeverity = "invalid-security-severity",
        InvalidCvssScore = "invalid-cvss-score",
        CvssV4Unscored = "cvss-v4-unscored",
        LcovCounterMismatch = "lcov-counter-mismatch",
        LcovLineZero = "lcov-line-zero",
        CoberturaRateMismatch = "cobertura-rate-mismatch",
        CoveragepySummaryMismatch = "coveragepy-summary-mismatch",
        JacocoNoLineCounts = "jacoco-no-line-counts",
        DiffHunkMismatch = "diff-hunk-mismatch",
        SarifNoVersion = "sarif-no-version",
        SarifNoTool = "sarif-no-tool",
        SarifEmptyRuns = "sarif-empty-runs",
        SarifToolError = "sarif-tool-error",
        SarifExecutionFailed = "sarif-execution-failed",
        SarifBadRuleIndex = "sarif-bad-rule-index",
        SarifNoRule = "sarif-no-rule",
        SarifBadArtifactIndex = "sarif-bad-artifact-index",
        SarifAbsentResults = "sarif-absent-results",
        SarifBadFingerprint = "sarif-bad-fingerprint",
        TrivyEmptyScan = "trivy-empty-scan",
        CargoAuditWarning = "cargo-audit-warning",
        ExtraDocuments = "extra-documents",
        NotAKubernetesObject = "not-a-kubernetes-object",
        MissingName = "missing-name",
        UnsupportedConstruct = "unsupported-construct",
        UnknownInstruction = "unknown-instruction",
        SeveralChanges = "several-changes",
        UnknownAction = "unknown-action",
        DeletedUser = "deleted-user",
        ApprovalsCounterMismatch = "approvals-counter-mismatch",
        ChangeWindowInverted = "change-window-inverted",
        TestsCounterMismatch = "tests-counter-mismatch",
        DuplicateTestCase = "duplicate-test-case",
        TapBailOut = "tap-bail-out",
        LighthouseRunWarning = "lighthouse-run-warning",
        HyperfineFailedRuns = "hyperfine-failed-runs",
        PrometheusWarning = "prometheus-warning",
    }
}

/// Where in an artifact a problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// 1-based line and column.
    LineCol { line: u32, column: u32 },
    /// 1-based line only.
    Line(u32),
    /// A JSON pointer (RFC 6901) into the document, e.g. `/runs/0/results/3`.
    Pointer(String),
    /// Byte offset (XML parsers report these).
    Offset(u64),
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Position::LineCol { line, column } => write!(f, "{line}:{column}"),
            Position::Line(line) => write!(f, "{line}"),
            Position::Pointer(p) => write!(f, "{}", if p.is_empty() { "/" } else { p }),
            Position::Offset(o) => write!(f, "byte {o}"),
        }
    }
}

/// A file that could not be read as the format it claims or was forced to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}{}: {message}", position.as_ref().map(|p| format!(":{p}")).unwrap_or_default())]
pub struct ParseError {
    /// The artifact's path as given.
    pub path: String,
    pub position: Option<Position>,
    /// Lowercase, no final period.
    pub message: String,
    /// Stable kebab-case code, e.g. `invalid-json`, `unknown-format`.
    pub code: ParseCode,
}

impl ParseError {
    pub fn new(
        path: impl Into<String>,
        code: ParseCode,
        position: Option<Position>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            path: path.into(),
            position,
            message: message.into(),
            code,
        }
    }
}
