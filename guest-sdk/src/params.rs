//! Reading params: the host has validated them against the policy's schema
//! (formats such as `date` and `iana-time-zone` included), so deserializing
//! into a struct with `#[serde(default)]` fields is enough.
//!
//! What only the policy can check (a rule selector that selects no rule, a
//! window that ends before it starts) is returned as
//! [`PolicyError::InvalidParams`] whose message starts with the JSON pointer
//! of the offending value ([`invalid`]); the host reports it as a config
//! error (exit 2), like a schema violation.

use crate::bindings::gate::policy::types::PolicyError;
use serde::de::DeserializeOwned;

/// Deserializes the request's params (`{}` when empty) into `P`.
pub fn parse<P: DeserializeOwned>(params: &str) -> Result<P, PolicyError> {
    let text = if params.trim().is_empty() {
        "{}"
    } else {
        params
    };
    serde_json::from_str(text).map_err(|e| {
        PolicyError::InvalidParams(format!(
            "params do not match what the policy reads (its schema is looser than its code): {e}"
        ))
    })
}

/// `invalid-params` for the value at `pointer` (built with [`pointer`]).
pub fn invalid(pointer: &str, message: impl std::fmt::Display) -> PolicyError {
    PolicyError::InvalidParams(format!("{pointer}: {message}"))
}

/// A JSON pointer (RFC 6901) from its reference tokens: `~` and `/` in a
/// token are escaped, so map keys such as `iac/k8s-*` point right.
pub fn pointer<I, T>(tokens: I) -> String
where
    I: IntoIterator<Item = T>,
    T: std::fmt::Display,
{
    let mut out = String::new();
    for t in tokens {
        out.push('/');
        out.push_str(&t.to_string().replace('~', "~0").replace('/', "~1"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::pointer;

    #[test]
    fn pointers_escape_their_tokens() {
        assert_eq!(pointer(["rules", "enable", "0"]), "/rules/enable/0");
        assert_eq!(pointer(["severity", "iac/k8s-*"]), "/severity/iac~1k8s-*");
        assert_eq!(pointer(["a~b"]), "/a~0b");
        assert_eq!(pointer::<[&str; 0], &str>([]), "");
    }
}
