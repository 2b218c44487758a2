"""Seeds and reads the records of the DNS modes in a running, seeded moto server.

    python tests/moto/dns.py URL seed ZONE_ID HEALTH_CHECK_ID
    python tests/moto/dns.py URL read ZONE_ID HEALTH_CHECK_ID

`seed` creates, in the seeded zone example.com:
- `app.example.com` A, an alias to the primary's load balancer
  (orders-use1-123.us-east-1.elb.amazonaws.com in zone Z35SXDOTRQ7X7K);
- `api.example.com` A, a failover pair: SetIdentifier `primary` (Failover PRIMARY,
  192.0.2.10, associated with HEALTH_CHECK_ID) and `secondary` (Failover SECONDARY,
  198.51.100.20), TTL 60.

`read` prints, through boto3 and not through the console's backend, what the tests check:
`{"app": {dns_name, zone_id, evaluate_target_health}, "api": {set_id: {failover, value,
health_check}}, "check": {inverted}}`.
"""

import json
import sys

import boto3


def client(url):
    return boto3.client(
        "route53",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed(r53, zone, check):
    changes = [
        {
            "Action": "CREATE",
            "ResourceRecordSet": {
                "Name": "app.example.com",
                "Type": "A",
                "AliasTarget": {
                    "HostedZoneId": "Z35SXDOTRQ7X7K",
                    "DNSName": "orders-use1-123.us-east-1.elb.amazonaws.com",
                    "EvaluateTargetHealth": True,
                },
            },
        }
    ]
    for set_id, role, value, hc in [
        ("primary", "PRIMARY", "192.0.2.10", check),
        ("secondary", "SECONDARY", "198.51.100.20", None),
    ]:
        rrset = {
            "Name": "api.example.com",
            "Type": "A",
            "SetIdentifier": set_id,
            "Failover": role,
            "TTL": 60,
            "ResourceRecords": [{"Value": value}],
        }
        if hc:
            rrset["HealthCheckId"] = hc
        changes.append({"Action": "CREATE", "ResourceRecordSet": rrset})
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": changes})
    print(json.dumps({"ok": True}))


def read(r53, zone, check):
    sets = r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
    out = {"app": None, "api": {}}
    for s in sets:
        name = s["Name"].rstrip(".")
        if name == "app.example.com" and s["Type"] == "A":
            a = s.get("AliasTarget", {})
            out["app"] = {
                "dns_name": a.get("DNSName"),
                "zone_id": a.get("HostedZoneId"),
                "evaluate_target_health": a.get("EvaluateTargetHealth"),
            }
        if name == "api.example.com":
            out["api"][s["SetIdentifier"]] = {
                "failover": s.get("Failover"),
                "value": [r["Value"] for r in s.get("ResourceRecords", [])],
                "health_check": s.get("HealthCheckId"),
            }
    config = r53.get_health_check(HealthCheckId=check)["HealthCheck"]["HealthCheckConfig"]
    out["check"] = {"inverted": config.get("Inverted")}
    print(json.dumps(out))


if __name__ == "__main__":
    url, what, zone, check = sys.argv[1:5]
    {"seed": seed, "read": read}[what](client(url), zone, check)
