//! The rule catalogue and the helpers the per-framework checks share.
//!
//! A check reads one resource's parsed attributes and pushes [`Hit`]s; the
//! engine (`crate::engine`) decides which rules are active, applies severity
//! overrides and in-artifact suppressions, and turns hits into findings.

/// Declares a `static` [`Rule`].
macro_rules! rule {
    ($name:ident, $id:literal, [$($a:literal),*], $sev:ident, $fw:literal, $title:literal, $rem:literal) => {
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            aliases: &[$($a),*],
            severity: gate_sdk::Severity::$sev,
            title: $title,
            remediation: $rem,
            frameworks: $fw,
        };
    };
}

pub mod cloudformation;
pub mod dockerfile;
pub mod kubernetes;
pub mod terraform_aws;
pub mod terraform_azure_gcp;

use gate_sdk::Severity;
use serde_json::Value;

/// One rule of the pack.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `iac/<framework>-<what>`.
    pub id: &'static str,
    /// The corresponding checkov check ids (empty when checkov has none).
    pub aliases: &'static [&'static str],
    pub severity: Severity,
    /// What the rule wants, one line.
    pub title: &'static str,
    pub remediation: &'static str,
    /// `terraform`, `kubernetes`, `dockerfile`, `cloudformation`, or
    /// `terraform+cloudformation` for AWS rules both implement.
    pub frameworks: &'static str,
}

impl Rule {
    /// The id without the `iac/` prefix (as used in `gate.io/skip-*` annotations).
    pub fn short(&self) -> &'static str {
        self.id.strip_prefix("iac/").unwrap_or(self.id)
    }
}

/// A rule violated by one resource.
#[derive(Debug)]
pub struct Hit {
    pub rule: &'static Rule,
    pub message: String,
    pub evidence: Option<String>,
    /// A more precise line than the resource's (e.g. a Dockerfile `RUN`).
    pub line: Option<u32>,
}

/// Where checks put their hits.
#[derive(Debug, Default)]
pub struct Out {
    pub hits: Vec<Hit>,
}

impl Out {
    pub fn hit(&mut self, rule: &'static Rule, message: String) {
        self.hits.push(Hit {
            rule,
            message,
            evidence: None,
            line: None,
        });
    }

    pub fn hit_ev(&mut self, rule: &'static Rule, message: String, evidence: String) {
        self.hits.push(Hit {
            rule,
            message,
            evidence: Some(evidence),
            line: None,
        });
    }

    pub fn hit_at(&mut self, rule: &'static Rule, message: String, line: Option<u32>) {
        self.hits.push(Hit {
            rule,
            message,
            evidence: None,
            line,
        });
    }
}

/// Every rule, grouped by framework.
pub fn all() -> Vec<&'static Rule> {
    let mut v: Vec<&'static Rule> = Vec::new();
    v.extend_from_slice(terraform_aws::RULES);
    v.extend_from_slice(terraform_azure_gcp::RULES);
    v.extend_from_slice(kubernetes::RULES);
    v.extend_from_slice(dockerfile::RULES);
    v
}

// ------------------------------------------------------------------ helpers

/// Terraform's placeholder for values known only after apply (the host merges
/// `after_unknown` into the attributes this way).
pub const UNKNOWN: &str = "(known after apply)";

pub fn is_unknown(v: &Value) -> bool {
    v.as_str() == Some(UNKNOWN)
}

/// Whether a setting is unknown at plan time. Rules never judge such a
/// setting (README: unknown-at-plan-time values are not judged): a rule that
/// reads it reports nothing rather than reading it as absent or default.
pub fn unknown(v: Option<&Value>) -> bool {
    v.is_some_and(is_unknown)
}

/// Whether a setting is unknown or a list with an unknown item: a rule that
/// needs the whole list (e.g. "every required item is listed") cannot judge it.
pub fn partly_unknown(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Array(items)) => items.iter().any(is_unknown),
        v => unknown(v),
    }
}

/// Follows object keys.
pub fn get<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(*k))
}

/// A boolean setting: `Some(b)` for booleans and `"true"`/`"false"` strings,
/// `None` for absent, null, unknown or intrinsic-function values.
pub fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

/// Whether a value is absent or null (not unknown).
pub fn absent(v: Option<&Value>) -> bool {
    matches!(v, None | Some(Value::Null))
}

/// An integer setting (numbers or numeric strings).
pub fn int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// The items of a Terraform nested block list (or a single object, or nothing).
pub fn items(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Array(a)) => a,
        Some(v @ Value::Object(_)) => std::slice::from_ref(v),
        _ => &[],
    }
}

