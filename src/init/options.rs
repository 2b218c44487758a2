//! What the command line asks `init` to read, checked before anything is read: two regions,
//! at least one source, tags and stacks given as they must be.

use std::path::Path;

use super::{Options, gather};
use crate::exit::Failure;

/// Checks the options before anything is read.
pub fn validate(opts: &Options) -> Result<(), Failure> {
    for (flag, r) in [("--primary", &opts.primary), ("--standby", &opts.standby)] {
        crate::config::Region::parse(r).map_err(|e| Failure::usage(format!("{flag} {r}: {e}")))?;
    }
    if opts.primary == opts.standby {
        return Err(Failure::usage(format!(
            "--primary and --standby are both {}: the estate needs two regions",
            opts.primary
        )));
    }
    let sources = aws_sources(opts)?;
    if opts.terraform_states.is_empty() && sources.is_empty() {
        return Err(Failure::usage(
            "init needs a source: --terraform-state FILE, --tag KEY=VALUE or --stack NAME",
        ));
    }
    if let Some(p) = opts.output.as_deref().filter(|p| *p != Path::new("-"))
        && p.exists()
        && !opts.force
    {
        return Err(Failure::io(format!(
            "{} exists: nothing written (pass --force to replace it)",
            p.display()
        )));
    }
    Ok(())
}

/// What the flags ask to find in AWS: the tags (all must match), the stacks.
pub fn aws_sources(opts: &Options) -> Result<Vec<gather::Source>, Failure> {
    let mut out = Vec::new();
    if !opts.tags.is_empty() {
        let mut tags: Vec<(String, String)> = Vec::new();
        for t in &opts.tags {
            let Some((k, v)) = t.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
                return Err(Failure::usage(format!(
                    "--tag {t}: expected KEY=VALUE (e.g. --tag app=orders)"
                )));
            };
            match tags.iter().find(|(x, _)| x == k) {
                Some((_, old)) if old != v => {
                    return Err(Failure::usage(format!(
                        "--tag {k} given twice ({old}, {v}): every tag must match, and a \
                         resource has one value per key"
                    )));
                }
                Some(_) => {}
                None => tags.push((k.to_string(), v.to_string())),
            }
        }
        out.push(gather::Source::Tags(tags));
    }
    let stacks = match (&opts.stack, &opts.primary_stack, &opts.standby_stack) {
        (None, None, None) => None,
        (Some(s), None, None) => Some((s.clone(), s.clone())),
        (None, Some(p), Some(s)) => Some((p.clone(), s.clone())),
        (Some(_), _, _) => {
            return Err(Failure::usage(
                "--stack names the stack of both regions: give it, or --primary-stack and \
                 --standby-stack, not both",
            ));
        }
        _ => {
            return Err(Failure::usage(
                "--primary-stack and --standby-stack go together (--stack NAME: the same name \
                 in both regions)",
            ));
        }
    };
    if let Some((primary, standby)) = stacks {
        out.push(gather::Source::Stacks { primary, standby });
    }
    Ok(out)
}
