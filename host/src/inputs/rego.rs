//! What `builtin:rego` reads besides the artifacts: the Rego modules, data
//! documents and input documents a `[[policy]]` names with `rego`, `data`
//! and `input` globs. Each file is read bounded like any other input and
//! handed to the policy as a `raw` artifact whose media type says what it
//! is (the policy's `media.rs` reads the same names).

use super::{InputError, LoadedArtifact};
use crate::config::Role;
use gate_artifacts::conftest::{self, Kind};
use gate_artifacts::{ParseCode, ParseError};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A Rego module.
pub const MODULE: &str = "application/vnd.gate.rego-module";
/// A data document (JSON; YAML is converted), merged at the root of `data`.
pub const DATA: &str = "application/vnd.gate.rego-data+json";
/// One input document as conftest evaluates it; `; line=N` is where it
/// starts in its file.
pub const INPUT: &str = "application/vnd.gate.rego-input+json";

/// Most files one glob may match: a glob that walks half a disk is a
/// mistake, said rather than waited on.
const MAX_MATCHES: usize = 10_000;

/// A file a glob matched.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SourceFile {
    /// The path relative to the config file, with `/` separators.
    pub display: String,
    pub path: PathBuf,
}

/// The files of a `builtin:rego` policy.
#[derive(Debug, Clone, Default)]
pub struct RegoSources {
    pub modules: Vec<SourceFile>,
    pub data: Vec<SourceFile>,
    pub inputs: Vec<SourceFile>,
}

impl RegoSources {
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty() && self.data.is_empty() && self.inputs.is_empty()
    }
}

/// One `raw` artifact for the policy.
#[derive(Debug, Clone)]
pub struct RawDoc {
    pub display: String,
    /// `rego`, `json`, `yaml`, `dockerfile`.
    pub format: String,
    pub sha256: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// The files `pattern` (relative to `base`, `*`, `?` and `**` allowed)
/// matches, sorted; an error says why none or too many.
pub fn expand(base: &Path, pattern: &str) -> Result<Vec<SourceFile>, String> {
    let pattern = pattern.replace('\\', "/");
    let absolute = pattern.starts_with('/');
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let root = if absolute {
        PathBuf::from("/")
    } else {
        base.to_path_buf()
    };
    let mut out = Vec::new();
    walk(&root, "", &parts, &mut out)?;
    if absolute {
        for f in &mut out {
            f.display.insert(0, '/');
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        return Err(format!("`{pattern}` matches no file"));
    }
    Ok(out)
}

fn walk(dir: &Path, shown: &str, parts: &[&str], out: &mut Vec<SourceFile>) -> Result<(), String> {
    let Some((first, rest)) = parts.split_first() else {
        if dir.is_file() {
            if out.len() >= MAX_MATCHES {
                return Err(format!("matches more than {MAX_MATCHES} files"));
            }
            out.push(SourceFile {
                display: shown.to_string(),
                path: dir.to_path_buf(),
            });
        }
        return Ok(());
    };
    let join = |name: &str| {
        if shown.is_empty() {
            name.to_string()
        } else {
            format!("{shown}/{name}")
        }
    };
    if *first == "**" {
        walk(dir, shown, rest, out)?;
        for (name, path) in entries(dir) {
            if path.is_dir() && !name.starts_with('.') {
                walk(&path, &join(&name), parts, out)?;
            }
        }
        return Ok(());
    }
    if !first.contains(['*', '?']) {
        return walk(&dir.join(first), &join(first), rest, out);
    }
    for (name, path) in entries(dir) {
        // Hidden entries only when the pattern asks for them, as shells do.
        let hidden_ok = !name.starts_with('.') || first.starts_with('.');
        if hidden_ok && matches(first.as_bytes(), name.as_bytes()) {
            walk(&path, &join(&name), rest, out)?;
        }
    }
    Ok(())
}

/// A directory's entries with UTF-8 names, sorted (unreadable: none).
fn entries(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<(String, PathBuf)> = rd
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().into_string().ok().map(|n| (n, e.path())))
        .collect();
    v.sort();
    v
}

/// `*` and `?` within one path component.
fn matches(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((b'*', p)), _) => {
            matches(p, name) || name.split_first().is_some_and(|(_, n)| matches(pattern, n))
        }
        (Some((b'?', p)), Some((_, n))) => matches(p, n),
        (Some((a, p)), Some((b, n))) if a == b => matches(p, n),
        _ => false,
    }
}

