#!/bin/sh
# format.sh - --format text|json|csv and --csv-table on every command that
# prints a table (label, fit, validate, backtest, predict, drift).
#
# The authority is each command's own other output, which the earlier
# tests check against R and scikit-learn: --format json must be the same
# document as the command's --json / --summary-json / summary.json file,
# byte for byte; a --format csv table must hold the numbers of that
# document (the same doubles) or of the CSV file the command writes
# (backtest's folds.csv, fit's --coef-out). Plus properties: the tuned
# weights sum to 1, the band rows add up to the totals, and the text
# report is not mixed into a machine form.
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"
H=$HEALTHCAL

# csv_col FILE COLUMN [ROW]: the cell of COLUMN (by header name) in data
# row ROW (default 1) of a CSV file, quotes removed (RFC 4180 fields).
csv_col() {
    awk -v want="$2" -v row="${3:-1}" '
        function split_csv(line, out,    n, i, c, f, q) {
            n = 0; f = ""; q = 0
            for (i = 1; i <= length(line); i++) {
                c = substr(line, i, 1)
                if (q) {
                    if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 }
                    else f = f c
                } else if (c == "\"") q = 1
                else if (c == ",") { out[++n] = f; f = "" }
                else f = f c
            }
            out[++n] = f
            return n
        }
        NR == 1 { n = split_csv($0, h); for (i = 1; i <= n; i++) if (h[i] == want) col = i; next }
        NR == row + 1 { split_csv($0, v); print v[col]; exit }' "$1"
}

# json_num FILE KEY: the first number of "KEY": in a JSON file.
json_num() {
    awk -v key="\"$2\":" '$1 == key { v = $2; sub(/,$/, "", v); print v; exit }' "$1"
}

# same_num A B WHAT: A and B are the same double (awk parses both).
same_num() {
    awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' && ok ||
        fail "$3: $1 != $2"
}

cp "$S/snapshots.csv" "$WORK/s.csv"
cp "$S/events.csv" "$WORK/e.csv"

# ---- validate: the --json document, and its tables ----
run 0 "validate --format json" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --bootstrap 0 --json "$WORK/v.json" --format json
cp "$WORK/out" "$WORK/v.out"
same_file "$WORK/v.json" "$WORK/v.out" "validate --format json is the --json document"
grep -q "^validation of config" "$WORK/v.out" && fail "validate: the text report is in the JSON" || ok
run 0 "validate --format csv" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --bootstrap 0 --format csv
cp "$WORK/out" "$WORK/v.csv"
[ "$(wc -l <"$WORK/v.csv")" = 2 ] && ok || fail "validate --format csv: not a header and one row"
for k in roc_auc roc_auc_ci_low roc_auc_ci_high brier log_loss n positives; do
    same_num "$(csv_col "$WORK/v.csv" $k)" "$(json_num "$WORK/v.json" $k)" "validate summary $k"
done
same_num "$(csv_col "$WORK/v.csv" source.rows_read)" 23661 "validate summary source.rows_read (a nested object as a dotted column)"
run 0 "validate --csv-table bands" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --bootstrap 0 --format csv --csv-table bands
cp "$WORK/out" "$WORK/vb.csv"
[ "$(csv_col "$WORK/vb.csv" name 1),$(csv_col "$WORK/vb.csv" name 3)" = "red,green" ] && ok ||
    fail "validate bands: rows are not red..green"
churned=$(($(csv_col "$WORK/vb.csv" churned_accounts 1) + $(csv_col "$WORK/vb.csv" churned_accounts 2) + $(csv_col "$WORK/vb.csv" churned_accounts 3)))
[ "$churned" = 64 ] && ok || fail "validate bands: churned accounts add to $churned, not the 64 of events.csv"
run 0 "validate --csv-table lead_time.red.before_churn" -- $H validate -s "$WORK/s.csv" \
    -e "$WORK/e.csv" -c "$S/current.json" --bootstrap 0 --format csv --csv-table lead_time.red.before_churn
[ "$(csv_col "$WORK/out" days_before_churn 1)" = 30 ] && ok || fail "lead-time table: first row is not 30 days"
run 1 "validate: unknown table" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --bootstrap 0 --format csv --csv-table nope
expect_err "no table 'nope'" "unknown table named"
expect_err "  bands (3 rows)" "the tables are listed"
[ -s "$WORK/out" ] && fail "unknown table: something on stdout" || ok
run 1 "validate --json - with --format csv" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --json - --format csv
expect_err "already takes" "stdout taken twice"

# ---- fit: weights and coefficients ----
run 0 "fit --format csv" -- $H fit -s "$WORK/s.csv" -e "$WORK/e.csv" -c "$S/current.json" \
    -o "$WORK/t.json" --coef-out "$WORK/coef.csv" --format csv
cp "$WORK/out" "$WORK/w.csv"
[ "$(csv_col "$WORK/w.csv" component 1)" = usage ] && [ "$(wc -l <"$WORK/w.csv")" = 6 ] && ok ||
    fail "fit weights: not 5 components from usage"
