#!/bin/sh
# coverage_study.sh - how often validate's 95% intervals cover the population value over simulated histories (a study, not a test: prints a table).
#
# usage: scripts/coverage_study.sh [N [ACCOUNTS [WEEKS]]]
#   N         histories (seeds 1..N), default 200
#   ACCOUNTS  accounts per history, default 300;  WEEKS default 52
# Environment: HEALTHCAL (default ./build/healthcal), PYTHON (default
# /usr/bin/python3, for reading the JSON), WORK (default a temporary
# directory, removed at the end unless KEEP=1), POP_ACCOUNTS (default
# 20000), POP_SEED (default 999), BOOTSTRAP (replicates per history for
# the bootstrap intervals, default 0: the closed forms only).
#
# Design. One large history (POP_ACCOUNTS x WEEKS, seed POP_SEED) stands
# for the population. Its in-sample logistic map of the health score is
# frozen into a config (current.json plus that churn_model), so that the
# population values are: the ROC AUC, each band's churn rate and the Brier
# score of the large history under that config, and a calibration slope
# of exactly 1 (the map is the population's maximum-likelihood fit).
# Validating each small history with the frozen config, the share of
# histories whose 95% interval contains the population value is the
# coverage, reported for the clustered intervals (clustered by account,
# the default) and for the rows-independent ones validate reports beside
# them. (With current.json itself the probabilities would be an in-sample
# map of each small history, whose calibration slope is 1 by construction:
# its coverage would say nothing.) Target: 93-97%.
#
# The paired AUC difference of the backtest: a second fixed config, the
# weights fitted on the large history (fit, tuned_pop.json), against the
# frozen one; `backtest -c frozen.json -c tuned_pop.json` (quarterly
# folds, expanding window) gives each history's paired test on its pooled
# test rows, and the same backtest of the large history gives the
# population difference (at least 2 training churners per fold, so that
# the small histories use the folds the large one does). (Fixed configs, not --tuned: a refit on each small
# history would be a different model in every history, with no common
# population value to cover.)
set -eu
N=${1:-200}
ACCOUNTS=${2:-300}
WEEKS=${3:-52}
HEALTHCAL=${HEALTHCAL:-./build/healthcal}
PYTHON=${PYTHON:-/usr/bin/python3}
POP_ACCOUNTS=${POP_ACCOUNTS:-20000}
POP_SEED=${POP_SEED:-999}
BOOTSTRAP=${BOOTSTRAP:-0}
if [ -z "${WORK:-}" ]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/coverage.XXXXXX")
    [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

echo "population: $POP_ACCOUNTS accounts x $WEEKS weeks, seed $POP_SEED" >&2
"$HEALTHCAL" simulate -q --accounts "$POP_ACCOUNTS" --weeks "$WEEKS" --seed "$POP_SEED" --out "$WORK/pop"
"$HEALTHCAL" validate -q -s "$WORK/pop/snapshots.csv" -e "$WORK/pop/events.csv" \
    -c "$WORK/pop/current.json" --bootstrap 0 --json "$WORK/pop_map.json" >/dev/null || [ $? = 5 ]
"$PYTHON" - "$WORK/pop/current.json" "$WORK/pop_map.json" "$WORK/frozen.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
prob = json.load(open(sys.argv[2]))["probabilities"]
cfg["churn_model"] = {"intercept": prob["map_intercept"], "slope": prob["map_slope"]}
cfg["name"] = "population map of the health score"
json.dump(cfg, open(sys.argv[3], "w"), indent=2)
PY
"$HEALTHCAL" validate -q -s "$WORK/pop/snapshots.csv" -e "$WORK/pop/events.csv" \
    -c "$WORK/frozen.json" --bootstrap 0 --json "$WORK/pop.json" >/dev/null || [ $? = 5 ]
"$HEALTHCAL" fit -q -s "$WORK/pop/snapshots.csv" -e "$WORK/pop/events.csv" \
    -c "$WORK/pop/current.json" --no-expansion -o "$WORK/tuned_pop.json" >/dev/null
BT="--window expanding --step 91 --first-test 2024-04-01 --min-train-churners 2"
# shellcheck disable=SC2086
"$HEALTHCAL" backtest -q -s "$WORK/pop/snapshots.csv" -e "$WORK/pop/events.csv" \
    -c "$WORK/frozen.json" -c "$WORK/tuned_pop.json" $BT --allow-in-sample -o "$WORK/pop_bt" >/dev/null

i=1
while [ "$i" -le "$N" ]; do
    d="$WORK/h$i"
    "$HEALTHCAL" simulate -q --accounts "$ACCOUNTS" --weeks "$WEEKS" --seed "$i" --out "$d"
    rc=0
    "$HEALTHCAL" validate -q -s "$d/snapshots.csv" -e "$d/events.csv" -c "$WORK/frozen.json" \
        --bootstrap "$BOOTSTRAP" --seed "$i" --json "$WORK/v$i.json" >/dev/null 2>"$WORK/v$i.err" || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 5 ] || { echo "history $i: validate exit $rc" >&2; rm -f "$WORK/v$i.json"; }
    # shellcheck disable=SC2086
    if "$HEALTHCAL" backtest -q -s "$d/snapshots.csv" -e "$d/events.csv" -c "$WORK/frozen.json" \
        -c "$WORK/tuned_pop.json" $BT -o "$d/bt" >/dev/null 2>"$WORK/b$i.err"; then
        cp "$d/bt/summary.json" "$WORK/b$i.json"
    else
        echo "history $i: backtest failed" >&2
    fi
    rm -rf "$d"
    i=$((i + 1))
