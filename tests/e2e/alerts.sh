#!/bin/sh
# alerts.sh - `healthcal predict --alerts` on a hand-made history, with the
# expected alerts computed by hand, and the idempotent re-run.
#
# data/alerts: one component, usage = the score column (identity), so
# health is the score; bands red 0, yellow 40, green 70; P(churn) =
# 1 / (1 + exp(-(3 - 0.1 H))). history1.csv has two weekly snapshots
# (2024-03-04, 2024-03-11) of seven accounts in one segment. With
# --alert-p 0.25 (P >= 0.25 iff H <= 40.99):
#   a1: 75 (green) -> 55 (yellow): band worsened; P 1/(1+e^4.5) = 0.010987
#       -> 1/(1+e^2.5) = 0.075858, below 0.25; ARR 100000 x P = 7585.818
#   a2 "q": 45 (yellow) -> 35 (red): band worsened, and P 1/(1+e^1.5) =
#       0.182426 -> 1/(1+e^0.5) = 0.377541 crosses 0.25; at risk 18877.033
#   a3: 38 -> 36, red both times, P 0.310 -> 0.354 already above: nothing
#   a4: 60 -> 65, a6: 80 -> 90, a7: 85 -> 80: no worse band, P small
#   a5: one snapshot, 30 (red), P = 1/2: first seen above the level;
#       at risk 20000 / 2 = 10000
# Drivers: the segment's healthy accounts are its green ones at the as-of
# date, a6 (90) and a7 (80), so r = 85 and usage pulls down 85 - H: 50
# (a2), 55 (a5), 30 (a1). Lines in predict's order, by ARR at risk.
# history2.csv adds a4 on 2024-03-18 at 30: yellow -> red and P
# 1/(1+e^3.5) = 0.029312 -> 1/2: a new alert; the others' latest rows are
# those already alerted, so with the first file as the previous alerts
# only a4 is written.
. "$(dirname "$0")/lib.sh"
D="$DATA/alerts"

# same_alerts EXPECTED ACTUAL WHAT: the same JSON objects in the same order,
# numbers to 1e-9 relative.
same_alerts() {
    python3 - "$1" "$2" <<'PY' >"$WORK/cmp" 2>&1 && ok || { fail "$3"; cat "$WORK/cmp"; }
import json, math, sys
def load(p):
    return [json.loads(l) for l in open(p, encoding="utf-8") if l.strip()]
want, got = load(sys.argv[1]), load(sys.argv[2])
def same(a, b, path):
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None or isinstance(a, str):
        if a != b: raise SystemExit("%s: %r, expected %r" % (path, b, a))
    elif isinstance(a, (int, float)):
        if not isinstance(b, (int, float)) or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            raise SystemExit("%s: %r, expected %r" % (path, b, a))
    elif isinstance(a, list):
        if not isinstance(b, list) or len(a) != len(b): raise SystemExit("%s: %r, expected %r" % (path, b, a))
        for i, (x, y) in enumerate(zip(a, b)): same(x, y, "%s[%d]" % (path, i))
    else:
        if not isinstance(b, dict) or list(a) != list(b): raise SystemExit("%s: keys %r, expected %r" % (path, list(b) if isinstance(b, dict) else b, list(a)))
        for k in a: same(a[k], b[k], path + "." + k)
if len(want) != len(got): raise SystemExit("%d alerts, expected %d" % (len(got), len(want)))
for i, (a, b) in enumerate(zip(want, got)): same(a, b, "line %d" % (i + 1))
PY
}

run 0 "predict --alerts" -- $HEALTHCAL predict -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/run1.jsonl" --alert-p 0.25 -o "$WORK/pred.csv"
same_alerts "$D/expected1.jsonl" "$WORK/run1.jsonl" "first run: the hand-computed alerts"
expect_err "alerts: 3 written to $WORK/run1.jsonl" "summary counts the alerts"
[ "$(grep -c '' "$WORK/run1.jsonl")" = 3 ] && ok || fail "not one line per alert"

# Idempotent: the same run with the first file as the previous alerts
# sends nothing.
run 0 "re-run with --previous-alerts" -- $HEALTHCAL predict -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/run2.jsonl" --alert-p 0.25 --previous-alerts "$WORK/run1.jsonl" -o "$WORK/pred2.csv"
[ -f "$WORK/run2.jsonl" ] && [ ! -s "$WORK/run2.jsonl" ] && ok || fail "re-run wrote alerts: $(cat "$WORK/run2.jsonl")"
expect_err "alerts: 0 written" "re-run summary"
expect_err "3 left out as already sent (3 read from $WORK/run1.jsonl)" "re-run counts the suppressed alerts"

# A new snapshot: only the new alert.
run 0 "next week with --previous-alerts" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history2.csv" --alerts "$WORK/run3.jsonl" --alert-p 0.25 --previous-alerts "$WORK/run1.jsonl" -o "$WORK/pred3.csv"
same_alerts "$D/expected3.jsonl" "$WORK/run3.jsonl" "next week: only a4's new alert"
# ... and once it is sent, that run too is idempotent (two files of sent
# alerts, appended into one log).
cat "$WORK/run1.jsonl" "$WORK/run3.jsonl" >"$WORK/log.jsonl"
run 0 "next week again" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history2.csv" --alerts "$WORK/run4.jsonl" --alert-p 0.25 --previous-alerts "$WORK/log.jsonl" -o "$WORK/pred4.csv"
[ ! -s "$WORK/run4.jsonl" ] && ok || fail "second run of next week wrote alerts"

# A reason not yet sent is still sent: a hand-written log that has a2's
# band alert only; a2 then alerts for the crossing alone.
printf '%s\n' '{"account_id": "a2 \"q\"", "snapshot_date": "2024-03-11", "reasons": ["band_worsened"]}' >"$WORK/partial.jsonl"
run 0 "a reason not sent yet" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/run5.jsonl" --alert-p 0.25 --previous-alerts "$WORK/partial.jsonl" -o "$WORK/pred5.csv"
python3 -c 'import json,sys; a=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if [(x["account_id"], x["reasons"]) for x in a] == [("a2 \"q\"", ["p_churn_crossed"]), ("a5", ["p_churn_crossed"]), ("a1", ["band_worsened"])] else 1)' "$WORK/run5.jsonl" &&
    ok || { fail "partial log: $(cat "$WORK/run5.jsonl")"; }

# Without a level: band alerts only (a2 and a1).
run 0 "alerts without --alert-p" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/run6.jsonl" -o "$WORK/pred6.csv"
python3 -c 'import json,sys; a=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if [(x["account_id"], x["reasons"], x["alert_p"]) for x in a] == [("a2 \"q\"", ["band_worsened"], None), ("a1", ["band_worsened"], None)] else 1)' "$WORK/run6.jsonl" &&
    ok || { fail "band-only alerts: $(cat "$WORK/run6.jsonl")"; }

# Errors: a bad previous file names its line; options need --alerts.
printf '%s\n' '{"account_id": "a1", "snapshot_date": "2024-03-11", "reasons": []}' 'not json' >"$WORK/bad.jsonl"
run 2 "bad previous alerts" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/x.jsonl" --previous-alerts "$WORK/bad.jsonl" -o "$WORK/p.csv"
expect_err "bad.jsonl:2" "bad line named"
run 1 "--alert-p without --alerts" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history1.csv" --alert-p 0.3
run 1 "--alert-p out of range" -- $HEALTHCAL predict -q -c "$D/config.json" -s "$D/history1.csv" --alerts "$WORK/x.jsonl" --alert-p 1.5
finish
