#!/bin/sh
# validate.sh - `healthcal validate`: probability, score and config modes, JSON keys, errors.
. "$(dirname "$0")/lib.sh"

# json_num KEY FILE: the number of a top-level key of a JSON file written
# with 2-space indentation.
json_num() {
    sed -n "s/^  \"$1\": \\([^,]*\\),*\$/\\1/p" "$2" | head -1
}

# near A B TOL: |A - B| <= TOL
near() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a != "" && d <= t) }'
}

# The 30 rows of tests/reference/validate.py (outcome spelled in several
# accepted ways, one row with a missing probability that is dropped).
cat >"$WORK/obs.csv" <<'EOF'
id,churned,prob,health
1,1,0.42,35
2,0,0.05,80
3,no,0.10,72
4,yes,0.33,40
5,0,0.02,90
6,0,0.20,55
7,0,0.12,66
8,1,0.25,50
9,0,0.04,85
10,0,0.11,70
11,false,0.15,60
12,true,0.30,45
13,0,0.08,75
14,0,0.03,88
15,0,0.22,50
16,0,0.14,62
17,1,0.55,30
18,0,0.07,77
19,0,0.05,81
20,0,0.09,69
21,1,0.18,58
22,0,0.02,92
23,0,0.13,64
24,0,0.08,73
25,1,0.36,41
26,0,0.04,83
27,0,0.19,57
28,0,0.06,79
29,0,0.12,68
30,1,0.27,52
31,1,,
EOF

KEYS="n positives roc_auc roc_auc_ci_low roc_auc_ci_high pr_auc brier log_loss ece
calibration_intercept calibration_slope calibration_in_the_large hl_chi2 hl_p ks
lift_top_decile capture_top_decile"

check_json() { # FILE WHAT
    for k in $KEYS; do
        grep -q "^  \"$k\": " "$1" && ok || fail "$2: key $k missing"
    done
    # no NaN or infinity anywhere (JSON has no such numbers)
    if grep -Eiq '[:,\[][[:space:]]*-?(nan|inf|infinity)[[:space:]]*[],}]?$' "$1"; then
        fail "$2: NaN or infinity in the JSON"
    else ok; fi
    if command -v jq >/dev/null 2>&1; then
        jq -e . "$1" >/dev/null 2>&1 && ok || fail "$2: not valid JSON"
    fi
}

# --prob: scikit-learn roc_auc_score(y, p) = 0.98295454545454541
run 0 "validate --prob" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --json "$WORK/p.json"
check_json "$WORK/p.json" "--prob"
near "$(json_num roc_auc "$WORK/p.json")" 0.98295454545454541 1e-12 && ok || fail "--prob: roc_auc"
[ "$(json_num n "$WORK/p.json")" = 30 ] && ok || fail "--prob: n is 30 after dropping the missing row"
[ "$(json_num positives "$WORK/p.json")" = 8 ] && ok || fail "--prob: 8 positives"
expect_err "1 of 31 rows dropped" "--prob: dropped row reported"
grep -q "discriminates well" "$WORK/out" && ok || fail "--prob: discrimination verdict in words"
grep -q "calibration (probabilities: as given)" "$WORK/out" && ok || fail "--prob: probabilities as given"

# --score --higher-is-healthier: roc_auc_score(y, -health) = 0.97443181818181812
run 0 "validate --score" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --score health --higher-is-healthier --json "$WORK/s.json"
check_json "$WORK/s.json" "--score"
near "$(json_num roc_auc "$WORK/s.json")" 0.97443181818181812 1e-12 && ok || fail "--score: roc_auc"
grep -q '"calibration_in_sample": true' "$WORK/s.json" && ok || fail "--score: calibration labelled in-sample"
grep -q "in-sample logistic map" "$WORK/out" && ok || fail "--score: in-sample map said on the terminal"
# statsmodels / R glm: logit p = 16.809920783045598 - 0.31552902785670695 H
grep -q '"map_slope": -0.3155290' "$WORK/s.json" && ok || fail "--score: map slope"

# the same score read as risk ranks backwards: AUC = 1 - 0.97443181818181812
run 0 "validate --score as risk" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --score health --json "$WORK/r.json"
near "$(json_num roc_auc "$WORK/r.json")" 0.02556818181818188 1e-12 && ok || fail "--score as risk: roc_auc"
grep -q "ranks backwards" "$WORK/out" && ok || fail "--score as risk: ranks backwards in words"

