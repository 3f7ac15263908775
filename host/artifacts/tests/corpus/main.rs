//! Every real artifact of `../shared/corpus` either parses or fails with the
//! documented error; totals match the producers' own figures. One test
//! binary, one module per family.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod approvals;
mod bounds;
mod coverage;
mod fail_closed;
mod findings;
mod iac;

use std::path::PathBuf;

/// The shared corpus: `$GATE_CORPUS`, else `shared/corpus` beside the repo.
/// Missing corpus is a test failure, never a silent skip.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("GATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
        });
    assert!(
        dir.join("PROVENANCE.md").is_file(),
        "corpus not found at {} (set GATE_CORPUS)",
        dir.display()
    );
    dir
}

/// Parses a corpus file with detection, default options.
pub fn parse(rel: &str) -> Result<gate_artifacts::Parsed, gate_artifacts::ParseError> {
    let path = corpus().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gate_artifacts::parse(rel, &bytes, None, &gate_artifacts::ParseOptions::default())
}

/// Every file below `dir`, as corpus-relative paths with `/`.
pub fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(
                p.strip_prefix(corpus())
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}
