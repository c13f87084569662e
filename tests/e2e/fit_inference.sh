#!/bin/sh
# fit_inference.sh - fit's z, p and intervals on the cluster-robust SE, dropped components with their estimate, and the segments' churned accounts and shrinkage k.
. "$(dirname "$0")/lib.sh"

# The case of the audit: 300 accounts x 52 weeks, seed 3.
run 0 "simulate" -- $HEALTHCAL simulate --accounts 300 --weeks 52 --seed 3 --out "$WORK/sim" -q
run 0 "label" -- $HEALTHCAL label -q -s "$WORK/sim/snapshots.csv" -e "$WORK/sim/events.csv" -o "$WORK/obs.csv"
F=logins_per_week,feature_adoption,open_tickets,csat,days_past_due
run 0 "fit --cluster" -- $HEALTHCAL fit -q --observations "$WORK/obs.csv" --label churn \
    --features $F --cluster account_id --coef-out "$WORK/coef.csv"
grep -q "^se: cluster-robust CR1 (account_id, 300 clusters); z, p and the 95% interval use it" \
    "$WORK/out" && ok || fail "the table does not name the SE it uses"
head -1 "$WORK/coef.csv" | grep -q ",robust_se,se_used$" && ok || fail "coef CSV lacks se_used"
grep -q '^days_past_due,.*,"cluster-robust CR1 (account_id, 300 clusters)"$' "$WORK/coef.csv" \
    && ok || fail "coef CSV row does not name the robust SE"
# Property: z = estimate / robust_se and the interval is estimate -/+
# qnorm(0.975) robust_se, on every row (the naive SE gave z = 16.3 for
# days_past_due; the robust one gives 6.5).
awk -F, 'NR > 1 { z = $2 / $8; lo = $2 - 1.959963984540054 * $8
                  if ((z - $4)^2 > 1e-20 * z * z || (lo - $6)^2 > 1e-20 * lo * lo) bad = 1 }
         END { exit bad }' "$WORK/coef.csv" && ok || fail "z or interval not on the robust SE"
# Reference: R glm + sandwich::vcovCL(cluster = ~account_id, type = "HC1"),
# z = b / se, p = 2 pnorm(-|z|), CI = b -/+ qnorm(0.975) se, when R and
# sandwich are installed.
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(sandwich)' >/dev/null 2>&1; then
    Rscript - "$WORK/obs.csv" >"$WORK/r.csv" 2>"$WORK/r.err" <<'R'
suppressPackageStartupMessages(library(sandwich))
d <- read.csv(commandArgs(TRUE)[1])
f <- churn ~ logins_per_week + feature_adoption + open_tickets + csat + days_past_due
d <- d[complete.cases(d[, all.vars(f)]), ]
m <- glm(f, binomial, data = d, control = glm.control(epsilon = 1e-14, maxit = 100))
se <- sqrt(diag(vcovCL(m, cluster = ~account_id, type = "HC1"))); b <- coef(m); z <- b / se
cat(sprintf("%.17g,%.17g,%.17g,%.17g\n", z, 2 * pnorm(-abs(z)), b - qnorm(0.975) * se,
            b + qnorm(0.975) * se), sep = "")
R
    tail -n +2 "$WORK/coef.csv" | cut -d, -f4-7 | paste -d, - "$WORK/r.csv" | awk -F, '
        function rel(a, b) { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b; return d / s }
        { for (i = 1; i <= 4; i++) if (rel($i, $(i + 4)) > 1e-7) bad = 1 }
        END { exit bad || NR != 6 }' && ok || fail "z, p or interval differ from R's vcovCL"
else
    echo "skip: Rscript with sandwich not installed, R reference check not run"
fi

# Without --cluster, the table says it uses the model SE.
run 0 "fit without cluster" -- $HEALTHCAL fit -q --observations "$WORK/obs.csv" --label churn --features $F
grep -q "^se: model-based (inverse Fisher information)" "$WORK/out" && ok || fail "model SE not named"

# A history whose fit drops a component for the wrong sign (192 accounts x
# 104 weeks, seed 1: engagement): the table, the coef CSV and the tuned
# config show its estimate and interval from the unconstrained fit.
run 0 "simulate 2" -- $HEALTHCAL simulate --accounts 192 --weeks 104 --seed 1 --out "$WORK/d1" -q
run 0 "fit history" -- $HEALTHCAL fit -q -s "$WORK/d1/snapshots.csv" -e "$WORK/d1/events.csv" \
    -c "$WORK/d1/current.json" --no-expansion -o "$WORK/t1.json" --coef-out "$WORK/c1.csv"
grep -q "^engagement .* dropped .*\[-0.004182, 0.02937\]$" "$WORK/out" && ok \
    || fail "dropped component lacks its unconstrained interval in the table"
grep -q "^engagement,0.01259.*,dropped: wrong sign" "$WORK/c1.csv" && ok \
    || fail "coef CSV lacks the dropped component"
grep -q '"before_drop"' "$WORK/t1.json" && ok || fail "tuned config lacks before_drop"
grep -Eqiw "nan|inf|infinity" "$WORK/c1.csv" "$WORK/t1.json" && fail "NaN or inf in the output" || ok

# Segments: churned accounts per segment and the shrinkage k, printed and
# recorded. 2000 accounts x 78 weeks, seed 3 has 3 segments with own fits.
run 0 "simulate 3" -- $HEALTHCAL simulate --accounts 2000 --weeks 78 --seed 3 --out "$WORK/s3" -q
run 0 "fit segments" -- $HEALTHCAL fit -q -s "$WORK/s3/snapshots.csv" -e "$WORK/s3/events.csv" \
    -c "$WORK/s3/current.json" --segments --no-expansion -o "$WORK/t3.json"
grep -q "^segment  *rows  *events  *churned  *credibility" "$WORK/out" && ok || fail "no churned column"
grep -q "^credibility Z = C / (C + k), C churned accounts, k = .*(empirical Bayes over 3 segments" \
    "$WORK/out" && ok || fail "no empirical-Bayes k line"
grep -q '"segment_shrinkage"' "$WORK/t3.json" && grep -q '"churned_accounts"' "$WORK/t3.json" \
    && grep -q '"segment_shrinkage_k"' "$WORK/t3.json" && ok || fail "tuned config lacks the shrinkage"
# Each segment: credibility = churned / (churned + k), with k from the line.
awk '/^credibility Z/ { for (i = 1; i <= NF; i++) if ($i == "k" && $(i + 1) == "=") k = $(i + 2) + 0 }
     /^(smb|mid|enterprise) / { c[$1] = $4; z[$1] = $5 }
     END { for (s in c) { e = c[s] / (c[s] + k) - z[s]; if (e > 0.0006 || e < -0.0006) bad = 1 }
           exit bad || k == 0 }' "$WORK/out" && ok || fail "credibility is not C / (C + k)"
run 0 "help" -- $HEALTHCAL fit --help
grep -q "Z_s = C_s / (C_s + k)" "$WORK/out" && ok || fail "--help lacks the shrinkage rule"
finish
