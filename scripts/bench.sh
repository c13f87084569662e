#!/bin/sh
# bench.sh - issues 7 and 21 benchmark: every path of healthcal (history, --observations, stdin) against a bare libcsv pass and pandas / scikit-learn / statsmodels peers.
#
# usage: sh scripts/bench.sh [--quick] [--sizes LIST] [--repeat N] [--no-peer]
#
#   (default)      sizes 1m, 3m, 10m: `healthcal simulate --weeks 104 --seed 1`
#                  with 9615, 28846 and 100000 accounts (nominal 1M, 3M and
#                  10.4M rows; accounts that churn stop producing snapshots,
#                  so the files hold fewer rows: the table gives the count)
#   --quick        sizes 20k and 60k (192 and 577 accounts), 3 repeats: a
#                  CI-sized run (tests/e2e/bench_quick.sh)
#   --sizes LIST   comma-separated names among 20k,60k,1m,3m,10m, or
#                  NAME:ACCOUNTS for another size, e.g. --sizes 1m,3m
#   --repeat N     run each healthcal step N times, report the fastest
#   --no-peer      skip the Python peer
#   --only LIST    time only these steps (comma-separated keys from the
#                  list below, e.g. floor,validate,backtest; implies
#                  --no-peer); the others show n/a
#   --plan-only    generate the histories and print, for each size,
#                  "SIZE DATA_DIR FIRST_TEST", without measuring anything
#                  (scripts/bench_compare.sh uses it)
#
# Environment: HEALTHCAL (default ./build/healthcal), HC_BENCH_DIR (default
# /tmp/healthcal-bench): the simulated histories are generated once and
# cached there under data/ (delete a directory to regenerate it); each run
# writes its outputs under run/SIZE/. CC (default cc) builds the floor.
#
# For each size it measures, with /usr/bin/time -v (peak RSS) and a
# nanosecond wall clock:
#   floor     scripts/csv_floor.c: one libcsv pass over snapshots.csv that
#             only counts fields and records
#   label     healthcal label (writes the observation table)
#   fit       healthcal fit (load + label + churn and expansion models)
#   fit_seg   healthcal fit --segments
#   backtest  healthcal backtest --tuned: 8 quarterly folds (--step 91,
#             expanding window, embargo horizon + lead; --first-test is set
#             so that exactly 8 test periods start on or before the last
#             observation date)
#   predict   healthcal predict with the tuned config from fit
#   validate  healthcal validate -s -e -c (clustered by account, with the
#             default cluster bootstrap)
#   drift     healthcal drift: the first quarter of the snapshot dates
#             against the last
#   report    healthcal report (the whole quarterly job, plots included)
#   simulate  healthcal simulate of the same history into a scratch
#             directory (its floor is the floor of what it writes)
#   stdin     healthcal fit -s - (the snapshots on standard input)
#   floor_obs, fit_obs, validate_prob, validate_score: the floor, `fit
#             --observations` (10 features), `validate --observations
#             --prob p` and `--score f0` on a labelled table of as many
#             rows as the snapshots (scripts/bench_obs.c, cached beside
#             the history); their ratios are to floor_obs
#   peer      scripts/peer/pipeline.py under /usr/bin/python3: the same
#             labels, models, folds (AUC, Brier) and predictions, timing
#             its own stages; then it checks its coefficients, fold AUCs
#             and Brier scores and P(churn) against healthcal's outputs;
#             and scripts/peer/observations.py: pandas read_csv, scikit-
#             learn's AUC, average precision, Brier and log loss, a
#             statsmodels logit, checked against healthcal's JSON and
#             coefficients.
# Commands the binary does not have yet (see `healthcal --help`) show n/a.
#
# The table gives each step's wall time, its ratio to the floor and the
# issue 21 target for it, the peer's time for the same step and healthcal's
# speed-up over it, peak memory and peak memory / numeric payload (rows x
# the step's numeric columns x 8 bytes: 10 for the history (arr and the 9
# metrics), 11 for fit --observations (label and features), 2 for validate
# --observations (label and p or the score)). Then the targets of issues 7
# and 21 are checked, with the log-log growth slope of every step between
# consecutive sizes. Exit status:
# 0 when every step ran and the peer agreed (targets are reported, not
# enforced), 1 otherwise, 2 for bad usage.
# Step results live in variables named after the step (fit_wall, fit_rss ...),
# set through eval in measure() and na():
# shellcheck disable=SC2154,SC2034
set -u
export LC_ALL=C

