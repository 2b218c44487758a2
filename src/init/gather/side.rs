//! What a source names in one region: the resources carrying every tag (and the Auto Scaling
//! groups, found by their own tag filter), or the resources of the region's stack.

use super::super::find::{Finder, StackAnswer, TAGGED_TYPES};
use super::{Found, GatherError, Kind, Source, kind_of_arn, kind_of_stack_type};
use crate::model::Side;

/// What the source names in one region; the region's label for notes.
pub(super) async fn find_side(
    source: &Source,
    side: Side,
    region: &str,
    aws: &dyn Finder,
) -> Result<(Vec<Found>, String), GatherError> {
    match source {
        Source::Tags(tags) => {
            let (arns, groups) = futures::join!(
                aws.tagged(side, tags, TAGGED_TYPES),
                aws.asgs_tagged(side, tags)
            );
            let mut found: Vec<Found> = arns?
                .into_iter()
                .filter_map(|arn| {
                    let (kind, id) = kind_of_arn(&arn)?;
                    Some(Found {
                        kind,
                        id,
                        address: arn,
                    })
                })
                .collect();
            for g in groups? {
                found.push(Found {
                    id: g.name.clone(),
                    address: g.arn.clone(),
                    kind: Kind::Asg(Some(g)),
                });
            }
            if found.is_empty() {
                return Err(GatherError::Nothing(format!(
                    "init: nothing in {region} is tagged {} (tag:GetResources, \
                     autoscaling:DescribeAutoScalingGroups); nothing written",
                    source
                        .label()
                        .trim_start_matches("tags ")
                        .trim_start_matches("tag ")
                )));
            }
            Ok((found, format!("{} in {region}", source.label())))
        }
        Source::Stacks { primary, standby } => {
            let stack = match side {
                Side::Primary => primary,
                Side::Standby => standby,
            };
            match aws.stack_resources(side, stack).await? {
                StackAnswer::NoSuchStack => Err(GatherError::Nothing(format!(
                    "init: stack {stack} does not exist in {region} \
                     (cloudformation:ListStackResources); nothing written"
                ))),
                StackAnswer::Resources(rs) => Ok((
                    rs.into_iter()
                        .filter_map(|r| {
                            let (kind, id) = kind_of_stack_type(&r.kind, &r.physical_id)?;
                            Some(Found {
                                kind,
                                id,
                                address: format!("{} ({})", r.logical_id, r.kind),
                            })
                        })
                        .collect(),
                    format!("stack {stack} in {region}"),
                )),
            }
        }
    }
}
