#!/bin/sh
# rollup.sh - user-level rows rolled up to the account (issue 15) on the
# hand-made seat history tests/e2e/data/rollup/users.csv (827 user rows of
# 98 users, 40 accounts, 14 weekly dates; make_data.py wrote it).
#
# The outside authority: pandas' groupby of the same rows
# (data/rollup/accounts.csv: logins summed, nps averaged over the users
# with a value, usage as the share of users above 0.5, segment and ARR of
# the first row), also written by make_data.py. `fit` of the roll-up config
# on the user rows must give exactly the tuned model of the same config
# without roll-up on pandas' account rows.
. "$(dirname "$0")/lib.sh"
D="$DATA/rollup"

run 0 "fit rolled up" -- $HEALTHCAL fit --config "$D/rollup.json" --snapshots "$D/users.csv" \
    --events "$D/events.csv" -o "$WORK/r.json"
# pandas: 827 user rows, 98 users, 359 account rows
expect_err "user rows read:            827 (98 users), rolled up to 359 account snapshots (column 'user_id')" \
    "user and account counts"
expect_err "snapshot rows read:        359" "account rows counted"
run 0 "fit pandas' roll-up" -- $HEALTHCAL fit --config "$D/plain.json" \
    --snapshots "$D/accounts.csv" --events "$D/events.csv" -o "$WORK/p.json"
for key in '"intercept"' '"slope"' '"weight"'; do
    grep "$key" "$WORK/r.json" | head -8 >"$WORK/a"
    grep "$key" "$WORK/p.json" | head -8 >"$WORK/b"
    [ -s "$WORK/a" ] && ok || fail "no $key in the tuned config"
    same_file "$WORK/b" "$WORK/a" "tuned $key equal to pandas' roll-up"
done
grep -q '"share_above:0.5"' "$WORK/r.json" && ok || fail "tuned config lost the rollup"
run 0 "validate rolled up" -- $HEALTHCAL validate --config "$WORK/r.json" \
    --snapshots "$D/users.csv" --events "$D/events.csv"

# predict, drift and report roll the user rows up by the same code path:
# predict and drift on the user rows equal them on pandas' account rows.
run 0 "predict rolled up" -- $HEALTHCAL predict --config "$D/rollup.json" \
    --snapshots "$D/users.csv" -o "$WORK/pu.csv"
expect_err "user rows read:            827 (98 users), rolled up to 359 account snapshots" \
    "predict counts users and accounts"
run 0 "predict pandas' roll-up" -- $HEALTHCAL predict --config "$D/plain.json" \
    --snapshots "$D/accounts.csv" -o "$WORK/pa.csv"
same_file "$WORK/pa.csv" "$WORK/pu.csv" "predictions equal to pandas' roll-up"
for cfg in rollup:users plain:accounts; do
    run 0 "drift ${cfg%%:*}" -- $HEALTHCAL drift --config "$D/${cfg%%:*}.json" \
        --snapshots "$D/${cfg#*:}.csv" --baseline 2025-01-01:2025-02-15 \
        --current 2025-02-16:2025-04-30 --format csv
    cp "$WORK/out" "$WORK/drift_${cfg%%:*}.csv"
done
same_file "$WORK/drift_plain.csv" "$WORK/drift_rollup.csv" "drift equal to pandas' roll-up"
run 0 "report rolled up" -- $HEALTHCAL report --config "$D/rollup.json" \
    --snapshots "$D/users.csv" --events "$D/events.csv" -o "$WORK/rep"
[ -s "$WORK/rep/index.html" ] && ok || fail "report of user rows wrote no page"

# Bad input: a user row with no account; one user twice on a date.
awk -F, 'NR == 5 { $1 = "" } { print }' OFS=, "$D/users.csv" >"$WORK/noacc.csv"
run 2 "user row with no account" -- $HEALTHCAL fit --config "$D/rollup.json" \
    --snapshots "$WORK/noacc.csv" --events "$D/events.csv" -o "$WORK/x.json"
expect_err "noacc.csv:5: a user row with no account" "no-account row named"
[ ! -e "$WORK/x.json" ] && ok || fail "partial output"
awk 'NR == 3 { print; print; next } { print }' "$D/users.csv" >"$WORK/twice.csv"
run 2 "user twice on a date" -- $HEALTHCAL validate --config "$D/rollup.json" \
    --snapshots "$WORK/twice.csv" --events "$D/events.csv"
expect_err "twice.csv:4: user 'R001-u1' of account 'R001' has two rows on one date (also on line 3)" \
    "duplicate user named"
# Without a rollup, user rows are duplicates, and the message says why.
run 2 "user rows without rollup" -- $HEALTHCAL fit --config "$D/plain.json" \
    --snapshots "$D/users.csv" --events "$D/events.csv" -o "$WORK/y.json"
expect_err "are user rows: a config's \"rollup\" rolls them up" "hint at rollup"
finish
