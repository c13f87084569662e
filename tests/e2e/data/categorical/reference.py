#!/usr/bin/python3
"""reference.py - the expected learned level scores of tests/e2e/categorical.sh,
computed independently of healthcal with pandas (not run by the tests).

Labels (README "Labels"): churn = 1 iff the account's first churn event is in
(t, t + 30]; rows on or after it are not observations; rows with
t + 30 > as_of (the latest date of either file) are censored. Then, per
level l of the matching form lower(strip(cell)): n_l rows, k_l churners,
p0 = K / N, r_l = (k_l + a p0) / (n_l + a); with an order (worst first) the
r_l are made non-increasing by weighted PAV (weights n_l + a); scores
100 (L_max - L_l) / (L_max - L_min) with L = logit r; other = the score of p0.
"""
import sys
import numpy as np
import pandas as pd

s = pd.read_csv("snapshots.csv", parse_dates=["snapshot_date"], dtype=str,
                keep_default_na=False)
s["snapshot_date"] = pd.to_datetime(s["snapshot_date"])
e = pd.read_csv("events.csv", parse_dates=["event_date"])
as_of = max(s.snapshot_date.max(), e.event_date.max())
first = e[e.event_type == "churn"].groupby("account_id").event_date.min()
s["fc"] = s.account_id.map(first)
h = pd.Timedelta(days=30)
obs = s[~(s.fc.notna() & (s.snapshot_date >= s.fc)) & (s.snapshot_date + h <= as_of)].copy()
obs["y"] = ((obs.fc > obs.snapshot_date) & (obs.fc <= obs.snapshot_date + h)).astype(int)
print("observations", len(obs), "churners", obs.y.sum())


def pav_nonincreasing(r, w):
    blocks = []
    for v, ww in zip(r, w):
        blocks.append([v, ww, 1])
        while len(blocks) > 1 and blocks[-1][0] > blocks[-2][0]:
            v2, w2, n2 = blocks.pop()
            v1, w1, n1 = blocks.pop()
            blocks.append([(v1 * w1 + v2 * w2) / (w1 + w2), w1 + w2, n1 + n2])
    out = []
    for v, _, n in blocks:
        out += [v] * n
    return np.array(out)


def learn(col, a, order=None):
    f = obs[col].str.strip().str.lower()
    keep = f != ""
    y = obs.y[keep]
    f = f[keep]
    p0 = y.mean()
    levels = [o.lower() for o in order] if order else list(dict.fromkeys(f))
    n = np.array([(f == l).sum() for l in levels], float)
    k = np.array([y[f == l].sum() for l in levels], float)
    r = (k + a * p0) / (n + a)
    if order:
        r = pav_nonincreasing(r, n + a)
    L = np.log(r / (1 - r))
    sc = 100 * (L.max() - L) / (L.max() - L.min())
    other = min(100, max(0, 100 * (L.max() - np.log(p0 / (1 - p0))) / (L.max() - L.min())))
    for l, nn, kk, v in zip(levels, n, k, sc):
        print("%s %-8s n=%3d k=%2d score=%.15g" % (col, l, nn, kk, v))
    print("%s other=%.15g" % (col, other))


learn("grade", 10, ["F", "D", "C", "B", "A"])
learn("grade", 10)
learn("sentiment", 20)