sum=$(awk -F, 'NR > 1 { s += $3 } END { printf "%.12f", s }' "$WORK/w.csv")
[ "$sum" = "1.000000000000" ] && ok || fail "fit weights: new weights sum to $sum"
run 0 "fit --csv-table coefficients" -- $H fit -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" --format csv --csv-table coefficients
cp "$WORK/out" "$WORK/c.csv"
for r in 1 2 6; do
    [ "$(csv_col "$WORK/c.csv" estimate $r)" = "$(csv_col "$WORK/coef.csv" estimate $r)" ] &&
        [ "$(csv_col "$WORK/c.csv" robust_se $r)" = "$(csv_col "$WORK/coef.csv" robust_se $r)" ] && ok ||
        fail "fit coefficients row $r differ from --coef-out"
done
run 1 "fit -o - --format json" -- $H fit -s "$WORK/s.csv" -e "$WORK/e.csv" -c "$S/current.json" \
    -o - --format json
expect_err "the tuned config (--output -)" "fit: stdout taken by the config"
# A component name that a spreadsheet would run is neutralised.
sed 's/"name": "usage"/"name": "=SUM(1+1)"/' "$S/current.json" >"$WORK/formula.json"
run 0 "fit, formula component name" -- $H fit -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$WORK/formula.json" --format csv
sed -n 2p "$WORK/out" | grep -q "^\"'=SUM(1+1)\"," && ok || fail "formula cell not neutralised: $(sed -n 2p "$WORK/out")"
# --observations: the coefficient table of any labelled table.
run 0 "label" -- $H label -s "$WORK/s.csv" -e "$WORK/e.csv" -o "$WORK/obs.csv"
run 0 "fit --observations --format csv" -- $H fit --observations "$WORK/obs.csv" \
    --label churn --features logins_per_week,feature_adoption --coef-out "$WORK/oc.csv" --format csv
[ "$(csv_col "$WORK/out" estimate 2)" = "$(csv_col "$WORK/oc.csv" estimate 2)" ] && ok ||
    fail "fit --observations: csv estimate differs from --coef-out"

# ---- label: the counts ----
run 0 "label --format csv" -- $H label -s "$WORK/s.csv" -e "$WORK/e.csv" -o "$WORK/obs2.csv" --format csv
[ "$(csv_col "$WORK/out" observations)" = "$(($(wc -l <"$WORK/obs2.csv") - 1))" ] && ok ||
    fail "label: observations differ from the rows written"
[ "$(csv_col "$WORK/out" churn_events_matched)" = 64 ] && ok || fail "label: churn events matched"
grep -q "snapshot rows read" "$WORK/err" && fail "label: the text counts still printed" || ok
run 1 "label -o - --format csv" -- $H label -s "$WORK/s.csv" -e "$WORK/e.csv" --format csv
expect_err "already takes" "label: stdout taken by the table"

# ---- predict: the band summary ----
run 0 "predict --format csv" -- $H predict -s "$WORK/s.csv" -e "$WORK/e.csv" -c "$WORK/t.json" \
    -o "$WORK/p.csv" --summary-json "$WORK/ps.json" --format csv
cp "$WORK/out" "$WORK/pb.csv"
total=$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$WORK/pb.csv")
[ "$total" = "$(json_num "$WORK/ps.json" current_accounts)" ] && ok ||
    fail "predict bands: accounts add to $total, not current_accounts"
run 0 "predict --format json" -- $H predict -s "$WORK/s.csv" -e "$WORK/e.csv" -c "$WORK/t.json" \
    -o "$WORK/p.csv" --format json
same_file "$WORK/ps.json" "$WORK/out" "predict --format json is the --summary-json document"
run 1 "predict -o - --format json" -- $H predict -s "$WORK/s.csv" -c "$WORK/t.json" --format json
expect_err "the predictions (--output -)" "predict: stdout taken by the predictions"

# ---- drift ----
run 0 "drift --format json" -- $H drift -c "$WORK/t.json" -s "$WORK/s.csv" \
    --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30 --json "$WORK/d.json" --format json
same_file "$WORK/d.json" "$WORK/out" "drift --format json is the --json document"
run 0 "drift --format csv" -- $H drift -c "$WORK/t.json" -s "$WORK/s.csv" \
    --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30 --format csv
[ "$(csv_col "$WORK/out" name 1)" = health ] && ok || fail "drift: first score is not health"
# drift's JSON keeps 15 significant digits, the CSV every digit.
awk -v a="$(csv_col "$WORK/out" psi 1)" -v b="$(json_num "$WORK/d.json" psi)" \
    'BEGIN { d = a - b; exit !(b > 0 && (d < 0 ? -d : d) < 1e-14 * b) }' && ok ||
    fail "drift health PSI: csv and JSON differ"

# ---- backtest: its files ----
run 0 "backtest --format csv" -- $H backtest -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" -o "$WORK/bt" --bootstrap 0 --format csv
same_file "$WORK/bt/folds.csv" "$WORK/out" "backtest --format csv is folds.csv"
run 0 "backtest --format json" -- $H backtest -s "$WORK/s.csv" -e "$WORK/e.csv" \
    -c "$S/current.json" -o "$WORK/bt" --bootstrap 0 --format json
same_file "$WORK/bt/summary.json" "$WORK/out" "backtest --format json is summary.json"

# ---- usage errors ----
run 1 "--format xml" -- $H validate -s "$WORK/s.csv" -e "$WORK/e.csv" -c "$S/current.json" --format xml
expect_err "'xml' is not text, json or csv" "bad format named"
run 1 "--csv-table without csv" -- $H drift -c "$WORK/t.json" -s "$WORK/s.csv" \
    --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30 --csv-table bands
expect_err "'--csv-table' goes with --format csv" "--csv-table alone"

finish
