#!/bin/sh
# categorical.sh - categorical metrics end to end (issue 15) on the hand-made
# history tests/e2e/data/categorical (48 accounts x up to 16 weekly
# snapshots: letter grades in messy case and spacing, traffic-light
# colours, yes/no sponsor flags, 1-5 matrix scores, sentiment labels;
# make_data.py wrote it).
#
# Expected values: (1) hand-set scores, computed by hand from handset.json
# (stated at each check); (2) learned level scores, computed independently
# with pandas by data/categorical/reference.py (labels by the README rule,
# additive smoothing toward the overall rate, weighted PAV for the declared
# order, log-odds mapped to 0-100), pasted here; (3) the SQL export, whose
# CASE on lower(trim(col)) SQLite evaluates, equal to what predict scores
# (tests/tools/score_dump) to 1e-9.
. "$(dirname "$0")/lib.sh"
D="$DATA/categorical"
DUMP="${HC_TOOLS:-$HERE/../../build/tools}/score_dump"
[ -x "$DUMP" ] || { echo "FAIL: $DUMP not built (make e2e builds it)"; exit 1; }

# close A B TOL: |A - B| <= TOL
close() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# level FILE COMPONENT LEVEL: the score of LEVEL in the first categorical
# transform after component COMPONENT's name in a written config.
level() {
    awk -v comp="\"name\": \"$2\"," -v lev="\"$3\":" '
        index($0, comp) { on = 1 }
        on && index($0, "\"levels\"") { inl = 1; next }
        inl && index($0, "}") { exit }
        inl && index($0, lev) { v = $0; sub(/.*: */, "", v); sub(/,$/, "", v); print v; exit }
    ' "$1"
}

# --- 1. hand-set levels: predict scores them, by hand -------------------
run 0 "score_dump hand-set" -- "$DUMP" "$D/handset.json" "$D/snapshots.csv"
cp "$WORK/out" "$WORK/dump.csv"
# C001 2025-01-06: grade " A " -> 100 (case and spaces ignored), green 100,
# yes 100, survey (2 x 75 + neutral 60) / 3 = 70, logins 15.3 -> 76.5;
# H = 0.3*100 + 0.2*100 + 0.1*100 + 0.2*70 + 0.2*76.5 = 89.3.
row=$(grep '^C001,2025-01-06,' "$WORK/dump.csv")
h=$(echo "$row" | cut -d, -f14)
if close "$h" 89.3 1e-9; then ok; else fail "C001 2025-01-06 health $h, expected 89.3"; fi
[ "$(echo "$row" | cut -d, -f12)" = 70 ] && ok || fail "C001 survey sub-score: $row"
# C048 2025-04-21: grade "E" is no level: unseen "other" scores 40;
# H = 0.3*40 + 0.2*100 + 0 + 0.2*(2*100 + 90)/3 + 0.2*67 = 64.7333...
row=$(grep '^C048,2025-04-21,' "$WORK/dump.csv")
[ "$(echo "$row" | cut -d, -f9)" = 40 ] && ok || fail "unseen level scored $row"
h=$(echo "$row" | cut -d, -f14)
if close "$h" 64.733333333333333 1e-9; then ok; else fail "C048 health $h"; fi
grep -qi nan "$WORK/dump.csv" && fail "NaN in the dump" || ok

run 0 "predict hand-set" -- $HEALTHCAL predict --config "$D/handset.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv" -o "$WORK/pred.csv"
# C048's latest row is the unseen one: health 64.7333 (4 decimals).
grep -q '^C048,2025-04-21,smb,10000,64.7333,yellow,' "$WORK/pred.csv" && ok ||
    fail "predict C048: $(grep '^C048' "$WORK/pred.csv")"

# validate counts the unseen level and says how it was scored.
run 0 "validate hand-set" -- $HEALTHCAL validate --config "$D/handset.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
expect_err "column 'grade': 1 snapshot row holds 1 level the config does not list (e.g. 'E'): scored as the 'other' score" \
    "unseen level reported"

# label loads every column as a number unless --text-cols names it; the
# columns keep the file's order.
run 2 "label without --text-cols" -- $HEALTHCAL label --snapshots "$D/snapshots.csv" \
    --events "$D/events.csv" -o "$WORK/obs.csv"
expect_err "column 'grade': ' A ' is not a number; a column of text levels (grades, colours, flags) is read as text by a categorical metric of the config, or by --text-cols COLUMN" "label names the text cell and the way out"
run 0 "label with text columns" -- $HEALTHCAL label --snapshots "$D/snapshots.csv" \
    --text-cols grade,light,sponsor,sentiment --events "$D/events.csv" -o "$WORK/obs.csv"
