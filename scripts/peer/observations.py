#!/usr/bin/python3
"""observations.py - the peer of healthcal's --observations paths (scripts/bench.sh): pandas read_csv, scikit-learn's metrics, a statsmodels logit; checks healthcal's numbers.

usage: observations.py --observations FILE --label COL --prob COL --score COL
                       --features A,B,... [--check-dir DIR]

Stages, each timed and printed as "stage NAME SECONDS PEAK_KIB" (the time
since the previous stage; `imports` counts from the start):
  imports    numpy, pandas, scikit-learn, statsmodels
  load       pandas.read_csv of the table (the label, p, the score and the
             features as float64, the account id as a category)
  prob       roc_auc_score, average_precision_score, brier_score_loss and
             log_loss of p: four of the dozen metrics `healthcal validate
             --prob` reports
  score      roc_auc_score and average_precision_score of the score (the
             rank metrics of `validate --score`; its calibration needs a
             fitted map the peer does not make)
  logit      statsmodels Logit(label, [1, features]).fit(method="newton"),
             `healthcal fit --observations` with the same terms
With --check-dir DIR, compares against DIR/validate_prob.json,
DIR/validate_score.json (healthcal validate --json) and DIR/obs_coef.csv
(healthcal fit --observations --coef-out): "check NAME DIFF TOL ok|FAIL"
lines, then "check all ok|FAIL".
"""
import argparse
import csv
import json
import os
import resource
import sys
import time

T_START = time.perf_counter()

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from sklearn.metrics import (average_precision_score, brier_score_loss,  # noqa: E402
                             log_loss, roc_auc_score)


def stage(name, t0):
    t = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"stage {name} {t - t0:.6f} {peak}", flush=True)
    return t


def check_line(what, diff, tol):
    ok = bool(diff <= tol)
    print(f"check {what} {diff:.3g} {tol:g} {'ok' if ok else 'FAIL'}", flush=True)
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--observations", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--prob", required=True)
    ap.add_argument("--score", required=True)
    ap.add_argument("--features", required=True)
    ap.add_argument("--check-dir", default=None)
    a = ap.parse_args()
    feats = a.features.split(",")
    t = stage("imports", T_START)
    dtypes = {c: "float64" for c in feats + [a.label, a.prob, a.score]}
    dtypes["account_id"] = "category"
    d = pd.read_csv(a.observations, dtype=dtypes)
    t = stage("load", t)
    y = d[a.label].to_numpy()
    p = d[a.prob].to_numpy()
    prob = {"roc_auc": roc_auc_score(y, p), "pr_auc": average_precision_score(y, p),
            "brier": brier_score_loss(y, p), "log_loss": log_loss(y, p)}
    t = stage("prob", t)
    s = d[a.score].to_numpy()
    score = {"roc_auc": roc_auc_score(y, s), "pr_auc": average_precision_score(y, s)}
    t = stage("score", t)
    X = sm.add_constant(d[feats].to_numpy(), has_constant="add")
    fit = sm.Logit(y, X).fit(method="newton", disp=0, tol=1e-12, maxiter=100)
    t = stage("logit", t)
    stage("total", T_START)
    print(f"count rows {len(d)}")
    if not a.check_dir:
        return 0
    ok = True
    for name, mine in (("validate_prob", prob), ("validate_score", score)):
        path = os.path.join(a.check_dir, name + ".json")
        try:
            with open(path) as f:
                hc = json.load(f)
        except (OSError, ValueError) as e:
            print(f"check {name} missing ({e}) FAIL")
            ok = False
            continue
        for k, v in mine.items():
            ok &= check_line(f"{name}_{k}", abs(hc[k] - v), 1e-9)
    path = os.path.join(a.check_dir, "obs_coef.csv")
    try:
        with open(path) as f:
            rows = list(csv.DictReader(f))
        est = np.array([float(r["estimate"]) for r in rows])
        se = np.array([float(r["std_error"]) for r in rows])
        ok &= check_line("obs_coef", float(np.max(np.abs(est - fit.params))), 1e-6)
        ok &= check_line("obs_se", float(np.max(np.abs(se - fit.bse))), 1e-6)
    except (OSError, KeyError, ValueError) as e:
        print(f"check obs_coef missing ({e}) FAIL")
        ok = False
    print(f"check all {'ok' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
