#!/usr/bin/env bash
# Runs every test, including those against moto, the local AWS emulator.
# moto is installed into .venv at the crate root the first time (Python 3 with venv and pip).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! .venv/bin/python -c 'import moto, cbor2, flask' 2>/dev/null; then
  echo "installing moto[server] into .venv for the AWS tests"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6' cbor2 flask
fi
exec cargo test "$@"
