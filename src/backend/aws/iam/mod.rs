//! The least-privilege IAM policy for an estate: what monitoring needs, and with `operate` what
//! the runbook actions need, scoped to the estate's resources wherever the API allows it.
//! The account id is not known from the estate file, so ARNs use `*` in its place.

mod arns;
mod invoke;
mod replicated;
mod run_lock;
pub(crate) mod simulate;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use crate::config::{DatabaseKind, Estate};

use arns::vault_arns;
use arns::{
    alarm_arns, asg_arns, database_arns, global_cluster_arns, health_check_arns, parameter_arns,
    primary_check_arns, secret_arns, service_arns, target_group_arns, zone_arns,
};

fn statement(sid: &str, actions: &[&str], resources: Vec<String>) -> Option<Value> {
    if resources.is_empty() {
        return None;
    }
    let mut resources = resources;
    resources.sort();
    resources.dedup();
    Some(json!({
        "Sid": sid,
        "Effect": "Allow",
        "Action": actions,
        "Resource": resources,
    }))
}

/// The policy document. Read-only by default; `operate` adds the actions the runbooks make.
pub fn iam_policy(estate: &Estate, operate: bool) -> Value {
    let db_kind = estate.database.as_ref().map(|d| d.kind);
    let mut statements: Vec<Option<Value>> = Vec::new();

    // Which account the credentials act in: shown per side and checked against `account_id`
    // before any runbook starts. AWS lets every principal call it; listing it says it is used.
    statements.push(statement(
        "ReadCallerIdentity",
        &["sts:GetCallerIdentity"],
        vec!["*".into()],
    ));
    // Optional: the account's alias beside its id. Without it the id alone is shown.
    statements.push(statement(
        "OptionalReadAccountAlias",
        &["iam:ListAccountAliases"],
        vec!["*".into()],
    ));

    // Calls that AWS does not scope to resources.
    let mut unscoped = vec!["cloudwatch:GetMetricData"];
    if !estate.asgs.is_empty() {
        unscoped.push("autoscaling:DescribeAutoScalingGroups");
    }
    if !estate.target_groups.is_empty() {
        unscoped.push("elasticloadbalancing:DescribeTargetHealth");
    }
    if estate.database.is_none() {
        unscoped.retain(|a| *a != "cloudwatch:GetMetricData");
    }
    if !unscoped.is_empty() {
        statements.push(statement("ReadUnscoped", &unscoped, vec!["*".into()]));
    }
    match db_kind {
        Some(DatabaseKind::RdsReplica) => statements.push(statement(
            "ReadDatabase",
            &["rds:DescribeDBInstances"],
            database_arns(estate),
        )),
        Some(DatabaseKind::AuroraGlobal) => {
            statements.push(statement(
                "ReadDatabase",
                &["rds:DescribeDBClusters"],
                database_arns(estate),
            ));
            statements.push(statement(
                "ReadGlobalCluster",
                &["rds:DescribeGlobalClusters"],
                global_cluster_arns(estate),
            ));
        }
        Some(DatabaseKind::BackupRestore) => {
            statements.push(statement(
                "ReadDatabase",
                &["rds:DescribeDBInstances"],
                database_arns(estate),
            ));
            statements.push(statement(
                "ReadRecoveryPoints",
                &["backup:ListRecoveryPointsByBackupVault"],
                vault_arns(estate).0,
            ));
            // ListRestoreJobs names no resource: it is granted on "*" or not at all.
            statements.push(statement(
                "ReadRestoreJobs",
                &["backup:ListRestoreJobs"],
                vec!["*".into()],
            ));
        }
        None => {}
    }
    statements.push(statement(
        "ReadServices",
        &["ecs:DescribeServices"],
        service_arns(estate),
    ));
    statements.push(statement(
        "ReadAlarms",
        &["cloudwatch:DescribeAlarms"],
        alarm_arns(estate),
    ));
    statements.push(statement(
        "ReadHealthChecks",
        &["route53:GetHealthCheckStatus"],
        health_check_arns(estate),
    ));
    statements.push(statement(
        "ReadRecord",
        &["route53:ListResourceRecordSets"],
        zone_arns(estate),
    ));
    // Failover routing: the PRIMARY's check, its configuration (`Inverted`) and its status.
    statements.push(statement(
        "ReadFailoverCheck",
        &["route53:GetHealthCheck", "route53:GetHealthCheckStatus"],
        primary_check_arns(estate),
    ));
    let swaps_record = estate
        .dns
        .as_ref()
        .is_some_and(|d| !d.is_failover_routing());
    statements.extend(replicated::statements(estate));

    if operate {
        match db_kind {
            Some(DatabaseKind::RdsReplica) => statements.push(statement(
                "OperateDatabase",
                &[
                    "rds:PromoteReadReplica",
                    "rds:CreateDBInstanceReadReplica",
                    "rds:ModifyDBInstance",
                ],
                database_arns(estate),
            )),
            Some(DatabaseKind::AuroraGlobal) => {
                let mut arns = database_arns(estate);
                arns.extend(global_cluster_arns(estate));
                statements.push(statement(
                    "OperateGlobalCluster",
                    &["rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"],
                    arns,
                ));
            }
            Some(DatabaseKind::BackupRestore) => {
                statements.push(statement(
                    "OperateRestore",
                    &["backup:StartRestoreJob"],
                    vault_arns(estate).1,
                ));
                // AWS Backup restores as its service role, which the caller passes to it.
                statements.push(statement(
                    "PassBackupRole",
                    &["iam:PassRole"],
                    vec!["arn:aws:iam::*:role/service-role/AWSBackupDefaultServiceRole".into()],
                ));
            }
            None => {}
        }
        statements.push(statement(
            "OperateServices",
            &["ecs:UpdateService"],
            service_arns(estate),
        ));
        statements.push(statement(
            "OperateAsgs",
            &["autoscaling:UpdateAutoScalingGroup"],
            asg_arns(estate),
        ));
        statements.push(statement(
            "OperateTargetGroups",
            &["elasticloadbalancing:RegisterTargets"],
            target_group_arns(estate),
        ));
        if swaps_record {
            statements.push(statement(
                "OperateRecord",
                &["route53:ChangeResourceRecordSets"],
                zone_arns(estate),
            ));
        }
        // A failover pair is moved by inverting its PRIMARY's check, never by a record change.
        statements.push(statement(
            "OperateFailoverCheck",
            &["route53:UpdateHealthCheck"],
            primary_check_arns(estate),
        ));
        if swaps_record {
            statements.push(statement(
                "FollowRecordChange",
                &["route53:GetChange"],
                vec!["arn:aws:route53:::change/*".into()],
            ));
        }
        statements.push(statement(
            "OperateEndpointParameter",
            &["ssm:PutParameter", "ssm:GetParameter"],
            parameter_arns(estate),
        ));
        // The parameter's type and KMS key, so that a SecureString is written back as one:
        // DescribeParameters names no resource, it is granted on "*" or not at all.
        if !parameter_arns(estate).is_empty() {
            statements.push(statement(
                "ReadEndpointParameterType",
                &["ssm:DescribeParameters"],
                vec!["*".into()],
            ));
        }
        statements.push(statement(
            "OperateEndpointSecret",
            &[
                "secretsmanager:PutSecretValue",
                "secretsmanager:GetSecretValue",
            ],
            secret_arns(estate),
        ));
        statements.push(statement(
            "InvokeFunctions",
            &["lambda:InvokeFunction"],
            invoke::function_arns(estate),
        ));
        statements.extend(run_lock::statements(estate));
    }

    json!({
        "Version": "2012-10-17",
        "Statement": statements.into_iter().flatten().collect::<Vec<_>>(),
    })
}
