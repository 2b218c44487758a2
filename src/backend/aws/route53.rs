//! Route 53's changes (global, through the standby's configuration): record changes, the
//! inversion of a health check, and whether a change is in sync. Its reads are in
//! `route53_read`.

use aws_sdk_route53::types::{
    Change, ChangeAction, ChangeBatch, ChangeStatus, ResourceRecord, ResourceRecordSet, RrType,
};

use super::act::Acting;
use super::clients::GlobalClients;
use super::errors::{invalid, sdk_error};
use crate::backend::Action;
use crate::backend::{ActionOutcome, BackendError};
use crate::config::AliasTarget;

/// `UpdateHealthCheck` with `Inverted`.
pub async fn set_inverted(
    g: &GlobalClients,
    id: &str,
    inverted: bool,
) -> Result<ActionOutcome, BackendError> {
    let out = g
        .route53
        .update_health_check()
        .health_check_id(id)
        .inverted(inverted)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:UpdateHealthCheck", id, e))?;
    let version = out.health_check().map(|h| h.health_check_version());
    Ok(ActionOutcome {
        summary: format!(
            "health check {id} Inverted={inverted}{}",
            version
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default()
        ),
        change_id: None,
    })
}

/// UPSERT of an alias record pointing at a load balancer (or another AWS resource).
pub async fn upsert_alias(
    g: &GlobalClients,
    zone_id: &str,
    record: &str,
    record_type: &str,
    alias: &AliasTarget,
    evaluate_target_health: bool,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let resource = format!("{record} {record_type} in zone {zone_id}");
    let bad = |e| invalid(g.ctx(), op, &resource, e);
    let target = aws_sdk_route53::types::AliasTarget::builder()
        .hosted_zone_id(&alias.zone_id)
        .dns_name(&alias.dns_name)
        .evaluate_target_health(evaluate_target_health)
        .build()
        .map_err(bad)?;
    let set = ResourceRecordSet::builder()
        .name(record)
        .r#type(RrType::from(record_type))
        .alias_target(target)
        .build()
        .map_err(bad)?;
    change(
        g,
        zone_id,
        &resource,
        set,
        format!("drconsole: point {record} at alias {}", alias.dns_name),
        format!("{record} {record_type} → ALIAS {}", alias.dns_name),
    )
    .await
}

async fn change(
    g: &GlobalClients,
    zone_id: &str,
    resource: &str,
    set: ResourceRecordSet,
    comment: String,
    summary: String,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let bad = |e| invalid(g.ctx(), op, resource, e);
    let batch = ChangeBatch::builder()
        .comment(comment)
        .changes(
            Change::builder()
                .action(ChangeAction::Upsert)
                .resource_record_set(set)
                .build()
                .map_err(bad)?,
        )
        .build()
        .map_err(bad)?;
    let out = g
        .route53
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(batch)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), op, resource, e))?;
    let info = out.change_info();
    Ok(ActionOutcome {
        summary: format!(
            "{summary}, change {} {}",
            info.map(|i| i.id()).unwrap_or("?"),
            info.map(|i| i.status().as_str()).unwrap_or("?")
        ),
        change_id: info.map(|i| i.id().to_string()),
    })
}

pub async fn upsert(
    g: &GlobalClients,
    zone_id: &str,
    record: &str,
    record_type: &str,
    ttl: i64,
    value: &str,
) -> Result<ActionOutcome, BackendError> {
    let op = "route53:ChangeResourceRecordSets";
    let resource = format!("{record} {record_type} in zone {zone_id}");
    let bad = |e| invalid(g.ctx(), op, &resource, e);
    let set = ResourceRecordSet::builder()
        .name(record)
        .r#type(RrType::from(record_type))
        .ttl(ttl)
        .resource_records(
            ResourceRecord::builder()
                .value(value)
                .build()
                .map_err(bad)?,
        )
        .build()
        .map_err(bad)?;
    change(
        g,
        zone_id,
        &resource,
        set,
        format!("drconsole: point {record} at {value}"),
        format!("{record} {record_type} → {value} (ttl {ttl}s)"),
    )
    .await
}

pub async fn change_in_sync(g: &GlobalClients, change_id: &str) -> Result<bool, BackendError> {
    let out = g
        .route53
        .get_change()
        .id(change_id)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:GetChange", change_id, e))?;
    Ok(out.change_info().map(|i| i.status()) == Some(&ChangeStatus::Insync))
}

/// The Route 53 actions, through `b`'s global clients that make one attempt.
pub(super) fn act<'a>(b: &'a super::AwsBackend, action: &'a Action) -> Option<Acting<'a>> {
    let g = &b.global_changes;
    Some(match action {
        Action::UpsertRecord {
            zone_id,
            record,
            record_type,
            ttl,
            value,
        } => Box::pin(upsert(g, zone_id, record, record_type, *ttl, value)),
        Action::UpsertAlias {
            zone_id,
            record,
            record_type,
            dns_name,
            alias_zone_id,
            evaluate_target_health,
        } => Box::pin(async move {
            let alias = AliasTarget {
                dns_name: dns_name.clone(),
                zone_id: alias_zone_id.clone(),
            };
            upsert_alias(
                g,
                zone_id,
                record,
                record_type,
                &alias,
                *evaluate_target_health,
            )
            .await
        }),
        Action::InvertHealthCheck {
            health_check,
            inverted,
        } => Box::pin(set_inverted(g, health_check, *inverted)),
        _ => return None,
    })
}
