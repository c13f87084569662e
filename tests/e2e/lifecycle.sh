#!/bin/sh
# lifecycle.sh - derived segments end to end (issue 15): lifecycle stages
# from tenure and the product of segment columns, fitted per cell with
# credibility shrinkage, merged when too small, applied by validate,
# backtest and predict through the one scorer.
#
# The history is written here (awk, no randomness): 48 accounts A01..A48,
# weekly snapshots from 2025-01-06; plan "ent" for odd accounts, "smb" for
# even; start_date 2024-06-01 for A01..A24 (tenured throughout) and
# 2025-01-06 minus (a - 25) days for A25..A48 (onboarding, < 90 days, for
# their first 12 or 13 weeks). Every third account churns 3 days after
# week 14 + a % 5, its last snapshot; with a 30-day horizon its churn rows
# are the weeks last-3 .. last (7 (last - w) + 3 <= 30).
#
# Expected cells, by hand (stages onboarding < 90 days, tenured):
#   ent x tenured: all 24 odd accounts; churners 3 9 15 21 27 33 39 45: 8.
#   smb x tenured: 24 accounts, churners 6 .. 48: 8.
#   ent x onboarding: the 12 odd accounts of A25..A48. A churner a > 24 is
#     onboarding while 7 w + (a - 25) < 90; A27 (last 16) up to week 12,
#     churn rows 13..16: none; A33, A39, A45 likewise: 0 churned accounts,
#     so the cell is merged into the pooled model (the documented rule).
#   smb x onboarding: 12 accounts; A30 (last 14, onboarding to week 12,
#     churn rows 11..14) has 2 churn rows there, A36 A42 A48 none: 1.
# Tenure from the first snapshot instead (no start_date): every account is
#   onboarding in weeks 0..12, so ent x onboarding has all 24 ent accounts
#   and the churners whose churn rows reach week 12 (last <= 15): A15
#   (last 14), A21 (15), A45 (14): 3 churned accounts.
. "$(dirname "$0")/lib.sh"
DUMP="${HC_TOOLS:-$HERE/../../build/tools}/score_dump"
[ -x "$DUMP" ] || { echo "FAIL: $DUMP not built (make e2e builds it)"; exit 1; }

cat >"$WORK/gen.awk" <<'AWK'
function day(y, m, d) {
    if (m <= 2) { y--; m += 12 }
    return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d - 719469
}
function iso(n,   z, era, doe, yoe, y, doy, mp, d, m) {
    z = n + 719468; era = int(z / 146097); doe = z - era * 146097
    yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
    y = yoe + era * 400; doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
    mp = int((5 * doy + 2) / 153); d = doy - int((153 * mp + 2) / 5) + 1
    m = mp < 10 ? mp + 3 : mp - 9
    return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}
BEGIN {
    d0 = day(2025, 1, 6)
    print "account_id,snapshot_date,plan,region,start_date,arr,logins,tickets" > S
    print "account_id,event_date,event_type,amount" > E
    for (a = 1; a <= 48; a++) {
        id = sprintf("A%02d", a)
        plan = a % 2 ? "ent" : "smb"
        region = (a % 4 == 1 || a % 4 == 2) ? "emea" : "amer"
        start = a <= 24 ? iso(day(2024, 6, 1)) : iso(d0 - (a - 25))
        churner = a % 3 == 0
        last = churner ? 14 + a % 5 : 25
        for (w = 0; w <= last; w++) {
            logins = 10 + (a * 7 + w * 3) % 11
            if (churner && w > last - 6) logins -= 1.5 * (w - last + 6) + (a % 4)
            if (!churner && a % 7 == 0 && (w + a) % 5 == 0) logins = 2
            if (logins < 0) logins = 0
            tickets = (a + w) % 4 + (churner && w > last - 3)
            print id "," iso(d0 + 7 * w) "," plan "," region "," start ",1000," logins "," tickets > S
        }
        if (churner) print id "," iso(d0 + 7 * last + 3) ",churn,1000" > E
    }
}
AWK
S="$WORK/snapshots.csv"
E="$WORK/events.csv"
awk -v S="$S" -v E="$E" -f "$WORK/gen.awk"
[ "$(wc -l <"$S")" = 1106 ] && ok || fail "generator: $(wc -l <"$S") lines"
# spot checks of the generator: A37 starts 2024-12-25 (12 days before)
grep -q '^A37,2025-03-24,ent,emea,2024-12-25,' "$S" && ok || fail "generator: A37 row"

