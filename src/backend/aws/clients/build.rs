//! Building the clients of a region, of Route 53 and of `drconsole init`'s finders, each with
//! the call counter and the estate's endpoint.

use aws_config::SdkConfig;

use super::counter::{CallCounter, CountingInterceptor};
use super::sdk::{for_changes, load_sdk_config, timeouts};
use super::{FinderClients, GlobalClients, RegionClients};
use crate::backend::aws::profile::{CredentialsFix, credentials_fix};
use crate::config::Estate;
use crate::model::Side;

/// Applies the counter and, when the estate names an endpoint for the region, pins every
/// service to it (service-specific `AWS_ENDPOINT_URL_<SERVICE>` variables would otherwise win).
macro_rules! client {
    ($krate:ident, $sdk:expr, $endpoint:expr, $counter:expr) => {{
        let mut b =
            $krate::config::Builder::from($sdk).interceptor(CountingInterceptor($counter.clone()));
        if let Some(url) = $endpoint {
            b = b.endpoint_url(url);
        }
        $krate::Client::from_conf(b.build())
    }};
}

pub fn label(estate: &Estate, side: Side) -> String {
    format!("{} ({side})", estate.region(side).region)
}

/// A region's clients for reads, and for changes.
pub async fn region_clients(
    estate: &Estate,
    side: Side,
    counter: &CallCounter,
) -> (RegionClients, RegionClients) {
    let cfg = estate.region(side);
    let timeout = estate.call_timeout.0;
    let (sdk, fix) = futures::join!(
        load_sdk_config(cfg, timeout),
        credentials_fix(cfg.profile.as_deref())
    );
    let reads = clients_of(estate, side, &sdk, &fix, counter);
    let changes = clients_of(estate, side, &for_changes(&sdk), &fix, counter);
    (reads, changes)
}

fn clients_of(
    estate: &Estate,
    side: Side,
    sdk: &SdkConfig,
    fix: &CredentialsFix,
    counter: &CallCounter,
) -> RegionClients {
    let cfg = estate.region(side);
    let timeout = estate.call_timeout.0;
    let ep = cfg.endpoint_url.as_deref();
    RegionClients {
        label: label(estate, side),
        credentials: fix.clone(),
        call_timeout: timeout,
        sts: client!(aws_sdk_sts, sdk, ep, counter),
        iam: client!(aws_sdk_iam, sdk, ep, counter),
        rds: client!(aws_sdk_rds, sdk, ep, counter),
        cloudwatch: client!(aws_sdk_cloudwatch, sdk, ep, counter),
        ecs: client!(aws_sdk_ecs, sdk, ep, counter),
        autoscaling: client!(aws_sdk_autoscaling, sdk, ep, counter),
        elb: client!(aws_sdk_elasticloadbalancingv2, sdk, ep, counter),
        ssm: client!(aws_sdk_ssm, sdk, ep, counter),
        secrets: client!(aws_sdk_secretsmanager, sdk, ep, counter),
        lambda: client!(
            aws_sdk_lambda,
            &sdk.to_builder()
                .timeout_config(timeouts(crate::backend::action::LAMBDA_CALL_TIMEOUT))
                .build(),
            ep,
            counter
        ),
        s3: {
            // An emulator or a VPC endpoint serves buckets by path, not by host name.
            let mut b = aws_sdk_s3::config::Builder::from(sdk)
                .interceptor(CountingInterceptor(counter.clone()))
                .force_path_style(ep.is_some());
            if let Some(url) = ep {
                b = b.endpoint_url(url);
            }
            aws_sdk_s3::Client::from_conf(b.build())
        },
        ecr: client!(aws_sdk_ecr, sdk, ep, counter),
        backup: client!(aws_sdk_backup, sdk, ep, counter),
        quotas: client!(aws_sdk_servicequotas, sdk, ep, counter),
    }
}

/// Route 53's clients for reads, and for changes.
pub async fn global_clients(
    estate: &Estate,
    counter: &CallCounter,
) -> (GlobalClients, GlobalClients) {
    let cfg = estate.region(Side::Standby);
    let timeout = estate.call_timeout.0;
    let (sdk, fix) = futures::join!(
        load_sdk_config(cfg, timeout),
        credentials_fix(cfg.profile.as_deref())
    );
    let of = |sdk: &SdkConfig| GlobalClients {
        label: format!("route53 (via {})", label(estate, Side::Standby)),
        credentials: fix.clone(),
        call_timeout: timeout,
        route53: client!(aws_sdk_route53, sdk, cfg.endpoint_url.as_deref(), counter),
    };
    (of(&sdk), of(&for_changes(&sdk)))
}

pub async fn finder_clients(estate: &Estate, side: Side, counter: &CallCounter) -> FinderClients {
    let cfg = estate.region(side);
    let sdk = load_sdk_config(cfg, estate.call_timeout.0).await;
    let ep = cfg.endpoint_url.as_deref();
    FinderClients {
        tagging: client!(aws_sdk_resourcegroupstagging, &sdk, ep, counter),
        cloudformation: client!(aws_sdk_cloudformation, &sdk, ep, counter),
    }
}
