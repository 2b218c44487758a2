"""Seeds an estate that `drconsole init` finds in AWS itself, by tag or in a CloudFormation
stack per region, into a running moto server; prints what was made as one JSON object.

    python tests/moto/seed_found.py URL (--tags | --stacks) [--services N] [--untagged-standby]

The estate, in us-east-1 (primary) and us-west-2 (standby): a MySQL primary and its
cross-region replica, the endpoint parameter in the standby holding the primary's address,
an ECS cluster of N services per region (desired 2 in the primary, 0 in the standby), an
Auto Scaling group per region named with the region (`orders-web-use1` / `orders-web-usw2`),
its target group and an application load balancer, an alarm, and in Route 53 (global, never
in a stack or tagged) a failover pair whose PRIMARY aliases the primary's load balancer with
a health check, and SECONDARY the standby's.

`--tags` tags every regional resource `app=orders` (groups by their own tags), and makes
untagged look-alikes that must not be found (another service, group, load balancer and record).
`--stacks` creates the regional resources from a template in a stack `orders` per region, the
endpoint parameter in the standby's (no alarm: moto's CloudFormation has no
AWS::CloudWatch::Alarm).
`--untagged-standby` tags nothing in the standby region.
"""

import json
import os
import sys

import boto3

REGIONS = {"primary": "us-east-1", "standby": "us-west-2"}
SHORT = {"primary": "use1", "standby": "usw2"}
TAG = {"Key": "app", "Value": "orders"}


def client(url, service, side):
    return boto3.client(
        service,
        region_name=REGIONS.get(side, side),
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def default_network(url, side):
    ec2 = client(url, "ec2", side)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
    return vpc, [s["SubnetId"] for s in subnets[:2]]


def tagged_side(url, side, services, tag):
    tags = [TAG] if tag else []
    ecs_tags = [{"key": t["Key"], "value": t["Value"]} for t in tags]
    tagging = {"Tags": tags} if tags else {}  # elbv2 refuses an empty list
    vpc, subnets = default_network(url, side)
    elb = client(url, "elbv2", side)
    lb = elb.create_load_balancer(Name=f"orders-{SHORT[side]}", Subnets=subnets, **tagging)
    lb = lb["LoadBalancers"][0]
    elb.create_load_balancer(Name=f"other-{SHORT[side]}", Subnets=subnets)
    tg = elb.create_target_group(Name="orders-web", Protocol="HTTP", Port=80, VpcId=vpc, **tagging)
    tg_arn = tg["TargetGroups"][0]["TargetGroupArn"]
    asg = client(url, "autoscaling", side)
    for name, group_tags, tgs in (
        (f"orders-web-{SHORT[side]}", tags, [tg_arn]),
        (f"batch-{SHORT[side]}", [{"Key": "app", "Value": "batch"}], []),
    ):
        asg.create_launch_configuration(LaunchConfigurationName=name, ImageId="ami-12c6146b", InstanceType="t3.micro")
        cap = (2, 6, 2) if side == "primary" else (0, 6, 0)
        asg.create_auto_scaling_group(
            AutoScalingGroupName=name,
            LaunchConfigurationName=name,
            MinSize=cap[0],
            MaxSize=cap[1],
            DesiredCapacity=cap[2],
            AvailabilityZones=[REGIONS[side] + "a"],
            TargetGroupARNs=tgs,
            Tags=[dict(t, ResourceId=name, ResourceType="auto-scaling-group", PropagateAtLaunch=True) for t in group_tags],
        )
    ecs = client(url, "ecs", side)
    ecs.create_cluster(clusterName="orders", tags=ecs_tags)
    names = [f"svc-{i:02}" for i in range(1, services + 1)] + ["untagged"]
    for n in names:
        ecs.register_task_definition(family=n, containerDefinitions=[{"name": n, "image": "app/" + n, "memory": 256}])
        desired = 2 if side == "primary" else 0
        ecs.create_service(
            cluster="orders",
            serviceName=n,
            taskDefinition=n,
            desiredCount=desired,
            tags=ecs_tags if n != "untagged" else [],
        )
        if desired:
            ecs.update_service(cluster="orders", service=n, desiredCount=desired)
    if side == "primary":
        client(url, "cloudwatch", side).put_metric_alarm(
            AlarmName="orders-5xx",
            MetricName="HTTPCode_Target_5XX_Count",
            Namespace="AWS/ApplicationELB",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=10,
            ComparisonOperator="GreaterThanThreshold",
            Tags=tags,
        )
    return lb


def database(url, tag_standby):
    p, s = client(url, "rds", "primary"), client(url, "rds", "standby")
    primary = p.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        MasterUsername="app",
        MasterUserPassword="not-a-secret-1",
        AllocatedStorage=20,
        Tags=[TAG],
    )["DBInstance"]
    s.create_db_instance_read_replica(
        DBInstanceIdentifier="orders-db-replica",
        SourceDBInstanceIdentifier=primary["DBInstanceArn"],
        SourceRegion=REGIONS["primary"],
        Tags=[TAG] if tag_standby else [],
    )
    address = p.describe_db_instances(DBInstanceIdentifier="orders-db")["DBInstances"][0]["Endpoint"]["Address"]
    client(url, "ssm", "standby").put_parameter(
        Name="/orders/db/endpoint", Value=address, Type="String", Tags=[TAG] if tag_standby else []
    )
    return primary["DBInstanceArn"]


