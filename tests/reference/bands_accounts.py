# bands_accounts.py - reference numbers for the band table in accounts (tests/unit/test_bands_accounts.c).
# Run: /usr/bin/python3 tests/reference/bands_accounts.py
#
# Reads the hand-made history tests/data/bands_accounts/ (6 accounts x 6
# weekly snapshots; health H is the column h itself, the config's identity
# transform with weight 1; bands red [0, 40), yellow [40, 70), green 70+)
# and computes, with pandas and the rules of README "Labels" written out
# here independently of healthcal:
#   churn label: a churn event in (t, t + 30]; rows on or after the
#   account's first churn are left out; rows whose window ends after the
#   as-of date (the latest date in either file) are censored;
# then per band, in snapshots and in accounts:
#   snapshots, churner snapshots;
#   accounts (distinct accounts with a row in the band), accounts_latest
#   (each account in the band of its latest row), churned_accounts (each
#   churned account in the band of its latest churner row);
#   arr_accounts (each account's ARR at its latest row in the band),
#   arr_latest (ARR at the latest row), churned_arr_events (the amount of
#   the account's first churn event, or the ARR at its latest churner row
#   when the event has no amount).
import os
import pandas as pd

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "bands_accounts")
snap = pd.read_csv(os.path.join(here, "snapshots.csv"), parse_dates=["snapshot_date"])
ev = pd.read_csv(os.path.join(here, "events.csv"), parse_dates=["event_date"])
H, lead = 30, 0
as_of = max(snap.snapshot_date.max(), ev.event_date.max())

churn = ev[ev.event_type.str.lower() == "churn"].sort_values(["account_id", "event_date"],
                                                              kind="stable")
first = churn.groupby("account_id").first()          # first churn: date and amount

rows = snap.copy()
fc = rows.account_id.map(first.event_date)
rows = rows[~(fc.notna() & (rows.snapshot_date >= fc))]                 # post-churn
rows = rows[rows.snapshot_date + pd.Timedelta(days=lead + H) <= as_of]  # censored
fc = rows.account_id.map(first.event_date)
lo = rows.snapshot_date + pd.Timedelta(days=lead)
hi = lo + pd.Timedelta(days=H)
rows["y"] = ((fc > lo) & (fc <= hi)).astype(int)
rows["band"] = pd.cut(rows.h, [0, 40, 70, 1000], right=False, labels=["red", "yellow", "green"])

bands = ["red", "yellow", "green"]
rows = rows.sort_values(["account_id", "snapshot_date"])
latest = rows.groupby("account_id").tail(1)
latest_in_band = rows.groupby(["account_id", "band"], observed=True).tail(1)
churners = rows[rows.y == 1].groupby("account_id").tail(1).copy()
amt = churners.account_id.map(first.amount)
churners["churned"] = amt.where(amt.notna(), churners.arr)
churners["from_event"] = amt.notna()

print("rows %d churner rows %d accounts %d churned accounts %d" %
      (len(rows), rows.y.sum(), rows.account_id.nunique(), len(churners)))
print("band snapshots churner_snapshots accounts accounts_latest churned_accounts "
      "arr_accounts arr_latest churned_arr_events from_event from_arr")
for b in bands:
    r = rows[rows.band == b]
    c = churners[churners.band == b]
    print(b, len(r), int(r.y.sum()), r.account_id.nunique(), int((latest.band == b).sum()),
          len(c), int(latest_in_band[latest_in_band.band == b].arr.sum()),
          int(latest[latest.band == b].arr.sum()), int(c.churned.sum()),
          int(c.from_event.sum()), int((~c.from_event).sum()))
print("total arr_latest %d churned_arr_events %d" % (latest.arr.sum(), churners.churned.sum()))
