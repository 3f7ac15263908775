//! `pack.toml`: a pack's manifest, its validation, and building the OCI
//! artifact from it.
//!
//! ```toml
//! name = "acme-gates"                 # kebab-case
//! version = "1.2.0"                   # semver
//! description = "Acme's CI gates"
//! min-gate-version = "0.1.0"          # optional: oldest gate that may run it
//! wit = "gate:policy@0.2.0"           # optional: the WIT package the components target
//!
//! [[policy]]                          # repeatable
//! name = "coverage"                   # selected with oci://...#coverage
//! component = "coverage.wasm"         # relative to pack.toml
//! level = "hard"                      # advisory | soft | hard (default)
//! params = { min-line = 80 }          # defaults, validated against the policy's schema
//!
//! [[policy]]                          # a Rego policy: run by builtin:rego
//! name = "k8s"
//! rego = ["policy/*.rego"]            # globs relative to pack.toml
//! data = ["data/*.json"]              # optional: data documents (JSON or YAML)
//! ```
//!
//! Building checks every component (its `gate:policy` imports are version
//! 0.2.x; through the caller's [`ComponentCheck`], it loads in gate's
//! runtime and answers `info()`, and its params schema is a valid JSON
//! Schema that accepts the default params), then embeds the pack metadata
//! as a `gate-pack` custom section into each component, so the layer
//! digests cover it. A Rego policy's layer is gate's `builtin:rego`
//! component with the modules and data in that section (so the digest and
//! signatures cover them too), each module parsed once at build time by
//! the caller's [`ComponentCheck::rego`].

use crate::error::{ErrorKind, RegistryError, Result};
use crate::manifest::{
    self, ANN_DESCRIPTION, ANN_TITLE, ANN_VERSION, Descriptor, Manifest, Pack, digest_of,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The custom section the pack metadata is embedded in.
pub(crate) const SECTION: &str = "gate-pack";
/// The WIT package major.minor this gate implements.
pub(crate) const WIT_PACKAGE: &str = "gate:policy";
pub(crate) const WIT_VERSION: (u64, u64) = (0, 2);

/// Sentinel-style enforcement levels: what a failing policy does to the
/// gate. A pack gives each policy a default; `gate.toml` may set its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default, Serialize)]
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

/// A TOML value as JSON: how the params of `pack.toml` and of `gate.toml`
/// are both read, so a user's key replaces a pack's default of the same
/// value exactly. Datetimes become their TOML text; NaN becomes null.
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

/// A `pack.toml`.
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

/// One `[[policy]]` of a `pack.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PolicyEntry {
    pub name: String,
    /// The component (a `.wasm` file); or, for a Rego policy, `rego`.
    #[serde(default)]
    pub component: Option<PathBuf>,
    /// Globs of Rego modules: the policy is `builtin:rego` over them.
    #[serde(default)]
    pub rego: Vec<String>,
    /// Globs of data documents for a Rego policy.
    #[serde(default)]
    pub data: Vec<String>,
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
    // wasmparser's text for a wrong header dumps both byte arrays over
    // many lines; the cause in one line says the same.
    let why = if e.message().starts_with("magic header not detected") {
        "it does not start with the wasm header".to_string()
    } else {
        format!("{} (at byte {})", e.message(), e.offset())
    };
    RegistryError::of(ErrorKind::NotAPack, format!("not a wasm component: {why}"))
}

fn bad(msg: impl Into<String>) -> RegistryError {
    RegistryError::new(msg)
}

/// A SemVer 2.0 version (`MAJOR.MINOR.PATCH[-PRE][+BUILD]`).
fn semver(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v).ok()
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
        Some(v) if (v.major, v.minor) == WIT_VERSION => Ok(()),
        _ => Err(incompatible(format!(
            "{what}: targets {v}, but this gate implements {WIT_PACKAGE}@{0}.{1}.x: rebuild the components against {WIT_PACKAGE}@{0}.{1}",
            WIT_VERSION.0, WIT_VERSION.1
        ))),
    }
}

impl PackToml {
    /// The `pack.toml` in `dir`, parsed (not checked: see [`PackToml::check`]).
    pub fn load(dir: &Path) -> Result<PackToml> {
        let path = dir.join("pack.toml");
        let text = gate_fsutil::read_to_string(&path)
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
            match (&p.component, p.rego.is_empty()) {
                (Some(_), false) => {
                    return Err(bad(format!(
                        "policy `{}`: give either `component` or `rego`, not both",
                        p.name
                    )));
                }
                (None, true) => {
                    return Err(bad(format!(
                        "policy `{}`: give `component = \"FILE.wasm\"` or `rego = [\"policy/*.rego\"]`",
                        p.name
                    )));
                }
                _ => {}
            }
            if !p.data.is_empty() && p.rego.is_empty() {
                return Err(bad(format!(
                    "policy `{}`: `data` is for Rego policies (with `rego`) only",
                    p.name
                )));
            }
        }
        Ok(())
    }
}

