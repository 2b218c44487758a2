//! Health checks and alarms: each exists (a missing alarm is a check, not a gap).

use super::super::draft::*;
use super::{Reader, fatal};
use crate::backend::BackendError;
use crate::model::Side;

pub(super) async fn checks_and_alarms(d: &mut Draft, aws: &dyn Reader) -> Result<(), BackendError> {
    for h in d.health_checks.iter_mut() {
        let exists = match aws.health_check_exists(&h.id).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| false)?,
        };
        if exists {
            h.notes
                .push(Note::Aws(format!("health check {} exists", h.id)));
        } else {
            d.missing.push(Missing {
                what: format!("health check {}", h.id),
                looked: "route53:GetHealthCheck".into(),
            });
        }
    }
    let (pr, sr) = (d.primary_region.clone(), d.standby_region.clone());
    for (side, region) in [(Side::Primary, &pr), (Side::Standby, &sr)] {
        let names: Vec<String> = d
            .alarms
            .iter()
            .filter(|a| a.side == side)
            .map(|a| a.name.clone())
            .collect();
        if names.is_empty() {
            continue;
        }
        let found = match aws.alarms(side, &names).await {
            Ok(x) => x,
            Err(e) => fatal(e).map(|()| Vec::new())?,
        };
        for a in d.alarms.iter_mut().filter(|a| a.side == side) {
            if found.contains(&a.name) {
                a.notes.push(Note::Aws(format!("alarm exists in {region}")));
            } else {
                a.notes.push(Note::Check(format!(
                    "alarm {} not found in {region} (cloudwatch:DescribeAlarms)",
                    a.name
                )));
            }
        }
    }
    Ok(())
}
