//! Corpus tests: findings.