/// The first item of a nested block (`block[0]`), or the value itself when it
/// is an object.
pub fn first(v: Option<&Value>) -> Option<&Value> {
    match v? {
        Value::Array(a) => a.first(),
        o @ Value::Object(_) => Some(o),
        _ => None,
    }
}

/// Strings of a value that is a string or an array of strings.
pub fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// Shows a value briefly for messages and evidence.
pub fn show(v: Option<&Value>) -> String {
    match v {
        None => "not set".to_string(),
        Some(Value::Null) => "null".to_string(),
        Some(Value::String(s)) => format!("\"{s}\""),
        Some(v) => {
            let s = v.to_string();
            if s.len() > 120 {
                let mut cut = 117;
                while !s.is_char_boundary(cut) {
                    cut -= 1;
                }
                format!("{}...", s.get(..cut).unwrap_or(""))
            } else {
                s
            }
        }
    }
}

/// Whether a CIDR is "the whole internet".
pub fn world_cidr(s: &str) -> bool {
    let s = s.trim();
    // Any prefix of length 0 is the whole address space (`0.0.0.0/0`,
    // `::/0`, `0000::/0`...).
    matches!(s, "0.0.0.0" | "*") || (s.ends_with("/0") && !s.ends_with("//0"))
}

/// A port range covers a port. `from`/`to` of -1 or missing mean all ports.
pub fn covers(from: Option<i64>, to: Option<i64>, port: i64) -> bool {
    match (from, to) {
        (Some(f), Some(t)) if f >= 0 && t >= 0 => f <= port && port <= t,
        (Some(f), None) if f >= 0 => f == port,
        _ => true,
    }
}

// ------------------------------------------------------------ IAM documents

/// What an IAM policy document allows that it should not.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct IamFindings {
    /// `Action: *` on `Resource: *`.
    pub admin: bool,
    /// `Action: *` (or `service:*`-free `*`) on some resource.
    pub star_action: bool,
    /// `iam:PassRole` (or `iam:*`, `iam:Pass*`) on `Resource: *`.
    pub pass_role: bool,
}

/// Judges an IAM policy document given as JSON text or as an object
/// (CloudFormation). Unknown/unparseable documents give nothing.
pub fn iam_document(doc: &Value) -> IamFindings {
    let parsed;
    let doc = match doc {
        Value::String(s) if !is_unknown(doc) => match serde_json::from_str::<Value>(s) {
            Ok(v) => {
                parsed = v;
                &parsed
            }
            Err(_) => return IamFindings::default(),
        },
        v @ Value::Object(_) => v,
        _ => return IamFindings::default(),
    };
    let mut out = IamFindings::default();
    for st in items(doc.get("Statement")) {
        let allow = st
            .get("Effect")
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("allow"));
        if !allow {
            continue;
        }
        let actions = strings(st.get("Action"));
        let resources = strings(st.get("Resource"));
        let any_resource = resources.contains(&"*");
        let star = actions.iter().any(|a| *a == "*" || *a == "*:*");
        if star {
            out.star_action = true;
            if any_resource {
                out.admin = true;
            }
        }
        let pass = actions.iter().any(|a| {
            let a = a.to_ascii_lowercase();
            a == "*" || a == "iam:*" || a == "iam:passrole" || a == "iam:pass*" || a == "iam:p*"
        });
        if pass && any_resource {
            out.pass_role = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn iam() {
        let d = json!(r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#);
        let f = iam_document(&d);
        assert!(f.admin && f.star_action && f.pass_role);
        let d = json!({"Statement":{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*"}});
        let f = iam_document(&d);
        assert!(!f.admin && f.pass_role);
        let d = json!({"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]});
        assert_eq!(iam_document(&d), IamFindings::default());
        assert_eq!(iam_document(&json!(UNKNOWN)), IamFindings::default());
    }

    #[test]
    fn ports() {
        assert!(covers(Some(0), Some(65535), 22));
        assert!(covers(Some(-1), Some(-1), 3389));
        assert!(!covers(Some(80), Some(80), 22));
        assert!(covers(Some(20), Some(30), 22));
    }

    #[test]
    fn unique_ids() {
        let rules = all();
        let mut ids: Vec<&str> = rules.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate rule ids");
        assert!(n >= 40, "only {n} rules");
        for r in rules {
            assert!(r.id.starts_with("iac/"), "{}", r.id);
            assert!(!r.remediation.is_empty(), "{}", r.id);
        }
    }
}
