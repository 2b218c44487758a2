"""Seeds the estate a Terraform fixture describes into a running moto server, with the same
names, and prints the identifiers moto chose.

    python tests/moto/seed_terraform.py URL SEED.toml [--drop-replica] [--json-secret PASSWORD]

SEED.toml (beside each fixture under tests/fixtures/terraform/) names what the state files
hold; tests/moto/seed_estate.py creates it. Then, as the team's Terraform would have left it:
the endpoint parameter or secret holds the primary database's real address (a JSON secret
with `--json-secret`: host, username and that password), and with `--drop-replica` no
replica is made (an estate that lost its replica, or never had one).

Prints one JSON object: `ids` (written identifier -> the one moto chose) and
`primary_endpoint`.
"""

import json
import os
import sys
import tomllib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_estate import Seeder  # noqa: E402


def main():
    url, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    if not url.startswith("http://127.0.0.1:"):
        sys.exit("seed_terraform.py only talks to a local emulator on 127.0.0.1")
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    with open(path, "rb") as f:
        estate = tomllib.loads(f.read().decode())
    seeder = Seeder(url, estate)
    if "--drop-replica" in args:
        # The primary alone: moto cannot delete a cross-region replica once made.
        seeder.rds_replica = lambda db: seeder.primary_instance(db["primary"])
    seeder.seed()
    db = estate.get("database") or {}
    endpoint = None
    if db:
        rds = seeder.client("rds", "primary")
        found = rds.describe_db_instances(DBInstanceIdentifier=db["primary"])["DBInstances"][0]
        endpoint = found["Endpoint"]["Address"]
        if db.get("endpoint_parameter"):
            seeder.client("ssm", "standby").put_parameter(
                Name=db["endpoint_parameter"], Value=endpoint, Type="String", Overwrite=True
            )
        if db.get("endpoint_secret"):
            if "--json-secret" in args:
                password = args[args.index("--json-secret") + 1]
                value = json.dumps({"host": endpoint, "username": "app", "password": password})
            else:
                value = endpoint
            seeder.client("secretsmanager", "standby").put_secret_value(
                SecretId=db["endpoint_secret"], SecretString=value
            )
    print(json.dumps({"ids": seeder.ids, "primary_endpoint": endpoint}))


if __name__ == "__main__":
    main()
