#!/bin/sh
# seasonal.sh - seasonal adjustment on the simulator's history (issue 15).
# The simulator lowers latent usage every August and December (and not
# churn). A seasonal adjustment of the two usage metrics against their
# calendar-month medians, learned by fit on the training year, must lower
# the share of non-churning accounts flagged red in August and December
# (validate's false red flags by calendar month, in accounts) on the next
# year, and leave the other months about as they were. The red band is
# raised to H < 50 so that the small dip (10 points of latent usage, 3 of
# health) moves enough accounts to measure. Checks: fit learns exactly the
# medians that an independent awk/sort computes; the flagged share falls;
# bad configs get clear messages.
. "$(dirname "$0")/lib.sh"

run 0 "simulate" -- $HEALTHCAL simulate --accounts 200 --weeks 104 --seed 7 -o "$WORK/sim" -q
S="$WORK/sim"
awk -F, 'NR == 1 || $2 < "2025-01-01"' "$S/snapshots.csv" >"$WORK/train.csv"
awk -F, 'NR == 1 || $2 >= "2025-01-01"' "$S/snapshots.csv" >"$WORK/test.csv"
sed 's/"min": 40.0/"min": 50.0/' "$S/current.json" >"$WORK/hand.json"
sed -e 's/"column": "logins_per_week",/&  "seasonal": {"period": "month", "method": "ratio"},/' \
    -e 's/"column": "feature_adoption",/&  "seasonal": {"period": "month", "method": "ratio"},/' \
    "$WORK/hand.json" >"$WORK/seasonal.json"

# Medians of column $1 of the training rows per calendar month (awk + sort).
medians() {
    awk -F, -v c="$1" 'NR > 1 && $c != "" { print substr($2, 6, 2) + 0, $c }' "$WORK/train.csv" |
        sort -k1,1n -k2,2g | awk '{ m = $1; n[m]++; v[m, n[m]] = $2 }
        END { for (m = 1; m <= 12; m++) { k = n[m]
              x = k ? (k % 2 ? v[m, (k + 1) / 2] : (v[m, k / 2] + v[m, k / 2 + 1]) / 2) : "null"
              printf "%s%s", (m > 1 ? ", " : ""), x }
              print "" }'
}
L=$(medians 5)
F=$(medians 6)

run 0 "fit with seasonal adjustment" -- $HEALTHCAL fit -s "$WORK/train.csv" -e "$S/events.csv" \
    -c "$WORK/seasonal.json" -o "$WORK/fit.json" -q
# The learned baselines (the "baseline" lines, logins first) against awk's.
grep '"baseline"' "$WORK/fit.json" | sed 's/.*\[//; s/\].*//' >"$WORK/got"
printf '%s\n%s\n' "$L" "$F" >"$WORK/want"
awk -F', ' 'NR == FNR { for (i = 1; i <= NF; i++) w[FNR, i] = $i; n = FNR; next }
            { for (i = 1; i <= 12; i++) { d = w[FNR, i] - $i; if (d > 1e-9 || d < -1e-9) bad++ } m = FNR }
            END { exit !(m == 2 && n == 2 && !bad) }' "$WORK/want" "$WORK/got" &&
    ok || fail "learned baselines differ from the medians: $(cat "$WORK/got") vs $(cat "$WORK/want")"

# The hand-set config, and the same with the learned baselines set by hand.
sed -e "s/\"column\": \"logins_per_week\",/& \"seasonal\": {\"baseline\": [$L]},/" \
    -e "s/\"column\": \"feature_adoption\",/& \"seasonal\": {\"baseline\": [$F]},/" \
    "$WORK/hand.json" >"$WORK/adjusted.json"
share() { # share of non-churning account-months flagged red: Aug+Dec, other months
    sed -n 's/.*flagged red: \([0-9.]*\)% in August and December, \([0-9.]*\)% in the other.*/\1 \2/p' "$WORK/out"
}
run 0 "validate hand-set" -- $HEALTHCAL validate -s "$WORK/test.csv" -e "$S/events.csv" \
    -c "$WORK/hand.json" --bootstrap 0 -q
before=$(share)
grep -q "^false red flags by calendar month, in accounts" "$WORK/out" && ok || fail "no false red flag table"
run 0 "validate adjusted" -- $HEALTHCAL validate -s "$WORK/test.csv" -e "$S/events.csv" \
    -c "$WORK/adjusted.json" --bootstrap 0 -q
after=$(share)
echo "non-churning accounts flagged red (Aug+Dec, other months, % of account-months): before $before, after $after"
set -- $before $after
[ $# = 4 ] && awk -v b="$1" -v a="$3" 'BEGIN { exit !(a < b) }' && ok ||
    fail "the August/December share did not fall: before $before, after $after"
# the other months move by less than the season's fall
[ $# = 4 ] && awk -v b="$1" -v a="$3" -v ob="$2" -v oa="$4" \
    'BEGIN { d = ob - oa; if (d < 0) d = -d; exit !(d < b - a) }' && ok ||
    fail "the other months moved as much: before $before, after $after"
# the fitted seasonal config validates too (its JSON names the unit)
run 0 "validate fitted" -- $HEALTHCAL validate -s "$WORK/test.csv" -e "$S/events.csv" \
    -c "$WORK/fit.json" --bootstrap 0 -q --json "$WORK/v.json"
grep -q '"false_red_flags_by_month"' "$WORK/v.json" && grep -q '"unit": "accounts"' "$WORK/v.json" &&
    ok || fail "no false_red_flags_by_month in the JSON"

# Bad input: a ratio baseline over a metric whose median is 0 (days past
# due), an unlearned baseline at scoring time, a wrong-length baseline.
sed 's/"column": "days_past_due",/& "seasonal": {},/' "$WORK/hand.json" >"$WORK/zero.json"
run 2 "fit ratio over zeros" -- $HEALTHCAL fit -s "$WORK/train.csv" -e "$S/events.csv" \
    -c "$WORK/zero.json" -o "$WORK/z.json" -q
expect_err "the ratio method needs a positive one" "zero median"
[ -e "$WORK/z.json" ] && fail "a config written after the error" || ok
run 2 "validate unlearned" -- $HEALTHCAL validate -s "$WORK/test.csv" -e "$S/events.csv" \
    -c "$WORK/seasonal.json" --bootstrap 0 -q
expect_err "has no baseline; learn it" "unlearned baseline"
sed 's/"column": "csat",/& "seasonal": {"baseline": [1, 2]},/' "$WORK/hand.json" >"$WORK/short.json"
run 2 "validate short baseline" -- $HEALTHCAL validate -s "$WORK/test.csv" -e "$S/events.csv" \
    -c "$WORK/short.json" --bootstrap 0 -q
expect_err "seasonal.baseline: must be an array of 12" "short baseline"
# the exports cannot apply the adjustment: they refuse it, writing nothing
run 2 "export --sql" -- $HEALTHCAL export -c "$WORK/fit.json" --sql sqlite -o "$WORK/x.sql"
expect_err "the SQL export does not apply seasonal adjustments" "sql export"
run 2 "export --points" -- $HEALTHCAL export -c "$WORK/fit.json" --points -o "$WORK/x.csv"
expect_err "does not apply seasonal adjustments" "points export"
[ -e "$WORK/x.sql" ] || [ -e "$WORK/x.csv" ] && fail "an export written" || ok
finish