HEALTHCAL=${HEALTHCAL:-./build/healthcal}
BENCH_DIR=${HC_BENCH_DIR:-/tmp/healthcal-bench}
PY=/usr/bin/python3
CC=${CC:-cc}
HERE=$(cd "$(dirname "$0")" && pwd)
WEEKS=104
SEED=1
STEP=91
FOLDS=8
NUMERIC_COLS=10
OBS_FEATURES=f0,f1,f2,f3,f4,f5,f6,f7,f8,f9
OBS_PEER=1
MEASURE_IN=
OK_RC=

QUICK=0
PLAN_ONLY=0
SIZES=""
REPEAT=""
PEER=1
ONLY=""
while [ $# -gt 0 ]; do
    case $1 in
    --quick) QUICK=1 ;;
    --sizes) [ $# -ge 2 ] || { echo "bench.sh: --sizes needs a list" >&2; exit 2; }
             SIZES=$2; shift ;;
    --sizes=*) SIZES=${1#--sizes=} ;;
    --repeat) [ $# -ge 2 ] || { echo "bench.sh: --repeat needs a number" >&2; exit 2; }
              REPEAT=$2; shift ;;
    --no-peer) PEER=0 ;;
    --only) [ $# -ge 2 ] || { echo "bench.sh: --only needs a list" >&2; exit 2; }
            ONLY=$2; PEER=0; shift ;;
    --plan-only) PLAN_ONLY=1 ;;
    -h|--help) sed -n '2,/^# Step results/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done
if [ -z "$SIZES" ]; then
    if [ $QUICK = 1 ]; then SIZES=20k,60k; else SIZES=1m,3m,10m; fi
fi
if [ -z "$REPEAT" ]; then
    if [ $QUICK = 1 ]; then REPEAT=3; else REPEAT=1; fi
fi
case $REPEAT in ''|*[!0-9]*|0) echo "bench.sh: --repeat needs a positive number" >&2; exit 2 ;; esac

die() {
    echo "bench.sh: error: $*" >&2
    exit 1
}

# accounts_of NAME: the number of accounts of a size name.
accounts_of() {
    case $1 in
    20k) echo 192 ;;
    60k) echo 577 ;;
    1m) echo 9615 ;;
    3m) echo 28846 ;;
    10m) echo 100000 ;;
    *:*) echo "${1#*:}" ;;
    *) echo "" ;;
    esac
}
for size in $(echo "$SIZES" | tr ',' ' '); do
    case $(accounts_of "$size") in
    ''|*[!0-9]*) echo "bench.sh: unknown size '$size' (20k, 60k, 1m, 3m, 10m or NAME:ACCOUNTS)" >&2; exit 2 ;;
    esac
done

