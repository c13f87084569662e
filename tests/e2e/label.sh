#!/bin/sh
# label.sh - `healthcal label` on hand-written files with expected output.
. "$(dirname "$0")/lib.sh"
D="$DATA/label"

run 0 "label" -- $HEALTHCAL label -s "$D/snapshots.csv" -e "$D/events.csv" -o "$WORK/obs.csv"
same_file "$D/expected.csv" "$WORK/obs.csv" "label output"
expect_err "observations:              7" "summary counts observations"
expect_err "censored (window after 2024-04-10): 1" "summary counts censored rows"
expect_err "events of unknown accounts: 1" "summary counts unknown accounts"

# to stdout, same bytes
run 0 "label to stdout" -- $HEALTHCAL label -q -s "$D/snapshots.csv" -e "$D/events.csv"
same_file "$D/expected.csv" "$WORK/out" "label to stdout"

# semicolon delimiter (European exports)
tr ',' ';' <"$D/events.csv" >"$WORK/events_semi.csv"
sed 's/"Ent, Inc"/"Ent; Inc"/' "$D/snapshots.csv" | tr ',' ';' >"$WORK/snap_semi.csv"
run 0 "label --delimiter ;" -- $HEALTHCAL label -q -d ';' -s "$WORK/snap_semi.csv" -e "$WORK/events_semi.csv" -o "$WORK/semi.csv"
sed 's/"Ent, Inc"/"Ent; Inc"/' "$D/expected.csv" | sed 's/"Ent; Inc"/Ent; Inc/' >"$WORK/semi_expected.csv"
[ "$(wc -l <"$WORK/semi.csv")" = 8 ] && ok || fail "semicolon: 7 observations expected"

# horizon 7: a1 churn on 01-31 only labels the 01-22 and 01-29.. rows
run 0 "label --horizon 7" -- $HEALTHCAL label -q --horizon 7 -s "$D/snapshots.csv" -e "$D/events.csv" -o "$WORK/h7.csv"
[ "$(grep -c ',1,0$' "$WORK/h7.csv")" = 0 ] && grep -q '^a1,2024-01-22,smb,1200,30,0,0$' "$WORK/h7.csv" && ok || fail "horizon 7: no churn label expected (01-22 + 7 = 01-29 < 01-31)"

# lead 5, horizon 30: a1 01-01 window (01-06, 02-05] holds the churn
run 0 "label --lead 5" -- $HEALTHCAL label -q --lead 5 -s "$D/snapshots.csv" -e "$D/events.csv" -o "$WORK/lead.csv"
grep -q '^a1,2024-01-01,smb,1200,50,1,0$' "$WORK/lead.csv" && ok || fail "lead 5: a1 01-01 is churn"

# usage errors
run 1 "missing --snapshots" -- $HEALTHCAL label -e "$D/events.csv"
expect_err "'--snapshots' is required" "missing --snapshots named"
run 1 "horizon 0" -- $HEALTHCAL label -s "$D/snapshots.csv" -e "$D/events.csv" --horizon 0
expect_err "--horizon" "horizon 0 names the option"
run 1 "as-of before data" -- $HEALTHCAL label -s "$D/snapshots.csv" -e "$D/events.csv" --as-of 2020-01-01
expect_err "before the first snapshot" "as-of before all data"
run 2 "horizon longer than data" -- $HEALTHCAL label -s "$D/snapshots.csv" -e "$D/events.csv" --horizon 3000
expect_err "no observations" "horizon longer than data"

# an existing output is left untouched on error
echo keep >"$WORK/keep.csv"
run 2 "bad date leaves output" -- $HEALTHCAL label -s "$D/snapshots.csv" -e "$D/events.csv" --horizon 3000 -o "$WORK/keep.csv"
[ "$(cat "$WORK/keep.csv")" = keep ] && ok || fail "existing output was modified"
[ "$(ls "$WORK" | grep -c tmp)" = 0 ] && ok || fail "temporary file left behind"

# refuses to overwrite an input
cp "$D/snapshots.csv" "$WORK/snap.csv"
run 1 "output over input" -- $HEALTHCAL label -s "$WORK/snap.csv" -e "$D/events.csv" -o "$WORK/snap.csv"
expect_err "refusing to overwrite" "output over input refused"
cmp -s "$D/snapshots.csv" "$WORK/snap.csv" && ok || fail "input was modified"

# full disk
if [ -w /dev/full ]; then
    run 4 "write to /dev/full" -- $HEALTHCAL label -q -s "$D/snapshots.csv" -e "$D/events.csv" -o /dev/full
fi
finish
