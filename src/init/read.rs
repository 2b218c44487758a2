//! Reading the state files given and pairing what every source found into a draft: no AWS
//! call.

use super::draft::Draft;
use super::{Options, aws_sources, pair, terraform};
use crate::exit::Failure;

/// Reads every state file: no AWS call yet.
pub fn terraform_resources(opts: &Options) -> Result<Vec<terraform::TfResource>, Failure> {
    let mut all = Vec::new();
    for path in &opts.terraform_states {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::io(format!("reading Terraform state {shown}: {e}")))?;
        let resources = terraform::parse(&text, &shown).map_err(|e| Failure::config(e.0))?;
        all.extend(resources);
    }
    if !opts.terraform_states.is_empty()
        && !all.iter().any(
            |r| matches!(r.region.as_deref(), Some(x) if x == opts.primary || x == opts.standby),
        )
    {
        return Err(Failure::config(format!(
            "nothing in {} is in {} or {}: are these the estate's regions?",
            terraform_sources(opts).join(", "),
            opts.primary,
            opts.standby
        )));
    }
    Ok(all)
}

fn terraform_sources(opts: &Options) -> Vec<String> {
    opts.terraform_states
        .iter()
        .map(|p| format!("terraform state {}", p.display()))
        .collect()
}

/// Pairs what every source found into a draft: no AWS call.
pub fn assemble(all: Vec<terraform::TfResource>, opts: &Options) -> Result<Draft, Failure> {
    let res = pair::Resources {
        all,
        several_files: opts.terraform_states.len() > 1,
    };
    let mut d = pair::pair(&res, &opts.primary, &opts.standby);
    d.sources = terraform_sources(opts);
    for s in aws_sources(opts)? {
        d.sources.push(format!(
            "{} in {} and {}",
            s.label(),
            opts.primary,
            opts.standby
        ));
    }
    Ok(d)
}

/// Reads every state file and pairs what they hold: no AWS call yet.
pub fn read_terraform(opts: &Options) -> Result<Draft, Failure> {
    let all = terraform_resources(opts)?;
    assemble(all, opts)
}
