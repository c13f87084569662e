#!/bin/sh
# account_unit.sh - the report on the bundled sample counts accounts: its red count is predict's red rows, its call list holds no churned account, its band table in accounts is validate's, churned ARR per band adds up to the churn events, and validate's lead times match an independent computation.
. "$(dirname "$0")/lib.sh"

S="$HERE/../../datasets/sample"
OUT="$WORK/report"
run 0 "report on the sample" -- $HEALTHCAL report -s "$S/snapshots.csv" -e "$S/events.csv" \
    -c "$S/current.json" -o "$OUT"
AS_OF=$(awk -F, 'NR > 1 && $2 > d { d = $2 } END { print d }' "$S/snapshots.csv")

# 1. Churned ARR per band (validate.json, accounts table) sums to the amounts
#    of the sample's churn events, counted here with awk from events.csv
#    (every churned account of the sample has a labelled snapshot before
#    its churn, so all 64 are evaluated).
want=$(awk -F, 'NR > 1 && tolower($3) == "churn" && !seen[$1]++ { s += $4; n++ } END { printf "%d %d\n", s, n }' "$S/events.csv")
got=$(python3 - "$OUT/data/validate.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))
print("%d %d" % (round(sum(b["churned_arr_events"] for b in v["bands"])),
                 sum(b["churned_accounts"] for b in v["bands"])))
PY
)
[ "$got" = "$want" ] && ok || fail "churned ARR and accounts per band '$got', the events give '$want'"

# 2. The call list (predictions.csv) holds no account whose churn event is
#    on or before the as-of date, unless a later snapshot shows it came back.
awk -F, -v asof="$AS_OF" 'NR == FNR { if (FNR > 1 && tolower($3) == "churn" && $2 <= asof && $2 > c[$1]) c[$1] = $2; next }
    FNR > 1 && ($1 in c) && $2 <= c[$1] { print $1; bad = 1 }
    END { exit bad }' "$S/events.csv" "$OUT/predictions.csv" >"$WORK/churned" && ok \
    || fail "predictions.csv lists churned accounts: $(head -3 "$WORK/churned" | tr '\n' ' ')"

# 3. The report's red count (summary.md) equals the red rows of its
#    predictions.csv and of a separate `healthcal predict --events` run
#    with the config the report says it scores with.
red=$(awk -F, 'NR == 2 { print $1 }' "$OUT/data/band_arr.csv")
red_md=$(sed -n "s/.*By band: '[^']*' \([0-9][0-9]*\) accounts.*/\1/p" "$OUT/summary.md")
red_csv=$(awk -F, -v b="$red" 'NR > 1 && $6 == b { n++ } END { print n + 0 }' "$OUT/predictions.csv")
if grep -q "Scored with the tuned config" "$OUT/summary.md"; then CFG="$OUT/tuned.json"; else CFG="$S/current.json"; fi
run 0 "predict --events with the report's config" -- $HEALTHCAL predict -c "$CFG" -s "$S/snapshots.csv" \
    -e "$S/events.csv" -o "$WORK/pred.csv"
red_pred=$(awk -F, -v b="$red" 'NR > 1 && $6 == b && $15 == "current" { n++ } END { print n + 0 }' "$WORK/pred.csv")
[ -n "$red_md" ] && [ "$red_md" = "$red_csv" ] && [ "$red_csv" = "$red_pred" ] && ok \
    || fail "red accounts: summary.md '$red_md', predictions.csv $red_csv, predict $red_pred"
[ "$(($(wc -l <"$WORK/pred.csv")))" = "$(($(wc -l <"$OUT/predictions.csv")))" ] && ok \
    || fail "predict and the report list different numbers of accounts"

