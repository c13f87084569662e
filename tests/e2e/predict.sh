#!/bin/sh
# predict.sh - `healthcal predict` on a hand-made history with expected output files.
# expected.csv, expected_asof.csv and expected_all.csv come from the
# independent Python reference: /usr/bin/python3 tests/reference/predict.py
# expected_injection.csv is closed form: every row has logins 5, tickets 5,
# dpd 5, so usage 25, support 50, financial 91.6667, H = 45.8333 (yellow),
# P(churn) = 1/(1+exp(-(1 - 0.06 H))) = 0.148047, and each account is alone
# in its segment, so the reference is 100 and the drivers are
# 0.5 x 75 = 37.5, 0.3 x 50 = 15, 0.2 x 8.33 = 1.7.
. "$(dirname "$0")/lib.sh"
D="$DATA/predict"

run 0 "predict" -- $HEALTHCAL predict -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/pred.csv"
same_file "$D/expected.csv" "$WORK/pred.csv" "latest snapshot per account"
expect_err "predict: as of 2024-03-18, 14 accounts" "summary names the as-of date"
expect_err "red                      2    14.3%         28000.00     4.2%" "summary: accounts and ARR per band"
expect_err "(no score)               1" "summary: account without a score"
expect_err "expected churned ARR in the next 30 days: 24807.87" "summary: expected churned ARR"
expect_err "accounts that fell a band since their previous snapshot: 3" "summary: band falls"
expect_err "range of churned ARR (each account churning independently with its P(churn); 10000 Monte Carlo draws, seed 20240101): 80% " "summary: revenue-at-risk range"
expect_err "no recent snapshot (latest before 2024-02-17; still in the rows and totals above): 1 accounts, ARR 90000.00, expected ARR at risk 808.52: a6" "summary: stale account"
# the summary JSON: the same seed gives the same range, another seed another
run 0 "predict --summary-json" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p1.csv" --summary-json "$WORK/s1.json"
run 0 "predict --summary-json again" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p2.csv" --summary-json "$WORK/s2.json"
run 0 "predict --seed 5" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p3.csv" --seed 5 --summary-json "$WORK/s3.json"
same_file "$WORK/s1.json" "$WORK/s2.json" "summary JSON with the same seed"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["revenue_at_risk"]; sys.exit(0 if round(r["expected"], 2) == 24807.87 and r["range_95"][0] <= r["range_80"][0] <= r["range_80"][1] <= r["range_95"][1] else 1)' "$WORK/s1.json" && ok || fail "summary JSON: expected churned ARR and its ranges"
grep -q '"range_95": \[' "$WORK/s1.json" && ok || fail "summary JSON: 95% range"
# (14 accounts: a lumpy distribution whose quantiles another seed may well
# reproduce; tests/unit/test_predict_risk.c checks that seeds differ)
grep -q '"seed": 5' "$WORK/s3.json" && ok || fail "summary JSON: --seed recorded"
run 1 "predict --draws 1" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" --draws 1

run 0 "predict --as-of" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" --as-of 2024-03-11
same_file "$D/expected_asof.csv" "$WORK/out" "as of 2024-03-11 (stdout)"
[ ! -s "$WORK/err" ] && ok || fail "--quiet: stderr not empty"

run 0 "predict --all-snapshots" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" --all-snapshots -o "$WORK/all.csv"
same_file "$D/expected_all.csv" "$WORK/all.csv" "every snapshot"

# stdin, and a semicolon-delimited export
run 0 "predict from stdin" -- sh -c "$HEALTHCAL predict -q -c '$D/config.json' -s - <'$D/snapshots.csv'"
same_file "$D/expected.csv" "$WORK/out" "snapshots from stdin"
tr ',' ';' <"$D/snapshots.csv" >"$WORK/semi.csv"
run 0 "predict -d ';'" -- $HEALTHCAL predict -q -d ';' -c "$D/config.json" -s "$WORK/semi.csv"
same_file "$D/expected.csv" "$WORK/out" "semicolon delimiter"

# formula injection in ids and segments
run 0 "predict injection" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/injection.csv"
same_file "$D/expected_injection.csv" "$WORK/out" "formula cells neutralised"
grep -q "^\"'=1+1\",2024-03-18,\"'=cmd|' /C calc'!A0\"," "$WORK/out" && ok || fail "= id and segment not neutralised"
[ "$(grep -c '^[=+@-]' "$WORK/out")" = 0 ] && ok || fail "a line starts with a formula character"

# bad input: a column named by the config is missing
sed '1s/tickets/tix/' "$D/snapshots.csv" >"$WORK/no_tickets.csv"
run 2 "missing metric column" -- $HEALTHCAL predict -c "$D/config.json" -s "$WORK/no_tickets.csv"
expect_err "components[1].metrics[0].column: column 'tickets' is not in" "missing column named by its config key"
sed '1s/segment/tier/' "$D/snapshots.csv" >"$WORK/no_segment.csv"
run 2 "missing segment column" -- $HEALTHCAL predict -c "$D/config.json" -s "$WORK/no_segment.csv"
expect_err "columns.segment: column 'segment' is not in" "missing segment column named by its key"
sed 's/"weight": 0.5/"weight": 0.6/' "$D/config.json" >"$WORK/bad_weights.json"
run 2 "weights not summing to 1" -- $HEALTHCAL predict -c "$WORK/bad_weights.json" -s "$D/snapshots.csv"
expect_err "components" "bad weights named"
sed 's/^a3,2024-03-11,smb,8000,7,/a3,2024-03-11,smb,-8000,7,/' "$D/snapshots.csv" >"$WORK/neg_arr.csv"
run 2 "negative ARR" -- $HEALTHCAL predict -c "$D/config.json" -s "$WORK/neg_arr.csv"
expect_err "negative value" "negative ARR named"

# usage errors
run 1 "as-of before data" -- $HEALTHCAL predict -c "$D/config.json" -s "$D/snapshots.csv" --as-of 2023-12-31
expect_err "the as-of date 2023-12-31 is before the first snapshot (2024-01-15)" "as-of before the data"
run 1 "bad as-of" -- $HEALTHCAL predict -c "$D/config.json" -s "$D/snapshots.csv" --as-of 2024-02-30
expect_err "'--as-of'" "bad as-of named"
run 1 "missing --config" -- $HEALTHCAL predict -s "$D/snapshots.csv"
expect_err "'--config' is required" "missing --config"
run 1 "missing --snapshots" -- $HEALTHCAL predict -c "$D/config.json"
expect_err "'--snapshots' is required" "missing --snapshots"
cp "$D/snapshots.csv" "$WORK/snap.csv"
run 1 "output over input" -- $HEALTHCAL predict -c "$D/config.json" -s "$WORK/snap.csv" -o "$WORK/snap.csv"
expect_err "refusing to overwrite" "output over input refused"
cmp -s "$D/snapshots.csv" "$WORK/snap.csv" && ok || fail "input was modified"

# an existing output is left untouched on error
echo keep >"$WORK/keep.csv"
run 2 "error keeps output" -- $HEALTHCAL predict -c "$D/config.json" -s "$WORK/no_tickets.csv" -o "$WORK/keep.csv"
[ "$(cat "$WORK/keep.csv")" = keep ] && ok || fail "existing output was modified"
if [ -w /dev/full ]; then
    run 4 "write to /dev/full" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o /dev/full
fi
finish
