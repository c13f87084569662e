#!/bin/sh
# backtest.sh - `healthcal backtest`: outputs, several configs, degenerate folds, errors, the SaaS panel.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)

no_nan() { # FILE WHAT
    if grep -Eiq '[:,\[][[:space:]]*-?(nan|inf|infinity)[[:space:]]*[],}]?$' "$1"; then
        fail "$2: NaN or infinity in $1"
    else ok; fi
}

run 0 "simulate" -- $HEALTHCAL simulate -q --accounts 400 --weeks 80 --seed 21 --out "$WORK/sim"
S="$WORK/sim"
O="$WORK/bt"

# the hand-set config and the refitted one, thresholds for 70% recall
run 0 "backtest --tuned" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --tuned --window 180 --step 60 --objective recall=0.7 -o "$O"
for f in folds.csv summary.json thresholds.csv cutpoints.csv bands_over_time.csv reliability.csv prediction_hist.csv roc.csv pr.csv gains.csv score_distribution.csv; do
    [ -s "$O/$f" ] && ok || fail "backtest: $f missing or empty"
done
[ "$(ls -a "$O" | grep -c tmp)" = 0 ] && ok || fail "backtest: temporary files left"
head -1 "$O/folds.csv" | grep -q '^fold,config,kind,train_start,train_end,test_start,test_end,n_train,train_positives,n,positives,roc_auc,' && ok || fail "folds.csv header"
folds=$(sed 1d "$O/folds.csv" | cut -d, -f1 | sort -u | wc -l)
[ "$(sed 1d "$O/folds.csv" | wc -l)" = $((folds * 2)) ] && ok || fail "folds.csv: one row per fold x config"
grep -q '"auc_difference": ' "$O/summary.json" && ok || fail "summary.json: AUC difference"
grep -q '"ci_low": ' "$O/summary.json" && ok || fail "summary.json: its interval"
grep -q '"kind": "tuned"' "$O/summary.json" && ok || fail "summary.json: tuned config"
no_nan "$O/summary.json" "summary.json"
grep -q "DeLong paired" "$WORK/out" && ok || fail "comparison printed"
cp "$WORK/out" "$WORK/out.tuned"
# clustered by account by default: the paired test, its naive companion and
# the design effect, in the text and in summary.json
grep -q "clustered DeLong paired (Obuchowski 1997) by account_id over [0-9]* accounts" "$WORK/out" && ok || fail "clustered paired test printed"
grep -q "rows independent: [-+0-9.]* to [-+0-9.]*, design effect [0-9.]*" "$WORK/out" && ok || fail "naive interval and design effect printed"
grep -q "only [0-9,]* churned accounts: intervals are as wide as" "$WORK/out" && ok || fail "effective sample printed"
grep -q '"method": "clustered DeLong paired (Obuchowski 1997), by account (account_id)"' "$O/summary.json" && ok || fail "summary.json: clustered method"
grep -q '"design_effect": [0-9]' "$O/summary.json" && ok || fail "summary.json: design effect"
grep -q '"rows_independent": {' "$O/summary.json" && ok || fail "summary.json: naive test kept"
grep -q '"clustered": true' "$O/summary.json" && ok || fail "summary.json: options.clusters"
# --cluster-col none: the rows-independent test, the same difference
run 0 "backtest --cluster-col none" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --tuned --window 180 --step 60 --objective recall=0.7 --cluster-col none -o "$WORK/naive"
grep -q "DeLong paired, rows independent" "$WORK/out" && ok || fail "--cluster-col none: naive test printed"
grep -q '"clustered": false' "$WORK/naive/summary.json" && ok || fail "--cluster-col none: summary.json"
d1=$(sed -n 's/^      "auc_difference": \(.*\),$/\1/p' "$O/summary.json")
d0=$(sed -n 's/^      "auc_difference": \(.*\),$/\1/p' "$WORK/naive/summary.json")
[ -n "$d1" ] && [ "$d1" = "$d0" ] && ok || fail "clustered and naive runs differ in the AUC difference ($d1 vs $d0)"
# Per fold too: folds.csv's AUC interval is the clustered one (flagged),
# and its rows-independent companion equals the interval of the
# --cluster-col none run (the same fold rows, by DeLong et al. 1988).
python3 - "$O/folds.csv" "$WORK/naive/folds.csv" <<'PY' && ok || fail "folds.csv: per-fold AUC intervals not clustered"
import csv, sys
cl = list(csv.DictReader(open(sys.argv[1])))
nv = list(csv.DictReader(open(sys.argv[2])))
used = [(a, b) for a, b in zip(cl, nv) if a["roc_auc"]]
ok = len(used) >= 2
for a, b in used:
    ok &= a["roc_auc_ci_clustered"] == "1" and b["roc_auc_ci_clustered"] == "0"
    ok &= a["roc_auc"] == b["roc_auc"]
    ok &= abs(float(a["roc_auc_ci_low_naive"]) - float(b["roc_auc_ci_low"])) < 1e-12
    ok &= abs(float(a["roc_auc_ci_high_naive"]) - float(b["roc_auc_ci_high"])) < 1e-12
    wide = float(a["roc_auc_ci_high"]) - float(a["roc_auc_ci_low"])
    ok &= wide >= float(b["roc_auc_ci_high"]) - float(b["roc_auc_ci_low"]) - 1e-12
    ok &= b["roc_auc_ci_low_naive"] == ""
