//! Infrastructure-as-code resources from plans, manifests, templates and
//! Dockerfiles.

use super::Location;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PlannedAction {
    Create,
    Update,
    Delete,
    Replace,
    Read,
    NoOp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IacResource {
    /// Terraform address, `kind/namespace/name`, CloudFormation logical id,
    /// or Dockerfile stage name.
    pub address: String,
    /// Terraform type, Kubernetes kind, CloudFormation type, `dockerfile-stage`.
    pub resource_type: String,
    /// Terraform provider, Kubernetes apiVersion, `cloudformation`, `docker`.
    pub provider: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Only for plans.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<PlannedAction>,
    pub attributes: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IacReport {
    pub resources: Vec<IacResource>,
}
