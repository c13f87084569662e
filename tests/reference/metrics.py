# metrics.py - scikit-learn / scipy reference numbers for tests/unit/test_metrics.c (top decile: the ceil(N/10) gains convention).
#
# Run from the repository root:  /usr/bin/python3 tests/reference/metrics.py
# (scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2, pandas when the numbers in
# the test were produced). Predictions are the same fixed-coefficient
# logistic predictions as tests/reference/metrics.R, computed as
# 1 / (1 + exp(-eta)) with eta summed left to right, exactly as the C test.
import math
import os
import numpy as np
import pandas as pd
from scipy.stats import ks_2samp
from sklearn.calibration import calibration_curve
from sklearn.metrics import (average_precision_score, brier_score_loss,
                             log_loss, roc_auc_score)

d = os.environ.get("HC_SHARED_DATASETS", "../shared/datasets")
telco = pd.read_csv(f"{d}/telco/WA_Fn-UseC_-Telco-Customer-Churn.csv")
bank = pd.read_csv(f"{d}/bank-churn/Churn_Modelling.csv")
ty = (telco.Churn == "Yes").astype(float).to_numpy()
sets = {
    "telco_a": (ty, -1.6 + -0.055 * telco.tenure.to_numpy() + 0.03 * telco.MonthlyCharges.to_numpy()
                + 0.6 * telco.SeniorCitizen.to_numpy()),
    "telco_b": (ty, 0.03 + -0.04 * telco.tenure.to_numpy()),
    "bank": (bank.Exited.to_numpy().astype(float),
             -3.8 + 0.07 * bank.Age.to_numpy() + -1.1 * bank.IsActiveMember.to_numpy()
             + 0.5 * (bank.Balance.to_numpy() / 1e5)),
}


def top_count(n, tenths):
    """ceil(n * tenths / 10) in integers: the gains-table convention (R's
    gains tables, SAS, credit-scoring tools) of the top ceil(N/10) rows."""
    return -(-n * tenths // 10)


def top_fraction(y, s, tenths=1):
    """Capture of the top ceil(n * tenths / 10) rows by score; a tie group
    straddling the boundary counts each row with an equal share, so its
    positives count pro rata (expected value under random tie-breaking).
    Independent numpy implementation of the stated rule."""
    k = top_count(len(y), tenths)
    vals, inv = np.unique(-s, return_inverse=True)   # descending score groups
    size = np.bincount(inv)
    pos = np.bincount(inv, weights=y)
    before = np.concatenate([[0], np.cumsum(size)[:-1]])
    use = np.clip(k - before, 0, size)
    return (pos * use / size).sum() / y.sum()


def out(name, v):
    print(f"{name:<28} {v:.17g}")


def logistic(eta):
    # math.exp is the C library's exp, as in R and the C test; numpy's own
    # SIMD exp differs in the last bit on some rows, which breaks near-ties.
    return np.array([1.0 / (1.0 + math.exp(-e)) for e in eta])


for name, (y, eta) in sets.items():
    p = logistic(eta)
    print("==", name)
    out("roc_auc", roc_auc_score(y, p))
    out("average_precision", average_precision_score(y, p))
    out("brier", brier_score_loss(y, p))
    out("log_loss", log_loss(y, p))
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10, strategy="uniform")
    counts = np.bincount(np.searchsorted(np.linspace(0, 1, 11)[1:-1], p), minlength=10)
    counts = counts[counts > 0]
    out("ece", np.sum(counts / len(y) * np.abs(prob_true - prob_pred)))
    print("calib_prob_true", " ".join(f"{v:.17g}" for v in prob_true))
    print("calib_prob_pred", " ".join(f"{v:.17g}" for v in prob_pred))
    print("calib_counts", " ".join(str(c) for c in counts))
    out("ks", ks_2samp(p[y == 1], p[y == 0]).statistic)
    cap = top_fraction(y, p)
    out("capture_top_decile", cap)
    out("lift_top_decile", cap * len(y) / top_count(len(y), 1))
    ybar = y.mean()
    out("scaled_brier", 1 - brier_score_loss(y, p) / (ybar * (1 - ybar)))

# Integer "health score" with heavy ties: H = floor(100 * (1 - p)) on bank;
# rank by -H (lower health = riskier).
y, eta = sets["bank"]
H = np.floor(100 * (1 - logistic(eta)))
print("== bank_health_int  distinct H:", len(np.unique(H)))
out("roc_auc", roc_auc_score(y, -H))
out("average_precision", average_precision_score(y, -H))
out("ks", ks_2samp(-H[y == 1], -H[y == 0]).statistic)
cap = top_fraction(y, -H)
out("capture_top_decile", cap)
out("lift_top_decile", cap * len(y) / top_count(len(y), 1))