fn digest(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// Reads every file of `sources`, and the artifacts of the run conftest
/// can read, into raw artifacts: modules, then data, then one input per
/// document. All errors or all documents.
pub fn load(
    sources: &RegoSources,
    artifacts: &[LoadedArtifact],
) -> Result<Vec<RawDoc>, Vec<InputError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for m in &sources.modules {
        match crate::fsutil::read(&m.path) {
            Ok(bytes) => out.push(RawDoc {
                display: m.display.clone(),
                format: "rego".into(),
                sha256: digest(&bytes),
                media_type: MODULE.into(),
                bytes,
            }),
            Err(e) => errors.push(InputError::read(&m.display, &e)),
        }
    }
    for d in &sources.data {
        match data(d) {
            Ok(doc) => out.push(doc),
            Err(e) => errors.push(e),
        }
    }
    let mut inputs: Vec<(String, PathBuf, Option<String>)> = sources
        .inputs
        .iter()
        .map(|f| (f.display.clone(), f.path.clone(), None))
        .collect();
    // The run's artifacts that conftest can read are inputs too, checked
    // to be the bytes that were parsed.
    for a in artifacts {
        if a.spec.role == Role::Current
            && Kind::of(&a.spec.display).is_some()
            && !inputs.iter().any(|(d, _, _)| *d == a.spec.display)
        {
            inputs.push((
                a.spec.display.clone(),
                a.spec.path.clone(),
                Some(a.sha256.clone()),
            ));
        }
    }
    for (display, path, sha) in &inputs {
        match input(display, path, sha.as_deref()) {
            Ok(docs) => out.extend(docs),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// The files of a pack's Rego policy (`gate pack build`): the `rego` and
/// `data` globs relative to the pack directory, read; data documents
/// converted to JSON as a run converts them. Errors name the glob or file.
pub fn pack_files(
    dir: &Path,
    rego: &[String],
    data_globs: &[String],
) -> Result<gate_oci::RegoFiles, String> {
    let expand_all = |globs: &[String]| -> Result<Vec<SourceFile>, String> {
        let mut out: Vec<SourceFile> = Vec::new();
        for g in globs {
            for f in expand(dir, g).map_err(|m| format!("{m} (relative to pack.toml)"))? {
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
        Ok(out)
    };
    read_files(&RegoSources {
        modules: expand_all(rego)?,
        data: expand_all(data_globs)?,
        inputs: Vec::new(),
    })
}

/// The modules and data documents of `sources`, read (data converted to
/// JSON as a run converts it).
pub fn read_files(sources: &RegoSources) -> Result<gate_oci::RegoFiles, String> {
    let mut files = gate_oci::RegoFiles::default();
    for m in &sources.modules {
        let text =
            crate::fsutil::read_to_string(&m.path).map_err(|e| format!("{}: {e}", m.display))?;
        files.modules.push(gate_oci::RegoFile {
            path: m.display.clone(),
            text,
        });
    }
    for d in &sources.data {
        let doc = data(d).map_err(|e| e.to_string())?;
        let text = String::from_utf8(doc.bytes).map_err(|e| format!("{}: {e}", d.display))?;
        files.data.push(gate_oci::RegoFile {
            path: d.display.clone(),
            text,
        });
    }
    Ok(files)
}

/// The raw artifacts of a pack's embedded Rego files: modules, then data.
pub fn embedded_docs(files: &gate_oci::RegoFiles) -> Vec<RawDoc> {
    let doc = |f: &gate_oci::RegoFile, format: &str, media_type: &str| RawDoc {
        display: f.path.clone(),
        format: format.into(),
        sha256: digest(f.text.as_bytes()),
        media_type: media_type.into(),
        bytes: f.text.clone().into_bytes(),
    };
    files
        .modules
        .iter()
        .map(|m| doc(m, "rego", MODULE))
        .chain(files.data.iter().map(|d| doc(d, "json", DATA)))
        .collect()
}

fn data(f: &SourceFile) -> Result<RawDoc, InputError> {
    let bytes = crate::fsutil::read(&f.path).map_err(|e| InputError::read(&f.display, &e))?;
    let kind = Kind::of(&f.display)
        .filter(|k| *k != Kind::Dockerfile)
        .ok_or_else(|| {
            InputError::Parse(ParseError::new(
                &f.display,
                ParseCode::UnsupportedFormat,
                None,
                "a data document must be .json, .yaml or .yml",
            ))
        })?;
    let sha256 = digest(&bytes);
    let docs = conftest::documents(&f.display, &bytes, kind).map_err(InputError::Parse)?;
    let [one] = docs.as_slice() else {
        return Err(InputError::Parse(ParseError::new(
            &f.display,
            ParseCode::UnsupportedDocument,
            None,
            "a data document must be one object (this file holds several documents or an array)",
        )));
    };
    if !one.json.trim_start().starts_with('{') {
        return Err(InputError::Parse(ParseError::new(
            &f.display,
            ParseCode::UnsupportedDocument,
            None,
            "a data document must be an object: it is merged at the root of `data`",
        )));
    }
    Ok(RawDoc {
        display: f.display.clone(),
        format: kind.as_str().into(),
        sha256,
        media_type: DATA.into(),
        bytes: one.json.clone().into_bytes(),
    })
}

fn input(display: &str, path: &Path, sha: Option<&str>) -> Result<Vec<RawDoc>, InputError> {
    let bytes = crate::fsutil::read(path).map_err(|e| InputError::read(display, &e))?;
    let sha256 = digest(&bytes);
    if sha.is_some_and(|s| s != sha256) {
        return Err(InputError::Parse(ParseError::new(
            display,
            ParseCode::UnsupportedDocument,
            None,
            "the file changed while gate was reading it",
        )));
    }
    let kind = Kind::of(display).ok_or_else(|| {
        InputError::Parse(ParseError::new(
            display,
            ParseCode::UnsupportedFormat,
            None,
            "Rego input must be JSON (.json), YAML (.yaml, .yml) or a Dockerfile (Dockerfile, Dockerfile.*, *.Dockerfile)",
        ))
    })?;
    let docs = conftest::documents(display, &bytes, kind).map_err(InputError::Parse)?;
    Ok(docs
        .into_iter()
        .map(|d| RawDoc {
            display: display.to_string(),
            format: kind.as_str().into(),
            sha256: sha256.clone(),
            media_type: match d.line {
                Some(l) => format!("{INPUT}; line={l}"),
                None => INPUT.to_string(),
            },
            bytes: d.json.into_bytes(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The policy reads the media types the host writes.
    #[test]
    fn media_types_are_the_policys() {
        let policy = include_str!("../../../policies/rego/src/media.rs");
        for t in [MODULE, DATA, INPUT] {
            assert!(policy.contains(&format!("\"{t}\"")), "{t}");
        }
    }

    #[test]
    fn globs_match_files_by_component() {
        assert!(matches(b"*.rego", b"deny.rego"));
        assert!(!matches(b"*.rego", b"deny.rego.bak"));
        assert!(matches(b"d?ny*", b"deny.rego"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("policy/lib")).unwrap();
        for f in ["policy/a.rego", "policy/lib/b.rego", "policy/c.txt"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let names = |p: &str| -> Vec<String> {
            expand(dir.path(), p)
                .unwrap()
                .into_iter()
                .map(|f| f.display)
                .collect()
        };
        assert_eq!(names("policy/*.rego"), ["policy/a.rego"]);
        assert_eq!(
            names("policy/**/*.rego"),
            ["policy/a.rego", "policy/lib/b.rego"]
        );
        assert_eq!(names("./policy/c.txt"), ["policy/c.txt"]);
        assert!(expand(dir.path(), "nope/*.rego").is_err());
    }
}
