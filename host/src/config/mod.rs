//! `gate.toml`: which artifacts, which policies with which params, limits.
//!
//! Parsed with spans: unknown keys are errors, and every error points at the
//! file, line and key (rendered by miette with the offending line).

// Config errors are cold and rendered once; keeping the source text inline
// is worth their size.
#![allow(clippy::result_large_err)]

use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A configuration error with the place in the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(gate::config))]
pub struct ConfigError {
    pub message: String,
    #[source_code]
    pub src: NamedSource<String>,
    #[label("{label}")]
    pub span: Option<SourceSpan>,
    pub label: String,
    #[help]
    pub help: Option<String>,
    /// `file:line:column` of the error, for plain-text consumers.
    pub place: String,
    /// Stable kebab-case code shown as `error[CODE]` (`config` unless set).
    pub code: &'static str,
}

impl ConfigError {
    pub fn new(
        file: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let place = match &span {
            Some(r) => {
                let (line, col) = line_col(text, r.start);
                format!("{file}:{line}:{col}")
            }
            None => file.to_string(),
        };
        ConfigError {
            message: message.into(),
            src: NamedSource::new(file, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            label: "here".into(),
            help,
            place,
            code: "config",
        }
    }

    /// The same error under another stable code (e.g. `invalid-params`).
    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// An error that is not about a place in a file (e.g. a bad `--params`).
    pub fn plain(what: &str, message: impl Into<String>) -> Self {
        Self::new(what, "", None, message, None)
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.len(), |n| before.len() - n - 1)
        + 1;
    (line, col)
}

/// The parsed configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Repository root for path normalization (relative to the config file).
    #[serde(default)]
    pub root: Option<Spanned<String>>,
    #[serde(default)]
    pub limits: LimitsConfig,
    #[serde(default, rename = "artifact")]
    pub artifacts: Vec<ArtifactConfig>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<PolicyConfig>,
    /// Policy packs from OCI registries.
    #[serde(default)]
    pub registry: RegistryConfig,
}

/// `[registry]`: how `oci://` policy packs are fetched and verified.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryConfig {
    /// ed25519 public keys (a path relative to this file, or base64). Once
    /// one is configured, every pack must be signed by one of them.
    #[serde(default)]
    pub trusted_keys: Vec<String>,
    /// Allow plain HTTP to non-loopback registries.
    #[serde(default)]
    pub insecure: bool,
    /// Use only the pack cache, never the network.
    #[serde(default)]
    pub offline: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsConfig {
    pub fuel: Option<u64>,
    pub timeout_ms: Option<u64>,
    pub memory_mib: Option<u64>,
    pub output_kib: Option<u64>,
    pub max_findings: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    #[default]
    Current,
    Baseline,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ArtifactConfig {
    pub path: Spanned<String>,
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    #[serde(default)]
    pub role: Role,
}

/// Sentinel-style enforcement levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// A failure is reported as a warning.
    Advisory,
    /// A failure fails the gate (overrides come with the enforcement issue).
    Soft,
    /// A failure always fails the gate.
    #[default]
    Hard,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    /// `builtin:NAME` or a path to a `.wasm` component.
    #[serde(rename = "use")]
    pub uses: Spanned<String>,
    /// Display name; defaults to the policy's own name.
    #[serde(default)]
    pub name: Option<String>,
    /// Default: the pack's level for pack policies, else `hard`.
    #[serde(default)]
    pub level: Option<Level>,
    /// Replace a pack's default params key by key.
    #[serde(default)]
    pub params: Option<Spanned<toml::Table>>,
}

/// A loaded config file: the parsed config plus its text for diagnostics.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
    pub config: Config,
}

impl ConfigFile {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::plain(&display, format!("cannot read config: {e}")))?;
        Self::parse(&display, path, text)
    }

    pub fn parse(display: &str, path: &Path, text: String) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(&text).map_err(|e| {
            let msg = e.message().trim_end_matches('\n').to_string();
            ConfigError::new(display, &text, e.span(), msg, Some(help_for(e.message())))
        })?;
        Ok(ConfigFile {
            path: path.to_path_buf(),
            display: display.to_string(),
            text,
            config,
        })
    }

    /// An error at a span of this file.
    pub fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::new(&self.display, &self.text, Some(span), message, help)
    }

    /// The directory paths in the config are relative to.
    pub fn base_dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

fn help_for(message: &str) -> String {
    if message.contains("unknown field") {
        "see the configuration reference in README.md (`gate.toml`)".into()
    } else {
        "gate.toml is TOML; see the configuration reference in README.md".into()
    }
}

/// TOML params to the JSON a policy receives.
pub fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        toml::Value::String(s) => J::String(s.clone()),
        toml::Value::Integer(i) => J::from(*i),
        toml::Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(*b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(a) => J::Array(a.iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => J::Object(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_point_at_their_line() {
        let text = "[[policy]]\nuse = \"builtin:coverage\"\nparms = {}\n".to_string();
        let err = ConfigFile::parse("gate.toml", Path::new("gate.toml"), text).unwrap_err();
        assert!(
            err.message.contains("unknown field `parms`"),
            "{}",
            err.message
        );
        assert_eq!(err.place, "gate.toml:3:1");
    }

    #[test]
    fn parses_a_full_config() {
        let text = r#"
root = "."
[limits]
fuel = 1000
timeout-ms = 500
[[artifact]]
path = "lcov.info"
format = "lcov"
[[artifact]]
path = "base.info"
role = "baseline"
[[policy]]
use = "builtin:coverage"
level = "advisory"
params = { min-line = 80.5 }
"#;
        let f = ConfigFile::parse("gate.toml", Path::new("gate.toml"), text.into()).unwrap();
        let c = &f.config;
        assert_eq!(c.limits.fuel, Some(1000));
        assert_eq!(c.artifacts.len(), 2);
        assert_eq!(c.artifacts[1].role, Role::Baseline);
        assert_eq!(c.policies[0].level, Some(Level::Advisory));
        let params = c.policies[0].params.as_ref().unwrap().get_ref();
        assert_eq!(
            toml_to_json(&toml::Value::Table(params.clone())),
            serde_json::json!({"min-line": 80.5})
        );
    }
}