sys.exit(0 if ok else 1)
PY
# The out-of-time threshold figures counted in accounts carry Wilson
# intervals over accounts (closed form here, as prop.test(correct = FALSE)).
python3 - "$O/summary.json" <<'PY' && ok || fail "summary.json: nested recall/precision intervals over accounts"
import json, math, sys
def find(o):
    if isinstance(o, dict):
        if "churned_accounts_caught" in o and "recall_ci_low" in o:
            yield o
        for v in o.values():
            yield from find(v)
    elif isinstance(o, list):
        for v in o:
            yield from find(v)
def wilson(k, n, z=1.959963984540054):
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return c - h, c + h
found = list(find(json.load(open(sys.argv[1]))))
ok = len(found) > 0
for a in found:
    lo, hi = wilson(a["churned_accounts_caught"], a["churned_accounts"])
    ok &= abs(lo - a["recall_ci_low"]) < 1e-12 and abs(hi - a["recall_ci_high"]) < 1e-12
    if a["red_accounts"]:
        lo, hi = wilson(a["churned_accounts_caught"], a["red_accounts"])
        ok &= abs(lo - a["precision_ci_low"]) < 1e-12 and abs(hi - a["precision_ci_high"]) < 1e-12
sys.exit(0 if ok else 1)
PY
# the clustered interval is wider than the naive one of the same run
python3 - "$O/summary.json" <<'PY' && ok || fail "clustered paired interval not wider than the naive one"
import json, sys
c = json.load(open(sys.argv[1]))["comparisons"][0]
n = c["rows_independent"]
sys.exit(0 if c["ci_high"] - c["ci_low"] > n["ci_high"] - n["ci_low"] and c["design_effect"] > 1 else 1)
PY
run 2 "backtest --cluster-col arr" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --window 180 --step 60 --cluster-col arr -o "$WORK/badcl"
expect_err "cluster column 'arr' is not a text (id) column" "--cluster-col on a number column"
run 0 "backtest --bootstrap 50 --seed 3" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --window 180 --step 60 --bootstrap 50 --seed 3 -o "$WORK/boot"
grep -q '"bootstrap": 50' "$WORK/boot/summary.json" && ok || fail "--bootstrap recorded"
cp "$WORK/out.tuned" "$WORK/out"
grep -q "red band H <" "$WORK/out" && ok || fail "threshold outcome printed"
# the pooled choice is labelled in-sample; the nested walk-forward gives
# the out-of-time figures, one entry per used fold after the first
grep -q "in-sample, chosen and scored on the same rows" "$WORK/out" && ok || fail "pooled thresholds labelled in-sample"
grep -q "out of time (nested walk-forward" "$WORK/out" && ok || fail "out-of-time thresholds printed"
grep -q '"in_sample": true' "$O/summary.json" && ok || fail "summary.json: pooled thresholds marked in-sample"
used=$(sed 1d "$O/folds.csv" | awk -F, '$10 != "" && $10 != 0 { print $1 }' | sort -u | wc -l)
[ "$(grep -c '"chosen_on_rows"' "$O/summary.json")" = $((used - 1)) ] && ok || fail "summary.json: one out-of-time entry per used fold after the first"
grep -q '"folds_scored": [1-9]' "$O/summary.json" && ok || fail "summary.json: out-of-time folds scored"
[ "$(head -1 "$O/thresholds.csv")" = "config,threshold,share_flagged,recall,precision,arr_recall,value,feasible,snapshots_flagged,accounts_flagged,churned_accounts_flagged,account_recall,account_precision,account_arr_recall,account_value,red_per_date_mean,red_per_date_max" ] && ok || fail "thresholds.csv header"
# the objective counts accounts; the red band's share names snapshots
grep -q "red band H < [0-9.]* flags [0-9.]*% of snapshots ([0-9]* of [0-9]* accounts; [0-9.]* per scoring date on average, at most [0-9]*) with recall in accounts" "$WORK/out" && ok || fail "pooled thresholds: snapshots and accounts named"
grep -q "of accounts with" "$WORK/out" && fail "a share of snapshots called accounts" || ok
grep -q "the objective held out of time (on the test rows, counted in accounts) in [0-9]* of [0-9]* folds: the chosen bands are" "$WORK/out" && ok || fail "out-of-time vote printed"
grep -q '"bands_recommended": ' "$O/summary.json" && ok || fail "summary.json: bands_recommended"
grep -q '"red_accounts_per_date_max": ' "$O/summary.json" && ok || fail "summary.json: red accounts per date"
[ "$(head -1 "$O/cutpoints.csv")" = "band,min" ] && [ "$(wc -l <"$O/cutpoints.csv")" = 4 ] && ok || fail "cutpoints.csv: 3 bands"
# The embargo in the dates: train_end = test_start - 31 (horizon 30).
awk -F, '
# days since 1970-01-01 of YYYY-MM-DD (H. Hinnant, days_from_civil)
function days(s,    y, m, d, era, yoe, doy) {
    y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
    if (m <= 2) y--
    era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    return era * 146097 + yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy - 719468
}
NR > 1 { n++; if (days($6) - days($5) != 31) bad = 1 }
END { exit bad || !n }' "$O/folds.csv" && ok || fail "folds.csv: train_end is 31 days before test_start"

