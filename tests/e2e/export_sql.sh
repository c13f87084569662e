#!/bin/sh
# export_sql.sh - `healthcal export --sql` run on real databases: a PostgreSQL
# server started for the test (initdb into a temporary directory, a Unix
# socket there, stopped at the end) and SQLite. The outside authority is
# each database's own arithmetic: every metric sub-score, component score,
# health and probability the view computes must equal, to 1e-9 (relative
# above 1), what `healthcal predict --all-snapshots` computes on the same
# rows, and every band must be the same. The predict CSV rounds (health to
# 4 decimals, probabilities to 6 significant digits) and has no
# sub-scores, so the full-precision values come from tests/tools/score_dump
# (the predict workflow itself, hc_predict_run with all_snapshots, printed
# with 17 digits), which is checked against the predict CSV at the CSV's
# precision.
#
# Configs: (a) `fit --segments` on datasets/sample; (b) `fit` with a
# Platt recalibration; (c) a simulated history with whole components
# missing in some rows (and every metric missing in others), fitted with
# --segments and an isotonic recalibration; (d) a hand-written config with
# every transform type (identity, linear, log, piecewise, quantile with
# cuts learned by fit, tied cuts included) whose component, metric column,
# segment value and band names are SQL-injection canaries; (e) config d
# without churn and expansion models (every probability NULL). Also: the
# sample piped out of PostgreSQL (\copy ... TO stdout) into `predict -s -`
# predicts what the file does.
#
# Skips (with a message, counting nothing as passed) the PostgreSQL part
# when the postgresql package is absent and the SQLite part when sqlite3
# is absent or built without ln/exp.
. "$(dirname "$0")/lib.sh"
S="$(cd "$HERE/../.." && pwd)/datasets/sample"
DUMP="${HC_TOOLS:-$HERE/../../build/tools}/score_dump"
[ -x "$DUMP" ] || { echo "FAIL: $DUMP not built (make e2e builds it)"; exit 1; }

PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PGDIR=""
PG_OK=0
SQLITE_OK=0

