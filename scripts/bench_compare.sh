#!/bin/sh
# bench_compare.sh - two builds of healthcal on the same history in one run: wall time and peak memory, after / before.
#
# usage: sh scripts/bench_compare.sh BEFORE AFTER [--size NAME] [--repeat N]
#
#   BEFORE, AFTER  two healthcal binaries (e.g. one built from an older
#                  commit into /tmp, and ./build/healthcal)
#   --size NAME    the history of scripts/bench.sh to use: 20k, 60k, 1m, 3m
#                  or 10m (default 10m); it is generated once (by AFTER)
#                  and cached under $HC_BENCH_DIR (default /tmp/healthcal-bench)
#   --repeat N     runs per binary and step (default 3); the two binaries
#                  alternate run by run, so that a machine that slows down
#                  or speeds up during the run affects both alike
#
# For each step (label, fit, validate, backtest with 8 folds and --tuned,
# predict) it prints the fastest wall time of each binary, their ratio
# after / before, the peak RSS of each and its ratio, and whether the two
# wrote the same outputs (cmp of every output file apart from lines that
# carry a timestamp). Exit status 0 when every step ran, 1 otherwise.
set -u
export LC_ALL=C
[ $# -ge 2 ] || { sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
BEFORE=$1
AFTER=$2
shift 2
SIZE=10m
REPEAT=3
while [ $# -gt 0 ]; do
    case $1 in
    --size) SIZE=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    *) echo "bench_compare.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
for b in "$BEFORE" "$AFTER"; do
    [ -x "$b" ] || { echo "bench_compare.sh: $b is not an executable" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "bench_compare.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

HERE=$(cd "$(dirname "$0")" && pwd)
BENCH_DIR=${HC_BENCH_DIR:-/tmp/healthcal-bench}
# The history and its fold plan, as bench.sh makes them.
PLAN=$(HEALTHCAL=$AFTER sh "$HERE/bench.sh" --sizes "$SIZE" --plan-only 2>/dev/null | awk -v s="$SIZE" '$1 == s && NF == 3')
set -- $PLAN
[ $# -eq 3 ] || { echo "bench_compare.sh: no plan for size '$SIZE'" >&2; exit 1; }
DATA=$2
FT=$3
S="$DATA/snapshots.csv"
E="$DATA/events.csv"
C="$DATA/current.json"
RUN="$BENCH_DIR/compare"
rm -rf "$RUN"
mkdir -p "$RUN/before" "$RUN/after"
# The tuned config predict scores with: the same file for both binaries.
"$AFTER" fit -q -s "$S" -e "$E" -c "$C" -o "$RUN/tuned.json" >/dev/null || exit 1

# args STEP OUT: the command line of a step, writing under OUT.
args() {
    case $1 in
    label) echo "label -q -s $S -e $E -o $2/labels.csv" ;;
    fit) echo "fit -q -s $S -e $E -c $C -o $2/tuned.json --coef-out $2/coef.csv" ;;
    validate) echo "validate -q -s $S -e $E -c $C --json $2/validate.json" ;;
    backtest) echo "backtest -q -s $S -e $E -c $C --tuned --step 91 --window expanding --first-test $FT -o $2/backtest" ;;
    predict) echo "predict -q -c $RUN/tuned.json -s $S -o $2/predictions.csv" ;;
    esac
}

# run BIN OUT STEP: one timed run; prints "wall_ns rss_kib" or "fail".
run() {
    t0=$(date +%s%N)
    # shellcheck disable=SC2046
    /usr/bin/time -v -o "$2/$3.time" "$1" $(args "$3" "$2") >"$2/$3.out" 2>"$2/$3.err" || { echo fail; return; }
    t1=$(date +%s%N)
    echo "$((t1 - t0)) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$2/$3.time")"
}

# same OUT1 OUT2: the outputs agree, apart from lines with a timestamp.
same() {
    for f in $(cd "$1" && find . -type f ! -name '*.time' ! -name '*.err' | sort); do
        grep -v '"created"\|"fitted_at"\|generated\|[0-9]T[0-9][0-9]:' "$1/$f" >"$RUN/a" 2>/dev/null
        grep -v '"created"\|"fitted_at"\|generated\|[0-9]T[0-9][0-9]:' "$2/$f" >"$RUN/b" 2>/dev/null
        cmp -s "$RUN/a" "$RUN/b" || { echo "differ: $f"; return; }
    done
    echo same
}

status=0
echo "bench_compare: $SIZE ($(awk '$1 == "rows" {print $2}' "$DATA/meta") rows), fastest of $REPEAT alternating runs"
echo "before: $BEFORE ($("$BEFORE" --version))"
echo "after:  $AFTER ($("$AFTER" --version))"
echo
printf "| step | before s | after s | after / before | before MiB | after MiB | after / before | outputs |\n"
printf "|---|---:|---:|---:|---:|---:|---:|---|\n"
for step in label fit validate backtest predict; do
    bw=""; aw=""; br=0; ar=0; failed=0
    i=0
    while [ $i -lt "$REPEAT" ]; do
        for side in before after; do
            if [ $side = before ]; then bin=$BEFORE; else bin=$AFTER; fi
            r=$(run "$bin" "$RUN/$side" $step)
            [ "$r" = fail ] && { failed=1; echo "$step failed for $side: $(tail -3 "$RUN/$side/$step.err")" >&2; continue; }
            w=${r% *}; m=${r#* }
            if [ $side = before ]; then
                { [ -z "$bw" ] || [ "$w" -lt "$bw" ]; } && bw=$w
                [ "$m" -gt "$br" ] && br=$m
            else
                { [ -z "$aw" ] || [ "$w" -lt "$aw" ]; } && aw=$w
                [ "$m" -gt "$ar" ] && ar=$m
            fi
        done
        i=$((i + 1))
    done
    if [ $failed = 1 ] || [ -z "$bw" ] || [ -z "$aw" ]; then
        printf "| %s | fail | | | | | | |\n" $step
        status=1
        continue
    fi
    awk -v s=$step -v bw="$bw" -v aw="$aw" -v br="$br" -v ar="$ar" -v o="$(same "$RUN/before" "$RUN/after")" \
        'BEGIN {printf "| %s | %.3f | %.3f | %.3f | %.0f | %.0f | %.3f | %s |\n",
                s, bw / 1e9, aw / 1e9, aw / bw, br / 1024, ar / 1024, ar / br, o}'
    rm -f "$RUN/before/labels.csv" "$RUN/after/labels.csv"
done
exit $status
