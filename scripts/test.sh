#!/usr/bin/env bash
# Runs every test, including those against moto, the local AWS emulator.
# moto is installed into .venv at the crate root the first time (Python 3 with venv and pip),
# with prometheus_client, whose OpenMetrics parser reads `serve`'s /metrics in the tests.
# promtool (Debian's `prometheus` package) checks assets/prometheus/alerts.yml: installed
# here when apt-get exists and it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import moto, cbor2, flask, prometheus_client' 2>/dev/null; then
  echo "installing moto[server] and prometheus_client into .venv for the AWS and metrics tests"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' cbor2 flask \
    'prometheus_client>=0.20,<1'
fi
if ! command -v promtool >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  echo "installing promtool (Debian's prometheus package) for the alert rules' test"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus) >/dev/null
fi
exec cargo test "$@"
