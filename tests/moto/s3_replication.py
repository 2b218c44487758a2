"""S3 cross-region replication of new objects, as AWS reports it on the source object.

The gap: moto stores a bucket's replication configuration (`PutBucketReplication`,
`GetBucketReplication`) but replicates nothing, and its `HeadObject`/`GetObject` never carry
`x-amz-replication-status`.

AWS (S3 User Guide, "Getting replication status information"; `HeadObject` API reference):
an object written to a source bucket that an enabled rule covers (its prefix or filter
matches) carries `x-amz-replication-status: PENDING` until it is copied to the rule's
destination bucket, then `COMPLETED`, or `FAILED` when it cannot be replicated (the
destination does not exist, permissions). Objects not covered by a rule carry no status.

`replicate_objects()` patches moto's `put_object` so that an object covered by an enabled
rule is copied to the destination bucket at once (replication here is instant, as moto's
promotions are) and marked `COMPLETED`, or marked `FAILED` when the destination bucket does
not exist; and `FakeKey.response_dict` so that HEAD and GET answer the header.
"""


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
        try:
            self.get_bucket(destination)
        except MissingBucket:
            key.replication_status = "FAILED"
            return key
        copy = put(self, destination, key_name, value)
        copy.replication_status = "REPLICA"
        key.replication_status = "COMPLETED"
        return key

    def response_dict(self):
        res = headers(self)
        status = getattr(self, "replication_status", None)
        if status:
            res["x-amz-replication-status"] = status
        return res

    models.S3Backend.put_object = put_object
    models.FakeKey.response_dict = property(response_dict)
