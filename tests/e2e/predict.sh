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
# the band table counts the 13 current accounts (a6 is stale): red 2 of 13
# = 15.4%, 28000 of 583000 = 4.8% (the ARR of expected.csv's current rows)
expect_err "current accounts (latest snapshot on or after 2024-02-17), by band: 13, ARR 583000.00" "summary: current accounts"
expect_err "red                      2    15.4%         28000.00     4.8%" "summary: accounts and ARR per band"
expect_err "(no score)               1" "summary: account without a score"
# the sum of expected_arr_at_risk over expected.csv's current rows (a6's
# 808.52 is stale, reported apart)
expect_err "expected churned ARR in the next 30 days: 23999.35" "summary: expected churned ARR"
expect_err "accounts that fell a band since their previous snapshot: 3" "summary: band falls"
expect_err "range of churned ARR (each account churning independently with its P(churn); 10000 Monte Carlo draws, seed 20240101): 80% " "summary: revenue-at-risk range"
expect_err "stale (latest snapshot before 2024-02-17, more than 30 days before 2024-03-18; listed after the current rows, not in the bands nor the expected churned ARR above): 1 accounts, ARR 90000.00, P(churn) x ARR 808.52: a6" "summary: stale account"
expect_err "churned accounts cannot be left out without events" "summary: no events, nothing left out"
tail -1 "$WORK/pred.csv" | grep -q '^a6,2024-01-15,.*,stale$' && ok || fail "the stale account is not last"
# the summary JSON: the same seed gives the same range, another seed another
run 0 "predict --summary-json" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p1.csv" --summary-json "$WORK/s1.json"
run 0 "predict --summary-json again" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p2.csv" --summary-json "$WORK/s2.json"
run 0 "predict --seed 5" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/snapshots.csv" -o "$WORK/p3.csv" --seed 5 --summary-json "$WORK/s3.json"
same_file "$WORK/s1.json" "$WORK/s2.json" "summary JSON with the same seed"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["revenue_at_risk"]; sys.exit(0 if round(r["expected"], 2) == 23999.35 and r["range_95"][0] <= r["range_80"][0] <= r["range_80"][1] <= r["range_95"][1] else 1)' "$WORK/s1.json" && ok || fail "summary JSON: expected churned ARR and its ranges"
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

# ---- living accounts on the bundled sample (datasets/sample) ------------
# With --events no listed account has churned: none has a churn event on or
# before the as-of date (2025-06-23, the latest snapshot) unless its listed
# snapshot is after that event (it came back). The accounts left out are
# counted from the two files with awk, independently of healthcal: a churn
# event on or before as-of, and the account's latest snapshot on or before
# as-of not after it.
S="$HERE/../../datasets/sample"
run 0 "predict --events on the sample" -- $HEALTHCAL predict -c "$S/current.json" -s "$S/snapshots.csv" \
    --events "$S/events.csv" -o "$WORK/living.csv" --summary-json "$WORK/living.json"
awk -F, -v asof=2025-06-23 'NR == FNR { if (FNR > 1 && tolower($3) == "churn" && $2 <= asof && $2 > last[$1]) last[$1] = $2; next }
    FNR > 1 && ($1 in last) && $2 <= last[$1] { print "listed, yet churned: " $1 " " $2 " (churn " last[$1] ")"; bad = 1 }
    FNR > 1 { n++ }
    END { if (n < 300) { print "only " n " rows"; bad = 1 } exit bad }' \
    "$S/events.csv" "$WORK/living.csv" >"$WORK/cmp" && ok || { fail "--events: a churned account is listed"; cat "$WORK/cmp"; }
