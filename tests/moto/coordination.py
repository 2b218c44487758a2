"""The coordination table and the notification topic of the run-lock tests, on a local moto.

    python tests/moto/coordination.py URL setup REGION TABLE
        creates TABLE (partition key `estate`, a String) and an SNS topic `dr-events` in
        REGION, with an SQS queue subscribed to it (raw delivery) to read what was published;
        prints {"topic_arn": ..., "queue_url": ...}
    python tests/moto/coordination.py URL messages REGION QUEUE_URL
        prints every message published so far, in order, as a JSON list of strings
    python tests/moto/coordination.py URL item REGION TABLE ESTATE
        prints the estate's item (attribute name -> value, numbers as strings), or null
    python tests/moto/coordination.py URL put REGION TABLE JSON
        writes an item given as {"attribute": "string" | number}

drconsole never creates the table; a test does, as an operator would once.
"""

import json
import os
import sys

import boto3


def client(service, url, region):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def plain(item):
    out = {}
    for k, v in item.items():
        (kind, value), = v.items()
        out[k] = value
    return out


def main():
    url, command, region = sys.argv[1:4]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("coordination.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    if command == "setup":
        table = sys.argv[4]
        client("dynamodb", url, region).create_table(
            TableName=table,
            KeySchema=[{"AttributeName": "estate", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "estate", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        sns = client("sns", url, region)
        sqs = client("sqs", url, region)
        topic = sns.create_topic(Name="dr-events")["TopicArn"]
        queue_url = sqs.create_queue(QueueName="dr-events-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn,
            Attributes={"RawMessageDelivery": "true"},
        )
        print(json.dumps({"topic_arn": topic, "queue_url": queue_url}))
    elif command == "messages":
        sqs = client("sqs", url, region)
        bodies = []
        while True:
            got = sqs.receive_message(
                QueueUrl=sys.argv[4], MaxNumberOfMessages=10, WaitTimeSeconds=0
            ).get("Messages", [])
            if not got:
                break
            for m in got:
                bodies.append(m["Body"])
                sqs.delete_message(QueueUrl=sys.argv[4], ReceiptHandle=m["ReceiptHandle"])
        print(json.dumps(bodies))
    elif command == "item":
        table, estate = sys.argv[4:6]
        got = client("dynamodb", url, region).get_item(
            TableName=table, Key={"estate": {"S": estate}}, ConsistentRead=True
        )
        print(json.dumps(plain(got["Item"]) if "Item" in got else None))
    elif command == "put":
        table, text = sys.argv[4:6]
        item = {
            k: ({"N": str(v)} if isinstance(v, (int, float)) else {"S": v})
            for k, v in json.loads(text).items()
        }
        client("dynamodb", url, region).put_item(TableName=table, Item=item)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
