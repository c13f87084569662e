#!/bin/sh
# run.sh - builds the libFuzzer targets and runs each for SECONDS seconds.
#
#   sh tests/fuzz/run.sh SECONDS [TARGET...]     (TARGET: csv number date ...)
#
# Each target tests/fuzz/fuzz_TARGET.c is built with clang
# -fsanitize=fuzzer,address,undefined from the library sources it needs and
# run on the corpus tests/fuzz/corpus/TARGET/, which is seeded from the
# committed seeds in tests/fuzz/seeds/TARGET/. Crashes are written to
# build/fuzz/artifacts/TARGET/; the script exits non-zero when a target
# finds one. Turn each crash into a regression unit test.
set -u
cd "$(dirname "$0")/../.." || exit 1
SECONDS_EACH=${1:-60}
[ $# -gt 0 ] && shift
TARGETS=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||')}
CLANG=${CLANG:-clang}
OUT=build/fuzz
if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "run.sh: clang is needed for libFuzzer (apt-get install clang)" >&2
    exit 1
fi

# Library sources each target needs (beyond the target itself).
sources() {
    case $1 in
    csv) echo "src/csv_read.c src/csv_plain.c src/csv_load.c src/csv_split.c src/number.c
               src/date.c src/table.c
               src/strpool.c src/error.c src/snapshots.c src/labels.c" ;;
    number) echo "src/number.c" ;;
    date) echo "src/date.c" ;;
    *) # a target added later names its sources in a comment line
       # "FUZZ_SOURCES: src/a.c src/b.c" in its own file
       sed -n 's/.*FUZZ_SOURCES:\(.*\)/\1/p' "tests/fuzz/fuzz_$1.c" | head -1 ;;
    esac
}

# Extra link flags a target needs.
libs() {
    case $1 in
    csv) echo "-lcsv -lm -pthread" ;;
    number|date) echo "-lm" ;;
    *) sed -n 's/.*FUZZ_LIBS:\(.*\)/\1/p' "tests/fuzz/fuzz_$1.c" | head -1 ;;
    esac
}

status=0
for t in $TARGETS; do
    src="tests/fuzz/fuzz_$t.c"
    [ -f "$src" ] || { echo "run.sh: no target $src" >&2; status=1; continue; }
    mkdir -p "$OUT/artifacts/$t" "tests/fuzz/corpus/$t"
    # shellcheck disable=SC2046
    if ! $CLANG -std=c11 -g -O1 -fno-omit-frame-pointer \
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
            -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
            -o "$OUT/fuzz_$t" "$src" $(sources "$t") $(libs "$t"); then
        echo "run.sh: building fuzz_$t failed" >&2
        status=1
        continue
    fi
    if [ -d "tests/fuzz/seeds/$t" ]; then
        cp -n tests/fuzz/seeds/$t/* "tests/fuzz/corpus/$t/" 2>/dev/null
    fi
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    echo "fuzz_$t: $SECONDS_EACH s on tests/fuzz/corpus/$t"
    if ! "$OUT/fuzz_$t" -max_total_time="$SECONDS_EACH" -timeout=10 \
            -rss_limit_mb=2048 -print_final_stats=1 $dict \
            -artifact_prefix="$OUT/artifacts/$t/" "tests/fuzz/corpus/$t" \
            >"$OUT/fuzz_$t.log" 2>&1; then
        echo "fuzz_$t: FAILED, see $OUT/fuzz_$t.log and $OUT/artifacts/$t/" >&2
        tail -40 "$OUT/fuzz_$t.log" >&2
        status=1
    else
        grep -E '^stat::number_of_executed_units|^stat::new_units_added' "$OUT/fuzz_$t.log" |
            sed "s/^/fuzz_$t: /"
    fi
done
exit $status
