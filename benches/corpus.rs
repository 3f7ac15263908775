//! Shared by the parser benches: where the shared corpus is and reading it.

use std::path::PathBuf;

/// `$GATE_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus() -> PathBuf {
    std::env::var_os("GATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus"))
}

/// A corpus file's bytes; a missing corpus is a bench failure, not a skip.
pub fn read(rel: &str) -> Vec<u8> {
    let p = corpus().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
