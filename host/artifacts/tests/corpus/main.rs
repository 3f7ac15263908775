//! Every real artifact of `../shared/corpus` either parses or fails with the
//! documented error; totals match the producers' own figures. One test
//! binary, one module per family. Without the corpus (a fresh clone) these
//! tests are skipped outside CI; `fixtures` checks our own small fixtures
//! (`tests/fixtures/`, one per format), which always run.
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
mod findings_reading;
mod fixtures;
mod iac;
mod metrics;
mod performance;
mod review;
mod test_results;

#[path = "../../../../tests/support/corpus.rs"]
mod support;

use std::cell::RefCell;
use std::path::{Path, PathBuf};

thread_local! {
    /// The corpus of the running test, once it called [`corpus_or_skip`].
    static CORPUS: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

/// The shared corpus for a test that reads it, or `None` when the test must
/// be skipped (missing corpus outside CI; under CI it fails). Every test that
/// reads the corpus, directly or through [`parse`]/[`walk`], starts with
/// `let Some(corpus) = corpus_or_skip() else { return };`.
pub fn corpus_or_skip() -> Option<PathBuf> {
    let dir = support::corpus_or_skip()?;
    CORPUS.with(|c| *c.borrow_mut() = Some(dir.clone()));
    Some(dir)
}

/// The corpus of the running test; a test that reads it without
/// [`corpus_or_skip`] fails loudly, so it cannot fail on a fresh clone.
fn root() -> PathBuf {
    CORPUS
        .with(|c| c.borrow().clone())
        .expect("this test reads the corpus: start it with `let Some(corpus) = corpus_or_skip() else { return };`")
}

/// Parses a corpus file with detection, default options.
pub fn parse(rel: &str) -> Result<gate_artifacts::Parsed, gate_artifacts::ParseError> {
    let path = root().join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gate_artifacts::parse(rel, &bytes, None, &gate_artifacts::ParseOptions::default())
}

/// Every file below `dir`, as corpus-relative paths with `/`.
pub fn walk(dir: &Path, out: &mut Vec<String>) {
    let root = root();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
}
