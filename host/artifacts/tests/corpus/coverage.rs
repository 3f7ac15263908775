//! Corpus tests: coverage.
