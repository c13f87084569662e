#!/bin/sh
# export_formats.sh - data as warehouses and CRMs export it (issue 22): the
# bundled sample rewritten with ISO 8601 timestamps, a `cancelled` event
# type, "$12,000.00" money, a ';'-separated European export with decimal
# commas and dd.mm.yyyy dates, gives `validate` and `fit` outputs identical
# to the original's, to the last digit. The rewrites are awk over the
# original files; the equality is the property (the same numbers in, so the
# same numbers out), not values taken from healthcal.
. "$(dirname "$0")/lib.sh"
S="$HERE/../../datasets/sample"
O="$WORK/orig"
X="$WORK/export"
EU="$WORK/eu"
mkdir -p "$O" "$X" "$EU"
cp "$S/snapshots.csv" "$S/events.csv" "$S/current.json" "$O/"

# money X: "$12,345.00" from 12345 (thousands grouped, two decimals).
AWK_MONEY='function group(i,   out) { out = ""; while (length(i) > 3) { out = "," substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) } return i out }
function money(v,   ip, fp) { if (v == "") return ""; ip = v; fp = "00"; if (index(v, ".")) { ip = substr(v, 1, index(v, ".") - 1); fp = substr(v, index(v, ".") + 1) } return "\"$" group(ip) "." fp "\"" }'

# Snapshots as `\copy (SELECT ...) TO 'snapshots.csv' CSV HEADER` of a
# timestamptz writes them, alternating with ISO 8601 "T...Z" and an
# offset that stays on the same UTC date; the first row of each of the
# first 5 accounts also gets an earlier snapshot on the same day with other
# metrics, which the latest-timestamp rule must drop.
awk -F, -v OFS=, "$AWK_MONEY"'
NR == 1 { print; next }
{ d = $2; $4 = money($4)
  if (!($1 in seen) && n_dup < 5) { seen[$1] = 1; n_dup++; keep = $0; $2 = d "T01:15:00Z"; $5 = 99; $7 = 0; print; $0 = keep }
  $2 = (NR % 2) ? d "T06:00:00Z" : d " 09:30:00.250+02:00"
  print }' "$S/snapshots.csv" >"$X/snapshots.csv"
# Events as a BigQuery CSV export writes a TIMESTAMP ("... UTC"), with the
# CRM's word for churn and money amounts.
awk -F, -v OFS=, "$AWK_MONEY"'
NR == 1 { print; next }
{ $2 = $2 " 17:45:00 UTC"; if ($3 == "churn") $3 = "cancelled"; $4 = money($4); print }' \
    "$S/events.csv" >"$X/events.csv"
cp "$S/current.json" "$X/"
grep -q '"\$[0-9]*,[0-9][0-9][0-9]\.00"' "$X/snapshots.csv" && ok || fail "rewrite: no \$12,000.00 money"
grep -q ',cancelled,' "$X/events.csv" && ok || fail "rewrite: no cancelled events"

# run_in DIR NAME ARGS: runs healthcal in DIR (so that the paths the tuned
# config records are the same), stdout to DIR/NAME.out, stderr to NAME.err.
run_in() {
    dir=$1
    name=$2
    shift 2
    (cd "$dir" && $HEALTHCAL "$@" >"$name.out" 2>"$name.err")
    echo $?
}

for d in "$O" "$X"; do
    extra=
    [ "$d" = "$X" ] && extra="--event-map cancelled=churn"
    rc=$(run_in "$d" validate validate -s snapshots.csv -e events.csv -c current.json \
        --json validate.json $extra)
    [ "$rc" = 0 ] && ok || { fail "validate in $d: exit $rc"; cat "$d/validate.err"; }
    rc=$(run_in "$d" fit fit -s snapshots.csv -e events.csv -c current.json --segments \
        -o tuned.json $extra)
    [ "$rc" = 0 ] && ok || { fail "fit in $d: exit $rc"; cat "$d/fit.err"; }
