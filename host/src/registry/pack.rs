//! `pack.toml`: a pack's manifest, its validation, and building the OCI
//! artifact from it.
//!
//! ```toml
//! name = "acme-gates"                 # kebab-case
//! version = "1.2.0"                   # semver
//! description = "Acme's CI gates"
//! min-gate-version = "0.1.0"          # optional: oldest gate that may run it
//! wit = "gate:policy@0.1.0"           # optional: the WIT package the components target
//!
//! [[policy]]                          # repeatable
//! name = "coverage"                   # selected with oci://...#coverage
//! component = "coverage.wasm"         # relative to pack.toml
//! level = "hard"                      # advisory | soft | hard (default)
//! params = { min-line = 80 }          # defaults, validated against the policy's schema
//! ```
//!
//! Building checks every component (it loads in gate's runtime and answers
//! `info()`, its params schema is a valid JSON Schema that accepts the
//! default params, its `gate:policy` imports are version 0.1.x), then
//! embeds the pack metadata as a `gate-pack` custom section into each
//! component, so the layer digests cover it.

use super::layout::{self, ANN_DESCRIPTION, ANN_TITLE, ANN_VERSION, Descriptor, Manifest, Pack};
use super::{ErrorKind, RegistryError, Result};
use crate::config::{Level, toml_to_json};
use crate::runtime::{CallEnv, CompileCache, Limits, Runtime};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The custom section the pack metadata is embedded in.
pub const SECTION: &str = "gate-pack";
/// The WIT package major.minor this gate implements.
pub const WIT_PACKAGE: &str = "gate:policy";
pub const WIT_VERSION: (u64, u64) = (0, 1);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PackToml {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub min_gate_version: Option<String>,
    #[serde(default)]
    pub wit: Option<String>,
    #[serde(default, rename = "policy")]
    pub policies: Vec<PolicyEntry>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyEntry {
    pub name: String,
    pub component: PathBuf,
    #[serde(default)]
    pub level: Level,
    #[serde(default)]
    pub params: Option<toml::Table>,
    #[serde(default)]
    pub description: Option<String>,
}

/// A pack this gate cannot run (versions, metadata).
fn incompatible(msg: impl Into<String>) -> RegistryError {
    RegistryError::of(ErrorKind::Incompatible, msg)
}

fn not_a_component(e: &wasmparser::BinaryReaderError) -> RegistryError {
    RegistryError::of(ErrorKind::NotAPack, format!("not a wasm component: {e}"))
}

fn bad(msg: impl Into<String>) -> RegistryError {
    RegistryError::new(msg)
}

/// `MAJOR.MINOR.PATCH` (pre-release/build suffixes ignored).
pub fn semver(v: &str) -> Option<(u64, u64, u64)> {
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u64>().ok());
    let out = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(out)
}

