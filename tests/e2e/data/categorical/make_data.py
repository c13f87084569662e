#!/usr/bin/python3
"""make_data.py - writes the hand-made history of tests/e2e/categorical.sh.

Not run by the tests (they read the committed CSVs); kept so that the data
can be rebuilt and checked. 48 accounts, 16 weekly snapshots each, with the
qualitative columns companies export: a letter grade (messy case and
spaces), a traffic-light colour, a yes/no sponsor flag, a 1-5 matrix score
and a sentiment label, plus a numeric usage column. Churn hazard rises
with the grade. Deterministic (fixed seed).
"""
import datetime as dt
import random

rng = random.Random(15)
grades = ["A", "B", "C", "D", "F"]
spell = {"A": ["A", "a", " A "], "B": ["B", "b ", "B"], "C": ["C", "c", " C"],
         "D": ["D", "d", "D "], "F": ["F", "f", "F"]}
light = {"A": "green", "B": "green", "C": "yellow", "D": "red", "F": "red"}
start = dt.date(2025, 1, 6)
snap = open("snapshots.csv", "w")
ev = open("events.csv", "w")
snap.write("account_id,snapshot_date,segment,arr,logins,grade,light,sponsor,matrix,sentiment\n")
ev.write("account_id,event_date,event_type,amount\n")
for a in range(48):
    acc = "C%03d" % (a + 1)
    g = grades[a % 5]
    gi = grades.index(g)
    arr = 1000 * (5 + a % 7)
    churned = False
    for w in range(16):
        d = start + dt.timedelta(days=7 * w)
        # the grade drifts one step now and then
        if rng.random() < 0.08:
            gi = min(4, max(0, gi + rng.choice([-1, 1])))
        g = grades[gi]
        logins = max(0, round(rng.gauss(12 - 2 * gi, 2), 1))
        sponsor = "yes" if rng.random() < 0.8 - 0.15 * gi else "no"
        matrix = str(5 - gi if rng.random() < 0.7 else max(1, 4 - gi))
        sentiment = ["happy", "neutral", "at risk"][min(2, gi // 2 + (rng.random() < 0.2))]
        gcell = rng.choice(spell[g])
        if a == 47 and w == 15:
            gcell = "E"  # a level no config lists (unseen)
        snap.write("%s,%s,%s,%d,%s,%s,%s,%s,%s,%s\n" % (
            acc, d.isoformat(), "smb" if a % 2 else "ent", arr, logins,
            '"' + gcell + '"' if gcell != gcell.strip() else gcell,
            light[g], sponsor, matrix, sentiment))
        if rng.random() < [0.002, 0.01, 0.03, 0.06, 0.12][gi]:
            ev.write("%s,%s,churn,%d\n" % (acc, (d + dt.timedelta(days=3)).isoformat(), arr))
            churned = True
            break
snap.close()
ev.close()
