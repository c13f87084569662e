#!/usr/bin/python3
"""pipeline.py - the benchmark peer: healthcal's label, fit, backtest and predict written in pandas + statsmodels.

scripts/bench.sh times this next to the healthcal commands (issue 7: the
whole pipeline must be at least 10x faster than "the same work in pandas +
statsmodels"). Run it with Debian's /usr/bin/python3 (python3-pandas,
python3-statsmodels). It reimplements, from the healthcal headers, exactly
the statistics healthcal computes, so the two can be checked against each
other (--check-dir):

  labels   include/hc_labels.h, README "Labels": churn = 1 iff a churn event
           in (t + lead, t + lead + H]; rows on/after the account's first
           churn (post-churn) or with the first churn inside (t, t + lead]
           are not observations; windows ending after the as-of date (the
           latest date in either file) are censored.
  scores   include/hc_model.h: linear / log / piecewise / identity /
           quantile transforms; a component is the weighted mean of its
           present metrics; H renormalises the weights over the components
           present.
  fit      include/hc_fit.h, src/workflow/fit.c: complete rows only; the churn model
           logit P = b0 + sum_k b_k s_k by GLM Binomial with CR1
           cluster-robust covariance by account; while some b_k > 0 the
           component with the largest positive (model-based) z is dropped
           and the model refitted; weights w_k = b_k / B, B = sum b_k; the
           expansion model on all components.
  backtest include/hc_backtest.h, src/workflow/backtest.c: date-sorted observations;
           test periods [T, T + step), training dates [first, T - H - lead)
           (expanding window) or [T - window, ...); a fold with fewer than
           --min-train-churners training churners is skipped; the hand-set
           config's P(churn) is its churn_model, or a logistic map a + b H
           fitted on the fold's training rows; the tuned model is refitted
           (without expansion) on the training rows; metrics (ROC AUC with
           mid-ranks, Brier) on the test rows every config scores.
  predict  include/hc_predict.h: each account's latest snapshot on or before
           the latest snapshot date, scored with the tuned model (health,
           band, P(churn), P(expansion) with a missing s_k replaced by H).

What the peer does NOT do that healthcal does (so the comparison favours
the peer): healthcal reloads and relabels the CSV in every command, writes
the tuned config, computes the full metric suite per fold and pooled
(PR AUC, log loss, calibration, Hosmer-Lemeshow, DeLong, PSI, bands,
threshold sweep) and predict's drivers and band changes. Segment overrides
(`segments` in a config, `--segments`) are not implemented.

Output on stdout, one item per line, for bench.sh:
  stage NAME SECONDS PEAK_KIB load_snapshots, load_events, label, fit,
                              backtest, predict, total (wall, perf_counter;
                              total includes the Python imports)
  count NAME VALUE            rows, observations, fit rows, folds ...
  coef MODEL TERM VALUE       churn / expansion coefficients
  fold I CONFIG_KIND n POS auc AUC brier BRIER
  check WHAT MAXDIFF TOL ok|FAIL   with --check-dir
"""
import time

T_START = time.perf_counter()

import argparse  # noqa: E402
import csv  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import statsmodels.api as sm  # noqa: E402
from scipy.stats import rankdata  # noqa: E402

NA_VALUES = ["", "NA", "null", "NaN"]
EPOCH = np.datetime64("1970-01-01", "D")


class FitError(Exception):
    """A fit that healthcal reports as HC_ENUMERIC (degenerate statistics)."""


def stage(name, t0):
    """Prints the stage's wall time and the process's peak RSS so far (KiB)."""
    t = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"stage {name} {t - t0:.6f} {peak}", flush=True)
    return t


# ---------------------------------------------------------------- loading

def day_numbers(text):
    """Day numbers (days since 1970-01-01) of a column of YYYY-MM-DD strings."""
    return (pd.to_datetime(text, format="%Y-%m-%d").values.astype("datetime64[D]")
            - EPOCH).astype(np.int64)