# ---- prerequisites ----
case $HEALTHCAL in
*/*) [ -x "$HEALTHCAL" ] || die "$HEALTHCAL is not an executable (run make, or set HEALTHCAL)" ;;
esac
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
"$HEALTHCAL" --version >/dev/null 2>&1 || die "'$HEALTHCAL --version' failed"
VERSION=$("$HEALTHCAL" --version)
COMMANDS=$("$HEALTHCAL" --help 2>/dev/null | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ && n++ {on = 0}')
has_cmd() {
    echo "$COMMANDS" | grep -qx "$1"
}
has_cmd simulate || die "$HEALTHCAL has no simulate command"

mkdir -p "$BENCH_DIR/data" "$BENCH_DIR/run" || die "cannot create $BENCH_DIR"
FLOOR="$BENCH_DIR/csv_floor"
if [ ! -x "$FLOOR" ] || [ -n "$(find "$HERE/csv_floor.c" -newer "$FLOOR")" ]; then
    $CC -O2 -o "$FLOOR" "$HERE/csv_floor.c" -lcsv || die "cannot build the floor ($CC -O2 scripts/csv_floor.c -lcsv)"
fi

OBSGEN="$BENCH_DIR/bench_obs"
if [ ! -x "$OBSGEN" ] || [ -n "$(find "$HERE/bench_obs.c" -newer "$OBSGEN")" ]; then
    $CC -O2 -o "$OBSGEN" "$HERE/bench_obs.c" -lm || die "cannot build $HERE/bench_obs.c"
fi

PEER_NOTE=""
if [ $PEER = 1 ]; then
    if [ ! -x "$PY" ]; then
        PEER=0; PEER_NOTE="peer skipped: $PY is missing"
    elif ! "$PY" -c 'import pandas, statsmodels, scipy' 2>/dev/null; then
        PEER=0; PEER_NOTE="peer skipped: $PY lacks pandas/statsmodels (apt-get install python3-pandas python3-statsmodels)"
    elif ! "$PY" -c 'import sklearn' 2>/dev/null; then
        OBS_PEER=0; PEER_NOTE="observation peer skipped: $PY lacks scikit-learn (apt-get install python3-sklearn)"
    fi
else
    PEER_NOTE="peer skipped (--no-peer)"
fi
[ $PEER = 1 ] || OBS_PEER=0

# ---- helpers ----

day_of() {   # YYYY-MM-DD -> day number
    echo $(( $(date -u -d "$1" +%s) / 86400 ))
}
date_of() {  # day number -> YYYY-MM-DD
    date -u -d "@$(( $1 * 86400 ))" +%F
}

# cpu_of FILE: user + system seconds from a /usr/bin/time -v report.
cpu_of() {
    awk -F': ' '/User time|System time/ {s += $2} END {printf "%.3f", s}' "$1"
}

now_ns() {
    date +%s%N
}

# generate DIR ACCOUNTS: the simulated history, once; DIR/meta holds the
# row count and the dates the fold plan needs.
generate() {
    dir=$1
    acc=$2
    stamp="$VERSION simulate --accounts $acc --weeks $WEEKS --seed $SEED"
    if [ -f "$dir/meta" ] && [ "$(sed -n 1p "$dir/meta")" = "$stamp" ]; then
        return 0
    fi
    echo "generating $dir ($acc accounts x $WEEKS weeks) ..." >&2
    rm -rf "$dir"
    "$HEALTHCAL" simulate -q --accounts "$acc" --weeks "$WEEKS" --seed "$SEED" --out "$dir.tmp" \
        || die "healthcal simulate failed"
    # rows, the latest snapshot date, the distinct snapshot dates, the
    # latest event date (as-of = the latest date in either file).
    awk -F, 'NR > 1 {n++; d[$2] = 1} END {print n; for (k in d) print k}' "$dir.tmp/snapshots.csv" \
        >"$dir.tmp/dates" || die "cannot read $dir.tmp/snapshots.csv"
    rows=$(sed -n 1p "$dir.tmp/dates")
    sed 1d "$dir.tmp/dates" | sort >"$dir.tmp/snapshot_dates"
    rm -f "$dir.tmp/dates"
    last_event=$(awk -F, 'NR > 1 && $2 > m {m = $2} END {print m}' "$dir.tmp/events.csv")
    { echo "$stamp"; echo "rows $rows"; echo "last_event $last_event"; } >"$dir.tmp/meta"
    mv "$dir.tmp" "$dir" || die "cannot move $dir.tmp into place"
}

meta() {
    awk -v k="$2" '$1 == k {print $2}' "$1/meta"
}

# first_test DIR: the start of the first of $FOLDS test periods of $STEP
# days whose last one starts on the last observation date (the latest
# snapshot date whose 30-day window ends on or before the as-of date).
first_test() {
    dir=$1
    horizon=$(awk -F'[:,]' '/"horizon_days"/ {gsub(/ /, "", $2); print $2; exit}' "$dir/current.json")
    lead=$(awk -F'[:,]' '/"lead_days"/ {gsub(/ /, "", $2); print $2; exit}' "$dir/current.json")
    horizon=${horizon:-30}
    lead=${lead:-0}
    last_snap=$(tail -n 1 "$dir/snapshot_dates")
    as_of=$last_snap
    le=$(meta "$dir" last_event)
    if [ -n "$le" ] && [ "$(day_of "$le")" -gt "$(day_of "$as_of")" ]; then as_of=$le; fi
    cutoff=$(date_of $(( $(day_of "$as_of") - horizon - lead )))
    last_obs=$(awk -v c="$cutoff" '$1 <= c {d = $1} END {print d}' "$dir/snapshot_dates")
    [ -n "$last_obs" ] || return 1
    date_of $(( $(day_of "$last_obs") - (FOLDS - 1) * STEP ))
}

# measure KEY COMMAND...: runs COMMAND $REPEAT times under /usr/bin/time -v
# (stdin from $MEASURE_IN, default /dev/null; exit codes in $OK_RC, default
# 0, count as success; stdout and stderr to
# $RUN/KEY.out, .err); sets $KEY_wall (seconds, the
# fastest run), $KEY_cpu (user + system seconds of that run), $KEY_rss
# (KiB, the largest) and $KEY_st (ok / fail).
measure() {
    key=$1
    shift
    if [ -n "$ONLY" ]; then
        case ",$ONLY," in *",$key,"*) ;; *) na "$key"; return 0 ;; esac
    fi
    best=""
    cpu=0
    rss=0
    st=ok
    i=0
    while [ $i -lt "$REPEAT" ]; do
        t0=$(now_ns)
        /usr/bin/time -v -o "$RUN/$key.time" "$@" <"${MEASURE_IN:-/dev/null}" >"$RUN/$key.out" 2>"$RUN/$key.err"
        rc=$?
        t1=$(now_ns)
        case " ${OK_RC:-0} " in *" $rc "*) rc=0 ;; esac
        if [ $rc != 0 ]; then
            st=fail
            echo "bench.sh: $key failed (exit $rc): $*" >&2
            sed 's/^/    /' "$RUN/$key.err" | tail -n 5 >&2
            break
        fi
        w=$(( t1 - t0 ))
        if [ -z "$best" ] || [ $w -lt "$best" ]; then
            best=$w
            cpu=$(cpu_of "$RUN/$key.time")
        fi
        r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RUN/$key.time")
        if [ "${r:-0}" -gt "$rss" ]; then rss=$r; fi
        i=$((i + 1))
    done
    if [ $st = ok ]; then
        eval "${key}_wall=\$(awk -v w=$best 'BEGIN {printf \"%.4f\", w / 1e9}')"
    else
        eval "${key}_wall=FAIL"
        FAILED=1
    fi
    eval "${key}_rss=$rss"
    eval "${key}_cpu=$cpu"
    eval "${key}_st=$st"
}

na() {
    eval "${1}_wall=n/a; ${1}_rss=0; ${1}_cpu=n/a; ${1}_st=na"
}

get() {
    eval "echo \"\${$1:-}\""
}

# peer_sum NAME...: the sum of the peer's named stage times (n/a when one
# is missing); names may come in one word-separated argument. The stages
# come from $PEER_FILE (default $RUN/peer.out).
peer_sum() {
    awk -v want="$*" 'BEGIN {n = split(want, w, " "); for (i = 1; i <= n; i++) k[w[i]] = 1}
        $1 == "stage" && ($2 in k) {s += $3; seen[$2] = 1}
        END {for (x in k) if (!(x in seen)) {print "n/a"; exit}
             printf "%.4f\n", s}' "${PEER_FILE:-$RUN/peer.out}"
}

FAILED=0
DISAGREE=0
# The steps in table order; `pipeline` is fit + backtest + predict.
STEPS="floor label fit fit_seg predict validate drift backtest report simulate stdin floor_obs fit_obs validate_prob validate_score pipeline"
RESULTS="$BENCH_DIR/run/results.txt"
: >"$RESULTS.tmp"

echo "healthcal benchmark (issue 7): $VERSION at $HEALTHCAL; sizes $SIZES; best of $REPEAT run(s) per healthcal step"
echo "host: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo); load average $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "$PEER_NOTE" ] && echo "$PEER_NOTE"
for c in label fit backtest predict; do
    has_cmd $c || echo "note: '$HEALTHCAL' has no '$c' command yet: n/a"
done

IFS_SAVE=$IFS
IFS=,
set -- $SIZES
IFS=$IFS_SAVE
for size in "$@"; do
    acc=$(accounts_of "$size")
    name=${size%%:*}
    DATA="$BENCH_DIR/data/a$acc-w$WEEKS-s$SEED"
    generate "$DATA" "$acc"
    RUN="$BENCH_DIR/run/$name"
    rm -rf "$RUN"
    mkdir -p "$RUN"
    rows=$(meta "$DATA" rows)
    S="$DATA/snapshots.csv"
    E="$DATA/events.csv"
    C="$DATA/current.json"
    FT=$(first_test "$DATA") || die "cannot place the backtest folds for $DATA"
    if [ $PLAN_ONLY = 1 ]; then
        echo "$name $DATA $FT"
        continue
    fi
    echo "== $name: $acc accounts x $WEEKS weeks = $rows snapshot rows ($(du -m "$S" | cut -f1) MB); backtest --first-test $FT ==" >&2

    measure floor "$FLOOR" "$S"
    if [ $floor_st = ok ]; then
        recs=$(awk '{print $2}' "$RUN/floor.out")
        [ "$recs" = $((rows + 1)) ] || echo "bench.sh: warning: the floor counted $recs records, expected $((rows + 1))" >&2
    fi
    if has_cmd label; then
        measure label "$HEALTHCAL" label -q -s "$S" -e "$E" -o "$RUN/labels.csv"
        rm -f "$RUN/labels.csv"
    else na label; fi
    if has_cmd fit; then
        measure fit "$HEALTHCAL" fit -q -s "$S" -e "$E" -c "$C" -o "$RUN/tuned.json" --coef-out "$RUN/coef.csv"
    else na fit; fi
    if has_cmd backtest; then
        measure backtest "$HEALTHCAL" backtest -q -s "$S" -e "$E" -c "$C" --tuned --step $STEP \
            --window expanding --first-test "$FT" -o "$RUN/backtest"
        [ -f "$RUN/backtest/folds.csv" ] && cp "$RUN/backtest/folds.csv" "$RUN/folds.csv"
    else na backtest; fi
    if has_cmd predict && [ -f "$RUN/tuned.json" ]; then
        measure predict "$HEALTHCAL" predict -q -c "$RUN/tuned.json" -s "$S" -o "$RUN/predictions.csv"
    else na predict; fi

    # The other paths an analyst takes (issue 21).
    if has_cmd fit; then
        measure fit_seg "$HEALTHCAL" fit -q -s "$S" -e "$E" -c "$C" --segments -o "$RUN/tuned_seg.json"
        MEASURE_IN=$S
        measure stdin "$HEALTHCAL" fit -q -s - -e "$E" -c "$C" -o "$RUN/tuned_stdin.json"
        MEASURE_IN=
    else na fit_seg; na stdin; fi
    if has_cmd validate; then
        OK_RC="0 5"
        measure validate "$HEALTHCAL" validate -q -s "$S" -e "$E" -c "$C" --json "$RUN/validate.json"
        OK_RC=
    else na validate; fi
    if has_cmd drift; then
        nd=$(wc -l <"$DATA/snapshot_dates")
        q=$((nd / 4))
        [ $q -ge 1 ] || q=1
        b0=$(sed -n 1p "$DATA/snapshot_dates"); b1=$(sed -n "${q}p" "$DATA/snapshot_dates")
        c0=$(sed -n "$((nd - q + 1))p" "$DATA/snapshot_dates"); c1=$(tail -n 1 "$DATA/snapshot_dates")
        measure drift "$HEALTHCAL" drift -c "$C" -s "$S" --baseline "$b0:$b1" --current "$c0:$c1" \
            --json "$RUN/drift.json"
    else na drift; fi
    if has_cmd report; then
        OK_RC="0 5"
        measure report "$HEALTHCAL" report -q -s "$S" -e "$E" -c "$C" -o "$RUN/report"
        OK_RC=
    else na report; fi
    measure simulate "$HEALTHCAL" simulate -q --accounts "$acc" --weeks "$WEEKS" --seed "$SEED" \
        --out "$RUN/simulate"
    rm -rf "$RUN/simulate"

    # A labelled table of as many rows (--observations), cached beside
    # the history.
    OBS="$DATA/observations.csv"
    if [ ! -f "$OBS" ] || [ "$(cat "$OBS.meta" 2>/dev/null)" != "bench_obs $rows" ]; then
        echo "generating $OBS ($rows rows) ..." >&2
        { "$OBSGEN" "$rows" >"$OBS.tmp" && mv "$OBS.tmp" "$OBS" && echo "bench_obs $rows" >"$OBS.meta"; } \
            || die "cannot write $OBS"
    fi
    measure floor_obs "$FLOOR" "$OBS"
    if has_cmd fit; then
        measure fit_obs "$HEALTHCAL" fit -q --observations "$OBS" --label churned --features "$OBS_FEATURES" \
            --coef-out "$RUN/obs_coef.csv"
    else na fit_obs; fi
    if has_cmd validate; then
        OK_RC="0 5"
        measure validate_prob "$HEALTHCAL" validate -q --observations "$OBS" --label churned --prob p \
            --json "$RUN/validate_prob.json"
        measure validate_score "$HEALTHCAL" validate -q --observations "$OBS" --label churned --score f0 \
            --json "$RUN/validate_score.json"
        OK_RC=
    else na validate_prob; na validate_score; fi

    peer_st=na
    if [ $PEER = 1 ]; then
        echo "   peer (pandas + statsmodels) ..." >&2
        /usr/bin/time -v -o "$RUN/peer.time" "$PY" "$HERE/peer/pipeline.py" -s "$S" -e "$E" -c "$C" \
            --step $STEP --window expanding --first-test "$FT" \
            --predictions-out "$RUN/peer_predictions.csv" --check-dir "$RUN" \
            >"$RUN/peer.out" 2>"$RUN/peer.err"
        rc=$?
        if [ $rc = 0 ] && grep -q '^stage total' "$RUN/peer.out"; then
            peer_st=ok
            peer_rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$RUN/peer.time")
            peer_cpu=$(cpu_of "$RUN/peer.time")
            grep '^check' "$RUN/peer.out" | grep -v '^check all' | sed "s/^check /   agreement ($name): /" >&2
            grep -q '^check all ok$' "$RUN/peer.out" || DISAGREE=1
        else
            peer_st=fail
            FAILED=1
            echo "bench.sh: the peer failed (exit $rc)" >&2
            tail -n 5 "$RUN/peer.err" | sed 's/^/    /' >&2
        fi
    fi
    obs_peer_st=na
    if [ $OBS_PEER = 1 ]; then
        echo "   peer (pandas + scikit-learn + statsmodels) on the observations ..." >&2
        /usr/bin/time -v -o "$RUN/peer_obs.time" "$PY" "$HERE/peer/observations.py" \
            --observations "$OBS" --label churned --prob p --score f0 --features "$OBS_FEATURES" \
            --check-dir "$RUN" >"$RUN/peer_obs.out" 2>"$RUN/peer_obs.err"
        rc=$?
        if grep -q '^stage total' "$RUN/peer_obs.out"; then
            obs_peer_st=ok
            grep '^check' "$RUN/peer_obs.out" | grep -v '^check all' | sed "s/^check /   agreement ($name): /" >&2
            grep -q '^check all ok$' "$RUN/peer_obs.out" || DISAGREE=1
        else
            obs_peer_st=fail
            FAILED=1
            echo "bench.sh: the observation peer failed (exit $rc)" >&2
            tail -n 5 "$RUN/peer_obs.err" | sed 's/^/    /' >&2
        fi
    fi
    # The peer's time for each healthcal step: its imports and loads count
    # wherever the healthcal command loads the files itself.
    pre="imports load_snapshots load_events"
    if [ $peer_st = ok ]; then
        p_label=$(peer_sum "$pre" label)
        p_fit=$(peer_sum "$pre" label fit)
        p_backtest=$(peer_sum "$pre" label backtest)
        p_predict=$(peer_sum imports load_snapshots predict)
        p_pipeline=$(peer_sum total)
    else
        p_label=n/a p_fit=n/a p_backtest=n/a p_predict=n/a p_pipeline=n/a peer_rss=0 peer_cpu=n/a
    fi
    p_fit_seg=n/a p_validate=n/a p_drift=n/a p_report=n/a p_simulate=n/a p_stdin=n/a p_floor_obs=n/a
    if [ $obs_peer_st = ok ]; then
        PEER_FILE="$RUN/peer_obs.out"
        p_fit_obs=$(peer_sum imports load logit)
        p_validate_prob=$(peer_sum imports load prob)
        p_validate_score=$(peer_sum imports load score)
        PEER_FILE=
    else
        p_fit_obs=n/a p_validate_prob=n/a p_validate_score=n/a
    fi
    if [ $fit_st = ok ] && [ $backtest_st = ok ] && [ $predict_st = ok ]; then
        pipeline_wall=$(awk -v a=$fit_wall -v b=$backtest_wall -v c=$predict_wall 'BEGIN {printf "%.4f", a + b + c}')
        pipeline_cpu=$(awk -v a=$fit_cpu -v b=$backtest_cpu -v c=$predict_cpu 'BEGIN {printf "%.3f", a + b + c}')
        pipeline_rss=$fit_rss
        [ $backtest_rss -gt $pipeline_rss ] && pipeline_rss=$backtest_rss
        [ $predict_rss -gt $pipeline_rss ] && pipeline_rss=$predict_rss
        pipeline_st=ok
    else
        pipeline_wall=n/a pipeline_rss=0 pipeline_cpu=n/a pipeline_st=na
    fi
    for step in $STEPS; do
        if [ $step = floor ]; then pw=n/a; prss=0; else pw=$(get p_$step); prss=0; fi
        [ $step = pipeline ] && prss=${peer_rss:-0}
        pc=-
        [ $step = pipeline ] && pc=${peer_cpu:-n/a}
        fl=$floor_wall
        cols=$NUMERIC_COLS
        case $step in
        floor_obs) fl=$floor_obs_wall; cols=11 ;;
        fit_obs) fl=$floor_obs_wall; cols=11 ;;
        validate_prob|validate_score) fl=$floor_obs_wall; cols=2 ;;
        esac
        echo "$name $rows $step $(get ${step}_wall) $(get ${step}_rss) $pw $prss $fl $(get ${step}_cpu) $pc $cols" >>"$RESULTS.tmp"
    done
    if [ $peer_st = ok ] || [ $obs_peer_st = ok ]; then
        outs=""
        [ $peer_st = ok ] && outs="$RUN/peer.out"
        [ $obs_peer_st = ok ] && outs="$outs $RUN/peer_obs.out"
        # shellcheck disable=SC2086
        n_ok=$(awk '$1 == "check" && $2 != "all" {for (i = 3; i <= NF; i++) if ($i == "ok") {n++; break}} END {print n + 0}' $outs)
        # shellcheck disable=SC2086
        n_bad=$(awk '$1 == "check" && $2 != "all" {for (i = 3; i <= NF; i++) if ($i == "FAIL") {n++; break}} END {print n + 0}' $outs)
        echo "$name agreement $n_ok $n_bad" >>"$RESULTS.tmp"
    fi
done
mv "$RESULTS.tmp" "$RESULTS"

# ---- the table ----
echo
awk '
function num(x) { return x ~ /^[0-9.]+$/ }
function fmt_t(x) { return num(x) ? sprintf("%.3f", x) : x }
function ratio(a, b) { return (num(a) && num(b) && b > 0) ? sprintf("%.2f", a / b) : "-" }
BEGIN {
    name["floor"] = "floor"; name["label"] = "label"; name["fit"] = "fit"
    name["fit_seg"] = "fit --segments"; name["predict"] = "predict"
    name["validate"] = "validate -s -e -c"; name["drift"] = "drift"
    name["backtest"] = "backtest"; name["report"] = "report"; name["simulate"] = "simulate"
    name["stdin"] = "fit -s - (stdin)"; name["floor_obs"] = "floor (observations)"
    name["fit_obs"] = "fit --observations"; name["validate_prob"] = "validate --observations --prob"
    name["validate_score"] = "validate --observations --score"
    name["pipeline"] = "fit+backtest+predict"
    split("label fit fit_seg predict validate drift stdin fit_obs validate_prob validate_score", two, " ")
    for (k in two) target[two[k]] = "2"
    target["backtest"] = "4"
}
$2 == "agreement" { next }
{
    size = $1; rows = $2; step = $3; wall = $4; rss = $5; pw = $6; prss = $7; floor = $8
    cpu = $9; pcpu = $10; cols = (NF >= 11) ? $11 : 10
    payload = rows * cols * 8
    w[size, step] = wall; fl[size, step] = floor
    if (size != last) {
        if (last != "") print ""
        printf "### %s: %d rows, numeric payload %.1f MiB (rows x 10 x 8 B)\n\n", size, rows, rows * 80 / 1048576
        printf "| step | wall s | cpu s | x floor | target x floor | peer s | peer / healthcal | peak MiB | peak / payload |\n"
        printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        last = size
    }
    label = (step in name) ? name[step] : step
    xf = (step == "floor" || step == "floor_obs") ? "1.00" : ratio(wall, floor)
    tg = (step in target) ? target[step] : "-"
    if (step == "report" && num(w[size, "floor"]) && w[size, "floor"] > 0)
        tg = sprintf("%.1f", 8 + 1 / w[size, "floor"])
    sp = ratio(pw, wall)
    mem = (rss > 0) ? sprintf("%.1f", rss / 1024) : "-"
    mp = (rss > 0) ? sprintf("%.2f", rss * 1024 / payload) : "-"
    if (step == "pipeline" && prss > 0) mem = mem sprintf(" (peer %.0f)", prss / 1024)
    if (cols != 10 && rss > 0) mp = mp sprintf(" (of %d cols)", cols)
    cs = fmt_t(cpu)
    if (step == "pipeline" && num(pcpu)) cs = cs sprintf(" (peer %.1f)", pcpu)
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", label, fmt_t(wall), cs, xf, tg, fmt_t(pw), sp, mem, mp
}' "$RESULTS"

echo
echo "wall s: fastest of $REPEAT run(s); cpu s: its user + system time (above wall: several cores;"
echo "below: the machine was shared). x floor: wall / floor wall. peer s: the peer's stages that do the"
echo "same work, each including its Python imports and CSV loads (the peer is one process that loads"
echo "once; each healthcal command loads and labels the files itself). peer / healthcal: the speed-up."
echo "The --observations rows are timed against the floor of their own table (floor (observations))."
echo "target x floor: issue 21 (report: validate + fit + backtest targets, 2 + 2 + 4, plus 1 s of plots)."
echo "peak: maximum resident set size (/usr/bin/time -v); payload = rows x $NUMERIC_COLS numeric columns x 8 bytes"
echo "(fit --observations: 11, the label and 10 features; validate --observations: 2, the label and p or the score)."

# ---- targets ----
echo
echo "### targets (issue 7)"
echo
awk -v cols=$NUMERIC_COLS -v quick=$QUICK '
function num(x) { return x ~ /^[0-9.]+$/ }
$2 == "agreement" { agree[$1] = $3 " ok, " $4 " failed"; next }
{
    size = $1; n[size] = $2; w[size, $3] = $4; r[size, $3] = $5; p[size, $3] = $6
    if (!(size in seen)) { seen[size] = 1; order[++ns] = size }
}
END {
    big = order[ns]; small = order[1]
    for (i = 1; i <= ns; i++) {
        s = order[i]; payload = n[s] * cols * 8
        line = "- " s ":"
        if (num(w[s, "fit"]) && num(w[s, "floor"]))
            line = line sprintf(" fit %.2fx floor (target <= 2: %s);", w[s, "fit"] / w[s, "floor"],
                                w[s, "fit"] / w[s, "floor"] <= 2 ? "PASS" : "FAIL")
        else line = line " fit vs floor n/a;"
        if (num(w[s, "pipeline"]) && num(p[s, "pipeline"]))
            line = line sprintf(" pipeline %.1fx faster than the peer (target >= 10: %s);",
                                p[s, "pipeline"] / w[s, "pipeline"],
                                p[s, "pipeline"] / w[s, "pipeline"] >= 10 ? "PASS" : "FAIL")
        else line = line " pipeline vs peer n/a;"
        worst = 0; ws = ""
        split("label fit backtest predict", st, " ")
        for (j = 1; j <= 4; j++)
            if (r[s, st[j]] * 1024 / payload > worst) { worst = r[s, st[j]] * 1024 / payload; ws = st[j] }
        if (ws != "")
            line = line sprintf(" peak memory %.2fx payload, in %s (target <= 1.5: %s)", worst, ws,
                                worst <= 1.5 ? "PASS" : "FAIL")
        if (s in agree) line = line "; peer checks: " agree[s]
        print line
    }
    if (ns >= 2) {
        line = sprintf("- growth %s -> %s (%.1fx rows), log-log slope of time on rows (target <= 1.15, linear = 1):",
                       small, big, n[big] / n[small])
        split("floor label fit backtest predict", st, " ")
        for (j = 1; j <= 5; j++)
            if (num(w[small, st[j]]) && num(w[big, st[j]]) && w[small, st[j]] > 0) {
                sl = log(w[big, st[j]] / w[small, st[j]]) / log(n[big] / n[small])
                line = line sprintf(" %s %.2f%s", st[j], sl, sl <= 1.15 ? "" : " (FAIL)")
            }
        print line
        if (quick) print "  (quick sizes are dominated by start-up costs: the slopes say little)"
    }
}' "$RESULTS"
echo
echo "### targets (issue 21)"
echo
awk -v quick=$QUICK '
function num(x) { return x ~ /^[0-9.]+$/ }
$2 == "agreement" { next }
{
    size = $1; n[size] = $2; w[size, $3] = $4; r[size, $3] = $5; f[size, $3] = $8
    c[size, $3] = (NF >= 11) ? $11 : 10
    if (!(size in seen)) { seen[size] = 1; order[++ns] = size }
}
END {
    split("label fit fit_seg predict validate drift stdin fit_obs validate_prob validate_score backtest report", st, " ")
    nst = 12
    for (i = 1; i <= ns; i++) {
        s = order[i]; over = ""; npass = 0; nfail = 0; mem = ""
        for (j = 1; j <= nst; j++) {
            k = st[j]
            if (!num(w[s, k]) || !num(f[s, k]) || f[s, k] <= 0) continue
            x = w[s, k] / f[s, k]
            t = (k == "backtest") ? 4 : (k == "report") ? 8 + 1 / f[s, k] : 2
            if (x <= t) npass++
            else { nfail++; over = over sprintf(" %s %.1fx (<= %.1f);", k, x, t) }
            if (r[s, k] > 0) {
                m = r[s, k] * 1024 / (n[s] * c[s, k] * 8)
                if (m > 1.5) mem = mem sprintf(" %s %.2f;", k, m)
            }
        }
        printf "- %s: %d steps within their x floor target, %d above:%s\n", s, npass, nfail, nfail ? over : " none;"
        printf "  peak memory above 1.5x its payload:%s\n", mem == "" ? " none" : mem
    }
    if (ns >= 2) {
        split("floor label fit fit_seg predict validate drift backtest report simulate stdin floor_obs fit_obs validate_prob validate_score", all, " ")
        for (i = 2; i <= ns; i++) {
            a = order[i - 1]; b = order[i]
            line = sprintf("- log-log slope of time on rows, %s -> %s (target 0.9-1.1):", a, b)
            for (j = 1; j <= 15; j++) {
                k = all[j]
                if (num(w[a, k]) && num(w[b, k]) && w[a, k] > 0 && n[b] != n[a]) {
                    sl = log(w[b, k] / w[a, k]) / log(n[b] / n[a])
                    line = line sprintf(" %s %.2f%s", k, sl, (sl >= 0.9 && sl <= 1.1) ? "" : "*")
                }
            }
            print line
        }
        print "  (* outside 0.9-1.1" (quick ? "; quick sizes are dominated by start-up costs" : "") ")"
    }
}' "$RESULTS"
echo
echo "raw results: $RESULTS; outputs under $BENCH_DIR/run/"
if [ $DISAGREE = 1 ]; then
    echo "bench.sh: the peer DISAGREES with healthcal (see the agreement lines above)" >&2
fi
[ $FAILED = 0 ] && [ $DISAGREE = 0 ]
