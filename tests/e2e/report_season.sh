#!/bin/sh
# report_season.sh - the report's seasons section (issue 15): index.html and
# summary.md show calibration and false red flags by calendar month, and
# their counts are validate's for the same config and history (the report
# validates the current config on every labelled snapshot).
. "$(dirname "$0")/lib.sh"

run 0 "simulate" -- $HEALTHCAL simulate --accounts 120 --weeks 60 --seed 11 -o "$WORK/sim" -q
S="$WORK/sim"
run 0 "report" -- $HEALTHCAL report -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" \
    -o "$WORK/rep" -q
grep -q '<section id="seasons"' "$WORK/rep/index.html" && ok || fail "no seasons section in index.html"
grep -q 'href="#seasons"' "$WORK/rep/index.html" && ok || fail "seasons not in the contents"
grep -q '^## Seasons: calibration and false red flags by calendar month' "$WORK/rep/summary.md" &&
    ok || fail "no seasons section in summary.md"
run 0 "validate" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" \
    -c "$S/current.json" --bootstrap 0 -q
# validate's false red flag rows (month, non-churning accounts, flagged)
awk '/^false red flags by calendar month/ { on = 1; next } on && /^  [A-Z][a-z][a-z] / { print $1, $2, $3 }
     on && /^  pooled/ { exit }' "$WORK/out" >"$WORK/want"
sed -n '/^## Seasons/,/^## [^S]/p' "$WORK/rep/summary.md" |
    awk -F' [|] ' '/^[|] [A-Z][a-z]+ [|] [0-9]+ [|] [0-9]+ [|] [0-9.]+ \(/ { sub(/^[|] /, "", $1); print substr($1, 1, 3), $2, $3 }' >"$WORK/got"
[ -s "$WORK/want" ] && ok || fail "validate printed no false red flags"
same_file "$WORK/want" "$WORK/got" "false red flags: report vs validate"
# data/seasons.csv holds the same false red flags (month, accounts,
# flagged), and each share's interval is the Wilson interval of its counts
# (closed form, z = 1.959964: R's prop.test(x, n, correct = FALSE))
awk -F, 'NR > 1 && NR <= 13 && $11 != "" { print substr($1, 1, 3), $11, $12 }' \
    "$WORK/rep/data/seasons.csv" >"$WORK/got_csv"
same_file "$WORK/want" "$WORK/got_csv" "false red flags: seasons.csv vs validate"
[ "$(wc -l <"$WORK/rep/data/seasons.csv")" = 15 ] && ok || fail "seasons.csv: not 12 months + 2 pooled rows"
awk -F, 'NR > 1 && $11 != "" { n = $11; x = $12; z = 1.959964; p = x / n
        c = (p + z * z / (2 * n)) / (1 + z * z / n); h = z / (1 + z * z / n) * sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        if ((c - h - $14) ^ 2 > 1e-12 || (c + h - $15) ^ 2 > 1e-12 || (p - $13) ^ 2 > 1e-24) bad = 1; k++ }
    END { exit bad || k < 3 }' "$WORK/rep/data/seasons.csv" && ok || fail "seasons.csv: a share or Wilson interval off"
# O/E rows: one per month with snapshots, as in validate
n_val=$(awk '/^calibration by calendar month/ { on = 1; next } on && /^  [A-Z][a-z][a-z] / { n++ } on && /^  (no month|calibration differs)/ { exit } END { print n + 0 }' "$WORK/out")
n_rep=$(sed -n '/^## Seasons/,/^False red flags/p' "$WORK/rep/summary.md" | grep -c '^| [A-Z][a-z]* | [0-9]')
[ "$n_val" = "$n_rep" ] && [ "$n_rep" -gt 0 ] && ok || fail "months with O/E: validate $n_val, report $n_rep"
# every number an analyst sees says its unit
grep -q 'flagged red (accounts)' "$WORK/rep/summary.md" && grep -q 'account-months' "$WORK/rep/index.html" &&
    ok || fail "a seasons table without its unit"
finish
