#!/bin/sh
# install-deps.sh - installs the Debian packages healthcal needs, only when missing.
#
# Usage: scripts/install-deps.sh [--test]
#   default: what building and running healthcal needs
#   --test:  also what `make check` needs (cmocka, valgrind, clang for fuzzing,
#            PostgreSQL and SQLite for the SQL export parity test, chromium and
#            poppler-utils for the report's browser and PDF test)
# Idempotent: packages already installed are left alone. When not root and
# something is missing, prints the exact command to run and exits 1.
set -eu

need="gcc make pkg-config libgsl-dev libcsv-dev libjansson-dev gnuplot-nox"
if [ "${1:-}" = "--test" ]; then
    need="$need libcmocka-dev valgrind clang libclang-rt-14-dev libxml2-utils time postgresql sqlite3 zsh chromium poppler-utils"
fi

missing=""
for pkg in $need; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
    esac
done

[ -z "$missing" ] && exit 0

cmd="apt-get update && apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" != 0 ]; then
    echo "healthcal: missing packages:$missing" >&2
    echo "healthcal: run as root: $cmd" >&2
    exit 1
fi
echo "healthcal: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
