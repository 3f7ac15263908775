//! Runs the rules over the request's IaC reports: rule selection, severity
//! overrides, in-artifact suppressions, blocking and the verdict.

use crate::attrs::Attrs;
use crate::rules::{self, Hit, Out, Rule, cloudformation, dockerfile, kubernetes, terraform_aws};
use gate_sdk::threshold;
use gate_sdk::*;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Which rules run.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleSelection {
    /// Run only these rules (default: all)
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub enable: Vec<String>,
    /// Never run these rules
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub disable: Vec<String>,
}

/// The params; their JSON Schema is derived from this struct
/// (`gate_sdk::params::schema`), doc comments as descriptions.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Params {
    #[serde(default)]
    pub rules: RuleSelection,
    /// Same as rules.disable
    #[serde(default)]
    #[schemars(schema_with = "selectors")]
    pub skip_rules: Vec<String>,
    /// Severity override per rule selector
    #[serde(default)]
    #[schemars(schema_with = "severity_map")]
    pub severity: BTreeMap<String, String>,
    /// Tag keys every taggable AWS/Azure/GCP resource must carry (enables iac/required-tags)
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub required_tags: Vec<String>,
    /// Registry prefixes images may come from, e.g. ghcr.io/acme, docker.io/library (enables iac/k8s-image-registry and iac/docker-image-registry)
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub allowed_registries: Vec<String>,
    /// Resource address globs never judged (module.legacy.*, Deployment/kube-system/*)
    #[serde(default)]
    #[schemars(inner(length(min = 1)))]
    pub skip_resources: Vec<String>,
    /// Open findings at or above this severity block (fail); lower ones only warn
    #[schemars(extend("enum" = params::FAIL_ON, "default" = "high"))]
    pub fail_on: Option<String>,
    /// Honour suppressions written in the artifacts (gate.io/skip-*, checkov.io/skip* annotations, Metadata.checkov.skip / Metadata.gate.skip)
    #[schemars(extend("default" = true))]
    pub suppressions: Option<bool>,
}

/// `severity`: a severity name per rule selector.
fn severity_map(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "propertyNames": {"minLength": 1},
        "additionalProperties": {"enum": params::SEVERITIES},
    })
}

/// A list of rule selectors.
fn selectors(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": "array",
        "items": {"type": "string", "minLength": 1},
        "description": "Rule ids (iac/aws-s3-versioning), ids without the iac/ prefix, checkov ids (CKV_AWS_21) or globs (iac/k8s-*)",
    })
}

/// Whether a selector names a rule.
fn selects(pattern: &str, rule: &Rule) -> bool {
    let p = pattern.trim();
    p.eq_ignore_ascii_case(rule.id)
        || p.eq_ignore_ascii_case(rule.short())
        || rule.aliases.iter().any(|a| a.eq_ignore_ascii_case(p))
        || glob::matches(p, rule.id)
        || glob::matches(p, rule.short())
}

/// A rule as configured for this run.
struct Configured {
    active: bool,
    severity: Severity,
}

/// The param a rule needs to run, if any (it is off without it).
fn needs(r: &Rule, p: &Params) -> Option<&'static str> {
    if r.id == terraform_aws::REQUIRED_TAGS.id && p.required_tags.is_empty() {
        Some("required-tags")
    } else if r.id.ends_with("-image-registry") && p.allowed_registries.is_empty() {
        Some("allowed-registries")
    } else {
        None
    }
}

