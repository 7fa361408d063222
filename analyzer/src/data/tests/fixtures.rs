//! Fixture crates and the example monolith, read from disk.
