"""Seeds a two-region DR estate into a running moto server (tests/moto/server.py).

    python tests/moto/seed.py URL [--services N]

Prints one JSON object with the identifiers AWS chose (ARNs, ids), for the estate file.
boto3 is used because seeding needs EC2 (the default VPC for target groups), which the
console itself never calls. The reads the tests check go through the Rust SDK, except
those of the runbook test, which reads what a run changed with tests/moto/state.py.

The estate, us-east-1 primary / us-west-2 standby:
- RDS postgres `orders-db` and its cross-region read replica `orders-db-replica`;
  `ReplicaLag` datapoints for the replica (latest: 12 s).
- ECS cluster `orders` in both regions. Services `web` (4) and `worker` (2) in the primary;
  in the standby `web` at 0 and `worker` at 1 (a warm worker); with --services N, N services
  `svc-000`... at 1 / 0 instead.
- ASG `orders-web`: 2/10/4 in the primary, 0/10/1 in the standby (launch configuration).
- Target group `web` in both regions; the primary's ASG instances registered in the primary.
- Hosted zone example.com with CNAME www.example.com -> lb-use1.example.com (TTL 60),
  and one HTTPS health check per region.
- Alarms: `orders-5xx` (primary, OK), `orders-replica-lag` (standby, set to ALARM).
- SSM parameter `/orders/db/endpoint` and secret `orders/db` in the standby.

With --no-lag, no `ReplicaLag` datapoint is published (replication reported nothing).

With --aurora, also an Aurora global database `orders-global`: cluster `orders-cluster` in the
primary (the writer) and `orders-cluster-dr` in the standby (a secondary), and
`AuroraGlobalDBReplicationLag` datapoints for the secondary (latest: 7000 ms).

With --backup-vault NAME, also an AWS Backup vault of that name in the standby and one
completed recovery point of `orders-db` in it (tests/moto/backup.py), created
--recovery-point-age seconds ago (default 3600).
"""

import argparse
import datetime
import json
import os
import sys

import boto3

PRIMARY, STANDBY = "us-east-1", "us-west-2"
NO_LAG = False  # --no-lag
LAG_POINTS = [(180, 3.0), (120, 5.0), (60, 12.0)]  # (seconds ago, lag seconds)


def client(service, region, url):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


AURORA_LAG_MS = [(120, 3000.0), (60, 7000.0)]


def seed_aurora(url, out, now):
    rds_p, rds_s = client("rds", PRIMARY, url), client("rds", STANDBY, url)
    rds_p.create_global_cluster(GlobalClusterIdentifier="orders-global", Engine="aurora-postgresql")
    rds_p.create_db_cluster(
        DBClusterIdentifier="orders-cluster",
        Engine="aurora-postgresql",
        MasterUsername="orders",
        MasterUserPassword="not-a-secret-1",
        GlobalClusterIdentifier="orders-global",
    )
    rds_s.create_db_cluster(
        DBClusterIdentifier="orders-cluster-dr",
        Engine="aurora-postgresql",
        GlobalClusterIdentifier="orders-global",
    )
    for rds, side, ident in ((rds_p, "primary", "orders-cluster"), (rds_s, "standby", "orders-cluster-dr")):
        cluster = rds.describe_db_clusters(DBClusterIdentifier=ident)["DBClusters"][0]
        out[side + "_cluster_arn"] = cluster["DBClusterArn"]
        out[side + "_cluster_endpoint"] = cluster["Endpoint"]
    client("cloudwatch", STANDBY, url).put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "AuroraGlobalDBReplicationLag",
                "Dimensions": [{"Name": "DBClusterIdentifier", "Value": "orders-cluster-dr"}],
                "Timestamp": now - datetime.timedelta(seconds=ago),
                "Value": value,
                "Unit": "Milliseconds",
            }
            for ago, value in AURORA_LAG_MS
        ],
    )


def seed_backup(url, out, vault, age):
    client("backup", STANDBY, url).create_backup_vault(BackupVaultName=vault)
    point = requests_post(
        url + "/_drconsole_backup/recovery-point",
        {
            "region": STANDBY,
            "vault": vault,
            "resource_arn": out["primary_db_arn"],
            "resource_type": "RDS",
            "age_seconds": age,
        },
    )
    out["recovery_point_arn"] = point["RecoveryPointArn"]


def requests_post(url, document):
    import urllib.request

    request = urllib.request.Request(
        url, data=json.dumps(document).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())


