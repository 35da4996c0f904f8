#!/usr/bin/env bash
# The whole suite: ruff, mypy, pytest on SQLite (browser tests included), then pytest on
# a throwaway PostgreSQL cluster. Called by `make test` (and so by .ci/run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin

echo "== ruff"
$BIN/ruff check src tests bench scripts
$BIN/ruff format --check src tests bench scripts
echo "== mypy"
$BIN/mypy

echo "== pytest on SQLite (with Chromium)"
unset DATADEED_TEST_DATABASE_URL
$BIN/pytest -q -p no:cacheprovider

echo "== pytest on PostgreSQL"
bash scripts/pg-test-server.sh start
trap 'bash scripts/pg-test-server.sh stop' EXIT
DATADEED_TEST_DATABASE_URL="$(bash scripts/pg-test-server.sh url)" \
  $BIN/pytest -q -p no:cacheprovider -m "not browser"
