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

impl Finding {
    /// A finding of `rule` about an artifact finding it judges: the
    /// artifact finding's severity, location, aliases, package (as the
    /// resource, `name@version`) and fingerprint (the host's, stable across
    /// runs and line shifts, so baselines and waivers keep matching). The
    /// message is the tool's rule id and title (its message when there is
    /// no title).
    pub fn judging(rule: &str, f: &SecurityFinding) -> Self {
        let text = if f.title.is_empty() {
            &f.message
        } else {
            &f.title
        };
        let mut out = Finding::new(rule, f.severity, format!("{}: {text}", f.rule))
            .fingerprint(f.fingerprint.clone());
        out.location = f.location.clone();
        out.aliases = f.aliases.clone();
        out.resource = f.package_ref();
        out
    }

    /// A finding of `rule` on an IaC resource: its address as the
    /// resource, where the resource is written as the location (the
    /// document itself when the parser knows no place), or `line` of the
    /// document when the rule knows a more precise one.
    pub fn on_resource(
        rule: &str,
        severity: Severity,
        message: impl Into<String>,
        meta: &ArtifactMeta,
        r: &IacResource,
        line: Option<u32>,
    ) -> Self {
        let mut out = Finding::new(rule, severity, message).resource(r.address.as_str());
        out.location = Some(match (line, &r.location) {
            (None, Some(l)) => Location {
                end_line: None,
                ..l.clone()
            },
            (line, _) => Location {
                path: meta.path.clone(),
                line,
                end_line: None,
                column: None,
            },
        });
        out
    }
}

impl SecurityFinding {
    /// The affected package as `name@version` (`name` without a version).
    pub fn package_ref(&self) -> Option<String> {
        self.package.as_ref().map(|p| match &p.version {
            Some(v) => format!("{}@{v}", p.name),
            None => p.name.clone(),
        })
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

/// What is wrong with a policy's rule catalog against its sources, for
/// the unit test every policy has (empty when nothing is): an id listed
/// twice, a rule the sources report that the catalog lacks (or the
/// reverse), a rule without a short or full description or help. The ids
/// are those [`rule_ids_in`] finds in `sources` plus `built` (ids a
/// `format!` makes):
/// `assert_eq!(catalog_problems(&rules(), &[include_str!("judge.rs")], "my/", &[]), Vec::<String>::new())`.
pub fn catalog_problems(
    catalog: &[RuleInfo],
    sources: &[&str],
    prefix: &str,
    built: &[&str],
) -> Vec<String> {
    let mut problems = Vec::new();
    let mut listed = std::collections::BTreeSet::new();
    for r in catalog {
        if !listed.insert(r.id.clone()) {
            problems.push(format!("{} is listed twice", r.id));
        }
        if r.short_description.is_empty() || r.full_description.is_empty() {
            problems.push(format!("{} has no short or full description", r.id));
        }
        if r.help.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("{} has no help", r.id));
        }
    }
    let mut named: std::collections::BTreeSet<String> =
        built.iter().map(|s| s.to_string()).collect();
    for source in sources {
        named.extend(rule_ids_in(source, prefix));
    }
    for id in named.difference(&listed) {
        problems.push(format!("{id} is reported but not in the catalog"));
    }
    for id in listed.difference(&named) {
        problems.push(format!("{id} is in the catalog but never reported"));
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn security_finding() -> SecurityFinding {
        SecurityFinding {
            tool: "grype".into(),
            rule: "CVE-2024-1".into(),
            category: FindingCategory::Vulnerability,
            severity: Severity::High,
            severity_source: "tool".into(),
            cvss: Some(7.5),
            title: "".into(),
            message: "bad things".into(),
            location: Some(Location {
                path: "Cargo.lock".into(),
                line: Some(3),
                end_line: None,
                column: None,
            }),
            package: Some(AffectedPackage {
                name: "openssl".into(),
                version: Some("1.0".into()),
                ecosystem: None,
                purl: None,
                fixed_versions: vec![],
            }),
            cwes: vec![],
            aliases: vec!["GHSA-x".into()],
            fingerprint: "fp".into(),
            suppressed: false,
        }
    }

    #[test]
    fn a_judging_finding_keeps_what_identifies_the_artifact_finding() {
        let f = Finding::judging("p/severity", &security_finding());
        assert_eq!(f.rule, "p/severity");
        assert_eq!(f.severity, Severity::High);
        assert_eq!(f.message, "CVE-2024-1: bad things");
        assert_eq!(f.fingerprint, "fp");
        assert_eq!(f.resource.as_deref(), Some("openssl@1.0"));
        assert_eq!(f.aliases, ["GHSA-x"]);
        assert_eq!(
            f.location.map(|l| (l.path, l.line)),
            Some(("Cargo.lock".into(), Some(3)))
        );
    }

    #[test]
    fn a_resource_finding_is_where_the_resource_is() {
        let meta = ArtifactMeta {
            path: "plan.json".into(),
            format: "terraform-plan".into(),
            sha256: String::new(),
            role: ArtifactRole::Current,
        };
        let mut r = IacResource {
            address: "aws_s3_bucket.logs".into(),
            resource_type: "aws_s3_bucket".into(),
            provider: "aws".into(),
            name: "logs".into(),
            namespace: None,
            action: None,
            attributes: "{}".into(),
            location: None,
        };
        let at = |f: Finding| f.location.map(|l| (l.path, l.line));
        let f = Finding::on_resource("r", Severity::Low, "m", &meta, &r, None);
        assert_eq!(f.resource.as_deref(), Some("aws_s3_bucket.logs"));
        assert_eq!(at(f), Some(("plan.json".into(), None)));
        r.location = Some(Location {
            path: "main.tf".into(),
            line: Some(4),
            end_line: Some(9),
            column: None,
        });
        assert_eq!(
            at(Finding::on_resource(
                "r",
                Severity::Low,
                "m",
                &meta,
                &r,
                None
            )),
            Some(("main.tf".into(), Some(4)))
        );
        assert_eq!(
            at(Finding::on_resource(
                "r",
                Severity::Low,
                "m",
                &meta,
                &r,
                Some(7)
            )),
            Some(("plan.json".into(), Some(7)))
        );
    }

    /// A catalog that lists a rule twice, lacks help, misses a reported
    /// rule and lists one never reported is told so, each once.
    #[test]
    fn catalog_problems_names_each_mistake() {
        let source = r#"Finding::new("my/a", ..); Finding::new("my/b", ..); format!("my/{x}")"#;
        let ok = vec![
            RuleInfo::new("my/a", Severity::High, "a")
                .full("a.")
                .help("fix a"),
            RuleInfo::new("my/b", Severity::Low, "b")
                .full("b.")
                .help("fix b"),
        ];
        assert!(catalog_problems(&ok, &[source], "my/", &[]).is_empty());
        let bad = vec![
            RuleInfo::new("my/a", Severity::High, "a").full("a."),
            RuleInfo::new("my/a", Severity::High, "a")
                .full("a.")
                .help("fix a"),
            RuleInfo::new("my/c", Severity::Low, "c")
                .full("c.")
                .help("fix c"),
        ];
        assert_eq!(
            catalog_problems(&bad, &[source], "my/", &["my/d"]),
            [
                "my/a has no help",
                "my/a is listed twice",
                "my/b is reported but not in the catalog",
                "my/d is reported but not in the catalog",
                "my/c is in the catalog but never reported",
            ]
        );
    }
}
