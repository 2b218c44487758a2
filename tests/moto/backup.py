"""`backup_restores` patch: AWS Backup recovery points and restore jobs for moto.

moto 5.x keeps AWS Backup vaults and plans but no recovery points and no restore jobs:
ListRecoveryPointsByBackupVault, StartRestoreJob, DescribeRestoreJob and ListRestoreJobs are
not implemented. This WSGI layer answers them (REST-JSON), in front of moto, as the AWS Backup
API reference describes them:
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_StartRestoreJob.html,
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_DescribeRestoreJob.html,
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRestoreJobs.html,
https://docs.aws.amazon.com/aws-backup/latest/devguide/API_ListRecoveryPointsByBackupVault.html.

- `GET /backup-vaults/{name}/recovery-points` (ListRecoveryPointsByBackupVault):
  the vault's points, filtered by `resourceArn` and `resourceType`; a vault moto does not
  know is `ResourceNotFoundException`. A point has the `Status` it was seeded with: a
  `CREATING` one (a backup or copy job still running) reads `CREATING` for
  `progress.describes()` listings, then `COMPLETED`; `PARTIAL`, `EXPIRED`, `DELETING` stay.
- `PUT /restore-jobs` (StartRestoreJob): `RecoveryPointArn`, `Metadata`, `IdempotencyToken`,
  `ResourceType`. "Retrying a successful request with the same idempotency token results in a
  success message with no action taken": a token seen in the last hour answers that job's id
  and starts nothing; tokens time out after an hour. A job is `PENDING` for
  `progress.describes()` reads of it (ListRestoreJobs, DescribeRestoreJob), then `RUNNING` for
  as many reads and at least `RESTORE_SECONDS`, then it ends: `COMPLETED`, the DB instance
  named by the `DBInstanceIdentifier` metadata created in moto's RDS backend of the vault's
  region (`DBInstanceClass`, `DBSubnetGroupName` and `VpcSecurityGroupIds` (a JSON array)
  applied), its ARN the job's `CreatedResourceArn`; or `FAILED`, with a `StatusMessage`,
  where RDS would refuse the restore: an instance of that name already there
  (`DBInstanceAlreadyExists`), or a `DBSubnetGroupName` RDS does not know
  (`DBSubnetGroupNotFoundFault`).
- `GET /restore-jobs/{id}` (DescribeRestoreJob), `GET /restore-jobs` (ListRestoreJobs,
  filtered by `resourceType`, `status` and `createdAfter`).
- `POST /_drconsole_backup/recovery-point` with `{"region", "vault", "resource_arn",
  "resource_type", "age_seconds", "status"}` (a JSON body, or the same as query parameters):
  a test seeds a recovery point (what an AWS Backup plan or a cross-region copy job would
  have made; `COMPLETED` unless `status` says otherwise); answers `{"RecoveryPointArn"}`.
  `POST /_drconsole_backup/restore-seconds?seconds=N` sets how long a restore runs at least.

What it cannot model: the 10-30 minutes a restore takes (here seconds and a count of reads),
`ABORTED` jobs, restore testing, and every other reason RDS may fail a restore (quotas, KMS
keys, option groups).

The region of a call is its signature's credential scope.
"""


import datetime
import json
import re
import threading
import time
import urllib.parse
import uuid

from moto.backup.models import backup_backends
from moto.rds.models import rds_backends

import progress

ACCOUNT = "123456789012"
RESTORE_SECONDS = [1.0]
TOKEN_SECONDS = 3600  # "Idempotency tokens time out after one hour"
SCOPE = re.compile(r"Credential=[^/]+/\d+/([^/]+)/")
POINTS = re.compile(r"^/backup-vaults/([^/]+)/recovery-points/?$")
JOB = re.compile(r"^/restore-jobs/([^/]+)$")


class BackupState:
    def __init__(self):
        self.lock = threading.Lock()
        self.points = []  # dicts: region, vault, arn, resource_arn, resource_type, created
        self.jobs = []  # dicts: region, id, point, metadata, token, status, created, ...
        self.tokens = {}


def _region(environ):
    match = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else "us-east-1"