fn kebab(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.starts_with('-')
        && !s.ends_with('-')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks a `gate:policy@X.Y.Z` string against what this gate implements.
fn check_wit(v: &str, what: &str) -> Result<()> {
    let version = v
        .strip_prefix(WIT_PACKAGE)
        .and_then(|r| r.strip_prefix('@'))
        .ok_or_else(|| incompatible(format!("{what}: `{v}` is not `{WIT_PACKAGE}@VERSION`")))?;
    match semver(version) {
        Some((ma, mi, _)) if (ma, mi) == WIT_VERSION => Ok(()),
        _ => Err(incompatible(format!(
            "{what}: targets {v}, but this gate implements {WIT_PACKAGE}@{}.{}.x",
            WIT_VERSION.0, WIT_VERSION.1
        ))),
    }
}

impl PackToml {
    pub fn load(dir: &Path) -> Result<PackToml> {
        let path = dir.join("pack.toml");
        let text = crate::fsutil::read_to_string(&path)
            .map_err(|e| bad(format!("{}: {e}", path.display())))?;
        Self::parse(&path, &text)
    }

    /// Parses the text of `path` (named in errors); no file access, so the
    /// fuzz targets in `tests/fuzz` can drive it.
    pub fn parse(path: &Path, text: &str) -> Result<PackToml> {
        toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|s| {
                    let before = text.get(..s.start).unwrap_or("");
                    format!(":{}", before.matches('\n').count() + 1)
                })
                .unwrap_or_default();
            bad(format!(
                "{}{place}: {}",
                path.display(),
                e.message().trim_end()
            ))
        })
    }

    /// Checks the fields that do not need the components.
    pub fn check(&self) -> Result<()> {
        if !kebab(&self.name) {
            return Err(bad(format!("pack name `{}` must be kebab-case", self.name)));
        }
        if semver(&self.version).is_none() {
            return Err(bad(format!(
                "pack version `{}` is not semver (MAJOR.MINOR.PATCH)",
                self.version
            )));
        }
        check_gate_version(self.min_gate_version.as_deref())?;
        if let Some(w) = &self.wit {
            check_wit(w, "wit")?;
        }
        if self.policies.is_empty() {
            return Err(bad("the pack has no [[policy]]"));
        }
        let mut seen = std::collections::BTreeSet::new();
        for p in &self.policies {
            if !kebab(&p.name) {
                return Err(bad(format!("policy name `{}` must be kebab-case", p.name)));
            }
            if !seen.insert(p.name.as_str()) {
                return Err(bad(format!("policy `{}` is listed twice", p.name)));
            }
        }
        Ok(())
    }
}

/// The names a component imports and exports at its top level (what the
/// CNCF wasm config lists), in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Names {
    pub imports: Vec<String>,
    pub exports: Vec<String>,
}

impl Names {
    /// The `gate:policy/...@VERSION` names among them.
    fn wit(&self) -> impl Iterator<Item = &str> {
        self.imports
            .iter()
            .chain(&self.exports)
            .map(String::as_str)
            .filter(|n| n.starts_with("gate:policy/"))
    }
}

/// What one pass over a component's top level finds: its import and
/// export names, and the `gate-pack` section (its whole byte range, header
/// included, and its data).
struct Scan<'a> {
    names: Names,
    section: Option<(std::ops::Range<usize>, &'a [u8])>,
}

