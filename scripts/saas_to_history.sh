#!/bin/sh
# saas_to_history.sh - turns the SaaS activity panel (../shared/datasets/saas-activity)
# into healthcal's snapshots.csv, events.csv and a hand-set config current.json.
#
# usage: scripts/saas_to_history.sh [DATASET_DIR] OUT_DIR
#   DATASET_DIR defaults to ../shared/datasets/saas-activity (or
#   $HC_SHARED_DATASETS/saas-activity). POSIX sh + awk only.
#
# The panel (SOURCE.md there) says, for each registered user, in which of 21
# calendar months they were active; it has no churn flag. This script makes:
#
# - Calendar: month m is mapped to the calendar month m - 1 after January
#   2020 (month 1 = 2020-01, month 13 = 2021-01, month 21 = 2021-09). The
#   real years are not given; only day differences matter to the labels.
# - snapshots.csv: one row per user per active month m, dated the first day
#   of month m + 1 (the month's activity is known once it is over), with
#   metrics computed from months <= m only:
#     active_last_3    active months among m-2, m-1, m (1-3)
#     active_prev      1 when active in m-1
#     streak           consecutive active months ending at m
#     active_share     active months / months since registration (0-1]
#     tenure_months    m - registration_month + 1
#   segment = region (America / EMEA / ROW). No ARR column.
# - events.csv: churn = the month after the user's last active month L:
#   one churn event dated the last day of month L + 1, written only when
#   L + 1 <= 21 (that month is inside the data; users active in month 21
#   are right-censored). With the default 30-day horizon, the snapshot
#   dated the first of month L + 1 is the one labelled churn = 1: its
#   window (t, t + 30] holds the last day of that month for every month
#   length, and the previous snapshot's window ends a month earlier.
#   healthcal label's default as-of (the latest date in either file, here
#   2021-10-01) censors the snapshots after month 21.
# - current.json: a hand-set config over those metrics (weights chosen by
#   judgement, not fitted: recent activity 0.5, loyalty 0.3, tenure 0.2).
set -eu
LC_ALL=C
export LC_ALL

if [ $# -eq 1 ]; then
    SRC=${HC_SHARED_DATASETS:-../shared/datasets}/saas-activity
    OUT=$1
elif [ $# -eq 2 ]; then
    SRC=$1
    OUT=$2
else
    echo "usage: $0 [DATASET_DIR] OUT_DIR" >&2
    exit 1
fi
REG=$SRC/registrations.csv
ACT=$SRC/activity.csv
for f in "$REG" "$ACT"; do
    if [ ! -r "$f" ]; then
        echo "saas_to_history.sh: cannot read $f" >&2
        exit 2
    fi
done
mkdir -p "$OUT"
TMP_S=$OUT/.snapshots.tmp.$$
TMP_E=$OUT/.events.tmp.$$
trap 'rm -f "$TMP_S" "$TMP_E" "$TMP_S.body" "$TMP_E.body"' EXIT INT TERM

# One awk pass over both files. The separator (';' in the original, ','
# in the *_comma copies) is taken from each file's header.
awk -v snap="$TMP_S.body" -v ev="$TMP_E.body" '
function sep_of(line) { return index(line, ";") ? ";" : "," }
function ym(m,    y, mo) { y = 2020 + int((m - 1) / 12); mo = (m - 1) % 12 + 1; return sprintf("%04d-%02d", y, mo) }
function days_in(m,    y, mo) {
    y = 2020 + int((m - 1) / 12); mo = (m - 1) % 12 + 1
    if (mo == 2) return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
    if (mo == 4 || mo == 6 || mo == 9 || mo == 11) return 30
    return 31
}
function col(name, hdr, n,    i) { for (i = 1; i <= n; i++) if (hdr[i] == name) return i; return 0 }
FNR == 1 {
    FS = sep_of($0); nf = split($0, hdr, FS)
    file++
    if (file == 1) { ci = col("id", hdr, nf); cr = col("registration_month", hdr, nf); cg = col("region", hdr, nf) }
    else { ai = col("id", hdr, nf); am = col("activity_month", hdr, nf) }
    if ((file == 1 && (!ci || !cr || !cg)) || (file == 2 && (!ai || !am))) {
        print "saas_to_history.sh: " FILENAME ": unexpected header" > "/dev/stderr"; bad = 1; exit 2
    }
    next
}
{
    split($0, f, FS)
    if (file == 1) { reg[f[ci]] = f[cr] + 0; region[f[ci]] = f[cg]; next }
    m = f[am] + 0; id = f[ai]
    act[id, m] = 1
    if (!(id in last) || m > last[id]) last[id] = m
    if (m > maxm) maxm = m
}
END {
    if (bad) exit 2
    for (id in reg) {
        if (!(id in last)) continue
        r = reg[id]; streak = 0; n_act = 0
        for (m = r; m <= last[id]; m++) {
            a = ((id, m) in act)
            streak = a ? streak + 1 : 0
            n_act += a
            if (!a) continue
            l3 = 0
            for (k = m - 2; k <= m; k++) if (k >= r && ((id, k) in act)) l3++
            prev = (m - 1 >= r && ((id, m - 1) in act)) ? 1 : 0
            tenure = m - r + 1
            printf "%s,%s-01,%s,%d,%d,%d,%.6g,%d\n", id, ym(m + 1), region[id], l3, prev, streak, n_act / tenure, tenure > snap
        }
        L = last[id]
        if (L + 1 <= maxm)
            printf "%s,%s-%02d,churn,\n", id, ym(L + 1), days_in(L + 1) > ev
    }
}' "$REG" "$ACT"

{
    echo "account_id,snapshot_date,segment,active_last_3,active_prev,streak,active_share,tenure_months"
    sort -t, -k1,1 -k2,2 "$TMP_S.body"
} >"$TMP_S"
{
    echo "account_id,event_date,event_type,amount"
    sort -t, -k1,1 -k2,2 "$TMP_E.body"
} >"$TMP_E"
mv "$TMP_S" "$OUT/snapshots.csv"
mv "$TMP_E" "$OUT/events.csv"

cat >"$OUT/current.json.tmp.$$" <<'EOF'
{
  "schema": "healthcal-model/1",
  "name": "saas hand-set",
  "horizon_days": 30,
  "lead_days": 0,
  "components": [
    {"name": "recent_activity", "weight": 0.5, "metrics": [
      {"column": "active_last_3", "transform": {"type": "linear", "low": 1, "high": 3, "higher_is_healthier": true}},
      {"column": "active_prev", "transform": {"type": "linear", "low": 0, "high": 1, "higher_is_healthier": true}}]},
    {"name": "loyalty", "weight": 0.3, "metrics": [
      {"column": "streak", "transform": {"type": "log", "low": 0, "high": 12, "higher_is_healthier": true}},
      {"column": "active_share", "transform": {"type": "linear", "low": 0, "high": 1, "higher_is_healthier": true}}]},
    {"name": "tenure", "weight": 0.2, "metrics": [
      {"column": "tenure_months", "transform": {"type": "log", "low": 0, "high": 20, "higher_is_healthier": true}}]}
  ],
  "bands": [{"name": "red", "min": 0}, {"name": "yellow", "min": 40}, {"name": "green", "min": 70}],
  "churn_model": null
}
EOF
mv "$OUT/current.json.tmp.$$" "$OUT/current.json"
echo "saas_to_history.sh: wrote $OUT/snapshots.csv ($(($(wc -l <"$OUT/snapshots.csv") - 1)) rows), $OUT/events.csv ($(($(wc -l <"$OUT/events.csv") - 1)) churn events), $OUT/current.json" >&2
