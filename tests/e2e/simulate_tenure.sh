#!/bin/sh
# simulate_tenure.sh - `simulate --onboarding-days` (issue 15): a lifecycle shape with known truth, recovered by the fit within its intervals; the option's default leaves every file unchanged.
#
# The truth (truth.json "onboarding", src/workflow/simulate_model.c): while
# an account's contract tenure (snapshot date - start_date) is below D = 90
# days its weekly churn hazard is logit h = a_seg + 0.5 - 0.1 H_onb with
# weights usage 0.35, support 0, engagement 0.55, financial 0, relationship
# 0.10 (adoption failure); tenured accounts keep the usual weights 0.30,
# 0.05, 0, 0.50, 0.15. The fit is run on each stage's rows (filtered here by
# tenure with awk) with a 7-day horizon, so that its label is the weekly
# hazard the truth is written in (with 30 days the label also covers three
# later weeks whose noisier engagement scores the snapshot does not see, and
# the engagement weight is pulled below its truth). Every true weight must
# lie in the fit's 95% interval on the cluster-robust SE (a component the
# fit drops for the wrong sign counts as weight 0 and must have a truth
# below 0.1 and an unconstrained beta interval holding 0).
#
# What it catches: a hazard that ignores the stage or uses other weights, a
# start_date that is not the contract start the hazard used (the stages
# then mix and the onboarding engagement weight falls), a tenure off by the
# backdating of week-0 accounts. Not a lucky pass: over seeds 1..20 at this
# size (1000 accounts x 52 weeks; HC_TENURE_SEED=S reruns it with seed S),
# 11 of the 200 interval checks missed (5.5%, about the nominal 5% of 95%
# intervals) and 12 seeds passed all ten; every other check passed on all
# 20 seeds; seed 1 is the first seed, not a chosen one. A simulator that
# ignores the option in the hazard (tried: the same weights in both stages)
# fails the interval checks and the separation checks below, which need the
# stages' engagement and financial intervals to be disjoint (at this size
# they are, by a wide margin, because the truths differ: 0.55 vs 0, 0 vs
# 0.50).
. "$(dirname "$0")/lib.sh"

N=1000; W=52; D=90; SEED=${HC_TENURE_SEED:-1}
run 0 "simulate --onboarding-days" -- $HEALTHCAL simulate -q --accounts $N --weeks $W \
    --seed $SEED --onboarding-days $D --truth-probs --out "$WORK/on"
S="$WORK/on/snapshots.csv"; E="$WORK/on/events.csv"
SNAP_HEADER='account_id,snapshot_date,segment,arr,logins_per_week,feature_adoption,open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,exec_sponsor'
[ "$(head -1 "$S")" = "$SNAP_HEADER,start_date" ] && ok || fail "header: $(head -1 "$S")"
grep -q '"onboarding": {' "$WORK/on/truth.json" && grep -q '"onboarding_days": 90' "$WORK/on/truth.json" &&
    grep -q '"intercept_shift": 0.5' "$WORK/on/truth.json" && ok || fail "truth.json lacks the onboarding truth"