def _answer(start_response, status, document):
    body = json.dumps(document).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _error(start_response, status, code, message):
    body = json.dumps({"__type": code, "Message": message, "message": message}).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("x-amzn-ErrorType", code),
        ("Content-Length", str(len(body))),
    ]
    start_response(status, headers)
    return [body]


def _advance(state, region):
    """One read of the region's jobs and points: each in-progress state counts it."""
    now = time.time()
    for job in state.jobs:
        if job["region"] != region:
            continue
        if job["status"] == "PENDING":
            if job["reads"] >= progress.describes():
                job["status"] = "RUNNING"
                job["running_since"] = now
                job["reads"] = 0
            else:
                job["reads"] += 1
        elif job["status"] == "RUNNING" and job["reads"] < progress.describes():
            job["reads"] += 1
    _settle(state)


def _advance_points(state, region):
    for point in state.points:
        if point["region"] == region and point["status"] == "CREATING":
            if point["reads"] >= progress.describes():
                point["status"] = "COMPLETED"
                point["completed"] = time.time()
            else:
                point["reads"] += 1


def _settle(state):
    """Ends the running jobs whose time has come: the instance appears in moto's RDS, or the
    job fails where RDS would refuse the restore."""
    now = time.time()
    for job in state.jobs:
        if (
            job["status"] != "RUNNING"
            or job["reads"] < progress.describes()
            or now < job["running_since"] + RESTORE_SECONDS[0]
        ):
            continue
        rds = rds_backends[ACCOUNT][job["region"]]
        meta = job["metadata"]
        name = meta.get("DBInstanceIdentifier", "")
        subnet_group = meta.get("DBSubnetGroupName")
        failure = None
        if not name:
            failure = "no DBInstanceIdentifier in the restore metadata"
        elif name in rds.databases:
            failure = f"DBInstanceAlreadyExists: DB instance {name} already exists"
        elif subnet_group and subnet_group not in rds.subnet_groups:
            failure = f"DBSubnetGroupNotFoundFault: DB subnet group {subnet_group} does not exist"
        if failure:
            job["status"] = "FAILED"
            job["message"] = failure
            job["completed"] = now
            continue
        kwargs = {
            "db_instance_identifier": name,
            "db_instance_class": meta.get("DBInstanceClass", "db.t3.micro"),
            "engine": "postgres",
            "master_username": "restored",
            "master_user_password": "not-a-secret-1",
            "allocated_storage": 20,
        }
        if subnet_group:
            kwargs["db_subnet_group_name"] = subnet_group
        if meta.get("VpcSecurityGroupIds"):
            kwargs["vpc_security_group_ids"] = json.loads(meta["VpcSecurityGroupIds"])
        database = rds.create_db_instance(kwargs)
        job["status"] = "COMPLETED"
        job["completed"] = now
        job["created_resource"] = database.db_instance_arn


def _job_document(job):
    doc = {
        "AccountId": ACCOUNT,
        "RestoreJobId": job["id"],
        "RecoveryPointArn": job["point"],
        "CreationDate": job["created"],
        "Status": job["status"],
        "ResourceType": job["resource_type"],
        "PercentDone": {"COMPLETED": "100.00%", "RUNNING": "50.00%"}.get(job["status"], "0.00%"),
    }
    if job.get("completed"):
        doc["CompletionDate"] = job["completed"]
    if job.get("created_resource"):
        doc["CreatedResourceArn"] = job["created_resource"]
    if job.get("message"):
        doc["StatusMessage"] = job["message"]
    return doc


def _since(text):
    if not text:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _read_json(environ):
    length = int(environ.get("CONTENT_LENGTH") or 0)
    raw = environ["wsgi.input"].read(length) if length else b""
    return json.loads(raw) if raw else {}