done
same_file "$O/validate.out" "$X/validate.out" "validate on the warehouse export"
same_file "$O/validate.json" "$X/validate.json" "validate --json on the warehouse export"
same_file "$O/fit.out" "$X/fit.out" "fit on the warehouse export"
grep -v '"created":' "$O/tuned.json" >"$O/tuned.cmp"
grep -v '"created":' "$X/tuned.json" >"$X/tuned.cmp"
same_file "$O/tuned.cmp" "$X/tuned.cmp" "fit's tuned config on the warehouse export (but its creation time)"
grep -q "same-day snapshots superseded by a later timestamp: 5" "$X/fit.err" && ok ||
    fail "the 5 earlier same-day snapshots were not counted"
grep -q "ROC AUC" "$O/validate.out" && ok || fail "validate printed no AUC"

# predict and drift read the export the same way (same-day rule included).
(cd "$O" && $HEALTHCAL predict -c current.json -s snapshots.csv -e events.csv -o pred.csv 2>/dev/null)
(cd "$X" && $HEALTHCAL predict -c current.json -s snapshots.csv -e events.csv -o pred.csv \
    --event-map cancelled=churn 2>predict.err)
same_file "$O/pred.csv" "$X/pred.csv" "predict on the warehouse export"
grep -q "same-day snapshots superseded by a later timestamp: 5" "$X/predict.err" && ok ||
    fail "predict did not count the 5 superseded snapshots"
for d in "$O" "$X"; do
    (cd "$d" && $HEALTHCAL drift -c current.json -s snapshots.csv -e events.csv \
        --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30 \
        --event-map cancelled=churn >drift.out 2>/dev/null)
done
same_file "$O/drift.out" "$X/drift.out" "drift on the warehouse export"

# The quarterly report, likewise (its config read by the workflow, the
# event map by the command line).
(cd "$O" && $HEALTHCAL report -s snapshots.csv -e events.csv -c current.json -o rep >/dev/null 2>&1)
(cd "$X" && $HEALTHCAL report -s snapshots.csv -e events.csv -c current.json -o rep \
    --event-map cancelled=churn >/dev/null 2>&1)
# (but the minute it was generated: two runs under valgrind can straddle one)
for d in "$O" "$X"; do
    sed 's/ on [0-9-]* [0-9:]* UTC\. / on DATE UTC. /' "$d/rep/summary.md" >"$d/rep/summary.cmp"
done
same_file "$O/rep/summary.cmp" "$X/rep/summary.cmp" "report summary.md on the warehouse export"
same_file "$O/rep/predictions.csv" "$X/rep/predictions.csv" "report predictions.csv on the warehouse export"

# The same with the vocabulary and the event columns stored in the config
# (and renamed in the file), so that no flag is needed.
sed '1s/event_date,event_type,amount/occurred_at,kind,amount_usd/' "$X/events.csv" >"$X/events_named.csv"
sed 's/^  "schema": "healthcal-model\/1",/&\n  "event_map": {"Cancelled ": "churn", "renewal": "ignore"},/;
     s/^    "arr": "arr"$/    "arr": "arr", "event_date": "occurred_at", "event_type": "kind", "amount": "amount_usd"/' \
    "$S/current.json" >"$X/team.json"
grep -q '"event_type": "kind"' "$X/team.json" && grep -q '"event_map"' "$X/team.json" && ok ||
    fail "team.json was not rewritten"
rc=$(run_in "$X" team validate -s snapshots.csv -e events_named.csv -c team.json)
[ "$rc" = 0 ] && ok || { fail "validate with the config's event_map: exit $rc"; cat "$X/team.err"; }
same_file "$O/validate.out" "$X/team.out" "validate with the config's columns and event_map"
# A flag overrides the config: mapping cancelled to ignore drops the churns.
rc=$(run_in "$X" team_ignore validate -s snapshots.csv -e events_named.csv -c team.json \
    --event-map cancelled=ignore)
