#!/bin/sh
# degenerate.sh - degenerate statistics: a clear cause and exit 3, or a documented fallback.
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"

# no churners in the history
grep -v ",churn," "$S/events.csv" >"$WORK/nochurn.csv"
run 3 "no churners" -- $HEALTHCAL fit -q -s "$S/snapshots.csv" -e "$WORK/nochurn.csv" -c "$S/current.json" -o "$WORK/o.json"
expect_err "no churners: all 23661 rows have label 0" "no churners explained"
[ ! -e "$WORK/o.json" ] && ok || fail "no churners: config written"

# only churners
printf 'y,x\n1,1\n1,2\n1,3\n1,4\n' >"$WORK/allone.csv"
run 3 "only churners" -- $HEALTHCAL fit --observations "$WORK/allone.csv" --label y --features x
expect_err "all 4 rows have label 1" "only churners explained"

# one account (its churn is the last date, so its windows are censored: no churner)
awk -F, 'NR == 1 || $1 == "A000010"' "$S/snapshots.csv" >"$WORK/one.csv"
grep "A000010\|account_id" "$S/events.csv" >"$WORK/one_ev.csv"
run 3 "one account" -- $HEALTHCAL fit -q -s "$WORK/one.csv" -e "$WORK/one_ev.csv" -c "$S/current.json" -o "$WORK/o.json"
expect_err "no churners" "one account explained"

# one snapshot date: a cross-section fits, but no backtest fold exists
awk -F, 'NR == 1 || $2 == "2024-06-03"' "$S/snapshots.csv" >"$WORK/date.csv"
run 3 "one snapshot date backtest" -- $HEALTHCAL backtest -q -s "$WORK/date.csv" -e "$S/events.csv" -c "$S/current.json" -o "$WORK/bt"
expect_err "too short for one fold" "one snapshot date explained"

# a constant metric
awk -F, 'BEGIN { OFS = "," } NR == 1 { print $0, "flat"; next } { print $0, 5 }' "$S/snapshots.csv" >"$WORK/const.csv"
cat >"$WORK/const.json" <<'JSON'
{"schema": "healthcal-model/1", "components": [
 {"name": "financial", "weight": 0.5, "metrics": [{"column": "days_past_due",
   "transform": {"type": "linear", "low": 0, "high": 60, "higher_is_healthier": false}}]},
 {"name": "flatline", "weight": 0.5, "metrics": [{"column": "flat",
   "transform": {"type": "linear", "low": 0, "high": 10, "higher_is_healthier": true}}]}],
 "bands": [{"name": "red", "min": 0}, {"name": "green", "min": 50}]}
JSON
run 3 "constant metric" -- $HEALTHCAL fit -q -s "$WORK/const.csv" -e "$S/events.csv" -c "$WORK/const.json" -o "$WORK/o.json"
expect_err "column 'flatline' is constant" "constant metric named"

# two identical metrics
sed 's/"flatline"/"billing"/; s/"flat",/"days_past_due",/; s/"low": 0, "high": 10, "higher_is_healthier": true/"low": 0, "high": 60, "higher_is_healthier": false/' \
    "$WORK/const.json" >"$WORK/same.json"
run 3 "identical metrics" -- $HEALTHCAL fit -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/same.json" -o "$WORK/o.json"
expect_err "columns 'financial' and 'billing' are collinear" "identical metrics named"

# perfect separation
printf 'y,x,z\n0,1,5\n0,2,3\n0,3,8\n1,4,1\n1,5,7\n1,6,2\n' >"$WORK/sep.csv"
run 3 "perfect separation" -- $HEALTHCAL fit --observations "$WORK/sep.csv" --label y --features x,z
expect_err "column 'x' alone predicts the outcome" "separating column named"
expect_err "--ridge" "separation suggests --ridge"
run 0 "separation with --ridge" -- $HEALTHCAL fit --observations "$WORK/sep.csv" --label y --features x,z --ridge 1

# a segment with a handful of events: the documented fallback, stated
awk -F, 'BEGIN { OFS = "," } NR == 1 { print; next } { if ($1 == "A000010") $3 = "tiny"; print }' \
    "$S/snapshots.csv" >"$WORK/seg.csv"
run 0 "segment with few events" -- $HEALTHCAL fit -q -s "$WORK/seg.csv" -e "$S/events.csv" -c "$S/current.json" --segments -o "$WORK/seg.json"
grep '^tiny ' "$WORK/out" | grep -q "pooled weights used" && ok || fail "tiny segment: fallback not stated"
# no NaN or Inf in any output
grep -qiE '[^a-z_](nan|-?inf(inity)?)[^a-z_]' "$WORK/seg.json" && fail "NaN/Inf in the tuned config" || ok
# validate: a degenerate piece is reported as not estimable, the rest is
# computed, and the exit status is 5 (healthcal validate --help), not 3.
# A config whose yellow (and green) band gets no rows:
sed 's/"min": 40.0$/"min": 99.99/; s/"min": 70.0$/"min": 99.995/' \
    "$S/current.json" >"$WORK/noyellow.json"
grep -q '"min": 99.99' "$WORK/noyellow.json" && ok || fail "noyellow.json: bands not rewritten"
run 5 "validate: empty band" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/noyellow.json" --json "$WORK/ny.json"
grep -q "yellow .*not estimable (no rows in band yellow)" "$WORK/out" && ok || fail "empty band: not said"
grep -q "ROC AUC  *0\.7619" "$WORK/out" && ok || fail "empty band: the rest not computed"
grep -q '"not_estimable": "no rows in band yellow"' "$WORK/ny.json" && ok || fail "empty band: JSON reason"
grep -A8 '"name": "yellow"' "$WORK/ny.json" | grep -q '"churn_rate": null' && ok || fail "empty band: JSON null"
grep -qiE '[:,[][[:space:]]*-?(nan|inf)' "$WORK/ny.json" && fail "empty band: NaN in JSON" || ok
# A config with segments, evaluated on a history where one segment has no churners.
run 0 "fit --segments" -- $HEALTHCAL fit -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --segments -o "$WORK/segcfg.json"
awk -F, 'NR > 1 && $3 == "enterprise" { print $1 }' "$S/snapshots.csv" | sort -u >"$WORK/ent.txt"
awk -F, 'NR == FNR { e[$1] = 1; next } !(($1 in e) && $3 == "churn")' "$WORK/ent.txt" "$S/events.csv" >"$WORK/ev_noent.csv"
run 5 "validate: segment without churners" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$WORK/ev_noent.csv" -c "$WORK/segcfg.json" --json "$WORK/sg.json"
grep -q "enterprise .*not estimable (no churners in segment enterprise)" "$WORK/out" && ok || fail "segment: not said"
grep -q "^  smb .*AUC 0\.[0-9]" "$WORK/out" && ok || fail "segment: the other segments not computed"
grep -q '"not_estimable": "no churners in segment enterprise"' "$WORK/sg.json" && ok || fail "segment: JSON reason"
grep -qiE '[:,[][[:space:]]*-?(nan|inf)' "$WORK/sg.json" && fail "segment: NaN in JSON" || ok
# No churners at all: still a failure (exit 3) with the cause.
run 3 "validate: no churners at all" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$WORK/nochurn.csv" -c "$S/current.json"
expect_err "churn" "validate: no churners explained"
run 0 "validate --help" -- $HEALTHCAL validate --help
grep -q "5 results written, but some pieces" "$WORK/out" && ok || fail "--help: exit status 5 not documented"
finish
