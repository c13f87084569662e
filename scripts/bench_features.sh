#!/bin/sh
# bench_features.sh - issue 15's performance bar: the snapshot pipeline with a categorical column and 4-week trends on two metrics, against the same pipeline without them, in one run.
#
# usage: sh scripts/bench_features.sh [--sizes LIST] [--repeat N]
#
#   --sizes LIST   comma-separated NAME:ACCOUNTS or 1m, 3m, 10m (9615,
#                  28846, 100000 accounts x 104 weeks, as scripts/bench.sh);
#                  default 1m
#   --repeat N     run each step N times and keep the fastest (default 1)
#
# Environment: HEALTHCAL (default ./build/healthcal), HC_BENCH_DIR (default
# /tmp/healthcal-bench; histories cached under features/).
#
# For each size, `healthcal simulate --grades` writes a history whose
# columns and events are byte-identical to the plain simulation plus a
# `grade` column (A-F). The baseline is today's pipeline on the plain
# history (the grade column removed, so it reads what it read before):
# label, fit, backtest --tuned (8 folds of 91 days, as bench.sh), predict,
# with the simulator's hand-set config. The feature run is the same
# pipeline on the graded history with that config plus
#   - `grade`: a categorical metric, levels learned (order F..A) by fit and
#     by every backtest refit, in the relationship component;
#   - 28-day ratio trends of logins_per_week and feature_adoption in the
#     usage component.
# A third run, "seasonal", adds to the feature config a seasonal (ratio to
# the calendar-month median, learned on the training rows) adjustment of
# logins_per_week.
# The three runs are interleaved, REPEAT rounds of all three, keeping each
# step's best. It prints each step's wall time and its CPU time (user +
# system, less sensitive to other load on the machine) for the three, the
# ratios to plain, and the pipeline totals against issue 15's bar of 1.3x. Exit 0 when every
# step ran (the bar is reported, not enforced), 1 otherwise.
set -u
export LC_ALL=C

HEALTHCAL=${HEALTHCAL:-./build/healthcal}
BENCH_DIR=${HC_BENCH_DIR:-/tmp/healthcal-bench}/features
SIZES=1m
REPEAT=1
WEEKS=104
SEED=1

die() { echo "bench_features.sh: $*" >&2; exit 1; }
while [ $# -gt 0 ]; do
    case $1 in
    --sizes) SIZES=$2; shift 2 ;;
    --repeat) REPEAT=$2; shift 2 ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench_features.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ -x "$HEALTHCAL" ] || die "$HEALTHCAL is not built (make)"

accounts_of() {
    case $1 in
    1m) echo 9615 ;; 3m) echo 28846 ;; 10m) echo 100000 ;;
    *:*) echo "${1#*:}" ;;
    *) die "unknown size $1" ;;
    esac
}

# now_ns: a nanosecond wall clock.
now_ns() { date +%s%N; }

# cpu_ms FILE: the user + system CPU milliseconds of the shell's finished
# children in FILE, the output of `times` (run in this shell, not in a
# command substitution, whose subshell has children of its own).
cpu_ms() { awk 'NR == 2 { split($1, u, "m"); split($2, k, "m")
    printf "%d", 1000 * (u[1] * 60 + u[2] + k[1] * 60 + k[2]) }' "$1"; }

# once NAME CMD...: runs CMD once and keeps in best_NAME and cpu_NAME the
# smallest wall and CPU milliseconds over the calls for NAME.
once() {
    name=$1
    shift
    times >"$RUN/times0"
    t0=$(now_ns)
    "$@" >/dev/null 2>"$RUN/$name.err" || { cat "$RUN/$name.err" >&2; die "$name failed"; }
    t1=$(now_ns)
    times >"$RUN/times1"
    c0=$(cpu_ms "$RUN/times0")
    c1=$(cpu_ms "$RUN/times1")
    t=$(( (t1 - t0) / 1000000 ))
    c=$((c1 - c0))
    eval "b=\${best_$name:-} bc=\${cpu_$name:-}"
    [ -z "$b" ] || [ "$t" -lt "$b" ] && eval "best_$name=$t"
    [ -z "$bc" ] || [ "$c" -lt "$bc" ] && eval "cpu_$name=$c"
    return 0
}

