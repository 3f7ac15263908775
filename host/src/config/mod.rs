//! `gate.toml`: which artifacts, which policies with which params, limits.
//!
//! Parsed with spans: unknown keys are errors, and every error points at the
//! file, line and key (rendered by miette with the offending line).

// Config errors are cold and rendered once; keeping the source text inline
// is worth their size.
#![allow(clippy::result_large_err)]

use crate::codes::ErrorCode;
use miette::{Diagnostic, NamedSource, SourceSpan};
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A configuration error with the place in the file.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(gate::config))]
pub struct ConfigError {
    /// What is wrong, without the place.
    pub message: String,
    #[source_code]
    pub(crate) src: NamedSource<String>,
    #[label("{label}")]
    pub(crate) span: Option<SourceSpan>,
    pub(crate) label: String,
    #[help]
    pub(crate) help: Option<String>,
    /// `file:line:column` of the error, for plain-text consumers.
    pub place: String,
    /// Stable kebab-case code shown as `error[CODE]`: [`ErrorCode::Config`]
    /// unless set (params a policy's schema rejects are
    /// `PolicyErrorKind::InvalidParams`).
    pub(crate) code: &'static str,
}

impl ConfigError {
    pub(crate) fn new(
        file: &str,
        text: &str,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> Self {
        let place = match &span {
            Some(r) => format!("{file}:{}", gate_artifacts::line_col(text, r.start)),
            None => file.to_string(),
        };
        ConfigError {
            message: message.into(),
            src: NamedSource::new(file, text.to_string()),
            span: span.map(|r| SourceSpan::from(r.start..r.end.max(r.start))),
            label: "here".into(),
            help,
            place,
            code: ErrorCode::Config.as_str(),
        }
    }

    /// The same error under another stable code (e.g. `invalid-params`).
    pub(crate) fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }

    /// An error that is not about a place in a file (e.g. a bad `--params`).
    pub(crate) fn plain(what: &str, message: impl Into<String>) -> Self {
        Self::new(what, "", None, message, None)
    }
}

/// The parsed configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Repository root for path normalization (relative to the config file).
    #[serde(default)]
    pub root: Option<Spanned<String>>,
    /// `[limits]`: the sandbox's and the input reader's.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// `[[artifact]]`: what to read.
    #[serde(default, rename = "artifact")]
    pub artifacts: Vec<ArtifactConfig>,
    /// `[[policy]]`: what to run, with which level and params.
    #[serde(default, rename = "policy")]
    pub policies: Vec<PolicyConfig>,
    /// Policy packs from OCI registries.
    #[serde(default)]
    pub registry: RegistryConfig,
    /// `[[metrics]]`: queries the host runs against a metrics server.
    #[serde(default)]
    pub metrics: Vec<MetricsConfig>,
}

/// `[[metrics]]`: one Prometheus query the host runs (see `fetch`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct MetricsConfig {
    /// The name policies judge it by (`query` in builtin:canary's params).
    pub name: Spanned<String>,
    /// The server's base URL, e.g. `http://prometheus:9090`.
    pub url: Spanned<String>,
    /// PromQL; `{{selector}}` is replaced by each side's selector.
    pub query: Spanned<String>,
    /// The canary's label selector, e.g. `track="canary"`.
    #[serde(default)]
    pub canary: Option<Spanned<String>>,
    /// The baseline's label selector, e.g. `track="stable"`.
    #[serde(default)]
    pub baseline: Option<Spanned<String>>,
    /// A range query over this window ending now (`30m`); instant without.
    #[serde(default)]
    pub window: Option<Spanned<String>>,
    /// The range query's step (default `60s`).
    #[serde(default)]
    pub step: Option<Spanned<String>>,
    /// How long one request may take (default `30s`).
    #[serde(default)]
    pub timeout: Option<Spanned<String>>,
    /// An environment variable holding a bearer token.
    #[serde(default)]
    pub bearer_token_env: Option<Spanned<String>>,
    /// HTTP basic auth.
    #[serde(default)]
    pub basic_auth: Option<BasicAuthConfig>,
}