def load_snapshots(path, model):
    cols = model["columns"]
    metrics = []
    for comp in model["components"]:
        for m in comp["metrics"]:
            if m["column"] not in metrics:
                metrics.append(m["column"])
    header = pd.read_csv(path, nrows=0).columns
    use = [cols["account_id"], cols["snapshot_date"]]
    for role in ("segment", "arr"):
        if cols[role] in header:
            use.append(cols[role])
    use += [c for c in metrics if c not in use]
    # Ids, dates and segments are few distinct strings: categoricals keep
    # them as small integer codes (a careful pandas user's choice).
    dtype = {c: "float64" for c in metrics}
    dtype[cols["account_id"]] = "category"
    dtype[cols["snapshot_date"]] = "category"
    if cols["segment"] in header:
        dtype[cols["segment"]] = "category"
    if cols["arr"] in header:
        dtype[cols["arr"]] = "float64"
    df = pd.read_csv(path, usecols=use, dtype=dtype, na_values=NA_VALUES,
                     keep_default_na=False, engine="c")
    d = df[cols["snapshot_date"]]
    # Convert each distinct date once, then map the codes.
    cat_days = day_numbers(d.cat.categories.astype(str))
    df["_t"] = cat_days[d.cat.codes.values]
    df["_acc"] = df[cols["account_id"]].cat.codes.values.astype(np.int64)
    return df


def load_events(path, accounts):
    ev = pd.read_csv(path, dtype={"account_id": str, "event_type": str,
                                  "event_date": str},
                     na_values=NA_VALUES, keep_default_na=False)
    ev["event_type"] = ev["event_type"].str.lower()
    ev = ev[ev["event_type"].isin(["churn", "expansion", "contraction"])].copy()
    ev["_t"] = day_numbers(ev["event_date"])
    ev["_acc"] = pd.Categorical(ev["account_id"], categories=accounts).codes.astype(np.int64)
    return ev


# ---------------------------------------------------------------- labels

def build_labels(snap, ev, horizon, lead):
    """Adds _obs, _churn, _exp columns (hc_labels.h)."""
    t = snap["_t"].values
    acc = snap["_acc"].values
    n_acc = int(acc.max()) + 1 if len(acc) else 0
    as_of = int(t.max())
    if len(ev):
        as_of = max(as_of, int(ev["_t"].max()))
    known = ev[ev["_acc"] >= 0]
    churn_ev = known[known["event_type"] == "churn"]
    big = np.iinfo(np.int64).max // 4
    first_churn = np.full(n_acc, big, dtype=np.int64)
    if len(churn_ev):
        fc = churn_ev.groupby("_acc")["_t"].min()
        first_churn[fc.index.values] = fc.values
    lo = t + lead
    hi = lo + horizon
    fc_row = first_churn[acc]
    post = t >= fc_row
    lead_churn = ~post & (fc_row <= lo)
    censored = ~post & ~lead_churn & (hi > as_of)
    obs = ~post & ~lead_churn & ~censored
    churn = obs & (fc_row <= hi)   # fc_row > lo on observations
    # Expansion: any expansion event of the account in (lo, hi], by binary
    # search on (account, date) keys.
    exp_ev = known[known["event_type"] == "expansion"]
    shift = 1 << 32
    keys = np.sort(exp_ev["_acc"].values * (1 << 34) + exp_ev["_t"].values + shift)
    base = acc * (1 << 34) + shift
    expansion = obs & (np.searchsorted(keys, base + hi, side="right")
                       > np.searchsorted(keys, base + lo, side="right"))
    snap["_obs"] = obs
    snap["_churn"] = churn.astype(np.float64)
    snap["_exp"] = expansion.astype(np.float64)
    return {"as_of": as_of, "observations": int(obs.sum()),
            "censored": int(censored.sum()), "post_churn": int(post.sum()),
            "lead_churn": int(lead_churn.sum()), "churn_positive": int(churn.sum()),
            "expansion_positive": int(expansion.sum())}


# ---------------------------------------------------------------- scores

def lin_score(x, low, rng, higher):
    s = np.clip(100.0 * ((x - low) / rng), 0.0, 100.0)
    return s if higher else 100.0 - s


def quantile_score(c, x, higher):
    c = np.asarray(c)
    lo = np.searchsorted(c, x, side="left")
    up = np.searchsorted(c, x, side="right")
    with np.errstate(invalid="ignore", divide="ignore"):
        x0 = c[np.maximum(lo - 1, 0)]
        x1 = c[np.minimum(lo, len(c) - 1)]
        s = np.where(up > lo, 0.5 * (lo + up + 1), lo + (x - x0) / (x1 - x0))
    s = np.where(x < c[0], 0.0, np.where(x > c[-1], 100.0, s))
    s = np.where(np.isnan(x), np.nan, s)
    return s if higher else 100.0 - s


