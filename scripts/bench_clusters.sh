#!/bin/sh
# bench_clusters.sh - what the cluster-aware intervals cost: validate and backtest with intervals clustered by account against the same run with --cluster-col none, timed in one run (issue 14's target: at most 1.3x).
#
# usage: sh scripts/bench_clusters.sh [--accounts N] [--repeat R]
#   --accounts N  the history: `healthcal simulate --accounts N --weeks 104
#                 --seed 1` (default 100000: 8.2M rows, the benchmark's 10m
#                 size, shared with scripts/bench.sh's cache)
#   --repeat R    runs of each variant, alternating, the fastest kept
#                 (default 3)
# Environment: HEALTHCAL (default ./build/healthcal), HC_BENCH_DIR (default
# /tmp/healthcal-bench, the cache scripts/bench.sh uses).
# Prints one line per command: wall seconds clustered, rows independent,
# their ratio and PASS/FAIL against 1.3. A study, not a test: the numbers
# depend on the machine, so they go into the README, not into make check.
set -eu
HEALTHCAL=${HEALTHCAL:-./build/healthcal}
DIR=${HC_BENCH_DIR:-/tmp/healthcal-bench}
ACCOUNTS=100000
REPEAT=3
while [ $# -gt 0 ]; do
    case "$1" in
    --accounts) ACCOUNTS=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "bench_clusters.sh: unknown option $1" >&2; exit 1 ;;
    esac
done
[ -x "$HEALTHCAL" ] || { echo "bench_clusters.sh: $HEALTHCAL is not built (make)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null 2>&1 || { echo "bench_clusters.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 1; }

D="$DIR/data/a$ACCOUNTS-w104-s1"
if [ ! -s "$D/snapshots.csv" ]; then
    echo "simulating $ACCOUNTS accounts x 104 weeks into $D" >&2
    mkdir -p "$D"
    "$HEALTHCAL" simulate -q --accounts "$ACCOUNTS" --weeks 104 --seed 1 --out "$D"
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/hc-clusters.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
S="$D/snapshots.csv" E="$D/events.csv" C="$D/current.json"
rows=$(($(wc -l <"$S") - 1))
# Eight quarterly folds ending at the last snapshot, as scripts/bench.sh.
last=$(tail -n 1 "$S" | cut -d, -f2)
FT=$(date -u -d "$last - $((8 * 91 + 30)) days" +%F)

# wall NAME -- command...: appends the wall seconds of one run to $WORK/NAME
wall() {
    name=$1
    shift 2
    /usr/bin/time -f %e -o "$WORK/t" "$@" >/dev/null 2>"$WORK/err" || {
        echo "bench_clusters.sh: $name failed:" >&2
        tail -3 "$WORK/err" >&2
        exit 1
    }
    cat "$WORK/t" >>"$WORK/$name"
}
best() { sort -n "$WORK/$1" | head -1; }

echo "history: $rows snapshot rows ($ACCOUNTS accounts x 104 weeks), $REPEAT runs each, alternating" >&2
i=0
while [ $i -lt "$REPEAT" ]; do
    wall validate_cl -- "$HEALTHCAL" validate -q -s "$S" -e "$E" -c "$C"
    wall validate_nv -- "$HEALTHCAL" validate -q -s "$S" -e "$E" -c "$C" --cluster-col none
    wall backtest_cl -- "$HEALTHCAL" backtest -q -s "$S" -e "$E" -c "$C" --tuned --step 91 \
        --window expanding --first-test "$FT" -o "$WORK/bt"
    wall backtest_nv -- "$HEALTHCAL" backtest -q -s "$S" -e "$E" -c "$C" --tuned --step 91 \
        --window expanding --first-test "$FT" --cluster-col none -o "$WORK/bt"
    i=$((i + 1))
done
printf '%-10s %12s %12s %7s %s\n' command clustered independent ratio "target <= 1.3"
for c in validate backtest; do
    a=$(best ${c}_cl) b=$(best ${c}_nv)
    awk -v c=$c -v a="$a" -v b="$b" 'BEGIN {
        r = a / b
        printf "%-10s %11.2fs %11.2fs %6.2fx %s\n", c, a, b, r, r <= 1.3 ? "PASS" : "FAIL" }'
done