/// The names a component imports and exports at its top level (what the
/// CNCF wasm config lists), in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Names {
    imports: Vec<String>,
    exports: Vec<String>,
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
    // Top-level sections follow each other with no gap, so a section's
    // header starts where the previous one ended, however its size is
    // encoded (a LEB128 may be padded).
    let mut section_start = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| not_a_component(&e))?;
        let top_level = depth == 0;
        let end = match &payload {
            Payload::Version { range, .. } => Some(range.end),
            p => p.as_section().map(|(_, range)| range.end),
        };
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
                out.section = Some((section_start..c.range().end, c.data()));
            }
            _ => {}
        }
        if top_level && let Some(end) = end {
            section_start = end;
        }
    }
    Ok(out)
}

fn component_names(bytes: &[u8]) -> Result<Names> {
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
    /// A Rego policy's modules and data (the component is `builtin:rego`).
    #[serde(default)]
    pub rego: Option<RegoFiles>,
}

/// The Rego modules and data documents of a pack's Rego policy, as they
/// were when the pack was built.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct RegoFiles {
    /// (path relative to pack.toml, module source), sorted by path.
    pub modules: Vec<RegoFile>,
    /// (path, the document as JSON), in the order the globs found them.
    #[serde(default)]
    pub data: Vec<RegoFile>,
}

/// One file of [`RegoFiles`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct RegoFile {
    pub path: String,
    pub text: String,
}

