"""moto in server mode, with the two additions the AWS SDK for Rust needs.

Started by the test harness (tests/support/moto.rs):

    python tests/moto/server.py [--port 0]

Binds 127.0.0.1 only, prints `PORT <n>` on stdout once it accepts connections,
and exits when its stdin closes (so it never outlives the test that started it).

1. CloudWatch over Smithy RPC v2 CBOR (`cbor_adapter`). The Rust SDK's CloudWatch
   client sends `POST /service/GraniteServiceVersion20100801/operation/<Op>` with a
   CBOR body; moto answers that with 404 (it speaks CloudWatch only over Query and
   JSON 1.0). The adapter decodes the CBOR request, calls moto with JSON 1.0
   (`X-Amz-Target: GraniteServiceVersion20100801.<Op>`, timestamps as epoch
   seconds) and encodes moto's answer back to CBOR (timestamps as tag 1) with the
   `smithy-protocol: rpc-v2-cbor` header.

   `readable_error_bodies` (applied under it) rewrites moto's answers to IAM denials into
   the error bodies AWS sends for each protocol, and `verify_signature_of_signed_request`
   makes moto check the signature of the CBOR request the client signed.

2. `promote_clears_source` patch of moto's RDS backend. moto's PromoteReadReplica
   leaves `ReadReplicaSourceDBInstanceIdentifier` set on the promoted instance and
   the instance in its source's replica list; AWS clears both once the promotion is done,
   after the instance was `modifying` for a while. The patch shows `modifying` for
   `progress.describes()` describes, then `available` without a source. It also answers
   DBInstanceNotFound for an unknown instance, where moto answers 500.

3. `simulate_principal_policy_patch` (tests/moto/simulate.py): IAM's SimulatePrincipalPolicy,
   which moto lacks, on top of moto's own IAM policy evaluation; `quotas.applied_quotas`
   (tests/moto/quotas.py): Service Quotas' applied values of the quotas a failover scales up.

4. `control` (outermost): what a test needs to see and to break, under `/_drconsole/`:
   - `GET /_drconsole/requests`: the requests moto handled, by operation (`UpdateService`,
     `PromoteReadReplica`, `ChangeResourceRecordSets`...), and those answered throttled.
   - `POST /_drconsole/throttle?percent=N`: answer N % of the requests (spread evenly: never
     two in a row) with the protocol's throttling error, as AWS does, without passing them to
     moto. A request's fourth and later attempts (the SDK's `amz-sdk-request` header) are
     let through, so that the outcome does not depend on luck: a client that makes at least
     four attempts always gets its answer; one that makes two loses about one call in eleven.
   - `POST /_drconsole/throttle?seconds=N[&service=S][&region=R]`: every request (of the
     signing name S, `rds`, `ecs`..., in the Region R, when given) is answered throttled for
     the next N seconds, whatever its attempt: throttling that outlasts every retry, as in a
     Region-wide event. A throttled request never reaches moto (AWS refused it).
   - `POST /_drconsole/lose-reply?operation=Op`: the next `Op` is applied by moto, and its
     answer withheld for a minute: a reply lost after the change was made.
   - `POST /_drconsole/in-progress?describes=N`: how many reads each in-progress state lasts
     (progress.py; 2 unless a test says otherwise).
   - `POST /_drconsole/dark?region=R&dark=1|0`: the Region R is unreachable (its requests are
     held `DARK_HOLD_SECONDS` and answered with nothing) or back; patches that depend on it
     read it (a switchover needs its primary).
   - `POST /_drconsole/quota?region=R&service=S&code=C&value=V`: the quota's applied value in
     the Region R (tests/moto/quotas.py).
   - `GET /_drconsole/requests` also answers `params`: the parameters each call of
     `RECORD_PARAMS` carried, in order.
"""

import argparse
import datetime
import io
import json
import logging
import os
import re
import sys
import threading
import time
import urllib.parse

import cbor2
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from botocore.awsrequest import AWSRequest
from moto.iam import access_control
from moto.rds.exceptions import RDSClientError
from moto.rds import models as rds_models
from moto.rds import responses as rds_responses
from werkzeug.serving import make_server

