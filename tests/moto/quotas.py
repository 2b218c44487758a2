"""Service Quotas' `GetServiceQuota` for the quotas a failover scales up.

The gap: moto 5.2.5 knows only the `vpc` service's quotas and answers every other
`GetServiceQuota` with `NoSuchResourceException`.

AWS (API reference:
https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_GetServiceQuota.html,
and the quota object: https://docs.aws.amazon.com/servicequotas/2019-06-24/apireference/API_ServiceQuota.html)
answers the quota's applied value in the Region of the endpoint called:
`{"Quota": {"ServiceCode", "ServiceName", "QuotaArn", "QuotaCode", "QuotaName", "Value",
"Unit", "Adjustable", "GlobalQuota"}}`.

`applied_quotas()` patches moto's backend to answer that for the three quotas drconsole reads
(`fargate` L-3032A538, `ec2` L-1216C47A, `rds` L-7B6409FD): the value a test applied in that
Region (`POST /_drconsole/quota?region=R&service=S&code=C&value=V`, as a granted increase
would), else a starting value the same in every Region (AWS's own defaults vary by account
and over time; the tests only compare Regions and needs). The patch compares nothing: the code
under test reads the values and judges them.

Not modelled: usage metrics, increase requests and their history, resource-level quotas
(`ContextId`), `ErrorReason`; other quotas are answered by moto as before.
"""

import threading

STARTING = {
    ("fargate", "L-3032A538"): ("Fargate On-Demand vCPU resource count", "None", 6.0),
    ("ec2", "L-1216C47A"): ("Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", "None", 5.0),
    ("rds", "L-7B6409FD"): ("DB instances", "None", 40.0),
}

_lock = threading.Lock()
_applied = {}  # (region, service, code) -> value


def apply(region, service, code, value):
    """What a granted increase (or a decrease by support) leaves applied in `region`."""
    with _lock:
        _applied[(region, service, code)] = float(value)


def applied_quotas():
    from moto.servicequotas import models

    moto_get = models.ServiceQuotasBackend.get_service_quota

    def get_service_quota(self, service_code, quota_code):
        known = STARTING.get((service_code, quota_code))
        if known is None:
            return moto_get(self, service_code, quota_code)
        name, unit, start = known
        with _lock:
            value = _applied.get((self.region_name, service_code, quota_code), start)
        return {
            "ServiceCode": service_code,
            "ServiceName": service_code,
            "QuotaArn": f"arn:aws:servicequotas:{self.region_name}:{self.account_id}:{service_code}/{quota_code}",
            "QuotaCode": quota_code,
            "QuotaName": name,
            "Value": value,
            "Unit": unit,
            "Adjustable": True,
            "GlobalQuota": False,
        }

    models.ServiceQuotasBackend.get_service_quota = get_service_quota
