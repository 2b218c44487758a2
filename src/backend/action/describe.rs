//! The one line an action is shown and logged as: its call and its arguments.

use super::{Action, EndpointStore};

impl Action {
    /// One line with the call and its arguments.
    pub fn describe(&self) -> String {
        let call = self.api_call();
        match self {
            Action::PromoteReplica { side, db } => format!("{call} {db} ({side})"),
            Action::CreateReplica {
                side,
                replica,
                source_arn,
                ..
            } => format!("{call} {replica} ({side}) from {source_arn}"),
            Action::RenameDb { side, from, to } => {
                format!("{call} {from} ({side}) NewDBInstanceIdentifier={to}")
            }
            Action::GlobalSwitchover {
                global_cluster,
                target_cluster_arn,
                ..
            }
            | Action::GlobalFailover {
                global_cluster,
                target_cluster_arn,
                ..
            } => format!("{call} {global_cluster} -> {target_cluster_arn}"),
            Action::ScaleService {
                side,
                cluster,
                service,
                desired,
            } => format!("{call} {cluster}/{service} ({side}) desiredCount={desired}"),
            Action::ForceDeployment {
                side,
                cluster,
                service,
            } => format!("{call} {cluster}/{service} ({side}) forceNewDeployment=true"),
            Action::SetAsgCapacity {
                side,
                asg,
                capacity,
            } => format!(
                "{call} {asg} ({side}) min={} max={} desired={}",
                capacity.min, capacity.max, capacity.desired
            ),
            Action::RegisterTargets {
                side,
                target_group_arn,
                targets,
                ..
            } => format!(
                "{call} {target_group_arn} ({side}) targets=[{}]",
                targets.join(",")
            ),
            Action::UpsertRecord {
                zone_id,
                record,
                record_type,
                ttl,
                value,
            } => format!("{call} {zone_id} UPSERT {record} {record_type} ttl={ttl} -> {value}"),
            Action::WriteEndpoint { side, store, value } => match store {
                EndpointStore::SsmParameter(n) | EndpointStore::Secret(n) => {
                    format!("{call} {n} ({side}) = {value}")
                }
            },
            Action::UpsertAlias {
                zone_id,
                record,
                record_type,
                dns_name,
                alias_zone_id,
                evaluate_target_health,
            } => format!(
                "{call} {zone_id} UPSERT {record} {record_type} ALIAS {dns_name} (zone {alias_zone_id}, EvaluateTargetHealth={evaluate_target_health})"
            ),
            Action::InvertHealthCheck {
                health_check,
                inverted,
            } => format!("{call} {health_check} Inverted={inverted}"),
            Action::InvokeLambda {
                side,
                function,
                payload,
            } => format!("{call} {function} ({side}) RequestResponse payload={payload}"),
            Action::RunCommand {
                program,
                args,
                env,
                dir,
            } => {
                let mut line = format!("run {program}");
                for a in args {
                    line.push(' ');
                    line.push_str(&quote(a));
                }
                line.push_str(&format!(" (in {dir}"));
                if !env.is_empty() {
                    let names: Vec<&str> = env.keys().map(String::as_str).collect();
                    line.push_str(&format!(", env {}", names.join(" ")));
                }
                line.push(')');
                line
            }
            Action::StartRestoreJob {
                side,
                recovery_point_arn,
                db,
                instance_class,
                subnet_group,
                security_groups,
                ..
            } => {
                let mut t =
                    format!("{call} {recovery_point_arn} ({side}) DBInstanceIdentifier={db}");
                if let Some(c) = instance_class {
                    t.push_str(&format!(" DBInstanceClass={c}"));
                }
                if let Some(g) = subnet_group {
                    t.push_str(&format!(" DBSubnetGroupName={g}"));
                }
                if !security_groups.is_empty() {
                    t.push_str(&format!(
                        " VpcSecurityGroupIds={}",
                        security_groups.join(",")
                    ));
                }
                t
            }
        }
    }
}

/// An argument as a person would type it: quoted when it has a space or a quote in it.
fn quote(a: &str) -> String {
    if !a.is_empty() && !a.contains([' ', '"', '\'']) {
        a.to_string()
    } else {
        format!("{a:?}")
    }
}
