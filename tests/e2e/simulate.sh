#!/bin/sh
# simulate.sh - `healthcal simulate`: outputs, determinism, the committed sample, usage errors.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)

SNAP_HEADER='account_id,snapshot_date,segment,arr,logins_per_week,feature_adoption,open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,exec_sponsor'

# a small history with the true probabilities
run 0 "simulate" -- $HEALTHCAL simulate --accounts 150 --weeks 40 --seed 9 --out "$WORK/a" --truth-probs
for f in snapshots.csv events.csv truth.json current.json truth_probs.csv; do
    [ -s "$WORK/a/$f" ] && ok || fail "simulate: $f missing or empty"
done
expect_err "snapshots:" "summary on stderr"
[ "$(head -1 "$WORK/a/snapshots.csv")" = "$SNAP_HEADER" ] && ok || fail "snapshots header"
[ "$(head -1 "$WORK/a/events.csv")" = "account_id,event_date,event_type,amount" ] && ok || fail "events header"
[ "$(head -1 "$WORK/a/truth_probs.csv")" = "account_id,snapshot_date,p_churn,p_expansion" ] && ok || fail "truth_probs header"
[ "$(wc -l <"$WORK/a/snapshots.csv")" = "$(wc -l <"$WORK/a/truth_probs.csv")" ] && ok || fail "one truth_probs row per snapshot"
# 150 accounts, dates weekly from 2024-01-01 (40 weeks: last 2024-09-30)
[ "$(cut -d, -f1 "$WORK/a/snapshots.csv" | sed 1d | sort -u | wc -l)" = 150 ] && ok || fail "150 accounts"
[ "$(cut -d, -f2 "$WORK/a/snapshots.csv" | sed 1d | sort -u | head -1)" = 2024-01-01 ] && ok || fail "first date"
[ "$(cut -d, -f2 "$WORK/a/snapshots.csv" | sed 1d | sort -u | tail -1)" = 2024-09-30 ] && ok || fail "last date"
[ "$(cut -d, -f2 "$WORK/a/snapshots.csv" | sed 1d | sort -u | wc -l)" = 40 ] && ok || fail "40 weekly dates"
# events only of the three types, dated by the last snapshot date
[ "$(cut -d, -f3 "$WORK/a/events.csv" | sed 1d | grep -cv '^churn$\|^expansion$\|^contraction$')" = 0 ] && ok || fail "event types"
[ "$(cut -d, -f2 "$WORK/a/events.csv" | sed 1d | sort | tail -1 | tr -d -)" -le 20240930 ] && ok || fail "events after the last snapshot date"
grep -q '"schema": "healthcal-model/1"' "$WORK/a/current.json" && ok || fail "current.json schema"
grep -q '"schema": "healthcal-truth/1"' "$WORK/a/truth.json" && ok || fail "truth.json schema"
[ "$(ls "$WORK/a" | wc -l)" = 5 ] && ok || fail "temporary files left in the output directory"

# same options: byte-identical; without --truth-probs: the same other files
run 0 "simulate again" -- $HEALTHCAL simulate -q --accounts 150 --weeks 40 --seed 9 --out "$WORK/b" --truth-probs
[ ! -s "$WORK/err" ] && ok || fail "--quiet printed on stderr"
run 0 "simulate without truth" -- $HEALTHCAL simulate -q --accounts 150 --weeks 40 --seed 9 --out "$WORK/c"
for f in snapshots.csv events.csv truth.json current.json truth_probs.csv; do
    cmp -s "$WORK/a/$f" "$WORK/b/$f" && ok || fail "same seed: $f differs"
done
for f in snapshots.csv events.csv truth.json current.json; do
    cmp -s "$WORK/a/$f" "$WORK/c/$f" && ok || fail "--truth-probs changed $f"
done
[ ! -e "$WORK/c/truth_probs.csv" ] && ok || fail "truth_probs.csv written without --truth-probs"