/// A Rego policy ready to embed: `builtin:rego`'s component and the files,
/// every module parsed.
#[derive(Debug, Clone)]
pub struct RegoPolicy {
    pub component: Vec<u8>,
    pub files: RegoFiles,
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

/// Refuses a pack that needs a newer gate than this one (gate's version is
/// this crate's: the workspace versions them together).
fn check_gate_version(min: Option<&str>) -> Result<()> {
    let Some(min) = min else { return Ok(()) };
    let want = semver(min)
        .ok_or_else(|| incompatible(format!("min-gate-version `{min}` is not semver")))?;
    let have = semver(env!("CARGO_PKG_VERSION")).unwrap_or(semver::Version::new(0, 0, 0));
    // Precedence, not `Ord`: build metadata does not make a version newer.
    if want.cmp_precedence(&have).is_gt() {
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
    check_gate_version(ann.get(manifest::ANN_MIN_GATE).map(String::as_str))?;
    if let Some(w) = ann.get(manifest::ANN_WIT) {
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
    use wasm_encoder::ComponentSection as _;
    wasm_encoder::CustomSection {
        name: SECTION.into(),
        data: metadata.into(),
    }
    .append_to_component(&mut out);
    Ok(out)
}

/// What `gate pack build` checked about one policy.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BuiltPolicy {
    /// The policy's name in the pack.
    pub name: String,
    /// The component's own name and version (its `info()`).
    pub policy: String,
    pub version: String,
    /// The layer: the component with its pack metadata.
    pub digest: String,
    pub size: u64,
}

/// What a component says about itself (its `info()`), as far as building
/// a pack needs it.
#[derive(Debug, Clone)]
pub struct ComponentInfo {
    pub name: String,
    pub version: String,
    pub description: String,
    /// The JSON Schema of its params, as text.
    pub params_schema: String,
}

/// Why default params were refused.
#[derive(Debug, Clone)]
pub enum ParamsRejection {
    /// The policy's params schema is not a valid JSON Schema.
    BadSchema(String),
    /// The params do not match the schema: one message per problem.
    Invalid(Vec<String>),
}

/// The checks of a component that need gate's wasm runtime and params
/// validator; the caller (gate's CLI) provides them, so this crate needs
/// neither.
pub trait ComponentCheck {
    /// Loads the component and calls its `info()`; the error says why
    /// either failed.
    fn info(&self, component: &[u8]) -> std::result::Result<ComponentInfo, String>;

    /// Validates default params against a policy's params schema, as a run
    /// would (formats asserted).
    fn check_params(
        &self,
        schema: &str,
        params: &serde_json::Value,
    ) -> std::result::Result<(), ParamsRejection>;

    /// A Rego policy: the `rego` and `data` globs (relative to `dir`)
    /// expanded and read, every module parsed with the pack's default
    /// `params` (an error says `file:line:col`), and the component that
    /// runs them.
    fn rego(
        &self,
        _dir: &Path,
        _rego: &[String],
        _data: &[String],
        _params: &serde_json::Value,
    ) -> std::result::Result<RegoPolicy, String> {
        Err("this checker cannot build Rego policies".into())
    }
}

/// Builds the pack of `toml` (from `dir`, checked with
/// [`PackToml::check`]) in memory: each component is read, checked (its
/// WIT imports here, the rest by `check`), given the pack metadata and
/// checked again as it will ship.
pub fn build(
    dir: &Path,
    toml: &PackToml,
    check: &dyn ComponentCheck,
) -> Result<(Pack, Vec<BuiltPolicy>)> {
    let mut layers = Vec::new();
    let mut built = Vec::new();
    for p in &toml.policies {
        let what = format!("policy `{}`", p.name);
        // Read as gate.toml's params are.
        let params = p.params.as_ref().map_or_else(
            || serde_json::json!({}),
            |t| toml_to_json(&toml::Value::Table(t.clone())),
        );
        let (path, bytes, rego) = match &p.component {
            Some(c) => {
                let path = dir.join(c);
                let bytes = gate_fsutil::read(&path)
                    .map_err(|e| bad(format!("{what}: {}: {e}", path.display())))?;
                (path, bytes, None)
            }
            None => {
                let r = check
                    .rego(dir, &p.rego, &p.data, &params)
                    .map_err(|e| bad(format!("{what}: {e}")))?;
                (PathBuf::from("builtin:rego"), r.component, Some(r.files))
            }
        };
        check_imports(
            &component_names(&bytes).map_err(|e| e.context(&what))?,
            &what,
        )?;
        let info = check.info(&bytes).map_err(|e| {
            bad(format!(
                "{what}: {} does not implement the gate:policy world: {e}",
                path.display()
            ))
        })?;
        // The same validation as a run's: defaults a run would refuse must
        // not get into a pack.
        match check.check_params(&info.params_schema, &params) {
            Ok(()) => {}
            Err(ParamsRejection::BadSchema(e)) => {
                return Err(bad(format!(
                    "{what}: the params schema is not a valid JSON Schema: {e}"
                )));
            }
            Err(ParamsRejection::Invalid(errors)) => {
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
            "wit": toml.wit.clone().unwrap_or_else(|| format!("{WIT_PACKAGE}@0.2.0")),
            "policy": {
                "name": p.name,
                "level": p.level,
                "params": params,
                "description": p.description.clone().unwrap_or(info.description.clone()),
            },
        });
        // Only a Rego policy has the key: other layers stay byte for byte
        // what they were.
        let mut metadata = metadata;
        if let Some(files) = &rego
            && let Some(policy) = metadata.get_mut("policy").and_then(|v| v.as_object_mut())
        {
            policy.insert(
                "rego".into(),
                serde_json::to_value(files)
                    .map_err(|e| bad(format!("{what}: cannot encode the Rego files: {e}")))?,
            );
        }
        let component = embed_metadata(&bytes, metadata.to_string().as_bytes())?;
        // The bytes that ship are the ones checked.
        check.info(&component).map_err(|e| {
            bad(format!(
                "{what}: the component with pack metadata does not load: {e}"
            ))
        })?;
        let mut desc = Descriptor::of(manifest::WASM_LAYER, &component);
        desc.annotations
            .insert(ANN_TITLE.into(), format!("{}.wasm", p.name));
        desc.annotations
            .insert(manifest::ANN_POLICY.into(), p.name.clone());
        desc.annotations.insert(
            manifest::ANN_LEVEL.into(),
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
            "target": format!("{WIT_PACKAGE}/policy@0.2.0"),
        },
    })
    .to_string()
    .into_bytes();
    let mut annotations = BTreeMap::from([
        (ANN_TITLE.to_string(), toml.name.clone()),
        (ANN_VERSION.to_string(), toml.version.clone()),
        (ANN_DESCRIPTION.to_string(), toml.description.clone()),
        (
            manifest::ANN_WIT.to_string(),
            toml.wit
                .clone()
                .unwrap_or_else(|| format!("{WIT_PACKAGE}@0.2.0")),
        ),
    ]);
    if let Some(m) = &toml.min_gate_version {
        annotations.insert(manifest::ANN_MIN_GATE.into(), m.clone());
    }
    if let Some(t) = created() {
        annotations.insert(manifest::ANN_CREATED.into(), t);
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(manifest::MANIFEST.into()),
        artifact_type: None,
        config: Descriptor::of(manifest::WASM_CONFIG, &config),
        layers: layers.iter().map(|(d, _)| d.clone()).collect(),
        subject: None,
        annotations,
    };
    let manifest_bytes = serde_json::to_vec(&manifest)
        .map_err(|e| bad(format!("cannot encode the manifest: {e}")))?;
    Ok((
        Pack {
            digest: digest_of(&manifest_bytes),
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
    use crate::fixture;

    #[test]
    fn semver_and_wit() {
        assert_eq!(semver("1.2.3"), Some(semver::Version::new(1, 2, 3)));
        assert!(semver("1.2.3-rc.1").is_some());
        assert!(semver("1.2.3+build.5").is_some());
        for bad in ["1.2", "1.2.3.4", "v1.2.3", "01.2.3", "1.2.3-", ""] {
            assert_eq!(semver(bad), None, "{bad}");
        }
        assert!(check_wit("gate:policy@0.2.7", "wit").is_ok());
        assert!(check_wit("gate:policy@0.1.0", "wit").is_err());
        assert!(check_wit("gate:policy@0.3.0", "wit").is_err());
        assert!(check_wit("other:policy@0.2.0", "wit").is_err());
    }

    #[test]
    fn gate_versions_compare_by_precedence() {
        assert!(check_gate_version(None).is_ok());
        assert!(check_gate_version(Some("0.0.1")).is_ok());
        assert!(check_gate_version(Some(env!("CARGO_PKG_VERSION"))).is_ok());
        // A pre-release of this version is older than it.
        let pre = format!("{}-rc.1", env!("CARGO_PKG_VERSION"));
        assert!(check_gate_version(Some(&pre)).is_ok());
        let e = check_gate_version(Some("999.0.0")).unwrap_err();
        assert_eq!(e.code(), "pack-incompatible");
        assert!(e.message.contains("needs gate 999.0.0 or newer"), "{e}");
        let e = check_gate_version(Some("soon")).unwrap_err();
        assert_eq!(e.message, "min-gate-version `soon` is not semver");
    }

    #[test]
    fn embeds_and_replaces_the_section() {
        let component = fixture::component(&["gate:policy/host@0.2.0"]);
        assert_eq!(embedded_json(&component).unwrap(), None);
        let once = embed_metadata(&component, br#"{"a":1}"#).unwrap();
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
        // The rest of the component is kept byte for byte.
        assert_eq!(twice.get(..component.len()), Some(component.as_slice()));
        assert_eq!(
            component_names(&twice).unwrap(),
            component_names(&component).unwrap()
        );
    }

    #[test]
    fn replaces_a_section_whose_size_is_a_padded_leb128() {
        // A valid encoding with a 5-byte size field: the section's header
        // is longer than the shortest encoding would be.
        let mut padded = fixture::component(&[]);
        let before = padded.len();
        let mut content = vec![u8::try_from(SECTION.len()).unwrap()];
        content.extend_from_slice(SECTION.as_bytes());
        content.extend_from_slice(br#"{"old":true}"#);
        let n = u8::try_from(content.len()).unwrap();
        padded.extend_from_slice(&[0, n | 0x80, 0x80, 0x80, 0x80, 0x00]);
        padded.extend_from_slice(&content);
        assert_eq!(
            embedded_json(&padded).unwrap(),
            Some(serde_json::json!({"old": true}))
        );
        let replaced = embed_metadata(&padded, br#"{"new":1}"#).unwrap();
        assert_eq!(
            embedded_json(&replaced).unwrap(),
            Some(serde_json::json!({"new": 1}))
        );
        // Nothing of the old section is left behind.
        assert_eq!(replaced.get(..before), padded.get(..before));
        let mut expected = padded.get(..before).unwrap().to_vec();
        use wasm_encoder::ComponentSection as _;
        wasm_encoder::CustomSection {
            name: SECTION.into(),
            data: br#"{"new":1}"#.into(),
        }
        .append_to_component(&mut expected);
        assert_eq!(replaced, expected);
    }

    #[test]
    fn names_are_the_top_levels_not_the_nested_modules() {
        let c = fixture::component(&["gate:policy/host@0.2.0", "wasi:cli/env@0.2.0"]);
        let names = component_names(&c).unwrap();
        assert_eq!(
            names.imports,
            ["gate:policy/host@0.2.0", "wasi:cli/env@0.2.0"]
        );
        assert_eq!(names.exports, ["gate:policy/policy@0.2.0"]);
        let e = component_names(b"\0asm not wasm").unwrap_err();
        assert_eq!(e.code(), "not-a-pack");
    }

    #[test]
    fn imports_of_another_wit_version_are_refused() {
        let c = fixture::component(&["gate:policy/host@0.1.0"]);
        let e = check_imports(&component_names(&c).unwrap(), "layer x").unwrap_err();
        assert_eq!(e.code(), "pack-incompatible");
        assert_eq!(
            e.message,
            "layer x imports `gate:policy/host@0.1.0`, which: targets gate:policy@0.1.0, but this gate implements gate:policy@0.2.x: rebuild the components against gate:policy@0.2"
        );
    }

    #[test]
    fn builds_a_pack_and_checks_it_back() {
        let dir = tempfile::tempdir().unwrap();
        let toml = fixture::pack_dir(dir.path(), "level = \"soft\"\nparams = { min = 3 }\n");
        let (pack, built) = build(dir.path(), &toml, &fixture::Accept).unwrap();
        assert_eq!(built.len(), 1);
        assert_eq!((pack.name(), pack.version()), ("fixture", "1.0.0"));
        let (name, bytes) = pack.select(None).unwrap();
        assert_eq!(name, "only");
        let e = Embedded::of(bytes).unwrap().unwrap();
        assert_eq!(e.policy.level, Some(Level::Soft));
        assert_eq!(
            e.policy.params,
            serde_json::json!({"min": 3}).as_object().cloned()
        );
        check_compatible(&pack).unwrap();
        // The checker's refusals are reported with the policy and file.
        let e = build(dir.path(), &toml, &fixture::Refuse).unwrap_err();
        assert!(
            e.message.starts_with("policy `only`: ")
                && e.message
                    .ends_with("does not implement the gate:policy world: no info"),
            "{e}"
        );
    }

    #[test]
    fn pack_toml_errors_name_the_line() {
        let e =
            PackToml::parse(Path::new("p/pack.toml"), "name = \"a\"\nversion = 1\n").unwrap_err();
        assert!(e.message.starts_with("p/pack.toml:2: "), "{e}");
        let t = PackToml::parse(
            Path::new("pack.toml"),
            "name = \"A\"\nversion = \"1.0.0\"\n",
        )
        .unwrap();
        assert_eq!(
            t.check().unwrap_err().message,
            "pack name `A` must be kebab-case"
        );
    }

    #[test]
    fn a_policy_is_a_component_or_rego_modules() {
        let check = |policy: &str| {
            PackToml::parse(
                Path::new("pack.toml"),
                &format!("name = \"a\"\nversion = \"1.0.0\"\n[[policy]]\nname = \"p\"\n{policy}"),
            )
            .unwrap()
            .check()
            .map_err(|e| e.message)
        };
        assert!(check("rego = [\"policy/*.rego\"]\ndata = [\"d.json\"]\n").is_ok());
        assert_eq!(
            check("component = \"p.wasm\"\nrego = [\"*.rego\"]\n").unwrap_err(),
            "policy `p`: give either `component` or `rego`, not both"
        );
        assert!(
            check("")
                .unwrap_err()
                .starts_with("policy `p`: give `component")
        );
        assert_eq!(
            check("component = \"p.wasm\"\ndata = [\"d.json\"]\n").unwrap_err(),
            "policy `p`: `data` is for Rego policies (with `rego`) only"
        );
        // The fixture checker builds no Rego: said, not skipped.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("pack.toml"),
            "name = \"a\"\nversion = \"1.0.0\"\n[[policy]]\nname = \"p\"\nrego = [\"*.rego\"]\n",
        )
        .unwrap();
        let toml = PackToml::load(dir.path()).unwrap();
        let e = build(dir.path(), &toml, &fixture::Accept).unwrap_err();
        assert_eq!(
            e.message,
            "policy `p`: this checker cannot build Rego policies"
        );
    }

    #[test]
    fn params_convert_the_same_way_everywhere() {
        let t: toml::Table =
            toml::from_str("a = 1\nb = [true, 1.5]\nc = 1979-05-27\nd = nan\n").unwrap();
        assert_eq!(
            toml_to_json(&toml::Value::Table(t)),
            serde_json::json!({"a": 1, "b": [true, 1.5], "c": "1979-05-27", "d": null})
        );
    }
}
