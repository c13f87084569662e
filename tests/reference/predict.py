# predict.py - independent reference for `healthcal predict` on tests/e2e/data/predict/.
# Run from the repository root:
#   /usr/bin/python3 tests/reference/predict.py
# It rewrites tests/e2e/data/predict/expected*.csv from the hand-made
# snapshots and config, re-implementing the documented rules (README /
# include/hc_predict.h) in plain Python without any healthcal code:
#   - linear transforms, component weights renormalised over the present
#     components (segment overrides), bands by `min`;
#   - P(churn) = 1/(1+exp(-(a + b H))), P(expansion) with a missing s_k
#     replaced by H;
#   - drivers d_k = w'_k (r_k - s_k), r_k the mean sub-score of the
#     segment's top-band accounts at the as-of date (else above the
#     segment median, else 100); top three with d_k >= 0.05;
#   - health_change / band_change against the previous snapshot;
#   - status "stale" for a row dated before as_of - horizon days (the
#     default --stale-days), else "current";
#   - sort by status (current first), then expected ARR at risk desc,
#     p_churn desc, health asc (missing last each), account id (bytes), date;
#   - numbers: health and health_change %.4f, probabilities %.6g, ARR at
#     risk %.2f. The hand-made ids and segments need no CSV quoting.
import csv
import datetime
import json
import math
import os

D = os.path.join("tests", "e2e", "data", "predict")
cfg = json.load(open(os.path.join(D, "config.json")))
comps = cfg["components"]
K = len(comps)
bands = cfg["bands"]
H_DAYS = cfg.get("horizon_days", 30)


def missing(cell):
    return cell in ("", "NA", "null", "NaN")


def linear(x, t):
    v = 100.0 * (x - t["low"]) / (t["high"] - t["low"])
    v = min(100.0, max(0.0, v))
    return v if t["higher_is_healthier"] else 100.0 - v


def seg_params(seg):
    o = cfg.get("segments", {}).get(seg, {})
    w = o.get("weights")
    w = [w[c["name"]] for c in comps] if w else [c["weight"] for c in comps]
    ch = o.get("churn_model") or cfg.get("churn_model")
    ex = o.get("expansion_model") or cfg.get("expansion_model")
    return w, ch, ex


def score(row):
    subs = []
    for c in comps:
        num = den = 0.0
        for m in c["metrics"]:
            cell = row[m["column"]]
            if missing(cell):
                continue
            v = m.get("weight", 1.0)
            num += v * linear(float(cell), m["transform"])
            den += v
        subs.append(num / den if den > 0 else None)
    w, ch, ex = seg_params(row["segment"])
    wsum = sum(w[k] for k in range(K) if subs[k] is not None)
    if wsum <= 0:
        return subs, None, -1, None, None, None
    h = sum(w[k] * subs[k] for k in range(K) if subs[k] is not None) / wsum
    band = max(i for i, b in enumerate(bands) if b["min"] <= h)
    pc = 1.0 / (1.0 + math.exp(-(ch["intercept"] + ch["slope"] * h))) if ch else None
    pe = None
    if ex:
        eta = ex["intercept"] + sum(
            ex["coefficients"][c["name"]] * (subs[k] if subs[k] is not None else h)
            for k, c in enumerate(comps))
        pe = 1.0 / (1.0 + math.exp(-eta))
    wn = [w[k] / wsum if subs[k] is not None else None for k in range(K)]
    return subs, h, band, pc, pe, wn


rows = list(csv.DictReader(open(os.path.join(D, "snapshots.csv"), newline="")))
by_acc = {}
for r in rows:
    by_acc.setdefault(r["account_id"], []).append(r)
for a in by_acc:
    by_acc[a].sort(key=lambda r: r["snapshot_date"])
for r in rows:
    r["_s"] = score(r)


