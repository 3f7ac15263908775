//! The compile cache: entries appear, are reused, and a corrupt one is
//! recompiled instead of trusted.

use crate::{LCOV_80, TestDir};

fn entries(t: &TestDir) -> Vec<std::path::PathBuf> {
    let dir = t.cache.join("components");
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn cache_entry_is_written_and_corruption_is_recompiled() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let args = [
        "eval",
        "--policy",
        "builtin:coverage",
        "lcov.info",
        "--format",
        "json",
        "--now",
        "2026-01-01T00:00:00Z",
    ];
    let first = t.run(&args).expect_code(0);
    let files = entries(&t);
    assert_eq!(files.len(), 1, "one entry per component: {files:?}");
    let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.ends_with(".cwasm"));

    // Flip bytes in the middle of the entry: it must be detected and replaced.
    let mut bytes = std::fs::read(&files[0])?;
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 64] {
        *b ^= 0xff;
    }
    std::fs::write(&files[0], &bytes)?;
    let second = t.run(&args).expect_code(0);
    assert_eq!(first.out.stdout, second.out.stdout);
    let repaired = std::fs::read(&files[0])?;
    assert_ne!(repaired, bytes, "corrupt entry was not replaced");

    // A truncated entry too.
    std::fs::write(&files[0], &repaired[..100])?;
    t.run(&args).expect_code(0);
    Ok(())
}

#[test]
fn no_cache_flag_writes_nothing() {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    t.run(&[
        "eval",
        "--policy",
        "builtin:coverage",
        "lcov.info",
        "--no-cache",
    ])
    .expect_code(0);
    assert!(entries(&t).is_empty());
}

/// Regression: the compile cache and the pack cache resolved the cache
/// directory each on their own, and an empty `GATE_CACHE_DIR` sent compiled
/// components into the working directory while packs went to XDG.
#[test]
fn empty_gate_cache_dir_is_unset_for_the_compile_cache_too() -> anyhow::Result<()> {
    let t = TestDir::new();
    t.write("lcov.info", LCOV_80);
    let xdg = t.path().join("xdg");
    let out = t
        .command()
        .env("GATE_CACHE_DIR", "")
        .env("XDG_CACHE_HOME", &xdg)
        .args(["eval", "--policy", "builtin:coverage", "lcov.info"])
        .args(["--now", "2026-01-01T00:00:00Z"])
        .output()?;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let entries: Vec<_> = std::fs::read_dir(xdg.join("gate").join("components"))?
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].ends_with(".cwasm"), "{entries:?}");
    // Nothing was cached in the working directory.
    assert!(!t.path().join("components").exists());
    Ok(())
}