fn scan(bytes: &[u8]) -> Result<Scan<'_>> {
    use wasmparser::{Parser, Payload};
    let mut out = Scan {
        names: Names::default(),
        section: None,
    };
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_a_component(&e))?;
        match payload {
            Payload::ModuleSection { .. } | Payload::ComponentSection { .. } => depth += 1,
            Payload::End(_) => depth = depth.saturating_sub(1),
            Payload::ComponentImportSection(r) if depth == 0 => {
                for i in r {
                    let i = i.map_err(|e| not_a_component(&e))?;
                    out.names.imports.push(i.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(r) if depth == 0 => {
                for x in r {
                    let x = x.map_err(|e| not_a_component(&e))?;
                    out.names.exports.push(x.name.name.to_string());
                }
            }
            Payload::CustomSection(c) if depth == 0 && c.name() == SECTION => {
                let content = c.range();
                let header = 1 + leb_len(content.len() as u64);
                let start = content
                    .start
                    .checked_sub(header)
                    .ok_or_else(|| bad("malformed gate-pack section"))?;
                out.section = Some((start..content.end, c.data()));
            }
            _ => {}
        }
    }
    Ok(out)
}

pub fn component_names(bytes: &[u8]) -> Result<Names> {
    Ok(scan(bytes)?.names)
}

/// Checks the `gate:policy/...` names a component imports and exports
/// against the WIT package this gate implements.
fn check_imports(names: &Names, what: &str) -> Result<()> {
    for n in names.wit() {
        let pkg = n.split_once('/').map_or(n, |(a, _)| a);
        let version = n.rsplit_once('@').map(|(_, v)| v).unwrap_or("");
        check_wit(
            &format!("{pkg}@{version}"),
            &format!("{what} imports `{n}`, which"),
        )?;
    }
    Ok(())
}

/// The `gate-pack` metadata embedded in a component as JSON: `None`
/// without the section, an error when it is not JSON.
pub fn embedded_json(bytes: &[u8]) -> Result<Option<serde_json::Value>> {
    scan(bytes)?
        .section
        .map(|(_, data)| section_json(data))
        .transpose()
}

fn section_json(data: &[u8]) -> Result<serde_json::Value> {
    serde_json::from_slice(data)
        .map_err(|e| incompatible(format!("the `{SECTION}` section is not pack metadata: {e}")))
}

/// What `gate pack build` embedded in a component: the pack it belongs to
/// and the policy's defaults. The layer digest covers it, so it is as
/// trustworthy as the component itself.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Embedded {
    pub pack: String,
    pub pack_version: String,
    #[serde(default)]
    pub min_gate_version: Option<String>,
    #[serde(default)]
    pub wit: Option<String>,
    pub policy: EmbeddedPolicy,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct EmbeddedPolicy {
    pub name: String,
    /// The pack's enforcement level, used when `gate.toml` gives none.
    #[serde(default)]
    pub level: Option<Level>,
    /// The pack's default params; `gate.toml` params override them key by key.
    #[serde(default)]
    pub params: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Embedded {
    /// The metadata of a component: `None` without a `gate-pack` section,
    /// an error when the section is there but unreadable or asks for
    /// another gate (a policy whose defaults cannot be known must not run
    /// without them).
    pub fn of(bytes: &[u8]) -> Result<Option<Embedded>> {
        scan(bytes)?
            .section
            .map(|(_, data)| Embedded::parse(data))
            .transpose()
    }

    fn parse(data: &[u8]) -> Result<Embedded> {
        let e: Embedded = serde_json::from_value(section_json(data)?).map_err(|e| {
            incompatible(format!("the `{SECTION}` section is not pack metadata: {e}"))
        })?;
        check_gate_version(e.min_gate_version.as_deref())?;
        if let Some(w) = &e.wit {
            check_wit(w, &format!("pack {} {}", e.pack, e.pack_version))?;
        }
        Ok(e)
    }
}

/// Refuses a pack that needs a newer gate than this one.
pub fn check_gate_version(min: Option<&str>) -> Result<()> {
    let Some(min) = min else { return Ok(()) };
    let want = semver(min)
        .ok_or_else(|| incompatible(format!("min-gate-version `{min}` is not semver")))?;
    let have = semver(env!("CARGO_PKG_VERSION")).unwrap_or((0, 0, 0));
    if want > have {
        return Err(incompatible(format!(
            "the pack needs gate {min} or newer; this is gate {} (upgrade gate or pin an older pack)",
            env!("CARGO_PKG_VERSION")
        )));
    }
    Ok(())
}

/// Checks a pulled pack against this gate: the manifest's minimum gate and
/// WIT versions, and every component's embedded metadata.
pub fn check_compatible(p: &Pack) -> Result<()> {
    let ann = &p.manifest.annotations;
    check_gate_version(ann.get(layout::ANN_MIN_GATE).map(String::as_str))?;
    if let Some(w) = ann.get(layout::ANN_WIT) {
        check_wit(w, "the pack")?;
    }
    for (d, bytes) in &p.layers {
        let layer = format!("layer {}", d.digest);
        let found = scan(bytes).map_err(|e| e.context(&layer))?;
        if let Some((_, data)) = found.section {
            Embedded::parse(data).map_err(|e| e.context(&layer))?;
        }
        // What the component really imports, not only what the pack claims.
        check_imports(&found.names, &layer)?;
    }
    Ok(())
}

fn leb_len(mut v: u64) -> usize {
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

fn leb(mut v: u64, out: &mut Vec<u8>) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The component with its `gate-pack` section replaced by `metadata`
/// (custom sections may appear anywhere in a component; ours is last).
pub fn embed_metadata(bytes: &[u8], metadata: &[u8]) -> Result<Vec<u8>> {
    let mut out = match scan(bytes)?.section {
        Some((range, _)) => {
            let (a, b) = (
                bytes.get(..range.start).unwrap_or_default(),
                bytes.get(range.end..).unwrap_or_default(),
            );
            [a, b].concat()
        }
        None => bytes.to_vec(),
    };
    let mut content = Vec::new();
    leb(SECTION.len() as u64, &mut content);
    content.extend_from_slice(SECTION.as_bytes());
    content.extend_from_slice(metadata);
    out.push(0);
    leb(content.len() as u64, &mut out);
    out.extend_from_slice(&content);
    Ok(out)
}

/// What `gate pack build` checked about one policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuiltPolicy {
    pub name: String,
    pub policy: String,
    pub version: String,
    pub digest: String,
    pub size: u64,
}

/// Validates the pack in `dir` and builds it in memory.
pub fn build(dir: &Path) -> Result<(Pack, Vec<BuiltPolicy>)> {
    let toml = PackToml::load(dir)?;
    toml.check()?;
    let runtime = Runtime::new(Limits::default(), CompileCache::disabled())
        .map_err(|e| bad(format!("cannot start the wasm runtime: {e:#}")))?;
    let env = CallEnv {
        now: Duration::from_secs(0),
    };
    let mut layers = Vec::new();
    let mut built = Vec::new();
    for p in &toml.policies {
        let what = format!("policy `{}`", p.name);
        let path = dir.join(&p.component);
        let bytes = crate::fsutil::read(&path)
            .map_err(|e| bad(format!("{what}: {}: {e}", path.display())))?;
        check_imports(
            &component_names(&bytes).map_err(|e| e.context(&what))?,
            &what,
        )?;
        let info = runtime
            .load(&bytes)
            .and_then(|loaded| runtime.info(&loaded, env))
            .map_err(|e| {
                bad(format!(
                    "{what}: {} does not implement the gate:policy world: {e}",
                    path.display()
                ))
            })?;
        // The same validation as a run's (formats asserted): defaults a run
        // would refuse must not get into a pack.
        let params = p.params.as_ref().map_or_else(
            || serde_json::json!({}),
            |t| toml_to_json(&toml::Value::Table(t.clone())),
        );
        match crate::params::validate(&info.params_schema, &params) {
            Ok(()) => {}
            Err(crate::params::ParamsProblem::BadSchema(e)) => {
                return Err(bad(format!(
                    "{what}: the params schema is not a valid JSON Schema: {e}"
                )));
            }
            Err(crate::params::ParamsProblem::Invalid(errors)) => {
                return Err(bad(format!(
                    "{what}: the default params do not match the policy's schema: {}",
                    errors.join("; ")
                )));
            }
        }
        let metadata = serde_json::json!({
            "pack": toml.name,
            "pack-version": toml.version,
            "description": toml.description,
            "min-gate-version": toml.min_gate_version,
            "wit": toml.wit.clone().unwrap_or_else(|| format!("{WIT_PACKAGE}@0.1.0")),
            "policy": {
                "name": p.name,
                "level": p.level,
                "params": params,
                "description": p.description.clone().unwrap_or(info.description.clone()),
            },
        });
        let component = embed_metadata(&bytes, metadata.to_string().as_bytes())?;
        // The bytes that ship are the ones checked.
        runtime
            .load(&component)
            .and_then(|loaded| runtime.info(&loaded, env))
            .map_err(|e| {
                bad(format!(
                    "{what}: the component with pack metadata does not load: {e}"
                ))
            })?;
        let mut desc = Descriptor::of(layout::WASM_LAYER, &component);
        desc.annotations
            .insert(ANN_TITLE.into(), format!("{}.wasm", p.name));
        desc.annotations
            .insert(layout::ANN_POLICY.into(), p.name.clone());
        desc.annotations.insert(
            layout::ANN_LEVEL.into(),
            serde_json::to_value(p.level)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
        );
        built.push(BuiltPolicy {
            name: p.name.clone(),
            policy: info.name.clone(),
            version: info.version.clone(),
            digest: desc.digest.clone(),
            size: desc.size,
        });
        layers.push((desc, component));
    }
    let mut interface = Names::default();
    for (_, bytes) in &layers {
        let n = component_names(bytes)?;
        // Interfaces only (`ns:pkg/name@version`), not the world's imported types.
        interface
            .imports
            .extend(n.imports.into_iter().filter(|i| i.contains(':')));
        interface.exports.extend(n.exports);
    }
    for list in [&mut interface.imports, &mut interface.exports] {
        list.sort();
        list.dedup();
    }
    let config = serde_json::json!({
        "architecture": "wasm",
        "os": "wasip2",
        "layerDigests": layers.iter().map(|(d, _)| d.digest.clone()).collect::<Vec<_>>(),
        // What the components really import and export (all of them, so
        // a runtime can tell which WASI interfaces the pack needs).
        "component": {
            "exports": interface.exports,
            "imports": interface.imports,
            "target": format!("{WIT_PACKAGE}/policy@0.1.0"),
        },
    })
    .to_string()
    .into_bytes();
    let mut annotations = BTreeMap::from([
        (ANN_TITLE.to_string(), toml.name.clone()),
        (ANN_VERSION.to_string(), toml.version.clone()),
        (ANN_DESCRIPTION.to_string(), toml.description.clone()),
        (
            layout::ANN_WIT.to_string(),
            toml.wit
                .clone()
                .unwrap_or_else(|| format!("{WIT_PACKAGE}@0.1.0")),
        ),
    ]);
    if let Some(m) = &toml.min_gate_version {
        annotations.insert(layout::ANN_MIN_GATE.into(), m.clone());
    }
    if let Some(t) = created() {
        annotations.insert(layout::ANN_CREATED.into(), t);
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(layout::MANIFEST.into()),
        artifact_type: None,
        config: Descriptor::of(layout::WASM_CONFIG, &config),
        layers: layers.iter().map(|(d, _)| d.clone()).collect(),
        subject: None,
        annotations,
    };
    let manifest_bytes = serde_json::to_vec(&manifest)
        .map_err(|e| bad(format!("cannot encode the manifest: {e}")))?;
    Ok((
        Pack {
            digest: layout::digest_of(&manifest_bytes),
            manifest_bytes,
            manifest,
            config,
            layers,
        },
        built,
    ))
}

/// `created` only from `SOURCE_DATE_EPOCH`, so builds are reproducible.
fn created() -> Option<String> {
    let secs: i64 = std::env::var("SOURCE_DATE_EPOCH")
        .ok()?
        .trim()
        .parse()
        .ok()?;
    jiff::Timestamp::from_second(secs)
        .ok()
        .map(|t| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_and_wit() {
        assert_eq!(semver("1.2.3"), Some((1, 2, 3)));
        assert_eq!(semver("1.2.3-rc.1"), Some((1, 2, 3)));
        assert_eq!(semver("1.2"), None);
        assert!(check_wit("gate:policy@0.1.7", "wit").is_ok());
        assert!(check_wit("gate:policy@0.2.0", "wit").is_err());
        assert!(check_wit("other:policy@0.1.0", "wit").is_err());
    }

    #[test]
    fn embeds_and_replaces_the_section() {
        let coverage = crate::policies::builtin::get("coverage").unwrap();
        let once = embed_metadata(coverage, br#"{"a":1}"#).unwrap();
        assert_eq!(
            embedded_json(&once).unwrap(),
            Some(serde_json::json!({"a":1}))
        );
        let twice = embed_metadata(&once, br#"{"b":2}"#).unwrap();
        assert_eq!(
            embedded_json(&twice).unwrap(),
            Some(serde_json::json!({"b":2}))
        );
        assert_eq!(twice.len(), once.len());
    }
}
