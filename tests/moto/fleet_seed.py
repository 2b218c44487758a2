"""Seeds several DR estates into one running moto server (tests/moto/server.py): a fleet in
one account, every estate us-east-1 primary / us-west-2 standby.

    python tests/moto/fleet_seed.py URL --estates N [--services K] [--no-replica NAME]...

Prints one JSON object: {"estates": [{"name": ..., "toml": ...}]}, each `toml` an estate file
whose endpoints are URL. Per estate NAME (names `app-00`, `app-01`, ...):
- RDS postgres `NAME-db` and its cross-region read replica `NAME-db-replica` (none for a
  name given to --no-replica: that estate's failover has nothing to promote);
  `ReplicaLag` datapoints for the replica (latest: 4 s);
- ECS cluster NAME in both regions with K services `svc-00`... (default 2) at 1 in the
  primary and 0 in the standby;
- ASG `NAME-web`: 1/4/1 in the primary, 0/4/0 in the standby; target group `NAME-web` per
  region, the primary's instance registered;
- a CNAME `NAME.example.com` in one shared zone, one health check per region;
- alarm `NAME-5xx` in the primary.
"""

import argparse
import datetime
import json
import os
import sys

import boto3

PRIMARY, STANDBY = "us-east-1", "us-west-2"


def client(service, region, url):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed(url, n, k, no_replica):
    now = datetime.datetime.now(datetime.timezone.utc)
    c = {(s, r): client(s, r, url) for s in ("rds", "cloudwatch", "ecs", "autoscaling", "ec2", "elbv2")
         for r in (PRIMARY, STANDBY)}
    r53 = client("route53", PRIMARY, url)
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="drconsole-fleet")["HostedZone"]["Id"]
    vpcs = {r: c[("ec2", r)].describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
            for r in (PRIMARY, STANDBY)}
    for r in (PRIMARY, STANDBY):
        c[("ecs", r)].register_task_definition(
            family="svc", containerDefinitions=[{"name": "svc", "image": "public.example/svc", "memory": 256}]
        )
    estates = []
    for i in range(n):
        name = f"app-{i:02}"
        c[("rds", PRIMARY)].create_db_instance(
            DBInstanceIdentifier=f"{name}-db", DBInstanceClass="db.t3.micro", Engine="postgres",
            MasterUsername="app", MasterUserPassword="not-a-secret-1", AllocatedStorage=20,
        )
        arn = c[("rds", PRIMARY)].describe_db_instances(DBInstanceIdentifier=f"{name}-db")["DBInstances"][0]["DBInstanceArn"]
        if name not in no_replica:
            c[("rds", STANDBY)].create_db_instance_read_replica(
                DBInstanceIdentifier=f"{name}-db-replica", SourceDBInstanceIdentifier=arn, SourceRegion=PRIMARY,
            )
            c[("cloudwatch", STANDBY)].put_metric_data(
                Namespace="AWS/RDS",
                MetricData=[{
                    "MetricName": "ReplicaLag",
                    "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": f"{name}-db-replica"}],
                    "Timestamp": now - datetime.timedelta(seconds=30), "Value": 4.0, "Unit": "Seconds",
                }],
            )
        c[("cloudwatch", PRIMARY)].put_metric_alarm(
            AlarmName=f"{name}-5xx", MetricName="HTTPCode_Target_5XX_Count", Namespace="AWS/ELB",
            Statistic="Maximum", Period=60, EvaluationPeriods=1, Threshold=10,
            ComparisonOperator="GreaterThanThreshold",
        )
        services = [f"svc-{j:02}" for j in range(k)]
        for r in (PRIMARY, STANDBY):
            ecs = c[("ecs", r)]
            ecs.create_cluster(clusterName=name)
            for s in services:
                desired = 1 if r == PRIMARY else 0
                ecs.create_service(cluster=name, serviceName=s, taskDefinition="svc", desiredCount=desired)
                if desired:
                    ecs.update_service(cluster=name, service=s, desiredCount=desired)
        tgs = {}
        for r, (mn, mx, d) in ((PRIMARY, (1, 4, 1)), (STANDBY, (0, 4, 0))):
            asg = c[("autoscaling", r)]
            asg.create_launch_configuration(LaunchConfigurationName=f"{name}-web", ImageId="ami-12c6146b",
                                            InstanceType="t3.micro")
            asg.create_auto_scaling_group(AutoScalingGroupName=f"{name}-web", LaunchConfigurationName=f"{name}-web",
                                          MinSize=mn, MaxSize=mx, DesiredCapacity=d, AvailabilityZones=[r + "a"])
            tg = c[("elbv2", r)].create_target_group(Name=f"{name}-web", Protocol="HTTP", Port=80, VpcId=vpcs[r],
                                                     TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
            tgs[r] = tg
            if r == PRIMARY:
                group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{name}-web"])["AutoScalingGroups"][0]
                c[("elbv2", r)].register_targets(TargetGroupArn=tg, Targets=[{"Id": x["InstanceId"]} for x in group["Instances"]])
        r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [{
            "Action": "CREATE", "ResourceRecordSet": {"Name": f"{name}.example.com", "Type": "CNAME", "TTL": 60,
                                                      "ResourceRecords": [{"Value": f"{name}-use1.example.com"}]}}]})
        checks = []
        for j, fqdn in enumerate([f"{name}-use1.example.com", f"{name}-usw2.example.com"]):
            hc = r53.create_health_check(CallerReference=f"fleet-{name}-{j}", HealthCheckConfig={
                "Type": "HTTPS", "FullyQualifiedDomainName": fqdn, "Port": 443, "ResourcePath": "/health"})
            checks.append(hc["HealthCheck"]["Id"])
        estates.append({"name": name, "toml": estate_toml(url, name, services, tgs, zone.split("/")[-1], checks)})
    return {"estates": estates}


def estate_toml(url, name, services, tgs, zone, checks):
    t = f'''name = "{name}"
poll_interval = "5s"
call_timeout = "5s"

[primary]
region = "{PRIMARY}"
endpoint_url = "{url}"

[standby]
region = "{STANDBY}"
endpoint_url = "{url}"

[database]
kind = "rds-replica"
primary = "{name}-db"
standby = "{name}-db-replica"

[ecs]
primary_cluster = "{name}"
standby_cluster = "{name}"
'''
    for s in services:
        t += f'\n[[ecs.services]]\nname = "{s}"\nproduction = 1\nstandby = 0\n'
    t += f'''
[[asgs]]
name = "{name}-web"
production = {{ min = 1, max = 4, desired = 1 }}
standby = {{ min = 0, max = 4, desired = 0 }}

[[target_groups]]
name = "web"
asg = "{name}-web"
primary_arn = "{tgs[PRIMARY]}"
standby_arn = "{tgs[STANDBY]}"

[dns]
zone_id = "{zone}"
record = "{name}.example.com"
type = "CNAME"
ttl = 60
primary_value = "{name}-use1.example.com"
standby_value = "{name}-usw2.example.com"

[[health_checks]]
id = "{checks[0]}"
label = "primary ALB"
region = "primary"

[[health_checks]]
id = "{checks[1]}"
label = "standby ALB"
region = "standby"

[[alarms]]
name = "{name}-5xx"
region = "primary"
'''
    return t


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--estates", type=int, default=3)
    parser.add_argument("--services", type=int, default=2)
    parser.add_argument("--no-replica", action="append", default=[])
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1:"):
        sys.exit("fleet_seed.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    print(json.dumps(seed(args.url, args.estates, args.services, set(args.no_replica))))


if __name__ == "__main__":
    main()