def apply_transform(tf, x):
    kind = tf["type"]
    if kind == "identity":
        return np.clip(x, 0.0, 100.0)
    if kind == "linear":
        return lin_score(x, tf["low"], tf["high"] - tf["low"],
                         tf.get("higher_is_healthier", True))
    if kind == "log":
        llow = math.log1p(tf["low"])
        with np.errstate(invalid="ignore"):
            lv = np.where(x < tf["low"], llow, np.log1p(x))
        return lin_score(lv, llow, math.log1p(tf["high"]) - llow,
                         tf.get("higher_is_healthier", True))
    if kind == "piecewise":
        px = [p[0] for p in tf["points"]]
        ps = [p[1] for p in tf["points"]]
        return np.where(np.isnan(x), np.nan, np.interp(x, px, ps))
    if kind == "quantile":
        if not tf.get("cuts"):
            raise ValueError("quantile transform without cuts")
        return quantile_score(tf["cuts"], x, tf.get("higher_is_healthier", True))
    raise ValueError(f"unknown transform {kind}")


def learn_quantiles(model, snap, rows):
    """Copies the model with the cuts of its quantile transforms learned on rows
    (R's type 7, as hc_transform_learn_quantiles)."""
    if not any(m["transform"]["type"] == "quantile"
               for c in model["components"] for m in c["metrics"]):
        return model
    model = json.loads(json.dumps(model))
    for c in model["components"]:
        for m in c["metrics"]:
            tf = m["transform"]
            if tf["type"] == "quantile":
                x = snap[m["column"]].values[rows]
                x = x[~np.isnan(x)]
                tf["cuts"] = list(np.percentile(x, np.arange(1, 100), method="linear"))
    return model


