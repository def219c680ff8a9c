//! Lambda entry point (wired in the registry issue).
fn main() {}