# another seed, another history; another start date shifts the dates
run 0 "other seed" -- $HEALTHCAL simulate -q --accounts 150 --weeks 40 --seed 10 --out "$WORK/d"
cmp -s "$WORK/a/snapshots.csv" "$WORK/d/snapshots.csv" && fail "seed 10 gave the data of seed 9" || ok
run 0 "--start" -- $HEALTHCAL simulate -q --accounts 5 --weeks 3 --seed 1 --start 2025-03-05 --out "$WORK/e"
[ "$(sed -n 2p "$WORK/e/snapshots.csv" | cut -d, -f2)" = 2025-03-05 ] && ok || fail "--start date"

# rerunning over an existing directory replaces the files
run 0 "rerun" -- $HEALTHCAL simulate -q --accounts 150 --weeks 40 --seed 9 --out "$WORK/c" --truth-probs
cmp -s "$WORK/a/truth_probs.csv" "$WORK/c/truth_probs.csv" && ok || fail "rerun into an existing directory"

# the committed sample is what the command in datasets/README.md writes
# (byte-identity needs the same libm; checked on x86-64 Linux only)
if [ -d "$ROOT/datasets/sample" ] && [ "$(uname -sm)" = "Linux x86_64" ]; then
    cmd=$(grep -o 'healthcal simulate --accounts [^`]*--out datasets/sample[^`]*' "$ROOT/datasets/README.md" | head -1)
    set -- $(echo "$cmd" | sed "s|^healthcal ||; s|datasets/sample|$WORK/sample|")
    run 0 "regenerate sample" -- $HEALTHCAL "$@"
    for f in snapshots.csv events.csv truth.json current.json truth_probs.csv; do
        cmp -s "$ROOT/datasets/sample/$f" "$WORK/sample/$f" && ok ||
            fail "datasets/sample/$f differs from '$cmd'"
    done
fi

# the output is accepted by `healthcal label`
if $HEALTHCAL label --help >/dev/null 2>&1; then
    run 0 "label the simulated history" -- $HEALTHCAL label -q -s "$WORK/a/snapshots.csv" -e "$WORK/a/events.csv" -o "$WORK/obs.csv"
fi

# --help
run 0 "--help" -- $HEALTHCAL simulate --help
grep -q "usage: healthcal simulate" "$WORK/out" && ok || fail "--help prints usage"

# usage errors name the option
run 1 "--accounts 0" -- $HEALTHCAL simulate --accounts 0 --weeks 10 --seed 1 --out "$WORK/u"
expect_err "--accounts" "--accounts 0 names the option"
run 1 "--accounts abc" -- $HEALTHCAL simulate --accounts abc --weeks 10 --seed 1 --out "$WORK/u"
expect_err "--accounts" "--accounts abc names the option"
run 1 "--weeks 0" -- $HEALTHCAL simulate --accounts 10 --weeks 0 --seed 1 --out "$WORK/u"
expect_err "--weeks" "--weeks 0 names the option"
run 1 "--weeks 99999" -- $HEALTHCAL simulate --accounts 10 --weeks 99999 --seed 1 --out "$WORK/u"
expect_err "--weeks" "--weeks 99999 names the option"
run 1 "--seed -1" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed -1 --out "$WORK/u"
expect_err "--seed" "--seed -1 names the option"
run 1 "--seed 2^32" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 4294967296 --out "$WORK/u"
expect_err "--seed" "--seed 2^32 names the option"
run 1 "--start bad" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --start 2024-02-30 --out "$WORK/u"
expect_err "--start" "--start 2024-02-30 names the option"
run 1 "--start too late" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --start 9999-12-01 --out "$WORK/u"
expect_err "--start" "--start 9999-12-01 names the option"
run 1 "missing --out" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1
expect_err "'--out' is required" "missing --out named"
run 1 "missing --accounts" -- $HEALTHCAL simulate --weeks 10 --seed 1 --out "$WORK/u"
expect_err "'--accounts' is required" "missing --accounts named"
run 1 "missing --seed" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --out "$WORK/u"
expect_err "'--seed' is required" "missing --seed named"
run 1 "unknown option" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --out "$WORK/u" --bogus
expect_err "--bogus" "unknown option named"
run 1 "positional" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --out "$WORK/u" extra
expect_err "extra" "positional argument named"
[ ! -e "$WORK/u" ] && ok || fail "a usage error created the output directory"