def backup_restores(app):
    state = BackupState()

    def middleware(environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "")
        query = {k: v[0] for k, v in urllib.parse.parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/_drconsole_backup/recovery-point" and method == "POST":
            seed = _read_json(environ) or dict(query)
            arn = f"arn:aws:backup:{seed['region']}:{ACCOUNT}:recovery-point:{uuid.uuid4()}"
            with state.lock:
                state.points.append(
                    {
                        "region": seed["region"],
                        "vault": seed["vault"],
                        "arn": arn,
                        "resource_arn": seed["resource_arn"],
                        "resource_type": seed.get("resource_type", "RDS"),
                        "created": time.time() - float(seed.get("age_seconds", 0)),
                        "status": seed.get("status", "COMPLETED"),
                        "reads": 0,
                    }
                )
            return _answer(start_response, "200 OK", {"RecoveryPointArn": arn})
        if path == "/_drconsole_backup/restore-seconds" and method == "POST":
            RESTORE_SECONDS[0] = float(query.get("seconds", "1"))
            return _answer(start_response, "200 OK", {"RestoreSeconds": RESTORE_SECONDS[0]})

        region = _region(environ)
        points = POINTS.match(path)
        if points and method == "GET":
            vault = urllib.parse.unquote(points.group(1))
            if vault not in backup_backends[ACCOUNT][region].vaults:
                return _error(
                    start_response, "404 Not Found", "ResourceNotFoundException", f"Backup vault {vault} not found"
                )
            with state.lock:
                _advance_points(state, region)
                found = [
                    dict(p)
                    for p in state.points
                    if p["region"] == region
                    and p["vault"] == vault
                    and query.get("resourceArn") in (None, p["resource_arn"])
                    and query.get("resourceType") in (None, p["resource_type"])
                ]
            return _answer(
                start_response,
                "200 OK",
                {
                    "RecoveryPoints": [
                        {
                            "RecoveryPointArn": p["arn"],
                            "BackupVaultName": vault,
                            "BackupVaultArn": f"arn:aws:backup:{region}:{ACCOUNT}:backup-vault:{vault}",
                            "ResourceArn": p["resource_arn"],
                            "ResourceType": p["resource_type"],
                            "Status": p["status"],
                            "CreationDate": p["created"],
                            **({"CompletionDate": p.get("completed", p["created"])} if p["status"] == "COMPLETED" else {}),
                        }
                        for p in found
                    ]
                },
            )
        if path.rstrip("/") == "/restore-jobs" and method == "PUT":
            request = _read_json(environ)
            point = request.get("RecoveryPointArn", "")
            with state.lock:
                if not any(p["arn"] == point and p["region"] == region for p in state.points):
                    return _error(
                        start_response, "404 Not Found", "ResourceNotFoundException", f"Recovery point {point} not found"
                    )
                token = request.get("IdempotencyToken")
                seen = state.tokens.get(token) if token else None
                if seen and time.time() < seen[1] + TOKEN_SECONDS:
                    return _answer(start_response, "200 OK", {"RestoreJobId": seen[0]})
                job_id = str(uuid.uuid4()).upper()
                state.jobs.append(
                    {
                        "region": region,
                        "id": job_id,
                        "point": point,
                        "metadata": request.get("Metadata") or {},
                        "resource_type": request.get("ResourceType", "RDS"),
                        "status": "PENDING",
                        "reads": 0,
                        "created": time.time(),
                    }
                )
                if token:
                    state.tokens[token] = (job_id, time.time())
            return _answer(start_response, "200 OK", {"RestoreJobId": job_id})
        job = JOB.match(path)
        if job and method == "GET":
            with state.lock:
                _advance(state, region)
                found = [j for j in state.jobs if j["id"] == job.group(1) and j["region"] == region]
                if not found:
                    return _error(
                        start_response, "404 Not Found", "ResourceNotFoundException", f"Restore job {job.group(1)} not found"
                    )
                return _answer(start_response, "200 OK", _job_document(found[0]))
        if path.rstrip("/") == "/restore-jobs" and method == "GET":
            after = _since(query.get("createdAfter"))
            with state.lock:
                _advance(state, region)
                found = [
                    _job_document(j)
                    for j in state.jobs
                    if j["region"] == region
                    and query.get("resourceType") in (None, j["resource_type"])
                    and query.get("status") in (None, j["status"])
                    and (after is None or j["created"] >= after)
                ]
            return _answer(start_response, "200 OK", {"RestoreJobs": found})
        # Any other call (an RDS describe) sees the restores that have finished by now.
        with state.lock:
            _settle(state)
        return app(environ, start_response)

    return middleware
