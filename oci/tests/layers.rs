//! The crate's modules form layers: each uses only the modules listed
//! before it in the crate doc's table (so there are no module cycles).
//! Read from the source: every `crate::NAME` a module's non-test code
//! names must be an earlier module.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

/// The module table of `src/lib.rs`'s doc, in order.
fn layers() -> Vec<String> {
    let lib =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lib.rs")).unwrap();
    let table = lib
        .split("//! ```text\n")
        .nth(1)
        .and_then(|t| t.split("//! ```").next())
        .unwrap();
    table
        .lines()
        .filter_map(|l| l.trim_start_matches("//!").split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// The `crate::NAME` and `crate::{NAME, ...}` modules a source text names.
fn uses(text: &str, modules: &[String]) -> Vec<String> {
    let word = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let mut out: Vec<String> = text
        .match_indices("crate::")
        .flat_map(|(i, m)| {
            let rest = text.get(i + m.len()..).unwrap_or("");
            match rest.strip_prefix('{') {
                // Top-level names of a group (nested groups are inside a module).
                Some(group) => group
                    .split('}')
                    .next()
                    .unwrap_or("")
                    .split(',')
                    .map(word)
                    .collect(),
                None => vec![word(rest)],
            }
        })
        .filter(|name| modules.contains(name))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn uses_are_read_from_paths_and_groups() {
    let modules: Vec<String> = ["error", "manifest", "pack"].map(String::from).into();
    assert_eq!(
        uses(
            "use crate::error::X;\nuse crate::{manifest::Y, pack};\n",
            &modules
        ),
        ["error", "manifest", "pack"]
    );
}

#[test]
fn modules_only_use_the_layers_below_them() {
    let modules = layers();
    assert!(modules.len() >= 10, "{modules:?}");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files: Vec<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".rs") && n != "lib.rs" && n != "fixture.rs")
        .collect();
    files.sort();
    for file in files {
        let name = file.trim_end_matches(".rs").to_string();
        let at = modules
            .iter()
            .position(|m| *m == name)
            .unwrap_or_else(|| panic!("src/{file} is not in the module table of src/lib.rs"));
        let text = std::fs::read_to_string(src.join(&file)).unwrap();
        // Unit tests may use anything (fixtures use the whole crate).
        let code = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        assert!(!code.contains("super::"), "src/{file}: use `crate::` paths");
        for used in uses(code, &modules) {
            let below = modules.iter().position(|m| *m == used).unwrap();
            assert!(
                below < at,
                "src/{file} uses `{used}`, which is not below it in the layers: {modules:?}"
            );
        }
    }
}