churns=$(awk -F, '$3 == "churn"' "$S/events.csv" | wc -l | tr -d ' ')
grep -q "events of types mapped to ignore: $churns" "$X/team_ignore.err" && ok ||
    fail "--event-map cancelled=ignore did not override the config's map ($churns churns)"
# fit keeps the config's event_map and columns in the tuned config.
rc=$(run_in "$X" team_fit fit -s snapshots.csv -e events_named.csv -c team.json -o team_tuned.json)
grep -q '"Cancelled ": "churn"' "$X/team_tuned.json" && grep -q '"event_type": "kind"' "$X/team_tuned.json" &&
    ok || fail "the tuned config lost the event_map or the event columns"

# Unmapped types stay an error that lists every type with its count.
n_exp=$(awk -F, '$3 == "expansion"' "$S/events.csv" | wc -l | tr -d ' ')
n_con=$(awk -F, '$3 == "contraction"' "$S/events.csv" | wc -l | tr -d ' ')
first=$(awk -F, '$3 == "cancelled" { print NR; exit }' "$X/events.csv")
run 2 "unmapped cancelled" -- $HEALTHCAL fit -s "$X/snapshots.csv" -e "$X/events.csv" \
    -c "$S/current.json" -o "$WORK/never.json"
expect_err "events.csv:$first: column 'event_type': unknown event type 'cancelled'" "unmapped: line"
expect_err "'cancelled' $churns (unknown), 'expansion' $n_exp, 'contraction' $n_con" "unmapped: counts"
[ ! -e "$WORK/never.json" ] && ok || fail "unmapped: fit wrote its output"
run 1 "bad --event-map" -- $HEALTHCAL validate -s "$X/snapshots.csv" -e "$X/events.csv" \
    -c "$S/current.json" --event-map cancelled=gone
expect_err "must map a type to churn, expansion, contraction or ignore" "bad --event-map"

# A European export: ';' between fields, dd.mm.yyyy dates, decimal commas,
# money as "16 240,00"; once with the ';' rule, once with --decimal-comma.
awk -F, -v OFS=';' '
function eu(v,   i) { if (v == "") return v; i = index(v, "."); return i ? substr(v, 1, i - 1) "," substr(v, i + 1) : v }
function date(v) { return substr(v, 9, 2) "." substr(v, 6, 2) "." substr(v, 1, 4) }
function grp(i,   out) { out = ""; while (length(i) > 3) { out = " " substr(i, length(i) - 2) out; i = substr(i, 1, length(i) - 3) } return i out }
NR == 1 { $1 = $1; print; next }
{ $2 = date($2); $4 = grp($4) ",00"; for (k = 5; k <= NF; k++) $k = eu($k); print }' \
    "$S/snapshots.csv" >"$EU/snapshots.csv"
awk -F, -v OFS=';' '
function date(v) { return substr(v, 9, 2) "." substr(v, 6, 2) "." substr(v, 1, 4) }
NR == 1 { $1 = $1; print; next }
{ $2 = date($2); if ($4 != "") $4 = $4 " \342\202\254"; print }' "$S/events.csv" >"$EU/events.csv"
cp "$S/current.json" "$EU/"
grep -q ';[0-9][0-9]*,[0-9]' "$EU/snapshots.csv" && ok || fail "the European rewrite has no decimal comma"
for mode in auto strict; do
    flag=
    [ $mode = strict ] && flag=--decimal-comma
    rc=$(run_in "$EU" "validate_$mode" validate -s snapshots.csv -e events.csv -c current.json \
        -d ';' --date-format %d.%m.%Y --json "validate_$mode.json" $flag)
    [ "$rc" = 0 ] && ok || { fail "European validate ($mode): exit $rc"; cat "$EU/validate_$mode.err"; }
    same_file "$O/validate.out" "$EU/validate_$mode.out" "validate on the European export ($mode)"
    same_file "$O/validate.json" "$EU/validate_$mode.json" "validate --json on the European export ($mode)"
