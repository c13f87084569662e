#!/bin/sh
# bad_inputs.sh - the bad input catalogue and file faults for `healthcal label`.
#
# Every malformed input must give exit 2 (bad data) or 1 (usage), a message
# naming the file, line and column (or the column key or option), no output
# file, and an existing output left untouched (issue 8, "Bad input
# catalogue" and "Files and faults"). The inputs live in data/bad/; the big
# ones are generated here.
. "$(dirname "$0")/lib.sh"
cd "$DATA/bad" || exit 1
OUT="$WORK/outputs"
mkdir -p "$OUT" "$WORK/gen"
CASES=0

# The files a run leaves in $OUT, other than keep.csv.
leftovers() {
    ls -A "$OUT" | grep -v '^keep\.csv$'
}

# bad CODE MESSAGE ARGS...: `healthcal label ARGS` fails with CODE and
# MESSAGE, once with a new output path (not created) and once with an
# existing output (left as it was); no temporary file remains.
bad() {
    want=$1
    msg=$2
    shift 2
    CASES=$((CASES + 1))
    rm -rf "$OUT"
    mkdir -p "$OUT"
    run "$want" "case $CASES [$msg]" -- $HEALTHCAL label "$@" -o "$OUT/new.csv"
    expect_err "healthcal: error: $msg" "case $CASES"
    [ ! -e "$OUT/new.csv" ] && ok || fail "case $CASES [$msg]: output file created"
    # Under valgrind (slow) one run per case is enough to check memory.
    case "$HEALTHCAL" in *valgrind*) return ;; esac
    echo "keep me" >"$OUT/keep.csv"
    run "$want" "case $CASES [$msg] over an existing output" -- \
        $HEALTHCAL label "$@" -o "$OUT/keep.csv"
    expect_err "$msg" "case $CASES, existing output"
    [ "$(cat "$OUT/keep.csv")" = "keep me" ] && ok ||
        fail "case $CASES [$msg]: existing output changed"
    [ -z "$(leftovers)" ] && ok || fail "case $CASES [$msg]: left $(leftovers)"
}

# label_from FILE ARGS...: healthcal label with FILE on standard input.
label_from() {
    f=$1
    shift
    $HEALTHCAL label "$@" <"$f"
}

# bad_stdin CODE MESSAGE FILE ARGS...: as `bad`, with FILE on stdin.
bad_stdin() {
    want=$1
    msg=$2
    f=$3
    shift 3
    CASES=$((CASES + 1))
    rm -rf "$OUT"
    mkdir -p "$OUT"
    run "$want" "case $CASES [$msg]" -- label_from "$f" "$@" -o "$OUT/new.csv"
    expect_err "healthcal: error: $msg" "case $CASES"
    [ -z "$(ls -A "$OUT")" ] && ok || fail "case $CASES [$msg]: output created"
}

S=snapshots.csv
E=events.csv
run 0 "the valid base files" -- $HEALTHCAL label -q -s $S -e $E -o "$WORK/base.csv"

# --- structure ---------------------------------------------------------
bad 2 "empty.csv: the file is empty" -s empty.csv -e $E
bad 2 "blank_lines.csv: the file is empty" -s blank_lines.csv -e $E
bad 2 "header_only.csv: no data rows after the header" -s header_only.csv -e $E
bad 2 "missing_id_col.csv:1: header: required column 'account_id' is missing" -s missing_id_col.csv -e $E
bad 2 "missing_date_col.csv:1: header: required column 'snapshot_date' is missing" -s missing_date_col.csv -e $E
bad 2 "duplicate_column.csv:1:5: header: duplicate column name 'usage' (columns 3 and 5)" -s duplicate_column.csv -e $E
bad 2 "empty_column_name.csv:1:3: header: column 3 has an empty name" -s empty_column_name.csv -e $E
bad 2 "too_few_fields.csv:3:5: expected 5 fields as in the header, found 4" -s too_few_fields.csv -e $E
bad 2 "too_many_fields.csv:3:6: expected 5 fields as in the header, found 6" -s too_many_fields.csv -e $E
bad 2 "snapshots.csv:1: header: required column 'account_id' is missing" -s $S -e $E --delimiter ';'

