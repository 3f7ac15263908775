//! Parser throughput: findings.
fn main() {}