# 4. The report's band table in accounts (summary.md) is validate's:
#    accounts, churned accounts and churned ARR per band.
python3 - "$OUT/data/validate.json" "$OUT/summary.md" <<'PY' && ok || fail "summary.md's band table in accounts differs from validate.json"
import json, re, sys
v = json.load(open(sys.argv[1]))
md = open(sys.argv[2]).read()
table = md.split("in accounts (an account that moved", 1)[1].split("\n\n", 2)[1]
rows = [r.strip("|").split("|") for r in table.splitlines()[2:]]
for b, r in zip(v["bands"], rows):
    cells = [c.strip() for c in r]
    if (cells[0] != b["name"] or int(cells[1]) != b["accounts"]
            or int(cells[2]) != b["churned_accounts"]
            or int(cells[4].replace(",", "")) != round(b["churned_arr_events"])):
        print(cells, b["name"], b["accounts"], b["churned_accounts"], b["churned_arr_events"])
        sys.exit(1)
sys.exit(0 if len(rows) >= len(v["bands"]) else 1)
PY

# 5. Every section follows the one recommendation.
if grep -q "Adopt the tuned config" "$OUT/summary.md"; then word=tuned; else word=current; fi
grep -q "^The book: .*scored with the $word config" "$OUT/summary.md" && ok \
    || fail "the revenue-at-risk table is not scored with the $word config the summary recommends"
grep -q "scored with the $word config" "$OUT/index.html" && ok \
    || fail "index.html's book is not scored with the $word config"

# 6. Lead time (validate's JSON) against an independent computation on
#    the sample from predict --all-snapshots (each snapshot's band) and the
#    events: per churned account (first churn event), its labelled rows
#    before the churn (censored rows, whose 30-day window ends after the
#    latest date in either file, are not labelled); first red / below-green
#    row; the band of its latest row on or before churn - 30/60/90 days.
run 0 "validate --json on the sample" -- $HEALTHCAL validate -q -s "$S/snapshots.csv" \
    -e "$S/events.csv" -c "$S/current.json" --bootstrap 0 --json "$WORK/v.json"
run 0 "predict --all-snapshots on the sample" -- $HEALTHCAL predict -q -c "$S/current.json" \
    -s "$S/snapshots.csv" --all-snapshots -o "$WORK/all.csv"
python3 - "$WORK/v.json" "$WORK/all.csv" "$S/events.csv" "$S/current.json" <<'PY' && ok || fail "lead times differ from the independent computation"
import csv, datetime, json, statistics, sys
v = json.load(open(sys.argv[1]))["lead_time"]
day = lambda s: datetime.date.fromisoformat(s).toordinal()
bands = [b["name"] for b in json.load(open(sys.argv[4]))["bands"]]
red, green = bands[0], bands[-1]
churn, last = {}, 0
for e in csv.DictReader(open(sys.argv[3])):
    last = max(last, day(e["event_date"]))
    if e["event_type"].strip().lower() == "churn":
        d = day(e["event_date"])
        churn[e["account_id"]] = min(d, churn.get(e["account_id"], d))
rows = list(csv.DictReader(open(sys.argv[2])))
last = max([last] + [day(r["snapshot_date"]) for r in rows])
per = {}
for r in rows:
    a, d = r["account_id"], day(r["snapshot_date"])
    if a in churn and d < churn[a] and d + 30 <= last:
        per.setdefault(a, []).append((d, r["band"]))
ok = v["churned_accounts"] == len(per)
for key, flagged in (("red", lambda b: b == red), ("below_green", lambda b: b != green)):
    leads = [churn[a] - min(d for d, b in rs if flagged(b)) for a, rs in per.items()
             if any(flagged(b) for _, b in rs)]
    got = v[key]
    ok &= got["churned_accounts_ever_in_band"] == len(leads)
    ok &= abs(got["median_days"] - statistics.median(leads)) < 1e-9
    for h in got["before_churn"]:
        n = k = 0
        for a, rs in per.items():
            early = [(d, b) for d, b in rs if d <= churn[a] - h["days_before_churn"]]
            if early:
                n += 1
                k += flagged(max(early)[1])
        ok &= h["churned_accounts_with_snapshot"] == n and h["in_band"] == k
sys.exit(0 if ok else 1)
PY

finish