# --- quoting and bytes -------------------------------------------------
bad 2 "unterminated_quote.csv:3:3: unterminated quoted field" -s unterminated_quote.csv -e $E
bad 2 "quote_inside_field.csv:2:3: malformed quoting" -s quote_inside_field.csv -e $E
bad 2 "text_after_quote.csv:2:3: malformed quoting" -s text_after_quote.csv -e $E
bad 2 "text_after_multiline_quote.csv:3:3: malformed quoting" -s text_after_multiline_quote.csv -e $E
bad 2 "latin1.csv:2:3: invalid UTF-8 byte 0xe9" -s latin1.csv -e $E
bad 2 "overlong_utf8.csv:2:3: invalid UTF-8 byte 0xc0" -s overlong_utf8.csv -e $E
bad 2 "surrogate_utf8.csv:2:3: invalid UTF-8 byte 0xed" -s surrogate_utf8.csv -e $E
bad 2 "truncated_utf8.csv:2:3: invalid UTF-8 byte 0xe2" -s truncated_utf8.csv -e $E
bad 2 "utf16.csv:1:1: invalid UTF-8 byte 0xff" -s utf16.csv -e $E
bad 2 "nul_byte.csv:3:3: NUL byte in field" -s nul_byte.csv -e $E

# A 10 MB field and 10,000 columns, generated.
G="$WORK/gen"
{
    echo "account_id,snapshot_date,segment,arr,usage"
    printf 'a1,2024-01-01,'
    head -c 10485760 /dev/zero | tr '\0' 'x'
    echo ",1200,50"
} >"$G/big_field.csv"
bad 2 "$G/big_field.csv:2:3: field longer than the limit of 1048576 bytes" -s "$G/big_field.csv" -e $E
awk 'BEGIN { printf "account_id,snapshot_date"; for (i = 3; i <= 10000; i++) printf ",m%d", i; printf "\n" }' >"$G/wide.csv"
bad 2 "$G/wide.csv:1:4097: too many fields in one record" -s "$G/wide.csv" -e $E

