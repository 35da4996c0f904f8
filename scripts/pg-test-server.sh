#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for the test suite.
#
#   scripts/pg-test-server.sh start   # init (once) + start, create db datadeed_test; silent
#   scripts/pg-test-server.sh url     # print the SQLAlchemy URL
#   scripts/pg-test-server.sh stop    # fast stop; silent if not running
#
# Environment:
#   PGTEST_DIR   base directory (default: $PWD/var/pg-test); data dir is $PGTEST_DIR/data
#   PGTEST_PORT  TCP port on 127.0.0.1 (default: 54329)
#   PG_BINDIR    directory holding initdb/pg_ctl/postgres (default: auto-detect)
#
# Listens only on 127.0.0.1; the unix socket lives in the data dir.
# As root, the cluster is owned by and run as the `postgres` system user.
set -euo pipefail

me="pg-test-server"
die() { echo "$me: error: $*" >&2; exit 1; }

PGTEST_DIR="${PGTEST_DIR:-$PWD/var/pg-test}"
PGTEST_PORT="${PGTEST_PORT:-54329}"
DB_NAME="datadeed_test"
PG_USER="postgres"

case "$PGTEST_PORT" in
    ''|*[!0-9]*) die "PGTEST_PORT must be a number, got '$PGTEST_PORT'" ;;
