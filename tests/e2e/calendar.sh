#!/bin/sh
# calendar.sh - validate's calibration by calendar month on the sample: the
# month's snapshots and churner snapshots equal an independent count over
# label's observation table (awk on snapshot_date and churn), the months
# add up to the validation's rows and churners, and the simulator's
# seasonal dip (usage falls every August and December, churn does not)
# shows as over-prediction there: O/E below 1 in both months.
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"

run 0 "label" -- $HEALTHCAL label -s "$S/snapshots.csv" -e "$S/events.csv" -o "$WORK/obs.csv"
run 0 "validate --format csv --csv-table calibration_by_month" -- $HEALTHCAL validate \
    -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --bootstrap 0 \
    --format csv --csv-table calibration_by_month
cp "$WORK/out" "$WORK/months.csv"
[ "$(head -1 "$WORK/months.csv" | cut -d, -f1-5)" = "month,name,snapshots,accounts,churner_snapshots" ] &&
    ok || fail "unexpected header: $(head -1 "$WORK/months.csv")"
# The independent count: month of snapshot_date, rows and churn = 1.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "snapshot_date") d = i; if ($i == "churn") c = i }; next }
         { m = substr($d, 6, 2) + 0; n[m]++; y[m] += $c }
         END { for (m = 1; m <= 12; m++) if (n[m]) print m "," n[m] "," y[m] }' "$WORK/obs.csv" >"$WORK/expected"
cut -d, -f1,3,5 "$WORK/months.csv" | sed 1d >"$WORK/got"
same_file "$WORK/expected" "$WORK/got" "snapshots and churner snapshots per month"
rows=$(awk -F, 'NR > 1 { s += $3 } END { print s }' "$WORK/months.csv")
churn=$(awk -F, 'NR > 1 { s += $5 } END { print s }' "$WORK/months.csv")
[ "$rows,$churn" = "23661,270" ] && ok || fail "months add to $rows rows, $churn churners"
# over-predicted August and December (O/E is column 10)
awk -F, 'NR > 1 && ($1 == 8 || $1 == 12) { if ($10 >= 1) bad++ } END { exit bad > 0 }' \
    "$WORK/months.csv" && ok || fail "August or December not over-predicted: $(grep -E '^(8|12),' "$WORK/months.csv")"
# every interval holds its estimate
awk -F, 'NR > 1 { if (!($8 <= $7 && $7 <= $9 && $11 <= $10 && $10 <= $12)) bad++ } END { exit bad > 0 }' \
    "$WORK/months.csv" && ok || fail "an interval does not hold its estimate"
# the text section
run 0 "validate text" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" \
    -c "$S/current.json" --bootstrap 0
grep -q "^calibration by calendar month" "$WORK/out" && grep -q "^  Aug " "$WORK/out" && ok ||
    fail "no calendar-month section in the text"
# --cluster-col none: no accounts to cluster by, so no table
run 0 "validate --cluster-col none" -- $HEALTHCAL validate -s "$S/snapshots.csv" \
    -e "$S/events.csv" -c "$S/current.json" --bootstrap 0 --cluster-col none --json "$WORK/n.json"
grep -q calibration_by_month "$WORK/n.json" && fail "a month table without clusters" || ok
finish
