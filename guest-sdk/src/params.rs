//! Reading params: the host has validated them against the policy's schema
//! (formats such as `date` and `iana-time-zone` included), so deserializing
//! into a struct with `#[serde(default)]` fields is enough.
//!
//! What only the policy can check (a rule selector that selects no rule, a
//! window that ends before it starts) is returned as
//! [`PolicyError::InvalidParams`] whose message starts with the JSON pointer
//! of the offending value ([`invalid`]); the host reports it as a config
//! error (exit 2), like a schema violation.
//!
//! The schema is derived from the params struct ([`schema`]), so the two
//! cannot drift: `#[derive(Deserialize, JsonSchema)]` with
//! `#[serde(deny_unknown_fields, rename_all = "kebab-case")]`, doc comments
//! as descriptions, `#[schemars(range(..), length(..), regex(..))]` for
//! bounds and the host's formats through [`format`]'s names, e.g.
//! `#[schemars(extend("format" = "date"))]`.

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

/// The `format`s the host asserts besides the standard ones (see
/// `host/src/params.rs`): a value that is not of its format is a config
/// error naming its JSON pointer before the policy runs.
pub mod format {
    /// `YYYY-MM-DD`, a day that exists.
    pub const DATE: &str = "date";
    /// An RFC 3339 instant with an offset.
    pub const DATE_TIME: &str = "date-time";
    /// Either of the two.
    pub const DATE_OR_DATE_TIME: &str = "date-or-date-time";
    /// A name of the IANA time zone database.
    pub const IANA_TIME_ZONE: &str = "iana-time-zone";
}

/// The severity names a param may hold, most severe first.
pub const SEVERITIES: [&str; 6] = ["critical", "high", "medium", "low", "info", "unknown"];

/// The names a "fail at or above" param may hold: a severity or `none`.
pub const FAIL_ON: [&str; 6] = ["critical", "high", "medium", "low", "info", "none"];

/// The JSON Schema (draft 2020-12) of the params `P` reads, as the host
/// validates them: derived from the struct, titled `title`.
///
/// Absent and `null` differ: an `Option` field may be left out but never
/// set to `null` (the schema says what the policy reads, and `null` is not
/// a value a user means). Integer formats (`uint32`, ...) are dropped: the
/// host asserts formats, and these say only what `minimum`/`maximum` say.
/// An `enum` stands without `type` (it says all there is).
/// The struct's own doc comment is not the schema's description (the
/// title is); its fields' and nested structs' are.
pub fn schema<P: schemars::JsonSchema>(title: &str) -> String {
    let generator = schemars::generate::SchemaSettings::draft2020_12().into_generator();
    let mut root = generator.into_root_schema_for::<P>();
    root.insert("title".into(), title.into());
    // The struct's doc comment speaks to the code's readers; the title
    // names the params for users.
    root.remove("description");
    let mut value = root.to_value();
    tidy(&mut value);
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// The JSON Schema [`schema`] derives, as a value (for tests and tools).
pub fn schema_value<P: schemars::JsonSchema>(title: &str) -> serde_json::Value {
    serde_json::from_str(&schema::<P>(title)).unwrap_or_default()
}

/// For a policy's unit test: the schema written out at `path` (for review,
/// and for tools that read files) is `derived` (as JSON). With
/// `GATE_WRITE_SCHEMAS=1` in the environment it (re)writes the file first.
/// `Err` says what to run.
#[cfg(not(target_arch = "wasm32"))]
pub fn check_written(path: &std::path::Path, derived: &str) -> Result<(), String> {
    let derived = format!("{derived}\n");
    if std::env::var_os("GATE_WRITE_SCHEMAS").is_some_and(|v| v == "1") {
        std::fs::write(path, &derived).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    // Compared as JSON values: key order is serde_json's to choose.
    let same = |written: &str| {
        let parse = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
        parse(written).is_some_and(|w| Some(w) == parse(&derived))
    };
    match std::fs::read_to_string(path) {
        Ok(written) if same(&written) => Ok(()),
        Ok(_) => Err(format!(
            "{} is not the schema the params struct derives; run the test with GATE_WRITE_SCHEMAS=1 and review the difference",
            path.display()
        )),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// See [`schema`]: no `null`, no integer formats, `enum` without `type`.
fn tidy(v: &mut serde_json::Value) {
    use serde_json::Value;
    let is_null_schema = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
    match v {
        Value::Object(map) => {
            // `anyOf: [X, {type: null}]` (an optional struct or ref): X.
            if let Some(Value::Array(any)) = map.get("anyOf")
                && any.len() == 2
                && any.iter().any(is_null_schema)
                && let Some(Value::Object(inner)) = any.iter().find(|s| !is_null_schema(s)).cloned()
            {
                map.remove("anyOf");
                for (k, val) in inner {
                    map.entry(k).or_insert(val);
                }
            }
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if let [only] = types.as_slice() {
                    let only = only.clone();
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(values)) = map.get_mut("enum") {
                values.retain(|t| !t.is_null());
                map.remove("type");
            }
            let numeric_format = map.get("format").and_then(Value::as_str).is_some_and(|f| {
                f.starts_with("int") || f.starts_with("uint") || f == "float" || f == "double"
            });
            if numeric_format {
                map.remove("format");
            }
            for (_, child) in map.iter_mut() {
                tidy(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(tidy),
        _ => {}
    }
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

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Example {
        /// Minimum line coverage (%).
        #[schemars(range(min = 0, max = 100))]
        min_line: Option<f64>,
        #[schemars(extend("enum" = super::FAIL_ON))]
        fail_on: Option<String>,
        #[serde(default)]
        #[schemars(inner(length(min = 1)))]
        paths: Vec<String>,
        #[schemars(range(max = 1_000_000))]
        count: Option<u32>,
        window: Option<Window>,
    }

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    #[serde(deny_unknown_fields, rename_all = "kebab-case")]
    #[allow(dead_code)]
    struct Window {
        #[schemars(extend("format" = super::format::DATE))]
        expires: String,
    }

    #[test]
    fn the_schema_is_the_structs_without_nulls() {
        let s = super::schema_value::<Example>("example params");
        let want = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "example params",
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "min-line": {"type": "number", "minimum": 0, "maximum": 100,
                    "description": "Minimum line coverage (%)."},
                "fail-on": {"enum": ["critical", "high", "medium", "low", "info", "none"]},
                "paths": {"type": "array", "items": {"type": "string", "minLength": 1},
                    "default": []},
                "count": {"type": "integer", "minimum": 0, "maximum": 1_000_000},
                "window": {"$ref": "#/$defs/Window"},
            },
            "$defs": {"Window": {
                "type": "object",
                "additionalProperties": false,
                "required": ["expires"],
                "properties": {"expires": {"type": "string", "format": "date"}},
            }},
        });
        assert_eq!(s, want, "{}", serde_json::to_string_pretty(&s).unwrap());
    }
}