/// `basic-auth = { username = "…", password-env = "VAR" }`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BasicAuthConfig {
    /// The user name (not secret).
    pub username: String,
    /// The environment variable holding the password (never the password).
    pub password_env: String,
}

/// `[registry]`: how `oci://` policy packs are fetched and verified.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RegistryConfig {
    /// ed25519 public keys (a path relative to this file, or base64). Once
    /// one is configured, every pack must be signed by one of them.
    #[serde(default)]
    pub trusted_keys: Vec<Spanned<String>>,
    /// Allow plain HTTP to non-loopback registries.
    #[serde(default)]
    pub insecure: bool,
    /// Use only the pack cache, never the network.
    #[serde(default)]
    pub offline: bool,
}

/// `[limits]`: each replaces the default of one sandbox limit.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LimitsConfig {
    /// Deterministic CPU budget of one call.
    pub fuel: Option<Spanned<u64>>,
    /// Wall-clock deadline of one call, in milliseconds.
    pub timeout_ms: Option<Spanned<u64>>,
    /// Linear memory of one policy instance, in MiB.
    pub memory_mib: Option<Spanned<u64>>,
    /// Cap on a policy's stdout, stderr and log (each), in KiB.
    pub output_kib: Option<Spanned<u64>>,
    /// Most findings one verdict may carry.
    pub max_findings: Option<Spanned<u64>>,
    /// The most gate reads from any one input file, in MiB (see
    /// [`crate::fsutil`]); `GATE_MAX_INPUT_MIB` wins over it.
    pub max_input_mib: Option<Spanned<u64>>,
}

/// `[[artifact]]`: one file to read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ArtifactConfig {
    /// Relative to the config file.
    pub path: Spanned<String>,
    /// A format name that skips detection (`gate parse --help` lists them).
    #[serde(default)]
    pub format: Option<Spanned<String>>,
    /// `current` (default) or `baseline`.
    #[serde(default)]
    pub role: Role,
}

/// Levels and roles as `gate.toml` writes them.
pub use crate::model::{Level, Role};
/// The TOML → JSON params conversion is the pack format's too: one
/// definition, in `gate-oci`.
pub use gate_oci::toml_to_json;

/// `[[policy]]`: one policy to run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyConfig {
    /// `builtin:NAME` or a path to a `.wasm` component.
    #[serde(rename = "use")]
    pub uses: Spanned<String>,
    /// Display name; defaults to the policy's own name.
    #[serde(default)]
    pub name: Option<Spanned<String>>,
    /// Default: the pack's level for pack policies, else `hard`.
    #[serde(default)]
    pub level: Option<Level>,
    /// Replace a pack's default params key by key.
    #[serde(default)]
    pub params: Option<Spanned<toml::Table>>,
    /// `builtin:rego`: Rego modules, globs relative to this file.
    #[serde(default)]
    pub rego: Vec<Spanned<String>>,
    /// `builtin:rego`: data documents (JSON or YAML), globs.
    #[serde(default)]
    pub data: Vec<Spanned<String>>,
    /// `builtin:rego`: input documents (JSON, YAML, Dockerfiles), globs.
    #[serde(default)]
    pub input: Vec<Spanned<String>>,
}

/// A loaded config file: the parsed config plus its text for diagnostics.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    /// Where it was read from.
    pub path: PathBuf,
    /// The path as errors show it.
    pub display: String,
    /// The whole text, for pointing at places in it.
    pub text: String,
    /// The parsed, checked configuration.
    pub config: Config,
}