# --grades (issue 15): one more column, the letter of the true relationship
# sub-score s = (10 nps + 100 exec_sponsor) / 2 (the simulator's hand-set
# sub-scores; A >= 80, B >= 60, C >= 40, D >= 20, else F), checked on every
# row whose nps is written; no extra random draws, so every other column and
# file is byte-identical to the run without it.
run 0 "simulate --grades" -- $HEALTHCAL simulate --accounts 600 --weeks 52 --seed 9 \
    --grades --out "$WORK/g" -q
run 0 "simulate, no grades" -- $HEALTHCAL simulate --accounts 600 --weeks 52 --seed 9 \
    --out "$WORK/g0" -q
[ "$(head -1 "$WORK/g/snapshots.csv")" = "$SNAP_HEADER,grade" ] && ok || fail "grades header"
cut -d, -f1-13 "$WORK/g/snapshots.csv" >"$WORK/g13.csv"
same_file "$WORK/g0/snapshots.csv" "$WORK/g13.csv" "--grades leaves the other columns"
same_file "$WORK/g0/events.csv" "$WORK/g/events.csv" "--grades leaves the events"
awk -F, 'NR > 1 && $12 != "" { s = (10 * $12 + 100 * $13) / 2
        g = s >= 80 ? "A" : s >= 60 ? "B" : s >= 40 ? "C" : s >= 20 ? "D" : "F"
        if (g != $14) { print "line " NR ": " $0; bad = 1 }; n++ }
    END { if (n < 1000) bad = 1; exit bad }' "$WORK/g/snapshots.csv" >"$WORK/gbad" && ok ||
    fail "grades off the rule: $(head -2 "$WORK/gbad")"
grep -q '"grades"' "$WORK/g/truth.json" && ok || fail "truth.json lacks the grade rule"
# The truth: churn falls with s_relationship, so a fit that learns the
# grade's scores with the order F < D < C < B < A (smoothed churn rates
# under pool-adjacent-violators) gives A the top score, F the bottom, and
# the grade a weight whose interval excludes 0.
cat >"$WORK/g/grade.json" <<'JSON'
{"schema": "healthcal-model/1", "name": "learned grade", "horizon_days": 30,
 "components": [
  {"name": "usage", "weight": 0.5, "metrics": [{"column": "logins_per_week",
    "transform": {"type": "linear", "low": 0, "high": 20, "higher_is_healthier": true}}]},
  {"name": "relationship", "weight": 0.5, "metrics": [{"column": "grade",
    "transform": {"type": "categorical", "learn": true, "order": ["F", "D", "C", "B", "A"]}}]}],
 "bands": [{"name": "red", "min": 0}, {"name": "yellow", "min": 40}, {"name": "green", "min": 70}],
 "churn_model": null, "expansion_model": null}
JSON
run 0 "fit the learned grade" -- $HEALTHCAL fit --config "$WORK/g/grade.json" \
    --snapshots "$WORK/g/snapshots.csv" --events "$WORK/g/events.csv" -o "$WORK/g/tuned.json"
grep -q '"A": 100.0' "$WORK/g/tuned.json" && grep -q '"F": 0.0' "$WORK/g/tuned.json" && ok ||
    fail "learned grade not ordered by the truth: $(grep -A6 '"levels"' "$WORK/g/tuned.json")"
grep -q '^relationship .*\[0\.[0-9]*[1-9][0-9]*, ' "$WORK/out" && ok ||
    fail "relationship weight interval: $(grep '^relationship' "$WORK/out")"