def seed(url, n_services, aurora=False, backup_vault=None, recovery_point_age=3600):
    out = {"primary_region": PRIMARY, "standby_region": STANDBY}
    now = datetime.datetime.now(datetime.timezone.utc)

    # RDS
    rds_p, rds_s = client("rds", PRIMARY, url), client("rds", STANDBY, url)
    rds_p.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="orders",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
    )
    primary_db = rds_p.describe_db_instances(DBInstanceIdentifier="orders-db")["DBInstances"][0]
    out["primary_db_arn"] = primary_db["DBInstanceArn"]
    out["primary_db_endpoint"] = primary_db["Endpoint"]["Address"]
    rds_s.create_db_instance_read_replica(
        DBInstanceIdentifier="orders-db-replica",
        SourceDBInstanceIdentifier=primary_db["DBInstanceArn"],
        SourceRegion=PRIMARY,
    )
    replica = rds_s.describe_db_instances(DBInstanceIdentifier="orders-db-replica")["DBInstances"][0]
    out["standby_db_arn"] = replica["DBInstanceArn"]
    out["standby_db_endpoint"] = replica["Endpoint"]["Address"]

    # CloudWatch
    cw_p, cw_s = client("cloudwatch", PRIMARY, url), client("cloudwatch", STANDBY, url)
    # --no-lag: CloudWatch holds no ReplicaLag datapoint at all (GetMetricData answers the
    # query with empty Values), as when replication has published nothing in the window.
    lag_points = [] if NO_LAG else LAG_POINTS
    cw_s.put_metric_data(
        Namespace="AWS/RDS",
        MetricData=[
            {
                "MetricName": "ReplicaLag",
                "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "orders-db-replica"}],
                "Timestamp": now - datetime.timedelta(seconds=ago),
                "Value": value,
                "Unit": "Seconds",
            }
            for ago, value in lag_points
        ] or [
            # put_metric_data needs one datum: one of another metric keeps the namespace alive.
            {"MetricName": "CPUUtilization", "Value": 1.0, "Unit": "Percent",
             "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "orders-db-replica"}]}
        ],
    )
    out["standby_lag"] = LAG_POINTS[-1][1] if lag_points else -1
    alarm = dict(
        Namespace="AWS/RDS",
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        ComparisonOperator="GreaterThanThreshold",
    )
    cw_p.put_metric_alarm(AlarmName="orders-5xx", MetricName="HTTPCode_Target_5XX_Count", Threshold=10, **alarm)
    cw_s.put_metric_alarm(AlarmName="orders-replica-lag", MetricName="ReplicaLag", Threshold=300, **alarm)
    cw_s.set_alarm_state(AlarmName="orders-replica-lag", StateValue="ALARM", StateReason="seeded")

    # ECS
    if n_services:
        services = [(f"svc-{i:03}", 1, 0) for i in range(n_services)]
    else:
        services = [("web", 4, 0), ("worker", 2, 1)]
    out["services"] = [{"name": n, "production": p, "standby": s} for n, p, s in services]
    for region, side in ((PRIMARY, "primary"), (STANDBY, "standby")):
        ecs = client("ecs", region, url)
        ecs.create_cluster(clusterName="orders")
        families = {n.split("-")[0] for n, _, _ in services}
        for family in families:
            ecs.register_task_definition(
                family=family,
                containerDefinitions=[{"name": family, "image": "public.example/" + family, "memory": 256}],
            )
        for name, production, standby in services:
            desired = production if side == "primary" else standby
            ecs.create_service(
                cluster="orders", serviceName=name, taskDefinition=name.split("-")[0], desiredCount=desired
            )
            if desired:
                # moto counts tasks as running only after an UpdateService.
                ecs.update_service(cluster="orders", service=name, desiredCount=desired)

    # Auto Scaling + ELBv2
    for region, side, (mn, mx, desired) in ((PRIMARY, "primary", (2, 10, 4)), (STANDBY, "standby", (0, 10, 1))):
        asg = client("autoscaling", region, url)
        asg.create_launch_configuration(
            LaunchConfigurationName="orders-web", ImageId="ami-12c6146b", InstanceType="t3.micro"
        )
        asg.create_auto_scaling_group(
            AutoScalingGroupName="orders-web",
            LaunchConfigurationName="orders-web",
            MinSize=mn,
            MaxSize=mx,
            DesiredCapacity=desired,
            AvailabilityZones=[region + "a"],
        )
        group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["orders-web"])["AutoScalingGroups"][0]
        instances = [i["InstanceId"] for i in group["Instances"]]
        out[side + "_instances"] = instances
        vpc = client("ec2", region, url).describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])
        elb = client("elbv2", region, url)
        tg = elb.create_target_group(
            Name="web", Protocol="HTTP", Port=80, VpcId=vpc["Vpcs"][0]["VpcId"], TargetType="instance"
        )["TargetGroups"][0]["TargetGroupArn"]
        out[side + "_tg_arn"] = tg
        if side == "primary":
            elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": i} for i in instances])

    # Route 53
    r53 = client("route53", PRIMARY, url)
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="drconsole-seed")["HostedZone"]["Id"]
    out["zone_id"] = zone.split("/")[-1]
    r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": "www.example.com",
                        "Type": "CNAME",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "lb-use1.example.com"}],
                    },
                }
            ]
        },
    )
    out["health_checks"] = []
    for i, fqdn in enumerate(["lb-use1.example.com", "lb-usw2.example.com"]):
        hc = r53.create_health_check(
            CallerReference=f"drconsole-seed-{i}",
            HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443, "ResourcePath": "/health"},
        )
        out["health_checks"].append(hc["HealthCheck"]["Id"])

    # Endpoint stores
    client("ssm", STANDBY, url).put_parameter(
        Name="/orders/db/endpoint", Value=out["primary_db_endpoint"], Type="String"
    )
    client("secretsmanager", STANDBY, url).create_secret(Name="orders/db", SecretString=out["primary_db_endpoint"])
    if aurora:
        seed_aurora(url, out, now)
    if backup_vault:
        seed_backup(url, out, backup_vault, recovery_point_age)
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--services", type=int, default=0)
    parser.add_argument("--aurora", action="store_true")
    parser.add_argument("--no-lag", action="store_true")
    parser.add_argument("--backup-vault")
    parser.add_argument("--recovery-point-age", type=int, default=3600)
    args = parser.parse_args()
    global NO_LAG
    NO_LAG = args.no_lag
    if not args.url.startswith("http://127.0.0.1:"):
        sys.exit("seed.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    print(json.dumps(seed(args.url, args.services, args.aurora, args.backup_vault, args.recovery_point_age)))


if __name__ == "__main__":
    main()
