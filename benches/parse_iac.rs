//! Parser throughput: iac.
fn main() {}
