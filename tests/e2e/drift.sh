#!/bin/sh
# drift.sh - `healthcal drift` on a hand-made history; PSI values from R.
# The PSI values and band shares below come from `Rscript tests/reference/drift.R`
# (part 1): health 1.5468210467506567, usage 1.6603304186730463, support
# 0.032833287500207933; band shares baseline 0.20/0.55/0.25, current
# 0.3158/0.6316/0.0526. Churn rates by hand from events.csv (horizon 30):
# baseline 1 churner (k05 on 01-22, churn 02-10) of 20, current 3 (k05 on
# 02-05, k07 on 02-05 and 02-19, churn 03-01) of 19.
. "$(dirname "$0")/lib.sh"
D="$DATA/drift"
B=2024-01-01:2024-01-31
C=2024-02-01:2024-02-29

run 0 "drift" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" -e "$D/events.csv" --baseline $B --current $C --json "$WORK/drift.json"
cp "$WORK/out" "$WORK/report.txt"
expect_out() {
    if grep -qF -- "$1" "$WORK/report.txt"; then ok; else
        fail "$2: report lacks '$1'"
    fi
}
expect_out "baseline 2024-01-01:2024-01-31: 20 snapshots of 10 accounts (20 scored)" "baseline rows"
expect_out "current  2024-02-01:2024-02-29: 19 snapshots of 10 accounts (19 scored)" "current rows"
expect_out "health                   20         19    1.5468  recalibrate" "health PSI"
expect_out "usage                    20         19    1.6603  recalibrate" "usage PSI"
expect_out "support                  20         19    0.0328  stable" "support PSI"
expect_out "red                  20.0%     31.6%          +11.6" "red share shift"
expect_out "green                25.0%      5.3%          -19.7" "green share shift"
expect_out "baseline    5.00%  (1 churners of 20 observations; 0 censored, 0 after churn)" "baseline churn rate"
expect_out "current    15.79%  (3 churners of 19 observations; 0 censored, 0 after churn)" "current churn rate"
expect_out "verdict: recalibrate (health PSI 1.5468 >= 0.25)" "verdict"
grep -q '"verdict": "recalibrate"' "$WORK/drift.json" && ok || fail "json verdict"
grep -q '"psi": 1.5468210467506' "$WORK/drift.json" && ok || fail "json health PSI (15 digits)"
grep -q '"psi": 0.0328332875002' "$WORK/drift.json" && ok || fail "json support PSI"
grep -q '"rate": 0.157894736842105' "$WORK/drift.json" && ok || fail "json current churn rate (3/19)"

# identical periods: every PSI is 0; JSON to stdout sends the text to stderr
run 0 "drift identical periods" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline $B --current $B --json -
grep -q '"verdict": "stable"' "$WORK/out" && ok || fail "identical periods: stable"
[ "$(grep -c '"psi": 0,\|"psi": 0.0,' "$WORK/out")" = 3 ] && ok || fail "identical periods: three PSI of 0"
expect_err "verdict: stable (every PSI below 0.1)" "text report on stderr with --json -"

# no events: no churn section
run 0 "drift without events" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline $B --current $C
grep -q "churn base rate" "$WORK/out" && fail "churn section without events" || ok

# usage and data errors
run 1 "bad --baseline" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline 2024-01-01-2024-01-31 --current $C
expect_err "option '--baseline': '2024-01-01-2024-01-31' is not a period FROM:TO" "bad baseline syntax"
run 1 "reversed --current" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline $B --current 2024-02-29:2024-02-01
expect_err "ends before it starts" "reversed period"
run 1 "missing --current" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline $B
expect_err "'--current' are required" "missing period"
run 2 "empty period" -- $HEALTHCAL drift -c "$D/config.json" -s "$D/snapshots.csv" --baseline 2023-01-01:2023-12-31 --current $C
expect_err "the baseline period 2023-01-01:2023-12-31 holds no snapshot (the data run from 2024-01-08 to 2024-03-25)" "empty period named"
sed '1s/support_score/support/' "$D/snapshots.csv" >"$WORK/no_support.csv"
run 2 "missing column" -- $HEALTHCAL drift -c "$D/config.json" -s "$WORK/no_support.csv" --baseline $B --current $C
expect_err "components[1].metrics[0].column: column 'support_score' is not in" "missing column named by its key"
finish