/// Every selector must select a rule: a typo in `rules.enable` would run
/// nothing and pass, one in `disable` or `severity` would quietly keep a
/// rule as it was. A selector in `enable` must also select a rule that can
/// run (not only rules switched off for want of their param), and the
/// selection as a whole must leave a rule to run.
fn validate(p: &Params) -> Result<(), PolicyError> {
    let hint = "selectors are rule ids (iac/aws-s3-versioning), ids without iac/ (k8s-privileged), checkov ids (CKV_AWS_21) or globs (iac/k8s-*); the catalogue is docs/iac-rules.md";
    let lists = [
        (params::pointer(["rules", "enable"]), &p.rules.enable),
        (params::pointer(["rules", "disable"]), &p.rules.disable),
        (params::pointer(["skip-rules"]), &p.skip_rules),
    ];
    for (at, selectors) in lists {
        for (i, s) in selectors.iter().enumerate() {
            let at = format!("{at}/{i}");
            let chosen: Vec<&Rule> = rules::all().into_iter().filter(|r| selects(s, r)).collect();
            if chosen.is_empty() {
                return Err(params::invalid(
                    &at,
                    format!("`{s}` selects no rule; {hint}"),
                ));
            }
            if at.starts_with("/rules/enable") && chosen.iter().all(|r| needs(r, p).is_some()) {
                let wanted: Vec<&str> = chosen.iter().filter_map(|r| needs(r, p)).collect();
                return Err(params::invalid(
                    &at,
                    format!(
                        "`{s}` selects only rules that are off without `{}`; set it",
                        wanted.first().copied().unwrap_or("their param")
                    ),
                ));
            }
        }
    }
    for sel in p.severity.keys() {
        if !rules::all().iter().any(|r| selects(sel, r)) {
            return Err(params::invalid(
                &params::pointer(["severity", sel.as_str()]),
                format!("`{sel}` selects no rule; {hint}"),
            ));
        }
    }
    Ok(())
}

fn configure(p: &Params) -> Result<BTreeMap<&'static str, Configured>, PolicyError> {
    validate(p)?;
    let mut map = BTreeMap::new();
    for r in rules::all() {
        let mut active = p.rules.enable.is_empty() || p.rules.enable.iter().any(|s| selects(s, r));
        if p.rules
            .disable
            .iter()
            .chain(&p.skip_rules)
            .any(|s| selects(s, r))
        {
            active = false;
        }
        // Rules that need a param are off without it.
        if needs(r, p).is_some() {
            active = false;
        }
        let mut sev = r.severity;
        for (sel, s) in &p.severity {
            if selects(sel, r) {
                sev = threshold::severity(&params::pointer(["severity", sel.as_str()]), s)?;
            }
        }
        map.insert(
            r.id,
            Configured {
                active,
                severity: sev,
            },
        );
    }
    Ok(map)
}

/// A suppression written in an artifact: (rule selector, reason, source).
struct Suppression {
    selector: String,
    reason: String,
    source: String,
}

impl Suppression {
    fn matches(&self, rule: &Rule) -> bool {
        selects(&self.selector, rule)
    }
}

/// Kubernetes: `gate.io/skip-<rule>` and `checkov.io/skip*: CKV_K8S_20=reason`
/// annotations on the object.
fn k8s_suppressions(a: &Value) -> Vec<Suppression> {
    let mut out = Vec::new();
    let Some(ann) = a
        .get("metadata")
        .and_then(|m| m.get("annotations"))
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (k, v) in ann {
        let text = v.as_str().unwrap_or("");
        if let Some(rule) = k.strip_prefix("gate.io/skip-") {
            out.push(Suppression {
                selector: rule.to_string(),
                reason: text.to_string(),
                source: format!("annotation {k}"),
            });
        } else if k.starts_with("checkov.io/skip") {
            let (id, reason) = text.split_once('=').unwrap_or((text, ""));
            out.push(Suppression {
                selector: id.trim().to_string(),
                reason: reason.trim().to_string(),
                source: format!("annotation {k}"),
            });
        }
    }
    out
}