import progress  # this directory: in-progress states and dark regions, shared by the patches
from lambda_errors import function_errors
from s3_replication import replicate_objects
from backup import backup_restores  # this directory: AWS Backup recovery points and restores
from global_cluster import global_cluster_moves  # this directory: an Aurora global patch
from simulate import simulate_principal_policy_patch  # this directory: IAM policy simulation
import quotas  # this directory: Service Quotas' applied values

CBOR_PREFIX = "/service/GraniteServiceVersion20100801/operation/"
JSON_TARGET = "GraniteServiceVersion20100801."
# Members of CloudWatch shapes that are timestamps (requests and answers).
TIMESTAMP_KEYS = {
    "StartTime",
    "EndTime",
    "Timestamp",
    "Timestamps",
    "StartDate",
    "EndDate",
    "StateUpdatedTimestamp",
    "StateTransitionedTimestamp",
    "AlarmConfigurationUpdatedTimestamp",
    "LastModified",
    "LastUpdateDate",
    "CreationDate",
}


def _to_epoch(value):
    """Request side: CBOR datetimes become epoch seconds for moto's JSON 1.0 parser."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, dict):
        return {k: _to_epoch(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_epoch(v) for v in value]
    return value


def _as_datetime(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
    if isinstance(value, str):
        text = value.replace("Z", "+00:00")
        try:
            parsed = datetime.datetime.fromisoformat(text)
        except ValueError:
            return value
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        return parsed
    return value


def _to_cbor_shapes(value, key=None):
    """Answer side: timestamp members become datetimes, which cbor2 writes as tag 1."""
    if isinstance(value, dict):
        return {k: _to_cbor_shapes(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in TIMESTAMP_KEYS:
            return [_as_datetime(v) for v in value]
        return [_to_cbor_shapes(v) for v in value]
    if key in TIMESTAMP_KEYS:
        return _as_datetime(value)
    return value


# The request the client signed, while the adapter hands moto its JSON 1.0 translation.
_signed = threading.local()


def _headers_of(environ):
    headers = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            headers[key[5:].replace("_", "-").title()] = value
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = environ[key]
    return headers


def verify_signature_of_signed_request():
    """With IAM enforced, moto checks SigV4 signatures against the request it sees; for a
    translated CBOR call that is the JSON 1.0 request, not the one the client signed. This
    makes moto check the signature of the original request instead."""
    original = access_control.IAMRequestBase._create_aws_request

    def _create_aws_request(self):
        signed = getattr(_signed, "request", None)
        if signed is None:
            return original(self)
        names = self._get_string_between("SignedHeaders=", ",", signed["headers"].get("Authorization", "")).split(";")
        headers = {k: v for k, v in signed["headers"].items() if k.lower() in names}
        request = AWSRequest(method=signed["method"], url=signed["url"], data=signed["body"], headers=headers)
        request.context["timestamp"] = headers.get("X-Amz-Date")
        return request

    access_control.IAMRequestBase._create_aws_request = _create_aws_request


def cbor_adapter(app):
    def middleware(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "POST" or not path.startswith(CBOR_PREFIX):
            return app(environ, start_response)
        operation = path[len(CBOR_PREFIX) :]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        request = cbor2.loads(raw) if raw else {}
        body = json.dumps(_to_epoch(request)).encode()

        inner = dict(environ)
        inner["PATH_INFO"] = "/"
        inner["RAW_URI"] = "/"
        inner["REQUEST_URI"] = "/"
        inner["QUERY_STRING"] = ""
        inner["CONTENT_TYPE"] = "application/x-amz-json-1.0"
        inner["HTTP_CONTENT_TYPE"] = "application/x-amz-json-1.0"
        inner["HTTP_X_AMZ_TARGET"] = JSON_TARGET + operation
        inner["CONTENT_LENGTH"] = str(len(body))
        inner["wsgi.input"] = io.BytesIO(body)
        for header in ("HTTP_SMITHY_PROTOCOL", "HTTP_ACCEPT"):
            inner.pop(header, None)

        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        _signed.request = {
            "method": "POST",
            "url": path,
            "body": raw,
            "headers": _headers_of(environ),
        }
        try:
            chunks = app(inner, capture)
            try:
                answer = b"".join(chunks)
            finally:
                if hasattr(chunks, "close"):
                    chunks.close()
        finally:
            _signed.request = None

        text = answer.decode() if answer else ""
        try:
            document = json.loads(text) if text.strip() else {}
        except ValueError:
            document = {"__type": "InternalFailure", "message": text[:500]}
        if not isinstance(document, dict):
            document = {}
        payload = cbor2.dumps(_to_cbor_shapes(document), datetime_as_timestamp=True)
        headers = [
            (k, v)
            for k, v in captured.get("headers", [])
            if k.lower() not in ("content-type", "content-length")
        ]
        headers += [
            ("Content-Type", "application/cbor"),
            ("Content-Length", str(len(payload))),
            ("smithy-protocol", "rpc-v2-cbor"),
        ]
        start_response(captured.get("status", "500 INTERNAL SERVER ERROR"), headers)
        return [payload]

    return middleware


XML_CODE = re.compile(rb"<Code>([^<]*)</Code>")
XML_MESSAGE = re.compile(rb"<Message>([^<]*)</Message>")


def readable_error_bodies(app):
    """moto answers IAM denials (AccessDenied, InvalidClientTokenId, SignatureDoesNotMatch) in
    EC2's XML shape, `<ErrorResponse><Errors><Error>`, whatever the service. AWS answers JSON
    services with `{"__type": ..., "message": ...}` and Query / REST-XML services with
    `<ErrorResponse><Error>`: rewrite to those so that the SDK can read the error code."""

    def middleware(environ, start_response):
        json_protocol = bool(environ.get("HTTP_X_AMZ_TARGET"))
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"] = status
            captured["headers"] = headers
            return lambda _data: None

        chunks = app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        status = captured.get("status", "500 INTERNAL SERVER ERROR")
        headers = captured.get("headers", [])
        failed = int(status.split()[0]) >= 400
        content_type = None
        if failed and json_protocol and body.lstrip().startswith(b"<"):
            code = XML_CODE.search(body)
            message = XML_MESSAGE.search(body)
            body = json.dumps(
                {
                    "__type": code.group(1).decode() if code else "InternalFailure",
                    "message": message.group(1).decode() if message else "",
                }
            ).encode()
            content_type = "application/x-amz-json-1.1"
        elif failed and b"<ErrorResponse><Errors><Error>" in body:
            body = body.replace(b"<ErrorResponse><Errors><Error>", b"<ErrorResponse><Error>")
            body = body.replace(b"</Error></Errors></ErrorResponse>", b"</Error><RequestId>moto</RequestId></ErrorResponse>")
            content_type = "text/xml"
        if content_type:
            headers = [(k, v) for k, v in headers if k.lower() not in ("content-type", "content-length")]
            headers += [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        start_response(status, headers)
        return [body]

    return middleware


def _finish_promotion(backend, database):
    """The promotion is done: the instance is `available` and forgets its source, and the
    source forgets it."""
    source_id = database.drconsole_promoted_from
    database.drconsole_promoting = None
    database.drconsole_promoted_from = None
    database.status = "available"
    try:
        source = backend.find_db_from_id(source_id)
    except Exception:  # the source may be gone already
        source = None
    if source is not None:
        for ref in (database.db_instance_arn, database.db_instance_identifier):
            if ref in source.replicas:
                source.replicas.remove(ref)
    database.source_db_instance_identifier = None


def promote_clears_source():
    """Patch: PromoteReadReplica as the RDS API reference describes it
    (https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_PromoteReadReplica.html, and
    the DB instance statuses of the RDS User Guide): the answer and the next `describes()`
    DescribeDBInstances of the instance's Region show it `modifying`, still naming its source;
    the describe after them finds it `available`, without a source, and gone from its source's
    replica list. A second promotion while it is `modifying` is `InvalidDBInstanceState`, and an
    unknown instance `DBInstanceNotFound` (moto answers 500)."""
    original = rds_models.RDSBackend.promote_read_replica

    def promote_read_replica(self, db_kwargs):
        database = self.describe_db_instances(db_kwargs["db_instance_identifier"])[0]
        with progress.LOCK:
            if getattr(database, "drconsole_promoting", None) is not None:
                raise RDSClientError(
                    "InvalidDBInstanceState",
                    f"DB instance {db_kwargs['db_instance_identifier']} is modifying: a promotion is under way.",
                )
            source_id = database.source_db_instance_identifier if database.is_replica else None
            result = original(self, db_kwargs)
            if source_id:
                database.drconsole_promoted_from = source_id
                database.drconsole_promoting = progress.describes()
                database.status = "modifying"
                if database.drconsole_promoting == 0:
                    _finish_promotion(self, database)
            return result

    def describe_db_instances(self, _original=rds_responses.RDSResponse.describe_db_instances):
        with progress.LOCK:
            for database in list(self.backend.databases.values()):
                remaining = getattr(database, "drconsole_promoting", None)
                if remaining is None:
                    continue
                if remaining > 0:
                    database.drconsole_promoting = remaining - 1
                else:
                    _finish_promotion(self.backend, database)
        return _original(self)

    rds_models.RDSBackend.promote_read_replica = promote_read_replica
    rds_models.DBInstance.drconsole_promoting = None
    rds_models.DBInstance.drconsole_promoted_from = None
    rds_responses.RDSResponse.describe_db_instances = describe_db_instances


CONTROL_PREFIX = "/_drconsole/"
DARK_HOLD_SECONDS = 60
THROTTLE_XML = (
    b"<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code>"
    b"<Message>Rate exceeded</Message></Error><RequestId>moto-throttle</RequestId></ErrorResponse>"
)
ROUTE53_OPS = [
    ("POST", re.compile(r"/hostedzone/[^/]+/rrset/?$"), "ChangeResourceRecordSets"),
    ("GET", re.compile(r"/hostedzone/[^/]+/rrset/?$"), "ListResourceRecordSets"),
    ("GET", re.compile(r"/change/[^/]+$"), "GetChange"),
    ("GET", re.compile(r"/healthcheck/[^/]+/status$"), "GetHealthCheckStatus"),
    ("GET", re.compile(r"/healthcheck/[^/]+$"), "GetHealthCheck"),
    ("POST", re.compile(r"/healthcheck/[^/]+$"), "UpdateHealthCheck"),
    ("PUT", re.compile(r"^/restore-jobs/?$"), "StartRestoreJob"),
    ("GET", re.compile(r"^/restore-jobs/?$"), "ListRestoreJobs"),
    ("GET", re.compile(r"^/restore-jobs/[^/]+$"), "DescribeRestoreJob"),
    ("GET", re.compile(r"^/backup-vaults/[^/]+/recovery-points/?$"), "ListRecoveryPointsByBackupVault"),
]


def operation_of(environ, body):
    """The AWS operation a request calls, whatever its protocol."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1]
    path = environ.get("PATH_INFO", "")
    if path.startswith(CBOR_PREFIX):
        return path[len(CBOR_PREFIX) :]
    for source in (body.decode("utf-8", "replace"), environ.get("QUERY_STRING", "")):
        action = urllib.parse.parse_qs(source).get("Action")
        if action:
            return action[0]
    method = environ.get("REQUEST_METHOD", "")
    for want, pattern, name in ROUTE53_OPS:
        if method == want and pattern.search(path):
            return name
    return f"{method} {path}"