[ "$(head -1 "$WORK/obs.csv")" = "account_id,snapshot_date,segment,arr,logins,grade,light,sponsor,matrix,sentiment,churn,expansion" ] &&
    ok || fail "label header: $(head -1 "$WORK/obs.csv")"
# pandas (reference.py): 486 observations, 69 churners.
[ "$(($(wc -l <"$WORK/obs.csv") - 1))" = 486 ] && ok || fail "label rows"

# --- 2. learned levels ----------------------------------------------------
run 0 "fit learns levels" -- $HEALTHCAL fit --config "$D/learn.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv" -o "$WORK/tuned.json"
# pandas (reference.py): grade with order F<D<C<B<A and prior weight 10:
# PAV pools F with D and C with B; sentiment unordered, prior weight 20.
for spec in "grade F 0" "grade D 0" "grade C 64.1073376576581" "grade B 64.1073376576581" \
    "grade A 100" "sentiment neutral 23.6790706223768" "sentiment happy 100" \
    "sentiment at risk 0"; do
    comp=${spec%% *}
    rest=${spec#* }
    want=${rest##* }
    lev=${rest% *}
    got=$(level "$WORK/tuned.json" "$comp" "$lev")
    if [ -n "$got" ] && close "$got" "$want" 1e-9; then ok; else
        fail "learned $comp '$lev': '$got', pandas $want"
    fi
done
# the learned `other` of sentiment: the score of the overall rate 69/486
grep -q '"other": 31.88354182350' "$WORK/tuned.json" && ok || fail "learned other"
# A refit of the tuned config (learn stays true) relearns the same levels.
run 0 "refit tuned" -- $HEALTHCAL fit --config "$WORK/tuned.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv" -o "$WORK/tuned2.json"
[ "$(level "$WORK/tuned2.json" grade C)" = "$(level "$WORK/tuned.json" grade C)" ] && ok ||
    fail "refit changed the learned levels"
# The tuned config scores (predict) and backtests (per-fold relearning).
run 0 "predict tuned" -- $HEALTHCAL predict --config "$WORK/tuned.json" \
    --snapshots "$D/snapshots.csv" -o "$WORK/pred2.csv"
# --tuned refits (and relearns the levels) on each fold's training rows.
run 0 "backtest, levels relearned per fold" -- $HEALTHCAL backtest --config "$WORK/tuned.json" \
    --tuned --allow-in-sample --window 49 --step 7 --snapshots "$D/snapshots.csv" \
    --events "$D/events.csv" -o "$WORK/bt"
[ -s "$WORK/bt/folds.csv" ] && ok || fail "backtest wrote no folds.csv"
# Without --tuned, a config whose levels are learned gets them from each
# fold's training rows (as its quantile cuts), so it backtests unfitted.
run 0 "backtest, unfitted learn config" -- $HEALTHCAL backtest --config "$D/learn.json" \
    --first-test 2025-02-17 --step 14 --min-train-churners 2 --snapshots "$D/snapshots.csv" \
    --events "$D/events.csv" -o "$WORK/bt_learn"
[ "$(wc -l <"$WORK/bt_learn/folds.csv")" -ge 3 ] && ok || fail "unfitted learn backtest: no folds"
grep -qi nan "$WORK/bt_learn/folds.csv" && fail "NaN in the folds" || ok
# predict, drift and report warn about levels the config does not list.
run 0 "predict warns on unseen" -- $HEALTHCAL predict --config "$D/handset.json" \
    --snapshots "$D/snapshots.csv" -o "$WORK/pred_u.csv"
expect_err "column 'grade': 1 snapshot row holds 1 level the config does not list (e.g. 'E'): scored as the 'other' score" \
    "predict counts the unseen level"
run 0 "report of a categorical config" -- $HEALTHCAL report --config "$D/handset.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv" -o "$WORK/rep"
[ -s "$WORK/rep/index.html" ] && ok || fail "report of a categorical config wrote no page"
# A learn config without levels cannot score before a fit.
run 2 "predict unlearned" -- $HEALTHCAL predict --config "$D/learn.json" \
    --snapshots "$D/snapshots.csv" -o "$WORK/never.csv"
expect_err "has no levels; learn them on training rows first" "unlearned message"
[ ! -e "$WORK/never.csv" ] && ok || fail "partial output after an error"

# --- 3. bad input ---------------------------------------------------------
sed 's/"levels": {"A": 100, "B": 80, "C": 55, "D": 30, "F": 0},/&"max_levels": 5,/' \
    "$D/handset.json" >"$WORK/max4.json"
# A, B, C, D, F and E: 6 distinct levels in the column, over 5.
run 2 "too many levels" -- $HEALTHCAL validate --config "$WORK/max4.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
expect_err "column 'grade' has more than 5 distinct levels" "too many levels named"
sed 's/"levels": {"red": 0, "yellow": 50, "green": 100}/"levels": {"red": 0, "Red ": 50}/' \
    "$D/handset.json" >"$WORK/dup.json"
run 2 "duplicate level" -- $HEALTHCAL validate --config "$WORK/dup.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
expect_err "level 'Red ' is the same level as 'red'" "duplicate level named"
# A numeric transform on a text column: the loader names the cell; on a
# column another metric reads as categorical: the key is named.
sed 's/"column": "logins"/"column": "matrix"/' "$D/handset.json" >"$WORK/num.json"
sed 's/"column": "sponsor"/"column": "logins"/' "$D/handset.json" >"$WORK/num2.json"
sed 's/"column": "logins"/"column": "light"/' "$D/learn.json" >"$WORK/num3.json"
run 2 "numeric metric on a categorical column" -- $HEALTHCAL validate --config "$WORK/num.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
expect_err "components[4].metrics[0].column: column 'matrix' in" "numeric metric on text: key"
expect_err "is text, not a number" "numeric metric on text: types"
run 2 "text in a numeric metric" -- $HEALTHCAL validate --config "$WORK/num3.json" \
    --snapshots "$D/snapshots.csv" --events "$D/events.csv"
expect_err "column 'light': 'green' is not a number" "numeric metric on a text cell"

# --- 4. SQL export: a CASE on lower(trim(col)) ----------------------------
run 0 "export sql" -- $HEALTHCAL export --config "$D/handset.json" --sql sqlite \
    --table snaps -o "$WORK/cat.sql"
grep -q "LOWER(TRIM(CAST(t.\"grade\" AS TEXT)))" "$WORK/cat.sql" && ok || fail "no lower(trim)"
if ! command -v sqlite3 >/dev/null; then
    echo "SKIP: SQLite evaluation of the export: sqlite3 is not installed"
elif [ "$(sqlite3 :memory: 'select exp(0) + ln(1)' 2>/dev/null)" != "1.0" ]; then
    echo "SKIP: SQLite evaluation: this sqlite3 has no math functions"
else
    db="$WORK/cat.db"
    sqlite3 "$db" "CREATE TABLE snaps(account_id TEXT, snapshot_date TEXT, segment TEXT,
        arr REAL, logins REAL, grade TEXT, light TEXT, sponsor TEXT, matrix INTEGER,
        sentiment TEXT);" &&
        sqlite3 "$db" ".import --csv --skip 1 '$D/snapshots.csv' snaps" &&
        sqlite3 -bail "$db" ".read '$WORK/cat.sql'" &&
        sqlite3 -csv "$db" "SELECT * FROM healthcal_scores ORDER BY account_id, snapshot_date" \
            >"$WORK/sql.csv" || fail "sqlite run"
    sort "$WORK/dump.csv" >"$WORK/dump.sorted"
    # fields 3..14 numbers (metric and component sub-scores, health), 15 band, 16 p
    if paste -d'|' "$WORK/sql.csv" "$WORK/dump.sorted" | awk -F'|' '
        { n = split($1, a, ","); m = split($2, b, ",")
          if (a[1] != b[1] || a[2] != b[2] || a[15] != b[15]) { print "row " NR ": " $0; bad = 1; next }
          for (i = 3; i <= 16; i++) { if (i == 15) continue
              if ((a[i] == "") != (b[i] == "")) { print "row " NR " col " i; bad = 1; next }
              d = a[i] - b[i]; if (d < 0) d = -d
              if (d > 1e-9) { print "row " NR " col " i ": " a[i] " vs " b[i]; bad = 1 } } }
        END { exit bad }' >"$WORK/sqldiff"; then ok; else
        fail "SQL differs from predict: $(head -3 "$WORK/sqldiff")"
    fi
    [ "$(wc -l <"$WORK/sql.csv")" = "$(wc -l <"$WORK/dump.csv")" ] && ok || fail "SQL row count"
fi
finish