stop_pg() {
    if [ -n "$PGDIR" ] && [ -f "$PGDIR/data/postmaster.pid" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate -w stop >/dev/null 2>&1
    fi
    [ -n "$PGDIR" ] && rm -rf "$PGDIR"
}
trap 'stop_pg; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# as_pg CMD...: runs the PostgreSQL server programs, which refuse root, as
# the postgres user (or nobody) when we are root.
PGUSER_RUN=""
# (From /: the test's working directory may be closed to that user.)
as_pg() {
    if [ -n "$PGUSER_RUN" ]; then
        (cd / && runuser -u "$PGUSER_RUN" -- "$@")
    else
        "$@"
    fi
}

start_pg() {
    if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || ! command -v psql >/dev/null; then
        echo "SKIP: PostgreSQL parity: the postgresql package is not installed"
        return 1
    fi
    PGDIR=$(mktemp -d /tmp/hc-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        if id postgres >/dev/null 2>&1; then PGUSER_RUN=postgres; else PGUSER_RUN=nobody; fi
        chown "$PGUSER_RUN" "$PGDIR"
    fi
    as_pg "$PGBIN/initdb" -D "$PGDIR/data" -U hc --auth=trust -E UTF8 --no-locale \
        >"$PGDIR/initdb.log" 2>&1 || { fail "initdb"; cat "$PGDIR/initdb.log"; return 1; }
    as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w \
        -o "-k $PGDIR -c listen_addresses= -c fsync=off" start >/dev/null 2>&1 ||
        { fail "pg_ctl start"; cat "$PGDIR/server.log"; return 1; }
    ok
    return 0
}

# psql_run ARGS...: psql on the test server, stopping at the first error.
psql_run() {
    psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR" -U hc -d postgres "$@"
}

# ddl TABLE CSV REALTYPE: CREATE TABLE for a snapshot CSV: the first three
# columns (account_id, snapshot_date, segment) text, the others REALTYPE.
# A header cell that is quoted in the CSV ("a""b") is already a quoted SQL
# identifier; others get quotes. (No test header cell holds a comma.)
ddl() {
    head -1 "$2" | tr -d '\r' | awk -F, -v t="$1" -v real="$3" '{
        printf "DROP TABLE IF EXISTS \"%s\";\nCREATE TABLE \"%s\" (", t, t
        for (i = 1; i <= NF; i++) {
            c = $i; if (substr(c, 1, 1) != "\"") c = "\"" c "\""
            printf "%s%s %s", (i > 1 ? ", " : ""), c,
                (i <= 3 || c == "\"user_id\"" || c == "\"segment\"" ? "TEXT" : real)
        }
        print ");"
    }'
}

# compare DB_OUT DUMP WHAT: joins the two files on (account_id, snapshot_date)
# and compares every field: numbers to 1e-9 (relative above 1), text
# exactly; a missing value (empty, or SQLite's NULL) only matches a missing
# value. SQLite's quote mode writes text as 'a''b': unquoted here.
compare() {
    awk -F, -v what="$3" '
        function norm(v) {
            if (v == "NULL") return ""
            if (v ~ /^'\''.*'\''$/) { v = substr(v, 2, length(v) - 2); gsub(/'\'\''/, "'\''", v) }
            return v
        }
        function isnum(v) { return v ~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
        NR == FNR { key = norm($1) "," norm($2); db[key] = $0; nf[key] = NF; next }
        {
            key = $1 "," $2; rows++
            if (!(key in db)) { if (bad++ < 5) print what ": row " key " missing from the database"; next }
            if (nf[key] != NF) { if (bad++ < 5) print what ": row " key ": " nf[key] " fields, expected " NF; next }
            split(db[key], d, ",")
            for (i = 3; i <= NF; i++) {
                a = norm(d[i]); b = $i
                if (isnum(a) && isnum(b)) {
                    diff = a - b; if (diff < 0) diff = -diff
                    tol = b < 0 ? -b : b; tol = (tol > 1 ? tol : 1) * 1e-9
                    if (diff > tol) { if (bad++ < 5) print what ": row " key " field " i ": database " a ", healthcal " b; }
                    else if (diff > worst) worst = diff
                    nums++
                } else if (a != b) { if (bad++ < 5) print what ": row " key " field " i ": database [" a "], healthcal [" b "]" }
                else texts++
            }
            delete db[key]
        }
        END {
            for (k in db) if (bad++ < 5) print what ": database row " k " not scored by healthcal"
            printf "%s: %d rows, %d numbers (largest difference %.3g), %d text or missing cells\n", what, rows, nums, worst, texts
            if (rows < 100) { print what ": too few rows"; bad++ }
            exit bad > 0
        }' "$1" "$2"
}

# check_dump CONFIG SNAPSHOTS NAME: writes $WORK/NAME.dump and checks it
# against the predict CSV at the CSV's precision (health 4 decimals, bands
# exactly, probabilities 6 significant digits).
check_dump() {
    run 0 "$3: score_dump" -- "$DUMP" "$1" "$2"
    mv "$WORK/out" "$WORK/$3.dump"
    run 0 "$3: predict --all-snapshots" -- $HEALTHCAL predict -q --all-snapshots --draws 0 -c "$1" -s "$2" -o "$WORK/$3.pred.csv"
    awk -F, -v what="$3" '
        function close_enough(a, b, rel,   d) {
            if (a == "" || b == "") return a == b
            d = a - b; if (d < 0) d = -d
            return d <= rel
        }
        NR == FNR { key = $1 "," $2; h[key] = $(NF - 3); band[key] = $(NF - 2); p[key] = $(NF - 1); e[key] = $NF; next }
        FNR > 1 {
            key = $1 "," $2; n++
            if (!(key in h)) { if (bad++ < 5) print what ": predict row " key " not in the dump"; next }
            pa = p[key] < 0 ? -p[key] : p[key]; ea = e[key] < 0 ? -e[key] : e[key]
            if (!close_enough(h[key], $5, 0.5e-4 + 1e-9) || band[key] != $6 ||
                !close_enough(p[key], $7, 5e-6 * pa + 1e-300) || !close_enough(e[key], $8, 5e-6 * ea + 1e-300))
                if (bad++ < 5) print what ": row " key ": dump " h[key] " " band[key] " " p[key] " " e[key] ", predict " $5 " " $6 " " $7 " " $8
        }
        END { if (n < 100) { print what ": only " n " predict rows"; bad++ } exit bad > 0 }' \
        "$WORK/$3.dump" "$WORK/$3.pred.csv" >"$WORK/cmp" 2>&1 && ok ||
        { fail "$3: score_dump differs from predict --all-snapshots"; cat "$WORK/cmp"; }
}

# pg_check CONFIG SNAPSHOTS NAME: loads SNAPSHOTS into PostgreSQL, runs
# the exported view and compares it with the dump.
pg_check() {
    run 0 "$3: export --sql postgres" -- $HEALTHCAL export -c "$1" --sql postgres -o "$WORK/$3.pg.sql"
    { echo "DROP VIEW IF EXISTS healthcal_scores;"
      ddl snapshots "$2" "DOUBLE PRECISION"
      printf '%s\n' "\\copy snapshots FROM '$2' WITH (FORMAT csv, HEADER true)"
      echo "DROP TABLE IF EXISTS t; CREATE TABLE t (x int); INSERT INTO t VALUES (1);"
      cat "$WORK/$3.pg.sql"
      printf '%s\n' "\\copy (SELECT * FROM healthcal_scores) TO '$WORK/$3.pg.out' WITH (FORMAT text, DELIMITER ',', NULL '')"
    } >"$WORK/$3.pg.run"
    run 0 "$3: psql runs the export" -- psql_run -f "$WORK/$3.pg.run"
    compare "$WORK/$3.pg.out" "$WORK/$3.dump" "$3 postgres" >"$WORK/cmp" 2>&1 && { ok; cat "$WORK/cmp"; } ||
        { fail "$3: PostgreSQL differs from healthcal"; cat "$WORK/cmp"; }
    # The injection canaries changed nothing: both tables are intact.
    rows=$(psql_run -At -c "SELECT (SELECT count(*) FROM snapshots) || ',' || (SELECT count(*) FROM t)")
    [ "$rows" = "$(($(wc -l <"$2") - 1)),1" ] && ok || fail "$3: tables changed by the export (rows $rows)"
    # The warehouse as the input: the table piped out of the server into
    # predict on stdin scores as the file does.
    if [ "$3" = a ]; then
        run 0 "$3: psql | predict -s -" -- sh -c "psql -X -q -v ON_ERROR_STOP=1 -h '$PGDIR' -U hc -d postgres -c '\\copy (SELECT * FROM snapshots) TO stdout WITH (FORMAT csv, HEADER true)' | $HEALTHCAL predict -q --draws 0 -c '$1' -s - -o '$WORK/piped.csv'"
        run 0 "$3: predict from the file" -- $HEALTHCAL predict -q --draws 0 -c "$1" -s "$2" -o "$WORK/filed.csv"
        same_file "$WORK/filed.csv" "$WORK/piped.csv" "$3: predictions from PostgreSQL's stdout"
        # ... and into validate, its band table as CSV, as from the file.
        run 0 "$3: psql | validate -s - --format csv" -- sh -c "psql -X -q -v ON_ERROR_STOP=1 -h '$PGDIR' -U hc -d postgres -c '\\copy (SELECT * FROM snapshots) TO stdout WITH (FORMAT csv, HEADER true)' | $HEALTHCAL validate -q --bootstrap 0 -c '$1' -s - -e '$S/events.csv' --format csv --csv-table bands >'$WORK/piped-v.csv'"
        run 0 "$3: validate from the file" -- sh -c "$HEALTHCAL validate -q --bootstrap 0 -c '$1' -s '$2' -e '$S/events.csv' --format csv --csv-table bands >'$WORK/filed-v.csv'"
        same_file "$WORK/filed-v.csv" "$WORK/piped-v.csv" "$3: validate's bands from PostgreSQL's stdout"
        grep -q '^red,' "$WORK/piped-v.csv" && ok || fail "$3: piped validate wrote no red band row"
    fi
}

# sqlite_check CONFIG SNAPSHOTS NAME: the same in SQLite.
sqlite_check() {
    run 0 "$3: export --sql sqlite" -- $HEALTHCAL export -c "$1" --sql sqlite -o "$WORK/$3.sqlite.sql"
    db="$WORK/$3.db"
    rm -f "$db"
    ddl snapshots "$2" REAL | sqlite3 "$db" || { fail "$3: sqlite DDL"; return; }
    sqlite3 "$db" ".import --csv --skip 1 '$2' snapshots" \
        "CREATE TABLE t (x int); INSERT INTO t VALUES (1);" || { fail "$3: sqlite import"; return; }
    run 0 "$3: sqlite3 runs the export" -- sqlite3 -bail "$db" ".read '$WORK/$3.sqlite.sql'"
    # quote mode writes reals with 20 significant digits (exact round trip)
    sqlite3 "$db" ".mode quote" "SELECT * FROM healthcal_scores;" >"$WORK/$3.sqlite.out"
    compare "$WORK/$3.sqlite.out" "$WORK/$3.dump" "$3 sqlite" >"$WORK/cmp" 2>&1 && { ok; cat "$WORK/cmp"; } ||
        { fail "$3: SQLite differs from healthcal"; cat "$WORK/cmp"; }
    rows=$(sqlite3 "$db" "SELECT (SELECT count(*) FROM snapshots) || ',' || (SELECT count(*) FROM t)")
    [ "$rows" = "$(($(wc -l <"$2") - 1)),1" ] && ok || fail "$3: tables changed by the export (rows $rows)"
}

# ---- the configs --------------------------------------------------------

# (a), (b): fitted on the sample
run 0 "fit --segments on the sample" -- $HEALTHCAL fit -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --segments -o "$WORK/a.json"
run 0 "fit --recalibrate platt" -- $HEALTHCAL fit -s "$S/snapshots.csv" -e "$S/events.csv" -c "$S/current.json" --recalibrate platt -o "$WORK/b.json"
grep -q '"platt"' "$WORK/b.json" && ok || fail "config b has no platt map"

# (c): a simulated history with whole components missing: usage in every
# 7th row, support in every 11th, every metric in every 29th (no health),
# csat alone in every 5th.
run 0 "simulate" -- $HEALTHCAL simulate -q --accounts 300 --weeks 40 --seed 11 --out "$WORK/sim"
awk -F, -v OFS=, 'NR > 1 {
    if (NR % 7 == 0) { $5 = ""; $6 = "" }
    if (NR % 11 == 0) { $7 = ""; $8 = "" }
    if (NR % 5 == 0) $8 = ""
    if (NR % 29 == 0) for (i = 5; i <= NF; i++) $i = ""
} { print }' "$WORK/sim/snapshots.csv" >"$WORK/sim_missing.csv"
head -1 "$WORK/sim_missing.csv" | grep -q '^account_id,snapshot_date,segment,arr,logins_per_week,feature_adoption,open_tickets,csat,' &&
    ok || fail "simulated header is not the expected one"
run 0 "fit --segments --recalibrate isotonic on the missing history" -- $HEALTHCAL fit -s "$WORK/sim_missing.csv" -e "$WORK/sim/events.csv" -c "$WORK/sim/current.json" --segments --recalibrate isotonic -o "$WORK/c.json"
grep -q '"isotonic"' "$WORK/c.json" && grep -q '"segments"' "$WORK/c.json" && ok ||
    fail "config c lacks the isotonic map or segments"

# (d): every transform type; canaries in a component, a metric column, a
# segment value and the band names. The sample's nps column is renamed and
# its smb segment renamed (CSV quoting doubles the quotes).
sed -e '1s/,nps,/,"n""ps'\''; DROP TABLE snapshots;--",/' \
    -e 's/,smb,/,"s'\''m""b; DROP TABLE t;--",/' "$S/snapshots.csv" >"$WORK/canary.csv"
cat >"$WORK/canary_in.json" <<'EOF'
{
  "schema": "healthcal-model/1",
  "name": "canary */ -- '; DROP TABLE t; --",
  "horizon_days": 30,
  "missing": "renormalize",
  "components": [
    {"name": "x\"; DROP TABLE t;--", "weight": 0.25, "metrics": [
      {"column": "n\"ps'; DROP TABLE snapshots;--",
       "transform": {"type": "quantile", "higher_is_healthier": true}},
      {"column": "email_open_rate", "weight": 2,
       "transform": {"type": "linear", "low": 0.05, "high": 0.55, "higher_is_healthier": true}}]},
    {"name": "usage", "weight": 0.25, "metrics": [
      {"column": "logins_per_week", "transform": {"type": "quantile", "higher_is_healthier": true}},
      {"column": "feature_adoption", "transform": {"type": "identity"}}]},
    {"name": "support", "weight": 0.2, "metrics": [
      {"column": "open_tickets", "transform": {"type": "log", "low": 0.5, "high": 12, "higher_is_healthier": false}},
      {"column": "csat", "transform": {"type": "quantile", "higher_is_healthier": false}}]},
    {"name": "financial", "weight": 0.15, "metrics": [
      {"column": "days_past_due", "transform": {"type": "piecewise", "points": [[0, 100], [15, 70], [30, 40], [90, 0]]}}]},
    {"name": "relationship", "weight": 0.15, "metrics": [
      {"column": "exec_sponsor", "transform": {"type": "quantile", "higher_is_healthier": true}},
      {"column": "milestones_done", "transform": {"type": "log", "low": 0, "high": 10, "higher_is_healthier": true}}]}
  ],
  "bands": [{"name": "it's red; DROP TABLE t;--", "min": 0}, {"name": "yellow", "min": 45.5},
            {"name": "green'--", "min": 70}]
}
EOF
run 0 "fit --segments the canary config" -- $HEALTHCAL fit -s "$WORK/canary.csv" -e "$S/events.csv" -c "$WORK/canary_in.json" --segments -o "$WORK/d.json"
grep -q '"cuts"' "$WORK/d.json" && grep -q 's'\''m\\"b; DROP TABLE t;--' "$WORK/d.json" && ok ||
    fail "config d lacks learned cuts or the canary segment"

# (e): config d without probability models (null churn and expansion
# models, segment weights only): P columns NULL in every row.
python3 - "$WORK/d.json" "$WORK/e.json" <<'PY' && ok || fail "config e"
import json, sys
m = json.load(open(sys.argv[1]))
m["churn_model"] = None
m["expansion_model"] = None
for s in m.get("segments", {}).values():
    s.pop("churn_model", None)
    s.pop("expansion_model", None)
json.dump(m, open(sys.argv[2], "w"), indent=2)
PY

# The header names the config and its SHA-256 (sha256sum is the authority).
run 0 "export header" -- env SOURCE_DATE_EPOCH=86400 $HEALTHCAL export -c "$WORK/d.json" --sql postgres
sum=$(sha256sum "$WORK/d.json" | cut -d' ' -f1)
grep -qx -- "-- config sha256: $sum" "$WORK/out" && ok || fail "header lacks the config's sha256 $sum"
head -1 "$WORK/out" | grep -q ' on 1970-01-02$' && ok || fail "header date is not SOURCE_DATE_EPOCH's"
grep -q '^-- config: .*canary \*/ -- '\''; DROP TABLE t; --' "$WORK/out" && ok || fail "header lacks the config name"
# every statement of the file: one DROP VIEW and one CREATE VIEW
[ "$(grep -c '^DROP VIEW IF EXISTS "healthcal_scores";$' "$WORK/out")" = 1 ] && ok || fail "not one DROP VIEW"
# a newline in the name cannot end the comment
sed '1,/"name": / s/"name": ".*",$/"name": "x\\nDROP TABLE t;",/' "$WORK/d.json" >"$WORK/nl.json"
run 0 "export a name with a newline" -- $HEALTHCAL export -c "$WORK/nl.json" --sql sqlite
grep -qx -- '-- config: x?DROP TABLE t; (.*)' "$WORK/out" && ok || fail "newline in the name not neutralised"
grep -q '^DROP TABLE' "$WORK/out" && fail "a line of the export starts with DROP TABLE" || ok
run 0 "export --select --table --schema" -- $HEALTHCAL export -c "$WORK/a.json" --sql ansi --select --schema 'w"h' --table 'sn"aps'
grep -q 'FROM "w""h"."sn""aps" AS t' "$WORK/out" && ok || fail "schema and table not quoted"
grep -q 'CREATE VIEW' "$WORK/out" && fail "--select wrote a view" || ok
run 1 "export without a target" -- $HEALTHCAL export -c "$WORK/a.json"
run 1 "export --sql oracle" -- $HEALTHCAL export -c "$WORK/a.json" --sql oracle
expect_err "unknown dialect 'oracle'" "unknown dialect named"
run 2 "export an uncut quantile config" -- $HEALTHCAL export -c "$WORK/canary_in.json" --sql sqlite
expect_err "has no cuts" "uncut quantile refused"
sed 's/"usage"/"health"/g' "$WORK/a.json" >"$WORK/clash.json"
run 2 "export a component named health" -- $HEALTHCAL export -c "$WORK/clash.json" --sql postgres
expect_err "would both be named 'health'" "name clash refused"

# (f), (g): user rows rolled up in SQL by GROUP BY (hc_rollup.h): f is the
# seat config of rollup.sh fitted (sum, mean, share above 0.5), g rolls up
# by median and count_active (PostgreSQL's PERCENTILE_CONT; SQLite has no
# median and refuses it).
R="$HERE/data/rollup"
run 0 "fit the roll-up config" -- $HEALTHCAL fit -q -c "$R/rollup.json" -s "$R/users.csv" -e "$R/events.csv" -o "$WORK/f.json"
sed -e 's/"nps": "mean"/"nps": "median"/' -e 's/"logins": "sum"/"logins": "count_active"/' \
    "$R/rollup.json" >"$WORK/g.json"
grep -q '"median"' "$WORK/g.json" && grep -q '"count_active"' "$WORK/g.json" && ok || fail "config g"
run 2 "export a median roll-up for SQLite" -- $HEALTHCAL export -c "$WORK/g.json" --sql sqlite
expect_err "rollup.metrics.nps: SQLite has no median aggregate" "median refused for SQLite"
snaps_of() {
    case $1 in c) echo "$WORK/sim_missing.csv" ;; d | e) echo "$WORK/canary.csv" ;;
    f | g) echo "$R/users.csv" ;; *) echo "$S/snapshots.csv" ;; esac
}