def reference(book):
    ref = {}
    top = len(bands) - 1
    for seg in sorted(set(r["segment"] for r in book)):
        members = [r for r in book if r["segment"] == seg]
        healthy = [r for r in members if r["_s"][2] == top]
        if not healthy:
            hs = sorted(r["_s"][1] for r in members if r["_s"][1] is not None)
            if hs:
                n = len(hs)
                med = hs[n // 2] if n % 2 else 0.5 * (hs[n // 2 - 1] + hs[n // 2])
                healthy = [r for r in members
                           if r["_s"][1] is not None and r["_s"][1] > med]
        rk = []
        for k in range(K):
            vals = [r["_s"][0][k] for r in healthy if r["_s"][0][k] is not None]
            rk.append(sum(vals) / len(vals) if vals else 100.0)
        ref[seg] = rk
    return ref


def fmt_fixed(v, d):
    if v is None:
        return ""
    s = "%.*f" % (d, v)
    if s.startswith("-") and set(s[1:]) <= set("0."):
        s = s[1:]
    return s


def fmt_g(v):
    return "" if v is None else "%.6g" % v


def run(as_of, all_snapshots, out):
    cutoff = (datetime.date.fromisoformat(as_of)
              - datetime.timedelta(days=H_DAYS)).isoformat()
    book, outrows = [], []
    for a, rs in by_acc.items():
        rs = [r for r in rs if r["snapshot_date"] <= as_of]
        if not rs:
            continue
        book.append(rs[-1])
        chosen = rs if all_snapshots else rs[-1:]
        for r in chosen:
            i = rs.index(r)
            outrows.append((r, rs[i - 1] if i > 0 else None))
    ref = reference(book)
    lines = []
    for r, prev in outrows:
        subs, h, band, pc, pe, wn = r["_s"]
        arr = None if missing(r["arr"]) else float(r["arr"])
        risk = pc * arr if pc is not None and arr is not None else None
        drivers = []
        if h is not None:
            for k in range(K):
                if subs[k] is None:
                    continue
                d = wn[k] * (ref[r["segment"]][k] - subs[k])
                if d >= 0.05:
                    drivers.append((-d, k))
            drivers.sort()
        dcells = ["%s (-%.1f)" % (comps[k]["name"], -nd) for nd, k in drivers[:3]]
        dcells += [""] * (3 - len(dcells))
        hc, bc = None, ""
        if prev is not None:
            ph, pb = prev["_s"][1], prev["_s"][2]
            if h is not None and ph is not None:
                hc = h - ph
            if band >= 0 and pb >= 0 and band < pb:
                bc = "%s->%s" % (bands[pb]["name"], bands[band]["name"])
        cells = [r["account_id"], r["snapshot_date"], r["segment"],
                 r["arr"], fmt_fixed(h, 4),
                 bands[band]["name"] if band >= 0 else "",
                 fmt_g(pc), fmt_g(pe), fmt_fixed(risk, 2)] + dcells + [
                 fmt_fixed(hc, 4), bc]
        stale = r["snapshot_date"] < cutoff
        cells.append("stale" if stale else "current")
        inf = float("inf")
        key = (stale, -risk if risk is not None else inf,
               -pc if pc is not None else inf,
               h if h is not None else inf,
               r["account_id"].encode(), r["snapshot_date"])
        lines.append((key, ",".join(cells)))
    lines.sort()
    with open(os.path.join(D, out), "w", newline="") as f:
        f.write("account_id,snapshot_date,segment,arr,health,band,"
                "p_churn_%dd,p_expansion_%dd,expected_arr_at_risk,driver_1,"
                "driver_2,driver_3,health_change,band_change,status\n"
                % (H_DAYS, H_DAYS))
        for _, line in lines:
            f.write(line + "\n")


last = max(r["snapshot_date"] for r in rows)
run(last, False, "expected.csv")
run("2024-03-11", False, "expected_asof.csv")
run(last, True, "expected_all.csv")