esac
case "$PGTEST_DIR" in
    /*) ;;
    *) PGTEST_DIR="$PWD/$PGTEST_DIR" ;;
esac

is_root() { [ "$(id -u)" -eq 0 ]; }

find_bindir() {
    local d cand=()
    if [ -n "${PG_BINDIR:-}" ]; then
        cand+=("$PG_BINDIR")
    fi
    if command -v pg_config >/dev/null 2>&1; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        [ -n "$d" ] && cand+=("$d")
    fi
    # Highest installed server version first.
    while IFS= read -r d; do
        [ -n "$d" ] && cand+=("$d")
    done < <(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '\*' | sort -t/ -k5,5Vr)
    for d in "${cand[@]}"; do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

# Run a server-side command as the cluster owner (postgres refuses to run as root).
# fd 9 (the start lock) is closed so a daemonised postmaster does not inherit it.
as_owner() {
    if is_root; then
        (cd / && runuser -u "$PG_USER" -- "$@") 9>&-
    else
        "$@" 9>&-
    fi
}

# The base dir must be reachable by the postgres user when we are root (a
# checkout under /root is not).  In that case use a stable per-path dir in /tmp.
resolve_base() {
    BASE="$PGTEST_DIR"
    if is_root && id -u "$PG_USER" >/dev/null 2>&1 \
        && [ -d "$BASE" ] && ! runuser -u "$PG_USER" -- test -w "$BASE" -a -x "$BASE" 2>/dev/null; then
        BASE="${TMPDIR:-/tmp}/datadeed-pgtest-$(printf '%s' "$PGTEST_DIR" | md5sum | cut -c1-12)"
    fi
    DATA="$BASE/data"
    LOG="$BASE/postgres.log"
}

is_running() {
    [ -f "$DATA/PG_VERSION" ] && [ -f "$DATA/postmaster.pid" ] \
        && as_owner "$BINDIR/pg_ctl" status -D "$DATA" >/dev/null 2>&1
}

ensure_pg_user() {
    is_root || return 0
    if ! id -u "$PG_USER" >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash --comment "PostgreSQL administrator" "$PG_USER" \
            || die "could not create system user '$PG_USER'"
    fi
}

prepare_base() {
    mkdir -p "$PGTEST_DIR" || die "cannot create $PGTEST_DIR"
    if is_root; then
        chown "$PG_USER:" "$PGTEST_DIR" || die "cannot chown $PGTEST_DIR to $PG_USER"
    fi
    resolve_base
    if [ "$BASE" != "$PGTEST_DIR" ]; then
        mkdir -p "$BASE"
        chmod 700 "$BASE"
        chown "$PG_USER:" "$BASE"
    fi
    if ! as_owner test -w "$BASE"; then
        if is_root; then die "$BASE is not writable by user $PG_USER"; fi
        die "$BASE is not writable by user $(id -un)"
    fi
}

write_conf() {
    # Rewritten on every start so PGTEST_PORT / paths changes take effect.
    local sockdir conf="$DATA/datadeed-test.conf"
    sockdir="$DATA"
    # sun_path is limited to 107 bytes; over that, skip the socket (TCP is used anyway).
    if [ $(( ${#sockdir} + ${#PGTEST_PORT} + 12 )) -gt 100 ]; then
        sockdir=""
    fi
    as_owner tee "$conf" >/dev/null <<EOF
# Managed by scripts/pg-test-server.sh -- throwaway test cluster, NOT durable.
listen_addresses = '127.0.0.1'
port = $PGTEST_PORT
unix_socket_directories = '${sockdir//\'/\'\'}'
max_connections = 100
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
log_min_messages = warning
EOF
    if ! grep -q "^include_if_exists = 'datadeed-test.conf'" "$DATA/postgresql.conf" 2>/dev/null; then
        printf "\ninclude_if_exists = 'datadeed-test.conf'\n" | as_owner tee -a "$DATA/postgresql.conf" >/dev/null
    fi
}

init_cluster() {
    local locale_opt=(--no-locale)
    if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
        locale_opt=(--locale=C.UTF-8)
    fi
    # A partially initialised dir from an aborted run: wipe it.
    if [ -d "$DATA" ] && [ ! -f "$DATA/PG_VERSION" ]; then
        rm -rf "$DATA"
    fi
    if ! as_owner "$BINDIR/initdb" -D "$DATA" --auth=trust --username="$PG_USER" \
            -E UTF8 "${locale_opt[@]}" >"$BASE/initdb.log" 2>&1; then
        echo "$me: error: initdb failed; output:" >&2
        tail -n 30 "$BASE/initdb.log" >&2
        exit 1
    fi
}

psql_q() {
    "$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGTEST_PORT" -U "$PG_USER" "$@"
}

cmd_start() {
    BINDIR="$(find_bindir)" || die "PostgreSQL server binaries not found (run scripts/ensure-system-deps.sh)"
    ensure_pg_user
    prepare_base

    # Serialise concurrent starts on the same dir.
    exec 9>>"$BASE/.lock"
    flock -w 120 9 || die "timed out waiting for lock $BASE/.lock"

    if ! is_running; then
        [ -f "$DATA/PG_VERSION" ] || init_cluster
        write_conf
        local out
        if ! out="$(as_owner "$BINDIR/pg_ctl" start -D "$DATA" -l "$LOG" -w -t 60 -s 2>&1)"; then
            echo "$me: error: PostgreSQL failed to start on 127.0.0.1:$PGTEST_PORT (data: $DATA)" >&2
            [ -n "$out" ] && echo "$out" >&2
            if [ -f "$LOG" ]; then
                echo "$me: log tail ($LOG):" >&2
                tail -n 30 "$LOG" >&2 || true
            fi
            exit 1
        fi
    fi

    local _ ok=0
    for _ in $(seq 1 60); do
        if "$BINDIR/pg_isready" -q -h 127.0.0.1 -p "$PGTEST_PORT" -U "$PG_USER" -d postgres; then
            ok=1; break
        fi
        sleep 0.5
    done
    [ "$ok" -eq 1 ] || die "server on 127.0.0.1:$PGTEST_PORT not accepting connections (log: $LOG)"

    local exists
    exists="$(psql_q -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'")" \
        || die "cannot query server on 127.0.0.1:$PGTEST_PORT"
    if [ "$exists" != "1" ]; then
        # Tolerate a concurrent creator (duplicate_database).
        psql_q -d postgres -c "create database $DB_NAME" >/dev/null 2>&1 \
            || [ "$(psql_q -d postgres -tAc "select 1 from pg_database where datname = '$DB_NAME'")" = "1" ] \
            || die "could not create database $DB_NAME"
    fi
}

cmd_stop() {
    resolve_base
    [ -f "$DATA/PG_VERSION" ] || return 0
    [ -f "$DATA/postmaster.pid" ] || return 0
    BINDIR="$(find_bindir)" || return 0
    if is_running; then
        local out
        out="$(as_owner "$BINDIR/pg_ctl" stop -D "$DATA" -m fast -w -t 60 -s 2>&1)" \
            || die "pg_ctl stop failed for $DATA (log: $LOG): $out"
    fi
}

cmd_url() {
    echo "postgresql+psycopg://$PG_USER@127.0.0.1:$PGTEST_PORT/$DB_NAME"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    url) cmd_url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
