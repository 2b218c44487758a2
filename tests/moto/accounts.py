"""Gives the accounts of a running moto server the shape a test of account pins needs: an alias
for moto's own account, and credentials that act in another account (a role assumed there, as a
DR account's profile would hold). Prints those credentials as JSON.

    python tests/moto/accounts.py URL ALIAS OTHER_ACCOUNT
"""

import json
import sys

import boto3


def main():
    url, alias, other = sys.argv[1], sys.argv[2], sys.argv[3]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("accounts.py only talks to a local emulator on 127.0.0.1")
    keys = dict(
        region_name="us-east-1", endpoint_url=url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    boto3.client("iam", **keys).create_account_alias(AccountAlias=alias)
    role = f"arn:aws:iam::{other}:role/DROperator"
    creds = boto3.client("sts", **keys).assume_role(
        RoleArn=role, RoleSessionName="drconsole-test"
    )["Credentials"]
    print(json.dumps({
        "access_key_id": creds["AccessKeyId"],
        "secret_access_key": creds["SecretAccessKey"],
        "session_token": creds["SessionToken"],
    }))


if __name__ == "__main__":
    main()
