//! Fuzz targets for everything gate reads from a user: every artifact format
//! (forced, and with detection), unified diffs, `gate.toml`, params against
//! the built-in policies' schemas, and `pack.toml`.
//!
//! [`check`] runs one input through one target and panics when a property
//! fails; libFuzzer (`fuzz_targets/`) and the stable driver (`src/main.rs`)
//! both call it. Properties, beyond "never panics":
//! - a parsed artifact's model re-serializes stably, and a forced format is
//!   the format reported;
//! - a document that parsed is not also "complete" when cut short: JSON and
//!   XML documents cut before their end are input errors, never a smaller
//!   model;
//! - errors carry a stable kebab-case code and a message;
//! - changed lines from a diff are sorted, unique, positive and no more than
//!   the diff has lines;
//! - config, params and pack errors say where.
//!
//! Memory is bounded by the drivers (libFuzzer's `-rss_limit_mb` and
//! `-malloc_limit_mb`; the stable driver counts allocations).
// A fuzz target reports a broken property by panicking.
#![allow(clippy::panic)]

use gate_artifacts::{Format, Model, ParseOptions, Parsed};

/// Every target, in the order the drivers run them.
pub const TARGETS: &[&str] = &[
    "artifact_lcov",
    "artifact_cobertura",
    "artifact_jacoco",
    "artifact_istanbul",
    "artifact_istanbul_summary",
    "artifact_go_cover",
    "artifact_coveragepy",
    "artifact_clover",
    "artifact_sarif",
    "artifact_trivy",
    "artifact_grype",
    "artifact_npm_audit",
    "artifact_cargo_audit",
    "artifact_pip_audit",
    "artifact_osv_scanner",
    "artifact_gitleaks",
    "artifact_terraform_plan",
    "artifact_kubernetes",
    "artifact_cloudformation",
    "artifact_dockerfile",
    "artifact_github_reviews",
    "artifact_github_event",
    "artifact_gitlab_approvals",
    "artifact_gate_approvals",
    "artifact_junit",
    "artifact_go_test_json",
    "artifact_tap",
    "artifact_ctrf",
    "artifact_libtest_json",
    "artifact_hyperfine",
    "artifact_hyperfine_csv",
    "artifact_pytest_benchmark",
    "artifact_go_bench",
    "artifact_go_bench_json",
    "artifact_locust_stats",
    "artifact_locust_failures",
    "artifact_locust_history",
    "artifact_locust_json",
    "artifact_lighthouse",
    "artifact_criterion",
    "artifact_prometheus",
    "artifact_detect",
    "diff",
    "config",
    "params",
    "pack_toml",
];

/// Properties that can be switched off by name (`GATE_FUZZ_ALLOW=a,b`) to
/// keep fuzzing past a known, reported bug.
fn enforced(property: &str) -> bool {
    std::env::var("GATE_FUZZ_ALLOW")
        .map(|v| !v.split(',').any(|p| p.trim() == property))
        .unwrap_or(true)
}

/// The format an `artifact_*` target forces (`None` for detection).
pub fn target_format(target: &str) -> Option<Option<Format>> {
    let rest = target.strip_prefix("artifact_")?;
    if rest == "detect" {
        return Some(None);
    }
    rest.replace('_', "-").parse().ok().map(Some)
}

/// Runs `data` through `target`; panics when a property does not hold.
pub fn check(target: &str, data: &[u8]) {
    if let Some(format) = target_format(target) {
        return artifact(format, data);
    }
    match target {
        "diff" => diff(data),
        #[cfg(feature = "host")]
        "config" => host::config(data),
        #[cfg(feature = "host")]
        "params" => host::params(data),
        #[cfg(feature = "host")]
        "pack_toml" => host::pack_toml(data),
        _ => panic!("unknown fuzz target `{target}`"),
    }
}

