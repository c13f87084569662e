#!/bin/sh
# trend.sh - trend metrics end to end (issue 15) on the hand-made history
# tests/e2e/data/categorical (weekly logins per account): a 28-day ratio and
# a 21-day slope of logins (data/categorical/trend.json).
#
# Expected values: by hand from the CSV (C002's logins 9.0, 8.2, 9.9, 11.3,
# 7.7 on 2025-01-06 .. 2025-02-03; the arithmetic is in the comments), and
# the no-look-ahead property: deleting every row after a date changes no
# score on or before it, through the predict path (tests/tools/score_dump).
. "$(dirname "$0")/lib.sh"
D="$DATA/categorical"
DUMP="${HC_TOOLS:-$HERE/../../build/tools}/score_dump"
[ -x "$DUMP" ] || { echo "FAIL: $DUMP not built (make e2e builds it)"; exit 1; }

close() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

run 0 "score_dump trend" -- "$DUMP" "$D/trend.json" "$D/snapshots.csv"
sort "$WORK/out" >"$WORK/full.csv"
# C002 2025-01-27: the 28-day ratio has no base (first snapshot 2025-01-06
# is after 2024-12-30): missing; the 21-day slope over 9.0 8.2 9.9 11.3 at
# days -21 -14 -7 0: sxy 30.1, sxx 245, 21 x 30.1 / 245 = 2.58 -> linear
# (-6, 6): 100 x 8.58 / 12 = 71.5; the component is that alone.
row=$(grep '^C002,2025-01-27,' "$WORK/full.csv")
[ -z "$(echo "$row" | cut -d, -f4)" ] && ok || fail "short history not missing: $row"
if close "$(echo "$row" | cut -d, -f7)" 71.5 1e-9; then ok; else fail "slope score: $row"; fi
# C002 2025-02-03: ratio 7.7 / 9.0 - 1 -> 100 x (0.5 - 0.14444) = 35.5556;
# slope over 8.2 9.9 11.3 7.7: sxy -0.35 -> 21 x -0.35 / 245 = -0.03 ->
# 49.75; component (35.5556 + 49.75) / 2 = 42.652777...
row=$(grep '^C002,2025-02-03,' "$WORK/full.csv")
if close "$(echo "$row" | cut -d, -f4)" 35.555555555555556 1e-9; then ok; else fail "ratio: $row"; fi
if close "$(echo "$row" | cut -d, -f7)" 42.652777777777778 1e-9; then ok; else fail "component: $row"; fi
grep -qi 'nan\|inf' "$WORK/full.csv" && fail "NaN or inf in the scores" || ok

# No look-ahead: the history cut after 2025-03-10 scores every earlier row
# exactly as the full history does.
awk -F, 'NR == 1 || $2 <= "2025-03-10"' "$D/snapshots.csv" >"$WORK/cut.csv"
run 0 "score_dump cut history" -- "$DUMP" "$D/trend.json" "$WORK/cut.csv"
sort "$WORK/out" >"$WORK/cut.out"
awk -F, '$2 <= "2025-03-10"' "$WORK/full.csv" >"$WORK/full.early"
[ -s "$WORK/cut.out" ] && ok || fail "no rows before the cut"
same_file "$WORK/full.early" "$WORK/cut.out" "trend scores before the cut"

# fit, validate, predict and backtest all take the trend config.
run 0 "fit trend" -- $HEALTHCAL fit --config "$D/trend.json" --snapshots "$D/snapshots.csv" \
    --events "$D/events.csv" -o "$WORK/tuned.json"
grep -q '"kind": "ratio"' "$WORK/tuned.json" && ok || fail "tuned config lost the trend"
run 0 "validate trend" -- $HEALTHCAL validate --config "$WORK/tuned.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
run 0 "predict trend" -- $HEALTHCAL predict --config "$WORK/tuned.json" \
    --snapshots "$D/snapshots.csv" -o "$WORK/pred.csv"
grep -qi 'nan' "$WORK/pred.csv" && fail "NaN in predict" || ok
# The SQL export cannot compute a trend: a clear refusal, no output.
run 2 "export sql trend" -- $HEALTHCAL export --config "$D/trend.json" --sql sqlite \
    -o "$WORK/t.sql"
expect_err "components[1].metrics[0].trend: the SQL export does not compute trends" \
    "export names the trend"
[ ! -e "$WORK/t.sql" ] && ok || fail "partial SQL written"
# A window longer than every history: the trend is missing everywhere and
# the component with it; health falls back to the grade (renormalised).
sed 's/"days": 28/"days": 3650/; s/"days": 21/"days": 3000/' "$D/trend.json" >"$WORK/long.json"
run 0 "score_dump long window" -- "$DUMP" "$WORK/long.json" "$D/snapshots.csv"
awk -F, '$7 != "" || $8 != $6 { bad = 1 } END { exit bad }' "$WORK/out" && ok ||
    fail "a long window gave a trend: $(head -2 "$WORK/out")"
finish
