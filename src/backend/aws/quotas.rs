//! Service Quotas: the applied value of each quota a failover's scale-up counts against
//! (`servicequotas:GetServiceQuota`, one call per quota). Only reads. A quota the region has
//! no applied value for (`NoSuchResourceException`) is read as none.

use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use super::clients::RegionClients;
use super::errors::sdk_error;
use crate::backend::BackendError;
use crate::model::{QuotaKind, QuotaReading, Side};

const OPERATION: &str = "servicequotas:GetServiceQuota";

pub async fn read_quotas(
    c: &RegionClients,
    side: Side,
    kinds: &[QuotaKind],
) -> Result<Vec<QuotaReading>, BackendError> {
    let reads = kinds.iter().map(|kind| async move {
        let (service, code) = kind.codes();
        let answer = c
            .quotas
            .get_service_quota()
            .service_code(service)
            .quota_code(code)
            .send()
            .await;
        let value = match answer {
            Ok(a) => a.quota().and_then(|q| q.value()),
            Err(e) if e.code() == Some("NoSuchResourceException") => None,
            Err(e) => return Err(sdk_error(c.ctx(), OPERATION, code, e)),
        };
        Ok(QuotaReading {
            kind: *kind,
            side,
            value,
        })
    });
    futures::future::join_all(reads).await.into_iter().collect()
}
