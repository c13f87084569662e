#!/usr/bin/python3
"""reference.py - the expected scores of tests/e2e/combined.sh, computed with pandas
independently of healthcal, from users.csv and combined.json's rules:

  1. users rolled up per (account, date): logins summed over the users
     with a value (a date where no user has one: missing); the other
     columns from the group's first row;
  2. tenure = date - start_date in days; stage onboarding below 90 days,
     else tenured; segment key "PLAN x STAGE";
  3. sub-scores: usage 100 * clamp(logins / 30), grade A 100 B 80 C 55
     D 30 F 0 (case and surrounding spaces ignored), light red 0 yellow
     50 green 100, sponsor yes 100 no 0;
  4. weights 0.4 0.3 0.2 0.1, or 0.7 0.1 0.1 0.1 for the key
     "pro x onboarding"; a missing usage renormalises over the others;
  5. P(churn) = 1 / (1 + exp(-(-1 - 0.04 H))).

Prints account_id,snapshot_date,key,health,p_churn for every rolled row.
"""
import math
import pandas as pd

u = pd.read_csv("users.csv", dtype={"grade": str}, keep_default_na=False, na_values=[""])
u["grade"] = u["grade"].fillna("")
g = u.groupby(["account_id", "snapshot_date"], sort=False)
acc = g.agg(plan=("plan", "first"), start_date=("start_date", "first"),
            logins=("logins", lambda s: s.sum() if s.notna().any() else float("nan")),
            grade=("grade", "first"), light=("light", "first"),
            sponsor=("sponsor", "first")).reset_index()
levels = {"a": 100, "b": 80, "c": 55, "d": 30, "f": 0}
light = {"red": 0, "yellow": 50, "green": 100}
sponsor = {"yes": 100, "no": 0}
for _, r in acc.iterrows():
    days = (pd.Timestamp(r.snapshot_date) - pd.Timestamp(r.start_date)).days
    stage = "onboarding" if max(days, 0) < 90 else "tenured"
    key = "%s x %s" % (r.plan, stage)
    w = [0.7, 0.1, 0.1, 0.1] if key == "pro x onboarding" else [0.4, 0.3, 0.2, 0.1]
    s = [None if math.isnan(r.logins) else 100 * min(max(r.logins / 30, 0), 1),
         levels[r.grade.strip().lower()], light[r.light], sponsor[r.sponsor]]
    num = sum(wi * si for wi, si in zip(w, s) if si is not None)
    den = sum(wi for wi, si in zip(w, s) if si is not None)
    h = num / den
    p = 1 / (1 + math.exp(-(-1 - 0.04 * h)))
    print("%s,%s,%s,%.12f,%.12g" % (r.account_id, r.snapshot_date, key, h, p))