/// CloudFormation: `Metadata.checkov.skip: [{id, comment}]` and
/// `Metadata.gate.skip: [{id, reason}]`.
fn cfn_suppressions(a: &Value) -> Vec<Suppression> {
    let mut out = Vec::new();
    for tool in ["checkov", "gate"] {
        let list = a
            .get("Metadata")
            .and_then(|m| m.get(tool))
            .and_then(|m| m.get("skip"));
        for s in rules::items(list) {
            let Some(id) = s.get("id").and_then(Value::as_str) else {
                continue;
            };
            let reason = s
                .get("comment")
                .or_else(|| s.get("reason"))
                .and_then(Value::as_str)
                .unwrap_or("");
            out.push(Suppression {
                selector: id.to_string(),
                reason: reason.to_string(),
                source: format!("Metadata.{tool}.skip"),
            });
        }
    }
    out
}

/// Whether a plan resource is judged: managed resources being created,
/// updated or replaced (or planned-values-only entries without an action).
fn judged(r: &IacResource) -> bool {
    let data = r.address.starts_with("data.") || r.address.contains(".data.");
    !data
        && matches!(
            r.action,
            None | Some(PlannedAction::Create | PlannedAction::Update | PlannedAction::Replace)
        )
}

/// Everything one evaluation accumulates.
struct Run<'p> {
    params: &'p Params,
    config: BTreeMap<&'static str, Configured>,
    fail_on: Option<Severity>,
    resources: u64,
    flagged: u64,
    blocking: u64,
    suppressed: u64,
    open: BTreeMap<Severity, u64>,
    /// Per `skip-resources` entry: whether it skipped anything.
    skip_used: Vec<bool>,
    /// Resources `skip-resources` kept from being judged.
    skipped: u64,
}

impl Run<'_> {
    fn skip_resource(&mut self, address: &str) -> bool {
        let mut skipped = false;
        for (g, used) in self.params.skip_resources.iter().zip(&mut self.skip_used) {
            if glob::matches(g, address) || g == address {
                *used = true;
                skipped = true;
            }
        }
        if skipped {
            self.skipped = self.skipped.saturating_add(1);
        }
        skipped
    }

    fn emit(&mut self, meta: &ArtifactMeta, r: &IacResource, hits: Vec<Hit>, sup: &[Suppression]) {
        self.resources += 1;
        let mut any = false;
        for h in hits {
            let Some(cfg) = self.config.get(h.rule.id) else {
                continue;
            };
            if !cfg.active {
                continue;
            }
            let sev = cfg.severity;
            let mut f = Finding::on_resource(h.rule.id, sev, h.message, meta, r, h.line)
                .aliases(h.rule.aliases.iter().map(|a| a.to_string()).collect())
                .remediation(h.rule.remediation);
            let honour = self.params.suppressions.unwrap_or(true);
            if let Some(s) = sup.iter().find(|s| honour && s.matches(h.rule)) {
                f.status = FindingStatus::Suppressed;
                let reason = if s.reason.is_empty() {
                    "no reason given"
                } else {
                    &s.reason
                };
                f.evidence = Some(format!("suppressed by {}: {reason}", s.source));
                self.suppressed += 1;
            } else {
                f.evidence = h.evidence;
                any = true;
                *self.open.entry(sev).or_default() += 1;
                if threshold::reaches(sev, self.fail_on, Severity::High) {
                    f.blocking = true;
                    self.blocking += 1;
                }
            }
            // Straight to the host: a plan's findings never pile up here.
            gate_sdk::emit(f);
        }
        if any {
            self.flagged += 1;
        }
    }
}

