//! Reading params: the host has validated them against the policy's schema,
//! so deserializing into a struct with `#[serde(default)]` fields is enough.

use crate::bindings::gate::policy::types::PolicyError;
use serde::de::DeserializeOwned;

/// Deserializes the request's params (`{}` when empty) into `P`.
pub fn parse<P: DeserializeOwned>(params: &str) -> Result<P, PolicyError> {
    let text = if params.trim().is_empty() {
        "{}"
    } else {
        params
    };
    serde_json::from_str(text).map_err(|e| PolicyError::InvalidParams(e.to_string()))
}
