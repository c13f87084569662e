#!/bin/sh
# report_glance.sh - the report's first screen, call list, lead time and trend on the bundled sample: cards and takeaways, calls.csv = predict --calls, lead times = validate's JSON and an independent awk count, hostile account ids escaped, --pdf without a converter.
. "$(dirname "$0")/lib.sh"

S="$HERE/../../datasets/sample"
export TMPDIR="$WORK/tmp"
mkdir -p "$TMPDIR"

# Two accounts at the top of the call list (under the fitted config below) get hostile ids: HTML
# and a spreadsheet formula (DDE). The same rename in both files.
EVIL_HTML='<script>alert(3)</script>'
EVIL_CSV="=cmd|' /C calc'!A0"
for f in snapshots events; do
    awk -F, -v OFS=, -v a="$EVIL_HTML" -v b="$EVIL_CSV" \
        'NR > 1 && $1 == "A000031" { $1 = a } NR > 1 && $1 == "A000095" { $1 = b } { print }' \
        "$S/$f.csv" >"$WORK/$f.csv"
done
grep -qF "$EVIL_CSV" "$WORK/snapshots.csv" && ok || fail "awk did not rename the accounts"

# A config with a churn model (fitted on the sample), so that predict
# scores with exactly the config the report scores with.
run 0 "fit" -- $HEALTHCAL fit --snapshots "$S/snapshots.csv" --events "$S/events.csv" \
    --config "$S/current.json" -o "$WORK/fitted.json"
C="$WORK/fitted.json"
OUT="$WORK/report"
run 0 "report on the sample" -- $HEALTHCAL report --quiet --snapshots "$WORK/snapshots.csv" \
    --events "$WORK/events.csv" --config "$C" -o "$OUT"
H="$OUT/index.html"
for f in calls.csv data/band_rates.csv data/lead_time.csv data/trend.csv; do
    [ -s "$OUT/$f" ] && ok || fail "report lacks $f"
done

# ---- the first screen: six cards, each linking to a section that exists ----
n=$(grep -o 'class="card [a-z]*" href="#[a-z]*"' "$H" | wc -l)
[ "$n" -eq 6 ] && ok || fail "expected 6 cards, got $n"
for a in $(grep -o 'class="card [a-z]*" href="#[a-z]*"' "$H" | sed 's/.*href="#//; s/"//'); do
    grep -q "id=\"$a\"" "$H" && ok || fail "card links to #$a, which is not in the page"
done
# the cards come before the first section after them (the call list)
c=$(grep -n 'class="card ' "$H" | tail -1 | cut -d: -f1)
s=$(grep -n 'id="calls"' "$H" | head -1 | cut -d: -f1)
[ "$c" -lt "$s" ] && ok || fail "cards after the call list"
# the recommendation card says what report_decision.c decided
if grep -q '^Keep the current config\|Keep the current config:' "$H"; then
    grep -q '<span class="v">Keep current config</span>' "$H" && ok || fail "card contradicts the decision (keep)"
else
    grep -q '<span class="v">Adopt tuned config</span>' "$H" && ok || fail "card contradicts the decision (adopt)"
fi
# every figure has a takeaway sentence
figs=$(grep -c '<figure id=' "$H")
takes=$(grep -c '<p class="takeaway">' "$H")
[ "$figs" -gt 10 ] && [ "$figs" = "$takes" ] && ok || fail "$figs figures but $takes takeaways"
for fig in headline lead_time trend; do
    grep -q "<figure id=\"fig-$fig\">" "$H" && ok || fail "no figure $fig"
    [ -s "$OUT/plots/$fig.svg" ] || ! command -v gnuplot >/dev/null && ok || fail "plots/$fig.svg not drawn"