# Changes whose parameters the request log keeps, for tests that check what was sent (that a
# failover carried AllowDataLoss, which token a restore sent).
RECORD_PARAMS = {
    "FailoverGlobalCluster",
    "SwitchoverGlobalCluster",
    "PromoteReadReplica",
    "StartRestoreJob",
}
# The signing name of each service in a credential scope, and the protocol's name for it.
SERVICE_OF_SCOPE = re.compile(r"Credential=[^/]+/\d+/[^/]+/([^/]+)/")


def params_of(environ, body):
    """A request's parameters: the query protocol's form, or a JSON body."""
    text = body.decode("utf-8", "replace")
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return {k: v[0] for k, v in urllib.parse.parse_qs(text).items()}
    try:
        document = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


class Control:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = {}
        self.throttled = {}
        self.params = {}
        self.percent = 0
        self.seen = 0
        self.lose = set()
        # Throttling that outlasts every retry: until `until` (time.time()), every request
        # of `service` (signing name, e.g. `rds`) in `region`, or of any when None.
        self.storm = None

    def throttle_now(self, environ):
        """Whether this request is answered throttled (see the module's note)."""
        with self.lock:
            storm = self.storm
        if storm is not None and time.time() < storm["until"]:
            auth = environ.get("HTTP_AUTHORIZATION", "")
            service = SERVICE_OF_SCOPE.search(auth)
            region = progress.region_of(environ)
            if storm["service"] in (None, service.group(1) if service else None) and storm[
                "region"
            ] in (None, region):
                return True
        attempt = re.search(r"attempt=(\d+)", environ.get("HTTP_AMZ_SDK_REQUEST", ""))
        if attempt and int(attempt.group(1)) >= 4:
            return False
        with self.lock:
            n = self.seen
            self.seen += 1
            return (n + 1) * self.percent // 100 > n * self.percent // 100

    def count(self, table, operation):
        with self.lock:
            table[operation] = table.get(operation, 0) + 1

    def handle(self, environ, start_response):
        path = environ.get("PATH_INFO", "")[len(CONTROL_PREFIX) :]
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        with self.lock:
            if path == "throttle" and "seconds" in query:
                self.storm = {
                    "until": time.time() + float(query["seconds"][0]),
                    "service": query.get("service", [None])[0],
                    "region": query.get("region", [None])[0],
                }
            elif path == "throttle":
                self.percent = int(query.get("percent", ["0"])[0])
            elif path == "in-progress":
                progress.set_describes(query.get("describes", ["2"])[0])
            elif path == "dark":
                progress.set_dark(query["region"][0], query.get("dark", ["1"])[0] == "1")
            elif path == "lose-reply":
                self.lose.add(query["operation"][0])
            elif path == "quota":
                quotas.apply(query["region"][0], query["service"][0], query["code"][0], query["value"][0])
            answer = json.dumps(
                {"requests": self.requests, "throttled": self.throttled, "params": self.params}
            ).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(answer)))])
        return [answer]