fn kebab(code: &str) -> bool {
    !code.is_empty()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn artifact(format: Option<Format>, data: &[u8]) {
    let options = ParseOptions::default();
    let parsed = match gate_artifacts::parse("fuzz", data, format, &options) {
        Ok(p) => p,
        Err(e) => {
            assert!(
                kebab(e.code.as_str()),
                "error code `{}` is not kebab-case",
                e.code
            );
            assert!(
                !e.message.is_empty(),
                "error `{}` without a message",
                e.code
            );
            return;
        }
    };
    if let Some(f) = format {
        assert_eq!(parsed.format, f, "forced format not honoured");
    }
    stable_model(&parsed);
    if let Ok(text) = std::str::from_utf8(data) {
        cut_short(&parsed, format, text, &options);
    }
}

/// The model survives a JSON round trip unchanged: nothing in it that a
/// report or a policy would see differently (NaN, lossy numbers).
fn stable_model(parsed: &Parsed) {
    fn round<T: serde::Serialize + serde::de::DeserializeOwned>(m: &T) {
        let once =
            serde_json::to_string(m).unwrap_or_else(|e| panic!("model does not serialize: {e}"));
        let back: T = serde_json::from_str(&once)
            .unwrap_or_else(|e| panic!("model does not read back ({e}): {once}"));
        let twice = serde_json::to_string(&back)
            .unwrap_or_else(|e| panic!("model does not serialize again: {e}"));
        assert_eq!(once, twice, "model is not stable through JSON");
    }
    match &parsed.model {
        Model::Coverage(m) => round(m),
        Model::Findings(m) => round(m),
        Model::Iac(m) => round(m),
        Model::Approvals(m) => round(m),
        Model::Tests(m) => round(m),
        Model::Performance(m) => round(m),
        Model::Metrics(m) => round(m),
    }
}

/// A complete JSON or XML document cut before its end must not parse: the
/// reader would otherwise judge half a report.
fn cut_short(parsed: &Parsed, forced: Option<Format>, text: &str, options: &ParseOptions) {
    let body = text.trim_end();
    let json = parsed.format.is_json() && {
        let t = body.trim_start_matches('\u{feff}').trim_start();
        t.starts_with('{') || t.starts_with('[')
    };
    let xml = matches!(
        parsed.format,
        Format::Cobertura | Format::Jacoco | Format::Clover | Format::Junit
    );
    let cut = if json {
        // Drop the closing bracket.
        body.len().saturating_sub(1)
    } else if xml && enforced("xml-truncation") {
        // Drop the root's end tag.
        match body.rfind('<') {
            Some(i) if i > 0 => i,
            _ => return,
        }
    } else {
        return;
    };
    let Some(prefix) = body.get(..cut) else {
        return;
    };
    if let Ok(p) = gate_artifacts::parse("fuzz", prefix.as_bytes(), forced, options) {
        panic!(
            "a {} document cut before its end parsed as {} ({} bytes of {})",
            parsed.format,
            p.format,
            prefix.len(),
            text.len()
        );
    }
}

fn diff(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match gate_artifacts::diff::parse("fuzz.diff", text) {
        Ok((files, _warnings)) => {
            let lines = text.lines().count();
            let mut total = 0usize;
            for f in &files {
                assert!(!f.path.is_empty(), "changed file without a path");
                assert!(
                    f.lines.windows(2).all(|w| matches!(w, [a, b] if a < b)),
                    "{}: changed lines not sorted and unique: {:?}",
                    f.path,
                    f.lines
                );
                assert!(!f.lines.contains(&0), "{}: line 0 changed", f.path);
                total += f.lines.len();
            }
            assert!(
                total <= lines,
                "{total} changed lines from a diff of {lines} lines"
            );
        }
        Err(e) => assert!(
            kebab(e.code.as_str()),
            "error code `{}` is not kebab-case",
            e.code
        ),
    }
}

#[cfg(feature = "host")]
mod host {
    use super::enforced;
    use gate::config::{ConfigFile, toml_to_json};
    use gate::params::{ParamsProblem, validate as validate_params};
    use gate::policies::PolicyRef;
    use gate_oci::PackToml;
    use std::path::Path;

    /// The built-in policies' params schemas.
    pub const SCHEMAS: &[(&str, &str)] = &[
        (
            "coverage",
            include_str!("../../../policies/coverage/src/params.schema.json"),
        ),
        (
            "security",
            include_str!("../../../policies/security/src/params.schema.json"),
        ),
        (
            "approvals",
            include_str!("../../../policies/approvals/src/params.schema.json"),
        ),
        (
            "iac",
            include_str!("../../../policies/iac/src/params.schema.json"),
        ),
    ];

    pub fn config(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        let file = match ConfigFile::parse("gate.toml", Path::new("gate.toml"), text.to_string()) {
            Ok(f) => f,
            Err(e) => {
                assert!(!e.message.is_empty(), "config error without a message");
                if enforced("config-place") {
                    let at = e.place.strip_prefix("gate.toml:").unwrap_or_else(|| {
                        panic!("config error `{}` without a place: {}", e.message, e.place)
                    });
                    let mut lc = at.split(':').map(str::parse::<u64>);
                    assert!(
                        matches!((lc.next(), lc.next()), (Some(Ok(l)), Some(Ok(c))) if l > 0 && c > 0),
                        "config error `{}` at `{}`: not line:column",
                        e.message,
                        e.place
                    );
                }
                return;
            }
        };
        // What `gate check` derives from the config without touching files.
        let c = &file.config;
        for a in &c.artifacts {
            if let Some(f) = &a.format {
                let _ = f.get_ref().parse::<gate_artifacts::Format>();
            }
        }
        for p in &c.policies {
            let _ = PolicyRef::parse(p.uses.get_ref(), &file.base_dir());
            if let Some(t) = &p.params {
                let _ = toml_to_json(&toml::Value::Table(t.get_ref().clone()));
            }
        }
    }

    /// First byte: which built-in schema; the rest: params as JSON.
    pub fn params(data: &[u8]) {
        let Some((which, json)) = data.split_first() else {
            return;
        };
        let Some((name, schema)) = SCHEMAS.get(usize::from(*which) % SCHEMAS.len()) else {
            return;
        };
        let Ok(params) = serde_json::from_slice::<serde_json::Value>(json) else {
            return;
        };
        match validate_params(schema, &params) {
            Ok(()) => {}
            Err(ParamsProblem::Invalid(msgs)) => {
                assert!(!msgs.is_empty(), "{name}: refused without a reason");
            }
            Err(ParamsProblem::BadSchema(e)) => panic!("{name}: built-in schema refused: {e}"),
        }
    }

    pub fn pack_toml(data: &[u8]) {
        let Ok(text) = std::str::from_utf8(data) else {
            return;
        };
        match PackToml::parse(Path::new("pack.toml"), text) {
            Ok(pack) => {
                if let Err(e) = pack.check() {
                    assert!(!e.message.is_empty(), "pack check error without a message");
                }
            }
            Err(e) => assert!(
                e.message.starts_with("pack.toml"),
                "pack.toml error does not name the file: {}",
                e.message
            ),
        }
    }
}

#[cfg(feature = "host")]
pub use host::SCHEMAS;
