"""Seeds a Route 53 failover pair per estate into a running moto server (after
tests/moto/fleet_seed.py), and inverts health checks.

    python tests/moto/failover_pairs.py URL ZONE_ID NAME:PRIMARY_CHECK:SECONDARY_CHECK... [--invert ID]...

For each NAME: `NAME-api.example.com` CNAME, SetIdentifier `primary` (Failover PRIMARY,
NAME-use1.example.com, PRIMARY_CHECK) and `secondary` (Failover SECONDARY,
NAME-usw2.example.com, SECONDARY_CHECK), TTL 60. Each --invert ID sets `Inverted` on that
check (UpdateHealthCheck): moto's checkers always report success, so an inverted check is
the one Route 53 takes as unhealthy.
"""

import argparse
import os
import sys

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("zone")
    parser.add_argument("pairs", nargs="+")
    parser.add_argument("--invert", action="append", default=[])
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1:"):
        sys.exit("failover_pairs.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    r53 = boto3.client("route53", region_name="us-east-1", endpoint_url=args.url,
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    for pair in args.pairs:
        name, primary, secondary = pair.split(":")
        changes = []
        for ident, role, value, check in (("primary", "PRIMARY", f"{name}-use1.example.com", primary),
                                          ("secondary", "SECONDARY", f"{name}-usw2.example.com", secondary)):
            changes.append({"Action": "CREATE", "ResourceRecordSet": {
                "Name": f"{name}-api.example.com", "Type": "CNAME", "TTL": 60, "SetIdentifier": ident,
                "Failover": role, "HealthCheckId": check, "ResourceRecords": [{"Value": value}]}})
        r53.change_resource_record_sets(HostedZoneId=args.zone, ChangeBatch={"Changes": changes})
    for check in args.invert:
        r53.update_health_check(HealthCheckId=check, Inverted=True)


if __name__ == "__main__":
    main()
