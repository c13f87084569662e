#!/bin/sh
# export_points.sh - `healthcal export --points`: the scorecard of a
# hand-written config against a hand computation, and the points of fitted
# configs summing to 100.
#
# data/export/points_expected.csv, by hand: weights 0.125, 0.125, 0.75 are
# 12.5, 12.5 and 75 points; Hamilton's method floors them to 12 + 12 + 75 =
# 99 and gives the last point to the largest remainder, a tie of 0.5
# between usage and support won by the earlier, usage: 13, 12, 75. Usage's
# metrics weigh 1 and 3, so logins earn 13 x 1/4 x s/100 (s = 0, 25, ...,
# 100 at 0, 5, ..., 20 logins: 0, 0.8125, ..., 3.25) and adoption (identity)
# 13 x 3/4 x s/100. Support's log transform on [0, 15] reversed: log1p is
# evenly spaced at 16^(i/4) - 1 = 0, 1, 3, 7, 15 tickets, scoring 100, 75,
# 50, 25, 0, i.e. 12 x s/100 points. Financial's piecewise knots 0, 30, 90
# days score 100, 40, 0: 75, 30, 0 points. The bands are named by letters,
# so they are the grades.
. "$(dirname "$0")/lib.sh"
D="$DATA/export"
S="$(cd "$HERE/../.." && pwd)/datasets/sample"

run 0 "export --points" -- $HEALTHCAL export -c "$D/points.json" --points -o "$WORK/points.csv"
# numbers to 1e-9 (the log grid's 16^(1/4) - 1 is computed, not typed),
# text exactly
awk -F, 'NR == FNR { want[FNR] = $0; n = FNR; next }
    { got[FNR] = $0; m = FNR }
    END {
        if (n != m) { print "rows: " m ", expected " n; exit 1 }
        for (r = 1; r <= n; r++) {
            a = split(want[r], w, ","); b = split(got[r], g, ",")
            if (a != b) { print "row " r ": " got[r] ", expected " want[r]; bad = 1; continue }
            for (i = 1; i <= a; i++) {
                if (w[i] ~ /^-?[0-9.]+$/ && g[i] ~ /^-?[0-9.e+-]+$/) {
                    d = w[i] - g[i]; if (d < 0) d = -d
                    if (d > 1e-9) { print "row " r " field " i ": " g[i] ", expected " w[i]; bad = 1 }
                } else if (w[i] != g[i]) { print "row " r " field " i ": [" g[i] "], expected [" w[i] "]"; bad = 1 }
            }
        }
        exit bad
    }' "$D/points_expected.csv" "$WORK/points.csv" >"$WORK/cmp" && ok ||
    { fail "points scorecard differs from the hand computation"; cat "$WORK/cmp"; }

# Bands not named by letters: no grades.
sed -e 's/"name": "F"/"name": "red"/; s/"name": "D"/"name": "amber"/' "$D/points.json" >"$WORK/named.json"
run 0 "export --points, named bands" -- $HEALTHCAL export -c "$WORK/named.json" --points
[ "$(awk -F, '$1 == "band" && $9 != ""' "$WORK/out" | wc -l)" = 0 ] && ok || fail "grades given for bands not named by letters"
grep -q '^band,,,,0,,0,red,$' "$WORK/out" && ok || fail "band row without grade"

# A fitted config with segment overrides: every weights table sums to 100.
run 0 "fit --segments" -- $HEALTHCAL fit -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --segments -o "$WORK/tuned.json"
run 0 "export --points of the tuned config" -- $HEALTHCAL export -c "$WORK/tuned.json" --points
awk -F, '$1 == "weights" { sum[$2] += $7; n[$2]++ }
    END { for (s in sum) { k++; if (sum[s] != 100) { print "segment [" s "]: " sum[s]; bad = 1 } }
          if (k != 4) { print k " weight tables, expected 4 (top level and 3 segments)"; bad = 1 }
          exit bad }' "$WORK/out" >"$WORK/cmp" && ok || { fail "points do not sum to 100"; cat "$WORK/cmp"; }
# every grid point earns between 0 and its component's points
awk -F, '$1 == "weights" && $2 == "" { p[$3] = $7 } $1 == "grid" && ($7 < 0 || $7 > p[$3] + 1e-9) { print; bad = 1 } END { exit bad }' \
    "$WORK/out" >"$WORK/cmp" && ok || { fail "grid points outside the component's points"; cat "$WORK/cmp"; }
finish
