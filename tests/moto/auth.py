"""Creates an IAM user with the given policy in a running moto server, then makes moto enforce
IAM for every later request (moto's /moto-api/reset-auth). Prints the user's keys as JSON.

    python tests/moto/auth.py URL POLICY_FILE

moto evaluates policies by action only (it authorizes every request against resource `*`), so
the policy given here should grant its actions on `*`.
"""

import json
import sys
import urllib.request

import boto3


def main():
    url, policy_file = sys.argv[1], sys.argv[2]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("auth.py only talks to a local emulator on 127.0.0.1")
    iam = boto3.client(
        "iam", region_name="us-east-1", endpoint_url=url,
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )
    iam.create_user(UserName="drconsole-monitor")
    with open(policy_file) as f:
        iam.put_user_policy(UserName="drconsole-monitor", PolicyName="drconsole", PolicyDocument=f.read())
    key = iam.create_access_key(UserName="drconsole-monitor")["AccessKey"]
    req = urllib.request.Request(
        url + "/moto-api/reset-auth", data=b"0", method="POST", headers={"Content-Type": "text/plain"}
    )
    urllib.request.urlopen(req).read()
    print(json.dumps({"access_key_id": key["AccessKeyId"], "secret_access_key": key["SecretAccessKey"]}))


if __name__ == "__main__":
    main()
