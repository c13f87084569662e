#!/bin/sh
# bench_quick.sh - `scripts/bench.sh --quick` runs end to end: the table of every path comes out and the pandas / scikit-learn / statsmodels peers agree with healthcal.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
BIN=${HC_BIN:-$ROOT/build/healthcal}

if [ ! -x /usr/bin/time ]; then
    echo "SKIP: /usr/bin/time is missing (apt-get install time)"
    exit 0
fi
if ! /usr/bin/python3 -c 'import pandas, statsmodels, scipy, sklearn' 2>/dev/null; then
    echo "SKIP: /usr/bin/python3 lacks pandas/statsmodels/scikit-learn (apt-get install python3-pandas python3-statsmodels python3-sklearn)"
    exit 0
fi
# Under `make valgrind` $HEALTHCAL carries a runner prefix: timing a
# benchmark there measures valgrind, so the run is left to `make check`.
# (The Makefile writes "$(HC_RUNNER) $(BIN)": trim the blank an empty
# runner leaves.)
CMD=$(printf '%s' "${HEALTHCAL:-$BIN}" | sed 's/^ *//; s/ *$//')
if [ "$CMD" != "$BIN" ]; then
    echo "SKIP: the benchmark is not run under a runner ($CMD)"
    exit 0
fi
if [ ! -x "$BIN" ]; then
    echo "SKIP: no healthcal binary at $BIN (run make)"
    exit 0
fi

# A private data and output directory, removed with $WORK; one repeat
# keeps the test short (about 20 s, most of it the peers' Python imports).
HEALTHCAL=$BIN
HC_BENCH_DIR="$WORK/bench"
export HEALTHCAL HC_BENCH_DIR
run 0 "bench.sh --quick" -- sh "$ROOT/scripts/bench.sh" --quick --repeat 1
cp "$WORK/out" "$WORK/bench.out"
cp "$WORK/err" "$WORK/bench.err"

# The table: a section per quick size with every step, then the targets.
for size in 20k 60k; do
    grep -q "^### $size: [0-9]* rows, numeric payload" "$WORK/bench.out" && ok \
        || fail "no table section for $size"
    for step in floor label fit backtest predict "fit+backtest+predict"; do
        grep -q "^| $step | " "$WORK/bench.out" && ok || fail "no '$step' row in the table"
    done
done
# Every path of issue 21 has its row, each with a wall time.
for size in 20k 60k; do
    sec=$(awk -v s="### $size:" 'index($0, s) == 1 {on = 1; next} /^### / {on = 0} on' "$WORK/bench.out")
    for step in "fit --segments" "validate -s -e -c" "drift" "report" "simulate" "fit -s - (stdin)" \
        "floor (observations)" "fit --observations" "validate --observations --prob" \
        "validate --observations --score"; do
        printf '%s\n' "$sec" | grep -F "| $step | " | awk -F'|' '$3 ~ /^ [0-9]+\.[0-9]+ $/ {found = 1} END {exit !found}' \
            && ok || fail "$size: no timed '$step' row"
    done
done
grep -q "^### targets (issue 7)" "$WORK/bench.out" && ok || fail "no targets section"
grep -q "^### targets (issue 21)" "$WORK/bench.out" && ok || fail "no issue 21 targets section"
grep -q "^- log-log slope of time on rows, 20k -> 60k" "$WORK/bench.out" && ok || fail "no per-step slope line"
grep -q "^- growth 20k -> 60k" "$WORK/bench.out" && ok || fail "no growth line"

# The floor and fit always exist: their rows hold numbers, not n/a.
awk -F'|' '$2 ~ /^ (floor|fit) $/ && $3 !~ /^ [0-9]+\.[0-9]+ $/ {bad = 1} END {exit bad}' \
    "$WORK/bench.out" && ok || fail "floor or fit row without a wall time"
# Peak memory is measured (a positive MiB figure) for the fit.
awk -F'|' '$2 == " fit " && $7 + 0 <= 0 {bad = 1} END {exit bad}' "$WORK/bench.out" \
    && ok || fail "fit row without peak memory"

# The peer agrees on the coefficients at both sizes (the test's point).
for size in 20k 60k; do
    grep -q "agreement ($size): churn_coef [0-9.e+-]* 1e-06 ok" "$WORK/bench.err" && ok \
        || fail "$size: churn coefficients disagree with the peer"
    grep -q "agreement ($size): expansion_coef [0-9.e+-]* 1e-06 ok" "$WORK/bench.err" && ok \
        || fail "$size: expansion coefficients disagree with the peer"
    grep -q "^- $size: .*peer checks: [0-9]* ok, 0 failed" "$WORK/bench.out" && ok \
        || fail "$size: some peer check failed"
    # scikit-learn's metrics and statsmodels' logit on the observations.
    for c in validate_prob_roc_auc validate_prob_pr_auc validate_prob_brier validate_prob_log_loss \
        validate_score_roc_auc validate_score_pr_auc obs_coef obs_se; do
        grep -q "agreement ($size): $c [0-9.e+-]* 1e-0[69] ok" "$WORK/bench.err" && ok \
            || fail "$size: $c disagrees with the peer"
    done
done
if [ "$FAILS" != 0 ]; then
    sed 's/^/    out: /' "$WORK/bench.out" | head -40
    sed 's/^/    err: /' "$WORK/bench.err" | head -40
fi
finish