# config LIFECYCLE_START SEGMENT [SEGMENTS]: a config on logins and tickets
config() {
    cat <<JSON
{"schema": "healthcal-model/1", "name": "lifecycle test",
 "columns": {"account_id": "account_id", "snapshot_date": "snapshot_date",
             "segment": $2, "arr": "arr"},
 "lifecycle": {"start_date": $1,
               "stages": [{"name": "onboarding", "until_days": 90}, {"name": "tenured"}]},
 "horizon_days": 30,
 "components": [
   {"name": "usage", "weight": 0.6, "metrics": [{"column": "logins",
     "transform": {"type": "linear", "low": 0, "high": 20, "higher_is_healthier": true}}]},
   {"name": "support", "weight": 0.4, "metrics": [{"column": "tickets",
     "transform": {"type": "linear", "low": 0, "high": 5, "higher_is_healthier": false}}]}],
 "bands": [{"name": "red", "min": 0}, {"name": "yellow", "min": 40}, {"name": "green", "min": 70}]${3:-}}
JSON
}
config '"start_date"' '["plan", "lifecycle"]' >"$WORK/life.json"
config 'null' '["plan", "lifecycle"]' >"$WORK/first.json"

# cellrow NAME: the fit table's line of cell NAME (rows events churned
# credibility intercept slope accounts note)
cellrow() { grep "^$1  " "$WORK/out" | head -1; }
# field N of a cell's line after its (multi-word) name
cellnum() { cellrow "$1" | sed "s/^$1 *//" | awk -v n="$2" '{ print $n }'; }

# --- 1. fit per cell (start_date) ------------------------------------------
run 0 "fit --segments (start_date)" -- $HEALTHCAL fit -s "$S" -e "$E" -c "$WORK/life.json" \
    --segments -o "$WORK/tuned.json"
