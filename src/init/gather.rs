//! `init --tag` and `init --stack`: what AWS holds for the estate, found by tag (the Resource
//! Groups Tagging API, Auto Scaling's own tag filter) or in a CloudFormation stack
//! (`ListStackResources`), then read by identifier (`found`) into the same shape Terraform's
//! resources have, so that pairing and confirmation are the ones `--terraform-state` uses.

use super::find::{AsgInfo, Finder, StackAnswer, TAGGED_TYPES};
use super::terraform::TfResource;
use crate::backend::BackendError;
use crate::model::Side;

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

/// What kind of resource an identifier names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    DbInstance,
    DbCluster,
    EcsCluster,
    EcsService,
    Asg(Option<AsgInfo>),
    TargetGroup,
    LoadBalancer,
    Alarm,
    Parameter,
    Secret,
    Vault,
    Lambda,
    HealthCheck,
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

/// What a tagged ARN is (`None`: a type `init` does not use).
pub fn kind_of_arn(arn: &str) -> Option<(Kind, String)> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), _, Some(service), _, _, Some(rest)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    let after = |p: &str| rest.strip_prefix(p).map(str::to_string);
    Some(match service {
        "rds" => match after("db:") {
            Some(id) => (Kind::DbInstance, id),
            None => (Kind::DbCluster, after("cluster:")?),
        },
        "ecs" if rest.starts_with("cluster/") => (Kind::EcsCluster, after("cluster/")?),
        "ecs" if rest.starts_with("service/") => (Kind::EcsService, arn.to_string()),
        "elasticloadbalancing" if rest.starts_with("targetgroup/") => {
            (Kind::TargetGroup, arn.to_string())
        }
        "elasticloadbalancing" if rest.starts_with("loadbalancer/") => {
            (Kind::LoadBalancer, arn.to_string())
        }
        "cloudwatch" => (Kind::Alarm, after("alarm:")?),
        // `/orders/db` is `parameter/orders/db`; a name without a slash has none to restore.
        "ssm" => {
            let n = after("parameter/")?;
            (
                Kind::Parameter,
                if n.contains('/') { format!("/{n}") } else { n },
            )
        }
        "secretsmanager" => (Kind::Secret, secret_name(&after("secret:")?)),
        "backup" => (Kind::Vault, after("backup-vault:")?),
        "lambda" => (
            Kind::Lambda,
            after("function:")?.split(':').next()?.to_string(),
        ),
        _ => return None,
    })
}

/// A secret's ARN ends with its name, a dash and six random characters.
fn secret_name(tail: &str) -> String {
    match tail.len().checked_sub(7) {
        Some(cut) if tail.as_bytes().get(cut) == Some(&b'-') => tail[..cut].to_string(),
        _ => tail.to_string(),
    }
}

/// What a stack's resource is (`None`: a type `init` does not use).
pub fn kind_of_stack_type(kind: &str, physical: &str) -> Option<(Kind, String)> {
    Some(match kind {
        "AWS::RDS::DBInstance" => (Kind::DbInstance, physical.into()),
        "AWS::RDS::DBCluster" => (Kind::DbCluster, physical.into()),
        "AWS::ECS::Cluster" => (Kind::EcsCluster, physical.into()),
        "AWS::ECS::Service" => (Kind::EcsService, physical.into()),
        "AWS::AutoScaling::AutoScalingGroup" => (Kind::Asg(None), physical.into()),
        "AWS::ElasticLoadBalancingV2::TargetGroup" => (Kind::TargetGroup, physical.into()),
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => (Kind::LoadBalancer, physical.into()),
        "AWS::CloudWatch::Alarm" => (Kind::Alarm, physical.into()),
        "AWS::SSM::Parameter" => (Kind::Parameter, physical.into()),
        "AWS::SecretsManager::Secret" => match kind_of_arn(physical) {
            Some((Kind::Secret, name)) => (Kind::Secret, name),
            _ => (Kind::Secret, physical.into()),
        },
        "AWS::Backup::BackupVault" => (Kind::Vault, physical.into()),
        "AWS::Lambda::Function" => (Kind::Lambda, physical.into()),
        "AWS::Route53::HealthCheck" => (Kind::HealthCheck, physical.into()),
        _ => return None,
    })
}

/// What the source names in one region; the region's label for notes.
async fn find_side(
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_name_what_they_are() {
        let k = kind_of_arn;
        assert_eq!(
            k("arn:aws:rds:us-east-1:1:db:orders-db"),
            Some((Kind::DbInstance, "orders-db".into()))
        );
        assert_eq!(
            k("arn:aws:rds:us-east-1:1:cluster:orders"),
            Some((Kind::DbCluster, "orders".into()))
        );
        assert_eq!(
            k("arn:aws:ssm:us-west-2:1:parameter/orders/db/endpoint"),
            Some((Kind::Parameter, "/orders/db/endpoint".into()))
        );
        assert_eq!(
            k("arn:aws:ssm:us-west-2:1:parameter/orders-endpoint"),
            Some((Kind::Parameter, "orders-endpoint".into()))
        );
        assert_eq!(
            k("arn:aws:secretsmanager:us-west-2:1:secret:orders/db-AbC123"),
            Some((Kind::Secret, "orders/db".into()))
        );
        assert_eq!(
            k("arn:aws:cloudwatch:us-east-1:1:alarm:orders-5xx"),
            Some((Kind::Alarm, "orders-5xx".into()))
        );
        assert_eq!(
            k("arn:aws:lambda:us-west-2:1:function:failover:live"),
            Some((Kind::Lambda, "failover".into()))
        );
        let tg = "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/6d0ecf831eec9f09";
        assert_eq!(k(tg), Some((Kind::TargetGroup, tg.into())));
        assert_eq!(k("arn:aws:ecs:us-east-1:1:task/c/abc"), None);
        assert_eq!(k("arn:aws:rds:us-east-1:1:snapshot:s"), None);
        assert_eq!(k("not-an-arn"), None);
    }

    #[test]
    fn labels_say_every_tag() {
        let one = Source::Tags(vec![("app".into(), "orders".into())]);
        assert_eq!(one.label(), "tag app=orders");
        let two = Source::Tags(vec![
            ("app".into(), "orders".into()),
            ("env".into(), "prod".into()),
        ]);
        assert_eq!(two.label(), "tags app=orders, env=prod");
        let s = Source::Stacks {
            primary: "a".into(),
            standby: "a".into(),
        };
        assert_eq!(s.label(), "stack a");
    }
}
