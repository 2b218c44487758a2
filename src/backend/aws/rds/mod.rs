//! RDS: the database of one region (instance or Aurora cluster), and the database actions.

mod actions;
mod clusters;
mod instances;

pub use clusters::{Globals, describe_globals, read_cluster, read_cluster_sharing};
pub use instances::{read_instance, read_instances};

use super::act::Acting;
use crate::backend::Action;
use actions::{create_replica, failover, promote, rename, switchover};

/// The last part of an ARN (`arn:aws:rds:us-east-1:1:cluster:orders` → `orders`).
pub fn arn_name(arn: &str) -> &str {
    if arn.starts_with("arn:") {
        arn.rsplit(':').next().unwrap_or(arn)
    } else {
        arn
    }
}

/// The region of an ARN, when it is one.
#[cfg(test)]
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next() == Some("arn"))
        .then(|| parts.nth(2))
        .flatten()
        .filter(|r| !r.is_empty())
}

/// The RDS actions, through `b`'s clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    Some(match action {
        Action::PromoteReplica { side, db } => Box::pin(promote(b.changes(*side), db)),
        Action::CreateReplica {
            side,
            replica,
            source_arn,
            instance_class,
        } => Box::pin(create_replica(
            b.changes(*side),
            replica,
            source_arn,
            instance_class.as_deref(),
        )),
        Action::RenameDb { side, from, to } => Box::pin(rename(b.changes(*side), from, to)),
        Action::GlobalSwitchover {
            global_cluster,
            target_cluster_arn,
            side,
        } => Box::pin(switchover(
            b.changes(*side),
            global_cluster,
            target_cluster_arn,
        )),
        Action::GlobalFailover {
            global_cluster,
            target_cluster_arn,
            side,
        } => Box::pin(failover(
            b.changes(*side),
            global_cluster,
            target_cluster_arn,
        )),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_parts() {
        let arn = "arn:aws:rds:us-east-1:123456789012:db:orders-db";
        assert_eq!(arn_name(arn), "orders-db");
        assert_eq!(arn_region(arn), Some("us-east-1"));
        assert_eq!(arn_name("orders-db"), "orders-db");
        assert_eq!(arn_region("orders-db"), None);
    }
}