# --users-per-account (issue 15): 3 user rows per account and week whose
# mean is the account's value; the events are the same. A fit of the hand-set
# config with a "mean" roll-up of every metric on the user rows gives the
# account-level fit (to the rounding of doubles) and its intervals hold the
# true weights of truth.json (usage 0.3, support 0.05, engagement 0,
# financial 0.5, relationship 0.15).
run 0 "simulate --users-per-account 3" -- $HEALTHCAL simulate --accounts 400 --weeks 52 \
    --seed 9 --users-per-account 3 --out "$WORK/us" -q
run 0 "simulate, account rows" -- $HEALTHCAL simulate --accounts 400 --weeks 52 --seed 9 \
    --out "$WORK/us0" -q
[ "$(head -1 "$WORK/us/snapshots.csv")" = "account_id,snapshot_date,user_id,segment,arr,logins_per_week,feature_adoption,open_tickets,csat,email_open_rate,milestones_done,days_past_due,nps,exec_sponsor" ] &&
    ok || fail "users header: $(head -1 "$WORK/us/snapshots.csv")"
[ "$(($(wc -l <"$WORK/us/snapshots.csv") - 1))" = "$((3 * ($(wc -l <"$WORK/us0/snapshots.csv") - 1)))" ] &&
    ok || fail "3 user rows per account row"
same_file "$WORK/us0/events.csv" "$WORK/us/events.csv" "users: same events"
sed '/"schema"/a\
  "rollup": {"user_column": "user_id", "metrics": {"logins_per_week": "mean", "feature_adoption": "mean", "open_tickets": "mean", "csat": "mean", "email_open_rate": "mean", "milestones_done": "mean", "days_past_due": "mean", "nps": "mean", "exec_sponsor": "mean"}},' \
    "$WORK/us0/current.json" >"$WORK/us/rollup.json"
run 0 "fit user rows" -- $HEALTHCAL fit --config "$WORK/us/rollup.json" \
    --snapshots "$WORK/us/snapshots.csv" --events "$WORK/us/events.csv" -o "$WORK/us/t1.json"
cp "$WORK/out" "$WORK/us/fit1.txt"
expect_err "(1200 users), rolled up to" "user counts"
run 0 "fit account rows" -- $HEALTHCAL fit --config "$WORK/us0/current.json" \
    --snapshots "$WORK/us0/snapshots.csv" --events "$WORK/us0/events.csv" -o "$WORK/us/t0.json"
for key in intercept slope; do
    a=$(grep -m1 "\"$key\"" "$WORK/us/t1.json" | tr -dc '0-9.e-')
    b=$(grep -m1 "\"$key\"" "$WORK/us/t0.json" | tr -dc '0-9.e-')
    awk -v a="$a" -v b="$b" 'BEGIN { d = a - b; if (d < 0) d = -d; m = b < 0 ? -b : b
        exit !(a != "" && d <= 1e-9 * (m > 1 ? m : 1)) }' && ok ||
        fail "user-row fit $key $a, account-row fit $b"
done
for tw in usage:0.3 support:0.05 engagement:0 financial:0.5 relationship:0.15; do
    awk -v c="${tw%%:*}" -v w="${tw#*:}" '$1 == c && $4 ~ /^\[/ { lo = $4; hi = $5
            gsub(/[\[,]/, "", lo); gsub(/\]/, "", hi); found = 1
            if (!(lo + 0 <= w + 0 && w + 0 <= hi + 0)) bad = 1 }
        END { exit !(found && !bad) }' "$WORK/us/fit1.txt" && ok ||
        fail "true weight of ${tw%%:*} outside its interval: $(grep "^${tw%%:*} " "$WORK/us/fit1.txt" | tail -1)"
done
run 1 "bad --users-per-account" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 \
    --users-per-account 0 --out "$WORK/u"
expect_err "users-per-account" "bad --users-per-account named"

# I/O errors: the output directory is a file, or cannot be created
echo keep >"$WORK/file"
run 4 "--out is a file" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --out "$WORK/file"
[ "$(cat "$WORK/file")" = keep ] && ok || fail "--out file was modified"
run 4 "--out under a file" -- $HEALTHCAL simulate --accounts 10 --weeks 10 --seed 1 --out "$WORK/file/sub"
finish