def throttled_answer(environ, start_response):
    """ThrottlingException in the shape of the request's protocol."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(CBOR_PREFIX):
        body = cbor2.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
        headers = [("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor")]
    elif environ.get("HTTP_X_AMZ_TARGET"):
        body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()
        headers = [("Content-Type", environ.get("CONTENT_TYPE") or "application/x-amz-json-1.1")]
    else:
        body = THROTTLE_XML
        headers = [("Content-Type", "text/xml")]
    start_response("400 Bad Request", headers + [("Content-Length", str(len(body)))])
    return [body]


def control(app, state):
    def middleware(environ, start_response):
        if environ.get("PATH_INFO", "").startswith(CONTROL_PREFIX):
            return state.handle(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        operation = operation_of(environ, body)
        region = progress.region_of(environ)
        if region and progress.is_dark(region):
            # AWS's endpoint in a dark Region does not answer: the client's timeout ends it.
            time.sleep(DARK_HOLD_SECONDS)
            start_response("504 Gateway Timeout", [("Content-Length", "0")])
            return [b""]
        if state.throttle_now(environ):
            state.count(state.throttled, operation)
            return throttled_answer(environ, start_response)
        state.count(state.requests, operation)
        if operation in RECORD_PARAMS:
            with state.lock:
                state.params.setdefault(operation, []).append(params_of(environ, body))
        with state.lock:
            lose = operation in state.lose
            state.lose.discard(operation)
        if not lose:
            return app(environ, start_response)
        chunks = app(environ, start_response)
        answer = b"".join(chunks)
        if hasattr(chunks, "close"):
            chunks.close()
        time.sleep(60)
        return [answer]

    return middleware


def exit_when_stdin_closes():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--no-adapter", action="store_true", help="plain moto, to show its gaps")
    parser.add_argument("--no-patch", action="store_true", help="moto's own promote")
    args = parser.parse_args()

    if not os.environ.get("MOTO_VERBOSE"):
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not args.no_patch:
        promote_clears_source()
        function_errors()  # tests/moto/lambda_errors.py
        replicate_objects()  # tests/moto/s3_replication.py
        global_cluster_moves()
        simulate_principal_policy_patch()  # tests/moto/simulate.py
        quotas.applied_quotas()  # tests/moto/quotas.py
    app = DomainDispatcherApplication(create_backend_app)
    if not args.no_adapter:
        verify_signature_of_signed_request()
        app = cbor_adapter(readable_error_bodies(app))
    if not args.no_patch:
        app = backup_restores(app)
    app = control(app, Control())
    server = make_server("127.0.0.1", args.port, app, threaded=True, request_handler=MotoRequestHandler)
    print(f"PORT {server.server_address[1]}", flush=True)
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server.serve_forever()


if __name__ == "__main__":
    main()