done
rc=$(run_in "$EU" fit fit -s snapshots.csv -e events.csv -c current.json --segments -o tuned.json \
    -d ';' --date-format %d.%m.%Y)
[ "$rc" = 0 ] && ok || { fail "European fit: exit $rc"; cat "$EU/fit.err"; }
same_file "$O/fit.out" "$EU/fit.out" "fit on the European export"

# A date that parses in neither way names file, line, column and the
# format tried; nothing is written.
awk -F';' -v OFS=';' 'NR == 7 { $2 = "31.02.2024" } { print }' "$EU/snapshots.csv" >"$EU/bad.csv"
run 2 "European bad date" -- $HEALTHCAL fit -s "$EU/bad.csv" -e "$EU/events.csv" -c "$S/current.json" \
    -d ';' --date-format %d.%m.%Y -o "$WORK/never.json"
expect_err "bad.csv:7:2: column 'snapshot_date': '31.02.2024' is not a valid YYYY-MM-DD date or ISO 8601 timestamp, nor a date in --date-format '%d.%m.%Y'" "bad date message"
[ ! -e "$WORK/never.json" ] && ok || fail "bad date: fit wrote its output"
run 2 "dd.mm.yyyy without --date-format" -- $HEALTHCAL validate -s "$EU/snapshots.csv" \
    -e "$EU/events.csv" -c "$S/current.json" -d ';'
expect_err "snapshots.csv:2:2: column 'snapshot_date': '01.01.2024' is not a valid YYYY-MM-DD date or ISO 8601 timestamp (other orders need --date-format)" "no format given"
run 1 "bad --date-format" -- $HEALTHCAL validate -s "$EU/snapshots.csv" -e "$EU/events.csv" \
    -c "$S/current.json" --date-format %d.%m
expect_err "option '--date-format': '%d.%m': a date format needs %Y, %m and %d" "bad --date-format"
run 1 "bad --tz" -- $HEALTHCAL validate -s "$X/snapshots.csv" -e "$X/events.csv" \
    -c "$S/current.json" --tz Nowhere/Land
expect_err "option '--tz': time zone 'Nowhere/Land' is not in the tz database" "bad --tz"
# Two snapshots at the very same time cannot be ordered: still a duplicate.
awk 'NR == 3 { print } { print }' "$O/snapshots.csv" | sed '2,3s/,2024-01-01,/,2024-01-01T10:00:00Z,/' >"$WORK/dup.csv"
run 2 "same timestamp twice" -- $HEALTHCAL validate -s "$WORK/dup.csv" -e "$O/events.csv" -c "$S/current.json"
expect_err "duplicate snapshot for account" "same timestamp twice"

# --tz moves instants: at UTC-05:00 the export's 06:00Z and 09:30+02:00
# snapshots fall on the day before (01:00 and 02:30), and the 5 earlier
# same-day ones at 01:15Z on the day before that (20:15): they no longer
# share a date with a later one, so none is superseded and every row is read.
rc=$(run_in "$X" tz validate -s snapshots.csv -e events.csv -c current.json --tz -05:00 \
    --event-map cancelled=churn)
[ "$rc" = 0 ] && ok || { fail "validate --tz -05:00: exit $rc"; cat "$X/tz.err"; }
rows=$(($(wc -l <"$X/snapshots.csv") - 1))
grep -q "^snapshot rows read: *$rows\$" "$X/tz.err" && ! grep -q superseded "$X/tz.err" && ok ||
    fail "validate --tz -05:00: expected all $rows rows read and none superseded"
rows0=$(($(wc -l <"$O/snapshots.csv") - 1))
grep -q "^snapshot rows read: *$rows0\$" "$X/validate.err" && ok ||
    fail "validate in UTC: expected the original $rows0 rows after the same-day rule"

# Standard input: any one of the files may be '-'.
(cd "$X" && $HEALTHCAL validate -s - -e events.csv -c current.json --event-map cancelled=churn \
    <snapshots.csv >stdin_s.out 2>/dev/null)