# features_config IN OUT: IN plus the categorical grade and two trends.
features_config() {
    awk '
        /"name": "usage"/ { usage = 1 }
        usage && /"metrics": \[/ {
            print
            print "        {\"column\": \"logins_per_week\", \"trend\": {\"kind\": \"ratio\", \"days\": 28},"
            print "         \"transform\": {\"type\": \"linear\", \"low\": -0.5, \"high\": 0.5, \"higher_is_healthier\": true}},"
            print "        {\"column\": \"feature_adoption\", \"trend\": {\"kind\": \"ratio\", \"days\": 28},"
            print "         \"transform\": {\"type\": \"linear\", \"low\": -0.5, \"high\": 0.5, \"higher_is_healthier\": true}},"
            usage = 0; next }
        /"name": "relationship"/ { rel = 1 }
        rel && /"metrics": \[/ {
            print
            print "        {\"column\": \"grade\", \"transform\": {\"type\": \"categorical\", \"learn\": true,"
            print "         \"order\": [\"F\", \"E\", \"D\", \"C\", \"B\", \"A\"]}},"
            rel = 0; next }
        /"provenance"/ { skip = 1 }
        skip { next }
        { print }
    ' "$1" | sed '$ s/,$//' >"$2.tmp"
    # The provenance object was cut: close the top-level object again.
    sed -e '$ s/],*$/]/' "$2.tmp" >"$2"
    echo "}" >>"$2"
    rm -f "$2.tmp"
}

echo "healthcal feature benchmark (issue 15): $($HEALTHCAL --version 2>/dev/null | head -1); best of $REPEAT"
echo "host: $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
IFS_SAVE=$IFS
IFS=,
set -- $SIZES
IFS=$IFS_SAVE
for size in "$@"; do
    acc=$(accounts_of "$size")
    name=${size%%:*}
    DATA="$BENCH_DIR/a$acc-w$WEEKS-s$SEED"
    if [ ! -s "$DATA/graded/snapshots.csv" ]; then
        rm -rf "$DATA"
        mkdir -p "$DATA"
        "$HEALTHCAL" simulate -q --accounts "$acc" --weeks "$WEEKS" --seed "$SEED" --grades \
            --out "$DATA/graded" || die "simulate failed"
        mkdir -p "$DATA/plain"
        # The plain history: the graded one without its grade column.
        awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "grade") g = i }
                 { out = ""; for (i = 1; i <= NF; i++) if (i != g) out = out (out == "" && i == 1 ? "" : ",") $i
                   print out }' "$DATA/graded/snapshots.csv" >"$DATA/plain/snapshots.csv"
        features_config "$DATA/graded/current.json" "$DATA/features.json"
    fi
    [ -s "$DATA/seasonal.json" ] ||
        sed 's/^\( *"column": "logins_per_week",\)$/\1 "seasonal": {"period": "month", "method": "ratio"},/' \
            "$DATA/features.json" >"$DATA/seasonal.json"
    grep -q '"seasonal"' "$DATA/seasonal.json" || die "no seasonal metric in $DATA/seasonal.json"
    RUN="$BENCH_DIR/run/$name"
    rm -rf "$RUN"
    mkdir -p "$RUN"
    E="$DATA/graded/events.csv"
    C="$DATA/graded/current.json"
    F="$DATA/features.json"
    SEAS="$DATA/seasonal.json"
    rows=$(($(wc -l <"$DATA/plain/snapshots.csv") - 1))
    last=$(sed -n 's/.*"last_snapshot": "\([0-9-]*\)".*/\1/p' "$C")
    [ -n "$last" ] || die "no last_snapshot in $C"
    # 8 test periods of 91 days, the last starting near the last
    # observation date (the last snapshot minus the 30-day horizon).
    ft=$(date -u -d "$last - $((30 + 7 * 91)) days" +%Y-%m-%d)
    echo "== $name: $rows snapshot rows; backtest --first-test $ft =="
    # The three runs interleaved, REPEAT rounds: a burst of load on the
    # machine then slows one round of each rather than one run's steps.
    unset best_plain_label best_features_label best_seasonal_label cpu_plain_label \
        cpu_features_label cpu_seasonal_label
    for st in fit backtest predict; do
        for v in plain features seasonal; do unset "best_${v}_$st" "cpu_${v}_$st"; done
    done
    round=0
    while [ $round -lt "$REPEAT" ]; do
        for v in plain features seasonal; do
            case $v in
            plain) S="$DATA/plain/snapshots.csv"; cfg=$C ;;
            features) S="$DATA/graded/snapshots.csv"; cfg=$F ;;
            seasonal) S="$DATA/graded/snapshots.csv"; cfg=$SEAS ;;
            esac
            if [ $v = plain ]; then
                once "${v}_label" "$HEALTHCAL" label -q -s "$S" -e "$E" -o "$RUN/$v.labels.csv"
            else
                once "${v}_label" "$HEALTHCAL" label -q -s "$S" -e "$E" --text-cols grade -o "$RUN/$v.labels.csv"
            fi
            once "${v}_fit" "$HEALTHCAL" fit -q -s "$S" -e "$E" -c "$cfg" -o "$RUN/$v.tuned.json"
            once "${v}_backtest" "$HEALTHCAL" backtest -q -s "$S" -e "$E" -c "$cfg" --tuned --step 91 \
                --window expanding --first-test "$ft" -o "$RUN/$v.backtest"
            once "${v}_predict" "$HEALTHCAL" predict -q -c "$RUN/$v.tuned.json" -s "$S" -o "$RUN/$v.pred.csv"
        done
        round=$((round + 1))
    done
    for kind in best cpu; do
        [ $kind = best ] && echo "wall time (best of $REPEAT):" || echo "CPU time, user + system (best of $REPEAT):"
        printf '%-10s %10s %10s %7s %10s %7s\n' step plain features ratio seasonal ratio
        tp=0 tf=0 ts=0
        for st in label fit backtest predict; do
            eval "p=\$${kind}_plain_$st f=\$${kind}_features_$st q=\$${kind}_seasonal_$st"
            [ "$p" -gt 0 ] || p=1
            tp=$((tp + p)); tf=$((tf + f)); ts=$((ts + q))
            awk -v s="$st" -v p="$p" -v f="$f" -v q="$q" 'BEGIN { printf "%-10s %9.2fs %9.2fs %6.2fx %9.2fs %6.2fx\n", s, p / 1000, f / 1000, f / p, q / 1000, q / p }'
        done
        awk -v p="$tp" -v f="$tf" -v q="$ts" 'BEGIN { r = f / p; t = q / p
            printf "%-10s %9.2fs %9.2fs %6.2fx %9.2fs %6.2fx  (issue 15 bar: 1.30x, %s)\n", "pipeline", p / 1000, f / 1000, r, q / 1000, t, r <= 1.3 && t <= 1.3 ? "met" : "NOT met" }'
    done
done
exit $status
