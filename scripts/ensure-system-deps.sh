#!/usr/bin/env bash
# Install the system packages the test suite needs, only when missing.
#
#   chromium        /usr/bin/chromium (driven by Playwright, headless)
#   fonts-noto-cjk  Chinese glyphs in screenshots / PDFs
#   fonts-liberation  Latin metric-compatible fonts (chromium's usual recommends)
#   postgresql      initdb / pg_ctl / postgres under /usr/lib/postgresql/*/bin
#   poppler-utils   pdftoppm
#   openjdk-17-jre-headless  java, for Spark (PySpark local mode) in the quality tests
#   libpango-1.0-0 libpangoft2-1.0-0  Pango, for WeasyPrint (PDF reports)
#
# Prints nothing when everything is present, one line per package installed.
# Exits 1 with a clear message when something is missing and we are not root.
set -euo pipefail

me="ensure-system-deps"
die() { echo "$me: error: $*" >&2; exit 1; }

pkg_installed() {
    [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

have_pg_server() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        if [ -x "$d/pg_ctl" ] && [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then
            return 0
        fi
    done
    return 1
}

missing=()   # packages to install
reasons=()   # parallel array: why

need() { missing+=("$1"); reasons+=("$2"); }

[ -x /usr/bin/chromium ] || need chromium "/usr/bin/chromium not found"
pkg_installed fonts-noto-cjk || need fonts-noto-cjk "CJK fonts (fonts-noto-cjk) not installed"
pkg_installed fonts-liberation || need fonts-liberation "fonts-liberation not installed"
have_pg_server || need postgresql "no /usr/lib/postgresql/*/bin/{initdb,pg_ctl,postgres}"
command -v pdftoppm >/dev/null 2>&1 || need poppler-utils "pdftoppm not found"
command -v java >/dev/null 2>&1 || need openjdk-17-jre-headless "java not found (Spark needs Java 17)"
ldconfig -p 2>/dev/null | grep -q 'libpango-1.0.so.0' || need libpango-1.0-0 "libpango-1.0 not found (WeasyPrint)"
ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0' || need libpangoft2-1.0-0 "libpangoft2-1.0 not found (WeasyPrint)"

[ "${#missing[@]}" -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
    {
        echo "$me: missing system packages (not root, cannot install):"
        for i in "${!missing[@]}"; do
            echo "  - ${missing[$i]}: ${reasons[$i]}"
        done
        echo "$me: install them with:"
        echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}"
    } >&2
    exit 1
fi

command -v apt-get >/dev/null 2>&1 || die "apt-get not found; install manually: ${missing[*]}"

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp -t ensure-system-deps.XXXXXX.log)"
trap 'rm -f "$log"' EXIT

# Run an apt-get command, waiting (up to ~15 min) while another apt/dpkg
# process holds the lock, and repairing an interrupted dpkg once.
apt_run() {
    local deadline=$((SECONDS + 900)) repaired=0
    while :; do
        if apt-get -q -o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 "$@" >"$log" 2>&1; then
            return 0
        fi
        if grep -qE 'Could not get lock|Unable to lock|Unable to acquire the dpkg frontend lock|is another process using it' "$log" \
            && [ "$SECONDS" -lt "$deadline" ]; then
            sleep 5
            continue
        fi
        if [ "$repaired" -eq 0 ] && grep -q 'dpkg --configure -a' "$log"; then
            repaired=1
            dpkg --configure -a >>"$log" 2>&1 || true
            continue
        fi
        echo "$me: error: 'apt-get $*' failed; last output:" >&2
        tail -n 40 "$log" >&2
        return 1
    done
}

for i in "${!missing[@]}"; do
    echo "$me: installing ${missing[$i]} (${reasons[$i]})"
done

apt_run update || die "apt-get update failed"
apt_run install -y --no-install-recommends "${missing[@]}" || die "apt-get install ${missing[*]} failed"

# Verify the result so a half-working install fails here, not in the tests.
[ -x /usr/bin/chromium ] || die "chromium installed but /usr/bin/chromium is missing"
pkg_installed fonts-noto-cjk || die "fonts-noto-cjk still not installed"
pkg_installed fonts-liberation || die "fonts-liberation still not installed"
have_pg_server || die "postgresql installed but no /usr/lib/postgresql/*/bin/pg_ctl found"
command -v pdftoppm >/dev/null 2>&1 || die "poppler-utils installed but pdftoppm is missing"
exit 0
