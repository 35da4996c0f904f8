#!/usr/bin/env bash
# The whole suite: ruff, mypy, then pytest on SQLite (browser, Spark and the role × route
# matrix included) and pytest on a throwaway PostgreSQL cluster, the two passes side by
# side (one per core). Called by `make test` (and so by .ci/run). Each pass writes its log to
# test-artifacts/ and the logs are printed when both are done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BIN=.venv/bin
LOGS=test-artifacts
mkdir -p "$LOGS"

echo "== ruff"
$BIN/ruff check src tests bench scripts
$BIN/ruff format --check src tests bench scripts
echo "== mypy"
$BIN/mypy

bash scripts/pg-test-server.sh start
trap 'bash scripts/pg-test-server.sh stop' EXIT
PG_URL="$(bash scripts/pg-test-server.sh url)"

echo "== pytest on SQLite (with Chromium and Spark) and on PostgreSQL, in parallel"
start=$(date +%s)
(unset DATADEED_TEST_DATABASE_URL; $BIN/pytest -q -p no:cacheprovider --durations=25 \
  >"$LOGS/pytest-sqlite.log" 2>&1) &
sqlite_pid=$!
(DATADEED_TEST_DATABASE_URL="$PG_URL" $BIN/pytest -q -p no:cacheprovider --durations=25 \
  -m "not browser and not spark and not matrix" >"$LOGS/pytest-postgresql.log" 2>&1) &
pg_pid=$!
status=0
wait "$sqlite_pid" || status=1
sqlite_done=$(( $(date +%s) - start ))
wait "$pg_pid" || status=$(( status | 2 ))
pg_done=$(( $(date +%s) - start ))

echo "== pytest on SQLite (${sqlite_done} s)"
cat "$LOGS/pytest-sqlite.log"
echo "== pytest on PostgreSQL (${pg_done} s)"
cat "$LOGS/pytest-postgresql.log"
case $status in
  0) echo "== both passes green" ;;
  1) echo "== FAILED: the SQLite pass" ;;
  2) echo "== FAILED: the PostgreSQL pass" ;;
  *) echo "== FAILED: both passes" ;;
esac
exit "$status"
