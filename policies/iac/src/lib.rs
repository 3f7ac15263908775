//! `builtin:iac`: infrastructure-as-code compliance rules over Terraform
//! plans, Kubernetes manifests, CloudFormation templates and Dockerfiles,
//! with checkov's check ids as aliases. The rule catalogue is in
//! `docs/iac-rules.md`.

pub mod engine;
pub mod rules;

pub use engine::{Params, evaluate};

use gate_sdk::*;

const SCHEMA: &str = include_str!("params.schema.json");

pub struct IacPolicy;

impl Policy for IacPolicy {
    fn info() -> PolicyInfo {
        PolicyInfo::new(
            "iac",
            env!("CARGO_PKG_VERSION"),
            "IaC compliance: Terraform plan (AWS, Azure, GCP), Kubernetes, CloudFormation and Dockerfile rules aligned with checkov",
        )
        .consumes(&[ArtifactKind::Iac])
        .params_schema(SCHEMA)
    }

    fn evaluate(request: Request) -> Result<Verdict, PolicyError> {
        let params: Params = params::parse(&request.params)?;
        let reports: Vec<&IacReport> = request.iac().collect();
        evaluate(&reports, &params)
    }
}

gate_sdk::export!(IacPolicy);
