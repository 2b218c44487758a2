"""Publishes one `ReplicaLag` datapoint (now) for a DB instance on a local moto server.

    python tests/moto/lag.py URL REGION DB_INSTANCE SECONDS [AGO] [aurora]

With `aurora`, the datapoint is `AuroraGlobalDBReplicationLag` of the DB cluster named in
place of DB_INSTANCE, and SECONDS is in milliseconds (as Aurora publishes it).

AGO (seconds, default 0) dates the datapoint in the past: CloudWatch periods are a minute
long, so a later value meant to replace it must fall in a later minute.

The console reads a replica's lag from CloudWatch; in moto nothing produces it, so a test that
waits for "lag known" or "caught up" publishes what AWS would.
"""

import datetime
import os
import sys

import boto3


def main():
    url, region, instance, seconds = sys.argv[1:5]
    ago = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0
    aurora = len(sys.argv) > 6 and sys.argv[6] == "aurora"
    metric, dimension, unit = (
        ("AuroraGlobalDBReplicationLag", "DBClusterIdentifier", "Milliseconds")
        if aurora
        else ("ReplicaLag", "DBInstanceIdentifier", "Seconds")
    )
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("lag.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    boto3.client(
        "cloudwatch",
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": metric,
                "Dimensions": [{"Name": dimension, "Value": instance}],
                "Timestamp": datetime.datetime.now(datetime.timezone.utc)
                - datetime.timedelta(seconds=ago),
                "Value": float(seconds),
                "Unit": unit,
            }
        ],
    )


if __name__ == "__main__":
    main()
