#!/bin/sh
# fail_on.sh - scriptable exit codes: drift --fail-on warn|alert and validate
# --fail-below-auc X, each both ways; `healthcal help CMD` is `CMD --help`.
#
# Exit 6 must follow from the numbers the run itself reports (a property):
# drift exits 6 iff the worst PSI in its JSON reaches the level (0.1 warn,
# 0.25 alert); validate exits 6 iff its JSON's roc_auc is below X. The
# drift histories span every case: identical periods (PSI 0), the sample
# with logins_per_week scaled by 0.8 (watch) and 0.7 (recalibrate) in 2025,
# and the hand-made history of drift.sh (PSI 1.55 from R).
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"

# worst_psi JSON: the largest "psi" of the drift report.
worst_psi() {
    awk -F': ' '/"psi": / { v = $2 + 0; if (v > m) m = v } END { printf "%.6f\n", m + 0 }' "$1"
}

drift_case() { # NAME SNAPSHOTS BASELINE CURRENT CONFIG
    name=$1
    for level in warn alert; do
        run_any -- $HEALTHCAL drift -c "$5" -s "$2" --baseline "$3" --current "$4" \
            --json "$WORK/$name.json" --fail-on $level
        psi=$(worst_psi "$WORK/$name.json")
        bar=$([ $level = warn ] && echo 0.1 || echo 0.25)
        want=$(awk -v p="$psi" -v b="$bar" 'BEGIN { print (p >= b) ? 6 : 0 }')
        [ "$got" = "$want" ] && ok ||
            fail "drift $name --fail-on $level: exit $got with worst PSI $psi (expected $want)"
        [ "$want" = 6 ] && echo "$name $level" >>"$WORK/sixes"
        [ "$want" = 0 ] && echo "$name $level" >>"$WORK/zeros"
    done
    # Without --fail-on the exit is 0 whatever the verdict.
    run 0 "drift $name without --fail-on" -- $HEALTHCAL drift -c "$5" -s "$2" \
        --baseline "$3" --current "$4"
}

run_any() {
    shift
    "$@" >"$WORK/out" 2>"$WORK/err"
    got=$?
}

: >"$WORK/sixes"
: >"$WORK/zeros"
drift_case same "$S/snapshots.csv" 2024-01-01:2024-06-30 2024-01-01:2024-06-30 "$S/current.json"
for f in 0.8 0.7; do
    awk -F, -v f=$f 'BEGIN { OFS = "," } NR > 1 && $2 >= "2025-01-01" { $5 = $5 * f } { print }' \
        "$S/snapshots.csv" >"$WORK/shift$f.csv"
    drift_case "shift$f" "$WORK/shift$f.csv" 2024-01-01:2024-06-30 2025-01-01:2025-06-30 \
        "$S/current.json"
done
drift_case handmade "$DATA/drift/snapshots.csv" 2024-01-01:2024-01-31 2024-02-01:2024-02-29 \
    "$DATA/drift/config.json"
# Both ways, for both levels: the cases must have produced each outcome.
grep -q "warn" "$WORK/sixes" && grep -q "alert" "$WORK/sixes" && ok || fail "no case reached both levels"
grep -q "warn" "$WORK/zeros" && grep -q "alert" "$WORK/zeros" && ok || fail "no case stayed under both levels"
grep -q "shift0.8 warn" "$WORK/sixes" && grep -q "shift0.8 alert" "$WORK/zeros" && ok ||
    fail "the watch-level shift must fail --fail-on warn and pass --fail-on alert"
run 1 "drift --fail-on bad" -- $HEALTHCAL drift -c "$S/current.json" -s "$S/snapshots.csv" \
    --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30 --fail-on never
expect_err "option '--fail-on': 'never' is not warn or alert" "drift --fail-on bad"

# validate --fail-below-auc, on both sides of the AUC the run reports.
run 0 "validate" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" \
    -c "$S/current.json" --bootstrap 0 --json "$WORK/v.json"
auc=$(awk -F': ' '/"roc_auc": / { sub(/,$/, "", $2); print $2; exit }' "$WORK/v.json")
below=$(awk -v a="$auc" 'BEGIN { printf "%.4f", a - 0.01 }')
above=$(awk -v a="$auc" 'BEGIN { printf "%.4f", a + 0.01 }')
run 0 "validate --fail-below-auc $below (AUC $auc)" -- $HEALTHCAL validate -s "$S/snapshots.csv" \
    -e "$S/events.csv" -c "$S/current.json" --bootstrap 0 --fail-below-auc "$below"
run 6 "validate --fail-below-auc $above (AUC $auc)" -- $HEALTHCAL validate -s "$S/snapshots.csv" \
    -e "$S/events.csv" -c "$S/current.json" --bootstrap 0 --fail-below-auc "$above"
expect_err "is below --fail-below-auc $above" "validate --fail-below-auc message"
grep -q "ROC AUC" "$WORK/out" && ok || fail "validate --fail-below-auc: the results were not printed"
run 1 "validate --fail-below-auc 2" -- $HEALTHCAL validate -s "$S/snapshots.csv" \
    -e "$S/events.csv" -c "$S/current.json" --fail-below-auc 2

# healthcal help CMD is healthcal CMD --help, for every command.
for c in simulate label fit validate backtest predict drift report plot; do
    $HEALTHCAL help $c >"$WORK/h1" 2>&1
    $HEALTHCAL $c --help >"$WORK/h2" 2>&1
    cmp -s "$WORK/h1" "$WORK/h2" && grep -q "usage: healthcal $c" "$WORK/h1" && ok ||
        fail "healthcal help $c differs from healthcal $c --help"
done
$HEALTHCAL help drift | grep -q -- "--fail-on" && ok || fail "drift --help lacks --fail-on"
finish
