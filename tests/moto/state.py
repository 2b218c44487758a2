"""Reads back the seeded estate from a running moto server (tests/moto/server.py), read only.

    python tests/moto/state.py URL

Prints one JSON object, every list sorted so that two reads of the same state are equal:

    {"rds": {REGION: {ID: {status, source, replicas, endpoint, arn}}},
     "asgs": {REGION: {NAME: {min, max, desired, instances}}},
     "services": {REGION: {NAME: {desired, running, deployments: [{id, status}]}}},
     "targets": {REGION: {TARGET_GROUP: [registered instance ids]}},
     "dns": {NAME: {type, ttl, values}},
     "parameters": {REGION: {NAME: value}},
     "secrets": {REGION: {NAME: value}}}

Tests of runbooks read what a run changed here, through boto3 rather than through the console's
own backend, so that the check does not share the code it checks.
"""

import argparse
import json
import os
import sys

import boto3

REGIONS = ("us-east-1", "us-west-2")
CLUSTER = "orders"


def client(service, region, url):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def rds_state(url, region):
    out = {}
    for db in client("rds", region, url).describe_db_instances()["DBInstances"]:
        out[db["DBInstanceIdentifier"]] = {
            "status": db.get("DBInstanceStatus"),
            "source": db.get("ReadReplicaSourceDBInstanceIdentifier"),
            "replicas": sorted(db.get("ReadReplicaDBInstanceIdentifiers", [])),
            "endpoint": (db.get("Endpoint") or {}).get("Address"),
            "arn": db.get("DBInstanceArn"),
        }
    return out


def asg_state(url, region):
    out = {}
    for g in client("autoscaling", region, url).describe_auto_scaling_groups()["AutoScalingGroups"]:
        out[g["AutoScalingGroupName"]] = {
            "min": g["MinSize"],
            "max": g["MaxSize"],
            "desired": g["DesiredCapacity"],
            "instances": sorted(i["InstanceId"] for i in g["Instances"] if i["LifecycleState"] == "InService"),
        }
    return out


def service_state(url, region):
    ecs = client("ecs", region, url)
    arns = ecs.list_services(cluster=CLUSTER)["serviceArns"]
    out = {}
    for i in range(0, len(arns), 10):
        for s in ecs.describe_services(cluster=CLUSTER, services=arns[i : i + 10])["services"]:
            out[s["serviceName"]] = {
                "desired": s["desiredCount"],
                "running": s["runningCount"],
                "deployments": sorted(
                    ({"id": d["id"], "status": d["status"]} for d in s.get("deployments", [])),
                    key=lambda d: d["id"],
                ),
            }
    return out


def target_state(url, region):
    elb = client("elbv2", region, url)
    out = {}
    for tg in elb.describe_target_groups()["TargetGroups"]:
        health = elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])
        out[tg["TargetGroupName"]] = sorted(t["Target"]["Id"] for t in health["TargetHealthDescriptions"])
    return out


def dns_state(url):
    r53 = client("route53", REGIONS[0], url)
    out = {}
    for zone in r53.list_hosted_zones()["HostedZones"]:
        for rr in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
            if rr["Type"] in ("SOA", "NS"):
                continue
            out[rr["Name"]] = {
                "type": rr["Type"],
                "ttl": rr.get("TTL"),
                "values": sorted(r["Value"] for r in rr.get("ResourceRecords", [])),
            }
    return out


def parameter_state(url, region):
    ssm = client("ssm", region, url)
    names = [p["Name"] for p in ssm.describe_parameters()["Parameters"]]
    return {n: ssm.get_parameter(Name=n)["Parameter"]["Value"] for n in sorted(names)}


def secret_state(url, region):
    sm = client("secretsmanager", region, url)
    names = [s["Name"] for s in sm.list_secrets()["SecretList"]]
    return {n: sm.get_secret_value(SecretId=n).get("SecretString") for n in sorted(names)}


def state(url):
    return {
        "rds": {r: rds_state(url, r) for r in REGIONS},
        "asgs": {r: asg_state(url, r) for r in REGIONS},
        "services": {r: service_state(url, r) for r in REGIONS},
        "targets": {r: target_state(url, r) for r in REGIONS},
        "dns": dns_state(url),
        "parameters": {r: parameter_state(url, r) for r in REGIONS},
        "secrets": {r: secret_state(url, r) for r in REGIONS},
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1:"):
        sys.exit("state.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    print(json.dumps(state(args.url), sort_keys=True))


if __name__ == "__main__":
    main()
