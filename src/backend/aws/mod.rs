//! AWS backend on the official SDK crates.
