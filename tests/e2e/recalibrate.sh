#!/bin/sh
# recalibrate.sh - churn_model.recalibration end to end: predict applies a
# hand-written map to every row (segment overrides included), fit
# --recalibrate writes one that predict reads back, and bad maps and
# options are refused in words. The expected probabilities are closed
# form: p' = 1 / (1 + exp(-(a + b logit p))) of the p predict writes
# without the map (awk, independent of the C code).
. "$(dirname "$0")/lib.sh"
D="$DATA/predict"

# A Platt map a = -0.4, b = 0.7 on the predict test's config.
sed 's/"churn_model": {"intercept": 1.0, "slope": -0.06},/"churn_model": {"intercept": 1.0, "slope": -0.06, "recalibration": {"method": "platt", "a": -0.4, "b": 0.7}},/' \
    "$D/config.json" >"$WORK/platt.json"
grep -q '"recalibration"' "$WORK/platt.json" && ok || fail "test config has no map"
run 0 "predict without the map" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/raw.csv"
run 0 "predict with a platt map" -- $HEALTHCAL predict -c "$WORK/platt.json" -s "$D/snapshots.csv" -o "$WORK/cal.csv"
expect_err "p_churn is recalibrated by the config's platt map" "summary names the map"
# Same rows in the same order? The map is monotone, so the sort by ARR at
# risk may change: join on account id.
awk -F, 'NR == FNR { if (FNR > 1) raw[$1] = $7; next }
         FNR > 1 && $7 != "" {
             p = raw[$1]; want = 1 / (1 + exp(-(-0.4 + 0.7 * log(p / (1 - p)))))
             d = $7 - want; if (d < 0) d = -d
             if (d > 1e-4 * want) { print "row " $1 ": p_churn " $7 ", expected " want; bad = 1 }
             n++ }
         END { if (n < 10) { print "only " n " rows compared"; bad = 1 } exit bad }' \
    "$WORK/raw.csv" "$WORK/cal.csv" >"$WORK/cmp" && ok || { fail "recalibrated p_churn"; cat "$WORK/cmp"; }
cut -d, -f1,5,6 "$WORK/raw.csv" | sort >"$WORK/h_raw"
cut -d, -f1,5,6 "$WORK/cal.csv" | sort >"$WORK/h_cal"
same_file "$WORK/h_raw" "$WORK/h_cal" "health and bands unchanged by the map"

# An isotonic map: p' is linear between its points and flat beyond them.
sed 's/"churn_model": {"intercept": 1.0, "slope": -0.06},/"churn_model": {"intercept": 1.0, "slope": -0.06, "recalibration": {"method": "isotonic", "x": [0.05, 0.2, 0.4], "y": [0.01, 0.1, 0.5]}},/' \
    "$D/config.json" >"$WORK/iso.json"
run 0 "predict with an isotonic map" -- $HEALTHCAL predict -q -c "$WORK/iso.json" -s "$D/snapshots.csv" -o "$WORK/iso.csv"
awk -F, 'NR == FNR { if (FNR > 1) raw[$1] = $7; next }
         FNR > 1 && $7 != "" {
             p = raw[$1]
             if (p <= 0.05) want = 0.01; else if (p >= 0.4) want = 0.5
             else if (p <= 0.2) want = 0.01 + (p - 0.05) * 0.09 / 0.15
             else want = 0.1 + (p - 0.2) * 0.4 / 0.2
             d = $7 - want; if (d < 0) d = -d
             if (d > 1e-4 * want + 1e-6) { print "row " $1 ": p_churn " $7 ", expected " want; bad = 1 } }
         END { exit bad }' "$WORK/raw.csv" "$WORK/iso.csv" >"$WORK/cmp" && ok || { fail "isotonic p_churn"; cat "$WORK/cmp"; }

