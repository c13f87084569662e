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

# label --config reads the history as the config does: the rolled-up
# observation table equals label's on pandas' account rows, byte for
# byte, and both counts are given (text and JSON).
run 0 "label --config rolled up" -- $HEALTHCAL label -c "$D/rollup.json" -s "$D/users.csv" \
    -e "$D/events.csv" -o "$WORK/lu.csv"
expect_err "user rows read:            827 (98 users), rolled up to 359 account snapshots" \
    "label counts users and accounts"
run 0 "label pandas' roll-up" -- $HEALTHCAL label -q -s "$D/accounts.csv" -e "$D/events.csv" \
    -o "$WORK/la.csv"
same_file "$WORK/la.csv" "$WORK/lu.csv" "labelled table equal to pandas' roll-up"
run 0 "label --config --format json" -- $HEALTHCAL label -c "$D/rollup.json" -s "$D/users.csv" \
    -e "$D/events.csv" -o "$WORK/lu2.csv" --format json
grep -q '"user_rows": 827' "$WORK/out" && grep -q '"users": 98' "$WORK/out" &&
    grep -q '"snapshot_rows": 359' "$WORK/out" && ok || fail "label JSON lacks the user counts"

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
# User-level health (hc_user_health.h): each user of a listed account is
# scored as if all n users of its account that date had its values. The
# three components have one linear metric each, so by hand: usage =
# 100 min(n logins / 40, 1) (logins summed), nps = 10 nps (averaged),
# adoption = 100 [usage > 0.5] (share above 0.5); recomputed here from
# users.csv at each account's date in predictions.csv.
U="$WORK/rep/users.csv"
[ -s "$U" ] && ok || fail "no users.csv"
head -1 "$U" | grep -q '^rank,account_id,user_id,account_band,user_health,user_band,disengaged,usage,nps,adoption$' &&
    ok || fail "users.csv header: $(head -1 "$U")"
if awk -F, '
    FILENAME == ARGV[1] { if (FNR > 1) day[$1] = $2; next }
    FILENAME == ARGV[2] { if (FNR > 1) { k = $1 SUBSEP $2; n[k]++; lg[$3] = $6; np[$3] = $7; us[$3] = $8; d[$3] = $2 } next }
    FNR == 1 { next }
    { acc = $2; user = $3; rows++
      if (d[user] != day[acc]) { print "user " user " not of the latest date"; bad = 1; next }
      m = n[acc SUBSEP day[acc]]
      eu = 100 * m * lg[user] / 40; if (eu > 100) eu = 100
      en = np[user] == "" ? "" : 10 * np[user]
      ea = 100 * (us[user] > 0.5)
      if (sprintf("%.1f", eu) != $8) { print user " usage " $8 " expected " eu; bad = 1 }
      if (en == "" ? $9 != "" : sprintf("%.1f", en) != $9) { print user " nps " $9 " expected " en; bad = 1 }
      if (sprintf("%.1f", ea) != $10) { print user " adoption " $10 " expected " ea; bad = 1 }
      if (($6 == "red") != ($7 == 1)) { print user " disengaged flag"; bad = 1 }
      seen[acc]++ }
    END { for (a in seen) if (seen[a] != n[a SUBSEP day[a]]) { print a " has " n[a SUBSEP day[a]] " users, listed " seen[a]; bad = 1 }
          if (!rows) { print "no rows"; bad = 1 }
          exit bad }' "$WORK/rep/predictions.csv" "$D/users.csv" "$U" >"$WORK/udiff"; then ok; else
    fail "user health: $(head -3 "$WORK/udiff")"
fi
# An account with one user: its user's health is the account's own.
awk -F, 'NR > 1 { c[$2]++; h[$2] = $5 } END { for (a in c) if (c[a] == 1) print a "," h[a] }' "$U" |
    head -1 >"$WORK/single"
a=$(cut -d, -f1 "$WORK/single"); uh=$(cut -d, -f2 "$WORK/single")
ah=$(awk -F, -v a="$a" '$1 == a { printf "%.1f", $5 }' "$WORK/rep/predictions.csv")
[ -n "$a" ] && [ "$uh" = "$ah" ] && ok || fail "single-user account $a: user $uh, account $ah"
grep -q 'Users of the accounts to call' "$WORK/rep/index.html" && ok || fail "no user table in the page"
grep -q '^Users: ' "$WORK/rep/summary.md" && ok || fail "no user table in summary.md"
# User ids reach the page, summary.md and users.csv escaped.
first=$(awk -F, 'NR == 2 { print $3 }' "$U")
awk -F, -v u="$first" 'BEGIN { OFS = "," } $3 == u { $3 = "=1+1<b>x" } { print }' "$D/users.csv" \
    >"$WORK/canary.csv"
run 0 "report with a hostile user id" -- $HEALTHCAL report --config "$D/rollup.json" \
    --snapshots "$WORK/canary.csv" --events "$D/events.csv" -o "$WORK/rep_c"
grep -q '<b>x' "$WORK/rep_c/index.html" && fail "user id unescaped in HTML" || ok
grep -q '=1+1&lt;b&gt;x' "$WORK/rep_c/index.html" && ok || fail "user id missing from the page"
grep -qF ",\"'=1+1<b>x\"," "$WORK/rep_c/users.csv" && ok || fail "formula not neutralised in users.csv"
# Without a roll-up there is no users.csv.
run 0 "report of account rows" -- $HEALTHCAL report --config "$D/plain.json" \
    --snapshots "$D/accounts.csv" --events "$D/events.csv" -o "$WORK/rep_plain"
[ ! -e "$WORK/rep_plain/users.csv" ] && ok || fail "users.csv without a roll-up"

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
