#!/bin/sh
# combined.sh - every shape of issue 15 at once, on the hand-made seat
# history tests/e2e/data/combined (make_data.py wrote it): user rows (one
# per user and week) rolled up to the account, a letter grade in messy
# case, a traffic-light colour and a yes/no flag read as categorical
# metrics, and segments that are the product of the plan and a lifecycle
# stage (onboarding for the first 90 days after the start_date column),
# with a hand-set weight override for "pro x onboarding".
#
# Expected values: data/combined/expected.csv, written by reference.py
# with pandas from the rules in its docstring (roll-up, tenure, levels,
# weights, renormalisation, logistic), independently of healthcal.
. "$(dirname "$0")/lib.sh"
D="$DATA/combined"
C="$D/combined.json"

run 0 "predict every snapshot" -- $HEALTHCAL predict -c "$C" -s "$D/users.csv" --all-snapshots \
    --draws 0 -o "$WORK/pred.csv"
expect_err "user rows read:            538 (48 users), rolled up to 275 account snapshots" \
    "users and accounts counted"
# health to predict's 4 decimals, P(churn) to its 6 significant digits,
# the segment key, and the band from the health.
if awk -F, '
    NR == FNR { k = $1 "," $2; key[k] = $3; h[k] = $4; p[k] = $5; n++; next }
    FNR == 1 { next }
    { k = $1 "," $2; seen++
      if (!(k in h)) { print "row " k " not expected"; bad = 1; next }
      d = h[k] - $5; if (d < 0) d = -d
      if (d > 0.5e-4 + 1e-9) { print k ": health " $5 ", pandas " h[k]; bad = 1 }
      d = (p[k] - $7) / p[k]; if (d < 0) d = -d
      if (d > 5e-6) { print k ": p " $7 ", pandas " p[k]; bad = 1 }
      if ($3 != key[k]) { print k ": segment \"" $3 "\", pandas \"" key[k] "\""; bad = 1 }
      band = $5 >= 70 ? "green" : $5 >= 40 ? "yellow" : "red"
      if ($6 != band) { print k ": band " $6; bad = 1 } }
    END { if (seen != n) { print seen " rows scored, " n " expected"; bad = 1 }
          exit bad }' "$D/expected.csv" "$WORK/pred.csv" >"$WORK/diff"; then ok; else
    fail "predict differs from pandas: $(head -3 "$WORK/diff")"
fi

# The weight override of the derived key was in force: pandas weighs the
# 37 "pro x onboarding" rows 0.7 0.1 0.1 0.1, and they matched.
[ "$(grep -c ',pro x onboarding,' "$D/expected.csv")" = 37 ] && ok ||
    fail "expected.csv lacks the pro onboarding rows"

# fit --segments: one shrunk model per cell of plan x stage, credibility
# Z = C / (C + k) with C the cell's churned accounts; here no component
# has an own fit in 3 cells, so k = 10 K = 40 (K = 4 components).
run 0 "fit --segments" -- $HEALTHCAL fit -c "$C" -s "$D/users.csv" -e "$D/events.csv" \
    --segments -o "$WORK/tuned.json"
for key in "basic x tenured" "basic x onboarding" "pro x tenured" "pro x onboarding"; do
    grep -q "\"segment\": \"$key\"" "$WORK/tuned.json" && ok || fail "no segment '$key' in the tuned config"
done
if awk '$1 ~ /^(basic|pro)$/ && $2 == "x" { c = $6; z = $7
        e = c / (c + 40) - z; if (e < 0) e = -e; n++
        if (e > 0.0005) { print $0; bad = 1 } }
        END { exit bad || n != 4 }' "$WORK/out" >"$WORK/z"; then ok; else
    fail "credibility is not C / (C + 40): $(head -2 "$WORK/z")"
fi
grep -q '"lifecycle"' "$WORK/tuned.json" && grep -q '"rollup"' "$WORK/tuned.json" &&
    grep -q '"categorical"' "$WORK/tuned.json" && ok || fail "the tuned config lost a shape"

# The tuned config scores the same rows (round trip), and the other
# commands run on the user rows.
run 0 "predict with the tuned config" -- $HEALTHCAL predict -c "$WORK/tuned.json" \
    -s "$D/users.csv" --all-snapshots --draws 0 -o "$WORK/pred2.csv"
[ "$(wc -l <"$WORK/pred2.csv")" = 276 ] && ok || fail "tuned predict rows: $(wc -l <"$WORK/pred2.csv")"
grep -qi nan "$WORK/pred2.csv" && fail "NaN in the tuned predictions" || ok
run 0 "validate" -- $HEALTHCAL validate -q --bootstrap 0 -c "$C" -s "$D/users.csv" -e "$D/events.csv"
run 0 "report" -- $HEALTHCAL report -c "$C" -s "$D/users.csv" -e "$D/events.csv" -o "$WORK/rep"
[ -s "$WORK/rep/users.csv" ] && ok || fail "the report lists no users"
# The SQL export cannot derive the key: refused, naming it.
run 2 "export a derived key" -- $HEALTHCAL export -c "$C" --sql sqlite
expect_err "columns.segment: the SQL export does not derive segment keys (the key 'plan x lifecycle'" \
    "derived key refused by the SQL export"
finish
