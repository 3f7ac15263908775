//! A crate's module layers, read from its source: which of its top-level
//! modules each module's non-test code names. Shared by the crates'
//! `layers` tests (`oci/tests/layers.rs`, `tests/all/layers.rs`), which
//! include this file by path.
//!
//! A crate lists its modules in a ```` ```text ```` table in the doc of
//! `src/lib.rs`, bottom layer first, one module per line (the first word);
//! a module may name only the modules listed before it, so the layers only
//! point down and there is no cycle. The names a file uses are its
//! `crate::NAME` and `crate::{NAME, ...}` paths (and `super::` paths that
//! leave its module); comment lines and the unit tests at the end of a file
//! (`#[cfg(test)] mod ...`) are not read: tests may use anything.

// Each test that includes this file uses the part it needs.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The module table of `lib` (the text of a `lib.rs`), in order.
pub fn table(lib: &str) -> Vec<String> {
    let Some(block) = lib
        .split("//! ```text\n")
        .nth(1)
        .and_then(|t| t.split("//! ```").next())
    else {
        panic!("lib.rs has no ```text module table in its doc")
    };
    block
        .lines()
        .filter_map(|l| l.trim_start_matches("//!").split_whitespace().next())
        .map(str::to_string)
        .collect()
}

/// One source file of a top-level module.
#[derive(Debug)]
pub struct SourceFile {
    /// The top-level module it belongs to.
    pub module: String,
    pub path: PathBuf,
    /// How many `super::` lead from it to the crate root.
    pub to_root: usize,
}

/// The modules `lib` (the text of a `lib.rs`) declares for tests only
/// (`#[cfg(test)] mod NAME;`): test code, not a layer.
pub fn test_only(lib: &str) -> Vec<String> {
    let lines: Vec<&str> = lib.lines().map(str::trim).collect();
    lines
        .windows(2)
        .filter(|w| w.first() == Some(&"#[cfg(test)]"))
        .filter_map(|w| {
            let decl = w
                .get(1)?
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub ");
            decl.strip_prefix("mod ")?
                .strip_suffix(';')
                .map(str::to_string)
        })
        .collect()
}

/// Every `.rs` file under `src` but the crate roots (`lib.rs`, `main.rs`)
/// and test-only modules, sorted, with the top-level module each belongs
/// to: `src/NAME.rs` and everything under `src/NAME/`.
pub fn files(src: &Path) -> Vec<SourceFile> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let tests = test_only(&lib);
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.map(|e| e.path()).unwrap_or_default())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut paths = Vec::new();
    walk(src, &mut paths);
    paths
        .into_iter()
        .filter_map(|path| {
            let rel = path.strip_prefix(src).ok()?.to_path_buf();
            let parts: Vec<String> = rel
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            let first = parts.first()?;
            if parts.len() == 1 && (first == "lib.rs" || first == "main.rs") {
                return None;
            }
            let module = first.trim_end_matches(".rs").to_string();
            if tests.contains(&module) {
                return None;
            }
            // src/a.rs and src/a/mod.rs are one level below the root;
            // every directory deeper is one more.
            let is_mod = parts.last().is_some_and(|l| l == "mod.rs");
            let to_root = parts.len() - usize::from(is_mod);
            Some(SourceFile {
                module,
                path,
                to_root,
            })
        })
        .collect()
}

/// The code of a file that is checked: without comment lines and without
/// the unit tests at its end.
pub fn code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| {
                let n = next.trim_start();
                (n.starts_with("mod ")
                    || n.starts_with("pub mod ")
                    || n.starts_with("pub(crate) mod "))
                    && n.ends_with('{')
            })
        {
            break;
        }
        if t.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The names `text` reaches through `crate::NAME` and `crate::{NAME, ...}`
/// (top-level names of a group: nested groups are inside a module), and
/// through `super::` paths that climb `to_root` levels or more.
pub fn names(text: &str, to_root: usize) -> BTreeSet<String> {
    let word = |s: &str| -> String {
        s.trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect()
    };
    let root = "super::".repeat(to_root);
    let mut out = BTreeSet::new();
    for prefix in ["crate::", root.as_str()] {
        for (i, m) in text.match_indices(prefix) {
            // `super::super::x` also contains `super::x`: only whole paths.
            if prefix.starts_with("super") && text.get(..i).is_some_and(|b| b.ends_with("super::"))
            {
                continue;
            }
            let rest = text.get(i + m.len()..).unwrap_or("");
            match rest.strip_prefix('{') {
                Some(group) => {
                    let mut depth = 0usize;
                    let mut item = String::new();
                    for c in group.chars() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => break,
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                out.insert(word(&item));
                                item.clear();
                                continue;
                            }
                            _ => {}
                        }
                        item.push(c);
                    }
                    out.insert(word(&item));
                }
                None => {
                    out.insert(word(rest));
                }
            }
        }
    }
    out.remove("");
    out
}

/// For each top-level module under `src`, the other modules of `modules`
/// its files name.
pub fn graph(src: &Path, modules: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files(src) {
        let text = std::fs::read_to_string(&f.path)
            .unwrap_or_else(|e| panic!("{}: {e}", f.path.display()));
        let used = names(&code(&text), f.to_root);
        let entry = g.entry(f.module.clone()).or_default();
        entry.extend(
            used.into_iter()
                .filter(|n| *n != f.module && modules.contains(n)),
        );
    }
    g
}

/// The module cycles of a graph: each set of modules that reach each other
/// (strongly connected, more than one module), sorted.
pub fn cycles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let reach = |from: &String| -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for n in g.get(&m).into_iter().flatten() {
                if seen.insert(n.clone()) {
                    todo.push(n.clone());
                }
            }
        }
        seen
    };
    let reached: BTreeMap<&String, BTreeSet<String>> = g.keys().map(|m| (m, reach(m))).collect();
    let reaches = |a: &String, b: &String| reached.get(a).is_some_and(|r| r.contains(b));
    let mut out: Vec<Vec<String>> = Vec::new();
    for m in g.keys() {
        let mut cycle: Vec<String> = g
            .keys()
            .filter(|n| *n == m || (reaches(m, n) && reaches(n, m)))
            .cloned()
            .collect();
        cycle.sort();
        if cycle.len() > 1 && !out.contains(&cycle) {
            out.push(cycle);
        }
    }
    out
}

/// Asserts that the crate at `manifest_dir` keeps its layers: every module
/// under `src` is in the table of `src/lib.rs` and names only modules
/// listed before it. Returns the table.
pub fn assert_layers(manifest_dir: &Path) -> Vec<String> {
    let src = manifest_dir.join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap_or_default();
    let modules = table(&lib);
    let g = graph(&src, &modules);
    let mut wrong = Vec::new();
    for (module, used) in &g {
        let Some(at) = modules.iter().position(|m| m == module) else {
            wrong.push(format!(
                "src/{module} is not in the module table of src/lib.rs"
            ));
            continue;
        };
        for u in used {
            let below = modules.iter().position(|m| m == u).unwrap_or(usize::MAX);
            if below > at {
                wrong.push(format!("`{module}` uses `{u}`, which is not below it"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\nlayers, bottom first: {modules:?}",
        wrong.join("\n")
    );
    assert!(cycles(&g).is_empty(), "{:?}", cycles(&g));
    modules
}
