"""S3 cross-region replication of new objects, as AWS reports it on the source object.

The gap: moto stores a bucket's replication configuration (`PutBucketReplication`,
`GetBucketReplication`) but replicates nothing, and its `HeadObject`/`GetObject` never carry
`x-amz-replication-status`.

AWS (S3 User Guide, "Getting replication status information",
https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-status.html; the
`x-amz-replication-status` header of
https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html): an object written to a
source bucket that an enabled rule covers (its prefix or filter matches) carries
`x-amz-replication-status: PENDING` until it is copied to the rule's destination bucket, then
`COMPLETED`, or `FAILED` when it cannot be replicated (the destination does not exist,
permissions). Objects not covered by a rule carry no status; the copy reads `REPLICA`.

`replicate_objects()` patches moto's `put_object` so that an object covered by an enabled
rule reads `PENDING` for `progress.describes()` reads of it (HeadObject, GetObject); at the
read after them it is copied to the destination bucket and reads `COMPLETED`, or reads
`FAILED` when the destination bucket does not exist (then). `FakeKey.response_dict` answers
the header.

What it cannot model: replication time (minutes, or 15 with Replication Time Control), a
`FAILED` for permissions or KMS, delete markers, and S3 Batch Replication of older objects.
"""

import progress


def _prefix(rule):
    f = rule.get("Filter") or {}
    if "Prefix" in f:
        return f.get("Prefix") or ""
    if "And" in f:
        return (f["And"] or {}).get("Prefix") or ""
    return rule.get("Prefix") or ""


def replicate_objects():
    from moto.s3 import models
    from moto.s3.exceptions import MissingBucket

    put = models.S3Backend.put_object
    headers = models.FakeKey.response_dict.fget

    def replicate(backend, key):
        """The copy AWS makes once it gets to the object: COMPLETED, or FAILED."""
        destination, key_name, value = key.drconsole_pending
        key.drconsole_pending = None
        try:
            backend.get_bucket(destination)
        except MissingBucket:
            key.replication_status = "FAILED"
            return
        copy = put(backend, destination, key_name, value)
        copy.replication_status = "REPLICA"
        key.replication_status = "COMPLETED"

    def put_object(self, bucket_name, key_name, value, *args, **kwargs):
        key = put(self, bucket_name, key_name, value, *args, **kwargs)
        config = getattr(self.get_bucket(bucket_name), "replication", None) or {}
        rules = [
            r for r in config.get("Rule", [])
            if r.get("Status") == "Enabled" and key_name.startswith(_prefix(r))
        ]
        if not rules:
            return key
        destination = rules[0]["Destination"]["Bucket"].split(":::")[-1]
        with progress.LOCK:
            key.replication_status = "PENDING"
            key.drconsole_pending = (destination, key_name, value)
            key.drconsole_reads = 0
            if progress.describes() == 0:
                replicate(self, key)
        return key

    def response_dict(self):
        with progress.LOCK:
            if getattr(self, "drconsole_pending", None) is not None:
                if self.drconsole_reads >= progress.describes():
                    replicate(models.s3_backends[self.account_id][self.partition], self)
                else:
                    self.drconsole_reads += 1
        res = headers(self)
        status = getattr(self, "replication_status", None)
        if status:
            res["x-amz-replication-status"] = status
        return res

    models.FakeKey.drconsole_pending = None
    models.S3Backend.put_object = put_object
    models.FakeKey.response_dict = property(response_dict)
