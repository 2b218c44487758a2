"""Seeds whatever an estate file names into a running moto server, and prints the estate
file rewritten to run against it.

    python tests/moto/seed_estate.py URL ESTATE.toml

The example estates in assets/examples/ are written as a team would write them for AWS:
real-looking ARNs, health check ids and hosted zone ids, profiles, account pins. This
creates every resource the file names (the database pair, ECS services, Auto Scaling
groups, target groups, the DNS record or failover pair, health checks, alarms, the
endpoint stores, and the extras the file uses) and prints one JSON object:

- `estate`: the file's text with each identifier AWS chose in place of the written one,
  `endpoint_url = URL` in [primary] and [standby], and the `profile` lines dropped (the
  test's credentials are used). Account pins stay: moto's account is 123456789012.
- `ids`: written identifier -> the one moto chose.

Only what the console reads or changes is created; the console itself never calls EC2,
which seeding needs for the default VPC of target groups.
"""

import datetime
import hashlib
import io
import json
import os
import re
import sys
import tomllib
import urllib.request
import zipfile

import boto3

LAG_POINTS = [(180, 3.0), (120, 5.0), (60, 12.0)]  # (seconds ago, lag seconds)


class Seeder:
    def __init__(self, url, estate):
        self.url = url
        self.estate = estate
        self.regions = {
            "primary": estate["primary"]["region"],
            "standby": estate["standby"]["region"],
        }
        self.ids = {}
        self.now = datetime.datetime.now(datetime.timezone.utc)

    def client(self, service, side_or_region):
        region = self.regions.get(side_or_region, side_or_region)
        return boto3.client(
            service,
            region_name=region,
            endpoint_url=self.url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    # The database -------------------------------------------------------------------

    def database(self):
        db = self.estate.get("database")
        if not db:
            return
        kind = db["kind"]
        if kind == "rds-replica":
            self.rds_replica(db)
        elif kind == "aurora-global":
            self.aurora_global(db)
        elif kind == "backup-restore":
            self.backup_restore(db)
        self.endpoint_stores(db)

    def primary_instance(self, name):
        rds = self.client("rds", "primary")
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.micro",
            Engine="mysql",
            MasterUsername="app",
            MasterUserPassword="not-a-secret-1",
            AllocatedStorage=20,
        )
        return rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]

    def rds_replica(self, db):
        primary = self.primary_instance(db["primary"])
        self.client("rds", "standby").create_db_instance_read_replica(
            DBInstanceIdentifier=db["standby"],
            SourceDBInstanceIdentifier=primary["DBInstanceArn"],
            SourceRegion=self.regions["primary"],
        )
        self.lag("ReplicaLag", "DBInstanceIdentifier", db["standby"])

    def aurora_global(self, db):
        p, s = self.client("rds", "primary"), self.client("rds", "standby")
        p.create_global_cluster(GlobalClusterIdentifier=db["global_cluster"], Engine="aurora-postgresql")
        p.create_db_cluster(
            DBClusterIdentifier=db["primary"],
            Engine="aurora-postgresql",
            MasterUsername="app",
            MasterUserPassword="not-a-secret-1",
            GlobalClusterIdentifier=db["global_cluster"],
        )
        s.create_db_cluster(
            DBClusterIdentifier=db["standby"],
            Engine="aurora-postgresql",
            GlobalClusterIdentifier=db["global_cluster"],
        )
        self.lag("AuroraGlobalDBReplicationLag", "DBClusterIdentifier", db["standby"], scale=1000.0)

    def backup_restore(self, db):
        primary = self.primary_instance(db["primary"])
        # Where the restore puts the instance: the subnet group and security groups the file
        # names, in the standby's default VPC.
        ec2 = self.client("ec2", "standby")
        vpc = ec2.describe_vpcs(Filters=[{"Name": "isDefault", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
        if db.get("subnet_group"):
            subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]
            self.client("rds", "standby").create_db_subnet_group(
                DBSubnetGroupName=db["subnet_group"],
                DBSubnetGroupDescription="restored database",
                SubnetIds=[s["SubnetId"] for s in subnets[:2]],
            )
        for i, sg in enumerate(db.get("security_groups", [])):
            made = ec2.create_security_group(GroupName=f"restored-db-{i}", Description="db", VpcId=vpc)
            self.ids[sg] = made["GroupId"]
        self.client("backup", "standby").create_backup_vault(BackupVaultName=db["backup_vault"])
        # The recovery point a cross-region copy job would have made: moto keeps none; the
        # harness's backup patch (tests/moto/backup.py) takes it through its control path.
        body = json.dumps(
            {
                "region": self.regions["standby"],
                "vault": db["backup_vault"],
                "resource_arn": primary["DBInstanceArn"],
                "resource_type": "RDS",
                "age_seconds": 1800,
            }
        ).encode()
        req = urllib.request.Request(
            self.url + "/_drconsole_backup/recovery-point", data=body, method="POST"
        )
        req.add_header("Content-Type", "application/json")
        urllib.request.urlopen(req).read()

    def lag(self, metric, dimension, name, scale=1.0):
        self.client("cloudwatch", "standby").put_metric_data(
            Namespace="AWS/RDS",
            MetricData=[
                {
                    "MetricName": metric,
                    "Dimensions": [{"Name": dimension, "Value": name}],
                    "Timestamp": self.now - datetime.timedelta(seconds=ago),
                    "Value": value * scale,
                }
                for ago, value in LAG_POINTS
            ],
        )

    def endpoint_stores(self, db):
        if db.get("endpoint_parameter"):
            self.client("ssm", "standby").put_parameter(
                Name=db["endpoint_parameter"], Value="primary.db.internal", Type="String"
            )
        if db.get("endpoint_secret"):
            self.client("secretsmanager", "standby").create_secret(
                Name=db["endpoint_secret"], SecretString="primary.db.internal"
            )

    # Compute -------------------------------------------------------------------------

    def ecs(self):
        ecs = self.estate.get("ecs")
        if not ecs:
            return
        for side in ("primary", "standby"):
            c = self.client("ecs", side)
            cluster = ecs[side + "_cluster"]
            c.create_cluster(clusterName=cluster)
            for svc in ecs.get("services", []):
                family = svc["name"]
                c.register_task_definition(
                    family=family,
                    containerDefinitions=[{"name": family, "image": "app/" + family, "memory": 256}],
                )
                desired = svc["production"] if side == "primary" else svc["standby"]
                c.create_service(
                    cluster=cluster, serviceName=svc["name"], taskDefinition=family, desiredCount=desired
                )
                if desired:
                    # moto counts tasks as running only after an UpdateService.
                    c.update_service(cluster=cluster, service=svc["name"], desiredCount=desired)

    def asgs(self):
        self.instances = {}
        for group in self.estate.get("asgs", []):
            for side in ("primary", "standby"):
                name = group.get(side + "_name") or group["name"]
                cap = group["production"] if side == "primary" else group["standby"]
                a = self.client("autoscaling", side)
                a.create_launch_configuration(
                    LaunchConfigurationName=name, ImageId="ami-12c6146b", InstanceType="t3.micro"
                )
                a.create_auto_scaling_group(
                    AutoScalingGroupName=name,
                    LaunchConfigurationName=name,
                    MinSize=cap["min"],
                    MaxSize=cap["max"],
                    DesiredCapacity=cap["desired"],
                    AvailabilityZones=[self.regions[side] + "a"],
                )
                found = a.describe_auto_scaling_groups(AutoScalingGroupNames=[name])
                self.instances[(side, group.get("name") or group.get("primary_name"))] = [
                    i["InstanceId"] for i in found["AutoScalingGroups"][0]["Instances"]
                ]

    def target_groups(self):
        for tg in self.estate.get("target_groups", []):
            for side in ("primary", "standby"):
                vpc = self.client("ec2", side).describe_vpcs(
                    Filters=[{"Name": "isDefault", "Values": ["true"]}]
                )["Vpcs"][0]["VpcId"]
                elb = self.client("elbv2", side)
                arn = elb.create_target_group(
                    Name=tg["name"], Protocol="HTTP", Port=80, VpcId=vpc, TargetType="instance"
                )["TargetGroups"][0]["TargetGroupArn"]
                self.ids[tg[side + "_arn"]] = arn
                members = self.instances.get(("primary", tg.get("asg")), [])
                if side == "primary" and members:
                    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": i} for i in members])

    # Route 53 ------------------------------------------------------------------------

    def health_checks(self):
        r53 = self.client("route53", "us-east-1")
        for i, hc in enumerate(self.estate.get("health_checks", [])):
            created = r53.create_health_check(
                CallerReference=f"seed-{i}-{hc['id']}",
                HealthCheckConfig={
                    "Type": "HTTPS",
                    "FullyQualifiedDomainName": f"{hc['region']}.health.internal",
                    "Port": 443,
                    "ResourcePath": "/health",
                    "RequestInterval": 30,
                    "FailureThreshold": 3,
                },
            )
            self.ids[hc["id"]] = created["HealthCheck"]["Id"]

    def dns(self):
        dns = self.estate.get("dns")
        if not dns:
            return
        r53 = self.client("route53", "us-east-1")
        zone_name = dns["record"].split(".", 1)[1]
        zone = r53.create_hosted_zone(Name=zone_name, CallerReference="seed-" + zone_name)
        self.ids[dns["zone_id"]] = zone["HostedZone"]["Id"].split("/")[-1]
        kind = dns.get("type", "CNAME")
        mode = dns.get("mode", "swap")
        changes = []
        if mode == "swap":
            changes.append(self.record(dns, kind, "primary"))
        else:
            for side, role in (("primary", "PRIMARY"), ("standby", "SECONDARY")):
                rec = self.record(dns, kind, side)
                rec["SetIdentifier"] = dns[side + "_set_identifier"]
                rec["Failover"] = role
                if side == "primary" and dns.get("primary_health_check"):
                    rec["HealthCheckId"] = self.ids.get(dns["primary_health_check"], dns["primary_health_check"])
                changes.append(rec)
        r53.change_resource_record_sets(
            HostedZoneId=zone["HostedZone"]["Id"],
            ChangeBatch={"Changes": [{"Action": "CREATE", "ResourceRecordSet": r} for r in changes]},
        )

    def record(self, dns, kind, side):
        rec = {"Name": dns["record"], "Type": kind}
        alias = dns.get(side + "_alias")
        if not alias and (side + "_value") not in dns:
            # A failover pair's targets live in Route 53 only: each region's load balancer.
            region = self.regions[side]
            label = dns["record"].split(".")[0]
            if kind in ("A", "AAAA"):
                alias = {"dns_name": f"{label}-{region}.elb.amazonaws.com", "zone_id": "Z35SXDOTRQ7X7K"}
            else:
                rec["TTL"] = dns.get("ttl", 60)
                rec["ResourceRecords"] = [{"Value": f"{label}-{region}.elb.amazonaws.com"}]
                return rec
        if alias:
            rec["AliasTarget"] = {
                "HostedZoneId": alias["zone_id"],
                "DNSName": alias["dns_name"],
                "EvaluateTargetHealth": dns.get("evaluate_target_health", True),
            }
        else:
            rec["TTL"] = dns.get("ttl", 60)
            rec["ResourceRecords"] = [{"Value": dns[side + "_value"]}]
        return rec

    def alarms(self):
        for alarm in self.estate.get("alarms", []):
            self.client("cloudwatch", alarm["region"]).put_metric_alarm(
                AlarmName=alarm["name"],
                MetricName="HTTPCode_Target_5XX_Count",
                Namespace="AWS/ApplicationELB",
                Statistic="Sum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=10,
                ComparisonOperator="GreaterThanThreshold",
            )

    # What else the file names -------------------------------------------------------

    def functions(self):
        """Every function an `invoke_lambda` step names, in its step's region, on moto's
        Docker-free Lambda backend (which answers without running code)."""
        steps = []

        def walk(items):
            for step in items:
                steps.append(step)
                walk(step.get("steps", []))

        for book in self.estate.get("runbooks", {}).values():
            walk(book.get("steps", []))
        wanted = {
            (step["function"], step.get("region", "standby"))
            for step in steps
            if step.get("kind") == "invoke_lambda"
        }
        if not wanted:
            return
        req = urllib.request.Request(
            self.url + "/moto-api/config",
            data=json.dumps({"lambda": {"use_docker": False}}).encode(),
            method="POST",
        )
        req.add_header("Content-Type", "application/json")
        urllib.request.urlopen(req).read()
        role = self.client("iam", "us-east-1").create_role(
            RoleName="example-lambda",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "lambda.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )["Role"]["Arn"]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("handler.py", "def handler(event, context):\n    return {'ok': True}\n")
        for function, side in sorted(wanted):
            name = function.split(":function:")[-1].split(":")[0]
            self.client("lambda", side).create_function(
                FunctionName=name,
                Runtime="python3.12",
                Role=role,
                Handler="handler.handler",
                Code={"ZipFile": buf.getvalue()},
            )

    def buckets(self):
        for bucket in self.estate.get("s3_buckets", []):
            made = {}
            for side in ("primary", "standby"):
                s3 = self.client("s3", side)
                region = self.regions[side]
                args = {"Bucket": bucket[side]}
                if region != "us-east-1":
                    args["CreateBucketConfiguration"] = {"LocationConstraint": region}
                s3.create_bucket(**args)
                s3.put_bucket_versioning(
                    Bucket=bucket[side], VersioningConfiguration={"Status": "Enabled"}
                )
                made[side] = s3
            made["primary"].put_bucket_replication(
                Bucket=bucket["primary"],
                ReplicationConfiguration={
                    "Role": "arn:aws:iam::123456789012:role/s3-replication",
                    "Rules": [
                        {
                            "ID": "to-standby",
                            "Status": "Enabled",
                            "Priority": 1,
                            "Filter": {"Prefix": ""},
                            "DeleteMarkerReplication": {"Status": "Disabled"},
                            "Destination": {"Bucket": "arn:aws:s3:::" + bucket["standby"]},
                        }
                    ],
                },
            )
            made["primary"].put_object(Bucket=bucket["primary"], Key="state/services.json", Body=b"{}")

    def repositories(self):
        for repo in self.estate.get("ecr_repositories", []):
            for side in ("primary", "standby"):
                ecr = self.client("ecr", side)
                ecr.create_repository(repositoryName=repo["name"])
                for tag in repo["tags"]:
                    manifest = json.dumps(
                        {
                            "schemaVersion": 2,
                            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                            "config": {
                                "mediaType": "application/vnd.docker.container.image.v1+json",
                                "size": 7023,
                                "digest": "sha256:" + hashlib.sha256((repo["name"] + tag).encode()).hexdigest(),
                            },
                            "layers": [],
                        }
                    )
                    ecr.put_image(repositoryName=repo["name"], imageTag=tag, imageManifest=manifest)

    def coordination(self):
        coord = self.estate.get("coordination")
        if coord:
            self.client("dynamodb", coord.get("region", self.regions["standby"])).create_table(
                TableName=coord["table"],
                AttributeDefinitions=[{"AttributeName": "estate", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "estate", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            )
        topic = (self.estate.get("notify") or {}).get("sns_topic_arn")
        if topic:
            region, name = topic.split(":")[3], topic.split(":")[5]
            self.ids[topic] = self.client("sns", region).create_topic(Name=name)["TopicArn"]

    def seed(self):
        self.database()
        self.ecs()
        self.asgs()
        self.target_groups()
        self.health_checks()
        self.dns()
        self.alarms()
        self.functions()
        self.buckets()
        self.repositories()
        self.coordination()


def rewrite(text, url, ids):
    """The file against moto: chosen ids in place, endpoints added, profiles dropped."""
    for written, chosen in sorted(ids.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(written, chosen)
    out, section = [], None
    for line in text.splitlines():
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*(#.*)?$", line)
        if header:
            section = header.group(1).strip()
        if section in ("primary", "standby", "coordination") and re.match(r"^\s*profile\s*=", line):
            continue
        out.append(line)
        if header and section in ("primary", "standby"):
            out.append(f'endpoint_url = "{url}"')
    return "\n".join(out) + "\n"


def main():
    url, path = sys.argv[1], sys.argv[2]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("seed_estate.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    with open(path, "rb") as f:
        raw = f.read()
    seeder = Seeder(url, tomllib.loads(raw.decode()))
    seeder.seed()
    print(json.dumps({"estate": rewrite(raw.decode(), url, seeder.ids), "ids": seeder.ids}))


if __name__ == "__main__":
    main()