impl ConfigFile {
    /// Reads (within the input size limit), parses and checks a config
    /// file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let display = path.display().to_string();
        let bytes = crate::fsutil::read(path)
            .map_err(|e| ConfigError::plain(&display, format!("cannot read config: {e}")))?;
        Self::parse_bytes(&display, path, bytes)
    }

    /// [`ConfigFile::parse`] of bytes: text that is not UTF-8 is an error
    /// at the first bad byte.
    fn parse_bytes(display: &str, path: &Path, bytes: Vec<u8>) -> Result<Self, ConfigError> {
        match String::from_utf8(bytes) {
            Ok(text) => Self::parse(display, path, text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                // The lossy text keeps every byte before `at` where it was.
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Err(ConfigError::new(
                    display,
                    &text,
                    Some(at..at.saturating_add(1)),
                    "the config is not valid UTF-8",
                    Some("gate.toml must be UTF-8 text (TOML requires it)".into()),
                ))
            }
        }
    }

    /// Parses and checks config text read from `path` (shown as
    /// `display`); every error points at its place.
    pub fn parse(display: &str, path: &Path, text: String) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(&text).map_err(|e| {
            let mut msg = e.message().trim_end_matches('\n').to_string();
            let mut span = e.span();
            // toml reports a dotted key past its depth limit without a
            // place; find the key.
            if span.is_none() && msg == "recursion limit" {
                span = deepest_dotted_key(&text);
                msg = "recursion limit: a dotted key is nested too deeply".into();
            }
            ConfigError::new(display, &text, span, msg, Some(help_for(e.message())))
        })?;
        let file = ConfigFile {
            path: path.to_path_buf(),
            display: display.to_string(),
            text,
            config,
        };
        file.validate()?;
        Ok(file)
    }

    /// Checks the values serde cannot: empty strings, zero limits, policy
    /// references; each error points at the value.
    fn validate(&self) -> Result<(), ConfigError> {
        let c = &self.config;
        let non_empty = |v: &Spanned<String>, what: &str| {
            if v.get_ref().trim().is_empty() {
                Err(self.error(v.span(), format!("{what} must not be empty"), None))
            } else {
                Ok(())
            }
        };
        if let Some(root) = &c.root {
            non_empty(root, "`root`")?;
        }
        let l = &c.limits;
        for (value, key) in [
            (&l.fuel, "fuel"),
            (&l.timeout_ms, "timeout-ms"),
            (&l.memory_mib, "memory-mib"),
            (&l.output_kib, "output-kib"),
            (&l.max_findings, "max-findings"),
            (&l.max_input_mib, "max-input-mib"),
        ] {
            if let Some(v) = value
                && *v.get_ref() == 0
            {
                return Err(self.error(
                    v.span(),
                    format!("[limits] {key} must be at least 1"),
                    None,
                ));
            }
        }
        self.input_limit()?;
        for a in &c.artifacts {
            non_empty(&a.path, "an artifact `path`")?;
        }
        for p in &c.policies {
            non_empty(&p.uses, "a policy's `use`")?;
            if let Some(n) = &p.name {
                non_empty(n, "a policy's `name`")?;
            }
            for (globs, key) in [(&p.rego, "rego"), (&p.data, "data"), (&p.input, "input")] {
                for g in globs {
                    non_empty(g, &format!("a `{key}` glob"))?;
                }
            }
            if p.uses.get_ref().starts_with("oci://") {
                gate_oci::Reference::parse(p.uses.get_ref()).map_err(|e| {
                    self.error(
                        p.uses.span(),
                        e.message,
                        Some("oci://HOST[:PORT]/REPOSITORY[:TAG][@sha256:HEX][#POLICY]".into()),
                    )
                })?;
            }
        }
        for k in &c.registry.trusted_keys {
            non_empty(k, "a trusted key")?;
        }
        Ok(())
    }

    /// `[limits] max-input-mib` as a limit, when set.
    pub(crate) fn input_limit(&self) -> Result<Option<crate::fsutil::InputLimit>, ConfigError> {
        let Some(v) = &self.config.limits.max_input_mib else {
            return Ok(None);
        };
        let place = format!(
            "{}:{}",
            self.display,
            gate_artifacts::line_col(&self.text, v.span().start)
        );
        crate::fsutil::InputLimit::mib(*v.get_ref(), crate::fsutil::LimitSource::Config(place))
            .map(Some)
            .ok_or_else(|| {
                self.error(
                    v.span(),
                    "[limits] max-input-mib is too large",
                    Some("give a size in MiB from 1".into()),
                )
            })
    }

    /// An error at a span of this file.
    pub(crate) fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::new(&self.display, &self.text, Some(span), message, help)
    }

    /// The span of the value at the JSON pointer `pointer` inside the
    /// table or array written at `within` (e.g. a policy's params), so an
    /// error about one value points at it; `within` when the pointer does
    /// not lead to a written value (a default from a pack, say).
    pub(crate) fn value_span(
        &self,
        within: std::ops::Range<usize>,
        pointer: &str,
    ) -> std::ops::Range<usize> {
        use toml::de::{DeTable, DeValue};
        fn find<'a, 'i>(
            table: &'a DeTable<'i>,
            span: &std::ops::Range<usize>,
        ) -> Option<&'a Spanned<DeValue<'i>>> {
            table.iter().find_map(|(_, v)| holding(v, span))
        }
        fn holding<'a, 'i>(
            v: &'a Spanned<DeValue<'i>>,
            span: &std::ops::Range<usize>,
        ) -> Option<&'a Spanned<DeValue<'i>>> {
            if v.span() == *span {
                return Some(v);
            }
            match v.get_ref() {
                DeValue::Table(t) => find(t, span),
                DeValue::Array(a) => a.iter().find_map(|v| holding(v, span)),
                _ => None,
            }
        }
        let Ok(doc) = DeTable::parse(&self.text) else {
            return within;
        };
        let Some(mut at) = find(doc.get_ref(), &within) else {
            return within;
        };
        for segment in pointer.split('/').skip(1) {
            let key = segment.replace("~1", "/").replace("~0", "~");
            let next = match at.get_ref() {
                DeValue::Table(t) => t
                    .iter()
                    .find(|(k, _)| k.get_ref().as_ref() == key)
                    .map(|(_, v)| v),
                DeValue::Array(a) => key.parse::<usize>().ok().and_then(|i| a.get(i)),
                _ => None,
            };
            match next {
                Some(v) => at = v,
                None => break,
            }
        }
        at.span()
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

/// The span of the key with the most dots outside strings and comments
/// (whitespace around the dots allowed, as TOML allows it).
fn deepest_dotted_key(text: &str) -> Option<std::ops::Range<usize>> {
    let mut best: Option<(usize, std::ops::Range<usize>)> = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let mut chain: Option<(usize, usize)> = None; // (start, dots)
        let mut end = 0;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut record = |chain: &mut Option<(usize, usize)>, end: usize| {
            if let Some((start, dots)) = chain.take()
                && dots > 0
                && best.as_ref().is_none_or(|(d, _)| dots > *d)
            {
                best = Some((dots, start..end.max(start)));
            }
        };
        for (i, c) in line.char_indices() {
            let at = offset + i;
            if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                    end = at + 1;
                }
                continue;
            }
            match c {
                '"' | '\'' => {
                    quote = Some(c);
                    chain.get_or_insert((at, 0));
                }
                '.' => {
                    if let Some((_, dots)) = chain.as_mut() {
                        *dots += 1;
                    }
                }
                c if c.is_ascii_alphanumeric() || c == '_' || c == '-' => {
                    chain.get_or_insert((at, 0));
                    end = at + c.len_utf8();
                }
                ' ' | '\t' => {}
                '#' => break,
                _ => record(&mut chain, end),
            }
        }
        record(&mut chain, end);
        offset += line.len();
    }
    best.map(|(_, span)| span)
}

fn help_for(message: &str) -> String {
    if message.contains("unknown field") {
        "see the configuration reference in README.md (`gate.toml`)".into()
    } else {
        "gate.toml is TOML; see the configuration reference in README.md".into()
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
    fn a_too_deep_dotted_key_points_at_the_key() {
        for (text, place) in [
            (
                format!("x = 1.5\n{}a = 1\n", "a.".repeat(50_000)),
                "gate.toml:2:1",
            ),
            (
                format!("[t]\n  [{}b]\n", "a . ".repeat(100)),
                "gate.toml:2:4",
            ),
        ] {
            let err = ConfigFile::parse("gate.toml", Path::new("gate.toml"), text).unwrap_err();
            assert_eq!(err.place, place, "{}", err.message);
            assert!(err.message.contains("nested too deeply"), "{}", err.message);
        }
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
        assert_eq!(c.limits.fuel.as_ref().map(|f| *f.get_ref()), Some(1000));
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
