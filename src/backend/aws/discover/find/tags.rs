//! Found by tag: the ARNs `tag:GetResources` lists (100 per page, only the types `init` uses),
//! and the Auto Scaling groups, by Auto Scaling's own tag filter or by name (fifty per call).

use aws_sdk_autoscaling::types::Filter;
use aws_sdk_resourcegroupstagging::types::TagFilter;

use super::super::Discovery;
use super::super::capacity::ASG_BATCH;
use crate::backend::BackendError;
use crate::backend::aws::errors::sdk_error;
use crate::init::find::AsgInfo;
use crate::model::Side;

pub(super) async fn tagged(
    d: &Discovery,
    side: Side,
    tags: &[(String, String)],
    types: &[&str],
) -> Result<Vec<String>, BackendError> {
    let (c, ctx) = (&d.finder(side).tagging, d.of(side).ctx());
    let what: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mut token: Option<String> = None;
    let mut arns = Vec::new();
    loop {
        let mut req = c
            .get_resources()
            .resources_per_page(100)
            .set_resource_type_filters(Some(types.iter().map(|t| t.to_string()).collect()))
            .set_pagination_token(token.take());
        for (k, v) in tags {
            req = req.tag_filters(TagFilter::builder().key(k).values(v).build());
        }
        let out = req
            .send()
            .await
            .map_err(|e| sdk_error(ctx, "tag:GetResources", &what.join(", "), e))?;
        arns.extend(
            out.resource_tag_mapping_list()
                .iter()
                .filter_map(|m| m.resource_arn().map(str::to_string)),
        );
        match out.pagination_token().filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok(arns),
        }
    }
}
pub(super) async fn asgs_tagged(
    d: &Discovery,
    side: Side,
    tags: &[(String, String)],
) -> Result<Vec<AsgInfo>, BackendError> {
    let c = d.of(side);
    let what: Vec<String> = tags.iter().map(|(k, v)| format!("tag {k}={v}")).collect();
    let mut token: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let mut req = c
            .autoscaling
            .describe_auto_scaling_groups()
            .max_records(100)
            .set_next_token(token.take());
        for (k, v) in tags {
            req = req.filters(Filter::builder().name(format!("tag:{k}")).values(v).build());
        }
        let out = req.send().await.map_err(|e| {
            sdk_error(
                c.ctx(),
                "autoscaling:DescribeAutoScalingGroups",
                &what.join(", "),
                e,
            )
        })?;
        found.extend(
            out.auto_scaling_groups()
                .iter()
                .filter_map(|g| d.group(side, g)),
        );
        match out.next_token().filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t.to_string()),
            None => return Ok(found),
        }
    }
}
pub(super) async fn asgs_named(
    d: &Discovery,
    side: Side,
    names: &[String],
) -> Result<Vec<AsgInfo>, BackendError> {
    let c = d.of(side);
    let mut found = Vec::new();
    for batch in names.chunks(ASG_BATCH) {
        let out = c
            .autoscaling
            .describe_auto_scaling_groups()
            .set_auto_scaling_group_names(Some(batch.to_vec()))
            .max_records(ASG_BATCH as i32)
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    c.ctx(),
                    "autoscaling:DescribeAutoScalingGroups",
                    &batch.join(", "),
                    e,
                )
            })?;
        found.extend(
            out.auto_scaling_groups()
                .iter()
                .filter_map(|g| d.group(side, g)),
        );
    }
    Ok(found)
}
