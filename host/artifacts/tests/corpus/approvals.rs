//! Corpus tests: approvals.
