//! The third-party corpus (`../shared/corpus`, read-only, see its
//! PROVENANCE.md): tests that compare against it run when it is there, fail
//! under CI when it is missing, and are skipped elsewhere with one line on
//! stderr. Shared by the test binaries that read it (`tests/all`,
//! `host/artifacts/tests/corpus`), which include this file by path.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Once;

/// `$GATE_CORPUS`, else `shared/corpus` beside the repository.
pub fn corpus_dir() -> PathBuf {
    std::env::var_os("GATE_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .ancestors()
                .find(|p| p.join("Cargo.lock").is_file())
                .unwrap_or(Path::new("."))
                .join("../shared/corpus")
        })
}

/// Whether this is a CI run: `CI` set to anything but empty, `false` or `0`.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// The corpus for a test that reads it, or `None` when it is missing outside
/// CI (the test then returns early). Under CI a missing corpus fails the test.
/// Use as `let Some(corpus) = corpus_or_skip() else { return };`.
pub fn corpus_or_skip() -> Option<PathBuf> {
    let dir = corpus_dir();
    if dir.join("PROVENANCE.md").is_file() {
        return Some(dir);
    }
    assert!(
        !under_ci(),
        "third-party corpus not found at {} (set GATE_CORPUS); it is mandatory under CI",
        dir.display()
    );
    // One line per test binary, written past libtest's capture so that a
    // plain `cargo test` shows it.
    static SAID: Once = Once::new();
    SAID.call_once(|| {
        let _ = writeln!(
            std::io::stderr(),
            "skipped: third-party corpus not found at {} (set GATE_CORPUS; mandatory under CI)",
            dir.display()
        );
    });
    None
}