for c in "ent x tenured:24:8" "smb x tenured:24:8" "ent x onboarding:12:0" "smb x onboarding:12:1"; do
    name=${c%%:*}; rest=${c#*:}; acc=${rest%%:*}; ch=${rest#*:}
    got_acc=$(cellnum "$name" 7); got_ch=$(cellnum "$name" 3)
    [ "$got_acc" = "$acc" ] && [ "$got_ch" = "$ch" ] && ok ||
        fail "cell $name: accounts $got_acc churned $got_ch, expected $acc and $ch"
done
cellrow "ent x onboarding" | grep -q "merged into the pooled model (no churned account)" && ok ||
    fail "the cell without a churner is not said to be merged: $(cellrow 'ent x onboarding')"
grep -q "(accounts and churned: accounts; rows and events: snapshot rows)" "$WORK/out" && ok ||
    fail "fit table does not state its units"
# the tuned config keeps the key and has overrides for the three cells only
grep -q '"segment": \[' "$WORK/tuned.json" && ok || fail "columns.segment is no longer a list"
grep -q '"lifecycle": {' "$WORK/tuned.json" && ok || fail "lifecycle object lost"
for c in "ent x tenured" "smb x tenured" "smb x onboarding"; do
    grep -q "^    \"$c\": {" "$WORK/tuned.json" && ok || fail "no override for $c"
done
grep -q '^    "ent x onboarding": {' "$WORK/tuned.json" && fail "merged cell got an override" || ok
grep -qiE '[^a-z_](nan|-?inf(inity)?)[^a-z_]' "$WORK/tuned.json" && fail "NaN/Inf in tuned.json" || ok

# the tuned config's fit record gives each cell's accounts and whether it
# was merged (ent x onboarding: 12 accounts, merged; by hand above)
tr -d '\n ' <"$WORK/tuned.json" | grep -q '"segment":"entxonboarding","rows":[0-9]*,"events":0,"accounts":12,"churned_accounts":0,"merged":true' &&
    tr -d '\n ' <"$WORK/tuned.json" | grep -q '"segment":"smbxonboarding","rows":[0-9]*,"events":[0-9]*,"accounts":12,"churned_accounts":1,"merged":false' &&
    ok || fail "tuned.json fit.segments lack accounts/merged"

# a threshold merges smb x onboarding too
run 0 "fit --segment-min-churned 2" -- $HEALTHCAL fit -q -s "$S" -e "$E" -c "$WORK/life.json" \
    --segments --segment-min-churned 2 -o "$WORK/tuned2.json"
cellrow "smb x onboarding" | grep -q "merged into the pooled model (1 churned accounts, fewer than 2)" &&
    ok || fail "threshold merge not stated: $(cellrow 'smb x onboarding')"
grep -q '^    "smb x onboarding": {' "$WORK/tuned2.json" && fail "merged cell kept an override" || ok

# rows without a key are counted in rows and accounts, with the reason:
# A05 (26 weeks) loses its plan, A07 its start date on odd lines (13 of 26)
awk -F, 'BEGIN { OFS = "," } NR > 1 && $1 == "A05" { $3 = "" }
    NR > 1 && $1 == "A07" && NR % 2 { $5 = "" } { print }' "$S" >"$WORK/keyless.csv"
run 0 "fit with keyless rows" -- $HEALTHCAL fit -s "$WORK/keyless.csv" -e "$E" -c "$WORK/life.json" \
    --segments -o "$WORK/tuned_keyless.json"
grep -q "^rows without a segment: *39 snapshot rows of 2 accounts (scored and fitted with the pooled model)" "$WORK/err" &&
    grep -q "^  of them 26 with an empty cell in a key column, 13 without a start date" "$WORK/err" && ok ||
    fail "keyless rows not counted: $(grep -A1 'without a segment' "$WORK/err")"

# the report passes --segment-min-churned to its fit: smb x onboarding (1
# churned account) keeps its override by default and loses it at 2
run 0 "report (default)" -- $HEALTHCAL report -q -s "$S" -e "$E" -c "$WORK/life.json" \
    --window 56 -o "$WORK/rep1"
grep -q '^    "smb x onboarding": {' "$WORK/rep1/tuned.json" && ok || fail "report: no override for smb x onboarding"
# the report's segment table compares the cells in accounts: with history
# and churned accounts over the whole labelled history (the cells of the
# header comment, by hand), not only today's book (onboarding has none
# today: every A25..A48 is past 90 days by 2025-06-30)
segcsv() { awk -F, -v n="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $1 == n { print $col[c] }' "$WORK/rep1/data/segments.csv"; }
for c in "ent x tenured:24:8:0" "smb x tenured:24:8:0" "ent x onboarding:12:0:1" "smb x onboarding:12:1:0"; do
    name=${c%%:*}; rest=${c#*:}
    got="$(segcsv "$name" history_accounts):$(segcsv "$name" churned_accounts):$(segcsv "$name" merged)"
    [ "$got" = "$rest" ] && ok || fail "segments.csv $name: $got, expected $rest"
done
[ "$(segcsv 'ent x onboarding' accounts_today)" = 0 ] && ok || fail "onboarding accounts today"
[ -z "$(segcsv 'ent x onboarding' weight_usage)" ] && ok || fail "merged cell shows own weights"
w=$(sed -n '/^    "smb x tenured": {/,/^    }/p' "$WORK/rep1/tuned.json" | sed -n 's/^ *"usage": \([0-9.e-]*\),*$/\1/p' | head -1)
awk -v a="$w" -v b="$(segcsv 'smb x tenured' weight_usage)" 'BEGIN { d = a - b; exit !(a != "" && d < 1e-12 && d > -1e-12) }' &&
    ok || fail "segments.csv usage weight of smb x tenured $(segcsv 'smb x tenured' weight_usage), tuned.json $w"
grep -q "<th class=\"n\">accounts with history</th><th class=\"n\">churned accounts</th>" "$WORK/rep1/index.html" &&
    grep -q "^|ent x onboarding | 0 | 12 | 0 | .* | pooled | .*merged into the pooled model" "$WORK/rep1/summary.md" &&
    ok || fail "report pages lack the segment accounts or the merged cell"
# the HTML row of the merged cell says so
grep -o '<tr><td>ent x onboarding</td>.*</tr>' "$WORK/rep1/index.html" | grep -q 'merged into the pooled model' &&
    ok || fail "index.html: ent x onboarding not marked merged"
# a segment value that is markup and a spreadsheet formula stays text
# (the pipe would split a Markdown table cell: it must come out as \|)
sed 's/,ent,/,=cmd|x<script>,/' "$S" >"$WORK/canary.csv"
run 0 "report with a hostile segment value" -- $HEALTHCAL report -q -s "$WORK/canary.csv" -e "$E" \
    -c "$WORK/life.json" --window 56 -o "$WORK/rep3"
grep -qF '"'"'"'=cmd|x<script> x tenured"' "$WORK/rep3/data/segments.csv" && ok || fail "segments.csv formula not guarded"
grep -qF "<td>=cmd|x&lt;script&gt; x tenured</td>" "$WORK/rep3/index.html" &&
    grep -qF '|=cmd\|x&lt;script&gt; x tenured |' "$WORK/rep3/summary.md" &&
    ! grep -q "<script>" "$WORK/rep3/index.html" "$WORK/rep3/summary.md" && ok ||
    fail "segment value not escaped in the pages"
run 0 "report --segment-min-churned 2" -- $HEALTHCAL report -q -s "$S" -e "$E" -c "$WORK/life.json" \
    --window 56 --segment-min-churned 2 -o "$WORK/rep2"
grep -q '^    "smb x onboarding": {' "$WORK/rep2/tuned.json" && fail "report: merged cell kept its override" || ok

# --- 2. tenure from the first snapshot: the export's start matters ---------
run 0 "fit --segments (first snapshot)" -- $HEALTHCAL fit -q -s "$S" -e "$E" \
    -c "$WORK/first.json" --segments -o "$WORK/tuned_first.json"
[ "$(cellnum 'ent x onboarding' 7)" = 24 ] && [ "$(cellnum 'ent x onboarding' 3)" = 3 ] && ok ||
    fail "first-snapshot rule: ent x onboarding $(cellrow 'ent x onboarding')"

# --- 3. product of three columns -------------------------------------------
config '"start_date"' '["plan", "region", "lifecycle"]' >"$WORK/three.json"
run 0 "fit plan x region x lifecycle" -- $HEALTHCAL fit -q -s "$S" -e "$E" -c "$WORK/three.json" \
    --segments -o "$WORK/tuned3.json"
# 8 cells ("amer", not "na": the loader reads NA as a missing cell);
# ent x emea are a % 4 == 1: 12 accounts, 6 of them A25..A48
[ "$(grep -c ' x .* x ' "$WORK/out")" = 8 ] && ok || fail "not 8 cells: $(grep -c ' x .* x ' "$WORK/out")"
[ "$(cellnum 'ent x emea x onboarding' 7)" = 6 ] && ok || fail "ent x emea x onboarding accounts"

# --- 4. validate, backtest and predict apply the derived key ---------------
# exit 5: the merged cell (no churner) is reported as not estimable
run 5 "validate the tuned config" -- $HEALTHCAL validate -s "$S" -e "$E" -c "$WORK/tuned.json"
grep -q "^  ent x tenured  " "$WORK/out" && grep -q "^  smb x onboarding" "$WORK/out" && ok ||
    fail "validate's segments are not the derived cells"
run 0 "backtest --tuned --segments" -- $HEALTHCAL backtest -q -s "$S" -e "$E" -c "$WORK/life.json" \
    --tuned --segments --window 56 --min-train-churners 3 -o "$WORK/bt"
[ -s "$WORK/bt/summary.json" ] && ok || fail "backtest wrote no summary"
grep -q "^segments (tuned): each fold's refit merged .* segments into the pooled model (no churned account in the fold's training rows" "$WORK/out" &&
    ok || fail "backtest does not say which fold segments were merged"
# --segment-min-churned reaches every fold's refit: a higher threshold
# merges at least as many cells in each fold, and more in some (a property
# of the rule: a cell with C churned accounts merges when C < N)
run 0 "backtest --segment-min-churned 2" -- $HEALTHCAL backtest -q -s "$S" -e "$E" -c "$WORK/life.json" \
    --tuned --segments --segment-min-churned 2 --window 56 --min-train-churners 3 -o "$WORK/bt2"
grep -q "(fewer than 2 churned accounts in the fold's training rows" "$WORK/out" && ok ||
    fail "backtest --segment-min-churned 2 not stated"
merged() { awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
    $col["kind"] == "tuned" && $col["used"] == 1 { print $1, $col["segments_fitted"], $col["segments_merged"] }' "$1"; }
merged "$WORK/bt/folds.csv" >"$WORK/m1"
merged "$WORK/bt2/folds.csv" >"$WORK/m2"
[ -s "$WORK/m1" ] && join "$WORK/m1" "$WORK/m2" | awk '{ if ($2 != $4 || $5 < $3) bad = 1; if ($5 > $3) more = 1 }
    END { exit bad || !more }' && ok || fail "--segment-min-churned 2 did not merge more fold cells: $(cat "$WORK/m1") / $(cat "$WORK/m2")"

# hand-set overrides on derived keys: the probability of each row follows
# its cell's churn model (by hand: p = 1 / (1 + exp(-(a + b H))), H the
# row's health): A01 2025-01-06 is ent x tenured (a 1), A26 2025-01-06
# smb x onboarding (a 5), A26 2025-06-30 smb x tenured (top level, a 3);
# from the first snapshot A01 2025-01-06 is ent x onboarding (top level).
OV=', "churn_model": {"intercept": 3, "slope": -0.1},
 "segments": {"ent x tenured": {"churn_model": {"intercept": 1, "slope": -0.1}},
              "smb x onboarding": {"churn_model": {"intercept": 5, "slope": -0.1}}}'
config '"start_date"' '["plan", "lifecycle"]' "$OV" >"$WORK/hand.json"
config 'null' '["plan", "lifecycle"]' "$OV" >"$WORK/hand_first.json"
# pcheck DUMPFILE ID DATE INTERCEPT: p_churn (field 10) against health (field 8)
pcheck() {
    grep "^$2,$3," "$1" | awk -F, -v a="$4" '{ p = 1 / (1 + exp(-(a - 0.1 * $8)));
        d = p - $10; if (d < 0) d = -d; exit !(NF >= 10 && $10 != "" && d < 1e-12) }'
}
run 0 "score_dump (start_date)" -- "$DUMP" "$WORK/hand.json" "$S"
cp "$WORK/out" "$WORK/dump.csv"
pcheck "$WORK/dump.csv" A01 2025-01-06 1 && ok || fail "A01 2025-01-06 not ent x tenured"
pcheck "$WORK/dump.csv" A26 2025-01-06 5 && ok || fail "A26 2025-01-06 not smb x onboarding"
pcheck "$WORK/dump.csv" A26 2025-06-30 3 && ok || fail "A26 2025-06-30 not top level"
run 0 "score_dump (first snapshot)" -- "$DUMP" "$WORK/hand_first.json" "$S"
pcheck "$WORK/out" A01 2025-01-06 3 && ok || fail "A01 2025-01-06 (first snapshot) not top level"
run 0 "predict with derived overrides" -- $HEALTHCAL predict -c "$WORK/hand.json" -s "$S" \
    -o "$WORK/pred.csv"
[ "$(wc -l <"$WORK/pred.csv")" = 49 ] && ok || fail "predict rows: $(wc -l <"$WORK/pred.csv")"

# --- 5. bad input ------------------------------------------------------------
sed 's/^A05,2025-02-03,ent,emea,2024-06-01/A05,2025-02-03,ent,emea,2025-02-30/' "$S" >"$WORK/bad.csv"
run 2 "a start date that is not a date" -- $HEALTHCAL fit -q -s "$WORK/bad.csv" -e "$E" \
    -c "$WORK/life.json" --segments -o "$WORK/bad.json"
expect_err "bad.csv:102: column 'start_date' (lifecycle.start_date): '2025-02-30' is not a date" \
    "bad start date named with its line"
[ -e "$WORK/bad.json" ] && fail "partial output after a bad start date" || ok
sed 's/"until_days": 90}, {"name": "tenured"}/"until_days": 90}, {"name": "year", "until_days": 30}, {"name": "tenured"}/' \
    "$WORK/life.json" >"$WORK/order.json"
run 2 "stages not increasing" -- $HEALTHCAL fit -q -s "$S" -e "$E" -c "$WORK/order.json" -o "$WORK/o.json"
expect_err "lifecycle.stages[1].until_days: 30 is not above the previous stage's 90" "stage order"
sed 's/"plan", "lifecycle"/"plan", "tier", "lifecycle"/' "$WORK/life.json" >"$WORK/tier.json"
run 2 "a part column the file lacks" -- $HEALTHCAL fit -q -s "$S" -e "$E" -c "$WORK/tier.json" -o "$WORK/o.json"
expect_err "tier" "missing part column named"
finish
