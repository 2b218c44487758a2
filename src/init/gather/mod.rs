//! `init --tag` and `init --stack`: what AWS holds for the estate, found by tag (the Resource
//! Groups Tagging API, Auto Scaling's own tag filter) or in a CloudFormation stack
//! (`ListStackResources`), then read by identifier (`found`) into the same shape Terraform's
//! resources have, so that pairing and confirmation are the ones `--terraform-state` uses.

mod kind;
mod side;
#[cfg(test)]
mod tests;

pub use kind::{Kind, kind_of_arn, kind_of_stack_type};

use super::find::Finder;
use super::terraform::TfResource;
use crate::backend::BackendError;
use crate::model::Side;
use side::find_side;

/// Where to look in AWS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// Every pair must match (`--tag app=orders --tag env=prod`).
    Tags(Vec<(String, String)>),
    /// The stack of each region (`--stack`, or `--primary-stack` / `--standby-stack`).
    Stacks { primary: String, standby: String },
}

impl Source {
    /// `tag app=orders`, `tags app=orders, env=prod`, `stack orders`.
    pub fn label(&self) -> String {
        match self {
            Source::Tags(t) => {
                let pairs: Vec<String> = t.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let word = if t.len() == 1 { "tag" } else { "tags" };
                format!("{word} {}", pairs.join(", "))
            }
            Source::Stacks { primary, standby } if primary == standby => {
                format!("stack {primary}")
            }
            Source::Stacks { primary, standby } => format!("stacks {primary}, {standby}"),
        }
    }
}

/// Why nothing was gathered.
#[derive(Debug, Clone)]
pub enum GatherError {
    /// A region with nothing tagged, a stack that does not exist: one line.
    Nothing(String),
    /// A read that failed: credentials, an unreachable region, a refused permission.
    Aws(BackendError),
}

impl From<BackendError> for GatherError {
    fn from(e: BackendError) -> Self {
        GatherError::Aws(e)
    }
}

/// One resource a source names: its identifier as the describe call takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub kind: Kind,
    /// A name, an identifier or an ARN, as the kind's describe call takes it.
    pub id: String,
    /// How the note names it: the ARN, or the stack's logical id and type.
    pub address: String,
}

/// Everything the source names in both regions, read into Terraform's shape.
pub async fn gather(
    source: &Source,
    primary: &str,
    standby: &str,
    aws: &dyn Finder,
) -> Result<Vec<TfResource>, GatherError> {
    let (p, s) = futures::join!(
        find_side(source, Side::Primary, primary, aws),
        find_side(source, Side::Standby, standby, aws)
    );
    let ((pf, pl), (sf, sl)) = (p?, s?);
    let (pr, sr) = futures::join!(
        super::found::read_side(pf, Side::Primary, primary, &pl, aws),
        super::found::read_side(sf, Side::Standby, standby, &sl, aws)
    );
    let (mut all, mut checks) = pr?;
    let (more, more_checks) = sr?;
    all.extend(more);
    checks.extend(more_checks);
    let label = source.label();
    all.extend(super::found::dns(&all, &checks, &label, aws).await?);
    Ok(all)
}
