"""Creates (or updates) an IAM user with one inline policy in a running moto server and prints
its keys as JSON; with --enforce, then makes moto enforce IAM for every later request.

    python tests/moto/principal.py URL USER POLICY_FILE [--enforce]

Used to give a side's credentials a principal whose policies IAM's policy simulation reads
(tests/moto/simulate.py). Keys are made once per user; updating the policy prints the same user
with new keys.
"""

import argparse
import json
import urllib.request

import boto3


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("policy_file")
    parser.add_argument("--enforce", action="store_true")
    args = parser.parse_args()
    if not args.url.startswith("http://127.0.0.1:"):
        raise SystemExit("principal.py only talks to a local emulator on 127.0.0.1")
    iam = boto3.client(
        "iam", region_name="us-east-1", endpoint_url=args.url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    try:
        iam.create_user(UserName=args.user)
    except iam.exceptions.EntityAlreadyExistsException:
        pass
    with open(args.policy_file) as f:
        iam.put_user_policy(UserName=args.user, PolicyName="drconsole", PolicyDocument=f.read())
    key = iam.create_access_key(UserName=args.user)["AccessKey"]
    if args.enforce:
        req = urllib.request.Request(
            args.url + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
        )
        urllib.request.urlopen(req).read()
    print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))


if __name__ == "__main__":
    main()