# truth.json's onboarding weights are the ones this test checks against
awk '/"onboarding": \{/ { o = 1 } o && /"weights": \{/ { w = 1; next } w && /\}/ { exit }
     w { gsub(/[",]/, ""); printf "%s%s%s", n++ ? " " : "", $1, $2 + 0 }' "$WORK/on/truth.json" >"$WORK/tw"
[ "$(cat "$WORK/tw")" = "usage:0.35 support:0 engagement:0.55 financial:0 relationship:0.1" ] && ok ||
    fail "onboarding weights in truth.json: $(cat "$WORK/tw")"
# current.json segments by the lifecycle stage from start_date
grep -q '"start_date": "start_date"' "$WORK/on/current.json" && grep -q '"until_days": 90' "$WORK/on/current.json" &&
    ok || fail "current.json lacks the lifecycle stage"

# tenure.awk: the rows of one stage (-v keep=onboarding|tenured) by tenure
# = snapshot_date - start_date in days (days from civil dates, as in
# lifecycle.sh); also checks that start_date is the contract start: at most
# 364 days before the account's first snapshot, and that first snapshot for
# accounts starting after week 0 (new logos, NEW_LOGO_SHARE 0.25).
cat >"$WORK/tenure.awk" <<'AWK'
function day(s,   y, m, d) {
    y = substr(s, 1, 4) + 0; m = substr(s, 6, 2) + 0; d = substr(s, 9, 2) + 0
    if (m <= 2) { y--; m += 12 }
    return 365 * y + int(y / 4) - int(y / 100) + int(y / 400) + int((153 * (m - 3) + 2) / 5) + d
}
NR == 1 { print > OUT; next }
{ t = day($2) - day($14)
  if (!($1 in first)) { first[$1] = t; if (t < 0 || t > 364) bad++; if (t == 0 && $2 != "2024-01-01") newlogo++ }
  if ((t < D) == (keep == "onboarding")) { print > OUT; n++ } }
END { printf "%d %d %d\n", n, bad, newlogo }
AWK
for st in onboarding tenured; do
    awk -F, -v keep=$st -v D=$D -v OUT="$WORK/$st.csv" -f "$WORK/tenure.awk" "$S" >"$WORK/$st.n"
done
read n_on bad newlogo <"$WORK/onboarding.n"
read n_ten bad2 newlogo2 <"$WORK/tenured.n"
[ "$bad" = 0 ] && [ "$newlogo" -gt 150 ] && [ "$newlogo" -lt 350 ] && ok ||
    fail "start_date is not the contract start ($bad accounts off, $newlogo new logos)"
[ $((n_on + n_ten + 1)) = "$(wc -l <"$S")" ] && [ "$n_on" -gt 2000 ] && ok ||
    fail "stages: $n_on onboarding + $n_ten tenured rows of $(wc -l <"$S")"

# the config: current.json with a 7-day horizon
sed 's/"horizon_days": 30/"horizon_days": 7/' "$WORK/on/current.json" >"$WORK/c7.json"
grep -q '"horizon_days": 7' "$WORK/c7.json" && ok || fail "7-day config"

# covers FIT TRUTHS: every true weight in its 95% interval (see the top)
covers() {
    awk -v truths="$2" 'BEGIN { n = split(truths, tw, " ")
            for (i = 1; i <= n; i++) { split(tw[i], p, ":"); want[p[1]] = p[2] } }
        /^component / { t = 1; next } /^\(intervals/ { t = 0 }
        t && ($1 in want) { w = want[$1] + 0; seen++
            if ($4 == "dropped") { lo = $7; hi = $8 } else { lo = $4; hi = $5 }
            gsub(/[\[,]/, "", lo); gsub(/\]/, "", hi)
            if ($4 == "dropped" ? !(w < 0.1 && lo + 0 <= 0 && 0 <= hi + 0) : !(lo + 0 <= w && w <= hi + 0)) {
                printf "%s: true %s, fitted %s\n", $1, w, $0; bad = 1 } }
        END { exit bad || seen != n }' "$1"
}
# interval FIT COMPONENT: "lo hi" of its weight interval ("0 0" when dropped)
interval() {
    awk -v c="$2" '/^component / { t = 1; next } /^\(intervals/ { t = 0 }
        t && $1 == c { if ($4 == "dropped") print 0, 0; else { lo = $4; hi = $5
            gsub(/[\[,]/, "", lo); gsub(/\]/, "", hi); print lo + 0, hi + 0 }; exit }' "$1"
}
ON_TRUTH="usage:0.35 support:0 engagement:0.55 financial:0 relationship:0.1"
TEN_TRUTH="usage:0.3 support:0.05 engagement:0 financial:0.5 relationship:0.15"
run 0 "fit onboarding rows" -- $HEALTHCAL fit -s "$WORK/onboarding.csv" -e "$E" -c "$WORK/c7.json" \
    -o "$WORK/t_on.json"
cp "$WORK/out" "$WORK/fit_on.txt"
grep -q "^se: cluster-robust CR1 (account_id, [0-9]* clusters)" "$WORK/fit_on.txt" && ok ||
    fail "onboarding fit not on the cluster-robust SE"
covers "$WORK/fit_on.txt" "$ON_TRUTH" >"$WORK/miss" && ok || fail "onboarding truth outside the intervals: $(cat "$WORK/miss")"
run 0 "fit tenured rows" -- $HEALTHCAL fit -s "$WORK/tenured.csv" -e "$E" -c "$WORK/c7.json" \
    -o "$WORK/t_ten.json"
cp "$WORK/out" "$WORK/fit_ten.txt"
covers "$WORK/fit_ten.txt" "$TEN_TRUTH" >"$WORK/miss" && ok || fail "tenured truth outside the intervals: $(cat "$WORK/miss")"

# the stages differ significantly: disjoint intervals of engagement (onboarding
# above) and financial (tenured above); fails when the hazard ignores the stage
set -- $(interval "$WORK/fit_on.txt" engagement) $(interval "$WORK/fit_ten.txt" engagement)
awk -v a="$1" -v b="$4" 'BEGIN { exit !(a > b) }' && ok ||
    fail "engagement: onboarding interval [$1, $2] not above tenured [$3, $4]"
set -- $(interval "$WORK/fit_ten.txt" financial) $(interval "$WORK/fit_on.txt" financial)
awk -v a="$1" -v b="$4" 'BEGIN { exit !(a > b) }' && ok ||
    fail "financial: tenured interval [$1, $2] not above onboarding [$3, $4]"

# the lifecycle-segmented fit of all rows (current.json's segment, shrunk
# toward the pooled model) puts the onboarding weights closer to the
# onboarding truth than the pooled weights are (L1 distance), and the
# tenured ones closer to the tenured truth
run 0 "fit --segments (lifecycle)" -- $HEALTHCAL fit -s "$S" -e "$E" -c "$WORK/c7.json" \
    --segments -o "$WORK/t_seg.json"
cp "$WORK/out" "$WORK/fit_seg.txt"
grep -q "^onboarding  " "$WORK/fit_seg.txt" && grep -q "^tenured  " "$WORK/fit_seg.txt" && ok ||
    fail "segmented fit lacks the stages"
# seg_weights STAGE: the stage's shrunk weights from the tuned config
seg_weights() {
    awk -v s="$1" '/^  "segments": \{/ { g = 1 } g && $0 ~ "^    \"" s "\": \\{" { o = 1 }
        o && /"weights": \{/ { w = 1; next } w && /\}/ { exit }
        w { gsub(/[",]/, ""); printf "%s%s%s", n++ ? " " : "", $1, $2 + 0 }' "$WORK/t_seg.json"
}
pooled=$(awk '/^component / { t = 1; next } /^\(intervals/ { t = 0 }
    t { printf "%s%s:%s", n++ ? " " : "", $1, $3 + 0 }' "$WORK/fit_seg.txt")
# closer SEGMENT_WEIGHTS POOLED TRUTH: L1(segment, truth) < L1(pooled, truth)
closer() {
    awk -v a="$1" -v b="$2" -v t="$3" 'function parse(s, m,   i, n, x, p) {
            n = split(s, x, " "); for (i = 1; i <= n; i++) { split(x[i], p, ":"); m[p[1]] = p[2] + 0 }
            return n }
        function abs(x) { return x < 0 ? -x : x }
        BEGIN { parse(a, A); parse(b, B); k = parse(t, T)
            for (c in T) { da += abs(A[c] - T[c]); db += abs(B[c] - T[c]); m++ }
            printf "L1 %.3f vs pooled %.3f\n", da, db
            exit !(k == 5 && m == 5 && da < db) }'
}
closer "$(seg_weights onboarding)" "$pooled" "$ON_TRUTH" >"$WORK/l1" && ok ||
    fail "segmented onboarding weights ($(seg_weights onboarding)) not closer to the truth than pooled ($pooled): $(cat "$WORK/l1")"
closer "$(seg_weights tenured)" "$pooled" "$TEN_TRUTH" >"$WORK/l1" && ok ||
    fail "segmented tenured weights ($(seg_weights tenured)) not closer to the truth than pooled ($pooled): $(cat "$WORK/l1")"

# the true probabilities follow the stage: the mean true 30-day P(churn) of
# onboarding snapshots is above that of tenured ones (intercept +0.5, lower H)
awk -F, 'NR == FNR { if (FNR > 1) p[$1 "," $2] = $3; next }
    FNR > 1 { k = $1 "," $2; if (k in p) { s[FILENAME] += p[k]; n[FILENAME]++ } }
    END { for (f in s) printf "%s %.6f\n", f ~ /onboarding/ ? "on" : "ten", s[f] / n[f] }' \
    "$WORK/on/truth_probs.csv" "$WORK/onboarding.csv" "$WORK/tenured.csv" | sort >"$WORK/pm"
awk '{ m[$1] = $2 } END { exit !(m["on"] > 1.5 * m["ten"]) }' "$WORK/pm" && ok ||
    fail "onboarding true probabilities not above tenured: $(cat "$WORK/pm")"

# --- the default: no option, every file as before ---------------------------
# Byte-identity of the default with the previous builds is checked by
# simulate.sh (the committed datasets/sample). Here: with the option, every
# account before the first whose churn outcome differs is byte-identical to
# the run without it (snapshots minus start_date, and events; not
# truth_probs, whose onboarding hazards differ by design): the option costs
# no random draw.
run 0 "simulate without the option" -- $HEALTHCAL simulate -q --accounts 60 --weeks 30 --seed 4 \
    --truth-probs --out "$WORK/off"
run 0 "simulate with the option" -- $HEALTHCAL simulate -q --accounts 60 --weeks 30 --seed 4 \
    --onboarding-days $D --truth-probs --out "$WORK/on2"
[ "$(head -1 "$WORK/off/snapshots.csv")" = "$SNAP_HEADER" ] && ok || fail "default header changed"
grep -q onboarding "$WORK/off/truth.json" "$WORK/off/current.json" && fail "default truth/current mention onboarding" || ok
cut -d, -f1-13 "$WORK/on2/snapshots.csv" >"$WORK/on2/cut.csv"
# first account whose churn event differs (or 999999 when none does)
first=$(awk -F, 'NR == FNR { if ($3 == "churn") a[$1] = $2; next }
    $3 == "churn" { b[$1] = $2 } END { m = "A999999"
        for (k in a) if (b[k] != a[k] && k < m) m = k
        for (k in b) if (a[k] != b[k] && k < m) m = k
        print m }' "$WORK/off/events.csv" "$WORK/on2/events.csv")
[ "$first" != A000001 ] && [ "$first" != A999999 ] && ok || fail "first changed account $first (want a prefix and a change)"
for f in cut.csv:snapshots.csv events.csv:events.csv; do
    awk -F, -v m="$first" 'NR == 1 || $1 < m' "$WORK/on2/${f%%:*}" >"$WORK/pa"
    awk -F, -v m="$first" 'NR == 1 || $1 < m' "$WORK/off/${f#*:}" >"$WORK/pb"
    [ "$(wc -l <"$WORK/pa")" -gt 1 ] && cmp -s "$WORK/pa" "$WORK/pb" && ok ||
        fail "${f#*:}: accounts before $first differ with --onboarding-days"
done
# and the option does change the outcomes (more churn in onboarding)
cmp -s "$WORK/off/events.csv" "$WORK/on2/events.csv" && fail "--onboarding-days changed no event" || ok

# with --grades and --users-per-account, start_date is the last column
run 0 "simulate --grades --users-per-account --onboarding-days" -- $HEALTHCAL simulate -q \
    --accounts 3 --weeks 2 --seed 1 --grades --users-per-account 2 --onboarding-days 30 --out "$WORK/gu"
[ "$(head -1 "$WORK/gu/snapshots.csv")" = "account_id,snapshot_date,user_id,segment,arr,logins_per_week,feature_adoption,open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,exec_sponsor,grade,start_date" ] &&
    ok || fail "header with grades and users: $(head -1 "$WORK/gu/snapshots.csv")"
awk -F, 'NR > 1 && ($15 !~ /^[A-F]$/ || $16 !~ /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]$/) { bad = 1 } END { exit bad }' \
    "$WORK/gu/snapshots.csv" && ok || fail "grade/start_date cells"

# usage errors name the option
run 1 "--onboarding-days 0" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 \
    --onboarding-days 0 --out "$WORK/u"
expect_err "onboarding-days" "--onboarding-days 0 names the option"
run 1 "--onboarding-days 4000" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 \
    --onboarding-days 4000 --out "$WORK/u"
expect_err "onboarding-days" "--onboarding-days 4000 names the option"
[ ! -e "$WORK/u" ] && ok || fail "a usage error created the output directory"
run 0 "--help" -- $HEALTHCAL simulate --help
grep -q -- "--onboarding-days D" "$WORK/out" && ok || fail "--help lacks --onboarding-days"
finish
