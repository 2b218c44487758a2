#!/bin/sh
# Restores the services' shared state file from the standby's replica of the state bucket,
# then publishes it where the services read it at start. Run by the microservices example's
# failover as a `command` step, from the estate file's directory:
#   restore-state.sh BUCKET REGION
# It needs the AWS CLI, with the credentials drconsole runs with.
set -eu
bucket="$1"
region="$2"
command -v aws >/dev/null 2>&1 || { echo "restore-state: the aws CLI is not installed" >&2; exit 127; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "restore-state: s3://$bucket/state/services.json ($region)"
aws s3 cp "s3://$bucket/state/services.json" "$tmp" --region "$region"
aws ssm put-parameter --region "$region" --name /parts/state --type String --overwrite \
  --value "file://$tmp"
echo "restore-state: restored $(wc -c <"$tmp") bytes into /parts/state"