done

"$PYTHON" - "$WORK" "$N" "$ACCOUNTS" "$WEEKS" <<'PY'
import json, os, sys
work, n = sys.argv[1], int(sys.argv[2])
pop = json.load(open(os.path.join(work, "pop.json")))
truth = {"ROC AUC": pop["roc_auc"], "calibration slope": 1.0, "Brier": pop["brier"]}
bt = json.load(open(os.path.join(work, "pop_bt", "summary.json")))
truth["AUC difference (backtest)"] = bt["comparisons"][0]["auc_difference"]
for b in pop["bands"]:
    truth["churn rate, band " + b["name"]] = b["churn_rate"]
hits = {k: [0, 0, 0] for k in truth}   # clustered, naive, histories
width = {k: [0.0, 0.0] for k in truth}
def tally(k, lo, hi, lo0, hi0):
    if None in (lo, hi, lo0, hi0):
        return
    t = truth[k]
    hits[k][0] += lo <= t <= hi
    hits[k][1] += lo0 <= t <= hi0
    hits[k][2] += 1
    width[k][0] += hi - lo
    width[k][1] += hi0 - lo0
used = 0
for i in range(1, n + 1):
    p = os.path.join(work, "v%d.json" % i)
    if not os.path.exists(p):
        continue
    v = json.load(open(p))
    c = v["clusters"]
    used += 1
    a = c["roc_auc"]
    tally("ROC AUC", a["ci_low"], a["ci_high"], a["ci_low_naive"], a["ci_high_naive"])
    s = c["calibration_slope"]
    tally("calibration slope", s["ci_low"], s["ci_high"], s["ci_low_naive"], s["ci_high_naive"])
    b = c["brier"]
    z = 1.959963984540054
    tally("Brier", b["ci_low"], b["ci_high"], b["estimate"] - z * b["se_naive"],
          b["estimate"] + z * b["se_naive"])
    for x in v["bands"]:
        if x.get("churn_rate_ci_low") is not None:
            tally("churn rate, band " + x["name"], x["churn_rate_ci_low"], x["churn_rate_ci_high"],
                  x["churn_rate_ci_low_naive"], x["churn_rate_ci_high_naive"])
for i in range(1, n + 1):
    p = os.path.join(work, "b%d.json" % i)
    if not os.path.exists(p):
        continue
    c = json.load(open(p))["comparisons"][0]
    if c.get("ci_low") is None or "rows_independent" not in c:
        continue
    r = c["rows_independent"]
    tally("AUC difference (backtest)", c["ci_low"], c["ci_high"], r["ci_low"], r["ci_high"])
print("coverage of 95%% intervals: %d histories of %s accounts x %s weeks (of %d asked)"
      % (used, sys.argv[3], sys.argv[4], n))
print("population: %d rows, %d accounts (%d churned)" % (pop["n"], pop["clusters"]["accounts"],
                                                       pop["clusters"]["churned_accounts"]))
print("%-26s %12s %10s %10s %10s %10s %6s" % ("metric", "population", "clustered", "naive",
                                               "width cl.", "width nv.", "n"))
for k in truth:
    h = hits[k]
    if h[2] == 0:
        print("%-26s %12.6g %10s %10s %10s %10s %6d" % (k, truth[k], "-", "-", "-", "-", 0))
        continue
    print("%-26s %12.6g %9.1f%% %9.1f%% %10.4g %10.4g %6d" % (k, truth[k], 100.0 * h[0] / h[2],
          100.0 * h[1] / h[2], width[k][0] / h[2], width[k][1] / h[2], h[2]))
PY