# a capacity: at most 20 red accounts on every training scoring date of
# every fold (folds.csv, read by column name), the next grid cut over it
run 0 "backtest --objective capacity=20" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --tuned --window 180 --step 60 --objective capacity=20 --min-band 0.02 -o "$WORK/cap"
awk -F, '
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
$col["used"] == 1 {
    n++
    if ($col["objective_met"] != 1 || $col["train_red_per_date_max"] > 20 || $col["train_red_per_date_max"] == "") bad = 1
    if ($col["train_next_per_date_max"] <= 20) bad = 1
    if ($col["red_per_date_max"] == "" || $col["red_per_date_mean"] > $col["red_per_date_max"]) bad = 1
    if ($col["objective_test"] != $col["red_per_date_max"]) bad = 1
    if (($col["objective_test"] <= 20) != ($col["objective_met_test"] == 1)) bad = 1
}
END { exit bad || n < 4 }' "$WORK/cap/folds.csv" && ok || fail "capacity=20: folds.csv red accounts per training date above 20, or not tight"
grep -q '"capacity_accounts_per_date": 20' "$WORK/cap/summary.json" && ok || fail "capacity recorded in summary.json"
grep -q "red accounts per scoring date on average" "$WORK/out" && ok || fail "capacity: red accounts per date printed"
run 0 "backtest --objective capacity=6%" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --window 180 --step 60 --objective 'capacity=6%' --min-band 0.02 -o "$WORK/capp"
grep -Eq '"capacity_share_per_date": 0\.(06|05999999)' "$WORK/capp/summary.json" && ok || fail "capacity in percent recorded"
run 1 "bad capacity" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --objective capacity=lots -o "$WORK/x"
expect_err "cannot read 'lots' after 'capacity='" "bad capacity explained"

# several configs on identical folds, with names
# other weights: usage 0.3 -> 0.2, the first 0.15 (engagement) -> 0.25
awk '/"weight": 0.3,/ && !a { sub(/0.3,/, "0.2,"); a = 1 } /"weight": 0.15,/ && !b { sub(/0.15,/, "0.25,"); b = 1 } { print }' "$S/current.json" >"$WORK/other.json"
run 0 "backtest two configs" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" -c "$WORK/other.json" --names current,other --window expanding --step 90 -o "$WORK/two"
[ "$(sed 1d "$WORK/two/folds.csv" | cut -d, -f2 | sort -u | tr '\n' ' ')" = "current other " ] && ok || fail "two configs named in folds.csv"
# identical test rows: n and positives agree between the configs of a fold
[ "$(sed 1d "$WORK/two/folds.csv" | awk -F, '{ k = $1; v = $10 "/" $11; if (k in s && s[k] != v) bad = 1; s[k] = v } END { print bad + 0 }')" = 0 ] && ok || fail "configs tested on different rows"
grep -q '"window_days": "expanding"' "$WORK/two/summary.json" && ok || fail "expanding window recorded"

