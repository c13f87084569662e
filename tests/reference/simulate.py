#!/usr/bin/python3
"""simulate.py - checks a `healthcal simulate` output against its truth with pandas/statsmodels/scikit-learn.

Usage (from the repository root):
    ./healthcal simulate --accounts 20000 --weeks 104 --seed 1 --out /tmp/sim20k --truth-probs
    /usr/bin/python3 tests/reference/simulate.py /tmp/sim20k

Prints the churn share, the 30-day churn and expansion rates of the
uncensored snapshots, ROC AUC and Brier score of the true probabilities
(the oracle), of the health score with the true and the hand-set weights,
and of a logistic regression (statsmodels GLM, binomial) of the 30-day
churn label on the five component sub-scores plus segment indicators, with
the weights it implies (beta_k / sum beta). The numbers quoted in
tests/unit/test_simulate.c and datasets/README.md come from this script.
"""
import json
import sys

import numpy as np
import pandas as pd
import statsmodels.api as sm
from sklearn.metrics import brier_score_loss, roc_auc_score

d = sys.argv[1]
truth = json.load(open(f"{d}/truth.json"))
s = pd.read_csv(f"{d}/snapshots.csv", parse_dates=["snapshot_date"])
e = pd.read_csv(f"{d}/events.csv", parse_dates=["event_date"])
p = pd.read_csv(f"{d}/truth_probs.csv", parse_dates=["snapshot_date"])
s = s.merge(p, on=["account_id", "snapshot_date"], how="left", validate="1:1")
last = s.snapshot_date.max()
print("accounts", s.account_id.nunique(), "snapshots", len(s),
      "churned share %.4f" % (e.event_type.eq("churn").sum() / s.account_id.nunique()))


def label(kind):
    ev = e[e.event_type == kind][["account_id", "event_date"]]
    m = s[["account_id", "snapshot_date"]].reset_index().merge(ev, on="account_id")
    m = m[(m.event_date > m.snapshot_date) &
          (m.event_date <= m.snapshot_date + pd.Timedelta(days=30))]
    y = np.zeros(len(s), int)
    y[m["index"].unique()] = 1
    return y


s["y"] = label("churn")
s["yx"] = label("expansion")
s = s[s.snapshot_date + pd.Timedelta(days=30) <= last].copy()
print("uncensored", len(s), "churn rate %.5f" % s.y.mean(), "expansion rate %.5f" % s.yx.mean())

# Sub-scores with the transforms of the truth's config; missing metrics are
# skipped within a component (mean of those present).
comps = truth["true_config"]["components"]
sub = {}
for c in comps:
    parts = []
    for m in c["metrics"]:
        t = m["transform"]
        v = np.clip(100 * (s[m["column"]] - t["low"]) / (t["high"] - t["low"]), 0, 100)
        parts.append(v if t["higher_is_healthier"] else 100 - v)
    sub[c["name"]] = pd.concat(parts, axis=1).mean(axis=1)
S = pd.DataFrame(sub)
tw = truth["true_weights"]
hw = truth["hand_set_weights"]
Ht = sum(S[k] * w for k, w in tw.items())
Hh = sum(S[k] * w for k, w in hw.items())
print("AUC oracle %.4f  Brier oracle %.6f" % (roc_auc_score(s.y, s.p_churn),
                                             brier_score_loss(s.y, s.p_churn)))
print("AUC H(true weights) %.4f  AUC H(hand-set) %.4f" % (roc_auc_score(s.y, -Ht),
                                                          roc_auc_score(s.y, -Hh)))
print("AUC expansion oracle %.4f" % roc_auc_score(s.yx, s.p_expansion))
print("mean p_churn %.5f  mean p_expansion %.5f" % (s.p_churn.mean(), s.p_expansion.mean()))

X = S.copy()
X["mid"] = (s.segment == "mid").astype(float)
X["enterprise"] = (s.segment == "enterprise").astype(float)
X = sm.add_constant(X)
names = list(sub)
for what, y in (("churn", s.y), ("expansion", s.yx)):
    f = sm.GLM(y.values, X.values, family=sm.families.Binomial()).fit()
    b = pd.Series(f.params, index=X.columns)
    print(f"{what} GLM coefficients:", b.round(5).to_dict())
    if what == "churn":
        w = b[names] / b[names].sum()
        print("implied weights", w.round(3).to_dict(), "slope B %.4f" % b[names].sum())
        pf = f.predict(X.values)
        print("AUC fitted %.4f  Brier fitted %.6f" % (roc_auc_score(y, pf),
                                                     brier_score_loss(y, pf)))
