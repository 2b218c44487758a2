//! The databases a source names: each instance, and each cluster with the global database it
//! is a member of.

use serde_json::json;

use super::super::find::Finder;
use super::super::gather::{Found, Kind};
use super::super::terraform::TfResource;
use super::{of, resource};
use crate::backend::BackendError;
use crate::init::pair::arn_name;
use crate::model::Side;

/// Reads the instances and clusters of one region.
pub(super) async fn read(
    found: &[Found],
    side: Side,
    at: Option<&str>,
    label: &str,
    aws: &dyn Finder,
    out: &mut Vec<TfResource>,
) -> Result<(), BackendError> {
    for f in of(found, &|k| *k == Kind::DbInstance) {
        if let Some(db) = aws.db_instance(side, &f.id).await? {
            out.push(resource(
                "aws_db_instance",
                at,
                label,
                &f.address,
                json!({
                    "identifier": db.id, "arn": db.arn, "address": db.address,
                    "replicate_source_db": db.source, "instance_class": db.class,
                }),
            ));
        }
    }
    let clusters = of(found, &|k| *k == Kind::DbCluster);
    if !clusters.is_empty() {
        let globals = aws.global_clusters(side).await?;
        for f in clusters {
            let Some(c) = aws.db_cluster(side, &f.id).await? else {
                continue;
            };
            let global = globals
                .iter()
                .find(|g| g.members.iter().any(|m| arn_name(m) == c.id));
            if let Some(g) = global {
                out.push(resource(
                    "aws_rds_global_cluster",
                    None,
                    label,
                    &g.id,
                    json!({
                        "global_cluster_identifier": g.id,
                    }),
                ));
            }
            out.push(resource(
                "aws_rds_cluster",
                at,
                label,
                &f.address,
                json!({
                    "cluster_identifier": c.id, "endpoint": c.endpoint,
                    "global_cluster_identifier": global.map(|g| g.id.clone()),
                }),
            ));
        }
    }
    Ok(())
}