/// Evaluates the IaC reports.
pub fn evaluate(reports: &[&IacReport], p: &Params) -> Result<Verdict, PolicyError> {
    let fail_on = threshold::fail_on("/fail-on", p.fail_on.as_deref(), "high")?;
    let config = configure(p)?;
    let active_rules = config.values().filter(|c| c.active).count();
    if active_rules == 0 {
        return Err(params::invalid(
            "/rules",
            "rules.enable, rules.disable and skip-rules leave no rule to run",
        ));
    }
    let mut run = Run {
        params: p,
        config,
        fail_on,
        resources: 0,
        flagged: 0,
        blocking: 0,
        suppressed: 0,
        open: BTreeMap::new(),
        skip_used: vec![false; p.skip_resources.len()],
        skipped: 0,
    };
    if reports.is_empty() {
        return Ok(Verdict::skip(
            "no infrastructure-as-code artifacts to check",
        ));
    }
    for report in reports {
        match report.meta.format.as_str() {
            "terraform-plan" => terraform(&mut run, report),
            "kubernetes" => k8s(&mut run, report),
            "cloudformation" => cfn(&mut run, report),
            "dockerfile" => docker(&mut run, report),
            other => {
                return Err(PolicyError::UnsupportedInput(format!(
                    "{}: iac format `{other}` has no rules here",
                    report.meta.path
                )));
            }
        }
    }
    // Skipping every resource there was leaves nothing judged: that is no
    // pass (coverage treats include/exclude that select no file the same).
    if run.resources == 0 && run.skipped > 0 {
        return Err(PolicyError::UnsupportedInput(format!(
            "skip-resources skipped all {} of the artifacts: nothing was judged",
            gate_codes::wording::count(run.skipped, "resource", "resources")
        )));
    }
    // A skip-resources entry that skipped nothing is a warning: the
    // resource may simply not be in this run's artifacts, but a typo would
    // otherwise go unseen (and the resource be judged after all).
    let mut unused_skips = Vec::new();
    for (g, used) in p.skip_resources.iter().zip(&run.skip_used) {
        if !used {
            unused_skips.push(
                Finding::new(
                    "iac/skip-resources-unused",
                    Severity::Info,
                    format!("skip-resources entry `{g}` matches no resource of the artifacts"),
                )
                .remediation("fix the address glob (e.g. module.legacy.*, Deployment/kube-system/*) or remove it"),
            );
        }
    }
    let open_total: u64 = run.open.values().sum();
    let outcome = if run.blocking > 0 {
        Outcome::Fail
    } else if open_total > 0 || !unused_skips.is_empty() {
        Outcome::Warn
    } else {
        Outcome::Pass
    };
    let threshold = fail_on.map_or("none".to_string(), |s| s.as_str().to_string());
    let mut v = Verdict::new(
        outcome,
        format!(
            "{} on {} of {}, {} blocking (fail-on {threshold}){}",
            gate_codes::wording::count(open_total, "open finding", "open findings"),
            run.flagged,
            gate_codes::wording::count(run.resources, "resource", "resources"),
            run.blocking,
            if run.suppressed > 0 {
                format!(", {} suppressed", run.suppressed)
            } else {
                String::new()
            }
        ),
    );
    if !unused_skips.is_empty() {
        v.summary.push_str(&format!(
            "; {} unused skip-resources entr(ies)",
            unused_skips.len()
        ));
    }
    // After the findings emitted while judging.
    v.findings = unused_skips;
    v.metrics
        .push(Metric::new("resources", run.resources as f64).unit("count"));
    v.metrics
        .push(Metric::new("resources-flagged", run.flagged as f64).unit("count"));
    v.metrics
        .push(Metric::new("rules-active", active_rules as f64).unit("count"));
    for s in Severity::ALL_DESC {
        v.metrics.push(
            Metric::new(
                &format!("open-{}", s.as_str()),
                *run.open.get(s).unwrap_or(&0) as f64,
            )
            .unit("count"),
        );
    }
    v.metrics
        .push(Metric::new("suppressed", run.suppressed as f64).unit("count"));
    v.metrics.push(
        Metric::new("blocking", run.blocking as f64)
            .unit("count")
            .condition(Comparator::Eq, 0.0),
    );
    Ok(v)
}

fn parse(attrs: &str) -> Value {
    serde_json::from_str(attrs).unwrap_or(Value::Null)
}

