//! What kind of resource an identifier names: from a tagged resource's ARN, or from a stack
//! resource's type and physical id.

use super::super::find::AsgInfo;

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
