#!/usr/bin/python3
"""make_data.py - the user-level history of tests/e2e/rollup.sh and, with
pandas, the same history rolled up to the account by groupby (the outside
authority the test compares healthcal's roll-up with). Not run by the tests.

40 accounts, 14 weekly dates, 1-4 users (seats) per account and date; per
user: logins, nps (0-10, some missing), usage (0-1). Churn hazard falls
with the account's total logins. Deterministic (fixed seed).
"""
import datetime as dt
import random

import numpy as np
import pandas as pd

rng = random.Random(21)
start = dt.date(2025, 1, 6)
rows, events = [], []
for a in range(40):
    acc = "R%03d" % (a + 1)
    engaged = rng.random()
    seats = 1 + a % 4
    for w in range(14):
        d = start + dt.timedelta(days=7 * w)
        total = 0
        for u in range(seats):
            if rng.random() < 0.1:
                continue  # this user has no row on this date
            logins = max(0, round(rng.gauss(3 + 8 * engaged, 2)))
            nps = "" if rng.random() < 0.15 else str(min(10, max(0, round(rng.gauss(4 + 5 * engaged, 2)))))
            usage = round(min(1, max(0, rng.gauss(0.3 + 0.5 * engaged, 0.15))), 2)
            total += logins
            rows.append((acc, d.isoformat(), "%s-u%d" % (acc, u + 1), "smb" if a % 2 else "ent",
                         1000 * (3 + a % 5), logins, nps, usage))
        if rng.random() < 0.09 * (1.2 - engaged):
            events.append((acc, (d + dt.timedelta(days=2)).isoformat(), "churn", 1000 * (3 + a % 5)))
            break
cols = ["account_id", "snapshot_date", "user_id", "segment", "arr", "logins", "nps", "usage"]
u = pd.DataFrame(rows, columns=cols)
u.to_csv("users.csv", index=False)
pd.DataFrame(events, columns=["account_id", "event_date", "event_type", "amount"]).to_csv(
    "events.csv", index=False)

# pandas: the roll-up of rollup.json - logins sum, nps mean, usage
# share_above:0.5 over users with a value; other columns: the first row's.
u["nps"] = pd.to_numeric(u["nps"])
g = u.groupby(["account_id", "snapshot_date"], sort=False)
acc = g.agg(segment=("segment", "first"), arr=("arr", "first"), logins=("logins", "sum"),
            nps=("nps", "mean"),
            usage=("usage", lambda s: np.mean(s.dropna() > 0.5) if s.notna().any() else np.nan)
            ).reset_index()
acc.to_csv("accounts.csv", index=False, float_format="%.17g")
print(len(u), "user rows,", u.user_id.nunique(), "users,", len(acc), "account rows,",
      len(events), "churn events")