fn terraform(run: &mut Run, report: &IacReport) {
    let mut idx = terraform_aws::PlanIndex::default();
    // Two passes over the stream: the bucket index, then the judging; the
    // first only for the rules that read the index.
    let indexed = terraform_aws::INDEXED
        .iter()
        .any(|r| run.config.get(r.id).is_some_and(|c| c.active));
    if indexed {
        for r in report.resources.iter() {
            if r.resource_type.starts_with("aws_s3_bucket_")
                && r.action != Some(PlannedAction::Delete)
                && !r.address.starts_with("data.")
            {
                idx.add(&r.address, &r.resource_type, &Attrs::new(&r.attributes));
            }
        }
    }
    let required = &run.params.required_tags;
    for r in report.resources.iter() {
        let r = &r;
        if !judged(r) || run.skip_resource(&r.address) {
            continue;
        }
        // Only the fields the rules read are parsed (crate::attrs).
        let a = Attrs::new(&r.attributes);
        let mut out = Out::default();
        let t = r.resource_type.as_str();
        if t.starts_with("aws_") {
            terraform_aws::check(&r.address, t, &a, &idx, &mut out);
        } else if t.starts_with("azurerm_") || t.starts_with("google_") {
            rules::terraform_azure_gcp::check(&r.address, t, &a, &mut out);
        }
        if !required.is_empty()
            && (t.starts_with("aws_") || t.starts_with("azurerm_") || t.starts_with("google_"))
            && let Some(have) = terraform_aws::tf_tags(&a)
        {
            terraform_aws::required_tags(&r.address, &have, required, &mut out);
        }
        run.emit(&report.meta, r, out.hits, &[]);
    }
}

fn k8s(run: &mut Run, report: &IacReport) {
    let allowed = run.params.allowed_registries.clone();
    let kp = kubernetes::K8sParams {
        allowed_registries: &allowed,
    };
    for r in report.resources.iter() {
        let r = &r;
        if run.skip_resource(&r.address) {
            continue;
        }
        let a = parse(&r.attributes);
        let mut out = Out::default();
        kubernetes::check(&r.address, &r.resource_type, &a, &kp, &mut out);
        let sup = k8s_suppressions(&a);
        run.emit(&report.meta, r, out.hits, &sup);
    }
}

fn cfn(run: &mut Run, report: &IacReport) {
    for r in report.resources.iter() {
        let r = &r;
        if run.skip_resource(&r.address) {
            continue;
        }
        let a = parse(&r.attributes);
        let mut out = Out::default();
        cloudformation::check(&r.address, &r.resource_type, &a, &mut out);
        if !run.params.required_tags.is_empty()
            && let Some(have) = cloudformation::tags(&r.resource_type, &a)
        {
            terraform_aws::required_tags(&r.address, &have, &run.params.required_tags, &mut out);
        }
        let sup = cfn_suppressions(&a);
        run.emit(&report.meta, r, out.hits, &sup);
    }
}

