#!/bin/sh
# in_sample.sh - a tuned config knows the rows it was fitted on: fit records
# a fingerprint of them (provenance.fit_rows), validate labels an evaluation
# on those rows in-sample, backtest refuses a config fitted on its own test
# periods unless --allow-in-sample. The truth of each case is by
# construction: the same file (in-sample), a history simulated with another
# seed that shares account ids and dates but not values (not), and the rows
# after the fit's last date (not).
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"
run 0 "fit on the sample" -- $HEALTHCAL fit -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" -o "$WORK/tuned.json"
keys=$(tr -d ' \n' <"$WORK/tuned.json" | grep -o '"sketch":\[[^]]*\]' | grep -o '"[0-9a-f]\{16\}"' | wc -l)
[ "$keys" = 256 ] && ok || fail "fit_rows sketch holds $keys keys, expected 256"

run 0 "validate the tuned config on its own rows" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/tuned.json" -j "$WORK/v.json"
expect_err "in-sample: the config was fitted on 23661 observation rows" "the warning names the fit rows"
grep -q "IN-SAMPLE" "$WORK/out" && ok || fail "the text title says IN-SAMPLE"
grep -q '"in_sample": true' "$WORK/v.json" && ok || fail "JSON source.in_sample true"

# Same ids and dates, other values: not the fit's rows.
run 0 "simulate another history" -- $HEALTHCAL simulate -q --accounts 400 --weeks 72 --seed 99 -o "$WORK/other"
run 0 "validate on another history" -- $HEALTHCAL validate -q -s "$WORK/other/snapshots.csv" -e "$WORK/other/events.csv" -c "$WORK/tuned.json" -j "$WORK/v2.json"
grep -q '"in_sample": false' "$WORK/v2.json" && ok || fail "another history is not in-sample"
grep -q "in-sample" "$WORK/err" && fail "no in-sample warning on another history" || ok

# Fitted up to 2024-09-30; evaluated on the snapshots after it: out of time.
run 0 "fit on the first nine months" -- $HEALTHCAL fit -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --as-of 2024-09-30 -o "$WORK/early.json"
awk -F, 'NR == 1 || $2 > "2024-09-30"' "$S/snapshots.csv" >"$WORK/late.csv"
run 0 "validate the early fit on later rows" -- $HEALTHCAL validate -q -s "$WORK/late.csv" -e "$S/events.csv" -c "$WORK/early.json" -j "$WORK/v3.json"
grep -q '"in_sample": false' "$WORK/v3.json" && ok || fail "later rows are not in-sample"
run 0 "validate the early fit on the whole history" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/early.json" -j "$WORK/v4.json"
grep -q '"in_sample": true' "$WORK/v4.json" && ok || fail "the whole history holds the fit's rows"

# backtest: refused, allowed on request; a hand-set config is not checked.
run 1 "backtest the tuned config" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/tuned.json" -o "$WORK/bt"
expect_err "pass --allow-in-sample" "the refusal says how to override"
[ -e "$WORK/bt/folds.csv" ] && fail "a refused backtest wrote folds.csv" || ok
run 0 "backtest it with --allow-in-sample" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/tuned.json" -o "$WORK/bt" --allow-in-sample
expect_err "backtested anyway" "the override is said"
run 0 "backtest the hand-set config" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" -o "$WORK/bt2"

# A damaged fingerprint is bad input, named.
x='[0-9a-f]'; key="\"$x$x$x$x$x$x$x$x$x$x$x$x$x$x$x$x\""  # mawk has no {16}
awk -v key="$key" '!done && $0 ~ key { sub(key, "\"zzzzzzzzzzzzzzzz\""); done = 1 } { print }' \
    "$WORK/tuned.json" >"$WORK/bad.json"
grep -q '"zzzzzzzzzzzzzzzz"' "$WORK/bad.json" && ok || fail "test setup: the sketch was not damaged"
run 2 "validate with a damaged fingerprint" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/bad.json"
expect_err "provenance.fit_rows.sketch" "the message names the key"
finish