# --- dates ---------------------------------------------------------------
for f in date_feb30:2025-02-30 date_month13:2025-13-01 date_two_digit_year:25-01-01 \
         date_empty: date_na:NA date_unpadded:2025-1-01 date_not_leap:2023-02-29 \
         date_1900_not_leap:1900-02-29 date_slashes:01/02/2024 \
         date_with_time:2024-01-01T24:00:00; do
    name=${f%%:*}
    value=${f#*:}
    bad 2 "$name.csv:2:2: column 'snapshot_date': '$value' is not a valid YYYY-MM-DD date" -s "$name.csv" -e $E
done
bad 2 "crlf_quoted_newline_bad_date.csv:5:2: column 'snapshot_date': '2024-02-30'" -s crlf_quoted_newline_bad_date.csv -e $E

# --- numbers -------------------------------------------------------------
bad 2 "num_1e400.csv:2:4: column 'arr': '1e400' is out of the range of a double" -s num_1e400.csv -e $E
bad 2 "num_minus_nan.csv:2:5: column 'usage': '-nan' is not a number" -s num_minus_nan.csv -e $E
bad 2 "num_inf.csv:2:5: column 'usage': 'inf' is not a number" -s num_inf.csv -e $E
bad 2 "num_decimal_comma.csv:2:5: column 'usage': '1,5,0' is not a number" -s num_decimal_comma.csv -e $E -d ';'
bad 2 "num_hex.csv:2:5: column 'usage': '0x10' is not a number" -s num_hex.csv -e $E
bad 2 "num_trailing_text.csv:2:5: column 'usage': '12abc' is not a number" -s num_trailing_text.csv -e $E
bad 2 "num_inner_space.csv:2:5: column 'usage': '1 000' is not a number" -s num_inner_space.csv -e $E
bad 2 "bom_bad_number.csv:3:5: column 'usage': 'x' is not a number" -s bom_bad_number.csv -e $E
bad 2 "negative_arr.csv:2:4: column 'arr': negative value -1200 is not allowed" -s negative_arr.csv -e $E

# --- rows ----------------------------------------------------------------
bad 2 "duplicate_row.csv:4: duplicate snapshot for account 'a1' on 2024-01-01 (also on line 2)" -s duplicate_row.csv -e $E
bad 2 "missing_account.csv:2:1: column 'account_id': account id is missing" -s missing_account.csv -e $E

# --- events --------------------------------------------------------------
bad 2 "events_unknown_type.csv:3: column 'event_type': unknown event type 'upsell'" -s $S -e events_unknown_type.csv
bad 2 "events_empty_type.csv:2: column 'event_type': unknown event type ''" -s $S -e events_empty_type.csv
bad 2 "events_missing_type_col.csv:1: header: required column 'event_type' is missing" -s $S -e events_missing_type_col.csv
bad 2 "events_bad_date.csv:2:2: column 'event_date': '2024-02-31' is not a valid" -s $S -e events_bad_date.csv
bad 2 "events_negative_amount.csv:2:4: column 'amount': negative value -5" -s $S -e events_negative_amount.csv
bad 2 "events_bad_amount.csv:2:4: column 'amount': '12abc' is not a number" -s $S -e events_bad_amount.csv
bad 2 "events_missing_account.csv:2: column 'account_id': account id is missing" -s $S -e events_missing_account.csv
bad 2 "events_too_few_fields.csv:2:4: expected 4 fields as in the header, found 3" -s $S -e events_too_few_fields.csv
bad 2 "empty.csv: the file is empty" -s $S -e empty.csv

# --- options -------------------------------------------------------------
bad 1 "option '--horizon': '0' is not an integer in [1, 3650]" -s $S -e $E --horizon 0
bad 1 "option '--horizon': '-7' is not an integer" -s $S -e $E --horizon -7
bad 1 "option '--horizon': '3651' is not an integer" -s $S -e $E --horizon 3651
bad 1 "option '--horizon': '30d' is not an integer" -s $S -e $E --horizon 30d
bad 2 "no observations: every snapshot is censored or after churn" -s $S -e $E --horizon 400
bad 1 "option '--lead': '-1' is not an integer" -s $S -e $E --lead -1
bad 1 "the as-of date 2020-01-01 is before the first snapshot (2024-01-01)" -s $S -e $E --as-of 2020-01-01
bad 1 "option '--as-of': '2025-02-30' is not a valid YYYY-MM-DD date" -s $S -e $E --as-of 2025-02-30
bad 1 "option '--delimiter': expected one character, got ';;'" -s $S -e $E --delimiter ';;'
bad 1 "unknown option '--bogus'" -s $S -e $E --bogus
bad 1 "option '--events' is required" -s $S
bad 1 "option '--snapshots' is required" -e $E
bad 1 "options '--snapshots' and '--events' cannot both read standard input" -s - -e -
bad 1 "unexpected argument 'extra.csv'" -s $S -e $E extra.csv
bad 4 "no_such_file.csv: cannot open: No such file or directory" -s no_such_file.csv -e $E
mkdir -p "$WORK/a_directory"
bad 4 "$WORK/a_directory: read failed: Is a directory" -s "$WORK/a_directory" -e $E

# --- standard input ------------------------------------------------------
bad_stdin 2 "<stdin>:2:2: column 'snapshot_date': '2025-02-30'" date_feb30.csv -s - -e $E
bad_stdin 2 "<stdin>:3: column 'event_type': unknown event type 'upsell'" events_unknown_type.csv -s $S -e -
bad_stdin 2 "<stdin>: the file is empty" empty.csv -s - -e $E
run 0 "snapshots on stdin" -- label_from $S -q -s - -e $E -o "$WORK/stdin.csv"
same_file "$WORK/base.csv" "$WORK/stdin.csv" "stdin gives the same table as the file"

echo "$CASES malformed inputs checked"
[ "$CASES" -ge 40 ] && ok || fail "the catalogue has only $CASES cases"

# --- valid by policy: counted in the summary, not errors -----------------
run 0 "events of unknown accounts" -- $HEALTHCAL label -s $S -e events_unknown_accounts.csv -o "$WORK/u.csv"
expect_err "events of unknown accounts: 2" "unknown accounts counted"
run 0 "events before the first snapshot" -- $HEALTHCAL label -s $S -e events_before_first_snapshot.csv -o "$WORK/b.csv"
expect_err "events before the account's first snapshot: 2" "early events counted"
run 0 "--ignore-unknown-events" -- $HEALTHCAL label -s $S -e events_unknown_type.csv --ignore-unknown-events -o "$WORK/i.csv"
expect_err "events of unknown type skipped: 1" "unknown types counted"

# --- files and faults ----------------------------------------------------
cp $S "$WORK/snap.csv"
run 1 "output over an input" -- $HEALTHCAL label -s "$WORK/snap.csv" -e $E -o "$WORK/snap.csv"
expect_err "refusing to overwrite an input file of this run" "output over input refused"
cmp -s $S "$WORK/snap.csv" && ok || fail "the input was modified"
ln -s "$WORK/snap.csv" "$WORK/link.csv"
run 1 "output over an input by another name" -- $HEALTHCAL label -s "$WORK/snap.csv" -e $E -o "$WORK/link.csv"
expect_err "refusing to overwrite" "same file under another name refused"
cmp -s $S "$WORK/snap.csv" && ok || fail "the input was modified through a link"
cp $E "$WORK/ev.csv"
run 1 "output over the events file" -- $HEALTHCAL label -s $S -e "$WORK/ev.csv" -o "$WORK/./ev.csv"
expect_err "refusing to overwrite" "events input protected"
run 4 "output in a missing directory" -- $HEALTHCAL label -s $S -e $E -o "$WORK/no/such/dir/out.csv"
expect_err "out.csv: cannot create" "missing directory named"
mkdir -p "$WORK/adir"
run 4 "output is a directory" -- $HEALTHCAL label -s $S -e $E -o "$WORK/adir"
expect_err "adir: is a directory" "directory output named"
if [ -w /dev/full ]; then
    run 4 "write to /dev/full" -- $HEALTHCAL label -q -s $S -e $E -o /dev/full
    expect_err "/dev/full: write failed: No space left on device" "full disk named"
fi

# SIGTERM or SIGINT while the output is being written (its temporary file
# exists) leaves no output and no temporary file; at other moments there is
# either no output or the whole of it. A long history makes the write last
# (shorter under valgrind).
weeks=250
case "$HEALTHCAL" in *valgrind*) weeks=25 ;; esac
awk -v weeks=$weeks 'BEGIN {
    print "account_id,snapshot_date,segment,arr,usage"
    for (a = 1; a <= 4000; a++)
        for (w = 0; w < weeks; w++)
            printf "acct%05d,%s,smb,%d,%d\n", a, strftime("%Y-%m-%d", 1704067200 + w * 604800, 1), 1000 + a, (a * w) % 100
}' >"$G/long.csv" 2>/dev/null || rm -f "$G/long.csv"
caught=0
# A non-interactive shell starts background jobs with SIGINT ignored, and
# healthcal keeps an ignored signal ignored: restore the default first.
sigdefault=""
env --default-signal=INT true 2>/dev/null && sigdefault="env --default-signal=INT"
if [ -s "$G/long.csv" ]; then
    $HEALTHCAL label -q -s "$G/long.csv" -e $E -o "$G/full.csv" 2>/dev/null
    for how in poll poll 0.1 0.3; do
        for sig in TERM INT; do
            rm -rf "$OUT"
            mkdir -p "$OUT"
            $sigdefault $HEALTHCAL label -q -s "$G/long.csv" -e $E -o "$OUT/sig.csv" 2>/dev/null &
            pid=$!
            mid=0
            if [ $how = poll ]; then
                # Wait for the temporary file, then signal.
                i=0
                while [ $i -lt 100000 ] && kill -0 $pid 2>/dev/null; do
                    case $(ls -A "$OUT") in *.tmp.*) mid=1; break ;; esac
                    i=$((i + 1))
                done
            else
                sleep $how
            fi
            kill -$sig $pid 2>/dev/null
            wait $pid 2>/dev/null
            if [ $mid = 1 ] && [ ! -e "$OUT/sig.csv" ]; then
                caught=$((caught + 1))
                ok
            elif [ $mid = 1 ]; then
                # The rename may win the race against the signal: then
                # the output must be whole.
                cmp -s "$G/full.csv" "$OUT/sig.csv" && ok ||
                    fail "SIG$sig mid-write: partial output"
            elif [ -e "$OUT/sig.csv" ]; then
                cmp -s "$G/full.csv" "$OUT/sig.csv" && ok ||
                    fail "SIG$sig after ${how}s: partial output"
            else
                ok
            fi
            [ -z "$(ls -A "$OUT" | grep -v '^sig\.csv$')" ] && ok ||
                fail "SIG$sig ($how): left $(ls -A "$OUT")"
        done
    done
    echo "signals: $caught runs were interrupted while writing"
    # An ignored SIGINT stays ignored: the run completes.
    rm -rf "$OUT"
    mkdir -p "$OUT"
    $HEALTHCAL label -q -s "$G/long.csv" -e $E -o "$OUT/ign.csv" 2>/dev/null &
    pid=$!
    i=0
    while [ $i -lt 100000 ] && kill -0 $pid 2>/dev/null; do
        case $(ls -A "$OUT") in *.tmp.*) break ;; esac
        i=$((i + 1))
    done
    kill -INT $pid 2>/dev/null
    wait $pid
    code=$?
    [ $code = 0 ] && cmp -s "$G/full.csv" "$OUT/ign.csv" && ok ||
        fail "an ignored SIGINT ended the run (exit $code)"
else
    echo "skipped: the signal test needs awk with strftime (gawk or mawk 1.3.4)"
fi
finish