# The defaults: four-week test periods after 26 weeks of training dates.
# 80 weekly snapshots (days 0..553, labels censored after day 553 - 30:
# observations on days 0, 7, ..., 518), the first test on day 182 + 30 = 212:
# floor((518 - 212) / 28) + 1 = 11 folds; whether they carry a conclusion is said in the text and the JSON,
# the same way (adequate <=> no caution line).
run 0 "backtest with the default folds" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" -o "$WORK/dflt"
grep -q '"step_days": 28,' "$WORK/dflt/summary.json" && ok || fail "default step is not 28 days"
grep -q '"planned": 11,' "$WORK/dflt/summary.json" && ok || fail "default folds on 80 weeks: expected 11 planned ($(grep '"planned"' "$WORK/dflt/summary.json"))"
grep -q '"adequate_min_folds": 5,' "$WORK/dflt/summary.json" && ok || fail "summary.json: adequacy rule (folds)"
grep -q '"adequate_min_churned_accounts_per_fold": 10' "$WORK/dflt/summary.json" && ok || fail "summary.json: adequacy rule (churned accounts)"
if grep -q '"adequate": true' "$WORK/dflt/summary.json"; then
    grep -q '"adequacy": null' "$WORK/dflt/summary.json" && ok || fail "adequate folds with a reason"
    grep -q "enough to conclude" "$WORK/out" && ok || fail "adequate folds not said in the text"
else
    grep -q '"adequacy": "the folds are too ' "$WORK/dflt/summary.json" && ok || fail "inadequate folds without a reason"
    grep -q "^caution: the folds are too " "$WORK/out" && ok || fail "inadequate folds not said in the text"
fi
# Lead times over the out-of-time test rows, per config (the --tuned run):
# the same churned accounts and rows for every config (only the bands
# differ), share = in_band / with_snapshot, red never above below-green (red
# is one of the bands below green), intervals around the share; and printed.
python3 - "$O/summary.json" <<'PY' && ok || fail "summary.json: lead times inconsistent"
import json, sys
d = json.load(open(sys.argv[1]))
lt = d["lead_time"]
cs = lt["configs"]
ok = len(cs) == 2 and lt["ci_method"] == "Wilson over accounts"
ok &= cs[0]["churned_accounts"] == cs[1]["churned_accounts"] > 0
for c in cs:
    for h in range(3):
        r, g = c["red"]["before_churn"][h], c["below_green"]["before_churn"][h]
        ok &= r["days_before_churn"] == g["days_before_churn"] == (30, 60, 90)[h]
        ok &= r["churned_accounts_with_snapshot"] == g["churned_accounts_with_snapshot"]
        ok &= r["churned_accounts_with_snapshot"] == cs[0]["red"]["before_churn"][h]["churned_accounts_with_snapshot"]
        ok &= r["in_band"] <= g["in_band"]
        for e in (r, g):
            n = e["churned_accounts_with_snapshot"]
            if n:
                ok &= abs(e["share"] - e["in_band"] / n) < 1e-12
                ok &= e["ci_low"] <= e["share"] <= e["ci_high"]
    ok &= "share_change_from_baseline" in cs[1]["red"]["before_churn"][0]
    ok &= c["red"]["churned_accounts_ever_in_band"] <= c["below_green"]["churned_accounts_ever_in_band"]
sys.exit(0 if ok else 1)
PY
grep -q "^lead time out of time" "$WORK/out.tuned" && ok || fail "lead time not printed"
grep -q "^  red  *30 days: [0-9]* of [0-9]* (" "$WORK/out.tuned" && ok || fail "red share 30 days before churn not printed"

# quarterly folds on the same history are too few, and say so
run 0 "backtest with quarterly folds" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --step 91 -o "$WORK/qtr"
grep -q '"adequate": false' "$WORK/qtr/summary.json" && ok || fail "4 quarterly folds called adequate"
grep -q "only 4 folds were used (of 4 planned), and at least 5 are needed" "$WORK/out" && ok || fail "too few folds not explained"

# a fold whose test period has no churners: drop the churn events that
# would label its rows (test 2024-08-28..10-26, windows to 11-25)
awk -F, 'NR == 1 || $3 != "churn" || $2 < "2024-08-29" || $2 > "2024-11-26"' "$S/events.csv" >"$WORK/events_gap.csv"
run 0 "backtest with a churn-free test period" -- $HEALTHCAL backtest -q -s "$S/snapshots.csv" -e "$WORK/events_gap.csv" -c "$S/current.json" --tuned --window 180 --step 60 -o "$WORK/gap"
grep '^2,' "$WORK/gap/folds.csv" | grep -q "no churners among" && ok || fail "churn-free fold: note in folds.csv"
grep '^2,' "$WORK/gap/folds.csv" | head -1 | cut -d, -f11 | grep -qx 0 && ok || fail "churn-free fold: 0 positives"