gone=$(awk -F, -v asof=2025-06-23 'NR == FNR { if (FNR > 1 && tolower($3) == "churn" && $2 <= asof && $2 > c[$1]) c[$1] = $2; next }
    FNR > 1 && $2 <= asof && $2 > l[$1] { l[$1] = $2 }
    END { for (a in c) if ((a in l) && l[a] <= c[a]) n++; print n + 0 }' "$S/events.csv" "$S/snapshots.csv")
[ "$gone" -gt 0 ] && ok || fail "the sample should have churned accounts"
expect_err "$gone accounts left out: churned on or before 2025-06-23, ARR " "summary counts the left-out accounts"
listed=$(($(wc -l <"$WORK/living.csv") - 1))
[ $((listed + gone)) = 400 ] && ok || fail "listed $listed + left out $gone is not the sample's 400 accounts"
grep -q "\"churned_excluded\": true" "$WORK/living.json" && grep -q "\"churned_accounts\": $gone," "$WORK/living.json" \
    && ok || fail "summary JSON: churned accounts"
# without --events: said plainly, and the JSON says so
run 0 "predict without --events on the sample" -- $HEALTHCAL predict -c "$S/current.json" -s "$S/snapshots.csv" \
    -o "$WORK/all_accounts.csv" --summary-json "$WORK/all_accounts.json"
expect_err "churned accounts cannot be left out without events" "no events: said on stderr"
grep -q '"churned_excluded": false' "$WORK/all_accounts.json" && ok || fail "summary JSON: churned_excluded false"
[ "$(($(wc -l <"$WORK/all_accounts.csv") - 1))" = 400 ] && ok || fail "without events every account is listed"
# stale rows come after every current row; --stale-days moves the cutoff
awk -F, 'NR > 1 { if ($15 == "stale") s = 1; else if (s) bad = 1; n[$15]++ }
    END { exit bad || !n["stale"] }' "$WORK/all_accounts.csv" && ok || fail "a current row after a stale one, or no stale row"
run 0 "predict --stale-days 3650" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$S/snapshots.csv" --stale-days 3650
[ "$(grep -c ',stale$' "$WORK/out")" = 0 ] && ok || fail "--stale-days 3650 left stale rows"
run 1 "predict --stale-days -1" -- $HEALTHCAL predict -c "$S/current.json" -s "$S/snapshots.csv" --stale-days -1
# --keep: a text column the config does not name, with a formula-like value
awk -F, -v OFS=, 'NR == 1 { print $0, "owner"; next }
    { print $0, ($1 == "A000002" ? "=SUM(A1:A9)" : "ann " $1) }' "$S/snapshots.csv" >"$WORK/owned.csv"
run 0 "predict --keep owner" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$WORK/owned.csv" \
    --events "$S/events.csv" --keep owner,logins_per_week -o "$WORK/kept.csv"
head -1 "$WORK/kept.csv" | grep -q ',band_change,status,owner,logins_per_week$' && ok || fail "--keep: header"
grep -q "^A000002,.*,\"'=SUM(A1:A9)\",[0-9.]*$" "$WORK/kept.csv" && ok || fail "--keep: formula not neutralised"
grep -q '^A000001,.*,ann A000001,[0-9.]*$' "$WORK/kept.csv" && ok || fail "--keep: value not passed through"
[ "$(grep -c '=SUM' "$WORK/kept.csv")" = 1 ] && ok || fail "--keep: the formula row missing or repeated"
run 2 "predict --keep missing column" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$WORK/owned.csv" --keep owner,region
expect_err "owned.csv:1: kept column 'region' is not in the header" "missing kept column named with its file"
run 1 "predict --keep an output column" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$WORK/owned.csv" --keep owner,status
expect_err "option '--keep': kept column 'status' is already a column of the predictions" "kept column clash"
run 1 "predict --keep empty name" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$WORK/owned.csv" --keep owner,
run 1 "predict: events and snapshots both stdin" -- $HEALTHCAL predict -q -c "$S/current.json" -s - --events -
sed 's/,churn,/,lapsed,/' "$S/events.csv" >"$WORK/odd_events.csv"
run 2 "predict --events with an unknown type" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$S/snapshots.csv" --events "$WORK/odd_events.csv"
expect_err "unknown event type 'lapsed'" "unknown event type named"
run 0 "predict --ignore-unknown-events" -- $HEALTHCAL predict -q -c "$S/current.json" -s "$S/snapshots.csv" \
    --events "$WORK/odd_events.csv" --ignore-unknown-events

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
