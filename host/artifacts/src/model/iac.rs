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
    pub attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct IacReport {
    pub resources: Vec<IacResource>,
}

/// A resource's attributes, kept as compact JSON text: what policies receive
/// (the contract hands them a JSON string), at a fraction of the memory of a
/// `serde_json::Value` tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(Box<serde_json::value::RawValue>);

impl Attributes {
    /// The attributes of `value`, serialized compactly.
    pub fn from_value(value: &serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(value).map(Attributes)
    }

    /// Already-checked JSON text, kept as is.
    pub fn from_raw(raw: Box<serde_json::value::RawValue>) -> Self {
        Attributes(raw)
    }

    /// The JSON text.
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The attributes as a `Value` (for tests and tools, not the hot path).
    pub fn value(&self) -> serde_json::Value {
        serde_json::from_str(self.0.get()).unwrap_or(serde_json::Value::Null)
    }
}

impl PartialEq for Attributes {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json()
    }
}