def sub_scores(model, snap, rows):
    """n x K component sub-scores of the rows (NaN = missing)."""
    comps = model["components"]
    out = np.empty((len(rows), len(comps)))
    for k, comp in enumerate(comps):
        ms = comp["metrics"]
        if len(ms) == 1:
            out[:, k] = apply_transform(ms[0]["transform"], snap[ms[0]["column"]].values[rows])
            continue
        num = np.zeros(len(rows))
        den = np.zeros(len(rows))
        for m in ms:
            sv = apply_transform(m["transform"], snap[m["column"]].values[rows])
            ok = ~np.isnan(sv)
            v = m.get("weight", 1.0)
            num += np.where(ok, v * np.where(ok, sv, 0.0), 0.0)
            den += np.where(ok, v, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[:, k] = np.where(den > 0, num / den, np.nan)
    return out


def health(weights, sub):
    ok = ~np.isnan(sub)
    w = np.asarray(weights)
    hn = np.zeros(len(sub))
    hd = np.zeros(len(sub))
    for k in range(sub.shape[1]):   # component order, as score.c adds
        hn += np.where(ok[:, k], w[k] * np.where(ok[:, k], sub[:, k], 0.0), 0.0)
        hd += np.where(ok[:, k], w[k], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hd > 0, hn / hd, np.nan)


def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


# ---------------------------------------------------------------- fits

def glm(y, X, groups=None):
    """GLM Binomial with an intercept; CR1 cluster covariance when groups.
    Convergence: relative change of the deviance below 1e-10, the rule of
    src/stats/logreg.c (glm.control's, with its default epsilon tightened)."""
    exog = sm.add_constant(X, prepend=True, has_constant="add")
    if y.sum() == 0 or y.sum() == len(y):
        raise FitError("no events or no non-events")
    kw = {}
    if groups is not None:
        kw = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = sm.GLM(y, exog, family=sm.families.Binomial()).fit(
                tol=1e-10, atol=0.0, rtol=1e-10, maxiter=100, **kw)
    except Exception as e:  # PerfectSeparationError, singular matrix ...
        raise FitError(str(e)) from e
    if not np.all(np.isfinite(res.params)):
        raise FitError("non-finite coefficients")
    return res


def fit_model(base, snap, rows, expansion=True):
    """hc_fit_model: returns (tuned model, churn result, kept names, expansion
    result or None, counts)."""
    model = learn_quantiles(base, snap, rows)
    names = [c["name"] for c in model["components"]]
    sub = sub_scores(model, snap, rows)
    complete = ~np.isnan(sub).any(axis=1)
    X = sub[complete]
    r = rows[complete]
    if len(r) == 0:
        raise FitError("no complete observation")
    y = snap["_churn"].values[r]
    groups = snap["_acc"].values[r]
    kept = list(range(len(names)))
    while True:
        res = glm(y, X[:, kept], groups)
        b = res.params[1:]
        z = b / np.sqrt(np.diag(res.normalized_cov_params)[1:])
        pos = [j for j in range(len(kept)) if b[j] > 0]
        if not pos:
            break
        if len(kept) == 1:
            raise FitError("every coefficient has the unhealthy sign")
        worst = max(pos, key=lambda j: (z[j], -j))
        del kept[worst]
        del res
        gc.collect()
    B = float(np.sum(res.params[1:]))
    if not B < 0:
        raise FitError("coefficients sum to zero")
    w = np.zeros(len(names))
    for j, k in enumerate(kept):
        w[k] = res.params[1 + j] / B
    tuned = json.loads(json.dumps(model))
    for k, c in enumerate(tuned["components"]):
        c["weight"] = float(w[k])
    tuned["churn_model"] = {"intercept": float(res.params[0]), "slope": B}
    exp_res = None
    if expansion:
        try:
            exp_res = glm(snap["_exp"].values[r], X, groups)
            tuned["expansion_model"] = {
                "intercept": float(exp_res.params[0]),
                "coefficients": {n: float(v) for n, v in zip(names, exp_res.params[1:])}}
        except FitError:
            exp_res = None
    # In-sample AUC of the tuned P(churn) on the fit rows (fit prints it).
    # (the linear predictor b0 + B H ranks rows as P does)
    auc = roc_auc(y, B * (X @ w))
    return tuned, res, [names[k] for k in kept], exp_res, {
        "fit_rows": len(r), "incomplete": int((~complete).sum()),
        "events": int(y.sum()), "in_sample_auc": auc}


# ---------------------------------------------------------------- metrics

def roc_auc(y, p):
    """Mann-Whitney AUC with mid-ranks for ties (NaN without both classes)."""
    n1 = float(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def near_tie_slack(y, p):
    """Half the share of (churner, non-churner) pairs whose P agree to 12
    significant digits: the most by which a valid AUC can move when rounding
    orders such rows instead of tying them (see run_checks)."""
    n1 = float(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        e = np.floor(np.log10(np.abs(p)))
        e = np.where(np.isfinite(e), e, 0.0)
        key = np.round(p / 10.0 ** e, 11) * 10.0 ** e
    _, inv = np.unique(key, return_inverse=True)
    pos = np.bincount(inv, weights=y)
    cnt = np.bincount(inv)
    return float(0.5 * np.sum(pos * (cnt - pos)) / (n1 * n0))


def churn_probability(model, snap, rows):
    sub = sub_scores(model, snap, rows)
    w = [c["weight"] for c in model["components"]]
    h = health(w, sub)
    cm = model.get("churn_model")
    p = None
    if cm:
        p = logistic(cm["intercept"] + cm["slope"] * h)
    return h, p


# ---------------------------------------------------------------- backtest

def backtest(current, snap, labels, step, window, first_test, min_churners,
             ties=False):
    obs_rows = np.flatnonzero(snap["_obs"].values)
    dates = snap["_t"].values[obs_rows]
    order = np.lexsort((obs_rows, dates))
    rows = obs_rows[order]
    date = dates[order]
    horizon, lead = labels["horizon"], labels["lead"]
    embargo = horizon + lead
    first, last = int(date[0]), int(date[-1])
    t0 = first_test if first_test is not None else \
        first + (window if window > 0 else step + embargo)
    n_folds = (last - t0) // step + 1 if t0 <= last else 0
    churn = snap["_churn"].values
    out = []
    for f in range(n_folds):
        T = t0 + f * step
        tr_lo = T - window if window > 0 else first
        tr_hi = T - embargo
        a = np.searchsorted(date, tr_lo, side="left")
        b = max(a, np.searchsorted(date, tr_hi, side="left"))
        c = np.searchsorted(date, T, side="left")
        d = np.searchsorted(date, T + step, side="left")
        tr, te = rows[a:b], rows[c:d]
        # statsmodels' models and results refer to each other; the cyclic
        # collector runs by object count, not bytes, so without this every
        # fold's design matrices stay alive (6.8 GB peak at 1M rows).
        gc.collect()
        fold = {"fold": f + 1, "n_train": len(tr), "used": 0, "cells": {}}
        out.append(fold)
        ytr = churn[tr]
        if len(te) == 0 or len(tr) == 0 or ytr.sum() < min_churners:
            continue
        try:
            # hand-set config: its own weights; a churn_model or a map on H.
            m = learn_quantiles(current, snap, tr)
            h_tr, _ = churn_probability(m, snap, tr)
            h_te, p_te = churn_probability(m, snap, te)
            if p_te is None or np.any(np.isfinite(h_te) & ~np.isfinite(p_te)):
                ok = np.isfinite(h_tr)
                mres = glm(ytr[ok], h_tr[ok])
                p_te = logistic(mres.params[0] + mres.params[1] * h_te)
            hand = (h_te, p_te)
            # tuned: refitted on the training rows (no expansion model).
            tuned, _, _, _, _ = fit_model(current, snap, tr, expansion=False)
            tuned_hp = churn_probability(tuned, snap, te)
        except FitError:
            continue
        valid = (np.isfinite(hand[0]) & np.isfinite(hand[1])
                 & np.isfinite(tuned_hp[0]) & np.isfinite(tuned_hp[1]))
        if not valid.any():
            continue
        y = churn[te][valid]
        fold["used"] = 1
        fold["n"] = int(valid.sum())
        fold["positives"] = int(y.sum())
        for kind, (_, p) in (("hand-set", hand), ("tuned", tuned_hp)):
            pv = p[valid]
            auc = roc_auc(y, pv)
            # healthcal leaves every metric of a fold empty when the test
            # rows hold one class only (hc_metrics_evaluate fails).
            brier = float(np.mean((pv - y) ** 2)) if not math.isnan(auc) else float("nan")
            fold["cells"][kind] = {"auc": auc, "brier": brier}
            if ties:
                fold["cells"][kind]["tie_slack"] = near_tie_slack(y, pv)
    return out


# ---------------------------------------------------------------- predict

def predict(tuned, snap, out_path):
    t = snap["_t"].values
    as_of = int(t.max())
    cand = snap.loc[t <= as_of, ["_acc", "_t"]]
    # Each account's latest snapshot on or before the as-of date.
    latest = cand.sort_values(["_acc", "_t"], kind="stable").groupby("_acc").tail(1).index.values
    sub = sub_scores(tuned, snap, latest)
    w = [c["weight"] for c in tuned["components"]]
    h = health(w, sub)
    bands = tuned["bands"]
    mins = np.array([b["min"] for b in bands])
    band_idx = np.searchsorted(mins, h, side="right") - 1
    cm = tuned["churn_model"]
    p = logistic(cm["intercept"] + cm["slope"] * h)
    pe = np.full(len(latest), np.nan)
    em = tuned.get("expansion_model")
    if em:
        coef = np.array([em["coefficients"][c["name"]] for c in tuned["components"]])
        filled = np.where(np.isnan(sub), h[:, None], sub)
        pe = logistic(em["intercept"] + filled @ coef)
    cols = tuned["columns"]
    arr = snap[cols["arr"]].values[latest] if cols["arr"] in snap else np.full(len(latest), np.nan)
    names = np.array([b["name"] for b in bands] + [""], dtype=object)
    res = pd.DataFrame({
        "account_id": snap[cols["account_id"]].values[latest].astype(str),
        "snapshot_date": snap[cols["snapshot_date"]].values[latest].astype(str),
        "arr": arr, "health": h, "band": names[np.where(np.isnan(h), -1, band_idx)],
        "p_churn": p, "p_expansion": pe, "expected_arr_at_risk": p * arr})
    res = res.sort_values(["expected_arr_at_risk", "p_churn", "account_id"],
                          ascending=[False, False, True], kind="stable")
    if out_path:
        res.to_csv(out_path, index=False, float_format="%.10g")
    return res


# ---------------------------------------------------------------- checks

def check_line(what, diff, tol):
    ok = diff <= tol
    print(f"check {what} {diff:.3g} {tol:g} {'ok' if ok else 'FAIL'}", flush=True)
    return ok


def run_checks(d, churn_res, kept, exp_res, folds, pred):
    ok = True
    coef_path = os.path.join(d, "coef.csv")
    if os.path.exists(coef_path):
        with open(coef_path, newline="") as f:
            # the model's terms: rows of components dropped for the wrong
            # sign (status "dropped: ...") describe the fit they left
            rows = [r for r in csv.DictReader(f) if r.get("status", "kept") == "kept"]
        hc = {r["term"]: float(r["estimate"]) for r in rows}
        hc_rse = {r["term"]: float(r["robust_se"]) for r in rows if r.get("robust_se")}
        terms = ["(intercept)"] + kept
        if sorted(hc) != sorted(terms):
            print(f"check churn_terms healthcal={sorted(hc)} peer={sorted(terms)} FAIL")
            ok = False
        else:
            diff = max(abs(hc[t] - v) for t, v in zip(terms, churn_res.params))
            ok &= check_line("churn_coef", diff, 1e-6)
            if hc_rse:
                rse = churn_res.bse  # cluster-robust (CR1)
                diff = max(abs(hc_rse[t] - v) for t, v in zip(terms, rse))
                ok &= check_line("churn_robust_se", diff, 1e-6)
    tuned_path = os.path.join(d, "tuned.json")
    if os.path.exists(tuned_path) and exp_res is not None:
        with open(tuned_path) as f:
            em = json.load(f).get("expansion_model")
        if em:
            hc = [em["intercept"]] + list(em["coefficients"].values())
            diff = max(abs(a - b) for a, b in zip(hc, exp_res.params))
            ok &= check_line("expansion_coef", diff, 1e-6)
    folds_path = os.path.join(d, "folds.csv")
    if os.path.exists(folds_path):
        with open(folds_path, newline="") as f:
            rows = list(csv.DictReader(f))
        by = {(int(r["fold"]), r["kind"]): r for r in rows}
        hc_folds = sorted({k[0] for k in by})
        if len(hc_folds) != len(folds):
            print(f"check fold_count healthcal={len(hc_folds)} peer={len(folds)} FAIL")
            ok = False
        # AUC: to 1e-6 beyond the order of near-tied rows. P is a monotone
        # function of H in both programs, but rows whose H differ by a few
        # ulps (equal in exact arithmetic: the hand-set weights and the
        # discrete metrics make many such sums) can round to one P in one
        # program and to two in the other, which moves the AUC by half a
        # pair each. So healthcal's AUC must lie within 1e-6 + tie_slack of
        # the peer's, tie_slack being half the share of churner/non-churner
        # pairs whose P agree to 12 significant digits (near_tie_slack).
        d_auc = d_brier = worst = slack = 0.0
        count_ok = True
        for fold in folds:
            for kind in ("hand-set", "tuned"):
                r = by.get((fold["fold"], kind))
                if r is None or int(r["used"]) != fold["used"]:
                    count_ok = False
                    continue
                if not fold["used"]:
                    continue
                if int(r["n"]) != fold["n"] or int(r["positives"]) != fold["positives"]:
                    count_ok = False
                cell = fold["cells"][kind]
                for key, col in (("auc", "roc_auc"), ("brier", "brier")):
                    hv = float(r[col]) if r[col] else float("nan")
                    pv = cell[key]
                    if math.isnan(hv) and math.isnan(pv):
                        continue
                    dv = abs(hv - pv) if not (math.isnan(hv) or math.isnan(pv)) else float("inf")
                    if key == "auc":
                        d_auc = max(d_auc, dv)
                        worst = max(worst, dv - cell.get("tie_slack", 0.0))
                        if dv > 1e-6:
                            slack = max(slack, cell.get("tie_slack", 0.0))
                    else:
                        d_brier = max(d_brier, dv)
        print(f"check fold_rows {'ok' if count_ok else 'FAIL'}")
        ok &= count_ok
        good = worst <= 1e-6
        note = "" if d_auc <= 1e-6 else \
            f" (beyond 1e-6 only inside the near-tie range, at most +-{slack:.2g})"
        print(f"check fold_auc {d_auc:.3g} 1e-06 {'ok' if good else 'FAIL'}{note}")
        ok &= good
        ok &= check_line("fold_brier", d_brier, 1e-6)
    pred_path = os.path.join(d, "predictions.csv")
    if os.path.exists(pred_path) and pred is not None:
        hp = pd.read_csv(pred_path, usecols=[0, 6], keep_default_na=False,
                         na_values=NA_VALUES)
        hp.columns = ["account_id", "p"]
        m = hp.merge(pred[["account_id", "p_churn"]], on="account_id", how="outer")
        if m["p"].isna().ne(m["p_churn"].isna()).any():
            print("check predict_accounts FAIL")
            ok = False
        both = m.dropna()
        # healthcal writes 6 significant digits.
        rel = (both["p"] - both["p_churn"]).abs() / both["p_churn"].abs().clip(lower=1e-300)
        ok &= check_line("predict_p_churn_rel", float(rel.max()) if len(both) else 0.0, 1e-5)
    return ok


# ---------------------------------------------------------------- main

def parse_date(s):
    return int((np.datetime64(s, "D") - EPOCH).astype(np.int64))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-s", "--snapshots", required=True)
    ap.add_argument("-e", "--events", required=True)
    ap.add_argument("-c", "--config", required=True)
    ap.add_argument("--step", type=int, default=90)
    ap.add_argument("--window", default="365", help="days or 'expanding'")
    ap.add_argument("--first-test", default=None, help="YYYY-MM-DD")
    ap.add_argument("--min-train-churners", type=int, default=10)
    ap.add_argument("--predictions-out", default=None)
    ap.add_argument("--check-dir", default=None,
                    help="compare with healthcal's coef.csv, tuned.json, folds.csv, "
                         "predictions.csv in this directory")
    ap.add_argument("--stages", default="label,fit,backtest,predict")
    a = ap.parse_args()
    stages = set(a.stages.split(","))
    window = 0 if a.window == "expanding" else int(a.window)
    first_test = parse_date(a.first_test) if a.first_test else None
    with open(a.config) as f:
        current = json.load(f)
    current.setdefault("columns", {})
    for role in ("account_id", "snapshot_date", "segment", "arr"):
        current["columns"].setdefault(role, role)
    if current.get("segments"):
        sys.exit("pipeline.py: segment overrides are not implemented")
    horizon = current.get("horizon_days", 30)
    lead = current.get("lead_days", 0)

    # statsmodels' IRLS makes a reference cycle (model <-> results) per
    # iteration; the cyclic collector runs by object count, not bytes, so
    # with the default thresholds every iteration's n x k arrays stay alive
    # until much later (a 720k-row fit peaks ~180 MB higher and runs ~1.5x
    # slower from page faults). Collect the young generation often, and
    # freeze the objects of the imports so that full collections stay cheap.
    gc.freeze()
    gc.set_threshold(10, 5, 5)
    t = stage("imports", T_START)
    snap = load_snapshots(a.snapshots, current)
    t = stage("load_snapshots", t)
    accounts = snap[current["columns"]["account_id"]].cat.categories
    ev = load_events(a.events, accounts)
    t = stage("load_events", t)
    labels = build_labels(snap, ev, horizon, lead)
    labels.update(horizon=horizon, lead=lead)
    t = stage("label", t)
    print(f"count rows {len(snap)}")
    for k in ("observations", "censored", "post_churn", "churn_positive",
              "expansion_positive"):
        print(f"count {k} {labels[k]}")
    churn_res = exp_res = pred = None
    kept = []
    folds = []
    tuned = None
    if stages & {"fit", "predict"}:
        rows = np.flatnonzero(snap["_obs"].values)
        tuned, churn_res, kept, exp_res, cnt = fit_model(current, snap, rows)
        t = stage("fit", t)
        for k, v in cnt.items():
            print(f"count {k} {v}")
        for term, v in zip(["(intercept)"] + kept, churn_res.params):
            print(f"coef churn {term} {v:.17g}")
        if exp_res is not None:
            for term, v in zip(["(intercept)"] + [c["name"] for c in current["components"]],
                               exp_res.params):
                print(f"coef expansion {term} {v:.17g}")
    if "backtest" in stages:
        folds = backtest(current, snap, labels, a.step, window, first_test,
                         a.min_train_churners, ties=bool(a.check_dir))
        t = stage("backtest", t)
        print(f"count folds {len(folds)}")
        print(f"count folds_used {sum(f['used'] for f in folds)}")
        for fold in folds:
            for kind, cell in fold["cells"].items():
                print(f"fold {fold['fold']} {kind} n {fold['n']} pos {fold['positives']} "
                      f"auc {cell['auc']:.17g} brier {cell['brier']:.17g}")
    if "predict" in stages:
        pred = predict(tuned, snap, a.predictions_out)
        t = stage("predict", t)
    stage("total", T_START)
    sys.stdout.flush()
    if a.check_dir:
        ok = run_checks(a.check_dir, churn_res, kept, exp_res, folds, pred)
        print(f"check all {'ok' if ok else 'FAIL'}")


if __name__ == "__main__":
    main()