done
grep -q '@media print' "$H" && grep -q 'break-before:page' "$H" && ok || fail "no print stylesheet"
# The sample's folds are too few or too small (few churned accounts each): the page says so.
grep -q 'Backtest folds:</strong> the folds are too \(few\|small\)' "$H" && ok || fail "no note on too few folds"
grep -q '^> \*\*Backtest folds:\*\*' "$OUT/summary.md" && ok || fail "no fold note in summary.md"
grep -q '^## At a glance' "$OUT/summary.md" && grep -q "^## This week's call list" "$OUT/summary.md" \
    && ok || fail "summary.md lacks the cards or the call list"

# ---- red against green, in accounts (the second card) ---------------------
# On the sample under the fitted config, band_rates.csv counts 8 churned of
# 11 accounts seen in red and 22 of 352 in green. R 4.2:
#   prop.test(8, 11, correct = FALSE)$conf.int     -> 0.434355 0.902539 (Wilson)
#   rr <- (8/11)/(22/352); se <- sqrt(1/8 - 1/11 + 1/22 - 1/352)
#   rr * exp(c(-1, 1) * qnorm(0.975) * se)         -> 11.636 (6.762, 20.025) (Katz)
grep -q '^current,red,11,8,0.727273,0.434355,0.902539$' "$OUT/data/band_rates.csv" && ok \
    || fail "red band of band_rates.csv: $(grep '^current,red' "$OUT/data/band_rates.csv")"
grep -q '^current,green,352,22,0.0625,' "$OUT/data/band_rates.csv" && ok \
    || fail "green band of band_rates.csv: $(grep '^current,green' "$OUT/data/band_rates.csv")"
grep -qF '<span class="v">11.6×</span>' "$H" && ok \
    || fail "the red/green card does not read 11.6x"
grep -qF '(ratio 95% CI 6.8 to 20.0, over accounts)' "$H" && ok || fail "Katz interval of the card"

# ---- hostile ids: escaped in every page, neutralised in the CSV ----------
grep -qi '<script' "$H" && fail "raw <script> in index.html" || ok
grep -qF '&lt;script&gt;alert(3)&lt;/script&gt;' "$H" && ok || fail "escaped account id missing from index.html"
grep -qi '<script' "$OUT/summary.md" && fail "raw <script> in summary.md" || ok
grep -qF '&lt;script&gt;alert(3)&lt;/script&gt;' "$OUT/summary.md" && ok || fail "escaped account id missing from summary.md"
grep -qF "\"'=cmd|' /C calc'!A0\"," "$OUT/calls.csv" && ok || fail "formula id not neutralised in calls.csv"
grep -q '^[0-9]*,"\{0,1\}[=+@-]' "$OUT/calls.csv" && fail "an id cell of calls.csv starts a formula" || ok
grep -qF '=cmd|' "$H" && ok || fail "formula id missing from index.html"

# ---- calls.csv: the header, living accounts, red or fell, by ARR at risk ----
head -1 "$OUT/calls.csv" | grep -q '^rank,account_id,segment,band,reason,health,health_change,p_churn_30d,arr,expected_arr_at_risk,drivers,snapshot_date$' \
    && ok || fail "calls.csv header: $(head -1 "$OUT/calls.csv")"
# no account on the list has churned (events.csv: a churn on or before its date)
awk -F, 'NR == FNR { if ($3 == "churn") churned[$1] = 1; next }
         FNR > 1 && ($2 in churned) { print "churned account on the list: " $2; bad = 1 }
         END { exit bad }' "$WORK/events.csv" "$OUT/calls.csv" >"$WORK/cmp" && ok \
    || { fail "calls.csv lists churned accounts"; cat "$WORK/cmp"; }
# expected ARR at risk never rises down the list (column 10; drivers are
# quoted but come after it; ids here hold no comma)
awk -F, 'FNR > 1 { v = $10 + 0; if (FNR > 2 && v > last + 1e-9) bad = 1; last = v } END { exit bad }' \
    "$OUT/calls.csv" && ok || fail "calls.csv is not sorted by expected ARR at risk"