# errors
run 1 "no -o" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json"
run 1 "no --config" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -o "$WORK/x"
run 1 "bad objective" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --objective lift=3 -o "$WORK/x"
expect_err "unknown objective" "bad objective explained"
run 1 "bad window" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --window forever -o "$WORK/x"
run 1 "names count" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --names a,b -o "$WORK/x"
# a window longer than the history caps nothing: the first fold still
# starts after 182 days of training dates; a first test after the last
# observation leaves no fold
run 3 "history too short" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --first-test 2099-01-01 -o "$WORK/x"
expect_err "too short" "too short explained"
run 3 "no fold has enough churners" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --min-train-churners 100000 -o "$WORK/x"
expect_err "none of the" "no usable fold explained"
sed 's/"column": "nps"/"column": "nps_score"/' "$S/current.json" >"$WORK/badcol.json"
run 2 "second config with a missing column" -- $HEALTHCAL backtest -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" -c "$WORK/badcol.json" -o "$WORK/x"
expect_err "badcol.json" "missing column: config named"
expect_err "components[4].metrics[0].column" "missing column: key named"
[ ! -e "$WORK/x" ] && ok || fail "an output directory was made on error"

# the plots read what backtest wrote
if command -v gnuplot >/dev/null 2>&1; then
    run 0 "plot the backtest" -- $HEALTHCAL plot --from "$O" -o "$WORK/plots" --format svg
    for p in reliability roc pr gains bands_over_time score_distribution thresholds folds; do
        [ -s "$WORK/plots/$p.svg" ] && ok || fail "plot $p not drawn from backtest data"
    done
else
    echo "skipped: gnuplot is not installed, plots not drawn"
fi

# end to end on the SaaS activity panel (a real dataset with a time dimension)
DS=${HC_SHARED_DATASETS:-$ROOT/../shared/datasets}
if [ -r "$DS/saas-activity/activity.csv" ]; then
    run 0 "saas_to_history.sh" -- sh "$ROOT/scripts/saas_to_history.sh" "$DS/saas-activity" "$WORK/saas"
    [ "$(head -1 "$WORK/saas/snapshots.csv")" = "account_id,snapshot_date,segment,active_last_3,active_prev,streak,active_share,tenure_months" ] && ok || fail "saas snapshots header"
    # SOURCE.md: 79034 (user, active month) rows, one snapshot each
    [ "$(sed 1d "$WORK/saas/snapshots.csv" | wc -l)" = 79034 ] && ok || fail "saas: one snapshot per active month"
    run 0 "label the saas history" -- $HEALTHCAL label -s "$WORK/saas/snapshots.csv" -e "$WORK/saas/events.csv" -o "$WORK/saas/obs.csv"
    # every churn event labels exactly one snapshot (the one after the last active month)
    ev=$(sed 1d "$WORK/saas/events.csv" | wc -l)
    expect_err "churn events matched:      $ev of $ev" "saas: every churn event matched"
    expect_err "churn labels (1):          $ev" "saas: one churn label per event"
    run 0 "backtest the saas history" -- $HEALTHCAL backtest -s "$WORK/saas/snapshots.csv" -e "$WORK/saas/events.csv" -c "$WORK/saas/current.json" --tuned --window expanding --step 60 --objective recall=0.7 -o "$WORK/saas/out"
    used=$(sed -n 's/^    "used": \([0-9]*\),*$/\1/p' "$WORK/saas/out/summary.json")
    [ "${used:-0}" -ge 5 ] && ok || fail "saas: at least 5 usable folds (got ${used:-none})"
    no_nan "$WORK/saas/out/summary.json" "saas summary.json"
    grep -q "discriminates" "$WORK/out" && ok || fail "saas: verdict printed"
    run 0 "validate the saas config" -- $HEALTHCAL validate -q -s "$WORK/saas/snapshots.csv" -e "$WORK/saas/events.csv" -c "$WORK/saas/current.json" --json "$WORK/saas/v.json"
    grep -q '^  "roc_auc": 0\.[5-9]' "$WORK/saas/v.json" && ok || fail "saas: the hand-set score ranks better than chance"
else
    echo "skipped: $DS/saas-activity is absent (set HC_SHARED_DATASETS)"
fi

finish
