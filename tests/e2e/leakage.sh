#!/bin/sh
# leakage.sh - `healthcal validate` and `healthcal report` warn of a component that knows the future (audit item 8).
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"

# A column built from the outcome: 10 for every snapshot of an account that
# churns at any time (even years later), 90 otherwise, flipped for one
# account in 25 (so that the fit of the report sees no separation). It
# knows the future.
awk -F, 'NR == FNR { if ($3 == "churn") c[$1] = 1; next }
         FNR == 1 { print $0 ",renewal_intent"; next }
         { flip = (substr($1, 2) + 0) % 25 == 0; print $0 "," ((($1 in c) != flip) ? 10 : 90) }' \
    "$S/events.csv" "$S/snapshots.csv" >"$WORK/snap.csv"
cat >"$WORK/leaky.json" <<'JSON'
{"schema": "healthcal-model/1", "components": [
 {"name": "financial", "weight": 0.4, "metrics": [{"column": "days_past_due",
   "transform": {"type": "linear", "low": 0, "high": 60, "higher_is_healthier": false}}]},
 {"name": "usage", "weight": 0.4, "metrics": [{"column": "logins_per_week",
   "transform": {"type": "linear", "low": 0, "high": 20, "higher_is_healthier": true}}]},
 {"name": "renewal", "weight": 0.2, "metrics": [{"column": "renewal_intent",
   "transform": {"type": "linear", "low": 0, "high": 100, "higher_is_healthier": true}}]}],
 "bands": [{"name": "red", "min": 0}, {"name": "green", "min": 50}]}
JSON
# The same without the leaky component.
cat >"$WORK/honest.json" <<'JSON'
{"schema": "healthcal-model/1", "components": [
 {"name": "financial", "weight": 0.5, "metrics": [{"column": "days_past_due",
   "transform": {"type": "linear", "low": 0, "high": 60, "higher_is_healthier": false}}]},
 {"name": "usage", "weight": 0.5, "metrics": [{"column": "logins_per_week",
   "transform": {"type": "linear", "low": 0, "high": 20, "higher_is_healthier": true}}]}],
 "bands": [{"name": "red", "min": 0}, {"name": "green", "min": 50}]}
JSON

run 0 "validate leaky" -- $HEALTHCAL validate -q -s "$WORK/snap.csv" -e "$S/events.csv" -c "$WORK/leaky.json" --json "$WORK/l.json"
grep -q "possible leakage: component 'renewal' alone has ROC AUC" "$WORK/out" && ok || fail "leaky: component not named"
grep -q "timestamps" "$WORK/out" && ok || fail "leaky: no advice to check timestamps"
grep -q "component 'financial' alone\|component 'usage' alone" "$WORK/out" && fail "leaky: an honest component flagged" || ok
grep -A2 '"warnings": \[' "$WORK/l.json" | grep -q "'renewal'" && ok || fail "leaky: warning missing from the JSON"

run 0 "validate honest" -- $HEALTHCAL validate -q -s "$WORK/snap.csv" -e "$S/events.csv" -c "$WORK/honest.json" --json "$WORK/h.json"
grep -q "possible leakage" "$WORK/out" && fail "honest: warned" || ok
grep -q '"warnings": \[\]' "$WORK/h.json" && ok || fail "honest: warnings not empty"

# The report carries the warning among its caveats.
run 0 "report leaky" -- $HEALTHCAL report -q --snapshots "$WORK/snap.csv" --events "$S/events.csv" \
    --config "$WORK/leaky.json" -o "$WORK/rep"
grep -rq "Possible leakage" "$WORK/rep" && ok || fail "report: no leakage caveat"
finish
