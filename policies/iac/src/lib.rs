//! `builtin:iac`: infrastructure-as-code compliance rules over Terraform
//! plans, Kubernetes manifests, CloudFormation templates and Dockerfiles,
//! with checkov's check ids as aliases. The rule catalogue is in
//! `docs/iac-rules.md`.

pub mod attrs;
pub mod engine;
pub mod rules;

pub use engine::{Params, evaluate};

use gate_sdk::*;

pub struct IacPolicy;

impl Policy for IacPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "iac",
            env!("CARGO_PKG_VERSION"),
            "IaC compliance: Terraform plan (AWS, Azure, GCP), Kubernetes, CloudFormation and Dockerfile rules aligned with checkov",
        )
        .consumes(&[ArtifactKind::Iac])
        .params_schema(PARAMS_SCHEMA)
        .rules(catalog())
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let reports: Vec<&IacReport> = request.iac().collect();
        evaluate(&reports, &params)
    }
}

/// The rule catalog: every rule of [`rules::all`] (tagged `security`, its
/// frameworks and its checkov ids) and the engine's own.
pub fn catalog() -> Vec<RuleInfo> {
    let mut out: Vec<RuleInfo> = rules::all()
        .into_iter()
        .map(|r| {
            let frameworks: Vec<&str> = r.frameworks.split('+').collect();
            let mut full = format!("{} (checked in {}", r.title, frameworks.join(" and "));
            if !r.aliases.is_empty() {
                full.push_str(&format!("; checkov {}", r.aliases.join(", ")));
            }
            full.push(')');
            RuleInfo::new(r.id, r.severity, r.title)
                .full(full)
                .help(r.remediation)
                .tags(["security"])
                .tags(frameworks)
                .tags(r.aliases.iter())
        })
        .collect();
    out.push(
        RuleInfo::new(
            "iac/skip-resources-unused",
            Severity::Info,
            "a skip-resources entry matches no resource",
        )
        .full("An address glob of `skip-resources` that matches no resource of the artifacts is probably stale or mistyped.")
        .help("fix the address glob (e.g. module.legacy.*, Deployment/kube-system/*) or remove it")
        .tags(["config"]),
    );
    out
}

/// The params' JSON Schema as `info()` reports it: `src/params.schema.json`,
/// which a test keeps equal to [`params_schema`]. Shipped as text, so the
/// component neither carries the derivation nor runs it on every load.
pub const PARAMS_SCHEMA: &str = include_str!("params.schema.json");

/// The params' JSON Schema, derived from [`Params`] (written out as
/// `src/params.schema.json` with `GATE_WRITE_SCHEMAS=1`, for review, for
/// the fuzz driver and for [`PARAMS_SCHEMA`]).
pub fn params_schema() -> String {
    params::schema::<Params>("builtin:iac params")
}

gate_sdk::export!(IacPolicy);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// `src/params.schema.json` is the schema derived from `Params`.
    #[test]
    fn the_written_schema_is_the_derived_one() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/params.schema.json");
        if let Err(e) = params::check_written(&path, &params_schema()) {
            panic!("{e}");
        }
    }

    /// The catalog lists every rule the source reports, once, described.
    #[test]
    fn the_catalog_lists_every_rule_once() {
        let catalog = catalog();
        let ids: BTreeSet<String> = catalog.iter().map(|r| r.id.clone()).collect();
        assert_eq!(ids.len(), catalog.len(), "ids are unique");
        let mut named = BTreeSet::new();
        for source in [
            include_str!("engine.rs"),
            include_str!("rules/mod.rs"),
            include_str!("rules/cloudformation.rs"),
            include_str!("rules/dockerfile.rs"),
            include_str!("rules/kubernetes.rs"),
            include_str!("rules/terraform_aws.rs"),
            include_str!("rules/terraform_azure_gcp.rs"),
        ] {
            named.extend(rule_ids_in(source, "iac/"));
        }
        assert_eq!(ids, named);
        for r in &catalog {
            assert!(!r.short_description.is_empty() && !r.full_description.is_empty());
            assert!(r.help.as_deref().is_some_and(|h| !h.is_empty()), "{}", r.id);
        }
    }
}