for n in a b c d e f g; do
    check_dump "$WORK/$n.json" "$(snaps_of $n)" "$n"
done
# config e has no probabilities at all
awk -F, '$(NF - 1) != "" || $NF != "" { n++ } END { exit n == 0 && NR > 100 ? 0 : 1 }' "$WORK/e.dump" && ok ||
    fail "config e has probabilities"
# the missing history has rows without health (and so no band or P)
awk -F, '$(NF - 3) == "" { n++ } END { exit n > 0 ? 0 : 1 }' "$WORK/c.dump" && ok || fail "no row without health in c"

if start_pg; then
    PG_OK=1
    for n in a b c d e f g; do
        pg_check "$WORK/$n.json" "$(snaps_of $n)" "$n"
    done
fi

if ! command -v sqlite3 >/dev/null; then
    echo "SKIP: SQLite parity: sqlite3 is not installed"
elif [ "$(sqlite3 :memory: 'select exp(0) + ln(1)' 2>/dev/null)" != "1.0" ]; then
    echo "SKIP: SQLite parity: this sqlite3 has no math functions (ln, exp): it needs 3.35+ built with SQLITE_ENABLE_MATH_FUNCTIONS"
else
    SQLITE_OK=1
    for n in a b c d e f; do
        sqlite_check "$WORK/$n.json" "$(snaps_of $n)" "$n"
    done
    # A negative control: the comparison notices one P(churn) moved by a
    # relative 1e-7.
    awk -F, -v OFS=, 'NR == 1 { $(NF - 1) = $(NF - 1) * (1 + 1e-7) } { print }' \
        "$WORK/a.dump" >"$WORK/a.moved"
    compare "$WORK/a.sqlite.out" "$WORK/a.moved" "control" >"$WORK/cmp" 2>&1 &&
        fail "the comparison did not notice a moved P(churn)" || ok
    [ "$(grep -c "field $(head -1 "$WORK/a.dump" | awk -F, '{ print NF - 1 }'): database" "$WORK/cmp")" = 1 ] && ok ||
        { fail "the control failed for another reason"; cat "$WORK/cmp"; }
fi
echo "databases compared: postgres $PG_OK, sqlite $SQLITE_OK"
finish