# --json -: JSON on stdout, the report on stderr
run 0 "validate --json -" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --json -
grep -q '^  "roc_auc": ' "$WORK/out" && ok || fail "--json -: JSON on stdout"
expect_err "discrimination (ranking of risk)" "--json -: report on stderr"

# errors
run 1 "no --label" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --prob prob
run 1 "both --prob and --score" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --score health
run 1 "nothing to validate" -- $HEALTHCAL validate --json x.json
run 2 "missing column" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob p_churn
expect_err "p_churn" "missing column named"
sed 's/^3,no,/3,maybe,/' "$WORK/obs.csv" >"$WORK/badlabel.csv"
run 2 "bad label" -- $HEALTHCAL validate --observations "$WORK/badlabel.csv" --label churned --prob prob
expect_err "badlabel.csv:4" "bad label names file and line"
sed 's/^\([0-9]*\),[a-z1]*,/\1,0,/' "$WORK/obs.csv" >"$WORK/nochurn.csv"
run 3 "no churners" -- $HEALTHCAL validate --observations "$WORK/nochurn.csv" --label churned --prob prob
expect_err "churn" "no churners explained"
awk -F, 'NR == 1 { print; next } { $3 = "0.1"; print }' OFS=, "$WORK/obs.csv" >"$WORK/const.csv"
run 3 "constant prediction" -- $HEALTHCAL validate --observations "$WORK/const.csv" --label churned --prob prob
expect_err "equal" "constant predictions explained"
sed 's/^2,0,0.05,/2,0,1.5,/' "$WORK/obs.csv" >"$WORK/range.csv"
run 3 "probability above 1" -- $HEALTHCAL validate --observations "$WORK/range.csv" --label churned --prob prob

# a config on a simulated history
run 0 "simulate" -- $HEALTHCAL simulate -q --accounts 300 --weeks 60 --seed 4 --out "$WORK/sim"
S="$WORK/sim"
run 0 "validate --config" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --json "$WORK/c.json" --plot-data "$WORK/plots"
check_json "$WORK/c.json" "--config"
grep -q '^  "bands": \[' "$WORK/c.json" && ok || fail "--config: bands array"
grep -q '"name": "red"' "$WORK/c.json" && ok || fail "--config: band names"
grep -q "band churn rates" "$WORK/out" && ok || fail "--config: band table printed"
expect_err "observations:" "--config: counts on stderr"
for f in reliability.csv prediction_hist.csv roc.csv pr.csv gains.csv score_distribution.csv; do
    [ -s "$WORK/plots/$f" ] && ok || fail "--plot-data: $f missing"
done
[ "$(head -1 "$WORK/plots/roc.csv")" = "config,fpr,tpr" ] && ok || fail "--plot-data: roc.csv header"

# a config naming a column the snapshots lack: exit 2, config and key named
sed 's/"column": "csat"/"column": "csat_score"/' "$S/current.json" >"$WORK/badcol.json"
run 2 "config with a missing column" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$WORK/badcol.json"
expect_err "badcol.json" "missing column: config file named"
expect_err "components[1].metrics[1].column" "missing column: key named"
expect_err "'csat_score'" "missing column: column named"
run 1 "--config without --events" -- $HEALTHCAL validate -s "$S/snapshots.csv" -c "$S/current.json"

# leakage (audit item 8): the 30 rows' probability has ROC AUC 0.983, above
# the stated 0.90: a warning on the terminal and in the JSON; none at 0.99.
run 0 "validate leakage warning" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --json "$WORK/lk.json"
grep -q "possible leakage: the score's ROC AUC 0.983 is above 0.90" "$WORK/out" && ok || fail "leakage: no warning in the text"
grep -q "Hosmer-Lemeshow  *chi2 .* on [0-9]* df ([0-9]* groups)" "$WORK/out" && ok || fail "HL: groups used not printed"
grep -q "rows clipped  *0 " "$WORK/out" && ok || fail "clipped rows not printed"
grep -A2 '"warnings": \[' "$WORK/lk.json" | grep -q "possible leakage" && ok || fail "leakage: no warning in the JSON"
run 0 "validate --leakage-auc 0.99" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --leakage-auc 0.99 --json "$WORK/lk2.json"
grep -q '"warnings": \[\]' "$WORK/lk2.json" && ok || fail "--leakage-auc 0.99: warnings not empty"
grep -q "possible leakage" "$WORK/out" && fail "--leakage-auc 0.99: warned" || ok
run 1 "--leakage-auc out of range" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --leakage-auc 2