fn docker(run: &mut Run, report: &IacReport) {
    // A Dockerfile's stages refer to each other, and there are few: held
    // whole.
    let resources = report.resources.to_vec();
    let parsed: Vec<Value> = resources.iter().map(|r| parse(&r.attributes)).collect();
    let stages: Vec<dockerfile::Stage> = resources
        .iter()
        .zip(&parsed)
        .map(|(r, a)| (r.name.as_str(), a))
        .collect();
    let allowed = run.params.allowed_registries.clone();
    for (i, r) in resources.iter().enumerate() {
        if run.skip_resource(&r.address) {
            continue;
        }
        let mut out = Out::default();
        dockerfile::check(&stages, i, &allowed, &mut out);
        run.emit(&report.meta, r, out.hits, &[]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(format: &str) -> ArtifactMeta {
        ArtifactMeta {
            path: "x".into(),
            format: format.into(),
            sha256: String::new(),
            role: ArtifactRole::Current,
        }
    }

    fn res(address: &str, kind: &str, action: Option<PlannedAction>, attrs: &str) -> IacResource {
        IacResource {
            address: address.into(),
            resource_type: kind.into(),
            provider: String::new(),
            name: address.into(),
            namespace: None,
            action,
            attributes: attrs.into(),
            location: Some(Location {
                path: "x".into(),
                line: Some(3),
                end_line: None,
                column: None,
            }),
        }
    }

    #[test]
    fn plan_actions_selection_and_overrides() {
        let report = IacReport {
            meta: meta("terraform-plan"),
            resources: vec![
                res(
                    "aws_db_instance.a",
                    "aws_db_instance",
                    Some(PlannedAction::Create),
                    r#"{"publicly_accessible": true, "storage_encrypted": true, "deletion_protection": true}"#,
                ),
                res(
                    "aws_db_instance.b",
                    "aws_db_instance",
                    Some(PlannedAction::Delete),
                    r#"{"publicly_accessible": true}"#,
                ),
                res(
                    "data.aws_db_instance.c",
                    "aws_db_instance",
                    Some(PlannedAction::Read),
                    r#"{"publicly_accessible": true}"#,
                ),
            ].into(),
        };
        let v = evaluate(&[&report], &Params::default())
            .map(gate_sdk::finish)
            .unwrap_or_else(panic_free);
        assert_eq!(v.outcome, Outcome::Fail);
        assert_eq!(v.findings.len(), 1);
        assert!(
            v.findings
                .iter()
                .all(|f| f.resource.as_deref() == Some("aws_db_instance.a") && f.blocking)
        );
        let p = Params {
            severity: [("CKV_AWS_17".to_string(), "low".to_string())]
                .into_iter()
                .collect(),
            ..Params::default()
        };
        let v = evaluate(&[&report], &p)
            .map(gate_sdk::finish)
            .unwrap_or_else(panic_free);
        assert_eq!(v.outcome, Outcome::Warn);
        let p = Params {
            rules: RuleSelection {
                enable: vec![],
                disable: vec!["iac/aws-rds-*".into()],
            },
            ..Params::default()
        };
        let v = evaluate(&[&report], &p)
            .map(gate_sdk::finish)
            .unwrap_or_else(panic_free);
        assert_eq!(v.outcome, Outcome::Pass);
        let p = Params {
            skip_resources: vec!["aws_db_instance.*".into()],
            ..Params::default()
        };
        let v = evaluate(&[&report], &p)
            .map(gate_sdk::finish)
            .unwrap_or_else(panic_free);
        assert_eq!(v.findings.len(), 0);
    }

    fn panic_free(e: PolicyError) -> Verdict {
        Verdict::new(Outcome::Skip, format!("{e:?}"))
    }

    #[test]
    fn k8s_suppressions_are_visible() {
        let report = IacReport {
            meta: meta("kubernetes"),
            resources: vec![res(
                "Pod/ns/p",
                "Pod",
                None,
                r#"{"metadata": {"namespace": "ns", "annotations": {"gate.io/skip-k8s-privileged": "node agent", "checkov.io/skip1": "CKV_K8S_19=needs host net"}},
                   "spec": {"hostNetwork": true, "containers": [{"name": "c", "image": "a:1", "securityContext": {"privileged": true}}]}}"#,
            )].into(),
        };
        let p = Params {
            rules: RuleSelection {
                enable: vec!["iac/k8s-privileged".into(), "CKV_K8S_19".into()],
                disable: vec![],
            },
            ..Params::default()
        };
        let v = evaluate(&[&report], &p)
            .map(gate_sdk::finish)
            .unwrap_or_else(panic_free);
        assert_eq!(v.findings.len(), 2);
        assert!(
            v.findings
                .iter()
                .all(|f| f.status == FindingStatus::Suppressed)
        );
        assert_eq!(v.outcome, Outcome::Pass);
        assert!(v.findings.iter().any(|f| {
            f.evidence
                .as_deref()
                .is_some_and(|e| e.contains("node agent"))
        }));
    }
}
