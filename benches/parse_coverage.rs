//! Parser throughput: coverage.
fn main() {}
