//! Constructors and small conveniences over the generated WIT types.

use crate::bindings::gate::policy::types::*;

impl Severity {
    /// Every severity, most severe first.
    pub const ALL_DESC: &'static [Severity] = &[
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
        Severity::Unknown,
    ];

    /// Rank for ordering: unknown ranks as given by `unknown_as`.
    pub fn rank(self, unknown_as: Severity) -> u8 {
        match self {
            Severity::Unknown if unknown_as != Severity::Unknown => {
                unknown_as.rank(Severity::Unknown)
            }
            Severity::Unknown => 0,
            Severity::Info => 1,
            Severity::Low => 2,
            Severity::Medium => 3,
            Severity::High => 4,
            Severity::Critical => 5,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Unknown => "unknown",
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses `critical|high|medium|low|info|unknown` (case-insensitive).
    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            "unknown" => Severity::Unknown,
            _ => return None,
        })
    }
}

impl PolicyInfo {
    pub fn new(name: &str, version: &str, description: &str) -> Self {
        PolicyInfo {
            name: name.to_string(),
            version: version.to_string(),
            description: description.to_string(),
            consumes: Vec::new(),
            params_schema: r#"{"type":"object"}"#.to_string(),
            rules: Vec::new(),
        }
    }

    /// Adds a rule to the catalog.
    pub fn rule(mut self, rule: RuleInfo) -> Self {
        self.rules.push(rule);
        self
    }

    /// Adds rules to the catalog.
    pub fn rules(mut self, rules: impl IntoIterator<Item = RuleInfo>) -> Self {
        self.rules.extend(rules);
        self
    }

    pub fn consumes(mut self, kinds: &[ArtifactKind]) -> Self {
        self.consumes = kinds.to_vec();
        self
    }

    pub fn params_schema(mut self, schema: &str) -> Self {
        self.params_schema = schema.to_string();
        self
    }
}

impl RuleInfo {
    /// A catalog entry; the full description starts as the short one.
    pub fn new(id: &str, default_severity: Severity, short_description: &str) -> Self {
        RuleInfo {
            id: id.to_string(),
            default_severity,
            short_description: short_description.to_string(),
            full_description: short_description.to_string(),
            help: None,
            help_uri: None,
            tags: Vec::new(),
        }
    }

    pub fn full(mut self, text: impl Into<String>) -> Self {
        self.full_description = text.into();
        self
    }

    pub fn help(mut self, text: impl Into<String>) -> Self {
        self.help = Some(text.into());
        self
    }

    pub fn help_uri(mut self, uri: impl Into<String>) -> Self {
        self.help_uri = Some(uri.into());
        self
    }

    pub fn tags<S: AsRef<str>>(mut self, tags: impl IntoIterator<Item = S>) -> Self {
        self.tags
            .extend(tags.into_iter().map(|t| t.as_ref().to_string()));
        self
    }
}

impl Finding {
    /// An open finding without location.
    pub fn new(rule: &str, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            rule: rule.to_string(),
            severity,
            message: message.into(),
            location: None,
            resource: None,
            aliases: Vec::new(),
            remediation: None,
            evidence: None,
            status: FindingStatus::Open,
            blocking: false,
            fingerprint: String::new(),
        }
    }

    /// The finding's fingerprint; left empty, `export!` computes one (see
    /// [`crate::fingerprint`]).
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> Self {
        self.fingerprint = fingerprint.into();
        self
    }

    pub fn at(mut self, path: &str, line: Option<u32>) -> Self {
        self.location = Some(Location {
            path: path.to_string(),
            line,
            end_line: None,
            column: None,
        });
        self
    }

    pub fn remediation(mut self, text: impl Into<String>) -> Self {
        self.remediation = Some(text.into());
        self
    }

    pub fn evidence(mut self, text: impl Into<String>) -> Self {
        self.evidence = Some(text.into());
        self
    }

    pub fn resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Marks the finding as a reason for the policy's failing outcome.
    pub fn blocking(mut self, blocking: bool) -> Self {
        self.blocking = blocking;
        self
    }

    pub fn aliases(mut self, aliases: Vec<String>) -> Self {
        self.aliases = aliases;
        self
    }

    pub fn status(mut self, status: FindingStatus) -> Self {
        self.status = status;
        self
    }
}

impl Metric {
    pub fn new(name: &str, value: f64) -> Self {
        Metric {
            name: name.to_string(),
            value,
            unit: None,
            threshold: None,
            comparator: None,
        }
    }

    pub fn unit(mut self, unit: &str) -> Self {
        self.unit = Some(unit.to_string());
        self
    }

    /// The condition `value <comparator> threshold` this metric was held to.
    pub fn condition(mut self, comparator: Comparator, threshold: f64) -> Self {
        self.comparator = Some(comparator);
        self.threshold = Some(threshold);
        self
    }

    /// Whether the metric meets its condition (true when it has none).
    pub fn holds(&self) -> bool {
        match (self.comparator, self.threshold) {
            (Some(c), Some(t)) => c.holds(self.value, t),
            _ => true,
        }
    }
}

impl Comparator {
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Ge => value >= threshold,
            Comparator::Gt => value > threshold,
            Comparator::Le => value <= threshold,
            Comparator::Lt => value < threshold,
            Comparator::Eq => value == threshold,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => ">=",
            Comparator::Gt => ">",
            Comparator::Le => "<=",
            Comparator::Lt => "<",
            Comparator::Eq => "==",
        }
    }
}

impl Verdict {
    pub fn new(outcome: Outcome, summary: impl Into<String>) -> Self {
        Verdict {
            outcome,
            summary: summary.into(),
            findings: Vec::new(),
            metrics: Vec::new(),
        }
    }

    pub fn pass(summary: impl Into<String>) -> Self {
        Self::new(Outcome::Pass, summary)
    }

    pub fn skip(summary: impl Into<String>) -> Self {
        Self::new(Outcome::Skip, summary)
    }
}

impl Counter {
    /// Percentage covered; `None` when nothing is coverable.
    pub fn percent(&self) -> Option<f64> {
        (self.total > 0).then(|| self.covered as f64 * 100.0 / self.total as f64)
    }
}

/// The rule ids a policy's source code names: every string literal that
/// starts with `prefix` and is a plain id (ASCII letters, digits and
/// `-_/.:`, so neither a `format!` template nor a glob). For a test that a catalog lists every rule a policy reports:
/// `assert_eq!(rule_ids_in(include_str!("judge.rs"), "my/"), ...)`.
pub fn rule_ids_in(source: &str, prefix: &str) -> std::collections::BTreeSet<String> {
    let needle = format!("\"{prefix}");
    let mut out = std::collections::BTreeSet::new();
    let mut rest = source;
    while let Some(i) = rest.find(&needle) {
        let after = rest.get(i + 1..).unwrap_or("");
        let Some(end) = after.find('"') else { break };
        let id = after.get(..end).unwrap_or("");
        let plain = id.len() > prefix.len()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_/.:".contains(c));
        if plain {
            out.insert(id.to_string());
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out
}
