//! Shared harness of the tests against the local AWS emulator.
#![allow(dead_code)]

pub mod moto;
pub mod process;

use drconsole::backend::aws::AwsBackend;
use drconsole::config::Estate;

#[allow(unused_imports)]
pub use moto::{Endpoints, Moto, Seeded, SilentListener};

/// Parses an estate file's text (panics with the parse error).
pub fn estate(toml: &str) -> Estate {
    Estate::parse(toml, "seeded.toml")
        .unwrap_or_else(|e| panic!("estate does not parse: {e}\n{toml}"))
}

/// A backend on the seeded estate.
pub async fn backend(toml: &str) -> AwsBackend {
    AwsBackend::connect(&estate(toml)).await
}