# Bad maps: exit 2 with the key named.
bad_map() {
    sed "s/\"churn_model\": {\"intercept\": 1.0, \"slope\": -0.06},/\"churn_model\": {\"intercept\": 1.0, \"slope\": -0.06, \"recalibration\": $1},/" \
        "$D/config.json" >"$WORK/bad.json"
    run 2 "bad map: $2" -- $HEALTHCAL predict -q -c "$WORK/bad.json" -s "$D/snapshots.csv"
    expect_err "$2" "bad map named"
    [ ! -s "$WORK/out" ] && ok || fail "bad map: output written"
}
bad_map '{"method": "platt", "a": 0, "b": -1}' "churn_model.recalibration.b: must be a finite number > 0 (got -1)"
bad_map '{"method": "platt", "a": 0}' "churn_model.recalibration.b: missing"
bad_map '{"method": "isotonic", "x": [0.1, 0.5], "y": [0.4, 0.2]}' "churn_model.recalibration.y[1]: must not be less than y[0]"
bad_map '{"method": "isotonic", "x": [0.1, 1.2], "y": [0.1, 0.2]}' "churn_model.recalibration.x[1]: must be a probability in [0, 1] (got 1.2)"
bad_map '{"method": "spline"}' "churn_model.recalibration.method: unknown method 'spline'"

# fit --recalibrate on a simulated history, then predict with the result.
run 0 "simulate" -- $HEALTHCAL simulate --accounts 400 --weeks 52 --seed 7 -o "$WORK/sim"
S="-s $WORK/sim/snapshots.csv -e $WORK/sim/events.csv -c $WORK/sim/current.json"
for m in platt isotonic; do
    run 0 "fit --recalibrate $m" -- $HEALTHCAL fit $S --no-expansion --recalibrate $m -o "$WORK/tuned_$m.json"
    grep -q "^recalibration ($m), fitted out of time on the latest 10 of " "$WORK/out" && ok || { fail "fit prints the $m step"; head -40 "$WORK/out"; }
    grep -q "after (in-sample for the map)" "$WORK/out" && ok || fail "fit: after is labelled in-sample"
    grep -q "embargo of 30 days" "$WORK/out" && ok || fail "fit: embargo printed"
    grep -q "\"method\": \"$m\"" "$WORK/tuned_$m.json" && ok || fail "tuned config has the $m map"
    grep -q '"fitted_on": {' "$WORK/tuned_$m.json" && ok || fail "tuned config: map provenance"
    grep -q '"weights_refitted_on_all_rows": false' "$WORK/tuned_$m.json" && ok || fail "fit object records the choice"
    run 0 "predict with the $m config" -- $HEALTHCAL predict -c "$WORK/tuned_$m.json" -s "$WORK/sim/snapshots.csv" -o "$WORK/p_$m.csv"
    expect_err "p_churn is recalibrated by the config's $m map (fitted on " "predict names the fitted map"
    grep -qiE "(^|,)-?nan(,|$)" "$WORK/p_$m.csv" && fail "NaN in predictions" || ok
done
# A refit of a recalibrated config does not keep its stale map.
run 0 "refit" -- $HEALTHCAL fit -s "$WORK/sim/snapshots.csv" -e "$WORK/sim/events.csv" -c "$WORK/tuned_platt.json" --no-expansion -o "$WORK/refit.json"
grep -q '"recalibration"' "$WORK/refit.json" && fail "refit kept the map" || ok

# Usage errors.
run 1 "--recalibrate bogus" -- $HEALTHCAL fit $S --recalibrate bogus
expect_err "--recalibrate: unknown method 'bogus' (expected platt, isotonic or none)" "bad method named"
run 1 "--recalibrate-holdout 1.5" -- $HEALTHCAL fit $S --recalibrate platt --recalibrate-holdout 1.5
expect_err "recalibrate-holdout" "bad holdout named"
run 1 "--recalibrate-holdout alone" -- $HEALTHCAL fit $S --recalibrate-holdout 0.3
expect_err "--recalibrate-holdout needs --recalibrate platt|isotonic" "holdout without method"
printf 'y,x\n0,1\n1,2\n0,3\n1,4\n' >"$WORK/obs.csv"
run 1 "--recalibrate with --observations" -- $HEALTHCAL fit --observations "$WORK/obs.csv" --label y --features x --recalibrate platt
expect_err "an --observations table has no snapshot dates" "observations path refused in words"
run 3 "holdout leaving no fit rows" -- $HEALTHCAL fit $S --recalibrate platt --recalibrate-holdout 0.95
expect_err "no observation is left to fit the weights on" "embargo covering every row"
finish