# every listed account is red, or its reason says it fell a band
awk -F, 'FNR > 1 && $4 != "red" && $5 !~ /fell/ { bad = 1 } END { exit bad }' "$OUT/calls.csv" \
    && ok || fail "calls.csv lists an account neither red nor fallen"
# The same list from predict --calls, byte for byte, with the config the
# report scored with: tuned.json when it adopts the tuned one, else its own.
cfg="$C"
grep -q '<span class="v">Adopt tuned config</span>' "$H" && cfg="$OUT/tuned.json"
run 0 "predict --calls" -- $HEALTHCAL predict -q --config "$cfg" --snapshots "$WORK/snapshots.csv" \
    --events "$WORK/events.csv" -o "$WORK/pred.csv" --calls "$WORK/calls.csv"
same_file "$OUT/calls.csv" "$WORK/calls.csv" "predict --calls = the report's calls.csv"
[ "$(wc -l <"$OUT/calls.csv")" -gt 3 ] && ok || fail "call list too short to test"
run 1 "predict --calls with --all-snapshots" -- $HEALTHCAL predict -q --config "$C" \
    --snapshots "$WORK/snapshots.csv" --all-snapshots -o "$WORK/p2.csv" --calls "$WORK/c2.csv"
expect_err "--calls lists accounts by their latest snapshot" "--calls with --all-snapshots"

# ---- lead times: the report's = validate's JSON = an independent count ----
run 0 "validate --json" -- $HEALTHCAL validate --snapshots "$S/snapshots.csv" --events "$S/events.csv" \
    --config "$C" --json "$WORK/v.json"
# validate's counts in order: red 30/60/90, below green 30/60/90
tr ',{}[]' '\n\n\n\n\n' <"$WORK/v.json" | sed -n '/"lead_time"/,$p' \
    | awk -F: '/"churned_accounts_with_snapshot"/ { w = $2 + 0 } /"in_band"/ { print w, $2 + 0 }' \
    | head -6 >"$WORK/lt_validate"
awk -F, '$1 == "current" { print $4, $5 }' "$OUT/data/lead_time.csv" >"$WORK/lt_report"
[ "$(wc -l <"$WORK/lt_validate")" -eq 6 ] && ok || fail "lead_time not found in validate's JSON"
same_file "$WORK/lt_validate" "$WORK/lt_report" "report lead times vs validate --json"
# Independently: every snapshot's band from predict --all-snapshots (the
# same config), the first churn day of each account from events.csv; an
# account was flagged d days before churning when its latest snapshot on or
# before churn - d (and before the churn) is in the band. Dates to day
# numbers with the civil-from-days inverse (Hinnant).
run 0 "predict --all-snapshots" -- $HEALTHCAL predict -q --config "$C" \
    --snapshots "$S/snapshots.csv" --events "$S/events.csv" --all-snapshots -o "$WORK/all.csv"
