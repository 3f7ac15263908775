//! Corpus tests: iac.