same_file "$O/validate.out" "$X/stdin_s.out" "validate -s -"
(cd "$X" && $HEALTHCAL validate -s snapshots.csv -e - -c current.json --event-map cancelled=churn \
    <events.csv >stdin_e.out 2>/dev/null)
same_file "$O/validate.out" "$X/stdin_e.out" "validate -e -"
(cd "$O" && $HEALTHCAL predict -c current.json -s snapshots.csv -o pred_file.csv 2>/dev/null &&
    $HEALTHCAL predict -c current.json -s - -o pred_stdin.csv <snapshots.csv 2>/dev/null)
same_file "$O/pred_file.csv" "$O/pred_stdin.csv" "predict -s -"
(cd "$O" && $HEALTHCAL drift -c current.json -s - --baseline 2024-01-01:2024-06-30 \
    --current 2025-01-01:2025-06-30 <snapshots.csv >drift_stdin.out 2>/dev/null &&
    $HEALTHCAL drift -c current.json -s snapshots.csv --baseline 2024-01-01:2024-06-30 \
    --current 2025-01-01:2025-06-30 >drift_file.out 2>/dev/null)
same_file "$O/drift_file.out" "$O/drift_stdin.out" "drift -s -"
$HEALTHCAL label -s "$O/snapshots.csv" -e "$O/events.csv" -o "$WORK/obs.csv" 2>/dev/null
run 0 "validate --observations -" -- sh -c "$HEALTHCAL validate --observations - --label churn --score days_past_due --bootstrap 0 <'$WORK/obs.csv'"
for cmd in "validate -c $S/current.json" "fit -c $S/current.json -o $WORK/never.json" "label -o $WORK/never.csv" \
           "predict -c $S/current.json" "drift -c $S/current.json --baseline 2024-01-01:2024-06-30 --current 2025-01-01:2025-06-30"; do
    run 1 "$cmd with two files on stdin" -- $HEALTHCAL $cmd -s - -e - </dev/null
    expect_err "cannot both read standard input" "$cmd -s - -e -"
done

# Under a German locale (decimal comma in LC_NUMERIC) every number is the
# same: healthcal never reads numbers through the locale.
loc=
if locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    loc=de_DE.UTF-8
elif command -v localedef >/dev/null 2>&1 && mkdir -p "$WORK/locale" &&
     localedef -i de_DE -f UTF-8 "$WORK/locale/de_DE.UTF-8" >/dev/null 2>&1; then
    loc=de_DE.UTF-8
    LOCPATH="$WORK/locale"
    export LOCPATH
fi
if [ -n "$loc" ]; then
    (cd "$X" && LC_ALL=$loc $HEALTHCAL validate -s snapshots.csv -e events.csv -c current.json \
        --event-map cancelled=churn --json de.json >de.out 2>/dev/null)
    same_file "$O/validate.out" "$X/de.out" "validate under LC_ALL=$loc"
    same_file "$O/validate.json" "$X/de.json" "validate --json under LC_ALL=$loc"
    (cd "$EU" && LC_ALL=$loc $HEALTHCAL fit -s snapshots.csv -e events.csv -c current.json \
        --segments -o tuned_de.json -d ';' --date-format %d.%m.%Y >fit_de.out 2>/dev/null)
    same_file "$O/fit.out" "$EU/fit_de.out" "European fit under LC_ALL=$loc"
    # The parsers themselves, with setlocale in force (the unit test skips
    # when the locale is absent; here it is present).
    unit="$(dirname "${HC_BIN:-/nonexistent}")/tests/test_number_loose"
    if [ -x "$unit" ]; then
        LC_ALL=$loc "$unit" >"$WORK/unit.log" 2>&1 && ! grep -q SKIPPED "$WORK/unit.log" && ok ||
            { fail "test_number_loose under $loc"; tail -5 "$WORK/unit.log"; }
    fi
else
    echo "skipped: no de_DE.UTF-8 locale and localedef cannot build one: the locale checks did not run"
fi
finish