# conventions (audit item 9): stated in --help and in the JSON
run 0 "validate --help" -- $HEALTHCAL validate --help
for w in "10 equal-width bins" "1e-15" "hoslem.test" "ceil(N/10)" "--leakage-auc"; do
    grep -qF -- "$w" "$WORK/out" && ok || fail "--help: '$w' not stated"
done
grep -q '^  "conventions": {' "$WORK/p.json" && ok || fail "JSON: conventions object"
grep -q '"lift_rows": 3,' "$WORK/p.json" && ok || fail "JSON: lift counts ceil(30/10) = 3 rows"
[ "$(json_num hl_groups "$WORK/p.json")" -ge 3 ] && ok || fail "JSON: hl_groups"
# clustered rows (the "honest uncertainty" issue): with --snapshots the
# intervals are clustered by the account id; --cluster-col none gives the
# rows-independent ones; one row per account gives them exactly.
J="$WORK/c.json"
grep -q '^  "clusters": {' "$J" && ok || fail "clusters: object missing with --snapshots"
grep -q '"roc_auc_ci_method": "clustered DeLong (Obuchowski 1997' "$J" && ok || fail "clusters: AUC method not named"
grep -q '"column": "account_id"' "$J" && ok || fail "clusters: account id is the default cluster"
grep -q '"hl_assumption": "assumes independent rows; not valid for repeated snapshots"' "$J" && ok || fail "HL assumption not in the JSON"
grep -q '"churn_rate_ci_method": "Clopper-Pearson at the effective sample size' "$J" && ok || fail "band interval method not named"
grep -q '"method": "cluster bootstrap, percentile"' "$J" && ok || fail "bootstrap method not named"
run 0 "validate --cluster-col none" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --cluster-col none --json "$WORK/c0.json"
grep -q '^  "clusters": {' "$WORK/c0.json" && fail "--cluster-col none: clusters object written" || ok
grep -q "intervals assume independent rows" "$WORK/out" && ok || fail "--cluster-col none: not said in words"
# the clustered AUC interval is wider than the rows-independent one, and
# the latter is what --cluster-col none reports
lo=$(json_num roc_auc_ci_low "$J"); lo0=$(json_num roc_auc_ci_low "$WORK/c0.json")
awk -v a="$lo" -v b="$lo0" 'BEGIN { exit !(a < b) }' && ok || fail "clustered AUC interval not wider ($lo vs $lo0)"
grep -q "\"ci_low_naive\": $lo0" "$J" && ok || fail "rows-independent AUC interval not kept beside the clustered one"
run 0 "validate clustered text" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --bootstrap 50 --seed 3
grep -q "effective sample size (rows are clustered by account_id)" "$WORK/out" && ok || fail "effective sample size not printed"
grep -q "rows (snapshots) from 300 accounts (by account_id), but only [0-9]* churned accounts: intervals are as wide as" "$WORK/out" && ok || fail "effective sample size not in words"
grep -q "clustered DeLong by account" "$WORK/out" && ok || fail "AUC method not printed"
grep -q "not valid for repeated snapshots" "$WORK/out" && ok || fail "HL assumption not printed"
grep -q "cluster bootstrap, 50 replicates, seed 3" "$WORK/out" && ok || fail "bootstrap replicates and seed not printed"
# the bootstrap repeats with its seed and moves with another
for run in 5a:5 5b:5 6a:6; do
    $HEALTHCAL validate -q -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" \
        --bootstrap 100 --seed "${run#*:}" --json "$WORK/boot${run%:*}.json" >/dev/null 2>&1 || true
done
[ -s "$WORK/boot5a.json" ] && cmp -s "$WORK/boot5a.json" "$WORK/boot5b.json" && ok || fail "--seed 5 twice: different JSON"
cmp -s "$WORK/boot5a.json" "$WORK/boot6a.json" && fail "--seed 5 and 6: identical bootstrap" || ok
run 2 "--cluster-col numeric" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --cluster-col arr
expect_err "snapshots.csv" "numeric cluster column: file named"
expect_err "'arr' is not a text (id) column" "numeric cluster column: column named"
run 2 "--cluster-col absent" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --cluster-col acct
expect_err "no cluster column 'acct'" "absent cluster column named"
run 1 "--bootstrap 1" -- $HEALTHCAL validate -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --bootstrap 1

# --observations --cluster-col: one row per account (the id column) gives
# the rows-independent numbers exactly; a missing column is named.
run 0 "validate --cluster-col id" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --cluster-col id --json "$WORK/pid.json"
for k in roc_auc_ci_low roc_auc_ci_high calibration_slope_ci_low calibration_in_the_large_ci_high; do
    near "$(json_num $k "$WORK/pid.json")" "$(json_num $k "$WORK/p.json")" 1e-12 && ok || fail "one row per account: $k changed"
done
grep -q '"design_effect_roc_auc": 1' "$WORK/pid.json" && ok || fail "one row per account: AUC design effect not 1"
run 2 "--cluster-col missing" -- $HEALTHCAL validate --observations "$WORK/obs.csv" --label churned --prob prob --cluster-col account
expect_err "obs.csv" "missing cluster column: file named"
expect_err "'account'" "missing cluster column: column named"
awk -F, 'NR == 1 { print $0 ",acct"; next } { print $0 "," int(($1 - 1) / 3) }' OFS=, "$WORK/obs.csv" >"$WORK/obs3.csv"
run 0 "validate --cluster-col (3 rows per account)" -- $HEALTHCAL validate --observations "$WORK/obs3.csv" --label churned --prob prob --cluster-col acct --json "$WORK/p3.json"
grep -q '"accounts": 10,' "$WORK/p3.json" && ok || fail "3 rows per account: 10 accounts"

# Bands in accounts on datasets/sample: churned ARR per band (validate's
# JSON, each churned account once) sums to the churned ARR of the churn
# events of the churned accounts evaluated. Computed here with awk from the
# files: an account is a churned account evaluated when some snapshot t
# has its first churn in (t, t + 30] and t + 30 on or before the as-of date
# (the latest date in either file); its churned ARR is that event's amount.
SAMPLE="$HERE/../../datasets/sample"
run 0 "validate the sample" -- $HEALTHCAL validate -q -s "$SAMPLE/snapshots.csv" -e "$SAMPLE/events.csv" -c "$SAMPLE/current.json" --bootstrap 0 --json "$WORK/sample.json"
grep -q "^bands in snapshots" "$WORK/out" && grep -q "^bands in accounts" "$WORK/out" && ok \
    || fail "sample: the band tables do not name their units"
band_sum=$(sed -n 's/^      "churned_arr_events": \([0-9.e+-]*\),*$/\1/p' "$WORK/sample.json" \
    | awk '{ s += $1; n++ } END { if (n == 3) printf "%.2f", s }')
total=$(sed -n 's/^    "churned_arr_events": \([0-9.e+-]*\),*$/\1/p' "$WORK/sample.json")
want=$(awk -F, '
    function day(s,   y, m, d) { y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
        if (m <= 2) { y--; m += 12 }
        return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d }
    FNR == 1 { next }
    NR == FNR { t = day($2); if (t > asof) asof = t
                if (tolower($3) == "churn" && (!($1 in churn) || t < churn[$1])) { churn[$1] = t; amt[$1] = $4 }
                next }
    { t = day($2); if (t > asof) asof = t; snap[FNR] = $1 "," t }
    END { for (i in snap) { split(snap[i], a, ","); c = churn[a[1]]
              if (a[1] in churn && c > a[2] && c <= a[2] + 30 && a[2] + 30 <= asof) ev[a[1]] = 1 }
          for (k in ev) { s += amt[k]; n++ }
          printf "%.2f %d", s, n }' "$SAMPLE/events.csv" "$SAMPLE/snapshots.csv")
want_arr=${want% *}
[ -n "$band_sum" ] && near "$band_sum" "$want_arr" 0.005 && ok \
    || fail "sample: churned ARR per band sums to $band_sum, the evaluated accounts' churn events to $want_arr"
near "$total" "$want_arr" 0.005 && ok || fail "sample: band_totals churned ARR $total, events $want_arr"
churned=$(sed -n 's/^    "churned_accounts": \([0-9]*\),*$/\1/p' "$WORK/sample.json" | tail -1)
[ "$churned" = "${want#* }" ] && ok || fail "sample: $churned churned accounts, the events give ${want#* }"
# accounts as of their latest snapshot sum to the accounts (400)
[ "$(sed -n 's/^      "accounts_latest": \([0-9]*\),*$/\1/p' "$WORK/sample.json" | awk '{ s += $1 } END { print s }')" = 400 ] \
    && ok || fail "sample: accounts as of latest do not sum to 400"

finish
