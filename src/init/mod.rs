//! `drconsole init`: from the team's infrastructure code to a checked estate file. The state
//! files are read and paired (`terraform`, `pair`), AWS confirms the pairs and gives the
//! capacities (`confirm`, read-only calls through [`confirm::Reader`]), and the estate is
//! written with where each value came from (`write`). Nothing is written when a required value
//! is missing (unless `--draft`), when the result would not pass `check`, or over an existing
//! file (unless `--force`).

pub mod confirm;
pub mod draft;
pub mod find;
mod finish;
mod found;
pub mod gather;
mod options;
mod output;
pub mod pair;
mod read;
pub mod terraform;
pub mod write;

#[cfg(test)]
mod tests;

pub use finish::finish;
pub use options::{aws_sources, validate};
pub use output::write_out;
pub use read::{assemble, read_terraform, terraform_resources};

use std::path::PathBuf;

use crate::exit::Failure;

/// What the command line asked for.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub primary: String,
    pub standby: String,
    pub terraform_states: Vec<PathBuf>,
    /// `--tag KEY=VALUE`, as given.
    pub tags: Vec<String>,
    /// `--stack NAME`: the same name in both regions.
    pub stack: Option<String>,
    pub primary_stack: Option<String>,
    pub standby_stack: Option<String>,
    /// `-` writes to standard output; default `<name>.toml`.
    pub output: Option<PathBuf>,
    pub draft: bool,
    pub force: bool,
    pub name: Option<String>,
    pub primary_profile: Option<String>,
    pub standby_profile: Option<String>,
    pub endpoint_url: Option<String>,
}

/// What `init` did.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// `None`: written to standard output.
    pub path: Option<PathBuf>,
    pub text: String,
    /// Lines for standard error: what was found, what to check, what to run next.
    pub summary: String,
}

/// The whole command: read, confirm with `aws`, write.
pub async fn run(opts: &Options, aws: &dyn find::Finder) -> Result<Outcome, Failure> {
    validate(opts)?;
    let mut all = terraform_resources(opts)?;
    for source in aws_sources(opts)? {
        let found = gather::gather(&source, &opts.primary, &opts.standby, aws)
            .await
            .map_err(|e| match e {
                gather::GatherError::Nothing(line) => Failure::config(line),
                gather::GatherError::Aws(e) => {
                    Failure::aws(format!("init: reading AWS: {e}; nothing written"))
                }
            })?;
        all.extend(found);
    }
    let mut d = assemble(all, opts)?;
    confirm::confirm(&mut d, aws)
        .await
        .map_err(|e| Failure::aws(format!("init: reading AWS: {e}; nothing written")))?;
    let (text, d) = finish(d, opts)?;
    let path = write_out(&text, &d, opts)?;
    Ok(Outcome {
        summary: output::summary(&d, path.as_deref(), &text),
        path,
        text,
    })
}
