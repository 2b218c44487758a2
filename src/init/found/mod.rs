//! The resources a tag or a stack names, read by identifier and written with Terraform's
//! attribute names (`identifier`, `replicate_source_db`, `dns_name`, …) so that `pair` reads
//! them as it reads a state file. Route 53 is found by what it points at: the records whose
//! alias or value is one of the load balancers found, and the health checks those records use.

mod compute;
mod database;
mod route53;

pub use route53::dns;

use serde_json::{Value, json};

use super::find::Finder;
use super::gather::{Found, Kind};
use super::terraform::{Origin, TfResource};
use crate::backend::BackendError;
use crate::model::Side;

fn resource(kind: &str, region: Option<&str>, label: &str, address: &str, v: Value) -> TfResource {
    TfResource {
        address: address.to_string(),
        kind: kind.to_string(),
        values: v.as_object().cloned().unwrap_or_default(),
        provider: "aws".into(),
        region: region.map(str::to_string),
        file: label.to_string(),
        origin: Origin::Aws,
    }
}

/// What `found` names of the kinds `k` accepts.
fn of<'a>(found: &'a [Found], k: &dyn Fn(&Kind) -> bool) -> Vec<&'a Found> {
    found.iter().filter(|f| k(&f.kind)).collect()
}

/// Reads what one region's source named; returns the resources and the health check ids a
/// stack named (Route 53 is read once, for both regions).
pub async fn read_side(
    found: Vec<Found>,
    side: Side,
    region: &str,
    label: &str,
    aws: &dyn Finder,
) -> Result<(Vec<TfResource>, Vec<Check>), BackendError> {
    let mut out = Vec::new();
    let mut checks = Vec::new();
    let at = Some(region);
    database::read(&found, side, at, label, aws, &mut out).await?;
    compute::read(&found, side, at, label, aws, &mut out).await?;
    for f in &found {
        let (kind, key) = match f.kind {
            Kind::Alarm => ("aws_cloudwatch_metric_alarm", "alarm_name"),
            Kind::Parameter => ("aws_ssm_parameter", "name"),
            Kind::Secret => ("aws_secretsmanager_secret", "name"),
            Kind::Vault => ("aws_backup_vault", "name"),
            Kind::Lambda => ("aws_lambda_function", "function_name"),
            Kind::HealthCheck => {
                checks.push(Check {
                    id: f.id.clone(),
                    file: label.to_string(),
                    address: f.address.clone(),
                });
                continue;
            }
            _ => continue,
        };
        out.push(resource(kind, at, label, &f.address, json!({ key: f.id })));
    }
    Ok((out, checks))
}

/// A health check to read: its id, and the source and address its note names.
#[derive(Debug, Clone)]
pub struct Check {
    pub id: String,
    pub file: String,
    pub address: String,
}
