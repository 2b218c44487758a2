//! Route 53 as finding reads it: every hosted zone, every record of a zone (kept for the
//! confirmation that follows), a health check and what it watches.

use super::super::route53::record_info;
use super::super::{Discovery, not_found};
use crate::backend::BackendError;
use crate::backend::aws::errors::sdk_error;
use crate::init::confirm::RecordInfo;
use crate::init::find::HealthCheckInfo;

pub(super) async fn hosted_zones(d: &Discovery) -> Result<Vec<String>, BackendError> {
    let g = &d.global;
    let mut marker: Option<String> = None;
    let mut found = Vec::new();
    loop {
        let out = g
            .route53
            .list_hosted_zones()
            .set_marker(marker.take())
            .send()
            .await
            .map_err(|e| sdk_error(g.ctx(), "route53:ListHostedZones", "", e))?;
        found.extend(
            out.hosted_zones()
                .iter()
                .map(|z| z.id().trim_start_matches("/hostedzone/").to_string()),
        );
        match out.next_marker().filter(|_| out.is_truncated()) {
            Some(m) => marker = Some(m.to_string()),
            None => return Ok(found),
        }
    }
}
pub(super) async fn zone_records(
    d: &Discovery,
    zone_id: &str,
) -> Result<Vec<RecordInfo>, BackendError> {
    let g = &d.global;
    let mut next: (Option<String>, Option<String>, Option<String>) = (None, None, None);
    let mut found = Vec::new();
    loop {
        let out = g
            .route53
            .list_resource_record_sets()
            .hosted_zone_id(zone_id)
            .set_start_record_name(next.0.take())
            .set_start_record_type(next.1.take().map(|t| t.as_str().into()))
            .set_start_record_identifier(next.2.take())
            .send()
            .await
            .map_err(|e| {
                sdk_error(
                    g.ctx(),
                    "route53:ListResourceRecordSets",
                    &format!("zone {zone_id}"),
                    e,
                )
            })?;
        found.extend(out.resource_record_sets().iter().map(record_info));
        if !out.is_truncated() {
            d.cache.put_zone(zone_id, found.clone());
            return Ok(found);
        }
        next = (
            out.next_record_name().map(str::to_string),
            out.next_record_type().map(|t| t.as_str().to_string()),
            out.next_record_identifier().map(str::to_string),
        );
    }
}
pub(super) async fn health_check(
    d: &Discovery,
    id: &str,
) -> Result<Option<HealthCheckInfo>, BackendError> {
    let g = &d.global;
    let out = g
        .route53
        .get_health_check()
        .health_check_id(id)
        .send()
        .await
        .map_err(|e| sdk_error(g.ctx(), "route53:GetHealthCheck", id, e));
    match out {
        Ok(o) => {
            d.cache.put_check(id, true);
            let cfg = o.health_check().and_then(|h| h.health_check_config());
            Ok(Some(HealthCheckInfo {
                id: id.to_string(),
                target: cfg.and_then(|c| {
                    c.fully_qualified_domain_name()
                        .or(c.ip_address())
                        .map(str::to_string)
                }),
            }))
        }
        Err(e) if not_found(&e) => {
            d.cache.put_check(id, false);
            Ok(None)
        }
        Err(e) => Err(e),
    }
}
