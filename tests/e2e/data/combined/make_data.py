#!/usr/bin/python3
"""make_data.py - writes the hand-made history of tests/e2e/combined.sh.

Not run by the tests (they read the committed CSVs); kept so that the data
can be rebuilt. A seat-based product as companies export it: one row per
user and week (user_id), with account-level qualitative columns repeated on
each user's row (a letter grade in messy case, a traffic-light colour, a
yes/no sponsor flag), a plan, the account's start date (some accounts
start inside the history: onboarding) and ARR. 24 accounts, 1 to 3 users,
up to 16 weekly snapshots from 2025-01-06; churn hazard rises with the
grade; a churned account stops exporting. Deterministic (fixed seed).
"""
import datetime as dt
import random

rng = random.Random(2015)
grades = ["A", "B", "C", "D", "F"]
spell = {"A": ["A", "a", " A "], "B": ["B", "b "], "C": ["C", " c"], "D": ["D", "d"], "F": ["F", "f"]}
light = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "red"}
first = dt.date(2025, 1, 6)
snap = open("users.csv", "w")
ev = open("events.csv", "w")
snap.write("account_id,snapshot_date,plan,user_id,start_date,arr,logins,grade,light,sponsor\n")
ev.write("account_id,event_date,event_type,amount\n")
for a in range(24):
    acc = "K%02d" % (a + 1)
    gi = a % 5
    plan = "pro" if a % 2 else "basic"
    # every third account starts inside the history (onboarding), the
    # others a year or more before it
    if a % 3 == 1:
        start = first + dt.timedelta(days=7 * (a % 4))
    else:
        start = first - dt.timedelta(days=200 + 30 * a)
    users = 1 + a % 3
    arr = 1000 * (4 + a % 5)
    for w in range(16):
        d = first + dt.timedelta(days=7 * w)
        if d < start:
            continue
        if rng.random() < 0.08:
            gi = min(4, max(0, gi + rng.choice([-1, 1])))
        g = grades[gi]
        sponsor = "yes" if rng.random() < 0.85 - 0.15 * gi else "no"
        gcell = rng.choice(spell[g])
        for u in range(users):
            logins = max(0, round(rng.gauss(9 - 1.5 * gi + 2 * u, 2)))
            cell = "" if rng.random() < 0.05 else str(logins)  # a user without a value
            snap.write("%s,%s,%s,%s-u%d,%s,%d,%s,%s,%s,%s\n" % (
                acc, d.isoformat(), plan, acc, u + 1, start.isoformat(), arr, cell,
                '"' + gcell + '"' if gcell != gcell.strip() else gcell, light[g], sponsor))
        if rng.random() < [0.004, 0.015, 0.04, 0.08, 0.14][gi]:
            ev.write("%s,%s,churn,%d\n" % (acc, (d + dt.timedelta(days=3)).isoformat(), arr))
            break
snap.close()
ev.close()
