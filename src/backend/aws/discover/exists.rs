//! Which of the named target groups (twenty per `DescribeTargetGroups`, each alone when one
//! is unknown) and alarms (a hundred per `DescribeAlarms`) exist.

use super::super::errors::sdk_error;
use super::{Discovery, not_found};
use crate::backend::BackendError;
use crate::model::Side;

const TG_BATCH: usize = 20;
const ALARM_BATCH: usize = 100;

pub(super) async fn target_groups(
    d: &Discovery,
    side: Side,
    arns: &[String],
) -> Result<Vec<String>, BackendError> {
    let c = d.of(side);
    let mut found = Vec::new();
    for batch in arns.chunks(TG_BATCH) {
        let out = c
            .elb
            .describe_target_groups()
            .set_target_group_arns(Some(batch.to_vec()))
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "elasticloadbalancing:DescribeTargetGroups",
                    &batch.join(", "),
                    e,
                )
            });
        match out {
            Ok(out) => found.extend(
                out.target_groups()
                    .iter()
                    .filter_map(|t| t.target_group_arn().map(str::to_string)),
            ),
            // One unknown ARN fails the whole batch: ask for each alone.
            Err(e) if not_found(&e) && batch.len() > 1 => {
                for arn in batch {
                    let one = c
                        .elb
                        .describe_target_groups()
                        .target_group_arns(arn)
                        .send()
                        .await
                        .map_err(|e| {
                            sdk_error(c.ctx(), "elasticloadbalancing:DescribeTargetGroups", arn, e)
                        });
                    match one {
                        Ok(_) => found.push(arn.clone()),
                        Err(e) if not_found(&e) => {}
                        Err(e) => return Err(e),
                    }
                }
            }
            Err(e) if not_found(&e) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(found)
}
pub(super) async fn alarms(
    d: &Discovery,
    side: Side,
    names: &[String],
) -> Result<Vec<String>, BackendError> {
    let c = d.of(side);
    let mut found = Vec::new();
    for batch in names.chunks(ALARM_BATCH) {
        let out = c
            .cloudwatch
            .describe_alarms()
            .set_alarm_names(Some(batch.to_vec()))
            .max_records(ALARM_BATCH as i32)
            .send()
            .await
            .map_err(|e| sdk_error(c.ctx(), "cloudwatch:DescribeAlarms", &batch.join(", "), e))?;
        found.extend(
            out.metric_alarms()
                .iter()
                .filter_map(|a| a.alarm_name().map(str::to_string)),
        );
    }
    Ok(found)
}