awk -F, '
function day(s,   y, m, d, era, yoe, doy, doe) {
    y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
    y -= m <= 2; era = int(y / 400); yoe = y - era * 400
    doy = int((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1
    doe = yoe * 365 + int(yoe / 4) - int(yoe / 100) + doy
    return era * 146097 + doe
}
NR == FNR { if ($3 == "churn") { t = day($2); if (!($1 in churn) || t < churn[$1]) churn[$1] = t }; next }
FNR == 1 { next }
($1 in churn) && $6 != "" {
    t = day($2); c = churn[$1]
    if (t >= c) next
    for (k = 1; k <= 3; k++) {
        cut = c - 30 * k
        if (t <= cut && (!(($1, k) in best) || t > best[$1, k])) { best[$1, k] = t; band[$1, k] = $6 }
    }
}
END {
    for (w = 0; w < 2; w++) for (k = 1; k <= 3; k++) {
        n = 0; f = 0
        for (a in churn) if ((a, k) in best) { n++; f += w ? band[a, k] != "green" : band[a, k] == "red" }
        print n, f
    }
}' "$S/events.csv" "$WORK/all.csv" >"$WORK/lt_awk"
same_file "$WORK/lt_awk" "$WORK/lt_report" "report lead times vs an independent awk count"

# ---- band rates and trend, recounted from label and predict --------------
# label writes the labelled snapshots (churn within 30 days); predict
# --all-snapshots gives every snapshot's band under the same config. Per
# band: the accounts with a labelled snapshot in it and those with a churner
# one; per month: each account once, by its latest labelled snapshot.
run 0 "label" -- $HEALTHCAL label --snapshots "$S/snapshots.csv" --events "$S/events.csv" \
    --horizon 30 -o "$WORK/labels.csv"
awk -F, '
NR == FNR { if (FNR > 1) band[$1 "," $2] = $6; next }
FNR == 1 { for (i = 1; i <= NF; i++) if ($i == "churn") cc = i; next }
{
    b = band[$1 "," $2]; y = $cc
    if (!(($1, b) in seen)) { seen[$1, b] = 1; acc[b]++ }
    if (y == 1 && !(($1, b) in ch)) { ch[$1, b] = 1; chn[b]++ }
    m = substr($2, 1, 7)
    if (!(($1, m) in last) || $2 >= last[$1, m]) { last[$1, m] = $2; lb[$1, m] = b; ly[$1, m] = y }
}
END {
    for (b in acc) print "rate", b, acc[b], chn[b] + 0
    for (k in last) { split(k, p, SUBSEP); n[p[2] "," lb[k]]++; c[p[2] "," lb[k]] += ly[k] }
    for (k in n) { split(k, q, ","); print "trend", q[1] "-01", q[2], n[k], c[k] }
}' "$WORK/all.csv" "$WORK/labels.csv" | sort >"$WORK/recount"
{ awk -F, '$1 == "current" { print "rate", $2, $3, $4 }' "$OUT/data/band_rates.csv"
  awk -F, 'FNR > 1 && $3 > 0 { print "trend", $1, $2, $3, $5 }' "$OUT/data/trend.csv"; } \
    | sort >"$WORK/reported"
same_file "$WORK/recount" "$WORK/reported" "band rates and trend vs a recount from label and predict"
[ "$(grep -c '^trend' "$WORK/recount")" -ge 36 ] && [ "$(grep -c '^rate' "$WORK/recount")" -eq 3 ] && ok \
    || fail "the recount is too short: $(wc -l <"$WORK/recount") lines"

# ---- trend: each period's accounts add up; shares sum to 1 ---------------
awk -F, 'FNR > 1 { s[$1] += $4 } END { for (p in s) if (s[p] < 0.999 || s[p] > 1.001) bad = 1; exit bad }' \
    "$OUT/data/trend.csv" && ok || fail "trend shares do not sum to 1 per period"
[ "$(cut -d, -f1 "$OUT/data/trend.csv" | sed 1d | sort -u | wc -l)" -ge 12 ] && ok \
    || fail "trend has fewer than 12 months on 18 months of history"

# ---- --pdf without a converter: a clear message, non-zero, no report ----
# A PATH without a browser; a runner in front of healthcal (valgrind) stays.
mkdir -p "$WORK/bin"
runner=${HEALTHCAL%% *}
case "$runner" in
*/*) ;;
*) if r=$(command -v "$runner"); then
       ln -s "$r" "$WORK/bin/"
       # Debian's valgrind is a script that runs "$0.bin"
       [ -e "$r.bin" ] && ln -s "$r.bin" "$WORK/bin/"
   fi ;;
esac
run 4 "--pdf without chromium" -- env PATH="$WORK/bin" $HEALTHCAL report --quiet \
    --snapshots "$S/snapshots.csv" --events "$S/events.csv" --config "$S/current.json" \
    --pdf -o "$WORK/nopdf"
expect_err "--pdf needs a converter" "--pdf without chromium"
[ ! -e "$WORK/nopdf/index.html" ] && ok || fail "--pdf without a converter still wrote a report"

finish