def stack_template(side, services, source_arn, vpc, subnets, address=None):
    r = {
        "Cluster": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": "orders"}},
        "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {"Name": f"orders-{SHORT[side]}", "Subnets": subnets}},
        "WebTargets": {
            "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "Properties": {"Name": "orders-web", "Protocol": "HTTP", "Port": 80, "VpcId": vpc},
        },
        "WebConfig": {
            "Type": "AWS::AutoScaling::LaunchConfiguration",
            "Properties": {"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"},
        },
        "Web": {
            "Type": "AWS::AutoScaling::AutoScalingGroup",
            "Properties": {
                "AutoScalingGroupName": f"orders-web-{SHORT[side]}",
                "LaunchConfigurationName": {"Ref": "WebConfig"},
                "MinSize": "2" if side == "primary" else "0",
                "MaxSize": "6",
                "DesiredCapacity": "2" if side == "primary" else "0",
                "AvailabilityZones": [REGIONS[side] + "a"],
                "TargetGroupARNs": [{"Ref": "WebTargets"}],
            },
        },
    }
    for i in range(1, services + 1):
        n = f"svc-{i:02}"
        r[f"Task{i}"] = {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": {"Family": n, "ContainerDefinitions": [{"Name": n, "Image": "app/" + n, "Memory": 256}]},
        }
        r[f"Service{i}"] = {
            "Type": "AWS::ECS::Service",
            "Properties": {
                "Cluster": {"Ref": "Cluster"},
                "ServiceName": n,
                "TaskDefinition": {"Ref": f"Task{i}"},
                "DesiredCount": 2 if side == "primary" else 0,
            },
        }
    if side == "primary":
        r["Database"] = {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {"DBInstanceIdentifier": "orders-db", "DBInstanceClass": "db.t3.micro", "Engine": "mysql", "MasterUsername": "app",
                           "MasterUserPassword": "not-a-secret-1", "AllocatedStorage": "20"},
        }
    else:
        r["Endpoint"] = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": "/orders/db/endpoint", "Type": "String", "Value": address},
        }
        r["Replica"] = {
            "Type": "AWS::RDS::DBInstance",
            "Properties": {"DBInstanceIdentifier": "orders-db-replica", "DBInstanceClass": "db.t3.micro", "SourceDBInstanceIdentifier": source_arn},
        }
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": r}


def stacks(url, services):
    out = {}
    for side in ("primary", "standby"):
        vpc, subnets = default_network(url, side)
        source = "arn:aws:rds:us-east-1:123456789012:db:orders-db"
        address = None
        if side == "standby":
            rds = client(url, "rds", "primary")
            address = rds.describe_db_instances(DBInstanceIdentifier="orders-db")["DBInstances"][0]["Endpoint"]["Address"]
        cfn = client(url, "cloudformation", side)
        template = stack_template(side, services, source, vpc, subnets, address)
        cfn.create_stack(StackName="orders", TemplateBody=json.dumps(template))
        lb_arn = next(
            r["PhysicalResourceId"]
            for r in cfn.list_stack_resources(StackName="orders")["StackResourceSummaries"]
            if r["LogicalResourceId"] == "Lb"
        )
        out[side] = client(url, "elbv2", side).describe_load_balancers(LoadBalancerArns=[lb_arn])["LoadBalancers"][0]
        ecs = client(url, "ecs", side)
        for i in range(1, services + 1):
            if side == "primary":
                # moto counts tasks as running only after an UpdateService.
                ecs.update_service(cluster="orders", service=f"svc-{i:02}", desiredCount=2)
    return out


def dns(url, lbs, untagged_lb=None):
    r53 = client(url, "route53", "us-east-1")
    zone = r53.create_hosted_zone(Name="example.com", CallerReference="seed-found")["HostedZone"]["Id"]
    checks = {}
    for side in ("primary", "standby"):
        checks[side] = r53.create_health_check(
            CallerReference=f"found-{side}",
            HealthCheckConfig={"Type": "HTTPS", "FullyQualifiedDomainName": lbs[side]["DNSName"], "Port": 443,
                               "ResourcePath": "/health", "RequestInterval": 30, "FailureThreshold": 3},
        )["HealthCheck"]["Id"]
    changes = []
    for side, role in (("primary", "PRIMARY"), ("standby", "SECONDARY")):
        lb = lbs[side]
        changes.append({"Name": "orders.example.com", "Type": "A", "SetIdentifier": f"orders-{SHORT[side]}", "Failover": role,
                        "HealthCheckId": checks[side],
                        "AliasTarget": {"HostedZoneId": lb["CanonicalHostedZoneId"], "DNSName": lb["DNSName"],
                                        "EvaluateTargetHealth": True}})
    changes.append({"Name": "other.example.com", "Type": "CNAME", "TTL": 60,
                    "ResourceRecords": [{"Value": "other-use1.elb.amazonaws.com"}]})
    r53.change_resource_record_sets(
        HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": c} for c in changes]}
    )
    return zone.split("/")[-1], checks


def main():
    url, args = sys.argv[1], sys.argv[2:]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("seed_found.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    services = int(args[args.index("--services") + 1]) if "--services" in args else 3
    if "--stacks" in args:
        lbs = stacks(url, services)
    else:
        tag_standby = "--untagged-standby" not in args
        database(url, tag_standby)
        lbs = {side: tagged_side(url, side, services, side == "primary" or tag_standby) for side in ("primary", "standby")}
    zone, checks = dns(url, lbs)
    print(json.dumps({"zone_id": zone, "checks": checks, "lbs": {s: lbs[s]["DNSName"] for s in lbs}}))


if __name__ == "__main__":
    main()
